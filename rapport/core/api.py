"""Core API: `/api/v1/users`, `/users/me` (+ tokens), `/teams`, `/territories`, `/jobs`.

Schemas in, a service or selector, schemas out. Any signed-in person may read users, teams and
territories (a CRM needs them to pick owners); only administrators change them (the services
check). Users are never deleted through the API: `PATCH /users/{id}` with `{"is_active": false}`
deactivates one, which keeps their records and history intact.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status

from rapport.core.api_support import ListOut, actor_of
from rapport.core.errors import InvalidInput, RecordNotFound
from rapport.core.listing import UNKNOWN_ORDER, paginate
from rapport.core.models import ApiToken, Job, JobStatus, RoleCode, Team, Territory, User
from rapport.core.selectors import job_get, tokens_of
from rapport.core.services import org, tokens
from rapport.core.services._common import require_admin

users_router = Router(tags=["users"])
me_router = Router(tags=["users"])
teams_router = Router(tags=["teams"])
territories_router = Router(tags=["territories"])
jobs_router = Router(tags=["jobs"])

UNKNOWN_REFERENCE = _("Choose an existing %(what)s.")
NO_FILE = _("This job has no file to download.")

USER_ORDERINGS: dict[str, tuple[str, ...]] = {
    "email": ("email",),
    "name": ("first_name", "last_name", "email"),
    "role": ("role_id", "first_name", "last_name"),
    "created": ("date_joined",),
}


# --- helpers -------------------------------------------------------------------------------------


def _resolve[M: Model](queryset: QuerySet[M], field: str, value: int | None, what: Any) -> M | None:
    """The record an id names, or InvalidInput on `field` (an id from the request body)."""
    if value is None:
        return None
    try:
        return queryset.get(pk=value)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise InvalidInput({field: [str(UNKNOWN_REFERENCE % {"what": what})]}) from exc


def _get_or_404[M: Model](queryset: QuerySet[M], pk: Any) -> M:
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise RecordNotFound() from exc


def _order_by(raw: str | None, orderings: dict[str, tuple[str, ...]], default: str) -> list[str]:
    raw = raw or default
    key = raw.lstrip("-")
    if key not in orderings:
        choices = ", ".join(name for k in orderings for name in (k, f"-{k}"))
        raise InvalidInput({"ordering": [str(UNKNOWN_ORDER % {"choices": choices})]})
    descending = raw.startswith("-")
    return [f"-{f}" if descending else f for f in orderings[key]] + ["-id" if descending else "id"]


def _team_subtree(team_id: int) -> Q:
    path = Team.objects.filter(pk=team_id).values_list("path", flat=True).first() or "/-/"
    return Q(team__path__startswith=path)


# --- users ---------------------------------------------------------------------------------------


class UserOut(Schema):
    """A person; never their password hash."""

    id: int
    email: str
    first_name: str
    last_name: str
    role: RoleCode = Field(..., alias="role_id")
    team: int | None = Field(None, alias="team_id")
    territory: int | None = Field(None, alias="territory_id")
    manager: int | None = Field(None, alias="manager_id")
    language: str
    time_zone: str
    hourly_cost_rate: Decimal
    is_active: bool


class UserIn(Schema):
    email: str = Field(..., min_length=3, max_length=254)
    password: str = Field(..., min_length=1, max_length=128)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    role: RoleCode = RoleCode.SALESPERSON
    team: int | None = None
    territory: int | None = None
    manager: int | None = None
    language: str = Field("en", max_length=10)
    time_zone: str = Field("UTC", max_length=64, description="An IANA time zone, e.g. Europe/Warsaw.")
    hourly_cost_rate: Decimal = Field(Decimal("0.00"), ge=0, max_digits=12, decimal_places=2)


class UserPatch(Schema):
    email: str | None = Field(None, min_length=3, max_length=254)
    password: str | None = Field(None, min_length=1, max_length=128)
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    role: RoleCode | None = None
    team: int | None = None
    territory: int | None = None
    manager: int | None = None
    language: str | None = Field(None, max_length=10)
    time_zone: str | None = Field(None, max_length=64)
    hourly_cost_rate: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    is_active: bool | None = Field(None, description="false deactivates the user (users are never deleted).")


class UserFilters(Schema):
    q: str | None = Field(None, max_length=200, description="Words found in the e-mail or name.")
    role: RoleCode | None = None
    team: int | None = Field(None, description="A team id; members of its sub-teams are included.")
    is_active: bool | None = None
    ordering: str | None = Field(None, description="email, name, role, created; prefix - to reverse.")
    page: int = Field(1, ge=1)
    limit: int = Field(50, ge=1, le=200)


_NOT_NULL_USER_FIELDS = ("email", "first_name", "last_name", "role", "language", "time_zone", "hourly_cost_rate")


def _user_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Body fields → model attributes: ids become records, `role` becomes `role_id`."""
    errors = {
        name: [str(_("This field cannot be empty."))]
        for name in _NOT_NULL_USER_FIELDS
        if name in data and data[name] is None
    }
    if errors:
        raise InvalidInput(errors)
    fields = dict(data)
    if "role" in fields:
        fields["role_id"] = str(fields.pop("role"))
    if "team" in fields:
        fields["team"] = _resolve(Team.objects.all(), "team", fields["team"], _("team"))
    if "territory" in fields:
        fields["territory"] = _resolve(Territory.objects.all(), "territory", fields["territory"], _("territory"))
    if "manager" in fields:
        fields["manager"] = _resolve(User.objects.all(), "manager", fields["manager"], _("user"))
    return fields


