"""The lead import benchmark: a purchased list as a CSV file, imported the way the UI and the API do it.

    python -m bench.importing generate --rows 100000 --out bench/out/import-100000.csv
    python -m bench.importing measure --file bench/out/import-100000.csv --out bench/out/import-sqlite.json
    python -m bench.importing run --file bench/out/import-100000.csv      # what `measure` starts in a child
    python -m bench.importing run --file … --profile /tmp/import.prof     # the same under cProfile (its main thread)

`generate` reads the benchmark database and writes a CSV as a marketing team buys it (UTF-8 with a
BOM, as Excel saves it; headers as HubSpot exports them; six markets): ~5 % of the rows are people
already in the database — a contact's or a lead's e-mail in other capitals, or their phone number
written another way — and ~1 % are bad (no last name, an e-mail without @, a value that is no number).

`measure` runs the import in a child process (`run`): the file goes through `import_upload` →
`import_start` (duplicates: skip, mapping suggested from the headers) → `job_run`, timed from the
start of the job to its end. The child reports its peak memory (`VmHWM`); the parent reads the same
figure from `getrusage(RUSAGE_CHILDREN)`. Afterwards the child deletes the leads (and their audit
entries, notifications and tag links) the import made, so the database stays as seeded.
`bench.run` calls both steps with the benchmark's environment.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import django

ROOT = Path(__file__).resolve().parent.parent
IMPORTER = "marketing@demo.rapport.local"
HEADERS = (
    "First Name", "Last Name", "Company Name", "Job Title", "Email", "Phone Number", "Street Address", "City",
    "Postal Code", "Country", "Industry", "Website URL", "Estimated Value", "Currency", "Tags",
)  # fmt: skip
DUPLICATE_SHARE = 0.05
BAD_SHARE = 0.01
ROWS_TARGET = 5_000.0  # rows per second
MEMORY_TARGET_MB = 300.0
_LOOKUP_CHUNK = 500


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.config.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()


def _memory_mb(field: str) -> float:
    """VmHWM (peak) or VmRSS (now) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- generate ---------------------------------------------------------------------------------------


