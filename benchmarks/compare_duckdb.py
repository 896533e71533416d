"""pbr on the user's paths against one DuckDB SQL query, in alternating pairs, on one data shape.

Usage::

    .venv/bin/python benchmarks/compare_duckdb.py --shape extract --events 2000000 --pairs 3
    .venv/bin/python benchmarks/compare_duckdb.py --pbr-src /path/to/other/checkout/src ...

Modes (each run in its own fresh process; ``--modes`` picks a subset):

* ``duckdb`` — :data:`_harness.DUCKDB_SQL`, the same rules as one SQL query over the files;
* ``cli`` — ``python -m pbr measures --cohort … --offences … --extract-date … --out x.csv``
  (the default path: validated), counts read back from the CSV it writes;
* ``cli-novalidate`` — the same with ``--no-validate``;
* ``lib`` — ``pbr.compute_measures(cohort, offences, …, validate=False)`` in a child.

Every pair is (duckdb, one pbr mode), so each pbr run has a DuckDB run next to it under the
same machine load; the ratio reported is the median of the paired ratios. ``wall`` is the
child process from start to exit (interpreter start and imports included, as a user sees
it); ``inner`` (duckdb and lib only) is the time from the files to the counts, imports
excluded. Peak RSS is the child's high-water mark. The pbr children run with
``PYTHONPATH=--pbr-src`` so two checkouts can be compared on the same files. Every lot ×
quarter's cohort size, reoffenders and reoffences must agree with DuckDB; a disagreement
is printed (first rows) and makes the exit status 1. Results go to
``benchmarks/_data/compare-<shape>-<events>-<tag>.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

import shapes
from _harness import duckdb_rows, machine, median, peak_kb, run_measured, src_commit

HERE = Path(__file__).resolve().parent
REPO_SRC = HERE.parent / "src"
MODES = ("cli", "cli-novalidate", "lib")


def child(mode: str, cohort: str, offences: str, extract_date: str, out: str) -> None:
    """Run one engine in this fresh process; write its counts and timing to ``out``."""
    if mode == "lib":
        import pbr

        t0 = time.perf_counter()
        m = pbr.compute_measures(
            cohort, offences, extract_date=extract_date, period="quarter", validate=False
        )
        t = m.table[["lot", "period", "cohort_size", "reoffenders", "reoffences"]]
        rows = [[str(a), str(b), int(c), int(d), int(e)] for a, b, c, d, e in t.itertuples(False)]
        where = pbr.__file__
    else:
        import duckdb

        t0 = time.perf_counter()
        rows = duckdb_rows(cohort, offences)
        where = duckdb.__version__
    inner = time.perf_counter() - t0
    res = {"inner": inner, "peak_kb": peak_kb(), "rows": rows, "at": where}
    Path(out).write_text(json.dumps(res))


def csv_rows(path: Path) -> list[list[Any]]:
    with path.open(newline="") as fh:
        cols = ("cohort_size", "reoffenders", "reoffences")
        return [[r["lot"], r["period"], *(int(r[c]) for c in cols)] for r in csv.DictReader(fh)]


def run_mode(mode: str, data: Path, extract_date: str, pbr_src: Path, tag: str) -> dict[str, Any]:
    """One measured run of ``mode`` on the files in ``data``."""
    cohort, offences = str(data / "cohort.parquet"), str(data / "offences.parquet")
    out = data / f"_{tag}_{mode}.json"
    out.unlink(missing_ok=True)
    env = {}
    if mode == "duckdb":
        argv = [sys.executable, __file__, "--child", mode, cohort, offences, extract_date, str(out)]
    elif mode == "lib":
        argv = [sys.executable, __file__, "--child", mode, cohort, offences, extract_date, str(out)]
        env["PYTHONPATH"] = str(pbr_src)
    else:
        csv_out = data / f"_{tag}_{mode}.csv"
        for old in (csv_out, csv_out.with_suffix(".manifest.json")):
            old.unlink(missing_ok=True)  # pbr never replaces an output without --force
        argv = [sys.executable, "-m", "pbr", "measures", "--cohort", cohort, "--offences", offences]
        argv += ["--extract-date", extract_date, "--period", "quarter", "--out", str(csv_out)]
        if mode == "cli-novalidate":
            argv.append("--no-validate")
        env["PYTHONPATH"] = str(pbr_src)
    load_before = machine()
    r = run_measured(argv, env=env)
    r["mode"] = mode
    r["load_before"] = load_before["load"]
    r["load_after"] = machine()["load"]
    if r["rc"] != 0:
        print(f"  !! {mode} exited {r['rc']}:\n{r['stderr_tail']}", file=sys.stderr)
        r["rows"] = None
        return r
    if mode in ("duckdb", "lib"):
        c = json.loads(out.read_text())
        r["inner"], r["rows"], r["at"] = c["inner"], c["rows"], c["at"]
    else:
        r["rows"] = csv_rows(csv_out)
        r["warnings"] = [x for x in r["stderr_tail"].splitlines() if x.startswith("warning")]
    return r


def disagreements(a: list[list[Any]] | None, b: list[list[Any]] | None) -> list[str]:
    """Lot × quarter rows where the counts of ``a`` (pbr) differ from ``b`` (DuckDB)."""
    if a is None or b is None:
        return ["no result"]
    da = {tuple(r[:2]): r[2:] for r in a}
    db = {tuple(r[:2]): r[2:] for r in b}
    return [
        f"{k[0]} {k[1]}: pbr {da.get(k)} duckdb {db.get(k)}"
        for k in sorted(set(da) | set(db))
        if da.get(k) != db.get(k)
    ]


def compare(
    shape: str,
    events: int,
    pairs: int,
    modes: list[str],
    pbr_src: Path,
    tag: str,
    seed: int = 20110101,
) -> dict[str, Any]:
    """Alternating paired runs; returns (and saves) the summary."""
    data, meta = shapes.ensure(shape, events, seed)
    extract_date = meta["extract_date"]
    print(f"{shape}: {events:,} events, {10 * events:,} offences in {data}")
    print(f"  pbr from {pbr_src} at {src_commit(pbr_src)}")
    print(f"  {machine()['uptime']}")
    runs: dict[str, list[dict[str, Any]]] = {m: [] for m in ["duckdb", *modes]}
    ratios: dict[str, list[float]] = {m: [] for m in modes}
    problems: dict[str, list[str]] = {}
    for i in range(pairs):
        for mode in modes:
            d = run_mode("duckdb", data, extract_date, pbr_src, tag)
            p = run_mode(mode, data, extract_date, pbr_src, tag)
            runs["duckdb"].append(d)
            runs[mode].append(p)
            bad = disagreements(p["rows"], d["rows"])
            if bad:
                problems.setdefault(mode, bad)
                msg = f"  !! {mode}: {len(bad)} lot-quarter(s) DISAGREE with DuckDB:"
                print(msg, file=sys.stderr)
                for line in bad[:15]:
                    print("     ", line, file=sys.stderr)
            if p["rc"] == 0 and d["rc"] == 0:
                ratios[mode].append(p["wall"] / d["wall"])
            inner = f" (inner {p['inner']:.2f} s vs {d['inner']:.2f} s)" if "inner" in p else ""
            cpu = f"cpu {p['user'] + p['sys']:.1f} vs {d['user'] + d['sys']:.1f} s"
            print(
                f"  pair {i + 1} {mode:15s} {p['wall']:7.2f} s {p['peak_kb'] / 1024:7.0f} MB | "
                f"duckdb {d['wall']:6.2f} s {d['peak_kb'] / 1024:5.0f} MB | "
                f"{p['wall'] / d['wall']:5.2f}x{inner} {cpu} load {p['load_before'][0]:.2f}"
            )
    summary: dict[str, Any] = {
        "shape": shape,
        "events": events,
        "offences": 10 * events,
        "pairs": pairs,
        "pbr_src": str(pbr_src),
        "pbr_commit": src_commit(pbr_src),
        "meta": meta,
        "machine_end": machine(),
        "lot_quarters": len(runs["duckdb"][0]["rows"] or []),
        "modes": {},
        "disagreements": problems,
    }
    for mode, rs in runs.items():
        ok = [r for r in rs if r["rc"] == 0]
        s: dict[str, Any] = {
            "walls": [round(r["wall"], 3) for r in rs],
            "best_wall": min((r["wall"] for r in ok), default=None),
            "median_wall": median([r["wall"] for r in ok]) if ok else None,
            "peak_mb": max((r["peak_kb"] for r in rs), default=0) / 1024,
            "loads": [r["load_before"] for r in rs],
            "failed": len(rs) - len(ok),
            # CPU seconds (user + sys) of the child: less sensitive to the machine's load
            "cpu": [round(r["user"] + r["sys"], 2) for r in rs],
            "median_cpu": median([r["user"] + r["sys"] for r in ok]) if ok else None,
        }
        if ok and "inner" in ok[0]:
            s["best_inner"] = min(r["inner"] for r in ok)
            s["median_inner"] = median([r["inner"] for r in ok])
        if mode != "duckdb":
            k = modes.index(mode)
            duck = runs["duckdb"][k :: len(modes)]
            cpu_ratios = [
                (p["user"] + p["sys"]) / (d["user"] + d["sys"])
                for p, d in zip(rs, duck, strict=False)
                if p["rc"] == 0 and d["rc"] == 0
            ]
            if cpu_ratios:
                s["median_paired_cpu_ratio"] = median(cpu_ratios)
        if ratios.get(mode):
            s["median_paired_ratio"] = median(ratios[mode])
            s["paired_ratios"] = [round(x, 3) for x in ratios[mode]]
        if mode == "lib":
            duck_inner = [r.get("inner") for r in runs["duckdb"]]
            pairs_inner = [
                p["inner"] / d
                for p, d in zip(rs, duck_inner[modes.index("lib") :: len(modes)], strict=False)
                if "inner" in p and d
            ]
            if pairs_inner:
                s["median_paired_inner_ratio"] = median(pairs_inner)
        if mode.startswith("cli") and ok:
            s["warnings"] = ok[0].get("warnings", [])
        summary["modes"][mode] = s
    keep = ("mode", "wall", "inner", "peak_kb", "user", "sys", "rc", "load_before", "load_after")
    summary["runs"] = [{k: r[k] for k in keep if k in r} for rs in runs.values() for r in rs]
    out = HERE / "_data" / f"compare-{shape}-{events}-{tag}.json"
    out.write_text(json.dumps(summary, indent=1))
    print(f"lot-quarters: {summary['lot_quarters']}; all agree with DuckDB: {not problems}")
    print(f"{'mode':16s} {'best':>8s} {'median':>8s} {'peak RSS':>9s} {'paired ratio':>13s} cpu")
    for mode, s in summary["modes"].items():
        ratio = f"{s['median_paired_ratio']:.2f}x" if "median_paired_ratio" in s else "1"
        best, med = s["best_wall"] or float("nan"), s["median_wall"] or float("nan")
        cr = s.get("median_paired_cpu_ratio")
        cpu = f"  cpu {s['median_cpu']:.1f} s" + (f" ({cr:.2f}x)" if cr else "")
        print(f"{mode:16s} {best:7.2f}s {med:7.2f}s {s['peak_mb']:7.0f}MB {ratio:>13s}{cpu}")
    print(f"  {summary['machine_end']['uptime']}  -> {out}")
    return summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=["project", "extract"], default="extract")
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--modes", default=",".join(MODES), help="comma-separated: " + ",".join(MODES))
    ap.add_argument("--pbr-src", type=Path, default=REPO_SRC, help="src dir of the pbr to run")
    ap.add_argument("--tag", default="", help="name suffix of the result JSON (default: src dir)")
    ap.add_argument("--seed", type=int, default=20110101)
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return 0
    modes = [m for m in args.modes.split(",") if m]
    unknown = set(modes) - set(MODES)
    if unknown:
        ap.error(f"unknown mode(s) {sorted(unknown)}")
    src = args.pbr_src.resolve()
    tag = args.tag or src.parent.name
    s = compare(args.shape, args.events, args.pairs, modes, src, tag, args.seed)
    return 1 if s["disagreements"] else 0


if __name__ == "__main__":
    sys.exit(main())
