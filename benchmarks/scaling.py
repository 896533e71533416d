"""Scaling series: 0.5 M … 8 M cohort events (× 10 offences), pbr (validated and not) and DuckDB.

Usage::

    .venv/bin/python benchmarks/scaling.py --shape project [--sizes 500000,1000000,...]
    .venv/bin/python benchmarks/plot_scaling.py            # -> benchmarks/scaling.png

For each size, one alternating pair per pbr mode (``duckdb, cli, duckdb, cli-novalidate``,
see ``compare_duckdb.py``), each in its own process: wall time (process start to exit)
and peak RSS, and the lot-quarter counts checked against DuckDB. Results are merged into
``benchmarks/_data/scaling-<shape>-<tag>.json`` (one entry per size and mode; a rerun of
a size replaces it), so the series can be run one size per command.

Memory guard (the machine is shared): a size is skipped when less than ``--min-free-gb``
(default 12) GiB is available before it, and a mode is skipped when its peak RSS
extrapolated linearly from the previous size would not fit in the available memory minus
4 GiB. Skips are recorded in the JSON with their reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import compare_duckdb
import shapes
from _harness import machine, src_commit

HERE = Path(__file__).resolve().parent
SIZES = (500_000, 1_000_000, 2_000_000, 4_000_000, 8_000_000)
PBR_MODES = ("cli", "cli-novalidate")


def result_path(shape: str, tag: str) -> Path:
    return HERE / "_data" / f"scaling-{shape}-{tag}.json"


def load(path: Path) -> dict[str, Any]:
    if path.exists():
        data: dict[str, Any] = json.loads(path.read_text())
        return data
    return {"runs": [], "skips": []}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=["project", "extract"], default="project")
    ap.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    ap.add_argument("--modes", default=",".join(PBR_MODES))
    ap.add_argument("--pbr-src", type=Path, default=compare_duckdb.REPO_SRC)
    ap.add_argument("--tag", default="")
    ap.add_argument("--min-free-gb", type=float, default=12.0)
    ap.add_argument("--keep-data", action="store_true", help="keep each size's files")
    args = ap.parse_args()
    src = args.pbr_src.resolve()
    tag = args.tag or src.parent.name
    path = result_path(args.shape, tag)
    res = load(path)
    res.update({"shape": args.shape, "pbr_src": str(src), "pbr_commit": src_commit(src)})
    print(f"pbr from {src} at {res['pbr_commit']}")
    modes = [m for m in args.modes.split(",") if m]
    status = 0
    for events in (int(s) for s in args.sizes.split(",")):
        m0 = machine()
        print(
            f"== {args.shape} {events:,} events: {m0['uptime']}; {m0['mem_available_gb']} GiB free"
        )
        res["runs"] = [r for r in res["runs"] if r["events"] != events]
        res["skips"] = [s for s in res["skips"] if s["events"] != events]
        if m0["mem_available_gb"] < args.min_free_gb:
            why = f"only {m0['mem_available_gb']} GiB available (< {args.min_free_gb})"
            print("   skipped:", why)
            res["skips"].append({"events": events, "mode": "all", "why": why, "machine": m0})
            path.write_text(json.dumps(res, indent=1))
            continue
        data, meta = shapes.ensure(args.shape, events)
        for mode in modes:
            prev = [r for r in res["runs"] if r["mode"] == mode and r["events"] < events]
            if prev:
                last = max(prev, key=lambda r: r["events"])
                need = last["peak_mb"] / 1024 * events / last["events"]
                avail = machine()["mem_available_gb"]
                if need > avail - 4:
                    why = f"{mode}: predicted peak {need:.1f} GiB > {avail} GiB available - 4"
                    print("   skipped:", why)
                    res["skips"].append({"events": events, "mode": mode, "why": why})
                    continue
            d = compare_duckdb.run_mode("duckdb", data, meta["extract_date"], src, tag)
            p = compare_duckdb.run_mode(mode, data, meta["extract_date"], src, tag)
            bad = compare_duckdb.disagreements(p["rows"], d["rows"])
            if bad:
                status = 1
                print(
                    f"   !! {mode}: {len(bad)} lot-quarter(s) disagree: {bad[:5]}", file=sys.stderr
                )
            for r in (d, p):
                if r["mode"] == "duckdb" and any(
                    x["mode"] == "duckdb" and x["events"] == events for x in res["runs"]
                ):
                    # a second DuckDB run at this size: keep the faster as "duckdb"
                    old = next(
                        x for x in res["runs"] if x["mode"] == "duckdb" and x["events"] == events
                    )
                    old["walls"].append(round(r["wall"], 3))
                    old["wall"] = min(old["wall"], r["wall"])
                    old["peak_mb"] = max(old["peak_mb"], r["peak_kb"] / 1024)
                    continue
                res["runs"].append(
                    {
                        "events": events,
                        "offences": 10 * events,
                        "mode": r["mode"],
                        "wall": r["wall"],
                        "walls": [round(r["wall"], 3)],
                        "peak_mb": r["peak_kb"] / 1024,
                        "cpu": r["user"] + r["sys"],
                        "rc": r["rc"],
                        "agree": not bad if r is p else None,
                        "ratio_to_paired_duckdb": r["wall"] / d["wall"] if r is p else None,
                        "load_before": r["load_before"],
                    }
                )
            print(
                f"   {mode:15s} {p['wall']:7.2f} s {p['peak_kb'] / 1024:7.0f} MB | duckdb "
                f"{d['wall']:6.2f} s {d['peak_kb'] / 1024:5.0f} MB | load {p['load_before'][0]:.2f}"
                f" | agree {not bad}"
            )
            path.write_text(json.dumps(res, indent=1))
        res.setdefault("machine", {})[str(events)] = machine()
        path.write_text(json.dumps(res, indent=1))
        if not args.keep_data and events >= 4_000_000:
            for f in data.glob("*.parquet"):
                f.unlink()
            (data / "meta.json").unlink(missing_ok=True)
    print("->", path)
    return status


if __name__ == "__main__":
    sys.exit(main())
