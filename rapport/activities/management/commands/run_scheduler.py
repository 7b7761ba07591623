"""`manage.py run_scheduler [--interval SECONDS] [--once]`: the periodic scheduler for time-based work
(reminders before activities, prompts to record their outcome, and what other apps register in
`rapport.core.periodic`, such as quotes expiring).

One tick every `--interval` seconds (default `RAPPORT_SCHEDULER_INTERVAL`, 60). A tick that fails is
logged and the work stays due for the next one. SIGTERM or SIGINT ends the loop after the current
tick, so systemd, `scripts/run` or Ctrl-C stop it without cutting a delivery in half. Running two
schedulers is safe: each delivery is claimed in the database first (see
`rapport.activities.services.reminders`). `--once` runs one tick and exits (tests, cron).
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connections

from rapport.activities.services.reminders import TickResult, scheduler_tick

logger = logging.getLogger("rapport.scheduler")


def _drop_stale_connections() -> None:
    """Between ticks, as Django does between requests, close connections that are too old or broken,
    so a long-running process survives a database restart; not while a caller's transaction (a test's)
    is open."""
    if not any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        close_old_connections()


class Command(BaseCommand):
    help = "Send due reminders and outcome prompts every --interval seconds (or once, with --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=int,
            default=None,
            help="Seconds between ticks (default: RAPPORT_SCHEDULER_INTERVAL, 60).",
        )
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"] if options["interval"] is not None else settings.RAPPORT_SCHEDULER_INTERVAL
        if interval < 1:
            raise CommandError("--interval must be at least 1 second.")
        if options["once"]:
            self._report(self._tick())
            return
        stop = threading.Event()
        previous = self._stop_on_signals(stop)
        self.stdout.write(f"Scheduler started: a tick every {interval} s.")
        try:
            while not stop.is_set():
                self._report(self._tick())
                stop.wait(interval)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write("Scheduler stopped.")

    def _stop_on_signals(self, stop: threading.Event) -> dict[int, Any]:
        """Let SIGTERM / SIGINT end the loop between ticks; returns the handlers to put back."""

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        return {signum: signal.signal(signum, request_stop) for signum in (signal.SIGTERM, signal.SIGINT)}

    def _tick(self) -> TickResult:
        _drop_stale_connections()
        try:
            return scheduler_tick()
        except Exception:  # the database is away, say: log it, try again on the next tick
            logger.exception("Scheduler tick failed; its work stays due for the next tick")
            return TickResult(errors=1)
        finally:
            _drop_stale_connections()

    def _report(self, result: TickResult) -> None:
        if result:
            self.stdout.write(
                f"reminders {result.reminders}, outcome prompts {result.prompts}, "
                f"e-mails sent {result.emails_sent}, e-mails failed {result.emails_failed}, errors {result.errors}"
                + "".join(f", {name} {count}" for name, count in result.other.items())
            )
