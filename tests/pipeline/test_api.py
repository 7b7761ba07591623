"""`/api/v1/pipelines` and `/api/v1/opportunities`: the contract, moves through the gates (a refused
move lists everything missing and changes nothing), the stage history, product lines, who may see
and do what, and pinned query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rapport.catalog.models import Product
from rapport.core.services.customfields import custom_field_create
from rapport.pipeline.models import Opportunity, OpportunityLine, Pipeline, Stage, StageChange
from rapport.pipeline.services.opportunities import opportunity_create
from tests.api.conftest import ApiClient, assert_problem, token_for
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

OPPORTUNITY_CONTRACT = {
    "id",
    "name",
    "account",
    "owner",
    "pipeline",
    "stage",
    "amount",
    "currency",
    "probability",
    "close_date",
    "next_step",
    "forecast_category",
    "closed_reason",
    "custom_fields",
    "lines",
}
STAGE_CONTRACT = {
    "id",
    "name",
    "order",
    "probability",
    "kind",
    "forecast_category",
    "stuck_after_days",
    "required_fields",
    "required_roles",
    "required_artefacts",
}
# token, rights, team paths, custom fields (cf_ filters), count, page, the page's lines
OPPORTUNITY_LIST_QUERIES = 7
# token, rights, team paths, the opportunity, its lines
OPPORTUNITY_DETAIL_QUERIES = 5


@pytest.fixture
def sales() -> Pipeline:
    return Pipeline.objects.get(name="Sales")


def stage(pipeline: Pipeline, name: str) -> Stage:
    return pipeline.stages.get(name=name)


@pytest.fixture
def product() -> Product:
    return Product.objects.create(
        sku="PMP-1", name="Pump", list_price_amount=Decimal("100"), list_price_currency_id="EUR"
    )


@pytest.fixture
def sales_api(org) -> ApiClient:
    return ApiClient(token_for(org.salesperson))


@pytest.fixture
def admin_api(org) -> ApiClient:
    return ApiClient(token_for(org.admin))


def _opportunity(owner, name: str = "Fleet renewal", **fields) -> Opportunity:
    account = fields.pop("account", None) or AccountFactory.create(owner=owner)
    return opportunity_create(actor=owner, name=name, account=account.pk, **fields)


# --- pipelines and stages ------------------------------------------------------------------------


def test_everyone_reads_pipelines_with_their_stages_in_order(sales_api, sales):
    body = sales_api.get("pipelines").json()
    assert [p["name"] for p in body] == ["Sales"]
    stages = body[0]["stages"]
    assert [s["name"] for s in stages][:2] == ["Prospecting", "Qualification"]
    assert set(stages[0]) >= STAGE_CONTRACT
    assert stages[0]["probability"] == "10.00" and stages[0]["kind"] == "open"
    assert sales_api.get(f"pipelines/{sales.pk}").json()["id"] == sales.pk
    assert len(sales_api.get(f"pipelines/{sales.pk}/stages").json()) == 7
    won = stage(sales, "Won")
    assert sales_api.get(f"pipelines/{sales.pk}/stages/{won.pk}").json()["kind"] == "won"


def test_an_administrator_builds_a_pipeline_with_gated_stages(admin_api):
    response = admin_api.post("pipelines", {"name": "Renewals", "position": 2})
    assert response.status_code == 201, response.content
    pipeline = response.json()
    assert pipeline["stages"] == [] and pipeline["active"] is True
    body = {
        "name": "Quote sent",
        "probability": "55",
        "forecast_category": "best_case",
        "stuck_after_days": 10,
        "required_fields": ["close_date", "amount"],
        "required_roles": ["decision_maker"],
        "required_artefacts": ["product_line"],
    }
    created = admin_api.post(f"pipelines/{pipeline['id']}/stages", body)
    assert created.status_code == 201, created.content
    assert created.json()["probability"] == "55.00"
    assert created.json()["required_fields"] == ["close_date", "amount"]
    stage_id = created.json()["id"]
    changed = admin_api.patch(f"pipelines/{pipeline['id']}/stages/{stage_id}", {"required_fields": None, "order": 3})
    assert changed.status_code == 200, changed.content
    assert changed.json()["required_fields"] == [] and changed.json()["order"] == 3
    assert changed.json()["required_roles"] == ["decision_maker"]

    renamed = admin_api.patch(f"pipelines/{pipeline['id']}", {"name": "Renewals 2026", "active": False})
    assert renamed.json()["name"] == "Renewals 2026" and renamed.json()["active"] is False

    assert admin_api.delete(f"pipelines/{pipeline['id']}/stages/{stage_id}").status_code == 204
    assert admin_api.delete(f"pipelines/{pipeline['id']}").status_code == 204
    assert not Pipeline.objects.filter(pk=pipeline["id"]).exists()


def test_a_gate_naming_something_unknown_is_refused(admin_api, sales):
    body = {"name": "X", "required_fields": ["colour"], "required_roles": ["king"], "required_artefacts": ["?"]}
    response = admin_api.post(f"pipelines/{sales.pk}/stages", body)
    assert_problem(response, 422, {"required_fields"})
    assert not sales.stages.filter(name="X").exists()


def test_gate_options_list_fields_roles_and_artefacts(sales_api, org):
    custom_field_create(actor=org.admin, record_type="opportunity", key="budget", label="Budget", field_type="text")
    body = sales_api.get("pipelines/gate-options").json()
    keys = [option["key"] for option in body["fields"]]
    assert keys[0] == "amount" and "close_date" in keys and "custom.budget" in keys
    assert "decision_maker" in [option["key"] for option in body["roles"]]
    assert {"product_line", "decision_maker"} <= {option["key"] for option in body["artefacts"]}
    assert all(option["label"] for option in body["fields"] + body["roles"] + body["artefacts"])


def test_pipeline_and_stage_writes_are_for_administrators_only(sales_api, sales):
    prospecting = stage(sales, "Prospecting")
    assert_problem(sales_api.post("pipelines", {"name": "Mine"}), 403)
    assert_problem(sales_api.patch(f"pipelines/{sales.pk}", {"name": "Mine"}), 403)
    assert_problem(sales_api.delete(f"pipelines/{sales.pk}"), 403)
    assert_problem(sales_api.post(f"pipelines/{sales.pk}/stages", {"name": "Mine"}), 403)
    assert_problem(sales_api.patch(f"pipelines/{sales.pk}/stages/{prospecting.pk}", {"probability": "99"}), 403)
    assert_problem(sales_api.delete(f"pipelines/{sales.pk}/stages/{prospecting.pk}"), 403)
    prospecting.refresh_from_db()
    assert prospecting.probability == Decimal("10") and Pipeline.objects.count() == 1 and sales.stages.count() == 7


def test_a_stage_in_use_cannot_be_deleted(admin_api, org, sales):
    opportunity = _opportunity(org.salesperson)
    response = admin_api.delete(f"pipelines/{sales.pk}/stages/{opportunity.stage_id}")
    assert_problem(response, 409)
    assert_problem(admin_api.delete(f"pipelines/{sales.pk}"), 409)
    assert_problem(admin_api.get(f"pipelines/{sales.pk}/stages/999999"), 404)


# --- opportunities ---------------------------------------------------------------------------------


def test_create_get_change_and_delete_an_opportunity(sales_api, org, sales):
    account = AccountFactory.create(owner=org.salesperson)
    qualification = stage(sales, "Qualification")
    response = sales_api.post(
        "opportunities",
        {"name": "Fleet renewal", "account": account.pk, "stage": qualification.pk, "amount": "1000",
         "close_date": "2026-12-31"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created) >= OPPORTUNITY_CONTRACT
    assert created["stage"] == qualification.pk and created["pipeline"] == sales.pk
    assert created["owner"] == org.salesperson.pk and created["account"] == account.pk
    assert created["amount"] == "1000.00" and created["currency"] == "EUR"
    assert created["probability"] == "20.00" and created["amount_from_lines"] is False
    assert created["forecast_category"] == "pipeline" and created["lines"] == []

    opportunity_id = created["id"]
    assert sales_api.get(f"opportunities/{opportunity_id}").json()["name"] == "Fleet renewal"
    changed = sales_api.patch(f"opportunities/{opportunity_id}", {"next_step": "Call", "probability": "35.5"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["next_step"] == "Call" and changed.json()["probability"] == "35.50"
    reset = sales_api.patch(f"opportunities/{opportunity_id}", {"probability": None})
    assert reset.json()["probability"] == "20.00"
    assert_problem(sales_api.patch(f"opportunities/{opportunity_id}", {"name": None}), 422, {"name"})

    assert_problem(sales_api.delete(f"opportunities/{opportunity_id}"), 403)  # a salesperson never deletes
    manager = ApiClient(token_for(org.emea_manager))
    assert manager.delete(f"opportunities/{opportunity_id}").status_code == 204
    assert not Opportunity.objects.filter(pk=opportunity_id).exists()


def test_create_goes_through_the_gate_of_the_chosen_stage(sales_api, org, sales):
    proposal = stage(sales, "Proposal")
    proposal.required_fields = ["close_date"]
    proposal.save()
    account = AccountFactory.create(owner=org.salesperson)
    response = sales_api.post("opportunities", {"name": "X", "account": account.pk, "stage": proposal.pk})
    body = assert_problem(response, 422)
    assert body["missing"] == [{"kind": "field", "key": "close_date", "label": "expected close date"}]
    assert not Opportunity.objects.exists()


def test_a_refused_move_lists_everything_missing_and_changes_nothing(sales_api, org, sales):
    proposal = stage(sales, "Proposal")
    proposal.required_fields = ["close_date", "next_step"]
    proposal.required_roles = ["decision_maker"]
    proposal.required_artefacts = ["product_line"]
    proposal.save()
    opportunity = _opportunity(org.salesperson)
    before = Opportunity.objects.filter(pk=opportunity.pk).values().get()

    response = sales_api.post(
        f"opportunities/{opportunity.pk}/move", {"stage": proposal.pk, "values": {"close_date": "2026-12-31"}}
    )
    body = assert_problem(response, 422)
    assert [(m["kind"], m["key"]) for m in body["missing"]] == [
        ("field", "next_step"),
        ("role", "decision_maker"),
        ("artefact", "product_line"),
    ]
    assert all(m["label"] for m in body["missing"]) and body["stage"] == proposal.pk
    assert Opportunity.objects.filter(pk=opportunity.pk).values().get() == before
    assert StageChange.objects.filter(opportunity=opportunity).count() == 1


def test_a_move_with_the_missing_values_succeeds_and_shows_in_the_history(sales_api, org, sales, product):
    proposal = stage(sales, "Proposal")
    proposal.required_fields = ["close_date", "custom.budget"]
    proposal.save()
    custom_field_create(actor=org.admin, record_type="opportunity", key="budget", label="Budget", field_type="text")
    opportunity = _opportunity(org.salesperson)
    sales_api.post(f"opportunities/{opportunity.pk}/lines", {"product": product.pk, "quantity": "2"})

    response = sales_api.post(
        f"opportunities/{opportunity.pk}/move",
        {"stage": proposal.pk, "values": {"close_date": "2026-12-31", "custom.budget": "Approved"}},
    )
    assert response.status_code == 200, response.content
    moved = response.json()
    assert moved["stage"] == proposal.pk and moved["probability"] == "60.00"
    assert moved["close_date"] == "2026-12-31" and moved["custom_fields"] == {"budget": "Approved"}
    assert moved["forecast_category"] == "best_case" and moved["amount"] == "200.00"

    history = sales_api.get(f"opportunities/{opportunity.pk}/history").json()
    prospecting = stage(sales, "Prospecting")
    assert [(h["from_stage"], h["to_stage"], h["amount"], h["probability"]) for h in history] == [
        (None, prospecting.pk, "0.00", "10.00"),
        (prospecting.pk, proposal.pk, "200.00", "60.00"),
    ]
    assert history[1]["by"] == org.salesperson.pk and history[1]["currency"] == "EUR"


def test_move_values_name_their_field(sales_api, org, sales):
    opportunity = _opportunity(org.salesperson)
    qualification = stage(sales, "Qualification")
    refused = sales_api.post(
        f"opportunities/{opportunity.pk}/move", {"stage": qualification.pk, "values": {"colour": "red"}}
    )
    assert_problem(refused, 422, {"values.colour"})
    bad_date = sales_api.post(
        f"opportunities/{opportunity.pk}/move", {"stage": qualification.pk, "values": {"close_date": "soon"}}
    )
    assert_problem(bad_date, 422, {"values.close_date"})
    other = Pipeline.objects.create(name="Other")
    foreign = Stage.objects.create(pipeline=other, name="Elsewhere")
    assert_problem(sales_api.post(f"opportunities/{opportunity.pk}/move", {"stage": foreign.pk}), 422, {"stage"})
    assert Opportunity.objects.get(pk=opportunity.pk).stage_id == opportunity.stage_id


def test_closing_through_patch_needs_the_reason(sales_api, org, sales):
    opportunity = _opportunity(org.salesperson)
    won = stage(sales, "Won")
    body = assert_problem(sales_api.patch(f"opportunities/{opportunity.pk}", {"stage": won.pk}), 422)
    assert [m["key"] for m in body["missing"]] == ["closed_reason"]
    closed = sales_api.patch(f"opportunities/{opportunity.pk}", {"stage": won.pk, "closed_reason": "Best price"})
    assert closed.status_code == 200, closed.content
    assert closed.json()["probability"] == "100.00" and closed.json()["closed_at"] is not None


def test_product_lines_drive_the_amount(sales_api, org, product):
    opportunity = _opportunity(org.salesperson)
    added = sales_api.post(
        f"opportunities/{opportunity.pk}/lines", {"product": product.pk, "quantity": "3", "discount": "10"}
    )
    assert added.status_code == 201, added.content
    line = added.json()
    assert (line["quantity"], line["unit_price"], line["discount"], line["total"]) == (
        "3.000",
        "100.00",
        "10.00",
        "270.00",
    )
    assert sales_api.get(f"opportunities/{opportunity.pk}").json()["amount"] == "270.00"
    changed = sales_api.patch(f"opportunities/{opportunity.pk}/lines/{line['id']}", {"unit_price": "50"})
    assert changed.json()["total"] == "135.00"
    detail = sales_api.get(f"opportunities/{opportunity.pk}").json()
    assert detail["amount"] == "135.00" and [item["id"] for item in detail["lines"]] == [line["id"]]
    assert sales_api.delete(f"opportunities/{opportunity.pk}/lines/{line['id']}").status_code == 204
    assert sales_api.get(f"opportunities/{opportunity.pk}").json()["amount"] == "0.00"
    assert_problem(sales_api.post(f"opportunities/{opportunity.pk}/lines", {"product": 999999}), 422, {"product"})


def test_list_filters_orders_and_paginates(sales_api, org, sales):
    """As the salespeople's manager (team scope): the outsider's opportunity never shows."""
    account = AccountFactory.create(owner=org.salesperson)
    first = _opportunity(org.salesperson, "Alpha", account=account, amount_amount="500", close_date="2026-03-01")
    _opportunity(org.salesperson, "Beta", amount_amount="900", close_date="2026-06-01")
    _opportunity(org.colleague, "Gamma", stage=stage(sales, "Qualification").pk, amount_amount="100")
    _opportunity(org.other_salesperson, "Hidden")

    manager = ApiClient(token_for(org.emea_manager))

    def names(**params):
        response = manager.get("opportunities", **params)
        assert response.status_code == 200, response.content
        return [item["name"] for item in response.json()["items"]]

    assert names() == ["Gamma", "Beta", "Alpha"]
    assert names(ordering="name") == ["Alpha", "Beta", "Gamma"]
    assert names(ordering="-amount") == ["Beta", "Alpha", "Gamma"]
    assert names(owner=str(org.salesperson.pk), ordering="close_date") == ["Alpha", "Beta"]
    assert [item["name"] for item in sales_api.get("opportunities", owner="me").json()["items"]] == ["Beta", "Alpha"]
    assert names(owner=str(org.colleague.pk)) == ["Gamma"]
    assert names(stage=stage(sales, "Qualification").pk) == ["Gamma"]
    assert names(pipeline=sales.pk, account=account.pk) == [first.name]
    assert names(close_from="2026-04-01") == ["Beta"]
    assert names(close_to="2026-04-01") == ["Alpha"]
    assert names(q="alp") == ["Alpha"]
    page = manager.get("opportunities", limit=2, page=2, ordering="name").json()
    assert page["count"] == 3 and [item["name"] for item in page["items"]] == ["Gamma"]
    assert_problem(manager.get("opportunities", ordering="colour"), 422, {"ordering"})
    assert_problem(manager.get("opportunities", close_from="soon"), 422)


# --- visibility and rights ---------------------------------------------------------------------------


def test_another_salespersons_opportunity_is_not_found_everywhere(org, sales, product):
    theirs = _opportunity(org.salesperson)
    line = OpportunityLine.objects.create(opportunity=theirs, product=product, unit_price=Decimal("1"))
    client = ApiClient(token_for(org.other_salesperson))
    before = Opportunity.objects.filter(pk=theirs.pk).values().get()
    qualification = stage(sales, "Qualification")
    assert_problem(client.get(f"opportunities/{theirs.pk}"), 404)
    assert_problem(client.patch(f"opportunities/{theirs.pk}", {"name": "Taken over"}), 404)
    assert_problem(client.delete(f"opportunities/{theirs.pk}"), 404)
    assert_problem(client.post(f"opportunities/{theirs.pk}/move", {"stage": qualification.pk}), 404)
    assert_problem(client.get(f"opportunities/{theirs.pk}/history"), 404)
    assert_problem(client.post(f"opportunities/{theirs.pk}/lines", {"product": product.pk}), 404)
    assert_problem(client.patch(f"opportunities/{theirs.pk}/lines/{line.pk}", {"quantity": "9"}), 404)
    assert_problem(client.delete(f"opportunities/{theirs.pk}/lines/{line.pk}"), 404)
    assert client.get("opportunities").json() == {"items": [], "count": 0}
    assert Opportunity.objects.filter(pk=theirs.pk).values().get() == before
    assert OpportunityLine.objects.get(pk=line.pk).quantity == Decimal("1")


def test_a_reader_may_not_write(org):
    opportunity = _opportunity(org.salesperson)
    client = ApiClient(token_for(org.executive))
    assert client.get(f"opportunities/{opportunity.pk}").status_code == 200
    assert_problem(client.patch(f"opportunities/{opportunity.pk}", {"name": "Mine"}), 403)
    account = AccountFactory.create(owner=org.salesperson)
    assert_problem(client.post("opportunities", {"name": "New", "account": account.pk}), 403)


# --- query counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 20])
def test_opportunity_list_queries_do_not_grow(org, product, django_assert_num_queries, rows):
    custom_field_create(actor=org.admin, record_type="opportunity", key="budget", label="Budget", field_type="text")
    owners = [org.salesperson, org.colleague]
    for i in range(rows):
        opportunity = _opportunity(owners[i % 2], f"Deal {i}")
        OpportunityLine.objects.create(opportunity=opportunity, product=product, unit_price=Decimal("5"))
    client = ApiClient(token_for(org.emea_manager))
    with django_assert_num_queries(OPPORTUNITY_LIST_QUERIES):
        body = client.get("opportunities", limit=50, ordering="name").json()
    assert body["count"] == rows and all(len(item["lines"]) == 1 for item in body["items"])


@pytest.mark.parametrize("lines", [1, 15])
def test_opportunity_detail_queries_do_not_grow(org, product, django_assert_num_queries, lines):
    opportunity = _opportunity(org.salesperson)
    for _ in range(lines):
        OpportunityLine.objects.create(opportunity=opportunity, product=product, unit_price=Decimal("5"))
    client = ApiClient(token_for(org.emea_manager))
    with django_assert_num_queries(OPPORTUNITY_DETAIL_QUERIES):
        body = client.get(f"opportunities/{opportunity.pk}").json()
    assert len(body["lines"]) == lines
