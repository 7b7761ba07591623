"""Helpers shared by the service-level tests of core and customers."""

from __future__ import annotations

from typing import Any

from rapport.core.models import AuditEntry, Job, Notification, User
from rapport.customers.models import Account, AccountContact, Contact


def fresh(user: User) -> User:
    """The user as stored now: rapport.core.visibility caches rights on the instance."""
    return User.objects.get(pk=user.pk)


def db_state() -> dict[str, Any]:
    """Everything a refused account/contact action must leave untouched."""
    return {
        "accounts": list(Account.objects.order_by("pk").values()),
        "contacts": list(Contact.objects.order_by("pk").values()),
        "links": list(AccountContact.objects.order_by("pk").values()),
        "audit": AuditEntry.objects.count(),
        "notifications": Notification.objects.count(),
        "jobs": Job.objects.count(),
    }


def names(queryset: Any) -> set[str]:
    return {str(record) for record in queryset}
