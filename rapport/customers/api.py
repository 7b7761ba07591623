"""`/api/v1/accounts` and `/api/v1/contacts`: schemas in, services and selectors, schemas out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from pydantic import ValidationError as PydanticValidationError

from rapport.core import audit
from rapport.core.api import JobOut
from rapport.core.api_support import ListOut, actor_of
from rapport.core.errors import InvalidInput
from rapport.core.listing import paginate
from rapport.core.models import Job
from rapport.customers import selectors, services
from rapport.customers.exports import export_start
from rapport.customers.models import Account, AccountType, Consent, Contact, PreferredChannel, PurchaseRole
from rapport.customers.vcard import vcard_download

accounts_router = Router(tags=["accounts"])
contacts_router = Router(tags=["contacts"])


# --- schemas -------------------------------------------------------------------------------------


class AccountOut(Schema):
    id: int
    name: str
    type: AccountType
    category: int | None = Field(None, alias="category_id")
    industry: str
    parent: int | None = Field(None, alias="parent_id")
    territory: int | None = Field(None, alias="territory_id")
    owner: int = Field(..., alias="owner_id")
    website: str
    phone: str
    email: str
    employees: int | None
    annual_revenue_amount: Decimal | None
    annual_revenue_currency: str | None = Field(None, alias="annual_revenue_currency_id")
    description: str
    street: str
    city: str
    postal_code: str
    region: str
    country: str
    custom_fields: dict[str, Any] = Field(default_factory=dict, alias="custom")
    created_at: dt.datetime
    updated_at: dt.datetime


class AccountIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    type: AccountType = AccountType.PROSPECT
    category: int | None = None
    industry: str = Field("", max_length=100)
    parent: int | None = None
    territory: int | None = None
    owner: int | None = None
    website: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    employees: int | None = Field(None, ge=0, le=10_000_000)
    annual_revenue_amount: Decimal | None = Field(None, max_digits=18, decimal_places=2)
    annual_revenue_currency: str | None = Field(None, max_length=3)
    description: str = Field("", max_length=10_000)
    street: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    region: str = Field("", max_length=100)
    country: str = Field("", max_length=100)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class AccountPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    type: AccountType | None = None
    category: int | None = None
    industry: str | None = Field(None, max_length=100)
    parent: int | None = None
    territory: int | None = None
    owner: int | None = None
    website: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    employees: int | None = Field(None, ge=0, le=10_000_000)
    annual_revenue_amount: Decimal | None = Field(None, max_digits=18, decimal_places=2)
    annual_revenue_currency: str | None = Field(None, max_length=3)
    description: str | None = Field(None, max_length=10_000)
    street: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    postal_code: str | None = Field(None, max_length=20)
    region: str | None = Field(None, max_length=100)
    country: str | None = Field(None, max_length=100)
    custom_fields: dict[str, Any] | None = None


class AccountFilters(Schema):
    q: str | None = Field(None, max_length=200, description="Search words (prefix match on the name).")
    owner: str | None = Field(None, description="A user id, or `me`.")
    team: int | None = Field(None, description="Owner's team, including sub-teams.")
    category: int | None = None
    type: AccountType | None = None
    territory: int | None = None
    parent: int | None = None
    industry: str | None = Field(None, max_length=100)
    country: str | None = Field(None, max_length=100)
    created_after: dt.date | None = None
    created_before: dt.date | None = None
    ordering: str | None = Field(
        None, description="name, created, updated, type, category, owner, country; prefix - to reverse."
    )
    page: int = Field(1, ge=1)
    limit: int = Field(50, ge=1, le=200)


class ContactAccountOut(Schema):
    account: int = Field(..., alias="account_id")
    purchase_role: str


class ContactOut(Schema):
    id: int
    first_name: str
    last_name: str
    title: str
    email: str
    phone: str
    mobile: str
    account: int | None = Field(None, alias="account_id")
    owner: int = Field(..., alias="owner_id")
    preferred_channel: str
    marketing_consent: Consent
    do_not_contact: bool
    description: str
    street: str
    city: str
    postal_code: str
    region: str
    country: str
    custom_fields: dict[str, Any] = Field(default_factory=dict, alias="custom")
    created_at: dt.datetime
    updated_at: dt.datetime


class ContactDetailOut(ContactOut):
    accounts: list[ContactAccountOut] = Field(default_factory=list, alias="account_links_list")


class ContactIn(Schema):
    first_name: str = Field("", max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)
    title: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    mobile: str = Field("", max_length=40)
    account: int | None = None
    purchase_role: PurchaseRole | None = None
    owner: int | None = None
    preferred_channel: PreferredChannel = PreferredChannel.ANY
    marketing_consent: Consent = Consent.UNKNOWN
    do_not_contact: bool = False
    description: str = Field("", max_length=10_000)
    street: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    region: str = Field("", max_length=100)
    country: str = Field("", max_length=100)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class ContactPatch(Schema):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    title: str | None = Field(None, max_length=150)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    mobile: str | None = Field(None, max_length=40)
    account: int | None = None
    purchase_role: PurchaseRole | None = None
    owner: int | None = None
    preferred_channel: PreferredChannel | None = None
    marketing_consent: Consent | None = None
    do_not_contact: bool | None = None
    description: str | None = Field(None, max_length=10_000)
    street: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    postal_code: str | None = Field(None, max_length=20)
    region: str | None = Field(None, max_length=100)
    country: str | None = Field(None, max_length=100)
    custom_fields: dict[str, Any] | None = None


class ContactFilters(Schema):
    q: str | None = Field(None, max_length=200, description="Search words (prefix match on names and e-mail).")
    owner: str | None = Field(None, description="A user id, or `me`.")
    team: int | None = None
    account: int | None = None
    consent: Consent | None = None
    do_not_contact: bool | None = None
    country: str | None = Field(None, max_length=100)
    created_after: dt.date | None = None
    created_before: dt.date | None = None
    ordering: str | None = Field(
        None, description="name, first_name, email, account, created, updated, owner; prefix - to reverse."
    )
    page: int = Field(1, ge=1)
    limit: int = Field(50, ge=1, le=200)


class LinkIn(Schema):
    account: int
    purchase_role: PurchaseRole | None = None


class MergeIn(Schema):
    duplicate: int = Field(..., description="The account merged into this one, then deleted.")


class HistoryOut(Schema):
    id: int
    action: str
    actor: int | None = Field(None, alias="actor_id")
    at: dt.datetime
    changes: dict[str, list[str]]
    note: str


# --- helpers -------------------------------------------------------------------------------------


def _filter_params(filters: Schema, request: HttpRequest) -> dict[str, Any]:
    """Declared filters plus any `cf_<key>` custom-field filters from the query string."""
    params = {k: v for k, v in filters.dict(exclude={"page", "limit"}).items() if v is not None}
    params.update({k: v for k, v in request.GET.items() if k.startswith("cf_")})
    return {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in params.items()}


def _write_fields(payload: Schema, exclude_unset: bool) -> tuple[dict[str, Any], dict[str, Any] | None, str | None]:
    data = payload.dict(exclude_unset=exclude_unset)
    custom = data.pop("custom_fields", None)
    purchase_role = data.pop("purchase_role", None)
    return data, custom, purchase_role


# --- accounts ------------------------------------------------------------------------------------


@accounts_router.get("", response=ListOut[AccountOut], summary="List accounts")
def list_accounts(request: HttpRequest, filters: Query[AccountFilters]) -> dict[str, Any]:
    queryset = selectors.ACCOUNT_LIST.apply(actor_of(request), _filter_params(filters, request))
    page = paginate(queryset, filters.page, filters.limit)
    return {"items": page.items, "count": page.count}


@accounts_router.post("", response={201: AccountOut}, summary="Create an account")
def create_account(request: HttpRequest, payload: AccountIn) -> Status[Account]:
    fields, custom, _role = _write_fields(payload, exclude_unset=False)
    if fields.get("owner") is None:
        fields.pop("owner", None)
    return Status(201, services.account_create(actor=actor_of(request), custom_fields=custom, **fields))


@accounts_router.get("/{int:account_id}", response=AccountOut, summary="Get an account")
def get_account(request: HttpRequest, account_id: int) -> Account:
    return selectors.account_get(actor=actor_of(request), account_id=account_id)


@accounts_router.patch("/{int:account_id}", response=AccountOut, summary="Change an account")
def update_account(request: HttpRequest, account_id: int, payload: AccountPatch) -> Account:
    fields, custom, _role = _write_fields(payload, exclude_unset=True)
    return services.account_update(actor=actor_of(request), account_id=account_id, custom_fields=custom, **fields)


@accounts_router.delete("/{int:account_id}", response={204: None}, summary="Delete an account")
def delete_account(request: HttpRequest, account_id: int) -> Status[None]:
    services.account_delete(actor=actor_of(request), account_id=account_id)
    return Status(204, None)


@accounts_router.post("/{int:account_id}/merge", response=AccountOut, summary="Merge a duplicate into this account")
def merge_accounts(request: HttpRequest, account_id: int, payload: MergeIn) -> Account:
    return services.account_merge(actor=actor_of(request), keep_id=account_id, duplicate_id=payload.duplicate)


@accounts_router.get("/{int:account_id}/history", response=list[HistoryOut], summary="Audit trail of an account")
def account_history(request: HttpRequest, account_id: int) -> Any:
    account = selectors.account_get(actor=actor_of(request), account_id=account_id)
    return audit.history("account", account.pk)


# --- contacts ------------------------------------------------------------------------------------


def _with_links(contact: Contact) -> Contact:
    contact.account_links_list = list(contact.account_links.all())  # type: ignore[attr-defined]
    return contact


@contacts_router.get("", response=ListOut[ContactOut], summary="List contacts")
def list_contacts(request: HttpRequest, filters: Query[ContactFilters]) -> dict[str, Any]:
    queryset = selectors.CONTACT_LIST.apply(actor_of(request), _filter_params(filters, request))
    page = paginate(queryset, filters.page, filters.limit)
    return {"items": page.items, "count": page.count}


@contacts_router.post("", response={201: ContactDetailOut}, summary="Create a contact")
def create_contact(request: HttpRequest, payload: ContactIn) -> Status[Contact]:
    fields, custom, role = _write_fields(payload, exclude_unset=False)
    if fields.get("owner") is None:
        fields.pop("owner", None)
    actor = actor_of(request)
    contact = services.contact_create(actor=actor, custom_fields=custom, purchase_role=role, **fields)
    return Status(201, _with_links(selectors.contact_get(actor=actor, contact_id=contact.pk)))


@contacts_router.get("/{int:contact_id}", response=ContactDetailOut, summary="Get a contact")
def get_contact(request: HttpRequest, contact_id: int) -> Contact:
    return _with_links(selectors.contact_get(actor=actor_of(request), contact_id=contact_id))


@contacts_router.patch("/{int:contact_id}", response=ContactDetailOut, summary="Change a contact")
def update_contact(request: HttpRequest, contact_id: int, payload: ContactPatch) -> Contact:
    fields, custom, role = _write_fields(payload, exclude_unset=True)
    actor = actor_of(request)
    services.contact_update(actor=actor, contact_id=contact_id, custom_fields=custom, purchase_role=role, **fields)
    return _with_links(selectors.contact_get(actor=actor, contact_id=contact_id))


@contacts_router.delete("/{int:contact_id}", response={204: None}, summary="Delete a contact")
def delete_contact(request: HttpRequest, contact_id: int) -> Status[None]:
    services.contact_delete(actor=actor_of(request), contact_id=contact_id)
    return Status(204, None)


@contacts_router.post("/{int:contact_id}/accounts", response=ContactDetailOut, summary="Link a contact to an account")
def link_contact(request: HttpRequest, contact_id: int, payload: LinkIn) -> Contact:
    actor = actor_of(request)
    services.contact_link_account(
        actor=actor, contact_id=contact_id, account_id=payload.account, purchase_role=payload.purchase_role or ""
    )
    return _with_links(selectors.contact_get(actor=actor, contact_id=contact_id))


@contacts_router.delete(
    "/{int:contact_id}/accounts/{int:account_id}", response=ContactDetailOut, summary="Unlink a contact from an account"
)
def unlink_contact(request: HttpRequest, contact_id: int, account_id: int) -> Contact:
    actor = actor_of(request)
    services.contact_unlink_account(actor=actor, contact_id=contact_id, account_id=account_id)
    return _with_links(selectors.contact_get(actor=actor, contact_id=contact_id))


@contacts_router.get("/{int:contact_id}/history", response=list[HistoryOut], summary="Audit trail of a contact")
def contact_history(request: HttpRequest, contact_id: int) -> Any:
    contact = selectors.contact_get(actor=actor_of(request), contact_id=contact_id)
    return audit.history("contact", contact.pk)


# --- exports -------------------------------------------------------------------------------------

UNKNOWN_FILTER = gettext_lazy("There is no such filter.")


class ExportIn(Schema):
    format: Literal["csv", "xlsx"] = "csv"
    filters: dict[str, str | int | bool | None] = Field(
        default_factory=dict,
        description="The list's query parameters (q, owner, ordering, cf_<key>…), without page and limit.",
    )


def _export_params(filters: dict[str, Any], schema: type[Schema]) -> dict[str, str]:
    """Check the filters against the list's own parameter schema; the job keeps them as strings."""
    allowed = set(schema.model_fields) - {"page", "limit"}
    declared = {k: v for k, v in filters.items() if not k.startswith("cf_") and v is not None}
    unknown = sorted(set(declared) - allowed)
    if unknown:
        raise InvalidInput({f"filters.{k}": [str(UNKNOWN_FILTER)] for k in unknown})
    try:
        parsed = schema.model_validate(declared)
    except PydanticValidationError as exc:
        raise InvalidInput(
            {"filters." + ".".join(str(p) for p in e["loc"]): [str(e["msg"])] for e in exc.errors()}
        ) from exc
    values = parsed.model_dump(mode="json", include=set(declared))
    values.update({k: v for k, v in filters.items() if k.startswith("cf_") and v is not None})
    return {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in values.items()}


