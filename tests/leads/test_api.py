"""`/api/v1/leads` through the API: the contract, lists, create/change/delete, history, duplicates,
reference data, and who may see and do what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone

from rapport.core.listing import UNKNOWN_ORDER
from rapport.core.models import Notification, User
from rapport.core.services.customfields import custom_field_create
from rapport.leads.api import CANNOT_BE_EMPTY, STATUS_HAS_ITS_OWN_ACTION
from rapport.leads.dedupe import SAME_EMAIL, SAME_PHONE
from rapport.leads.models import AssignmentRule, Lead, LeadSource, LeadStatus, QualificationCriterion
from rapport.leads.selectors import LEAD_LIST
from rapport.leads.services.leads import OUT_OF_SCOPE, TOO_MANY_TAGS, UNKNOWN_CHOICE
from tests.api.conftest import ApiClient, assert_problem, db_snapshot, token_for
from tests.factories import ContactFactory, LeadFactory, lead_source

pytestmark = pytest.mark.django_db

#: what other clients rely on (issue 3, item 9), with the JSON types they get
CONTRACT: dict[str, type | tuple[type, ...]] = {
    "id": int,
    "first_name": str,
    "last_name": str,
    "company": str,
    "email": str,
    "phone": str,
    "country": str,
    "source": (str, type(None)),
    "status": str,
    "need_identified": bool,
    "owner": int,
    "score": int,
}
EVERY_FIELD = {
    *CONTRACT,
    "title",
    "website",
    "industry",
    "street",
    "city",
    "postal_code",
    "region",
    "territory",
    "campaign",
    "disqualify_reason",
    "need_description",
    "estimated_value_amount",
    "estimated_value_currency",
    "description",
    "tags",
    "qualification",
    "custom_fields",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "web_form",
    "converted_at",
    "converted_account",
    "converted_contact",
    "converted_opportunity",
    "created_at",
    "updated_at",
}


@pytest.fixture
def api_for() -> Callable[[User], ApiClient]:
    return lambda user: ApiClient(token_for(user))


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [lead["last_name"] for lead in response.json()["items"]]


# --- the contract ----------------------------------------------------------------------------------


def test_create_answers_the_contract_fields_with_their_types(org, api_for):
    response = api_for(org.salesperson).post(
        "leads",
        {
            "first_name": " Łukasz ",
            "last_name": "Żak",
            "company": "Żabka Sp. z o.o.",
            "email": "lukasz@zabka.pl",
            "phone": "601 234 567",
            "country": "Poland",
            "source": "web_form",
            "need_identified": True,
            "need_description": "Fifty handheld scanners",
            "estimated_value_amount": "1234.50",
            "estimated_value_currency": "pln",
            "tags": ["Fair 2026", "VIP", "vip "],
            "qualification": {"budget": True},
            "utm_source": "newsletter",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == EVERY_FIELD
    for field, kind in CONTRACT.items():
        assert isinstance(body[field], kind), field
    assert (body["first_name"], body["source"], body["status"], body["owner"]) == (
        "Łukasz",
        "web_form",
        "new",
        org.salesperson.pk,
    )
    assert (body["estimated_value_amount"], body["estimated_value_currency"]) == ("1234.50", "PLN")
    assert body["tags"] == ["Fair 2026", "VIP"]
    assert body["qualification"] == {"budget": True}
    assert body["converted_at"] is None and body["converted_account"] is None
    lead = Lead.objects.get(pk=body["id"])
    assert (lead.source and lead.source.code, lead.estimated_value_amount, lead.utm_source) == (
        "web_form",
        Decimal("1234.50"),
        "newsletter",
    )
    assert lead.created_by == org.salesperson
    # The detail answers the same as the creation.
    detail = api_for(org.salesperson).get(f"leads/{lead.pk}").json()
    assert {k: v for k, v in detail.items() if k != "updated_at"} == {
        k: v for k, v in body.items() if k != "updated_at"
    }


def test_source_by_id_and_no_source(org, api_for):
    api = api_for(org.salesperson)
    event = lead_source("event")
    assert api.post("leads", {"last_name": "Nowak", "source": event.pk}).json()["source"] == "event"
    assert api.post("leads", {"last_name": "Kowal"}).json()["source"] is None


def test_create_validation_changes_nothing(org, api_for):
    api = api_for(org.salesperson)
    before = db_snapshot()
    unknown_source = [str(UNKNOWN_CHOICE % {"what": "lead source"})]
    assert_problem(api.post("leads", {}), 422, {"last_name"})
    assert assert_problem(api.post("leads", {"last_name": "A", "source": "tv"}), 422, {"source"})["errors"] == {
        "source": unknown_source
    }
    assert_problem(api.post("leads", {"last_name": "A", "email": "not an address"}), 422, {"email"})
    assert_problem(api.post("leads", {"last_name": "A", "owner": 999_999_999}), 422, {"owner"})
    assert_problem(api.post("leads", {"last_name": "A", "estimated_value_amount": "10"}), 422)
    assert_problem(api.post("leads", {"last_name": "A", "estimated_value_amount": "ten"}), 422)
    assert_problem(api.post("leads", {"last_name": "A", "qualification": {"luck": True}}), 422, {"qualification.luck"})
    body = assert_problem(api.post("leads", {"last_name": "A", "tags": [f"t{i}" for i in range(31)]}), 422)
    assert body["errors"] == {"tags": [str(TOO_MANY_TAGS)]}
    assert_problem(api.post("leads", {"last_name": "A", "need_identified": "maybe"}), 422, {"need_identified"})
    assert_problem(api.post("leads", {"last_name": "A", "tags": "VIP"}), 422, {"tags"})
    assert_problem(api.post("leads", {"last_name": "A", "custom_fields": {"nope": 1}}), 422)
    assert db_snapshot() == before
    assert not Lead.objects.exists()


def test_assignment_rule_gives_the_owner_when_none_is_sent(org, api_for):
    AssignmentRule.objects.create(name="Poland", country="Poland", assign_to_user=org.colleague)
    api = api_for(org.salesperson)
    body = api.post("leads", {"last_name": "Wiśniewska", "country": "Poland"}).json()
    assert body["owner"] == org.colleague.pk
    assert Notification.objects.filter(recipient=org.colleague).count() == 1
    # The lead left the creator's sight: the answer still describes it, the detail is now hidden.
    assert_problem(api.get(f"leads/{body['id']}"), 404)
    # No rule matches, or an owner is chosen: the rule is not applied.
    assert api.post("leads", {"last_name": "Smith", "country": "Spain"}).json()["owner"] == org.salesperson.pk
    chosen = api.post("leads", {"last_name": "Nowak", "country": "Poland", "owner": org.salesperson.pk}).json()
    assert chosen["owner"] == org.salesperson.pk


def test_choosing_an_owner_out_of_ones_sight_is_refused(org, api_for):
    api = api_for(org.salesperson)
    before = db_snapshot()
    body = assert_problem(api.post("leads", {"last_name": "A", "owner": org.colleague.pk}), 409)
    assert body["detail"] == str(OUT_OF_SCOPE)
    assert db_snapshot() == before and not Lead.objects.exists()


def test_custom_fields_in_and_out(org, api_for):
    custom_field_create(actor=org.admin, record_type="lead", key="fleet", label="Fleet size", field_type="number")
    api = api_for(org.salesperson)
    body = api.post("leads", {"last_name": "Nowak", "custom_fields": {"fleet": "1 200"}}).json()
    assert body["custom_fields"] == {"fleet": "1200"}
    assert _names(api.get("leads", cf_fleet="1200")) == ["Nowak"]
    assert _names(api.get("leads", cf_fleet="7")) == []
    assert_problem(api.patch(f"leads/{body['id']}", {"custom_fields": {"fleet": "many"}}), 422, {"custom_fields.fleet"})
    schemas = api.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("LeadOut", "LeadIn", "LeadPatch"):
        assert "fleet" in str(schemas[name]["properties"]["custom_fields"]), name


# --- lists -----------------------------------------------------------------------------------------


def test_list_envelope_and_visibility_by_role(org, api_for):
    LeadFactory.create(owner=org.salesperson, last_name="Mine")
    LeadFactory.create(owner=org.colleague, last_name="Colleague's")
    LeadFactory.create(owner=org.emea_manager, last_name="Manager's")
    LeadFactory.create(owner=org.other_salesperson, last_name="Americas")
    body = api_for(org.salesperson).get("leads").json()
    assert set(body) == {"items", "count"} and body["count"] == 1
    assert body["items"][0]["owner"] == org.salesperson.pk
    assert sorted(_names(api_for(org.emea_manager).get("leads"))) == ["Colleague's", "Manager's", "Mine"]
    assert _names(api_for(org.department_member).get("leads")) == ["Americas"]
    everyone = ["Americas", "Colleague's", "Manager's", "Mine"]
    for role in ("marketing", "executive", "admin"):
        assert sorted(_names(api_for(getattr(org, role)).get("leads"))) == everyone, role


def test_list_filters(org, api_for):
    event, web = lead_source("event"), lead_source("web_form")
    a = LeadFactory.create(
        owner=org.salesperson,
        last_name="Adamska",
        company="Acme Polska",
        country="Poland",
        source=event,
        status=LeadStatus.CONTACTED,
        need_identified=True,
        campaign="Spring fair",
        score=40,
    )
    LeadFactory.create(owner=org.colleague, last_name="Bielecki", company="Beta", country="Germany", source=web)
    c = LeadFactory.create(owner=org.salesperson, last_name="Czarnecka", company="Acme GmbH", source=web, score=80)
    c.tags.create(name="VIP")
    Lead.objects.filter(pk=a.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    api = api_for(org.emea_manager)
    assert _names(api.get("leads", source="event")) == ["Adamska"]
    assert _names(api.get("leads", source=web.pk, ordering="name")) == ["Bielecki", "Czarnecka"]
    assert _names(api.get("leads", status="contacted")) == ["Adamska"]
    assert _names(api.get("leads", owner=org.colleague.pk)) == ["Bielecki"]
    assert _names(api.get("leads", team=org.poland.pk, ordering="name")) == ["Adamska", "Bielecki", "Czarnecka"]
    assert _names(api.get("leads", tag="vip")) == ["Czarnecka"]
    assert _names(api.get("leads", need_identified="true")) == ["Adamska"]
    assert _names(api.get("leads", score_min=50)) == ["Czarnecka"]
    assert _names(api.get("leads", score_max=50, score_min=10)) == ["Adamska"]
    assert _names(api.get("leads", country="germ")) == ["Bielecki"]
    assert _names(api.get("leads", company="acme", ordering="name")) == ["Adamska", "Czarnecka"]
    assert _names(api.get("leads", campaign="spring")) == ["Adamska"]
    assert _names(api.get("leads", q="acme pol")) == ["Adamska"]
    last_week = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    assert _names(api.get("leads", created_before=last_week)) == ["Adamska"]
    assert sorted(_names(api.get("leads", created_after=last_week))) == ["Bielecki", "Czarnecka"]
    assert _names(api.get("leads", owner="me")) == []


def test_list_ordering_pagination_and_bad_parameters(org, api_for):
    for name, score in [("B", 10), ("A", 30), ("C", 20)]:
        LeadFactory.create(owner=org.salesperson, last_name=name, score=score)
    api = api_for(org.salesperson)
    assert _names(api.get("leads", ordering="-score")) == ["A", "C", "B"]
    assert _names(api.get("leads", ordering="score")) == ["B", "C", "A"]
    assert _names(api.get("leads", ordering="name")) == ["A", "B", "C"]
    assert _names(api.get("leads")) == ["C", "A", "B"]  # newest first
    page = api.get("leads", ordering="name", limit=2, page=2).json()
    assert page["count"] == 3 and [lead["last_name"] for lead in page["items"]] == ["C"]
    body = assert_problem(api.get("leads", ordering="password"), 422, {"ordering"})
    assert body["errors"]["ordering"] == [str(UNKNOWN_ORDER % {"choices": ", ".join(LEAD_LIST.ordering_choices())})]
    assert_problem(api.get("leads", status="won"), 422, {"status"})
    assert_problem(api.get("leads", source="tv"), 422, {"source"})
    assert_problem(api.get("leads", owner="someone"), 422, {"owner"})
    assert_problem(api.get("leads", score_min="lots"), 422, {"score_min"})
    assert_problem(api.get("leads", score_min=2**40), 422, {"score_min"})
    assert_problem(api.get("leads", created_after="31.12.2026"), 422, {"created_after"})
    assert_problem(api.get("leads", limit=201), 422, {"limit"})


# --- change, delete, history -----------------------------------------------------------------------


def test_patch_is_partial_and_tags_replace(org, api_for):
    lead = LeadFactory.create(owner=org.salesperson, last_name="Nowak", city="Łódź", phone="+48 1")
    lead.tags.create(name="Old")
    api = api_for(org.salesperson)
    response = api.patch(f"leads/{lead.pk}", {"phone": "+48 22 000 00 00", "source": "referral", "tags": ["New"]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["city"], body["phone"], body["source"], body["tags"]) == (
        "Łódź",
        "+48 22 000 00 00",
        "referral",
        ["New"],
    )
    lead.refresh_from_db()
    assert (lead.last_name, lead.city, lead.source and lead.source.code) == ("Nowak", "Łódź", "referral")
    assert api.patch(f"leads/{lead.pk}", {"tags": None, "source": None}).json()["tags"] == []
    lead.refresh_from_db()
    assert (lead.source, list(lead.tags.all())) == (None, [])
    assert_problem(api.patch(f"leads/{lead.pk}", {"last_name": ""}), 422, {"last_name"})


def test_patch_refuses_to_empty_what_a_lead_always_has(org, api_for):
    lead = LeadFactory.create(owner=org.salesperson, last_name="Nowak", need_identified=True)
    api = api_for(org.salesperson)
    before = db_snapshot()
    body = assert_problem(
        api.patch(f"leads/{lead.pk}", {"owner": None, "need_identified": None, "last_name": None}), 422
    )
    assert body["errors"] == {name: [str(CANNOT_BE_EMPTY)] for name in ("owner", "need_identified", "last_name")}
    wrong_sources: tuple[object, ...] = (0, "0", "tv", [], True)
    for source in wrong_sources:
        assert_problem(api.patch(f"leads/{lead.pk}", {"source": source}), 422, {"source"})
    assert_problem(
        api.patch(f"leads/{lead.pk}", {"estimated_value_currency": "ZZZ"}), 422, {"estimated_value_currency"}
    )
    assert_problem(api.patch(f"leads/{lead.pk}", {"territory": 999_999_999}), 422, {"territory"})
    assert_problem(api.patch(f"leads/{lead.pk}", {"owner": 0}), 422, {"owner"})
    assert db_snapshot() == before


def test_patch_sets_new_or_contacted_only(org, api_for):
    lead = LeadFactory.create(owner=org.salesperson, last_name="Nowak")
    api = api_for(org.salesperson)
    body = api.patch(f"leads/{lead.pk}", {"status": "contacted", "city": "Kraków"}).json()
    assert (body["status"], body["city"]) == ("contacted", "Kraków")
    assert api.patch(f"leads/{lead.pk}", {"status": "new"}).json()["status"] == "new"
    before = db_snapshot()
    for status in ("qualified", "disqualified", "converted"):
        body = assert_problem(api.patch(f"leads/{lead.pk}", {"status": status, "city": "Gdańsk"}), 422, {"status"})
        assert body["errors"]["status"] == [str(STATUS_HAS_ITS_OWN_ACTION)]
    assert db_snapshot() == before
    lead.refresh_from_db()
    assert (lead.status, lead.city) == ("new", "Kraków")


def test_patch_that_fails_on_status_keeps_the_fields(org, api_for):
    """The fields and the status are one change: a refused status leaves the fields as they were."""
    lead = LeadFactory.create(owner=org.salesperson, last_name="Nowak", city="Łódź")
    lead.status, lead.disqualify_reason = LeadStatus.DISQUALIFIED, "No budget"
    lead.save()
    api = api_for(org.salesperson)
    body = api.patch(f"leads/{lead.pk}", {"status": "contacted", "city": "Kraków"}).json()
    assert (body["status"], body["disqualify_reason"], body["city"]) == ("contacted", "", "Kraków")


def test_delete_and_history(org, api_for):
    lead = LeadFactory.create(owner=org.salesperson, last_name="Nowak", city="Łódź")
    api = api_for(org.salesperson)
    api.patch(f"leads/{lead.pk}", {"city": "Kraków"})
    history = api.get(f"leads/{lead.pk}/history").json()
    assert history[0]["action"] == "update" and history[0]["changes"]["city"] == ["Łódź", "Kraków"]
    assert history[0]["actor"] == org.salesperson.pk
    # a salesperson may not delete leads (default rights); their manager may
    before = db_snapshot()
    assert_problem(api.delete(f"leads/{lead.pk}"), 403)
    assert db_snapshot() == before
    assert api_for(org.emea_manager).delete(f"leads/{lead.pk}").status_code == 204
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert_problem(api.get(f"leads/{lead.pk}"), 404)


def test_writes_by_role(org, api_for):
    """Marketing creates and edits every lead but deletes none; executives and department members only read."""
    lead = LeadFactory.create(owner=org.other_salesperson, last_name="Americas")
    marketing = api_for(org.marketing)
    assert marketing.patch(f"leads/{lead.pk}", {"campaign": "Autumn"}).json()["campaign"] == "Autumn"
    assert marketing.post("leads", {"last_name": "From marketing"}).status_code == 201
    assert_problem(marketing.delete(f"leads/{lead.pk}"), 403)
    readers = [api_for(org.executive), api_for(org.department_member)]
    before = db_snapshot()
    for api in readers:
        assert api.get(f"leads/{lead.pk}").json()["campaign"] == "Autumn"
        assert_problem(api.post("leads", {"last_name": "Nope"}), 403)
        assert_problem(api.patch(f"leads/{lead.pk}", {"campaign": "Nope"}), 403)
        assert_problem(api.post(f"leads/{lead.pk}/qualify"), 403)
        assert_problem(api.delete(f"leads/{lead.pk}"), 403)
    assert db_snapshot() == before
    assert Lead.objects.get(pk=lead.pk).campaign == "Autumn"


# --- duplicates and reference data -----------------------------------------------------------------


def test_duplicates_lists_only_what_the_caller_may_see(org, api_for):
    lead = LeadFactory.create(owner=org.salesperson, last_name="Nowak", email="jan@acme.pl", phone="+48 601 234 567")
    twin = LeadFactory.create(owner=org.salesperson, last_name="Nowak", email="JAN@acme.pl")
    contact = ContactFactory.create(owner=org.salesperson, last_name="Nowak", phone="601234567", country="Poland")
    LeadFactory.create(owner=org.other_salesperson, last_name="Hidden", email="jan@acme.pl")
    ContactFactory.create(owner=org.colleague, last_name="Hidden too", email="jan@acme.pl")
    found = api_for(org.salesperson).get(f"leads/{lead.pk}/duplicates").json()
    assert sorted((d["kind"], d["id"], d["reason"]) for d in found) == sorted(
        [("lead", twin.pk, str(SAME_EMAIL)), ("contact", contact.pk, str(SAME_PHONE))]
    )
    assert all(set(d) == {"kind", "id", "reason", "label"} for d in found)
    # the manager sees the colleague's contact as well, the administrator everything
    assert len(api_for(org.emea_manager).get(f"leads/{lead.pk}/duplicates").json()) == 3
    assert len(api_for(org.admin).get(f"leads/{lead.pk}/duplicates").json()) == 4


def test_sources_and_criteria_for_forms(org, api_for):
    LeadSource.objects.filter(code="partner").update(active=False)
    QualificationCriterion.objects.filter(key="timeline").update(active=False)
    api = api_for(org.department_member)
    sources = api.get("leads/sources").json()
    assert [s["code"] for s in sources] == [
        "campaign",
        "purchased_list",
        "web_form",
        "referral",
        "event",
        "own_prospecting",
    ]
    assert sources[2] == {"id": lead_source("web_form").pk, "code": "web_form", "name": "Web form"}
    criteria = api.get("leads/qualification-criteria").json()
    assert [c["key"] for c in criteria] == ["budget", "authority", "need"]
    assert criteria[0] == {
        "key": "budget",
        "name": "Budget",
        "description": "The buyer has money set aside for this.",
    }
    assert_problem(ApiClient(None).get("leads/sources"), 401)
