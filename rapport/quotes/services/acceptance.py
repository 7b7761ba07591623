"""The customer's side of a quote: the secret link in the e-mail, their answer on the quote's
page, and what an accepted quote does to the opportunity (decision 0011).

The link is `/offer/<id>/<key>/`, the key HMAC-SHA256(SECRET_KEY, id + a random nonce kept on the
quote): 256 bits nobody guesses, which the salesperson's pages can show again and which a new
version does not share. It opens the quote while it is sent and valid; after the customer's answer
it shows that answer until the quote's date; then, or once the quote expired or a newer version
replaced it, it says the offer is closed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, override

from rapport.core.errors import DomainError, InvalidInput, RuleViolation
from rapport.core.models import User
from rapport.core.services._common import require_admin
from rapport.core.services.notifications import notify
from rapport.pipeline.models import Opportunity, Pipeline, Stage, StageKind
from rapport.pipeline.services.opportunities import opportunity_move
from rapport.quotes.models import AcceptanceStage, Quote, QuoteStatus

NAME_REQUIRED = gettext_lazy("Type your name.")
NAME_TOO_LONG = gettext_lazy("Your name may be at most 200 characters.")
LINK_CLOSED = gettext_lazy("This offer can no longer be answered.")
UNKNOWN_PIPELINE = gettext_lazy("Choose a pipeline.")
UNKNOWN_STAGE = gettext_lazy("Choose a stage of this pipeline.")
ANSWERED_NOTICE = {
    QuoteStatus.ACCEPTED: gettext_lazy("%(name)s accepted the quote %(number)s."),
    QuoteStatus.REJECTED: gettext_lazy("%(name)s rejected the quote %(number)s."),
}
MOVE_REFUSED_NOTICE = gettext_lazy(
    "The quote %(number)s was accepted, but the opportunity could not move to %(stage)s: %(reason)s"
)


class LinkState(StrEnum):
    OPEN = "open"  # sent and valid: the customer may answer
    ANSWERED = "answered"  # accepted or rejected: the answer shows until the quote's date
    CLOSED = "closed"  # expired, replaced by a newer version, or past its date


# --- the link ----------------------------------------------------------------------------------------


def _key(quote_id: int, nonce: str) -> str:
    message = f"rapport.quote-link:{quote_id}:{nonce}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def ensure_link(quote: Quote) -> None:
    """Give the quote its link's nonce (once: a quote sent again keeps its link)."""
    if not quote.link_nonce:
        quote.link_nonce = secrets.token_hex(16)
        quote.save(update_fields=["link_nonce"])


def customer_path(quote: Quote) -> str:
    """The quote's page for the customer ('' before it was first sent)."""
    if not quote.link_nonce:
        return ""
    return reverse("quotes_public:offer", args=[quote.pk, _key(quote.pk, quote.link_nonce)])


def customer_url(quote: Quote) -> str:
    """The absolute address for the e-mail: `RAPPORT_BASE_URL` + the path."""
    path = customer_path(quote)
    return settings.RAPPORT_BASE_URL.rstrip("/") + path if path else ""


def quote_for_link(quote_id: int, key: str) -> Quote | None:
    """The quote the link opens, or None when the key is not this quote's (the same answer for an
    unknown id, so the page tells nothing about which quotes exist)."""
    quote = (
        Quote.objects.select_related("account", "contact", "currency", "opportunity")
        .filter(pk=quote_id)
        .exclude(link_nonce="")
        .first()
    )
    if quote is None or not hmac.compare_digest(_key(quote.pk, quote.link_nonce), key):
        return None
    return quote


def link_state(quote: Quote) -> LinkState:
    if quote.valid_until < timezone.localdate():
        return LinkState.CLOSED
    if quote.status == QuoteStatus.SENT:
        return LinkState.OPEN
    if quote.status in (QuoteStatus.ACCEPTED, QuoteStatus.REJECTED):
        return LinkState.ANSWERED
    return LinkState.CLOSED


# --- the customer's answer ---------------------------------------------------------------------------


def _name(value: Any) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise InvalidInput({"name": [str(NAME_REQUIRED)]})
    if len(name) > 200:
        raise InvalidInput({"name": [str(NAME_TOO_LONG)]})
    return name


