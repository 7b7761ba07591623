"""The parts of an opportunity edited in place: product lines (the amount follows them unless it
was typed in), contact roles, competitors and costs. Each write needs the right to edit the
opportunity and is recorded in its audit trail as a note."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.catalog.models import Product
from rapport.catalog.pricing import price_for
from rapport.core import audit
from rapport.core.errors import InvalidInput, RecordNotFound
from rapport.core.models import User
from rapport.core.services._common import full_clean_or_raise
from rapport.core.visibility import visible_to
from rapport.customers.models import Account, Contact
from rapport.pipeline.models import (
    ContactRole,
    Opportunity,
    OpportunityCompetitor,
    OpportunityContact,
    OpportunityCost,
    OpportunityLine,
)
from rapport.pipeline.services.opportunities import editable_opportunity, lines_total

NOT_A_NUMBER = gettext_lazy("Enter a number.")
UNKNOWN_PRODUCT = gettext_lazy("Choose an active product.")
UNKNOWN_CONTACT = gettext_lazy("Choose a contact you can see.")
UNKNOWN_ACCOUNT = gettext_lazy("Choose an account you can see.")
ALREADY_THERE = gettext_lazy("This competitor is already on the opportunity.")


def _decimal(field: str, value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput({field: [str(NOT_A_NUMBER)]}) from exc
    if not number.is_finite():
        raise InvalidInput({field: [str(NOT_A_NUMBER)]})
    return number


def refresh_amount(opportunity: Opportunity) -> None:
    if opportunity.amount_from_lines:
        opportunity.amount_amount = lines_total(opportunity)
        Opportunity.objects.filter(pk=opportunity.pk).update(amount_amount=opportunity.amount_amount)


def _line(opportunity: Opportunity, line_id: Any) -> OpportunityLine:
    try:
        return opportunity.lines.get(pk=line_id)
    except (OpportunityLine.DoesNotExist, ValueError, TypeError) as exc:
        raise RecordNotFound() from exc


def _apply_line(opportunity: Opportunity, line: OpportunityLine, data: Mapping[str, Any]) -> None:
    if "product" in data:
        try:
            line.product = Product.objects.get(pk=data["product"], active=True)
        except (Product.DoesNotExist, ValueError, TypeError) as exc:
            raise InvalidInput({"product": [str(UNKNOWN_PRODUCT)]}) from exc
    for field in ("quantity", "discount"):
        if data.get(field) not in (None, ""):
            setattr(line, field, _decimal(field, data[field]))
    if data.get("unit_price") not in (None, ""):
        line.unit_price = _decimal("unit_price", data["unit_price"])
    elif line.unit_price is None and line.product_id is not None:
        category = opportunity.account.category_id if opportunity.account_id else None
        line.unit_price = price_for(line.product, opportunity.amount_currency_id, category)
    if "description" in data:
        line.description = str(data["description"] or "").strip()
    full_clean_or_raise(line, exclude=["opportunity"])


@transaction.atomic
def line_add(*, actor: User, opportunity_id: Any, data: Mapping[str, Any]) -> OpportunityLine:
    """Add a product line; without a unit price, the price book's (or the list) price is used."""
    opportunity = editable_opportunity(actor, opportunity_id)
    if data.get("product") in (None, ""):
        raise InvalidInput({"product": [str(UNKNOWN_PRODUCT)]})
    position = opportunity.lines.count()
    line = OpportunityLine(opportunity=opportunity, position=position)
    line.unit_price = None  # type: ignore[assignment]
    _apply_line(opportunity, line, data)
    line.save()
    refresh_amount(opportunity)
    audit.log_note(actor, opportunity, _("Product line added: %(product)s") % {"product": line.product})
    return line


@transaction.atomic
def line_update(*, actor: User, opportunity_id: Any, line_id: Any, data: Mapping[str, Any]) -> OpportunityLine:
    opportunity = editable_opportunity(actor, opportunity_id)
    line = _line(opportunity, line_id)
    _apply_line(opportunity, line, data)
    line.save()
    refresh_amount(opportunity)
    audit.log_note(actor, opportunity, _("Product line changed: %(product)s") % {"product": line.product})
    return line


@transaction.atomic
def line_delete(*, actor: User, opportunity_id: Any, line_id: Any) -> None:
    opportunity = editable_opportunity(actor, opportunity_id)
    line = _line(opportunity, line_id)
    product = str(line.product)
    line.delete()
    refresh_amount(opportunity)
    audit.log_note(actor, opportunity, _("Product line removed: %(product)s") % {"product": product})


