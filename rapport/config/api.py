"""The Ninja API object: `/api/v1/`, OpenAPI at `/api/v1/openapi.json`, docs at `/api/v1/docs`."""

from __future__ import annotations

from ninja import NinjaAPI

from rapport.core.api import jobs_router, me_router, teams_router, territories_router, users_router
from rapport.core.api_customfields import custom_fields_router
from rapport.core.api_support import BearerToken, SessionAuth, install_error_handlers
from rapport.customers.api import accounts_router, contacts_router

api = NinjaAPI(
    title="Rapport API",
    version="1",
    description="The Rapport CRM REST API. Authenticate with `Authorization: Bearer <token>` "
    "(create a token on your profile page or with `manage.py issue_token EMAIL`).",
    auth=[BearerToken(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
)
install_error_handlers(api)

api.add_router("/users", users_router)
api.add_router("/users/me", me_router)
api.add_router("/teams", teams_router)
api.add_router("/territories", territories_router)
api.add_router("/custom-fields", custom_fields_router)
api.add_router("/jobs", jobs_router)
api.add_router("/accounts", accounts_router)
api.add_router("/contacts", contacts_router)
