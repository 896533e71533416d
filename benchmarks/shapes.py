"""Benchmark data in two shapes: the project's generator and a "real extract" shape.

Usage::

    .venv/bin/python benchmarks/shapes.py --shape extract --events 2000000

* ``project`` — :func:`national.generate` (fixed-width ids ``PN`` + 8 digits, 10 quarters
  of index dates, offences 2008 … extract date, dictionary-typed string columns).
* ``extract`` — :func:`generate_extract` below, shaped like a real PNC/nDelius extract:
  variable-length ids (``P0`` … ``P1899999`` at 2 M events), six years of index dates
  (21 lots × 24 quarters = 504 lot-quarters), offences from ten years before to three
  years after each index date, disposal lags up to two years, some people with two dates
  of birth, ~5 % of cohort rows aged under 18 at the index date, a few exact duplicate
  offence rows, plain (not dictionary) string columns, several row groups per file.

Both write ``cohort.parquet``, ``offences.parquet`` and ``meta.json`` (parameters,
extract date, realised shares) into ``benchmarks/_data/<shape>-<events>/``; offences =
10 × events. Same parameters and seed → the same files.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
LOTS = [f"CPA{i:02d}" for i in range(1, 22)]
EVENT_TYPES = ["release", "community_order", "suspended_sentence_order", "caution", "other"]
DISPOSALS = ["conviction", "caution", "pnd", "other"]
SEXES = ["M", "F"]
SUPERVISORS = ["CRC", "NPS"]
EXCLUSIONS = ["", "deceased", "deported", "no_pnc_match"]
GROUPS = [
    "violence", "robbery", "public_order", "sexual_not_child", "sexual_child",
    "soliciting_prostitution", "burglary_domestic", "burglary_other", "theft_non_motor",
    "handling", "fraud_forgery", "absconding_bail", "taking_driving_away",
    "theft_from_vehicles", "other_motoring", "drink_driving", "criminal_damage",
    "drug_import_export_production", "drug_possession_supply", "other",
]  # fmt: skip


@dataclass(frozen=True)
class ExtractShape:
    """Parameters of the "extract" shape (defaults: the shape described in issue 12)."""

    #: id shape: ``variable`` = prefix + decimal number without padding (``P0`` … ``P1899999``);
    #: ``fixed`` = prefix + zero-padded to ``id_width`` digits.
    id_shape: str = "variable"
    id_prefix: str = "P"
    id_width: int = 8
    #: distinct ids in the id space, as a share of the number of cohort events
    #: (0.95 → ``P0`` … ``P1899999`` at 2 M events)
    people_per_event: float = 0.95
    #: index dates: ``index_years`` whole calendar years from ``first_year`` (6 → 24 quarters)
    first_year: int = 2015
    index_years: int = 6
    #: offences of cohort people lie from ``years_before`` before to ``years_after`` after
    #: the index date of one of their events
    years_before: int = 10
    years_after: int = 3
    #: disposal lag: exponential with this mean, capped at ``max_lag_days`` (two years)
    mean_lag_days: float = 120.0
    max_lag_days: int = 730
    #: share of offence rows that are exact copies of another offence row
    duplicate_share: float = 0.002
    #: share of people whose rows carry two different dates of birth (about half each)
    multi_dob_share: float = 0.02
    #: share of people who are juveniles (aged 11-17 at the middle of the index span);
    #: 0.057 gives about 5 % of cohort rows aged under 18 at their index date
    juvenile_share: float = 0.057
    #: share of offence rows by people drawn from the whole id space (not via an event)
    other_people_share: float = 0.2
    #: rows per Parquet row group (several per file)
    row_group_rows: int = 500_000


def _days(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


def _ids(person: np.ndarray, shape: ExtractShape):  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.compute as pc

    if shape.id_shape not in ("fixed", "variable"):
        raise ValueError(f"unknown id_shape {shape.id_shape!r}")
    step = 1 << 23  # in chunks: one 80 M-row string array overflows 32-bit offsets
    parts = []
    for i in range(0, max(len(person), 1), step):
        s = pc.cast(pa.array(person[i : i + step].astype(np.int64)), pa.string())
        if shape.id_shape == "fixed":
            s = pc.utf8_lpad(s, shape.id_width, "0")
        parts.append(pc.binary_join_element_wise(shape.id_prefix, s, ""))
    return pa.chunked_array(parts)


def _strings(codes: np.ndarray, values: list[str]):  # type: ignore[no-untyped-def]
    """Plain string column (real extracts are rarely dictionary-typed on read)."""
    import pyarrow as pa

    dictionary = pa.array(values, pa.string())
    step = 1 << 23
    parts = [
        dictionary.take(pa.array(codes[i : i + step].astype(np.int32)))
        for i in range(0, max(len(codes), 1), step)
    ]
    return pa.chunked_array(parts)


def _dates(days: np.ndarray):  # type: ignore[no-untyped-def]
    import pyarrow as pa

    return pa.array(days.astype(np.int32), pa.date32())


def generate_extract(n_events: int, seed: int, out: Path, shape: ExtractShape) -> dict[str, Any]:
    """Write the "extract"-shaped cohort (``n_events`` rows) and offences (10 ×) to ``out``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_off = 10 * n_events
    n_people = max(1, round(shape.people_per_event * n_events))

    # --- people: home lot, date of birth, juvenile or adult -----------------------------
    lo = _days(f"{shape.first_year}-01-01")
    hi = _days(f"{shape.first_year + shape.index_years}-01-01") - 1
    mid = (lo + hi) // 2
    juvenile = rng.random(n_people) < shape.juvenile_share
    half_span = (hi - lo) / 2 / 365.25
    # adults are at least 18 (+ a day's margin) at the earliest index date; juveniles
    # 11-17 at the middle of the span, so some of them turn 18 during it
    age_mid = np.where(
        juvenile,
        rng.uniform(11.0, 18.0, n_people),
        18.01 + half_span + rng.gamma(2.0, 8.0, n_people).clip(0, 55),
    )
    dob = (mid - age_mid * 365.25).astype(np.int64)
    multi = rng.random(n_people) < shape.multi_dob_share
    # a second date of birth: a year off or days off (keying errors)
    alt_shift = np.where(
        rng.random(n_people) < 0.5,
        rng.choice([-365, 365], n_people),
        rng.integers(-40, 41, n_people),
    )
    alt_shift[alt_shift == 0] = 1
    home = rng.integers(0, 21, n_people)

    # --- cohort events --------------------------------------------------------------------
    person = rng.integers(0, n_people, n_events)
    index_day = rng.integers(lo, hi + 1, n_events)
    moved = rng.random(n_events) < 0.05
    lot = np.where(moved, rng.integers(0, 21, n_events), home[person])
    use_alt = multi[person] & (rng.random(n_events) < 0.5)
    row_dob = dob[person] + np.where(use_alt, alt_shift[person], 0)
    row_dob = np.minimum(row_dob, index_day - 7 * 366)  # never born after (or near) the event
    event = rng.choice(5, n_events, p=[0.3, 0.35, 0.2, 0.1, 0.05])
    sex = rng.choice(2, n_people, p=[0.85, 0.15])[person]
    supervisor = (rng.random(n_events) < 0.1).astype(np.int64)
    em_only = rng.random(n_events) < 0.03
    excl = rng.choice(4, n_events, p=[0.985, 0.007, 0.005, 0.003])
    excl_arr = pa.array([None, "deceased", "deported", "no_pnc_match"], pa.string()).take(
        pa.array(excl.astype(np.int32))
    )
    idx_d = index_day.astype("datetime64[D]")
    dob_d = row_dob.astype("datetime64[D]")
    years = (idx_d.astype("datetime64[Y]") - dob_d.astype("datetime64[Y]")).astype(np.int64)
    had_birthday = (idx_d - idx_d.astype("datetime64[Y]").astype("datetime64[D]")) >= (
        dob_d - dob_d.astype("datetime64[Y]").astype("datetime64[D]")
    )
    under18 = (years - ~had_birthday) < 18  # approximate (leap days): for the meta only
    cohort = pa.table(
        {
            "offender_id": _ids(person, shape),
            "lot": _strings(lot, LOTS),
            "index_date": _dates(index_day),
            "event_type": _strings(event, EVENT_TYPES),
            "sex": _strings(sex, SEXES),
            "date_of_birth": _dates(row_dob),
            "supervisor": _strings(supervisor, SUPERVISORS),
            "em_only": pa.array(em_only),
            "exclusion_reason": excl_arr,
            "offence_group": _strings(rng.integers(0, 20, n_events), GROUPS),
            "sanctions": pa.array(rng.integers(1, 40, n_events)),
        }
    )
    rg_c = max(1, min(shape.row_group_rows, -(-n_events // 4)))
    pq.write_table(cohort, out / "cohort.parquet", row_group_size=rg_c)
    del cohort

    # --- offences ---------------------------------------------------------------------------
    extract_day = hi + int(shape.years_after * 365.25) + 1 + shape.max_lag_days
    via_event = rng.random(n_off) >= shape.other_people_share
    ev = rng.integers(0, n_events, n_off)
    o_person = np.where(via_event, person[ev], rng.integers(0, n_people, n_off))
    before = int(shape.years_before * 365.25)
    after = int(shape.years_after * 365.25)
    rel = rng.integers(-before, after + 1, n_off)
    off = np.where(via_event, index_day[ev] + rel, rng.integers(lo - before, hi + after + 1, n_off))
    off = np.maximum(off, dob[o_person] + int(10 * 365.25) + 1)  # criminal responsibility
    lag = np.minimum(rng.exponential(shape.mean_lag_days, n_off), shape.max_lag_days)
    disp = off + lag.astype(np.int64)
    disp_type = rng.choice(4, n_off, p=[0.6, 0.15, 0.15, 0.1])
    breach = rng.random(n_off) < 0.05
    group = rng.integers(0, 20, n_off)
    # exact duplicates: some rows are copies of another row (the count stays 10 × events)
    n_dup = round(shape.duplicate_share * n_off)
    if n_dup:
        dst = rng.choice(n_off, n_dup, replace=False)
        src = rng.integers(0, n_off, n_dup)
        for a in (o_person, off, disp, disp_type, breach, group):
            a[dst] = a[src]
    offences = pa.table(
        {
            "offender_id": _ids(o_person, shape),
            "offence_date": _dates(off),
            "disposal_date": _dates(disp),
            "disposal_type": _strings(disp_type, DISPOSALS),
            "breach": pa.array(breach),
            "offence_group": _strings(group, GROUPS),
        }
    )
    rg_o = max(1, min(4 * shape.row_group_rows, -(-n_off // 4)))
    pq.write_table(offences, out / "offences.parquet", row_group_size=rg_o)
    return {
        "extract_date": str(np.datetime64(extract_day, "D")),
        "people": n_people,
        "index_dates": [str(np.datetime64(lo, "D")), str(np.datetime64(hi, "D"))],
        "under_18_row_share": round(float(under18.mean()), 4),
        "multi_dob_people": int(np.unique(person[use_alt]).size),
        "duplicate_offence_rows": n_dup,
        "cohort_row_group_rows": rg_c,
        "offence_row_group_rows": rg_o,
    }


def data_dir(shape: str, events: int, seed: int) -> Path:
    suffix = "" if seed == 20110101 else f"-s{seed}"
    return DATA / f"{shape}-{events}{suffix}"


def ensure(
    shape: str, events: int, seed: int = 20110101, extract: ExtractShape | None = None
) -> tuple[Path, dict[str, Any]]:
    """Generate the data once (regenerated when the parameters change); its dir and meta."""
    extract = extract or ExtractShape()
    out = data_dir(shape, events, seed)
    want: dict[str, Any] = {"shape": shape, "events": events, "offences": 10 * events}
    want["seed"] = seed
    if shape == "extract":
        want["params"] = asdict(extract)
    meta_path = out / "meta.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if {k: meta.get(k) for k in want} == want:
            return out, meta
    t0 = time.perf_counter()
    if shape == "project":
        sys.path.insert(0, str(HERE))
        import national

        national.generate(events, 10 * events, seed, out=out)
        info: dict[str, Any] = {"extract_date": national.EXTRACT_DATE}
    elif shape == "extract":
        info = generate_extract(events, seed, out, extract)
    else:
        raise ValueError(f"unknown shape {shape!r}")
    meta = {**want, **info, "generate_seconds": round(time.perf_counter() - t0, 1)}
    meta_path.write_text(json.dumps(meta, indent=1))
    return out, meta


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=["project", "extract"], default="extract")
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--seed", type=int, default=20110101)
    d = ExtractShape()
    ap.add_argument("--id-shape", choices=["variable", "fixed"], default=d.id_shape)
    ap.add_argument("--index-years", type=int, default=d.index_years)
    ap.add_argument("--years-before", type=int, default=d.years_before)
    ap.add_argument("--years-after", type=int, default=d.years_after)
    ap.add_argument("--max-lag-days", type=int, default=d.max_lag_days)
    ap.add_argument("--duplicate-share", type=float, default=d.duplicate_share)
    ap.add_argument("--multi-dob-share", type=float, default=d.multi_dob_share)
    args = ap.parse_args()
    shape = ExtractShape(
        id_shape=args.id_shape,
        index_years=args.index_years,
        years_before=args.years_before,
        years_after=args.years_after,
        max_lag_days=args.max_lag_days,
        duplicate_share=args.duplicate_share,
        multi_dob_share=args.multi_dob_share,
    )
    out, meta = ensure(args.shape, args.events, args.seed, shape)
    print(out)
    print(json.dumps(meta, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
