"""Reporting periods: the one codec between dates, integer codes, labels and bounds.

Three kinds of period are used by PbR contracts (docs/methodology.md, "Cohorts and
proven reoffending", section "Periods"):

==================  ===========  ============================  ==========================
kind                label        months                        integer code
==================  ===========  ============================  ==========================
``quarter``         ``2015Q4``   Jan–Mar = Q1 … Oct–Dec = Q4   ``4 * year + quarter - 1``
``financial_year``  ``2015/16``  1 April 2015 – 31 March 2016  starting year (``2015``)
``calendar_year``   ``2011``     January–December              the year
==================  ===========  ============================  ==========================

Codes are integers that sort chronologically within a kind, so tables can be
keyed, grouped and sorted on them and labelled once at the end
(:func:`period_codes` → :func:`period_names`). Labels are parsed strictly by
:func:`parse_period`: a label is exactly four ASCII digits, then ``Qn`` (n in
1–4) or ``/yy`` with ``yy`` the two last digits of the next year, or nothing.
``2015/17``, ``2015/99``, ``2015Q5``, ``2015q4`` and ``2015Q4`` with a leading space
are not labels.

Every other module generates and reads period labels through this one; to change
a period definition (for example a financial year starting in another month),
edit this module only.

Examples
--------
>>> import numpy as np
>>> from pbr.periods import contract_year, parse_period, period_codes, period_names
>>> days = np.array(["2015-10-01", "2016-03-31", "2016-04-01"], dtype="datetime64[D]")
>>> period_names(period_codes(days, "quarter"), "quarter").tolist()
['2015Q4', '2016Q1', '2016Q2']
>>> period_names(period_codes(days, "financial_year"), "financial_year").tolist()
['2015/16', '2015/16', '2016/17']
>>> p = parse_period("2016Q1")
>>> p.kind, p.code, str(p.start), str(p.end)
('quarter', 8064, '2016-01-01', '2016-03-31')
>>> contract_year("2016Q1", "financial_year"), contract_year("2016Q1", "calendar_year")
('2015/16', '2016')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr._days import as_days
from pbr._engine import table_map
from pbr._names import PERIOD_KINDS, PeriodKind
from pbr._types import IntArray
from pbr.errors import PbrError

__all__ = [
    "PERIOD_KINDS",
    "QUARTER_NAMES",
    "Period",
    "PeriodKind",
    "contract_year",
    "is_period",
    "parse_period",
    "period_bounds",
    "period_codes",
    "period_kind",
    "period_label",
    "period_labels",
    "period_names",
    "quarter_of_label",
    "quarter_of_year",
]

#: Names of the quarters of the year (1 = January–March), as baseline tables key them.
QUARTER_NAMES: tuple[str, ...] = ("Q1", "Q2", "Q3", "Q4")


_LABEL = re.compile(r"([0-9]{4})(?:Q([1-4])|/([0-9]{2}))?", re.ASCII)
_FY_START_MONTH0 = 3  # financial years start in April (0-based month 3)
_ONE_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class Period:
    """One reporting period: its kind, integer code and first and last day (inclusive).

    Built by :func:`parse_period`; ``label`` gives the text form back.

    Parameters
    ----------
    kind : {"quarter", "financial_year", "calendar_year"}
    code : int
        The period's integer code (see the module docstring); codes of one kind
        sort chronologically.
    start, end : numpy.datetime64
        First and last day of the period (``datetime64[D]``, both inclusive).

    Examples
    --------
    >>> p = parse_period("2015/16")
    >>> p.label, p.kind, str(p.start), str(p.end)
    ('2015/16', 'financial_year', '2015-04-01', '2016-03-31')
    >>> p.contains("2016-03-31"), p.contains("2016-04-01")
    (True, False)
    """

    kind: PeriodKind
    code: int
    start: np.datetime64
    end: np.datetime64

    @property
    def label(self) -> str:
        """The period's label (``2015Q4``, ``2015/16`` or ``2011``)."""
        return period_label(self.code, self.kind)

    def contains(self, date: Any) -> bool:
        """Whether ``date`` lies in the period (both ends inclusive).

        Parameters
        ----------
        date : date-like
            A date (ISO string, ``datetime.date``, ``numpy.datetime64``, ...).

        Returns
        -------
        bool

        Examples
        --------
        >>> parse_period("2011").contains("2011-12-31")
        True
        """
        day = as_days([date])[0]
        return bool(self.start <= day <= self.end)


