"""Calendar arithmetic used by the counting rules: months, ages and day numbers.

All functions are vectorised over numpy ``datetime64[D]`` arrays (pandas
datetime Series are accepted and converted). Conventions (docs/methodology.md,
"Validation (errors)" for ages and "A proven reoffence" for windows):

* ``add_months(d, k)`` keeps the day of month and clips to the last day of the
  target month: 2016-02-29 + 12 months = 2017-02-28; 2015-08-31 + 18 months =
  2017-02-28; 2015-01-31 + 1 month = 2015-02-28.
* Ages are whole years completed on the date, with the same month-end
  clipping: a person born on 29 February turns a year older on 28 February
  in non-leap years.
* Periods (quarters, financial and calendar years) are defined in
  :mod:`pbr.periods`.

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

from typing import Any

import numpy as np

from pbr._days import as_days, civil_from_days, days_from_civil
from pbr._engine import table_map
from pbr._types import DayArray, IntArray

__all__ = [
    "AGE_MISSING",
    "add_months",
    "age_in_years",
    "as_days",
    "civil_from_days",
    "days_from_civil",
]


#: The age given where a date of birth or the date is missing (NaT): the int64
#: minimum, the integer numpy stores for NaT. Mask those rows with ``numpy.isnat``.
AGE_MISSING = int(np.iinfo(np.int64).min)


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


def _year_and_day(z: IntArray, on: bool) -> IntArray:
    """``10000 * year + 100 * month + day`` of day numbers, for comparing birthdays.

    With ``on=True`` the 28 February of a common year reads as ``229``: it is the
    last day of February, so a 29 February birthday is reached on it.
    """
    y, m, d = civil_from_days(z)
    md = m * 100 + d
    if on:
        common = (y % 4 != 0) | ((y % 100 == 0) & (y % 400 != 0))
        md = np.where(common & (md == 228), 229, md)
    out: IntArray = y * 10000 + md
    return out


def age_in_years(date_of_birth: Any, on: Any) -> IntArray:
    """Whole years completed between ``date_of_birth`` and ``on``.

    ``age = year(on) - year(dob) - [the birthday of year(on) is after on]``, where
    the birthday of a person born on 29 February is 28 February in common years
    (month-end clipping, the same rule as the follow-up window: the largest
    ``k`` with ``add_months(dob, 12 * k) <= on``). See docs/methodology.md,
    "Validation (errors)".

    Parameters
    ----------
    date_of_birth, on : array-like of dates
        Broadcastable arrays of dates (``datetime64``, Series, ISO strings).

    Returns
    -------
    numpy.ndarray of int64
        One age per element, negative if ``on`` is before the date of birth.
        Where either date is missing (``NaT``) the value is :data:`AGE_MISSING`
        (an integer cannot be missing): mask those rows with ``numpy.isnat``,
        as :func:`pbr.risk.ogrs3.score_cohort` does.

    Notes
    -----
    The calendar fields come from a lookup table over the days spanned by the
    data (:func:`pbr._engine.table_map`), so the cost per row of a big array is a few
    gathers; the result does not depend on the path taken.

    Examples
    --------
    >>> age_in_years(["2000-03-01", "2000-03-01"], ["2018-02-28", "2018-03-01"]).tolist()
    [17, 18]
    >>> age_in_years(["2000-02-29", "2000-02-29"], ["2018-02-27", "2018-02-28"]).tolist()
    [17, 18]
    >>> age_in_years(["2000-02-29"], ["NaT"]).tolist() == [AGE_MISSING]
    True
    """
    dob_d, on_d = np.broadcast_arrays(as_days(date_of_birth), as_days(on))
    shape = dob_d.shape
    a = dob_d.reshape(-1).astype(np.int64)
    b = on_d.reshape(-1).astype(np.int64)
    missing = np.isnat(dob_d.reshape(-1)) | np.isnat(on_d.reshape(-1))
    if missing.any():
        out = np.full(len(a), AGE_MISSING, dtype=np.int64)
        ok = ~missing
        out[ok] = age_in_years(a[ok].astype("datetime64[D]"), b[ok].astype("datetime64[D]"))
        return out.reshape(shape)
    born = table_map(a, lambda z: _year_and_day(z, on=False))
    when = table_map(b, lambda z: _year_and_day(z, on=True))
    # month-day parts differ by less than 10000: the floor division drops a year
    # exactly when the birthday (month-day) is still to come in the year of ``on``
    ages: IntArray = (when - born) // 10000
    return ages.reshape(shape)
