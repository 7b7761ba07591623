"""Lead conversion → an opportunity: the maker `rapport.leads.services.convert` calls when a
conversion asks for one (registered in `PipelineConfig.ready`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.core.errors import InvalidInput
from rapport.core.models import User
from rapport.customers.models import Account, Contact
from rapport.leads.models import Lead
from rapport.leads.services.convert import register_opportunity_maker
from rapport.pipeline.services.opportunities import opportunity_create

ACCOUNT_NEEDED = gettext_lazy("An opportunity needs an account: choose or create one to create an opportunity.")
#: what the conversion may set on the new opportunity besides what comes from the lead
EXTRA_FIELDS = (
    "name",
    "pipeline",
    "stage",
    "close_date",
    "next_step",
    "description",
    "amount_amount",
    "amount_currency",
)


def opportunity_for_lead(
    *, actor: User, lead: Lead, account: Account | None, contact: Contact | None = None, **extra: Any
) -> int:
    """Create the converted lead's opportunity — in the first open stage of the default pipeline,
    for the account, from the lead (its estimated value, campaign, owner) — and answer its id."""
    if account is None:
        raise InvalidInput({"opportunity": [str(ACCOUNT_NEEDED)]})
    unknown = [name for name in extra if name not in EXTRA_FIELDS]
    if unknown:
        raise InvalidInput({name: [str(gettext_lazy("This field cannot be set."))] for name in unknown})
    fields: dict[str, Any] = {
        "name": lead.company.strip() or account.name,
        "account": account.pk,
        "owner": lead.owner,
        "source_lead": lead,
        "campaign": lead.campaign,
    }
    if not fields["name"]:
        fields["name"] = _("Opportunity from %(lead)s") % {"lead": lead}
    if lead.estimated_value_amount is not None:
        fields["amount_amount"] = lead.estimated_value_amount
        fields["amount_currency"] = lead.estimated_value_currency_id
    fields.update({k: v for k, v in extra.items() if v not in (None, "")})
    opportunity = opportunity_create(actor=actor, **fields)
    return opportunity.pk


register_opportunity_maker(opportunity_for_lead)
