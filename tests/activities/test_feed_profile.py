"""The calendar address in the profile: shown (never issued by just looking), created, replaced and
switched off — the last two after a confirmation; the old address answers 404 afterwards."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from rapport.activities.models import CalendarFeedToken

pytestmark = pytest.mark.django_db

PROFILE = "/profile/"
REGENERATE = reverse("calendar_feed_regenerate")
REVOKE = reverse("calendar_feed_revoke")


def shown_url(client) -> str:
    """The feed address the profile page shows ("" when none)."""
    body = client.get(PROFILE).content.decode()
    found = re.search(r'id="calendar-feed-url" value="([^"]+)"', body)
    return found.group(1) if found else ""


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


@pytest.fixture
def client(org, client_for):
    return client_for(org.salesperson)


def test_looking_at_the_profile_issues_nothing(org, client):
    response = client.get(PROFILE)
    assert "Your calendar has no address at the moment." in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert not CalendarFeedToken.objects.exists()


def test_creating_an_address_from_the_profile(org, client):
    response = client.post(REGENERATE)
    assert response.status_code == 302 and response["Location"].endswith("#calendar-feed")
    url = shown_url(client)
    assert url.startswith("http://testserver/calendar/cal_") and url.endswith(".ics")
    feed = client.get(path_of(url))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert shown_url(client) == url  # shown again, the same


def test_replacing_the_address_asks_first_then_the_old_one_is_gone(org, client, client_for):
    client.post(REGENERATE)
    old = shown_url(client)
    confirm = client.get(REGENERATE)
    assert confirm.status_code == 200
    assert "The current address stops working at once" in confirm.content.decode()
    assert shown_url(client) == old  # asking changed nothing

    client.post(REGENERATE)
    new = shown_url(client)
    assert new and new != old
    assert client.get(path_of(old)).status_code == 404
    assert client.get(path_of(new)).status_code == 200
    assert CalendarFeedToken.objects.filter(user=org.salesperson, revoked_at__isnull=True).count() == 1


def test_switching_the_address_off_asks_first_then_it_answers_404(org, client):
    client.post(REGENERATE)
    url = shown_url(client)
    confirm = client.get(REVOKE)
    assert confirm.status_code == 200 and "Switch off your calendar address?" in confirm.content.decode()
    assert client.get(path_of(url)).status_code == 200

    response = client.post(REVOKE)
    assert response.status_code == 302
    assert client.get(path_of(url)).status_code == 404
    assert shown_url(client) == ""  # stays off: the profile does not switch it back on
    assert client.get(path_of(url)).status_code == 404


def test_switching_off_without_an_address_just_returns(org, client):
    assert client.get(REVOKE).status_code == 302
    assert client.post(REVOKE).status_code == 302


def test_the_profile_and_the_api_show_the_same_address(org, client, api_for):
    client.post(REGENERATE)
    api = api_for(org.salesperson)
    assert api.get("/api/v1/users/me/calendar-feed").json()["url"] == shown_url(client)


def test_one_persons_address_is_theirs_only(org, client, client_for):
    client.post(REGENERATE)
    mine = shown_url(client)
    colleague = client_for(org.colleague)
    assert shown_url(colleague) == ""
    colleague.post(REGENERATE)
    assert shown_url(colleague) != mine
    assert client.get(path_of(mine)).status_code == 200  # the colleague's new address did not touch mine


def test_signing_in_is_required():
    from django.test import Client

    assert Client().post(REGENERATE).status_code == 302
    assert not CalendarFeedToken.objects.exists()
