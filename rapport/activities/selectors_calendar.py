"""Reads for the calendar pages: whose calendars a viewer may open, and the visible range of each view.

Whose calendar: oneself, a colleague or a team — only those within the viewer's activity scope
(own → only oneself; team → the teams they belong to or manage; all → everyone). Asking for anyone
else is a `RecordNotFound` (a 404), so a hidden colleague's calendar is indistinguishable from an
unknown one. The events themselves still come from `selectors.calendar`, which starts from
`visible_to`: the list of people is a convenience, not the guard.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from rapport.activities.recurrence import Occurrence
from rapport.activities.selectors import calendar
from rapport.core.errors import RecordNotFound
from rapport.core.models import Scope, Team, User
from rapport.core.visibility import scope_of, team_paths

VIEWS = ("day", "week", "month", "year", "agenda")
#: how far the agenda looks ahead from its first day
AGENDA_DAYS = 90
AGENDA_PAGE_SIZE = 50
#: what the calendar pages never show of an activity (not read: a team's month is thousands of rows)
PAGE_DEFERRED = (
    "description", "outcome_code", "outcome_text", "done_at", "expenses", "cost", "currency", "series_end",
    "reminder_minutes", "remind_at", "prompt_at", "custom", "created_by", "created_at", "updated_at",
)  # fmt: skip


def calendar_users(actor: User) -> QuerySet[User]:
    """Active users whose calendar the actor may open (always including the actor)."""
    scope = scope_of(actor, "activity")
    users = User.objects.filter(is_active=True).order_by("first_name", "last_name", "email")
    if scope == Scope.ALL:
        return users
    if scope == Scope.TEAM:
        condition = Q(pk=actor.pk)
        for path in team_paths(actor):
            condition |= Q(team__path__startswith=path)
        return users.filter(condition)
    return users.filter(pk=actor.pk)


def calendar_teams(actor: User) -> QuerySet[Team]:
    """Teams whose calendar the actor may open: every team for an "all" scope, their own teams'
    subtrees for a "team" scope, none for "own" (a team calendar would only show themselves)."""
    scope = scope_of(actor, "activity")
    teams = Team.objects.order_by("path")
    if scope == Scope.ALL:
        return teams
    if scope == Scope.TEAM:
        condition = Q(pk__in=[])
        for path in team_paths(actor):
            condition |= Q(path__startswith=path)
        return teams.filter(condition)
    return teams.none()


@dataclass(frozen=True)
class Whose:
    """The calendar shown: one user's (`user`) or a team's (`team`)."""

    key: str  # "me", "u<id>", "t<id>": the value of the page's `who` parameter
    user: User | None = None
    team: Team | None = None

    @property
    def owner_ids(self) -> list[int] | None:
        return [self.user.pk] if self.user is not None else None

    @property
    def team_path(self) -> str | None:
        return self.team.path if self.team is not None else None


def whose_calendar(actor: User, raw: str) -> Whose:
    """`me`, `u<id>` (a colleague) or `t<id>` (a team); someone outside the actor's scope → RecordNotFound."""
    text = (raw or "me").strip()
    if text == "me" or text == f"u{actor.pk}":
        return Whose("me", user=actor)
    kind, number = text[:1], text[1:]
    if not number.isdigit() or len(number) > 18:
        raise RecordNotFound()
    if kind == "u":
        user = calendar_users(actor).filter(pk=int(number)).first()
        if user is not None:
            return Whose(text, user=user)
    elif kind == "t":
        team = calendar_teams(actor).filter(pk=int(number)).first()
        if team is not None:
            return Whose(text, team=team)
    raise RecordNotFound()


# --- ranges -------------------------------------------------------------------------------------------


def week_start(day: dt.date) -> dt.date:
    """Weeks start on Monday (ISO 8601)."""
    return day - dt.timedelta(days=day.weekday())


def view_days(view: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the day after the last day a view shows around `day` (a month is whole weeks)."""
    if view == "day":
        return day, day + dt.timedelta(days=1)
    if view == "week":
        first = week_start(day)
        return first, first + dt.timedelta(days=7)
    if view == "month":
        first_of_month = day.replace(day=1)
        last_of_month = day.replace(day=stdlib_calendar.monthrange(day.year, day.month)[1])
        return week_start(first_of_month), week_start(last_of_month) + dt.timedelta(days=7)
    if view == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year + 1, 1, 1)
    return day, day + dt.timedelta(days=AGENDA_DAYS)


def shift(view: str, day: dt.date, steps: int) -> dt.date:
    """The day `steps` views before (negative) or after `day`: prev/next navigation."""
    if view == "day":
        return day + dt.timedelta(days=steps)
    if view == "week":
        return day + dt.timedelta(days=7 * steps)
    if view == "agenda":
        return day + dt.timedelta(days=AGENDA_DAYS * steps)
    if view == "year":
        return _safe_replace(day, year=day.year + steps)
    month_index = day.year * 12 + day.month - 1 + steps
    return _safe_replace(day, year=month_index // 12, month=month_index % 12 + 1)


def _safe_replace(day: dt.date, year: int, month: int | None = None) -> dt.date:
    month = month or day.month
    year = min(max(year, 1), 9998)
    last = stdlib_calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of a day in the viewer's zone (where the viewer's days begin)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_current_timezone())


def occurrences_between(
    *, actor: User, whose: Whose, first: dt.date, after_last: dt.date, include_cancelled: bool = True
) -> list[Occurrence]:
    """Every occurrence of the chosen calendar in the viewer's days [first, after_last)."""
    return calendar(
        actor=actor,
        start=local_midnight(first),
        end=local_midnight(after_last),
        owners=whose.owner_ids,
        team_path=whose.team_path,
        include_cancelled=include_cancelled,
        defer=PAGE_DEFERRED,
    )
