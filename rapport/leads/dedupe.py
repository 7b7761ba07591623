"""Possible duplicates of a lead among leads and contacts.

Three signals, strongest first: the same e-mail, the same phone number (E.164), and the same
person's name at a similar company (names compared after folding and sorting their words, companies
with rapidfuzz's token-set ratio). Every look-up goes through an indexed key column, and a batch of
rows (an import) is checked with a handful of `IN` queries, not one query per row, their values bound
on the server (`rapport.core.binding`).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from rapport.core.binding import bound_cursor
from rapport.core.models import User
from rapport.core.normalize import company_key
from rapport.core.visibility import visible_to
from rapport.customers.models import Account, Contact
from rapport.leads.models import Lead

#: company names at least this similar (0 to 100, token-set ratio) count as the same company
COMPANY_SIMILARITY = 85
#: at most this many candidates are read per name key (a very common name does not flood a batch)
MAX_CANDIDATES = 50
LOOKUP_CHUNK = 500

SAME_EMAIL = _("Same e-mail")
SAME_PHONE = _("Same phone")
SAME_NAME_AND_COMPANY = _("Same name at a similar company")


@dataclass(frozen=True)
class Keys:
    """The match keys of one lead (saved or not yet)."""

    email: str
    phone: str
    name: str
    company: str

    @classmethod
    def of(cls, lead: Lead) -> Keys:
        lead.refresh_match_keys()
        return cls(lead.email_key, lead.phone_key, lead.name_key, lead.company_key)


@dataclass(frozen=True)
class Match:
    """One possible duplicate: a lead or a contact, and why it matched."""

    kind: str  # "lead" or "contact"
    id: int
    reason: str
    label: str

    @property
    def record_key(self) -> tuple[str, int]:
        return (self.kind, self.id)


def _similar(company_a: str, company_b: str) -> bool:
    return bool(company_a and company_b) and fuzz.token_set_ratio(company_a, company_b) >= COMPANY_SIMILARITY


#: an `IN` list is padded to one of these lengths (repeating its last value): SQLite compiles and
#: caches each distinct statement, and a batch's key counts would otherwise make a new one every time
_IN_SIZES = (8, 32, 128, LOOKUP_CHUNK)


def _chunks(values: Sequence[str], pad: Callable[[int], str]) -> Iterable[list[str]]:
    """`values` in lists of at most LOOKUP_CHUNK, each padded with values no record has (an `IN`
    list's duplicates would be dropped by Django and change the statement again)."""
    for start in range(0, len(values), LOOKUP_CHUNK):
        chunk = list(values[start : start + LOOKUP_CHUNK])
        size = next(s for s in _IN_SIZES if s >= len(chunk))
        yield chunk + [pad(i) for i in range(size - len(chunk))]


def _no_key(i: int) -> str:
    return f"\x01{i}"  # match keys are normalised text: never a control character


@functools.lru_cache(maxsize=1 << 16)  # an import compares the same accounts' names again and again
def _company_key(name: str) -> str:
    return company_key(name)


class Shapes:
    """The SQL of each look-up, compiled by the ORM once per shape and run again with other keys.

    A look-up is a queryset with an `IN` list of one of a few padded lengths (`_chunks`); building
    and compiling it through the ORM costs more than running it (each of up to 500 keys goes through
    the lookup's value preparation). The first time a shape is seen it is compiled with marker keys,
    and where the markers sit in the parameters says where the next look-up's keys go. One `Shapes`
    serves the querysets of one caller (an import's batches): the rest of each statement must not change.
    """

    def __init__(self) -> None:
        self.compiled: dict[tuple[str, int], tuple[str, list[Any], int]] = {}

    def rows(self, name: str, statement: Callable[[list[str]], QuerySet[Any, Any]], keys: list[str]) -> list[Any]:
        shape = (name, len(keys))
        if shape not in self.compiled:
            markers = [f"\x02marker{i}" for i in range(len(keys))]
            try:
                sql, compiled = statement(markers).query.sql_with_params()
            except EmptyResultSet:
                return []
            first = list(compiled).index(markers[0])
            assert list(compiled[first : first + len(keys)]) == markers, "the keys are one run of parameters"
            self.compiled[shape] = (sql, list(compiled), first)
        sql, template, first = self.compiled[shape]
        params = [*template[:first], *keys, *template[first + len(keys) :]]
        with bound_cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())


