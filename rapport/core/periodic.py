"""Time-based work that apps hand to the periodic scheduler (`manage.py run_scheduler`).

The scheduler lives with the activities (reminders, outcome prompts); other apps' periodic work — a
quote expiring, say — registers here from its `AppConfig.ready()` instead of the scheduler importing
every app. Each tick calls every registered job with the tick's moment, one after the other: a job that
fails is logged and the others still run, and its work stays due for the next tick. A job must be safe
to run twice at once (two schedulers) and answers how many things it did.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

logger = logging.getLogger("rapport.scheduler")

Job = Callable[[dt.datetime], int]
_JOBS: dict[str, Job] = {}


def register(name: str, job: Job) -> None:
    """Run `job(now)` on every tick; `name` is what the scheduler's report calls its count."""
    _JOBS[name] = job


def run_all(now: dt.datetime) -> tuple[dict[str, int], int]:
    """Every registered job once: (name → what it did, how many failed)."""
    done: dict[str, int] = {}
    failed = 0
    for name, job in _JOBS.items():
        try:
            done[name] = job(now)
        except Exception:
            failed += 1
            logger.exception("Scheduler: %s failed; its work stays due for the next tick", name)
    return done, failed
