"""The shapes `/api/v1/leads` reads and writes: separate In (create), Patch (change) and Out schemas,
the list filters, and the bodies and answers of the actions (status, qualification, convert, merge…).

A lead's `source` travels as its code (`"web_form"`); an id is accepted on input too. Tags travel
as their names. `LeadIn`, `LeadPatch` and `LeadOut` get this installation's custom fields in the
live OpenAPI document (their names start with the record type).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext_lazy
from ninja import Field, Schema
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from rapport.core.money import AMOUNT_DIGITS, AMOUNT_PLACES
from rapport.leads.models import Lead, LeadSource, LeadStatus, QualificationCriterion

#: the largest id a database column holds; bigger numbers in a body are refused by the schema
MAX_ID = 2**63 - 1
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
NOT_A_SOURCE = gettext_lazy("Give a lead source code, or its id.")


def _source_ref(value: Any) -> Any:
    """One clear error on `source` for a value that is neither text nor a number (not one per union member)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PydanticCustomError("lead_source", str(NOT_A_SOURCE))
    return value


#: a lead source by code or id; an unknown one is refused by the service, naming `source`
SourceRef = Annotated[str | int, BeforeValidator(_source_ref)]
MAX_BULK = 1000

SOURCE_HELP = "A lead source code (`GET /leads/sources`), e.g. `web_form`; its id is accepted too."
OWNER_HELP = "A user id. Left out (or null) on create: the assignment rules choose, else you."
TAGS_HELP = "Tag names; missing tags are created. At most 30, each at most 50 characters."
STATUS_HELP = (
    "Only `new` or `contacted` here: qualify, disqualify and convert have their own actions "
    "(`POST /leads/{id}/qualify`, `/disqualify`, `/convert`)."
)


# --- a lead ----------------------------------------------------------------------------------------


class LeadOut(Schema):
    id: int
    first_name: str
    last_name: str
    company: str
    email: str
    phone: str
    country: str
    source: str | None = Field(None, description="The source's code, e.g. `web_form`.")
    status: LeadStatus
    need_identified: bool
    owner: int = Field(..., alias="owner_id")
    score: int
    title: str
    website: str
    industry: str
    street: str
    city: str
    postal_code: str
    region: str
    territory: int | None = Field(None, alias="territory_id")
    campaign: str
    disqualify_reason: str
    need_description: str
    estimated_value_amount: Decimal | None
    estimated_value_currency: str | None = Field(None, alias="estimated_value_currency_id")
    description: str
    tags: list[str] = Field(default_factory=list, description="Tag names, alphabetically.")
    qualification: dict[str, bool] = Field(
        default_factory=dict, description="Qualification criterion key → met (see `GET /leads/qualification-criteria`)."
    )
    custom_fields: dict[str, Any] = Field(default_factory=dict, alias="custom")
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_term: str
    utm_content: str
    web_form: int | None = Field(None, alias="web_form_id")
    converted_at: dt.datetime | None
    converted_account: int | None = Field(None, alias="converted_account_id")
    converted_contact: int | None = Field(None, alias="converted_contact_id")
    converted_opportunity: int | None = Field(None, alias="converted_opportunity_id")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_source(lead: Lead) -> str | None:
        return lead.source.code if lead.source_id is not None and lead.source is not None else None

    @staticmethod
    def resolve_tags(lead: Lead) -> list[str]:
        return [tag.name for tag in lead.tags.all()]