class Finder:
    """Looks up the candidates for many keys at once, then answers per row.

    `leads` and `contacts` are the querysets searched — for what a person sees in the UI, the
    actor's visible records; for an import, every record (a duplicate the importer cannot see is
    still a duplicate; the report names it without revealing it).
    """

    def __init__(
        self,
        leads: QuerySet[Lead],
        contacts: QuerySet[Contact],
        exclude_lead: int | None = None,
        shapes: Shapes | None = None,
    ) -> None:
        # No ORDER BY: with the models' default ordering and a LIMIT, a database may walk the name
        # index in order instead of seeking the keys — seconds instead of milliseconds per batch.
        self.leads = leads.exclude(status="converted").order_by()
        self.contacts = contacts.order_by()
        self.exclude_lead = exclude_lead
        self.shapes = shapes if shapes is not None else Shapes()
        # key kind → key value → [(record kind, id, label, company key)]
        self.index: dict[str, dict[str, list[tuple[str, int, str, str]]]] = defaultdict(lambda: defaultdict(list))

    def load(self, keys: Iterable[Keys]) -> None:
        wanted: dict[str, set[str]] = {"email": set(), "phone": set(), "name": set()}
        for key in keys:
            for kind in wanted:
                value = getattr(key, kind)
                if kind == "name" and value.endswith("|"):
                    continue  # no company: the name signal needs one on both sides (`matches`)
                if value and value not in self.index[kind]:
                    wanted[kind].add(value)
        for kind, values in wanted.items():
            for value in values:
                self.index[kind][value] = []
            for chunk in _chunks(sorted(values), _no_key):
                self._load_leads(kind, chunk)
                self._load_contacts(kind, chunk)

    def _load_leads(self, kind: str, values: list[str]) -> None:
        def statement(keys: list[str]) -> QuerySet[Lead, tuple[Any, ...]]:
            rows = self.leads.filter(**{f"{kind}_key__in": keys}).values_list(
                f"{kind}_key", "id", "first_name", "last_name", "company", "company_key"
            )
            return rows[: MAX_CANDIDATES * len(keys)] if kind == "name" else rows

        for value, pk, first, last, company, key in self.shapes.rows(f"lead {kind}", statement, values):
            if pk != self.exclude_lead:
                label = f"{first} {last}".strip() + (f" ({company})" if company else "")
                self.index[kind][value].append(("lead", pk, label, key))

    def _load_contacts(self, kind: str, values: list[str]) -> None:
        """The contacts with these keys, each with its account's name.

        The name is read by a subquery per contact found (one primary-key look-up each), not a
        join: a common phone number makes the planner expect thousands of contacts and hash-join
        the whole account table (70 ms a query on PostgreSQL, measured)."""
        for column in {"email": ("email_key",), "phone": ("phone_key", "mobile_key"), "name": ("name_key",)}[kind]:

            def statement(keys: list[str], column: str = column) -> QuerySet[Contact, tuple[Any, ...]]:
                rows = (
                    self.contacts.filter(**{f"{column}__in": keys})
                    .annotate(account_name=Subquery(Account.objects.filter(pk=OuterRef("account_id")).values("name")))
                    .values_list(column, "id", "first_name", "last_name", "account_name")
                )
                return rows[: MAX_CANDIDATES * len(keys)] if kind == "name" else rows

            for value, pk, first, last, account in self.shapes.rows(f"contact {column}", statement, values):
                label = f"{first} {last}".strip() + (f" ({account})" if account else "")
                # The company is compared for the name signal only; an import reads thousands of
                # e-mail and phone candidates whose company nobody looks at.
                company = _company_key(account) if kind == "name" and account else ""
                self.index[kind][value].append(("contact", pk, label, company))

    def matches(self, keys: Keys) -> list[Match]:
        """The candidates for one lead, each record once, with its strongest reason."""
        found: dict[tuple[str, int], Match] = {}

        def add(kind: str, reason: object, company_required: bool) -> None:
            value = getattr(keys, kind)
            for record_kind, pk, label, company in self.index[kind].get(value, []) if value else []:
                if company_required and not _similar(keys.company, company):
                    continue
                found.setdefault((record_kind, pk), Match(record_kind, pk, str(reason), label))

        add("email", SAME_EMAIL, company_required=False)
        add("phone", SAME_PHONE, company_required=False)
        add("name", SAME_NAME_AND_COMPANY, company_required=True)
        return list(found.values())


def duplicates_of(actor: User, lead: Lead) -> list[Match]:
    """Possible duplicates of one lead among the leads and contacts the actor may see."""
    finder = Finder(visible_to(actor, Lead), visible_to(actor, Contact), exclude_lead=lead.pk)
    keys = Keys.of(lead)
    finder.load([keys])
    return finder.matches(keys)
