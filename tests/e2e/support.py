"""What the browser tests share: signing in, and screenshots when RAPPORT_SCREENSHOTS names a folder."""

from __future__ import annotations

import os
from typing import Any

from tests.factories import PASSWORD

SHOTS = os.environ.get("RAPPORT_SCREENSHOTS", "")


def shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def sign_in(page: Any, base: str, email: str) -> None:
    """Sign in with the test password and wait for the page after the login form."""
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button.button-primary")
    page.wait_for_url(lambda url: "/login/" not in url)
