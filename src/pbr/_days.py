"""Day numbers: dates as ``datetime64[D]``, civil (year, month, day) arithmetic, day maps.

The lowest layer of pbr's calendar code, shared by :mod:`pbr.dates` (months and
ages) and :mod:`pbr.periods` (reporting periods); the functions are public through
:mod:`pbr.dates`. A day number is the count of days since 1970-01-01, the integer
numpy stores in a ``datetime64[D]``.

Examples
--------
>>> import numpy as np
>>> from pbr.dates import as_days, civil_from_days
>>> [a.tolist() for a in civil_from_days(as_days(["2016-02-29"]).astype(np.int64))]
[[2016], [2], [29]]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pbr._types import DayArray, IntArray

__all__ = ["as_days", "civil_from_days", "days_from_civil"]


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


def days_from_civil(y: IntArray, m: IntArray, d: IntArray) -> IntArray:
    """Days since 1970-01-01 of a (year, month, day), integer arithmetic only.

    The algorithm of H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"
    (proleptic Gregorian calendar; the inputs must be a real date).

    Parameters
    ----------
    y, m, d : numpy.ndarray of int64
        Year, month (1–12) and day of month.

    Returns
    -------
    numpy.ndarray of int64

    Examples
    --------
    >>> import numpy as np
    >>> days_from_civil(np.array([1970, 2016]), np.array([1, 2]), np.array([1, 29])).tolist()
    [0, 16860]
    """
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    out: IntArray = era * 146097 + doe - 719468
    return out


def civil_from_days(z: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(year, month, day) of day numbers, the inverse of :func:`days_from_civil`.

    Parameters
    ----------
    z : numpy.ndarray of int64
        Days since 1970-01-01.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Year, month (1–12) and day of month, int64.

    Examples
    --------
    >>> import numpy as np
    >>> [a.tolist() for a in civil_from_days(np.array([0, 16860]))]
    [[1970, 2016], [1, 2], [1, 29]]
    """
    z = z + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    y = yoe + era * 400 + (m <= 2)
    return y, m, d
