"""Global search, notifications, language, profile preferences and personal API tokens."""

from __future__ import annotations

import pytest
from django.test import Client

from rapport.core.models import ApiToken, Notification
from rapport.core.services.notifications import notify
from rapport.core.services.tokens import token_authenticate
from rapport.web.views import PREFERENCES_SAVED

pytestmark = pytest.mark.django_db


# --- search ----------------------------------------------------------------------------------------


def test_search_finds_visible_records_and_never_hidden_ones(client_for, org, scene) -> None:
    client = client_for(org.salesperson)
    response = client.get("/search/?q=acm")
    found = {
        g["record_type"].key: [str(r["record"]) for r in g["results"]]
        for g in response.context["groups"]
        if g["results"]
    }
    assert found == {"account": ["Acme Polska", "Acme Services"], "contact": ["Jan Kowalski"]}  # by e-mail
    content = response.content.decode()
    assert "Acme Americas" not in content and "Acmeson" not in content
    assert f"/accounts/{scene.account.pk}/" in content
    assert "Kraków · Poland" in content  # the describe line
    # The other team sees their own, not ours.
    other = client_for(org.other_salesperson).get("/search/?q=acme")
    other_found = [str(r["record"]) for g in other.context["groups"] for r in g["results"]]
    assert sorted(other_found) == ["Acme Americas", "John Acmeson"]


def test_search_by_contact_email(client_for, org, scene) -> None:
    response = client_for(org.salesperson).get("/search/?q=jan@acme")
    contacts = next(g for g in response.context["groups"] if g["record_type"].key == "contact")
    assert [r["record"] for r in contacts["results"]] == [scene.contact]
    assert "Acme Polska" in contacts["results"][0]["describe"]


def test_search_empty_query_and_no_results(client_for, org, scene) -> None:
    client = client_for(org.salesperson)
    assert "What are you looking for?" in client.get("/search/").content.decode()
    assert "Nothing matches" in client.get("/search/?q=zzzz").content.decode()
    assert client.get("/search/?q=%00%27%22;--").status_code == 200


def test_search_caps_each_group_at_ten(client_for, org) -> None:
    from tests.factories import AccountFactory

    AccountFactory.create_batch(12, owner=org.salesperson, name="Omega")
    response = client_for(org.salesperson).get("/search/?q=omega")
    accounts = next(g for g in response.context["groups"] if g["record_type"].key == "account")
    assert len(accounts["results"]) == 10
    assert accounts["more"] is True


def test_header_suggestions(client_for, org, scene) -> None:
    client = client_for(org.salesperson)
    content = client.get("/search/suggest/?q=acme").content.decode()
    assert "Acme Polska" in content and "Acme Americas" not in content
    assert "<html" not in content
    assert client.get("/search/suggest/?q=a").content.decode().strip() == ""


# --- notifications -------------------------------------------------------------------------------------


def test_notification_area(client_for, org) -> None:
    first = notify(recipient=org.salesperson, message="Anna assigned the account Acme to you.", url="/accounts/")
    notify(recipient=org.salesperson, message="Second note")
    notify(recipient=org.colleague, message="Not yours")
    client = client_for(org.salesperson)
    page = client.get("/accounts/").content.decode()
    assert '<span id="notif-count" class="badge badge-count">2</span>' in page
    dropdown = client.get("/notifications/recent/").content.decode()
    assert "Anna assigned the account Acme to you." in dropdown and "Not yours" not in dropdown
    response = client.post(f"/notifications/{first.pk}/read/", headers={"HX-Request": "true"})
    assert 'id="notif-count" class="badge badge-count"' in response.content.decode()
    assert 'hx-swap-oob="true">1</span>' in response.content.decode()
    first.refresh_from_db()
    assert first.read_at is not None
    client.post("/notifications/read-all/")
    assert Notification.objects.filter(recipient=org.salesperson, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=org.colleague, read_at__isnull=True).count() == 1
    listing = client.get("/notifications/")
    assert len(listing.context["page"].items) == 2


