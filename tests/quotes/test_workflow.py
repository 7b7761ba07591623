"""The workflow: approval above the administrators' discount limits (by the owner's manager only),
sending, the customer's answer, expiry — each transition allowed and refused with its message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import formats, timezone

from rapport.core.errors import InvalidInput, RecordNotFound, RuleViolation
from rapport.core.models import Notification
from rapport.quotes.models import Quote, QuoteSettings, QuoteStatus
from rapport.quotes.services import (
    quote_accept,
    quote_approve,
    quote_create,
    quote_line_add,
    quote_line_update,
    quote_mark_sent,
    quote_reject,
    quote_return,
    quote_submit,
    quotes_expire,
)
from rapport.quotes.services.common import (
    LINE_DISCOUNT_TOO_HIGH,
    NEEDS_APPROVAL,
    NO_LINES,
    NOT_EDITABLE,
    NOT_THE_APPROVER,
    PAST_VALIDITY,
    REASON_REQUIRED,
    TOTAL_DISCOUNT_TOO_HIGH,
    WRONG_STATUS,
)
from rapport.quotes.services.workflow import QUOTE_EXPIRED
from tests.factories import AccountFactory

D = Decimal


def wrong_status(status: str, action: str) -> str:
    return str(WRONG_STATUS % {"status": status, "action": action})


@pytest.fixture
def quote(org, deal) -> Quote:
    return quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)


def discount_first_line(org, quote: Quote, discount: str) -> None:
    line = quote.lines.order_by("position")[0]
    quote_line_update(actor=org.salesperson, quote_id=quote.pk, line_id=line.pk, data={"discount": discount})


def test_a_quote_within_the_limits_is_approved_on_submission_and_sent(org, quote):
    # the valve line's 5 % is within 15 %, the whole discount (1.2 %) within 10 %
    quote = quote_submit(actor=org.salesperson, quote_id=quote.pk)
    assert quote.status == QuoteStatus.APPROVED and quote.approved_by is None
    quote = quote_mark_sent(actor=org.salesperson, quote_id=quote.pk)
    assert quote.status == QuoteStatus.SENT and quote.sent_at is not None


def test_a_draft_within_the_limits_may_be_sent_without_submitting(org, quote):
    assert quote_mark_sent(actor=org.salesperson, quote_id=quote.pk).status == QuoteStatus.SENT


def test_a_line_discount_above_the_limit_needs_the_managers_approval(org, quote):
    discount_first_line(org, quote, "20")  # limit 15 %
    reason = str(LINE_DISCOUNT_TOO_HIGH % {"position": 1, "discount": "20", "limit": "15"})
    whole = str(TOTAL_DISCOUNT_TOO_HIGH % {"discount": "16.25", "limit": "10"})  # (60 + 4.99) / 399.90
    with pytest.raises(RuleViolation) as refused:
        quote_mark_sent(actor=org.salesperson, quote_id=quote.pk)
    assert refused.value.message == str(
        NEEDS_APPROVAL % {"approver": org.emea_manager, "reasons": f"{reason}; {whole}"}
    )

    quote = quote_submit(actor=org.salesperson, quote_id=quote.pk)
    assert quote.status == QuoteStatus.PENDING_APPROVAL
    assert Notification.objects.filter(recipient=org.emea_manager, message__contains=quote.number).exists()
    with pytest.raises(RuleViolation, match=str(NOT_EDITABLE % {"status": "pending approval"})):
        discount_first_line(org, quote, "10")
    with pytest.raises(RuleViolation, match=wrong_status("pending approval", "sent")):
        quote_mark_sent(actor=org.salesperson, quote_id=quote.pk)

    quote = quote_approve(actor=org.emea_manager, quote_id=quote.pk, note="Strategic customer")
    assert quote.status == QuoteStatus.APPROVED and quote.approved_by == org.emea_manager
    assert Notification.objects.filter(recipient=org.salesperson, message__contains="approved").exists()
    with pytest.raises(RuleViolation, match=wrong_status("approved", "approved")):
        quote_approve(actor=org.emea_manager, quote_id=quote.pk)
    assert quote_mark_sent(actor=org.salesperson, quote_id=quote.pk).status == QuoteStatus.SENT


def test_a_whole_discount_above_the_limit_needs_approval_even_when_each_line_is_within_its_own(org, quote):
    QuoteSettings.objects.filter(pk=1).update(max_line_discount=D("50"), max_total_discount=D("1"))
    with pytest.raises(RuleViolation, match=r"the whole discount is 1\.25%"):  # 4.99 / 399.90
        quote_mark_sent(actor=org.salesperson, quote_id=quote.pk)
    assert quote_submit(actor=org.salesperson, quote_id=quote.pk).status == QuoteStatus.PENDING_APPROVAL


def test_only_the_owners_manager_approves_or_returns(org, quote):
    discount_first_line(org, quote, "30")
    quote_submit(actor=org.salesperson, quote_id=quote.pk)
    expected = str(NOT_THE_APPROVER % {"approver": org.emea_manager})
    for someone in (org.salesperson, org.admin):  # the owner, and an administrator while a manager exists
        with pytest.raises(RuleViolation) as refused:
            quote_approve(actor=someone, quote_id=quote.pk)
        assert refused.value.message == expected
        with pytest.raises(RuleViolation):
            quote_return(actor=someone, quote_id=quote.pk, reason="No")
    with pytest.raises(RecordNotFound):  # a colleague does not even see it
        quote_approve(actor=org.colleague, quote_id=quote.pk)
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.PENDING_APPROVAL


def test_the_team_manager_approves_when_the_owner_has_no_manager_of_their_own(org, deal):
    org.salesperson.manager = None
    org.salesperson.save()
    quote = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    discount_first_line(org, quote, "30")
    quote_submit(actor=org.salesperson, quote_id=quote.pk)
    # Poland has no manager; EMEA above it does
    assert quote_approve(actor=org.emea_manager, quote_id=quote.pk).status == QuoteStatus.APPROVED


def test_an_administrator_approves_for_an_owner_without_any_manager(org, products):
    from rapport.pipeline.services.opportunities import opportunity_create

    account = AccountFactory.create(owner=org.other_salesperson)  # Americas: nobody manages it
    opportunity = opportunity_create(actor=org.other_salesperson, name="Big", account=account.pk)
    quote = quote_create(actor=org.other_salesperson, opportunity_id=opportunity.pk)
    quote_line_add(
        actor=org.other_salesperson,
        quote_id=quote.pk,
        data={"description": "Consulting", "unit_price": "1000", "discount": "40"},
    )
    quote_submit(actor=org.other_salesperson, quote_id=quote.pk)
    assert quote_approve(actor=org.admin, quote_id=quote.pk).status == QuoteStatus.APPROVED


def test_a_returned_quote_carries_the_reason_and_can_be_changed_and_submitted_again(org, quote):
    discount_first_line(org, quote, "30")
    quote_submit(actor=org.salesperson, quote_id=quote.pk)
    with pytest.raises(InvalidInput) as refused:
        quote_return(actor=org.emea_manager, quote_id=quote.pk, reason="  ")
    assert refused.value.errors == {"reason": [str(REASON_REQUIRED)]}
    quote = quote_return(actor=org.emea_manager, quote_id=quote.pk, reason="30 % is too much")
    assert quote.status == QuoteStatus.RETURNED and quote.return_reason == "30 % is too much"
    assert Notification.objects.filter(recipient=org.salesperson, message__contains="returned").exists()

    discount_first_line(org, quote, "10")
    assert quote_submit(actor=org.salesperson, quote_id=quote.pk).status == QuoteStatus.APPROVED


def test_sending_needs_lines_and_a_date_still_ahead(org, deal):
    quote = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    for line in quote.lines.all():
        from rapport.quotes.services import quote_line_delete

        quote_line_delete(actor=org.salesperson, quote_id=quote.pk, line_id=line.pk)
    with pytest.raises(RuleViolation, match=str(NO_LINES)):
        quote_mark_sent(actor=org.salesperson, quote_id=quote.pk)
    with pytest.raises(RuleViolation, match=str(NO_LINES)):
        quote_submit(actor=org.salesperson, quote_id=quote.pk)

    other = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Quote.objects.filter(pk=other.pk).update(valid_until=yesterday)
    with pytest.raises(RuleViolation) as refused:
        quote_mark_sent(actor=org.salesperson, quote_id=other.pk)
    assert refused.value.message == str(PAST_VALIDITY % {"day": formats.date_format(yesterday, "DATE_FORMAT")})


def test_only_a_sent_quote_is_accepted_or_rejected(org, quote):
    with pytest.raises(RuleViolation) as refused:
        quote_accept(actor=org.salesperson, quote_id=quote.pk)
    assert refused.value.message == wrong_status("draft", "accepted")
    with pytest.raises(RuleViolation, match=wrong_status("draft", "rejected")):
        quote_reject(actor=org.salesperson, quote_id=quote.pk)

    quote_mark_sent(actor=org.salesperson, quote_id=quote.pk)
    quote = quote_reject(actor=org.salesperson, quote_id=quote.pk, note="Too expensive")
    assert quote.status == QuoteStatus.REJECTED and quote.decision_note == "Too expensive" and quote.closed_at
    with pytest.raises(RuleViolation, match=wrong_status("rejected", "accepted")):
        quote_accept(actor=org.salesperson, quote_id=quote.pk)
    with pytest.raises(RuleViolation, match=wrong_status("rejected", "sent")):
        quote_mark_sent(actor=org.salesperson, quote_id=quote.pk)
    with pytest.raises(RuleViolation, match=str(NOT_EDITABLE % {"status": "rejected"})):
        discount_first_line(org, quote, "1")


def test_the_scheduler_expires_sent_quotes_past_their_date_and_only_those(org, deal):
    today = timezone.localdate()
    sent_late = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    sent_today = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    draft_late = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    for q in (sent_late, sent_today):
        quote_mark_sent(actor=org.salesperson, quote_id=q.pk)
    Quote.objects.filter(pk__in=[sent_late.pk, draft_late.pk]).update(valid_until=today - dt.timedelta(days=1))
    Quote.objects.filter(pk=sent_today.pk).update(valid_until=today)

    assert quotes_expire(timezone.now()) == 1
    assert quotes_expire(timezone.now()) == 0  # twice is harmless
    statuses = dict(Quote.objects.values_list("pk", "status"))
    assert statuses[sent_late.pk] == QuoteStatus.EXPIRED
    assert (statuses[sent_today.pk], statuses[draft_late.pk]) == (QuoteStatus.SENT, QuoteStatus.DRAFT)
    assert Quote.objects.get(pk=sent_late.pk).closed_at is not None

    assert quotes_expire(timezone.now() + dt.timedelta(days=1)) == 1  # tomorrow, today's is past
    with pytest.raises(RuleViolation, match=wrong_status("expired", "accepted")):
        quote_accept(actor=org.salesperson, quote_id=sent_today.pk)


def test_a_sent_quote_past_its_date_is_not_accepted_even_before_the_scheduler_ran(org, quote):
    quote_mark_sent(actor=org.salesperson, quote_id=quote.pk)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Quote.objects.filter(pk=quote.pk).update(valid_until=yesterday)
    with pytest.raises(RuleViolation) as refused:
        quote_accept(actor=org.salesperson, quote_id=quote.pk)
    assert refused.value.message == str(QUOTE_EXPIRED % {"day": formats.date_format(yesterday, "DATE_FORMAT")})


def test_only_an_administrator_sets_the_thresholds_and_bad_values_are_refused(org, quote):
    from rapport.core.errors import ActionNotAllowed
    from rapport.quotes.services.settings import quote_settings_update

    with pytest.raises(ActionNotAllowed):
        quote_settings_update(actor=org.emea_manager, max_line_discount="50")
    with pytest.raises(InvalidInput) as refused:
        quote_settings_update(actor=org.admin, max_line_discount="150", number_padding=0)
    assert set(refused.value.errors) == {"max_line_discount", "number_padding"}
    assert QuoteSettings.current().max_line_discount == D("15")

    quote_settings_update(actor=org.admin, max_line_discount="2", max_total_discount="0.5")
    with pytest.raises(RuleViolation, match=r"line 2 has a discount of 5%"):
        quote_mark_sent(actor=org.salesperson, quote_id=quote.pk)


def test_the_periodic_scheduler_expires_them_on_its_tick(org, deal):
    from rapport.activities.services.reminders import scheduler_tick

    late = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    quote_mark_sent(actor=org.salesperson, quote_id=late.pk)
    Quote.objects.filter(pk=late.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))

    assert scheduler_tick().other == {"quotes expired": 1}
    assert Quote.objects.get(pk=late.pk).status == QuoteStatus.EXPIRED
    assert scheduler_tick().other == {"quotes expired": 0}