def _check_kind(kind: str) -> PeriodKind:
    if kind not in PERIOD_KINDS:
        raise PbrError(f"unknown period kind {kind!r}; expected one of {PERIOD_KINDS}")
    return kind


def _codes_of_days(days: IntArray, kind: PeriodKind) -> IntArray:
    """Period codes of day numbers (days since 1970-01-01), computed directly."""
    m = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    year = m // 12 + 1970
    month0 = m % 12  # 0 = January
    if kind == "quarter":
        out: IntArray = year * 4 + month0 // 3
    elif kind == "financial_year":
        out = year - (month0 < _FY_START_MONTH0)
    else:
        out = year
    return out


def _day_numbers(dates: Any, name: str) -> IntArray:
    """Day numbers of ``dates``; a missing date is an error naming its 1-based rows."""
    d = as_days(dates).reshape(-1)
    nat = np.isnat(d)
    if nat.any():
        rows = ", ".join(str(i) for i in np.flatnonzero(nat)[:20] + 1)
        raise PbrError(f"{name} is missing in row(s) {rows}: it has no period")
    out: IntArray = d.astype(np.int64)
    return out


def period_codes(dates: Any, kind: str, *, name: str = "a date") -> IntArray:
    """Integer code of the period each date falls in; codes sort chronologically.

    Parameters
    ----------
    dates : array-like of dates
        ``datetime64`` array, pandas Series or ISO strings. No date may be missing.
    kind : {"quarter", "financial_year", "calendar_year"}
    name : str, default "a date"
        What the dates are, for the error message (e.g. ``"index_date"``).

    Returns
    -------
    numpy.ndarray of int64
        ``4 * year + quarter - 1`` for quarters, the starting year for financial
        years (April–March), the year for calendar years. Computed through a
        lookup table over the days spanned (:func:`pbr._engine.table_map`).

    Raises
    ------
    PbrError
        An unknown ``kind``, or a missing date (naming its rows).

    Examples
    --------
    >>> import numpy as np
    >>> period_codes(np.array(["2015-10-01", "2016-03-31"], "datetime64[D]"), "quarter").tolist()
    [8063, 8064]
    >>> period_codes(["2016-03-31", "2016-04-01"], "financial_year").tolist()
    [2015, 2016]
    """
    k = _check_kind(kind)
    return table_map(_day_numbers(dates, name), lambda z: _codes_of_days(z, k))


def period_label(code: int, kind: str) -> str:
    """The label of one period code.

    Parameters
    ----------
    code : int
        A code from :func:`period_codes`.
    kind : {"quarter", "financial_year", "calendar_year"}

    Returns
    -------
    str
        ``2015Q4``, ``2015/16`` or ``2011``.

    Examples
    --------
    >>> period_label(8063, "quarter"), period_label(1999, "financial_year")
    ('2015Q4', '1999/00')
    """
    k = _check_kind(kind)
    code = int(code)
    if k == "quarter":
        return f"{code // 4}Q{code % 4 + 1}"
    if k == "financial_year":
        return f"{code}/{(code + 1) % 100:02d}"
    return str(code)


def _distinct(codes: IntArray) -> tuple[IntArray, IntArray]:
    """(distinct sorted codes, index of each code in them): dense when the range is small."""
    if len(codes) == 0:
        return codes, codes
    lo = int(codes.min())
    span = int(codes.max()) - lo + 1
    if span <= 4 * len(codes) + 1024:  # few distinct periods: dense lookup, no sort
        present = np.bincount(codes - lo, minlength=span) > 0
        uniq = np.flatnonzero(present) + lo
        inv = (np.cumsum(present) - 1)[codes - lo]
        return uniq.astype(np.int64), inv.astype(np.int64)
    uniq, inv = np.unique(codes, return_inverse=True)
    return uniq, inv.reshape(-1)


