"""What each valid row of a batch becomes under the duplicate policy: created, updated or skipped.

A row is compared with the rows created earlier in the same file, then with every lead and
contact (`rapport.leads.dedupe.Finder`, loaded once per batch). `skip` leaves duplicates out;
`update` changes the matched lead when the importer may edit it (else the row is skipped, saying
why); `create` makes a new lead whatever matches. A duplicate the importer cannot see is named
without revealing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from rapport.core.models import Scope, User
from rapport.core.visibility import scope_of, team_paths, visible_to
from rapport.customers.models import Contact
from rapport.leads.assignment import Assigner
from rapport.leads.dedupe import (
    COMPANY_SIMILARITY,
    SAME_EMAIL,
    SAME_NAME_AND_COMPANY,
    SAME_PHONE,
    Finder,
    Keys,
    Match,
    Shapes,
)
from rapport.leads.importing.rows import RowPlan
from rapport.leads.models import Lead, LeadStatus
from rapport.leads.scoring import ScoreCard
from rapport.leads.services.leads import OUT_OF_SCOPE

POLICIES = ("skip", "update", "create")
CREATED, UPDATED, SKIPPED, FAILED = "created", "updated", "skipped", "failed"

DUPLICATE_OF_ROW = _("Duplicate of row %(row)s: %(reason)s.")
DUPLICATE_OF_LEAD = _("Possible duplicate of the lead %(label)s: %(reason)s.")
DUPLICATE_OF_CONTACT = _("Possible duplicate of the contact %(label)s: %(reason)s.")
CANNOT_UPDATE = _("Matches the lead %(label)s, which you may not change: %(reason)s.")
CONTACT_NOT_UPDATED = _("Matches the contact %(label)s (an import updates leads only): %(reason)s.")
HIDDEN_RECORD = _("(one you cannot see)")


def owners_in_scope(actor: User) -> set[int] | None:
    """The owners a lead may be given by the actor and stay in their sight (None: anyone).

    The same reach as `rapport.core.visibility.owner_condition`: own, or own plus the teams the
    actor belongs to or manages.
    """
    scope = scope_of(actor, "lead")
    if scope == Scope.ALL:
        return None
    paths = team_paths(actor) if scope == Scope.TEAM else []
    if not paths:
        return {actor.pk}
    owners = Q(pk=actor.pk)
    for path in paths:
        owners |= Q(team__path__startswith=path)
    return set(User.objects.filter(owners).values_list("pk", flat=True))


class SeenRows:
    """The match keys of the rows this import has created so far (in memory: keys and row numbers)."""

    def __init__(self) -> None:
        self.email: dict[str, int] = {}
        self.phone: dict[str, int] = {}
        self.name: dict[str, list[tuple[int, str]]] = {}

    def match(self, keys: Keys) -> tuple[int, str] | None:
        if keys.email and keys.email in self.email:
            return self.email[keys.email], str(SAME_EMAIL)
        if keys.phone and keys.phone in self.phone:
            return self.phone[keys.phone], str(SAME_PHONE)
        for row, company in self.name.get(keys.name, []) if keys.name else []:
            if keys.company and company and fuzz.token_set_ratio(keys.company, company) >= COMPANY_SIMILARITY:
                return row, str(SAME_NAME_AND_COMPANY)
        return None

    def add(self, row: int, keys: Keys) -> None:
        if keys.email:
            self.email.setdefault(keys.email, row)
        if keys.phone:
            self.phone.setdefault(keys.phone, row)
        if keys.name:
            self.name.setdefault(keys.name, []).append((row, keys.company))


@dataclass
class Target:
    """A lead that rows of this batch change: the saved lead, or the new one an earlier row makes."""

    lead: Lead
    new: bool
    plans: list[RowPlan] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    before: dict[str, Any] | None = None  # the audited values before the import touched it
    before_owner: int | None = None


@dataclass
class Decision:
    """The outcome of one batch: the leads to write, in the order their first row came."""

    targets: list[Target] = field(default_factory=list)


class Decider:
    """Applies the policy to the valid rows of each batch, in file order."""

    def __init__(self, *, actor: User, policy: str, dry_run: bool, snapshot: Any) -> None:
        self.actor = actor
        self.policy = policy
        self.dry_run = dry_run
        self.snapshot = snapshot  # (lead, tag names) → audited values
        self.seen = SeenRows()
        self.scope = owners_in_scope(actor)
        self.assigner = Assigner()
        self.card = ScoreCard()
        self.shapes = Shapes()  # the look-ups' statements, compiled once for the whole import
        # Per batch: which matches the actor sees, the leads they may update, the new leads by row.
        self.visible: set[tuple[str, int]] = set()
        self.editable: dict[int, Target] = {}
        self.pending: dict[int, Target] = {}
        self.batch_targets: dict[int, Target] = {}

    # --- per batch ----------------------------------------------------------------------------------

    def decide(self, plans: list[RowPlan]) -> Decision:
        finder = Finder(Lead.objects.all(), Contact.objects.all(), shapes=self.shapes)
        finder.load(p.keys for p in plans if p.keys is not None)
        found = {p.row: finder.matches(p.keys) for p in plans if p.keys is not None}
        lead_ids = {m.id for ms in found.values() for m in ms if m.kind == "lead"}
        contact_ids = {m.id for ms in found.values() for m in ms if m.kind == "contact"}
        self.visible = self._visible(Lead, lead_ids) | self._visible(Contact, contact_ids, kind="contact")
        self.editable = self._editable(lead_ids) if self.policy == "update" else {}
        self.pending = {}  # row → the new lead it makes (later rows may merge into it)
        self.batch_targets = {}  # saved lead id → its target
        decision = Decision()
        for plan in plans:
            self._decide(plan, found.get(plan.row, []), decision)
        self._finish(decision)
        return decision

    def _visible(self, model: Any, ids: set[int], kind: str = "lead") -> set[tuple[str, int]]:
        if not ids:
            return set()
        return {(kind, pk) for pk in visible_to(self.actor, model).filter(pk__in=ids).values_list("pk", flat=True)}

    def _editable(self, ids: set[int]) -> dict[int, Target]:
        if not ids:
            return {}
        leads = (
            visible_to(self.actor, Lead, "edit")
            .filter(pk__in=ids)
            .exclude(status=LeadStatus.CONVERTED)
            .select_related("owner", "source", "territory", "estimated_value_currency")
        )
        targets = {lead.pk: Target(lead=lead, new=False, before_owner=lead.owner_id) for lead in leads}
        through = Lead.tags.through.objects.filter(lead_id__in=list(targets)).values_list("lead_id", "tag__name")
        for lead_id, name in through:
            targets[lead_id].tags.append(name)
        for target in targets.values():
            target.before = self.snapshot(target.lead, target.tags)
        return targets

    # --- per row ------------------------------------------------------------------------------------

    def _label(self, match: Match) -> str:
        if match.record_key in self.visible:
            return f"“{match.label}”"
        return str(HIDDEN_RECORD)

    def _skip(self, plan: RowPlan, message: Any, match: Match | None = None) -> None:
        plan.outcome = SKIPPED
        plan.message = str(message)
        if match is not None:
            plan.message = str(message % {"label": self._label(match), "reason": match.reason.lower()})

    def _owner_allowed(self, plan: RowPlan) -> bool:
        owner = plan.fields.get("owner")
        if owner is None or self.scope is None or owner.pk in self.scope:
            return True
        plan.outcome, plan.message = FAILED, str(OUT_OF_SCOPE)
        plan.errors.append(("", plan.message))
        return False

    def _decide(self, plan: RowPlan, matches: list[Match], decision: Decision) -> None:
        assert plan.keys is not None
        if not self._owner_allowed(plan):
            return
        earlier = self.seen.match(plan.keys) if self.policy != "create" else None
        if self.policy == "create":
            self._create(plan, decision)
        elif self.policy == "skip":
            if earlier is not None:
                self._skip(plan, DUPLICATE_OF_ROW % {"row": earlier[0], "reason": earlier[1].lower()})
            elif matches:
                match = matches[0]
                self._skip(plan, DUPLICATE_OF_LEAD if match.kind == "lead" else DUPLICATE_OF_CONTACT, match)
            else:
                self._create(plan, decision)
        else:
            self._update_or_create(plan, matches, earlier, decision)

    def _update_or_create(
        self, plan: RowPlan, matches: list[Match], earlier: tuple[int, str] | None, decision: Decision
    ) -> None:
        if earlier is not None and earlier[0] in self.pending:
            self._merge(plan, self.pending[earlier[0]])
            return
        if earlier is not None and self.dry_run:
            plan.outcome = UPDATED  # the lead an earlier batch would have made (nothing is saved in a dry run)
            return
        leads = [m for m in matches if m.kind == "lead"]
        editable = next((m for m in leads if m.id in self.editable), None)
        if editable is not None:
            target = self.batch_targets.get(editable.id)
            if target is None:
                target = self.batch_targets[editable.id] = self.editable[editable.id]
                decision.targets.append(target)
            self._merge(plan, target)
        elif leads:
            self._skip(plan, CANNOT_UPDATE, leads[0])
        elif matches:
            self._skip(plan, CONTACT_NOT_UPDATED, matches[0])
        else:
            self._create(plan, decision)

    def _create(self, plan: RowPlan, decision: Decision) -> None:
        assert plan.lead is not None and plan.keys is not None
        target = Target(lead=plan.lead, new=True, plans=[plan], tags=list(plan.tags))
        plan.outcome, plan.target = CREATED, plan.lead
        self.pending[plan.row] = target
        self.seen.add(plan.row, plan.keys)
        decision.targets.append(target)

    def _merge(self, plan: RowPlan, target: Target) -> None:
        """The row's values go into the lead (empty cells leave a field as it is); tags are added."""
        lead = target.lead
        for name, value in plan.fields.items():
            setattr(lead, name, value)
        if plan.fields.get("status") and plan.fields["status"] != LeadStatus.DISQUALIFIED:
            lead.disqualify_reason = ""
        if plan.custom:
            lead.custom = {**(lead.custom or {}), **plan.custom}
        known = {t.casefold() for t in target.tags}
        target.tags.extend(t for t in plan.tags if t.casefold() not in known)
        target.plans.append(plan)
        if target.new and plan.keys is not None:
            self.seen.add(target.plans[0].row, plan.keys)  # what this row adds identifies the lead too
        plan.outcome, plan.target = UPDATED, lead
        plan.owner_chosen = plan.owner_chosen or "owner" in plan.fields

    # --- owners and scores --------------------------------------------------------------------------

    def _finish(self, decision: Decision) -> None:
        for target in decision.targets:
            lead = target.lead
            if target.new:
                lead.owner = self._owner_for(target)
                lead.created_by = self.actor
            if not target.new or len(target.plans) > 1:
                lead.refresh_match_keys()  # rows changed it (a new lead's keys are already known)
            lead.score = self.card.score(lead, target.tags)

    def _owner_for(self, target: Target) -> User:
        chosen = next((p.fields["owner"] for p in reversed(target.plans) if "owner" in p.fields), None)
        if chosen is not None:
            return chosen  # type: ignore[no-any-return]
        picked = self.assigner.owner_for(target.lead)
        return picked[0] if picked is not None else self.actor
