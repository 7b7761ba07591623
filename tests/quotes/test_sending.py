"""Sending a quote by e-mail from the CRM: a real SMTP server on loopback receives the message in
the quote's language with the PDF attached and the customer's link; the quote is sent and the
e-mail logged on the opportunity. Anything refused or undeliverable changes nothing."""

from __future__ import annotations

import email
import email.policy
import io

import pypdf
import pytest
from django.conf import settings
from django.core import mail

from rapport.activities.models import Activity, ActivityStatus
from rapport.core.errors import InvalidInput, RuleViolation
from rapport.quotes.models import Quote, QuoteStatus
from rapport.quotes.services import quote_create, quote_line_update, quote_send
from rapport.quotes.services import sending as s
from rapport.quotes.services.acceptance import customer_path
from tests.smtp import free_port, smtp_to

pytestmark = pytest.mark.django_db

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def draft(org, deal) -> Quote:
    return quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk, language="pl")


def email_activities(deal) -> list[Activity]:
    return list(Activity.objects.filter(related_type="opportunity", related_id=deal.opportunity.pk))


def test_the_quote_reaches_the_customer_with_its_pdf_and_link(org, deal, draft, smtp_server):
    deal.buyer.email = "anna.nowak@kowalski.example"
    deal.buyer.save()

    quote = quote_send(actor=org.salesperson, quote_id=draft.pk, cc=["szef@kowalski.example"])

    [envelope] = smtp_server.envelopes
    assert sorted(envelope.rcpt_tos) == ["anna.nowak@kowalski.example", "szef@kowalski.example"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"].startswith(f"Oferta {quote.display_number}")
    assert message["Reply-To"] == org.salesperson.email
    plain = message.get_body(preferencelist=("plain",))
    assert plain is not None
    body = plain.get_content()
    assert "w załączeniu przesyłamy ofertę" in body
    assert f"{settings.RAPPORT_BASE_URL}{customer_path(quote)}" in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert (attachment.get_filename() or "").endswith(".pdf")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(attachment.get_content())).pages)
    assert quote.display_number in text

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT and quote.sent_at is not None
    [logged] = email_activities(deal)
    assert logged.type.code == "email" and logged.status == ActivityStatus.DONE
    assert logged.subject == f"Quote {quote.display_number} sent to anna.nowak@kowalski.example"
    assert list(logged.participant_contacts.values_list("pk", flat=True)) == [deal.buyer.pk]


def test_subject_and_message_may_be_written_by_the_salesperson(org, deal, draft, settings):
    settings.MAILERS = LOCMEM
    quote_send(
        actor=org.salesperson,
        quote_id=draft.pk,
        to="buyer@example.com",
        subject="Our offer\r\nBcc: victim@example.com",
        message="Hello Anna, as promised.",
    )
    [sent] = mail.outbox
    assert sent.subject == "Our offer Bcc: victim@example.com"  # one line: no header injection
    assert sent.to == ["buyer@example.com"] and sent.bcc == []
    assert sent.body.startswith("Hello Anna, as promised.\n\nOfertę można przeczytać")


def test_a_contact_without_an_address_needs_one_typed(org, deal, draft, settings):
    settings.MAILERS = LOCMEM
    deal.buyer.email = ""
    deal.buyer.save()
    with pytest.raises(InvalidInput) as refused:
        quote_send(actor=org.salesperson, quote_id=draft.pk)
    assert refused.value.errors == {"to": [str(s.RECIPIENT_REQUIRED)]}
    assert mail.outbox == [] and email_activities(deal) == []
    assert Quote.objects.get(pk=draft.pk).status == QuoteStatus.DRAFT


@pytest.mark.parametrize("cc", [["not an address"], ["a@example.com, <b>@x"], [f"c{i}@example.com" for i in range(11)]])
def test_bad_copies_are_refused_before_anything_is_sent(org, deal, draft, settings, cc):
    settings.MAILERS = LOCMEM
    with pytest.raises(InvalidInput) as refused:
        quote_send(actor=org.salesperson, quote_id=draft.pk, to="buyer@example.com", cc=cc)
    assert list(refused.value.errors) == ["cc"]
    assert mail.outbox == [] and Quote.objects.get(pk=draft.pk).status == QuoteStatus.DRAFT


def test_a_mail_server_that_is_down_leaves_the_quote_unsent(org, deal, draft, settings):
    settings.MAILERS = smtp_to(free_port())  # nothing listens there
    with pytest.raises(RuleViolation) as refused:
        quote_send(actor=org.salesperson, quote_id=draft.pk, to="buyer@example.com")
    assert "could not be sent" in refused.value.message
    assert Quote.objects.get(pk=draft.pk).status == QuoteStatus.DRAFT
    assert email_activities(deal) == []


def test_a_quote_that_needs_approval_is_not_mailed(org, deal, draft, settings):
    settings.MAILERS = LOCMEM
    line = draft.lines.order_by("position").first()
    assert line is not None
    quote_line_update(actor=org.salesperson, quote_id=draft.pk, line_id=line.pk, data={"discount": "30"})
    with pytest.raises(RuleViolation) as refused:
        quote_send(actor=org.salesperson, quote_id=draft.pk, to="buyer@example.com")
    assert "needs the approval" in refused.value.message
    assert mail.outbox == [] and email_activities(deal) == []


def test_the_default_message_greets_the_contact_in_the_quotes_language(org, deal):
    for language, greeting in [("en", "Dear"), ("id", "Yth."), ("zh-hant", "您好")]:
        quote = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk, language=language)
        text = s.default_message(quote, org.salesperson)
        assert greeting in text and quote.display_number in text and deal.buyer.full_name in text
