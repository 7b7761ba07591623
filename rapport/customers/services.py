"""Every write on accounts and contacts: rights, visibility, validation, audit, notifications."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from rapport.core import audit, customfields
from rapport.core.errors import InvalidInput, RuleViolation
from rapport.core.models import Currency, Territory, User
from rapport.core.services._common import apply_fields, full_clean_or_raise
from rapport.core.services.notifications import notify
from rapport.core.visibility import access, is_visible, require, visible_to
from rapport.customers.models import Account, AccountContact, Consent, Contact, CustomerCategory

OUT_OF_SCOPE = gettext_lazy(
    "After this change you would no longer see the record; ask your manager to assign it instead."
)
UNKNOWN_CHOICE = gettext_lazy("Choose an existing %(what)s.")
PARENT_CYCLE = gettext_lazy("An account cannot be its own parent or sit under one of its own sub-accounts.")
MERGE_SAME = gettext_lazy("Choose two different accounts to merge.")
INACTIVE_OWNER = gettext_lazy("The owner must be an active user.")
REVENUE_NEEDS_CURRENCY = gettext_lazy("Give the currency of the annual revenue.")

ACCOUNT_FIELDS = (
    "name",
    "industry",
    "category",
    "type",
    "territory",
    "parent",
    "owner",
    "website",
    "phone",
    "email",
    "employees",
    "annual_revenue_amount",
    "annual_revenue_currency",
    "description",
    "street",
    "city",
    "postal_code",
    "region",
    "country",
)
CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "title",
    "email",
    "phone",
    "mobile",
    "account",
    "owner",
    "preferred_channel",
    "marketing_consent",
    "do_not_contact",
    "description",
    "street",
    "city",
    "postal_code",
    "region",
    "country",
)


# --- shared steps ----------------------------------------------------------------------------------


def _resolve(actor: User, field: str, value: Any) -> Any:
    """Turn an id (from a form or the API) into the record it names, within what the actor may use."""
    if value is None or value == "" or isinstance(value, models.Model):
        return value or None
    choices: dict[str, tuple[models.QuerySet[Any], Any]] = {
        "owner": (User.objects.filter(is_active=True), gettext_lazy("user")),
        "category": (CustomerCategory.objects.filter(active=True), gettext_lazy("customer category")),
        "territory": (Territory.objects.all(), gettext_lazy("territory")),
        "parent": (visible_to(actor, Account), gettext_lazy("account")),
        "account": (visible_to(actor, Account), gettext_lazy("account")),
        "annual_revenue_currency": (Currency.objects.filter(active=True), gettext_lazy("currency")),
    }
    if field not in choices:
        return value
    queryset, what = choices[field]
    if field == "annual_revenue_currency" and isinstance(value, str):
        value = value.strip().upper()  # "pln" names PLN, as in custom money fields
    try:
        return queryset.get(pk=value)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({field: [str(UNKNOWN_CHOICE % {"what": what})]}) from exc


def _apply(actor: User, record: models.Model, allowed: tuple[str, ...], changes: Mapping[str, Any]) -> None:
    apply_fields(record, allowed, changes, lambda name, value: _resolve(actor, name, value))


def _apply_custom(record: Account | Contact, record_type: str, values: Mapping[str, Any] | None, partial: bool) -> None:
    record.custom = customfields.clean_values(record_type, values, existing=record.custom, partial=partial)


def _check_owner(record: Account | Contact) -> None:
    if not record.owner.is_active:
        raise InvalidInput({"owner": [str(INACTIVE_OWNER)]})


def _save_checked(actor: User, record: Account | Contact) -> None:
    """Validate, save, and refuse the change if the actor would lose sight of the record."""
    full_clean_or_raise(record, exclude=["custom", "created_by"])
    _check_owner(record)
    if isinstance(record, Contact):
        record.refresh_match_keys()
    record.save()
    if not is_visible(actor, record):
        raise RuleViolation(str(OUT_OF_SCOPE))


def _notify_new_owner(actor: User, record: Account | Contact, previous_owner_id: int | None) -> None:
    if record.owner_id != previous_owner_id and record.owner_id != actor.pk:
        # The message is stored as text, so it is written in the recipient's language.
        with override(record.owner.language):
            kind = _("account") if isinstance(record, Account) else _("contact")
            message = _("%(actor)s assigned the %(kind)s %(name)s to you.") % {
                "actor": actor,
                "kind": kind,
                "name": record,
            }
        notify(recipient=record.owner, message=message, url=record.get_absolute_url())


# --- accounts ------------------------------------------------------------------------------------


def _check_parent(account: Account) -> None:
    parent = account.parent
    seen: set[int] = set()
    while parent is not None:
        if (account.pk is not None and parent.pk == account.pk) or parent.pk in seen:
            raise InvalidInput({"parent": [str(PARENT_CYCLE)]})
        seen.add(parent.pk)
        parent = parent.parent


def _check_revenue(account: Account) -> None:
    if account.annual_revenue_amount is not None and account.annual_revenue_currency_id is None:
        raise InvalidInput({"annual_revenue_currency": [str(REVENUE_NEEDS_CURRENCY)]})


@transaction.atomic
def account_create(*, actor: User, custom_fields: Mapping[str, Any] | None = None, **fields: Any) -> Account:
    """Create an account; the owner defaults to the creator."""
    require(actor, "create", "account")
    account = Account(owner=actor, created_by=actor)
    _apply(actor, account, ACCOUNT_FIELDS, fields)
    _apply_custom(account, "account", custom_fields, partial=False)
    _check_parent(account)
    _check_revenue(account)
    _save_checked(actor, account)
    audit.log_create(actor, account)
    _notify_new_owner(actor, account, actor.pk)
    return account


@transaction.atomic
def account_update(
    *,
    actor: User,
    account_id: int,
    custom_fields: Mapping[str, Any] | None = None,
    partial: bool = True,
    **changes: Any,
) -> Account:
    """Change an account's fields and custom fields; unchanged fields leave no audit entry."""
    account = access(actor, Account, account_id, "edit", visible_to(actor, Account).select_for_update())
    before = audit.snapshot(account)
    previous_owner, previous_name = account.owner_id, account.name
    _apply(actor, account, ACCOUNT_FIELDS, changes)
    if custom_fields is not None or not partial:
        _apply_custom(account, "account", custom_fields, partial=partial)
    _check_parent(account)
    _check_revenue(account)
    _save_checked(actor, account)
    if account.name != previous_name:
        _refresh_contact_keys(Contact.objects.filter(account=account))
    audit.log_update(actor, account, before)
    _notify_new_owner(actor, account, previous_owner)
    return account


