"""Lead list, record page, create/edit/delete, quick create, export and suggestions.

The actions on a lead (status, checklist, bulk) live in `actions.py`, conversion and merging in
`conversion.py`; their addresses are joined here. The pages call the same selectors and services
as the API.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from rapport.core import audit, customfields, records, timeline
from rapport.core.errors import DomainError, InvalidInput
from rapport.core.models import CustomField, User
from rapport.core.search import matching
from rapport.core.visibility import can, is_visible, visible_to
from rapport.customers.models import Account, Contact
from rapport.leads import exports
from rapport.leads.dedupe import duplicates_of
from rapport.leads.forms import BulkForm, DisqualifyForm, LeadForm, QuickLeadForm
from rapport.leads.models import Lead, LeadSource, LeadStatus, Tag
from rapport.leads.selectors import LEAD_LIST, qualification_checklist
from rapport.leads.services import leads as services
from rapport.leads.views import actions, conversion
from rapport.leads.views.support import actor_of, get_lead, is_htmx, rights
from rapport.web.lists import ME, Control, bool_control, custom_field_controls, list_context, render_list, team_control
from rapport.web.utils import add_domain_error, http_errors, is_partial

LEAD_CREATED = _("The lead %(name)s is created.")
LEAD_CREATED_ELSEWHERE = _("The lead %(name)s is created; the assignment rules gave it to %(owner)s.")
LEAD_SAVED = _("The lead %(name)s is saved.")
LEAD_DELETED = _("The lead %(name)s is deleted.")
EXPORT_STARTED = _("The export has started; the file will be ready here in a moment.")

SUGGEST_LIMIT = 20
HISTORY_LIMIT = 50
TIMELINE_LIMIT = 30
#: more tags than this and the tag filter becomes a text box
TAG_OPTIONS_LIMIT = 200


def duplicates_warning(count: int) -> str:
    return ngettext(
        "This lead may be a duplicate of %(count)s record: see “Possible duplicates”.",
        "This lead may be a duplicate of %(count)s records: see “Possible duplicates”.",
        count,
    ) % {"count": count}


# --- list ---------------------------------------------------------------------------------------


def _controls(users: list[User], sources: list[LeadSource], fields: list[CustomField]) -> list[Control]:
    tags = list(Tag.objects.order_by("name").values_list("name", flat=True)[: TAG_OPTIONS_LIMIT + 1])
    tag_control = (
        Control("tag", _("Tag"), options=[(t, t) for t in tags])
        if len(tags) <= TAG_OPTIONS_LIMIT
        else Control("tag", _("Tag"), kind="text")
    )
    return [
        Control("status", _("Status"), options=LeadStatus.choices),
        Control("source", _("Source"), options=[(str(s.pk), str(s)) for s in sources]),
        Control("owner", _("Owner"), options=[("me", ME), *[(str(u.pk), str(u)) for u in users]]),
        team_control(),
        tag_control,
        Control("score_min", _("Score from"), kind="text"),
        Control("score_max", _("Score up to"), kind="text"),
        bool_control("need_identified", _("Need identified")),
        Control("country", _("Country"), kind="text"),
        Control("campaign", _("Campaign"), kind="text"),
        Control("created_after", _("Created from"), kind="date"),
        Control("created_before", _("Created until"), kind="date"),
        *custom_field_controls(fields),
    ]


@login_required
@require_GET
def lead_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    fields = customfields.fields_for("lead")
    users = list(
        User.objects.filter(is_active=True)
        .only("first_name", "last_name", "email")
        .order_by("first_name", "last_name", "email")
    )
    sources = list(LeadSource.objects.order_by("position", "name"))
    context = list_context(request, LEAD_LIST, _controls(users, sources, fields), custom_fields=fields)
    context.update(rights(actor))
    context.update(
        {
            "export_url": reverse("leads:lead_export"),
            "page_ids": ",".join(str(lead.pk) for lead in context["rows"]),
            "list_url": request.get_full_path(),
        }
    )
    if not is_partial(request, "list-results"):  # the forms around the results are drawn once
        context["quick_form"] = QuickLeadForm(sources=[s for s in sources if s.active])
        context["bulk_form"] = BulkForm(users=users)
    return render_list(request, "leads/lead_list.html", context)


@login_required
@require_POST
def lead_export(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    params = {k: str(v) for k, v in request.GET.items() if k not in ("page", "limit")}
    try:
        with http_errors():
            job = exports.leads_export_start(actor=actor, params=params, file_format=request.POST.get("format", ""))
    except InvalidInput as exc:
        for field_messages in exc.errors.values():
            for message in field_messages:
                messages.error(request, message)
        return redirect(f"{reverse('leads:lead_list')}?{request.GET.urlencode()}")
    messages.info(request, EXPORT_STARTED)
    return redirect("job_detail", job_id=job.pk)


@login_required
@require_GET
def lead_suggest(request: HttpRequest) -> HttpResponse:
    """Up to 20 visible, open (not converted) leads matching `term`: the options of a lead search select."""
    actor = actor_of(request)
    term = request.GET.get("term", "").strip()[:100]
    queryset = visible_to(actor, Lead).exclude(status=LeadStatus.CONVERTED)
    if term:
        queryset = matching(queryset, Lead.search_index, term)
    exclude = request.GET.get("exclude", "")
    if exclude.isdigit():
        queryset = queryset.exclude(pk=int(exclude))
    describe = records.get("lead").describe
    options = [
        {"pk": lead.pk, "label": str(lead), "describe": describe(lead)}
        for lead in queryset.order_by("last_name", "first_name", "id")[:SUGGEST_LIMIT]
    ]
    return render(request, "web/widgets/record_options.html", {"options": options, "term": term})


# --- record page ----------------------------------------------------------------------------------


def _visible_id(actor: User, model: type[Account] | type[Contact], pk: int | None) -> bool:
    return pk is not None and visible_to(actor, model).filter(pk=pk).exists()


@login_required
@require_GET
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = actor_of(request)
    lead = get_lead(actor, lead_id)
    fields = customfields.fields_for("lead")
    stored = lead.custom or {}
    lead_rights = rights(actor)
    context = {
        "lead": lead,
        "tags": list(lead.tags.all()),
        "checklist": qualification_checklist(lead),
        "custom_values": [(f.label, customfields.display(f, stored.get(f.key))) for f in fields],
        "duplicates": [] if lead.is_converted else duplicates_of(actor, lead),
        "timeline": timeline.entries_for(actor, "lead", lead, limit=TIMELINE_LIMIT),
        "history": audit.present("lead", audit.history("lead", lead.pk)[:HISTORY_LIMIT]),
        "account_visible": lead.is_converted and _visible_id(actor, Account, lead.converted_account_id),
        "contact_visible": lead.is_converted and _visible_id(actor, Contact, lead.converted_contact_id),
        "disqualify_form": DisqualifyForm(),
        "can_merge": lead_rights["can_edit"] and lead_rights["can_delete"],
        **lead_rights,
    }
    return render(request, "leads/lead_detail.html", context)


# --- create, edit, delete -----------------------------------------------------------------------------


def _save(form: LeadForm | QuickLeadForm, save: Callable[[], Lead]) -> Lead | None:
    """Validate the form and run the service; refused → None, with the service's messages on the form."""
    if not form.is_valid():
        return None
    try:
        return save()
    except DomainError as exc:
        add_domain_error(form, exc)
        return None


