"""Organisation services: team and territory trees, users, the last administrator, admin-only rights."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from rapport.core.errors import ActionNotAllowed, InvalidInput, RuleViolation
from rapport.core.models import (
    Currency,
    CustomField,
    ExchangeRate,
    OrganisationSettings,
    Role,
    RolePermission,
    Team,
    Territory,
    User,
)
from rapport.core.services.currency import currency_create, exchange_rate_set
from rapport.core.services.customfields import custom_field_create, custom_field_delete, custom_field_update
from rapport.core.services.org import (
    CANNOT_DEACTIVATE_SELF,
    EMAIL_TAKEN,
    LAST_ADMIN,
    NAME_TAKEN,
    NODE_IN_USE,
    NOT_OWN_MANAGER,
    PARENT_CYCLE,
    organisation_update,
    role_permission_set,
    team_create,
    team_delete,
    team_update,
    territory_create,
    territory_delete,
    territory_update,
    user_create,
    user_update,
)
from tests.factories import PASSWORD, UserFactory


def paths(model: type[Team] | type[Territory]) -> dict[str, str]:
    return dict(model.objects.values_list("name", "path"))


# --- trees -----------------------------------------------------------------------------------------


def test_team_paths_follow_the_tree_when_created_and_moved(org):
    nordics = team_create(actor=org.admin, name="Nordics", parent=org.emea)
    sweden = team_create(actor=org.admin, name="Sweden", parent=nordics)
    stockholm = team_create(actor=org.admin, name="Stockholm", parent=sweden)
    c, e, a = org.company.pk, org.emea.pk, org.americas.pk
    n, s, st = nordics.pk, sweden.pk, stockholm.pk
    assert paths(Team)["Stockholm"] == f"/{c}/{e}/{n}/{s}/{st}/"
    assert Team.objects.get(pk=st).depth == 4

    team_update(actor=org.admin, team=Team.objects.get(pk=n), parent=org.americas)
    assert paths(Team) == {
        "Company": f"/{c}/",
        "EMEA": f"/{c}/{e}/",
        "Poland": f"/{c}/{e}/{org.poland.pk}/",
        "Americas": f"/{c}/{a}/",
        "Nordics": f"/{c}/{a}/{n}/",
        "Sweden": f"/{c}/{a}/{n}/{s}/",
        "Stockholm": f"/{c}/{a}/{n}/{s}/{st}/",
    }
    team_update(actor=org.admin, team=Team.objects.get(pk=s), parent=None)
    assert paths(Team)["Sweden"] == f"/{s}/"
    assert paths(Team)["Stockholm"] == f"/{s}/{st}/"
    assert paths(Team)["Nordics"] == f"/{c}/{a}/{n}/"


def test_moving_a_team_moves_what_its_manager_sees(org):
    """Team scope follows the tree: Poland moved under Americas leaves the EMEA manager's view."""
    from rapport.core.visibility import visible_to
    from rapport.customers.models import Account
    from tests.core.support import fresh, names
    from tests.factories import AccountFactory

    AccountFactory.create(name="Sales", owner=org.salesperson)
    assert names(visible_to(fresh(org.emea_manager), Account)) == {"Sales"}
    team_update(actor=org.admin, team=org.poland, parent=org.americas)
    assert names(visible_to(fresh(org.emea_manager), Account)) == set()
    assert names(visible_to(fresh(org.department_member), Account)) == {"Sales"}


@pytest.mark.parametrize("new_parent", ["itself", "child", "grandchild"])
def test_a_team_cannot_move_under_itself_or_its_descendants(org, new_parent):
    berlin = team_create(actor=org.admin, name="Berlin", parent=org.poland)
    parent = {"itself": org.emea, "child": org.poland, "grandchild": berlin}[new_parent]
    before = paths(Team)
    with pytest.raises(InvalidInput) as caught:
        team_update(actor=org.admin, team=org.emea, parent=parent)
    assert caught.value.errors == {"parent": [str(PARENT_CYCLE)]}
    assert paths(Team) == before
    assert Team.objects.get(pk=org.emea.pk).parent == org.company


def test_a_territory_tree_works_the_same_way(org):
    europe = territory_create(actor=org.admin, name="Europe")
    poland = territory_create(actor=org.admin, name="Poland", parent=europe)
    silesia = territory_create(actor=org.admin, name="Silesia", parent=poland)
    with pytest.raises(InvalidInput) as caught:
        territory_update(actor=org.admin, territory=europe, parent=silesia)
    assert caught.value.errors == {"parent": [str(PARENT_CYCLE)]}
    cee = territory_create(actor=org.admin, name="CEE", parent=europe)
    territory_update(actor=org.admin, territory=Territory.objects.get(pk=poland.pk), parent=cee)
    assert paths(Territory)["Silesia"] == f"/{europe.pk}/{cee.pk}/{poland.pk}/{silesia.pk}/"
    with pytest.raises(RuleViolation) as rule:
        territory_delete(actor=org.admin, territory=europe)
    assert rule.value.message == str(NODE_IN_USE)
    territory_delete(actor=org.admin, territory=Territory.objects.get(pk=silesia.pk))
    assert set(paths(Territory)) == {"Europe", "CEE", "Poland"}


