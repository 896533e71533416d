"""Reading an assessment table's columns: required columns, numbers, counts, keys.

Every check raises a :class:`~pbr.errors.PbrError` naming the table, the row
(its lot × period, or its row number in the input) and the value.

Examples
--------
>>> import pandas as pd
>>> _require(pd.DataFrame({"lot": ["A"]}), ("lot", "period"), "assessment table")
Traceback (most recent call last):
...
pbr.errors.PbrError: assessment table: missing column(s) period
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from pbr.contracts import Contract
from pbr.errors import PbrError
from pbr.io._aggregate import check_aggregate, check_selection
from pbr.lots import LotRegistry


def _as_table(assessment: Any, name: str) -> pd.DataFrame:
    table = getattr(assessment, "table", assessment)
    if not isinstance(table, pd.DataFrame):
        raise PbrError(
            f"{name}: expected a DataFrame or an object with .table, got "
            f"{type(assessment).__name__}"
        )
    return table.reset_index(drop=True)


def _require(table: pd.DataFrame, cols: tuple[str, ...], what: str) -> None:
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise PbrError(f"{what}: missing column(s) {', '.join(missing)}")


def _num(table: pd.DataFrame, col: str, what: str) -> np.ndarray:
    try:
        return np.asarray(pd.to_numeric(table[col], errors="raise"), dtype=float)
    except (ValueError, TypeError):
        bad = table[col][pd.to_numeric(table[col], errors="coerce").isna() & table[col].notna()]
        raise PbrError(
            f"{what}: column {col!r} is not numeric (row {int(bad.index[0]) + 1}: {bad.iloc[0]!r})"
        ) from None


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a / b`` where ``b > 0``, else NaN (no division warnings)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)


def _require_unique(table: pd.DataFrame, cols: tuple[str, ...], what: str) -> None:
    """Each key (e.g. lot × period) is paid once: a repeated key is an error, never paid twice."""
    present = tuple(c for c in cols if c in table.columns)
    counts = Counter(zip(*(_strings(table, c, "") for c in present), strict=True))
    repeated = sorted(k for k, c in counts.items() if c > 1)
    if repeated:
        key = " ".join(f"{c} {v}" for c, v in zip(present, repeated[0], strict=True))
        more = f" (and {len(repeated) - 1} more repeated keys)" if len(repeated) > 1 else ""
        raise PbrError(
            f"{what}: {key} appears in {counts[repeated[0]]} rows{more}; each "
            f"{' × '.join(present)} is paid once"
        )


def _shown(table: pd.DataFrame, col: str, i: int) -> str:
    """The repr of a cell as the user wrote it (``-4``, not ``np.int64(-4)``)."""
    value = table[col].iloc[i]
    return repr(value.item() if isinstance(value, np.generic) else value)


def _refuse(table: pd.DataFrame, bad: np.ndarray, col: str, rule: str, what: str) -> None:
    """Raise naming the first row's lot × period, the column, the rule and the value."""
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        lot, period = _strings(table, "lot", "")[i], _strings(table, "period", "")[i]
        shown = _shown(table, col, i)
        raise PbrError(f"{what}: lot {lot} period {period}: {col} {rule}, got {shown}")


def _check_counts(
    table: pd.DataFrame, n: np.ndarray, o: np.ndarray, r: np.ndarray | None, what: str
) -> None:
    """N, O (and R) must be counts: present, >= 0, and O <= N."""
    _refuse(table, ~(n >= 0), "cohort_size", "must be a count >= 0", what)
    _refuse(
        table, ~((o >= 0) & (o <= n)), "reoffenders", "must be a count in [0, cohort_size]", what
    )
    if r is not None:
        _refuse(table, r < 0, "reoffences", "must be a count >= 0", what)


def _opt(table: pd.DataFrame, col: str, what: str) -> np.ndarray | None:
    if col not in table.columns:
        return None
    return _num(table, col, what)


def _strings(table: pd.DataFrame, col: str, default: str) -> list[str]:
    if col not in table.columns:
        return [default] * len(table)
    return ["" if pd.isna(v) else str(v) for v in table[col]]


def _statuses(table: pd.DataFrame) -> list[str]:
    return [s or "final" for s in _strings(table, "status", "final")]


def _cohort_keys(
    table: pd.DataFrame, required: tuple[str, ...], what: str, default_lot: str
) -> tuple[list[str], list[str], list[str]]:
    """Each row's cohort, lot and status in a table of one row per cohort (lot × cohort once).

    ``cohort`` and ``required`` must be columns; a missing lot is ``default_lot``,
    a missing status ``final``.
    """
    _require(table, ("cohort", *required), what)
    _require_unique(table, ("lot", "cohort"), what)
    return _strings(table, "cohort", ""), _strings(table, "lot", default_lot), _statuses(table)


def _keys(table: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """Each row's lot, period and status (missing status = final); lot and period are required."""
    lots, periods = _strings(table, "lot", ""), _strings(table, "period", "")
    for col, values in (("lot", lots), ("period", periods)):
        if "" in values:
            row = int(table.index[values.index("")]) + 1  # the index keeps input row numbers
            raise PbrError(f"assessment table: row {row}: {col} is missing")
    return lots, periods, _statuses(table)


def _checked(
    assessment: Any, name: str, contract: Contract, registry: LotRegistry | None
) -> pd.DataFrame:
    """The table through the io boundary (:func:`pbr.io._aggregate.check_aggregate`)."""
    return check_aggregate(
        _as_table(assessment, name), scheme=contract.scheme, registry=registry, what=name
    )


def _filter(
    table: pd.DataFrame, contract: Contract, registry: LotRegistry | None = None
) -> pd.DataFrame:
    """The contract's lots and periods; a selection that matches nothing is an error."""
    # the index keeps the input's row numbers for messages
    return check_selection(table, contract.lots, contract.periods, registry, "table")
