"""Assignment rules: who gets a new lead.

Rules are tried in order; the first whose filled-in conditions all hold names a user, or a team
whose active members (sub-teams included) take turns (round-robin) or the one with the fewest open
leads gets it. An `Assigner` loads the rules once and keeps the turn and the counts in memory, so a
whole import batch is assigned without a query per row; `save()` writes the round-robin positions
back.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count

from rapport.core.models import Territory, User
from rapport.core.normalize import country_code
from rapport.core.search import fold
from rapport.leads.models import OPEN_STATUSES, AssignmentRule, Lead, TeamStrategy


@dataclass
class _Team:
    members: list[User]
    open_counts: Counter[int] | None = None


def _country_matches(rule_countries: str, country: str) -> bool:
    if not country.strip():
        return False
    wanted, codes = _rule_countries(rule_countries)
    return fold(country.strip()) in wanted or (country_code(country) or "-") in codes


@functools.lru_cache(maxsize=256)  # read once per rule text, not once per lead
def _rule_countries(rule_countries: str) -> tuple[frozenset[str], frozenset[str]]:
    names = [c.strip() for c in rule_countries.split(",") if c.strip()]
    return frozenset(fold(c) for c in names), frozenset(code for c in names if (code := country_code(c)))


def _custom_matches(value: object, expected: str) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(str(v).strip().casefold() == expected.strip().casefold() for v in values if v is not None)


class Assigner:
    """Applies the active assignment rules to leads (one at a time or a batch)."""

    def __init__(self, *, lock: bool = False) -> None:
        """`lock=True` (inside a transaction) holds the rules until commit, so two leads created at
        the same moment do not both go to the same member by round-robin."""
        rules = AssignmentRule.objects.filter(active=True).select_related(
            "territory", "assign_to_user", "assign_to_team", "last_assigned"
        )
        if lock:
            rules = rules.select_for_update(of=("self",))
        self.rules = list(rules.order_by("position", "id"))
        self._territory_paths: dict[int, str] | None = None
        self._teams: dict[int, _Team] = {}
        self._changed: set[int] = set()

    def _territory_path(self, territory_id: int | None) -> str:
        if territory_id is None:
            return ""
        if self._territory_paths is None:
            self._territory_paths = dict(Territory.objects.values_list("id", "path"))
        return self._territory_paths.get(territory_id, "")

    def matches(self, rule: AssignmentRule, lead: Lead) -> bool:
        if rule.territory_id is not None:
            path = self._territory_path(lead.territory_id)
            if not path or not rule.territory or not path.startswith(rule.territory.path):
                return False
        if rule.country.strip() and not _country_matches(rule.country, lead.country):
            return False
        if rule.source_id is not None and lead.source_id != rule.source_id:
            return False
        return not rule.custom_field or _custom_matches((lead.custom or {}).get(rule.custom_field), rule.custom_value)

    def _team(self, rule: AssignmentRule) -> _Team:
        # Kept per team, not per rule: two rules giving leads to one team share its open-lead counts.
        team_node = rule.assign_to_team
        assert team_node is not None
        team = self._teams.get(team_node.pk)
        if team is None:
            members = list(User.objects.filter(is_active=True, team__path__startswith=team_node.path).order_by("id"))
            team = self._teams[team_node.pk] = _Team(members)
        return team

    def _fewest_open(self, team: _Team) -> User:
        if team.open_counts is None:
            rows = (
                Lead.objects.filter(owner__in=team.members, status__in=OPEN_STATUSES)
                .values("owner")
                .annotate(n=Count("id"))
            )
            team.open_counts = Counter({row["owner"]: row["n"] for row in rows})
        chosen = min(team.members, key=lambda u: (team.open_counts[u.pk], u.pk))  # type: ignore[index]
        team.open_counts[chosen.pk] += 1
        return chosen

    def _round_robin(self, rule: AssignmentRule, team: _Team) -> User:
        last = rule.last_assigned_id or 0
        chosen = next((u for u in team.members if u.pk > last), team.members[0])
        rule.last_assigned = chosen
        self._changed.add(rule.pk)
        return chosen

    def owner_for(self, lead: Lead) -> tuple[User, AssignmentRule] | None:
        """The owner the first matching rule gives, or None when no rule applies."""
        for rule in self.rules:
            if not self.matches(rule, lead):
                continue
            if rule.assign_to_user is not None:
                if rule.assign_to_user.is_active:
                    return rule.assign_to_user, rule
                continue
            team = self._team(rule)
            if not team.members:
                continue
            if rule.team_strategy == TeamStrategy.FEWEST_OPEN:
                return self._fewest_open(team), rule
            return self._round_robin(rule, team), rule
        return None

    def save(self) -> None:
        """Keep the round-robin positions for the next lead (call inside the caller's transaction)."""
        save_positions(self.take_positions())

    def take_positions(self) -> dict[int, int | None]:
        """The round-robin positions changed since the last call (rule id → last member's id).

        An import takes them while deciding a batch and saves them with that batch, in its writer."""
        positions = {rule.pk: rule.last_assigned_id for rule in self.rules if rule.pk in self._changed}
        self._changed.clear()
        return positions


def save_positions(positions: dict[int, int | None]) -> None:
    for rule_id, user_id in positions.items():
        AssignmentRule.objects.filter(pk=rule_id).update(last_assigned=user_id)
