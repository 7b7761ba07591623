"""Converting a lead with "create an opportunity" makes one in the first stage, for the account and
linked to the lead."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rapport.leads.models import Lead, LeadStatus
from rapport.leads.services import convert
from rapport.pipeline.models import Opportunity, Pipeline, StageChange
from tests.api.conftest import ApiClient, assert_problem, db_snapshot, token_for
from tests.factories import AccountFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(org) -> Lead:
    return LeadFactory.create(
        owner=org.salesperson,
        first_name="Anna",
        last_name="Nowak",
        company="Acme Sp. z o.o.",
        campaign="Spring fair",
        estimated_value_amount=Decimal("12000.00"),
        estimated_value_currency_id="EUR",
    )


def test_conversion_creates_the_opportunity_in_the_first_stage(org, lead) -> None:
    done = convert.lead_convert(actor=org.salesperson, lead_id=lead.pk, create_opportunity=True)
    assert done.opportunity_id is not None and done.account is not None
    opportunity = Opportunity.objects.select_related("stage", "pipeline").get(pk=done.opportunity_id)
    assert opportunity.account == done.account and done.account.name == "Acme Sp. z o.o."
    assert opportunity.source_lead_id == lead.pk
    assert (opportunity.pipeline.name, opportunity.stage.name) == ("Sales", "Prospecting")
    assert (opportunity.amount_amount, opportunity.amount_currency_id) == (Decimal("12000.00"), "EUR")
    assert (opportunity.campaign, opportunity.owner, opportunity.name) == (
        "Spring fair",
        org.salesperson,
        "Acme Sp. z o.o.",
    )
    assert StageChange.objects.filter(opportunity=opportunity, from_stage=None).count() == 1
    lead.refresh_from_db()
    assert (lead.status, lead.converted_opportunity_id) == (LeadStatus.CONVERTED, opportunity.pk)


def test_the_api_answers_the_opportunity_id(org, lead) -> None:
    account = AccountFactory.create(owner=org.salesperson, name="Acme")
    api = ApiClient(token_for(org.salesperson))
    response = api.post(f"leads/{lead.pk}/convert", {"account": account.pk, "create_opportunity": True})
    assert response.status_code == 200
    body = response.json()
    opportunity = Opportunity.objects.get(source_lead=lead)
    assert body["opportunity"] == opportunity.pk and body["account"] == account.pk
    assert opportunity.account_id == account.pk
    # without "create an opportunity" none is made
    other = LeadFactory.create(owner=org.salesperson, last_name="Kowal", company="Beta")
    assert api.post(f"leads/{other.pk}/convert", {}).json()["opportunity"] is None
    assert not Opportunity.objects.filter(source_lead=other).exists()


def test_a_gate_on_the_first_stage_refuses_the_whole_conversion(org, lead) -> None:
    first = Pipeline.objects.get(name="Sales").stages.get(name="Prospecting")
    first.required_fields = ["close_date"]
    first.save()
    api = ApiClient(token_for(org.salesperson))
    before = db_snapshot()
    body = assert_problem(api.post(f"leads/{lead.pk}/convert", {"create_opportunity": True}), 422)
    assert [m["key"] for m in body["missing"]] == ["close_date"]
    assert db_snapshot() == before
    assert Lead.objects.get(pk=lead.pk).status != LeadStatus.CONVERTED


def test_the_converted_lead_links_to_its_opportunity(org, lead, client_for) -> None:
    done = convert.lead_convert(actor=org.salesperson, lead_id=lead.pk, create_opportunity=True)
    html = client_for(org.salesperson).get(f"/leads/{lead.pk}/").content.decode()
    assert f'href="/opportunities/{done.opportunity_id}/"' in html
