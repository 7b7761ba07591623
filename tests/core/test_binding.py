"""`fetch_rows` answers what the ORM answers, through a server-binding cursor on PostgreSQL."""

from __future__ import annotations

from rapport.core.binding import fetch_rows
from rapport.customers.models import Account
from tests.factories import AccountFactory


def test_rows_are_those_the_orm_gives(db):
    for name in ("Żabka", "Orlen", "Allegro"):
        AccountFactory.create(name=name)
    wanted = Account.objects.filter(name__in=["Orlen", "Żabka", "Nobody"]).order_by("name").values_list("id", "name")

    assert fetch_rows(wanted) == list(wanted)
    assert [name for _id, name in fetch_rows(wanted)] == ["Orlen", "Żabka"]


def test_a_condition_nothing_meets_gives_no_rows(db):
    assert fetch_rows(Account.objects.filter(pk__in=[]).values_list("id")) == []
