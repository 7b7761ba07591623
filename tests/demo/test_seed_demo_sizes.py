"""`manage.py seed_demo` at other seeds and sizes, and on databases that are not empty or hold no demo."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from rapport.catalog.models import Product
from rapport.core.models import ExchangeRate, User
from rapport.customers.models import Account, AccountContact, Contact
from rapport.leads.models import Lead, LeadStatus, ScoringRule
from rapport.pipeline.models import Opportunity
from tests.demo.conftest import SEED, seed_small


def digest() -> str:
    """Everything a person would notice about the seeded company, in insertion order (ids left out)."""
    users = [
        (u.email, u.role_id, u.team.name if u.team else "", u.manager.email if u.manager else "", u.first_name,
         u.last_name, u.language, u.time_zone, str(u.hourly_cost_rate))
        for u in User.objects.select_related("team", "manager").order_by("email")
    ]  # fmt: skip
    accounts = [
        (a.name, a.owner.email, a.type, a.category.name if a.category else "", a.parent.name if a.parent else "",
         a.territory.name if a.territory else "", a.industry, a.city, a.country, a.website, a.phone, a.employees,
         str(a.annual_revenue_amount), a.annual_revenue_currency_id)
        for a in Account.objects.select_related("owner", "category", "parent", "territory").order_by("pk")
    ]  # fmt: skip
    contacts = [
        (c.first_name, c.last_name, c.email, c.title, c.account.name if c.account else "", c.owner.email,
         c.marketing_consent, c.do_not_contact, c.city)
        for c in Contact.objects.select_related("account", "owner").order_by("pk")
    ]  # fmt: skip
    links = list(AccountContact.objects.order_by("pk").values_list("account__name", "contact__email", "purchase_role"))
    rates = list(ExchangeRate.objects.order_by("currency", "valid_from").values_list("currency", "rate"))
    leads = [
        (lead.first_name, lead.last_name, lead.company, lead.email, lead.phone, lead.owner.email, lead.status,
         lead.source.code if lead.source else "", str(lead.estimated_value_amount), lead.score,
         lead.converted_contact.email if lead.converted_contact else "", sorted(t.name for t in lead.tags.all()))
        for lead in Lead.objects.select_related("owner", "source", "converted_contact").prefetch_related("tags")
        .order_by("pk")
    ]  # fmt: skip
    opportunities = [
        (o.name, o.account.name, o.owner.email, o.stage.name, str(o.amount_amount), o.amount_currency_id,
         str(o.close_date), o.next_step, o.closed_reason,
         [(line.product.sku, str(line.quantity), str(line.unit_price), str(line.discount)) for line in o.lines.all()],
         [(c.from_stage.name if c.from_stage else "", c.to_stage.name) for c in o.stage_changes.all()])
        for o in Opportunity.objects.select_related("account", "owner", "stage")
        .prefetch_related("lines__product", "stage_changes__from_stage", "stage_changes__to_stage")
        .order_by("pk")
    ]  # fmt: skip
    payload = json.dumps(
        [users, accounts, contacts, links, [(c, str(r)) for c, r in rates], leads, opportunities], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def seeded_digest(seed: int) -> str:
    """Seed an empty database, take the digest, and roll everything back."""
    with transaction.atomic():
        seed_small(seed)
        value = digest()
        transaction.set_rollback(True)
    assert not Account.objects.exists()
    return value


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_company_and_another_seed_a_different_one():
    first = seeded_digest(SEED)
    assert seeded_digest(SEED) == first
    assert seeded_digest(SEED + 1) != first


def test_names_keep_their_diacritics_and_scripts(db):
    call_command("seed_demo", seed=SEED, accounts=300, contacts=300, leads=0, opportunities=0, stdout=io.StringIO())
    text = " ".join(" ".join(row) for row in Account.objects.values_list("name", "city", "region"))
    text += " ".join(" ".join(row) for row in Contact.objects.values_list("first_name", "last_name"))
    for sample in ("Łódź", "Kraków", "Surabaya", "台北", "ą", "ł", "ü"):
        assert sample in text


def test_poland_owns_about_a_tenth_of_the_accounts(db):
    """bench/ measures a salesperson whose team scope covers ~10% of the rows: the Polish team."""
    call_command("seed_demo", seed=SEED, accounts=2000, contacts=0, leads=0, opportunities=0, stdout=io.StringIO())
    polish = Account.objects.filter(owner__team__name="Poland").count()
    assert 0.07 * 2000 < polish < 0.13 * 2000


def test_if_empty_loads_an_empty_database(db):
    call_command("seed_demo", if_empty=True, accounts=5, contacts=5, leads=0, opportunities=12, stdout=io.StringIO())
    assert Account.objects.count() == 5
    assert Opportunity.objects.count() == 12  # a few deals per account when there are few accounts


def test_demo_logins_on_a_database_without_demo_users(db):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert out.getvalue().startswith("No demo users in this database")


def test_leads_without_customers_are_all_new_people_and_there_are_no_deals(db):
    call_command("seed_demo", accounts=0, contacts=0, leads=30, stdout=io.StringIO())
    assert Lead.objects.count() == 30
    assert not Lead.objects.filter(status=LeadStatus.CONVERTED).exists()
    assert not Opportunity.objects.exists()  # the default 600 need accounts to sell to
    assert Product.objects.exists()  # the catalogue is there to build deals with


def test_no_leads_or_deals_when_asked_for_none_and_a_negative_count_is_refused(db):
    out = io.StringIO()
    call_command("seed_demo", accounts=3, contacts=3, leads=0, opportunities=0, stdout=out)
    assert not Lead.objects.exists()
    assert ScoringRule.objects.exists()  # the set-up is there to try the rules on new leads
    assert not Opportunity.objects.exists()
    assert "0 leads, 0 opportunities" in out.getvalue()
    for option in ("leads", "opportunities"):
        with pytest.raises(CommandError, match="must be zero or more"):
            call_command("seed_demo", **{option: -1}, stdout=io.StringIO())
