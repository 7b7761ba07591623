"""Converting a lead: into an account (new or an existing match), a contact (new or existing) and,
once the pipeline module is there, an opportunity — in one transaction. The lead then stays,
read-only, as "converted", linked to what it became; its history shows on the account and contact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.core import audit, customfields
from rapport.core.errors import InvalidInput, RuleViolation
from rapport.core.models import User
from rapport.core.normalize import company_key
from rapport.core.visibility import access, visible_to
from rapport.customers import services as customer_services
from rapport.customers.models import Account, AccountContact, Contact
from rapport.leads.dedupe import Finder, Keys
from rapport.leads.models import Lead, LeadStatus
from rapport.leads.services.leads import editable_lead

DISQUALIFIED_NOT_CONVERTIBLE = gettext_lazy("A disqualified lead cannot be converted; qualify it again first.")
NO_OPPORTUNITIES_YET = gettext_lazy("Opportunities are not available yet: convert without one.")
ACCOUNT_NEEDED_FOR_NAME = gettext_lazy("The lead has no company: choose an existing account or convert without one.")

#: set by the pipeline module: makes an opportunity for a converted lead and returns its id
OpportunityMaker = Callable[..., int]
_opportunity_maker: OpportunityMaker | None = None


def register_opportunity_maker(maker: OpportunityMaker) -> None:
    global _opportunity_maker
    _opportunity_maker = maker


@dataclass(frozen=True)
class Conversion:
    account: Account | None
    contact: Contact
    opportunity_id: int | None
    account_created: bool
    contact_created: bool


@dataclass(frozen=True)
class ConversionSuggestions:
    """Existing records the lead may really be: accounts with the same company, matching contacts."""

    accounts: list[Account]
    contacts: list[Contact]


def conversion_suggestions(*, actor: User, lead: Lead, limit: int = 5) -> ConversionSuggestions:
    """Accounts whose name is the lead's company (legal form, case and accents aside) and contacts that
    match the lead as duplicates — among the records the actor may see."""
    accounts: list[Account] = []
    key = company_key(lead.company)
    if key:
        first_word = key.split()[0]
        candidates = visible_to(actor, Account).filter(name__icontains=first_word).order_by("name")[:200]
        accounts = [a for a in candidates if company_key(a.name) == key][:limit]
    finder = Finder(Lead.objects.none(), visible_to(actor, Contact))
    keys = Keys.of(lead)
    finder.load([keys])
    ids = [m.id for m in finder.matches(keys) if m.kind == "contact"][:limit]
    contacts = list(visible_to(actor, Contact).filter(pk__in=ids).select_related("account"))
    return ConversionSuggestions(accounts=accounts, contacts=contacts)


def _custom_for(record_type: str, lead: Lead) -> dict[str, Any]:
    """The lead's custom values whose key names a custom field of the same type on the target."""
    lead_types = {f.key: f.field_type for f in customfields.fields_for("lead")}
    values = lead.custom or {}
    return {
        f.key: values[f.key]
        for f in customfields.fields_for(record_type)
        if f.key in values and lead_types.get(f.key) == f.field_type
    }


def _address(lead: Lead) -> dict[str, str]:
    return {name: getattr(lead, name) for name in ("street", "city", "postal_code", "region", "country")}


def _new_account(actor: User, lead: Lead) -> Account:
    if not lead.company.strip():
        raise InvalidInput({"account": [str(ACCOUNT_NEEDED_FOR_NAME)]})
    return customer_services.account_create(
        actor=actor,
        custom_fields=_custom_for("account", lead),
        name=lead.company,
        owner=lead.owner,
        industry=lead.industry,
        website=lead.website,
        territory=lead.territory,
        description=lead.need_description,
        **_address(lead),
    )


def _new_contact(actor: User, lead: Lead, account: Account | None) -> Contact:
    return customer_services.contact_create(
        actor=actor,
        custom_fields=_custom_for("contact", lead),
        first_name=lead.first_name,
        last_name=lead.last_name,
        title=lead.title,
        email=lead.email,
        phone=lead.phone,
        account=account,
        owner=lead.owner,
        description=lead.description,
        **_address(lead),
    )


def _link(actor: User, contact: Contact, account: Account | None) -> None:
    if account is None or AccountContact.objects.filter(account=account, contact=contact).exists():
        return
    if contact.account_id is None:
        customer_services.contact_update(actor=actor, contact_id=contact.pk, account=account)
    else:
        customer_services.contact_link_account(actor=actor, contact_id=contact.pk, account_id=account.pk)


@transaction.atomic
def lead_convert(
    *,
    actor: User,
    lead_id: Any,
    account_id: Any = None,
    create_account: bool = True,
    contact_id: Any = None,
    create_opportunity: bool = False,
    opportunity: dict[str, Any] | None = None,
) -> Conversion:
    """Convert a lead. `account_id` links an existing account (else one is created from the company
    when `create_account`); `contact_id` links an existing contact (else one is created). Everything
    happens or nothing does."""
    lead = editable_lead(actor, lead_id)
    if lead.status == LeadStatus.DISQUALIFIED:
        raise RuleViolation(str(DISQUALIFIED_NOT_CONVERTIBLE))
    if create_opportunity and _opportunity_maker is None:
        raise InvalidInput({"opportunity": [str(NO_OPPORTUNITIES_YET)]})
    account: Account | None = None
    account_created = contact_created = False
    if account_id not in (None, ""):
        account = access(actor, Account, account_id)
    elif create_account and lead.company.strip():
        account, account_created = _new_account(actor, lead), True
    if contact_id not in (None, ""):
        contact = access(actor, Contact, contact_id, "edit")
        _link(actor, contact, account)
    else:
        contact, contact_created = _new_contact(actor, lead, account), True
    opportunity_id = None
    if create_opportunity and _opportunity_maker is not None:
        opportunity_id = _opportunity_maker(
            actor=actor, lead=lead, account=account, contact=contact, **(opportunity or {})
        )

    before = audit.snapshot(lead)
    lead.status = LeadStatus.CONVERTED
    lead.converted_at = timezone.now()
    lead.converted_by = actor
    lead.converted_account = account
    lead.converted_contact = contact
    lead.converted_opportunity_id = opportunity_id
    lead.save()
    audit.log_update(actor, lead, before, note=_conversion_note(account, contact))
    origin = _("Converted from lead %(name)s (#%(id)s)") % {"name": lead, "id": lead.pk}
    if account is not None:
        audit.log_note(actor, account, origin)
    audit.log_note(actor, contact, origin)
    return Conversion(account, contact, opportunity_id, account_created, contact_created)


def _conversion_note(account: Account | None, contact: Contact) -> str:
    if account is None:
        return _("Converted to contact %(contact)s") % {"contact": contact}
    return _("Converted to account %(account)s and contact %(contact)s") % {"account": account, "contact": contact}


def converted_from(*, actor: User, record: Account | Contact) -> list[Lead]:
    """The visible leads that were converted into this account or contact."""
    condition = Q(converted_account=record) if isinstance(record, Account) else Q(converted_contact=record)
    return list(visible_to(actor, Lead).filter(condition).order_by("-converted_at"))
