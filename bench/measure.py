"""The measuring half of the benchmark; runs inside Django against the benchmark database.

    python -m bench.measure status      # JSON: how many accounts/contacts/leads, whether the demo org exists
    python -m bench.measure analyze     # refresh the planner's statistics (PostgreSQL)
    python -m bench.measure measure --requests 200 --out bench/out/results-sqlite.json

`bench.run` sets the environment (DATABASE_URL, RAPPORT_HTTPS=false, ALLOWED_HOSTS) and calls these.
Each measurement sends real requests through Django's test client — URL routing, middleware,
session, visibility, queries, JSON or HTML rendering — and times them with `perf_counter`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import django

BENCH_USER = "sales.pl@demo.rapport.local"
ADMIN = "admin@demo.rapport.local"
LIST_TARGET_MS = 50.0
#: the kanban board's first screen (seven columns of 25 cards, their counts and sums), and a stage move
BOARD_TARGET_MS = 300.0
MOVE_TARGET_MS = 50.0
SEARCH_TARGET_MS = 100.0
#: issue 5: a team's week and month, the internet calendar (about 5,000 events), the Today page
CALENDAR_TARGET_MS = 200.0
FEED_TARGET_MS = 300.0
TODAY_TARGET_MS = 100.0
EXECUTIVE = "executive@demo.rapport.local"


@dataclass
class Result:
    name: str
    request: str
    user: str
    target_ms: float | None
    samples: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    mean_ms: float
    met: bool | None
    queries_per_request: int = 0
    slowest_query_ms: float = 0.0
    #: CPU time of this process (client, Django and, for SQLite, the database) per request: what the
    #: request costs when other work shares the machine and wall-clock times are stretched
    cpu_p50_ms: float = 0.0
    cpu_p95_ms: float = 0.0
    notes: list[str] = field(default_factory=list)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the value below which `fraction` of the samples fall."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(name: str, request: str, user: str, target: float | None, samples: list[float]) -> Result:
    ordered = sorted(samples)
    p95 = percentile(ordered, 0.95)
    return Result(
        name=name,
        request=request,
        user=user,
        target_ms=target,
        samples=len(samples),
        p50_ms=round(statistics.median(ordered), 2),
        p95_ms=round(p95, 2),
        max_ms=round(ordered[-1], 2),
        mean_ms=round(statistics.fmean(ordered), 2),
        met=None if target is None else p95 < target,
    )


def set_cpu(result: Result, cpu_samples: list[float]) -> None:
    ordered = sorted(cpu_samples)
    result.cpu_p50_ms = round(statistics.median(ordered), 2)
    result.cpu_p95_ms = round(percentile(ordered, 0.95), 2)


def print_result(result: Result) -> None:
    verdict = "" if result.met is None else ("  ok" if result.met else "  MISSED")
    print(
        f"  {result.name:<48} p50 {result.p50_ms:7.1f}  p95 {result.p95_ms:7.1f}  max {result.max_ms:7.1f} ms"
        f"  (cpu p95 {result.cpu_p95_ms:6.1f}; {result.queries_per_request} queries){verdict}",
        flush=True,
    )


# --- commands ------------------------------------------------------------------------------------------


def command_status() -> None:
    from rapport.activities.models import Activity
    from rapport.core.models import User
    from rapport.customers.models import Account, Contact
    from rapport.demo.seed import existing_data
    from rapport.leads.models import Lead
    from rapport.pipeline.models import Opportunity
    from rapport.quotes.models import Quote

    payload = {
        "accounts": Account.objects.count(),
        "contacts": Contact.objects.count(),
        "leads": Lead.objects.count(),
        "opportunities": Opportunity.objects.count(),
        "activities": Activity.objects.count(),
        "quotes": Quote.objects.count(),
        "demo": User.objects.filter(email=ADMIN).exists(),
        "existing": existing_data(),
    }
    print(json.dumps(payload))


def command_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _machine() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
            cursor.execute("SHOW shared_buffers")
            version += f" (shared_buffers {cursor.fetchone()[0]})"
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]} (WAL)"
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": version,
        "platform": platform.platform(),
    }


class Timer:
    """Counts and times the SQL a request runs (Django's execute_wrapper)."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, list[Any], float]] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, list(params or []) if not many else [], (time.perf_counter() - started) * 1000))


def _explain(sql: str, params: list[Any]) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())


