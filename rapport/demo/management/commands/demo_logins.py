"""`manage.py demo_logins`: one demo login per role (role, e-mail, password), for the run banner."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rapport.core.models import RoleCode, User
from rapport.demo import seed as demo


class Command(BaseCommand):
    help = "Print one demo login per role: role, e-mail and password (only users that exist and are active)."

    def handle(self, *args: Any, **options: Any) -> None:
        emails = [email for _role, email in demo.DEMO_LOGINS]
        users = {u.email: u for u in User.objects.filter(email__in=emails, is_active=True).select_related("role")}
        rows = [
            (str(RoleCode(role).label), email, demo.DEMO_PASSWORD)
            for role, email in demo.DEMO_LOGINS
            if email in users and users[email].role_id == role
        ]
        if not rows:
            self.stdout.write("No demo users in this database (run `manage.py seed_demo` on an empty one).")
            return
        header = ("Role", "E-mail", "Password")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(2)]
        for row in [header, *rows]:
            self.stdout.write(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]}")
