"""The periodic-work registry: every job runs on each tick; one that fails does not stop the others."""

from __future__ import annotations

import datetime as dt

import pytest

from rapport.core import periodic


@pytest.fixture
def no_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(periodic, "_JOBS", {})


@pytest.mark.usefixtures("no_jobs")
def test_a_failing_job_is_counted_and_the_next_still_runs(caplog: pytest.LogCaptureFixture):
    moments: list[dt.datetime] = []

    def broken(now: dt.datetime) -> int:
        raise RuntimeError("database away")

    def counting(now: dt.datetime) -> int:
        moments.append(now)
        return 3

    periodic.register("broken", broken)
    periodic.register("counted", counting)
    now = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)

    assert periodic.run_all(now) == ({"counted": 3}, 1)
    assert moments == [now]
    assert "broken failed" in caplog.text


def test_the_quotes_register_their_expiry():
    assert "quotes expired" in periodic._JOBS
