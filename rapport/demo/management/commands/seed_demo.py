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
        accounts: int = options["accounts"]
        contacts: int = options["contacts"]
        leads: int = options["leads"]
        opportunities: int = options["opportunities"]
        if accounts < 0 or contacts < 0 or leads < 0 or opportunities < 0:
            raise CommandError("--accounts, --contacts, --leads and --opportunities must be zero or more.")
        if contacts and not accounts:
            raise CommandError("Contacts need accounts: give --accounts 1 or more.")
        if (reason := demo.existing_data()) is not None:
            if options["if_empty"]:
                self.stdout.write(f"Demo data not loaded: the database already has {reason}.")
                return
            raise CommandError(f"The database already has {reason}; seed_demo fills an empty database.")
        started = time.monotonic()
        verbose = options["verbosity"] >= 1 and accounts + contacts + leads + opportunities > demo.SMALL

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
                    f"{result.audit_entries:,} audit entries in {result.seconds:,.1f} s. "
                    f"Every demo user's password is '{demo.DEMO_PASSWORD}'."
                )
            )
