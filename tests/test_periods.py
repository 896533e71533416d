"""The period codec: codes, labels, parsing, bounds, contract years, quarters of year."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbr.errors import PbrError
from pbr.periods import (
    PERIOD_KINDS,
    Period,
    contract_year,
    is_period,
    parse_period,
    period_bounds,
    period_codes,
    period_kind,
    period_label,
    period_labels,
    period_names,
    quarter_of_label,
    quarter_of_year,
)


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


# ----------------------------------------------------------------- property tests

_DAYS = st.dates(dt.date(1000, 1, 1), dt.date(9998, 12, 31))
_MONTH_ENDS = st.builds(
    lambda y, m: dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1),
    st.integers(1900, 2100),
    st.integers(1, 12),
)
_LEAP_DAYS = st.sampled_from([dt.date(y, 2, 29) for y in (1600, 1904, 2000, 2016, 2024, 2400)])
_ANY_DAY = _DAYS | _MONTH_ENDS | _LEAP_DAYS
_KINDS = st.sampled_from(PERIOD_KINDS)


def _plain_period(d: dt.date, kind: str) -> tuple[str, dt.date, dt.date]:
    """Plain-Python oracle: (label, first day, last day) of the period holding ``d``."""
    if kind == "quarter":
        q = (d.month - 1) // 3 + 1
        first = dt.date(d.year, 3 * q - 2, 1)
        nxt = dt.date(d.year + (q == 4), (3 * q) % 12 + 1, 1)
        return f"{d.year}Q{q}", first, nxt - dt.timedelta(days=1)
    if kind == "financial_year":
        y = d.year if d.month >= 4 else d.year - 1
        return f"{y}/{str(y + 1)[-2:]}", dt.date(y, 4, 1), dt.date(y + 1, 3, 31)
    return str(d.year), dt.date(d.year, 1, 1), dt.date(d.year, 12, 31)


@given(st.lists(_ANY_DAY, min_size=1, max_size=40), _KINDS)
def test_codes_and_labels_match_plain_python(days: list[dt.date], kind: str) -> None:
    arr = np.array(days, dtype="datetime64[D]")
    expected = [_plain_period(d, kind)[0] for d in days]
    assert period_names(period_codes(arr, kind), kind).tolist() == expected
    assert period_labels(arr, kind).tolist() == expected


@given(_ANY_DAY, _KINDS)
def test_every_date_lies_inside_its_period(d: dt.date, kind: str) -> None:
    label = str(period_labels([d], kind)[0])
    p = parse_period(label)
    _, first, last = _plain_period(d, kind)
    assert (p.kind, p.start, p.end) == (kind, np.datetime64(first), np.datetime64(last))
    assert p.start <= np.datetime64(d) <= p.end
    assert p.contains(d)


@given(_ANY_DAY, _KINDS)
def test_round_trip_code_label_bounds(d: dt.date, kind: str) -> None:
    code = int(period_codes([d], kind)[0])
    label = period_label(code, kind)
    p = parse_period(label, kind)
    assert (p.code, p.label, p.kind) == (code, label, kind)
    assert period_bounds(label) == (p.start, p.end)
    # the period's own first and last days have its code, the days either side do not
    one = np.timedelta64(1, "D")
    edges = np.array([p.start - one, p.start, p.end, p.end + one], dtype="datetime64[D]")
    assert period_codes(edges, kind).tolist() == [code - 1, code, code, code + 1]


@given(st.lists(_ANY_DAY, min_size=2, max_size=40), _KINDS)
def test_codes_and_labels_sort_chronologically(days: list[dt.date], kind: str) -> None:
    ordered = np.array(sorted(days), dtype="datetime64[D]")
    codes = period_codes(ordered, kind)
    assert (np.diff(codes) >= 0).all()
    labels = period_labels(ordered, kind).tolist()
    assert labels == sorted(labels)


@given(st.lists(_ANY_DAY, min_size=1, max_size=40))
def test_quarter_of_year_from_dates_and_labels(days: list[dt.date]) -> None:
    q = quarter_of_year(np.array(days, dtype="datetime64[D]"))
    assert q.tolist() == [(d.month - 1) // 3 + 1 for d in days]
    labels = period_labels(days, "quarter")
    assert [quarter_of_label(str(x)) for x in labels] == q.tolist()


@given(_ANY_DAY)
def test_contract_year_of_a_quarter_is_the_year_holding_it(d: dt.date) -> None:
    quarter = str(period_labels([d], "quarter")[0])
    for kind in ("financial_year", "calendar_year"):
        assert contract_year(quarter, kind) == str(period_labels([d], kind)[0])


def test_period_names_dense_and_sparse_codes_agree() -> None:
    dense = np.array([8064, 8063, 8064])
    sparse = np.array([4000, 36000])  # range far above the number of codes: sorted path
    assert period_names(dense, "quarter").tolist() == ["2016Q1", "2015Q4", "2016Q1"]
    assert period_names(sparse, "quarter").tolist() == ["1000Q1", "9000Q1"]
    assert period_names(np.array([], dtype=np.int64), "quarter").tolist() == []
    assert str(period_names(dense, "quarter").dtype) == "string"


# ----------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "label",
    [
        "2015/17",
        "2015/99",
        "2015Q5",
        " 2015Q4",
        "2015Q4 ",
        "2015q4",
        "Q4",
        "2015-16",
        "２０１５",  # full-width digits are not ASCII digits
        "",
    ],
)
def test_parse_rejects_malformed_labels_naming_them(label: str) -> None:
    with pytest.raises(PbrError, match="not a period label") as err:
        parse_period(label)
    assert repr(label) in str(err.value)
    assert period_kind(label) is None
    assert not is_period([label]).any()


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(PbrError, match="not a period label: 2015"):
        parse_period(2015)  # type: ignore[arg-type]


def test_parse_with_kind_rejects_another_kind() -> None:
    with pytest.raises(PbrError, match="'2015/16' is a financial year, not a quarter"):
        parse_period("2015/16", "quarter")
    with pytest.raises(PbrError, match="quarter"):
        quarter_of_label("2015")


def test_period_is_a_small_frozen_value() -> None:
    p = parse_period("2011")
    assert p == Period(
        "calendar_year", 2011, np.datetime64("2011-01-01"), np.datetime64("2011-12-31")
    )
    with pytest.raises(AttributeError):
        p.code = 2012  # type: ignore[misc]


def test_kind_of_labels() -> None:
    assert [period_kind(x) for x in ("2015Q4", "2015/16", "2011")] == list(PERIOD_KINDS)
    assert is_period(["2015Q4", "2016Q1", "2015/16", None, 3], "quarter").tolist() == [
        True,
        True,
        False,
        False,
        False,
    ]
    with pytest.raises(PbrError, match="unknown period kind"):
        is_period(["2015Q4"], "month")


def test_contract_year_examples() -> None:
    # Q1 (January–March) belongs to the financial year that started the April before
    assert contract_year("2016Q1", "financial_year") == "2015/16"
    assert contract_year("2016Q2", "financial_year") == "2016/17"
    assert contract_year("1999Q4", "financial_year") == "1999/00"
    assert contract_year("2016Q1", "calendar_year") == "2016"
    assert contract_year("2016", "calendar_year") == "2016"
    with pytest.raises(PbrError, match="not a period label"):
        contract_year("2016Q7", "financial_year")
    with pytest.raises(PbrError, match="contract year"):
        contract_year("2016Q1", "quarter")


def test_quarter_of_year_of_a_missing_date_names_the_row() -> None:
    with pytest.raises(PbrError, match=r"row\(s\) 2"):
        quarter_of_year(pd.Series(pd.to_datetime(["2011-01-01", None])))