def period_names(codes: Any, kind: str) -> pd.Series:
    """Period labels (pandas ``string`` dtype) of integer period codes.

    Each distinct code is labelled once; the labels are gathered through a dense
    lookup over the code range (no sort) when the codes span few periods.

    Parameters
    ----------
    codes : array-like of int
        Codes from :func:`period_codes`.
    kind : {"quarter", "financial_year", "calendar_year"}

    Returns
    -------
    pandas.Series of string
        One label per code, with a default ``RangeIndex``.

    Examples
    --------
    >>> import numpy as np
    >>> period_names(np.array([8063, 8064]), "quarter").tolist()
    ['2015Q4', '2016Q1']
    >>> period_names(np.array([2015]), "financial_year").tolist()
    ['2015/16']
    """
    k = _check_kind(kind)
    uniq, inv = _distinct(np.asarray(codes, dtype=np.int64).reshape(-1))
    labels = pd.array([period_label(int(c), k) for c in uniq], dtype="string")
    return pd.Series(labels.take(inv), dtype="string")


def period_labels(dates: Any, kind: str, *, name: str = "a date") -> npt.NDArray[np.str_]:
    """Label of the period each date falls in (numpy ``str`` array).

    Parameters
    ----------
    dates, kind, name
        As for :func:`period_codes` (no date may be missing).

    Returns
    -------
    numpy.ndarray of str
        ``2015Q4`` for quarters, ``2015/16`` for financial years (April–March),
        ``2011`` for calendar years. Labels of one kind sort chronologically as
        strings (for years 1000–9999).

    Raises
    ------
    PbrError
        As for :func:`period_codes`.

    Examples
    --------
    >>> period_labels(["2015-10-01", "2016-03-31"], "quarter").tolist()
    ['2015Q4', '2016Q1']
    >>> period_labels(["2016-03-31", "2016-04-01"], "financial_year").tolist()
    ['2015/16', '2016/17']
    """
    k = _check_kind(kind)
    uniq, inv = _distinct(period_codes(dates, k, name=name))
    names = np.array([period_label(int(c), k) for c in uniq], dtype=str)
    out: npt.NDArray[np.str_] = names[inv] if len(names) else np.array([], dtype=str)
    return out


def parse_period(label: str, kind: str | None = None) -> Period:
    """Parse a period label strictly into a :class:`Period`.

    Parameters
    ----------
    label : str
        ``2015Q4`` (quarter), ``2015/16`` (financial year: the part after the
        slash must be the next year's last two digits) or ``2011`` (calendar
        year). No spaces, lower case or other spellings.
    kind : {"quarter", "financial_year", "calendar_year"}, optional
        If given, the label must be of this kind.

    Returns
    -------
    Period

    Raises
    ------
    PbrError
        ``label`` is not a period label (the message names it), or is not of
        the requested ``kind``.

    Examples
    --------
    >>> parse_period("2015Q4").code
    8063
    >>> parse_period("1999/00").end
    np.datetime64('2000-03-31')
    >>> parse_period("2015/17")
    Traceback (most recent call last):
    ...
    pbr.errors.PbrError: not a period label: '2015/17' (expected e.g. 2015Q4, 2015/16 or 2011)
    """
    text = label if isinstance(label, str) else None
    m = _LABEL.fullmatch(text) if text is not None else None
    if m is None or (m[3] is not None and int(m[3]) != (int(m[1]) + 1) % 100):
        raise PbrError(f"not a period label: {label!r} (expected e.g. 2015Q4, 2015/16 or 2011)")
    year = int(m[1])
    if m[2] is not None:
        found: PeriodKind = "quarter"
        code = 4 * year + int(m[2]) - 1
        first = np.datetime64(f"{year:04d}-{3 * (int(m[2]) - 1) + 1:02d}", "M")
        months = 3
    elif m[3] is not None:
        found, code, months = "financial_year", year, 12
        first = np.datetime64(f"{year:04d}-{_FY_START_MONTH0 + 1:02d}", "M")
    else:
        found, code, months = "calendar_year", year, 12
        first = np.datetime64(f"{year:04d}-01", "M")
    if kind is not None and _check_kind(kind) != found:
        raise PbrError(
            f"period {label!r} is a {found.replace('_', ' ')}, not a {kind.replace('_', ' ')}"
        )
    start = first.astype("datetime64[D]")
    end = (first + np.timedelta64(months, "M")).astype("datetime64[D]") - _ONE_DAY
    return Period(found, code, start, end)


def period_kind(label: str) -> PeriodKind | None:
    """The kind of a period label, or ``None`` if it is not one.

    Parameters
    ----------
    label : str

    Returns
    -------
    {"quarter", "financial_year", "calendar_year"} or None

    Examples
    --------
    >>> period_kind("2015Q4"), period_kind("2015/16"), period_kind("2011"), period_kind("Q4")
    ('quarter', 'financial_year', 'calendar_year', None)
    """
    try:
        return parse_period(label).kind
    except PbrError:
        return None


