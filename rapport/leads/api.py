"""`/api/v1/leads`: schemas in (`api_schemas`), services and selectors, schemas out.

Statuses: `new` ↔ `contacted` may be set with PATCH; qualifying, disqualifying (with a reason)
and converting have their own actions, so a client cannot skip the rules that go with them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema, Status

from rapport.core import audit
from rapport.core.api_support import ListOut, actor_of
from rapport.core.errors import InvalidInput
from rapport.core.listing import paginate
from rapport.core.models import AuditEntry
from rapport.customers.api import HistoryOut
from rapport.leads import selectors
from rapport.leads.api_schemas import (
    LeadConversionOut,
    LeadConvertIn,
    LeadDisqualifyIn,
    LeadDuplicateOut,
    LeadFilters,
    LeadIn,
    LeadMergeIn,
    LeadOut,
    LeadPatch,
    LeadQualificationIn,
    LeadReassignIn,
    LeadReassignOut,
    LeadSourceOut,
    LeadStatusIn,
    QualificationCriterionOut,
)
from rapport.leads.dedupe import Match, duplicates_of
from rapport.leads.importing.api import import_router
from rapport.leads.models import Lead, LeadSource, LeadStatus, QualificationCriterion
from rapport.leads.services import leads as services
from rapport.leads.services.convert import lead_convert
from rapport.leads.services.merge import lead_merge

leads_router = Router(tags=["leads"])
leads_router.add_router("/import", import_router)

STATUS_HAS_ITS_OWN_ACTION = gettext_lazy(
    "Only “new” or “contacted” can be set here; qualify, disqualify and convert a lead with their own actions."
)

CANNOT_BE_EMPTY = gettext_lazy("This field cannot be empty.")

#: the statuses PATCH may set (the others come with a rule: a reason, a conversion…)
PATCHABLE_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED)
#: fields a lead always has: null does not clear them
NOT_NULL = ("last_name", "owner", "need_identified")


# --- helpers ---------------------------------------------------------------------------------------


def _list_params(filters: LeadFilters, request: HttpRequest) -> dict[str, Any]:
    """Declared filters plus `cf_<key>` custom-field filters; a source given by its code becomes its id."""
    params = {k: v for k, v in filters.dict(exclude={"page", "limit"}).items() if v is not None}
    params.update({k: v for k, v in request.GET.items() if k.startswith("cf_")})
    source = str(params.get("source", "")).strip()
    if source and not source.isdigit():
        found = LeadSource.objects.filter(code=source).values_list("pk", flat=True).first()
        if found is None:
            raise InvalidInput({"source": [str(services.UNKNOWN_CHOICE % {"what": gettext_lazy("lead source")})]})
        params["source"] = found
    return {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in params.items()}


def _write_fields(payload: Schema, *, exclude_unset: bool) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The lead fields of a body, and its custom fields apart (the services take them separately)."""
    data = payload.dict(exclude_unset=exclude_unset)
    return data, data.pop("custom_fields", None)


@contextmanager
def _errors_renamed(old_prefix: str, new_prefix: str) -> Iterator[None]:
    """Name a service's field errors after the body this route reads (`qualification.x` → `criteria.x`)."""
    try:
        yield
    except InvalidInput as exc:
        exc.errors = {
            (new_prefix + key.removeprefix(old_prefix) if key.startswith(old_prefix) else key): messages
            for key, messages in exc.errors.items()
        }
        raise


# --- the list and one lead -------------------------------------------------------------------------


@leads_router.get("", response=ListOut[LeadOut], summary="List leads")
def list_leads(request: HttpRequest, filters: Query[LeadFilters]) -> dict[str, Any]:
    queryset = selectors.LEAD_LIST.apply(actor_of(request), _list_params(filters, request))
    page = paginate(queryset, filters.page, filters.limit)
    return {"items": page.items, "count": page.count}


@leads_router.post("", response={201: LeadOut}, summary="Create a lead")
def create_lead(request: HttpRequest, payload: LeadIn) -> Status[Lead]:
    fields, custom = _write_fields(payload, exclude_unset=False)
    if fields.get("owner") is None:
        fields.pop("owner", None)  # the assignment rules choose
    tags, qualification = fields.pop("tags"), fields.pop("qualification")
    lead = services.lead_create(
        actor=actor_of(request), custom_fields=custom, tags=tags, qualification=qualification, **fields
    )
    # Answered from the saved record itself: a rule may have given the lead to someone the creator cannot see.
    return Status(201, lead)


@leads_router.get("/{int:lead_id}", response=LeadOut, summary="Get a lead")
def get_lead(request: HttpRequest, lead_id: int) -> Lead:
    return selectors.lead_get(actor=actor_of(request), lead_id=lead_id)


