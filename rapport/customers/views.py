"""Account and contact pages: the same selectors and services as the API, behind forms and htmx."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.core import audit, customfields, records, timeline
from rapport.core.errors import DomainError, InvalidInput
from rapport.core.models import CustomField, Territory, User
from rapport.core.search import matching
from rapport.core.visibility import can, visible_to
from rapport.customers import exports, selectors, services
from rapport.customers.forms import AccountForm, ContactForm, LinkAccountForm, MergeForm
from rapport.customers.models import Account, AccountType, Consent, Contact, CustomerCategory
from rapport.customers.vcard import vcard_download
from rapport.web.lists import (
    Control,
    bool_control,
    custom_field_controls,
    list_context,
    owner_control,
    render_list,
    team_control,
)
from rapport.web.utils import add_domain_error, fetch, http_errors, safe_next, submit_form
from rapport.web.widgets import RecordSearchWidget

ACCOUNT_CREATED = _("The account %(name)s is created.")
ACCOUNT_SAVED = _("The account %(name)s is saved.")
ACCOUNT_DELETED = _("The account %(name)s is deleted.")
ACCOUNTS_MERGED = _("%(duplicate)s is merged into %(name)s.")
CONTACT_CREATED = _("The contact %(name)s is created.")
CONTACT_SAVED = _("The contact %(name)s is saved.")
CONTACT_DELETED = _("The contact %(name)s is deleted.")
ACCOUNT_LINKED = _("%(contact)s is linked to %(account)s.")
ACCOUNT_UNLINKED = _("%(contact)s is no longer linked to %(account)s.")
EXPORT_STARTED = _("The export has started; the file will be ready here in a moment.")
CHOOSE_ACCOUNT = _("Choose an account from the suggestions.")
CHOOSE_DUPLICATE = _("Choose the duplicate account among the accounts you can see.")

SUGGEST_LIMIT = 20
RELATED_LIMIT = 50
HISTORY_LIMIT = 50
TIMELINE_LIMIT = 30


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _visible_ids(actor: User, model: type[Account] | type[Contact], ids: set[int | None]) -> set[int]:
    """Which of these related records the actor may open (one query, whatever the number of rows)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return set()
    return set(visible_to(actor, model).filter(pk__in=wanted).values_list("pk", flat=True))


def _rights(actor: User, record_type: str) -> dict[str, bool]:
    return {
        "can_create": can(actor, "create", record_type),
        "can_edit": can(actor, "edit", record_type),
        "can_delete": can(actor, "delete", record_type),
    }


# --- lists --------------------------------------------------------------------------------------


def _account_controls(actor: User, fields: list[CustomField]) -> list[Control]:
    categories = CustomerCategory.objects.order_by("position", "name")
    territories = Territory.objects.order_by("path")
    return [
        owner_control(),
        team_control(),
        Control("type", _("Type"), options=AccountType.choices),
        Control("category", _("Category"), options=[(str(c.pk), c.name) for c in categories]),
        Control("territory", _("Territory"), options=[(str(t.pk), "— " * t.depth + t.name) for t in territories]),
        Control("country", _("Country"), kind="text"),
        Control("industry", _("Industry"), kind="text"),
        Control("created_after", _("Created from"), kind="date"),
        Control("created_before", _("Created until"), kind="date"),
        *custom_field_controls(fields),
    ]


def _contact_controls(actor: User, fields: list[CustomField]) -> list[Control]:
    return [
        owner_control(),
        team_control(),
        Control(
            "account",
            _("Account"),
            kind="record",
            widget=RecordSearchWidget("customers:account_suggest", queryset=visible_to(actor, Account)),
        ),
        Control("consent", _("Marketing consent"), options=Consent.choices),
        bool_control("do_not_contact", _("Do not contact")),
        Control("country", _("Country"), kind="text"),
        Control("created_after", _("Created from"), kind="date"),
        Control("created_before", _("Created until"), kind="date"),
        *custom_field_controls(fields),
    ]


@login_required
@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    fields = customfields.fields_for("account")
    context = list_context(request, selectors.ACCOUNT_LIST, _account_controls(actor, fields), custom_fields=fields)
    context["visible_related"] = _visible_ids(actor, Account, {a.parent_id for a in context["rows"]})
    context["export_url"] = reverse("customers:account_export")
    context.update(_rights(actor, "account"))
    return render_list(request, "customers/account_list.html", context)


