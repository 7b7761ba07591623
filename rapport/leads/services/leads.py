"""Every write on one lead: create, change, status, qualification, delete, bulk reassignment.

Assignment rules decide the owner of a lead whose owner was not chosen; the score is recomputed
on every change; the new owner is notified; every change is in the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, override

from rapport.core import audit, customfields
from rapport.core.errors import InvalidInput, RuleViolation
from rapport.core.models import Currency, Territory, User
from rapport.core.services._common import apply_fields, full_clean_or_raise
from rapport.core.services.notifications import notify
from rapport.core.visibility import access, is_visible, require, visible_to
from rapport.leads.assignment import Assigner
from rapport.leads.models import Lead, LeadSource, LeadStatus, QualificationCriterion, Tag
from rapport.leads.scoring import ScoreCard

OUT_OF_SCOPE = gettext_lazy(
    "After this change you would no longer see the record; ask your manager to assign it instead."
)
UNKNOWN_CHOICE = gettext_lazy("Choose an existing %(what)s.")
INACTIVE_OWNER = gettext_lazy("The owner must be an active user.")
VALUE_NEEDS_CURRENCY = gettext_lazy("Give the currency of the estimated value.")
CONVERTED_READ_ONLY = gettext_lazy("This lead is converted and can no longer be changed.")
REASON_REQUIRED = gettext_lazy("Say why the lead is disqualified.")
CONVERT_TO_CONVERT = gettext_lazy("A lead becomes converted by converting it to an account and contact.")
UNKNOWN_CRITERION = gettext_lazy("There is no such qualification criterion.")
TAG_TOO_LONG = gettext_lazy("A tag has at most 50 characters.")
TOO_MANY_TAGS = gettext_lazy("A lead has at most 30 tags.")
NOT_AN_ID = gettext_lazy("Enter a number.")

MAX_TAGS = 30

LEAD_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "title",
    "email",
    "phone",
    "website",
    "industry",
    "street",
    "city",
    "postal_code",
    "region",
    "country",
    "territory",
    "source",
    "campaign",
    "need_identified",
    "need_description",
    "estimated_value_amount",
    "estimated_value_currency",
    "owner",
    "description",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
)
#: what the audit trail follows (custom fields are added by the record type)
AUDIT_FIELDS = (*LEAD_FIELDS, "status", "disqualify_reason", "tags")


# --- shared steps ----------------------------------------------------------------------------------


def resolve(actor: User, field: str, value: Any) -> Any:
    """Turn an id (from a form, the API or an import) into the record it names."""
    if value is None or value == "" or isinstance(value, models.Model):
        return value or None
    choices: dict[str, tuple[models.QuerySet[Any], Any]] = {
        "owner": (User.objects.filter(is_active=True), gettext_lazy("user")),
        "territory": (Territory.objects.all(), gettext_lazy("territory")),
        "source": (LeadSource.objects.all(), gettext_lazy("lead source")),
        "estimated_value_currency": (Currency.objects.filter(active=True), gettext_lazy("currency")),
    }
    if field not in choices:
        return value
    queryset, what = choices[field]
    if field == "estimated_value_currency" and isinstance(value, str):
        value = value.strip().upper()
    if field == "source" and isinstance(value, str) and not value.strip().isdigit():
        found = queryset.filter(code=value.strip()).first()  # a source may also be named by its code
        if found is not None:
            return found
    try:
        return queryset.get(pk=value)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({field: [str(UNKNOWN_CHOICE % {"what": what})]}) from exc


def check_lead(lead: Lead) -> None:
    """The rules a lead must meet before it is saved (model validation plus cross-field rules)."""
    # The currency first: the database constraint says the same, in words no salesperson should read.
    if lead.estimated_value_amount is not None and lead.estimated_value_currency_id is None:
        raise InvalidInput({"estimated_value_currency": [str(VALUE_NEEDS_CURRENCY)]})
    full_clean_or_raise(lead, exclude=["custom", "created_by", "tags", "web_form", "import_job"])
    if not lead.owner.is_active:
        raise InvalidInput({"owner": [str(INACTIVE_OWNER)]})
    if lead.status == LeadStatus.DISQUALIFIED and not lead.disqualify_reason.strip():
        raise InvalidInput({"disqualify_reason": [str(REASON_REQUIRED)]})


def tag_names(names: Iterable[str]) -> list[str]:
    """Tags as given, trimmed, without blanks or repeats (case-insensitive), checked for length."""
    cleaned: dict[str, str] = {}
    for raw in names:
        name = " ".join(str(raw).split())
        if not name:
            continue
        if len(name) > 50:
            raise InvalidInput({"tags": [str(TAG_TOO_LONG)]})
        cleaned.setdefault(name.casefold(), name)
    if len(cleaned) > MAX_TAGS:
        raise InvalidInput({"tags": [str(TOO_MANY_TAGS)]})
    return list(cleaned.values())


def tags_for(names: Iterable[str]) -> list[Tag]:
    """The Tag rows for these names, creating the missing ones (an existing tag keeps its spelling)."""
    wanted = tag_names(names)
    if not wanted:
        return []
    existing = {t.name.casefold(): t for t in Tag.objects.filter(name__in=wanted)}
    for name in wanted:
        if name.casefold() not in existing:
            match = Tag.objects.filter(name__iexact=name).first()
            existing[name.casefold()] = match or Tag.objects.create(name=name)
    return [existing[name.casefold()] for name in wanted]


def notify_new_owner(actor: User, lead: Lead, previous_owner_id: int | None) -> None:
    if lead.owner_id != previous_owner_id and lead.owner_id != actor.pk:
        with override(lead.owner.language):  # stored as text: written in the recipient's language
            message = _("%(actor)s assigned the lead %(name)s to you.") % {"actor": actor, "name": lead}
        notify(recipient=lead.owner, message=message, url=lead.get_absolute_url())


def _apply(actor: User, lead: Lead, changes: Mapping[str, Any]) -> None:
    apply_fields(lead, LEAD_FIELDS, changes, lambda name, value: resolve(actor, name, value))


def _finish_save(
    actor: User,
    lead: Lead,
    *,
    tags: list[Tag] | None = None,
    check_scope: bool = True,
    card: ScoreCard | None = None,
) -> None:
    """Validate, refresh the match keys, save (with the tags), score, and re-check visibility."""
    check_lead(lead)
    lead.refresh_match_keys()
    lead.save()
    if tags is not None:
        lead.tags.set(tags)
    score = (card or ScoreCard()).score(lead)
    if score != lead.score:
        lead.score = score
        Lead.objects.filter(pk=lead.pk).update(score=score)
    if check_scope and not is_visible(actor, lead):
        raise RuleViolation(str(OUT_OF_SCOPE))


def editable_lead(actor: User, lead_id: Any, action: str = "edit") -> Lead:
    """A lead the actor may change (locked until commit); a converted lead is refused as read-only."""
    lead = access(actor, Lead, lead_id, action, visible_to(actor, Lead).select_for_update())  # type: ignore[arg-type]
    if lead.is_converted:
        raise RuleViolation(str(CONVERTED_READ_ONLY))
    return lead


# --- one lead ------------------------------------------------------------------------------------


@transaction.atomic
def lead_create(
    *,
    actor: User,
    custom_fields: Mapping[str, Any] | None = None,
    tags: Iterable[str] = (),
    qualification: Mapping[str, bool] | None = None,
    **fields: Any,
) -> Lead:
    """Create a lead. Without a chosen owner, the assignment rules pick one (else the creator).

    A lead a rule gives to someone else may leave the creator's sight; that is the rule's decision,
    so it is not refused.
    """
    require(actor, "create", "lead")
    owner_chosen = fields.get("owner") not in (None, "")
    lead = Lead(owner=actor, created_by=actor, status=LeadStatus.NEW)
    _apply(actor, lead, fields)
    lead.custom = customfields.clean_values("lead", custom_fields, existing={}, partial=False)
    if qualification:
        lead.qualification = _clean_qualification(qualification)
    assigned = None if owner_chosen else Assigner(lock=True)
    if assigned is not None:
        picked = assigned.owner_for(lead)
        if picked is not None:
            lead.owner = picked[0]
            assigned.save()
    _finish_save(actor, lead, tags=tags_for(tags), check_scope=owner_chosen or lead.owner_id == actor.pk)
    audit.log_create(actor, lead)
    notify_new_owner(actor, lead, actor.pk)
    return lead


@transaction.atomic
def lead_update(
    *,
    actor: User,
    lead_id: Any,
    custom_fields: Mapping[str, Any] | None = None,
    tags: Iterable[str] | None = None,
    partial: bool = True,
    **changes: Any,
) -> Lead:
    """Change a lead's fields, custom fields and tags; a converted lead is read-only."""
    lead = editable_lead(actor, lead_id)
    before = audit.snapshot(lead)
    previous_owner = lead.owner_id
    _apply(actor, lead, changes)
    if custom_fields is not None or not partial:
        lead.custom = customfields.clean_values("lead", custom_fields, existing=lead.custom, partial=partial)
    _finish_save(actor, lead, tags=tags_for(tags) if tags is not None else None)
    audit.log_update(actor, lead, before)
    notify_new_owner(actor, lead, previous_owner)
    return lead


