"""Demo leads: what a marketing or sales manager trying Rapport sees in the lead list and on a lead.

The company is seeded once for the module (`seeded_once`); the tests only read it.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from decimal import Decimal

import pytest

from rapport.core import normalize
from rapport.core.models import AuditEntry, User
from rapport.customers.models import Contact
from rapport.demo import data
from rapport.demo import lead_data as ld
from rapport.demo.keys import KeyMaker
from rapport.demo.seed import ADMIN_EMAIL
from rapport.leads.dedupe import SAME_EMAIL, SAME_PHONE, duplicates_of
from rapport.leads.models import AssignmentRule, Lead, LeadStatus, ScoringRule, Tag, WebForm
from rapport.leads.scoring import ScoreCard
from tests.demo.conftest import LEADS

CURRENCY_BY_COUNTRY = {m.country: m.currency for m in data.MARKETS}


def test_every_status_occurs_and_most_leads_are_still_being_worked(seeded_once, db):
    statuses = Counter(Lead.objects.values_list("status", flat=True))
    assert set(statuses) == set(LeadStatus.values)
    assert sum(statuses.values()) == LEADS
    assert statuses[LeadStatus.NEW] + statuses[LeadStatus.CONTACTED] > 0.4 * LEADS
    assert statuses[LeadStatus.CONVERTED] < 0.25 * LEADS


def test_disqualified_leads_say_why_and_the_others_do_not(seeded_once, db):
    disqualified = Lead.objects.filter(status=LeadStatus.DISQUALIFIED)
    assert disqualified.exists()
    assert {lead.disqualify_reason for lead in disqualified} <= set(ld.DISQUALIFY_REASONS)
    assert not Lead.objects.exclude(status=LeadStatus.DISQUALIFIED).exclude(disqualify_reason="").exists()


def test_converted_leads_point_at_the_contact_and_account_they_became(seeded_once, db):
    converted = list(
        Lead.objects.filter(status=LeadStatus.CONVERTED).select_related("converted_contact", "converted_account")
    )
    assert converted
    for lead in converted:
        contact = lead.converted_contact
        assert contact is not None and lead.converted_account is not None, lead.pk
        assert contact.account_id == lead.converted_account.pk
        assert (lead.first_name, lead.last_name, lead.email) == (contact.first_name, contact.last_name, contact.email)
        assert lead.company == lead.converted_account.name
        assert lead.converted_at is not None
        assert lead.created_at < lead.converted_at == contact.created_at
        assert lead.converted_by_id == lead.owner_id
    open_leads = Lead.objects.exclude(status=LeadStatus.CONVERTED)
    assert not open_leads.exclude(converted_contact=None).exists()
    assert not open_leads.exclude(converted_at=None).exists()


def test_match_keys_of_leads_and_contacts_are_what_the_models_compute(seeded_once, db):
    for lead in Lead.objects.all():
        stored = (lead.email_key, lead.phone_key, lead.name_key, lead.company_key)
        lead.refresh_match_keys()
        assert stored == (lead.email_key, lead.phone_key, lead.name_key, lead.company_key), lead.pk
    for contact in Contact.objects.all():
        stored = (contact.email_key, contact.phone_key, contact.mobile_key, contact.name_key)
        contact.refresh_match_keys()
        assert stored == (contact.email_key, contact.phone_key, contact.mobile_key, contact.name_key), contact.pk
    assert Lead.objects.exclude(phone="").filter(phone_key="").count() == 0
    assert Contact.objects.exclude(mobile="").filter(mobile_key="").count() == 0
    assert not Lead.objects.filter(name_key="").exists()


@pytest.mark.parametrize(
    ("phone", "country"),
    [
        ("+48 601 234 567", "Poland"),
        ("+48 601 234 568", ""),
        ("0048 601 234 567", "Poland"),
        ("601 234 567", "Poland"),
        ("(212) 555-0123", "United States"),
        ("+44 (0)20 7946 0123", "United Kingdom"),
        ("+44 20 7946 0124", "United Kingdom"),
        ("+1 212 555 01", "United States"),
        ("12", ""),
        ("", "Poland"),
    ],
)
def test_fast_phone_keys_equal_the_normalised_ones(phone, country):
    keys = KeyMaker()
    keys.phone("+44 20 7946 0999", "")  # a shape seen before
    keys.phone("+48 601 000 000", "")
    assert keys.phone(phone, country) == normalize.phone_key(phone, country)


def test_values_are_in_the_currency_of_the_leads_market(seeded_once, db):
    with_value = Lead.objects.exclude(estimated_value_amount=None)
    assert with_value.count() > 0.3 * LEADS
    for lead in with_value:
        assert lead.estimated_value_currency_id == CURRENCY_BY_COUNTRY[lead.country], lead.pk
        assert lead.estimated_value_amount > Decimal(0)
    assert with_value.filter(estimated_value_currency="PLN").exists()


def test_need_identified_comes_with_a_description(seeded_once, db):
    assert Lead.objects.filter(need_identified=True).exists()
    assert not Lead.objects.filter(need_identified=True, need_description="").exists()
    assert not Lead.objects.filter(need_identified=False).exclude(need_description="").exists()


def test_scores_follow_the_demo_scoring_rules(seeded_once, db):
    assert ScoringRule.objects.filter(active=True).count() == len(ld.SCORING_RULES)
    card = ScoreCard()
    scores: Counter[int] = Counter()
    for lead in Lead.objects.prefetch_related("tags"):
        assert lead.score == card.score(lead), lead.pk
        scores[(lead.score > 0) - (lead.score < 0)] += 1
    assert scores[1] > 0.3 * LEADS
    assert scores[0] and scores[-1]


def test_polish_and_german_leads_go_round_robin_to_their_teams(seeded_once, db):
    rules = list(AssignmentRule.objects.select_related("assign_to_team", "last_assigned").order_by("position"))
    assert [(r.assign_to_team.name if r.assign_to_team else "") for r in rules] == ["Poland", "Germany"]
    for rule in rules:
        team = rule.assign_to_team
        assert team is not None and rule.last_assigned is not None
        assert rule.last_assigned.team_id == team.pk
        members = set(User.objects.filter(team=team).values_list("pk", flat=True))
        assigned = Counter(
            Lead.objects.filter(country=team.name).exclude(status=LeadStatus.CONVERTED).values_list("owner", flat=True)
        )
        assert set(assigned) == members
        assert max(assigned.values()) - min(assigned.values()) <= 1, assigned


def test_leads_come_from_every_source_and_web_form_leads_carry_their_utm_parameters(seeded_once, db):
    assert Lead.objects.values("source").distinct().count() == len(ld.SOURCES)
    assert WebForm.objects.count() == len(ld.WEB_FORMS)
    from_forms = Lead.objects.filter(source__code="web_form")
    assert from_forms.exists()
    assert not from_forms.filter(web_form=None).exists()
    assert from_forms.exclude(utm_source="").exists()
    assert not from_forms.exclude(created_by=None).exists()
    others = Lead.objects.exclude(source__code="web_form")
    assert not others.exclude(web_form=None).exists()
    assert not others.exclude(utm_source="").exists()
    assert Lead.objects.filter(source__code="event").exclude(campaign="").count() == (
        Lead.objects.filter(source__code="event").count()
    )


def test_some_leads_carry_tags(seeded_once, db):
    assert set(Tag.objects.values_list("name", flat=True)) == set(ld.TAGS)
    tagged = Lead.objects.exclude(tags=None).distinct().count()
    assert 0.2 * LEADS < tagged < 0.6 * LEADS


def test_the_duplicate_panel_has_contacts_and_leads_to_show(seeded_once, db):
    admin = User.objects.get(email=ADMIN_EMAIL)
    reasons: Counter[tuple[str, str]] = Counter()
    strangers = 0
    for lead in Lead.objects.exclude(status=LeadStatus.CONVERTED):
        for match in duplicates_of(admin, lead):
            reasons[(match.kind, match.reason)] += 1
            strangers += lead.last_name not in match.label  # a different person sharing a number by chance
    assert reasons[("contact", str(SAME_EMAIL))] > 0
    assert reasons[("contact", str(SAME_PHONE))] > 0
    assert reasons[("lead", str(SAME_EMAIL))] + reasons[("lead", str(SAME_PHONE))] > 0
    assert strangers == 0


def test_each_lead_has_a_created_entry_by_whoever_entered_it(seeded_once, db):
    entries = AuditEntry.objects.filter(note="demo data", record_type="lead", action="create")
    assert entries.count() == LEADS
    lead = Lead.objects.select_related("source").filter(source__code="campaign").first()
    assert lead is not None
    entry = entries.get(record_id=lead.pk)
    assert entry.changes["last_name"] == ["", lead.last_name]
    assert entry.actor_id == lead.created_by_id is not None
    assert entry.actor is not None and entry.actor.role_id == "marketing"
    assert entry.at == lead.created_at


def test_the_benchmarks_purchased_list_repeats_some_people_and_has_some_bad_rows(seeded_once, db, tmp_path):
    """`bench.importing generate`: ~5 % people already in the database, ~1 % bad rows."""
    from bench.importing import HEADERS, command_generate

    out = tmp_path / "list.csv"
    command_generate(argparse.Namespace(rows=1000, seed=3, out=str(out)))
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1000 and tuple(rows[0]) == HEADERS
    emails = set(Contact.objects.values_list("email_key", flat=True)) | set(
        Lead.objects.values_list("email_key", flat=True)
    )
    phones = set(Contact.objects.values_list("phone_key", flat=True)) | set(
        Contact.objects.values_list("mobile_key", flat=True)
    )
    phones |= set(Lead.objects.values_list("phone_key", flat=True))
    emails.discard("")
    phones.discard("")
    known = [
        row
        for row in rows
        if normalize.email_key(row["Email"]) in emails
        or normalize.phone_key(row["Phone Number"], row["Country"]) in phones
    ]
    assert 40 <= len(known) <= 50
    assert all(row["Email"] != row["Email"].lower() or not row["Email"] for row in known)  # written another way
    bad = [
        row for row in rows if not row["Last Name"] or " (at) " in row["Email"] or row["Estimated Value"] == "about 10k"
    ]
    assert len(bad) == 10
