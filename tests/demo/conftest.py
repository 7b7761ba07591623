"""A small demo company seeded into the test database."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction
from pytest_django import DjangoDbBlocker

SEED = 7
ACCOUNTS = 40
CONTACTS = 120
LEADS = 200
OPPORTUNITIES = 60


def seed_small(seed: int = SEED) -> str:
    out = io.StringIO()
    call_command(
        "seed_demo",
        seed=seed,
        accounts=ACCOUNTS,
        contacts=CONTACTS,
        leads=LEADS,
        opportunities=OPPORTUNITIES,
        stdout=out,
    )
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded_once(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """The same small company, seeded once for a module of read-only tests and rolled back after it.

    Tests that use it also take `db`, so each runs in its own savepoint inside this transaction.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        output = seed_small()
        yield output
        transaction.set_rollback(True)
