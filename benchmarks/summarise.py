"""Markdown tables from the saved benchmark JSON (for benchmarks/README.md).

Usage::

    .venv/bin/python benchmarks/summarise.py [--tag main] [--events 2000000]

Reads ``_data/compare-<shape>-<events>-<tag>.json`` (both shapes), ``_data/scaling-*-<tag>.json``,
``_data/startup-<tag>.json`` and ``_data/baseline-project-<events>-<tag>.json`` when present.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
NAMES = {
    "duckdb": "DuckDB, the same rules as one SQL query",
    "cli": "`pbr measures` (default: validated)",
    "cli-novalidate": "`pbr measures --no-validate`",
    "lib": "`compute_measures(..., validate=False)`",
}


def _load(name: str) -> dict[str, Any] | None:
    p = DATA / name
    return json.loads(p.read_text()) if p.exists() else None


def _f(x: float | None, fmt: str = "{:.2f}") -> str:
    return "–" if x is None else fmt.format(x)


def compare_table(tag: str, events: int) -> None:
    print("| shape | mode | best wall | median wall | peak RSS | median paired ratio (wall) |")
    print("|---|---|---|---|---|---|")
    notes = []
    for shape in ("project", "extract"):
        d = _load(f"compare-{shape}-{events}-{tag}.json")
        if d is None:
            continue
        for mode, s in d["modes"].items():
            ratio = "1" if mode == "duckdb" else _f(s.get("median_paired_ratio"), "**{:.2f}×**")
            extra = ""
            if "median_paired_cpu_ratio" in s:
                extra = f" (CPU {s['median_paired_cpu_ratio']:.2f}×)"
            print(
                f"| {shape} | {NAMES[mode]} | {_f(s['best_wall'])} s | {_f(s['median_wall'])} s | "
                f"{s['peak_mb']:,.0f} MB | {ratio}{extra} |"
            )
        loads = [x[0] for s in d["modes"].values() for x in s["loads"]]
        notes.append(
            f"{shape}: {d['lot_quarters']} lot-quarters, all agree with DuckDB: "
            f"{not d['disagreements']}; load average (1 min) before the runs "
            f"{min(loads):.1f}–{max(loads):.1f}; at the end: `{d['machine_end']['uptime']}`; "
            f"pbr at {d.get('pbr_commit', '?')}"
        )
        lib = d["modes"].get("lib", {})
        duck = d["modes"]["duckdb"]
        if "median_inner" in lib:
            notes.append(
                f"{shape}: files → counts, imports excluded (median): compute_measures "
                f"{lib['median_inner']:.2f} s, DuckDB {duck['median_inner']:.2f} s, median paired "
                f"ratio {lib.get('median_paired_inner_ratio', float('nan')):.2f}×"
            )
    print()
    for n in notes:
        print("*", n)
    print()


def scaling_table(tag: str) -> None:
    for p in sorted(DATA.glob(f"scaling-*-{tag}.json")):
        d = json.loads(p.read_text())
        print(f"Scaling, shape `{d['shape']}`, pbr at {d.get('pbr_commit', '?')}:")
        print()
        print("| events | offences | mode | wall | peak RSS | × paired DuckDB | CPU s | load |")
        print("|---|---|---|---|---|---|---|---|")
        for r in sorted(d["runs"], key=lambda r: (r["events"], r["mode"])):
            ratio = _f(r.get("ratio_to_paired_duckdb"))
            cpu = _f(r.get("cpu"), "{:.1f}")
            print(
                f"| {r['events']:,} | {r['offences']:,} | {r['mode']} | {r['wall']:.2f} s | "
                f"{r['peak_mb']:,.0f} MB | {ratio} | {cpu} | {r['load_before'][0]:.1f} |"
            )
        for s in d.get("skips", []):
            print(f"| {s['events']:,} | | {s['mode']} | skipped: {s['why']} | | | | |")
        print()


def startup_table(tag: str) -> None:
    d = _load(f"startup-{tag}.json")
    if d is None:
        return
    print("| command (fresh interpreter) | best of 5 (wall) | best CPU (user + sys) | all runs |")
    print("|---|---|---|---|")
    for k in ("python -c pass", "import pandas, pyarrow.parquet", "import pbr", "pbr --help"):
        runs = ", ".join(f"{w:.2f}" for w in d[k]["walls"])
        cpu = _f(d[k].get("best_cpu"), "{:.3f} s")
        print(f"| `{k}` | {d[k]['best']:.3f} s | {cpu} | {runs} |")
    base = d["import pandas, pyarrow.parquet"]["best"]
    print()
    print(
        f"* `import pbr` / `import pandas, pyarrow.parquet` = {d['import pbr']['best'] / base:.2f}×"
    )
    top = ", ".join(f"{n} {s:.2f} s" for n, s in d["importtime import pbr"][:6])
    print(f"* `-X importtime` self time per package: {top}")
    print(f"* third-party packages loaded by `import pbr`: {d['modules after import pbr']}")
    print(
        f"* load: before `{d['machine_before']['uptime']}`, after `{d['machine_after']['uptime']}`"
    )
    print()


def baseline_table(tag: str, events: int) -> None:
    d = _load(f"baseline-project-{events}-{tag}.json")
    if d is None:
        return
    print(f"| job (project shape, {events:,} events, baseline year {d['year']}) | time (files → "
          "result) | process wall | peak RSS | load |")  # fmt: skip
    print("|---|---|---|---|---|")
    for job, r in d.items():
        if not isinstance(r, dict) or "inner" not in r:
            continue
        print(
            f"| {job} | {r['inner']:.2f} s | {r['wall']:.2f} s | {r['peak_mb']:,.0f} MB | "
            f"{r['load'][0]:.1f} |"
        )
    print()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tag", default="main")
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--part", choices=["all", "compare", "scaling", "startup", "baseline"])
    args = ap.parse_args()
    part = args.part or "all"
    if part in ("all", "compare"):
        compare_table(args.tag, args.events)
    if part in ("all", "scaling"):
        scaling_table(args.tag)
    if part in ("all", "startup"):
        startup_table(args.tag)
    if part in ("all", "baseline"):
        baseline_table(args.tag, args.events)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
