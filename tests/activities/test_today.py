"""The Today page: today's and overdue work, activities waiting for an outcome (mine; my team's for a
manager, by visibility), leads to follow up after the organisation's N days; empty states, "show
all" pages, and a query count that does not grow with the data."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from rapport.activities.services import activity_record_outcome
from rapport.activities.today import Day
from rapport.core.models import OrganisationSettings
from rapport.leads.models import Lead, LeadStatus
from tests.activities.conftest import activity_type, plan
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
TODAY_URL = "/today/"


def day_for(user) -> Day:
    now = dt.datetime.now(dt.UTC)
    local = now.astimezone(zoneinfo.ZoneInfo(user.time_zone)).date()
    zone = zoneinfo.ZoneInfo(user.time_zone)
    start = dt.datetime.combine(local, dt.time(), tzinfo=zone)
    return Day(date=local, start=start, end=start + dt.timedelta(days=1), now=now)


def section(response, key: str) -> list:
    """The items of one section of the page; KeyError when the page has no such section."""
    found = {s.key: s.items for s in response.context["sections"]}
    return found[key]


def subjects(items) -> list[str]:
    return [getattr(item, "activity", item).subject for item in items]


def aged_lead(owner, days: int, **fields) -> Lead:
    lead = LeadFactory.create(owner=owner, **fields)
    Lead.objects.filter(pk=lead.pk).update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days))
    return lead


@pytest.fixture
def working_day(rated):
    """A Warsaw salesperson's day: something at every kind of place on the page."""
    user = rated.salesperson
    day = day_for(user)
    task = activity_type("task").pk
    plan(user, subject="Today's meeting", start=day.end - dt.timedelta(minutes=5))  # not over, whatever the hour
    plan(user, subject="Today's task", type=task, due_date=day.date)
    plan(user, subject="Tomorrow", start=day.end + dt.timedelta(hours=9))
    plan(user, subject="Daily stand-up", start=day.start - dt.timedelta(days=3), rrule="FREQ=DAILY;COUNT=10")
    plan(user, subject="Late task", type=task, due_date=day.date - dt.timedelta(days=2))
    yesterday = day.start - dt.timedelta(hours=12)
    plan(user, subject="Yesterday's call", start=yesterday)
    done = plan(user, subject="Done call", start=yesterday)
    activity_record_outcome(actor=user, activity_id=done.pk, outcome_code="successful")
    plan(rated.colleague, subject="Colleague's call", start=yesterday)
    plan(rated.other_salesperson, subject="Americas call", start=yesterday)
    aged_lead(user, 10, last_name="Forgotten")
    touched = aged_lead(user, 10, last_name="Touched")
    plan(
        user,
        subject="About Touched",
        start=day.start - dt.timedelta(days=2),
        related_type="lead",
        related_id=touched.pk,
    )
    aged_lead(user, 2, last_name="Fresh")
    aged_lead(user, 10, last_name="Won", status=LeadStatus.QUALIFIED)
    aged_lead(rated.colleague, 10, last_name="Not mine")
    return rated


def test_a_salesperson_sees_their_day(working_day, client_for):
    response = client_for(working_day.salesperson).get(TODAY_URL)
    assert response.status_code == 200
    assert subjects(section(response, "today")) == ["Today's task", "Daily stand-up", "Today's meeting"]
    assert subjects(section(response, "overdue")) == ["Late task"]
    assert subjects(section(response, "waiting")) == ["Yesterday's call", "About Touched"]  # latest first
    assert "team" not in {s.key for s in response.context["sections"]}  # their scope is their own
    assert {lead.last_name for lead in section(response, "leads")} == {"Forgotten", "Won"}
    body = response.content.decode()
    assert 'href="/today/"' in body and "Today&#x27;s meeting" in body
    waiting = section(response, "waiting")[0]
    assert f'href="/activities/{waiting.pk}/outcome/"' in body  # record it from here


def test_a_manager_sees_the_teams_activities_without_an_outcome(working_day, client_for):
    response = client_for(working_day.emea_manager).get(TODAY_URL)
    team = section(response, "team")
    assert {a.subject for a in team} >= {"Yesterday's call", "Colleague's call"}
    assert "Americas call" not in subjects(team)  # another team: outside the manager's scope
    assert "Done call" not in subjects(team)
    assert "Colleague&#x27;s call" in response.content.decode()


