"""Core API routers (stub — being written)."""

from ninja import Router

users_router = Router(tags=["users"])
me_router = Router(tags=["users"])
teams_router = Router(tags=["teams"])
territories_router = Router(tags=["territories"])
jobs_router = Router(tags=["jobs"])
