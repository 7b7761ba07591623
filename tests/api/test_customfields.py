"""`/api/v1/custom-fields`, custom field values on accounts through the API, and the OpenAPI schema."""

from __future__ import annotations

import pytest

from rapport.core.customfields import NOT_A_CHOICE, NOT_A_NUMBER, REQUIRED, UNKNOWN_FIELD
from rapport.core.models import Currency, CustomField
from rapport.core.services.customfields import CHOICES_NEEDED, KEY_TAKEN, TYPE_FIXED, UNKNOWN_RECORD_TYPE
from rapport.customers.models import Account
from tests.api.conftest import assert_problem, db_snapshot
from tests.factories import AccountFactory

FIELD_KEYS = {"id", "record_type", "key", "label", "field_type", "required", "choices", "help_text", "position"}


def _field(api, **body):
    response = api.post("custom-fields", {"record_type": "account", "label": body.get("key", "x"), **body})
    assert response.status_code == 201, response.content
    return response.json()


# --- definitions -------------------------------------------------------------------------------


def test_admin_defines_fields_and_everyone_reads_them(org, api_for):
    api = api_for(org.admin)
    tier = _field(api, key="tier", field_type="choice", choices=["Gold", "Silver"], help_text="Support tier")
    assert set(tier) == FIELD_KEYS
    assert tier == {
        **tier,
        "record_type": "account",
        "field_type": "choice",
        "choices": ["Gold", "Silver"],
        "position": 0,
    }
    _field(api, key="nickname", record_type="contact", field_type="text")
    second = _field(api, key="score", field_type="number", required=True)
    assert second["position"] == 1

    reader = api_for(org.salesperson)
    everything = reader.get("custom-fields").json()
    assert everything["count"] == 3
    accounts_only = reader.get("custom-fields", record_type="account").json()
    assert [f["key"] for f in accounts_only["items"]] == ["tier", "score"]
    assert reader.get(f"custom-fields/{tier['id']}").json() == tier
    assert_problem(reader.get("custom-fields/999999"), 404)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"key": "Bad Key", "field_type": "text"}, {"key"}),
        ({"key": "ok", "field_type": "colour"}, {"field_type"}),
        ({"key": "ok", "field_type": "text", "record_type": "invoice"}, {"record_type"}),
        ({"key": "ok", "field_type": "choice", "choices": []}, {"choices"}),
        ({"key": "ok", "field_type": "text", "label": ""}, {"label"}),
        ({"key": "ok", "field_type": "text", "position": -1}, {"position"}),
    ],
)
def test_invalid_definitions_are_422(org, api_for, body, errors):
    api = api_for(org.admin)
    payload = {"record_type": "account", "label": "A label", **body}
    assert_problem(api.post("custom-fields", payload), 422, errors)
    assert not CustomField.objects.exists()


def test_definition_messages(org, api_for):
    api = api_for(org.admin)
    body = assert_problem(
        api.post("custom-fields", {"record_type": "deal", "key": "k", "label": "K", "field_type": "text"}), 422
    )
    assert body["errors"] == {"record_type": [str(UNKNOWN_RECORD_TYPE)]}
    no_choices = api.post(
        "custom-fields", {"record_type": "account", "key": "k", "label": "K", "field_type": "multi_choice"}
    )
    assert assert_problem(no_choices, 422)["errors"] == {"choices": [str(CHOICES_NEEDED)]}
    _field(api, key="k", field_type="text")
    taken = api.post("custom-fields", {"record_type": "account", "key": "k", "label": "K", "field_type": "text"})
    assert assert_problem(taken, 422)["errors"] == {"key": [str(KEY_TAKEN)]}


def test_admin_changes_and_removes_a_field(org, api_for):
    api = api_for(org.admin)
    field = _field(api, key="tier", field_type="choice", choices=["Gold"])
    changed = api.patch(
        f"custom-fields/{field['id']}", {"label": "Tier", "choices": ["Gold", "Platinum"], "required": True}
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["label"], changed.json()["choices"], changed.json()["required"]) == (
        "Tier",
        ["Gold", "Platinum"],
        True,
    )
    # key and record type are not patchable; the type is refused with a message
    before = db_snapshot()
    fixed = assert_problem(api.patch(f"custom-fields/{field['id']}", {"field_type": "text"}), 422)
    assert fixed["errors"] == {"field_type": [str(TYPE_FIXED)]}
    assert_problem(api.patch(f"custom-fields/{field['id']}", {"label": None}), 422, {"label"})
    assert db_snapshot() == before
    assert api.delete(f"custom-fields/{field['id']}").status_code == 204
    assert not CustomField.objects.exists()
    assert_problem(api.delete(f"custom-fields/{field['id']}"), 404)


@pytest.mark.parametrize("actor", ["emea_manager", "salesperson", "marketing", "executive"])
def test_only_administrators_write_field_definitions(org, api_for, actor):
    field = _field(api_for(org.admin), key="tier", field_type="text")
    api = api_for(getattr(org, actor))
    before = db_snapshot()
    assert_problem(
        api.post("custom-fields", {"record_type": "account", "key": "x", "label": "X", "field_type": "text"}), 403
    )
    assert_problem(api.patch(f"custom-fields/{field['id']}", {"label": "Mine"}), 403)
    assert_problem(api.delete(f"custom-fields/{field['id']}"), 403)
    assert db_snapshot() == before


# --- values on accounts ------------------------------------------------------------------------