def test_a_newcomer_sees_every_empty_state(org, client_for):
    response = client_for(org.salesperson).get(TODAY_URL)
    body = response.content.decode()
    for message in (
        "Nothing planned for today.",
        "No overdue tasks. Well done.",
        "Every activity that has ended has its outcome.",
        "Every open lead of yours has had an activity recently.",
    ):
        assert message in body
    assert "(no activity for 7 days)" in body
    manager = client_for(org.emea_manager).get(TODAY_URL).content.decode()
    assert "Your team has recorded every outcome." in manager


def test_the_follow_up_period_is_the_organisations_setting(working_day, client_for):
    OrganisationSettings.objects.filter(pk=1).update(follow_up_days=30)
    response = client_for(working_day.salesperson).get(TODAY_URL)
    assert section(response, "leads") == []  # none is 30 days old


def test_administrators_change_the_follow_up_period_in_the_settings(org, client_for):
    client = client_for(org.admin)
    form = client.get(reverse("settings:organisation"))
    assert 'name="follow_up_days"' in form.content.decode()
    response = client.post(
        reverse("settings:organisation"), {"company_name": "Rapport", "company_currency": "EUR", "follow_up_days": 14}
    )
    assert response.status_code == 302
    assert OrganisationSettings.objects.get(pk=1).follow_up_days == 14
    refused = client.post(
        reverse("settings:organisation"), {"company_name": "Rapport", "company_currency": "EUR", "follow_up_days": 0}
    )
    assert "follow_up_days" in refused.context["form"].errors
    assert OrganisationSettings.objects.get(pk=1).follow_up_days == 14


def test_a_long_section_shows_ten_and_links_to_all_of_them(rated, client_for):
    user = rated.salesperson
    day = day_for(user)
    for n in range(12):
        plan(user, subject=f"Task {n:02d}", type=activity_type("task").pk, due_date=day.date - dt.timedelta(days=n + 1))
    client = client_for(user)
    response = client.get(TODAY_URL)
    assert len(section(response, "overdue")) == 10
    all_url = reverse("activities:today_section", args=["overdue"])
    assert all_url in response.content.decode()
    everything = client.get(all_url)
    assert everything.status_code == 200
    assert subjects(everything.context["section"].items) == [f"Task {n:02d}" for n in range(11, -1, -1)]


def test_the_team_section_is_only_for_those_who_see_a_team(org, client_for):
    assert client_for(org.salesperson).get(reverse("activities:today_section", args=["team"])).status_code == 404
    assert client_for(org.emea_manager).get(reverse("activities:today_section", args=["team"])).status_code == 200
    assert client_for(org.salesperson).get("/today/nonsense/").status_code == 404
    for key in ("today", "overdue", "waiting", "leads"):
        assert client_for(org.salesperson).get(reverse("activities:today_section", args=[key])).status_code == 200


def test_signing_in_is_required(client):
    assert client.get(TODAY_URL).status_code == 302


# --- a fixed number of queries -------------------------------------------------------------------------


def more_of_everything(rated, n: int) -> None:
    user = rated.salesperson
    day = day_for(user)
    for i in range(n):
        plan(user, subject=f"More {i}", start=day.start + dt.timedelta(minutes=i + 2))
        plan(user, subject=f"Late {i}", type=activity_type("task").pk, due_date=day.date - dt.timedelta(days=i + 3))
        plan(rated.colleague, subject=f"Team {i}", start=day.start - dt.timedelta(days=1, minutes=i))
        aged_lead(user, 20 + i)


@pytest.mark.parametrize("role", ["salesperson", "emea_manager"])
def test_the_page_costs_a_fixed_number_of_queries(working_day, client_for, django_assert_num_queries, role):
    client = client_for(getattr(working_day, role))
    client.get(TODAY_URL)  # warm: permissions, the session
    # session, user, notification count, rights, team paths (manager), organisation setting, and one
    # per section read (today: single, series, tasks).
    expected = {"salesperson": 11, "emea_manager": 13}[role]
    with django_assert_num_queries(expected):
        client.get(TODAY_URL)
    more_of_everything(working_day, 15)
    with django_assert_num_queries(expected):
        response = client.get(TODAY_URL)
    if role == "salesperson":
        assert len(section(response, "today")) == 18 and len(section(response, "overdue")) == 10
