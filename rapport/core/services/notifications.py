"""In-app notifications."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rapport.core.models import Notification, User


def notify(*, recipient: User, message: str, url: str = "") -> Notification:
    """Tell one person something, with a link; shown in their notification area."""
    return Notification.objects.create(recipient=recipient, message=str(message)[:300], url=url[:300])


@transaction.atomic
def notifications_mark_read(*, actor: User, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, all) of the actor's notifications as read."""
    unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
