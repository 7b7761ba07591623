"""Custom fields: one validation for every door, admin-only definitions, list filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from rapport.core.customfields import (
    NOT_A_CHOICE,
    NOT_A_DATE,
    NOT_A_NUMBER,
    NOT_A_URL,
    NOT_AN_EMAIL,
    NOT_MONEY,
    NOT_YES_NO,
    REQUIRED,
    TOO_LONG,
    UNKNOWN_CURRENCY,
    UNKNOWN_FIELD,
    clean_value,
    clean_values,
)
from rapport.core.errors import ActionNotAllowed, InvalidInput
from rapport.core.models import CustomField
from rapport.core.models.customfields import key_validator
from rapport.core.services.customfields import (
    CHOICES_NEEDED,
    KEY_TAKEN,
    TYPE_FIXED,
    UNKNOWN_RECORD_TYPE,
    custom_field_create,
    custom_field_delete,
    custom_field_update,
)
from rapport.customers import services
from rapport.customers.models import Account, Contact
from rapport.customers.selectors import ACCOUNT_LIST
from tests.core.support import db_state, names
from tests.factories import AccountFactory

TIERS = ["Gold", "Silver"]
SECTORS = ["Retail", "Energy", "Public"]


def field(field_type: str, choices: list[str] | None = None, required: bool = False) -> CustomField:
    return CustomField(key="f", label="F", field_type=field_type, choices=choices or [], required=required)


# --- one value per type ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field_type", "choices", "raw", "stored"),
    [
        ("text", None, "  Hello  ", "Hello"),
        ("text", None, "x" * 1000, "x" * 1000),
        ("text", None, "   ", None),
        ("number", None, "1 234,50", "1234.5"),
        ("number", None, "1\u00a0234,50", "1234.5"),
        ("number", None, Decimal("12.50"), "12.5"),
        ("number", None, 7, "7"),
        ("number", None, "-0,25", "-0.25"),
        ("number", None, "1E+3", "1000"),
        ("number", None, None, None),
        ("money", None, {"amount": "12,50", "currency": " eur "}, {"amount": "12.5", "currency": "EUR"}),
        ("money", None, {"amount": 3, "currency": "PLN"}, {"amount": "3", "currency": "PLN"}),
        ("date", None, "2024-02-29", "2024-02-29"),
        ("date", None, dt.date(2024, 5, 1), "2024-05-01"),
        ("date", None, dt.datetime(2024, 5, 1, 23, 30, tzinfo=dt.UTC), "2024-05-01"),
        ("choice", TIERS, " Silver ", "Silver"),
        ("choice", TIERS, "", None),
        ("multi_choice", SECTORS, "Public, Retail", ["Retail", "Public"]),
        ("multi_choice", SECTORS, ["Energy", "Energy"], ["Energy"]),
        ("checkbox", None, "yes", True),
        ("checkbox", None, "No", False),
        ("checkbox", None, "1", True),
        ("checkbox", None, True, True),
        ("checkbox", None, "", False),
        ("checkbox", None, None, False),
        ("email", None, " Anna@Example.COM ", "anna@example.com"),
        ("url", None, "https://example.com/a?b=1", "https://example.com/a?b=1"),
    ],
)
def test_a_valid_value_is_stored_in_its_canonical_form(db, field_type, choices, raw, stored):
    assert clean_value(field(field_type, choices), raw) == stored


@pytest.mark.parametrize(
    ("field_type", "choices", "raw", "message"),
    [
        ("text", None, "x" * 1001, TOO_LONG % {"limit": 1000}),
        ("number", None, "abc", NOT_A_NUMBER),
        ("number", None, "1.2.3", NOT_A_NUMBER),
        ("number", None, "NaN", NOT_A_NUMBER),
        ("number", None, "-Infinity", NOT_A_NUMBER),
        ("number", None, float("nan"), NOT_A_NUMBER),
        ("number", None, True, NOT_A_NUMBER),
        ("number", None, "1" * 19, NOT_A_NUMBER),
        ("number", None, "1e400", NOT_A_NUMBER),
        ("number", None, "1e-400", NOT_A_NUMBER),
        ("money", None, "12.50", NOT_MONEY),
        ("money", None, {"amount": "12"}, NOT_MONEY),
        ("money", None, {"amount": "12", "currency": "XYZ"}, UNKNOWN_CURRENCY % {"code": "XYZ"}),
        ("money", None, {"amount": "abc", "currency": "EUR"}, NOT_A_NUMBER),
        ("date", None, "29.02.2024", NOT_A_DATE),
        ("date", None, "2023-02-29", NOT_A_DATE),
        ("date", None, "tomorrow", NOT_A_DATE),
        ("choice", TIERS, "Bronze", NOT_A_CHOICE % {"choices": "Gold, Silver"}),
        ("choice", TIERS, "gold", NOT_A_CHOICE % {"choices": "Gold, Silver"}),
        ("multi_choice", SECTORS, ["Retail", "Mining"], NOT_A_CHOICE % {"choices": "Retail, Energy, Public"}),
        ("checkbox", None, "maybe", NOT_YES_NO),
        ("email", None, "not-an-email", NOT_AN_EMAIL),
        ("url", None, "ftp://example.com/file", NOT_A_URL),
        ("url", None, "javascript:alert(1)", NOT_A_URL),
        ("url", None, "example", NOT_A_URL),
    ],
)
def test_a_wrong_value_is_refused_with_a_message_for_a_person(db, field_type, choices, raw, message):
    with pytest.raises(ValidationError) as caught:
        clean_value(field(field_type, choices), raw)
    assert caught.value.messages == [str(message)]


@pytest.mark.parametrize(
    ("field_type", "choices", "raw"),
    [
        ("text", None, ""),
        ("text", None, "   "),
        ("number", None, None),
        ("date", None, ""),
        ("choice", TIERS, ""),
        ("multi_choice", SECTORS, []),
        ("multi_choice", SECTORS, " , "),
        ("money", None, {}),
        ("email", None, ""),
    ],
)
def test_a_required_field_needs_a_value(db, field_type, choices, raw):
    with pytest.raises(ValidationError) as caught:
        clean_value(field(field_type, choices, required=True), raw)
    assert caught.value.messages == [str(REQUIRED)]


@given(st.decimals(min_value=-(10**12) + 1, max_value=10**12 - 1, places=6))
def test_any_decimal_stored_through_a_number_field_comes_back_equal(value):
    number = field("number")
    stored = clean_value(number, value)
    assert Decimal(stored) == value
    assert clean_value(number, stored) == stored
    # Typed the Polish way, with a decimal comma and spaces between thousands.
    whole, _point, fraction = format(abs(value), "f").partition(".")
    grouped = " ".join(whole[max(0, i - 3) : i] for i in range(len(whole), 0, -3)[::-1])
    polish = ("-" if value < 0 else "") + grouped + ("," + fraction if fraction else "")
    assert clean_value(number, polish) == stored


@given(st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.none()))
def test_a_number_field_answers_any_input_with_a_value_or_a_message(raw):
    try:
        stored = clean_value(field("number"), raw)
    except ValidationError as exc:
        assert exc.messages == [str(NOT_A_NUMBER)]
    else:
        assert stored is None or Decimal(stored).is_finite()


# --- definitions (administrators only) -----------------------------------------------------------


@pytest.fixture
def fields(org) -> dict[str, CustomField]:
    specs: list[tuple[str, str, dict[str, Any]]] = [
        ("note", "text", {}),
        ("size", "number", {}),
        ("budget", "money", {}),
        ("renewal", "date", {}),
        ("tier", "choice", {"choices": TIERS}),
        ("sectors", "multi_choice", {"choices": SECTORS}),
        ("vip", "checkbox", {}),
        ("billing_email", "email", {}),
        ("portal", "url", {}),
    ]
    return {
        key: custom_field_create(
            actor=org.admin, record_type="account", key=key, label=key.title(), field_type=field_type, **extra
        )
        for key, field_type, extra in specs
    }


def test_fields_are_listed_in_the_order_they_were_added(fields):
    assert [f.key for f in CustomField.objects.filter(record_type="account")] == list(fields)
    assert [f.position for f in fields.values()] == list(range(len(fields)))


@pytest.mark.parametrize("who", ["emea_manager", "salesperson", "marketing", "executive", "department_member"])
def test_only_administrators_define_fields(org, fields, who):
    actor = getattr(org, who)
    tier = fields["tier"]
    with pytest.raises(ActionNotAllowed):
        custom_field_create(actor=actor, record_type="account", key="x", label="X", field_type="text")
    with pytest.raises(ActionNotAllowed):
        custom_field_update(actor=actor, field=tier, label="Changed")
    with pytest.raises(ActionNotAllowed):
        custom_field_delete(actor=actor, field=tier)
    assert CustomField.objects.count() == len(fields)
    assert CustomField.objects.get(pk=tier.pk).label == "Tier"


def test_an_inactive_administrator_cannot_define_fields(org):
    org.admin.is_active = False
    with pytest.raises(ActionNotAllowed):
        custom_field_create(actor=org.admin, record_type="account", key="x", label="X", field_type="text")
    assert not CustomField.objects.exists()


def test_a_key_is_unique_per_record_type(org, fields):
    with pytest.raises(InvalidInput) as caught:
        custom_field_create(actor=org.admin, record_type="account", key="tier", label="Again", field_type="text")
    assert caught.value.errors == {"key": [str(KEY_TAKEN)]}
    contact_tier = custom_field_create(actor=org.admin, record_type="contact", key="tier", label="T", field_type="text")
    assert contact_tier.record_type == "contact"


@pytest.mark.parametrize("choices", [None, [], ["  ", ""], "", " , "])
def test_a_choice_field_needs_choices(org, choices):
    for field_type in ("choice", "multi_choice"):
        with pytest.raises(InvalidInput) as caught:
            custom_field_create(
                actor=org.admin, record_type="account", key="k", label="K", field_type=field_type, choices=choices
            )
        assert caught.value.errors == {"choices": [str(CHOICES_NEEDED)]}
    assert not CustomField.objects.exists()


@pytest.mark.parametrize(
    ("given", "kept"),
    [("Gold, Silver, Gold", ["Gold", "Silver"]), ("Gold\nSilver, plated", ["Gold", "Silver, plated"])],
)
def test_choices_may_be_typed_as_text(org, given, kept):
    tier = custom_field_create(
        actor=org.admin, record_type="account", key="tier", label="Tier", field_type="choice", choices=given
    )
    assert CustomField.objects.get(pk=tier.pk).choices == kept


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"key": "Bad Key"}, {"key": [str(key_validator.message)]}),
        ({"key": "1st"}, {"key": [str(key_validator.message)]}),
        ({"record_type": "planet"}, {"record_type": [str(UNKNOWN_RECORD_TYPE)]}),
        ({"label": ""}, {"label": ["This field cannot be blank."]}),
    ],
)
def test_a_definition_with_wrong_parts_is_refused(org, changes, errors):
    values = {"record_type": "account", "key": "ok", "label": "OK", "field_type": "text"} | changes
    with pytest.raises(InvalidInput) as caught:
        custom_field_create(actor=org.admin, **values)
    assert caught.value.errors == errors
    assert not CustomField.objects.exists()


def test_an_unknown_type_is_refused(org):
    with pytest.raises(InvalidInput) as caught:
        custom_field_create(actor=org.admin, record_type="account", key="k", label="K", field_type="colour")
    assert list(caught.value.errors) == ["field_type"]


def test_a_fields_label_and_choices_change_but_not_its_type_or_key(org, fields):
    tier = fields["tier"]
    custom_field_update(actor=org.admin, field=tier, label="Level", choices=["Gold", "Silver", "Bronze"], key="level")
    stored = CustomField.objects.get(pk=tier.pk)
    assert (stored.key, stored.label, stored.choices) == ("tier", "Level", ["Gold", "Silver", "Bronze"])

    with pytest.raises(InvalidInput) as caught:
        custom_field_update(actor=org.admin, field=CustomField.objects.get(pk=tier.pk), field_type="text")
    assert caught.value.errors == {"field_type": [str(TYPE_FIXED)]}
    with pytest.raises(InvalidInput) as caught:
        custom_field_update(actor=org.admin, field=CustomField.objects.get(pk=tier.pk), choices=[])
    assert caught.value.errors == {"choices": [str(CHOICES_NEEDED)]}
    assert CustomField.objects.get(pk=tier.pk).field_type == "choice"
    custom_field_update(actor=org.admin, field=CustomField.objects.get(pk=tier.pk), field_type="choice")


def test_a_deleted_field_is_no_longer_accepted(org, fields):
    custom_field_delete(actor=org.admin, field=fields["vip"])
    with pytest.raises(InvalidInput) as caught:
        clean_values("account", {"vip": True})
    assert caught.value.errors == {"custom_fields.vip": [str(UNKNOWN_FIELD)]}


# --- through the services --------------------------------------------------------------------------


def test_unknown_keys_and_every_wrong_value_are_reported_together(fields):
    with pytest.raises(InvalidInput) as caught:
        clean_values("account", {"nope": 1, "size": "abc", "tier": "Bronze", "renewal": "soon"})
    assert caught.value.errors == {
        "custom_fields.nope": [str(UNKNOWN_FIELD)],
        "custom_fields.size": [str(NOT_A_NUMBER)],
        "custom_fields.tier": [str(NOT_A_CHOICE % {"choices": "Gold, Silver"})],
        "custom_fields.renewal": [str(NOT_A_DATE)],
    }


def test_create_stores_canonical_values_and_unticked_checkboxes(org, fields):
    account = services.account_create(
        actor=org.salesperson,
        name="Acme",
        custom_fields={"size": "1 234,50", "sectors": "Public, Retail", "budget": {"amount": "10", "currency": "usd"}},
    )
    assert Account.objects.get(pk=account.pk).custom == {
        "size": "1234.5",
        "sectors": ["Retail", "Public"],
        "budget": {"amount": "10", "currency": "USD"},
        "vip": False,
    }


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"size": "abc"}, {"custom_fields.size": [str(NOT_A_NUMBER)]}),
        (
            {"budget": {"amount": "5", "currency": "XXX"}},
            {"custom_fields.budget": [str(UNKNOWN_CURRENCY % {"code": "XXX"})]},
        ),
        ({"colour": "red"}, {"custom_fields.colour": [str(UNKNOWN_FIELD)]}),
    ],
)
def test_services_refuse_bad_values_and_change_nothing(org, fields, values, errors):
    account = services.account_create(actor=org.salesperson, name="Acme", custom_fields={"size": "5", "tier": "Gold"})
    before = db_state()
    with pytest.raises(InvalidInput) as caught:
        services.account_update(actor=org.salesperson, account_id=account.pk, name="Renamed", custom_fields=values)
    assert caught.value.errors == errors
    with pytest.raises(InvalidInput) as caught:
        services.account_create(actor=org.salesperson, name="Other", custom_fields=values)
    assert caught.value.errors == errors
    assert db_state() == before


def test_a_required_field_is_needed_on_create_but_a_partial_update_may_leave_it_out(org, fields):
    custom_field_create(
        actor=org.admin, record_type="contact", key="source", label="Source", field_type="text", required=True
    )
    before = db_state()
    with pytest.raises(InvalidInput) as caught:
        services.contact_create(actor=org.salesperson, last_name="Nowak")
    assert caught.value.errors == {"custom_fields.source": [str(REQUIRED)]}
    assert db_state() == before
    contact = services.contact_create(actor=org.salesperson, last_name="Nowak", custom_fields={"source": "Fair"})
    services.contact_update(actor=org.salesperson, contact_id=contact.pk, custom_fields={}, title="CEO")
    assert Contact.objects.get(pk=contact.pk).custom == {"source": "Fair"}
    with pytest.raises(InvalidInput) as caught:
        services.contact_update(actor=org.salesperson, contact_id=contact.pk, custom_fields={"source": " "})
    assert caught.value.errors == {"custom_fields.source": [str(REQUIRED)]}
    with pytest.raises(InvalidInput):
        services.contact_update(actor=org.salesperson, contact_id=contact.pk, custom_fields={}, partial=False)
    assert Contact.objects.get(pk=contact.pk).custom == {"source": "Fair"}


def test_a_partial_update_keeps_the_other_values_and_an_empty_value_clears_one(org, fields):
    account = services.account_create(
        actor=org.salesperson, name="Acme", custom_fields={"size": "10", "tier": "Gold", "note": "Hi"}
    )
    services.account_update(actor=org.salesperson, account_id=account.pk, custom_fields={"size": "12", "note": ""})
    assert Account.objects.get(pk=account.pk).custom == {"size": "12", "tier": "Gold", "vip": False}
    services.account_update(actor=org.salesperson, account_id=account.pk, city="Kraków")
    assert Account.objects.get(pk=account.pk).custom == {"size": "12", "tier": "Gold", "vip": False}


# --- list filters ----------------------------------------------------------------------------------


@pytest.fixture
def filtered(org, fields):
    def make(name: str, owner: Any, custom: dict[str, Any]) -> None:
        services.account_create(actor=owner, name=name, custom_fields=custom)

    make(
        "Alpha",
        org.salesperson,
        {
            "size": "1234.5",
            "tier": "Gold",
            "sectors": ["Retail", "Energy"],
            "vip": True,
            "renewal": "2025-01-31",
            "budget": {"amount": "12.50", "currency": "EUR"},
            "note": "Key contact in Łódź",
            "billing_email": "ap@alpha.pl",
        },
    )
    make("Beta", org.salesperson, {"size": "10", "tier": "Silver", "sectors": ["Energy"], "note": "Other"})
    make("Gamma", org.colleague, {"tier": "Gold", "vip": True})
    AccountFactory.create(name="Legacy", owner=org.salesperson, custom={})  # saved before the fields existed
    return org


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"cf_size": "1 234,50"}, {"Alpha"}),
        ({"cf_size": "10.0"}, {"Beta"}),
        ({"cf_tier": "Gold"}, {"Alpha", "Gamma"}),
        ({"cf_sectors": "Energy"}, {"Alpha", "Beta"}),
        ({"cf_sectors": "Retail"}, {"Alpha"}),
        ({"cf_vip": "yes"}, {"Alpha", "Gamma"}),
        ({"cf_vip": "no"}, {"Beta", "Legacy"}),
        ({"cf_renewal": "2025-01-31"}, {"Alpha"}),
        ({"cf_budget": "12,5"}, {"Alpha"}),
        ({"cf_note": "key CONTACT"}, {"Alpha"}),
        ({"cf_note": "Łódź"}, {"Alpha"}),
        ({"cf_billing_email": "alpha.pl"}, {"Alpha"}),
        ({"cf_tier": "Gold", "cf_vip": "yes"}, {"Alpha", "Gamma"}),
        ({"cf_tier": "Gold", "cf_size": "10"}, set()),
        ({"cf_tier": ""}, {"Alpha", "Beta", "Gamma", "Legacy"}),
    ],
)
def test_a_list_filters_on_custom_fields(filtered, params, expected):
    assert names(ACCOUNT_LIST.apply(filtered.admin, params)) == expected


def test_a_custom_filter_still_applies_visibility(filtered):
    assert names(ACCOUNT_LIST.apply(filtered.salesperson, {"cf_tier": "Gold"})) == {"Alpha"}
    assert names(ACCOUNT_LIST.apply(filtered.other_salesperson, {"cf_tier": "Gold"})) == set()


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"cf_size": "abc"}, {"cf_size": [str(NOT_A_NUMBER)]}),
        ({"cf_renewal": "31.01.2025"}, {"cf_renewal": [str(NOT_A_DATE)]}),
        ({"cf_vip": "maybe", "cf_budget": "x"}, {"cf_vip": [str(NOT_YES_NO)], "cf_budget": [str(NOT_A_NUMBER)]}),
    ],
)
def test_a_wrong_custom_filter_is_refused_by_name(filtered, params, errors):
    with pytest.raises(InvalidInput) as caught:
        ACCOUNT_LIST.apply(filtered.admin, params)
    assert caught.value.errors == errors
