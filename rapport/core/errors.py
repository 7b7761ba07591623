"""Domain errors: raised by services, turned into a 4xx by the API and a message by the UI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

NOT_FOUND = _("Not found.")
NOT_ALLOWED = _("You are not allowed to do this.")
INVALID_INPUT = _("Some fields are not valid.")


class DomainError(Exception):
    """Base class; `message` is written for a person and already translatable."""

    status = 400
    default_message = _("The request cannot be completed.")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message if message is not None else self.default_message)
        super().__init__(self.message)

    def extensions(self) -> dict[str, Any]:
        """Machine-readable members the API adds to its problem answer (RFC 9457 extensions)."""
        return {}


class RecordNotFound(DomainError):
    """The record does not exist or the actor may not see it (the two are indistinguishable)."""

    status = 404
    default_message = NOT_FOUND


class ActionNotAllowed(DomainError):
    """The actor sees the record but their role does not allow this action."""

    status = 403
    default_message = NOT_ALLOWED


class RuleViolation(DomainError):
    """A business rule refuses the change (e.g. an account cannot be its own parent)."""

    status = 409


class InvalidInput(DomainError):
    """One or more fields are wrong; `errors` maps a field name to its messages."""

    status = 422
    default_message = INVALID_INPUT

    def __init__(self, errors: Mapping[str, str | Sequence[str]], message: str | None = None) -> None:
        super().__init__(message)
        self.errors: dict[str, list[str]] = {
            field: [str(m) for m in ([msgs] if isinstance(msgs, str) or not isinstance(msgs, Sequence) else msgs)]
            for field, msgs in errors.items()
        }
