"""The shapes `/api/v1/pipelines` and `/api/v1/opportunities` read and write.

Money, quantities and percentages travel as decimal strings (`"12.50"`); an opportunity's amount is
`amount` with its `currency` beside it. `OpportunityIn`, `OpportunityPatch` and `OpportunityOut` get
this installation's opportunity custom fields in the live OpenAPI document (their names start with
the record type).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from rapport.core.money import AMOUNT_DIGITS, AMOUNT_PLACES
from rapport.pipeline.models import ForecastCategory, Opportunity, OpportunityLine, StageKind

#: the largest id a database column holds; bigger numbers in a body are refused by the schema
MAX_ID = 2**63 - 1
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)]
Quantity = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=3)]
NameList = Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=100)]

GATE_FIELDS_HELP = "Field names an opportunity must have filled to enter (`GET /pipelines/gate-options`)."
GATE_ROLES_HELP = "Contact roles that must be on the opportunity to enter."
GATE_ARTEFACTS_HELP = "Artefact keys (a product line, a sent quote…) that must exist to enter."
STAGE_HELP = "A stage id of the opportunity's pipeline; entering it goes through the stage's gate."
AMOUNT_HELP = "Typed by hand (decimal string). Left out: the sum of the product lines. PATCH null: back to the lines."
PROBABILITY_HELP = "Percentage; left out (or PATCH null): the stage's probability."


# --- pipelines and stages --------------------------------------------------------------------------


class StageOut(Schema):
    id: int
    pipeline: int = Field(..., alias="pipeline_id")
    name: str
    order: int
    probability: Decimal = Field(..., description="Percentage, as a decimal string.")
    kind: StageKind
    forecast_category: ForecastCategory
    stuck_after_days: int | None
    required_fields: list[str] = Field(..., description=GATE_FIELDS_HELP)
    required_roles: list[str] = Field(..., description=GATE_ROLES_HELP)
    required_artefacts: list[str] = Field(..., description=GATE_ARTEFACTS_HELP)


class StageIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    order: int | None = Field(None, ge=0, le=100_000, description="Position in the pipeline; default: last.")
    probability: Percent = Field(Decimal("10"), description="Percentage (decimal string).")
    kind: StageKind = StageKind.OPEN
    forecast_category: ForecastCategory = ForecastCategory.PIPELINE
    stuck_after_days: int | None = Field(None, ge=0, le=100_000)
    required_fields: NameList = Field(default_factory=list, description=GATE_FIELDS_HELP)
    required_roles: NameList = Field(default_factory=list, description=GATE_ROLES_HELP)
    required_artefacts: NameList = Field(default_factory=list, description=GATE_ARTEFACTS_HELP)


class StagePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    order: int | None = Field(None, ge=0, le=100_000)
    probability: Percent | None = None
    kind: StageKind | None = None
    forecast_category: ForecastCategory | None = None
    stuck_after_days: int | None = Field(None, ge=0, le=100_000, description="null: never flagged as stuck.")
    required_fields: NameList | None = Field(None, description="Replaces the list (null or [] clears it).")
    required_roles: NameList | None = None
    required_artefacts: NameList | None = None


class PipelineOut(Schema):
    id: int
    name: str
    position: int
    active: bool
    stages: list[StageOut] = Field(..., description="In order.")

    @staticmethod
    def resolve_stages(pipeline: Any) -> list[Any]:
        return list(pipeline.stages.all())


class PipelineIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    position: int = Field(0, ge=0, le=100_000)
    active: bool = True


class PipelinePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    position: int | None = Field(None, ge=0, le=100_000)
    active: bool | None = None


class PipelineFilters(Schema):
    active: bool | None = None


class GateOptionOut(Schema):
    key: str
    label: str


class GateOptionsOut(Schema):
    fields: list[GateOptionOut] = Field(..., description="Standard fields, then `custom.<key>` custom fields.")
    roles: list[GateOptionOut]
    artefacts: list[GateOptionOut]


# --- opportunities ---------------------------------------------------------------------------------


class OpportunityLineOut(Schema):
    id: int
    product: int = Field(..., alias="product_id")
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = Field(..., description="Percentage.")
    total: Decimal = Field(..., description="quantity x unit price less the discount, to the cent.")

    @staticmethod
    def resolve_total(line: OpportunityLine) -> Decimal:
        return line.total


class OpportunityLineIn(Schema):
    product: RecordId = Field(..., description="An active product.")
    quantity: Quantity = Decimal("1")
    unit_price: Amount | None = Field(None, description="Left out: the price book's price, else the list price.")
    discount: Percent = Field(Decimal("0"), description="Percentage.")
    description: str = Field("", max_length=300)


class OpportunityLinePatch(Schema):
    product: RecordId | None = None
    quantity: Quantity | None = None
    unit_price: Amount | None = None
    discount: Percent | None = None
    description: str | None = Field(None, max_length=300)


class OpportunityOut(Schema):
    id: int
    name: str
    account: int = Field(..., alias="account_id")
    owner: int = Field(..., alias="owner_id")
    pipeline: int = Field(..., alias="pipeline_id")
    stage: int = Field(..., alias="stage_id")
    amount: Decimal = Field(..., alias="amount_amount")
    currency: str = Field(..., alias="amount_currency_id")
    amount_from_lines: bool = Field(..., description="True: the amount is the sum of the product lines.")
    probability: Decimal = Field(..., description="Percentage.")
    weighted_amount: Decimal = Field(..., description="amount x probability (percent).")
    close_date: dt.date | None
    next_step: str
    forecast_category: ForecastCategory
    closed_reason: str
    source_lead: int | None = Field(None, alias="source_lead_id")
    campaign: str
    description: str
    custom_fields: dict[str, Any] = Field(default_factory=dict, alias="custom")
    lines: list[OpportunityLineOut] = Field(default_factory=list)
    stage_entered_at: dt.datetime
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_lines(opportunity: Opportunity) -> list[OpportunityLine]:
        return list(opportunity.lines.all())

    @staticmethod
    def resolve_weighted_amount(opportunity: Opportunity) -> Decimal:
        return opportunity.weighted_amount


class OpportunityIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    account: RecordId
    owner: RecordId | None = Field(None, description="A user id; default: you.")
    pipeline: RecordId | None = Field(None, description="Default: the first active pipeline.")
    stage: RecordId | None = Field(None, description=STAGE_HELP + " Default: the first open stage.")
    amount: Amount | None = Field(None, description=AMOUNT_HELP)
    currency: str | None = Field(None, max_length=3, description="ISO 4217 code; default: the company currency.")
    probability: Percent | None = Field(None, description=PROBABILITY_HELP)
    close_date: dt.date | None = None
    next_step: str = Field("", max_length=300)
    closed_reason: str = Field("", max_length=300)
    source_lead: RecordId | None = None
    campaign: str = Field("", max_length=150)
    description: str = Field("", max_length=10_000)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class OpportunityPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    account: RecordId | None = None
    owner: RecordId | None = Field(None, description="A user id; the new owner is notified.")
    pipeline: RecordId | None = Field(None, description="Another pipeline: the opportunity enters `stage` of it.")
    stage: RecordId | None = Field(None, description=STAGE_HELP)
    amount: Amount | None = Field(None, description=AMOUNT_HELP)
    currency: str | None = Field(None, max_length=3)
    probability: Percent | None = Field(None, description=PROBABILITY_HELP)
    close_date: dt.date | None = None
    next_step: str | None = Field(None, max_length=300)
    forecast_category: ForecastCategory | None = None
    closed_reason: str | None = Field(None, max_length=300)
    source_lead: RecordId | None = None
    campaign: str | None = Field(None, max_length=150)
    description: str | None = Field(None, max_length=10_000)
    custom_fields: dict[str, Any] | None = None


class OpportunityFilters(Schema):
    q: str | None = Field(None, max_length=200, description="Words in the name.")
    pipeline: int | None = None
    stage: int | None = None
    owner: str | None = Field(None, description="A user id, or `me`.")
    account: int | None = None
    close_from: dt.date | None = Field(None, description="Expected close date on or after.")
    close_to: dt.date | None = Field(None, description="Expected close date on or before.")
    ordering: str | None = Field(
        None,
        description="name, amount, close_date, probability, stage, owner, created, updated; prefix - to reverse "
        "(default -created).",
    )
    page: int = Field(1, ge=1)
    limit: int = Field(50, ge=1, le=200)


class OpportunityMoveIn(Schema):
    stage: RecordId = Field(..., description="A stage of the opportunity's pipeline.")
    values: dict[str, Any] = Field(
        default_factory=dict,
        description="Values the gate asks for, set in the same step: `close_date`, `next_step`, `closed_reason`, "
        "`amount`, `custom.<key>`…",
    )


class StageChangeOut(Schema):
    id: int
    from_stage: int | None = Field(None, alias="from_stage_id", description="null for the creation.")
    to_stage: int = Field(..., alias="to_stage_id")
    by: int | None = Field(None, alias="by_id")
    at: dt.datetime
    amount: Decimal
    currency: str = Field(..., alias="currency_id")
    probability: Decimal
