"""Demo data: a believable company (teams in three regions, users in every role, customers, leads
and a sales pipeline in six markets), deterministic for a given seed. `manage.py seed_demo` runs `seed()`; `bench/` uses it at
benchmark sizes.

The generator draws everything from one `random.Random(seed)`, never from the clock or a global
generator, so the same seed and sizes give the same names, owners and links. Only timestamps are
relative to the moment of seeding.

Demo data is a composition root like `rapport.config`: it fills the customer and lead tables too, so
this package imports `rapport.customers`, `rapport.leads`, `rapport.catalog` and `rapport.pipeline` (core's own
modules never do).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from rapport.core.models import User
from rapport.demo.names import NameMaker
from rapport.demo.org import ADMIN_EMAIL, DEMO_DOMAIN, DEMO_LOGINS, DEMO_PASSWORD, build_org

__all__ = [
    "DEFAULT_ACCOUNTS",
    "DEFAULT_ACTIVITIES",
    "DEFAULT_CONTACTS",
    "DEFAULT_LEADS",
    "DEFAULT_OPPORTUNITIES",
    "DEFAULT_SEED",
    "DEMO_DOMAIN",
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DemoDataExists",
    "SeedResult",
    "add_activities",
    "add_quotes",
    "default_activities",
    "existing_data",
    "seed",
]

DEFAULT_SEED = 2026
DEFAULT_ACCOUNTS = 500
DEFAULT_CONTACTS = 1_500
DEFAULT_LEADS = 800
DEFAULT_OPPORTUNITIES = 600
#: activities of the default demo: enough for lively calendars and Today pages around today;
#: other sizes get a proportional number (`default_activities`)
DEFAULT_ACTIVITIES = 5_000
#: at most this many activities unless asked for explicitly (the benchmark asks for millions)
MAX_DEFAULT_ACTIVITIES = 20_000
#: up to this many accounts + contacts + leads + opportunities, the whole seed is one transaction and each record gets a
#: 'created' audit entry; above it (benchmark sizes) batches commit one by one and no audit is written
SMALL = 20_000


class DemoDataExists(Exception):
    """The database already holds accounts or the demo organisation."""


@dataclass(frozen=True)
class SeedResult:
    seed: int
    users: int
    teams: int
    accounts: int
    contacts: int
    links: int
    leads: int
    opportunities: int
    activities: int
    quotes: int
    audit_entries: int
    seconds: float


def default_activities(*, accounts: int, contacts: int, leads: int, opportunities: int) -> int:
    """How many activities a demo of these sizes gets when not told: in proportion to the default demo."""
    default_total = DEFAULT_ACCOUNTS + DEFAULT_CONTACTS + DEFAULT_LEADS + DEFAULT_OPPORTUNITIES
    total = accounts + contacts + leads + opportunities
    return min(MAX_DEFAULT_ACTIVITIES, round(DEFAULT_ACTIVITIES * total / default_total))


def add_activities(
    *, total: int, seed: int = DEFAULT_SEED, progress: Callable[[str, int, int], None] | None = None
) -> int:
    """Add `total` demo activities to a database that already holds the demo company (the
    benchmark's databases, built before activities existed); ANALYZE after. Returns how many."""
    from rapport.demo.activities import seed_activities

    if total > SMALL:
        use_large_cache()
    from rapport.activities.models import Activity

    made = seed_activities(total=total, seed=seed, progress=progress)
    refresh_planner_statistics(Activity._meta.db_table)
    return made


def add_quotes(*, total: int, seed: int = DEFAULT_SEED, progress: Callable[[str, int, int], None] | None = None) -> int:
    """Add `total` demo quotes to a database that already holds the demo company and its
    opportunities (the benchmark's databases); ANALYZE after. Returns how many."""
    from rapport.demo.quotes import seed_quotes
    from rapport.quotes.models import Quote, QuoteLine

    if total > SMALL:
        use_large_cache()
    made = seed_quotes(total=total, seed=seed, progress=progress)
    refresh_planner_statistics(Quote._meta.db_table, QuoteLine._meta.db_table)
    return made


def existing_data() -> str | None:
    """Why the database is not empty enough to seed, or None."""
    from rapport.catalog.models import Product
    from rapport.customers.models import Account
    from rapport.leads.models import Lead
    from rapport.pipeline.models import Opportunity

    if Account.objects.exists():
        return "accounts"
    if User.objects.filter(email=ADMIN_EMAIL).exists():
        return "demo users"
    if Lead.objects.exists():
        return "leads"
    if Opportunity.objects.exists():
        return "opportunities"
    if Product.objects.exists():
        return "products"
    return None


#: SQLite page cache while seeding at benchmark sizes (KiB): the match-key indexes of a million
#: contacts are written in random order, and with the usual 64 MB the pages they need keep being
#: read back from the operating system
SEED_CACHE_KIB = 1_000_000


def use_large_cache() -> None:
    """Give this SQLite connection a large page cache for a bulk load (no effect on PostgreSQL)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size=-{SEED_CACHE_KIB}")


def refresh_planner_statistics(*tables: str) -> None:
    """ANALYZE after a bulk load, as after any import: the query planners choose by table statistics.

    SQLite has none until ANALYZE runs, and without them it sorts a whole team's contacts to
    show the first page of 50 instead of walking the name index (docs/performance.md).
    """
    with connection.cursor() as cursor:
        if not tables:
            cursor.execute("ANALYZE")
        for table in tables:  # only what a load changed (a whole benchmark database takes minutes)
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def seed(
    *,
    seed: int = DEFAULT_SEED,
    accounts: int = DEFAULT_ACCOUNTS,
    contacts: int = DEFAULT_CONTACTS,
    leads: int = DEFAULT_LEADS,
    opportunities: int = DEFAULT_OPPORTUNITIES,
    activities: int | None = None,
    quotes: int | None = None,
    audit: bool | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> SeedResult:
    """Fill an empty database with the demo company. `audit=None`: audit entries at small sizes only;
    `activities=None`: `default_activities` for these sizes; `quotes=None`: on about a third of the
    opportunities of a small demo, none at benchmark sizes (`add_quotes` adds them)."""
    from rapport.activities.models import Activity
    from rapport.core.models import AuditEntry, Team
    from rapport.customers.models import Account, AccountContact, Contact
    from rapport.demo.activities import seed_activities
    from rapport.demo.customers import CustomerSeeder
    from rapport.demo.leads import LeadSeeder
    from rapport.demo.pipeline import PipelineSeeder
    from rapport.demo.quotes import seed_quotes
    from rapport.leads.models import Lead
    from rapport.pipeline.models import Opportunity
    from rapport.quotes.models import Quote

    if (reason := existing_data()) is not None:
        raise DemoDataExists(reason)
    started = time.monotonic()
    small = accounts + contacts + leads + opportunities <= SMALL
    write_audit = small if audit is None else audit
    rng = random.Random(seed)
    names = NameMaker(rng)
    # Whole minutes keep timestamps tidy; only they depend on the day the demo is built.
    now = timezone.now().replace(second=0, microsecond=0)
    today = timezone.localdate(now)

    if activities is None:
        activities = default_activities(accounts=accounts, contacts=contacts, leads=leads, opportunities=opportunities)
    if quotes is None:
        quotes = opportunities // 3 if small else 0
    if not small or activities > SMALL:
        use_large_cache()

    def run() -> None:
        with transaction.atomic():
            org = build_org(rng=rng, names=names, today=today)
            seeder = CustomerSeeder(org=org, rng=rng, names=names, now=now, progress=progress)
            seeder.seed_categories()
            lead_seeder = LeadSeeder(org=org, rng=rng, names=names, now=now, keys=seeder.keys, progress=progress)
            lead_seeder.seed_setup()
            pipeline_seeder = PipelineSeeder(org=org, rng=rng, now=now, progress=progress)
            pipeline_seeder.seed_catalog()
        seeder.seed_accounts(accounts)
        seeder.seed_contacts(contacts)
        lead_seeder.seed_leads(leads)
        # Opportunities draw last, so the customers and leads of a seed stay what they were before.
        pipeline_seeder.seed_opportunities(opportunities)
        # Activities last, from their own generator (so adding them later gives the same ones).
        seed_activities(total=activities, seed=seed, now=now, progress=progress)
        seed_quotes(total=quotes, seed=seed, now=now, progress=progress)
        if write_audit:
            seeder.seed_audit()
            lead_seeder.seed_audit()
            pipeline_seeder.seed_audit()

    if small:
        with transaction.atomic():
            run()
    else:
        run()
    refresh_planner_statistics()
    return SeedResult(
        seed=seed,
        users=User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").count(),
        teams=Team.objects.count(),
        accounts=Account.objects.count(),
        contacts=Contact.objects.count(),
        links=AccountContact.objects.count(),
        leads=Lead.objects.count(),
        opportunities=Opportunity.objects.count(),
        activities=Activity.objects.count(),
        quotes=Quote.objects.count(),
        audit_entries=AuditEntry.objects.filter(note="demo data").count() if write_audit else 0,
        seconds=time.monotonic() - started,
    )