def _start_export(request: HttpRequest, record_type: str, payload: ExportIn, schema: type[Schema]) -> Status[Job]:
    params = _export_params(payload.filters, schema)
    try:
        job = export_start(actor=actor_of(request), record_type=record_type, params=params, file_format=payload.format)
    except InvalidInput as exc:
        exc.errors = {(f"filters.{k}" if k in params or k == "ordering" else k): v for k, v in exc.errors.items()}
        raise
    return Status(202, job)


@accounts_router.post("/export", response={202: JobOut}, summary="Export the account list (CSV or XLSX) as a job")
def export_accounts(request: HttpRequest, payload: ExportIn) -> Status[Job]:
    return _start_export(request, "account", payload, AccountFilters)


@contacts_router.post("/export", response={202: JobOut}, summary="Export the contact list (CSV or XLSX) as a job")
def export_contacts(request: HttpRequest, payload: ExportIn) -> Status[Job]:
    return _start_export(request, "contact", payload, ContactFilters)


# --- vCard ---------------------------------------------------------------------------------------


@contacts_router.get(
    "/{int:contact_id}/vcard",
    summary="A contact as a vCard 3.0 file",
    openapi_extra={
        "responses": {
            200: {"description": "A vCard 3.0 file.", "content": {"text/vcard": {"schema": {"type": "string"}}}}
        }
    },
)
def contact_vcard_file(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = actor_of(request)
    return vcard_download(actor, selectors.contact_get(actor=actor, contact_id=contact_id))
