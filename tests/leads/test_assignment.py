"""Assignment rules: which rule wins, what each condition matches, how a team shares its leads,
and who is told."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from rapport.core.models import Notification, User
from rapport.core.services.customfields import custom_field_create
from rapport.leads.assignment import Assigner
from rapport.leads.models import AssignmentRule, Lead, LeadStatus, TeamStrategy
from rapport.leads.services.config import assignment_rule_create, assignment_rule_move
from rapport.leads.services.leads import lead_create, leads_reassign
from tests.factories import LeadFactory, TeamFactory, TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def new_lead(actor: User, **fields: Any) -> Lead:
    return lead_create(actor=actor, last_name=fields.pop("last_name", "Nowak"), **fields)


def owners(actor: User, count: int, **fields: Any) -> list[str]:
    return [new_lead(actor, **fields).owner.email for _ in range(count)]


def test_rules_are_tried_in_order_and_the_first_match_wins(org: Any) -> None:
    by_country = assignment_rule_create(
        actor=org.admin, name="Poland", country="Poland", assign_to_user=org.salesperson.pk
    )
    assignment_rule_create(actor=org.admin, name="Events", source="event", assign_to_user=org.colleague.pk)
    assert new_lead(org.marketing, country="Poland", source="event").owner == org.salesperson
    assert new_lead(org.marketing, country="Germany", source="event").owner == org.colleague

    assignment_rule_move(actor=org.admin, rule_id=by_country.pk, direction="down")
    assert new_lead(org.marketing, country="Poland", source="event").owner == org.colleague
    assert new_lead(org.marketing, country="Poland").owner == org.salesperson


def test_territory_includes_its_sub_territories(org: Any) -> None:
    europe = TerritoryFactory.create(name="Europe")
    poland = TerritoryFactory.create(name="Poland", parent=europe)
    krakow = TerritoryFactory.create(name="Kraków", parent=poland)
    americas = TerritoryFactory.create(name="Americas")
    assignment_rule_create(actor=org.admin, name="Europe", territory=europe.pk, assign_to_user=org.salesperson.pk)

    assert new_lead(org.marketing, territory=krakow.pk).owner == org.salesperson
    assert new_lead(org.marketing, territory=europe.pk).owner == org.salesperson
    assert new_lead(org.marketing, territory=americas.pk).owner == org.marketing
    assert new_lead(org.marketing).owner == org.marketing


@pytest.mark.parametrize(
    ("country", "matches"),
    [
        ("Poland", True),
        ("  POLAND ", True),
        ("polska", True),  # another name of the same country: compared by code
        ("PL", True),
        ("Deutschland", True),  # the rule says DE
        ("Germany", True),
        ("curacao", True),  # accents and case do not matter
        ("United Kingdom", True),  # the rule says UK
        ("GB", True),
        ("France", False),
        ("", False),
    ],
)
def test_country_list_matches_names_and_codes(org: Any, country: str, matches: bool) -> None:
    assignment_rule_create(
        actor=org.admin, name="Our countries", country="Poland, DE ,Curaçao,UK", assign_to_user=org.salesperson.pk
    )
    expected = org.salesperson if matches else org.marketing
    assert new_lead(org.marketing, country=country).owner == expected


def test_source_and_custom_field_conditions(org: Any) -> None:
    custom_field_create(
        actor=org.admin,
        record_type="lead",
        key="segment",
        label="Segment",
        field_type="choice",
        choices=["SMB", "Enterprise"],
    )
    custom_field_create(actor=org.admin, record_type="lead", key="partner_deal", label="Partner", field_type="checkbox")
    assignment_rule_create(
        actor=org.admin,
        name="Enterprise events",
        source="event",
        custom_field="segment",
        custom_value="Enterprise",
        assign_to_user=org.salesperson.pk,
    )
    assignment_rule_create(
        actor=org.admin,
        name="Partners",
        custom_field="partner_deal",
        custom_value="yes",
        assign_to_user=org.colleague.pk,
    )

    enterprise = {"segment": "Enterprise"}
    assert new_lead(org.marketing, source="event", custom_fields=enterprise).owner == org.salesperson
    assert new_lead(org.marketing, source="referral", custom_fields=enterprise).owner == org.marketing
    assert new_lead(org.marketing, source="event", custom_fields={"segment": "SMB"}).owner == org.marketing
    assert new_lead(org.marketing, custom_fields={"partner_deal": True}).owner == org.colleague
    assert new_lead(org.marketing, custom_fields={"partner_deal": False}).owner == org.marketing


def test_round_robin_takes_turns_across_the_team_and_its_sub_teams(org: Any) -> None:
    # EMEA: emea_manager; its sub-team Poland: salesperson, colleague (+ one who left).
    UserFactory.create(email="left@example.com", team=org.poland, is_active=False)
    assignment_rule_create(actor=org.admin, name="EMEA", country="Poland", assign_to_team=org.emea.pk)

    turn = [org.emea_manager.email, org.salesperson.email, org.colleague.email]
    assert owners(org.marketing, 4, country="Poland") == [*turn, turn[0]]

    # The turn is kept on the rule: a fresh Assigner (a new request, an import) continues it.
    picked = Assigner().owner_for(Lead(country="Poland"))
    assert picked is not None and picked[0] == org.salesperson
    assert AssignmentRule.objects.get().last_assigned == org.emea_manager  # not saved: nothing moves
    assert owners(org.admin, 2, country="Poland") == turn[1:]


def test_fewest_open_leads_counts_open_statuses_only(org: Any) -> None:
    assignment_rule_create(
        actor=org.admin,
        name="Poland",
        country="Poland",
        assign_to_team=org.poland.pk,
        team_strategy=TeamStrategy.FEWEST_OPEN,
    )
    for status in (LeadStatus.NEW, LeadStatus.QUALIFIED):
        LeadFactory.create(owner=org.salesperson, status=status)
    LeadFactory.create(owner=org.salesperson, status=LeadStatus.DISQUALIFIED, disqualify_reason="No budget")
    LeadFactory.create(owner=org.salesperson, status=LeadStatus.DISQUALIFIED, disqualify_reason="Student")
    LeadFactory.create(owner=org.salesperson, status=LeadStatus.CONVERTED, converted_at=timezone.now())
    for status in (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.CONTACTED):
        LeadFactory.create(owner=org.colleague, status=status)

    # 2 open against 3 (all leads would be 5 against 3); then 3 against 3 goes to the first member.
    expected = [org.salesperson.email, org.salesperson.email, org.colleague.email]
    assert owners(org.marketing, 3, country="Poland") == expected


def test_inactive_targets_and_empty_teams_pass_to_the_next_rule(org: Any) -> None:
    gone = UserFactory.create(email="gone@example.com", team=org.poland)
    empty = TeamFactory.create(name="Nobody", parent=org.company)
    assignment_rule_create(actor=org.admin, name="Gone", country="Poland", assign_to_user=gone.pk)
    assignment_rule_create(actor=org.admin, name="Empty team", country="Poland", assign_to_team=empty.pk)
    assignment_rule_create(actor=org.admin, name="Fallback", assign_to_user=org.colleague.pk)
    gone.is_active = False
    gone.save()
    assert new_lead(org.marketing, country="Poland").owner == org.colleague


def test_no_rule_leaves_the_creator_and_a_chosen_owner_beats_the_rules(org: Any) -> None:
    assert new_lead(org.salesperson).owner == org.salesperson
    assignment_rule_create(actor=org.admin, name="Everything", assign_to_user=org.colleague.pk)
    assert new_lead(org.marketing, owner=org.other_salesperson.pk).owner == org.other_salesperson
    assert AssignmentRule.objects.get().last_assigned is None
    assert new_lead(org.marketing).owner == org.colleague


def test_the_new_owner_is_told(org: Any) -> None:
    assignment_rule_create(actor=org.admin, name="Poland", country="Poland", assign_to_user=org.salesperson.pk)
    lead = new_lead(org.marketing, first_name="Anna", last_name="Nowak", country="Poland")
    note = Notification.objects.get(recipient=org.salesperson)
    assert (note.message, note.url) == (
        f"{org.marketing} assigned the lead Anna Nowak to you.",
        lead.get_absolute_url(),
    )
    new_lead(org.marketing, country="Germany")  # kept by its creator: nobody to tell
    new_lead(org.salesperson, country="Poland")  # given to its own creator: nothing to tell
    assert Notification.objects.count() == 1


def test_bulk_reassign_tells_once_and_skips_converted_and_unseen_leads(org: Any) -> None:
    mine = [LeadFactory.create(owner=org.salesperson) for _ in range(3)]
    converted = LeadFactory.create(owner=org.salesperson, status=LeadStatus.CONVERTED, converted_at=timezone.now())
    unseen = LeadFactory.create(owner=org.other_salesperson)  # another team: the manager does not see it
    already = LeadFactory.create(owner=org.colleague)

    ids = [lead.pk for lead in [*mine, converted, unseen, already]]
    assert leads_reassign(actor=org.emea_manager, lead_ids=ids, owner_id=org.colleague.pk) == 3

    owners_now = dict(Lead.objects.values_list("pk", "owner_id"))
    assert [owners_now[lead.pk] for lead in mine] == [org.colleague.pk] * 3
    assert (owners_now[converted.pk], owners_now[unseen.pk]) == (org.salesperson.pk, org.other_salesperson.pk)
    note = Notification.objects.get()
    assert (note.recipient, note.message) == (org.colleague, f"{org.emea_manager} assigned 3 leads to you.")
