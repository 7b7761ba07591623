"""Personal API tokens: issued once in clear, stored as a SHA-256 hash, revocable."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from rapport.core.errors import RecordNotFound
from rapport.core.models import ApiToken, User

TOKEN_PREFIX = "rpt_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_issue(*, actor: User, name: str = "API") -> tuple[ApiToken, str]:
    """A new token for the actor; the clear text is returned once and never stored."""
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name[:100] or "API", prefix=clear[:12], key_hash=_hash(clear))
    return token, clear


@transaction.atomic
def token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens (administrators may revoke anyone's)."""
    tokens = ApiToken.objects.all() if actor.is_administrator else ApiToken.objects.filter(user=actor)
    try:
        token = tokens.get(pk=token_id, revoked_at__isnull=True)
    except (ApiToken.DoesNotExist, ValueError) as exc:
        raise RecordNotFound() from exc
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(clear: str) -> User | None:
    """The active user a token belongs to, or None. Marks the token used (at most once a minute)."""
    if not clear.startswith(TOKEN_PREFIX) or len(clear) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(clear), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
