"""Background tasks of core: thin wrappers around services."""

from __future__ import annotations

from django.tasks import task

from rapport.core.services.jobs import job_run


@task()
def run_job(job_id: str) -> None:
    job_run(job_id)