@transaction.atomic
def contact_role_add(*, actor: User, opportunity_id: Any, contact_id: Any, role: str) -> OpportunityContact:
    opportunity = editable_opportunity(actor, opportunity_id)
    try:
        contact = visible_to(actor, Contact).get(pk=contact_id)
    except (Contact.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({"contact": [str(UNKNOWN_CONTACT)]}) from exc
    if role not in ContactRole.values:
        raise InvalidInput({"role": [str(gettext_lazy("Choose a role from the list."))]})
    link, _created = OpportunityContact.objects.get_or_create(opportunity=opportunity, contact=contact, role=role)
    audit.log_note(actor, opportunity, _("Contact added: %(contact)s (%(role)s)") % {
        "contact": contact, "role": link.get_role_display()
    })  # fmt: skip
    return link


@transaction.atomic
def contact_role_remove(*, actor: User, opportunity_id: Any, link_id: Any) -> None:
    opportunity = editable_opportunity(actor, opportunity_id)
    link = (
        opportunity.contact_roles.select_related("contact").filter(pk=link_id).first()
        if str(link_id).isdigit()
        else None
    )
    if link is None:
        raise RecordNotFound()
    link.delete()
    audit.log_note(actor, opportunity, _("Contact removed: %(contact)s (%(role)s)") % {
        "contact": link.contact, "role": link.get_role_display()
    })  # fmt: skip


@transaction.atomic
def competitor_save(
    *, actor: User, opportunity_id: Any, data: Mapping[str, Any], competitor_id: Any = None
) -> OpportunityCompetitor:
    opportunity = editable_opportunity(actor, opportunity_id)
    if competitor_id is not None:
        try:
            entry = opportunity.competitors.get(pk=competitor_id)
        except (OpportunityCompetitor.DoesNotExist, ValueError, TypeError) as exc:
            raise RecordNotFound() from exc
    else:
        try:
            account = visible_to(actor, Account).get(pk=data.get("competitor") or 0)
        except (Account.DoesNotExist, ValueError, TypeError) as exc:
            raise InvalidInput({"competitor": [str(UNKNOWN_ACCOUNT)]}) from exc
        if opportunity.competitors.filter(competitor=account).exists():
            raise InvalidInput({"competitor": [str(ALREADY_THERE)]})
        entry = OpportunityCompetitor(opportunity=opportunity, competitor=account)
    for field in ("strengths", "weaknesses", "status"):
        if field in data:
            setattr(entry, field, str(data[field] or "").strip())
    full_clean_or_raise(entry, exclude=["opportunity", "competitor"])
    entry.save()
    audit.log_note(actor, opportunity, _("Competitor: %(name)s") % {"name": entry.competitor})
    return entry


@transaction.atomic
def competitor_remove(*, actor: User, opportunity_id: Any, competitor_id: Any) -> None:
    opportunity = editable_opportunity(actor, opportunity_id)
    deleted, _rows = (
        opportunity.competitors.filter(pk=competitor_id).delete() if str(competitor_id).isdigit() else (0, {})
    )
    if not deleted:
        raise RecordNotFound()


@transaction.atomic
def cost_add(*, actor: User, opportunity_id: Any, data: Mapping[str, Any]) -> OpportunityCost:
    opportunity = editable_opportunity(actor, opportunity_id)
    cost = OpportunityCost(opportunity=opportunity, created_by=actor)
    cost.date = data.get("date")  # type: ignore[assignment]
    cost.category = str(data.get("category") or "other")
    cost.amount_amount = _decimal("amount_amount", data.get("amount_amount"))
    cost.amount_currency_id = str(data.get("amount_currency") or opportunity.amount_currency_id).upper()
    cost.description = str(data.get("description") or "").strip()
    full_clean_or_raise(cost, exclude=["opportunity", "created_by"])
    if cost.amount_amount <= 0:
        raise InvalidInput({"amount_amount": [str(gettext_lazy("Enter an amount above zero."))]})
    cost.save()
    audit.log_note(actor, opportunity, _("Cost recorded: %(amount)s %(currency)s") % {
        "amount": cost.amount_amount, "currency": cost.amount_currency_id
    })  # fmt: skip
    return cost


@transaction.atomic
def cost_remove(*, actor: User, opportunity_id: Any, cost_id: Any) -> None:
    opportunity = editable_opportunity(actor, opportunity_id)
    cost = opportunity.costs.filter(pk=cost_id).first() if str(cost_id).isdigit() else None
    if cost is None:
        raise RecordNotFound()
    cost.delete()
    audit.log_note(actor, opportunity, _("Cost removed: %(amount)s %(currency)s") % {
        "amount": cost.amount_amount, "currency": cost.amount_currency_id
    })  # fmt: skip


@transaction.atomic
def lines_replace(
    *,
    actor: User | None,
    opportunity_id: Any,
    lines: Sequence[Mapping[str, Any]],
    currency: str,
    amount: Decimal | None = None,
    note: str,
) -> Opportunity:
    """Replace every product line at once — what an accepted quote does (`lines`: product,
    description, quantity, unit_price, discount). No rights check: the caller (accepting a quote,
    perhaps by the customer) has made the decision. `amount` None: the amount is the lines' sum;
    a figure: the amount is that figure (lines without a product cannot be opportunity lines)."""
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity_id)
    before = audit.snapshot(opportunity)
    opportunity.lines.all().delete()
    OpportunityLine.objects.bulk_create(
        OpportunityLine(
            opportunity=opportunity,
            position=position,
            product_id=line["product"],
            description=str(line.get("description") or "")[:300],
            quantity=line["quantity"],
            unit_price=line["unit_price"],
            discount=line.get("discount") or Decimal("0"),
        )
        for position, line in enumerate(lines)
    )
    opportunity.amount_currency_id = currency
    opportunity.amount_from_lines = amount is None
    opportunity.amount_amount = lines_total(opportunity) if amount is None else amount
    opportunity.save(update_fields=["amount_currency", "amount_from_lines", "amount_amount", "updated_at"])
    audit.log_update(actor, opportunity, before, note=note)
    return opportunity
