"""Sending a quote to the customer by e-mail, from the CRM: the PDF attached, the link to answer
online, in the quote's language; recorded as a done e-mail activity on the opportunity.

Order matters: the quote is marked sent (every refusal happens there, before anything goes out),
the activity is written, and the message is handed to the mail server last, inside the same
transaction — a server that refuses rolls everything back, so a quote is never "sent" without
its e-mail, nor an e-mail logged that did not leave.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from rapport.activities.services import activity_create, activity_record_outcome
from rapport.core.errors import InvalidInput, RuleViolation
from rapport.core.models import OrganisationSettings, User
from rapport.quotes.models import Quote
from rapport.quotes.pdf.formats import Formatter
from rapport.quotes.services.acceptance import customer_url
from rapport.quotes.services.workflow import quote_mark_sent
from rapport.quotes.wording import email_words

logger = logging.getLogger(__name__)

MAILER = "default"
MAX_COPIES = 10
RECIPIENT_REQUIRED = gettext_lazy("Enter the customer's e-mail address: the quote's contact has none.")
NOT_AN_ADDRESS = gettext_lazy("Enter valid e-mail addresses (%(address)s is not one).")
TOO_MANY_COPIES = gettext_lazy("Send copies to at most %(count)s addresses.")
SUBJECT_TOO_LONG = gettext_lazy("Keep the subject under 200 characters.")
MESSAGE_TOO_LONG = gettext_lazy("Keep the message under 10,000 characters.")
NOT_DELIVERED = gettext_lazy("The e-mail could not be sent (%(error)s); the quote is unchanged. Try again later.")
ACTIVITY_SUBJECT = gettext_lazy("Quote %(number)s sent to %(to)s")

# --- input ------------------------------------------------------------------------------------------


def _address(field: str, value: Any) -> str:
    address = str(value or "").strip()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise InvalidInput({field: [str(NOT_AN_ADDRESS % {"address": address[:100] or "''"})]}) from exc
    return address


def _recipients(quote: Quote, to: Any, cc: Any) -> tuple[str, list[str]]:
    if to in (None, ""):
        to = quote.contact.email if quote.contact_id and quote.contact else ""
        if not to:
            raise InvalidInput({"to": [str(RECIPIENT_REQUIRED)]})
    copies = [cc] if isinstance(cc, str) else list(cc or ())
    copies = [part.strip() for item in copies for part in str(item).split(",") if part.strip()]
    if len(copies) > MAX_COPIES:
        raise InvalidInput({"cc": [str(TOO_MANY_COPIES % {"count": MAX_COPIES})]})
    return _address("to", to), [_address("cc", address) for address in copies]


def _one_line(value: str) -> str:
    return " ".join(value.split())


# --- the message -----------------------------------------------------------------------------------


def default_subject(quote: Quote) -> str:
    company = OrganisationSettings.objects.values_list("company_name", flat=True).first() or ""
    return email_words(quote.language)["subject"].format(number=quote.display_number, company=company).strip()


def default_message(quote: Quote, sender: User) -> str:
    """What the salesperson's form starts from: greeting, the quote and its date, the signature."""
    words = email_words(quote.language)
    name = quote.contact.full_name if quote.contact_id and quote.contact else ""
    day = Formatter(quote.language).date(quote.valid_until)
    greeting = words["greeting"].format(name=name) if name else words["greeting_anonymous"]
    intro = words["intro"].format(number=quote.display_number, day=day)
    return f"{greeting}\n\n{intro}\n\n{words['closing']}\n{sender.get_full_name() or sender.email}"


def build_email(quote: Quote, *, sender: User, to: str, cc: list[str], subject: str, message: str) -> EmailMessage:
    """The message: the salesperson's text, the link to answer online, the PDF attached."""
    from rapport.quotes.pdf import PDF_CONTENT_TYPE, pdf_filename, render_quote_pdf

    link = customer_url(quote)
    body = f"{message.rstrip()}\n\n{email_words(quote.language)['link']}\n{link}\n"
    email = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        cc=cc,
        reply_to=[sender.email] if sender.email else [],
    )
    email.attach(pdf_filename(quote), render_quote_pdf(quote), PDF_CONTENT_TYPE)
    return email


# --- the use case ----------------------------------------------------------------------------------


@transaction.atomic
def quote_send(
    *,
    actor: User,
    quote_id: Any,
    to: str | None = None,
    cc: Sequence[str] | str = (),
    subject: str | None = None,
    message: str | None = None,
) -> Quote:
    """E-mail the quote to its contact (or `to`), mark it sent and log the e-mail on the opportunity.
    `subject` and `message` default to the quote language's standard wording."""
    quote = quote_mark_sent(actor=actor, quote_id=quote_id)
    address, copies = _recipients(quote, to, cc)
    subject_line = _one_line(subject or "") or default_subject(quote)
    if len(subject_line) > 200:
        raise InvalidInput({"subject": [str(SUBJECT_TOO_LONG)]})
    text = (message or "").strip() or default_message(quote, actor)
    if len(text) > 10_000:
        raise InvalidInput({"message": [str(MESSAGE_TOO_LONG)]})
    email = build_email(quote, sender=actor, to=address, cc=copies, subject=subject_line, message=text)
    _log_activity(actor, quote, address, text)
    try:
        email.send(using=MAILER)
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("quote %s: e-mail to %s failed: %s", quote.pk, address, exc)
        raise RuleViolation(str(NOT_DELIVERED % {"error": _one_line(str(exc))[:200]})) from exc
    return quote


def _log_activity(actor: User, quote: Quote, address: str, text: str) -> None:
    """A done e-mail activity about the opportunity, with the quote's contact as participant."""
    now = timezone.now()
    activity = activity_create(
        actor=actor,
        type="email",
        subject=str(ACTIVITY_SUBJECT % {"number": quote.display_number, "to": address})[:200],
        description=text,
        related_type="opportunity",
        related_id=quote.opportunity_id,
        start=now,
        end=now,
        participant_contacts=[quote.contact_id] if quote.contact_id else [],
    )
    activity_record_outcome(actor=actor, activity_id=activity.pk, outcome_code="successful")
