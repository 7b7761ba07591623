"""Reads in core that are not record types (jobs, notifications, saved views, tokens)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from rapport.core.errors import RecordNotFound
from rapport.core.models import ApiToken, Job, Notification, SavedView, User


def jobs_visible_to(actor: User) -> QuerySet[Job]:
    return Job.objects.all() if actor.is_administrator else Job.objects.filter(created_by=actor)


def job_get(*, actor: User, job_id: str) -> Job:
    try:
        return jobs_visible_to(actor).get(pk=job_id)
    except (Job.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise RecordNotFound() from exc


def notifications_for(actor: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=actor)


def unread_count(actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).count()


def saved_views_for(actor: User, record_type: str) -> QuerySet[SavedView]:
    return SavedView.objects.filter(Q(owner=actor) | Q(shared=True), record_type=record_type)


def tokens_of(actor: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor)
