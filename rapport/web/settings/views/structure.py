"""Settings: teams and territories (trees), roles and their rights."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from rapport.core import records
from rapport.core.errors import InvalidInput, RuleViolation
from rapport.core.models import (
    Role,
    Scope,
    Team,
    Territory,
)
from rapport.core.models.org import TreeNode
from rapport.core.services import org
from rapport.web.settings import forms as f
from rapport.web.settings.views._common import _actor, _confirm, _page, _saved, administrator_required
from rapport.web.utils import add_domain_error

# --- teams and territories -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeKind:
    """What differs between the team pages and the territory pages."""

    key: str
    model: type[TreeNode]
    form: Callable[..., f.TreeNodeForm]
    title: Promise
    create_title: Promise
    create: Callable[..., TreeNode]
    update: Callable[..., TreeNode]
    delete: Callable[..., None]
    people: str  # the reverse relation to users, for the member count
    list_url: str


TEAMS = TreeKind(
    key="team",
    model=Team,
    form=f.TeamForm,
    title=gettext_lazy("Teams"),
    create_title=gettext_lazy("New team"),
    create=org.team_create,
    update=lambda *, actor, node, **changes: org.team_update(actor=actor, team=node, **changes),
    delete=lambda *, actor, node: org.team_delete(actor=actor, team=node),
    people="members",
    list_url="settings:teams",
)
TERRITORIES = TreeKind(
    key="territory",
    model=Territory,
    form=f.TerritoryForm,
    title=gettext_lazy("Territories"),
    create_title=gettext_lazy("New territory"),
    create=org.territory_create,
    update=lambda *, actor, node, **changes: org.territory_update(actor=actor, territory=node, **changes),
    delete=lambda *, actor, node: org.territory_delete(actor=actor, territory=node),
    people="users",
    list_url="settings:territories",
)
TREE_KINDS = {"team": TEAMS, "territory": TERRITORIES}


def tree_rows(nodes: list[Any]) -> list[Any]:
    """Nodes in tree order (each under its parent, siblings by name), each with its `depth` set."""
    children: dict[int | None, list[Any]] = {}
    known = {node.pk for node in nodes}
    for node in nodes:
        parent = node.parent_id if node.parent_id in known else None
        children.setdefault(parent, []).append(node)
    ordered: list[Any] = []

    def walk(parent: int | None, depth: int) -> None:
        for node in sorted(children.get(parent, []), key=lambda n: n.name.lower()):
            node.tree_depth = depth
            ordered.append(node)
            walk(node.pk, depth + 1)

    walk(None, 0)
    return ordered


@administrator_required
@require_GET
def tree_list(request: HttpRequest, kind: str) -> HttpResponse:
    tree = TREE_KINDS[kind]
    nodes: QuerySet[Any] = tree.model._default_manager.annotate(people=Count(tree.people))
    if kind == "team":
        nodes = nodes.select_related("manager")
    return _page(request, "tree.html", {"tree": tree, "rows": tree_rows(list(nodes))})


@administrator_required
@require_http_methods(["GET", "POST"])
def tree_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    tree = TREE_KINDS[kind]
    node = get_object_or_404(tree.model, pk=pk) if pk is not None else None
    form = tree.form(request.POST or None, node=node)
    if request.method == "POST" and form.is_valid():
        try:
            if node is None:
                node = tree.create(actor=_actor(request), **form.cleaned_data)
            else:
                tree.update(actor=_actor(request), node=node, **form.cleaned_data)
        except (InvalidInput, RuleViolation) as exc:
            if node is not None and node.pk is not None:
                node.refresh_from_db()
            add_domain_error(form, exc)
        else:
            return _saved(request, _("%(name)s was saved.") % {"name": node}, tree.list_url)
    return _page(request, "tree_form.html", {"tree": tree, "form": form, "target": node})


@administrator_required
@require_http_methods(["GET", "POST"])
def tree_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    tree = TREE_KINDS[kind]
    node = get_object_or_404(tree.model, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            tree.delete(actor=_actor(request), node=node)
        except (InvalidInput, RuleViolation) as exc:
            error = exc.message
        else:
            return _saved(request, _("%(name)s was deleted.") % {"name": node}, tree.list_url)
    names = {"name": node}
    message = (
        _("People in %(name)s will be left without a team.") % names
        if kind == "team"
        else _("People and accounts in %(name)s will be left without a territory.") % names
    )
    return _confirm(
        request,
        title=_("Delete %(name)s?") % names,
        message=message,
        button=gettext_lazy("Delete"),
        cancel_url=reverse(tree.list_url),
        error=error,
    )


# --- roles and rights ----------------------------------------------------------------------------------


@administrator_required
@require_GET
def role_list(request: HttpRequest) -> HttpResponse:
    roles = Role.objects.annotate(people=Count("users", filter=Q(users__is_active=True)))
    rows = [{"role": role, "label": f.role_label(role), "people": role.people} for role in roles]
    return _page(request, "roles.html", {"rows": rows})


@administrator_required
@require_http_methods(["GET", "POST"])
def role_matrix(request: HttpRequest, code: str) -> HttpResponse:
    role = get_object_or_404(Role, code=code)
    form = f.RoleMatrixForm(request.POST or None, role=role, record_types=records.all_types())
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the whole matrix is saved, or none of it
                for key in form.changed_types():
                    org.role_permission_set(actor=_actor(request), role=role, record_type=key, **form.values_for(key))
        except (InvalidInput, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            return _saved(
                request, _("Rights of %(role)s were saved.") % {"role": f.role_label(role)}, "settings:role", code
            )
    context = {
        "role": role,
        "role_label": f.role_label(role),
        "roles": [(r, f.role_label(r)) for r in Role.objects.all()],
        "form": form,
        "actions": [f.ACTION_LABELS[a] for a in f.ACTIONS],
        "scopes": Scope.choices,
    }
    return _page(request, "role_matrix.html", context)
