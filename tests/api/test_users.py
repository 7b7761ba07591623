"""`/api/v1/users`, `/users/me` and `/users/me/tokens`."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rapport.core.errors import NOT_ALLOWED
from rapport.core.listing import UNKNOWN_ORDER
from rapport.core.models import ApiToken, User
from rapport.core.services.org import CANNOT_DEACTIVATE_SELF, EMAIL_TAKEN, NOT_OWN_MANAGER, UNKNOWN_TIME_ZONE
from tests.api.conftest import ApiClient, assert_problem, db_snapshot
from tests.factories import PASSWORD, TerritoryFactory

USER_KEYS = {
    "id",
    "email",
    "first_name",
    "last_name",
    "role",
    "team",
    "territory",
    "manager",
    "language",
    "time_zone",
    "hourly_cost_rate",
    "is_active",
}


def _emails(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [u["email"] for u in response.json()["items"]]


# --- list and read -----------------------------------------------------------------------------


def test_any_user_lists_users_without_password_hashes(org, api_for):
    response = api_for(org.department_member).get("users", limit=200)
    body = response.json()
    assert body["count"] == User.objects.count() == 8
    assert len(body["items"]) == 8
    assert all(set(item) == USER_KEYS for item in body["items"])
    assert b"password" not in response.content and b"md5$" not in response.content
    me = next(u for u in body["items"] if u["email"] == org.salesperson.email)
    assert me == {
        "id": org.salesperson.pk,
        "email": "sales@example.com",
        "first_name": org.salesperson.first_name,
        "last_name": org.salesperson.last_name,
        "role": "salesperson",
        "team": org.poland.pk,
        "territory": None,
        "manager": org.emea_manager.pk,
        "language": "en",
        "time_zone": "UTC",
        "hourly_cost_rate": "0.00",
        "is_active": True,
    }


def test_user_filters(org, api_for):
    api = api_for(org.salesperson)
    assert _emails(api.get("users", role="salesperson", ordering="email")) == [
        "colleague@example.com",
        "other@example.com",
        "sales@example.com",
    ]
    # a team includes its sub-teams
    assert set(_emails(api.get("users", team=org.emea.pk))) == {
        "emea.manager@example.com",
        "sales@example.com",
        "colleague@example.com",
    }
    assert _emails(api.get("users", q="COLLEAGUE@")) == ["colleague@example.com"]
    org.colleague.first_name, org.colleague.last_name = "Zofia", "Wiśniewska"
    org.colleague.save()
    assert _emails(api.get("users", q="zofia wiśn")) == ["colleague@example.com"]
    org.other_salesperson.is_active = False
    org.other_salesperson.save()
    assert _emails(api.get("users", is_active="false")) == ["other@example.com"]
    assert len(_emails(api.get("users", is_active="true"))) == 7


def test_user_ordering_and_pagination(org, api_for):
    api = api_for(org.salesperson)
    everyone = sorted(User.objects.values_list("email", flat=True))
    assert _emails(api.get("users", ordering="email", limit=200)) == everyone
    assert _emails(api.get("users", ordering="-email", limit=200)) == everyone[::-1]
    page2 = api.get("users", ordering="email", limit=3, page=2).json()
    assert page2["count"] == 8
    assert [u["email"] for u in page2["items"]] == everyone[3:6]


def test_bad_user_list_parameters_are_422_naming_them(org, api_for):
    api = api_for(org.salesperson)
    body = assert_problem(api.get("users", ordering="password"), 422, {"ordering"})
    assert body["errors"]["ordering"] == [
        str(UNKNOWN_ORDER % {"choices": "email, -email, name, -name, role, -role, created, -created"})
    ]
    assert_problem(api.get("users", limit=201), 422, {"limit"})
    assert_problem(api.get("users", role="king"), 422, {"role"})
    assert_problem(api.get("users", team="x"), 422, {"team"})


def test_get_one_user_and_unknown_is_404(org, api_for):
    api = api_for(org.marketing)
    assert api.get(f"users/{org.admin.pk}").json()["role"] == "administrator"
    assert_problem(api.get("users/999999"), 404)


# --- create ------------------------------------------------------------------------------------


def test_admin_creates_a_user(org, api_for):
    territory = TerritoryFactory.create(name="Baltics")
    response = api_for(org.admin).post(
        "users",
        {
            "email": "New.Person@Example.com",
            "password": PASSWORD,
            "first_name": "Nowa",
            "last_name": "Osoba",
            "role": "sales_manager",
            "team": org.emea.pk,
            "territory": territory.pk,
            "manager": org.emea_manager.pk,
            "language": "pl",
            "time_zone": "Europe/Warsaw",
            "hourly_cost_rate": "45.50",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    user = User.objects.get(pk=body["id"])
    assert body["email"] == user.email == "new.person@example.com"
    assert (user.role_id, user.team, user.territory, user.manager) == (
        "sales_manager",
        org.emea,
        territory,
        org.emea_manager,
    )
    assert (user.language, user.time_zone, user.hourly_cost_rate) == ("pl", "Europe/Warsaw", Decimal("45.50"))
    assert user.check_password(PASSWORD)
    assert "password" not in body


@pytest.mark.parametrize("role", ["salesperson", "sales_manager", "marketing", "executive", "department_member"])
def test_only_administrators_create_users(org, api_for, role):
    api = api_for(User.objects.filter(role_id=role).first())
    before = db_snapshot()
    response = api.post("users", {"email": "x@example.com", "password": PASSWORD, "team": 999999})
    assert_problem(response, 403, detail=str(NOT_ALLOWED))
    assert db_snapshot() == before


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"password": PASSWORD}, {"email"}),
        ({"email": "a@example.com"}, {"password"}),
        ({"email": "not-an-address", "password": PASSWORD}, {"email"}),
        ({"email": "a@example.com", "password": "123"}, {"password"}),
        ({"email": "a@example.com", "password": PASSWORD, "role": "king"}, {"role"}),
        ({"email": "a@example.com", "password": PASSWORD, "team": 999999}, {"team"}),
        ({"email": "a@example.com", "password": PASSWORD, "manager": 999999}, {"manager"}),
        ({"email": "a@example.com", "password": PASSWORD, "territory": 999999}, {"territory"}),
        ({"email": "a@example.com", "password": PASSWORD, "language": "xx"}, {"language"}),
        ({"email": "a@example.com", "password": PASSWORD, "time_zone": "Mars/Base"}, {"time_zone"}),
        ({"email": "a@example.com", "password": PASSWORD, "hourly_cost_rate": "-1"}, {"hourly_cost_rate"}),
        ({"email": "a@example.com", "password": PASSWORD, "hourly_cost_rate": "1.234"}, {"hourly_cost_rate"}),
        ({"email": "SALES@example.com", "password": PASSWORD}, {"email"}),
    ],
)
def test_invalid_user_is_422_and_nothing_is_created(org, api_for, body, fields):
    count = User.objects.count()
    assert_problem(api_for(org.admin).post("users", body), 422, fields)
    assert User.objects.count() == count


def test_duplicate_email_and_bad_time_zone_messages(org, api_for):
    api = api_for(org.admin)
    taken = assert_problem(api.post("users", {"email": "sales@example.com", "password": PASSWORD}), 422)
    assert taken["errors"] == {"email": [str(EMAIL_TAKEN)]}
    zone = api.post("users", {"email": "z@example.com", "password": PASSWORD, "time_zone": "Mars/Base"})
    assert assert_problem(zone, 422)["errors"] == {"time_zone": [str(UNKNOWN_TIME_ZONE)]}


def test_malformed_json_is_a_400_problem(org, api_for):
    api = api_for(org.admin)
    response = api.client.post("/api/v1/users", "{not json", content_type="application/json")
    assert_problem(response, 400)


# --- change ------------------------------------------------------------------------------------


def test_admin_changes_a_user_partially_and_sets_password(org, api_for):
    api = api_for(org.admin)
    response = api.patch(
        f"users/{org.salesperson.pk}", {"role": "sales_manager", "team": None, "password": "another-long-pass-42"}
    )
    assert response.status_code == 200, response.content
    user = User.objects.get(pk=org.salesperson.pk)
    assert (user.role_id, user.team_id, user.manager_id) == ("sales_manager", None, org.emea_manager.pk)
    assert user.first_name == org.salesperson.first_name
    assert user.check_password("another-long-pass-42")


def test_admin_deactivates_a_user_and_their_token_stops_working(org, api_for):
    victim = api_for(org.colleague)
    assert victim.get("users/me").status_code == 200
    response = api_for(org.admin).patch(f"users/{org.colleague.pk}", {"is_active": False})
    assert response.json()["is_active"] is False
    assert_problem(victim.get("users/me"), 401)


def test_admin_cannot_deactivate_themselves_or_be_own_manager(org, api_for):
    api = api_for(org.admin)
    assert_problem(api.patch(f"users/{org.admin.pk}", {"is_active": False}), 409, detail=str(CANNOT_DEACTIVATE_SELF))
    body = assert_problem(api.patch(f"users/{org.salesperson.pk}", {"manager": org.salesperson.pk}), 422)
    assert body["errors"] == {"manager": [str(NOT_OWN_MANAGER)]}
    assert User.objects.get(pk=org.admin.pk).is_active


def test_null_for_a_required_user_field_is_422(org, api_for):
    assert_problem(api_for(org.admin).patch(f"users/{org.salesperson.pk}", {"email": None}), 422, {"email"})


@pytest.mark.parametrize("actor", ["salesperson", "emea_manager", "executive"])
def test_non_admins_cannot_change_users_not_even_themselves(org, api_for, actor):
    user = getattr(org, actor)
    api = api_for(user)
    before = db_snapshot()
    assert_problem(api.patch(f"users/{user.pk}", {"role": "administrator"}), 403)
    assert_problem(api.patch(f"users/{org.colleague.pk}", {"is_active": False}), 403)
    assert db_snapshot() == before


def test_there_is_no_delete_of_users(org, api_for):
    response = api_for(org.admin).delete(f"users/{org.colleague.pk}")
    assert response.status_code == 405
    assert User.objects.filter(pk=org.colleague.pk, is_active=True).exists()


# --- me ----------------------------------------------------------------------------------------


def test_me_and_changing_my_preferences(org, api_for):
    api = api_for(org.salesperson)
    assert api.get("users/me").json()["id"] == org.salesperson.pk
    response = api.patch(
        "users/me",
        {"first_name": " Ania ", "language": "pl", "time_zone": "Europe/Warsaw", "role": "administrator"},
    )
    assert response.status_code == 200, response.content
    user = User.objects.get(pk=org.salesperson.pk)
    assert (user.first_name, user.last_name, user.language, user.time_zone, user.role_id) == (
        "Ania",
        org.salesperson.last_name,
        "pl",
        "Europe/Warsaw",
        "salesperson",
    )


def test_bad_preferences_are_422_and_change_nothing(org, api_for):
    api = api_for(org.salesperson)
    before = db_snapshot()
    body = assert_problem(api.patch("users/me", {"time_zone": "Nowhere/Land", "first_name": "X"}), 422)
    assert body["errors"] == {"time_zone": [str(UNKNOWN_TIME_ZONE)]}
    assert_problem(api.patch("users/me", {"language": "tlh"}), 422, {"language"})
    assert_problem(api.patch("users/me", {"first_name": "x" * 151}), 422, {"first_name"})
    assert db_snapshot() == before


# --- tokens ------------------------------------------------------------------------------------


def test_create_list_and_revoke_my_tokens(org, api_for):
    api = api_for(org.salesperson)
    created = api.post("users/me/tokens", {"name": "Zapier"})
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "token"}
    assert body["token"].startswith(body["prefix"]) and body["name"] == "Zapier"

    new_client = ApiClient(body["token"])
    assert new_client.get("users/me").json()["id"] == org.salesperson.pk

    listed = api.get("users/me/tokens").json()
    assert {t["name"] for t in listed} == {"tests", "Zapier"}
    assert all("token" not in t for t in listed)
    assert body["token"].encode() not in api.get("users/me/tokens").content

    assert api.delete(f"users/me/tokens/{body['id']}").status_code == 204
    assert ApiToken.objects.get(pk=body["id"]).revoked_at is not None
    assert_problem(new_client.get("users/me"), 401)
    assert_problem(api.delete(f"users/me/tokens/{body['id']}"), 404)  # already revoked


def test_someone_elses_token_is_404_even_for_an_admin_through_me(org, api_for):
    other = api_for(org.colleague)
    token_id = other.post("users/me/tokens", {"name": "theirs"}).json()["id"]
    for actor in (org.salesperson, org.admin):
        api = api_for(actor)
        assert_problem(api.delete(f"users/me/tokens/{token_id}"), 404)
        assert token_id not in {t["id"] for t in api.get("users/me/tokens").json()}
    assert ApiToken.objects.get(pk=token_id).revoked_at is None


def test_token_name_is_validated(org, api_for):
    api = api_for(org.salesperson)
    assert_problem(api.post("users/me/tokens", {"name": ""}), 422, {"name"})
    assert_problem(api.post("users/me/tokens", {"name": "x" * 101}), 422, {"name"})
    assert ApiToken.objects.filter(user=org.salesperson).count() == 1
