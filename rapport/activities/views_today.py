"""The Today page (`/today/`): what is due today and overdue, what waits for an outcome (mine, and my
team's for managers), which of my leads to follow up — each section short, with a "show all" page.

The page runs a fixed, small number of bounded queries whatever the data (`tests/activities/
test_today.py` pins the count); the reads are in `rapport.activities.today`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from rapport.activities import today as reads
from rapport.core.listing import paginate
from rapport.core.models import User

#: items per section on the Today page; "show all" opens the rest
SECTION_LIMIT = 10
TODAY_LIMIT = 20
#: what a "show all" page lists at most for today (a day is short; the rest are paged)
DAY_LIMIT = 200
PAGE_SIZE = 50


@dataclass
class Section:
    """One block of the Today page."""

    key: str
    title: str | Promise
    empty: str | Promise
    items: list[Any] = field(default_factory=list)
    more: bool = False

    @property
    def all_url(self) -> str:
        return reverse("activities:today_section", args=[self.key])


TITLES: dict[str, tuple[Promise, Promise]] = {
    "today": (_("Today"), _("Nothing planned for today.")),
    "overdue": (_("Overdue tasks"), _("No overdue tasks. Well done.")),
    "waiting": (_("Waiting for your outcome"), _("Every activity that has ended has its outcome.")),
    "team": (_("Your team: waiting for an outcome"), _("Your team has recorded every outcome.")),
    "leads": (_("Leads to follow up"), _("Every open lead of yours has had an activity recently.")),
}


def _section(key: str, found: list[Any], limit: int) -> Section:
    title, empty = TITLES[key]
    return Section(key=key, title=title, empty=empty, items=found[:limit], more=len(found) > limit)


def _listing(actor: User, key: str, day: reads.Day, days: int) -> Any:
    """The query behind a section (all of it: callers slice or page it)."""
    if key == "overdue":
        return reads.overdue_tasks(actor=actor, day=day)
    if key == "waiting":
        return reads.waiting_for_outcome(actor=actor, now=day.now)
    if key == "team":
        return reads.team_waiting_for_outcome(actor=actor, now=day.now)
    if key == "leads":
        return reads.leads_to_follow_up(actor=actor, now=day.now, days=days)
    raise Http404


def _sections(actor: User, day: reads.Day, days: int) -> list[Section]:
    sections = [_section("today", reads.due_today(actor=actor, day=day, limit=TODAY_LIMIT + 1), TODAY_LIMIT)]
    keys = ["overdue", "waiting"] + (["team"] if reads.sees_a_team(actor) else []) + ["leads"]
    for key in keys:
        sections.append(_section(key, list(_listing(actor, key, day, days)[: SECTION_LIMIT + 1]), SECTION_LIMIT))
    return sections


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    day = reads.Day.current()
    days = reads.follow_up_days()
    context = {
        "day": day,
        "follow_up_days": days,
        "sections": _sections(request.user, day, days),
        "nav_section": "today",
    }
    return render(request, "activities/today.html", context)


@login_required
@require_GET
def today_section(request: HttpRequest, section: str) -> HttpResponse:
    """All of one section, paged (today's items at once)."""
    assert isinstance(request.user, User)
    if section not in TITLES or (section == "team" and not reads.sees_a_team(request.user)):
        raise Http404
    day = reads.Day.current()
    days = reads.follow_up_days()
    title, empty = TITLES[section]
    context: dict[str, Any] = {"day": day, "follow_up_days": days, "nav_section": "today"}
    if section == "today":
        found = reads.due_today(actor=request.user, day=day, limit=DAY_LIMIT)
        context["section"] = Section(key=section, title=title, empty=empty, items=found)
    else:
        page = paginate(_listing(request.user, section, day, days), request.GET.get("page"), PAGE_SIZE)
        context["section"] = Section(key=section, title=title, empty=empty, items=page.items)
        context["page"] = page
    return render(request, "activities/today_section.html", context)


urlpatterns = [
    path("today/", today, name="today"),
    path("today/<slug:section>/", today_section, name="today_section"),
]
