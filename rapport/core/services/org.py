"""Teams, territories, users, roles and organisation settings — administrators' use cases."""

from __future__ import annotations

import functools
import zoneinfo
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rapport.core.errors import InvalidInput, RuleViolation
from rapport.core.models import OrganisationSettings, Role, RoleCode, RolePermission, Team, Territory, User
from rapport.core.models.org import TreeNode
from rapport.core.services._common import apply_changes, full_clean_or_raise, require_admin

PARENT_CYCLE = _("A node cannot be placed under itself or one of its own children.")
NAME_TAKEN = _("There is already one with this name at this place in the tree.")
NODE_IN_USE = _("This node still has children; move or delete them first.")
EMAIL_TAKEN = _("A user with this e-mail address already exists.")
LAST_ADMIN = _("At least one active administrator must remain.")
CANNOT_DEACTIVATE_SELF = _("You cannot deactivate your own account.")
NOT_OWN_MANAGER = _("A user cannot be their own manager, directly or through their reports.")
UNKNOWN_TIME_ZONE = _("Choose a time zone from the IANA list, e.g. Europe/Warsaw.")
LOGO_TOO_LARGE = _("The logo may be at most 1 MB; make the image smaller and upload it again.")
LOGO_NOT_AN_IMAGE = _("The logo must be a PNG or JPEG image; this file is not one.")
LOGO_TOO_MANY_PIXELS = _("The logo may be at most %(pixels)s pixels wide and high.")
#: the logo printed on quotes: what an upload may be
LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_PIXELS = 5000
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg"}


# --- trees ---------------------------------------------------------------------------------------


def _check_parent(node: TreeNode, parent: TreeNode | None) -> None:
    if parent is None or node.pk is None:
        return
    if parent.pk == node.pk or parent.path.startswith(node.path):
        raise InvalidInput({"parent": [str(PARENT_CYCLE)]})


def _rebuild_paths(node: TreeNode, old_path: str) -> None:
    """Give a node its path from its parent, and carry the new prefix down its subtree."""
    parent = node.parent
    parent_path = parent.path if parent is not None else "/"
    node.path = f"{parent_path}{node.pk}/"
    type(node).objects.filter(pk=node.pk).update(path=node.path)  # type: ignore[attr-defined]
    if old_path and old_path != node.path:
        for descendant in type(node).objects.filter(path__startswith=old_path).exclude(pk=node.pk):  # type: ignore[attr-defined]
            descendant.path = node.path + descendant.path[len(old_path) :]
            descendant.save(update_fields=["path"])


def _check_sibling_name(node: TreeNode) -> None:
    # The database's unique (parent, name) does not cover top-level nodes (NULL parents differ).
    siblings = type(node).objects.filter(parent_id=node.parent_id, name__iexact=node.name.strip())  # type: ignore[attr-defined]
    if siblings.exclude(pk=node.pk).exists():
        raise InvalidInput({"name": [str(NAME_TAKEN)]})


def _node_save(node: TreeNode, changes: dict[str, Any]) -> TreeNode:
    old_path = node.path
    _check_parent(node, changes.get("parent", node.parent))
    apply_changes(node, changes)
    _check_sibling_name(node)
    full_clean_or_raise(node, exclude=["path"])
    node.save()
    _rebuild_paths(node, old_path)
    return node


def _node_delete(node: TreeNode) -> None:
    if type(node).objects.filter(parent=node).exists():  # type: ignore[attr-defined]
        raise RuleViolation(str(NODE_IN_USE))
    node.delete()


@transaction.atomic
def team_create(*, actor: User, name: str, parent: Team | None = None, manager: User | None = None) -> Team:
    """Create a team, optionally under a parent team."""
    require_admin(actor)
    return _node_save(Team(), {"name": name, "parent": parent, "manager": manager})  # type: ignore[return-value]


@transaction.atomic
def team_update(*, actor: User, team: Team, **changes: Any) -> Team:
    """Rename a team, move it in the tree or change its manager."""
    require_admin(actor)
    return _node_save(team, changes)  # type: ignore[return-value]


@transaction.atomic
def team_delete(*, actor: User, team: Team) -> None:
    """Delete an empty team (no sub-teams); its members are left without a team."""
    require_admin(actor)
    _node_delete(team)


@transaction.atomic
def territory_create(*, actor: User, name: str, parent: Territory | None = None) -> Territory:
    """Create a territory, optionally inside a parent territory."""
    require_admin(actor)
    return _node_save(Territory(), {"name": name, "parent": parent})  # type: ignore[return-value]


@transaction.atomic
def territory_update(*, actor: User, territory: Territory, **changes: Any) -> Territory:
    """Rename or move a territory."""
    require_admin(actor)
    return _node_save(territory, changes)  # type: ignore[return-value]


@transaction.atomic
def territory_delete(*, actor: User, territory: Territory) -> None:
    """Delete a territory that has no sub-territories."""
    require_admin(actor)
    _node_delete(territory)


# --- users -----------------------------------------------------------------------------------------


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput({"password": [str(m) for m in exc.messages]}) from exc


def _remaining_admins(excluding: User) -> bool:
    return User.objects.filter(role_id=RoleCode.ADMINISTRATOR, is_active=True).exclude(pk=excluding.pk).exists()


@transaction.atomic
def user_create(*, actor: User, email: str, password: str, **fields: Any) -> User:
    """Create a user who logs in with `email`; the password must pass the password rules."""
    require_admin(actor)
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise InvalidInput({"email": [str(EMAIL_TAKEN)]})
    if "time_zone" in fields:
        _check_time_zone(fields["time_zone"])
    user = User(email=email, **fields)
    full_clean_or_raise(user, exclude=["password"])
    _check_password(password, user)
    user.set_password(password)
    user.save()
    return user


