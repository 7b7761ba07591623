"""Polish is complete: every message of the catalogue is translated and compiled, placeholders survive
translation, and a Polish user reads pages, form and service messages, API problems and notifications
in Polish."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from rapport.core.exports import write_csv
from rapport.core.models import Notification, User
from rapport.core.services.tokens import token_issue
from rapport.customers import services
from rapport.customers.models import Account, Contact
from rapport.customers.services import PARENT_CYCLE, UNKNOWN_CHOICE

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "pl" / "LC_MESSAGES"
PLURAL_FORMS = "nplurals=3; plural=(n==1 ? 0 : (n%10>=2 && n%10<=4) && (n%100<12 || n%100>14) ? 1 : 2);"


# --- the catalogue ---------------------------------------------------------------------------------


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"django.po:{self.line} {self.msgid!r}"


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (obsolete `#~` entries are left out); the header is the first."""
    entries: list[Entry] = []
    current: Entry | None = None
    key: tuple[str, int] = ("", 0)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if current is None or (line.startswith(("#", "msgctxt", "msgid ")) and key[0] == "msgstr"):
            current = Entry(line=number)
            entries.append(current)
            key = ("", 0)
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        match = re.fullmatch(r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d)\])? (".*")', line)
        if match:
            name, index, text = match.groups()
            key = (name, int(index or 0))
            value = ast.literal_eval(text)
        else:
            value = ast.literal_eval(line)  # a continuation line
        name, index = key
        if name == "msgstr":
            current.msgstr[index] = current.msgstr.get(index, "") + value
        elif name == "msgctxt":
            current.msgctxt = (current.msgctxt or "") + value
        elif name == "msgid_plural":
            current.msgid_plural = (current.msgid_plural or "") + value
        else:
            current.msgid += value
    return entries


ENTRIES = read_po(CATALOGUE / "django.po")
HEADER, MESSAGES = ENTRIES[0], ENTRIES[1:]


def test_the_catalogue_has_the_polish_header_and_plural_rule() -> None:
    assert HEADER.msgid == ""
    headers = dict(line.split(": ", 1) for line in HEADER.msgstr[0].splitlines() if ": " in line)
    assert headers["Language"] == "pl"
    assert headers["Plural-Forms"] == PLURAL_FORMS
    assert "fuzzy" not in HEADER.flags
    assert len(MESSAGES) > 500  # the parser read the whole file


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    fuzzy = [str(e) for e in MESSAGES if "fuzzy" in e.flags]
    untranslated = [
        str(e)
        for e in MESSAGES
        if sorted(e.msgstr) != ([0, 1, 2] if e.msgid_plural is not None else [0])
        or not all(text.strip() for text in e.msgstr.values())
    ]
    assert fuzzy == []
    assert untranslated == []


PLACEHOLDER = re.compile(r"%\([^)]+\)[sdf]|%[sdf]|\{[a-z_][a-z0-9_]*\}")
TAG = re.compile(r"</?[a-z]+[^>]*>")


@pytest.mark.parametrize("entry", [e for e in MESSAGES if PLACEHOLDER.search(e.msgid) or "<" in e.msgid], ids=str)
def test_translations_keep_every_placeholder_and_tag(entry: Entry) -> None:
    for index, text in entry.msgstr.items():
        source = entry.msgid if index == 0 or entry.msgid_plural is None else entry.msgid_plural
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (index, text)
        assert sorted(TAG.findall(text)) == sorted(TAG.findall(source)), (index, text)


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    """django.mo is what Django reads: a .po edited without `make messages` would be missed."""
    with (CATALOGUE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in MESSAGES:
        context = entry.msgctxt
        if entry.msgid_plural is not None:
            plural = entry.msgid_plural
            found = {
                # 1, 2 and 5 pick the three Polish forms.
                i: compiled.npgettext(context, entry.msgid, plural, n)
                if context
                else compiled.ngettext(entry.msgid, plural, n)
                for i, n in enumerate((1, 2, 5))
            }
        else:
            found = {0: compiled.pgettext(context, entry.msgid) if context else compiled.gettext(entry.msgid)}
        if found != entry.msgstr:
            stale.append(str(entry))
    assert stale == []


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 wiersz"),
        (2, "2 wiersze"),
        (4, "4 wiersze"),
        (5, "5 wierszy"),
        (12, "12 wierszy"),
        (14, "14 wierszy"),
        (22, "22 wiersze"),
        (25, "25 wierszy"),
        (112, "112 wierszy"),
        (1004, "1004 wiersze"),
    ],
)
def test_django_picks_the_polish_plural_form(count: int, expected: str) -> None:
    with override("pl"):
        assert ngettext("%(rows)s row", "%(rows)s rows", count) % {"rows": count} == expected


# --- what a Polish user sees ---------------------------------------------------------------------------


@pytest.fixture
def polish(org) -> User:
    user: User = org.salesperson
    user.language = "pl"
    user.save(update_fields=["language"])
    return user


def polish_text(message: object) -> str:
    with override("pl"):
        text = str(message)
    with override("en"):
        assert text != str(message), "the message has no Polish translation"
    return text


