"""Property-based fuzzing of the whole API with schemathesis, against the OpenAPI document it serves.

Every operation of `/api/v1/openapi.json` (with the custom fields of this scene) gets generated
requests, valid and invalid, sent in process to the WSGI application: as an administrator (who can
reach every route) with schemathesis's boundary-value "coverage" cases plus random fuzzing, and as
a plain salesperson with random fuzzing. Every answer must not be a 5xx, and must match the
document: status code, content type, headers and body schema.

Small generated ids (0 to 9,999) are turned into the ids of real records, so that the requests reach
existing accounts, contacts, users… on PostgreSQL too, where sequences are not reset between tests;
negative and huge ids go through as generated. Each request runs in a savepoint that is rolled
back, so every request sees the same records (a DELETE or a merge does not starve the next ones).
"""

from __future__ import annotations

import json
import traceback
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from unittest import mock

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.schemas import BaseSchema

from rapport.config.api import api
from rapport.core.api_support import UNSTORABLE_TEXT
from rapport.core.errors import INVALID_INPUT
from rapport.core.models import CustomField, CustomFieldType, Team, Territory, User
from rapport.core.services.customfields import custom_field_create
from rapport.core.services.tokens import token_issue
from rapport.customers.exports import export_start
from rapport.customers.models import Account, Contact, CustomerCategory
from rapport.leads.models import Lead
from tests.api.conftest import ApiClient, assert_problem, db_snapshot
from tests.conftest import Org
from tests.factories import AccountFactory, CategoryFactory, ContactFactory, LeadFactory, TerritoryFactory, lead_source

OPENAPI = "/api/v1/openapi.json"
MAX_EXAMPLES = 20  # random requests per operation and role, on top of the coverage cases
SMALL_ID_LIMIT = 10_000
NUL_EVERY = 4

# One custom field of every type on accounts and on contacts, so that their values are fuzzed too.
CUSTOM_FIELDS: list[dict[str, Any]] = [
    {
        "key": f"cf_{field_type}",
        "label": field_type.replace("_", " ").title(),
        "field_type": field_type,
        "choices": ["red", "green", "blue"] if field_type in ("choice", "multi_choice") else [],
        "position": position,
    }
    for position, field_type in enumerate(CustomFieldType.values)
]

# Path parameter → the kind of record it names.
PATH_KINDS = {
    "user_id": "user",
    "team_id": "team",
    "territory_id": "territory",
    "field_id": "custom_field",
    "token_id": "token",
    "account_id": "account",
    "contact_id": "contact",
    "lead_id": "lead",
}

# Body property → the kind of record it names (`parent` and `duplicate` depend on the resource: `_body_kind`).
BODY_KINDS = {
    "owner": "user",
    "manager": "user",
    "team": "team",
    "territory": "territory",
    "category": "category",
    "account": "account",
    "duplicate": "account",
    "ids": "lead",
}