def _refresh_contact_keys(contacts: models.QuerySet[Contact]) -> None:
    """Contacts' match keys name their main account's company: recompute them when it changes."""
    batch = list(contacts.select_related("account"))
    for contact in batch:
        contact.refresh_match_keys()
    Contact.objects.bulk_update(batch, ["name_key"], batch_size=500)


@transaction.atomic
def account_delete(*, actor: User, account_id: int) -> None:
    """Delete an account. Its contacts stay, without this account; sub-accounts lose their parent."""
    account = access(actor, Account, account_id, "delete")
    before = audit.snapshot(account)
    audit.log_delete(actor, account, before)
    account.delete()


@transaction.atomic
def account_merge(*, actor: User, keep_id: int, duplicate_id: int) -> Account:
    """Merge a duplicate into the account to keep.

    Everything that points at the duplicate (contacts, links, sub-accounts and whatever later
    modules attach) moves to the kept account; the kept account's empty fields take the
    duplicate's values; the duplicate is deleted. Both sides are in the audit trail.
    """
    if str(keep_id) == str(duplicate_id):
        raise InvalidInput({"duplicate": [str(MERGE_SAME)]})
    keep = access(actor, Account, keep_id, "edit")
    duplicate = access(actor, Account, duplicate_id, "delete")
    before = audit.snapshot(keep)
    duplicate_before = audit.snapshot(duplicate)
    if keep.parent_id == duplicate.pk:
        keep.parent_id = duplicate.parent_id if duplicate.parent_id != keep.pk else None
    _fill_blanks(keep, duplicate)
    _move_links(keep, duplicate)
    moved = list(Contact.objects.filter(account=duplicate).values_list("pk", flat=True))
    _repoint_relations(keep, duplicate)
    keep.save()
    _refresh_contact_keys(Contact.objects.filter(pk__in=moved))
    audit.log_merge(actor, keep, str(duplicate), duplicate.pk, before)
    audit.log_delete(actor, duplicate, duplicate_before, note=_("Merged into %(name)s") % {"name": keep})
    duplicate.delete()
    return keep


_REVENUE = ("annual_revenue_amount", "annual_revenue_currency")


def _fill_blanks(keep: Account, duplicate: Account) -> None:
    for name in ACCOUNT_FIELDS:
        if name in _REVENUE:
            continue
        field = Account._meta.get_field(name)
        attname = field.attname  # type: ignore[union-attr]
        if getattr(keep, attname) in (None, "") and getattr(duplicate, attname) not in (None, ""):
            setattr(keep, attname, getattr(duplicate, attname))
    # An amount only means something in its own currency: take both or neither.
    if keep.annual_revenue_amount is None and duplicate.annual_revenue_amount is not None:
        keep.annual_revenue_amount = duplicate.annual_revenue_amount
        keep.annual_revenue_currency_id = duplicate.annual_revenue_currency_id
    # The duplicate's parent may be the kept account or one of its sub-accounts: never a cycle.
    parent, seen = keep.parent, set()
    while parent is not None and parent.pk not in seen:
        if parent.pk in (keep.pk, duplicate.pk):
            keep.parent = None
            break
        seen.add(parent.pk)
        parent = parent.parent
    keep.custom = {**(duplicate.custom or {}), **(keep.custom or {})}


