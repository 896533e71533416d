"""Property tests of pbr.io: valid tables always load and round-trip CSV <-> Parquet."""

from __future__ import annotations

import datetime as dt
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from pbr.dates import age_in_years
from pbr.errors import SuspiciousDataWarning
from pbr.io import read_cohort, read_offences, write_table
from pbr.io._parse import _parse_dates
from pbr.lots import default_registry
from pbr.schema import EVENT_TYPES, OFFENCE_GROUPS

EXTRACT = dt.date(2016, 12, 31)
LOW = dt.date(1900, 1, 1)

# leap days and month ends are where date code breaks
SPECIAL = [
    dt.date(y, m, d)
    for y, m, d in [
        (1904, 2, 29), (1960, 2, 29), (1999, 12, 31), (2000, 2, 29), (2011, 1, 31),
        (2011, 2, 28), (2011, 4, 30), (2012, 2, 29), (2015, 8, 31), (2016, 2, 29),
        (2016, 12, 31), (2013, 3, 1),
    ]
]  # fmt: skip


def dates(lo: dt.date = LOW, hi: dt.date = EXTRACT) -> st.SearchStrategy[dt.date]:
    special = [d for d in SPECIAL if lo <= d <= hi]
    if not special:
        return st.dates(lo, hi)
    return st.one_of(st.dates(lo, hi), st.sampled_from(special))


TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 ,;\"'é£-\n")), min_size=1, max_size=8
).filter(lambda s: s.strip() != "")
LOTS = default_registry().table
LOT_KEYS = list(LOTS["code"]) + list(LOTS["name"])


@st.composite
def cohort_rows(draw: st.DrawFn) -> dict[str, object]:
    index = draw(dates(dt.date(1960, 1, 1)))
    dob_floor = max(LOW, dt.date(index.year - 109, 1, 1))
    dob = draw(dates(dob_floor, index))
    first = draw(st.one_of(st.none(), dates(dob, index)))
    return {
        "offender_id": draw(TEXT),
        "lot": draw(st.sampled_from(LOT_KEYS)),
        "index_date": index.isoformat(),
        "event_type": draw(st.sampled_from(EVENT_TYPES)),
        "sex": draw(st.sampled_from(["M", "F"])),
        "date_of_birth": dob.isoformat(),
        "supervisor": draw(st.sampled_from(["CRC", "NPS", ""])),
        "em_only": draw(st.sampled_from(["true", "FALSE", "1", "0", "y", "No", ""])),
        "exclusion_reason": draw(st.one_of(st.just(""), TEXT)),
        "offence_group": draw(st.sampled_from([*OFFENCE_GROUPS, ""])),
        "sanctions": draw(st.one_of(st.just(""), st.integers(1, 300).map(str))),
        "first_sanction_date": "" if first is None else first.isoformat(),
        "note": draw(st.one_of(st.none(), TEXT)),
    }


@st.composite
def offence_rows(draw: st.DrawFn) -> dict[str, object]:
    offence = draw(dates())
    disposal = draw(dates(offence, EXTRACT))
    return {
        "offender_id": draw(TEXT),
        "offence_date": offence.isoformat(),
        "disposal_date": disposal.isoformat(),
        "disposal_type": draw(st.sampled_from(["conviction", "caution", "pnd", "other"])),
        "breach": draw(st.sampled_from(["true", "false", "T", "f", "YES", "n", ""])),
        "offence_group": draw(st.sampled_from([*OFFENCE_GROUPS, ""])),
        "appearance_id": draw(st.one_of(st.just(""), TEXT)),
    }


def raw_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    if "note" in df.columns:
        df["note"] = df["note"].astype("string")
    return df


def round_trip(df: pd.DataFrame, reader: object, suffix: str) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as d:
        path = write_table(df, Path(d) / f"t{suffix}")
        out: pd.DataFrame = reader(path, extract_date=EXTRACT)  # type: ignore[operator]
    return out


@settings(max_examples=20)
@given(st.lists(cohort_rows(), min_size=0, max_size=12))
def test_valid_cohort_loads_and_round_trips(rows: list[dict[str, object]]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuspiciousDataWarning)
        first = read_cohort(raw_frame(rows) if rows else _empty_cohort(), extract_date=EXTRACT)
        assert len(first) == len(rows)
        via_csv = round_trip(first, read_cohort, ".csv")
        via_parquet = round_trip(first, read_cohort, ".parquet")
        via_both = round_trip(via_csv, read_cohort, ".parquet")
    pd.testing.assert_frame_equal(via_csv, first)
    pd.testing.assert_frame_equal(via_parquet, first)
    pd.testing.assert_frame_equal(via_both, first)
    if rows:
        expected_lots = default_registry().resolve([r["lot"] for r in rows]).tolist()
        assert first["lot"].tolist() == expected_lots
        assert first["index_date"].tolist() == [pd.Timestamp(str(r["index_date"])) for r in rows]


@settings(max_examples=20)
@given(st.lists(offence_rows(), min_size=1, max_size=12))
def test_valid_offences_load_and_round_trip(rows: list[dict[str, object]]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuspiciousDataWarning)
        first = read_offences(raw_frame(rows), extract_date=EXTRACT)
        via_csv = round_trip(first, read_offences, ".csv.gz")
        via_parquet = round_trip(first, read_offences, ".pq")
    pd.testing.assert_frame_equal(via_csv, first)
    pd.testing.assert_frame_equal(via_parquet, first)
    assert first["breach"].tolist() == [
        str(r["breach"]).lower() in ("true", "t", "yes") for r in rows
    ]


def _empty_cohort() -> pd.DataFrame:
    cols = ["offender_id", "lot", "index_date", "event_type", "sex", "date_of_birth"]
    return pd.DataFrame({c: pd.Series(dtype="string") for c in cols})


@given(st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32))
def test_date_parser_agrees_with_python(y: int, m: int, d: int) -> None:
    text = f"{y:04d}-{m:02d}-{d:02d}"
    try:
        expected: dt.date | None = dt.date.fromisoformat(text)
    except ValueError:
        expected = None
    days, bad = _parse_dates(pa.array([text]))
    if expected is None:
        assert bool(bad[0]) and np.isnat(days[0])
    else:
        assert not bad[0]
        assert days[0] == np.datetime64(expected, "D")


def _python_age(dob: dt.date, on: dt.date) -> int:
    """Whole years; a 29 February birthday falls on 28 February in common years."""
    try:
        birthday = dob.replace(year=on.year)
    except ValueError:  # 29 Feb in a common year
        birthday = dt.date(on.year, 2, 28)
    return on.year - dob.year - (1 if on < birthday else 0)


@given(
    dates(dt.date(1800, 1, 1), dt.date(2100, 1, 1)), dates(dt.date(1800, 1, 1), dt.date(2100, 1, 1))
)
def test_age_agrees_with_python(a: dt.date, b: dt.date) -> None:
    dob, on = min(a, b), max(a, b)
    got = age_in_years(np.array([dob], "datetime64[D]"), np.array([on], "datetime64[D]"))
    assert int(got[0]) == _python_age(dob, on)
