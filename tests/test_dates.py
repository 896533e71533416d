"""Calendar arithmetic: month-end clipping, leap days, ages, day numbers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbr._engine import table_map
from pbr.dates import (
    AGE_MISSING,
    add_months,
    age_in_years,
    civil_from_days,
    days_from_civil,
)


def _oracle_add_months(d: dt.date, k: int) -> dt.date:
    """Plain-Python oracle: keep the day, clip to the end of the target month."""
    m0 = d.year * 12 + (d.month - 1) + k
    y, m = divmod(m0, 12)
    m += 1
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    last = (nxt - dt.timedelta(days=1)).day
    return dt.date(y, m, min(d.day, last))


@pytest.mark.parametrize(
    ("start", "k", "expected"),
    [
        ("2016-02-29", 12, "2017-02-28"),  # SPEC §4 example
        ("2015-08-31", 18, "2017-02-28"),  # SPEC §4 example
        ("2016-02-29", 48, "2020-02-29"),
        ("2015-01-31", 1, "2015-02-28"),
        ("2016-01-31", 1, "2016-02-29"),
        ("2015-03-31", 1, "2015-04-30"),
        ("2015-12-15", 1, "2016-01-15"),
        ("2015-06-30", 0, "2015-06-30"),
        ("2015-03-31", -1, "2015-02-28"),
    ],
)
def test_add_months_examples(start: str, k: int, expected: str) -> None:
    assert str(add_months([start], k)[0]) == expected


@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), st.integers(-36, 36))
def test_add_months_matches_oracle(d: dt.date, k: int) -> None:
    got = add_months(np.array([d], dtype="datetime64[D]"), k)[0]
    assert got == np.datetime64(_oracle_add_months(d, k))


def _oracle_age(dob: dt.date, on: dt.date) -> int:
    years = on.year - dob.year
    birthday = _oracle_add_months(dob, 12 * years)
    return years - (birthday > on)


@given(
    st.dates(dt.date(1900, 1, 1), dt.date(2050, 1, 1)),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
)
def test_age_matches_oracle(dob: dt.date, on: dt.date) -> None:
    assert age_in_years([dob], [on])[0] == _oracle_age(dob, on)


def test_age_leap_day_birthday() -> None:
    # born 29 Feb 2000: 18 on 28 Feb 2018 (month-end clipping), 17 the day before
    assert age_in_years(["2000-02-29", "2000-02-29"], ["2018-02-27", "2018-02-28"]).tolist() == [
        17,
        18,
    ]


def _plain_age(dob: dt.date, on: dt.date) -> int:
    """Plain-Python oracle from datetime.date alone: a 29 Feb birthday is 28 Feb in common years."""
    try:
        birthday = dob.replace(year=on.year)
    except ValueError:  # 29 February in a common year
        birthday = dt.date(on.year, 2, 28)
    return on.year - dob.year - (birthday > on)


_DAYS = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
_LEAP_DAYS = st.sampled_from([dt.date(y, 2, 29) for y in (1904, 1960, 2000, 2016, 2024, 2096)])
_FEB_ENDS = st.sampled_from(
    [dt.date(y, 2, d) for y in (1900, 1999, 2000, 2015, 2016, 2100) for d in (27, 28)]
    + [dt.date(y, 3, 1) for y in (1900, 1999, 2000, 2015, 2016, 2100)]
    + [dt.date(2016, 2, 29), dt.date(2000, 2, 29)]
)


@given(st.lists(st.tuples(_DAYS | _LEAP_DAYS, _DAYS | _FEB_ENDS), min_size=1, max_size=60))
def test_age_of_arrays_matches_plain_python(pairs: list[tuple[dt.date, dt.date]]) -> None:
    # big arrays go through the day lookup table, sparse ones are computed directly:
    # both must agree with datetime.date arithmetic, element by element
    dob = np.array([p[0] for p in pairs], dtype="datetime64[D]")
    on = np.array([p[1] for p in pairs], dtype="datetime64[D]")
    expected = [_plain_age(a, b) for a, b in pairs]
    assert age_in_years(dob, on).tolist() == expected
    assert [int(age_in_years(dob[i : i + 1], on[i : i + 1])[0]) for i in range(len(pairs))] == (
        expected
    )


@given(st.lists(st.tuples(_LEAP_DAYS | _FEB_ENDS, _FEB_ENDS | _LEAP_DAYS), min_size=8))
def test_age_dense_table_path_matches_plain_python(pairs: list[tuple[dt.date, dt.date]]) -> None:
    # dates bunched in a few years: the lookup table covers the whole range
    near = [(a, b) for a, b in pairs if abs(a.year - b.year) <= 1] or [pairs[0]]
    reps = near * 40
    dob = np.array([p[0] for p in reps], dtype="datetime64[D]")
    on = np.array([p[1] for p in reps], dtype="datetime64[D]")
    assert age_in_years(dob, on).tolist() == [_plain_age(a, b) for a, b in reps]


def test_age_leap_day_birthday_in_common_and_leap_years() -> None:
    dob = ["2000-02-29"] * 5
    on = ["2001-02-27", "2001-02-28", "2001-03-01", "2004-02-28", "2004-02-29"]
    assert age_in_years(dob, on).tolist() == [0, 1, 1, 3, 4]
    # born 28 February: a year older on 28 February, leap year or not
    assert age_in_years(["1999-02-28"] * 2, ["2000-02-28", "2000-02-27"]).tolist() == [1, 0]


def test_age_of_missing_dates_is_the_documented_sentinel() -> None:
    dob = pd.Series(pd.to_datetime(["2000-01-01", None, "2000-01-01"]))
    on = pd.Series(pd.to_datetime(["2018-01-01", "2018-01-01", None]))
    assert age_in_years(dob, on).tolist() == [18, AGE_MISSING, AGE_MISSING]
    assert np.iinfo(np.int64).min == AGE_MISSING


def test_age_broadcasts_a_single_date() -> None:
    got = age_in_years(["1990-06-30", "1990-07-01"], np.datetime64("2008-06-30"))
    assert got.tolist() == [18, 17]


@given(st.lists(_DAYS | _LEAP_DAYS, min_size=1, max_size=30))
def test_civil_days_round_trip(days: list[dt.date]) -> None:
    z = np.array(days, dtype="datetime64[D]").astype(np.int64)
    y, m, d = civil_from_days(z)
    assert list(zip(y.tolist(), m.tolist(), d.tolist(), strict=True)) == [
        (x.year, x.month, x.day) for x in days
    ]
    assert days_from_civil(y, m, d).tolist() == z.tolist()


def test_table_map_dense_and_sparse_paths_agree() -> None:
    dense = np.array([10, 12, 11, 10])
    sparse = np.array([0, 10_000])
    assert table_map(dense, lambda z: z * 3).tolist() == [30, 36, 33, 30]
    assert table_map(sparse, lambda z: z * 3).tolist() == [0, 30_000]
    assert table_map(np.array([], dtype=np.int64), lambda z: z * 3).tolist() == []