@transaction.atomic
def lead_delete(*, actor: User, lead_id: Any) -> None:
    """Delete a lead (a converted one too: its account and contact stay)."""
    lead = access(actor, Lead, lead_id, "delete")
    audit.log_delete(actor, lead, audit.snapshot(lead))
    lead.delete()


@transaction.atomic
def lead_set_status(*, actor: User, lead_id: Any, status: str, reason: str = "") -> Lead:
    """Move a lead between new, contacted, qualified and disqualified (a reason is then required)."""
    if status == LeadStatus.CONVERTED:
        raise InvalidInput({"status": [str(CONVERT_TO_CONVERT)]})
    if status not in LeadStatus.values:
        raise InvalidInput({"status": [str(UNKNOWN_CHOICE % {"what": gettext_lazy("status")})]})
    lead = editable_lead(actor, lead_id)
    before = audit.snapshot(lead)
    lead.status = status
    reason = " ".join(reason.split())
    if status == LeadStatus.DISQUALIFIED:
        if not reason:
            raise InvalidInput({"reason": [str(REASON_REQUIRED)]})
        lead.disqualify_reason = reason[:300]
    else:
        lead.disqualify_reason = ""
    _finish_save(actor, lead)
    audit.log_update(actor, lead, before)
    return lead


def lead_qualify(*, actor: User, lead_id: Any) -> Lead:
    return lead_set_status(actor=actor, lead_id=lead_id, status=LeadStatus.QUALIFIED)


