"""Personal API tokens (hashed, revocable) and background jobs (after commit, progress, outcome)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from rapport.core.errors import RecordNotFound, RuleViolation
from rapport.core.models import ApiToken, Job, JobStatus, User
from rapport.core.selectors import job_get
from rapport.core.services.jobs import Progress, job_start, register_handler
from rapport.core.services.tokens import token_authenticate, token_issue, token_revoke

# --- tokens ----------------------------------------------------------------------------------------


def test_an_issued_token_authenticates_its_user_and_marks_it_used(org):
    token, clear = token_issue(actor=org.salesperson, name="Laptop")
    assert clear.startswith("rpt_") and len(clear) > 40
    assert token_authenticate(clear) == org.salesperson
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.last_used_at is not None
    assert (stored.name, stored.prefix) == ("Laptop", clear[:12])


def test_only_a_hash_of_the_token_is_stored(org):
    _token, clear = token_issue(actor=org.salesperson)
    row = ApiToken.objects.values().get()
    assert row["key_hash"] == hashlib.sha256(clear.encode()).hexdigest()
    assert all(clear not in str(value) for value in row.values())
    secret = clear[len("rpt_") :]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_apitoken")
        for stored_row in cursor.fetchall():
            assert all(secret[8:] not in str(value) for value in stored_row)


def test_a_token_works_as_a_bearer_on_the_api_until_revoked(org):
    token, clear = token_issue(actor=org.salesperson)
    client = Client()
    response = client.get("/api/v1/users/me", headers={"authorization": f"Bearer {clear}"})
    assert response.status_code == 200
    assert response.json()["email"] == "sales@example.com"
    token_revoke(actor=org.salesperson, token_id=token.pk)
    assert client.get("/api/v1/users/me", headers={"authorization": f"Bearer {clear}"}).status_code == 401


def test_a_revoked_token_no_longer_authenticates(org):
    token, clear = token_issue(actor=org.salesperson)
    _other, other_clear = token_issue(actor=org.salesperson)
    revoked = token_revoke(actor=org.salesperson, token_id=token.pk)
    assert revoked.revoked_at is not None
    assert token_authenticate(clear) is None
    assert token_authenticate(other_clear) == org.salesperson
    with pytest.raises(RecordNotFound):  # already revoked
        token_revoke(actor=org.salesperson, token_id=token.pk)


def test_only_the_owner_or_an_administrator_revokes_a_token(org):
    token, clear = token_issue(actor=org.salesperson)
    for outsider in (org.colleague, org.emea_manager):
        with pytest.raises(RecordNotFound):
            token_revoke(actor=outsider, token_id=token.pk)
    with pytest.raises(RecordNotFound):
        garbage: Any = "not-a-number"
        token_revoke(actor=org.salesperson, token_id=garbage)
    assert token_authenticate(clear) == org.salesperson
    token_revoke(actor=org.admin, token_id=token.pk)
    assert token_authenticate(clear) is None


def test_an_inactive_users_token_does_not_authenticate(org):
    _token, clear = token_issue(actor=org.salesperson)
    User.objects.filter(pk=org.salesperson.pk).update(is_active=False)
    assert token_authenticate(clear) is None


@pytest.mark.parametrize("guess", ["", "rpt_", "rpt_" + "A" * 43, "Bearer x", "x" * 10_000, "rpt_' OR 1=1 --"])
def test_a_wrong_token_authenticates_nobody(org, guess):
    token_issue(actor=org.salesperson)
    assert token_authenticate(guess) is None


def test_a_token_hash_prefix_is_not_enough(org):
    _token, clear = token_issue(actor=org.salesperson)
    assert token_authenticate(clear[:-1]) is None
    assert token_authenticate(clear + "x") is None


# --- jobs ------------------------------------------------------------------------------------------

SEEN: list[tuple[str, int]] = []


def _sample(job: Job, progress: Progress) -> dict[str, Any]:
    for percent in (30, 60, 250):
        if percent > 100 and job.params.get("fail") == "domain":
            raise RuleViolation("The file has no rows.")
        if percent > 100 and job.params.get("fail") == "crash":
            raise ZeroDivisionError
        progress(percent)  # out of range is clamped to 0-100
        stored = Job.objects.get(pk=job.pk)
        SEEN.append((stored.status, stored.progress))
    return {"rows": job.params.get("rows", 0)}


register_handler("tests.sample", _sample)


@pytest.fixture(autouse=True)
def _clear_seen():
    SEEN.clear()


def test_a_job_runs_after_the_transaction_commits(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = job_start(actor=org.salesperson, kind="tests.sample", title="Sample", params={"rows": 3})
        assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
        assert SEEN == []
    assert len(callbacks) == 1
    stored = Job.objects.get(pk=job.pk)
    assert SEEN == [("running", 30), ("running", 60), ("running", 100)]
    assert (stored.status, stored.progress, stored.result, stored.errors) == ("done", 100, {"rows": 3}, [])
    assert stored.started_at is not None and stored.finished_at is not None
    assert stored.finished_at >= stored.started_at
    assert stored.finished


def test_a_job_started_in_a_rolled_back_transaction_never_runs(org, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        job_start(actor=org.salesperson, kind="tests.sample", title="Sample")
        raise ZeroDivisionError
    assert callbacks == []
    assert not Job.objects.exists()
    assert SEEN == []


def test_a_failed_job_keeps_the_error_for_a_person(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=org.salesperson, kind="tests.sample", title="Sample", params={"fail": "domain"})
    stored = Job.objects.get(pk=job.pk)
    assert (stored.status, stored.progress, stored.errors, stored.result) == (
        "failed",
        60,
        ["The file has no rows."],
        {},
    )
    assert stored.finished_at is not None


def test_an_unexpected_crash_fails_the_job_with_a_general_message(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=org.salesperson, kind="tests.sample", title="Sample", params={"fail": "crash"})
    stored = Job.objects.get(pk=job.pk)
    assert stored.status == "failed"
    assert stored.errors[0] == "The job failed unexpectedly."
    assert "ZeroDivisionError" in stored.errors[1]


def test_a_finished_job_does_not_run_again(org, django_capture_on_commit_callbacks):
    from rapport.core.services.jobs import job_run

    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=org.salesperson, kind="tests.sample", title="Sample")
    SEEN.clear()
    job_run(str(job.pk))
    assert SEEN == []
    assert Job.objects.get(pk=job.pk).status == "done"


def test_an_unknown_kind_is_refused(org):
    with pytest.raises(ValueError):
        job_start(actor=org.salesperson, kind="tests.nothing", title="Nothing")
    assert not Job.objects.exists()


def test_a_job_is_seen_by_its_creator_and_administrators_only(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=org.salesperson, kind="tests.sample", title="Sample")
    assert job_get(actor=org.salesperson, job_id=str(job.pk)) == job
    assert job_get(actor=org.admin, job_id=str(job.pk)) == job
    for outsider in (org.colleague, org.emea_manager, org.executive):
        with pytest.raises(RecordNotFound):
            job_get(actor=outsider, job_id=str(job.pk))
    for garbage in ("nope", "", "00000000-0000-0000-0000-000000000000", None):
        with pytest.raises(RecordNotFound):
            job_get(actor=org.admin, job_id=garbage)  # type: ignore[arg-type]


def test_the_job_api_hides_other_peoples_jobs(org, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=org.salesperson, kind="tests.sample", title="Sample", params={"rows": 2})
    mine = client_for(org.salesperson).get(f"/api/v1/jobs/{job.pk}")
    assert mine.status_code == 200
    assert (mine.json()["status"], mine.json()["progress"]) == ("done", 100)
    assert client_for(org.colleague).get(f"/api/v1/jobs/{job.pk}").status_code == 404