@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    fields = customfields.fields_for("contact")
    context = list_context(request, selectors.CONTACT_LIST, _contact_controls(actor, fields), custom_fields=fields)
    context["visible_related"] = _visible_ids(actor, Account, {c.account_id for c in context["rows"]})
    context["export_url"] = reverse("customers:contact_export")
    context.update(_rights(actor, "contact"))
    return render_list(request, "customers/contact_list.html", context)


def _export(request: HttpRequest, record_type: str, list_url: str) -> HttpResponse:
    actor = _actor(request)
    params = {k: str(v) for k, v in request.GET.items() if k not in ("page", "limit")}
    try:
        job = exports.export_start(
            actor=actor, record_type=record_type, params=params, file_format=request.POST.get("format", "")
        )
    except InvalidInput as exc:
        for field_messages in exc.errors.values():
            for message in field_messages:
                messages.error(request, message)
        return redirect(f"{list_url}?{request.GET.urlencode()}")
    messages.info(request, EXPORT_STARTED)
    return redirect("job_detail", job_id=job.pk)


@login_required
@require_POST
def account_export(request: HttpRequest) -> HttpResponse:
    return _export(request, "account", reverse("customers:account_list"))


@login_required
@require_POST
def contact_export(request: HttpRequest) -> HttpResponse:
    return _export(request, "contact", reverse("customers:contact_list"))


@login_required
@require_GET
def account_suggest(request: HttpRequest) -> HttpResponse:
    """Up to 20 visible accounts matching `term`: the options of an account search select."""
    actor = _actor(request)
    term = request.GET.get("term", "").strip()[:100]
    queryset = visible_to(actor, Account)
    if term:
        queryset = matching(queryset, Account.search_index, term)
    exclude = request.GET.get("exclude", "")
    if exclude.isdigit():
        queryset = queryset.exclude(pk=int(exclude))
    describe = records.get("account").describe
    options = [
        {"pk": a.pk, "label": a.name, "describe": describe(a)} for a in queryset.order_by("name", "id")[:SUGGEST_LIMIT]
    ]
    return render(request, "web/widgets/record_options.html", {"options": options, "term": term})


# --- record pages: shared parts -----------------------------------------------------------------------


def _custom_values(record: Account | Contact, fields: list[CustomField]) -> list[tuple[str, str]]:
    stored = record.custom or {}
    return [(f.label, customfields.display(f, stored.get(f.key))) for f in fields]


def _history(record_type: str, record: Account | Contact) -> list[audit.PresentedEntry]:
    """The audit trail, each change with the field's label: old → new."""
    return audit.present(record_type, audit.history(record_type, record.pk)[:HISTORY_LIMIT])


def _record_page(actor: User, record_type: str, record: Account | Contact) -> dict[str, Any]:
    fields = customfields.fields_for(record_type)
    return {
        "custom_values": _custom_values(record, fields),
        "timeline": timeline.entries_for(actor, record_type, record, limit=TIMELINE_LIMIT),
        "history": _history(record_type, record),
        **_rights(actor, record_type),
    }


# --- accounts ----------------------------------------------------------------------------------------


@login_required
@require_GET
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = _actor(request)
    account = fetch(selectors.account_get, actor=actor, account_id=account_id)
    ancestors = selectors.account_ancestors(account)
    visible = _visible_ids(actor, Account, {a.pk for a in ancestors})
    children = list(selectors.account_children(actor=actor, account=account)[: RELATED_LIMIT + 1])
    links = list(selectors.account_contact_links(actor=actor, account=account)[: RELATED_LIMIT + 1])
    context = {
        "account": account,
        "parent_visible": account.parent_id in visible,
        "ancestors": [a for a in ancestors if a.pk in visible],
        "children": children[:RELATED_LIMIT],
        "more_children": len(children) > RELATED_LIMIT,
        "links": links[:RELATED_LIMIT],
        "more_links": len(links) > RELATED_LIMIT,
        "can_create_contact": can(actor, "create", "contact"),
        **_record_page(actor, "account", account),
    }
    return render(request, "customers/account_detail.html", context)


