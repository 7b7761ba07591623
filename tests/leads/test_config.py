"""Lead settings services: sources, qualification criteria, scoring and assignment rules —
validation messages, administrators only, order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rapport.core import customfields
from rapport.core.errors import ActionNotAllowed, InvalidInput, RecordNotFound
from rapport.core.models import Job
from rapport.core.services.customfields import custom_field_create
from rapport.leads.models import AssignmentRule, LeadSource, QualificationCriterion, ScoringRule, TeamStrategy
from rapport.leads.services import config
from rapport.leads.services.config import (
    BAD_CODE,
    BAD_DIRECTION,
    CODE_FIXED,
    COUNTRIES_COMMAS,
    CRITERION_KEY_TAKEN,
    CUSTOM_FIELD_NEEDED,
    CUSTOM_FIELD_UNSUITABLE,
    CUSTOM_VALUE_NEEDED,
    INACTIVE_USER,
    KEY_FIXED,
    NAME_NEEDED,
    NUMBER_NEEDED,
    ONE_TARGET,
    POINTS_RANGE,
    SOURCE_CODE_TAKEN,
    SOURCE_NAME_TAKEN,
    TARGET_NEEDED,
    UNKNOWN_CUSTOM_FIELD,
    UNKNOWN_OPERATOR,
    UNKNOWN_RULE_FIELD,
    UNKNOWN_STRATEGY,
    VALUE_NEEDED,
    YES_NO_NEEDED,
    YES_NO_OPERATOR,
)
from rapport.leads.services.leads import UNKNOWN_CHOICE
from tests.factories import LeadFactory, TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def errors_of(call: Callable[[], Any]) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as exc:
        call()
    return exc.value.errors


def state() -> dict[str, Any]:
    """What a refused call must leave as it was."""
    return {
        "sources": list(LeadSource.objects.order_by("pk").values()),
        "criteria": list(QualificationCriterion.objects.order_by("pk").values()),
        "scoring": list(ScoringRule.objects.order_by("pk").values()),
        "assignment": list(AssignmentRule.objects.order_by("pk").values()),
        "jobs": Job.objects.count(),
    }


def codes() -> list[str]:
    return list(LeadSource.objects.values_list("code", flat=True))


# --- sources ---------------------------------------------------------------------------------------


def test_sources_are_added_renamed_deactivated_and_reordered(org: Any) -> None:
    fair = config.lead_source_create(actor=org.admin, name="  Trade   fair ")
    assert (fair.name, fair.code, fair.position, fair.active) == ("Trade fair", "trade_fair", 7, True)
    assert codes()[-1] == "trade_fair"
    tv = config.lead_source_create(actor=org.admin, name="Television", code=" TV-ads ")
    assert tv.code == "tv-ads"

    config.lead_source_update(actor=org.admin, source_id=fair.pk, name="Trade fairs", active=False, code="trade_fair")
    fair.refresh_from_db()
    assert (fair.name, fair.code, fair.active) == ("Trade fairs", "trade_fair", False)
    config.lead_source_update(actor=org.admin, source_id=fair.pk, active="true")
    assert LeadSource.objects.get(pk=fair.pk).active

    config.lead_source_move(actor=org.admin, source_id=tv.pk, direction="up")
    assert codes()[-2:] == ["tv-ads", "trade_fair"]
    config.lead_source_move(actor=org.admin, source_id=codes().index("campaign") + 1, direction="up")  # first stays
    assert codes()[:2] == ["campaign", "purchased_list"]
    config.lead_source_move(actor=org.admin, source_id=fair.pk, direction="down")  # last stays
    assert list(LeadSource.objects.values_list("position", flat=True)) == list(range(9))


def test_source_refusals_say_why_and_change_nothing(org: Any) -> None:
    before = state()
    event = LeadSource.objects.get(code="event")
    assert errors_of(lambda: config.lead_source_create(actor=org.admin, name="EVENT")) == {
        "name": [str(SOURCE_NAME_TAKEN)]
    }
    assert errors_of(lambda: config.lead_source_create(actor=org.admin, name="Events", code="event")) == {
        "code": [str(SOURCE_CODE_TAKEN)]
    }
    assert errors_of(lambda: config.lead_source_create(actor=org.admin, name="TV", code="tv ads!")) == {
        "code": [str(BAD_CODE)]
    }
    assert errors_of(lambda: config.lead_source_create(actor=org.admin, name="  ")) == {"name": [str(NAME_NEEDED)]}
    assert errors_of(lambda: config.lead_source_update(actor=org.admin, source_id=event.pk, code="events")) == {
        "code": [str(CODE_FIXED)]
    }
    assert errors_of(lambda: config.lead_source_update(actor=org.admin, source_id=event.pk, name="referral")) == {
        "name": [str(SOURCE_NAME_TAKEN)]
    }
    with pytest.raises(RecordNotFound):
        config.lead_source_update(actor=org.admin, source_id=99999, name="X")
    assert errors_of(lambda: config.lead_source_move(actor=org.admin, source_id=event.pk, direction="left")) == {
        "direction": [str(BAD_DIRECTION)]
    }
    assert state() == before


# --- qualification criteria ------------------------------------------------------------------------


def test_criteria_have_a_fixed_key_and_an_order(org: Any) -> None:
    champion = config.qualification_criterion_create(
        actor=org.admin, name="Champion", description=" Someone inside wants us "
    )
    assert (champion.key, champion.description, champion.position) == ("champion", "Someone inside wants us", 4)
    config.qualification_criterion_update(actor=org.admin, criterion_id=champion.pk, name="Internal champion")
    config.qualification_criterion_move(actor=org.admin, criterion_id=champion.pk, direction="up")
    keys = list(QualificationCriterion.objects.values_list("key", flat=True))
    assert keys == ["budget", "authority", "need", "champion", "timeline"]
    config.qualification_criterion_update(actor=org.admin, criterion_id=champion.pk, active=False)
    assert not QualificationCriterion.objects.get(key="champion").active

    before = state()
    assert errors_of(lambda: config.qualification_criterion_create(actor=org.admin, name="Budget 2", key="budget")) == {
        "key": [str(CRITERION_KEY_TAKEN)]
    }
    assert errors_of(lambda: config.qualification_criterion_create(actor=org.admin, name="X", key="Ünïcode key")) == {
        "key": [str(BAD_CODE)]
    }
    assert errors_of(
        lambda: config.qualification_criterion_update(actor=org.admin, criterion_id=champion.pk, key="sponsor")
    ) == {"key": [str(KEY_FIXED)]}
    assert errors_of(
        lambda: config.qualification_criterion_update(actor=org.admin, criterion_id=champion.pk, name="")
    ) == {"name": [str(NAME_NEEDED)]}
    assert state() == before


# --- scoring rules -----------------------------------------------------------------------------------


VALID_RULE: dict[str, Any] = {"name": "Rule", "field": "country", "operator": "equals", "value": "Poland", "points": 5}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": " "}, "name", NAME_NEEDED),
        ({"field": "favourite_colour"}, "field", UNKNOWN_RULE_FIELD),
        ({"field": "cf_missing"}, "field", UNKNOWN_RULE_FIELD),
        ({"field": "criterion_missing"}, "field", UNKNOWN_RULE_FIELD),
        ({"operator": "between"}, "operator", UNKNOWN_OPERATOR),
        ({"operator": "gt", "value": "lots"}, "value", NUMBER_NEEDED),
        ({"operator": "lt", "value": ""}, "value", NUMBER_NEEDED),
        ({"operator": "gt", "value": "NaN"}, "value", NUMBER_NEEDED),
        ({"field": "estimated_value", "value": "a lot"}, "value", NUMBER_NEEDED),
        ({"value": ""}, "value", VALUE_NEEDED),
        ({"operator": "contains", "value": "  "}, "value", VALUE_NEEDED),
        ({"points": 1001}, "points", POINTS_RANGE),
        ({"points": "-1001"}, "points", POINTS_RANGE),
        ({"points": "ten"}, "points", POINTS_RANGE),
        ({"points": "1.5"}, "points", POINTS_RANGE),
        ({"field": "need_identified", "operator": "gt", "value": "1"}, "operator", YES_NO_OPERATOR),
        ({"field": "criterion_budget", "value": "maybe"}, "value", YES_NO_NEEDED),
    ],
)
def test_scoring_rule_validation(org: Any, changes: dict[str, Any], field: str, message: Any) -> None:
    before = state()
    assert errors_of(lambda: config.scoring_rule_create(actor=org.admin, **{**VALID_RULE, **changes})) == {
        field: [str(message)]
    }
    assert state() == before


def test_scoring_rule_values_are_stored_as_the_rules_compare_them(org: Any) -> None:
    custom_field_create(
        actor=org.admin, record_type="lead", key="segment", label="Segment", field_type="choice", choices=["SMB", "Big"]
    )

    def stored(**changes: Any) -> tuple[str, str, int]:
        rule = config.scoring_rule_create(actor=org.admin, **{**VALID_RULE, **changes})
        return rule.field, rule.value, rule.points

    assert stored(field="source", value="Event") == ("source", "event", 5)  # by its name → its code
    assert stored(field="status", value="contacted") == ("status", "contacted", 5)
    assert stored(field="need_identified", value="Yes") == ("need_identified", "true", 5)
    assert stored(field="criterion_budget", value="no", points="-20") == ("criterion_budget", "false", -20)
    assert stored(field="estimated_value", operator="gt", value="1 000,50") == ("estimated_value", "1000.5", 5)
    assert stored(operator="is_set", value="ignored", points="+1000") == ("country", "", 1000)
    assert stored(field="cf_segment", value="big") == ("cf_segment", "Big", 5)
    assert stored(field="tags", operator="contains", value=" fair ") == ("tags", "fair", 5)

    messages = errors_of(
        lambda: config.scoring_rule_create(actor=org.admin, **{**VALID_RULE, "field": "source", "value": "tv"})
    )
    assert messages["value"][0].startswith(str(customfields.NOT_A_CHOICE).split("%")[0])
    assert "Event" in messages["value"][0]


def test_scoring_rule_changes_and_order(org: Any) -> None:
    first = config.scoring_rule_create(actor=org.admin, **VALID_RULE)
    second = config.scoring_rule_create(actor=org.admin, **{**VALID_RULE, "name": "Second"})
    config.scoring_rule_move(actor=org.admin, rule_id=second.pk, direction="up")
    assert list(ScoringRule.objects.values_list("name", flat=True)) == ["Second", "Rule"]
    config.scoring_rule_update(actor=org.admin, rule_id=first.pk, active=False, points=-7)
    first.refresh_from_db()
    assert (first.active, first.points) == (False, -7)
    config.scoring_rule_delete(actor=org.admin, rule_id=first.pk)
    assert list(ScoringRule.objects.values_list("name", flat=True)) == ["Second"]
    with pytest.raises(RecordNotFound):
        config.scoring_rule_delete(actor=org.admin, rule_id=first.pk)


# --- assignment rules --------------------------------------------------------------------------------


@pytest.fixture
def lead_fields(org: Any) -> None:
    custom_field_create(
        actor=org.admin, record_type="lead", key="segment", label="Segment", field_type="choice", choices=["SMB", "Big"]
    )
    custom_field_create(actor=org.admin, record_type="lead", key="seats", label="Seats", field_type="number")
    custom_field_create(actor=org.admin, record_type="lead", key="deal", label="Deal", field_type="money")
    custom_field_create(
        actor=org.admin, record_type="lead", key="tiers", label="Tiers", field_type="multi_choice", choices=["A", "B"]
    )


def assignment_errors(org: Any, **changes: Any) -> dict[str, list[str]]:
    fields = {"name": "Rule", "assign_to_user": org.salesperson.pk, **changes}
    return errors_of(lambda: config.assignment_rule_create(actor=org.admin, **fields))


def test_assignment_rule_validation(org: Any, lead_fields: None) -> None:
    before = state()
    gone = UserFactory.create(is_active=False)
    user, team = org.salesperson.pk, org.poland.pk
    assert assignment_errors(org, assign_to_user=None) == {"assign_to_user": [str(TARGET_NEEDED)]}
    assert assignment_errors(org, assign_to_user=user, assign_to_team=team) == {"assign_to_user": [str(ONE_TARGET)]}
    assert assignment_errors(org, assign_to_user=gone.pk) == {"assign_to_user": [str(INACTIVE_USER)]}
    unknown = {what: str(UNKNOWN_CHOICE % {"what": what}) for what in ("user", "team", "territory", "lead source")}
    assert assignment_errors(org, assign_to_user=99999) == {"assign_to_user": [unknown["user"]]}
    assert assignment_errors(org, assign_to_user="", assign_to_team="x") == {"assign_to_team": [unknown["team"]]}
    assert assignment_errors(org, territory=99999) == {"territory": [unknown["territory"]]}
    assert assignment_errors(org, source="television") == {"source": [unknown["lead source"]]}
    assert assignment_errors(org, name="") == {"name": [str(NAME_NEEDED)]}
    assert assignment_errors(org, country="Poland; Germany") == {"country": [str(COUNTRIES_COMMAS)]}
    assert assignment_errors(org, custom_field="colour", custom_value="red") == {
        "custom_field": [str(UNKNOWN_CUSTOM_FIELD)]
    }
    assert assignment_errors(org, custom_field="segment") == {"custom_value": [str(CUSTOM_VALUE_NEEDED)]}
    assert assignment_errors(org, custom_value="Big") == {"custom_field": [str(CUSTOM_FIELD_NEEDED)]}
    assert assignment_errors(org, custom_field="deal", custom_value="100") == {
        "custom_field": [str(CUSTOM_FIELD_UNSUITABLE)]
    }
    assert assignment_errors(org, custom_field="seats", custom_value="many") == {
        "custom_value": [str(customfields.NOT_A_NUMBER)]
    }
    assert assignment_errors(org, custom_field="segment", custom_value="Huge") == {
        "custom_value": [str(customfields.NOT_A_CHOICE % {"choices": "SMB, Big"})]
    }
    assert assignment_errors(org, assign_to_user="", assign_to_team=team, team_strategy="random") == {
        "team_strategy": [str(UNKNOWN_STRATEGY)]
    }
    assert state() == before


def test_assignment_rule_values_are_stored_as_leads_store_theirs(org: Any, lead_fields: None) -> None:
    europe = TerritoryFactory.create(name="Europe")

    def created(**fields: Any) -> AssignmentRule:
        return config.assignment_rule_create(actor=org.admin, name="Rule", assign_to_user=org.salesperson.pk, **fields)

    rule = created(country=" Poland ,, Germany,", source="event", territory=str(europe.pk), active="false")
    assert (rule.country, rule.source, rule.territory, rule.active) == (
        "Poland, Germany",
        LeadSource.objects.get(code="event"),
        europe,
        False,
    )
    assert created(custom_field="seats", custom_value="12,50").custom_value == "12.5"
    assert created(custom_field="tiers", custom_value="B").custom_value == "B"


def test_assignment_rule_changes_keep_or_restart_the_turn(org: Any) -> None:
    rule = config.assignment_rule_create(actor=org.admin, name="Team", assign_to_team=org.poland.pk)
    AssignmentRule.objects.filter(pk=rule.pk).update(last_assigned=org.salesperson)
    config.assignment_rule_update(actor=org.admin, rule_id=rule.pk, name="Poland team", country="Poland")
    assert AssignmentRule.objects.get(pk=rule.pk).last_assigned == org.salesperson
    config.assignment_rule_update(actor=org.admin, rule_id=rule.pk, team_strategy=TeamStrategy.FEWEST_OPEN)
    assert AssignmentRule.objects.get(pk=rule.pk).last_assigned is None

    # A rule whose user has left can still be switched off (or pointed at someone else).
    leaver = UserFactory.create()
    personal = config.assignment_rule_create(actor=org.admin, name="Personal", assign_to_user=leaver.pk)
    leaver.is_active = False
    leaver.save()
    config.assignment_rule_update(actor=org.admin, rule_id=personal.pk, active=False, assign_to_user=leaver.pk)
    assert not AssignmentRule.objects.get(pk=personal.pk).active
    assert errors_of(
        lambda: config.assignment_rule_update(
            actor=org.admin, rule_id=rule.pk, assign_to_user=leaver.pk, assign_to_team=""
        )
    ) == {"assign_to_user": [str(INACTIVE_USER)]}
    config.assignment_rule_move(actor=org.admin, rule_id=personal.pk, direction="up")
    assert list(AssignmentRule.objects.values_list("name", flat=True)) == ["Personal", "Poland team"]
    config.assignment_rule_delete(actor=org.admin, rule_id=personal.pk)
    assert AssignmentRule.objects.count() == 1


def test_the_test_box_says_who_would_get_a_lead_and_changes_nothing(org: Any) -> None:
    rule = config.assignment_rule_create(actor=org.admin, name="Poland", country="Poland", assign_to_team=org.poland.pk)
    lead = LeadFactory.create(owner=org.other_salesperson, country="Poland")

    preview = config.assignment_preview(actor=org.admin, lead_id=lead.pk)
    assert (preview.owner, preview.rule) == (org.salesperson, rule)
    preview = config.assignment_preview(actor=org.admin, lead_id=str(lead.pk), country="Germany")
    assert (preview.owner, preview.rule) == (None, None)
    preview = config.assignment_preview(actor=org.admin, country="poland", source="event")
    assert (preview.owner, preview.rule) == (org.salesperson, rule)

    assert AssignmentRule.objects.get().last_assigned is None  # the turn did not move
    assert lead.__class__.objects.get(pk=lead.pk).country == "Poland"
    assert errors_of(lambda: config.assignment_preview(actor=org.admin, lead_id=99999, source="tv")) == {
        "lead": [str(UNKNOWN_CHOICE % {"what": "lead"})],
        "source": [str(UNKNOWN_CHOICE % {"what": "lead source"})],
    }


# --- rights ------------------------------------------------------------------------------------------


def test_only_administrators_change_lead_settings(org: Any) -> None:
    source = LeadSource.objects.get(code="event")
    criterion = QualificationCriterion.objects.get(key="budget")
    scoring = config.scoring_rule_create(actor=org.admin, **VALID_RULE)
    assignment = config.assignment_rule_create(actor=org.admin, name="R", assign_to_user=org.salesperson.pk)
    before = state()
    calls: list[Callable[[Any], Any]] = [
        lambda actor: config.lead_source_create(actor=actor, name="TV"),
        lambda actor: config.lead_source_update(actor=actor, source_id=source.pk, active=False),
        lambda actor: config.lead_source_move(actor=actor, source_id=source.pk, direction="up"),
        lambda actor: config.qualification_criterion_create(actor=actor, name="Champion"),
        lambda actor: config.qualification_criterion_update(actor=actor, criterion_id=criterion.pk, name="B"),
        lambda actor: config.qualification_criterion_move(actor=actor, criterion_id=criterion.pk, direction="down"),
        lambda actor: config.scoring_rule_create(actor=actor, **VALID_RULE),
        lambda actor: config.scoring_rule_update(actor=actor, rule_id=scoring.pk, points=1),
        lambda actor: config.scoring_rule_delete(actor=actor, rule_id=scoring.pk),
        lambda actor: config.scoring_rule_move(actor=actor, rule_id=scoring.pk, direction="up"),
        lambda actor: config.lead_scores_recalculate(actor=actor),
        lambda actor: config.assignment_rule_create(actor=actor, name="R", assign_to_user=actor.pk),
        lambda actor: config.assignment_rule_update(actor=actor, rule_id=assignment.pk, name="X"),
        lambda actor: config.assignment_rule_delete(actor=actor, rule_id=assignment.pk),
        lambda actor: config.assignment_rule_move(actor=actor, rule_id=assignment.pk, direction="up"),
        lambda actor: config.assignment_preview(actor=actor, country="Poland"),
    ]
    for actor in (org.marketing, org.emea_manager, org.salesperson, org.executive):
        for call in calls:
            with pytest.raises(ActionNotAllowed):
                call(actor)
    assert state() == before
