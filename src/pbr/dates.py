"""Calendar arithmetic used by the counting rules: months, ages and period labels.

All functions are vectorised over numpy ``datetime64[D]`` arrays (pandas
datetime Series are accepted and converted). Conventions (SPEC §3, §4):

* ``add_months(d, k)`` keeps the day of month and clips to the last day of the
  target month: 2016-02-29 + 12 months = 2017-02-28; 2015-08-31 + 18 months =
  2017-02-28; 2015-01-31 + 1 month = 2015-02-28.
* Ages are whole years completed on the date, with the same month-end
  clipping: a person born on 29 February turns a year older on 28 February
  in non-leap years.
* Periods: ``quarter`` (label ``2015Q4`` = Oct–Dec 2015), ``financial_year``
  (Apr–Mar, label ``2015/16``) and ``calendar_year`` (label ``2011``).

Examples
--------
>>> import numpy as np
>>> from pbr.dates import add_months
>>> d = np.array(["2016-02-29", "2015-08-31", "2015-01-15"], dtype="datetime64[D]")
>>> add_months(d, 12).astype(str).tolist()
['2017-02-28', '2016-08-31', '2016-01-15']
>>> add_months(d[1:2], 18).astype(str).tolist()
['2017-02-28']
"""

from __future__ import annotations

import re
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr.errors import PbrError

__all__ = [
    "PERIOD_KINDS",
    "PeriodKind",
    "add_months",
    "age_in_years",
    "as_days",
    "period_bounds",
    "period_labels",
]

