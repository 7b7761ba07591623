"""Search: prefix words, all of them; names and e-mail; diacritics; hostile input; in sync; visible only.

Both engines behave the same (rapport.core.search folds Latin diacritics and splits at punctuation on
SQLite and on PostgreSQL alike), so no expectation here depends on the engine.
"""

from __future__ import annotations

import string

import pytest
from django.db import connection

from rapport.core import search
from rapport.core.visibility import visible_to
from rapport.customers import services
from rapport.customers.models import Account, Contact
from rapport.customers.selectors import ACCOUNT_LIST, CONTACT_LIST
from tests.core.support import names
from tests.factories import AccountFactory, ContactFactory

ACCOUNTS = [
    "Acme Corporation",
    "Acme Logistics",
    "Corporate Travel",
    "Łódzkie Zakłady Włókiennicze",
    "Müller GmbH",
    "Café Żółć",
    "O'Neil & Sons",
    "Lodz Trading",
    "Øresund Shipping",
    "Amazon.com",
    "Coca-Cola",
    "台北 Trading",
]
HIDDEN = "Acme Americas"


@pytest.fixture
def scene(org):
    for name in ACCOUNTS:
        AccountFactory.create(name=name, owner=org.salesperson)
    AccountFactory.create(name=HIDDEN, owner=org.other_salesperson)
    for first, last, email in [
        ("Anna", "Nowak", "anna.nowak@acme.pl"),
        ("Józef", "Wałęsa", "jozef@example.com"),
        ("Zoë", "Smith", "zoe.smith+crm@example.org"),
        ("Ольга", "Петрова", "olga@example.ru"),
    ]:
        ContactFactory.create(first_name=first, last_name=last, email=email, owner=org.salesperson)
    ContactFactory.create(first_name="Anna", last_name="Hidden", email="anna@acme.com", owner=org.other_salesperson)
    return org


def found(actor, text: str) -> set[str]:
    return names(ACCOUNT_LIST.apply(actor, {"q": text}))


def found_people(actor, text: str) -> set[str]:
    return names(CONTACT_LIST.apply(actor, {"q": text}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("acm cor", {"Acme Corporation"}),
        ("ACME", {"Acme Corporation", "Acme Logistics"}),
        ("cor", {"Acme Corporation", "Corporate Travel"}),
        ("corporation acme", {"Acme Corporation"}),
        ("acme travel", set()),
        ("trav corp", {"Corporate Travel"}),
        ("logistics", {"Acme Logistics"}),
        ("orporation", set()),  # words are matched from their start
        ("o neil", {"O'Neil & Sons"}),
        ("o'neil", {"O'Neil & Sons"}),
        ("amazon", {"Amazon.com"}),
        ("amazon.com", {"Amazon.com"}),
        ("cola", {"Coca-Cola"}),
        ("coca-cola", {"Coca-Cola"}),
        ("台北", {"台北 Trading"}),
    ],
)
def test_accounts_are_found_by_the_start_of_each_word(scene, text, expected):
    assert found(scene.salesperson, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("anna", {"Anna Nowak"}),
        ("nowak", {"Anna Nowak"}),
        ("nowa ann", {"Anna Nowak"}),
        ("anna.nowak@acme.pl", {"Anna Nowak"}),
        ("acme.pl", {"Anna Nowak"}),
        ("zoe.smith+crm@example.org", {"Zoë Smith"}),
        ("example", {"Józef Wałęsa", "Zoë Smith", "Ольга Петрова"}),
        ("example org", {"Zoë Smith"}),
        ("smith crm", {"Zoë Smith"}),
        ("петр", {"Ольга Петрова"}),
        ("ольга", {"Ольга Петрова"}),
    ],
)
def test_contacts_are_found_by_first_name_last_name_and_email(scene, text, expected):
    assert found_people(scene.salesperson, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lodz", {"Łódzkie Zakłady Włókiennicze", "Lodz Trading"}),
        ("łódź", {"Łódzkie Zakłady Włókiennicze", "Lodz Trading"}),
        ("ŁÓDZKIE", {"Łódzkie Zakłady Włókiennicze"}),
        ("zaklady wlok", {"Łódzkie Zakłady Włókiennicze"}),
        ("müller", {"Müller GmbH"}),
        ("muller", {"Müller GmbH"}),
        ("MULLER", {"Müller GmbH"}),
        ("cafe zolc", {"Café Żółć"}),
        ("żółć", {"Café Żółć"}),
        ("oresund", {"Øresund Shipping"}),
        ("øre", {"Øresund Shipping"}),
    ],
)
def test_diacritics_do_not_matter_in_either_direction(scene, text, expected):
    assert found(scene.salesperson, text) == expected


@pytest.mark.parametrize(("text", "expected"), [("jozef walesa", {"Józef Wałęsa"}), ("zoe", {"Zoë Smith"})])
def test_diacritics_do_not_matter_in_names_of_people(scene, text, expected):
    assert found_people(scene.salesperson, text) == expected


def test_both_engines_fold_the_same_letters(db):
    assert search.fold("Łódź ŻÓŁĆ Ærø İstanbul Đorđe ħ") == "lodz zolc æro istanbul dorde h"
    assert search.words("  Acme-Corp, Inc.  ") == ["acme", "corp", "inc"]


