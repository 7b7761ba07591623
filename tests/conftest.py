"""Shared fixtures: an organisation with every role, two sales teams and a sub-team.

Company (admin, executive, marketing)
├── EMEA            manager: emea_manager
│   └── Poland      salesperson (+ colleague)
└── Americas        other_salesperson, department_member
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.test import Client

from rapport.core.models import Team, User
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.smtp import smtp_server  # noqa: F401  (a fixture for every test that sends e-mail)


@dataclass
class Org:
    company: Team
    emea: Team
    poland: Team
    americas: Team
    admin: User
    emea_manager: User
    salesperson: User
    colleague: User
    other_salesperson: User
    marketing: User
    executive: User
    department_member: User


@pytest.fixture
def org(db: None) -> Org:
    company = TeamFactory.create(name="Company")
    emea = TeamFactory.create(name="EMEA", parent=company)
    poland = TeamFactory.create(name="Poland", parent=emea)
    americas = TeamFactory.create(name="Americas", parent=company)
    emea_manager = UserFactory.create(email="emea.manager@example.com", role_id="sales_manager", team=emea)
    emea.manager = emea_manager
    emea.save()
    return Org(
        company=company,
        emea=emea,
        poland=poland,
        americas=americas,
        admin=UserFactory.create(email="admin@example.com", role_id="administrator", team=company),
        emea_manager=emea_manager,
        salesperson=UserFactory.create(
            email="sales@example.com", role_id="salesperson", team=poland, manager=emea_manager
        ),
        colleague=UserFactory.create(
            email="colleague@example.com", role_id="salesperson", team=poland, manager=emea_manager
        ),
        other_salesperson=UserFactory.create(email="other@example.com", role_id="salesperson", team=americas),
        marketing=UserFactory.create(email="marketing@example.com", role_id="marketing", team=company),
        executive=UserFactory.create(email="exec@example.com", role_id="executive", team=company),
        department_member=UserFactory.create(email="dept@example.com", role_id="department_member", team=americas),
    )


def login(user: User) -> Client:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


@pytest.fixture
def client_for():
    """`client_for(user)` → a Django test client logged in as that user."""
    return login


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"


def pytest_configure(config: pytest.Config) -> None:
    """.ci/run sets RAPPORT_REQUIRE_POSTGRES=1 for its second run: then SQLite is an error."""
    url = os.environ.get("DATABASE_URL", "")
    if os.environ.get("RAPPORT_REQUIRE_POSTGRES") == "1" and not url.startswith(("postgres://", "postgresql://")):
        raise pytest.UsageError("RAPPORT_REQUIRE_POSTGRES=1 but DATABASE_URL is not a PostgreSQL URL.")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """On PostgreSQL, a test database of this process's own: two test runs on one server (two
    developers, two CI jobs, xdist workers) never drop each other's database."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_{os.getpid()}"
