"""The login history."""

from __future__ import annotations

from rapport.core.models import LoginEvent, User


def login_event_record(
    *, email: str, user: User | None, succeeded: bool, ip_address: str | None, user_agent: str
) -> LoginEvent:
    """Keep one login attempt (who, from where, whether it worked) in the login history."""
    return LoginEvent.objects.create(
        user=user,
        email=email[:254],
        succeeded=succeeded,
        ip_address=ip_address or None,
        user_agent=user_agent[:300],
    )
