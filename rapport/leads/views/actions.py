"""Actions on leads: status (contacted, qualified, disqualified with a reason, reopened), the
qualification checklist (htmx), and the list's bulk actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from rapport.core.errors import DomainError, InvalidInput
from rapport.core.models import User
from rapport.core.visibility import can, visible_to
from rapport.leads.forms import BulkForm, DisqualifyForm
from rapport.leads.models import Lead, LeadStatus
from rapport.leads.selectors import qualification_checklist
from rapport.leads.services import bulk
from rapport.leads.services import leads as services
from rapport.leads.views.support import actor_of, back_to, error_text, get_lead, is_htmx, refuse
from rapport.web.utils import add_domain_error, http_errors, safe_next

STATUS_CHANGED = _("%(name)s: the status is now “%(status)s”.")
NOTHING_CHOSEN = _("Tick the leads to change first.")
CHOOSE_OWNER = _("Choose the new owner.")
CHOOSE_STATUS = _("Choose the new status.")

#: statuses a lead may be moved to by a button of its page (qualify and disqualify have their own)
PAGE_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)


def _editable(request: HttpRequest, lead_id: int) -> tuple[User, Lead]:
    """The actor and the lead they may change: hidden → 404, no edit right → 403."""
    actor = actor_of(request)
    lead = get_lead(actor, lead_id)
    if not can(actor, "edit", "lead"):
        raise PermissionDenied
    return actor, lead


def _set_status(request: HttpRequest, actor: User, lead: Lead, status: str, reason: str = "") -> None:
    with http_errors():
        changed = services.lead_set_status(actor=actor, lead_id=lead.pk, status=status, reason=reason)
    messages.success(request, STATUS_CHANGED % {"name": changed, "status": changed.get_status_display()})


@login_required
@require_POST
def lead_status(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Mark a lead contacted, qualified, or back to new."""
    actor, lead = _editable(request, lead_id)
    status = request.POST.get("status", "")
    try:
        if status not in PAGE_STATUSES:
            raise InvalidInput({"status": [str(CHOOSE_STATUS)]})
        _set_status(request, actor, lead, status)
    except DomainError as exc:
        refuse(request, exc)
    return back_to(request, lead)


@login_required
@require_POST
def lead_qualify(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor, lead = _editable(request, lead_id)
    try:
        _set_status(request, actor, lead, LeadStatus.QUALIFIED)
    except DomainError as exc:
        refuse(request, exc)
    return back_to(request, lead)


@login_required
@require_http_methods(["GET", "POST"])
def lead_disqualify(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Disqualify with a reason; without one the page says why and nothing changes."""
    actor, lead = _editable(request, lead_id)
    form = DisqualifyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            _set_status(request, actor, lead, LeadStatus.DISQUALIFIED, form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect(lead)
    status = 422 if form.errors else 200
    return render(request, "leads/lead_disqualify.html", {"lead": lead, "form": form}, status=status)


@login_required
@require_POST
def lead_checklist(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Tick or untick one qualification criterion; htmx gets the checklist (and the new score) back."""
    actor, lead = _editable(request, lead_id)
    key = request.POST.get("criterion", "")
    met = request.POST.get("met") in ("1", "true", "on")
    try:
        with http_errors():
            lead = services.lead_set_qualification(actor=actor, lead_id=lead.pk, criteria={key: met})
    except DomainError as exc:
        if not is_htmx(request):
            refuse(request, exc)
            return back_to(request, lead)
        return _checklist(request, lead, error=error_text(exc))
    if not is_htmx(request):
        return back_to(request, lead)
    return _checklist(request, lead, oob_score=True)


def _checklist(request: HttpRequest, lead: Lead, **extra: Any) -> HttpResponse:
    context = {"lead": lead, "checklist": qualification_checklist(lead), "can_edit": True, **extra}
    return render(request, "leads/_checklist.html", context)


# --- bulk -----------------------------------------------------------------------------------------------


def _changed(action: str, count: int) -> str:
    if action == "reassign":
        text = ngettext("%(count)s lead reassigned.", "%(count)s leads reassigned.", count)
    elif action == "status":
        text = ngettext("Status changed on %(count)s lead.", "Status changed on %(count)s leads.", count)
    elif action == "tag":
        text = ngettext("Tag added to %(count)s lead.", "Tag added to %(count)s leads.", count)
    else:
        text = ngettext("%(count)s lead deleted.", "%(count)s leads deleted.", count)
    return text % {"count": count}


def _run_bulk(actor: User, form: BulkForm, ids: list[int]) -> int:
    action, data = form.cleaned_data["action"], form.cleaned_data
    if action == "reassign":
        if data["owner"] is None:
            raise InvalidInput({"owner": [str(CHOOSE_OWNER)]})
        return services.leads_reassign(actor=actor, lead_ids=ids, owner_id=data["owner"].pk)
    if action == "status":
        if not data["status"]:
            raise InvalidInput({"status": [str(CHOOSE_STATUS)]})
        return bulk.leads_set_status(actor=actor, lead_ids=ids, status=data["status"], reason=data["reason"])
    if action == "tag":
        return bulk.leads_add_tag(actor=actor, lead_ids=ids, tag=data["tag"])
    return bulk.leads_delete(actor=actor, lead_ids=ids)


@login_required
@require_POST
def lead_bulk(request: HttpRequest) -> HttpResponse:
    """One action on the ticked leads; deleting asks first, with the count. Says how many changed."""
    actor = actor_of(request)
    form = BulkForm(request.POST)
    list_url = reverse("leads:lead_list")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(list_url)
    next_url = safe_next(request, form.cleaned_data["next"], list_url)
    ids = form.chosen_ids()
    if not ids:
        messages.warning(request, NOTHING_CHOSEN)
        return redirect(next_url)
    action = form.cleaned_data["action"]
    if action == "delete":
        if not can(actor, "delete", "lead"):
            raise PermissionDenied
        if not form.cleaned_data["confirm"]:
            deletable = visible_to(actor, Lead, "delete").filter(pk__in=ids)
            context = {"count": deletable.count(), "ids": ids, "next_url": next_url}
            return render(request, "leads/lead_bulk_delete.html", context)
    try:
        with http_errors():
            count = _run_bulk(actor, form, ids)
    except DomainError as exc:
        refuse(request, exc)
    else:
        messages.success(request, _changed(action, count))
    return redirect(next_url)