PeriodKind = Literal["quarter", "financial_year", "calendar_year"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("quarter", "financial_year", "calendar_year")

DayArray = npt.NDArray[np.datetime64]


def as_days(values: Any) -> DayArray:
    """Convert dates (Series, array, list of ISO strings) to ``datetime64[D]``.

    Parameters
    ----------
    values : array-like
        Dates. ``NaT`` is preserved.

    Returns
    -------
    numpy.ndarray
        Array of dtype ``datetime64[D]``.

    Examples
    --------
    >>> as_days(["2011-01-01"]).dtype
    dtype('<M8[D]')
    """
    if isinstance(values, pd.Series | pd.Index):
        values = values.to_numpy()
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[D]")
    return np.asarray(pd.to_datetime(arr)).astype("datetime64[D]")


def add_months(dates: Any, months: int) -> DayArray:
    """Add whole calendar months, clipping to the end of the target month.

    Parameters
    ----------
    dates : array-like of dates
        Start dates.
    months : int
        Number of months to add (may be negative or zero).

    Returns
    -------
    numpy.ndarray
        ``datetime64[D]`` dates. For start date ``y-m-d`` the result is day
        ``min(d, last day of month m + months)`` of month ``m + months``.

    Examples
    --------
    >>> add_months(["2015-08-31"], 18).astype(str).tolist()
    ['2017-02-28']
    >>> add_months(["2016-02-29"], 48).astype(str).tolist()
    ['2020-02-29']
    """
    d = as_days(dates)
    month_start = d.astype("datetime64[M]")
    day_offset = d - month_start.astype("datetime64[D]")  # 0-based day of month
    target = month_start + np.timedelta64(int(months), "M")
    target_start = target.astype("datetime64[D]")
    target_last = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    out: DayArray = np.minimum(target_start + day_offset, target_last)
    return out


def age_in_years(date_of_birth: Any, on: Any) -> npt.NDArray[np.int64]:
    """Whole years completed between ``date_of_birth`` and ``on``.

    Parameters
    ----------
    date_of_birth, on : array-like of dates
        Broadcastable arrays of dates.

    Returns
    -------
    numpy.ndarray of int64
        ``years`` such that ``add_months(dob, 12*years) <= on`` and the next
        birthday is after ``on``. A 29 February birthday is reached on
        28 February in non-leap years (month-end clipping, the same rule as the
        follow-up window). Where either date is ``NaT`` the value is
        meaningless (an integer cannot be missing): callers mask those rows,
        as :func:`pbr.risk.ogrs3.score_cohort` does.

    Examples
    --------
    >>> age_in_years(["2000-03-01", "2000-03-01"], ["2018-02-28", "2018-03-01"]).tolist()
    [17, 18]
    """
    dob = as_days(date_of_birth)
    when = as_days(on)
    dob_m = dob.astype("datetime64[M]").astype(np.int64)
    on_m = when.astype("datetime64[M]").astype(np.int64)
    years = (on_m - dob_m) // 12
    # birthday in year of `on`: dob + 12*years months (clipped); if after `on`, subtract 1
    months = years * 12
    dob_month_start = dob.astype("datetime64[M]")
    day_offset = dob - dob_month_start.astype("datetime64[D]")
    target = dob_month_start + months.astype("timedelta64[M]")
    target_last = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    birthday = np.minimum(target.astype("datetime64[D]") + day_offset, target_last)
    out: npt.NDArray[np.int64] = (years - (birthday > when)).astype(np.int64)
    return out


def period_labels(dates: Any, kind: PeriodKind) -> npt.NDArray[np.str_]:
    """Label of the period each date falls in.

    Parameters
    ----------
    dates : array-like of dates
    kind : {"quarter", "financial_year", "calendar_year"}

    Returns
    -------
    numpy.ndarray of str
        ``2015Q4`` for quarters, ``2015/16`` for financial years (April–March),
        ``2011`` for calendar years. Labels sort chronologically as strings.

    Examples
    --------
    >>> period_labels(["2015-10-01", "2016-03-31"], "quarter").tolist()
    ['2015Q4', '2016Q1']
    >>> period_labels(["2016-03-31", "2016-04-01"], "financial_year").tolist()
    ['2015/16', '2016/17']
    """
    d = as_days(dates)
    nat = np.isnat(d)
    if nat.any():
        rows = ", ".join(str(i) for i in np.flatnonzero(nat)[:20] + 1)
        raise PbrError(f"a date is missing in row(s) {rows}: it has no period")
    m = d.astype("datetime64[M]").astype(np.int64)
    year = m // 12 + 1970
    month0 = m % 12  # 0 = January
    if kind == "quarter":
        codes = year * 4 + month0 // 3
    elif kind == "financial_year":
        codes = year - (month0 < 3)
    elif kind == "calendar_year":
        codes = year
    else:
        raise PbrError(f"unknown period kind {kind!r}; expected one of {PERIOD_KINDS}")
    uniq, inv = np.unique(codes, return_inverse=True)
    names = np.array([_label(int(c), kind) for c in uniq], dtype=object)
    out: npt.NDArray[np.str_] = names[inv].astype(str)
    return out


def _label(code: int, kind: PeriodKind) -> str:
    if kind == "quarter":
        return f"{code // 4}Q{code % 4 + 1}"
    if kind == "financial_year":
        return f"{code}/{(code + 1) % 100:02d}"
    return str(code)


def period_bounds(label: str) -> tuple[np.datetime64, np.datetime64]:
    """First and last day (inclusive) of a period given its label.

    Parameters
    ----------
    label : str
        ``2015Q4``, ``2015/16`` or ``2011``.

    Returns
    -------
    (numpy.datetime64, numpy.datetime64)

    Examples
    --------
    >>> [str(x) for x in period_bounds("2015Q4")]
    ['2015-10-01', '2015-12-31']
    >>> [str(x) for x in period_bounds("2015/16")]
    ['2015-04-01', '2016-03-31']
    """
    one = np.timedelta64(1, "D")
    text = str(label)
    quarter = re.fullmatch(r"(\d{4})Q([1-4])", text)
    fin = re.fullmatch(r"(\d{4})/(\d{2})", text)
    if quarter:
        y, q = int(quarter[1]), int(quarter[2])
        start = np.datetime64(f"{y:04d}-{3 * (q - 1) + 1:02d}", "M")
        end = start + np.timedelta64(3, "M")
    elif fin and int(fin[2]) == (int(fin[1]) + 1) % 100:
        start = np.datetime64(f"{int(fin[1]):04d}-04", "M")
        end = start + np.timedelta64(12, "M")
    elif re.fullmatch(r"\d{4}", text):
        start = np.datetime64(f"{int(text):04d}-01", "M")
        end = start + np.timedelta64(12, "M")
    else:
        raise PbrError(f"not a period label: {label!r} (expected e.g. 2015Q4, 2015/16 or 2011)")
    return start.astype("datetime64[D]"), end.astype("datetime64[D]") - one
