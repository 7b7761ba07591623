"""Demo catalogue and pipeline: what Meridian sells, at which prices, and the deals its salespeople work.

The catalogue (about forty products in five families, a general price book per currency and one for
key accounts) goes through the catalogue services, like an administrator's clicks. Opportunities are
generated as tuples and written by `bulk.RowWriter`, like the customers and leads, with their product
lines, contact roles, competitors, costs and the stage history (`StageChange`) that led each one to
its current stage. Each opportunity belongs to its account's owner and is priced from the price book
of the account's market currency, so the amount is the sum of its lines as the services would have it.

Stage histories are dated backwards from the moment of seeding: the time in the current stage is
drawn first — some deals sit longer than the stage's "stuck after" days — then the earlier steps.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from rapport.catalog import services as catalog_services
from rapport.catalog.models import PriceBookEntry
from rapport.core import audit
from rapport.core.errors import RuleViolation
from rapport.core.models import AuditAction, AuditEntry
from rapport.core.money import CENT, rate_on
from rapport.customers.models import Account, AccountType, Contact, CustomerCategory
from rapport.demo import data
from rapport.demo import pipeline_data as pd
from rapport.demo.bulk import RowWriter, next_id, reset_sequences
from rapport.demo.customers import AUDIT_NOTE, BATCH_SIZE, KEY_ACCOUNT, Weighted
from rapport.demo.org import BASE_RATES, DemoOrg
from rapport.pipeline.models import (
    Opportunity,
    OpportunityCompetitor,
    OpportunityContact,
    OpportunityCost,
    OpportunityLine,
    Pipeline,
    Stage,
    StageChange,
    StageKind,
)

OPPORTUNITY_COLUMNS = (
    "id", "name", "account_id", "owner_id", "pipeline_id", "stage_id", "amount_amount", "amount_currency_id",
    "amount_from_lines", "probability", "probability_overridden", "close_date", "forecast_category", "next_step",
    "closed_reason", "source_lead_id", "campaign", "description", "custom", "stage_entered_at", "closed_at",
    "created_by_id", "created_at", "updated_at",
)  # fmt: skip
LINE_COLUMNS = ("id", "opportunity_id", "position", "product_id", "description", "quantity", "unit_price", "discount")
CONTACT_COLUMNS = ("id", "opportunity_id", "contact_id", "role")
COMPETITOR_COLUMNS = ("id", "opportunity_id", "competitor_id", "strengths", "weaknesses", "status")
COST_COLUMNS = (
    "id", "opportunity_id", "date", "category", "amount_amount", "amount_currency_id", "description", "created_by_id",
)  # fmt: skip
CHANGE_COLUMNS = ("id", "opportunity_id", "from_stage_id", "to_stage_id", "by_id", "at", "amount", "currency_id",
                  "probability")  # fmt: skip
_ACCOUNT_VALUES = ("id", "name", "owner_id", "territory_id", "country", "category_id", "type", "created_at")
_LOOKUP_CHUNK = 500
_COMPETITOR_POOL = 500
_MIN_STEP = dt.timedelta(hours=2)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class _Product:
    pk: int
    sku: str
    family: str
    unit: str


@dataclass
class _Rows:
    """One batch of rows for every table an opportunity fills."""

    opportunities: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    contacts: list[tuple[Any, ...]] = field(default_factory=list)
    competitors: list[tuple[Any, ...]] = field(default_factory=list)
    costs: list[tuple[Any, ...]] = field(default_factory=list)
    changes: list[tuple[Any, ...]] = field(default_factory=list)


def nice_price(amount: Decimal) -> Decimal:
    """Three significant digits, as a price list shows them: 1,960.00; 7,610.00; 28,800,000.00; 89.00."""
    if amount <= 0:
        return Decimal("0.00")
    exponent = max(0, math.floor(math.log10(amount)) - 2)
    step = Decimal(10) ** exponent
    return ((amount / step).to_integral_value(rounding=ROUND_HALF_UP) * step).quantize(CENT)


class PipelineSeeder:
    """Generates the demo's catalogue and opportunities, drawing from the shared generator."""

    def __init__(
        self,
        *,
        org: DemoOrg,
        rng: random.Random,
        now: dt.datetime,
        progress: Progress | None = None,
    ) -> None:
        self.org = org
        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.progress = progress or (lambda stage, done, total: None)
        self.products: list[_Product] = []
        self.by_family: dict[str, list[_Product]] = {}
        #: (currency, customer category id or None) → product id → unit price
        self.prices: dict[tuple[str, int | None], dict[int, Decimal]] = {}
        self.rates: dict[str, Decimal] = {}
        self.currency_of_territory = {
            org.territories[m.territory].pk: m.currency for m in data.MARKETS if m.territory in org.territories
        }
        self.currency_of_country = {m.country: m.currency for m in data.MARKETS}
        self.pick_lines = Weighted(pd.LINE_COUNTS)
        self.pick_roles = Weighted(pd.CONTACT_ROLE_COUNTS)
        self.pick_role = Weighted(pd.CONTACT_ROLES)
        self.pick_discount = Weighted(pd.DISCOUNTS)
        self.pick_cost = Weighted(tuple((cost, 1) for cost in pd.COSTS))

    # --- catalogue --------------------------------------------------------------------------------------

    def _rate(self, currency: str) -> Decimal:
        """EUR per unit: the latest seeded rate, else the demo's base rate."""
        if currency not in self.rates:
            try:
                self.rates[currency] = rate_on(currency, self.today)
            except RuleViolation:
                self.rates[currency] = BASE_RATES.get(currency, Decimal(1))
        return self.rates[currency]

    def seed_catalog(self) -> None:
        """Products and price books through the catalogue services (a few hundred rows; no generator draws)."""
        actor = self.org.admin
        list_prices: dict[int, Decimal] = {}
        for family, number, name, unit, price, description in pd.PRODUCTS:
            prefix, tax_rate = pd.FAMILIES[family]
            sku = f"{prefix}-{number}"
            product = catalog_services.product_save(
                actor=actor,
                data={
                    "sku": sku,
                    "name": name,
                    "family": family,
                    "unit": unit,
                    "list_price_amount": price,
                    "list_price_currency": "EUR",
                    "tax_rate": pd.TAX_EXCEPTIONS.get(sku, tax_rate),
                    "active": sku not in pd.INACTIVE_SKUS,
                    "description": description,
                },
            )
            if product.active:
                item = _Product(pk=product.pk, sku=sku, family=family, unit=unit)
                self.products.append(item)
                self.by_family.setdefault(family, []).append(item)
                list_prices[product.pk] = Decimal(price)
        entries = []
        for currency in pd.MARKET_FACTOR:
            if currency not in self.org.currencies:
                continue
            book = catalog_services.price_book_save(
                actor=actor, data={"name": f"Standard {currency}", "currency": currency}
            )
            prices = self._book_prices(list_prices, currency, Decimal(1))
            self.prices[(currency, None)] = prices
            entries += [PriceBookEntry(price_book=book, product_id=pk, unit_price=p) for pk, p in prices.items()]
        category = CustomerCategory.objects.filter(name=KEY_ACCOUNT).first()
        if category is not None and "EUR" in self.org.currencies:
            book = catalog_services.price_book_save(
                actor=actor, data={"name": "Key accounts EUR", "currency": "EUR", "customer_category": category.pk}
            )
            prices = self._book_prices(list_prices, "EUR", pd.KEY_ACCOUNT_FACTOR)
            self.prices[("EUR", category.pk)] = prices
            entries += [PriceBookEntry(price_book=book, product_id=pk, unit_price=p) for pk, p in prices.items()]
        PriceBookEntry.objects.bulk_create(entries)

    def _book_prices(self, list_prices: dict[int, Decimal], currency: str, factor: Decimal) -> dict[int, Decimal]:
        if currency == "EUR" and factor == 1:
            return {pk: price.quantize(CENT) for pk, price in list_prices.items()}
        scale = pd.MARKET_FACTOR[currency] * factor / self._rate(currency)
        return {pk: nice_price(price * scale) for pk, price in list_prices.items()}

    def _load_catalog(self) -> None:
        """The catalogue as `seed_catalog` left it (for a seeder that did not create it)."""
        from rapport.catalog.models import Product

        for pk, sku, family, unit in (
            Product.objects.filter(active=True).order_by("pk").values_list("pk", "sku", "family", "unit")
        ):
            item = _Product(pk=pk, sku=sku, family=family, unit=unit)
            self.products.append(item)
            self.by_family.setdefault(family, []).append(item)
        for currency, category, product, price in PriceBookEntry.objects.filter(price_book__active=True).values_list(
            "price_book__currency_id", "price_book__customer_category_id", "product_id", "unit_price"
        ):
            self.prices.setdefault((currency, category), {})[product] = price

    # --- draws ------------------------------------------------------------------------------------------

    def _currency(self, account: dict[str, Any]) -> str:
        return self.currency_of_territory.get(account["territory_id"]) or self.currency_of_country.get(
            account["country"], "EUR"
        )

    def _price(self, product: _Product, currency: str, category: int | None) -> Decimal | None:
        """As `rapport.catalog.pricing.price_for`: the category's book, else the currency's general book."""
        for key in ((currency, category), (currency, None)):
            price = self.prices.get(key, {}).get(product.pk)
            if price is not None:
                return price
        return None

    def _quantity(self, product: _Product) -> Decimal:
        rng = self.rng
        if product.unit == "h":
            return Decimal(rng.choice(pd.HOURS))
        if product.sku == "SWL-170":
            return Decimal(1)
        low, high = pd.QUANTITY.get(product.family, (1, 10))
        return Decimal(int(math.exp(rng.uniform(math.log(low), math.log(high + 1)))))

    def _lines(
        self, family: str, currency: str, category: int | None
    ) -> list[tuple[_Product, Decimal, Decimal, Decimal, Decimal]]:
        """One to four lines (product, quantity, unit price, discount, total); the first of the deal's main family."""
        rng = self.rng
        count = self.pick_lines(rng)
        chosen: list[_Product] = []
        for index in range(count):
            if index == 0 or rng.random() < 0.55:
                pool = self.by_family.get(family) or self.products
            else:
                pool = self.by_family.get(rng.choice((pd.SERVICES, pd.SOFTWARE, pd.SENSORS))) or self.products
            candidates = [p for p in pool if p not in chosen]
            if candidates:
                chosen.append(rng.choice(candidates))
        lines = []
        for product in chosen:
            price = self._price(product, currency, category)
            if price is None:
                continue
            quantity = self._quantity(product)
            discount = self.pick_discount(rng)
            total = OpportunityLine(quantity=quantity, unit_price=price, discount=discount).total
            lines.append((product, quantity, price, discount, total))
        return lines

    def _path(self, target: Stage, open_stages: list[Stage]) -> list[Stage]:
        """The stages an opportunity went through, from the first open stage to `target`."""
        rng = self.rng
        if target.kind == StageKind.OPEN:
            reached = open_stages[: open_stages.index(target) + 1]
        elif target.kind == StageKind.WON:
            reached = list(open_stages)
        else:  # lost: somewhere along the way
            reached = open_stages[: rng.randint(1, len(open_stages))]
        # Now and then a deal jumps a stage (never the first nor the last one it reached).
        path = [s for i, s in enumerate(reached) if i in (0, len(reached) - 1) or rng.random() >= pd.SKIP_SHARE]
        while len(path) > 1 and rng.random() < pd.REWORK_SHARE:
            back = rng.randint(1, len(path) - 1)  # from path[back] to the stage before it, then on again
            path[back + 1 : back + 1] = [path[back - 1], path[back]]
        if target.kind != StageKind.OPEN:
            path.append(target)
        return path

    def _days_in(self, stage: Stage, *, current: bool) -> float:
        rng = self.rng
        limit = stage.stuck_after_days or 30
        if current:
            if rng.random() < pd.STUCK_SHARE:
                return rng.uniform(limit + 1, limit * 3)
            return rng.uniform(0.1, limit - 0.5)
        return rng.uniform(0.15, 1.1) * limit

    def _timeline(self, path: list[Stage], account_created: dt.datetime) -> list[dt.datetime]:
        """When each stage of `path` was entered, increasing and in the past, after the account existed."""
        rng = self.rng
        if path[-1].is_closed:
            offsets = [rng.uniform(0.05, pd.CLOSED_WITHIN_DAYS)]
        else:
            offsets = [self._days_in(path[-1], current=True)]
        for stage in reversed(path[:-1]):
            offsets.append(offsets[-1] + self._days_in(stage, current=False))
        offsets.reverse()  # days before now, oldest first
        available = (self.now - account_created).total_seconds() / 86_400 * 0.95
        if offsets[0] > available > 0:
            scale = available / offsets[0]
            offsets = [o * scale for o in offsets]
        times = [self.now - dt.timedelta(minutes=int(o * 1_440)) for o in offsets]
        for i in range(1, len(times)):  # strictly increasing even when scaled down
            if times[i] <= times[i - 1]:
                times[i] = times[i - 1] + _MIN_STEP
        if times[-1] > self.now:
            shift = times[-1] - self.now
            times = [t - shift for t in times]
        return times

    def _close_date(self, stage: Stage, open_stages: list[Stage], entered: dt.datetime) -> dt.date:
        rng = self.rng
        if stage.is_closed:
            return timezone.localdate(entered)
        if rng.random() < pd.OVERDUE_SHARE:
            return self.today - dt.timedelta(days=rng.randint(1, pd.CLOSED_WITHIN_DAYS))
        # Deals further along close sooner.
        progress = open_stages.index(stage) / max(1, len(open_stages) - 1)
        horizon = int(pd.CLOSE_AHEAD_DAYS - progress * (pd.CLOSE_AHEAD_DAYS - 45))
        return self.today + dt.timedelta(days=rng.randint(7, horizon))

    def _name(self, account_name: str, theme: str) -> str:
        rng = self.rng
        name = f"{account_name} — {theme}"
        if rng.random() < 0.3:
            name += f", {rng.choice(pd.DEAL_SUFFIXES)}"
        return name[:200]

    # --- accounts to sell to ----------------------------------------------------------------------------

    def _accounts(self, total: int) -> list[dict[str, Any]]:
        """`total` draws of accounts (an account can have several deals), customers more often than
        prospects and partners, competitors never; random ids, so it works at any size."""
        rng = self.rng
        bounds = Account.objects.aggregate(low=models.Min("pk"), high=models.Max("pk"))
        if bounds["low"] is None:
            return []
        top = max(pd.ACCOUNT_TYPE_WEIGHTS.values())
        drawn: list[dict[str, Any]] = []
        for _attempt in range(20):
            wanted = total - len(drawn)
            if wanted <= 0:
                break
            ids = [rng.randint(bounds["low"], bounds["high"]) for _ in range(wanted * 2 + 10)]
            rows = self._account_rows(ids)
            for pk in ids:
                row = rows.get(pk)
                if row is None or rng.random() * top >= pd.ACCOUNT_TYPE_WEIGHTS.get(row["type"], 1):
                    continue
                drawn.append(row)
                if len(drawn) == total:
                    break
        return drawn

    def _account_rows(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        found: dict[int, dict[str, Any]] = {}
        unique = sorted(set(ids))
        for start in range(0, len(unique), _LOOKUP_CHUNK):
            for row in Account.objects.filter(pk__in=unique[start : start + _LOOKUP_CHUNK]).values(*_ACCOUNT_VALUES):
                found[row["id"]] = row
        return found

    def _contacts_of(self, account_ids: set[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        unique = sorted(account_ids)
        for start in range(0, len(unique), _LOOKUP_CHUNK):
            rows = (
                Contact.objects.filter(account_id__in=unique[start : start + _LOOKUP_CHUNK])
                .order_by("account_id", "pk")
                .values_list("account_id", "pk")
            )
            for account_id, contact_id in rows:
                found.setdefault(account_id, []).append(contact_id)
        return found

    def _competitor_pool(self, accounts: list[dict[str, Any]]) -> list[int]:
        pool = list(
            Account.objects.filter(type=AccountType.COMPETITOR)
            .order_by("pk")
            .values_list("pk", flat=True)[:_COMPETITOR_POOL]
        )
        if pool:
            return pool
        # No competitor in the database: other companies stand in for them.
        return sorted({row["id"] for row in accounts})[:_COMPETITOR_POOL]

    # --- opportunities ----------------------------------------------------------------------------------

    def seed_opportunities(self, total: int) -> int:
        """`total` opportunities on existing accounts, in batches; returns how many were made."""
        if total <= 0:
            return 0
        if not self.products:
            self._load_catalog()
        pipeline = Pipeline.objects.filter(name="Sales").first() or Pipeline.objects.filter(active=True).first()
        if pipeline is None or not self.products:
            return 0
        stages = list(pipeline.stages.order_by("order", "id"))
        open_stages = [s for s in stages if s.kind == StageKind.OPEN]
        if not open_stages:
            return 0
        weights = tuple((s, pd.STAGE_WEIGHTS.get(s.name, 5)) for s in stages)
        pick_stage = Weighted(weights)
        accounts = self._accounts(total)
        if not accounts:
            return 0
        contacts = self._contacts_of({row["id"] for row in accounts})
        competitors = self._competitor_pool(accounts)
        self.pipeline = pipeline
        self.open_stages = open_stages
        self.contacts = contacts
        self.competitors = competitors
        writers = {
            "opportunities": RowWriter(Opportunity, OPPORTUNITY_COLUMNS),
            "lines": RowWriter(OpportunityLine, LINE_COLUMNS),
            "contacts": RowWriter(OpportunityContact, CONTACT_COLUMNS),
            "competitors": RowWriter(OpportunityCompetitor, COMPETITOR_COLUMNS),
            "costs": RowWriter(OpportunityCost, COST_COLUMNS),
            "changes": RowWriter(StageChange, CHANGE_COLUMNS),
        }
        self.ids = {
            "opportunities": next_id(Opportunity),
            "lines": next_id(OpportunityLine),
            "contacts": next_id(OpportunityContact),
            "competitors": next_id(OpportunityCompetitor),
            "costs": next_id(OpportunityCost),
            "changes": next_id(StageChange),
        }
        done = 0
        while done < len(accounts):
            batch = accounts[done : done + BATCH_SIZE]
            rows = _Rows()
            for account in batch:
                self._opportunity(account, pick_stage(self.rng), rows)
            with transaction.atomic():
                for key, writer in writers.items():
                    writer.insert(getattr(rows, key))
            done += len(batch)
            self.progress("opportunities", done, len(accounts))
        reset_sequences(
            Opportunity, OpportunityLine, OpportunityContact, OpportunityCompetitor, OpportunityCost, StageChange
        )
        return done

    def _next(self, table: str) -> int:
        pk = self.ids[table]
        self.ids[table] = pk + 1
        return pk

    def _opportunity(self, account: dict[str, Any], stage: Stage, rows: _Rows) -> None:
        rng = self.rng
        currency = self._currency(account)
        family = rng.choice(list(self.by_family))
        lines = self._lines(family, currency, account["category_id"])
        amount = sum((line[4] for line in lines), Decimal("0.00"))
        path = self._path(stage, self.open_stages)
        times = self._timeline(path, account["created_at"])
        created, entered = times[0], times[-1]
        owner = account["owner_id"]
        pk = self._next("opportunities")
        if stage.kind == StageKind.WON:
            reason = rng.choice(pd.WON_REASONS) if rng.random() < 0.8 else ""
        elif stage.kind == StageKind.LOST:
            reason = rng.choice(pd.LOST_REASONS)
        else:
            reason = ""
        next_step = ""
        if not stage.is_closed and rng.random() < 0.9:
            next_step = rng.choice(pd.NEXT_STEPS.get(stage.name, pd.NEXT_STEPS["Prospecting"]))
        updated = entered + (self.now - entered) * (rng.random() ** 2 if not stage.is_closed else 0)
        rows.opportunities.append(
            (
                pk,
                self._name(account["name"], rng.choice(pd.DEAL_THEMES.get(family, ("New project",)))),
                account["id"],
                owner,
                self.pipeline.pk,
                stage.pk,
                amount,
                currency,
                True,
                stage.probability,
                False,
                self._close_date(stage, self.open_stages, entered),
                stage.forecast_category,
                next_step,
                reason,
                None,
                "",
                "",
                {},
                entered,
                entered if stage.is_closed else None,
                owner,
                created,
                updated.replace(microsecond=0),
            )
        )
        for position, (product, quantity, price, discount, _total) in enumerate(lines, start=1):
            rows.lines.append((self._next("lines"), pk, position, product.pk, "", quantity, price, discount))
        previous: Stage | None = None
        for step, at in zip(path, times, strict=True):
            rows.changes.append(
                (
                    self._next("changes"),
                    pk,
                    previous.pk if previous else None,
                    step.pk,
                    owner,
                    at,
                    amount,
                    currency,
                    step.probability,
                )
            )
            previous = step
        self._parts(pk, account, stage, currency, created, entered, rows)

    def _parts(
        self,
        pk: int,
        account: dict[str, Any],
        stage: Stage,
        currency: str,
        created: dt.datetime,
        entered: dt.datetime,
        rows: _Rows,
    ) -> None:
        """Contact roles, competitors and costs."""
        rng = self.rng
        people = self.contacts.get(account["id"], [])
        if people:
            for contact_id in rng.sample(people, min(len(people), self.pick_roles(rng))):
                rows.contacts.append((self._next("contacts"), pk, contact_id, self.pick_role(rng)))
        others = [c for c in self.competitors if c != account["id"]]
        if others and rng.random() < pd.COMPETITOR_SHARE:
            chosen = rng.sample(others, min(len(others), 1 if rng.random() < 0.7 else 2))
            for index, competitor_id in enumerate(chosen):
                if stage.kind == StageKind.WON:
                    status = "out"
                elif stage.kind == StageKind.LOST:
                    status = "won" if index == 0 else "out"
                else:
                    status = "leading" if rng.random() < 0.25 else "active"
                rows.competitors.append(
                    (
                        self._next("competitors"),
                        pk,
                        competitor_id,
                        rng.choice(pd.COMPETITOR_STRENGTHS),
                        rng.choice(pd.COMPETITOR_WEAKNESSES),
                        status,
                    )
                )
        if rng.random() < pd.COST_SHARE:
            last_day = timezone.localdate(entered if stage.is_closed else self.now)
            first_day = timezone.localdate(created)
            span = max(0, (last_day - first_day).days)
            for _ in range(rng.randint(1, 2)):
                category, (low, high), description = self.pick_cost(rng)
                eur = Decimal(rng.randint(low, high))
                local = nice_price(eur / self._rate(currency)) if currency != "EUR" else eur.quantize(CENT)
                day = first_day + dt.timedelta(days=rng.randint(0, span))
                rows.costs.append(
                    (self._next("costs"), pk, day, category, local, currency, description, account["owner_id"])
                )

    # --- audit trail ------------------------------------------------------------------------------------

    def seed_audit(self) -> None:
        """A 'created' entry per opportunity (as it was in its first stage) and an 'updated' one per move."""
        queryset = Opportunity.objects.select_related(
            "account", "owner", "pipeline", "stage", "amount_currency", "source_lead", "created_by"
        ).order_by("pk")
        stages = {s.pk: s for s in Stage.objects.all()}
        changes_of: dict[int, list[tuple[int, dt.datetime]]] = {}
        for opportunity_id, to_stage, at in StageChange.objects.order_by("opportunity", "at", "id").values_list(
            "opportunity_id", "to_stage_id", "at"
        ):
            changes_of.setdefault(opportunity_id, []).append((to_stage, at))
        entries = []
        for opportunity in queryset.iterator(chunk_size=2_000):
            history = changes_of.get(opportunity.pk, [])
            if not history:
                continue
            reason = opportunity.closed_reason
            first = stages[history[0][0]]
            opportunity.stage = first
            opportunity.probability = first.probability
            opportunity.forecast_category = first.forecast_category
            opportunity.closed_reason = ""
            created = audit.snapshot(opportunity)
            entries.append(self._audit_entry(opportunity, AuditAction.CREATE, history[0][1], created))
            before = _stage_values(first, "")
            for stage_id, at in history[1:]:
                stage = stages[stage_id]
                after = _stage_values(stage, reason if stage.is_closed else "")
                changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
                entries.append(self._audit_entry(opportunity, AuditAction.UPDATE, at, changes))
                before = after
        AuditEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
        self.progress("audit", len(entries), len(entries))

    @staticmethod
    def _audit_entry(opportunity: Opportunity, action: str, at: dt.datetime, values: dict[str, Any]) -> AuditEntry:
        changes = {k: ["", v] for k, v in values.items() if v} if action == AuditAction.CREATE else values
        return AuditEntry(
            record_type="opportunity",
            record_id=opportunity.pk,
            record_repr=str(opportunity)[:300],
            action=action,
            actor=opportunity.owner,
            at=at,
            changes=changes,
            note=AUDIT_NOTE,
        )


def _stage_values(stage: Stage, closed_reason: str) -> dict[str, str]:
    """What a move changes, as the audit trail shows it (`audit.snapshot`'s display strings)."""
    return {
        "stage": str(stage),
        "probability": format(stage.probability.normalize(), "f"),
        "forecast_category": str(stage.forecast_category),
        "closed_reason": closed_reason,
    }
