"""What the quote pages share: the signed-in person, their rights on quotes, fetching a quote (hidden →
404) and everything the record page and its in-place parts show."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rapport.core import customfields
from rapport.core import timeline as record_timeline
from rapport.core.models import User
from rapport.core.visibility import can
from rapport.quotes import selectors
from rapport.quotes.forms import LineForm
from rapport.quotes.models import Quote, QuoteLine, QuoteStatus
from rapport.quotes.services.common import may_approve
from rapport.web.utils import fetch

TIMELINE_LIMIT = 30
READ_ONLY_NOTICE = _("Version %(version)s of %(count)s — %(status)s, read-only.")


def actor_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def rights(actor: User) -> dict[str, bool]:
    return {
        "can_create": can(actor, "create", "quote"),
        "can_edit": can(actor, "edit", "quote"),
        "can_delete": can(actor, "delete", "quote"),
    }


def get_quote(actor: User, quote_id: int) -> Quote:
    """The quote with its lines for a page: hidden or unknown → 404."""
    return fetch(selectors.quote_get, actor=actor, quote_id=quote_id)


def lines_editable(actor: User, quote: Quote, latest: bool = True) -> bool:
    return quote.is_editable and latest and can(actor, "edit", "quote")


def tax_rows(quote: Quote) -> list[dict[str, Any]]:
    """The stored tax per rate, lowest rate first."""
    rows = []
    for rate, figures in (quote.tax_breakdown or {}).items():
        rows.append({"rate": rate, "net": figures.get("net", ""), "tax": figures.get("tax", "")})
    return sorted(rows, key=lambda row: float(row["rate"]))


def line_rows(quote: Quote, lines: list[QuoteLine], forms: dict[int, LineForm] | None = None) -> list[dict[str, Any]]:
    """Each line with its form (a refused one keeps what was typed, with the messages)."""
    forms = forms or {}
    return [{"line": line, "form": forms.get(line.pk) or LineForm(line=line)} for line in lines]


def lines_context(
    actor: User,
    quote: Quote,
    *,
    latest: bool = True,
    forms: dict[int, LineForm] | None = None,
    new_form: LineForm | None = None,
) -> dict[str, Any]:
    lines = list(quote.lines.all())
    return {
        "quote": quote,
        "rows": line_rows(quote, lines, forms),
        "editable": lines_editable(actor, quote, latest),
        "new_form": new_form or LineForm(initial={"quantity": "1"}),
        "tax_rows": tax_rows(quote),
    }


def actions_for(actor: User, quote: Quote, latest: bool) -> dict[str, bool]:
    """Which workflow buttons the person sees for this status (the services decide in the end)."""
    edit = can(actor, "edit", "quote")
    status = quote.status
    approver = status == QuoteStatus.PENDING_APPROVAL and may_approve(actor, quote)
    return {
        "submit": edit and latest and status in (QuoteStatus.DRAFT, QuoteStatus.RETURNED),
        "approve": approver,
        "send": edit and latest and status in (QuoteStatus.DRAFT, QuoteStatus.RETURNED, QuoteStatus.APPROVED),
        "decide": edit and latest and status == QuoteStatus.SENT,
        "revise": edit
        and latest
        and can(actor, "create", "quote")
        and status in (QuoteStatus.SENT, QuoteStatus.REJECTED, QuoteStatus.EXPIRED),
    }


def detail_context(actor: User, quote: Quote, **forms: Any) -> dict[str, Any]:
    versions = list(selectors.quote_versions(actor=actor, quote=quote).select_related("currency"))
    latest_version = max((v.version for v in versions), default=quote.version)
    latest = quote.version >= latest_version
    fields = customfields.fields_for("quote")
    stored = quote.custom or {}
    context = lines_context(actor, quote, latest=latest, forms=forms.get("line_forms"), new_form=forms.get("new_form"))
    actions = actions_for(actor, quote, latest)
    context.update(
        {
            "versions": versions,
            "latest": latest,
            "read_only_notice": ""
            if latest
            else READ_ONLY_NOTICE
            % {"version": quote.version, "count": len(versions), "status": QuoteStatus(quote.status).label},
            "actions": actions,
            "any_action": any(actions.values()),
            "custom_values": [(f.label, customfields.display(f, stored.get(f.key))) for f in fields],
            "timeline": record_timeline.entries_for(actor, "quote", quote, limit=TIMELINE_LIMIT),
            **rights(actor),
        }
    )
    return context
