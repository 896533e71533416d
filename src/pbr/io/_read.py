"""The public readers: :func:`read_cohort`, :func:`read_offences`, :func:`validate`.

Also :class:`ValidationReport`, the result of :func:`validate`, and
:func:`checked_tables`, the boundary every public function taking cohort and
offence tables (files or DataFrames) calls (see :mod:`pbr.io._trusted`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pbr.io._checks import _raise, _read
from pbr.io._parse import _extract_day
from pbr.io._rules import DateLike, LotsLike, Source, TableName
from pbr.io._trusted import is_stamped, stamp
from pbr.io._warnings import _emit, _person_warnings
from pbr.results import Result, Summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# --------------------------------------------------------------------------- public API


def read_cohort(source: Source, *, extract_date: DateLike, lots: LotsLike = None) -> pd.DataFrame:
    """Read and validate the cohort-events table (docs/methodology.md#input-data).

    Parameters
    ----------
    source : path or pandas.DataFrame
        A CSV (``.csv``, ``.csv.gz``; UTF-8 with or without BOM, CRLF or LF,
        ``,`` ``;`` tab or ``|`` delimited) or Parquet (``.parquet``, ``.pq``) file,
        or a DataFrame.
    extract_date : str, date or Timestamp
        The date the data was extracted (required). Dates after it are errors.
    lots : LotRegistry, path or DataFrame, optional
        Lot codes and names to resolve ``lot`` against (default: the 21 TR lots); a
        path or DataFrame is read with :func:`pbr.lots.read_lots`.

    Returns
    -------
    pandas.DataFrame
        The canonical form (see :mod:`pbr.schema`): spec columns first, then
        extra columns; ``lot`` as the code; row ``i`` is data row ``i + 1``.

    Raises
    ------
    pbr.errors.ValidationError
        Listing every failing (row, column, value, reason) at once.

    Warns
    -----
    pbr.errors.SuspiciousDataWarning
        One per kind of suspicious-but-legal data (exact duplicate rows, ages
        under 18 or over 90 at the index date, ...).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({
    ...     "offender_id": ["A1", "B2"], "lot": ["CPA01", "Wales"],
    ...     "index_date": ["2011-01-31", "2011-02-28"], "event_type": ["release"] * 2,
    ...     "sex": ["M", "F"], "date_of_birth": ["1980-01-01", "1975-06-30"],
    ...     "em_only": ["no", "Y"]})
    >>> df = read_cohort(raw, extract_date="2013-12-31")
    >>> df["lot"].tolist(), df["em_only"].tolist()
    (['CPA01', 'CPA21'], [False, True])
    """
    return _read_one(source, "cohort", extract_date, lots)


def read_offences(source: Source, *, extract_date: DateLike) -> pd.DataFrame:
    """Read and validate the proven-offences table (docs/methodology.md#input-data).

    Parameters
    ----------
    source : path or pandas.DataFrame
        CSV or Parquet file, or a DataFrame (see :func:`read_cohort`).
    extract_date : str, date or Timestamp
        The date the data was extracted (required).

    Returns
    -------
    pandas.DataFrame
        The canonical form; ``breach`` defaults to ``False``.

    Raises
    ------
    pbr.errors.ValidationError
        Listing every failing (row, column, value, reason) at once.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({
    ...     "offender_id": ["A1"], "offence_date": ["2011-05-01"],
    ...     "disposal_date": ["2011-04-01"], "disposal_type": ["conviction"]})
    >>> try:
    ...     read_offences(raw, extract_date="2013-12-31")
    ... except ValueError as err:
    ...     print(err.failures.loc[0, ["row", "column", "reason"]].tolist())
    [1, 'disposal_date', 'disposal_date before offence_date']
    """
    return _read_one(source, "offences", extract_date, None)


def _read_one(
    source: Source, table: TableName, extract_date: DateLike, lots: LotsLike
) -> pd.DataFrame:
    """Validate one table (raising every failure), emit its warnings, return it stamped."""
    extract = _extract_day(extract_date)
    checked = _read(source, table, extract, lots)
    _raise([checked])
    _emit(checked.notes)
    assert checked.frame is not None
    return stamp(checked.frame, table, extract)


@dataclass(frozen=True, eq=False)
class ValidationReport(Result):
    """Outcome of :func:`validate` on a clean pair of tables.

    A pbr result (``docs/api.md``, "The result protocol"): :attr:`table` has one
    row per input table (rows, offenders, date range); :meth:`summary` is the
    verdict line (its title) with that table and the warnings; :meth:`plot`
    draws rows and offenders per table.

    Attributes
    ----------
    cohort_rows, offence_rows : int
        Rows read from each table (every row; nothing is dropped).
    extract_date : numpy.datetime64
        The extract date validated against.
    warnings : tuple of str
        One message per kind of suspicious-but-legal data.
    cohort, offences : pandas.DataFrame
        The loaded canonical tables (so validating also loads).

    Examples
    --------
    >>> report = validate(*_example_tables(), extract_date="2012-12-31")
    >>> report.cohort_rows, report.offence_rows, report.warnings
    (1, 2, ())
    """

    cohort_rows: int
    offence_rows: int
    extract_date: np.datetime64
    warnings: tuple[str, ...]
    cohort: pd.DataFrame = field(repr=False)
    offences: pd.DataFrame = field(repr=False)

    def summary(self) -> Summary:
        """The verdict line (the title), the per-table counts and the warnings.

        Examples
        --------
        >>> report = validate(*_example_tables(), extract_date="2012-12-31")
        >>> print(report.summary())
        valid: cohort 1 row(s), offences 2 row(s), extract date 2012-12-31, 0 warning(s)
           table  rows  offenders  date_column first_date  last_date
          cohort     1          1   index_date 2011-01-01 2011-01-01
        offences     2          1 offence_date 2011-03-01 2011-05-01
        """
        return Summary(
            f"valid: cohort {self.cohort_rows:,} row(s), offences {self.offence_rows:,} row(s), "
            f"extract date {self.extract_date}, {len(self.warnings)} warning(s)",
            self.table,
            notes=[f"warning: {w}" for w in self.warnings],
        )

    @property
    def table(self) -> pd.DataFrame:
        """Per-table row and offender counts and date ranges.

        Examples
        --------
        >>> report = validate(*_example_tables(), extract_date="2012-12-31")
        >>> print(report.table[["table", "rows", "offenders"]].to_string(index=False))
           table  rows  offenders
          cohort     1          1
        offences     2          1
        """
        rows = []
        for name, df, col in (
            ("cohort", self.cohort, "index_date"),
            ("offences", self.offences, "offence_date"),
        ):
            dates = df[col]
            rows.append(
                {
                    "table": name,
                    "rows": len(df),
                    "offenders": int(df["offender_id"].nunique()),
                    "date_column": col,
                    "first_date": dates.min() if len(df) else pd.NaT,
                    "last_date": dates.max() if len(df) else pd.NaT,
                }
            )
        return pd.DataFrame(rows)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Rows and offenders per input table (see :mod:`pbr.report.result_plots`).

        Examples
        --------
        >>> validate(*_example_tables(), extract_date="2012-12-31").plot().get_ylabel()
        'count'
        """
        from pbr.report.result_plots import plot_input_counts

        return plot_input_counts(self.table, ax=ax)


def _example_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A one-person cohort and two offences (raw text) for the docstring examples."""
    cohort = pd.DataFrame(
        {
            "offender_id": ["A"],
            "lot": ["CPA01"],
            "index_date": ["2011-01-01"],
            "event_type": ["release"],
            "sex": ["M"],
            "date_of_birth": ["1980-01-01"],
        }
    )
    offences = pd.DataFrame(
        {
            "offender_id": ["A", "A"],
            "offence_date": ["2011-03-01", "2011-05-01"],
            "disposal_date": ["2011-04-01", "2011-06-01"],
            "disposal_type": ["caution", "conviction"],
        }
    )
    return cohort, offences


def validate(
    cohort: Source,
    offences: Source,
    *,
    extract_date: DateLike,
    lots: LotsLike = None,
) -> ValidationReport:
    """Read and validate both input tables, reporting the failures of both at once.

    Parameters
    ----------
    cohort, offences : path or pandas.DataFrame
        The two tables (see :func:`read_cohort`, :func:`read_offences`).
    extract_date : str, date or Timestamp
        The date the data was extracted (required).
    lots : LotRegistry, path or DataFrame, optional
        Lot registry or lot table (default: the 21 TR lots).

    Returns
    -------
    ValidationReport
        Row counts, warnings and the loaded tables.

    Raises
    ------
    pbr.errors.ValidationError
        One error listing the failures of both tables.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"offender_id": ["A"], "lot": ["Atlantis"], "index_date": ["2011-01-01"],
    ...                   "event_type": ["release"], "sex": ["X"], "date_of_birth": ["1980-01-01"]})
    >>> o = pd.DataFrame({"offender_id": ["A"], "offence_date": ["2011-13-01"],
    ...                   "disposal_date": ["2011-04-01"], "disposal_type": ["caution"]})
    >>> try:
    ...     validate(c, o, extract_date="2012-12-31")
    ... except ValueError as err:
    ...     print(err.failures[["table", "column", "value"]].to_string(index=False))
       table       column      value
      cohort          lot   Atlantis
      cohort          sex          X
    offences offence_date 2011-13-01
    """
    extract = _extract_day(extract_date)
    c = _read(cohort, "cohort", extract, lots)
    o = _read(offences, "offences", extract, None)
    _raise([c, o])
    assert c.frame is not None and o.frame is not None
    notes = c.notes + o.notes + _person_warnings(c.frame, o.frame)
    _emit(notes)
    return ValidationReport(
        cohort_rows=len(c.frame),
        offence_rows=len(o.frame),
        extract_date=extract,
        warnings=tuple(notes),
        cohort=stamp(c.frame, "cohort", extract),
        offences=stamp(o.frame, "offences", extract),
    )


_validate_pair = validate  # checked_tables' own `validate` is its on/off flag


#: The extract date used when a caller has none: no real date is after it, so the one rule
#: that depends on the extract date ("date after the extract date") is not checked; every
#: other rule is (docs/methodology.md#validation).
NO_EXTRACT_DATE = "9999-12-31"


def checked_tables(
    cohort: Any, offences: Any, *, extract_date: Any, validate: bool = True
) -> tuple[Any, Any]:
    """The cohort and offence inputs through the io boundary (module notes).

    Parameters
    ----------
    cohort : path, DataFrame, or anything else (e.g. a built Cohort: returned as is)
    offences : path or DataFrame, or None (only the cohort is checked)
    extract_date : date-like
        ISO date the rules check against.
    validate : bool
        False: return both unchanged (the explicit opt-out).

    Returns
    -------
    (cohort, offences)
        Validated canonical frames (stamped), or the inputs unchanged when they
        are already validated, are not tables, or ``validate`` is False.

    Raises
    ------
    pbr.errors.ValidationError
        The failures of both tables at once.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"offender_id": ["A"], "lot": ["CPA01"], "index_date": ["2011-01-01"],
    ...                   "event_type": ["release"], "sex": ["M"], "date_of_birth": ["1980-01-01"]})
    >>> co, _ = checked_tables(c, None, extract_date="2012-12-31")
    >>> str(co["index_date"].dtype), checked_tables(co, None, extract_date="2012-12-31")[0] is co
    ('datetime64[s]', True)
    """
    if not validate:
        return cohort, offences
    extract = _extract_day(extract_date)
    table_like = (pd.DataFrame, str, os.PathLike)
    need_c = isinstance(cohort, table_like) and not is_stamped(cohort, "cohort", extract)
    need_o = isinstance(offences, table_like) and not is_stamped(offences, "offences", extract)
    if need_c and need_o:  # one error lists the bad rows of both tables
        report = _validate_pair(cohort, offences, extract_date=extract)
        return report.cohort, report.offences
    if need_c:
        cohort = read_cohort(cohort, extract_date=extract)
    if need_o:
        offences = read_offences(offences, extract_date=extract)
    return cohort, offences


def as_extracted(table: pd.DataFrame, kind: TableName, extract_date: Any) -> pd.DataFrame:
    """The rows of a table as an extract taken on ``extract_date`` would hold them.

    Offences: those disposed of on or before the date; cohort events: those indexed on or
    before it (a backtest's or forecast's earlier cut). A row subset of a table the
    boundary validated is valid (every error rule concerns one row or a whole column)
    and is stamped as validated without being checked again; any other table is
    validated first (:func:`checked_tables`).

    Examples
    --------
    >>> from pbr.sample import generate
    >>> s = generate(seed=5, scale=0.05, lots=["CPA01"])
    >>> early = as_extracted(s.offences, "offences", "2017-09-30")
    >>> last = early["disposal_date"].max()
    >>> bool(last <= pd.Timestamp("2017-09-30")), len(early) < len(s.offences)
    (True, True)
    """
    extract = _extract_day(extract_date)
    if not is_stamped(table, kind, np.datetime64(NO_EXTRACT_DATE)):
        pair = (table, None) if kind == "cohort" else (None, table)
        table = checked_tables(*pair, extract_date=NO_EXTRACT_DATE)[0 if kind == "cohort" else 1]
    column = "index_date" if kind == "cohort" else "disposal_date"
    days = table[column].to_numpy().astype("datetime64[D]")
    cut = table[days <= extract].reset_index(drop=True)
    return stamp(cut, kind, extract)