def _move_links(keep: Account, duplicate: Account) -> None:
    already = set(AccountContact.objects.filter(account=keep).values_list("contact_id", flat=True))
    AccountContact.objects.filter(account=duplicate, contact_id__in=already).delete()
    AccountContact.objects.filter(account=duplicate).update(account=keep)


def _repoint_relations(keep: Account, duplicate: Account) -> None:
    """Point every foreign key to the duplicate at the kept account, whichever app defines it."""
    for relation in Account._meta.related_objects:
        if not relation.one_to_many or relation.related_model is AccountContact:
            continue
        related_model = relation.related_model
        field_name = relation.field.name
        queryset = related_model._base_manager.filter(**{field_name: duplicate})
        if related_model is Account:
            queryset = queryset.exclude(pk=keep.pk)
        queryset.update(**{field_name: keep})


# --- contacts ------------------------------------------------------------------------------------


def _sync_primary_link(contact: Contact, purchase_role: str | None) -> None:
    """The main account is always one of the contact's account links."""
    if contact.account_id is None:
        return
    link, _created = AccountContact.objects.get_or_create(account_id=contact.account_id, contact=contact)
    if purchase_role is not None and link.purchase_role != purchase_role:
        link.purchase_role = purchase_role
        full_clean_or_raise(link, exclude=["account", "contact"])
        link.save(update_fields=["purchase_role"])


def _track_consent(contact: Contact, previous: str) -> None:
    if contact.marketing_consent != previous:
        contact.consent_changed_at = timezone.now()


@transaction.atomic
def contact_create(
    *,
    actor: User,
    custom_fields: Mapping[str, Any] | None = None,
    purchase_role: str | None = None,
    **fields: Any,
) -> Contact:
    """Create a contact, optionally at an account with a role in the purchase."""
    require(actor, "create", "contact")
    contact = Contact(owner=actor, created_by=actor)
    _apply(actor, contact, CONTACT_FIELDS, fields)
    _apply_custom(contact, "contact", custom_fields, partial=False)
    _track_consent(contact, Consent.UNKNOWN)
    _save_checked(actor, contact)
    _sync_primary_link(contact, purchase_role)
    audit.log_create(actor, contact)
    _notify_new_owner(actor, contact, actor.pk)
    return contact


@transaction.atomic
def contact_update(
    *,
    actor: User,
    contact_id: int,
    custom_fields: Mapping[str, Any] | None = None,
    purchase_role: str | None = None,
    partial: bool = True,
    **changes: Any,
) -> Contact:
    """Change a contact; a new main account becomes one of its links."""
    contact = access(actor, Contact, contact_id, "edit", visible_to(actor, Contact).select_for_update())
    before = audit.snapshot(contact)
    previous_owner, previous_consent = contact.owner_id, contact.marketing_consent
    _apply(actor, contact, CONTACT_FIELDS, changes)
    if custom_fields is not None or not partial:
        _apply_custom(contact, "contact", custom_fields, partial=partial)
    _track_consent(contact, previous_consent)
    _save_checked(actor, contact)
    _sync_primary_link(contact, purchase_role)
    audit.log_update(actor, contact, before)
    _notify_new_owner(actor, contact, previous_owner)
    return contact


@transaction.atomic
def contact_delete(*, actor: User, contact_id: int) -> None:
    """Delete a contact and its account links."""
    contact = access(actor, Contact, contact_id, "delete")
    audit.log_delete(actor, contact, audit.snapshot(contact))
    contact.delete()


@transaction.atomic
def contact_link_account(*, actor: User, contact_id: int, account_id: int, purchase_role: str = "") -> AccountContact:
    """Link a contact to another account (or change their role there)."""
    contact = access(actor, Contact, contact_id, "edit")
    account = _resolve(actor, "account", account_id)
    link, _created = AccountContact.objects.get_or_create(account=account, contact=contact)
    link.purchase_role = purchase_role or ""
    full_clean_or_raise(link, exclude=["account", "contact"])
    link.save()
    audit.log_note(actor, contact, _("Linked to %(account)s") % {"account": account})
    return link


@transaction.atomic
def contact_unlink_account(*, actor: User, contact_id: int, account_id: int) -> None:
    """Remove a contact's link to an account; removing the main account's link clears it."""
    contact = access(actor, Contact, contact_id, "edit")
    account = _resolve(actor, "account", account_id)
    AccountContact.objects.filter(account=account, contact=contact).delete()
    if contact.account_id == account.pk:
        before = audit.snapshot(contact)
        contact.account = None
        contact.refresh_match_keys()
        contact.save(update_fields=["account", "name_key", "updated_at"])
        audit.log_update(actor, contact, before)
    audit.log_note(actor, contact, _("Unlinked from %(account)s") % {"account": account})
