"""Demo leads: sources, statuses, qualification, values, tags and scores as a sales team would have them.

The seeder first sets up what shapes leads — tags, two web-to-lead forms, scoring rules and two
assignment rules (Poland and Germany go round-robin to their teams) — and then generates the leads
in batches written by `bulk.RowWriter`, like the customers. Owners come from the real assignment
rules (`Assigner`) where one applies and scores from the real `ScoreCard`, so the demo shows what the
rules do. Some leads repeat a contact or an earlier lead in another spelling (the duplicate panel
has something to find); converted leads point at the contact (and its account) the conversion made.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import phonenumbers
from django.db import models, transaction

from rapport.core import audit
from rapport.core.models import AuditAction, AuditEntry, RoleCode
from rapport.customers.models import Contact
from rapport.demo import data
from rapport.demo import lead_data as ld
from rapport.demo.bulk import RowWriter, next_id, reset_sequences
from rapport.demo.customers import AUDIT_NOTE, BATCH_SIZE, PRIVATE_MAIL, Weighted
from rapport.demo.data import Market
from rapport.demo.keys import KeyMaker
from rapport.demo.names import NameMaker
from rapport.demo.org import BASE_RATES, DemoOrg
from rapport.leads.assignment import Assigner
from rapport.leads.models import AssignmentRule, Lead, LeadSource, LeadStatus, ScoringRule, Tag, WebForm
from rapport.leads.scoring import ScoreCard

#: the columns a generated lead does not always set (the scratch instance is reset to these per row)
_NO_CONVERSION: dict[str, Any] = {
    "street": "",
    "postal_code": "",
    "score": 0,
    "converted_at": None,
    "converted_by_id": None,
    "converted_account_id": None,
    "converted_contact_id": None,
    "owner_id": None,
    "created_by_id": None,
}
LEAD_COLUMNS = (
    "id", "first_name", "last_name", "company", "title", "email", "phone", "website", "industry", "street", "city",
    "postal_code", "region", "country", "territory_id", "source_id", "campaign", "status", "disqualify_reason",
    "need_identified", "need_description", "estimated_value_amount", "estimated_value_currency_id", "owner_id",
    "score", "qualification", "description", "custom", "utm_source", "utm_medium", "utm_campaign", "utm_term",
    "utm_content", "web_form_id", "converted_at", "converted_by_id", "converted_account_id", "converted_contact_id",
    "created_by_id", "created_at", "updated_at", "email_key", "phone_key", "name_key", "company_key",
)  # fmt: skip
TAG_LINK_COLUMNS = ("id", "lead_id", "tag_id")
#: what is read of a contact that a lead repeats or was converted into
_CONTACT_VALUES = (
    "id", "first_name", "last_name", "title", "email", "phone", "mobile", "city", "region", "country", "owner_id",
    "account_id", "account__name", "account__territory_id", "created_at",
)  # fmt: skip
_LOOKUP_CHUNK = 500
_RECENT_LEADS = 2_000

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class _Person:
    """Who a lead is about, when it repeats someone (a contact or an earlier lead)."""

    first_name: str
    last_name: str
    title: str
    email: str
    phone: str
    company: str
    city: str
    region: str
    country: str
    market: int


class LeadSeeder:
    """Generates the demo's lead set-up and leads, drawing from the shared generator."""

    def __init__(
        self,
        *,
        org: DemoOrg,
        rng: random.Random,
        names: NameMaker,
        now: dt.datetime,
        keys: KeyMaker | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.org = org
        self.rng = rng
        self.names = names
        self.now = now
        self.keys = keys or KeyMaker()
        self.progress = progress or (lambda stage, done, total: None)
        self.markets = data.MARKETS
        self.pick_market = Weighted(tuple((i, m.weight) for i, m in enumerate(self.markets)))
        self.pick_source = Weighted(ld.SOURCES)
        self.pick_fresh = Weighted(ld.STATUSES_FRESH)
        self.pick_recent = Weighted(ld.STATUSES_RECENT)
        self.pick_older = Weighted(ld.STATUSES_OLDER)
        self.pick_tag_count = Weighted(ld.TAG_COUNTS)
        self.salespeople = {code: [u.pk for u in people] for code, people in org.salespeople.items()}
        self.managers = {region: u.pk for region, u in org.region_managers.items()}
        self.marketing = [u.pk for u in org.users if u.role_id == RoleCode.MARKETING]
        self.territories = {m.territory: org.territories[m.territory].pk for m in self.markets}
        self.market_of_territory = {self.territories[m.territory]: i for i, m in enumerate(self.markets)}
        self.sources: dict[str, int] = {}
        self.tags: list[int] = []
        self.forms: list[tuple[int, str]] = []
        self.recent: list[_Person] = []

    # --- set-up ---------------------------------------------------------------------------------------

    def seed_setup(self) -> None:
        """Tags, web forms, scoring rules and assignment rules (the lead sources exist after migrate)."""
        self.sources = dict(LeadSource.objects.values_list("code", "id"))
        self.tags = [tag.pk for tag in Tag.objects.bulk_create([Tag(name=name) for name in ld.TAGS])]
        owner = next((u for u in self.org.users if u.role_id == RoleCode.MARKETING), self.org.admin)
        for name, campaign, fields in ld.WEB_FORMS:
            web_form = WebForm(
                name=name,
                fields=fields,
                source_id=self.sources.get("web_form"),
                campaign=campaign,
                owner=owner,
                thank_you_url=ld.THANK_YOU_URL,
            )
            web_form.full_clean()
            web_form.save()
            self.forms.append((web_form.pk, campaign))
        for position, (name, field, operator, value, points) in enumerate(ld.SCORING_RULES, start=1):
            rule = ScoringRule(
                name=name, field=field, operator=operator, value=value, points=points, position=position * 10
            )
            rule.full_clean()
            rule.save()
        for position, (name, countries, team) in enumerate(ld.ASSIGNMENT_RULES, start=1):
            assignment = AssignmentRule(
                name=name, position=position * 10, country=countries, assign_to_team=self.org.teams[team]
            )
            assignment.full_clean()
            assignment.save()

    # --- draws ----------------------------------------------------------------------------------------

    def _age(self) -> dt.timedelta:
        """How long ago a lead came in: many recent ones, fewer the further back."""
        return dt.timedelta(seconds=int(self.rng.random() ** 1.6 * ld.LEAD_AGE_DAYS * 86_400))

    def _status(self, age: dt.timedelta) -> str:
        if age < dt.timedelta(days=7):
            return str(self.pick_fresh(self.rng))
        if age < dt.timedelta(days=30):
            return str(self.pick_recent(self.rng))
        return str(self.pick_older(self.rng))

    def _owner(self, market: Market) -> int:
        if self.rng.random() < 0.04:
            return self.managers[market.region]
        return self.rng.choice(self.salespeople[market.code])

    def _value(self, status: str, market: Market) -> tuple[Decimal | None, str | None]:
        if self.rng.random() >= ld.VALUE_SHARE[status]:
            return None, None
        low, high = ld.VALUE_RANGE_EUR
        eur = math.exp(self.rng.uniform(math.log(low), math.log(high)))
        local = eur / float(BASE_RATES[market.currency])
        step = 10 ** max(2, int(math.log10(local)) - 1)  # two significant digits: 48,000 or 1,300,000,000
        return Decimal(int(local / step) * step), market.currency

    def _qualification(self, status: str, need: bool) -> dict[str, bool]:
        share = ld.CRITERION_SHARE[status]
        if share is None:
            return {}
        checked = {key: self.rng.random() < share for key in ld.CRITERIA if self.rng.random() < 0.8}
        if "need" in checked:
            checked["need"] = need
        return checked

    def _utm(self, source: str) -> tuple[str, str, str, str, str, int | None, str]:
        if source != "web_form" or not self.forms:
            return "", "", "", "", "", None, ""
        rng = self.rng
        form_id, campaign = rng.choice(self.forms)
        utm_source, medium, terms, contents = rng.choice(ld.UTM_CHANNELS)
        utm_campaign = rng.choice(ld.UTM_CAMPAIGNS) if utm_source else ""
        return utm_source, medium, utm_campaign, rng.choice(terms), rng.choice(contents), form_id, campaign

    def _campaign(self, source: str, market: Market, created: dt.datetime) -> str:
        rng = self.rng
        match source:
            case "campaign":
                return rng.choice(ld.CAMPAIGNS)
            case "event":
                return f"{rng.choice(ld.EVENTS[market.region])} {created.year}"
            case "purchased_list":
                return f"{rng.choice(ld.PURCHASED_LISTS)} ({market.country})"
        return ""

    # --- repeated people: variants that mean the same --------------------------------------------------

    def _email_variant(self, email: str) -> str:
        """The same address as someone would type it differently (the match key is the same)."""
        if not email:
            return ""
        local, _at, domain = email.partition("@")
        if self.rng.random() < 0.5:
            return f"{local.title()}@{domain}"
        return email.upper()

    def _phone_variant(self, phone: str) -> str:
        """The same number written another way: the national format, or with 00 for the +."""
        if not phone:
            return ""
        if self.rng.random() < 0.5:
            return "00" + phone[1:] if phone.startswith("+") else phone
        try:
            parsed = phonenumbers.parse(phone)
        except phonenumbers.NumberParseException:
            return phone
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)

    def _from_contact(self, row: dict[str, Any]) -> _Person:
        rng = self.rng
        market = self.market_of_territory.get(row["account__territory_id"])
        if market is None:
            market = next((i for i, m in enumerate(self.markets) if m.country == row["country"]), 0)
        phone = row["mobile"] if row["mobile"] and (not row["phone"] or rng.random() < 0.5) else row["phone"]
        if row["country"] == "" and phone and not phone.startswith("+"):
            phone = ""  # a national number needs the country to mean the same
        return _Person(
            first_name=row["first_name"],
            last_name=row["last_name"],
            title=row["title"],
            email=row["email"],
            phone=phone,
            company=row["account__name"] or "",
            city=row["city"],
            region=row["region"],
            country=row["country"] or self.markets[market].country,
            market=market,
        )

    def _contacts(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        found: dict[int, dict[str, Any]] = {}
        unique = sorted(set(ids))
        for start in range(0, len(unique), _LOOKUP_CHUNK):
            chunk = unique[start : start + _LOOKUP_CHUNK]
            for row in Contact.objects.filter(pk__in=chunk).values(*_CONTACT_VALUES):
                found[row["id"]] = row
        return found

    # --- one lead -------------------------------------------------------------------------------------

    def _fresh_person(self, market_index: int) -> tuple[_Person, str, str]:
        """A new person at a company not (yet) in the database; also the company's industry and website."""
        rng = self.rng
        market = self.markets[market_index]
        city = self.names.city(market)
        company = self.names.company(market, city)
        person = self.names.person(market)
        private = rng.random() < ld.PRIVATE_MAIL_SHARE
        domain = rng.choice(PRIVATE_MAIL) if private else f"{company.slug}.{market.tld}"
        website = f"https://www.{company.slug}.{market.tld}" if not private and rng.random() < 0.6 else ""
        titles = data.EN_TITLES if market.style == "tw" and person.last_name.isascii() else market.titles
        located = rng.random() < 0.85
        return (
            _Person(
                first_name=person.first_name,
                last_name=person.last_name,
                title=rng.choice(titles) if rng.random() < 0.8 else "",
                email=f"{person.email_local}@{domain}" if rng.random() < 0.92 else "",
                phone=self._phone(market) if rng.random() < 0.7 else "",
                company=company.name[:200] if rng.random() < 0.95 else "",
                city=city.name if located else "",
                region=city.region if located else "",
                country=market.country,
                market=market_index,
            ),
            company.industry,
            website,
        )

    def _phone(self, market: Market) -> str:
        # The UK's fictional mobile range has only 1,000 numbers: new leads there give a landline,
        # so that two different people rarely share a number by chance.
        # The fictional ranges are small, so a number somebody has is drawn again (a few times at most).
        mobile = self.rng.random() < 0.5 and market.style != "uk"
        phone = self.names.phone(market, mobile=mobile)
        for _attempt in range(5):
            if not self.keys.is_issued(phone, market.country):
                break
            phone = self.names.phone(market, mobile=mobile)
        return phone

    def _repeat(self, person: _Person) -> _Person:
        """The same person arriving again, spelled another way."""
        rng = self.rng
        email = self._email_variant(person.email) if rng.random() < 0.7 else ""
        phone = self._phone_variant(person.phone) if not email or rng.random() < 0.4 else ""
        return _Person(
            first_name=person.first_name,
            last_name=person.last_name,
            title=person.title,
            email=email or ("" if phone else person.email),
            phone=phone,
            company=person.company,
            city=person.city,
            region=person.region,
            country=person.country,
            market=person.market,
        )

    def _lead(
        self,
        pk: int,
        *,
        age: dt.timedelta,
        status: str,
        person: _Person,
        industry: str = "",
        website: str = "",
        converted: dict[str, Any] | None = None,
    ) -> tuple[Lead, list[int]]:
        rng = self.rng
        market = self.markets[person.market]
        source = str(self.pick_source(rng))
        created = self.now - age
        if converted is not None:
            # The conversion made the contact: it is dated when the lead was converted.
            converted_at = converted["created_at"]
            created = converted_at - dt.timedelta(seconds=rng.randint(3 * 86_400, 60 * 86_400))
        utm_source, medium, utm_campaign, term, content, form_id, form_campaign = self._utm(source)
        need = rng.random() < ld.NEED_SHARE[status]
        amount, currency = self._value(status, market)
        tag_ids = rng.sample(self.tags, self.pick_tag_count(rng)) if self.tags else []
        keys = self.keys
        # One Lead instance serves every row: the assignment rules and the score card read its
        # attributes, and building a model instance per row would cost a quarter of the time.
        lead = self.scratch
        lead.__dict__.update(
            _NO_CONVERSION,
            id=pk,
            first_name=person.first_name,
            last_name=person.last_name or person.first_name or "?",
            company=person.company,
            title=person.title,
            email=person.email,
            phone=person.phone,
            website=website,
            industry=industry,
            city=person.city,
            region=person.region,
            country=person.country,
            territory_id=self.territories[market.territory],
            source_id=self.sources.get(source),
            campaign=form_campaign or self._campaign(source, market, created),
            status=status,
            disqualify_reason=rng.choice(ld.DISQUALIFY_REASONS) if status == LeadStatus.DISQUALIFIED else "",
            need_identified=need,
            need_description=rng.choice(ld.NEEDS) if need else "",
            estimated_value_amount=amount,
            estimated_value_currency_id=currency,
            qualification=self._qualification(status, need),
            description=_description(source),
            custom={},
            utm_source=utm_source,
            utm_medium=medium,
            utm_campaign=utm_campaign,
            utm_term=term,
            utm_content=content,
            web_form_id=form_id,
            created_at=created,
            email_key=keys.email(person.email),
            phone_key=keys.phone(person.phone, person.country),
            name_key=keys.name(person.first_name, person.last_name, person.company),
            company_key=keys.company(person.company),
        )
        self._own(lead, market, source, converted)
        lead.updated_at = _updated(rng, lead, self.now)
        return lead, tag_ids

    def _own(self, lead: Lead, market: Market, source: str, converted: dict[str, Any] | None) -> None:
        """Owner (an assignment rule's pick, else the market's salespeople), creator and conversion."""
        if converted is not None:
            lead.owner_id = converted["owner_id"]
            lead.converted_at = converted["created_at"]
            lead.converted_by_id = converted["owner_id"]
            lead.converted_account_id = converted["account_id"]
            lead.converted_contact_id = converted["id"]
        else:
            picked = self.assigner.owner_for(lead)
            lead.owner_id = picked[0].pk if picked is not None else self._owner(market)
        if source == "web_form":
            lead.created_by_id = None
        elif source in ld.MARKETING_SOURCES and self.marketing:
            lead.created_by_id = self.rng.choice(self.marketing)
        else:
            lead.created_by_id = lead.owner_id

    # --- all leads ------------------------------------------------------------------------------------

    def seed_leads(self, total: int) -> None:
        """`total` leads in batches; scores by the demo's scoring rules; round-robin positions kept."""
        if total <= 0:
            return
        self.assigner = Assigner()
        self.card = ScoreCard()
        self.scratch = Lead()
        lead_writer = RowWriter(Lead, LEAD_COLUMNS)
        tag_writer = RowWriter(Lead.tags.through, TAG_LINK_COLUMNS)
        bounds = Contact.objects.aggregate(low=models.Min("pk"), high=models.Max("pk"))
        contact_range = (bounds["low"], bounds["high"]) if bounds["low"] is not None else None
        next_lead = next_id(Lead)
        next_link = next_id(Lead.tags.through)
        done = 0
        while done < total:
            rows, links = self._batch(next_lead, min(BATCH_SIZE, total - done), contact_range)
            link_rows = [(next_link + i, lead_id, tag_id) for i, (lead_id, tag_id) in enumerate(links)]
            next_link += len(link_rows)
            with transaction.atomic():
                lead_writer.insert(rows)
                tag_writer.insert(link_rows)
            next_lead += len(rows)
            done += len(rows)
            self.progress("leads", done, total)
        with transaction.atomic():
            self.assigner.save()
        reset_sequences(Lead, Lead.tags.through)

    def _plan(self, size: int, contact_range: tuple[int, int] | None) -> list[tuple[dt.timedelta, str, str, int]]:
        """Per row: age, status, kind (fresh, contact, lead, converted) and a contact id to read."""
        rng = self.rng
        plan = []
        for _ in range(size):
            age = self._age()
            status = self._status(age)
            contact_id = rng.randint(*contact_range) if contact_range else 0
            if status == LeadStatus.CONVERTED:
                kind = "converted" if contact_range else "fresh"
            elif contact_range and rng.random() < ld.CONTACT_DUPLICATE_SHARE:
                kind = "contact"
            elif rng.random() < ld.LEAD_DUPLICATE_SHARE:
                kind = "lead"
            else:
                kind = "fresh"
            plan.append((age, status, kind, contact_id))
        return plan

    def _batch(
        self, first_id: int, size: int, contact_range: tuple[int, int] | None
    ) -> tuple[list[tuple[Any, ...]], list[tuple[int, int]]]:
        rng = self.rng
        plan = self._plan(size, contact_range)
        contacts = self._contacts([c for _a, _s, kind, c in plan if kind in ("converted", "contact")])
        rows: list[tuple[Any, ...]] = []
        links: list[tuple[int, int]] = []
        for offset, (age, status, kind, contact_id) in enumerate(plan):
            contact = contacts.get(contact_id)
            industry = website = ""
            converted = None
            if kind == "converted" and contact is not None and contact["account_id"] is not None:
                person, converted = self._from_contact(contact), contact
            elif kind == "contact" and contact is not None:
                person = self._repeat(self._from_contact(contact))
            elif kind == "lead" and self.recent:
                person = self._repeat(rng.choice(self.recent))
            else:
                person, industry, website = self._fresh_person(self.pick_market(rng))
                self._remember(person)
            if converted is None and status == LeadStatus.CONVERTED:
                status = LeadStatus.QUALIFIED  # nothing to convert into: the lead is still being worked
            lead, tag_ids = self._lead(
                first_id + offset,
                age=age,
                status=status,
                person=person,
                industry=industry,
                website=website,
                converted=converted,
            )
            lead.score = self.card.score(lead, [])
            rows.append(tuple(getattr(lead, column) for column in LEAD_COLUMNS))
            links.extend((lead.pk, tag_id) for tag_id in tag_ids)
        return rows, links

    def _remember(self, person: _Person) -> None:
        if len(self.recent) < _RECENT_LEADS:
            self.recent.append(person)
        else:
            self.recent[self.rng.randrange(_RECENT_LEADS)] = person

    # --- audit trail ----------------------------------------------------------------------------------

    def seed_audit(self) -> None:
        """One 'created' entry per lead, dated when the lead came in, by whoever entered it."""
        queryset = (
            Lead.objects.select_related("owner", "territory", "source", "estimated_value_currency", "created_by")
            .prefetch_related("tags")
            .order_by("pk")
        )
        entries = []
        for lead in queryset.iterator(chunk_size=2_000):
            after = audit.snapshot(lead)
            entries.append(
                AuditEntry(
                    record_type="lead",
                    record_id=lead.pk,
                    record_repr=str(lead)[:300],
                    action=AuditAction.CREATE,
                    actor=lead.created_by,
                    at=lead.created_at,
                    changes={k: ["", v] for k, v in after.items() if v},
                    note=AUDIT_NOTE,
                )
            )
        AuditEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
        self.progress("audit", len(entries), len(entries))


def _description(source: str) -> str:
    match source:
        case "referral":
            return "Referred by an existing customer."
        case "partner":
            return "Introduced by a reseller partner."
    return ""


def _updated(rng: random.Random, lead: Lead, now: dt.datetime) -> dt.datetime:
    """The last change: the conversion for converted leads, else some time after the lead came in."""
    if lead.converted_at is not None:
        return lead.converted_at
    created = lead.created_at
    if lead.status == LeadStatus.NEW and rng.random() < 0.7:
        return created
    return (created + (now - created) * rng.random() ** 2).replace(microsecond=0)