def is_period(labels: Iterable[Any], kind: str | None = None) -> npt.NDArray[np.bool_]:
    """Whether each value is a period label (of ``kind``, if given).

    Parameters
    ----------
    labels : iterable
        Values; non-strings are never labels.
    kind : {"quarter", "financial_year", "calendar_year"}, optional

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> is_period(["2015Q4", "2015/16", "Q4", None], "quarter").tolist()
    [True, False, False, False]
    >>> is_period(["2015Q4", "2015/16", "2015/17"]).tolist()
    [True, True, False]
    """
    want = None if kind is None else _check_kind(kind)
    seen: dict[Any, bool] = {}
    out = []
    for value in labels:
        key = (type(value), value) if isinstance(value, str) else None
        if key is None:
            out.append(False)
            continue
        if key not in seen:
            found = period_kind(value)
            seen[key] = found is not None and (want is None or found == want)
        out.append(seen[key])
    return np.array(out, dtype=bool)


def period_bounds(label: str) -> tuple[np.datetime64, np.datetime64]:
    """First and last day (inclusive) of a period given its label.

    Parameters
    ----------
    label : str
        ``2015Q4``, ``2015/16`` or ``2011`` (parsed by :func:`parse_period`).

    Returns
    -------
    (numpy.datetime64, numpy.datetime64)
        ``datetime64[D]`` start and end.

    Examples
    --------
    >>> [str(x) for x in period_bounds("2015Q4")]
    ['2015-10-01', '2015-12-31']
    >>> [str(x) for x in period_bounds("2015/16")]
    ['2015-04-01', '2016-03-31']
    """
    p = parse_period(label)
    return p.start, p.end


def contract_year(label: str, kind: str) -> str:
    """The contract year (caps and collars apply per year) a period belongs to.

    Parameters
    ----------
    label : str
        A period label.
    kind : {"financial_year", "calendar_year"}
        The contract's kind of year.

    Returns
    -------
    str
        A quarter's financial year (``2016Q1`` → ``2015/16``) or calendar year
        (``2016Q1`` → ``2016``); a year label is its own contract year.

    Raises
    ------
    PbrError
        ``label`` is not a period label, or ``kind`` is not a kind of year.

    Examples
    --------
    >>> contract_year("2016Q1", "financial_year"), contract_year("2016Q2", "financial_year")
    ('2015/16', '2016/17')
    >>> contract_year("2016Q1", "calendar_year"), contract_year("2015/16", "financial_year")
    ('2016', '2015/16')
    """
    if kind not in ("financial_year", "calendar_year"):
        raise PbrError(f"a contract year is a financial_year or calendar_year, not {kind!r}")
    p = parse_period(label)
    if p.kind != "quarter":
        return label
    year = int(p.start.astype("datetime64[Y]").astype(np.int64)) + 1970
    if kind == "calendar_year":
        return period_label(year, "calendar_year")
    fy = year - (quarter_of_label(label) == 1)
    return period_label(fy, "financial_year")


def quarter_of_label(label: str) -> int:
    """Quarter of year (1 = January–March … 4 = October–December) of a quarter label.

    Parameters
    ----------
    label : str
        A quarter label such as ``2015Q4``.

    Returns
    -------
    int

    Raises
    ------
    PbrError
        ``label`` is not a quarter label.

    Examples
    --------
    >>> quarter_of_label("2015Q4")
    4
    """
    return parse_period(label, "quarter").code % 4 + 1


def quarter_of_year(dates: Any, *, name: str = "a date") -> IntArray:
    """Quarter of year (1 = January–March … 4 = October–December) of each date.

    Parameters
    ----------
    dates : array-like of dates
        No date may be missing.
    name : str, default "a date"
        What the dates are, for the error message.

    Returns
    -------
    numpy.ndarray of int64
        See :data:`QUARTER_NAMES` for their names.

    Raises
    ------
    PbrError
        A missing date, naming the rows.

    Examples
    --------
    >>> import pandas as pd
    >>> quarter_of_year(pd.to_datetime(["2011-03-31", "2011-04-01", "2016-12-31"])).tolist()
    [1, 2, 4]
    """
    out: IntArray = period_codes(dates, "quarter", name=name) % 4 + 1
    return out
