"""Activity test helpers: the starting types, a Warsaw-time salesperson with an hourly rate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from rapport.activities.models import Activity, ActivityType
from rapport.activities.services import activity_create
from tests.api.conftest import ApiClient, token_for

WARSAW = dt.timezone(dt.timedelta(hours=1))  # a fixed offset, for readable literals in winter


def activity_type(code: str) -> ActivityType:
    return ActivityType.objects.get(code=code)


@pytest.fixture
def rated(org):
    """The salesperson and the colleague cost 60.00 an hour and plan in Europe/Warsaw."""
    for user in (org.salesperson, org.colleague, org.emea_manager):
        user.hourly_cost_rate = Decimal("60.00")
        user.time_zone = "Europe/Warsaw"
        user.save()
    return org


def plan(actor: Any, **fields: Any) -> Activity:
    fields.setdefault("type", activity_type("meeting").pk)
    fields.setdefault("subject", "Kick-off")
    if "start" not in fields and "due_date" not in fields:
        fields["start"] = dt.datetime(2026, 1, 12, 9, 0, tzinfo=WARSAW)
    return activity_create(actor=actor, **fields)


@pytest.fixture
def api_for(db: None):
    """`api_for(user)` → an ApiClient with a fresh personal token of that user."""
    return lambda user: ApiClient(token_for(user))
