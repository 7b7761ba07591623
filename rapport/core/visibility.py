"""Who may see and do what: the one place every page, API route, export, search and count asks.

`visible_to(actor, Model)` is the starting point of every read; `access(...)` fetches one record
for a use case and raises `RecordNotFound` (hidden → 404) or `ActionNotAllowed` (seen, but the
role lacks the right → 403).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeVar

from django.db import models
from django.db.models import Q

from rapport.core import records
from rapport.core.errors import ActionNotAllowed, RecordNotFound
from rapport.core.models import RolePermission, Scope, Team, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

Action = Literal["create", "read", "edit", "delete"]
M = TypeVar("M", bound=models.Model)

_PERMISSIONS_CACHE = "_rapport_permissions"
_TEAM_PATHS_CACHE = "_rapport_team_paths"


def permission_for(actor: User, record_type: str) -> RolePermission | None:
    """The actor's role row for one record type; all rows of the role load in one query, once."""
    cache: dict[str, RolePermission] | None = actor.__dict__.get(_PERMISSIONS_CACHE)
    if cache is None:
        cache = {p.record_type: p for p in RolePermission.objects.filter(role_id=actor.role_id)}
        actor.__dict__[_PERMISSIONS_CACHE] = cache
    return cache.get(record_type)


def forget_cached_rights(actor: User) -> None:
    actor.__dict__.pop(_PERMISSIONS_CACHE, None)
    actor.__dict__.pop(_TEAM_PATHS_CACHE, None)


def _is_active(actor: User | AnonymousUser | None) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.is_active)


def can(actor: User | AnonymousUser | None, action: Action, record_type: str) -> bool:
    """Whether the actor's role allows `action` on this record type at all (scope aside)."""
    if not _is_active(actor):
        return False
    assert isinstance(actor, User)
    if actor.is_superuser:
        return True
    permission = permission_for(actor, record_type)
    return bool(permission and permission.can_read and permission.allows(action))


def scope_of(actor: User, record_type: str) -> str | None:
    if actor.is_superuser:
        return Scope.ALL
    permission = permission_for(actor, record_type)
    return permission.scope if permission and permission.can_read else None


def team_paths(actor: User) -> list[str]:
    """Paths of the teams whose subtrees the actor covers: their own team and any they manage."""
    paths: list[str] | None = actor.__dict__.get(_TEAM_PATHS_CACHE)
    if paths is None:
        paths = list(Team.objects.filter(Q(pk=actor.team_id) | Q(manager=actor)).values_list("path", flat=True))
        actor.__dict__[_TEAM_PATHS_CACHE] = paths
    return paths


def owner_condition(actor: User, scope: str, owner_field: str = "owner") -> Q | None:
    """The filter on a record's owner that a scope allows; None means every record."""
    if scope == Scope.ALL:
        return None
    own = Q(**{f"{owner_field}_id": actor.pk})
    if scope == Scope.OWN:
        return own
    paths = team_paths(actor)
    if not paths:
        return own
    # One `owner IN (the actor and their teams' members)` rather than `owner = me OR owner IN (…)`:
    # the databases can then walk the owner index for the few owners instead of testing every row
    # (measured in docs/performance.md).
    owners = Q(pk=actor.pk)
    for path in paths:
        owners |= Q(team__path__startswith=path)
    return Q(**{f"{owner_field}_id__in": User.objects.filter(owners).values("pk")})


def visible_to(actor: User | AnonymousUser | None, model: type[M], action: Action = "read") -> models.QuerySet[M]:
    """Every record of `model` the actor may see — and, for another action, also act on."""
    queryset: models.QuerySet[M] = model._default_manager.all()
    record_type = records.for_model(model)
    if not can(actor, action, record_type.key):
        return queryset.none()
    assert isinstance(actor, User)
    scope = scope_of(actor, record_type.key)
    if scope is None:
        return queryset.none()
    condition = owner_condition(actor, scope, record_type.owner_field)
    return queryset if condition is None else queryset.filter(condition)


def access(
    actor: User | AnonymousUser | None,
    model: type[M],
    pk: object,
    action: Action = "read",
    queryset: models.QuerySet[M] | None = None,
) -> M:
    """One record for a use case. Hidden or unknown → RecordNotFound; seen but not allowed → ActionNotAllowed."""
    base = queryset if queryset is not None else visible_to(actor, model)
    try:
        record = base.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:  # type: ignore[attr-defined]
        raise RecordNotFound() from exc
    if action != "read" and not can(actor, action, records.for_model(model).key):
        raise ActionNotAllowed()
    return record


def is_visible(actor: User, record: models.Model) -> bool:
    """Whether a (saved) record is within the actor's scope — used to re-check after an edit."""
    return visible_to(actor, type(record)).filter(pk=record.pk).exists()


def require(actor: User | AnonymousUser | None, action: Action, record_type: str) -> None:
    if not can(actor, action, record_type):
        raise ActionNotAllowed()