def lead_disqualify(*, actor: User, lead_id: Any, reason: str) -> Lead:
    return lead_set_status(actor=actor, lead_id=lead_id, status=LeadStatus.DISQUALIFIED, reason=reason)


def _clean_qualification(values: Mapping[str, Any], existing: Mapping[str, bool] | None = None) -> dict[str, bool]:
    known = set(QualificationCriterion.objects.values_list("key", flat=True))
    unknown = sorted(set(values) - known)
    if unknown:
        raise InvalidInput({f"qualification.{key}": [str(UNKNOWN_CRITERION)] for key in unknown})
    return {**(existing or {}), **{key: bool(met) for key, met in values.items()}}


@transaction.atomic
def lead_set_qualification(*, actor: User, lead_id: Any, criteria: Mapping[str, Any]) -> Lead:
    """Tick or untick qualification criteria (criterion key → met); the score follows."""
    lead = editable_lead(actor, lead_id)
    previous = dict(lead.qualification or {})
    lead.qualification = _clean_qualification(criteria, previous)
    _finish_save(actor, lead)
    names = dict(QualificationCriterion.objects.values_list("key", "name"))
    changed = [key for key in lead.qualification if lead.qualification[key] != previous.get(key, False)]
    if changed:
        parts = [
            (_("%(criterion)s met") if lead.qualification[key] else _("%(criterion)s not met"))
            % {"criterion": names.get(key, key)}
            for key in changed
        ]
        audit.log_note(actor, lead, "; ".join(parts))
    return lead


# --- many leads ------------------------------------------------------------------------------------


@transaction.atomic
def leads_reassign(*, actor: User, lead_ids: Iterable[Any], owner_id: Any) -> int:
    """Give the chosen leads (those the actor may edit, not converted) to another owner.

    Returns how many changed; the new owner gets one notification for all of them.
    """
    owner = resolve(actor, "owner", owner_id)
    if owner is None:
        raise InvalidInput({"owner": [str(UNKNOWN_CHOICE % {"what": gettext_lazy("user")})]})
    require(actor, "edit", "lead")
    ids = clean_ids(lead_ids)
    leads = list(
        visible_to(actor, Lead, "edit")
        .filter(pk__in=ids)
        .exclude(status=LeadStatus.CONVERTED)
        .exclude(owner=owner)
        .select_related("owner")
        .select_for_update(of=("self",))
    )
    card = ScoreCard()
    for lead in leads:
        before = audit.snapshot(lead)
        lead.owner = owner
        _finish_save(actor, lead, check_scope=False, card=card)
        audit.log_update(actor, lead, before)
    if leads and owner.pk != actor.pk:
        with override(owner.language):
            message = ngettext(
                "%(actor)s assigned %(count)s lead to you.", "%(actor)s assigned %(count)s leads to you.", len(leads)
            ) % {"actor": actor, "count": len(leads)}
        first = leads[0].get_absolute_url() if len(leads) == 1 else ""
        notify(recipient=owner, message=message, url=first)
    return len(leads)


def clean_ids(values: Iterable[Any]) -> list[int]:
    """The chosen lead ids as numbers; anything else is refused, naming the `ids` field."""
    try:
        return [int(value) for value in values]
    except (TypeError, ValueError) as exc:
        raise InvalidInput({"ids": [str(NOT_AN_ID)]}) from exc
