"""A quote is seen by whoever sees its opportunity, and changed by those whose role may edit."""

from __future__ import annotations

import pytest

from rapport.core.errors import ActionNotAllowed, RecordNotFound
from rapport.pipeline.services.opportunities import opportunity_update
from rapport.quotes.selectors import quote_get, quote_list
from rapport.quotes.services import quote_create, quote_mark_sent, quote_update


@pytest.fixture
def quote(org, deal):
    return quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)


def test_the_owner_their_manager_and_all_scope_roles_see_the_quote(org, quote):
    for viewer in (org.salesperson, org.emea_manager, org.admin, org.executive, org.marketing):
        assert list(quote_list(actor=viewer)) == [quote], viewer.email
        assert quote_get(actor=viewer, quote_id=quote.pk) == quote


def test_others_do_not_see_it_and_cannot_touch_it(org, quote):
    for outsider in (org.colleague, org.other_salesperson, org.department_member):
        assert list(quote_list(actor=outsider)) == [], outsider.email
        with pytest.raises(RecordNotFound):
            quote_get(actor=outsider, quote_id=quote.pk)
        with pytest.raises(RecordNotFound):
            quote_mark_sent(actor=outsider, quote_id=quote.pk)


def test_a_role_that_only_reads_cannot_change_it(org, quote):
    with pytest.raises(ActionNotAllowed):
        quote_update(actor=org.executive, quote_id=quote.pk, terms="Mine now")
    assert quote_update(actor=org.emea_manager, quote_id=quote.pk, terms="Checked").terms == "Checked"


def test_the_quote_follows_its_opportunity_to_a_new_owner(org, deal, quote):
    from rapport.quotes.models import Quote
    from rapport.quotes.services import quote_revise

    quote_mark_sent(actor=org.salesperson, quote_id=quote.pk)
    second = quote_revise(actor=org.salesperson, quote_id=quote.pk)
    opportunity_update(actor=org.emea_manager, opportunity_id=deal.opportunity.pk, owner=org.colleague.pk)
    assert list(quote_list(actor=org.colleague)) == [second, quote]
    assert list(quote_list(actor=org.salesperson)) == []
    # every version's stored owner (the lists' scope, the approver) moved with the opportunity
    assert set(Quote.objects.values_list("owner_id", flat=True)) == {org.colleague.pk}
