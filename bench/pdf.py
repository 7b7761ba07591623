# ruff: noqa: RUF001  (full-width punctuation is right in Chinese text, the dash in Polish)
"""The quote PDF benchmark: a 200-line quote rendered by `render_quote_pdf`, as the API and e-mail do.

    .venv/bin/python -m bench.pdf                    # 1 warm-up + 20 timed renders, Polish and Chinese
    .venv/bin/python -m bench.pdf --renders 50 --lines 500 --languages pl

The quote is made through the services (`quote_create`, then 200 lines stored as the services
store them and the totals recomputed) in a throwaway in-memory SQLite database with the test
settings, so nothing touches a real database; the font cache is the test suite's
(`RAPPORT_TEST_FONT_CACHE`, built first if missing, which takes a while once). Each render
includes its three queries, loading the fonts into fpdf2, the layout and writing the PDF.
Wall-clock and CPU time are both printed: on a shared machine the wall clock stretches.
Polish needs Noto Sans only; Traditional Chinese also loads the Noto Sans TC fallback.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import django

from bench.measure import percentile

if TYPE_CHECKING:
    from rapport.quotes.models import Quote

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 1000.0
TEXTS = {
    "pl": "Pompa wirowa {n}, montaż i uruchomienie na miejscu — zażółć gęślą jaźń",
    "zh-hant": "離心泵 {n}：現場安裝與試運轉，含一年保固",
}


def _quote(language: str, lines: int) -> Quote:
    from rapport.core.models import User
    from rapport.customers.models import Account, Contact
    from rapport.pipeline.services.opportunities import opportunity_create
    from rapport.quotes import totals
    from rapport.quotes.models import QuoteLine
    from rapport.quotes.services import quote_create
    from rapport.quotes.services.common import refresh_totals

    admin = User.objects.filter(email="bench.pdf@example.com").first() or User.objects.create(
        email="bench.pdf@example.com", first_name="Bench", last_name="PDF", role_id="administrator"
    )
    account = Account.objects.create(name="Kowalski Sp. z o.o.", owner=admin)
    contact = Contact.objects.create(first_name="Anna", last_name="Wiśniewska", email="anna@example.com", owner=admin)
    opportunity = opportunity_create(actor=admin, name="Pumps", account=account.pk)
    quote = quote_create(
        actor=admin,
        opportunity_id=opportunity.pk,
        language=language,
        contact=contact.pk,
        terms="Płatność 30 dni od daty faktury.\nDostawa 4–6 tygodni.",
    )
    rows = []
    for n in range(lines):
        line = QuoteLine(
            quote=quote,
            position=n,
            description=TEXTS.get(language, TEXTS["pl"]).format(n=n + 1),
            quantity=Decimal(n % 7 + 1),
            unit="szt.",
            unit_price=Decimal("1234.56") + n,
            discount=Decimal(n % 4 * 5),
            tax_rate=Decimal("23") if n % 3 else Decimal("8"),
        )
        amounts = totals.line_amounts(line)
        line.gross_amount, line.net_amount = amounts.gross, amounts.net
        rows.append(line)
    QuoteLine.objects.bulk_create(rows)
    refresh_totals(quote)
    return quote


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pdf")
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--languages", default="pl,zh-hant")
    parser.add_argument("--profile", default="", help="write a cProfile of the timed renders to this file")
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "rapport.config.test_settings"
    os.environ.pop("DATABASE_URL", None)  # always the throwaway SQLite database
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from rapport.quotes.pdf import render_quote_pdf
    from rapport.quotes.pdf.fonts import prepare_fonts

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    started = time.perf_counter()
    built = [path.name for path, was_built in prepare_fonts() if was_built]
    if built:
        print(f"built the font cache in {time.perf_counter() - started:.1f} s: {', '.join(built)}")
    print(f"quote PDF, {args.lines} lines, {args.renders} renders after 1 warm-up (target p95 < {TARGET_MS:.0f} ms)")
    for language in args.languages.split(","):
        quote = _quote(language, args.lines)
        document = render_quote_pdf(quote)
        samples, cpu = [], []
        profiler = cProfile.Profile() if args.profile else None
        if profiler is not None:
            profiler.enable()
        for _ in range(args.renders):
            begin, cpu_begin = time.perf_counter(), time.process_time()
            render_quote_pdf(quote)
            samples.append((time.perf_counter() - begin) * 1000)
            cpu.append((time.process_time() - cpu_begin) * 1000)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(f"{args.profile}.{language}")
        with CaptureQueriesContext(connection) as queries:
            render_quote_pdf(quote)
        ordered = sorted(samples)
        p95 = percentile(ordered, 0.95)
        verdict = "ok" if p95 < TARGET_MS else "MISSED"
        print(
            f"  {language:<8} p50 {statistics.median(ordered):7.1f}  p95 {p95:7.1f}  max {ordered[-1]:7.1f} ms"
            f"  (cpu p95 {percentile(sorted(cpu), 0.95):6.1f}; {len(queries.captured_queries)} queries;"
            f" {len(document) / 1024:.0f} KiB)  {verdict}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
