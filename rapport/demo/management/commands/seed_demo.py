"""`manage.py seed_demo`: fill an empty database with the demo company (deterministic per seed)."""

from __future__ import annotations

import argparse
import time
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
        if options["add_activities"] is not None:
            self._add_activities(options)
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
                    f"{result.activities:,} activities, "
                    f"{result.audit_entries:,} audit entries in {result.seconds:,.1f} s. "
                    f"Every demo user's password is '{demo.DEMO_PASSWORD}'."
                )
            )

    def _add_activities(self, options: dict[str, Any]) -> None:
        """`--add-activities N`: activities for a demo company seeded earlier (bench databases)."""
        from rapport.activities.models import Activity
        from rapport.core.models import User
        from rapport.demo.activities import clear_activities
        from rapport.demo.org import ADMIN_EMAIL

        wanted: int = options["add_activities"]
        if wanted < 0:
            raise CommandError("--add-activities must be zero or more.")
        if not User.objects.filter(email=ADMIN_EMAIL).exists():
            raise CommandError("--add-activities needs the demo company: seed it first (seed_demo).")
        present = Activity.objects.count()
        if present == wanted:
            self.stdout.write(f"The database already has {present:,} activities: nothing to add.")
            return
        if present:
            if not options["replace_activities"]:
                raise CommandError(
                    f"The database has {present:,} activities, not {wanted:,}; --replace-activities deletes them first."
                )
            self.stdout.write(f"Deleting {present:,} activities.")
            clear_activities()
        started = time.monotonic()
        verbose = options["verbosity"] >= 1

        def progress(stage: str, done: int, total: int) -> None:
            if verbose and (done == total or done % 100_000 < 10_000):
                self.stdout.write(f"  {stage}: {done:,} / {total:,}  ({time.monotonic() - started:,.1f} s)")
                self.stdout.flush()

        made = demo.add_activities(total=wanted, seed=options["seed"], progress=progress)
        if verbose:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Added {made:,} activities in {time.monotonic() - started:,.1f} s (seed {options['seed']})."
                )
            )
