"""Long work as a job: queued after commit, run by the worker, progress recorded as it goes.

An app registers a handler for a job kind (`register_handler("customers.export", fn)`); the handler
receives the job and a `progress(percent)` callback and returns the result dict. Files it makes
are attached to `job.file`.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.core.errors import DomainError
from rapport.core.models import Job, JobStatus, User

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]
Handler = Callable[[Job, Progress], dict[str, Any]]

_handlers: dict[str, Handler] = {}


def register_handler(kind: str, handler: Handler) -> None:
    _handlers[kind] = handler


@transaction.atomic
def job_start(*, actor: User, kind: str, title: str, params: dict[str, Any] | None = None) -> Job:
    """Record a job and queue it to run once this transaction commits."""
    if kind not in _handlers:
        raise ValueError(f"No handler for job kind {kind!r}")
    job = Job.objects.create(kind=kind, title=title[:200], params=params or {}, created_by=actor)
    from rapport.core.tasks import run_job  # the task module imports this one

    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


def _set_progress(job: Job, percent: int) -> None:
    percent = max(0, min(100, int(percent)))
    if percent != job.progress:
        job.progress = percent
        Job.objects.filter(pk=job.pk).update(progress=percent)


def job_run(job_id: str) -> None:
    """Run a queued job to the end, recording `done` with its result or `failed` with the error."""
    job = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).first()
    if job is None:
        return
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    try:
        result = _handlers[job.kind](job, lambda percent: _set_progress(job, percent))
    except DomainError as exc:
        _finish(job, JobStatus.FAILED, errors=[exc.message])
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _finish(job, JobStatus.FAILED, errors=[_("The job failed unexpectedly."), traceback.format_exc(limit=3)])
    else:
        _finish(job, JobStatus.DONE, result=result)


def _finish(job: Job, status: str, *, result: dict[str, Any] | None = None, errors: list[str] | None = None) -> None:
    job.status = status
    job.progress = 100 if status == JobStatus.DONE else job.progress
    job.result = result or {}
    job.errors = errors or []
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "progress", "result", "errors", "finished_at", "file"])