@transaction.atomic
def quote_answer_by_customer(
    *, quote_id: int, key: str, accept: bool, name: Any, note: Any = "", ip: str | None = None
) -> Quote:
    """The customer accepts or rejects the quote on its page, typing their name. The owner hears
    of it; an accepted quote updates the opportunity (and may move it) as when the owner records it."""
    from rapport.quotes.services.workflow import quote_accept, quote_reject

    customer = _name(name)
    locked = Quote.objects.select_for_update(of=("self",)).select_related("opportunity", "owner")
    found = quote_for_link(quote_id, key)
    quote = locked.filter(pk=found.pk).first() if found else None
    if quote is None or link_state(quote) != LinkState.OPEN:
        raise RuleViolation(str(LINK_CLOSED))
    quote.customer_name = customer
    quote.decision_ip = ip or None
    quote.save(update_fields=["customer_name", "decision_ip"])
    answer = quote_accept if accept else quote_reject
    answer(actor=None, quote_id=quote.pk, note=note, quote=quote)
    owner = quote.opportunity.owner
    with override(owner.language):
        message = str(ANSWERED_NOTICE[QuoteStatus(quote.status)]) % {"name": customer, "number": quote.display_number}
    notify(recipient=owner, message=message, url=quote.opportunity.get_absolute_url())
    return quote


# --- the stage after acceptance ----------------------------------------------------------------------


def move_on_acceptance(actor: User | None, quote: Quote) -> None:
    """Move the accepted quote's opportunity to its pipeline's configured stage, through the gate —
    as the person who recorded the answer, or as the owner when the customer answered. Never
    backwards and never out of a closed stage; a gate that refuses leaves the opportunity where it
    is (the acceptance stands) and tells the owner what is missing."""
    opportunity = Opportunity.objects.select_related("stage", "owner").get(pk=quote.opportunity_id)
    target = AcceptanceStage.objects.filter(pipeline_id=opportunity.pipeline_id).select_related("stage").first()
    if target is None or opportunity.stage.kind != StageKind.OPEN or target.stage.order <= opportunity.stage.order:
        return
    mover = actor or opportunity.owner
    try:
        with transaction.atomic():
            opportunity_move(actor=mover, opportunity_id=opportunity.pk, stage=target.stage_id)
    except DomainError as refusal:
        with override(opportunity.owner.language):
            message = str(MOVE_REFUSED_NOTICE) % {
                "number": quote.display_number,
                "stage": target.stage.name,
                "reason": str(refusal),
            }
        notify(recipient=opportunity.owner, message=message, url=opportunity.get_absolute_url())


@transaction.atomic
def acceptance_stage_set(*, actor: User, pipeline_id: Any, stage_id: Any | None) -> AcceptanceStage | None:
    """Administrators choose, per pipeline, the stage an accepted quote moves its opportunity to
    (None: it stays)."""
    require_admin(actor)
    pipeline = Pipeline.objects.filter(pk=_id(pipeline_id)).first()
    if pipeline is None:
        raise InvalidInput({"pipeline": [str(UNKNOWN_PIPELINE)]})
    if stage_id in (None, ""):
        AcceptanceStage.objects.filter(pipeline=pipeline).delete()
        return None
    stage = Stage.objects.filter(pk=_id(stage_id), pipeline=pipeline).first()
    if stage is None:
        raise InvalidInput({"stage": [str(UNKNOWN_STAGE)]})
    row, _created = AcceptanceStage.objects.update_or_create(pipeline=pipeline, defaults={"stage": stage})
    return row


def acceptance_stages() -> dict[int, int]:
    """pipeline id → stage id, for the settings page."""
    return dict(AcceptanceStage.objects.values_list("pipeline_id", "stage_id"))


def _id(value: Any) -> int:
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) < 19 else 0


__all__ = [
    "LinkState",
    "acceptance_stage_set",
    "acceptance_stages",
    "customer_path",
    "customer_url",
    "ensure_link",
    "link_state",
    "move_on_acceptance",
    "quote_answer_by_customer",
    "quote_for_link",
]
