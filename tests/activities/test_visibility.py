"""Who sees whose activities, and so whose calendar: a salesperson their own, a manager their team's,
executives and administrators everyone's; a colleague's calendar outside one's scope is empty."""

from __future__ import annotations

import datetime as dt

import pytest

from rapport.activities.models import Activity
from rapport.activities.selectors import calendar
from rapport.core.models import RolePermission
from rapport.core.visibility import can, visible_to
from tests.activities.conftest import plan

pytestmark = pytest.mark.django_db

RANGE = (dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 2, 1, tzinfo=dt.UTC))


@pytest.fixture
def diaries(rated):
    return {
        name: plan(getattr(rated, name), subject=name)
        for name in ("salesperson", "colleague", "emea_manager", "other_salesperson")
    }


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        ("salesperson", {"salesperson"}),
        ("colleague", {"colleague"}),
        ("emea_manager", {"salesperson", "colleague", "emea_manager"}),
        ("other_salesperson", {"other_salesperson"}),
        ("executive", {"salesperson", "colleague", "emea_manager", "other_salesperson"}),
        ("admin", {"salesperson", "colleague", "emea_manager", "other_salesperson"}),
        ("department_member", {"other_salesperson"}),
    ],
)
def test_activities_each_role_sees(rated, diaries, viewer, sees):
    actor = getattr(rated, viewer)
    assert set(visible_to(actor, Activity).values_list("subject", flat=True)) == sees


@pytest.mark.parametrize(
    ("viewer", "colleague", "visible"),
    [
        ("salesperson", "colleague", False),
        ("emea_manager", "colleague", True),
        ("emea_manager", "other_salesperson", False),
        ("executive", "other_salesperson", True),
        ("colleague", "colleague", True),
    ],
)
def test_a_colleagues_calendar_follows_the_viewers_scope(rated, diaries, viewer, colleague, visible):
    owner = getattr(rated, colleague)
    found = calendar(actor=getattr(rated, viewer), start=RANGE[0], end=RANGE[1], owners=[owner.pk])
    assert [o.activity.subject for o in found] == ([colleague] if visible else [])


def test_a_managers_team_calendar(rated, diaries):
    found = calendar(actor=rated.emea_manager, start=RANGE[0], end=RANGE[1], team_path=rated.emea.path)
    assert {o.activity.subject for o in found} == {"salesperson", "colleague", "emea_manager"}


def test_default_rights_per_role(rated):
    rights = {
        p.role_id: (p.can_create, p.can_read, p.can_edit, p.can_delete, p.scope)
        for p in RolePermission.objects.filter(record_type="activity")
    }
    assert rights["salesperson"] == (True, True, True, True, "own")
    assert rights["sales_manager"] == (True, True, True, True, "team")
    assert rights["executive"] == (False, True, False, False, "all")
    assert not can(rated.executive, "create", "activity")
