"""A contact as a vCard 3.0 card (RFC 2426), escaped and folded as RFC 6350 describes.

Used by the contact page's "vCard" download and by the API.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from rapport.core.models import User
from rapport.core.visibility import visible_to
from rapport.customers.models import Account, Contact

CRLF = "\r\n"
MAX_OCTETS = 75


def escape(value: str) -> str:
    """Backslash, comma, semicolon and line breaks escaped for a vCard text value."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def structured(parts: Iterable[str]) -> str:
    """Components of a structured value (N, ADR), each escaped, joined by semicolons."""
    return ";".join(escape(part or "") for part in parts)


def fold(line: str) -> str:
    """Split a content line longer than 75 octets; each continuation starts with one space.

    Splits fall between characters, never inside a multi-byte UTF-8 sequence.
    """
    chunks: list[str] = []
    current, size = "", 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            chunks.append(current)
            current, size = "", 0
            limit = MAX_OCTETS - 1  # the leading space of a continuation line counts
        current += char
        size += width
    chunks.append(current)
    return (CRLF + " ").join(chunks)


def contact_vcard(contact: Contact, organisation: str = "") -> str:
    """The contact's card: name, organisation, title, e-mail, phones, work address, note."""
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        "N:" + structured([contact.last_name, contact.first_name, "", "", ""]),
        "FN:" + escape(contact.full_name or contact.last_name),
    ]
    if organisation:
        lines.append("ORG:" + escape(organisation))
    if contact.title:
        lines.append("TITLE:" + escape(contact.title))
    if contact.email:
        lines.append("EMAIL;TYPE=INTERNET:" + escape(contact.email))
    if contact.phone:
        lines.append("TEL;TYPE=WORK:" + escape(contact.phone))
    if contact.mobile:
        lines.append("TEL;TYPE=CELL:" + escape(contact.mobile))
    address = [contact.street, contact.city, contact.region, contact.postal_code, contact.country]
    if any(address):
        lines.append("ADR;TYPE=WORK:" + structured(["", "", *address]))
    if contact.description:
        lines.append("NOTE:" + escape(contact.description))
    lines.append(f"UID:rapport-contact-{contact.pk}")
    lines.append("END:VCARD")
    return "".join(fold(line) + CRLF for line in lines)


def vcard_download(actor: User, contact: Contact) -> HttpResponse:
    """The card as a `.vcf` download. The organisation is named only if the actor sees that account."""
    account = contact.account
    visible = account is not None and visible_to(actor, Account).filter(pk=account.pk).exists()
    card = contact_vcard(contact, organisation=account.name if visible and account else "")
    response = HttpResponse(card, content_type="text/vcard; charset=utf-8")
    filename = (contact.full_name or f"contact-{contact.pk}").replace("/", "-") + ".vcf"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
