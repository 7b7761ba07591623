"""Custom field API (stub — being written)."""

from ninja import Router

custom_fields_router = Router(tags=["custom fields"])