# (Path prefix, body property) → a plausible value for a string the API checks beyond the document
# (an e-mail address, a record type, a key), used instead of half of the generated ones so that
# creations get past that check and reach the rest of the service.
PLAUSIBLE: dict[tuple[str, str], Callable[[str], str]] = {
    ("/api/v1/users", "email"): lambda text: f"fuzz.{len(text)}@example.com",
    ("/api/v1/custom-fields", "record_type"): lambda text: ("account", "contact")[len(text) // 2 % 2],
    ("/api/v1/custom-fields", "key"): lambda text: f"fuzz_{len(text)}",
}


# --- the document and the two schemathesis schemas -------------------------------------------------


def _document() -> dict[str, Any]:
    """What `/api/v1/openapi.json` serves once `CUSTOM_FIELDS` exist (`test_the_fuzzed_document_is_served`).

    Built at import time, before there is a database: the custom fields come from `CUSTOM_FIELDS`
    instead of their table.
    """
    with mock.patch("rapport.core.api_customfields.CustomField") as model:
        model.objects.filter.side_effect = lambda record_type: [
            CustomField(record_type=record_type, **definition) for definition in CUSTOM_FIELDS
        ]
        document = api.get_openapi_schema()
    return json.loads(json.dumps(document, cls=DjangoJSONEncoder))


def _schema(*, thorough: bool) -> BaseSchema:
    """`thorough`: boundary-value cases too, and each request sent again without its token (ignored_auth)."""
    config = SchemathesisConfig.from_dict(
        {
            "seed": 20260101,
            "cache": {"enabled": False},
            "generation": {"mode": "all", "deterministic": True, "max-examples": MAX_EXAMPLES},
            # The coverage phase sends the boundary values of every field (lengths, bounds, enums) as
            # valid requests; invalid ones come from the random phase, which is cheaper to keep short.
            "phases": {"coverage": {"enabled": thorough, "generation": {"mode": "positive"}}},
            "checks": {
                # Both judge the API's validation by the document alone, and Rapport validates more
                # than a JSON Schema says: an `ordering` or a referenced id must exist, an e-mail must
                # be an address (positive_data_acceptance). It is also lenient where people type:
                # "" / {} / [] mean "no value", "yes" ticks a checkbox (negative_data_rejection).
                "positive_data_acceptance": {"enabled": False},
                "negative_data_rejection": {"enabled": False},
                "ignored_auth": {"enabled": thorough},
            },
        }
    )
    schema = schemathesis.openapi.from_dict(_document(), config=config)
    schema.app = WSGIHandler()
    return schema


as_administrator = _schema(thorough=True)
as_salesperson = _schema(thorough=False)

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # The scene is built once per operation on purpose: every request rolls its changes back.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


# --- the scene ---------------------------------------------------------------------------------------


@dataclass
class Scene:
    """Who calls, with which token, and the ids of the records generated ids are mapped onto."""

    actor: User
    token: str
    ids: dict[str, list[int]]
    job_id: str

    def real(self, kind: str, value: Any) -> Any:
        """A small id (0 to 9,999) → one of the records of that kind; other values stay as generated."""
        known = self.ids.get(kind, [])
        if isinstance(value, str) and value.isascii() and value.isdigit():
            number = int(value)  # path parameters may come as text
        elif isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            return value
        if known and 0 <= number < SMALL_ID_LIMIT:
            return type(value)(known[number % len(known)])
        return value


def _ids(queryset: Any) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True))


def _build_scene(org: Org, actor: User, run_on_commit: Any) -> Scene:
    """A few territories, categories, accounts (with a hierarchy) and contacts across two teams."""
    europe = TerritoryFactory.create(name="Europe")
    TerritoryFactory.create(name="Poland", parent=europe)
    key_account = CategoryFactory.create(name="Key account")
    CategoryFactory.create(name="SMB")
    for record_type in ("account", "contact", "lead", "opportunity", "activity", "quote"):
        for definition in CUSTOM_FIELDS:
            custom_field_create(actor=org.admin, record_type=record_type, **definition)
    owners = [org.salesperson, org.colleague, org.other_salesperson, org.admin]
    holding = AccountFactory.create(name="Holding", owner=org.salesperson, category=key_account, territory=europe)
    accounts = [holding] + [
        AccountFactory.create(owner=owners[i % len(owners)], parent=holding if i % 2 else None) for i in range(5)
    ]
    for i in range(6):
        ContactFactory.create(owner=owners[i % len(owners)], account=accounts[i % len(accounts)])
    for i in range(6):  # twins two by two (duplicates to find), one without a company (convert: contact only)
        LeadFactory.create(
            owner=owners[i % len(owners)],
            last_name=f"Lead {i // 2}",
            email=f"lead{i // 2}@example.com",
            company="" if i == 5 else f"Company {i // 2}",
            source=lead_source("event") if i % 2 else None,
        )
    token_issue(actor=actor, name="another")
    token = token_issue(actor=actor, name="fuzz")[1]
    with run_on_commit(execute=True):  # the export runs, so the job has a file to download
        job = export_start(actor=actor, record_type="account", params={}, file_format="csv")
    return Scene(
        actor=actor,
        token=token,
        ids={
            "user": _ids(User.objects.all()),
            "team": _ids(Team.objects.all()),
            "territory": _ids(Territory.objects.all()),
            "category": _ids(CustomerCategory.objects.all()),
            "custom_field": _ids(CustomField.objects.all()),
            "token": _ids(actor.api_tokens.all()),
            "account": _ids(Account.objects.all()),
            "contact": _ids(Contact.objects.all()),
            "lead": _ids(Lead.objects.all()),
        },
        job_id=str(job.pk),
    )


@pytest.fixture
def admin_scene(org: Org, django_capture_on_commit_callbacks: Any) -> Scene:
    return _build_scene(org, org.admin, django_capture_on_commit_callbacks)


@pytest.fixture
def sales_scene(org: Org, django_capture_on_commit_callbacks: Any) -> Scene:
    return _build_scene(org, org.salesperson, django_capture_on_commit_callbacks)


