"""Login history: read-only, newest first, filtered, shown in the viewer's time zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse

from rapport.core.models import LoginEvent


def test_login_history_lists_filters_and_shows_local_time(org: Any, client_for: Any) -> None:
    at = dt.datetime(2025, 1, 15, 8, 30, tzinfo=dt.UTC)
    LoginEvent.objects.create(
        user=org.salesperson, email=org.salesperson.email, succeeded=True, ip_address="10.0.0.1", at=at
    )
    LoginEvent.objects.create(
        user=org.salesperson,
        email=org.salesperson.email,
        succeeded=False,
        ip_address="10.0.0.2",
        at=at + dt.timedelta(hours=1),
    )
    LoginEvent.objects.create(user=None, email="stranger@example.com", succeeded=False, at=at + dt.timedelta(hours=2))
    org.admin.time_zone = "Europe/Warsaw"
    org.admin.save()
    client: Client = client_for(org.admin)
    url = reverse("settings:logins")

    response = client.get(url)
    assert [e.email for e in response.context["page"].items] == [
        "stranger@example.com",
        org.salesperson.email,
        org.salesperson.email,
    ]
    html = response.content.decode()
    assert "2025-01-15 09:30:00" in html  # 08:30 UTC is 09:30 in Warsaw in winter
    assert "Europe/Warsaw" in html

    failed = client.get(url, {"succeeded": "no"}).context["page"].items
    assert [e.ip_address for e in failed] == [None, "10.0.0.2"]
    own = client.get(url, {"user": org.salesperson.pk, "succeeded": "yes"}).context["page"].items
    assert [e.ip_address for e in own] == ["10.0.0.1"]

    # Read-only: the page accepts no POST.
    assert client.post(url).status_code == 405
    assert LoginEvent.objects.count() == 3
