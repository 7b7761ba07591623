"""A real SMTP server on loopback (aiosmtpd) for the tests that send e-mail: the `smtp_server`
fixture points the default mailer at it and hands the test what it received."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def smtp_to(port: int) -> dict[str, Any]:
    options = {"host": "127.0.0.1", "port": port, "timeout": 5}
    return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp_server(settings) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = smtp_to(controller.port)
    try:
        yield inbox
    finally:
        controller.stop()
        asyncio.set_event_loop(None)
