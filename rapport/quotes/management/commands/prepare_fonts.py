"""`manage.py prepare_fonts`: build the quote PDF's static font instances now, not at the first PDF."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from rapport.quotes.pdf.fonts import cache_dir, prepare_fonts


class Command(BaseCommand):
    help = "Build the static font instances the quote PDF embeds (once; later runs find them cached)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        verbose = options["verbosity"] >= 1
        if verbose:
            self.stdout.write(f"Font cache: {cache_dir()}")
        for path, built in prepare_fonts():
            if verbose:
                size = path.stat().st_size / 1024
                self.stdout.write(f"  {'built ' if built else 'cached'} {path.name} ({size:,.0f} KiB)")
        if verbose:
            self.stdout.write(self.style.SUCCESS(f"Fonts ready in {time.perf_counter() - started:.1f} s."))