@pytest.mark.django_db
def test_the_accounts_list_is_in_polish(client_for, polish) -> None:
    services.account_create(actor=polish, name="Acme Polska")
    page = client_for(polish).get("/accounts/").content.decode()
    assert '<html lang="pl"' in page
    for text in ("Firmy", "Nowa firma", "Kontakty", "Szukaj firm po nazwie…", "Eksportuj do CSV", "Właściciel"):
        assert text in page
    for text in ("New account", "Accounts", "Search accounts", "Owner", "Export"):
        assert text not in page


@pytest.mark.django_db
def test_a_form_error_is_in_polish_and_nothing_is_saved(client_for, polish) -> None:
    response = client_for(polish).post("/contacts/new/", {"first_name": "Anna", "marketing_consent": "unknown"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "To pole jest wymagane." in page
    assert "This field is required." not in page
    assert "Popraw pola zaznaczone poniżej." in page
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_a_service_rule_speaks_polish_on_the_page(client_for, polish) -> None:
    parent = services.account_create(actor=polish, name="Grupa Kamiński")
    child = services.account_create(actor=polish, name="Kamiński Toruń", parent=parent.pk)
    data = {"name": "Grupa Kamiński", "type": "prospect", "owner": polish.pk, "parent": child.pk}
    response = client_for(polish).post(f"/accounts/{parent.pk}/edit/", data)
    assert response.status_code == 422
    assert polish_text(PARENT_CYCLE) in response.content.decode()
    parent.refresh_from_db()
    assert parent.parent_id is None


@pytest.mark.django_db
def test_the_blank_choice_of_selects_is_in_polish(client_for, polish) -> None:
    """Django 6.1's "- Select an option -" is missing from Django's own Polish catalogue."""
    page = client_for(polish).get("/accounts/new/").content.decode()
    assert "- Wybierz opcję -" in page
    assert "Select an option" not in page


@pytest.mark.django_db
def test_the_api_answers_problems_in_the_token_users_language(polish) -> None:
    _token, clear = token_issue(actor=polish, name="pl")
    api = Client(headers={"Authorization": f"Bearer {clear}"})
    response = api.post(
        "/api/v1/contacts", {"first_name": "Anna", "last_name": "Nowak", "account": 999999}, "application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert (body["title"], body["detail"]) == ("Nieprawidłowe dane", "Niektóre pola są nieprawidłowe.")
    with override("pl"):
        unknown_account = str(UNKNOWN_CHOICE) % {"what": _("account")}
    assert body["errors"] == {"account": [unknown_account]}
    assert unknown_account == "Wybierz istniejącą pozycję (firma)."
    assert not Contact.objects.exists()
    missing = api.get("/api/v1/accounts/999999")
    assert (missing.status_code, missing.json()["detail"]) == (404, "Nie znaleziono.")


@pytest.mark.django_db
def test_anonymous_pages_follow_the_browsers_language(org) -> None:
    assert "Zaloguj się do Rapport" in Client(HTTP_ACCEPT_LANGUAGE="pl").get("/login/").content.decode()
    assert "Sign in to Rapport" in Client(HTTP_ACCEPT_LANGUAGE="en").get("/login/").content.decode()
    reset = Client(HTTP_ACCEPT_LANGUAGE="pl-PL,pl;q=0.9").get("/password/reset/").content.decode()
    assert "Wyślij link" in reset


@pytest.mark.django_db
def test_the_not_found_page_is_in_polish(client_for, polish) -> None:
    response = client_for(polish).get("/accounts/999999/")
    assert response.status_code == 404
    assert "Ta strona nie istnieje lub nie masz do niej dostępu" in response.content.decode()


@pytest.mark.django_db
def test_a_notification_is_written_in_the_recipients_language(org, polish) -> None:
    assert org.emea_manager.language == "en"
    account = services.account_create(actor=org.emea_manager, name="Acme Polska", owner=polish.pk)
    note = Notification.objects.get(recipient=polish)
    manager = str(org.emea_manager)
    assert note.message == f"{manager} przypisuje Ci rekord (firma): {account.name}."


@pytest.mark.django_db
def test_built_in_roles_read_in_polish(client_for, polish) -> None:
    page = client_for(polish).get("/profile/").content.decode()
    assert "Handlowiec" in page
    assert "Salesperson" not in page


def test_exports_write_yes_and_no_in_the_language_of_the_export() -> None:
    with override("pl"):
        content = write_csv(["Nie kontaktować się"], [[True], [False]]).decode("utf-8-sig")
    assert content.splitlines() == ["Nie kontaktować się", "tak", "nie"]


@pytest.mark.django_db
def test_a_deleted_account_message_is_in_polish(client_for, polish) -> None:
    account = services.account_create(actor=polish, name="Acme Polska")
    polish.role.permissions.filter(record_type="account").update(can_delete=True)
    response = client_for(polish).post(f"/accounts/{account.pk}/delete/", follow=True)
    assert "Firma Acme Polska została usunięta." in response.content.decode()
    assert not Account.objects.exists()
