"""Settings pages for leads: who may open them, forms and their messages, order, the recalculation
button and the assignment test box."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rapport.core.models import Job, JobStatus
from rapport.core.services.customfields import custom_field_create
from rapport.leads.models import AssignmentRule, LeadSource, QualificationCriterion, ScoringRule
from rapport.leads.services import config
from rapport.leads.services.config import NUMBER_NEEDED, ONE_TARGET, SOURCE_NAME_TAKEN
from tests.factories import LeadFactory, UserFactory
from tests.leads.test_config import state

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(org: Any, client_for: Any) -> Client:
    return client_for(org.admin)


@pytest.fixture
def rules(org: Any) -> tuple[ScoringRule, AssignmentRule]:
    scoring = config.scoring_rule_create(
        actor=org.admin, name="From Poland", field="country", operator="equals", value="Poland", points=5
    )
    assignment = config.assignment_rule_create(
        actor=org.admin, name="Polish leads", country="Poland, PL", assign_to_team=org.poland.pk
    )
    return scoring, assignment


def page_urls(rules: tuple[ScoringRule, AssignmentRule]) -> list[str]:
    source = LeadSource.objects.get(code="event").pk
    criterion = QualificationCriterion.objects.get(key="budget").pk
    scoring, assignment = rules[0].pk, rules[1].pk
    names: list[tuple[str, list[int]]] = [
        ("settings_sources", []),
        ("settings_source_create", []),
        ("settings_source_edit", [source]),
        ("settings_source_deactivate", [source]),
        ("settings_source_reactivate", [source]),
        ("settings_criteria", []),
        ("settings_criterion_create", []),
        ("settings_criterion_edit", [criterion]),
        ("settings_criterion_deactivate", [criterion]),
        ("settings_criterion_reactivate", [criterion]),
        ("settings_scoring", []),
        ("settings_scoring_create", []),
        ("settings_scoring_edit", [scoring]),
        ("settings_scoring_delete", [scoring]),
        ("settings_assignment", []),
        ("settings_assignment_create", []),
        ("settings_assignment_edit", [assignment]),
        ("settings_assignment_delete", [assignment]),
    ]
    return [reverse(f"leads:{name}", args=args) for name, args in names]


def post_urls(rules: tuple[ScoringRule, AssignmentRule]) -> list[str]:
    source = LeadSource.objects.get(code="event").pk
    criterion = QualificationCriterion.objects.get(key="budget").pk
    scoring, assignment = rules[0].pk, rules[1].pk
    return [
        reverse("leads:settings_source_move", args=[source, "up"]),
        reverse("leads:settings_source_deactivate", args=[source]),
        reverse("leads:settings_criterion_move", args=[criterion, "down"]),
        reverse("leads:settings_criterion_deactivate", args=[criterion]),
        reverse("leads:settings_scoring_move", args=[scoring, "up"]),
        reverse("leads:settings_scoring_delete", args=[scoring]),
        reverse("leads:settings_scoring_recalculate"),
        reverse("leads:settings_assignment_move", args=[assignment, "up"]),
        reverse("leads:settings_assignment_delete", args=[assignment]),
        reverse("leads:settings_source_create"),
        reverse("leads:settings_scoring_create"),
    ]


def test_administrators_open_every_page(admin: Client, rules: Any) -> None:
    for url in page_urls(rules):
        assert admin.get(url).status_code == 200, url
    index = admin.get(reverse("settings:index")).content.decode()
    for name in ("settings_sources", "settings_criteria", "settings_scoring", "settings_assignment"):
        assert f'href="{reverse(f"leads:{name}")}"' in index


def test_everyone_else_is_refused_and_nothing_changes(org: Any, client_for: Any, rules: Any) -> None:
    before = state()
    for user in (org.marketing, org.emea_manager, org.salesperson, org.executive):
        client = client_for(user)
        for url in page_urls(rules):
            assert client.get(url).status_code == 403, url
        for url in post_urls(rules):
            assert (
                client.post(url, {"name": "X", "field": "country", "operator": "is_set", "points": "1"}).status_code
                == 403
            )
    anonymous = Client()
    for url in page_urls(rules)[:3]:
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert state() == before


def test_sources_page_adds_refuses_deactivates_and_reorders(admin: Client) -> None:
    response = admin.post(reverse("leads:settings_source_create"), {"name": "Trade fair", "code": "", "active": "on"})
    assert response.status_code == 302
    fair = LeadSource.objects.get(code="trade_fair")
    assert (fair.name, fair.active) == ("Trade fair", True)

    response = admin.post(reverse("leads:settings_source_create"), {"name": "trade FAIR", "active": "on"})
    assert response.context["form"].errors["name"] == [str(SOURCE_NAME_TAKEN)]
    assert str(SOURCE_NAME_TAKEN) in response.content.decode()

    # The code is shown but fixed: a different one posted is ignored.
    edit = reverse("leads:settings_source_edit", args=[fair.pk])
    assert "disabled" in str(admin.get(edit).context["form"]["code"])
    admin.post(edit, {"name": "Trade fairs", "code": "fairs", "active": "on"})
    fair.refresh_from_db()
    assert (fair.name, fair.code) == ("Trade fairs", "trade_fair")

    deactivate = reverse("leads:settings_source_deactivate", args=[fair.pk])
    assert "Leads from it keep it" in admin.get(deactivate).content.decode()
    assert LeadSource.objects.get(pk=fair.pk).active  # asking changes nothing
    assert admin.post(deactivate).status_code == 302
    assert not LeadSource.objects.get(pk=fair.pk).active

    assert admin.post(reverse("leads:settings_source_move", args=[fair.pk, "up"])).status_code == 302
    assert list(LeadSource.objects.values_list("code", flat=True))[-2:] == ["trade_fair", "partner"]
    assert admin.get(reverse("leads:settings_source_move", args=[fair.pk, "up"])).status_code == 405
    response = admin.post(reverse("leads:settings_source_move", args=[fair.pk, "sideways"]), follow=True)
    assert str(config.BAD_DIRECTION) in response.content.decode()
    assert admin.post(reverse("leads:settings_source_move", args=[99999, "up"])).status_code == 404

    listing = admin.get(reverse("leads:settings_sources"))
    assert [s.code for s in listing.context["sources"]][-2:] == ["trade_fair", "partner"]


def test_criteria_page_adds_and_reorders(admin: Client) -> None:
    response = admin.post(
        reverse("leads:settings_criterion_create"),
        {"name": "Champion", "description": "Someone backs us", "active": "on"},
    )
    assert response.status_code == 302
    champion = QualificationCriterion.objects.get(key="champion")
    admin.post(reverse("leads:settings_criterion_move", args=[champion.pk, "up"]))
    keys = [c.key for c in admin.get(reverse("leads:settings_criteria")).context["criteria"]]
    assert keys == ["budget", "authority", "need", "champion", "timeline"]
    admin.post(reverse("leads:settings_criterion_deactivate", args=[champion.pk]))
    assert not QualificationCriterion.objects.get(pk=champion.pk).active


def test_scoring_page_field_picker_validation_and_recalculation(org: Any, admin: Client) -> None:
    custom_field_create(actor=org.admin, record_type="lead", key="seats", label="Seats", field_type="number")
    form = admin.get(reverse("leads:settings_scoring_create")).content.decode()
    for option in ('value="country"', 'value="cf_seats"', 'value="criterion_budget"', 'value="email_domain"'):
        assert option in form
    assert '<option value="event">' in form  # suggested values

    data = {"name": "Big", "field": "cf_seats", "operator": "gt", "value": "many", "points": "10", "active": "on"}
    response = admin.post(reverse("leads:settings_scoring_create"), data)
    assert response.context["form"].errors["value"] == [str(NUMBER_NEEDED)]
    assert not ScoringRule.objects.exists() and not Job.objects.exists()

    response = admin.post(reverse("leads:settings_scoring_create"), {**data, "value": "100"})
    assert response.status_code == 302
    rule = ScoringRule.objects.get()
    assert (rule.field, rule.operator, rule.value, rule.points) == ("cf_seats", "gt", "100", 10)
    job = Job.objects.get(kind="leads.rescore")

    listing = admin.get(reverse("leads:settings_scoring"))
    html = listing.content.decode()
    assert "Seats <em>is greater than</em> <strong>100</strong>" in html
    assert reverse("job_detail", args=[job.pk]) in html
    assert 'hx-trigger="every 2s"' in html  # the job is still queued: the progress refreshes itself

    admin.post(reverse("leads:settings_scoring_recalculate"))
    assert Job.objects.count() == 1  # the queued one will read the rules anyway
    Job.objects.update(status=JobStatus.DONE, progress=100, result={"leads": 3, "changed": 1})
    admin.post(reverse("leads:settings_scoring_recalculate"))
    assert Job.objects.filter(status=JobStatus.QUEUED).count() == 1

    fragment = admin.get(reverse("leads:settings_scoring"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="rescore-progress")
    text = fragment.content.decode()
    assert text.lstrip().startswith('<div id="rescore-progress"') and "<table" not in text

    delete = reverse("leads:settings_scoring_delete", args=[rule.pk])
    assert "recalculated without it" in admin.get(delete).content.decode()
    admin.post(delete)
    assert not ScoringRule.objects.exists()


def test_scoring_page_shows_a_finished_recalculation(
    org: Any, admin: Client, django_capture_on_commit_callbacks: Any
) -> None:
    LeadFactory.create(owner=org.salesperson, country="Poland")
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("leads:settings_scoring_recalculate"))
    html = admin.get(reverse("leads:settings_scoring")).content.decode()
    assert "1 lead checked, 0 changed" in html
    assert 'hx-trigger="every 2s"' not in html


def test_assignment_page_form_list_and_test_box(org: Any, admin: Client) -> None:
    data = {
        "name": "Polish leads",
        "country": "Poland, PL",
        "assign_to_user": org.salesperson.pk,
        "assign_to_team": org.poland.pk,
        "team_strategy": "round_robin",
        "active": "on",
    }
    response = admin.post(reverse("leads:settings_assignment_create"), data)
    assert response.context["form"].errors["assign_to_user"] == [str(ONE_TARGET)]
    assert str(ONE_TARGET) in response.content.decode()
    assert admin.post(reverse("leads:settings_assignment_create"), {**data, "assign_to_user": ""}).status_code == 302
    rule = AssignmentRule.objects.get()

    leaver = UserFactory.create(email="leaver@example.com", is_active=False)
    AssignmentRule.objects.create(name="Leaver", assign_to_user=leaver, position=1)
    html = admin.get(reverse("leads:settings_assignment")).content.decode()
    assert "Countries: Poland, PL" in html
    assert "Team Poland (Round-robin)" in html
    assert "Every lead" in html and "This user is deactivated: the rule is skipped." in html

    lead = LeadFactory.create(owner=org.other_salesperson, country="Poland")
    url = reverse("leads:settings_assignment")
    response = admin.get(url, {"test": "1", "lead": str(lead.pk)})
    assert f"The rule “Polish leads” gives this lead to {org.salesperson}." in response.content.decode()
    response = admin.get(
        url, {"test": "1", "country": "France"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="assignment-test"
    )
    text = response.content.decode()
    assert "No rule matches" in text and "<table" not in text
    response = admin.get(url, {"test": "1", "lead": "99999"})
    assert response.context["test_form"].errors["lead"] == ["Choose an existing lead."]
    assert AssignmentRule.objects.get(pk=rule.pk).last_assigned is None  # testing used no turn

    # The edit form still offers a user who has left, so the rule can be saved or switched off.
    leaver_rule = AssignmentRule.objects.get(name="Leaver")
    edit = reverse("leads:settings_assignment_edit", args=[leaver_rule.pk])
    assert (
        admin.post(edit, {"name": "Leaver", "assign_to_user": leaver.pk, "team_strategy": "round_robin"}).status_code
        == 302
    )
    assert not AssignmentRule.objects.get(pk=leaver_rule.pk).active

    admin.post(reverse("leads:settings_assignment_move", args=[leaver_rule.pk, "up"]))
    assert list(AssignmentRule.objects.values_list("name", flat=True)) == ["Leaver", "Polish leads"]
    admin.post(reverse("leads:settings_assignment_delete", args=[leaver_rule.pk]))
    assert list(AssignmentRule.objects.values_list("name", flat=True)) == ["Polish leads"]
