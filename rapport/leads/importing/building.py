"""The rows of a large import read and built in a second process, while this one decides and writes.

Reading a row and building its lead — decoding, checking every cell, parsing the phone number,
the match keys — needs no database and was a quarter of an import's work, done in the same thread
as the duplicate look-ups. A forked child now reads the whole file and sends each built batch
through a pipe; the pipe holds about one batch, so the child is never more than a batch or two
ahead and memory stays flat. The child inherits everything the rows refer to (`rows.Lookups`,
loaded before the fork) and never touches the database: it must not use, nor close, the
connections it inherited — the parent's. It leaves with `os._exit` (what `multiprocessing` does
after the target returns), so no finaliser of those connections runs there.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from django.utils.translation import gettext_lazy as _

from rapport.core.errors import DomainError
from rapport.leads.importing.reading import Row
from rapport.leads.importing.rows import RowPlan

READER_LOST = _("Reading the file stopped unexpectedly; the rows before it were imported. Try again.")
_BATCH, _DONE, _ERROR = "batch", "done", "error"


@dataclass
class Built:
    """One batch's plans, how many file rows it held, and how far into the file they reach (0 to 1)."""

    plans: list[RowPlan]
    rows: int
    fraction: float


Build = Callable[[list[Row]], list[RowPlan]]
Fraction = Callable[[int], float]


def can_fork() -> bool:
    """Forking is how the child gets the import's state for free; where it is missing, no child."""
    return "fork" in multiprocessing.get_all_start_methods()


def built_here(build: Build, source: Iterator[list[Row]], fraction: Fraction) -> Iterator[Built]:
    """The same batches, built in this thread (small files, tests, systems without fork)."""
    done = 0
    for rows in source:
        done += len(rows)
        yield Built(build(rows), len(rows), fraction(done))


def built_in_child(build: Build, source: Iterator[list[Row]], fraction: Fraction) -> Generator[Built, None, None]:
    """The batches as a forked child builds them, in file order.

    An error in the child (a file that turns out unreadable half-way) is raised here; a child that
    dies without a word fails the import with `READER_LOST`. Leaving early (the caller failed)
    closes the pipe, which ends the child at its next batch."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_produce, args=(sender, build, source, fraction), name="lead-import-reader", daemon=True
    )
    child.start()
    sender.close()  # the child's end: once it exits, recv() sees the end of the pipe
    try:
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError as exc:
                raise DomainError(str(READER_LOST)) from exc
            if kind == _DONE:
                return
            if kind == _ERROR:
                raise payload
            yield payload
    finally:
        receiver.close()
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
            child.join()


def _produce(sender: Connection, build: Build, source: Iterator[list[Row]], fraction: Fraction) -> None:
    """The child: build and send every batch, then say done (or send the error that stopped it)."""
    try:
        for built in built_here(build, source, fraction):
            sender.send((_BATCH, built))
        sender.send((_DONE, None))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the parent stopped listening: nothing to tell
    except Exception as exc:  # every error goes back to the parent, which reports it
        sender.send((_ERROR, _sendable(exc)))
    finally:
        sender.close()
        os._exit(0)  # no interpreter shutdown: it would close the parent's database connections


def _sendable(exc: Exception) -> Any:
    """The error itself when it survives pickling, else a `DomainError` with its text."""
    try:
        pickle.dumps(exc)
    except Exception:  # any pickling failure
        return DomainError(str(exc))
    return exc
