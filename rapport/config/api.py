"""The Ninja API object: `/api/v1/`, OpenAPI at `/api/v1/openapi.json`, docs at `/api/v1/docs`."""

from __future__ import annotations

import copy
from typing import Any

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.openapi.schema import OpenAPISchema

from rapport.activities.api import activities_router, activity_types_router, calendar_feed_router
from rapport.catalog.api import price_books_router, products_router
from rapport.core.api import jobs_router, me_router, teams_router, territories_router, users_router
from rapport.core.api_customfields import add_custom_fields, custom_fields_router
from rapport.core.api_support import (
    BearerToken,
    SessionAuth,
    StorableTextParser,
    add_problem_responses,
    install_error_handlers,
)
from rapport.customers.api import accounts_router, contacts_router
from rapport.leads.api import leads_router
from rapport.pipeline.api import opportunities_router, pipelines_router
from rapport.quotes.api import quotes_router


class RapportDocs(Swagger):
    """Swagger UI served from our static files with CSP nonces: no CDN, no inline script."""

    template = "core/api_docs.html"


class RapportAPI(NinjaAPI):
    def get_openapi_schema(
        self,
        *,
        path_prefix: str | None = None,
        path_params: dict[str, Any] | None = None,
        with_custom_fields: bool = True,
    ) -> OpenAPISchema:
        """Ninja's document plus problem-details answers and, unless asked not to, this installation's
        custom fields. Built on every call (Ninja caches nothing here), so a new custom field shows at once.

        `manage.py export_openapi` leaves custom fields out: the committed document describes the
        product, not one installation's data.
        """
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # Edit copies: the document is made of pieces Ninja and Pydantic might share between calls.
        for key, value in list(schema.items()):
            schema[key] = copy.deepcopy(value)
        add_problem_responses(schema)
        if with_custom_fields:
            add_custom_fields(schema)
        return schema


api = RapportAPI(
    title="Rapport API",
    version="1",
    description="The Rapport CRM REST API. Authenticate with `Authorization: Bearer <token>` "
    "(create a token on your profile page, with `POST /api/v1/users/me/tokens` or with "
    "`manage.py issue_token EMAIL`). Errors are RFC 9457 problem details. See docs/api.md.",
    auth=[BearerToken(), SessionAuth()],
    parser=StorableTextParser(),
    urls_namespace="api",
    docs=RapportDocs(),
    docs_url="/docs",
)
install_error_handlers(api)

api.add_router("/users/me/calendar-feed", calendar_feed_router)
api.add_router("/users/me", me_router)
api.add_router("/users", users_router)
api.add_router("/teams", teams_router)
api.add_router("/territories", territories_router)
api.add_router("/custom-fields", custom_fields_router)
api.add_router("/jobs", jobs_router)
api.add_router("/accounts", accounts_router)
api.add_router("/contacts", contacts_router)
api.add_router("/leads", leads_router)
api.add_router("/products", products_router)
api.add_router("/price-books", price_books_router)
api.add_router("/pipelines", pipelines_router)
api.add_router("/opportunities", opportunities_router)
api.add_router("/quotes", quotes_router)
api.add_router("/activities", activities_router)
api.add_router("/activity-types", activity_types_router)
