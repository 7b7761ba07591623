"""Django's database sessions, accepting only session keys of the shape Django itself makes.

A forged cookie such as `sessionid="abcd\\000efgh"` would otherwise reach PostgreSQL, which refuses
NUL characters with an error (a 500 on every page). Django's keys are 32 lower-case letters and digits.
"""

from __future__ import annotations

import re

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

_KEY = re.compile(r"[a-z0-9]{8,40}")


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        return bool(key and _KEY.fullmatch(key))
