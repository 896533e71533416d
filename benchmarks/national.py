"""National-scale benchmark: pbr measures vs one DuckDB SQL query (docs/methodology.md#performance).

Usage::

    .venv/bin/python benchmarks/national.py [--cohort-rows 2000000] [--offence-rows 20000000]
                                            [--regenerate] [--seed 20110101]

1. Generates (once, fixed seed, vectorised numpy/pyarrow) ``benchmarks/_data/cohort.parquet``
   and ``benchmarks/_data/offences.parquet`` in the input schema of docs/methodology.md#input-data.
2. Runs, each in its own subprocess (so that peak memory is measured per engine):

   * ``pbr``: :func:`pbr.compute_measures` from the two Parquet paths
     (``validate=False``: the documented fast path that skips row-level validation,
     since the benchmark measures the counting engine, not the validator), quarterly
     cohorts, ``moj_proven`` rules;
   * ``duckdb``: the same job (eligibility, first event per offender per quarter,
     exclusion reasons, the counting window of docs/methodology.md#proven-reoffence)
     as ONE SQL query over the same files.

3. Checks that cohort size, reoffenders and reoffences agree on every lot × quarter,
   and prints both wall times, both peak RSS figures (``VmHWM`` of the child) and
   the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from _harness import duckdb_rows, peak_kb, run_measured

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
EXTRACT_DATE = "2018-09-30"

LOTS = [f"CPA{i:02d}" for i in range(1, 22)]
EVENT_TYPES = ["release", "community_order", "suspended_sentence_order", "caution", "other"]
DISPOSALS = ["conviction", "caution", "pnd", "other"]
GROUPS = [
    "violence", "robbery", "public_order", "sexual_not_child", "sexual_child",
    "soliciting_prostitution", "burglary_domestic", "burglary_other", "theft_non_motor",
    "handling", "fraud_forgery", "absconding_bail", "taking_driving_away",
    "theft_from_vehicles", "other_motoring", "drink_driving", "criminal_damage",
    "drug_import_export_production", "drug_possession_supply", "other",
]  # fmt: skip


def _days(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


def _ids(person: np.ndarray):  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.compute as pc

    step = 1 << 23  # in chunks: one 80 M-row string array overflows 32-bit offsets
    parts = []
    for i in range(0, max(len(person), 1), step):
        s = pc.utf8_lpad(pc.cast(pa.array(person[i : i + step]), pa.string()), 8, "0")
        parts.append(pc.binary_join_element_wise("PN", s, ""))
    return pa.chunked_array(parts)


def _dict(codes: np.ndarray, values: list[str]):  # type: ignore[no-untyped-def]
    import pyarrow as pa

    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(values))


def generate(n_cohort: int, n_offences: int, seed: int, out: Path = DATA) -> None:
    """Write ``cohort.parquet`` and ``offences.parquet`` into ``out`` (fixed seed, vectorised)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_people = max(1, n_cohort // 2)
    person_lot = rng.integers(0, 21, n_people)

    # --- cohort events: index dates 2015-01-01 .. 2017-06-30 (10 quarters) -----------------
    person = rng.integers(0, n_people, n_cohort)
    lo, hi = _days("2015-01-01"), _days("2017-06-30")
    index_day = rng.integers(lo, hi + 1, n_cohort)
    moved = rng.random(n_cohort) < 0.05
    lot = np.where(moved, rng.integers(0, 21, n_cohort), person_lot[person])
    age_days = rng.integers(16 * 365, 70 * 365, n_cohort)
    # about 1 % born exactly 18 years (to the day) before the index date, to exercise the rule
    dob = (index_day - age_days).astype("datetime64[D]")
    exact18 = rng.random(n_cohort) < 0.01
    idx_d = index_day.astype("datetime64[D]")
    dob18 = (idx_d.astype("datetime64[M]") - np.timedelta64(216, "M")).astype("datetime64[D]") + (
        idx_d - idx_d.astype("datetime64[M]").astype("datetime64[D]")
    )
    dob = np.where(exact18, dob18, dob)
    event = rng.choice(5, n_cohort, p=[0.3, 0.35, 0.2, 0.1, 0.05])
    sex = rng.choice(2, n_cohort, p=[0.85, 0.15])
    supervisor = (rng.random(n_cohort) < 0.1).astype(np.int32)
    em_only = rng.random(n_cohort) < 0.03
    excl = rng.choice(4, n_cohort, p=[0.985, 0.007, 0.005, 0.003])
    excl_values = pa.array([None, "deceased", "deported", "no_pnc_match"], pa.string())
    cohort = pa.table(
        {
            "offender_id": _ids(person),
            "lot": _dict(lot, LOTS),
            "index_date": pa.array(index_day.astype(np.int32), pa.date32()),
            "event_type": _dict(event, EVENT_TYPES),
            "sex": _dict(sex, ["M", "F"]),
            "date_of_birth": pa.array(dob.astype(np.int64).astype(np.int32), pa.date32()),
            "supervisor": _dict(supervisor, ["CRC", "NPS"]),
            "em_only": pa.array(em_only),
            "exclusion_reason": excl_values.take(pa.array(excl)),
            "offence_group": _dict(rng.integers(0, 20, n_cohort), GROUPS),
            "sanctions": pa.array(rng.integers(1, 40, n_cohort)),
        }
    )
    pq.write_table(cohort, out / "cohort.parquet")
    del cohort

    # --- offences: 80 % by cohort people, history 2008.. and follow-up ..extract ---------
    o_person = np.where(
        rng.random(n_offences) < 0.8,
        person[rng.integers(0, n_cohort, n_offences)],
        rng.integers(0, n_people, n_offences),
    )
    ext = _days(EXTRACT_DATE)
    off = rng.integers(_days("2008-01-01"), ext + 1, n_offences)
    lag = np.minimum(rng.exponential(90.0, n_offences).astype(np.int64), 900)
    disp = np.minimum(off + lag, ext)
    offences = pa.table(
        {
            "offender_id": _ids(o_person),
            "offence_date": pa.array(off.astype(np.int32), pa.date32()),
            "disposal_date": pa.array(disp.astype(np.int32), pa.date32()),
            "disposal_type": _dict(rng.choice(4, n_offences, p=[0.6, 0.15, 0.15, 0.1]), DISPOSALS),
            "breach": pa.array(rng.random(n_offences) < 0.05),
            "offence_group": _dict(rng.integers(0, 20, n_offences), GROUPS),
        }
    )
    pq.write_table(offences, out / "offences.parquet")


def child(engine: str, out: str, small_pages: bool = False) -> None:
    """Run one engine in this (fresh) process and write its counts + figures to ``out``."""
    cohort, offences = str(DATA / "cohort.parquet"), str(DATA / "offences.parquet")
    # imports are not timed (for either engine); everything from the files onwards is
    if engine == "pbr":
        import pbr

        if small_pages:  # the host's choice (pbr itself never changes allocator state)
            np._core.multiarray._set_madvise_hugepage(False)  # type: ignore[attr-defined]
    else:
        import duckdb  # noqa: F401  (import cost kept out of the timing)
    t0 = time.perf_counter()
    if engine == "pbr":
        m = pbr.compute_measures(
            cohort, offences, extract_date=EXTRACT_DATE, period="quarter", validate=False
        )
        t = m.table[["lot", "period", "cohort_size", "reoffenders", "reoffences"]]
        rows = [
            [str(a), str(b), int(c), int(d), int(e)] for a, b, c, d, e in t.itertuples(index=False)
        ]
    else:
        rows = duckdb_rows(cohort, offences)
    wall = time.perf_counter() - t0
    Path(out).write_text(json.dumps({"wall": wall, "peak_kb": peak_kb(), "rows": rows}))


def run_engine(engine: str, small_pages: bool = False) -> dict:  # type: ignore[type-arg]
    out = DATA / f"_{engine}.json"
    flag = ["--numpy-small-pages"] if small_pages else []
    r = run_measured([sys.executable, __file__, "--child", engine, "--child-out", str(out), *flag])
    if r["rc"] != 0:
        raise RuntimeError(f"{engine} child failed:\n{r['stderr_tail']}")
    result: dict = json.loads(out.read_text())  # type: ignore[type-arg]
    return result


def fmt(xs: list[float]) -> str:
    return ", ".join(f"{x:.2f}" for x in xs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cohort-rows", type=int, default=2_000_000)
    ap.add_argument("--offence-rows", type=int, default=20_000_000)
    ap.add_argument("--seed", type=int, default=20110101)
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--repeat", type=int, default=1, help="runs per engine (best wall time kept)")
    ap.add_argument(
        "--numpy-small-pages",
        action="store_true",
        help="turn numpy's huge-page madvise off in the pbr process (a host-side setting)",
    )
    ap.add_argument("--child", choices=["pbr", "duckdb"], help=argparse.SUPPRESS)
    ap.add_argument("--child-out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.child_out, args.numpy_small_pages)
        return 0
    meta = DATA / "meta.json"
    want = {"cohort": args.cohort_rows, "offences": args.offence_rows, "seed": args.seed}
    if args.regenerate or not meta.exists() or json.loads(meta.read_text()) != want:
        t0 = time.perf_counter()
        generate(args.cohort_rows, args.offence_rows, args.seed)
        meta.write_text(json.dumps(want))
        print(f"generated data in {time.perf_counter() - t0:.1f} s -> {DATA}")
    # the engines alternate (duckdb, pbr, duckdb, pbr, ...) so that both see the same
    # machine load; best wall time of each, and the median of the paired ratios
    runs: dict[str, list[dict]] = {"duckdb": [], "pbr": []}  # type: ignore[type-arg]
    for _ in range(args.repeat):
        for engine in ("duckdb", "pbr"):
            runs[engine].append(run_engine(engine, args.numpy_small_pages))
    results: dict[str, dict] = {}  # type: ignore[type-arg]
    for engine, rs in runs.items():
        best = dict(min(rs, key=lambda r: r["wall"]))
        best["peak_kb"] = max(r["peak_kb"] for r in rs)
        best["walls"] = [r["wall"] for r in rs]
        results[engine] = best
    paired = sorted(p["wall"] / d["wall"] for p, d in zip(runs["pbr"], runs["duckdb"], strict=True))
    median_ratio = paired[len(paired) // 2]
    a, b = results["pbr"]["rows"], results["duckdb"]["rows"]
    agree = a == b
    print(
        f"rows: {want['cohort']:,} cohort events, {want['offences']:,} offences;",
        f"{os.cpu_count()} CPUs",
    )
    print(f"lot-quarters: pbr {len(a)}, duckdb {len(b)}; counts agree on every one: {agree}")
    if not agree:
        da, db = {tuple(r[:2]): r[2:] for r in a}, {tuple(r[:2]): r[2:] for r in b}
        for k in sorted(set(da) | set(db))[:20]:
            if da.get(k) != db.get(k):
                print("  differ", k, "pbr", da.get(k), "duckdb", db.get(k))
    wp, wd = results["pbr"]["wall"], results["duckdb"]["wall"]
    mp, md = results["pbr"]["peak_kb"] / 1024, results["duckdb"]["peak_kb"] / 1024
    print(
        f"wall time   pbr {wp:7.2f} s   duckdb {wd:7.2f} s   ratio {wp / wd:5.2f}x (best of each)"
    )
    print(f"  runs: pbr {fmt(results['pbr']['walls'])}; duckdb {fmt(results['duckdb']['walls'])}")
    print(
        f"  median of paired ratios: {median_ratio:.2f}x over {len(paired)} pairs (target <= 2.0x)"
    )
    print(
        f"peak memory pbr {mp:7.0f} MB  duckdb {md:7.0f} MB  ratio {mp / md:5.2f}x",
        "(target pbr < 2048 MB)",
    )
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