@users_router.get("", response=ListOut[UserOut], summary="List users")
def list_users(request: HttpRequest, filters: Query[UserFilters]) -> dict[str, Any]:
    actor_of(request)
    queryset = User.objects.all()
    for word in (filters.q or "").split():
        queryset = queryset.filter(
            Q(email__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word)
        )
    if filters.role is not None:
        queryset = queryset.filter(role_id=filters.role)
    if filters.team is not None:
        queryset = queryset.filter(_team_subtree(filters.team))
    if filters.is_active is not None:
        queryset = queryset.filter(is_active=filters.is_active)
    queryset = queryset.order_by(*_order_by(filters.ordering, USER_ORDERINGS, "name"))
    page = paginate(queryset, filters.page, filters.limit)
    return {"items": page.items, "count": page.count}


@users_router.post("", response={201: UserOut}, summary="Create a user (administrators)")
def create_user(request: HttpRequest, payload: UserIn) -> Status[User]:
    actor = actor_of(request)
    require_admin(actor)
    fields = _user_fields(payload.dict())
    email, password = fields.pop("email"), fields.pop("password")
    return Status(201, org.user_create(actor=actor, email=email, password=password, **fields))


@users_router.get("/{int:user_id}", response=UserOut, summary="Get a user")
def get_user(request: HttpRequest, user_id: int) -> User:
    actor_of(request)
    return _get_or_404(User.objects.all(), user_id)


@users_router.patch("/{int:user_id}", response=UserOut, summary="Change a user (administrators)")
def update_user(request: HttpRequest, user_id: int, payload: UserPatch) -> User:
    actor = actor_of(request)
    user = _get_or_404(User.objects.all(), user_id)
    require_admin(actor)
    fields = _user_fields(payload.dict(exclude_unset=True))
    password = fields.pop("password", None)
    return org.user_update(actor=actor, user=user, password=password, **fields)


# --- me and my tokens ----------------------------------------------------------------------------


class MePatch(Schema):
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    language: str | None = Field(None, max_length=10)
    time_zone: str | None = Field(None, max_length=64, description="An IANA time zone, e.g. Europe/Warsaw.")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(..., description="The first characters of the token, to recognise it.")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The token itself. It is shown this once and never again.")


class TokenIn(Schema):
    name: str = Field("API", min_length=1, max_length=100)


@me_router.get("", response=UserOut, summary="The signed-in user")
def get_me(request: HttpRequest) -> User:
    return actor_of(request)


@me_router.patch("", response=UserOut, summary="Change my name, language or time zone")
def update_me(request: HttpRequest, payload: MePatch) -> User:
    return org.user_update_preferences(actor=actor_of(request), **payload.dict(exclude_none=True))


@me_router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def list_tokens(request: HttpRequest) -> QuerySet[ApiToken]:
    return tokens_of(actor_of(request))


@me_router.post("/tokens", response={201: TokenCreatedOut}, summary="Create an API token")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    token, clear = tokens.token_issue(actor=actor_of(request), name=payload.name.strip())
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": clear})