def test_a_team_with_sub_teams_cannot_be_deleted_but_a_leaf_can(org):
    with pytest.raises(RuleViolation) as caught:
        team_delete(actor=org.admin, team=org.emea)
    assert caught.value.message == str(NODE_IN_USE)
    assert Team.objects.filter(pk=org.emea.pk).exists()
    team_delete(actor=org.admin, team=org.poland)
    assert not Team.objects.filter(pk=org.poland.pk).exists()
    assert User.objects.get(pk=org.salesperson.pk).team is None


@pytest.mark.parametrize(("name", "parent"), [("Poland", "emea"), ("poland ", "emea"), ("COMPANY", None)])
def test_team_names_are_unique_among_siblings(org, name, parent):
    before = paths(Team)
    with pytest.raises(InvalidInput) as caught:
        team_create(actor=org.admin, name=name, parent=getattr(org, parent) if parent else None)
    assert caught.value.errors == {"name": [str(NAME_TAKEN)]}
    assert paths(Team) == before
    assert team_create(actor=org.admin, name="Poland", parent=org.americas).parent == org.americas


# --- users -----------------------------------------------------------------------------------------


def test_user_create_normalises_the_email_and_sets_a_usable_password(org):
    user = user_create(
        actor=org.admin, email="  Ann.Smith@Example.COM ", password=PASSWORD, role_id="salesperson", team=org.poland
    )
    stored = User.objects.get(pk=user.pk)
    assert stored.email == "ann.smith@example.com"
    assert stored.check_password(PASSWORD)
    assert stored.team == org.poland


@pytest.mark.parametrize("email", ["sales@example.com", "SALES@Example.com", " sales@example.com "])
def test_a_taken_email_is_refused_whatever_its_case(org, email):
    count = User.objects.count()
    with pytest.raises(InvalidInput) as caught:
        user_create(actor=org.admin, email=email, password=PASSWORD)
    assert caught.value.errors == {"email": [str(EMAIL_TAKEN)]}
    with pytest.raises(InvalidInput) as caught:
        user_update(actor=org.admin, user=org.colleague, email=email)
    assert caught.value.errors == {"email": [str(EMAIL_TAKEN)]}
    assert User.objects.count() == count
    assert User.objects.get(pk=org.colleague.pk).email == "colleague@example.com"


@pytest.mark.parametrize("password", ["123", "password", "12345678901", "newperson1"])
def test_a_weak_password_is_refused_with_the_rules_message(org, password):
    try:
        validate_password(password, User(email="newperson1@example.com"))
    except ValidationError as exc:
        expected = exc.messages
    else:  # pragma: no cover — every case above is weak
        pytest.fail("the password rules accepted a weak password")
    with pytest.raises(InvalidInput) as caught:
        user_create(actor=org.admin, email="newperson1@example.com", password=password)
    assert caught.value.errors == {"password": expected}
    assert not User.objects.filter(email="newperson1@example.com").exists()
    with pytest.raises(InvalidInput) as caught:
        user_update(actor=org.admin, user=org.colleague, password="123")
    assert list(caught.value.errors) == ["password"]
    assert User.objects.get(pk=org.colleague.pk).check_password(PASSWORD)


def test_a_user_cannot_be_their_own_manager(org):
    with pytest.raises(InvalidInput) as caught:
        user_update(actor=org.admin, user=org.colleague, manager=org.colleague)
    assert caught.value.errors == {"manager": [str(NOT_OWN_MANAGER)]}


def test_the_last_active_administrator_cannot_be_demoted_or_deactivated(org):
    superuser = UserFactory.create(role_id="salesperson", is_superuser=True)
    for change in ({"role_id": "salesperson"}, {"is_active": False}):
        with pytest.raises(RuleViolation) as caught:
            user_update(actor=superuser, user=User.objects.get(pk=org.admin.pk), **change)
        assert caught.value.message == str(LAST_ADMIN)
    with pytest.raises(RuleViolation) as caught:
        user_update(actor=org.admin, user=User.objects.get(pk=org.admin.pk), role_id="executive")
    assert caught.value.message == str(LAST_ADMIN)
    stored = User.objects.get(pk=org.admin.pk)
    assert (stored.role_id, stored.is_active) == ("administrator", True)

    # With a second administrator, the first may step down.
    second = user_create(actor=org.admin, email="second@example.com", password=PASSWORD, role_id="administrator")
    user_update(actor=second, user=User.objects.get(pk=org.admin.pk), role_id="sales_manager")
    assert User.objects.get(pk=org.admin.pk).role_id == "sales_manager"
    # An inactive administrator does not count.
    with pytest.raises(RuleViolation):
        user_update(actor=superuser, user=User.objects.get(pk=second.pk), is_active=False)


