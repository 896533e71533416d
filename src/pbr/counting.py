"""Proven reoffending: counting each member's reoffences (docs/methodology.md §5, §6).

An offence row of the same offender counts as a **proven reoffence** of a cohort
member with index date *d* when the rule set's window test
(:meth:`pbr.rulesets.RuleSet.in_window`) holds and the row can count under the rule set
(:meth:`pbr.rulesets.RuleSet.can_count`)::

    d < offence_date <= add_months(d, follow_up)                 # follow-up window
    disposal_date <= add_months(d, follow_up + waiting)          # waiting period
    disposal_type in rule_set.disposals                           # not a breach

Rule sets (:data:`pbr.rulesets.RULE_SETS`):

* ``moj_proven`` (default) — convictions and cautions; every qualifying offence
  row counts, duplicates included (two counts of one offence on one day are two
  offences);
* ``convictions_only`` — as ``moj_proven`` but cautions never count;
* ``reconviction_events`` — the number of distinct court **appearances** with a
  conviction for a qualifying offence: distinct ``appearance_id`` where present,
  otherwise one appearance per distinct ``disposal_date`` of the offender (rows
  without an ``appearance_id`` never merge with rows that have one).

Every input path (pandas frames, CSV and Parquet files, streamed or not) goes
through the same two steps: :func:`select_offences` keeps the rows that can
count and finds their offender, and :func:`count_members` counts them in each
member's window (:func:`pbr._engine.count_in_windows` does the join).

Examples
--------
>>> import pandas as pd
>>> members = pd.DataFrame({"offender_id": ["A"], "index_date": pd.to_datetime(["2016-02-29"])})
>>> offences = pd.DataFrame({
...     "offender_id": ["A", "A", "A"],
...     "offence_date": pd.to_datetime(["2016-02-29", "2017-02-28", "2017-03-01"]),
...     "disposal_date": pd.to_datetime(["2016-03-01", "2017-08-28", "2017-03-02"]),
...     "disposal_type": ["conviction"] * 3})
>>> count_reoffending(members, offences)[["reoffences", "reoffender"]].to_dict("records")
[{'reoffences': 1, 'reoffender': True}]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from pbr._engine import (
    NO_DAY,
    IdCodes,
    IdLookup,
    OffenceRows,
    arrow_days,
    as_strings,
    count_in_windows,
    encode_ids,
)
from pbr._types import IntArray as I64
from pbr.dates import as_days
from pbr.errors import PbrError
from pbr.io import NO_EXTRACT_DATE, checked_tables
from pbr.rulesets import RULE_SET_NAMES, RULE_SETS, RuleSet, rule_set

__all__ = [
    "OFFENCE_COLUMNS",
    "RULE_SETS",
    "RULE_SET_NAMES",
    "RuleSet",
    "count_members",
    "count_reoffending",
    "counting_disposals",
    "outcome_frame",
    "select_offences",
]

#: Offence columns the counting reads (the first four are required).
OFFENCE_COLUMNS: tuple[str, ...] = (
    "offender_id",
    "offence_date",
    "disposal_date",
    "disposal_type",
    "breach",
    "appearance_id",
)

IntArr = npt.NDArray[np.integer[Any]]


def counting_disposals(rules: str | RuleSet) -> tuple[str, ...]:
    """Disposal types that can prove a reoffence under a rule set.

    Examples
    --------
    >>> counting_disposals("moj_proven")
    ('conviction', 'caution')
    >>> counting_disposals("reconviction_events")
    ('conviction',)
    """
    return rule_set(rules).disposals


def _columns(table: pd.DataFrame | pa.Table) -> list[str]:
    return list(table.columns if isinstance(table, pd.DataFrame) else table.column_names)


def _frame_days(values: Any, table: str, name: str) -> I64:
    days = as_days(values)
    if np.isnat(days).any():
        bad = int(np.flatnonzero(np.isnat(days))[0]) + 1
        raise PbrError(f"{table} row {bad}: {name} is missing")
    out: I64 = days.astype(np.int64)
    return out


def _days(table: pd.DataFrame | pa.Table, name: str) -> IntArr:
    """Day numbers of a date column (int32 straight from arrow; missing: an error)."""
    if isinstance(table, pd.DataFrame):
        return _frame_days(table[name], "offences", name)
    col = table[name]
    if col.null_count:
        raise PbrError(f"offences: {name} is missing in {col.null_count} row(s)")
    return arrow_days(col)


def select_offences(
    offences: pd.DataFrame | pa.Table,
    rules: RuleSet,
    lookup: IdLookup | Callable[[], IdLookup],
    bounds: tuple[int, int, int],
    *,
    threads: bool = True,
) -> OffenceRows:
    """Offence rows that can count, inside ``bounds``, of offenders in the universe.

    Parameters
    ----------
    offences : pandas.DataFrame or pyarrow.Table
        A whole offences table, or one Parquet row group of it.
    rules : RuleSet
        Decides which rows can count (:meth:`~pbr.rulesets.RuleSet.can_count`).
    lookup : IdLookup or callable
        The members' offender universe, or a function giving it, called once the
        rows that can count are known (a caller may still be making it meanwhile).
    bounds : (int, int, int)
        :meth:`~pbr.rulesets.RuleSet.bounds` of the members' index days: rows
        outside every window are dropped before their ids are looked up.
    threads : bool
        Look ids up on all cores (False when the caller already does).

    Returns
    -------
    OffenceRows
        With ``appearance_id`` when the rule set counts appearances.

    Examples
    --------
    >>> import pandas as pd, pyarrow as pa
    >>> from pbr._engine import IdLookup
    >>> o = pd.DataFrame({"offender_id": ["A", "B"], "offence_date": pd.to_datetime(
    ...     ["2015-02-01"] * 2), "disposal_date": pd.to_datetime(["2015-03-01"] * 2),
    ...     "disposal_type": ["conviction", "conviction"]})
    >>> rows = select_offences(o, RULE_SETS["moj_proven"], IdLookup(pa.array(["A"])),
    ...     (0, 100_000, 100_000))
    >>> rows.code.tolist()
    [0]
    """
    columns = _columns(offences)
    for col in OFFENCE_COLUMNS[:4]:
        if col not in columns:
            raise PbrError(f"offences table has no column {col!r}")
    off, disp = _days(offences, "offence_date"), _days(offences, "disposal_date")
    keep = rules.can_count(
        offences["disposal_type"], offences["breach"] if "breach" in columns else None
    )
    keep = keep & rules.in_window(off, disp, *bounds)
    if not isinstance(lookup, IdLookup):
        lookup = lookup()
    code = lookup.codes(offences["offender_id"], keep, threads=threads)
    found = np.flatnonzero(code >= 0)
    rows = np.flatnonzero(keep)[found]
    app = None
    if rules.needs_appearance and "appearance_id" in columns:
        app = as_strings(offences["appearance_id"]).take(pa.array(rows))
    return OffenceRows(code[found], off[rows], disp[rows], app)


def count_members(
    members: IdCodes, index_day: I64, offences: OffenceRows, rules: RuleSet
) -> tuple[I64, I64, I64]:
    """Per member: counted reoffences, first counted offence day and window end day.

    Parameters
    ----------
    members : IdCodes
        The members' offender ids as codes (the universe of ``offences.code``).
    index_day : numpy.ndarray of int64
        The members' index dates as day numbers.
    offences : OffenceRows
        From :func:`select_offences` with the same universe.
    rules : RuleSet

    Returns
    -------
    (reoffences, first_offence_day, window_end_day) : numpy.ndarray of int64
        ``first_offence_day`` is ``iinfo(int64).max`` for members without a reoffence.

    Examples
    --------
    >>> import numpy as np
    >>> from pbr._engine import OffenceRows, encode_ids
    >>> d = lambda *s: np.array(s, "datetime64[D]").astype(np.int64)
    >>> rows = OffenceRows(np.array([0, 0]), d("2015-02-01", "2016-01-31"),
    ...     d("2015-03-01", "2016-07-31"))
    >>> r, f, w = count_members(encode_ids(["A"]), d("2015-01-31"), rows, RULE_SETS["moj_proven"])
    >>> r.tolist(), str(w[0].astype("datetime64[D]"))
    ([2], '2016-07-31')
    """
    index_day = np.asarray(index_day, dtype=np.int64)
    end_fu, end_w = rules.window_ends(index_day)
    distinct = rules.distinct_keys(offences.appearance, offences.disposal_day)
    reoff, first = count_in_windows(
        members.codes,
        len(members.universe),
        index_day,
        end_fu,
        end_w,
        offences,
        rules.in_window,
        distinct,
    )
    return reoff, first, end_w


def count_reoffending(
    members: pd.DataFrame,
    offences: pd.DataFrame,
    *,
    rules: str | RuleSet = "moj_proven",
    follow_up_months: int = 12,
    waiting_months: int = 6,
    extract_date: Any = None,
    validate: bool = True,
) -> pd.DataFrame:
    """Proven reoffences of each cohort member (docs/methodology.md §5).

    Parameters
    ----------
    members : pandas.DataFrame
        Needs ``offender_id`` and ``index_date`` (one row per index event): a
        built cohort's members (:attr:`pbr.cohort.Cohort.members`, whose events
        :func:`pbr.cohort.build_cohort` validated), so it is not validated here.
    offences : pandas.DataFrame
        Needs ``offender_id``, ``offence_date``, ``disposal_date``,
        ``disposal_type``; optional ``breach`` (default false) and
        ``appearance_id`` (``reconviction_events``). A raw frame crosses the io
        boundary first (:func:`pbr.io.checked_tables`,
        docs/methodology.md#validation); a frame it already validated (stamped)
        is not validated again.
    rules : {"moj_proven", "convictions_only", "reconviction_events"} or RuleSet
    follow_up_months, waiting_months : int
        Window lengths (defaults 12 and 6; interim measures use shorter ones).
    extract_date : date-like, optional
        The date the offences were extracted, for the rule "no date after the
        extract date". None (default): that one rule is **not checked** (no date
        is guessed); every other rule is.
    validate : bool
        True (default): validate an unstamped ``offences`` frame. False: the
        explicit opt-out, for trusted frames already in canonical form.

    Returns
    -------
    pandas.DataFrame
        Aligned with ``members`` (same index and order): ``reoffences`` (int64;
        appearances for ``reconviction_events``), ``reoffender`` (bool),
        ``first_reoffence_date`` (offence date of the earliest counted offence,
        NaT if none) and ``window_end`` (``d + follow_up + waiting`` months).

    Raises
    ------
    pbr.errors.ValidationError
        ``offences`` fails validation (every failing row: row, column, value, reason).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"offender_id": ["A", "B"],
    ...                   "index_date": pd.to_datetime(["2015-08-31", "2015-01-01"])})
    >>> o = pd.DataFrame({"offender_id": ["A", "A", "A"],
    ...     "offence_date": pd.to_datetime(["2016-08-31", "2016-08-30", "2015-09-01"]),
    ...     "disposal_date": pd.to_datetime(["2017-02-28", "2017-02-28", "2015-09-01"]),
    ...     "disposal_type": ["conviction", "conviction", "pnd"]})
    >>> r = count_reoffending(m, o)
    >>> r["reoffences"].tolist(), r["window_end"].dt.strftime("%Y-%m-%d").tolist()
    ([2, 0], ['2017-02-28', '2016-07-01'])
    """
    rule = rule_set(rules).with_window(follow_up_months, waiting_months)
    for col in ("offender_id", "index_date"):
        if col not in members.columns:
            raise PbrError(f"members table has no column {col!r}")
    if validate and isinstance(offences, pd.DataFrame):
        ext = NO_EXTRACT_DATE if extract_date is None else extract_date
        offences = checked_tables(None, offences, extract_date=ext)[1]
    for col in OFFENCE_COLUMNS[:4]:
        if col not in offences.columns:
            raise PbrError(f"offences table has no column {col!r}")
    m_day = _frame_days(members["index_date"], "members", "index_date")
    ids = encode_ids(members["offender_id"])
    rows = select_offences(offences, rule, IdLookup(ids.universe), rule.bounds(m_day))
    reoff, first, end_w = count_members(ids, m_day, rows, rule)
    return outcome_frame(reoff, first, end_w, members.index)


def outcome_frame(reoff: I64, first: I64, end_w: I64, index: pd.Index) -> pd.DataFrame:
    """Per-member outcome columns from :func:`count_members` arrays.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> f = outcome_frame(np.array([0]), np.array([np.iinfo(np.int64).max]), np.array([0]),
    ...     pd.RangeIndex(1))
    >>> f["reoffender"].tolist(), f["first_reoffence_date"].isna().tolist()
    ([False], [True])
    """
    has = first != NO_DAY
    first_d = np.where(has, first, 0).astype("datetime64[D]").astype("datetime64[s]")
    first_d[~has] = np.datetime64("NaT")
    return pd.DataFrame(
        {
            "reoffences": reoff.astype(np.int64),
            "reoffender": reoff > 0,
            "first_reoffence_date": first_d,
            "window_end": end_w.astype("datetime64[D]").astype("datetime64[s]"),
        },
        index=index,
    )
