"""What opportunities contribute to record timelines: an opportunity's own audit trail (its edits,
moves, product lines, contacts, competitors and costs)."""

from __future__ import annotations

from rapport.core import timeline
from rapport.customers.timeline import audit_entries


def register() -> None:
    """Called once, by the app's `ready`."""
    timeline.register("opportunity", audit_entries)
