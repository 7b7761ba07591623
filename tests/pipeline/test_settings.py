"""Settings → pipelines: only administrators; a stage's gate edited on the page is what moves obey."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from rapport.core.services.customfields import custom_field_create
from rapport.pipeline.models import Pipeline, Stage
from rapport.pipeline.services.config import PIPELINE_IN_USE, STAGE_IN_USE
from rapport.pipeline.services.opportunities import GateRefused, opportunity_create, opportunity_move
from tests.factories import AccountFactory
from tests.leads.ui_support import shown_messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales() -> Pipeline:
    return Pipeline.objects.get(name="Sales")


def stage_post(stage: Stage, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": stage.name,
        "order": stage.order,
        "probability": stage.probability,
        "kind": stage.kind,
        "forecast_category": stage.forecast_category,
        "stuck_after_days": stage.stuck_after_days or "",
        "required_fields": stage.required_fields,
        "required_roles": stage.required_roles,
        "required_artefacts": stage.required_artefacts,
    }
    data.update(changes)
    return data


def test_a_gate_set_on_the_page_refuses_a_move_without_the_field(org, client_for, sales) -> None:
    custom_field_create(
        actor=org.admin, record_type="opportunity", key="budget_code", label="Budget code", field_type="text"
    )
    proposal = sales.stages.get(name="Proposal")
    admin = client_for(org.admin)
    url = reverse("pipeline:settings_stage_edit", args=[sales.pk, proposal.pk])
    form = admin.get(url).content.decode()
    for choice in (
        'value="close_date"',
        'value="custom.budget_code"',
        'value="decision_maker"',
        'value="product_line"',
    ):
        assert choice in form

    response = admin.post(
        url, stage_post(proposal, required_fields=["close_date", "custom.budget_code"], stuck_after_days=30)
    )
    assert response.status_code == 302 and response["Location"] == reverse("pipeline:settings_pipelines")
    assert shown_messages(response) == ["Proposal was saved."]
    proposal.refresh_from_db()
    assert (proposal.required_fields, proposal.stuck_after_days) == (["close_date", "custom.budget_code"], 30)
    listing = admin.get(reverse("pipeline:settings_pipelines")).content.decode()
    assert "Budget code" in listing and "expected close date" in listing

    account = AccountFactory.create(owner=org.salesperson)
    opportunity = opportunity_create(actor=org.salesperson, name="Boilers", account=account.pk)
    with pytest.raises(GateRefused) as refused:
        opportunity_move(actor=org.salesperson, opportunity_id=opportunity.pk, stage=proposal.pk)
    assert [m.key for m in refused.value.missing] == ["close_date", "custom.budget_code"]
    opportunity.refresh_from_db()
    assert opportunity.stage.name == "Prospecting"


def test_the_form_shows_what_the_service_refuses(org, client_for, sales) -> None:
    proposal = sales.stages.get(name="Proposal")
    admin = client_for(org.admin)
    url = reverse("pipeline:settings_stage_edit", args=[sales.pk, proposal.pk])
    response = admin.post(url, stage_post(proposal, name="Qualification"))  # another stage's name
    assert response.status_code == 200
    assert response.context["form"].errors
    response = admin.post(url, stage_post(proposal, required_fields=["nonsense"]))
    assert response.status_code == 200 and "required_fields" in response.context["form"].errors
    assert Stage.objects.get(pk=proposal.pk).required_fields == []


def test_pipelines_and_stages_are_created_reordered_and_deleted(org, client_for) -> None:
    admin = client_for(org.admin)
    response = admin.post(
        reverse("pipeline:settings_pipeline_create"), {"name": "Renewals", "position": 2, "active": "on"}
    )
    assert response.status_code == 302
    renewals = Pipeline.objects.get(name="Renewals")
    for name in ("Due", "Quoted"):
        url = reverse("pipeline:settings_stage_create", args=[renewals.pk])
        initial = admin.get(url).context["form"].initial
        data = {**initial, "name": name, "probability": "40"}
        assert admin.post(url, data).status_code == 302
    due, quoted = renewals.stages.order_by("order")
    assert (due.name, quoted.name) == ("Due", "Quoted")
    admin.post(reverse("pipeline:settings_stage_move", args=[renewals.pk, quoted.pk, "up"]))
    assert [s.name for s in renewals.stages.order_by("order", "id")] == ["Quoted", "Due"]

    delete_url = reverse("pipeline:settings_stage_delete", args=[renewals.pk, due.pk])
    assert "Delete the stage Due?" in admin.get(delete_url).content.decode()
    assert admin.post(delete_url).status_code == 302
    assert list(renewals.stages.values_list("name", flat=True)) == ["Quoted"]
    assert admin.post(reverse("pipeline:settings_pipeline_delete", args=[renewals.pk])).status_code == 302
    assert not Pipeline.objects.filter(name="Renewals").exists()


def test_a_pipeline_or_stage_in_use_is_not_deleted_and_the_page_says_why(org, client_for, sales) -> None:
    account = AccountFactory.create(owner=org.salesperson)
    opportunity_create(actor=org.salesperson, name="Boilers", account=account.pk)
    prospecting = sales.stages.get(name="Prospecting")
    admin = client_for(org.admin)
    response = admin.post(reverse("pipeline:settings_stage_delete", args=[sales.pk, prospecting.pk]))
    assert response.status_code == 200 and str(STAGE_IN_USE) in response.content.decode()
    response = admin.post(reverse("pipeline:settings_pipeline_delete", args=[sales.pk]))
    assert response.status_code == 200 and str(PIPELINE_IN_USE) in response.content.decode()
    assert Stage.objects.filter(pk=prospecting.pk).exists()


def test_only_administrators_open_the_pipeline_settings(org, client_for, sales) -> None:
    stage = sales.stages.first()
    urls = [
        reverse("pipeline:settings_pipelines"),
        reverse("pipeline:settings_pipeline_create"),
        reverse("pipeline:settings_pipeline_edit", args=[sales.pk]),
        reverse("pipeline:settings_pipeline_delete", args=[sales.pk]),
        reverse("pipeline:settings_stage_create", args=[sales.pk]),
        reverse("pipeline:settings_stage_edit", args=[sales.pk, stage.pk]),
        reverse("pipeline:settings_stage_delete", args=[sales.pk, stage.pk]),
    ]
    salesperson = client_for(org.salesperson)
    for url in urls:
        assert salesperson.get(url).status_code == 403, url
        assert salesperson.post(url, {"name": "Hacked"}).status_code == 403, url
    move = reverse("pipeline:settings_stage_move", args=[sales.pk, stage.pk, "down"])
    assert salesperson.post(move).status_code == 403
    assert not Pipeline.objects.filter(name="Hacked").exists()
    admin = client_for(org.admin)
    assert admin.get(reverse("settings:index")).content.decode().count(reverse("pipeline:settings_pipelines")) == 1


def test_the_list_reads_in_a_few_queries(org, client_for, sales, django_assert_max_num_queries) -> None:
    admin = client_for(org.admin)
    for number in range(3):
        Pipeline.objects.create(name=f"Extra {number}").stages.create(name="Open")
    with django_assert_max_num_queries(12):
        response = admin.get(reverse("pipeline:settings_pipelines"))
    assert response.status_code == 200 and "Negotiation" in response.content.decode()


def test_every_page_opens_for_an_administrator(org, client_for, sales) -> None:
    stage = sales.stages.get(name="Won")
    admin = client_for(org.admin)
    for url in (
        reverse("pipeline:settings_pipeline_create"),
        reverse("pipeline:settings_pipeline_edit", args=[sales.pk]),
        reverse("pipeline:settings_stage_create", args=[sales.pk]),
        reverse("pipeline:settings_stage_edit", args=[sales.pk, stage.pk]),
        reverse("pipeline:settings_pipeline_delete", args=[sales.pk]),
    ):
        assert admin.get(url).status_code == 200, url
