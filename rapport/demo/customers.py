"""Demo accounts and contacts, inserted in batches so that benchmark sizes take minutes, not hours.

Rows are generated as tuples and written by `bulk.RowWriter` (no per-row query). The search
indexes need no help: SQLite's FTS5 tables are filled by triggers and PostgreSQL's GIN index is an
expression index, so the inserted rows are searchable at once.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from rapport.core import audit
from rapport.core.models import AuditAction, AuditEntry
from rapport.customers.models import Account, AccountContact, AccountType, Consent, Contact
from rapport.customers.services_categories import customer_category_create
from rapport.demo import data
from rapport.demo.bulk import RowWriter, next_id, reset_sequences
from rapport.demo.data import City, Market
from rapport.demo.keys import KeyMaker
from rapport.demo.names import CompanyName, NameMaker
from rapport.demo.org import BASE_RATES, DemoOrg

BATCH_SIZE = 10_000
AUDIT_NOTE = "demo data"

KEY_ACCOUNT, MID_MARKET, SMB, PUBLIC_SECTOR, PARTNER = "Key account", "Mid-market", "SMB", "Public sector", "Partner"
CATEGORIES = (
    (KEY_ACCOUNT, "Large customers with a named account team and a yearly plan."),
    (MID_MARKET, "Companies of 250 to 2,000 people."),
    (SMB, "Small and medium businesses served from the inside sales desk."),
    (PUBLIC_SECTOR, "Cities, hospitals and universities; they buy through tenders."),
    (PARTNER, "Resellers and integrators who sell with us."),
)
#: employee ranges per category (log-uniform), None = no category
EMPLOYEES: dict[str | None, tuple[int, int]] = {
    KEY_ACCOUNT: (2_000, 60_000),
    MID_MARKET: (250, 2_000),
    SMB: (5, 250),
    PUBLIC_SECTOR: (200, 15_000),
    PARTNER: (20, 1_000),
    None: (3, 5_000),
}
#: how many contacts an account of each category has, relatively
CONTACT_WEIGHT: dict[str | None, int] = {KEY_ACCOUNT: 6, MID_MARKET: 3, PUBLIC_SECTOR: 3, PARTNER: 2, SMB: 1, None: 1}
ACCOUNT_TYPES = (
    (AccountType.PROSPECT, 45),
    (AccountType.CUSTOMER, 40),
    (AccountType.PARTNER, 10),
    (AccountType.COMPETITOR, 5),
)
CUSTOMER_CATEGORIES = ((KEY_ACCOUNT, 10), (MID_MARKET, 35), (SMB, 55))
PROSPECT_CATEGORIES = ((None, 50), (MID_MARKET, 20), (SMB, 30))
PURCHASE_ROLES = (
    ("user", 20), ("influencer", 18), ("technical_buyer", 14), ("decision_maker", 12), ("economic_buyer", 8),
    ("champion", 8), ("gatekeeper", 6), ("other", 4), ("", 10),
)  # fmt: skip
CONSENTS = ((Consent.GIVEN, 45), (Consent.UNKNOWN, 40), (Consent.WITHDRAWN, 15))
CHANNELS = ("", "", "", "email", "email", "phone", "mobile", "meeting")
MAILBOX = {"pl": "biuro", "de": "info", "uk": "info", "us": "hello", "id": "info", "tw": "service"}
PRIVATE_MAIL = ("gmail.com", "outlook.com", "proton.me")

SUBSIDIARY_SHARE = 0.12  # of all accounts
SUBSIDIARIES_PER_GROUP = 3
PUBLIC_SHARE = 0.06
MANAGER_SHARE = 0.04  # accounts the region's manager owns personally
SECOND_LINK_SHARE = 0.08  # contacts linked to a second account
NO_ACCOUNT_SHARE = 0.05
ACCOUNT_AGE_DAYS = 3 * 365

ACCOUNT_COLUMNS = (
    "id", "name", "industry", "category_id", "type", "territory_id", "parent_id", "owner_id", "website", "phone",
    "email", "employees", "annual_revenue_amount", "annual_revenue_currency_id", "description", "street", "city",
    "postal_code", "region", "country", "custom", "created_by_id", "created_at", "updated_at",
)  # fmt: skip
CONTACT_COLUMNS = (
    "id", "first_name", "last_name", "title", "email", "phone", "mobile", "account_id", "owner_id",
    "preferred_channel", "marketing_consent", "consent_changed_at", "do_not_contact", "description", "street",
    "city", "postal_code", "region", "country", "custom", "created_by_id", "created_at", "updated_at",
    "email_key", "phone_key", "mobile_key", "name_key",
)  # fmt: skip
LINK_COLUMNS = ("id", "account_id", "contact_id", "purchase_role")

Progress = Callable[[str, int, int], None]


class Weighted:
    """A weighted choice by one `random()` and a binary search (cheaper than `choices` per draw)."""

    def __init__(self, pairs: tuple[tuple[Any, int | float], ...]) -> None:
        self.values = [value for value, _weight in pairs]
        self.cumulative = list(itertools.accumulate(weight for _value, weight in pairs))

    def __call__(self, rng: random.Random) -> Any:
        index = bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        return self.values[min(index, len(self.values) - 1)]


@dataclass
class _Accounts:
    """What later steps need to know about each generated account, by generation order."""

    ids: list[int] = field(default_factory=list)
    market: list[int] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)
    slug: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)  # position of the parent, -1 if none
    weight: list[int] = field(default_factory=list)
    city: list[int] = field(default_factory=list)
    by_market: dict[int, list[int]] = field(default_factory=dict)

    def add(self, pk: int, market: int, owner: int, slug: str, name: str, parent: int, weight: int, city: int) -> None:
        self.by_market.setdefault(market, []).append(len(self.ids))
        self.ids.append(pk)
        self.market.append(market)
        self.owner.append(owner)
        self.slug.append(slug)
        self.name.append(name)
        self.parent.append(parent)
        self.weight.append(weight)
        self.city.append(city)


class CustomerSeeder:
    """Generates and inserts the customers of a `DemoOrg`, drawing from the shared generator."""

    def __init__(
        self,
        *,
        org: DemoOrg,
        rng: random.Random,
        names: NameMaker,
        now: dt.datetime,
        progress: Progress | None = None,
    ) -> None:
        self.org = org
        self.rng = rng
        self.names = names
        self.now = now
        self.progress = progress or (lambda stage, done, total: None)
        self.markets = data.MARKETS
        self.pick_market = Weighted(tuple((i, m.weight) for i, m in enumerate(self.markets)))
        self.pick_type = Weighted(ACCOUNT_TYPES)
        self.pick_customer_category = Weighted(CUSTOMER_CATEGORIES)
        self.pick_prospect_category = Weighted(PROSPECT_CATEGORIES)
        self.pick_role = Weighted(PURCHASE_ROLES)
        self.pick_consent = Weighted(CONSENTS)
        self.categories: dict[str, int] = {}
        self.accounts = _Accounts()
        self.salespeople = {code: [u.pk for u in people] for code, people in org.salespeople.items()}
        self.managers = {region: u.pk for region, u in org.region_managers.items()}
        self.territories = {name: t.pk for name, t in org.territories.items()}
        self.keys = KeyMaker()

    # --- shared draws ---------------------------------------------------------------------------------

    def _owner(self, market: Market) -> int:
        if self.rng.random() < MANAGER_SHARE:
            return self.managers[market.region]
        return self.rng.choice(self.salespeople[market.code])

    def _created(self, max_days: float) -> tuple[dt.datetime, dt.datetime]:
        age = dt.timedelta(seconds=int(self.rng.random() * max_days * 86_400))
        created = self.now - age
        updated = created + age * self.rng.random() ** 2
        return created, updated.replace(microsecond=0)

    def _employees(self, category: str | None) -> int:
        low, high = EMPLOYEES[category]
        return int(math.exp(self.rng.uniform(math.log(low), math.log(high))))

    def _revenue(self, employees: int, currency: str) -> Decimal:
        per_employee_eur = self.rng.uniform(60_000, 250_000)
        local = employees * per_employee_eur / float(BASE_RATES[currency])
        return Decimal(int(local / 1000) * 1000)

    # --- categories -------------------------------------------------------------------------------------

    def seed_categories(self) -> None:
        for position, (name, description) in enumerate(CATEGORIES):
            category = customer_category_create(
                actor=self.org.admin, name=name, description=description, position=(position + 1) * 10
            )
            self.categories[name] = category.pk

    # --- accounts ---------------------------------------------------------------------------------------

    def _account(
        self,
        *,
        pk: int,
        market_index: int,
        company: CompanyName,
        city: City,
        category: str | None,
        account_type: str,
        parent_index: int = -1,
    ) -> tuple[Any, ...]:
        rng = self.rng
        market = self.markets[market_index]
        owner = self._owner(market)
        employees = self._employees(category)
        has_revenue = rng.random() < 0.85
        address = self.names.address(market, city)
        domain = f"{company.slug}.{market.tld}"
        created, updated = self._created(ACCOUNT_AGE_DAYS)
        self.accounts.add(
            pk,
            market_index,
            owner,
            company.slug,
            company.name[:200],
            parent_index,
            CONTACT_WEIGHT[category],
            market.cities.index(city),
        )
        return (
            pk,
            company.name[:200],
            company.industry,
            self.categories[category] if category else None,
            account_type,
            self.territories[market.territory],
            self.accounts.ids[parent_index] if parent_index >= 0 else None,
            owner,
            f"https://www.{domain}" if rng.random() < 0.9 else "",
            self.names.phone(market),
            f"{MAILBOX[market.style]}@{domain}" if rng.random() < 0.7 else "",
            employees,
            self._revenue(employees, market.currency) if has_revenue else None,
            market.currency if has_revenue else None,
            rng.choice(data.DESCRIPTIONS) if rng.random() < 0.15 else "",
            address.street,
            address.city,
            address.postal_code,
            address.region,
            address.country,
            {},
            owner,
            created,
            updated,
        )

    def _top_level(self, pk: int, is_group: bool) -> tuple[tuple[Any, ...], CompanyName, int]:
        rng = self.rng
        market_index = self.pick_market(rng)
        market = self.markets[market_index]
        city = self.names.city(market)
        category: str | None
        if is_group:
            company = self.names.group(market, city)
            category, account_type = KEY_ACCOUNT, AccountType.CUSTOMER
        elif rng.random() < PUBLIC_SHARE:
            company = self.names.public_body(market, city)
            category = PUBLIC_SECTOR
            account_type = AccountType.CUSTOMER if rng.random() < 0.7 else AccountType.PROSPECT
        else:
            company = self.names.company(market, city)
            account_type = self.pick_type(rng)
            category = self._category_for(account_type)
        row = self._account(
            pk=pk, market_index=market_index, company=company, city=city, category=category, account_type=account_type
        )
        return row, company, market_index

    def _category_for(self, account_type: str) -> str | None:
        if account_type == AccountType.CUSTOMER:
            return str(self.pick_customer_category(self.rng))
        if account_type == AccountType.PARTNER:
            return PARTNER
        if account_type == AccountType.PROSPECT:
            category: str | None = self.pick_prospect_category(self.rng)
            return category
        return None

    def _flush(self, writer: RowWriter, rows: list[tuple[Any, ...]], stage: str, done: int, total: int) -> int:
        with transaction.atomic():
            writer.insert(rows)
        done += len(rows)
        rows.clear()
        self.progress(stage, done, total)
        return done

    def seed_accounts(self, total: int) -> None:
        """Top-level companies first (some are groups), then the groups' subsidiaries."""
        rng = self.rng
        writer = RowWriter(Account, ACCOUNT_COLUMNS)
        subsidiaries = int(total * SUBSIDIARY_SHARE) if total >= 10 else 0
        top_level = total - subsidiaries
        group_count = max(1, subsidiaries // SUBSIDIARIES_PER_GROUP) if subsidiaries else 0
        group_positions = set(rng.sample(range(top_level), group_count))
        groups: list[tuple[int, CompanyName, int]] = []
        first_id = next_id(Account)
        rows: list[tuple[Any, ...]] = []
        done = 0
        for position in range(top_level):
            is_group = position in group_positions
            row, company, market_index = self._top_level(first_id + position, is_group)
            if is_group:
                groups.append((position, company, market_index))
            rows.append(row)
            if len(rows) >= BATCH_SIZE:
                done = self._flush(writer, rows, "accounts", done, total)
        for position in range(top_level, total):
            parent_position, parent_company, parent_market = rng.choice(groups)
            market_index = parent_market if rng.random() < 0.7 else self.pick_market(rng)
            market = self.markets[market_index]
            city = self.names.city(market)
            rows.append(
                self._account(
                    pk=first_id + position,
                    market_index=market_index,
                    company=self.names.subsidiary(parent_company, self.markets[parent_market], market, city),
                    city=city,
                    category=rng.choice((KEY_ACCOUNT, MID_MARKET)),
                    account_type=AccountType.CUSTOMER if rng.random() < 0.8 else AccountType.PROSPECT,
                    parent_index=parent_position,
                )
            )
            if len(rows) >= BATCH_SIZE:
                done = self._flush(writer, rows, "accounts", done, total)
        if rows:
            self._flush(writer, rows, "accounts", done, total)
        reset_sequences(Account)

    # --- contacts ---------------------------------------------------------------------------------------

    def _contact(self, pk: int, account_index: int) -> tuple[tuple[Any, ...], list[tuple[int, str]]]:
        rng = self.rng
        names = self.names
        accounts = self.accounts
        if account_index >= 0:
            market_index = accounts.market[account_index]
            market = self.markets[market_index]
            owner = accounts.owner[account_index]
            if rng.random() < 0.15:
                owner = rng.choice(self.salespeople[market.code])
            domain = f"{accounts.slug[account_index]}.{market.tld}"
            city = market.cities[accounts.city[account_index]] if rng.random() < 0.8 else names.city(market)
        else:
            market_index = self.pick_market(rng)
            market = self.markets[market_index]
            owner = self._owner(market)
            domain = rng.choice(PRIVATE_MAIL) if rng.random() < 0.7 else f"mail.{market.tld}"
            city = names.city(market)
        person = names.person(market)
        # Taiwanese contacts written in Latin letters get English job titles, the others Chinese ones.
        latin = market.style == "tw" and person.last_name.isascii()
        titles = data.EN_TITLES if latin else market.titles
        consent = self.pick_consent(rng)
        created, updated = self._created(ACCOUNT_AGE_DAYS * 0.8)
        address_kind = rng.random()
        address = names.address(market, city) if address_kind < 0.2 else None
        located = address_kind < 0.9
        title = rng.choice(titles) if rng.random() < 0.85 else ""
        email = f"{person.email_local}@{domain}" if rng.random() < 0.9 else ""
        phone = names.phone(market) if rng.random() < 0.6 else ""
        mobile = names.phone(market, mobile=True) if rng.random() < 0.5 else ""
        country = market.country if located else ""
        keys = self.keys
        row: tuple[Any, ...] = (
            pk,
            person.first_name,
            person.last_name,
            title,
            email,
            phone,
            mobile,
            accounts.ids[account_index] if account_index >= 0 else None,
            owner,
            rng.choice(CHANNELS),
            consent,
            updated if consent != Consent.UNKNOWN else None,
            rng.random() < (0.3 if consent == Consent.WITHDRAWN else 0.02),
            "",
            address.street if address else "",
            city.name if located else "",
            address.postal_code if address else "",
            city.region if located else "",
            country,
            {},
            owner,
            created,
            updated,
            # the match keys, as Contact.refresh_match_keys() computes them
            keys.email(email),
            keys.phone(phone, country),
            keys.phone(mobile, country),
            keys.name(person.first_name, person.last_name, accounts.name[account_index] if account_index >= 0 else ""),
        )
        links: list[tuple[int, str]] = []
        if account_index >= 0:
            links.append((accounts.ids[account_index], self.pick_role(rng)))
            if rng.random() < SECOND_LINK_SHARE:
                other = accounts.parent[account_index]
                if other < 0:
                    other = rng.choice(accounts.by_market[market_index])
                if accounts.ids[other] != links[0][0]:
                    links.append((accounts.ids[other], self.pick_role(rng)))
        return row, links

    def seed_contacts(self, total: int) -> None:
        """Contacts spread over accounts (more on key accounts), each linked with a purchase role."""
        rng = self.rng
        if not self.accounts.ids or not total:
            return
        contact_writer = RowWriter(Contact, CONTACT_COLUMNS)
        link_writer = RowWriter(AccountContact, LINK_COLUMNS)
        cumulative = list(itertools.accumulate(self.accounts.weight))
        last = len(cumulative) - 1
        next_contact = next_id(Contact)
        next_link = next_id(AccountContact)
        done = 0
        while done < total:
            size = min(BATCH_SIZE, total - done)
            contacts: list[tuple[Any, ...]] = []
            links: list[tuple[int, int, int, str]] = []
            for _ in range(size):
                if rng.random() < NO_ACCOUNT_SHARE:
                    account_index = -1
                else:
                    account_index = min(bisect.bisect_right(cumulative, rng.random() * cumulative[-1]), last)
                row, contact_links = self._contact(next_contact, account_index)
                contacts.append(row)
                for account_id, role in contact_links:
                    links.append((next_link, account_id, next_contact, role))
                    next_link += 1
                next_contact += 1
            with transaction.atomic():
                contact_writer.insert(contacts)
                link_writer.insert(links)
            done += size
            self.progress("contacts", done, total)
        reset_sequences(Contact, AccountContact)

    # --- audit trail -------------------------------------------------------------------------------------

    def seed_audit(self) -> None:
        """One 'created' entry per record, dated when the record was created, so pages show a history."""
        sources: tuple[tuple[models.QuerySet[Any], str], ...] = (
            (
                Account.objects.select_related(
                    "owner", "category", "territory", "parent", "annual_revenue_currency", "created_by"
                ),
                "account",
            ),
            (Contact.objects.select_related("owner", "account", "created_by"), "contact"),
        )
        for queryset, record_type in sources:
            entries = []
            for record in queryset.order_by("pk").iterator(chunk_size=2_000):
                after = audit.snapshot(record)
                entries.append(
                    AuditEntry(
                        record_type=record_type,
                        record_id=record.pk,
                        record_repr=str(record)[:300],
                        action=AuditAction.CREATE,
                        actor=record.created_by,
                        at=record.created_at,
                        changes={k: ["", v] for k, v in after.items() if v},
                        note=AUDIT_NOTE,
                    )
                )
            AuditEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
            self.progress("audit", len(entries), len(entries))
