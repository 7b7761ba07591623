"""What the quote services share: the messages a person sees, fetching a quote for a use case
(visibility and rights, row-locked), the editability check, totals and the approval rule."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rapport.core.errors import InvalidInput, RuleViolation
from rapport.core.models import Team, User
from rapport.core.visibility import Action, access, visible_to
from rapport.quotes import totals
from rapport.quotes.models import Quote, QuoteSettings, QuoteStatus

#: what the audit trail follows (custom fields are added by the record type)
AUDIT_FIELDS = (
    "status",
    "contact",
    "language",
    "valid_until",
    "terms",
    "currency",
    "subtotal",
    "discount_total",
    "tax_total",
    "total",
)

# Error messages: constants the tests import (STYLE habit 10).
NOT_EDITABLE = _("Only a draft or returned quote can be changed; this one is %(status)s.")
WRONG_STATUS = _("A quote that is %(status)s cannot be %(action)s.")
NOT_LATEST = _("A newer version of this quote exists; work on version %(version)s.")
NO_LINES = _("Add at least one line before sending the quote.")
NEEDS_APPROVAL = _("This quote needs the approval of %(approver)s before it is sent: %(reasons)s.")
NOT_THE_APPROVER = _("Only %(approver)s, the manager of the quote's owner, can approve or return this quote.")
NO_APPROVER = _("the owner's manager")
LINE_DISCOUNT_TOO_HIGH = _("line %(position)s has a discount of %(discount)s%% (allowed: %(limit)s%%)")
TOTAL_DISCOUNT_TOO_HIGH = _("the whole discount is %(discount)s%% (allowed: %(limit)s%%)")
REASON_REQUIRED = _("Say why the quote is returned.")
PAST_VALIDITY = _("The quote was valid until %(day)s; set a later date first.")
VALID_UNTIL_IN_PAST = _("Choose a date from today on.")
OPPORTUNITY_CLOSED = _("The opportunity is closed; reopen it before quoting.")
TOO_LARGE = _("The quote's total would be too large; split it into several quotes.")
#: the largest figure an amount column holds (18 digits, 2 of them decimals)
AMOUNT_LIMIT = Decimal(10) ** 16

ACTION_LABELS = {
    "submitted": pgettext_lazy("quote action", "submitted for approval"),
    "approved": pgettext_lazy("quote action", "approved"),
    "returned": pgettext_lazy("quote action", "returned"),
    "sent": pgettext_lazy("quote action", "sent"),
    "accepted": pgettext_lazy("quote action", "accepted"),
    "rejected": pgettext_lazy("quote action", "rejected"),
    "revised": pgettext_lazy("quote action", "revised"),
}


def status_label(quote: Quote) -> str:
    return str(QuoteStatus(quote.status).label)


def refuse_status(quote: Quote, action: str) -> RuleViolation:
    return RuleViolation(str(WRONG_STATUS % {"status": status_label(quote), "action": ACTION_LABELS[action]}))


def quote_for(actor: User, quote_id: Any, action: Action = "edit") -> Quote:
    """The quote, locked for this transaction: hidden → 404, seen but not allowed → 403."""
    queryset = visible_to(actor, Quote).select_related("opportunity", "owner", "account")
    return access(actor, Quote, quote_id, action, queryset=queryset.select_for_update(of=("self",)))


def require_editable(quote: Quote) -> None:
    if not quote.is_editable:
        raise RuleViolation(str(NOT_EDITABLE % {"status": status_label(quote)}))


def refresh_totals(quote: Quote) -> totals.Totals:
    """Recompute and store the quote's totals from its (saved) lines."""
    figures = totals.compute(quote.lines.all())
    if max(figures.subtotal, figures.total) >= AMOUNT_LIMIT:
        raise InvalidInput({"lines": [str(TOO_LARGE)]})
    quote.subtotal = figures.subtotal
    quote.discount_total = figures.discount_total
    quote.net_total = figures.net_total
    quote.tax_total = figures.tax_total
    quote.total = figures.total
    quote.tax_breakdown = figures.breakdown()
    quote.save(
        update_fields=[
            "subtotal",
            "discount_total",
            "net_total",
            "tax_total",
            "total",
            "tax_breakdown",
            "updated_at",
        ]
    )
    return figures


def manager_of(user: User) -> User | None:
    """Who approves for `user`: their own manager, else the manager of the nearest team above them
    (their team, then its parents) who is someone else. Inactive managers are skipped."""
    if user.manager_id is not None and user.manager is not None and user.manager.is_active:
        return user.manager
    if user.team_id is None or user.team is None:
        return None
    team_ids = [int(part) for part in user.team.path.strip("/").split("/") if part]
    teams = {t.pk: t for t in Team.objects.filter(pk__in=team_ids).select_related("manager")}
    for team_id in reversed(team_ids):
        team = teams.get(team_id)
        if team and team.manager and team.manager.pk != user.pk and team.manager.is_active:
            return team.manager
    return None


def may_approve(actor: User, quote: Quote) -> bool:
    """The owner's manager approves; when the owner has none, an administrator."""
    manager = manager_of(quote.owner)
    if manager is not None:
        return manager.pk == actor.pk
    return actor.is_administrator and actor.pk != quote.owner_id


def approval_reasons(quote: Quote, figures: totals.Totals, options: QuoteSettings) -> list[str]:
    """Why the quote needs approval (empty: it does not) — each discount above its threshold."""
    reasons = [
        str(
            LINE_DISCOUNT_TOO_HIGH
            % {"position": index, "discount": _percent(line.discount), "limit": _percent(options.max_line_discount)}
        )
        for index, line in enumerate(quote.lines.all(), start=1)
        if line.discount > options.max_line_discount
    ]
    if figures.discount_percent > options.max_total_discount:
        reasons.append(
            str(
                TOTAL_DISCOUNT_TOO_HIGH
                % {
                    "discount": _percent(totals.to_cent(figures.discount_percent)),
                    "limit": _percent(options.max_total_discount),
                }
            )
        )
    return reasons


def _percent(value: Any) -> str:
    return format(value.normalize(), "f")


def follow_opportunity_owner(sender: Any, *, opportunity: Any, **kwargs: Any) -> None:
    """An opportunity changed hands: its quotes (every version) go with it, so whoever now sees the
    opportunity sees them (the receiver of `pipeline.signals.opportunity_owner_changed`)."""
    Quote.objects.filter(opportunity_id=opportunity.pk).update(owner_id=opportunity.owner_id)