def test_an_administrator_cannot_deactivate_themselves(org):
    UserFactory.create(role_id="administrator")
    with pytest.raises(RuleViolation) as caught:
        user_update(actor=org.admin, user=User.objects.get(pk=org.admin.pk), is_active=False)
    assert caught.value.message == str(CANNOT_DEACTIVATE_SELF)
    assert User.objects.get(pk=org.admin.pk).is_active


def test_an_administrator_changes_a_role_and_the_rights_follow(org):
    role_permission_set(
        actor=org.admin,
        role=Role.objects.get(pk="executive"),
        record_type="account",
        can_create=False,
        can_read=True,
        can_edit=True,
        can_delete=False,
        scope="team",
    )
    permission = RolePermission.objects.get(role_id="executive", record_type="account")
    assert (permission.can_edit, permission.scope) == (True, "team")
    with pytest.raises(InvalidInput) as caught:
        role_permission_set(
            actor=org.admin,
            role=Role.objects.get(pk="executive"),
            record_type="account",
            can_create=False,
            can_read=True,
            can_edit=True,
            can_delete=False,
            scope="galaxy",
        )
    assert list(caught.value.errors) == ["scope"]
    assert RolePermission.objects.get(role_id="executive", record_type="account").scope == "team"


# --- only administrators ---------------------------------------------------------------------------


def org_calls(org: Any) -> dict[str, Callable[[User], Any]]:
    field = CustomField.objects.create(record_type="account", key="tier", label="Tier", field_type="text")
    return {
        "team_create": lambda a: team_create(actor=a, name="New", parent=org.emea),
        "team_update": lambda a: team_update(actor=a, team=org.poland, name="Renamed"),
        "team_move": lambda a: team_update(actor=a, team=org.poland, parent=org.americas),
        "team_delete": lambda a: team_delete(actor=a, team=org.poland),
        "territory_create": lambda a: territory_create(actor=a, name="Europe"),
        "territory_update": lambda a: territory_update(actor=a, territory=org_territory(org), name="Renamed"),
        "territory_delete": lambda a: territory_delete(actor=a, territory=org_territory(org)),
        "user_create": lambda a: user_create(actor=a, email="new@example.com", password=PASSWORD),
        "user_update": lambda a: user_update(actor=a, user=org.colleague, role_id="administrator"),
        "user_deactivate": lambda a: user_update(actor=a, user=org.colleague, is_active=False),
        "role_permission_set": lambda a: role_permission_set(
            actor=a,
            role=Role.objects.get(pk="executive"),
            record_type="account",
            can_create=True,
            can_read=True,
            can_edit=True,
            can_delete=True,
            scope="all",
        ),
        "organisation_update": lambda a: organisation_update(actor=a, company_name="Mine now"),
        "currency_create": lambda a: currency_create(actor=a, code="CHF", name="Swiss franc"),
        "exchange_rate_set": lambda a: exchange_rate_set(
            actor=a, currency=Currency.objects.get(pk="USD"), valid_from=dt.date(2024, 1, 1), rate=Decimal("0.9")
        ),
        "custom_field_create": lambda a: custom_field_create(
            actor=a, record_type="account", key="x", label="X", field_type="text"
        ),
        "custom_field_update": lambda a: custom_field_update(actor=a, field=field, label="Changed"),
        "custom_field_delete": lambda a: custom_field_delete(actor=a, field=field),
    }


def org_territory(org: Any) -> Territory:
    territory = Territory.objects.filter(name="Existing").first()
    if territory is None:
        territory = Territory.objects.create(name="Existing")
        Territory.objects.filter(pk=territory.pk).update(path=f"/{territory.pk}/")
        territory.refresh_from_db()
    return territory


def org_state() -> dict[str, Any]:
    return {
        "teams": list(Team.objects.order_by("pk").values()),
        "territories": list(Territory.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values()),
        "permissions": list(RolePermission.objects.order_by("pk").values()),
        "settings": list(OrganisationSettings.objects.values()),
        "currencies": list(Currency.objects.order_by("pk").values()),
        "rates": list(ExchangeRate.objects.order_by("pk").values()),
        "fields": list(CustomField.objects.order_by("pk").values()),
    }


SERVICE_NAMES = sorted(
    [
        "team_create",
        "team_update",
        "team_move",
        "team_delete",
        "territory_create",
        "territory_update",
        "territory_delete",
        "user_create",
        "user_update",
        "user_deactivate",
        "role_permission_set",
        "organisation_update",
        "currency_create",
        "exchange_rate_set",
        "custom_field_create",
        "custom_field_update",
        "custom_field_delete",
    ]
)


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_every_org_service_refuses_anyone_but_an_active_administrator(org, service):
    calls = org_calls(org)
    assert sorted(calls) == SERVICE_NAMES
    org_territory(org)
    inactive_admin = UserFactory.create(role_id="administrator", is_active=False)
    before = org_state()
    for actor in (
        org.emea_manager,
        org.salesperson,
        org.marketing,
        org.executive,
        org.department_member,
        inactive_admin,
    ):
        with pytest.raises(ActionNotAllowed):
            calls[service](actor)
        assert org_state() == before, actor.role_id
    calls[service](org.admin)
    assert org_state() != before
