"""`manage.py issue_token EMAIL [--name NAME]`: a new personal API token, printed as the only line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.core.models import User
from rapport.core.services.tokens import token_issue


class Command(BaseCommand):
    help = (
        "Create a personal API token for an active user and print it (the only line on stdout), "
        "e.g. TOKEN=$(python manage.py issue_token admin@example.com)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The user's e-mail address.")
        parser.add_argument("--name", default="CLI", help="A name to recognise the token by (default: CLI).")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No user with the e-mail address {email}.", returncode=1)
        if not user.is_active:
            raise CommandError(f"The user {email} is deactivated; activate them first.", returncode=1)
        _token, clear = token_issue(actor=user, name=options["name"])
        self.stdout.write(clear)