@leads_router.patch("/{int:lead_id}", response=LeadOut, summary="Change a lead")
def update_lead(request: HttpRequest, lead_id: int, payload: LeadPatch) -> Lead:
    fields, custom = _write_fields(payload, exclude_unset=True)
    empty = [name for name in NOT_NULL if name in fields and fields[name] is None]
    if empty:
        raise InvalidInput({name: [str(CANNOT_BE_EMPTY)] for name in empty})
    status = fields.pop("status", None)
    if status is not None and status not in PATCHABLE_STATUSES:
        raise InvalidInput({"status": [str(STATUS_HAS_ITS_OWN_ACTION)]})
    if "tags" in fields and fields["tags"] is None:
        fields["tags"] = []  # null clears, as for any other field
    tags = fields.pop("tags", None)
    actor = actor_of(request)
    with transaction.atomic():  # the fields and the status change together or not at all
        if status is None or fields or custom is not None or tags is not None:
            lead = services.lead_update(actor=actor, lead_id=lead_id, custom_fields=custom, tags=tags, **fields)
            if status is None or lead.status == status:
                return lead
        return services.lead_set_status(actor=actor, lead_id=lead_id, status=status)


@leads_router.delete("/{int:lead_id}", response={204: None}, summary="Delete a lead")
def delete_lead(request: HttpRequest, lead_id: int) -> Status[None]:
    services.lead_delete(actor=actor_of(request), lead_id=lead_id)
    return Status(204, None)


@leads_router.get("/{int:lead_id}/history", response=list[HistoryOut], summary="Audit trail of a lead")
def lead_history(request: HttpRequest, lead_id: int) -> QuerySet[AuditEntry]:
    lead = selectors.lead_get(actor=actor_of(request), lead_id=lead_id)
    return audit.history("lead", lead.pk)


@leads_router.get(
    "/{int:lead_id}/duplicates",
    response=list[LeadDuplicateOut],
    summary="Possible duplicates of a lead (leads and contacts you may see)",
)
def lead_duplicates(request: HttpRequest, lead_id: int) -> list[Match]:
    actor = actor_of(request)
    return duplicates_of(actor, selectors.lead_get(actor=actor, lead_id=lead_id))


# --- status and qualification ----------------------------------------------------------------------


@leads_router.post("/{int:lead_id}/status", response=LeadOut, summary="Set a lead's status")
def set_lead_status(request: HttpRequest, lead_id: int, payload: LeadStatusIn) -> Lead:
    return services.lead_set_status(
        actor=actor_of(request), lead_id=lead_id, status=payload.status, reason=payload.reason
    )


@leads_router.post("/{int:lead_id}/qualify", response=LeadOut, summary="Qualify a lead")
def qualify_lead(request: HttpRequest, lead_id: int) -> Lead:
    return services.lead_qualify(actor=actor_of(request), lead_id=lead_id)


@leads_router.post("/{int:lead_id}/disqualify", response=LeadOut, summary="Disqualify a lead (a reason is required)")
def disqualify_lead(request: HttpRequest, lead_id: int, payload: LeadDisqualifyIn) -> Lead:
    return services.lead_disqualify(actor=actor_of(request), lead_id=lead_id, reason=payload.reason)


@leads_router.put("/{int:lead_id}/qualification", response=LeadOut, summary="Tick or untick qualification criteria")
def set_lead_qualification(request: HttpRequest, lead_id: int, payload: LeadQualificationIn) -> Lead:
    with _errors_renamed("qualification.", "criteria."):
        return services.lead_set_qualification(actor=actor_of(request), lead_id=lead_id, criteria=payload.criteria)


# --- conversion, merge, reassignment ---------------------------------------------------------------


@leads_router.post(
    "/{int:lead_id}/convert",
    response=LeadConversionOut,
    summary="Convert a lead to an account (new or existing) and a contact (new or existing)",
)
def convert_lead(request: HttpRequest, lead_id: int, payload: LeadConvertIn) -> dict[str, Any]:
    conversion = lead_convert(
        actor=actor_of(request),
        lead_id=lead_id,
        account_id=payload.account,
        create_account=payload.create_account,
        contact_id=payload.contact,
        create_opportunity=payload.create_opportunity,
    )
    return {
        "account": conversion.account.pk if conversion.account is not None else None,
        "contact": conversion.contact.pk,
        "opportunity": conversion.opportunity_id,
        "account_created": conversion.account_created,
        "contact_created": conversion.contact_created,
    }


@leads_router.post("/{int:lead_id}/merge", response=LeadOut, summary="Merge a duplicate lead into this one")
def merge_leads(request: HttpRequest, lead_id: int, payload: LeadMergeIn) -> Lead:
    return lead_merge(
        actor=actor_of(request),
        keep_id=lead_id,
        duplicate_id=payload.duplicate,
        take_from_duplicate=payload.take_from_duplicate,
    )


@leads_router.post("/reassign", response=LeadReassignOut, summary="Give several leads to another owner")
def reassign_leads(request: HttpRequest, payload: LeadReassignIn) -> dict[str, int]:
    changed = services.leads_reassign(actor=actor_of(request), lead_ids=payload.ids, owner_id=payload.owner)
    return {"changed": changed}


# --- reference data for forms ----------------------------------------------------------------------


@leads_router.get("/sources", response=list[LeadSourceOut], summary="Active lead sources")
def lead_sources(request: HttpRequest) -> QuerySet[LeadSource]:
    actor_of(request)
    return LeadSource.objects.filter(active=True)


@leads_router.get(
    "/qualification-criteria", response=list[QualificationCriterionOut], summary="Active qualification criteria"
)
def qualification_criteria(request: HttpRequest) -> QuerySet[QualificationCriterion]:
    actor_of(request)
    return QualificationCriterion.objects.filter(active=True)