@pytest.fixture
def server_errors() -> Iterator[list[str]]:
    """Tracebacks of the exceptions raised while handling requests: what made a 500."""
    caught: list[str] = []

    def record(sender: Any, **kwargs: Any) -> None:
        caught.append(traceback.format_exc())

    got_request_exception.connect(record)
    # A request handled in process must not close the test's database connection when it ends
    # (Django's test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield caught
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        got_request_exception.disconnect(record)


# --- one request -------------------------------------------------------------------------------------


def _body_kind(path: str, name: str) -> str | None:
    """The kind of record a body property names; `parent` and `duplicate` name one of the resource's own."""
    if name == "parent":
        for prefix, kind in (("/api/v1/teams", "team"), ("/api/v1/territories", "territory")):
            if path.startswith(prefix):
                return kind
        return "account"
    if name == "duplicate" and path.startswith("/api/v1/leads"):
        return "lead"
    return BODY_KINDS.get(name)


def _steer_ids(case: Any, scene: Scene) -> None:
    """Point small generated ids at real records (see the module docstring)."""
    for name, value in list((case.path_parameters or {}).items()):
        if name in PATH_KINDS:
            case.path_parameters[name] = scene.real(PATH_KINDS[name], value)
        elif name == "job_id" and isinstance(value, str):
            # Half of the well-formed job ids name the real export job.
            try:
                if uuid.UUID(value).int % 2 == 0:
                    case.path_parameters[name] = scene.job_id
            except ValueError:
                pass
    if isinstance(case.body, dict):
        for name, value in list(case.body.items()):
            kind = _body_kind(case.operation.path, name)
            if kind is not None and isinstance(value, list):
                case.body[name] = [scene.real(kind, item) for item in value]
            elif kind is not None:
                case.body[name] = scene.real(kind, value)
            plausible = PLAUSIBLE.get(("/".join(case.operation.path.split("/")[:4]), name))
            if plausible is not None and isinstance(value, str) and sum(map(ord, value)) % 2 == 0:
                case.body[name] = plausible(value)


def _text_slots(data: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key) of every string in decoded JSON, nested ones included."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        if isinstance(value, str):
            yield data, key
        else:
            yield from _text_slots(value)


