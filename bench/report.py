"""Print the benchmark results as the Markdown table used in docs/performance.md.

.venv/bin/python -m bench.report            # reads bench/results-sqlite.json and bench/results-postgresql.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def table(path: Path) -> str:
    data = json.loads(path.read_text())
    rows = data["rows"]
    lines = [
        f"**{data['machine']['database']}** — {rows['accounts']:,} accounts, {rows['contacts']:,} contacts, "
        f"{rows['account_links']:,} account links, {rows.get('leads', 0):,} leads; measured {data['measured_at']}, "
        f"{data['requests_per_measurement']} timed requests each after {data['warmup']} warm-up requests"
        + (f"; database built in {data['build_seconds']:,.0f} s" if data.get("build_seconds") else ""),
        "",
        "| Measurement | User | p50 ms | p95 ms | max ms | Target p95 | Queries |",
        "|---|---|---:|---:|---:|---|---:|",
    ]
    for result in data["results"]:
        target = "—" if result["target_ms"] is None else f"< {result['target_ms']:.0f} ms"
        if result["met"] is not None:
            target += " ✓" if result["met"] else " ✗"
        user = result["user"].split("@")[0]
        lines.append(
            f"| {result['name']} | {user} | {result['p50_ms']:.1f} | {result['p95_ms']:.1f} | "
            f"{result['max_ms']:.1f} | {target} | {result['queries_per_request']} |"
        )
    imported = data.get("import")
    if imported:
        counts = imported["result"]
        lines += [
            "",
            f"Lead import of {imported['rows']:,} CSV rows (duplicates: skip): {imported['seconds']:,.1f} s, "
            f"**{imported['rows_per_second']:,.0f} rows/s** (target ≥ {imported['targets']['rows_per_second']:,.0f}), "
            f"peak memory **{imported['peak_mb']:.0f} MB** (target < {imported['targets']['peak_mb']:.0f}); "
            f"created {counts.get('created', 0):,}, skipped {counts.get('skipped', 0):,}, "
            f"failed {counts.get('failed', 0):,}.",
        ]
    return "\n".join(lines)


def main() -> int:
    paths = [ROOT / f"results-{engine}.json" for engine in ("sqlite", "postgresql")]
    found = [p for p in paths if p.exists()]
    if not found:
        print("No results yet: run `python -m bench` first.", file=sys.stderr)
        return 1
    print("\n\n".join(table(p) for p in found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