def _search_queries(count: int, seed: int) -> list[str]:
    """Distinct, realistic things to type: the start of a seeded name, sometimes of two words."""
    from rapport.core.search import words
    from rapport.customers.models import Account, Contact

    rng = random.Random(seed)
    max_account = Account.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    max_contact = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    queries: list[str] = []
    seen: set[str] = set()
    while len(queries) < count:
        if rng.random() < 0.5:
            name = Account.objects.filter(pk=rng.randint(1, max_account)).values_list("name", flat=True).first()
            parts = [w for w in words(name or "") if len(w) >= 3 or not w.isascii()]
        else:
            person = (
                Contact.objects.filter(pk=rng.randint(1, max_contact)).values_list("first_name", "last_name").first()
            )
            parts = [w for w in words(" ".join(person or ())) if len(w) >= 2]
        if not parts:
            continue
        start = rng.randrange(len(parts)) if rng.random() < 0.3 else 0
        first = parts[start]
        text = first if not first.isascii() else first[: rng.randint(3, 6)]
        if rng.random() < 0.25 and start + 1 < len(parts):
            second = parts[start + 1]
            text += " " + (second if not second.isascii() else second[: rng.randint(2, 4)])
        if text not in seen:
            seen.add(text)
            queries.append(text)
    return queries


def _lead_search_queries(count: int, seed: int) -> list[str]:
    """Things a salesperson types into the lead list's search: the start of a lead's name or company."""
    from rapport.core.search import words
    from rapport.leads.models import Lead

    rng = random.Random(seed)
    max_lead = Lead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    queries: list[str] = []
    seen: set[str] = set()
    attempts = 0
    while len(queries) < count and attempts < count * 20:
        attempts += 1
        row = Lead.objects.filter(pk=rng.randint(1, max_lead)).values_list("last_name", "company").first()
        if row is None:
            continue
        parts = [w for w in words(row[0] if rng.random() < 0.6 else row[1]) if len(w) >= 3 or not w.isascii()]
        if not parts:
            continue
        first = parts[0]
        text = first if not first.isascii() else first[: rng.randint(3, 6)]
        if text not in seen:
            seen.add(text)
            queries.append(text)
    return queries


