"""The customer's link: it opens the sent quote in the quote's language, takes one answer with the
customer's typed name, cannot be guessed, and closes with the quote. An accepted quote moves the
opportunity to the stage the administrators chose, through that stage's gate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from rapport.core.errors import InvalidInput
from rapport.core.models import Notification
from rapport.pipeline.models import Opportunity, Pipeline
from rapport.quotes.models import Quote, QuoteStatus
from rapport.quotes.services import acceptance_stage_set, quote_accept, quote_create, quote_mark_sent, quote_revise
from rapport.quotes.services.acceptance import customer_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(org, deal) -> Quote:
    quote = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk, language="pl")
    return quote_mark_sent(actor=org.salesperson, quote_id=quote.pk)


@pytest.fixture
def stages(db) -> dict[str, int]:
    return {stage.name: stage.pk for stage in Pipeline.objects.get(name="Sales").stages.all()}


def answer(quote: Quote, **data: str):
    return Client().post(customer_path(quote), data)


def test_the_link_opens_the_quote_in_its_language(sent):
    response = Client().get(customer_path(sent))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Oferta {sent.display_number}" in page
    assert "471,50" in page  # 300.00 + 94.91 net, 69.00 + 7.59 tax, in Polish figures
    assert "Przyjmuję ofertę" in page
    assert response["Cache-Control"] == "private, no-store" and response["Referrer-Policy"] == "no-referrer"


def test_the_key_is_long_unguessable_and_not_shared_between_quotes(org, deal, sent):
    other = quote_mark_sent(
        actor=org.salesperson, quote_id=quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk).pk
    )
    key = customer_path(sent).rstrip("/").rsplit("/", 1)[1]
    assert len(key) >= 43  # 256 bits
    assert key != customer_path(other).rstrip("/").rsplit("/", 1)[1]
    wrong = customer_path(sent).replace(key, key[:-1] + ("A" if key[-1] != "A" else "B"))
    assert Client().get(wrong).status_code == 404
    assert Client().get(f"/offer/{sent.pk + 1000}/{key}/").status_code == 404  # same answer for an unknown id
    assert Client().get(f"/offer/{other.pk}/{key}/").status_code == 404  # one quote's key opens no other


def test_a_draft_has_no_link(org, deal):
    draft = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    assert customer_path(draft) == ""


def test_the_customer_accepts_by_typing_their_name(org, deal, sent):
    response = answer(sent, name="  Anna   Nowak ", note="Prosimy o dostawę w styczniu", answer="accept")
    assert response.status_code == 302

    sent.refresh_from_db()
    assert sent.status == QuoteStatus.ACCEPTED
    assert (sent.customer_name, sent.decision_note, sent.decision_ip) == (
        "Anna Nowak",
        "Prosimy o dostawę w styczniu",
        "127.0.0.1",
    )
    opportunity = Opportunity.objects.get(pk=deal.opportunity.pk)
    assert opportunity.amount_amount == Decimal("394.91")  # the quote's net total
    assert Notification.objects.filter(recipient=org.salesperson, message__contains="Anna Nowak accepted").exists()
    page = Client().get(customer_path(sent)).content.decode()
    assert "Anna Nowak przyjął(-ęła) tę ofertę" in page and "Przyjmuję ofertę" not in page

    again = answer(sent, name="Someone else", answer="reject")
    assert again.status_code == 409 and "Na tę ofertę nie można już odpowiedzieć" in again.content.decode()
    assert Quote.objects.get(pk=sent.pk).status == QuoteStatus.ACCEPTED


def test_an_answer_without_a_name_is_refused_and_changes_nothing(sent):
    response = answer(sent, name="   ", answer="accept")
    assert response.status_code == 400 and "Prosimy wpisać imię i nazwisko" in response.content.decode()
    assert Quote.objects.get(pk=sent.pk).status == QuoteStatus.SENT


def test_the_customer_may_reject_with_a_reason(sent):
    answer(sent, name="Anna Nowak", note="Za drogo", answer="reject")
    sent.refresh_from_db()
    assert (sent.status, sent.decision_note, sent.customer_name) == (QuoteStatus.REJECTED, "Za drogo", "Anna Nowak")


def test_hostile_input_is_stored_as_text_and_shown_escaped(sent):
    answer(sent, name="<script>alert(1)</script>", answer="reject")
    page = Client().get(customer_path(sent)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_the_link_closes_when_the_quote_expires(sent):
    Quote.objects.filter(pk=sent.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    response = Client().get(customer_path(sent))
    assert response.status_code == 410 and "nieaktualna" in response.content.decode()
    assert Client().get(customer_path(sent) + "pdf/").status_code == 410
    assert answer(sent, name="Anna Nowak", answer="accept").status_code == 410
    assert Quote.objects.get(pk=sent.pk).status == QuoteStatus.SENT


def test_a_revised_quote_closes_the_old_link_and_gets_its_own(org, sent):
    old_path = customer_path(sent)
    revision = quote_revise(actor=org.salesperson, quote_id=sent.pk)
    assert Client().get(old_path).status_code == 410
    revision = quote_mark_sent(actor=org.salesperson, quote_id=revision.pk)
    assert customer_path(revision) not in ("", old_path)
    assert Client().get(customer_path(revision)).status_code == 200


def test_the_pdf_downloads_from_the_link(sent):
    response = Client().get(customer_path(sent) + "pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "attachment" in response["Content-Disposition"]


# --- the stage after acceptance ----------------------------------------------------------------------


def test_acceptance_moves_the_opportunity_to_the_chosen_stage(org, deal, sent, stages):
    acceptance_stage_set(actor=org.admin, pipeline_id=deal.opportunity.pipeline_id, stage_id=stages["Negotiation"])
    answer(sent, name="Anna Nowak", answer="accept")
    assert Opportunity.objects.get(pk=deal.opportunity.pk).stage_id == stages["Negotiation"]


def test_a_gate_that_refuses_leaves_the_opportunity_and_tells_the_owner(org, deal, sent, stages):
    Pipeline.objects.get(name="Sales").stages.filter(pk=stages["Negotiation"]).update(required_fields=["close_date"])
    Opportunity.objects.filter(pk=deal.opportunity.pk).update(close_date=None)
    acceptance_stage_set(actor=org.admin, pipeline_id=deal.opportunity.pipeline_id, stage_id=stages["Negotiation"])
    before = Opportunity.objects.get(pk=deal.opportunity.pk).stage_id

    accepted = quote_accept(actor=org.salesperson, quote_id=sent.pk)

    assert accepted.status == QuoteStatus.ACCEPTED  # the acceptance stands
    assert Opportunity.objects.get(pk=deal.opportunity.pk).stage_id == before
    notice = Notification.objects.get(recipient=org.salesperson, message__contains="could not move")
    assert "Negotiation" in notice.message


def test_an_opportunity_further_along_does_not_move_back(org, deal, sent, stages):
    from rapport.pipeline.services.opportunities import opportunity_move

    opportunity_move(actor=org.salesperson, opportunity_id=deal.opportunity.pk, stage=stages["Negotiation"])
    first_stage = min(stages.values(), key=lambda pk: Pipeline.objects.get(name="Sales").stages.get(pk=pk).order)
    acceptance_stage_set(actor=org.admin, pipeline_id=deal.opportunity.pipeline_id, stage_id=first_stage)
    quote_accept(actor=org.salesperson, quote_id=sent.pk)
    assert Opportunity.objects.get(pk=deal.opportunity.pk).stage_id == stages["Negotiation"]


def test_only_administrators_choose_the_stage_and_only_of_that_pipeline(org, deal, stages):
    from rapport.core.errors import ActionNotAllowed

    with pytest.raises(ActionNotAllowed):
        acceptance_stage_set(actor=org.salesperson, pipeline_id=deal.opportunity.pipeline_id, stage_id=stages["Won"])
    other = Pipeline.objects.create(name="Renewals")
    with pytest.raises(InvalidInput) as refused:
        acceptance_stage_set(actor=org.admin, pipeline_id=other.pk, stage_id=stages["Won"])
    assert list(refused.value.errors) == ["stage"]
    assert acceptance_stage_set(actor=org.admin, pipeline_id=deal.opportunity.pipeline_id, stage_id=None) is None


def test_the_salesperson_sees_the_customers_link_on_the_quote(client_for, org, sent):
    page = client_for(org.salesperson).get(f"/quotes/{sent.pk}/").content.decode()
    assert customer_path(sent) in page


def test_the_api_gives_the_customers_link_while_the_offer_is_open(org, sent):
    from tests.api.conftest import ApiClient, token_for

    api = ApiClient(token_for(org.salesperson))
    assert api.get(f"/api/v1/quotes/{sent.pk}").json()["customer_link"].endswith(customer_path(sent))
    Quote.objects.filter(pk=sent.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert api.get(f"/api/v1/quotes/{sent.pk}").json()["customer_link"] == ""
