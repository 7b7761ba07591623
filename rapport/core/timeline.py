"""The record page's timeline: entries contributed by any app through a registry.

An app registers a provider for a record type; a provider returns `TimelineEntry` items for one
record as seen by one actor (it must apply visibility to whatever it reads). Later modules —
activities, e-mails, deals, quotes, documents, requests — add their providers; the page merges
them newest first.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from rapport.core.models import User


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # "audit", "contact", later "activity", "email", "deal"…
    title: str
    body: str = ""
    url: str = ""
    actor: str = ""


Provider = Callable[[User, models.Model, int], list[TimelineEntry]]
_providers: dict[str, list[Provider]] = defaultdict(list)


def register(record_type: str, provider: Provider) -> None:
    _providers[record_type].append(provider)


def entries_for(actor: User, record_type: str, record: models.Model, limit: int = 50) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for provider in _providers[record_type]:
        entries.extend(provider(actor, record, limit))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