def _check_manager_chain(user: User, manager: User | None) -> None:
    """Refuse a manager who is the user or reports to them, however indirectly (a loop)."""
    seen: set[int] = set()
    while manager is not None and manager.pk not in seen:
        if manager.pk == user.pk:
            raise InvalidInput({"manager": [str(NOT_OWN_MANAGER)]})
        seen.add(manager.pk)
        manager = manager.manager


@transaction.atomic
def user_update(*, actor: User, user: User, password: str | None = None, **changes: Any) -> User:
    """Change a user's profile, role, team, manager…; an administrator keeps at least one admin."""
    require_admin(actor)
    if "email" in changes:
        changes["email"] = str(changes["email"]).strip().lower()
        if User.objects.filter(email__iexact=changes["email"]).exclude(pk=user.pk).exists():
            raise InvalidInput({"email": [str(EMAIL_TAKEN)]})
    if "time_zone" in changes:
        _check_time_zone(changes["time_zone"])
    if changes.get("is_active") is False and user.pk == actor.pk:
        raise RuleViolation(str(CANNOT_DEACTIVATE_SELF))
    _check_manager_chain(user, changes.get("manager"))
    was_admin = user.is_active and user.role_id == RoleCode.ADMINISTRATOR
    apply_changes(user, changes)
    still_admin = user.is_active and user.role_id == RoleCode.ADMINISTRATOR
    if was_admin and not still_admin and not _remaining_admins(user):
        raise RuleViolation(str(LAST_ADMIN))
    full_clean_or_raise(user, exclude=["password"])
    if password:
        _check_password(password, user)
        user.set_password(password)
    user.save()
    return user


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _check_time_zone(time_zone: str) -> None:
    if time_zone not in _time_zones():
        raise InvalidInput({"time_zone": [str(UNKNOWN_TIME_ZONE)]})


@transaction.atomic
def user_update_preferences(
    *,
    actor: User,
    language: str | None = None,
    time_zone: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
) -> User:
    """A person changes their own language, time zone or name (nothing else about themselves)."""
    changes = {
        k: v
        for k, v in {
            "language": language,
            "time_zone": time_zone,
            "first_name": first_name.strip() if first_name is not None else None,
            "last_name": last_name.strip() if last_name is not None else None,
        }.items()
        if v is not None
    }
    if "time_zone" in changes:
        _check_time_zone(changes["time_zone"])
    apply_changes(actor, changes)
    full_clean_or_raise(actor, exclude=["password"])
    actor.save(update_fields=list(changes))
    return actor


# --- roles -------------------------------------------------------------------------------------------


@transaction.atomic
def role_permission_set(
    *,
    actor: User,
    role: Role,
    record_type: str,
    can_create: bool,
    can_read: bool,
    can_edit: bool,
    can_delete: bool,
    scope: str,
) -> RolePermission:
    """Set what a role may do with one record type, and how far it sees."""
    require_admin(actor)
    permission, _created = RolePermission.objects.get_or_create(role=role, record_type=record_type)
    apply_changes(
        permission,
        {
            "can_create": can_create,
            "can_read": can_read,
            "can_edit": can_edit,
            "can_delete": can_delete,
            "scope": scope,
        },
    )
    full_clean_or_raise(permission)
    permission.save()
    return permission


@transaction.atomic
def organisation_update(
    *, actor: User, company_logo: File | None = None, remove_logo: bool = False, **changes: Any
) -> OrganisationSettings:
    """Change the company name, address, logo, currency or the follow-up period for leads.

    A new logo (PNG or JPEG, at most 1 MB, checked to be a real image) replaces the old one;
    `remove_logo` drops it. The replaced file is deleted once the change is committed."""
    require_admin(actor)
    settings_row = OrganisationSettings.objects.select_for_update().get(pk=1)
    if "company_address" in changes:
        changes["company_address"] = _address(changes["company_address"])
    apply_changes(settings_row, changes)
    extension = _checked_logo(company_logo) if company_logo is not None else None
    full_clean_or_raise(settings_row, exclude=["company_logo"])
    old_logo = settings_row.company_logo.name or ""
    if company_logo is not None and extension is not None:
        company_logo.seek(0)
        settings_row.company_logo.save(f"logo.{extension}", company_logo, save=False)
    elif remove_logo:
        settings_row.company_logo = ""
    settings_row.save()
    if old_logo and old_logo != settings_row.company_logo.name:
        storage = settings_row.company_logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    return settings_row


def _address(value: Any) -> str:
    """The address as lines, each trimmed, without empty lines at either end (and without NUL
    characters, which PostgreSQL does not store)."""
    text = str(value or "").replace("\x00", "")
    return "\n".join(line.strip() for line in text.strip().splitlines())


def _checked_logo(upload: File) -> str:
    """The logo's file extension ("png", "jpg") once it is known to be a PNG or JPEG image of at
    most 1 MB that Pillow can read; otherwise the refusal, and nothing is stored."""
    from PIL import Image  # loaded when a logo is uploaded, not by every process

    if upload.size is None or upload.size > LOGO_MAX_BYTES:
        raise InvalidInput({"company_logo": [str(LOGO_TOO_LARGE)]})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidInput({"company_logo": [str(LOGO_NOT_AN_IMAGE)]}) from exc
    finally:
        upload.seek(0)
    if kind not in LOGO_FORMATS:
        raise InvalidInput({"company_logo": [str(LOGO_NOT_AN_IMAGE)]})
    if max(width, height) > LOGO_MAX_PIXELS:
        raise InvalidInput({"company_logo": [str(LOGO_TOO_MANY_PIXELS % {"pixels": LOGO_MAX_PIXELS})]})
    return LOGO_FORMATS[kind]