@pytest.fixture
def account_fields(org, api_for):
    api = api_for(org.admin)
    _field(api, key="score", field_type="number", required=True)
    _field(api, key="tier", field_type="choice", choices=["Gold", "Silver"])
    _field(api, key="budget", field_type="money")
    _field(api, key="tags", field_type="multi_choice", choices=["a", "b", "c"])
    _field(api, key="vip", field_type="checkbox")
    _field(api, key="renewal", field_type="date")


def test_required_number_field_through_the_api(org, api_for, account_fields):
    api = api_for(org.salesperson)
    missing = assert_problem(api.post("accounts", {"name": "Acme"}), 422)
    assert missing["errors"] == {"custom_fields.score": [str(REQUIRED)]}
    wrong = assert_problem(api.post("accounts", {"name": "Acme", "custom_fields": {"score": "abc"}}), 422)
    assert wrong["errors"] == {"custom_fields.score": [str(NOT_A_NUMBER)]}
    assert not Account.objects.exists()

    created = api.post("accounts", {"name": "Acme", "custom_fields": {"score": "12,50", "tier": "Gold", "vip": "yes"}})
    assert created.status_code == 201, created.content
    assert created.json()["custom_fields"] == {"score": "12.5", "tier": "Gold", "vip": True}
    account = Account.objects.get()
    assert account.custom == {"score": "12.5", "tier": "Gold", "vip": True}


def test_custom_values_are_validated_and_normalised(org, api_for, account_fields):
    Currency.objects.get_or_create(code="EUR", defaults={"name": "Euro"})
    api = api_for(org.salesperson)
    account = api.post("accounts", {"name": "Acme", "custom_fields": {"score": 1}}).json()
    url = f"accounts/{account['id']}"
    errors = assert_problem(
        api.patch(
            url, {"custom_fields": {"tier": "Bronze", "budget": {"amount": "x"}, "nope": 1, "renewal": "31.12.2025"}}
        ),
        422,
    )["errors"]
    assert set(errors) == {"custom_fields.tier", "custom_fields.budget", "custom_fields.nope", "custom_fields.renewal"}
    assert errors["custom_fields.tier"] == [str(NOT_A_CHOICE % {"choices": "Gold, Silver"})]
    assert errors["custom_fields.nope"] == [str(UNKNOWN_FIELD)]
    assert Account.objects.get().custom == {"score": "1", "vip": False}

    good = api.patch(
        url,
        {
            "custom_fields": {
                "budget": {"amount": "1000.50", "currency": "eur"},
                "tags": ["c", "a"],
                "renewal": "2025-12-31",
            }
        },
    )
    assert good.status_code == 200, good.content
    # a partial change keeps the other values; amounts stay decimal strings, choices in their defined order
    assert good.json()["custom_fields"] == {
        "score": "1",
        "vip": False,
        "budget": {"amount": "1000.5", "currency": "EUR"},
        "tags": ["a", "c"],
        "renewal": "2025-12-31",
    }


def test_cf_filter_on_the_account_list(org, api_for, account_fields):
    api = api_for(org.salesperson)
    gold = AccountFactory.create(owner=org.salesperson, name="Gold one", custom={"score": "1", "tier": "Gold"})
    AccountFactory.create(owner=org.salesperson, name="Silver one", custom={"score": "1", "tier": "Silver"})
    body = api.get("accounts", cf_tier="Gold").json()
    assert (body["count"], [a["id"] for a in body["items"]]) == (1, [gold.pk])
    assert_problem(api.get("accounts", cf_score="abc"), 422, {"cf_score"})


# --- the OpenAPI document ----------------------------------------------------------------------


def _schemas(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()["components"]["schemas"]


def test_openapi_lists_custom_fields_per_record_type(org, api_for, account_fields, client):
    _field(api_for(org.admin), key="nickname", record_type="contact", field_type="text", required=True)
    schemas = _schemas(client)
    out = schemas["AccountOut"]["properties"]["custom_fields"]
    assert list(out["properties"]) == ["score", "tier", "budget", "tags", "vip", "renewal"]
    assert out["properties"]["score"]["type"] == "string" and "pattern" in out["properties"]["score"]
    assert out["properties"]["tier"]["enum"] == ["Gold", "Silver"]
    assert out["properties"]["budget"]["type"] == "object"
    assert set(out["properties"]["budget"]["properties"]) == {"amount", "currency"}
    assert out["properties"]["tags"] == {
        **out["properties"]["tags"],
        "type": "array",
        "items": {"type": "string", "enum": ["a", "b", "c"]},
    }
    assert out["properties"]["vip"]["type"] == "boolean"
    assert out["properties"]["renewal"]["format"] == "date"
    assert out["additionalProperties"] is False
    assert schemas["AccountIn"]["properties"]["custom_fields"]["required"] == ["score"]
    patch = schemas["AccountPatch"]["properties"]["custom_fields"]
    assert "required" not in patch["anyOf"][0] and patch["anyOf"][1] == {"type": "null"}
    for name in ("ContactOut", "ContactDetailOut", "ContactIn", "ContactPatch"):
        custom = schemas[name]["properties"]["custom_fields"]
        custom = custom.get("anyOf", [custom])[0]
        assert list(custom["properties"]) == ["nickname"], name
    assert schemas["ContactIn"]["properties"]["custom_fields"]["required"] == ["nickname"]


def test_a_new_field_shows_in_the_next_openapi_document(org, api_for, client):
    assert _schemas(client)["AccountOut"]["properties"]["custom_fields"]["properties"] == {}
    _field(api_for(org.admin), key="region_code", field_type="text")
    assert list(_schemas(client)["AccountOut"]["properties"]["custom_fields"]["properties"]) == ["region_code"]
    CustomField.objects.all().delete()
    assert _schemas(client)["AccountOut"]["properties"]["custom_fields"]["properties"] == {}