class LeadIn(Schema):
    first_name: str = Field("", max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)
    company: str = Field("", max_length=200)
    title: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    website: str = Field("", max_length=200)
    industry: str = Field("", max_length=100)
    street: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    region: str = Field("", max_length=100)
    country: str = Field("", max_length=100)
    territory: RecordId | None = None
    source: SourceRef | None = Field(None, description=SOURCE_HELP)
    campaign: str = Field("", max_length=150)
    need_identified: bool = False
    need_description: str = Field("", max_length=10_000)
    estimated_value_amount: Decimal | None = Field(None, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    estimated_value_currency: str | None = Field(None, max_length=3, description="ISO 4217 code, e.g. EUR.")
    owner: RecordId | None = Field(None, description=OWNER_HELP)
    description: str = Field("", max_length=10_000)
    utm_source: str = Field("", max_length=150)
    utm_medium: str = Field("", max_length=150)
    utm_campaign: str = Field("", max_length=150)
    utm_term: str = Field("", max_length=150)
    utm_content: str = Field("", max_length=150)
    tags: list[str] = Field(default_factory=list, description=TAGS_HELP)
    qualification: dict[str, bool] = Field(default_factory=dict, description="Criterion key → met.")
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class LeadPatch(Schema):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    company: str | None = Field(None, max_length=200)
    title: str | None = Field(None, max_length=150)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    website: str | None = Field(None, max_length=200)
    industry: str | None = Field(None, max_length=100)
    street: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    postal_code: str | None = Field(None, max_length=20)
    region: str | None = Field(None, max_length=100)
    country: str | None = Field(None, max_length=100)
    territory: RecordId | None = None
    source: SourceRef | None = Field(None, description=SOURCE_HELP)
    campaign: str | None = Field(None, max_length=150)
    status: LeadStatus | None = Field(None, description=STATUS_HELP)
    need_identified: bool | None = None
    need_description: str | None = Field(None, max_length=10_000)
    estimated_value_amount: Decimal | None = Field(None, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    estimated_value_currency: str | None = Field(None, max_length=3)
    owner: RecordId | None = Field(None, description="A user id; the new owner is notified.")
    description: str | None = Field(None, max_length=10_000)
    utm_source: str | None = Field(None, max_length=150)
    utm_medium: str | None = Field(None, max_length=150)
    utm_campaign: str | None = Field(None, max_length=150)
    utm_term: str | None = Field(None, max_length=150)
    utm_content: str | None = Field(None, max_length=150)
    tags: list[str] | None = Field(None, description="Replaces the tags (null or [] removes them all).")
    custom_fields: dict[str, Any] | None = None


class LeadFilters(Schema):
    q: str | None = Field(None, max_length=200, description="Search words (prefix match on names, company, e-mail).")
    owner: str | None = Field(None, description="A user id, or `me`.")
    team: int | None = Field(None, description="Owner's team, including sub-teams.")
    status: LeadStatus | None = None
    source: str | None = Field(None, max_length=40, description="A lead source code or id.")
    territory: int | None = None
    tag: str | None = Field(None, max_length=50, description="A tag name (case-insensitive).")
    need_identified: bool | None = None
    score_min: int | None = None
    score_max: int | None = None
    country: str | None = Field(None, max_length=100)
    company: str | None = Field(None, max_length=200)
    campaign: str | None = Field(None, max_length=150)
    created_after: dt.date | None = None
    created_before: dt.date | None = None
    ordering: str | None = Field(
        None,
        description="created, updated, name, company, score, status, owner, country; prefix - to reverse "
        "(default -created).",
    )
    page: int = Field(1, ge=1)
    limit: int = Field(50, ge=1, le=200)


# --- actions ---------------------------------------------------------------------------------------


class LeadStatusIn(Schema):
    status: LeadStatus = Field(..., description="new, contacted, qualified or disqualified (then give `reason`).")
    reason: str = Field("", max_length=300, description="Why the lead is disqualified (required then).")


class LeadDisqualifyIn(Schema):
    reason: str = Field("", max_length=300, description="Required: why the lead is disqualified.")


class LeadQualificationIn(Schema):
    criteria: dict[str, bool] = Field(
        ..., description="Criterion key → met. Criteria not sent keep their value; the score is recomputed."
    )


class LeadConvertIn(Schema):
    account: RecordId | None = Field(None, description="Link this existing account instead of creating one.")
    create_account: bool = Field(
        True, description="Without `account`: create an account named after the lead's company (if it has one)."
    )
    contact: RecordId | None = Field(None, description="Link this existing contact instead of creating one.")
    create_opportunity: bool = Field(
        False, description="Also create an opportunity (first stage of the default pipeline) on the account."
    )


class LeadConversionOut(Schema):
    account: int | None = Field(None, description="The account created or linked; null when none.")
    contact: int
    opportunity: int | None = None
    account_created: bool
    contact_created: bool


class LeadMergeIn(Schema):
    duplicate: RecordId = Field(..., description="The lead merged into this one, then deleted.")
    take_from_duplicate: list[str] = Field(
        default_factory=list,
        description="Fields whose value comes from the duplicate (e.g. `email`, `owner`, `custom.<key>`); "
        "empty fields of this lead are filled from the duplicate anyway.",
    )


class LeadReassignIn(Schema):
    ids: list[RecordId] = Field(..., max_length=MAX_BULK, description="Lead ids (at most 1,000).")
    owner: RecordId = Field(..., description="The new owner (a user id).")


class LeadReassignOut(Schema):
    changed: int = Field(..., description="How many leads changed owner (hidden, converted or already theirs: not).")


class LeadDuplicateOut(Schema):
    kind: str = Field(..., description="`lead` or `contact`.")
    id: int
    reason: str
    label: str


class LeadSourceOut(Schema):
    id: int
    code: str
    name: str

    @staticmethod
    def resolve_name(source: LeadSource) -> str:
        return str(source)


class QualificationCriterionOut(Schema):
    key: str
    name: str
    description: str

    @staticmethod
    def resolve_name(criterion: QualificationCriterion) -> str:
        return str(criterion)

    @staticmethod
    def resolve_description(criterion: QualificationCriterion) -> str:
        return criterion.shown_description
