"""`manage.py seed_demo` and `manage.py demo_logins`: what someone trying Rapport meets first."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from rapport.core.models import AuditEntry, ExchangeRate, OrganisationSettings, RoleCode, Team, Territory, User
from rapport.core.search import matching
from rapport.core.visibility import visible_to
from rapport.customers.models import Account, AccountContact, Contact, CustomerCategory
from rapport.demo import seed as demo
from tests.demo.conftest import ACCOUNTS, CONTACTS, SEED, seed_small


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
    payload = json.dumps([users, accounts, contacts, links, [(c, str(r)) for c, r in rates]], ensure_ascii=False)
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


def test_seed_builds_the_requested_sizes_and_says_so(seeded):
    assert Account.objects.count() == ACCOUNTS
    assert Contact.objects.count() == CONTACTS
    assert f"{ACCOUNTS} accounts, {CONTACTS} contacts" in seeded
    assert demo.DEMO_PASSWORD in seeded
    assert OrganisationSettings.objects.get().company_currency_id == "EUR"


def test_every_role_has_users_with_a_profile(seeded):
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


def test_teams_and_territories_are_trees_by_region(seeded):
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


def test_customers_are_spread_like_a_real_company(seeded):
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


def test_names_keep_their_diacritics_and_scripts(db):
    call_command("seed_demo", seed=SEED, accounts=300, contacts=300, stdout=io.StringIO())
    text = " ".join(" ".join(row) for row in Account.objects.values_list("name", "city"))
    text += " ".join(" ".join(row) for row in Contact.objects.values_list("first_name", "last_name"))
    for sample in ("Łódź", "Kraków", "Surabaya", "台北", "ą", "ł", "ü"):
        assert sample in text


def test_the_default_size_writes_one_created_entry_per_record(seeded):
    entries = AuditEntry.objects.filter(note="demo data")
    assert entries.filter(record_type="account", action="create").count() == ACCOUNTS
    assert entries.filter(record_type="contact", action="create").count() == CONTACTS
    account = Account.objects.select_related("owner").first()
    assert account is not None
    entry = entries.get(record_type="account", record_id=account.pk)
    assert entry.changes["name"] == ["", account.name]
    assert entry.actor == account.owner
    assert entry.at == account.created_at


def test_poland_owns_about_a_tenth_of_the_accounts(db):
    """bench/ measures a salesperson whose team scope covers ~10% of the rows: the Polish team."""
    call_command("seed_demo", seed=SEED, accounts=2000, contacts=0, stdout=io.StringIO())
    polish = Account.objects.filter(owner__team__name="Poland").count()
    assert 0.07 * 2000 < polish < 0.13 * 2000


def test_if_empty_keeps_existing_data(seeded):
    before = (Account.objects.count(), Contact.objects.count(), User.objects.count())
    names = list(Account.objects.order_by("pk").values_list("name", flat=True))
    out = io.StringIO()
    call_command("seed_demo", if_empty=True, seed=SEED + 1, stdout=out)
    assert out.getvalue().strip() == "Demo data not loaded: the database already has accounts."
    assert (Account.objects.count(), Contact.objects.count(), User.objects.count()) == before
    assert list(Account.objects.order_by("pk").values_list("name", flat=True)) == names


def test_without_if_empty_a_filled_database_is_refused(seeded):
    with pytest.raises(CommandError, match="already has accounts"):
        call_command("seed_demo", stdout=io.StringIO())
    assert Account.objects.count() == ACCOUNTS


def test_if_empty_loads_an_empty_database(db):
    call_command("seed_demo", if_empty=True, accounts=5, contacts=5, stdout=io.StringIO())
    assert Account.objects.count() == 5


def test_demo_logins_list_one_user_per_role_who_can_log_in(seeded):
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


def test_demo_logins_on_a_database_without_demo_users(db):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert out.getvalue().startswith("No demo users in this database")


def test_seeded_records_are_found_by_search(seeded):
    admin = User.objects.get(email="admin@" + demo.DEMO_DOMAIN)
    for account in Account.objects.all():
        first_word = account.name.replace(".", " ").split()[0][:4]
        found_accounts = matching(visible_to(admin, Account), Account.search_index, first_word)
        assert account in found_accounts, (account.name, first_word)
    for contact in Contact.objects.all():
        query = " ".join(word[:3] for word in (contact.first_name, contact.last_name) if word)
        found_contacts = matching(visible_to(admin, Contact), Contact.search_index, query)
        assert contact in found_contacts, (contact.first_name, contact.last_name, query)
