"""Input checks shared by the report's charts and pages: required, numeric, money columns."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

from pbr.errors import PbrError

__all__ = ["amount", "numeric", "require_columns"]


def require_columns(table: Any, columns: Iterable[str], what: str) -> None:
    """Raise a PbrError unless ``table`` is a DataFrame with every one of ``columns``.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"lot": ["A"]}), ["lot"], "measures table")
    >>> require_columns(pd.DataFrame({"lot": ["A"]}), ["period"], "measures table")
    Traceback (most recent call last):
    ...
    pbr.errors.PbrError: measures table is missing column(s) period (has: lot)
    """
    if not isinstance(table, pd.DataFrame):
        raise PbrError(f"{what} must be a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise PbrError(
            f"{what} is missing column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, table.columns))})"
        )


def numeric(values: Any, column: str, what: str) -> np.ndarray:
    """``values`` as floats for drawing; a non-numeric value is a PbrError naming the column.

    Examples
    --------
    >>> numeric(["1", 2.5], "rate", "table").tolist()
    [1.0, 2.5]
    """
    try:
        return np.asarray(pd.to_numeric(pd.Series(values), errors="raise"), dtype=float)
    except (ValueError, TypeError) as exc:
        raise PbrError(f"{what} column {column!r} must be numeric: {exc}") from None


def amount(value: Any, where: str) -> Decimal:
    """``value`` as an exact :class:`~decimal.Decimal` amount; else a PbrError naming ``where``.

    A Decimal is kept as it is; anything else is read from its text (so
    ``"1234.56"`` and ``1234.56`` give the same pence).

    Examples
    --------
    >>> amount("19910.16", "row 1"), amount(Decimal("-1.50"), "row 2")
    (Decimal('19910.16'), Decimal('-1.50'))
    >>> amount("n/a", "statement_lines row 3 column 'amount'")
    Traceback (most recent call last):
    ...
    pbr.errors.PbrError: statement_lines row 3 column 'amount': 'n/a' is not an amount
    """
    try:
        out = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise PbrError(f"{where}: {value!r} is not an amount") from None
    if not out.is_finite():
        raise PbrError(f"{where}: {value!r} is not a finite amount")
    return out
