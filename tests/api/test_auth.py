"""Authentication: personal tokens, sessions with CSRF, and what an unauthenticated caller gets."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from rapport.core.models import ApiToken
from rapport.core.services.tokens import token_issue, token_revoke
from rapport.customers.models import Account
from tests.api.conftest import API, ApiClient, assert_problem, token_for
from tests.factories import PASSWORD


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "accounts"), ("get", "users/me"), ("post", "accounts"), ("patch", "users/me"), ("get", "jobs/x")],
)
def test_no_token_is_401_with_www_authenticate(db, anonymous_api, method, path):
    response = getattr(anonymous_api, method)(path)
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def test_bearer_token_works_and_marks_the_token_used(org):
    token, clear = token_issue(actor=org.salesperson, name="laptop")
    response = ApiClient(clear).get("users/me")
    assert response.status_code == 200
    assert response.json()["email"] == org.salesperson.email
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("header", ["Bearer rpt_wrong", "Bearer ", "Token abc", "Bearer " + "x" * 500])
def test_wrong_tokens_are_401(org, header):
    response = Client(headers={"Authorization": header}).get(f"{API}/users/me")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def test_revoked_token_is_401(org):
    token, clear = token_issue(actor=org.salesperson)
    client = ApiClient(clear)
    assert client.get("users/me").status_code == 200
    token_revoke(actor=org.salesperson, token_id=token.pk)
    assert_problem(client.get("users/me"), 401)


def test_token_of_a_deactivated_user_is_401(org):
    client = ApiClient(token_for(org.colleague))
    org.colleague.is_active = False
    org.colleague.save()
    assert_problem(client.get("users/me"), 401)


def test_unauthenticated_post_is_401_not_a_csrf_403(db):
    response = Client(enforce_csrf_checks=True).post(f"{API}/accounts", "{}", content_type="application/json")
    assert_problem(response, 401)


def test_session_reads_without_csrf_but_writes_need_the_csrf_token(org):
    client = Client(enforce_csrf_checks=True)
    assert client.login(email=org.salesperson.email, password=PASSWORD)
    assert client.get(f"{API}/users/me").json()["id"] == org.salesperson.pk

    refused = client.post(f"{API}/accounts", '{"name": "Via session"}', content_type="application/json")
    assert_problem(refused, 403)
    assert not Account.objects.exists()

    secret = "a" * 32  # a CSRF secret as the cookie would carry it
    client.cookies["csrftoken"] = secret
    accepted = client.post(
        f"{API}/accounts", '{"name": "Via session"}', content_type="application/json", headers={"X-CSRFToken": secret}
    )
    assert accepted.status_code == 201, accepted.content
    assert Account.objects.get().owner == org.salesperson


def test_bearer_request_needs_no_csrf_token(org):
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token_for(org.salesperson)}"})
    response = client.post(f"{API}/accounts", '{"name": "Via token"}', content_type="application/json")
    assert response.status_code == 201


def test_token_user_gets_answers_in_their_language(org):
    org.salesperson.language = "pl"
    org.salesperson.save()
    response = ApiClient(token_for(org.salesperson)).get("users/me")
    assert response["Content-Language"] == "pl"
    assert ApiClient(token_for(org.colleague)).get("users/me")["Content-Language"] == "en"


def test_tokens_are_stored_hashed(org):
    token, clear = token_issue(actor=org.salesperson)
    stored = ApiToken.objects.get(pk=token.pk)
    assert clear not in {stored.key_hash, stored.prefix, stored.name}
    assert clear.startswith(stored.prefix)
    assert stored.revoked_at is None and stored.created_at <= timezone.now()
