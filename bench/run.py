"""Rapport's benchmark: build a large database per engine, then time the lists, search and lead import.

    .venv/bin/python -m bench                      # SQLite and PostgreSQL: 200,000 accounts, 1,000,000 contacts,
                                                   # 500,000 leads, 1,000,000 opportunities; then a 100,000-row
                                                   # lead import
    .venv/bin/python -m bench --engine sqlite      # one engine
    .venv/bin/python -m bench --rebuild            # throw the benchmark databases away and seed again
    .venv/bin/python -m bench --accounts 20000 --contacts 100000 --leads 50000 --import-rows 10000   # quicker
    .venv/bin/python -m bench --no-import          # lists and search only
    .venv/bin/python -m bench --import-only        # the lead import only
    .venv/bin/python -m bench --activities 0       # without activities (default 5,000,000)
    .venv/bin/python -m bench --out-dir /tmp/b --pg-url postgres://postgres@127.0.0.1:5432/rapport_bench_small \
        --accounts 2000 --contacts 10000 --leads 5000 --opportunities 10000 --activities 50000 --no-import
                                                   # a small trial that leaves the real databases alone

The SQLite database is bench/out/rapport-bench.sqlite3; the PostgreSQL one is `rapport_bench` on
127.0.0.1 (`--pg-url`), created when missing. A database that already holds exactly the demo data
of the requested sizes is reused; any other content is replaced — except that a database with the
right accounts, contacts, leads and opportunities but another number of activities only gets its
activities replaced (`seed_demo --add-activities`), which is much quicker than seeding it all again.
`--out-dir` puts the SQLite database and every output file elsewhere (bench/out by default; a trial
elsewhere needs its own `--pg-url` too, so that it cannot touch `rapport_bench`). Every step runs in its own
process (`manage.py migrate`, `manage.py seed_demo`, `python -m bench.measure`), against the real
database with production settings (DEBUG off), so the figures are what a server would see.

Results: a table on stdout, bench/out/results-<engine>.json (full detail) and
bench/results-<engine>.json (the summary that is committed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "out"
OUT = DEFAULT_OUT
SQLITE_PATH = OUT / "rapport-bench.sqlite3"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/rapport_bench"
ENGINES = ("sqlite", "postgresql")
SEED = 2026
SIZES = ("accounts", "contacts", "leads", "opportunities")


def set_out_dir(path: Path) -> None:
    """Where the SQLite database and the results go (bench/out unless `--out-dir`)."""
    global OUT, SQLITE_PATH
    OUT = path
    SQLITE_PATH = OUT / "rapport-bench.sqlite3"


def engine_env(engine: str, pg_url: str) -> dict[str, str]:
    """Production settings against the benchmark database; plain HTTP so Django's test client works."""
    env = dict(os.environ)
    env.pop("DEBUG", None)
    env.update(
        DJANGO_SETTINGS_MODULE="rapport.config.settings",
        RAPPORT_VAR_DIR=str(OUT / "var"),
        RAPPORT_HTTPS="false",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        DATABASE_URL=f"sqlite:///{SQLITE_PATH}" if engine == "sqlite" else pg_url,
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="ERROR",
    )
    return env


def run(cmd: list[str], env: dict[str, str], capture: bool = False) -> str:
    """Run a step in its own process from the project root; stop the benchmark if it fails."""
    result = subprocess.run(cmd, cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE if capture else None)
    if result.returncode != 0:
        raise SystemExit(f"Step failed ({result.returncode}): {' '.join(cmd)}")
    return result.stdout if capture else ""


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    return run([sys.executable, "manage.py", *args], env, capture=capture)


def recreate(engine: str, pg_url: str) -> None:
    """An empty benchmark database: delete the SQLite file, or drop and create the PostgreSQL database."""
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    parts = urlsplit(pg_url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def pg_database_exists(pg_url: str) -> bool:
    import psycopg

    parts = urlsplit(pg_url)
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        row = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [parts.path.lstrip("/")]).fetchone()
    return row is not None


def status(env: dict[str, str]) -> dict[str, Any]:
    return dict(json.loads(run([sys.executable, "-m", "bench.measure", "status"], env, capture=True)))