def command_measure(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import Resolver404, resolve

    from rapport.activities.models import Activity
    from rapport.core.models import RoleCode, RolePermission, Scope, User
    from rapport.core.services.org import role_permission_set
    from rapport.core.visibility import visible_to
    from rapport.customers.models import Account, AccountContact, Contact
    from rapport.leads.models import Lead
    from rapport.pipeline.models import Opportunity
    from rapport.quotes.models import Quote

    load_at_start = list(os.getloadavg())
    admin = User.objects.get(email=ADMIN)
    user = User.objects.select_related("team").get(email=BENCH_USER)
    # The benchmark's salesperson sees their whole team (Poland), not only their own records.
    for record_type in ("account", "contact", "lead", "opportunity", "quote"):
        permission = RolePermission.objects.get(role_id=RoleCode.SALESPERSON, record_type=record_type)
        if permission.scope != Scope.TEAM:
            role_permission_set(
                actor=admin,
                role=permission.role,
                record_type=record_type,
                can_create=permission.can_create,
                can_read=permission.can_read,
                can_edit=permission.can_edit,
                can_delete=permission.can_delete,
                scope=Scope.TEAM,
            )
    user = User.objects.select_related("team").get(pk=user.pk)
    totals = {
        "accounts": Account.objects.count(),
        "contacts": Contact.objects.count(),
        "account_links": AccountContact.objects.count(),
        "leads": Lead.objects.count(),
        "opportunities": Opportunity.objects.count(),
        "users": User.objects.count(),
        "activities": Activity.objects.count(),
        "quotes": Quote.objects.count(),
    }
    visible = {
        "accounts": visible_to(user, Account).count(),
        "customer_accounts": visible_to(user, Account).filter(type="customer").count(),
        "contacts": visible_to(user, Contact).count(),
        "leads": visible_to(user, Lead).count(),
        "own_leads": Lead.objects.filter(owner=user).count(),
        "opportunities": visible_to(user, Opportunity).count(),
    }
    share = visible["accounts"] / max(1, totals["accounts"])
    print(
        f"[{connection.vendor}] {totals['accounts']:,} accounts, {totals['contacts']:,} contacts; "
        f"{BENCH_USER} (salesperson, team scope: {user.team}) sees {visible['accounts']:,} accounts "
        f"({share:.1%}), {visible['contacts']:,} contacts and {visible['leads']:,} of {totals['leads']:,} leads",
        flush=True,
    )

    calendar_setup = _calendar_setup(user) if totals["activities"] else None
    people = [user, admin]
    if calendar_setup is not None:
        people += [calendar_setup["manager"], calendar_setup["executive"]]
    clients = {}
    for person in people:
        client = Client()
        client.force_login(person)
        clients[person.email] = client

    def exists(path: str) -> bool:
        try:
            resolve(path)
        except Resolver404:
            return False
        return True

    queries = _search_queries(args.requests + args.warmup, args.seed)
    warm_queries, timed_queries = queries[: args.warmup], queries[args.warmup :]

    def fixed(path: str) -> tuple[str, list[str], list[str]]:
        return path, [path] * args.warmup, [path] * args.requests

    def per_query(path: str, texts: list[str] | None = None, **extra: Any) -> tuple[str, list[str], list[str]]:
        warm, timed = (warm_queries, timed_queries) if texts is None else (texts[: args.warmup], texts[args.warmup :])

        def url(q: str) -> str:
            return f"{path}?{urlencode({'q': q, **extra})}"

        shown = f"{path}?{urlencode({**extra})}&q=… ({len(timed)} distinct queries)".replace("?&", "?")
        return shown, [url(q) for q in warm], [url(q) for q in timed]

    def answers(path: str) -> bool:
        """Whether a page or endpoint is there yet (the lead modules are being built alongside)."""
        status = clients[BENCH_USER].get(path).status_code
        if status != 200:
            print(f"  (skipped: {path} answered {status})", flush=True)
        return status == 200

    scenarios: list[tuple[str, str, float | None, tuple[str, list[str], list[str]]]] = [
        (
            "Account list API, customers, 50 rows",
            BENCH_USER,
            LIST_TARGET_MS,
            fixed("/api/v1/accounts?limit=50&type=customer"),
        ),
        ("Contact list API, 50 rows", BENCH_USER, LIST_TARGET_MS, fixed("/api/v1/contacts?limit=50")),
    ]
    if exists("/accounts/"):
        scenarios.append(
            ("Account list page, customers", BENCH_USER, LIST_TARGET_MS, fixed("/accounts/?type=customer"))
        )
    if exists("/contacts/"):
        scenarios.append(("Contact list page", BENCH_USER, LIST_TARGET_MS, fixed("/contacts/")))
    if exists("/search/"):
        scenarios.append(("Global search page", BENCH_USER, SEARCH_TARGET_MS, per_query("/search/")))
        scenarios.append(("Global search page, administrator", ADMIN, SEARCH_TARGET_MS, per_query("/search/")))
    scenarios.append(("Account list API, search q=…", BENCH_USER, None, per_query("/api/v1/accounts", limit=50)))
    if totals["leads"] and answers("/api/v1/leads?limit=50"):
        lead_queries = _lead_search_queries(args.requests + args.warmup, args.seed)
        scenarios += [
            ("Lead list API, 50 rows", BENCH_USER, LIST_TARGET_MS, fixed("/api/v1/leads?limit=50")),
            ("Lead list API, status=new", BENCH_USER, LIST_TARGET_MS, fixed("/api/v1/leads?limit=50&status=new")),
            ("Lead list API, owner=me", BENCH_USER, LIST_TARGET_MS, fixed("/api/v1/leads?limit=50&owner=me")),
            ("Lead list API, by score", BENCH_USER, LIST_TARGET_MS, fixed("/api/v1/leads?limit=50&ordering=-score")),
            (
                "Lead list API, search q=…",
                BENCH_USER,
                LIST_TARGET_MS,
                per_query("/api/v1/leads", lead_queries, limit=50),
            ),
            ("Lead list API, administrator", ADMIN, None, fixed("/api/v1/leads?limit=50")),
        ]
    if totals["leads"] and answers("/leads/"):
        scenarios.append(("Lead list page", BENCH_USER, LIST_TARGET_MS, fixed("/leads/")))
        scenarios.append(("Lead list page, by score", BENCH_USER, LIST_TARGET_MS, fixed("/leads/?ordering=-score")))

    if totals["opportunities"] and answers("/api/v1/opportunities?limit=50"):
        scenarios += [
            ("Opportunity list API, 50 rows", BENCH_USER, LIST_TARGET_MS, fixed("/api/v1/opportunities?limit=50")),
            (
                "Opportunity list API, owner=me",
                BENCH_USER,
                LIST_TARGET_MS,
                fixed("/api/v1/opportunities?limit=50&owner=me"),
            ),
            (
                "Opportunity list API, by close date",
                BENCH_USER,
                LIST_TARGET_MS,
                fixed("/api/v1/opportunities?limit=50&ordering=close_date"),
            ),
            ("Opportunity list API, administrator", ADMIN, None, fixed("/api/v1/opportunities?limit=50")),
        ]
    if totals["opportunities"] and answers("/opportunities/"):
        scenarios.append(("Opportunity list page", BENCH_USER, LIST_TARGET_MS, fixed("/opportunities/")))
    if totals["opportunities"] and answers("/opportunities/board/"):
        scenarios += [
            ("Pipeline board page", BENCH_USER, BOARD_TARGET_MS, fixed("/opportunities/board/")),
            ("Pipeline board page, administrator", ADMIN, None, fixed("/opportunities/board/")),
        ]

    if totals["quotes"] and answers("/api/v1/quotes?limit=50"):
        scenarios += [
            ("Quote list API, 50 rows", BENCH_USER, LIST_TARGET_MS, fixed("/api/v1/quotes?limit=50")),
            ("Quote list API, status=sent", BENCH_USER, LIST_TARGET_MS, fixed("/api/v1/quotes?limit=50&status=sent")),
            ("Quote list API, by total", BENCH_USER, LIST_TARGET_MS, fixed("/api/v1/quotes?limit=50&ordering=-total")),
            ("Quote list API, administrator", ADMIN, None, fixed("/api/v1/quotes?limit=50")),
        ]
    if totals["quotes"] and answers("/quotes/"):
        scenarios.append(("Quote list page", BENCH_USER, LIST_TARGET_MS, fixed("/quotes/")))

    notes: dict[str, list[str]] = {}
    if calendar_setup is not None:
        scenarios += _calendar_scenarios(calendar_setup, fixed, notes)

    if args.only:
        scenarios = [s for s in scenarios if args.only.casefold() in s[0].casefold()]
    results: list[Result] = []
    plans: dict[str, list[dict[str, Any]]] = {}
    for name, who, target, (shown, warm, timed) in scenarios:
        client = clients[who]
        for request_path in warm:
            response = client.get(request_path)
            if response.status_code != 200:
                raise SystemExit(f"{request_path} answered {response.status_code} for {who}")
        samples = []
        cpu_samples = []
        for request_path in timed:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(request_path)
            samples.append((time.perf_counter() - started) * 1000)
            cpu_samples.append((time.process_time() - cpu_started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{request_path} answered {response.status_code} for {who}")
        result = summarize(name, shown, who, target, samples)
        result.notes = list(notes.get(name, []))
        set_cpu(result, cpu_samples)
        # One more request, this time counting and timing its SQL.
        sample_path = timed[samples.index(max(samples))]
        timer = Timer()
        with connection.execute_wrapper(timer):
            client.get(sample_path)
        result.queries_per_request = len(timer.queries)
        slowest = sorted(timer.queries, key=lambda q: q[2], reverse=True)
        result.slowest_query_ms = round(slowest[0][2], 2) if slowest else 0.0
        plans[name] = [
            {"ms": round(ms, 2), "sql": sql, "params": [str(p) for p in params], "plan": ""}
            for sql, params, ms in slowest[:3]
        ]
        if args.explain:
            for entry, (sql, params, _ms) in zip(plans[name], slowest[:3], strict=False):
                if sql.lstrip().upper().startswith("SELECT"):
                    entry["plan"] = _explain(sql, params)
        results.append(result)
        print_result(result)
        if args.explain:
            print(f"    slowest request: {sample_path}")
            for entry in plans[name]:
                print(f"    {entry['ms']:.1f} ms  {entry['sql'][:300]}")
                for line in entry["plan"].splitlines():
                    print(f"        {line}")

    if totals["opportunities"] and (not args.only or args.only.casefold() in "move api"):
        moves = _measure_moves(clients[BENCH_USER], user, args.warmup, args.requests)
        if moves is not None:
            results.append(moves)

    payload = {
        "engine": connection.vendor,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        # other work on the machine stretches wall-clock times; see cpu_p50_ms/cpu_p95_ms then
        "load_average": {"start": load_at_start, "end": list(os.getloadavg())},
        "machine": _machine(),
        "rows": totals,
        "bench_user": {
            "email": BENCH_USER,
            "role": "salesperson",
            "scope": "team (set for the benchmark)",
            "team": str(user.team),
            "visible": visible,
            "share_of_accounts": round(share, 4),
        },
        "build_seconds": args.build_seconds or None,
        "requests_per_measurement": args.requests,
        "warmup": args.warmup,
        "targets_ms": {
            "list_p95": LIST_TARGET_MS,
            "search_p95": SEARCH_TARGET_MS,
            "calendar_p95": CALENDAR_TARGET_MS,
            "feed_p95": FEED_TARGET_MS,
            "today_p95": TODAY_TARGET_MS,
        },
        "calendar": None
        if calendar_setup is None
        else {k: v for k, v in calendar_setup.items() if k not in ("manager", "executive", "team", "token")},
        "results": [asdict(r) for r in results],
        "queries": plans,
    }
    Path(args.out).write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print(f"[{connection.vendor}] results written to {args.out}")


def _calendar_setup(user: Any) -> dict[str, Any] | None:
    """Who the calendar measurements run as: the sales manager of the largest team (by the people in
    it and its sub-teams), the executive for the whole company, and the salesperson's feed address."""
    from rapport.activities.models import Activity
    from rapport.activities.selectors import overlapping
    from rapport.activities.services.feeds import feed_token
    from rapport.activities.views import feed_window
    from rapport.core.models import RoleCode, Team, User

    best: tuple[int, Any] | None = None
    for team in Team.objects.select_related("manager").filter(manager__role_id=RoleCode.SALES_MANAGER):
        size = User.objects.filter(is_active=True, team__path__startswith=team.path).count()
        if best is None or size > best[0]:
            best = (size, team)
    if best is None:
        return None
    size, team = best
    executive = User.objects.filter(email=EXECUTIVE).first() or User.objects.get(email=ADMIN)
    start, end = feed_window()
    in_feed = Activity.objects.filter(owner=user).filter(overlapping(start, end)).count()
    return {
        "manager": team.manager,
        "manager_email": team.manager.email,
        "executive": executive,
        "executive_email": executive.email,
        "team": team,
        "team_name": team.name,
        "team_people": size,
        "company_people": User.objects.filter(is_active=True).count(),
        "token": feed_token(actor=user),
        "feed_activities": in_feed,
    }


def _calendar_scenarios(
    setup: dict[str, Any], fixed: Callable[[str], tuple[str, list[str], list[str]]], notes: dict[str, list[str]]
) -> list[tuple[str, str, float | None, tuple[str, list[str], list[str]]]]:
    """Issue 5 item 9: a team's week and month, my week, the internet calendar, the Today page."""
    manager, team = setup["manager_email"], setup["team"]
    team_note = f"team {setup['team_name']} (t{team.pk}): {setup['team_people']} people, as its manager {manager}"
    week_team = f"Calendar week (team), {setup['team_people']} people"
    month_team = f"Calendar month (team), {setup['team_people']} people"
    week_company = f"Calendar week (company), {setup['company_people']} people, executive"
    notes[week_team] = [team_note]
    notes[month_team] = [team_note]
    feed = "Calendar feed (.ics), full 200 response"
    notes[feed] = [
        f"{setup['feed_activities']:,} activities (VEVENTs) in the feed's window, 90 days back to a year ahead"
    ]
    from rapport.core.models import Team

    company = Team.objects.filter(parent__isnull=True).order_by("path").first()
    scenarios: list[tuple[str, str, float | None, tuple[str, list[str], list[str]]]] = [
        (week_team, manager, CALENDAR_TARGET_MS, fixed(f"/calendar/?view=week&who=t{team.pk}")),
        (month_team, manager, CALENDAR_TARGET_MS, fixed(f"/calendar/?view=month&who=t{team.pk}")),
        ("Calendar week (me)", BENCH_USER, None, fixed("/calendar/?view=week")),
        ("Calendar month (me)", BENCH_USER, None, fixed("/calendar/?view=month")),
        (feed, BENCH_USER, FEED_TARGET_MS, fixed(f"/calendar/{setup['token']}.ics")),
        ("Today page", BENCH_USER, TODAY_TARGET_MS, fixed("/today/")),
        ("Today page, manager", manager, TODAY_TARGET_MS, fixed("/today/")),
    ]
    if company is not None:
        notes[week_company] = [f"team {company.name} (t{company.pk}) and its sub-teams, as {setup['executive_email']}"]
        path = f"/calendar/?view=week&who=t{company.pk}"
        scenarios.insert(2, (week_company, setup["executive_email"], None, fixed(path)))
    return scenarios


def _measure_moves(client: Any, user: Any, warmup: int, requests: int) -> Result | None:
    """`POST /api/v1/opportunities/{id}/move`: open deals of the salesperson's team, each moved one
    stage back (through the stage gates, which let these moves pass). Afterwards the deals, their
    history and the audit entries are put back as they were, so the database stays as seeded."""
    from django.db import connection
    from django.db.models import Max

    from rapport.core.models import AuditEntry, Notification
    from rapport.core.visibility import visible_to
    from rapport.pipeline.gates import missing_for
    from rapport.pipeline.models import Opportunity, Pipeline, StageChange, StageKind

    pipeline = Pipeline.objects.filter(name="Sales").first()
    if pipeline is None:
        return None
    stages = [s for s in pipeline.stages.order_by("order", "id") if s.kind == StageKind.OPEN]
    previous = {later.pk: earlier for earlier, later in itertools.pairwise(stages)}
    candidates = (
        visible_to(user, Opportunity, "edit")
        .filter(pipeline=pipeline, stage__in=list(previous))
        .select_related("stage")
        .order_by("-pk")[: (warmup + requests) * 3]
    )
    moves = [(o, previous[o.stage_id]) for o in candidates if not missing_for(o, previous[o.stage_id])]
    moves = moves[: warmup + requests]
    if len(moves) < warmup + requests:
        print(f"  (skipped the move API: only {len(moves)} deals to move)", flush=True)
        return None
    originals = {o.pk: Opportunity.objects.get(pk=o.pk) for o, _stage in moves}
    highest = {
        model: model.objects.aggregate(m=Max("pk"))["m"] or 0 for model in (StageChange, AuditEntry, Notification)
    }
    samples, cpu_samples = [], []
    timer = Timer()
    try:
        for index, (opportunity, stage) in enumerate(moves):
            path = f"/api/v1/opportunities/{opportunity.pk}/move"
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.post(path, {"stage": stage.pk}, content_type="application/json")
            elapsed, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu_started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}: {response.content[:300]!r}")
            if index >= warmup:
                samples.append(elapsed)
                cpu_samples.append(cpu)
        last, _stage = moves[-1]
        with connection.execute_wrapper(timer):
            client.post(
                f"/api/v1/opportunities/{last.pk}/move", {"stage": last.stage_id}, content_type="application/json"
            )
    finally:
        fields = [f.attname for f in Opportunity._meta.concrete_fields if not f.primary_key]
        Opportunity.objects.bulk_update(list(originals.values()), fields, batch_size=500)
        with connection.cursor() as cursor:  # plain DELETEs: the history and the audit trail refuse the ORM's
            for model, pk in highest.items():
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)} WHERE id > %s", [pk])
    result = summarize(
        "Move API (one stage back, through the gates)",
        f"POST /api/v1/opportunities/{{id}}/move ({requests} distinct deals)",
        BENCH_USER,
        MOVE_TARGET_MS,
        samples,
    )
    set_cpu(result, cpu_samples)
    result.queries_per_request = len(timer.queries)
    result.slowest_query_ms = round(max((q[2] for q in timer.queries), default=0.0), 2)
    print_result(result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.measure")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("status")
    sub.add_parser("analyze")
    measure = sub.add_parser("measure")
    measure.add_argument("--requests", type=int, default=200)
    measure.add_argument("--warmup", type=int, default=20)
    measure.add_argument("--seed", type=int, default=2026)
    measure.add_argument("--out", required=True)
    measure.add_argument("--build-seconds", type=float, default=0)
    measure.add_argument("--explain", action="store_true")
    measure.add_argument("--only", default="", help="only the measurements whose name contains this text")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    django.setup()
    if args.command == "status":
        command_status()
    elif args.command == "analyze":
        command_analyze()
    else:
        command_measure(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