HOSTILE = [
    '"',
    "'",
    '"acme',
    'acme"',
    "*",
    "acme*",
    "OR",
    "acme OR travel",
    "acme AND travel",
    "NOT acme",
    "NEAR(acme travel)",
    "NEAR(",
    "-acme",
    "^acme",
    "acme:*",
    "name:acme",
    "{name}: acme",
    "acme & travel",
    "acme | travel",
    "!acme",
    "acme <-> corp",
    "' OR '1'='1",
    "'; DROP TABLE customers_account; --",
    "1) OR (1=1",
    "%",
    "%%",
    "_",
    "___",
    "\\",
    "\x00",
    "acme\x00",
    "a" * 10_000,
    ("acme " * 2000).strip(),
    "😀",
    "acme 😀",
    "()",
    "::",
    "--",
    "/* */",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:20]))
def test_hostile_input_never_fails_and_never_matches_everything(scene, text):
    everything = {*ACCOUNTS}
    result = found(scene.admin, text)
    assert result != everything | {HIDDEN}
    people = found_people(scene.admin, text)
    assert len(people) < Contact.objects.count()
    # Whatever survives is a word someone could have typed; nothing else widens the match.
    for word in search.words(text):
        assert all(any(w.startswith(word) for w in search.words(r)) for r in result)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-acme", {"Acme Corporation", "Acme Logistics", HIDDEN}),
        ("acme OR travel", set()),
        ("NEAR(acme travel)", set()),
        ("acme 😀", {"Acme Corporation", "Acme Logistics", HIDDEN}),
        ("😀", set()),
        ("*", set()),
        ("a" * 10_000, set()),
        ("' OR '1'='1", set()),
    ],
)
def test_operators_are_plain_words(scene, text, expected):
    assert found(scene.admin, text) == expected


def test_empty_text_leaves_the_list_as_it_is(scene):
    assert found(scene.salesperson, "") == set(ACCOUNTS)
    assert found(scene.salesperson, "   ") == set(ACCOUNTS)
    assert names(search.matching(Account.objects.all(), Account.search_index, "")) == {*ACCOUNTS, HIDDEN}


def test_the_index_follows_creates_updates_and_deletes(scene):
    actor = scene.salesperson
    account = services.account_create(actor=actor, name="Zenith Łąka")
    assert found(actor, "zenith laka") == {"Zenith Łąka"}
    services.account_update(actor=actor, account_id=account.pk, name="Nadir")
    assert found(actor, "zenith") == set()
    assert found(actor, "nadir") == {"Nadir"}
    Account.objects.filter(pk=account.pk).update(city="Zenith")  # a column that is not indexed
    assert found(actor, "nadir") == {"Nadir"}
    services.account_delete(actor=scene.admin, account_id=account.pk)
    assert found(actor, "nadir") == set()

    contact = services.contact_create(actor=actor, first_name="Iga", last_name="Świątek", email="iga@tennis.pl")
    assert found_people(actor, "swiatek") == {"Iga Świątek"}
    services.contact_update(actor=actor, contact_id=contact.pk, email="iga@wta.com")
    assert found_people(actor, "tennis") == set()
    assert found_people(actor, "wta") == {"Iga Świątek"}
    services.contact_delete(actor=scene.admin, contact_id=contact.pk)
    assert found_people(actor, "iga") == set()


def test_merged_duplicates_leave_the_index(scene):
    keep = Account.objects.get(name="Acme Corporation")
    duplicate = Account.objects.get(name="Acme Logistics")
    services.account_merge(actor=scene.admin, keep_id=keep.pk, duplicate_id=duplicate.pk)
    assert found(scene.admin, "acme") == {"Acme Corporation", HIDDEN}


def test_search_only_returns_what_the_actor_may_see(scene):
    assert found(scene.salesperson, "acme") == {"Acme Corporation", "Acme Logistics"}
    assert found(scene.admin, "acme") == {"Acme Corporation", "Acme Logistics", HIDDEN}
    assert found(scene.other_salesperson, "acme") == {HIDDEN}
    assert found(scene.department_member, "acme") == {HIDDEN}
    assert found(scene.emea_manager, "acme") == {"Acme Corporation", "Acme Logistics"}
    assert found_people(scene.salesperson, "anna") == {"Anna Nowak"}
    assert found_people(scene.other_salesperson, "anna") == {"Anna Hidden"}
    visible = search.matching(visible_to(scene.salesperson, Account), Account.search_index, "acme americas")
    assert names(visible) == set()


def test_search_and_filters_combine(scene):
    assert names(ACCOUNT_LIST.apply(scene.admin, {"q": "acme", "owner": str(scene.other_salesperson.pk)})) == {HIDDEN}


FOLDING_SAMPLES = [
    "",
    "Acme Corp, Inc. <sales@acme.example>",
    "Józef Wałęsa, Łódź",
    "Müller & Söhne GmbH",
    "王小明 wang@example.tw",
    "Nguyễn Thị Ǡnh",
    "Ærø İstanbul Đorđe ħ ǡ",
    "tab\tand\nnew line; 3.5 % 12-34",
    "".join(search.FOLDS),
    "a" + "".join(search.FOLDS) + "😀",
]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the folding function exists on PostgreSQL only")
@pytest.mark.parametrize("text", FOLDING_SAMPLES, ids=lambda t: repr(t[:12]))
def test_postgresql_folds_like_python(db, text):
    """The index's folding function and the query's folding in Python agree, whichever branch it takes."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {search.PG_FOLD_FUNCTION}(%s)", [text])
        (folded,) = cursor.fetchone()
    expected = text.translate(search._FOLD_TABLE)
    expected = "".join(" " if c in string.punctuation else c for c in expected)
    assert folded == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index exists on PostgreSQL only")
def test_postgresql_uses_the_index(scene):
    queryset = search.matching(Account.objects.all(), Account.search_index, "acme cor")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert Account.search_index.pg_index in plan
