"""The failure table of :class:`pbr.errors.ValidationError`.

One row per (table, row, column, value, reason), collected while a table is
checked, sorted once, and the error message that summarises it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr.errors import ValidationError
from pbr.io._rules import _SPECS, IntArray

# --------------------------------------------------------------------------- failures


@dataclass
class _Part:
    """Failures of one (table, column, reason): rows are 1-based, 0 = whole file/column."""

    table: str
    rows: IntArray
    column: str
    values: npt.NDArray[np.object_]
    reason: str


class _Failures:
    """Accumulates failures of one table as columnar parts (vectorised)."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.parts: list[_Part] = []

    def add(self, rows: IntArray, column: str, values: Any, reason: str) -> None:
        """Add one failure per 0-based row index in ``rows`` (reported 1-based)."""
        if len(rows) == 0:
            return
        vals = np.asarray(values, dtype=object)
        self.parts.append(
            _Part(self.table, np.asarray(rows, dtype=np.int64) + 1, column, vals, reason)
        )

    def add_whole(self, column: str, value: str, reason: str) -> None:
        """Add a failure about a whole file or column (row ``-``)."""
        vals = np.array([value], dtype=object)
        self.parts.append(_Part(self.table, np.zeros(1, np.int64), column, vals, reason))

    def __bool__(self) -> bool:
        return bool(self.parts)


def _sorted_failures(parts: list[_Part]) -> pd.DataFrame:
    """One failure table sorted by table, row (``-`` first), column in spec order, reason."""
    table_rank = {"cohort": 0, "offences": 1}
    col_rank = {(t, c.name): i + 1 for t, spec in _SPECS.items() for i, c in enumerate(spec)}
    reasons = sorted({p.reason for p in parts})
    reason_rank = {r: i for i, r in enumerate(reasons)}
    sizes = [len(p.rows) for p in parts]

    def per_part(values: list[int]) -> IntArray:
        return np.repeat(np.asarray(values, dtype=np.int64), sizes)

    rows = np.concatenate([p.rows for p in parts])
    order = np.lexsort(
        (
            per_part([reason_rank[p.reason] for p in parts]),
            per_part([col_rank.get((p.table, p.column), 99) for p in parts]),
            rows,
            per_part([table_rank.get(p.table, 9) for p in parts]),
        )
    )
    values = np.concatenate([p.values for p in parts])
    shown_rows = rows.astype(object)
    shown_rows[rows == 0] = "-"
    out = pd.DataFrame(
        {
            "table": np.repeat(np.array([p.table for p in parts], dtype=object), sizes),
            "row": shown_rows,
            "column": np.repeat(np.array([p.column for p in parts], dtype=object), sizes),
            "value": values,  # already text (see _display)
            "reason": np.repeat(np.array([p.reason for p in parts], dtype=object), sizes),
        }
    )
    return out.iloc[order].reset_index(drop=True)


def _message(failures: pd.DataFrame, what: str) -> str:
    """One-line summary naming the table(s) and, when long, the commonest reasons."""
    msg = what
    if len(failures) > ValidationError.max_rows_shown:
        by_reason = failures.groupby(["table", "column", "reason"], sort=True).size()
        top = by_reason.sort_values(ascending=False, kind="stable").head(8)
        msg += (
            " (most common: "
            + "; ".join(
                f"{n:,} × {key[0]}.{key[1]}: {key[2]}"  # type: ignore[index]
                for key, n in top.items()
            )
            + ")"
        )
    return msg
