"""Teams and territories as trees: create, move, refuse cycles, delete only leaves."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from rapport.core.models import Team, Territory
from rapport.core.services import org as org_services
from rapport.core.services.org import NODE_IN_USE, PARENT_CYCLE
from tests.factories import TerritoryFactory
from tests.settings_pages.conftest import settings_state


def test_tree_page_indents_each_team_under_its_parent(org: Any, admin_client: Client) -> None:
    response = admin_client.get(reverse("settings:teams"))
    rows = [(node.name, node.tree_depth) for node in response.context["rows"]]
    assert rows == [("Company", 0), ("Americas", 1), ("EMEA", 1), ("Poland", 2)]
    html = response.content.decode()
    assert html.index(">Americas<") < html.index(">EMEA<") < html.index(">Poland<")


def test_create_a_team_under_a_parent_with_a_manager(org: Any, admin_client: Client) -> None:
    data = {"name": "Germany", "parent": org.emea.pk, "manager": org.colleague.pk}
    assert admin_client.post(reverse("settings:team_create"), data).status_code == 302
    germany = Team.objects.get(name="Germany")
    assert (germany.parent, germany.manager, germany.path) == (org.emea, org.colleague, f"{org.emea.path}{germany.pk}/")


def test_moving_a_team_under_its_own_sub_team_is_refused(org: Any, admin_client: Client) -> None:
    before = settings_state()
    url = reverse("settings:team_edit", args=[org.emea.pk])
    response = admin_client.post(url, {"name": "EMEA", "parent": org.poland.pk, "manager": org.emea_manager.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == [str(PARENT_CYCLE)]
    assert str(PARENT_CYCLE) in response.content.decode()
    assert settings_state() == before


def test_moving_a_team_carries_its_subtree(org: Any, admin_client: Client) -> None:
    url = reverse("settings:team_edit", args=[org.emea.pk])
    assert admin_client.post(url, {"name": "EMEA", "parent": org.americas.pk}).status_code == 302
    org.poland.refresh_from_db()
    assert org.poland.path == f"{org.americas.path}{org.emea.pk}/{org.poland.pk}/"


def test_delete_asks_first_and_refuses_a_team_with_sub_teams(org: Any, admin_client: Client) -> None:
    url = reverse("settings:team_delete", args=[org.emea.pk])
    assert admin_client.get(url).status_code == 200
    before = settings_state()
    response = admin_client.post(url)
    assert str(NODE_IN_USE) in response.content.decode()
    assert settings_state() == before

    assert admin_client.post(reverse("settings:team_delete", args=[org.poland.pk])).status_code == 302
    assert not Team.objects.filter(pk=org.poland.pk).exists()
    org.salesperson.refresh_from_db()
    assert org.salesperson.team is None


def test_territories_have_the_same_tree_pages(org: Any, admin_client: Client) -> None:
    assert admin_client.post(reverse("settings:territory_create"), {"name": "Europe"}).status_code == 302
    europe = Territory.objects.get(name="Europe")
    assert (
        admin_client.post(reverse("settings:territory_create"), {"name": "Poland", "parent": europe.pk}).status_code
        == 302
    )
    poland = Territory.objects.get(name="Poland")
    response = admin_client.post(
        reverse("settings:territory_edit", args=[europe.pk]), {"name": "Europe", "parent": poland.pk}
    )
    assert response.context["form"].errors["parent"] == [str(PARENT_CYCLE)]
    response = admin_client.post(reverse("settings:territory_delete", args=[europe.pk]))
    assert str(NODE_IN_USE) in response.content.decode()
    rows = admin_client.get(reverse("settings:territories")).context["rows"]
    assert [(n.name, n.tree_depth) for n in rows] == [("Europe", 0), ("Poland", 1)]


def test_a_duplicate_name_under_the_same_parent_is_a_field_error(org: Any, admin_client: Client) -> None:
    asia = TerritoryFactory.create(name="Asia")
    TerritoryFactory.create(name="Japan", parent=asia)
    before = settings_state()
    response = admin_client.post(reverse("settings:territory_create"), {"name": "Japan", "parent": asia.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [str(org_services.NAME_TAKEN)]
    assert settings_state() == before


def test_two_top_level_teams_cannot_share_a_name(org: Any, admin_client: Client) -> None:
    before = settings_state()
    response = admin_client.post(reverse("settings:team_create"), {"name": "company"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [str(org_services.NAME_TAKEN)]
    assert settings_state() == before