def build(engine: str, args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """Make sure the engine's database holds the demo data at the requested sizes; seed it if not."""
    info_path = OUT / f"build-{engine}.json"
    if engine == "postgresql" and not pg_database_exists(args.pg_url):
        recreate(engine, args.pg_url)
    if args.rebuild:
        recreate(engine, args.pg_url)
    print(f"[{engine}] migrate", flush=True)
    manage(env, "migrate", "--noinput", "-v0")
    current = status(env)
    wanted = {
        "accounts": args.accounts,
        "contacts": args.contacts,
        "leads": args.leads,
        "opportunities": args.opportunities,
        "seed": args.seed,
    }
    if all(current[size] == wanted[size] for size in SIZES) and current["demo"]:
        print(
            f"[{engine}] reusing the database: {current['accounts']:,} accounts, {current['contacts']:,} contacts, "
            f"{current['leads']:,} leads, {current['opportunities']:,} opportunities, "
            f"{current['activities']:,} activities, {current['quotes']:,} quotes"
        )
        info: dict[str, Any] = (
            dict(json.loads(info_path.read_text()))
            if info_path.exists()
            else {
                **wanted,
                "seconds": None,
            }
        )
        if current["activities"] != args.activities:
            info.update(add_activities(engine, args, env, current["activities"]))
            info_path.write_text(json.dumps(info, indent=2))
        if current["quotes"] != args.quotes:
            info.update(add_quotes(engine, args, env, current["quotes"]))
            info_path.write_text(json.dumps(info, indent=2))
        return info
    if current["accounts"] or current["leads"] or current["opportunities"] or current["demo"]:
        print(f"[{engine}] the database holds other data: starting from an empty one", flush=True)
        recreate(engine, args.pg_url)
        manage(env, "migrate", "--noinput", "-v0")
    sizes = [f"--{size}={wanted[size]}" for size in SIZES]
    print(f"[{engine}] seed_demo {' '.join(sizes)}", flush=True)
    started = time.monotonic()
    manage(env, "seed_demo", f"--seed={args.seed}", *sizes, "--activities=0")
    seconds = round(time.monotonic() - started, 1)
    activities = add_activities(engine, args, env, 0) if args.activities else {"activities": 0}
    quotes = add_quotes(engine, args, env, 0) if args.quotes else {"quotes": 0}
    # seed_demo ends with ANALYZE. On PostgreSQL, VACUUM also sets the visibility map that lets
    # counts read indexes alone, as autovacuum does some time after a large load.
    if engine == "postgresql":
        run([sys.executable, "-m", "bench.measure", "analyze"], env)
    info = {**wanted, "seconds": seconds, **activities, **quotes}
    info_path.write_text(json.dumps(info, indent=2))
    print(f"[{engine}] built in {seconds:,.0f} s", flush=True)
    return info


def add_activities(engine: str, args: argparse.Namespace, env: dict[str, str], present: int) -> dict[str, Any]:
    """Give a database with the demo company `args.activities` activities (replacing those it has)."""
    return add_rows(engine, args, env, "activities", args.activities, present)


def add_quotes(engine: str, args: argparse.Namespace, env: dict[str, str], present: int) -> dict[str, Any]:
    """Give a database with the demo company `args.quotes` quotes (replacing those it has)."""
    return add_rows(engine, args, env, "quotes", args.quotes, present)


def add_rows(
    engine: str, args: argparse.Namespace, env: dict[str, str], kind: str, wanted: int, present: int
) -> dict[str, Any]:
    """`seed_demo --add-<kind>=N --replace-<kind>`: activities or quotes added to a built database."""
    print(f"[{engine}] seed_demo --add-{kind}={wanted} (there are {present:,})", flush=True)
    started = time.monotonic()
    manage(env, "seed_demo", f"--seed={args.seed}", f"--add-{kind}={wanted}", f"--replace-{kind}")
    if engine == "postgresql":  # as after the first build: statistics and the visibility map
        run([sys.executable, "-m", "bench.measure", "analyze"], env)
    seconds = round(time.monotonic() - started, 1)
    print(f"[{engine}] {wanted:,} {kind} added in {seconds:,.0f} s", flush=True)
    return {kind: wanted, f"{kind}_seconds": seconds}


def measure(engine: str, args: argparse.Namespace, env: dict[str, str], build_info: dict[str, Any]) -> None:
    # A partial run (--only) keeps the full results as they were.
    out = OUT / (f"results-{engine}-partial.json" if args.only else f"results-{engine}.json")
    # Pages render with production static files (hashed names from the manifest), as on a server.
    manage(env, "collectstatic", "--noinput", "-v0")
    cmd = [
        sys.executable,
        "-m",
        "bench.measure",
        "measure",
        f"--requests={args.requests}",
        f"--warmup={args.warmup}",
        f"--seed={args.seed}",
        f"--out={out}",
        f"--build-seconds={build_info.get('seconds') or 0}",
    ]
    if args.explain:
        cmd.append("--explain")
    if args.only:
        cmd.append(f"--only={args.only}")
    run(cmd, env)
    if args.only:
        return
    summary = json.loads(out.read_text())
    summary.pop("plans", None)
    summary.pop("queries", None)
    (summary_dir() / f"results-{engine}.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")


def summary_dir() -> Path:
    """Where the committed summary goes: bench/, or the `--out-dir` of a trial run."""
    return ROOT / "bench" if OUT == DEFAULT_OUT else OUT


def measure_import(engine: str, args: argparse.Namespace, env: dict[str, str]) -> None:
    """Generate the purchased list from the database's people and time its import; add it to the results."""
    csv_path = OUT / f"import-{engine}-{args.import_rows}.csv"
    print(f"[{engine}] writing a {args.import_rows:,}-row CSV to import", flush=True)
    cmd = [sys.executable, "-m", "bench.importing", "generate", f"--rows={args.import_rows}", f"--out={csv_path}"]
    run([*cmd, f"--seed={args.seed}"], env)
    out = OUT / f"import-{engine}.json"
    run(
        [
            sys.executable,
            "-m",
            "bench.importing",
            "measure",
            f"--file={csv_path}",
            f"--rows={args.import_rows}",
            f"--out={out}",
        ],
        env,
    )
    outcome = json.loads(out.read_text())
    for path in (OUT / f"results-{engine}.json", summary_dir() / f"results-{engine}.json"):
        if path.exists():
            results = json.loads(path.read_text())
            results["import"] = {k: v for k, v in outcome.items() if k not in ("errors_sample",)}
            results["import"]["result"] = {k: v for k, v in outcome["result"].items() if k not in ("skips", "errors")}
            path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=(*ENGINES, "all"), default="all")
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--leads", type=int, default=500_000)
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--activities", type=int, default=5_000_000)
    parser.add_argument("--quotes", type=int, default=500_000)
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows of the lead import (default 100,000)")
    parser.add_argument("--no-import", action="store_true", help="skip the lead import measurement")
    parser.add_argument("--import-only", action="store_true", help="measure the lead import, not the lists")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per measurement (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests before each measurement")
    parser.add_argument("--rebuild", action="store_true", help="seed fresh databases even if they hold the data")
    parser.add_argument("--explain", action="store_true", help="print the query plans of the measured queries")
    parser.add_argument("--only", default="", help="only the measurements whose name contains this text (e.g. board)")
    parser.add_argument("--pg-url", default=os.environ.get("RAPPORT_BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--build-only", action="store_true", help="build the databases, measure nothing")
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT,
        help="the SQLite database and the results (default bench/out; another one leaves the real benchmark alone)",
    )
    args = parser.parse_args(argv)
    set_out_dir(args.out_dir.resolve())
    engines = ENGINES if args.engine == "all" else (args.engine,)
    if OUT != DEFAULT_OUT and "postgresql" in engines and args.pg_url == DEFAULT_PG_URL:
        raise SystemExit(
            "--out-dir is a trial run: give it its own PostgreSQL database too (--pg-url …/rapport_bench_small)."
        )
    OUT.mkdir(parents=True, exist_ok=True)
    if "postgresql" in engines and shutil.which("pg_isready") is not None:
        host = urlsplit(args.pg_url).hostname or "127.0.0.1"
        if subprocess.run(["pg_isready", "-q", "-h", host], check=False).returncode != 0:
            raise SystemExit(f"PostgreSQL is not answering on {host}; start it or use --engine sqlite.")
    for engine in engines:
        env = engine_env(engine, args.pg_url)
        info = build(engine, args, env)
        if args.build_only:
            continue
        if not args.import_only:
            measure(engine, args, env, info)
        if not args.no_import:
            measure_import(engine, args, env)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