class _Numbers:
    """Phone numbers of each market's usual shape, with random digits.

    The demo's own UK and US numbers come from the small ranges reserved for films (a few
    thousand numbers, shared by many of the million contacts); a bought list has real-looking
    numbers, which match nobody by chance.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _d(self, count: int) -> str:
        return f"{self.rng.randrange(10**count):0{count}d}"

    def __call__(self, style: str) -> str:
        d, rng = self._d, self.rng
        match style:
            case "pl":
                return f"+48 {rng.choice('5678')}{d(2)} {d(3)} {d(3)}"
            case "de":
                return f"+49 15{rng.choice('1279')}{d(1)} {d(7)}"
            case "uk":
                return f"+44 7{rng.choice('45789')}{d(2)} {d(6)}"
            case "us":
                return f"+1 ({rng.randint(2, 9)}{d(2)}) {rng.randint(2, 9)}{d(2)}-{d(4)}"
            case "id":
                return f"+62 8{rng.choice('1235789')}{d(1)}-{d(4)}-{d(4)}"
        return f"+886 9{d(2)} {d(3)} {d(3)}"


def _existing(model: Any, ids: list[int], columns: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    unique = sorted(set(ids))
    for start in range(0, len(unique), _LOOKUP_CHUNK):
        yield from model.objects.filter(pk__in=unique[start : start + _LOOKUP_CHUNK]).values(*columns)


def _other_spelling(rng: random.Random, person: dict[str, Any]) -> tuple[str, str]:
    """(e-mail, phone) of someone in the database, as another list would write them."""
    from rapport.core import normalize

    phone = person.get("mobile") or person.get("phone") or ""
    if person["email"] and (not phone or rng.random() < 0.6):
        email = person["email"]
        return (email.upper() if rng.random() < 0.5 else email.title()), ""
    key = normalize.phone_key(phone, person.get("country") or "")
    spaced = key.replace("+", "00", 1) if rng.random() < 0.5 else f"{key[:3]} {key[3:6]}-{key[6:]}"
    return "", spaced


def _duplicate_rows(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """People already in the database: half contacts, half open leads."""
    from rapport.customers.models import Contact
    from rapport.leads.models import Lead

    rows = []
    max_contact = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    max_lead = Lead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    contact_ids = [rng.randint(1, max_contact) for _ in range(count // 2)] if max_contact else []
    lead_ids = [rng.randint(1, max_lead) for _ in range(count - len(contact_ids))] if max_lead else []
    contact_columns = ("first_name", "last_name", "email", "phone", "mobile", "country", "account__name", "title")
    for person in _existing(Contact, contact_ids, contact_columns):
        email, phone = _other_spelling(rng, person)
        rows.append({**person, "company": person["account__name"] or "", "email": email, "phone": phone})
    for person in _existing(
        Lead, lead_ids, ("first_name", "last_name", "email", "phone", "country", "company", "title")
    ):
        email, phone = _other_spelling(rng, person)
        rows.append({**person, "email": email, "phone": phone})
    rng.shuffle(rows)
    return rows


def _fresh_row(rng: random.Random, names: Any, numbers: _Numbers, market: Any, serial: int) -> dict[str, Any]:
    from rapport.demo.org import BASE_RATES

    city = names.city(market)
    company = names.company(market, city)
    person = names.person(market)
    value = ""
    if rng.random() < 0.4:
        amount = rng.uniform(2_000, 200_000) / float(BASE_RATES[market.currency])
        value = f"{round(amount, -2):,.2f}" if rng.random() < 0.7 else f"{round(amount, -2):.0f}"
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "company": company.name,
        "title": rng.choice(market.titles) if rng.random() < 0.7 else "",
        # a number in the address keeps bought addresses distinct from the demo's own
        "email": f"{person.email_local}{serial}@{company.slug}.{market.tld}" if rng.random() < 0.9 else "",
        "phone": numbers(market.style) if rng.random() < 0.6 else "",
        "street": names.address(market, city).street if rng.random() < 0.5 else "",
        "city": city.name,
        "postal_code": "",
        "country": market.country,
        "industry": company.industry,
        "website": f"https://www.{company.slug}.{market.tld}" if rng.random() < 0.5 else "",
        "value": value,
        "currency": market.currency if value else "",
        "tags": "Bought list" if rng.random() < 0.3 else "",
    }


def _spoil(rng: random.Random, row: dict[str, Any]) -> dict[str, Any]:
    """A bad row of the kinds bought lists have."""
    kind = rng.randrange(3)
    if kind == 0:
        return {**row, "first_name": "", "last_name": ""}
    if kind == 1:
        return {**row, "email": (row["email"] or "someone@example.com").replace("@", " (at) ")}
    return {**row, "value": "about 10k", "currency": "EUR"}


def command_generate(args: argparse.Namespace) -> None:
    from rapport.demo import data
    from rapport.demo.customers import Weighted
    from rapport.demo.names import NameMaker

    rng = random.Random(args.seed)
    names = NameMaker(rng)
    numbers = _Numbers(rng)
    pick_market = Weighted(tuple((m, m.weight) for m in data.MARKETS))
    duplicates = _duplicate_rows(rng, int(args.rows * DUPLICATE_SHARE))
    duplicate_at = set(rng.sample(range(args.rows), len(duplicates)))
    bad_at = set(rng.sample(sorted(set(range(args.rows)) - duplicate_at), int(args.rows * BAD_SHARE)))
    keys = ("first_name", "last_name", "company", "title", "email", "phone", "street", "city", "postal_code",
            "country", "industry", "website", "value", "currency", "tags")  # fmt: skip
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for index in range(args.rows):
            if index in duplicate_at:
                row = {key: "" for key in keys} | {k: v or "" for k, v in duplicates.pop().items() if k in keys}
            else:
                row = _fresh_row(rng, names, numbers, pick_market(rng), index)
                if index in bad_at:
                    row = _spoil(rng, row)
            writer.writerow([row[key] for key in keys])
    print(json.dumps({"file": str(out), "rows": args.rows, "bytes": out.stat().st_size}))


# --- run (the child) -------------------------------------------------------------------------------------


def _highest_ids() -> dict[str, int]:
    from django.db.models import Max, Model

    from rapport.core.models import AuditEntry, Notification
    from rapport.leads.models import Lead

    through = Lead.tags.through
    models: dict[str, type[Model]] = {"lead": Lead, "audit": AuditEntry, "notification": Notification}
    models["tag_link"] = through
    return {name: int(model._default_manager.aggregate(m=Max("pk"))["m"] or 0) for name, model in models.items()}


def _remove_imported(before: dict[str, int]) -> None:
    """Delete what the import added (plain DELETEs: nothing else refers to brand-new rows)."""
    from django.db import connection, transaction
    from django.db.models import Model

    from rapport.core.models import AuditEntry, Notification
    from rapport.leads.models import Lead

    tables: list[tuple[type[Model], str]] = [
        (Lead.tags.through, "tag_link"),
        (AuditEntry, "audit"),
        (Notification, "notification"),
        (Lead, "lead"),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for model, name in tables:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE id > %s", [before[name]])


def command_run(args: argparse.Namespace) -> None:
    from django.core.files import File
    from django.urls import get_resolver

    from rapport.core.models import Job, User
    from rapport.core.services.jobs import job_run
    from rapport.leads.importing.service import import_start, import_upload

    actor = User.objects.get(email=IMPORTER)
    path = Path(args.file)
    get_resolver().url_patterns  # noqa: B018 - loaded once in a running worker; not part of the import's time
    before = _highest_ids()
    resident_before = _memory_mb("VmRSS")
    with path.open("rb") as handle:
        stored = import_upload(actor=actor, upload=File(handle, name=path.name), filename=path.name)
    started = time.perf_counter()
    job = import_start(actor=actor, path=stored, filename=path.name, duplicates=args.duplicates)
    if args.profile:
        import cProfile

        # The main thread only: where a batch is read and decided (the writer thread overlaps it).
        cProfile.runctx("job_run(str(job.pk))", globals(), {"job_run": job_run, "job": job}, args.profile)
    else:
        job_run(str(job.pk))
    seconds = time.perf_counter() - started
    peak = _memory_mb("VmHWM")
    job = Job.objects.get(pk=job.pk)
    result = dict(job.result or {})
    errors = list(result.pop("errors", None) or job.errors or [])
    result.pop("skips", None)
    payload = {
        "status": job.status,
        "seconds": round(seconds, 1),
        "rows": args.rows,
        "rows_per_second": round(args.rows / seconds, 1) if seconds else None,
        "resident_before_mb": round(resident_before, 1),
        "peak_mb": round(peak, 1),
        "mapping": job.params.get("mapping"),
        "result": result,
        "errors_sample": errors[:5],
        "error_kinds": Counter(str(e.get("message", ""))[:80] for e in errors).most_common(5),
        "error_count": len(errors),
        "leads_created": _highest_ids()["lead"] - before["lead"],
    }
    if not args.keep:
        _remove_imported(before)
    print(json.dumps(payload, ensure_ascii=False, default=str))


# --- measure (the parent) --------------------------------------------------------------------------------


def command_measure(args: argparse.Namespace) -> None:
    cmd = [sys.executable, "-m", "bench.importing", "run", f"--file={args.file}", f"--rows={args.rows}"]
    cmd.append(f"--duplicates={args.duplicates}")
    child = subprocess.run(cmd, cwd=ROOT, text=True, stdout=subprocess.PIPE, check=False)
    if child.returncode != 0:
        raise SystemExit(f"The import child failed ({child.returncode})")
    payload = json.loads(child.stdout.strip().splitlines()[-1])
    payload["peak_mb_getrusage"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    payload["targets"] = {"rows_per_second": ROWS_TARGET, "peak_mb": MEMORY_TARGET_MB}
    payload["met"] = {
        "rows_per_second": (payload["rows_per_second"] or 0) >= ROWS_TARGET,
        "peak_mb": payload["peak_mb"] < MEMORY_TARGET_MB,
    }
    Path(args.out).write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    counts = {k: v for k, v in payload["result"].items() if k in ("created", "updated", "skipped", "failed")}
    print(
        f"  {'Lead import, ' + format(args.rows, ',') + ' CSV rows':<48} {payload['seconds']:7.1f} s  "
        f"{payload['rows_per_second'] or 0:8,.0f} rows/s  peak {payload['peak_mb']:.0f} MB  {counts}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.importing")
    sub = parser.add_subparsers(dest="command", required=True)
    generate = sub.add_parser("generate")
    generate.add_argument("--rows", type=int, default=100_000)
    generate.add_argument("--seed", type=int, default=2026)
    generate.add_argument("--out", required=True)
    for name in ("run", "measure"):
        step = sub.add_parser(name)
        step.add_argument("--file", required=True)
        step.add_argument("--rows", type=int, default=100_000)
        step.add_argument("--duplicates", choices=("skip", "update", "create"), default="skip")
        if name == "run":
            step.add_argument("--keep", action="store_true", help="keep the imported leads")
            step.add_argument("--profile", metavar="FILE", help="write a cProfile of the import's main thread")
        else:
            step.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.command == "measure":
        command_measure(args)  # no Django here: only the child's memory is measured
        return 0
    _setup()
    if args.command == "generate":
        command_generate(args)
    else:
        command_run(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
