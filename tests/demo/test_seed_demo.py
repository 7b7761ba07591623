"""`manage.py seed_demo` and `manage.py demo_logins`: what someone trying Rapport meets first.

The company is seeded once for the module (`seeded_once`); the tests only read it. Tests that seed
their own database are in test_seed_demo_sizes.py.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from rapport.core.models import AuditEntry, ExchangeRate, OrganisationSettings, RoleCode, Team, Territory, User
from rapport.core.search import matching
from rapport.core.visibility import visible_to
from rapport.customers.models import Account, AccountContact, Contact, CustomerCategory
from rapport.demo import seed as demo
from rapport.leads.models import Lead
from tests.demo.conftest import ACCOUNTS, CONTACTS, LEADS, SEED


def test_seed_builds_the_requested_sizes_and_says_so(seeded_once, db):
    assert Account.objects.count() == ACCOUNTS
    assert Contact.objects.count() == CONTACTS
    assert Lead.objects.count() == LEADS
    assert f"{ACCOUNTS} accounts, {CONTACTS} contacts" in seeded_once
    assert f"{LEADS} leads" in seeded_once
    assert demo.DEMO_PASSWORD in seeded_once
    assert OrganisationSettings.objects.get().company_currency_id == "EUR"


def test_every_role_has_users_with_a_profile(seeded_once, db):
    users = list(User.objects.filter(email__endswith="@" + demo.DEMO_DOMAIN).select_related("team"))
    assert {u.role_id for u in users} == set(RoleCode.values)
    for user in users:
        assert user.team is not None, user.email
        assert user.time_zone and user.language in {"en", "pl"}
        assert user.hourly_cost_rate > 0
        if user.email != "executive@" + demo.DEMO_DOMAIN:
            assert user.manager is not None, user.email
    managers = {u.team.name: u for u in users if u.role_id == RoleCode.SALES_MANAGER and u.team}
    assert sorted(managers) == ["APAC", "Americas", "EMEA"]
    assert all(Team.objects.get(name=team).manager == u for team, u in managers.items())
    polish = User.objects.select_related("team").get(email="sales.pl@" + demo.DEMO_DOMAIN)
    assert (str(polish.team), polish.language, polish.time_zone) == ("Poland", "pl", "Europe/Warsaw")


def test_teams_and_territories_are_trees_by_region(seeded_once, db):
    poland = Team.objects.get(name="Poland")
    assert [t.name for t in Team.objects.filter(pk__in=poland.path.strip("/").split("/")).order_by("path")] == [
        "Company",
        "EMEA",
        "Poland",
    ]
    regions = Territory.objects.filter(parent=None).order_by("name")
    assert [r.name for r in regions] == ["APAC", "Americas", "EMEA"]
    assert sorted(Territory.objects.filter(parent__name="EMEA").values_list("name", flat=True)) == [
        "Germany",
        "Poland",
        "United Kingdom",
    ]
    assert Territory.objects.get(name="US East").path.startswith(Territory.objects.get(name="United States").path)


def test_customers_are_spread_like_a_real_company(seeded_once, db):
    assert sorted(CustomerCategory.objects.values_list("name", flat=True)) == [
        "Key account",
        "Mid-market",
        "Partner",
        "Public sector",
        "SMB",
    ]
    assert {c for c, _rates in _rates_by_currency().items()} == {"USD", "PLN", "GBP", "IDR", "TWD"}
    assert all(len(rates) >= 3 for rates in _rates_by_currency().values())
    assert Account.objects.exclude(parent=None).exists()
    assert Account.objects.values("owner").distinct().count() > 10
    assert Account.objects.values("territory").distinct().count() >= 5
    assert Account.objects.filter(annual_revenue_currency="PLN", annual_revenue_amount__gt=0).exists()
    # Every contact with a main account is linked to it; some to a second account too.
    for contact in Contact.objects.exclude(account=None):
        assert AccountContact.objects.filter(contact=contact, account=contact.account_id).exists()
    assert AccountContact.objects.values("contact").distinct().count() < AccountContact.objects.count()
    assert Contact.objects.filter(do_not_contact=True).exists()
    assert {c.marketing_consent for c in Contact.objects.all()} == {"given", "unknown", "withdrawn"}


def _rates_by_currency() -> dict[str, list[ExchangeRate]]:
    rates: dict[str, list[ExchangeRate]] = {}
    for rate in ExchangeRate.objects.all():
        rates.setdefault(rate.currency_id, []).append(rate)
    return rates


def test_the_default_size_writes_one_created_entry_per_record(seeded_once, db):
    entries = AuditEntry.objects.filter(note="demo data")
    assert entries.filter(record_type="account", action="create").count() == ACCOUNTS
    assert entries.filter(record_type="contact", action="create").count() == CONTACTS
    account = Account.objects.select_related("owner").first()
    assert account is not None
    entry = entries.get(record_type="account", record_id=account.pk)
    assert entry.changes["name"] == ["", account.name]
    assert entry.actor == account.owner
    assert entry.at == account.created_at


def test_if_empty_keeps_existing_data(seeded_once, db):
    before = (Account.objects.count(), Contact.objects.count(), User.objects.count())
    names = list(Account.objects.order_by("pk").values_list("name", flat=True))
    out = io.StringIO()
    call_command("seed_demo", if_empty=True, seed=SEED + 1, stdout=out)
    assert out.getvalue().strip() == "Demo data not loaded: the database already has accounts."
    assert (Account.objects.count(), Contact.objects.count(), User.objects.count()) == before
    assert list(Account.objects.order_by("pk").values_list("name", flat=True)) == names


def test_without_if_empty_a_filled_database_is_refused(seeded_once, db):
    with pytest.raises(CommandError, match="already has accounts"):
        call_command("seed_demo", stdout=io.StringIO())
    assert Account.objects.count() == ACCOUNTS


def test_demo_logins_list_one_user_per_role_who_can_log_in(seeded_once, db):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["Role", "E-mail", "Password"]
    rows = [line.split("  ") for line in lines[1:]]
    emails = [next(part.strip() for part in row if "@" in part) for row in rows]
    assert len(emails) == len(RoleCode.values)
    assert {User.objects.get(email=e).role_id for e in emails} == set(RoleCode.values)
    assert all(line.rstrip().endswith(demo.DEMO_PASSWORD) for line in lines[1:])
    for email in emails:
        assert Client().login(email=email, password=demo.DEMO_PASSWORD), email
    assert not Client().login(email=emails[0], password="wrong-password")


def test_seeded_records_are_found_by_search(seeded_once, db):
    admin = User.objects.get(email="admin@" + demo.DEMO_DOMAIN)
    for account in Account.objects.all():
        first_word = account.name.replace(".", " ").split()[0][:4]
        found_accounts = matching(visible_to(admin, Account), Account.search_index, first_word)
        assert account in found_accounts, (account.name, first_word)
    for contact in Contact.objects.all():
        query = " ".join(word[:3] for word in (contact.first_name, contact.last_name) if word)
        found_contacts = matching(visible_to(admin, Contact), Contact.search_index, query)
        assert contact in found_contacts, (contact.first_name, contact.last_name, query)
