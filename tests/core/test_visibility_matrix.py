"""The visibility matrix: each role by its default scope, on accounts and contacts.

Scene: one account and one contact owned by each of six people, named after the owner:

Company          Admin
├── EMEA         Manager (manages EMEA)
│   └── Poland   Sales, Colleague
└── Americas     Other, Dept
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import models

from rapport.core.errors import ActionNotAllowed, RecordNotFound
from rapport.core.models import Role, Scope, User
from rapport.core.services.org import role_permission_set
from rapport.core.visibility import visible_to
from rapport.customers import services
from rapport.customers.models import Account, Contact
from tests.core.support import db_state, fresh, names
from tests.factories import AccountFactory, ContactFactory, TeamFactory, UserFactory

OWNERS = {
    "Admin": "admin",
    "Manager": "emea_manager",
    "Sales": "salesperson",
    "Colleague": "colleague",
    "Other": "other_salesperson",
    "Dept": "department_member",
}
EVERYONE = frozenset(OWNERS)
EMEA = frozenset({"Manager", "Sales", "Colleague"})
AMERICAS = frozenset({"Other", "Dept"})
NONE: frozenset[str] = frozenset()

ROLE_USER = {
    "administrator": "admin",
    "sales_manager": "emea_manager",
    "salesperson": "salesperson",
    "marketing": "marketing",
    "executive": "executive",
    "department_member": "department_member",
}


@dataclass(frozen=True)
class Rights:
    seen: frozenset[str]
    edit: frozenset[str]
    delete: frozenset[str]
    create: bool


# The default rights (rapport.core.reference) as a person would describe them.
MATRIX: dict[tuple[str, str], Rights] = {
    ("administrator", "account"): Rights(EVERYONE, EVERYONE, EVERYONE, True),
    ("administrator", "contact"): Rights(EVERYONE, EVERYONE, EVERYONE, True),
    ("sales_manager", "account"): Rights(EMEA, EMEA, EMEA, True),
    ("sales_manager", "contact"): Rights(EMEA, EMEA, EMEA, True),
    ("salesperson", "account"): Rights(frozenset({"Sales"}), frozenset({"Sales"}), NONE, True),
    ("salesperson", "contact"): Rights(frozenset({"Sales"}), frozenset({"Sales"}), NONE, True),
    ("marketing", "account"): Rights(EVERYONE, NONE, NONE, True),
    ("marketing", "contact"): Rights(EVERYONE, EVERYONE, NONE, True),
    ("executive", "account"): Rights(EVERYONE, NONE, NONE, False),
    ("executive", "contact"): Rights(EVERYONE, NONE, NONE, False),
    ("department_member", "account"): Rights(AMERICAS, NONE, NONE, False),
    ("department_member", "contact"): Rights(AMERICAS, NONE, NONE, False),
}


@dataclass(frozen=True)
class Kind:
    model: type[models.Model]
    update: Callable[..., Any]
    delete: Callable[..., Any]
    create: Callable[..., Any]
    id_arg: str
    create_fields: dict[str, str]

    def get(self, name: str) -> Any:
        if self.model is Account:
            return Account.objects.get(name=name)
        return Contact.objects.get(last_name=name)


KINDS = {
    "account": Kind(
        Account,
        services.account_update,
        services.account_delete,
        services.account_create,
        "account_id",
        {"name": "New"},
    ),
    "contact": Kind(
        Contact,
        services.contact_update,
        services.contact_delete,
        services.contact_create,
        "contact_id",
        {"last_name": "New"},
    ),
}


def make_records(org: Any, owners: dict[str, User] | None = None) -> None:
    owners = owners or {name: getattr(org, attr) for name, attr in OWNERS.items()}
    for name, owner in owners.items():
        AccountFactory.create(name=name, owner=owner)
        ContactFactory.create(first_name="", last_name=name, owner=owner)


@pytest.fixture
def scene(org):
    make_records(org)
    return org


def attempt(fn: Callable[[], Any]) -> str:
    """Run a service call and name the outcome; a refusal must leave the database as it was."""
    before = db_state()
    try:
        fn()
    except RecordNotFound:
        outcome = "hidden"
    except ActionNotAllowed:
        outcome = "refused"
    else:
        return "done"
    assert db_state() == before, f"a refused call changed the database ({outcome})"
    return outcome


def expected_outcomes(allowed: frozenset[str], seen: frozenset[str]) -> dict[str, str]:
    return {n: "done" if n in allowed else "refused" if n in seen else "hidden" for n in EVERYONE}


CASES = sorted(MATRIX)


@pytest.mark.parametrize(("role", "record_type"), CASES)
def test_what_each_role_sees_and_may_act_on(scene, role, record_type):
    actor = getattr(scene, ROLE_USER[role])
    assert actor.role_id == role
    rights, kind = MATRIX[role, record_type], KINDS[record_type]
    assert names(visible_to(actor, kind.model)) == rights.seen
    assert names(visible_to(actor, kind.model, "edit")) == rights.edit
    assert names(visible_to(actor, kind.model, "delete")) == rights.delete


@pytest.mark.parametrize(("role", "record_type"), CASES)
def test_update_outcome_for_every_record(scene, role, record_type):
    actor = getattr(scene, ROLE_USER[role])
    rights, kind = MATRIX[role, record_type], KINDS[record_type]
    outcomes = {
        name: attempt(partial(kind.update, actor=actor, **{kind.id_arg: kind.get(name).pk}, description="Edited"))
        for name in EVERYONE
    }
    assert outcomes == expected_outcomes(rights.edit, rights.seen)
    assert {n for n in EVERYONE if kind.get(n).description == "Edited"} == rights.edit


@pytest.mark.parametrize(("role", "record_type"), CASES)
def test_delete_outcome_for_every_record(scene, role, record_type):
    actor = getattr(scene, ROLE_USER[role])
    rights, kind = MATRIX[role, record_type], KINDS[record_type]
    ids = {name: kind.get(name).pk for name in EVERYONE}
    outcomes = {name: attempt(partial(kind.delete, actor=actor, **{kind.id_arg: pk})) for name, pk in ids.items()}
    assert outcomes == expected_outcomes(rights.delete, rights.seen)
    assert names(kind.model._default_manager.all()) == EVERYONE - rights.delete


@pytest.mark.parametrize(("role", "record_type"), CASES)
def test_create_is_allowed_or_refused_by_role(scene, role, record_type):
    actor = getattr(scene, ROLE_USER[role])
    rights, kind = MATRIX[role, record_type], KINDS[record_type]
    before = db_state()
    if rights.create:
        record = kind.create(actor=actor, **kind.create_fields)
        assert record.owner == actor
        assert names(visible_to(actor, kind.model).filter(pk=record.pk)) == {"New"}
    else:
        with pytest.raises(ActionNotAllowed):
            kind.create(actor=actor, **kind.create_fields)
        assert db_state() == before


# --- team scope ----------------------------------------------------------------------------------


def test_team_scope_covers_sub_teams_and_managed_teams_but_not_siblings_or_parents(org):
    """Americas manager: own team, its sub-team Brazil, and Nordics which they manage from outside."""
    brazil = TeamFactory.create(name="Brazil", parent=org.americas)
    americas_manager = UserFactory.create(role_id="sales_manager", team=org.americas)
    nordics = TeamFactory.create(name="Nordics", parent=org.company, manager=americas_manager)
    assert nordics.manager == americas_manager
    owners = {name: getattr(org, attr) for name, attr in OWNERS.items()}
    owners |= {
        "Americas boss": americas_manager,
        "Brazil rep": UserFactory.create(team=brazil),
        "Nordic rep": UserFactory.create(team=nordics),
        "Teamless": UserFactory.create(team=None),
    }
    make_records(org, owners)
    americas_view = {"Americas boss", "Other", "Dept", "Brazil rep", "Nordic rep"}
    for model in (Account, Contact):
        assert names(visible_to(americas_manager, model)) == americas_view
        assert names(visible_to(org.emea_manager, model)) == EMEA
        # Department member (team scope, Americas): the sub-team yes, the team their manager manages no.
        assert names(visible_to(org.department_member, model)) == {"Americas boss", "Other", "Dept", "Brazil rep"}


def test_team_scope_without_a_team_falls_back_to_own_records(org):
    loner = UserFactory.create(role_id="sales_manager", team=None)
    make_records(org, {"Mine": loner, "Sales": org.salesperson})
    assert names(visible_to(loner, Account)) == {"Mine"}
    assert names(visible_to(loner, Contact)) == {"Mine"}


# --- changing the rights changes the outcome -----------------------------------------------------


def set_rights(admin: User, role: str, record_type: str, **overrides: Any) -> None:
    current: dict[str, Any] = {
        "can_create": True,
        "can_read": True,
        "can_edit": True,
        "can_delete": False,
        "scope": Scope.OWN,
    }
    role_permission_set(actor=admin, role=Role.objects.get(pk=role), record_type=record_type, **(current | overrides))


@pytest.mark.parametrize("record_type", ["account", "contact"])
@pytest.mark.parametrize(
    ("scope", "seen", "colleague_sees"),
    [
        (Scope.OWN, {"Sales"}, {"Colleague"}),
        (Scope.TEAM, {"Sales", "Colleague"}, {"Sales", "Colleague"}),
        (Scope.ALL, EVERYONE, EVERYONE),
    ],
)
def test_changing_a_roles_scope_changes_what_it_sees(scene, record_type, scope, seen, colleague_sees):
    set_rights(scene.admin, "salesperson", record_type, scope=scope)
    kind = KINDS[record_type]
    assert names(visible_to(fresh(scene.salesperson), kind.model)) == seen
    assert names(visible_to(fresh(scene.colleague), kind.model)) == colleague_sees
    # The other record type keeps the default (own) scope.
    other = KINDS["contact" if record_type == "account" else "account"]
    assert names(visible_to(fresh(scene.salesperson), other.model)) == {"Sales"}


@pytest.mark.parametrize("record_type", ["account", "contact"])
def test_removing_read_hides_everything_and_edit_becomes_not_found(scene, record_type):
    set_rights(scene.admin, "salesperson", record_type, can_read=False)
    kind = KINDS[record_type]
    actor = fresh(scene.salesperson)
    assert names(visible_to(actor, kind.model)) == set()
    pk = kind.get("Sales").pk
    assert attempt(lambda: kind.update(actor=actor, **{kind.id_arg: pk}, description="x")) == "hidden"


@pytest.mark.parametrize("record_type", ["account", "contact"])
def test_removing_edit_refuses_changes_to_own_records(scene, record_type):
    kind = KINDS[record_type]
    pk = kind.get("Sales").pk
    set_rights(scene.admin, "salesperson", record_type, can_edit=False)
    actor = fresh(scene.salesperson)
    assert names(visible_to(actor, kind.model)) == {"Sales"}
    assert attempt(lambda: kind.update(actor=actor, **{kind.id_arg: pk}, description="x")) == "refused"


@pytest.mark.parametrize("record_type", ["account", "contact"])
def test_granting_delete_and_create_rights_takes_effect(scene, record_type):
    kind = KINDS[record_type]
    set_rights(scene.admin, "salesperson", record_type, can_delete=True)
    set_rights(scene.admin, "executive", record_type, can_create=True, can_read=True, scope=Scope.ALL)
    sales = fresh(scene.salesperson)
    assert attempt(lambda: kind.delete(actor=sales, **{kind.id_arg: kind.get("Sales").pk})) == "done"
    assert attempt(lambda: kind.delete(actor=sales, **{kind.id_arg: kind.get("Colleague").pk})) == "hidden"
    executive = fresh(scene.executive)
    assert kind.create(actor=executive, **kind.create_fields).owner == executive


# --- inactive users, superusers, anonymous ---------------------------------------------------------


@pytest.mark.parametrize("record_type", ["account", "contact"])
def test_inactive_user_sees_and_does_nothing(scene, record_type):
    kind = KINDS[record_type]
    User.objects.filter(pk=scene.admin.pk).update(is_active=False)
    admin = fresh(scene.admin)
    assert names(visible_to(admin, kind.model)) == set()
    pk = kind.get("Admin").pk
    assert attempt(lambda: kind.update(actor=admin, **{kind.id_arg: pk}, description="x")) == "hidden"
    assert attempt(lambda: kind.delete(actor=admin, **{kind.id_arg: pk})) == "hidden"
    assert attempt(lambda: kind.create(actor=admin, **kind.create_fields)) == "refused"


@pytest.mark.parametrize("record_type", ["account", "contact"])
def test_superuser_sees_and_may_do_everything_whatever_the_role(scene, record_type):
    kind = KINDS[record_type]
    User.objects.filter(pk=scene.department_member.pk).update(is_superuser=True)
    boss = fresh(scene.department_member)
    assert names(visible_to(boss, kind.model)) == EVERYONE
    assert attempt(lambda: kind.update(actor=boss, **{kind.id_arg: kind.get("Sales").pk}, description="x")) == "done"
    assert attempt(lambda: kind.delete(actor=boss, **{kind.id_arg: kind.get("Admin").pk})) == "done"
    assert names(kind.model._default_manager.all()) == EVERYONE - {"Admin"}


@pytest.mark.parametrize("model", [Account, Contact])
def test_anonymous_and_missing_actor_see_nothing(scene, model):
    assert visible_to(AnonymousUser(), model).count() == 0
    assert visible_to(None, model).count() == 0
