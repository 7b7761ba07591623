"""API test helpers: a client that sends a personal token, problem-details checks, a DB snapshot."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from rapport.core.api_support import PROBLEM_JSON
from rapport.core.models import ApiToken, User
from rapport.core.services.tokens import token_issue

API = "/api/v1"


class ApiClient:
    """Sends JSON with `Authorization: Bearer <token>` and decodes JSON answers."""

    def __init__(self, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = Client(headers=headers)

    def _call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        url = path if path.startswith("/") else f"{API}/{path}"
        send = getattr(self.client, method)
        if method == "get":
            return send(url, params or None)
        if method == "delete" and body is None:
            return send(url)
        return send(url, json.dumps(body if body is not None else {}), content_type="application/json")

    def get(self, path: str, **params: Any) -> Any:
        return self._call("get", path, **params)

    def post(self, path: str, body: Any = None) -> Any:
        return self._call("post", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self._call("patch", path, body)

    def put(self, path: str, body: Any = None) -> Any:
        return self._call("put", path, body)

    def delete(self, path: str) -> Any:
        return self._call("delete", path)


def token_for(user: User) -> str:
    token, clear = token_issue(actor=user, name="tests")
    # Marked as just used, so the first request does not write `last_used_at` (stable query counts).
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return clear


@pytest.fixture
def api_for(db: None) -> Callable[[User], ApiClient]:
    """`api_for(user)` → an ApiClient authenticated with a fresh personal token of that user."""
    return lambda user: ApiClient(token_for(user))


@pytest.fixture
def anonymous_api() -> ApiClient:
    return ApiClient(None)


def assert_problem(
    response: Any, status: int, fields: set[str] | None = None, detail: str | None = None
) -> dict[str, Any]:
    """The answer is an RFC 9457 problem with this status (and these fields in `errors`)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    if detail is not None:
        assert body["detail"] == detail
    if fields is not None:
        assert set(body.get("errors", {})) == fields, body
        assert all(isinstance(m, list) and m and all(isinstance(s, str) for s in m) for m in body["errors"].values())
    return body


def db_snapshot() -> dict[str, Any]:
    """Every row of every Rapport table except those a read legitimately touches (token use, sessions)."""
    skip = {"core.apitoken", "core.loginevent"}
    state: dict[str, Any] = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if (
            not label.startswith(("core.", "customers.", "leads.", "activities.", "catalog.", "pipeline.", "quotes."))
            or label in skip
        ):
            continue
        state[label] = list(model._base_manager.order_by("pk").values())
    state["tokens"] = list(ApiToken.objects.order_by("pk").values("pk", "revoked_at", "name"))
    return state