def _inject_unstorable_text(case: Any) -> None:
    """In one request out of NUL_EVERY, one string gets a NUL character (or, in a body, an unpaired surrogate).

    PostgreSQL refuses both, so each must be a clear 422 wherever it is, never a 500. The fuzzer
    alone rarely sends them to the fields that reach the database.
    """
    digest = zlib.crc32(repr((case.operation.label, case.query, case.body)).encode("utf-8", "surrogatepass"))
    if digest % NUL_EVERY:
        return
    body_slots = list(_text_slots(case.body)) if isinstance(case.body, dict | list) else []
    query_slots = [(case.query, key) for key, value in (case.query or {}).items() if isinstance(value, str)]
    slots = body_slots + query_slots
    if not slots:
        return
    index = digest // NUL_EVERY % len(slots)
    container, key = slots[index]
    # A multipart form cannot even be encoded with a lone surrogate: form fields get NUL only.
    json_body = "json" in (case.media_type or "application/json")
    bad = "\ud800" if index < len(body_slots) and json_body and digest & 0x10000 else "\x00"
    text = container[key]
    container[key] = text[: len(text) // 2] + bad + text[len(text) // 2 :]


def _checks_for(case: Any) -> list[Any] | None:
    """Every configured check, unless the path matches no route (`/accounts/abc` for `{int:…}`).

    Such a request never reaches the API: Django answers it with its own 404 page, which the
    document does not describe, so only "no 5xx" is asked of it.
    """
    try:
        resolve(case.formatted_path)
    except Resolver404:
        return [not_a_server_error]
    return None


def _call_and_validate(case: Any, scene: Scene, server_errors: list[str]) -> None:
    _steer_ids(case, scene)
    _inject_unstorable_text(case)
    server_errors.clear()
    with transaction.atomic():
        try:
            case.call_and_validate(headers={"Authorization": f"Bearer {scene.token}"}, checks=_checks_for(case))
        except FailureGroup as exc:
            for trace in server_errors:
                exc.add_note(trace)
            raise
        finally:
            transaction.set_rollback(True)


# --- the tests ---------------------------------------------------------------------------------------


@FUZZ_SETTINGS
@as_administrator.parametrize()
def test_administrator_requests(case: Any, admin_scene: Scene, server_errors: list[str]) -> None:
    _call_and_validate(case, admin_scene, server_errors)


@FUZZ_SETTINGS
@as_salesperson.parametrize()
def test_salesperson_requests(case: Any, sales_scene: Scene, server_errors: list[str]) -> None:
    _call_and_validate(case, sales_scene, server_errors)


def test_the_fuzzed_document_is_served(admin_scene: Scene) -> None:
    """The schemas above were built from the document the API serves with this scene's custom fields."""
    response = Client(headers={"Authorization": f"Bearer {admin_scene.token}"}).get(OPENAPI)
    assert response.status_code == 200
    assert response.json() == as_administrator.raw_schema
    assert "cf_money" in json.dumps(response.json()["components"]["schemas"]["AccountIn"])


def test_a_server_error_fails_the_fuzz(admin_scene: Scene, server_errors: list[str]) -> None:
    """The harness notices a 500 and shows its traceback (a fuzz that cannot fail proves nothing)."""
    case = as_administrator["/api/v1/accounts/{account_id}"]["GET"].Case(path_parameters={"account_id": 0})
    with (
        mock.patch("rapport.customers.selectors.account_get", side_effect=RuntimeError("boom")),
        pytest.raises(FailureGroup) as caught,
    ):
        _call_and_validate(case, admin_scene, server_errors)
    assert "Server error" in str(caught.value)
    assert any("RuntimeError: boom" in note for note in caught.value.__notes__)


# --- what the fuzzer found, pinned -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("accounts", {"name": "Acme\x00"}, "name"),
        ("contacts", {"last_name": "Nowak", "city": "\x00"}, "city"),
        ("accounts", {"name": "Acme", "custom_fields": {"cf_text": "a\x00b"}}, "custom_fields.cf_text"),
        (
            "accounts",
            {"name": "Acme", "custom_fields": {"cf_multi_choice": ["red", "\ud800"]}},
            "custom_fields.cf_multi_choice.1",
        ),
        ("accounts", {"name": "Acme", "custom_fields": {"cf\x00": "x"}}, "custom_fields"),
        ("users/me/tokens", {"name": "laptop\x00"}, "name"),
        ("accounts/export", {"filters": {"q": "\x00"}}, "filters.q"),
    ],
)
def test_text_no_database_can_store_is_a_422(admin_scene: Scene, path: str, body: dict[str, Any], field: str) -> None:
    before = db_snapshot()
    response = ApiClient(admin_scene.token).post(path, body)
    problem = assert_problem(response, 422, fields={field})
    assert problem["errors"][field] == [str(UNSTORABLE_TEXT)]
    assert db_snapshot() == before


@pytest.mark.parametrize(
    ("query", "field"),
    [("q=%00", "q"), ("country=a%00", "country"), ("cf_cf_text=%00", "cf_cf_text"), ("x%00=1", "detail")],
)
def test_a_nul_in_the_query_string_is_a_422(admin_scene: Scene, query: str, field: str) -> None:
    response = ApiClient(admin_scene.token).get(f"/api/v1/accounts?{query}")
    problem = assert_problem(response, 422, fields={field}, detail=str(INVALID_INPUT))
    assert problem["errors"][field] == [str(UNSTORABLE_TEXT)]


@pytest.mark.parametrize("body", ["[]", "[null, null]", "3", "null", '"text"'])
def test_a_body_that_is_not_an_object_is_a_400(admin_scene: Scene, body: str) -> None:
    before = db_snapshot()
    response = ApiClient(admin_scene.token).client.post(
        "/api/v1/users/me/tokens", body, content_type="application/json"
    )
    assert_problem(response, 400)
    assert db_snapshot() == before


@pytest.mark.parametrize("record", ["account", "contact"])
def test_null_clears_a_text_field_and_a_required_one_stays(admin_scene: Scene, record: str) -> None:
    client = ApiClient(admin_scene.token)
    model = Account if record == "account" else Contact
    instance = model.objects.get(pk=admin_scene.ids[record][0])
    model.objects.filter(pk=instance.pk).update(region="Mazovia")
    response = client.patch(f"{record}s/{instance.pk}", {"region": None})
    assert response.status_code == 200, response.content
    assert response.json()["region"] == ""
    assert model.objects.get(pk=instance.pk).region == ""
    required = "name" if record == "account" else "last_name"
    assert_problem(client.patch(f"{record}s/{instance.pk}", {required: None}), 422, fields={required})
    assert getattr(model.objects.get(pk=instance.pk), required) == getattr(instance, required)