def test_opening_a_notification_marks_it_read_and_follows_the_link(client_for, org) -> None:
    note = notify(recipient=org.salesperson, message="Look", url="/contacts/")
    client = client_for(org.salesperson)
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response["Location"] == "/contacts/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert client_for(org.colleague).post(f"/notifications/{note.pk}/open/").status_code == 404
    evil = notify(recipient=org.salesperson, message="Evil", url="https://evil.example/")
    assert client.post(f"/notifications/{evil.pk}/open/")["Location"] == "/notifications/"


def test_marking_someone_elses_notification_changes_nothing(client_for, org) -> None:
    note = notify(recipient=org.colleague, message="Private")
    client_for(org.salesperson).post(f"/notifications/{note.pk}/read/")
    note.refresh_from_db()
    assert note.read_at is None


# --- language and profile -------------------------------------------------------------------------------


def test_language_switch_to_polish_persists_on_the_user(client_for, org) -> None:
    client = client_for(org.salesperson)
    response = client.post("/language/", {"language": "pl", "next": "/accounts/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    org.salesperson.refresh_from_db()
    assert org.salesperson.language == "pl"
    page = client.get("/accounts/")
    assert page.content.decode().count('<html lang="pl">') == 1


def test_language_switch_for_anonymous_sets_the_cookie(client: Client, db) -> None:
    response = client.post("/language/", {"language": "pl", "next": "/login/"})
    assert response["Location"] == "/login/"
    assert response.cookies["django_language"].value == "pl"
    assert '<html lang="pl">' in client.get("/login/").content.decode()


def test_unknown_language_changes_nothing(client_for, org) -> None:
    client = client_for(org.salesperson)
    client.post("/language/", {"language": "xx", "next": "/accounts/"})
    org.salesperson.refresh_from_db()
    assert org.salesperson.language == "en"


def test_profile_preferences(client_for, org) -> None:
    client = client_for(org.salesperson)
    page = client.get("/profile/")
    assert page.status_code == 200
    assert org.salesperson.email in page.content.decode()
    response = client.post("/profile/", {"language": "pl", "time_zone": "Europe/Warsaw"}, follow=True)
    org.salesperson.refresh_from_db()
    assert (org.salesperson.language, org.salesperson.time_zone) == ("pl", "Europe/Warsaw")
    assert response.redirect_chain[-1][0] == "/profile/"
    bad = client.post("/profile/", {"language": "en", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 422
    assert "time_zone" in bad.context["preferences"].errors
    org.salesperson.refresh_from_db()
    assert org.salesperson.time_zone == "Europe/Warsaw"
    assert str(PREFERENCES_SAVED) not in bad.content.decode()


def test_times_are_shown_in_the_users_time_zone(client_for, org, scene) -> None:
    org.salesperson.time_zone = "Asia/Tokyo"
    org.salesperson.save()
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    created = timezone.localtime(scene.account.created_at, ZoneInfo("Asia/Tokyo"))
    page = client_for(org.salesperson).get(f"/accounts/{scene.account.pk}/").content.decode()
    assert created.isoformat(timespec="seconds")[:19] in page  # <time datetime="…"> in the person's zone


def test_api_tokens_created_once_listed_and_revoked(client_for, org) -> None:
    client = client_for(org.salesperson)
    response = client.post("/profile/tokens/", {"name": "Reporting script"})
    clear = response.context["new_token"]
    assert clear.startswith("rpt_")
    assert clear in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert token_authenticate(clear) == org.salesperson
    token = ApiToken.objects.get(user=org.salesperson)
    page = client.get("/profile/").content.decode()
    assert clear not in page and token.prefix in page
    # Another person cannot revoke it; the owner confirms first.
    assert client_for(org.colleague).post(f"/profile/tokens/{token.pk}/revoke/").status_code == 404
    assert client.get(f"/profile/tokens/{token.pk}/revoke/").status_code == 200
    assert token_authenticate(clear) == org.salesperson
    assert client.post(f"/profile/tokens/{token.pk}/revoke/")["Location"] == "/profile/"
    assert token_authenticate(clear) is None


def test_token_needs_a_name(client_for, org) -> None:
    response = client_for(org.salesperson).post("/profile/tokens/", {"name": ""})
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_settings_link_only_for_administrators(client_for, org) -> None:
    assert 'href="/settings/"' in client_for(org.admin).get("/accounts/").content.decode()
    assert 'href="/settings/"' not in client_for(org.emea_manager).get("/accounts/").content.decode()