@me_router.delete("/tokens/{int:token_id}", response={204: None}, summary="Revoke one of my API tokens")
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    actor = actor_of(request)
    # Through `/me`, only one's own tokens, administrators included.
    if not tokens_of(actor).filter(pk=token_id).exists():
        raise RecordNotFound()
    tokens.token_revoke(actor=actor, token_id=token_id)
    return Status(204, None)


# --- teams and territories -----------------------------------------------------------------------


class TeamOut(Schema):
    id: int
    name: str
    parent: int | None = Field(None, alias="parent_id")
    manager: int | None = Field(None, alias="manager_id")


class TeamIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    parent: int | None = None
    manager: int | None = None


class TeamPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    parent: int | None = None
    manager: int | None = None


class TerritoryOut(Schema):
    id: int
    name: str
    parent: int | None = Field(None, alias="parent_id")


class TerritoryIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    parent: int | None = None


class TerritoryPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    parent: int | None = None


class TreeFilters(Schema):
    q: str | None = Field(None, max_length=200, description="Words found in the name.")
    parent: int | None = Field(None, description="Direct children of this node.")
    page: int = Field(1, ge=1)
    limit: int = Field(50, ge=1, le=200)


def _tree_list(queryset: QuerySet[Any], filters: TreeFilters) -> dict[str, Any]:
    for word in (filters.q or "").split():
        queryset = queryset.filter(name__icontains=word)
    if filters.parent is not None:
        queryset = queryset.filter(parent_id=filters.parent)
    page = paginate(queryset.order_by("path", "id"), filters.page, filters.limit)
    return {"items": page.items, "count": page.count}


def _tree_fields(model: type[Team] | type[Territory], data: dict[str, Any]) -> dict[str, Any]:
    if "name" in data and data["name"] is None:
        raise InvalidInput({"name": [str(_("This field cannot be empty."))]})
    fields = dict(data)
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    if "parent" in fields:
        what = _("team") if model is Team else _("territory")
        fields["parent"] = _resolve(model.objects.all(), "parent", fields["parent"], what)
    if "manager" in fields:
        fields["manager"] = _resolve(User.objects.all(), "manager", fields["manager"], _("user"))
    return fields


@teams_router.get("", response=ListOut[TeamOut], summary="List teams (in tree order)")
def list_teams(request: HttpRequest, filters: Query[TreeFilters]) -> dict[str, Any]:
    actor_of(request)
    return _tree_list(Team.objects.all(), filters)


@teams_router.post("", response={201: TeamOut}, summary="Create a team (administrators)")
def create_team(request: HttpRequest, payload: TeamIn) -> Status[Team]:
    actor = actor_of(request)
    require_admin(actor)
    return Status(201, org.team_create(actor=actor, **_tree_fields(Team, payload.dict())))


@teams_router.get("/{int:team_id}", response=TeamOut, summary="Get a team")
def get_team(request: HttpRequest, team_id: int) -> Team:
    actor_of(request)
    return _get_or_404(Team.objects.all(), team_id)


@teams_router.patch("/{int:team_id}", response=TeamOut, summary="Rename, move or re-manage a team (administrators)")
def update_team(request: HttpRequest, team_id: int, payload: TeamPatch) -> Team:
    actor = actor_of(request)
    team = _get_or_404(Team.objects.all(), team_id)
    require_admin(actor)
    return org.team_update(actor=actor, team=team, **_tree_fields(Team, payload.dict(exclude_unset=True)))


@teams_router.delete("/{int:team_id}", response={204: None}, summary="Delete a team without sub-teams (administrators)")
def delete_team(request: HttpRequest, team_id: int) -> Status[None]:
    actor = actor_of(request)
    org.team_delete(actor=actor, team=_get_or_404(Team.objects.all(), team_id))
    return Status(204, None)


@territories_router.get("", response=ListOut[TerritoryOut], summary="List territories (in tree order)")
def list_territories(request: HttpRequest, filters: Query[TreeFilters]) -> dict[str, Any]:
    actor_of(request)
    return _tree_list(Territory.objects.all(), filters)


@territories_router.post("", response={201: TerritoryOut}, summary="Create a territory (administrators)")
def create_territory(request: HttpRequest, payload: TerritoryIn) -> Status[Territory]:
    actor = actor_of(request)
    require_admin(actor)
    return Status(201, org.territory_create(actor=actor, **_tree_fields(Territory, payload.dict())))


