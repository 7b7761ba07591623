"""What every API router shares: authentication, problem-details errors, list envelopes."""

from __future__ import annotations

import zoneinfo
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from rapport.core.errors import DomainError, InvalidInput
from rapport.core.models import User
from rapport.core.services.tokens import token_authenticate

T = TypeVar("T")

PROBLEM_JSON = "application/problem+json"


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
            # The session middleware saw an anonymous request: apply the person's preferences here.
            translation.activate(user.language or settings.LANGUAGE_CODE)
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session (the UI's own htmx calls); CSRF is checked for unsafe methods."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a signed-in session there is nothing to protect from CSRF: answer 401, not 403.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user if isinstance(user, User) else None
        return None


class ListOut(Schema, Generic[T]):
    items: list[T]
    count: int


class Problem(Schema):
    """RFC 9457 problem details; `errors` maps a field to its messages."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] | None = None


def problem(
    request: HttpRequest,
    api: NinjaAPI,
    status: int,
    title: str,
    detail: str,
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_JSON
    return response


def _ninja_field(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data")]
    return ".".join(parts) or "detail"


def install_error_handlers(api: NinjaAPI) -> None:
    titles = {
        400: _("Bad request"),
        401: _("Not authenticated"),
        403: _("Forbidden"),
        404: _("Not found"),
        409: _("Conflict"),
        422: _("Invalid input"),
    }

    @api.exception_handler(InvalidInput)
    def invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
        return problem(request, api, 422, str(titles[422]), exc.message, exc.errors)

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return problem(request, api, exc.status, str(titles.get(exc.status, titles[400])), exc.message)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(_ninja_field(list(error.get("loc", []))), []).append(str(error.get("msg", "")))
        return problem(request, api, 422, str(titles[422]), _("Some fields are not valid."), errors)

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem(request, api, 401, str(titles[401]), _("Send a valid token: Authorization: Bearer <token>."))
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(request, api, 404, str(titles[404]), _("Not found."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return problem(request, api, 403, str(titles[403]), _("You are not allowed to do this."))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        return problem(request, api, status, str(titles.get(status, titles[400])), str(exc))


def actor_of(request: HttpRequest) -> User:
    user = request.auth if isinstance(getattr(request, "auth", None), User) else request.user  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


_ERROR_RESPONSES = {
    400: "The request body is not valid JSON.",
    401: "No valid token or session.",
    403: "The role does not allow this (or the CSRF check of a session request failed).",
    404: "The record does not exist or is not visible to you.",
    409: "A business rule refuses the change.",
    422: "Some fields are not valid; `errors` names each one.",
}


def add_problem_responses(schema: dict[str, Any]) -> None:
    """Document the problem-details answers every operation may give, with the `Problem` schema."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    reference = {"$ref": "#/components/schemas/Problem"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in _ERROR_RESPONSES.items():
                if status == 400 and "requestBody" not in operation:
                    continue
                if status not in responses and str(status) not in responses:
                    responses[status] = {
                        "description": description,
                        "content": {PROBLEM_JSON: {"schema": reference}},
                    }
