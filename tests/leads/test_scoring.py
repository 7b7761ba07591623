"""Lead scoring: every condition, every kind of field, recalculation on change and in bulk."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from rapport.core.models import Currency, ExchangeRate, Job, JobStatus
from rapport.core.services.customfields import custom_field_create
from rapport.leads import scoring
from rapport.leads.models import Lead, LeadStatus, ScoringRule
from rapport.leads.scoring import ScoreCard, condition_holds
from rapport.leads.selectors import LEAD_LIST
from rapport.leads.services.config import scoring_rule_create, scoring_rule_delete, scoring_rule_update
from rapport.leads.services.leads import lead_create, lead_set_qualification, lead_update
from tests.factories import LeadFactory, lead_source

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("operator", "actual", "expected", "holds"),
    [
        ("equals", "Poland", "poland ", True),
        ("equals", "Poland", "Germany", False),
        ("not_equals", "Poland", "POLAND", False),
        ("not_equals", "Poland", "Germany", True),
        ("contains", "Head of Sales", "SALES", True),
        ("contains", "Head of Sales", "marketing", False),
        ("contains", "Head of Sales", "", False),
        ("is_set", "x", "", True),
        ("is_set", "  ", "", False),
        ("is_set", None, "", False),
        ("is_set", True, "", True),
        ("is_set", False, "", False),
        ("is_empty", "", "", True),
        ("is_empty", None, "", True),
        ("is_empty", [], "", True),
        ("is_empty", ["VIP"], "", False),
        ("gt", Decimal("1500"), "1000", True),
        ("gt", Decimal("1000"), "1000", False),
        ("gt", "1 234,50", "1000", True),
        ("gt", "many", "1000", False),
        ("gt", None, "1000", False),
        ("gt", "NaN", "1", False),  # was an InvalidOperation (a 500) before the fix
        ("lt", Decimal("999.99"), "1000", True),
        ("lt", Decimal("1000"), "1000", False),
        ("lt", True, "5", False),
        # numbers are compared as numbers: 1000.00 is 1000
        ("equals", Decimal("1000.00"), "1000", True),
        ("not_equals", Decimal("1000.00"), "1000", False),
        # lists (tags, multiple choice): any element may match
        (
            "equals",
            ["Fair 2026", "VIP"],
            "vip",
            True,
        ),
        ("contains", ["Fair 2026", "VIP"], "fair", True),
        ("not_equals", ["Fair 2026", "VIP"], "vip", False),
        ("not_equals", ["Fair 2026"], "vip", True),
        ("equals", [], "vip", False),
    ],
)
def test_each_condition(operator: str, actual: Any, expected: str, holds: bool) -> None:
    assert condition_holds(operator, actual, expected) is holds


def rule(field: str, operator: str, value: str, points: int, **extra: Any) -> ScoringRule:
    return ScoringRule.objects.create(
        name=f"{field} {operator}", field=field, operator=operator, value=value, points=points, **extra
    )


@pytest.fixture
def usd_rate() -> None:
    """1 USD = 0.90 EUR (the company currency) since yesterday; a future rate must not count."""
    today = timezone.localdate()
    ExchangeRate.objects.create(currency_id="USD", valid_from=today - dt.timedelta(days=1), rate=Decimal("0.9"))
    ExchangeRate.objects.create(currency_id="USD", valid_from=today + dt.timedelta(days=5), rate=Decimal("5"))


def test_every_kind_of_field_scores(org: Any, usd_rate: None) -> None:
    custom_field_create(actor=org.admin, record_type="lead", key="employees", label="Employees", field_type="number")
    custom_field_create(
        actor=org.admin,
        record_type="lead",
        key="segment",
        label="Segment",
        field_type="choice",
        choices=["SMB", "Retail"],
    )
    custom_field_create(actor=org.admin, record_type="lead", key="budget", label="Budget", field_type="money")
    rule("source", "equals", "event", 10)
    rule("country", "equals", "poland", 5)
    rule("title", "contains", "head", 7)
    rule("email_domain", "equals", "BigCorp.com", 3)
    rule("need_identified", "equals", "true", 20)
    rule("estimated_value", "gt", "10000", 15)
    rule("tags", "equals", "vip", 8)
    rule("cf_employees", "gt", "250", 12)
    rule("cf_segment", "equals", "retail", 4)
    rule("cf_budget", "gt", "1000", 2)
    rule("criterion_budget", "equals", "true", 6)
    rule("phone", "is_empty", "", -5)
    rule("country", "equals", "poland", 100, active=False)  # inactive rules do not count

    everything = lead_create(
        actor=org.salesperson,
        last_name="Nowak",
        source="event",
        country="Poland",
        title="Head of IT",
        email="anna@bigcorp.com",
        need_identified=True,
        estimated_value_amount="12000",  # USD at 0.9 = 10,800 EUR
        estimated_value_currency="USD",
        tags=["VIP"],
        custom_fields={"employees": "300", "segment": "Retail", "budget": {"amount": "1200", "currency": "USD"}},
        qualification={"budget": True},
    )
    assert everything.score == 10 + 5 + 7 + 3 + 20 + 15 + 8 + 12 + 4 + 2 + 6 - 5

    # 11,000 USD is 9,900 EUR: under the threshold (the rate in five days does not count yet);
    # 1,000 USD is 900 EUR: not over 1,000 either.
    almost = lead_create(
        actor=org.salesperson,
        last_name="Kowalski",
        source="referral",
        country="Germany",
        phone="+48 601 234 567",
        email="jan@smallcorp.com",
        estimated_value_amount="11000",
        estimated_value_currency="USD",
        custom_fields={"employees": "250", "segment": "SMB", "budget": {"amount": "1000", "currency": "USD"}},
        qualification={"budget": False},
    )
    assert almost.score == 0

    # In the company currency the amount is taken as it is.
    in_euro = lead_create(
        actor=org.salesperson,
        last_name="Weber",
        phone="+49 30 1234567",
        estimated_value_amount="10000.01",
        estimated_value_currency="EUR",
    )
    assert in_euro.score == 15


def test_the_score_follows_every_change(org: Any) -> None:
    rule("country", "equals", "poland", 5)
    rule("tags", "contains", "fair", 8)
    rule("criterion_budget", "equals", "true", 6)
    rule("criterion_authority", "equals", "false", 1)
    rule("status", "equals", "contacted", 2)
    lead = lead_create(actor=org.salesperson, last_name="Nowak", country="Germany")
    assert Lead.objects.get(pk=lead.pk).score == 1  # authority not met

    lead_update(actor=org.salesperson, lead_id=lead.pk, country="Poland")
    assert Lead.objects.get(pk=lead.pk).score == 6

    lead_update(actor=org.salesperson, lead_id=lead.pk, tags=["Fair 2026"])
    assert Lead.objects.get(pk=lead.pk).score == 14

    lead_set_qualification(actor=org.salesperson, lead_id=lead.pk, criteria={"budget": True, "authority": True})
    assert Lead.objects.get(pk=lead.pk).score == 19

    lead_update(actor=org.salesperson, lead_id=lead.pk, tags=[])
    assert Lead.objects.get(pk=lead.pk).score == 11


def test_a_rule_change_recalculates_every_lead(
    org: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(scoring, "RESCORE_BATCH", 2)  # several batches from five leads
    event, referral = lead_source("event"), lead_source("referral")
    leads = [
        LeadFactory.create(owner=org.salesperson, source=event, country="Poland"),
        LeadFactory.create(owner=org.salesperson, source=event, country="Germany"),
        LeadFactory.create(owner=org.colleague, source=referral, country="Poland"),
        LeadFactory.create(owner=org.other_salesperson, source=None, country=""),
        LeadFactory.create(owner=org.other_salesperson, source=referral, country="poland", status=LeadStatus.CONTACTED),
    ]
    leads[4].tags.create(name="VIP")

    def scores() -> list[int]:
        return [Lead.objects.get(pk=lead.pk).score for lead in leads]

    with django_capture_on_commit_callbacks(execute=True):
        by_source = scoring_rule_create(
            actor=org.admin, name="Event", field="source", operator="equals", value="event", points=10
        )
    assert scores() == [10, 10, 0, 0, 0]
    job = Job.objects.get(kind="leads.rescore")
    assert (job.status, job.progress, job.result) == (JobStatus.DONE, 100, {"leads": 5, "changed": 2})

    with django_capture_on_commit_callbacks(execute=True):
        scoring_rule_create(
            actor=org.admin, name="Poland", field="country", operator="equals", value="Poland", points=5
        )
        scoring_rule_create(actor=org.admin, name="VIP", field="tags", operator="equals", value="vip", points=-3)
    assert scores() == [15, 10, 5, 0, 2]

    with django_capture_on_commit_callbacks(execute=True):
        scoring_rule_update(actor=org.admin, rule_id=by_source.pk, value="referral", points=1)
    assert scores() == [5, 0, 6, 0, 3]

    with django_capture_on_commit_callbacks(execute=True):
        scoring_rule_delete(actor=org.admin, rule_id=by_source.pk)
    assert scores() == [5, 0, 5, 0, 2]


def test_one_queued_recalculation_serves_many_changes(org: Any) -> None:
    """Without a worker the job stays queued: the next changes reuse it, since it reads the rules when it
    starts. One already running read the old rules, so a change then queues another."""
    first = scoring_rule_create(
        actor=org.admin, name="Event", field="source", operator="equals", value="event", points=10
    )
    scoring_rule_create(actor=org.admin, name="Poland", field="country", operator="equals", value="Poland", points=5)
    scoring_rule_update(actor=org.admin, rule_id=first.pk, points=12)
    assert Job.objects.filter(kind="leads.rescore").count() == 1

    Job.objects.update(status=JobStatus.RUNNING)
    scoring_rule_update(actor=org.admin, rule_id=first.pk, points=11)
    statuses = sorted(Job.objects.filter(kind="leads.rescore").values_list("status", flat=True))
    assert statuses == [JobStatus.QUEUED, JobStatus.RUNNING]

    Job.objects.update(status=JobStatus.DONE)
    scoring_rule_update(actor=org.admin, rule_id=first.pk, name="Trade fair")  # a new name scores nothing
    assert Job.objects.filter(kind="leads.rescore", status=JobStatus.QUEUED).count() == 0


def test_score_card_reads_rules_once_and_nothing_per_lead(org: Any, django_assert_num_queries: Any) -> None:
    rule("source", "equals", "event", 10)
    rule("estimated_value", "gt", "100", 1)
    leads = [
        LeadFactory.create(
            owner=org.salesperson,
            source=lead_source("event"),
            estimated_value_amount=Decimal(500 + i),
            estimated_value_currency=Currency.objects.get(pk="USD"),
        )
        for i in range(5)
    ]
    ExchangeRate.objects.create(currency_id="USD", valid_from=dt.date(2020, 1, 1), rate=Decimal("0.9"))
    # rules, sources, the company currency and the USD rate (read once, however many leads)
    with django_assert_num_queries(5):
        card = ScoreCard()
        assert [card.score(lead, tags=[]) for lead in leads] == [11] * 5


def test_list_sorts_and_filters_by_score(org: Any) -> None:
    scored = {
        "A": LeadFactory.create(owner=org.salesperson, score=30),
        "B": LeadFactory.create(owner=org.salesperson, score=10),
        "C": LeadFactory.create(owner=org.salesperson, score=9),
        "D": LeadFactory.create(owner=org.colleague, score=50),
        "E": LeadFactory.create(owner=org.salesperson, score=-5),
    }
    names = {lead.pk: key for key, lead in scored.items()}

    def listed(actor: Any, params: dict[str, str]) -> list[str]:
        return [names[pk] for pk in LEAD_LIST.apply(actor, params).values_list("pk", flat=True)]

    assert listed(org.admin, {"ordering": "-score", "score_min": "10"}) == ["D", "A", "B"]
    assert listed(org.salesperson, {"ordering": "-score", "score_min": "10"}) == ["A", "B"]  # own leads only
    assert listed(org.admin, {"ordering": "score", "score_max": "9"}) == ["E", "C"]
    assert listed(org.admin, {"ordering": "score", "score_min": "9", "score_max": "10"}) == ["C", "B"]
