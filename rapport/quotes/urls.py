"""The quote pages (namespace "quotes")."""

from django.urls import path

from rapport.quotes.views import lines, pages, workflow

app_name = "quotes"

_Q = "quotes/<int:pk>"
urlpatterns = [
    path("quotes/", pages.quote_list, name="quote_list"),
    path("quotes/new/", pages.quote_create, name="quote_create"),
    path("quotes/products/suggest/", pages.product_suggest, name="product_suggest"),
    path(f"{_Q}/", pages.quote_detail, name="quote_detail"),
    path(f"{_Q}/edit/", pages.quote_edit, name="quote_edit"),
    path(f"{_Q}/pdf/", pages.quote_pdf, name="quote_pdf"),
    # the line editor
    path(f"{_Q}/lines/add/", lines.line_add, name="line_add"),
    path(f"{_Q}/lines/<int:line_id>/edit/", lines.line_edit, name="line_edit"),
    path(f"{_Q}/lines/<int:line_id>/delete/", lines.line_delete, name="line_delete"),
    # the workflow
    path(f"{_Q}/submit/", workflow.quote_submit, name="quote_submit"),
    path(f"{_Q}/approve/", workflow.quote_approve, name="quote_approve"),
    path(f"{_Q}/return/", workflow.quote_return, name="quote_return"),
    path(f"{_Q}/send/", workflow.quote_send, name="quote_send"),
    path(f"{_Q}/accept/", workflow.quote_accept, name="quote_accept"),
    path(f"{_Q}/reject/", workflow.quote_reject, name="quote_reject"),
    path(f"{_Q}/revise/", workflow.quote_revise, name="quote_revise"),
]
