"""What activities add to other modules through their registries: timeline entries on the related
record's page, the "a completed meeting" gate artefact, and the opportunity's pursuit cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rapport.activities.hooks import COMPLETED_MEETING
from rapport.activities.services import activity_record_outcome
from rapport.core import timeline
from rapport.pipeline import costs, gates
from rapport.pipeline.models import Stage
from rapport.pipeline.services.opportunities import GateRefused, opportunity_create, opportunity_move
from rapport.pipeline.services.parts import cost_add
from tests.activities.conftest import activity_type, plan
from tests.factories import AccountFactory, ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["lead", "account", "contact", "opportunity"])
def test_activities_show_on_the_related_records_timeline(rated, kind):
    sp = rated.salesperson
    account = AccountFactory.create(owner=sp)
    record = {
        "lead": lambda: LeadFactory.create(owner=sp),
        "account": lambda: account,
        "contact": lambda: ContactFactory.create(owner=sp),
        "opportunity": lambda: opportunity_create(actor=sp, name="Deal", account=account.pk),
    }[kind]()
    mine = plan(sp, subject="Visit", related_type=kind, related_id=record.pk)
    plan(rated.colleague, subject="Hidden from the salesperson", start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    entries = [e for e in timeline.entries_for(sp, kind, record) if e.kind == "activity"]
    assert [(e.title, e.url) for e in entries] == [("Meeting: Visit", f"/activities/{mine.pk}/")]
    # The colleague does not see the salesperson's activity on the same record.
    assert not [e for e in timeline.entries_for(rated.colleague, kind, record) if e.kind == "activity"]


def test_a_completed_meeting_is_a_stage_gate_artefact(rated):
    assert COMPLETED_MEETING in {a.key for a in gates.artefacts()}
    sp = rated.salesperson
    account = AccountFactory.create(owner=sp)
    opportunity = opportunity_create(actor=sp, name="Deal", account=account.pk)
    stage = Stage.objects.get(name="Proposal")
    stage.required_artefacts = [COMPLETED_MEETING]
    stage.save()
    with pytest.raises(GateRefused) as caught:
        opportunity_move(actor=sp, opportunity_id=opportunity.pk, stage=stage.pk)
    assert [m.key for m in caught.value.missing] == [COMPLETED_MEETING]
    call = plan(sp, type=activity_type("call").pk, related_type="opportunity", related_id=opportunity.pk)
    meeting = plan(sp, related_type="opportunity", related_id=opportunity.pk)
    activity_record_outcome(actor=sp, activity_id=call.pk, outcome_code="successful")
    with pytest.raises(GateRefused):  # a call is not a meeting, a planned meeting is not completed
        opportunity_move(actor=sp, opportunity_id=opportunity.pk, stage=stage.pk)
    activity_record_outcome(actor=sp, activity_id=meeting.pk, outcome_code="successful")
    assert opportunity_move(actor=sp, opportunity_id=opportunity.pk, stage=stage.pk).stage == stage


def test_the_pursuit_cost_includes_done_activities(rated, client_for):
    sp = rated.salesperson
    account = AccountFactory.create(owner=sp)
    opportunity = opportunity_create(actor=sp, name="Deal", account=account.pk)
    start = dt.datetime(2026, 1, 12, 9, tzinfo=dt.UTC)
    done = plan(sp, start=start, end=start + dt.timedelta(minutes=90), related_type="opportunity",
                related_id=opportunity.pk, expenses="10")  # fmt: skip
    plan(sp, start=start, related_type="opportunity", related_id=opportunity.pk)  # planned: not spent yet
    activity_record_outcome(actor=sp, activity_id=done.pk, outcome_code="successful")
    cost_add(actor=sp, opportunity_id=opportunity.pk, data={"date": "2026-01-12", "amount_amount": "25.00"})
    shares = costs.shares(opportunity)
    assert [(str(s.label), s.currency, s.amount) for s in shares] == [("Activities done", "EUR", Decimal("100.00"))]
    assert costs.pursuit_totals(opportunity.costs.all(), shares) == [("EUR", Decimal("125.00"))]
    page = client_for(sp).get(f"/opportunities/{opportunity.pk}/")
    assert page.context["cost_totals"] == [("EUR", Decimal("125.00"))]
    assert "125.00 EUR" in page.content.decode()
