"""Each user's internet-calendar address: a secret, revocable token in the URL.

The token is `cal_` + HMAC-SHA256(SECRET_KEY, nonce); the database keeps the nonce and the token's
SHA-256 hash, never the token. Whoever reads the database cannot rebuild a feed address without
the server's key; the profile can show the address again (recomputed from the nonce); a new
address revokes the old one, which then answers 404 (decision 0009).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rapport.activities.models import CalendarFeedToken
from rapport.core.models import User

TOKEN_PREFIX = "cal_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token(nonce: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"rapport.calendar-feed:{nonce}".encode(), hashlib.sha256)
    return TOKEN_PREFIX + base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def _issue(user: User) -> str:
    nonce = secrets.token_hex(16)
    token = _token(nonce)
    CalendarFeedToken.objects.create(user=user, nonce=nonce, key_hash=_hash(token))
    return token


@transaction.atomic
def feed_token(*, actor: User) -> str:
    """The actor's current feed token, issued on first use (and again if the server's key changed)."""
    current = CalendarFeedToken.objects.select_for_update().filter(user=actor, revoked_at__isnull=True).first()
    if current is not None:
        token = _token(current.nonce)
        if hmac.compare_digest(_hash(token), current.key_hash):
            return token
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
    return _issue(actor)


def feed_token_current(*, actor: User) -> str | None:
    """The actor's live feed token, or None when they have none (nothing is issued): the profile
    shows it without switching a revoked feed back on."""
    current = CalendarFeedToken.objects.filter(user=actor, revoked_at__isnull=True).first()
    if current is None:
        return None
    token = _token(current.nonce)
    return token if hmac.compare_digest(_hash(token), current.key_hash) else None


@transaction.atomic
def feed_token_regenerate(*, actor: User) -> str:
    """A new feed address for the actor; the old one stops working at once."""
    CalendarFeedToken.objects.select_for_update().filter(user=actor, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return _issue(actor)


@transaction.atomic
def feed_revoke(*, actor: User) -> None:
    """Switch the actor's internet calendar off (a later `feed_token` issues a new address)."""
    CalendarFeedToken.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())


def feed_user(token: str) -> User | None:
    """The active user whose live token this is, or None (unknown, revoked, or user deactivated)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    found = (
        CalendarFeedToken.objects.select_related("user")
        .filter(key_hash=_hash(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return found.user if found is not None else None