def _created(request: HttpRequest, actor: User, lead: Lead) -> str:
    """Say what happened to a new lead; answer where to go next (the lead, unless a rule gave it away)."""
    if not is_visible(actor, lead):
        messages.success(request, LEAD_CREATED_ELSEWHERE % {"name": lead, "owner": lead.owner})
        return reverse("leads:lead_list")
    messages.success(request, LEAD_CREATED % {"name": lead})
    duplicates = duplicates_of(actor, lead)
    if duplicates:
        messages.warning(request, duplicates_warning(len(duplicates)))
    return lead.get_absolute_url()


def _form_page(request: HttpRequest, form: LeadForm, lead: Lead | None, status: int = 200) -> HttpResponse:
    return render(request, "leads/lead_form.html", {"form": form, "lead": lead}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def lead_create(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not can(actor, "create", "lead"):
        raise PermissionDenied
    if request.method == "GET":
        return _form_page(request, LeadForm(actor=actor), None)
    form = LeadForm(request.POST, actor=actor)

    def save() -> Lead:
        values = form.service_values()
        if values.get("owner") is None:
            values.pop("owner", None)  # no owner chosen: the assignment rules decide
        return services.lead_create(actor=actor, custom_fields=form.custom_values(), tags=form.tag_values(), **values)

    lead = _save(form, save)
    if lead is None:
        return _form_page(request, form, None, status=422)
    return redirect(_created(request, actor, lead))


@login_required
@require_http_methods(["GET", "POST"])
def lead_quick_create(request: HttpRequest) -> HttpResponse:
    """The short form of the list page (htmx answers with the form again, or sends the browser to the lead)."""
    actor = actor_of(request)
    if not can(actor, "create", "lead"):
        raise PermissionDenied
    form = QuickLeadForm(request.POST if request.method == "POST" else None)
    lead = None
    if request.method == "POST":
        lead = _save(form, lambda: services.lead_create(actor=actor, **form.service_values()))
    if lead is not None:
        url = _created(request, actor, lead)
        return HttpResponseClientRedirect(url) if is_htmx(request) else redirect(url)
    if is_htmx(request):
        return render(request, "leads/_quick_create.html", {"quick_form": form})  # htmx swaps only 2xx answers
    return render(request, "leads/lead_quick.html", {"quick_form": form}, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def lead_edit(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = actor_of(request)
    lead = get_lead(actor, lead_id)
    if not can(actor, "edit", "lead"):
        raise PermissionDenied
    if lead.is_converted:
        messages.error(request, services.CONVERTED_READ_ONLY)
        return redirect(lead)
    if request.method == "GET":
        return _form_page(request, LeadForm(actor=actor, instance=lead), lead)
    form = LeadForm(request.POST, actor=actor, instance=lead)
    saved = _save(
        form,
        lambda: services.lead_update(
            actor=actor,
            lead_id=lead.pk,
            custom_fields=form.custom_values(),
            tags=form.tag_values(),
            partial=False,
            **form.service_values(),
        ),
    )
    if saved is None:
        return _form_page(request, form, lead, status=422)
    messages.success(request, LEAD_SAVED % {"name": saved})
    return redirect(saved)


@login_required
@require_http_methods(["GET", "POST"])
def lead_delete(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = actor_of(request)
    lead = get_lead(actor, lead_id)
    if not can(actor, "delete", "lead"):
        raise PermissionDenied
    if request.method == "POST":
        with http_errors():
            services.lead_delete(actor=actor, lead_id=lead.pk)
        messages.success(request, LEAD_DELETED % {"name": lead})
        return redirect("leads:lead_list")
    return render(request, "leads/lead_delete.html", {"lead": lead})


urlpatterns: list[URLPattern] = [
    path("leads/", lead_list, name="lead_list"),
    path("leads/new/", lead_create, name="lead_create"),
    path("leads/quick/", lead_quick_create, name="lead_quick_create"),
    path("leads/suggest/", lead_suggest, name="lead_suggest"),
    path("leads/export/", lead_export, name="lead_export"),
    path("leads/bulk/", actions.lead_bulk, name="lead_bulk"),
    path("leads/<int:lead_id>/", lead_detail, name="lead_detail"),
    path("leads/<int:lead_id>/edit/", lead_edit, name="lead_edit"),
    path("leads/<int:lead_id>/delete/", lead_delete, name="lead_delete"),
    path("leads/<int:lead_id>/status/", actions.lead_status, name="lead_status"),
    path("leads/<int:lead_id>/qualify/", actions.lead_qualify, name="lead_qualify"),
    path("leads/<int:lead_id>/disqualify/", actions.lead_disqualify, name="lead_disqualify"),
    path("leads/<int:lead_id>/checklist/", actions.lead_checklist, name="lead_checklist"),
    path("leads/<int:lead_id>/convert/", conversion.lead_convert, name="lead_convert"),
    path("leads/<int:lead_id>/merge/", conversion.lead_merge, name="lead_merge"),
]
