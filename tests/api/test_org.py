"""`/api/v1/teams` and `/api/v1/territories`: everyone reads, administrators write."""

from __future__ import annotations

import pytest

from rapport.core.models import Team, Territory, User
from rapport.core.services.org import NODE_IN_USE, PARENT_CYCLE
from tests.api.conftest import assert_problem, db_snapshot
from tests.factories import TerritoryFactory


def test_teams_list_in_tree_order_with_filters(org, api_for):
    api = api_for(org.department_member)
    body = api.get("teams").json()
    assert body["count"] == 4
    assert [t["name"] for t in body["items"]] == ["Company", "EMEA", "Poland", "Americas"]
    assert body["items"][1] == {
        "id": org.emea.pk,
        "name": "EMEA",
        "parent": org.company.pk,
        "manager": org.emea_manager.pk,
    }
    assert [t["name"] for t in api.get("teams", parent=org.company.pk).json()["items"]] == ["EMEA", "Americas"]
    assert [t["name"] for t in api.get("teams", q="pol").json()["items"]] == ["Poland"]
    assert api.get(f"teams/{org.poland.pk}").json()["parent"] == org.emea.pk
    assert_problem(api.get("teams/999999"), 404)
    assert_problem(api.get("teams", limit=0), 422, {"limit"})


def test_admin_creates_moves_and_deletes_a_team(org, api_for):
    api = api_for(org.admin)
    created = api.post("teams", {"name": "Nordics", "parent": org.emea.pk, "manager": org.emea_manager.pk})
    assert created.status_code == 201, created.content
    team = Team.objects.get(pk=created.json()["id"])
    assert (team.parent, team.manager, team.path) == (org.emea, org.emea_manager, f"{org.emea.path}{team.pk}/")

    moved = api.patch(f"teams/{team.pk}", {"parent": org.americas.pk})
    assert moved.json() == {"id": team.pk, "name": "Nordics", "parent": org.americas.pk, "manager": org.emea_manager.pk}
    team.refresh_from_db()
    assert team.path == f"{org.americas.path}{team.pk}/"

    assert api.patch(f"teams/{team.pk}", {"manager": None}).json()["manager"] is None
    assert api.delete(f"teams/{team.pk}").status_code == 204
    assert not Team.objects.filter(pk=team.pk).exists()


def test_team_rules_are_refused_with_nothing_changed(org, api_for):
    api = api_for(org.admin)
    before = db_snapshot()
    cycle = assert_problem(api.patch(f"teams/{org.emea.pk}", {"parent": org.poland.pk}), 422)
    assert cycle["errors"] == {"parent": [str(PARENT_CYCLE)]}
    assert_problem(api.delete(f"teams/{org.emea.pk}"), 409, detail=str(NODE_IN_USE))
    assert_problem(api.post("teams", {"name": ""}), 422, {"name"})
    assert_problem(api.post("teams", {"name": "X", "parent": 999999}), 422, {"parent"})
    assert_problem(api.post("teams", {"name": "X", "manager": 999999}), 422, {"manager"})
    assert_problem(api.patch(f"teams/{org.emea.pk}", {"name": None}), 422, {"name"})
    assert_problem(api.post("teams", {"name": "Poland", "parent": org.emea.pk}), 422)  # same name, same parent
    assert db_snapshot() == before


@pytest.mark.parametrize("actor", ["emea_manager", "salesperson", "executive", "marketing"])
def test_only_administrators_write_teams_and_territories(org, api_for, actor):
    territory = TerritoryFactory.create(name="Europe")
    api = api_for(getattr(org, actor))
    before = db_snapshot()
    assert_problem(api.post("teams", {"name": "Mine"}), 403)
    assert_problem(api.patch(f"teams/{org.poland.pk}", {"name": "Renamed"}), 403)
    assert_problem(api.delete(f"teams/{org.poland.pk}"), 403)
    assert_problem(api.post("territories", {"name": "Mine"}), 403)
    assert_problem(api.patch(f"territories/{territory.pk}", {"name": "Renamed"}), 403)
    assert_problem(api.delete(f"territories/{territory.pk}"), 403)
    assert db_snapshot() == before


def test_territories_crud(org, api_for):
    api = api_for(org.admin)
    europe = api.post("territories", {"name": "Europe"}).json()
    poland = api.post("territories", {"name": "Poland", "parent": europe["id"]}).json()
    assert poland == {"id": poland["id"], "name": "Poland", "parent": europe["id"]}
    listed = api_for(org.salesperson).get("territories").json()
    assert listed == {"items": [europe, poland], "count": 2}
    assert api.patch(f"territories/{poland['id']}", {"name": "Polska"}).json()["name"] == "Polska"
    assert_problem(api.delete(f"territories/{europe['id']}"), 409)
    cycle = assert_problem(api.patch(f"territories/{europe['id']}", {"parent": poland["id"]}), 422)
    assert cycle["errors"] == {"parent": [str(PARENT_CYCLE)]}
    assert api.delete(f"territories/{poland['id']}").status_code == 204
    assert list(Territory.objects.values_list("name", flat=True)) == ["Europe"]
    assert_problem(api.get(f"territories/{poland['id']}"), 404)


def test_deleting_a_team_leaves_its_members_without_a_team(org, api_for):
    api = api_for(org.admin)
    assert api.delete(f"teams/{org.poland.pk}").status_code == 204
    assert User.objects.get(pk=org.salesperson.pk).team is None
