"""Calendar arithmetic: month-end clipping, leap days, ages, period labels."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbr.dates import add_months, age_in_years, period_bounds, period_labels
from pbr.errors import PbrError


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


def test_period_labels_and_bounds() -> None:
    d = ["2015-10-01", "2015-12-31", "2016-01-01", "2016-03-31", "2016-04-01", "2011-06-15"]
    assert period_labels(d, "quarter").tolist() == [
        "2015Q4",
        "2015Q4",
        "2016Q1",
        "2016Q1",
        "2016Q2",
        "2011Q2",
    ]
    assert period_labels(d, "financial_year").tolist() == [
        "2015/16",
        "2015/16",
        "2015/16",
        "2015/16",
        "2016/17",
        "2011/12",
    ]
    assert period_labels(d, "calendar_year").tolist() == [
        "2015",
        "2015",
        "2016",
        "2016",
        "2016",
        "2011",
    ]
    assert [str(x) for x in period_bounds("2016Q1")] == ["2016-01-01", "2016-03-31"]
    assert [str(x) for x in period_bounds("1999/00")] == ["1999-04-01", "2000-03-31"]
    assert period_labels(["2000-01-01"], "financial_year").tolist() == ["1999/00"]
    assert [str(x) for x in period_bounds("2011")] == ["2011-01-01", "2011-12-31"]
    with pytest.raises(PbrError):
        period_bounds("2015Q5")
    with pytest.raises(PbrError):
        period_labels(d, "month")  # type: ignore[arg-type]


@given(st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)))
def test_date_lies_within_its_period(d: dt.date) -> None:
    for kind in ("quarter", "financial_year", "calendar_year"):
        label = period_labels([d], kind)[0]  # type: ignore[arg-type]
        lo, hi = period_bounds(str(label))
        assert lo <= np.datetime64(d) <= hi


@pytest.mark.parametrize(
    "label", ["2015/17", "2015/1", "2015/160", "2015Q0", "2015Q", "15Q1", "2015x"]
)
def test_period_bounds_rejects_malformed_labels(label: str) -> None:
    # "2015/17" was read as 2015/16 (the part after the slash was ignored)
    with pytest.raises(PbrError, match="not a period label"):
        period_bounds(label)


def test_period_bounds_century_financial_year() -> None:
    assert [str(x) for x in period_bounds("1999/00")] == ["1999-04-01", "2000-03-31"]


def test_period_labels_of_a_missing_date_is_an_error() -> None:
    # NaT gave a garbage label such as '-768614336404562681Q2'
    with pytest.raises(PbrError, match=r"row\(s\) 2"):
        period_labels(pd.Series(pd.to_datetime(["2011-01-01", None])), "quarter")
