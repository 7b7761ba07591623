"""A small demo company seeded into the test database."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

SEED = 7
ACCOUNTS = 40
CONTACTS = 120


def seed_small(seed: int = SEED) -> str:
    out = io.StringIO()
    call_command("seed_demo", seed=seed, accounts=ACCOUNTS, contacts=CONTACTS, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db: None) -> str:
    """The output of `seed_demo --seed 7 --accounts 40 --contacts 120`."""
    return seed_small()