def _account_form_page(
    request: HttpRequest, form: AccountForm, account: Account | None, status: int = 200
) -> HttpResponse:
    return render(request, "customers/account_form.html", {"form": form, "account": account}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not can(actor, "create", "account"):
        raise PermissionDenied
    if request.method == "GET":
        initial = {"parent": request.GET.get("parent", "")}
        return _account_form_page(request, AccountForm(actor=actor, initial=initial), None)
    form = AccountForm(request.POST, actor=actor)
    saved = submit_form(
        request,
        form,
        lambda: services.account_create(actor=actor, custom_fields=form.custom_values(), **form.service_values()),
        ACCOUNT_CREATED,
    )
    return saved or _account_form_page(request, form, None, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = _actor(request)
    account = fetch(selectors.account_get, actor=actor, account_id=account_id)
    if not can(actor, "edit", "account"):
        raise PermissionDenied
    if request.method == "GET":
        return _account_form_page(request, AccountForm(actor=actor, instance=account), account)
    form = AccountForm(request.POST, actor=actor, instance=account)
    saved = submit_form(
        request,
        form,
        lambda: services.account_update(
            actor=actor,
            account_id=account.pk,
            custom_fields=form.custom_values(),
            partial=False,
            **form.service_values(),
        ),
        ACCOUNT_SAVED,
    )
    return saved or _account_form_page(request, form, account, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = _actor(request)
    account = fetch(selectors.account_get, actor=actor, account_id=account_id)
    if not can(actor, "delete", "account"):
        raise PermissionDenied
    if request.method == "POST":
        with http_errors():
            services.account_delete(actor=actor, account_id=account.pk)
        messages.success(request, ACCOUNT_DELETED % {"name": account.name})
        return redirect("customers:account_list")
    context = {
        "account": account,
        "contact_count": visible_to(actor, Contact).filter(account=account).count(),
        "child_count": visible_to(actor, Account).filter(parent=account).count(),
    }
    return render(request, "customers/account_delete.html", context)


def _merge_preview(keep: Account, duplicate: Account) -> list[dict[str, Any]]:
    """Each field: the kept account's value, the duplicate's, and which one stays after the merge."""
    rows = []
    for name in services.ACCOUNT_FIELDS:
        field = Account._meta.get_field(name)
        attname = field.attname  # type: ignore[union-attr]
        keep_raw, duplicate_raw = getattr(keep, attname), getattr(duplicate, attname)
        if keep_raw in (None, "") and duplicate_raw in (None, ""):
            continue
        keep_value = _display(keep, name)
        duplicate_value = _display(duplicate, name)
        rows.append(
            {
                "label": field.verbose_name,  # type: ignore[union-attr]
                "keep": keep_value,
                "duplicate": duplicate_value,
                "from_duplicate": keep_raw in (None, ""),
            }
        )
    return rows


def _display(account: Account, name: str) -> str:
    if name == "type":
        return str(account.get_type_display())
    if name == "parent":
        return account.parent.name if account.parent_id and account.parent else ""
    value = getattr(account, name)
    return "" if value is None else str(value)


@login_required
@require_http_methods(["GET", "POST"])
def account_merge(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = _actor(request)
    keep = fetch(selectors.account_get, actor=actor, account_id=account_id)
    if not (can(actor, "edit", "account") and can(actor, "delete", "account")):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else (request.GET if "duplicate" in request.GET else None)
    form = MergeForm(data, actor=actor, keep=keep)
    duplicate = None
    if form.is_bound and form.is_valid():
        duplicate_id = _int_or_none(form.cleaned_data["duplicate"])
        duplicate = visible_to(actor, Account).filter(pk=duplicate_id).first() if duplicate_id else None
        if duplicate is None or duplicate.pk == keep.pk:
            form.add_error("duplicate", CHOOSE_DUPLICATE)
            duplicate = None
    if request.method == "POST" and duplicate is not None:
        try:
            kept = services.account_merge(actor=actor, keep_id=keep.pk, duplicate_id=duplicate.pk)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, ACCOUNTS_MERGED % {"duplicate": duplicate.name, "name": kept.name})
            return redirect(kept)
    context: dict[str, Any] = {"account": keep, "form": form, "duplicate": duplicate}
    if duplicate is not None:
        context.update(
            {
                "preview": _merge_preview(keep, duplicate),
                "moving_contacts": visible_to(actor, Contact)
                .filter(Q(account=duplicate) | Q(account_links__account=duplicate))
                .distinct()
                .count(),
                "moving_children": Account.objects.filter(parent=duplicate).exclude(pk=keep.pk).count(),
            }
        )
    return render(request, "customers/account_merge.html", context, status=422 if form.errors else 200)


def _int_or_none(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


# --- contacts -----------------------------------------------------------------------------------------


@login_required
@require_GET
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = _actor(request)
    contact = fetch(selectors.contact_get, actor=actor, contact_id=contact_id)
    all_links = list(contact.account_links.all())
    visible = _visible_ids(actor, Account, {*(link.account_id for link in all_links), contact.account_id})
    context = {
        "contact": contact,
        "account_visible": contact.account_id in visible,
        "links": [link for link in all_links if link.account_id in visible],
        "link_form": LinkAccountForm(actor=actor),
        **_record_page(actor, "contact", contact),
    }
    return render(request, "customers/contact_detail.html", context)


def _contact_form_page(
    request: HttpRequest, form: ContactForm, contact: Contact | None, status: int = 200
) -> HttpResponse:
    return render(request, "customers/contact_form.html", {"form": form, "contact": contact}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not can(actor, "create", "contact"):
        raise PermissionDenied
    if request.method == "GET":
        initial = {"account": request.GET.get("account", "")}
        return _contact_form_page(request, ContactForm(actor=actor, initial=initial), None)
    form = ContactForm(request.POST, actor=actor)
    saved = submit_form(
        request,
        form,
        lambda: services.contact_create(
            actor=actor,
            custom_fields=form.custom_values(),
            purchase_role=form.purchase_role_value(),
            **form.service_values(),
        ),
        CONTACT_CREATED,
    )
    return saved or _contact_form_page(request, form, None, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = _actor(request)
    contact = fetch(selectors.contact_get, actor=actor, contact_id=contact_id)
    if not can(actor, "edit", "contact"):
        raise PermissionDenied
    if request.method == "GET":
        return _contact_form_page(request, ContactForm(actor=actor, instance=contact), contact)
    form = ContactForm(request.POST, actor=actor, instance=contact)
    saved = submit_form(
        request,
        form,
        lambda: services.contact_update(
            actor=actor,
            contact_id=contact.pk,
            custom_fields=form.custom_values(),
            purchase_role=form.purchase_role_value(),
            partial=False,
            **form.service_values(),
        ),
        CONTACT_SAVED,
    )
    return saved or _contact_form_page(request, form, contact, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def contact_delete(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = _actor(request)
    contact = fetch(selectors.contact_get, actor=actor, contact_id=contact_id)
    if not can(actor, "delete", "contact"):
        raise PermissionDenied
    if request.method == "POST":
        with http_errors():
            services.contact_delete(actor=actor, contact_id=contact.pk)
        messages.success(request, CONTACT_DELETED % {"name": contact.full_name})
        return redirect("customers:contact_list")
    return render(request, "customers/contact_delete.html", {"contact": contact})


@login_required
@require_GET
def contact_vcard(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = _actor(request)
    return vcard_download(actor, fetch(selectors.contact_get, actor=actor, contact_id=contact_id))


@login_required
@require_POST
def contact_link_account(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = _actor(request)
    contact = fetch(selectors.contact_get, actor=actor, contact_id=contact_id)
    form = LinkAccountForm(request.POST, actor=actor)
    if form.is_valid():
        account_id = _int_or_none(form.cleaned_data["account"])
        if account_id is None:
            messages.error(request, CHOOSE_ACCOUNT)
            return redirect(contact)
        try:
            with http_errors():
                link = services.contact_link_account(
                    actor=actor,
                    contact_id=contact.pk,
                    account_id=account_id,
                    purchase_role=form.cleaned_data["purchase_role"],
                )
        except DomainError as exc:
            messages.error(request, _flatten(exc))
        else:
            messages.success(request, ACCOUNT_LINKED % {"contact": contact.full_name, "account": link.account.name})
    else:
        for error_list in form.errors.values():
            for error in error_list:
                messages.error(request, str(error))
    return redirect(contact)


@login_required
@require_POST
def contact_unlink_account(request: HttpRequest, contact_id: int, account_id: int) -> HttpResponse:
    actor = _actor(request)
    contact = fetch(selectors.contact_get, actor=actor, contact_id=contact_id)
    account = fetch(selectors.account_get, actor=actor, account_id=account_id)
    with http_errors():
        services.contact_unlink_account(actor=actor, contact_id=contact.pk, account_id=account.pk)
    messages.success(request, ACCOUNT_UNLINKED % {"contact": contact.full_name, "account": account.name})
    return redirect(safe_next(request, request.POST.get("next"), contact.get_absolute_url()))


def _flatten(exc: DomainError) -> str:
    if isinstance(exc, InvalidInput) and exc.errors:
        return " ".join(m for messages_ in exc.errors.values() for m in messages_)
    return exc.message
