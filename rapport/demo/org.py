"""The demo organisation: territories, teams, users in every role, currencies and exchange rates.

Teams, territories, rates and settings go through the core services, like an administrator's
clicks. Users are saved directly after the same model validation, because the service checks the
password rules and hashes each password (a second or so per user with the production hasher);
every demo user shares the one demo password, hashed once.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from rapport.core.models import Currency, RoleCode, Team, Territory, User
from rapport.core.services import currency as currency_services
from rapport.core.services import org as org_services
from rapport.core.services._common import full_clean_or_raise
from rapport.demo import data
from rapport.demo.data import Market
from rapport.demo.names import NameMaker

DEMO_DOMAIN = "demo.rapport.local"
DEMO_PASSWORD = "rapport-demo"
COMPANY_NAME = "Meridian Industrial Group"
HQ_TIME_ZONE = "Europe/Warsaw"

ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
EXECUTIVE_EMAIL = f"executive@{DEMO_DOMAIN}"
MARKETING_EMAIL = f"marketing@{DEMO_DOMAIN}"
PRODUCTION_EMAIL = f"production@{DEMO_DOMAIN}"


def manager_email(region: str) -> str:
    return f"manager.{region.lower()}@{DEMO_DOMAIN}"


def sales_email(market: Market) -> str:
    return f"sales.{market.code}@{DEMO_DOMAIN}"


#: one login per role, shown by `manage.py demo_logins` and the `make run` banner
DEMO_LOGINS: tuple[tuple[str, str], ...] = (
    (RoleCode.ADMINISTRATOR, ADMIN_EMAIL),
    (RoleCode.SALES_MANAGER, manager_email("EMEA")),
    (RoleCode.SALESPERSON, f"sales.pl@{DEMO_DOMAIN}"),
    (RoleCode.MARKETING, MARKETING_EMAIL),
    (RoleCode.EXECUTIVE, EXECUTIVE_EMAIL),
    (RoleCode.DEPARTMENT_MEMBER, PRODUCTION_EMAIL),
)

#: units of EUR (the company currency) per unit, around which monthly rates move
BASE_RATES: dict[str, Decimal] = {
    "EUR": Decimal(1),
    "USD": Decimal("0.92"),
    "PLN": Decimal("0.231"),
    "GBP": Decimal("1.17"),
    "IDR": Decimal("0.0000565"),
    "TWD": Decimal("0.0285"),
}
RATE_MONTHS = 6


@dataclass
class DemoOrg:
    """What the customer generator needs to know about the organisation it fills."""

    admin: User
    teams: dict[str, Team] = field(default_factory=dict)
    territories: dict[str, Territory] = field(default_factory=dict)
    #: market code → the team's salespeople
    salespeople: dict[str, list[User]] = field(default_factory=dict)
    #: region name → its sales manager
    region_managers: dict[str, User] = field(default_factory=dict)
    users: list[User] = field(default_factory=list)
    currencies: dict[str, Currency] = field(default_factory=dict)


class _UserMaker:
    def __init__(self, names: NameMaker, password_hash: str) -> None:
        self.names = names
        self.password_hash = password_hash
        self.taken: set[str] = set()

    def make(
        self,
        *,
        role: str,
        market: Market,
        email: str | None = None,
        team: Team | None,
        territory: Territory | None,
        manager: User | None,
        cost_rate: int,
        time_zone: str | None = None,
        language: str | None = None,
        **extra: bool,
    ) -> User:
        person = self.names.person(market, latin_only=True)
        if email is None:
            local = person.email_local
            email = f"{local}@{DEMO_DOMAIN}"
            suffix = 2
            while email in self.taken:
                email = f"{local}{suffix}@{DEMO_DOMAIN}"
                suffix += 1
        self.taken.add(email)
        user = User(
            email=email,
            first_name=person.first_name,
            last_name=person.last_name,
            role_id=role,
            team=team,
            territory=territory,
            manager=manager,
            language=language or market.language,
            time_zone=time_zone or market.time_zone,
            hourly_cost_rate=Decimal(cost_rate),
            password=self.password_hash,
            **extra,
        )
        full_clean_or_raise(user, exclude=["password"])
        user.save()
        return user


def _markets_by_region() -> dict[str, list[Market]]:
    grouped: dict[str, list[Market]] = {}
    for market in data.MARKETS:
        grouped.setdefault(market.region, []).append(market)
    return grouped


def build_org(*, rng: random.Random, names: NameMaker, today: dt.date) -> DemoOrg:
    """Create the organisation; call inside a transaction on a database without demo users."""
    makers = _UserMaker(names, make_password(DEMO_PASSWORD))
    markets = {m.code: m for m in data.MARKETS}
    hq = markets["pl"]
    admin = makers.make(
        role=RoleCode.ADMINISTRATOR,
        market=markets["de"],
        email=ADMIN_EMAIL,
        team=None,
        territory=None,
        manager=None,
        cost_rate=65,
        time_zone=HQ_TIME_ZONE,
        language="en",
        is_staff=True,
        is_superuser=True,
    )
    org = DemoOrg(admin=admin, users=[admin])
    org_services.organisation_update(actor=admin, company_name=COMPANY_NAME, company_currency_id="EUR")
    _build_territories(org)
    _build_teams(org)
    teams = org.teams

    executive = makers.make(
        role=RoleCode.EXECUTIVE,
        market=markets["uk"],
        email=EXECUTIVE_EMAIL,
        team=teams["Company"],
        territory=None,
        manager=None,
        cost_rate=160,
        time_zone=HQ_TIME_ZONE,
    )
    cfo = makers.make(
        role=RoleCode.EXECUTIVE,
        market=hq,
        team=teams["Company"],
        territory=None,
        manager=executive,
        cost_rate=140,
    )
    admin = org_services.user_update(actor=admin, user=admin, team=teams["Company"], manager=executive)
    org.users += [executive, cfo]

    for region, region_markets in _markets_by_region().items():
        manager = makers.make(
            role=RoleCode.SALES_MANAGER,
            market=region_markets[0],
            email=manager_email(region),
            team=teams[region],
            territory=org.territories[region],
            manager=executive,
            cost_rate=rng.choice((85, 90, 95)),
        )
        org.region_managers[region] = manager
        org.users.append(manager)
        org_services.team_update(actor=admin, team=teams[region], manager=manager)
        for market in region_markets:
            team = teams[market.team]
            org_services.team_update(actor=admin, team=team, manager=manager)
            people = []
            for index in range(market.salespeople):
                people.append(
                    makers.make(
                        role=RoleCode.SALESPERSON,
                        market=market,
                        email=sales_email(market) if index == 0 else None,
                        team=team,
                        territory=org.territories[market.territory],
                        manager=manager,
                        cost_rate=rng.randrange(45, 75, 5),
                    )
                )
            org.salespeople[market.code] = people
            org.users += people

    marketing = makers.make(
        role=RoleCode.MARKETING,
        market=hq,
        email=MARKETING_EMAIL,
        team=teams["Marketing"],
        territory=None,
        manager=executive,
        cost_rate=55,
    )
    marketer = makers.make(
        role=RoleCode.MARKETING,
        market=markets["us-east"],
        team=teams["Marketing"],
        territory=None,
        manager=marketing,
        cost_rate=50,
    )
    production = makers.make(
        role=RoleCode.DEPARTMENT_MEMBER,
        market=hq,
        email=PRODUCTION_EMAIL,
        team=teams["Production"],
        territory=None,
        manager=executive,
        cost_rate=45,
    )
    engineer = makers.make(
        role=RoleCode.DEPARTMENT_MEMBER,
        market=markets["de"],
        team=teams["Production"],
        territory=None,
        manager=production,
        cost_rate=50,
    )
    org.users += [marketing, marketer, production, engineer]
    org_services.team_update(actor=admin, team=teams["Company"], manager=executive)
    org_services.team_update(actor=admin, team=teams["Marketing"], manager=marketing)
    org_services.team_update(actor=admin, team=teams["Production"], manager=production)
    org.admin = admin
    _build_rates(org, rng, today)
    return org


def _build_territories(org: DemoOrg) -> None:
    for region, countries in data.REGIONS:
        region_node = org_services.territory_create(actor=org.admin, name=region)
        org.territories[region] = region_node
        for country in countries:
            country_node = org_services.territory_create(actor=org.admin, name=country, parent=region_node)
            org.territories[country] = country_node
            for area in data.TERRITORY_AREAS.get(country, ()):
                org.territories[area] = org_services.territory_create(actor=org.admin, name=area, parent=country_node)


def _build_teams(org: DemoOrg) -> None:
    company = org_services.team_create(actor=org.admin, name="Company")
    org.teams["Company"] = company
    for region, region_markets in _markets_by_region().items():
        region_team = org_services.team_create(actor=org.admin, name=region, parent=company)
        org.teams[region] = region_team
        for market in region_markets:
            org.teams[market.team] = org_services.team_create(actor=org.admin, name=market.team, parent=region_team)
    for name in ("Marketing", "Production"):
        org.teams[name] = org_services.team_create(actor=org.admin, name=name, parent=company)


def _build_rates(org: DemoOrg, rng: random.Random, today: dt.date) -> None:
    """Monthly rates for the last months, moving a little around each base rate."""
    org.currencies = {c.code: c for c in Currency.objects.filter(code__in=BASE_RATES)}
    first_of_month = today.replace(day=1)
    months = []
    for _ in range(RATE_MONTHS):
        months.append(first_of_month)
        first_of_month = (first_of_month - dt.timedelta(days=1)).replace(day=1)
    for code, base in BASE_RATES.items():
        if code == "EUR" or code not in org.currencies:
            continue
        for month in reversed(months):
            drift = Decimal(rng.randint(-250, 250)) / Decimal(10_000)
            rate = (base * (1 + drift)).quantize(Decimal("0.00000001"))
            currency_services.exchange_rate_set(
                actor=org.admin, currency=org.currencies[code], valid_from=month, rate=rate
            )
