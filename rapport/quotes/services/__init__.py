"""Every write on quotes: drafting (create, header, lines) and the workflow (approval, sending, the
customer's answer, expiry, versions). Callers import from here."""

from rapport.quotes.services.acceptance import acceptance_stage_set, quote_answer_by_customer
from rapport.quotes.services.drafting import (
    quote_create,
    quote_line_add,
    quote_line_delete,
    quote_line_update,
    quote_update,
)
from rapport.quotes.services.sending import quote_send
from rapport.quotes.services.workflow import (
    quote_accept,
    quote_approve,
    quote_mark_sent,
    quote_reject,
    quote_return,
    quote_revise,
    quote_submit,
    quotes_expire,
)

__all__ = [
    "acceptance_stage_set",
    "quote_accept",
    "quote_answer_by_customer",
    "quote_approve",
    "quote_create",
    "quote_line_add",
    "quote_line_delete",
    "quote_line_update",
    "quote_mark_sent",
    "quote_reject",
    "quote_return",
    "quote_revise",
    "quote_send",
    "quote_submit",
    "quote_update",
    "quotes_expire",
]
