"""What every API router shares: authentication, problem-details errors, list envelopes."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer

from rapport.core.errors import DomainError, InvalidInput
from rapport.core.models import User
from rapport.core.services.tokens import token_authenticate

T = TypeVar("T")

PROBLEM_JSON = "application/problem+json"

UNSTORABLE_TEXT = gettext_lazy("Remove the characters that cannot be stored (NUL characters and unpaired surrogates).")


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
    extensions: dict[str, Any] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    body.update(extensions or {})
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_JSON
    return response


def _storable(text: str) -> bool:
    """PostgreSQL refuses NUL in text and JSON, and no database encodes half of a surrogate pair."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unstorable(data: Any, path: str) -> Iterator[str]:
    """The dotted paths of the strings in decoded JSON that cannot be stored (a bad key names its object)."""
    if isinstance(data, str):
        if not _storable(data):
            yield path
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and not _storable(key):
                yield path
            else:
                yield from _unstorable(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _unstorable(item, f"{path}.{index}" if path else str(index))


def _refuse_unstorable(paths: Iterable[str]) -> None:
    errors = {path or "detail": [str(UNSTORABLE_TEXT)] for path in paths}
    if errors:
        raise InvalidInput(errors)


class StorableTextParser(Parser):
    """Ninja's JSON body and query-string parser, refusing text no database can store (a 422, not a 500).

    One check for every route, field and custom field, on SQLite and PostgreSQL alike. A body that
    is not a JSON object is a 400, as one that is not JSON.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            # Every body is an object; Ninja would read the fields of `[]` or `3` as all missing.
            raise ValueError("The request body is not a JSON object.")
        _refuse_unstorable(_unstorable(data, ""))
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        _refuse_unstorable(
            key if _storable(key) else ""
            for key, values in data.lists()
            if not _storable(key) or not all(_storable(v) for v in values if isinstance(v, str))
        )
        return super().parse_querydict(data, list_fields, request)


def _ninja_field(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data")]
    return ".".join(parts) or "detail"


def install_error_handlers(api: NinjaAPI) -> None:
    # Lazy: the handlers are installed once, at import; each answer reads in the requester's language.
    titles = {
        400: gettext_lazy("Bad request"),
        401: gettext_lazy("Not authenticated"),
        403: gettext_lazy("Forbidden"),
        404: gettext_lazy("Not found"),
        409: gettext_lazy("Conflict"),
        422: gettext_lazy("Invalid input"),
    }

    @api.exception_handler(InvalidInput)
    def invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
        return problem(request, api, 422, str(titles[422]), exc.message, exc.errors)

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        title = str(titles.get(exc.status, titles[400]))
        return problem(request, api, exc.status, title, exc.message, extensions=exc.extensions())

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
        if isinstance(exc.__cause__, InvalidInput):  # Ninja wraps every body parser error in a 400
            return invalid_input(request, exc.__cause__)
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
