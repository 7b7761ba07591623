"""The contact's vCard: escaping, CRLF line ends, folding, and the download."""

from __future__ import annotations

import pytest

from rapport.customers import services
from rapport.customers.models import Contact
from rapport.customers.vcard import contact_vcard, escape, fold

pytestmark = pytest.mark.django_db


def test_escape_follows_rfc_6350() -> None:
    assert escape("a\\b,c;d\ne\r\nf") == "a\\\\b\\,c\\;d\\ne\\nf"


def test_fold_splits_at_75_octets_without_breaking_characters() -> None:
    line = "NOTE:" + "ż" * 100  # two octets each
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *[p[1:] for p in parts[1:]]]) == line
    assert fold("SHORT:value") == "SHORT:value"


def test_card_of_a_contact(org) -> None:
    account = services.account_create(actor=org.salesperson, name="Kowalski, Nowak; Partners")
    contact = services.contact_create(
        actor=org.salesperson,
        first_name="Jan",
        last_name="Kowalski",
        title="CTO",
        email="jan@example.com",
        phone="+48 12 000 00 00",
        mobile="+48 600 000 000",
        street="ul. Długa 1",
        city="Kraków",
        postal_code="30-001",
        country="Poland",
        description="Likes coffee; hates spam.\nCall after 10.",
        account=account.pk,
    )
    contact = Contact.objects.select_related("account").get(pk=contact.pk)
    card = contact_vcard(contact, organisation=account.name)
    assert card.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    assert card.endswith("END:VCARD\r\n")
    assert "\n" not in card.replace("\r\n", "")
    lines = card.split("\r\n")
    assert "N:Kowalski;Jan;;;" in lines
    assert "FN:Jan Kowalski" in lines
    assert "ORG:Kowalski\\, Nowak\\; Partners" in lines
    assert "TITLE:CTO" in lines
    assert "EMAIL;TYPE=INTERNET:jan@example.com" in lines
    assert "TEL;TYPE=WORK:+48 12 000 00 00" in lines
    assert "TEL;TYPE=CELL:+48 600 000 000" in lines
    assert "ADR;TYPE=WORK:;;ul. Długa 1;Kraków;;30-001;Poland" in lines
    assert "NOTE:Likes coffee\\; hates spam.\\nCall after 10." in lines


def test_vcard_download(client_for, org) -> None:
    contact = services.contact_create(actor=org.salesperson, first_name="Zoë", last_name="Łukasz")
    response = client_for(org.salesperson).get(f"/contacts/{contact.pk}/vcard/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Zo%C3%AB%20%C5%81ukasz.vcf"
    assert "FN:Zoë Łukasz\r\n" in response.content.decode("utf-8")


def test_vcard_names_the_account_only_when_the_viewer_sees_it(client_for, org) -> None:
    hidden = services.account_create(actor=org.other_salesperson, name="Hidden Holdings")
    mine = services.account_create(actor=org.salesperson, name="Visible Ventures")
    # A contact of mine whose main account belongs to another team (an administrator set it up).
    contact = services.contact_create(actor=org.salesperson, last_name="Nowak", account=mine.pk)
    services.contact_update(actor=org.admin, contact_id=contact.pk, account=hidden.pk)
    card = client_for(org.salesperson).get(f"/contacts/{contact.pk}/vcard/").content.decode()
    assert "Hidden Holdings" not in card
    assert "ORG:" not in card
    api_card = client_for(org.salesperson).get(f"/api/v1/contacts/{contact.pk}/vcard").content.decode()
    assert "Hidden Holdings" not in api_card
    assert "ORG:Hidden Holdings" in client_for(org.admin).get(f"/contacts/{contact.pk}/vcard/").content.decode()
