"""`/api/v1/leads`: schemas in, services and selectors, schemas out (being built)."""

from __future__ import annotations

from ninja import Router

leads_router = Router(tags=["leads"])
