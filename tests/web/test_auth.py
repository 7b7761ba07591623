"""Sign-in with an e-mail address, login history, sign-out and the password reset flow."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from rapport.core.models import LoginEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_asks_for_an_email(client: Client) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    assert 'type="email"' in response.content.decode()
    assert response.context["form"].fields["username"].label == "E-mail"


def test_login_with_email_records_a_successful_login(client: Client, org) -> None:
    response = client.post(
        "/login/", {"username": "SALES@example.com", "password": PASSWORD}, HTTP_USER_AGENT="pytest-browser"
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    event = LoginEvent.objects.get()
    assert (event.user, event.succeeded, event.user_agent) == (org.salesperson, True, "pytest-browser")
    assert client.get("/")["Location"] == "/accounts/"


def test_failed_login_is_recorded_and_explained(client: Client, org) -> None:
    response = client.post("/login/", {"username": "sales@example.com", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    event = LoginEvent.objects.get()
    assert (event.user, event.email, event.succeeded) == (org.salesperson, "sales@example.com", False)
    assert "_auth_user_id" not in client.session


def test_failed_login_for_an_unknown_address_keeps_the_address(client: Client, db) -> None:
    client.post("/login/", {"username": "nobody@example.com", "password": "x"})
    event = LoginEvent.objects.get()
    assert (event.user, event.email, event.succeeded) == (None, "nobody@example.com", False)


def test_pages_need_a_signed_in_person(client: Client, db) -> None:
    for url in ("/", "/accounts/", "/contacts/", "/search/?q=a", "/profile/", "/notifications/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url


def test_logout_is_a_post(client_for, org) -> None:
    client = client_for(org.salesperson)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/accounts/").status_code == 302


def test_password_reset_flow(client: Client, org) -> None:
    assert client.get("/password/reset/").status_code == 200
    response = client.post("/password/reset/", {"email": "sales@example.com"})
    assert response["Location"] == "/password/reset/sent/"
    assert client.get("/password/reset/sent/").status_code == 200
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/password/reset/\S+/)", str(mail.outbox[0].body))
    assert link is not None
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    assert response.context["validlink"]
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-secret-42", "new_password2": "a-brand-new-secret-42"},
    )
    assert response["Location"] == "/password/reset/complete/"
    assert client.get("/password/reset/complete/").status_code == 200
    org.salesperson.refresh_from_db()
    assert org.salesperson.check_password("a-brand-new-secret-42")


def test_password_reset_with_a_bad_link(client: Client, db) -> None:
    response = client.get("/password/reset/MQ/bad-token/")
    assert response.status_code == 200
    assert not response.context["validlink"]


def test_password_change(client_for, org) -> None:
    client = client_for(org.salesperson)
    assert client.get("/password/change/").status_code == 200
    response = client.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": "another-secret-77", "new_password2": "another-secret-77"},
    )
    assert response["Location"] == "/password/change/done/"
    org.salesperson.refresh_from_db()
    assert org.salesperson.check_password("another-secret-77")