@territories_router.get("/{int:territory_id}", response=TerritoryOut, summary="Get a territory")
def get_territory(request: HttpRequest, territory_id: int) -> Territory:
    actor_of(request)
    return _get_or_404(Territory.objects.all(), territory_id)


@territories_router.patch(
    "/{int:territory_id}", response=TerritoryOut, summary="Rename or move a territory (administrators)"
)
def update_territory(request: HttpRequest, territory_id: int, payload: TerritoryPatch) -> Territory:
    actor = actor_of(request)
    territory = _get_or_404(Territory.objects.all(), territory_id)
    require_admin(actor)
    changes = _tree_fields(Territory, payload.dict(exclude_unset=True))
    return org.territory_update(actor=actor, territory=territory, **changes)


@territories_router.delete(
    "/{int:territory_id}", response={204: None}, summary="Delete a territory without sub-territories (administrators)"
)
def delete_territory(request: HttpRequest, territory_id: int) -> Status[None]:
    actor = actor_of(request)
    org.territory_delete(actor=actor, territory=_get_or_404(Territory.objects.all(), territory_id))
    return Status(204, None)


# --- jobs ----------------------------------------------------------------------------------------


class JobErrorOut(Schema):
    row: int | None = Field(None, description="The row of the imported file (the header is row 1); null for the job.")
    message: str


def _count(job: Job, name: str) -> int | None:
    value = (job.result or {}).get(name) if job.status == JobStatus.DONE else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class JobOut(Schema):
    """Long work (an export, an import…): poll until `status` is `done` or `failed`."""

    id: uuid.UUID
    kind: str
    title: str
    status: str = Field(..., description="queued, running, done or failed.")
    progress: int = Field(..., ge=0, le=100)
    result: dict[str, Any]
    created: int | None = Field(None, description="Records created, once done (null for a job that creates none).")
    updated: int | None = Field(None, description="Records updated, once done.")
    skipped: int | None = Field(None, description="Rows skipped (e.g. duplicates), once done.")
    failed: int | None = Field(None, description="Rows that failed, once done; `errors` says why.")
    errors: list[JobErrorOut] = Field(..., description="What went wrong: per row for an import, else for the job.")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    download_url: str | None = Field(None, description="Where to fetch the file the job made, once it is done.")

    @staticmethod
    def resolve_download_url(job: Job) -> str | None:
        if not job.file:
            return None
        return reverse("api:job_download", kwargs={"job_id": job.pk})

    @staticmethod
    def resolve_created(job: Job) -> int | None:
        return _count(job, "created")

    @staticmethod
    def resolve_updated(job: Job) -> int | None:
        return _count(job, "updated")

    @staticmethod
    def resolve_skipped(job: Job) -> int | None:
        return _count(job, "skipped")

    @staticmethod
    def resolve_failed(job: Job) -> int | None:
        return _count(job, "failed")

    @staticmethod
    def resolve_errors(job: Job) -> list[dict[str, Any]]:
        """The job's own errors (row null), then the row errors an import keeps in its result."""
        errors: list[dict[str, Any]] = [{"row": None, "message": str(e)} for e in (job.errors or [])]
        listed = (job.result or {}).get("errors")
        for entry in listed if isinstance(listed, list) else []:
            if isinstance(entry, dict):
                row = entry.get("row")
                errors.append(
                    {
                        "row": row if isinstance(row, int) and not isinstance(row, bool) else None,
                        "message": str(entry.get("message", "")),
                    }
                )
        return errors


@jobs_router.get("/{job_id}", response=JobOut, summary="Status and result of a job")
def get_job(request: HttpRequest, job_id: uuid.UUID) -> Job:
    return job_get(actor=actor_of(request), job_id=str(job_id))


@jobs_router.get(
    "/{job_id}/download",
    url_name="job_download",
    summary="Download the file a job made",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment, with the media type of its name (CSV, XLSX…).",
                "content": {
                    media_type: {"schema": {"type": "string", "format": "binary"}}
                    for media_type in (
                        "text/csv",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        "application/octet-stream",
                    )
                },
            }
        }
    },
)
def download_job_file(request: HttpRequest, job_id: uuid.UUID) -> FileResponse:
    job = job_get(actor=actor_of(request), job_id=str(job_id))
    if not job.file:
        raise RecordNotFound(str(NO_FILE))
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise RecordNotFound(str(NO_FILE)) from exc
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(job.file.name or ""))
