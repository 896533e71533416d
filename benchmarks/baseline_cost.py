"""Cost of ``build_baseline`` (OGRS3 recalibration) against ``compute_measures`` on the same files.

Usage::

    .venv/bin/python benchmarks/baseline_cost.py [--shape project] [--events 2000000]
                                                 [--year 2016] [--risks ogrs3] [--pbr-src DIR]

Each job runs in its own fresh process; the time is from the files to the result (imports
excluded), the memory is the child's peak RSS. Jobs:

* ``measures`` — ``compute_measures(cohort, offences, extract_date=…, period="quarter")``
  (validated, the default);
* ``measures-novalidate`` — the same with ``validate=False``;
* ``baseline-<risk>`` — ``build_baseline(cohort, offences, extract_date=…, year=…, risk=…)``
  (which counts with ``compute_measures``, validated, then fits the baseline on the
  members of ``year``).

The project shape's index dates run 2015-01 … 2017-06, so the default baseline year is
2016 (a full year). Neither generator writes ``first_sanction_date`` (OGRS3 needs it), so
the jobs run on a copy of the cohort with that column added (:func:`with_first_sanction`);
results go to ``benchmarks/_data/baseline-<shape>-<events>-<tag>.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import shapes
from _harness import machine, peak_kb, run_measured, src_commit

HERE = Path(__file__).resolve().parent
REPO_SRC = HERE.parent / "src"


def child(job: str, data: str, extract_date: str, year: str, out: str) -> None:
    import pbr

    cohort, offences = f"{data}/cohort.parquet", f"{data}/offences.parquet"
    t0 = time.perf_counter()
    info: dict[str, Any] = {}
    if job.startswith("measures"):
        m = pbr.compute_measures(
            cohort,
            offences,
            extract_date=extract_date,
            period="quarter",
            validate=job == "measures",
        )
        info["members"] = len(m.members)
    else:
        b = pbr.build_baseline(
            cohort, offences, extract_date=extract_date, year=int(year), risk=job.split("-")[1]
        )
        info["baseline_rows"] = len(b.rates)
        info["status"] = b.status
    secs = time.perf_counter() - t0
    Path(out).write_text(json.dumps({"inner": secs, "peak_kb": peak_kb(), **info}))


def with_first_sanction(data: Path, seed: int = 5) -> Path:
    """The same files with a ``first_sanction_date`` cohort column (OGRS3 needs it).

    Neither generator writes the column; here it is the date of birth + 10 years + a
    uniform share of the time from then to the index date (seeded), so it is never
    before age 10 nor after the index date. Written once to ``<data>-fsd/``; the offences
    file is linked, not copied.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = data.with_name(data.name + "-fsd")
    done = out / "cohort.parquet"
    if done.exists() and done.stat().st_mtime >= (data / "cohort.parquet").stat().st_mtime:
        return out
    out.mkdir(exist_ok=True)
    t = pq.read_table(data / "cohort.parquet")
    dob = t["date_of_birth"].to_numpy().astype("datetime64[D]").astype(np.int64)
    idx = t["index_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    start = np.minimum(dob + 3653, idx)
    u = np.random.default_rng(seed).random(len(t))
    first = start + (u * (idx - start)).astype(np.int64)
    t = t.append_column("first_sanction_date", pa.array(first.astype(np.int32), pa.date32()))
    pq.write_table(t, done)
    link = out / "offences.parquet"
    if not link.exists():
        link.symlink_to(data / "offences.parquet")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=["project", "extract"], default="project")
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--year", type=int, default=2016)
    ap.add_argument("--risks", default="ogrs3")
    ap.add_argument("--pbr-src", type=Path, default=REPO_SRC)
    ap.add_argument("--tag", default="")
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return 0
    src = args.pbr_src.resolve()
    data, meta = shapes.ensure(args.shape, args.events)
    data = with_first_sanction(data)
    jobs = ["measures", "measures-novalidate", *(f"baseline-{r}" for r in args.risks.split(","))]
    res: dict[str, Any] = {"shape": args.shape, "events": args.events, "year": args.year}
    res["pbr_src"] = str(src)
    res["pbr_commit"] = src_commit(src)
    print(f"{args.shape} {args.events:,} events; pbr from {src} at {res['pbr_commit']}")
    print(f"  {machine()['uptime']}")
    for job in jobs:
        out = data / f"_baseline_{job}.json"
        out.unlink(missing_ok=True)
        argv = [sys.executable, __file__, "--child", job, str(data), meta["extract_date"]]
        argv += [str(args.year), str(out)]
        m0 = machine()
        r = run_measured(argv, env={"PYTHONPATH": str(src)})
        if r["rc"] != 0:
            print(f"  !! {job} failed:\n{r['stderr_tail']}", file=sys.stderr)
            res[job] = {"rc": r["rc"], "stderr": r["stderr_tail"]}
            continue
        c = json.loads(out.read_text())
        res[job] = {**c, "wall": r["wall"], "peak_mb": r["peak_kb"] / 1024, "load": m0["load"]}
        extra = {k: v for k, v in c.items() if k not in ("inner", "peak_kb")}
        print(
            f"  {job:22s} {c['inner']:7.2f} s (process {r['wall']:6.2f} s) "
            f"{r['peak_kb'] / 1024:7.0f} MB  load {m0['load'][0]:.2f}  {extra}"
        )
    base = res.get("measures", {}).get("inner")
    for job in jobs[2:]:
        if base and "inner" in res.get(job, {}):
            print(f"  {job} / measures (validated) = {res[job]['inner'] / base:.2f}x")
    res["machine_after"] = machine()
    tag = args.tag or src.parent.name
    path = HERE / "_data" / f"baseline-{args.shape}-{args.events}-{tag}.json"
    path.write_text(json.dumps(res, indent=1))
    print(f"  {res['machine_after']['uptime']} -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
