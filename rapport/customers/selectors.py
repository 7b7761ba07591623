"""Reads of accounts and contacts; each starts from what the actor may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from rapport.core.listing import Filter, ListSpec
from rapport.core.models import User
from rapport.core.visibility import access, visible_to
from rapport.customers.models import Account, AccountContact, AccountType, Consent, Contact

ACCOUNT_LIST = ListSpec(
    model=Account,
    record_type="account",
    search_index=Account.search_index,
    filters=(
        Filter("owner", "owner_id", "owner"),
        Filter("team", "owner__team", "team"),
        Filter("category", "category_id"),
        Filter("type", "type", "choice", tuple(AccountType.values)),
        Filter("territory", "territory_id"),
        Filter("parent", "parent_id"),
        Filter("industry", "industry", "text"),
        Filter("country", "country", "text"),
        Filter("created_after", "created_at", "date_from"),
        Filter("created_before", "created_at", "date_to"),
    ),
    orderings={
        "name": ("name",),
        "created": ("created_at",),
        "updated": ("updated_at",),
        "type": ("type", "name"),
        "category": ("category__position", "category__name", "name"),
        "owner": ("owner__first_name", "owner__last_name", "name"),
        "country": ("country", "name"),
    },
    default_ordering="name",
    select_related=("owner", "category", "territory", "parent"),
)

CONTACT_LIST = ListSpec(
    model=Contact,
    record_type="contact",
    search_index=Contact.search_index,
    filters=(
        Filter("owner", "owner_id", "owner"),
        Filter("team", "owner__team", "team"),
        Filter("account", "account_links__account_id"),
        Filter("consent", "marketing_consent", "choice", tuple(Consent.values)),
        Filter("do_not_contact", "do_not_contact", "bool"),
        Filter("country", "country", "text"),
        Filter("created_after", "created_at", "date_from"),
        Filter("created_before", "created_at", "date_to"),
    ),
    orderings={
        "name": ("last_name", "first_name"),
        "first_name": ("first_name", "last_name"),
        "email": ("email",),
        "account": ("account__name", "last_name"),
        "created": ("created_at",),
        "updated": ("updated_at",),
        "owner": ("owner__first_name", "owner__last_name", "last_name"),
    },
    default_ordering="name",
    select_related=("owner", "account"),
)


def account_get(*, actor: User, account_id: Any) -> Account:
    return access(
        actor,
        Account,
        account_id,
        queryset=visible_to(actor, Account).select_related(
            "owner", "category", "territory", "parent", "annual_revenue_currency", "created_by"
        ),
    )


def contact_get(*, actor: User, contact_id: Any) -> Contact:
    links = AccountContact.objects.select_related("account").order_by("account__name")
    return access(
        actor,
        Contact,
        contact_id,
        queryset=visible_to(actor, Contact)
        .select_related("owner", "account", "created_by")
        .prefetch_related(Prefetch("account_links", queryset=links)),
    )


def account_children(*, actor: User, account: Account) -> QuerySet[Account]:
    return visible_to(actor, Account).filter(parent=account).select_related("owner").order_by("name")


def account_contact_links(*, actor: User, account: Account) -> QuerySet[AccountContact]:
    """The account's contacts the actor may see, with their role in the purchase."""
    return (
        AccountContact.objects.filter(account=account, contact__in=visible_to(actor, Contact))
        .select_related("contact", "contact__owner")
        .order_by("contact__last_name", "contact__first_name")
    )


def account_ancestors(account: Account, limit: int = 10) -> list[Account]:
    chain: list[Account] = []
    parent = account.parent
    while parent is not None and len(chain) < limit:
        chain.append(parent)
        parent = parent.parent
    return list(reversed(chain))
