"""`manage.py seed_demo`: fill an empty database with the demo company (deterministic per seed)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.demo import seed as demo


class Command(BaseCommand):
    help = (
        "Build a believable demo company: teams in three regions, users in every role (password "
        f"'{demo.DEMO_PASSWORD}'), accounts, contacts, leads, products and opportunities in six markets. The same --seed gives the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="random seed (default %(default)s)")
        parser.add_argument(
            "--accounts", type=int, default=demo.DEFAULT_ACCOUNTS, help="number of accounts (default %(default)s)"
        )
        parser.add_argument(
            "--contacts", type=int, default=demo.DEFAULT_CONTACTS, help="number of contacts (default %(default)s)"
        )
        parser.add_argument(
            "--leads", type=int, default=demo.DEFAULT_LEADS, help="number of leads (default %(default)s)"
        )
        parser.add_argument(
            "--opportunities",
            type=int,
            default=demo.DEFAULT_OPPORTUNITIES,
            help="number of opportunities on the accounts (default %(default)s)",
        )
        parser.add_argument(
            "--activities",
            type=int,
            default=None,
            help=(
                "number of activities (default: in proportion to the other sizes, "
                f"{demo.DEFAULT_ACTIVITIES:,} for the default demo)"
            ),
        )
        parser.add_argument(
            "--add-activities",
            type=int,
            default=None,
            metavar="N",
            help=(
                "add N activities to a database that already holds the demo company, nothing else; does "
                "nothing when it already has exactly N activities"
            ),
        )
        parser.add_argument(
            "--replace-activities",
            action="store_true",
            help="with --add-activities: delete the activities there are first when their number is not N",
        )
        parser.add_argument(
            "--add-quotes",
            type=int,
            default=None,
            metavar="N",
            help="add N quotes to a database that already holds the demo company and its opportunities",
        )
        parser.add_argument(
            "--replace-quotes",
            action="store_true",
            help="with --add-quotes: delete the quotes there are first when their number is not N",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has accounts or demo users (used by `make run`)",
        )
        parser.add_argument(
            "--audit",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=f"write a 'created' audit entry per record (default: only up to {demo.SMALL:,} records)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["add_activities"] is not None or options["add_quotes"] is not None:
            if options["add_activities"] is not None:
                self._add_activities(options)
            if options["add_quotes"] is not None:
                self._add_quotes(options)
            return
        accounts: int = options["accounts"]
        contacts: int = options["contacts"]
        leads: int = options["leads"]
        opportunities: int = options["opportunities"]
        activities: int | None = options["activities"]
        if accounts < 0 or contacts < 0 or leads < 0 or opportunities < 0 or (activities or 0) < 0:
            raise CommandError(
                "--accounts, --contacts, --leads, --opportunities and --activities must be zero or more."
            )
        if contacts and not accounts:
            raise CommandError("Contacts need accounts: give --accounts 1 or more.")
        if (reason := demo.existing_data()) is not None:
            if options["if_empty"]:
                self.stdout.write(f"Demo data not loaded: the database already has {reason}.")
                return
            raise CommandError(f"The database already has {reason}; seed_demo fills an empty database.")
        started = time.monotonic()
        verbose = options["verbosity"] >= 1 and (
            accounts + contacts + leads + opportunities > demo.SMALL or (activities or 0) > demo.SMALL
        )

        def progress(stage: str, done: int, total: int) -> None:
            if verbose:
                elapsed = time.monotonic() - started
                self.stdout.write(f"  {stage}: {done:,} / {total:,}  ({elapsed:,.1f} s)")
                self.stdout.flush()

        try:
            result = demo.seed(
                seed=options["seed"],
                accounts=accounts,
                contacts=contacts,
                leads=leads,
                opportunities=opportunities,
                activities=activities,
                audit=options["audit"],
                progress=progress,
            )
        except demo.DemoDataExists as exc:  # another process seeded meanwhile
            raise CommandError(f"The database already has {exc}; seed_demo fills an empty database.") from exc
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data loaded (seed {result.seed}): {result.users} users in {result.teams} teams, "
                    f"{result.accounts:,} accounts, {result.contacts:,} contacts, {result.links:,} account links, "
                    f"{result.leads:,} leads, {result.opportunities:,} opportunities, "
                    f"{result.activities:,} activities, {result.quotes:,} quotes, "
                    f"{result.audit_entries:,} audit entries in {result.seconds:,.1f} s. "
                    f"Every demo user's password is '{demo.DEMO_PASSWORD}'."
                )
            )

    def _add_activities(self, options: dict[str, Any]) -> None:
        """`--add-activities N`: activities for a demo company seeded earlier (bench databases)."""
        from rapport.activities.models import Activity
        from rapport.demo.activities import clear_activities

        self._add_rows(options, "activities", Activity.objects.count, clear_activities, demo.add_activities)

    def _add_quotes(self, options: dict[str, Any]) -> None:
        """`--add-quotes N`: quotes on the opportunities of a demo company seeded earlier (bench databases)."""
        from rapport.demo.quotes import clear_quotes
        from rapport.quotes.models import Quote

        self._add_rows(options, "quotes", Quote.objects.count, clear_quotes, demo.add_quotes)

    def _add_rows(
        self,
        options: dict[str, Any],
        kind: str,
        count: Callable[[], int],
        clear: Callable[[], None],
        add: Callable[..., int],
    ) -> None:
        """`--add-<kind> N [--replace-<kind>]`: N rows of `kind` added to the demo company, nothing else."""
        from rapport.core.models import User
        from rapport.demo.org import ADMIN_EMAIL

        wanted: int = options[f"add_{kind}"]
        if wanted < 0:
            raise CommandError(f"--add-{kind} must be zero or more.")
        if not User.objects.filter(email=ADMIN_EMAIL).exists():
            raise CommandError(f"--add-{kind} needs the demo company: seed it first (seed_demo).")
        present = count()
        if present == wanted:
            self.stdout.write(f"The database already has {present:,} {kind}: nothing to add.")
            return
        if present:
            if not options[f"replace_{kind}"]:
                raise CommandError(
                    f"The database has {present:,} {kind}, not {wanted:,}; --replace-{kind} deletes them first."
                )
            self.stdout.write(f"Deleting {present:,} {kind}.")
            clear()
        started = time.monotonic()
        verbose = options["verbosity"] >= 1

        def progress(stage: str, done: int, total: int) -> None:
            if verbose and (done == total or done % 100_000 < 10_000):
                self.stdout.write(f"  {stage}: {done:,} / {total:,}  ({time.monotonic() - started:,.1f} s)")
                self.stdout.flush()

        made = add(total=wanted, seed=options["seed"], progress=progress)
        if verbose:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Added {made:,} {kind} in {time.monotonic() - started:,.1f} s (seed {options['seed']})."
                )
            )
