"""HTML table cells for the statement page: escaping, number formats, one table.

Examples
--------
>>> import pandas as pd
>>> from pbr.report._html_table import html_table
>>> "£1.50" in html_table(pd.DataFrame({"amount": ["1.50"]}))
True
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from pbr.formatting import format_count, format_money
from pbr.report._inputs import amount
from pbr.report.statement_parts import exact_number

__all__ = ["html_table"]

_MONEY_COLUMNS = ("amount", "price", "total")
_INT_COLUMNS = ("cohort_size", "reoffenders", "reoffences", "eligible", "volume")
#: Shown exactly as the payment used them (the shortest decimal of the float).
_EXACT_COLUMNS = ("expected_reoffenders", "units")
_DIGITS = {
    "expected_reoffenders": 2,
    "baseline": 4,
    "observed": 4,
    "adjusted_rate": 4,
    "expected_rate": 4,
    "binary_rate": 4,
    "change": 2,
    "change_pp": 2,
    "z": 3,
    "p_value": 4,
    "units": 2,
}


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _esc_wrap(value: Any) -> str:
    """Escape, and let long snake_case words wrap after their underscores."""
    return _esc(value).replace("_", "_<wbr>")


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, Decimal):
        return value.is_nan()
    return isinstance(value, str) and value.strip() in ("", "nan", "NaN", "<NA>")


def _cell(column: str, value: Any, row: int, money: bool = False) -> tuple[str, bool]:
    """Display text of one cell and whether it is numeric (right-aligned)."""
    if _missing(value):
        return "", False
    if money or column in _MONEY_COLUMNS:
        return format_money(amount(value, f"row {row} column {column!r}")), True
    if column in _EXACT_COLUMNS and isinstance(value, (int, float, Decimal)):
        return exact_number(value), True
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if column in _INT_COLUMNS and isinstance(value, (int, float)):
        return (format_count(value) if float(value).is_integer() else f"{value:,.2f}"), True
    if isinstance(value, Decimal):
        return f"{value:f}", True
    if isinstance(value, int):
        return f"{value:,}", True
    if isinstance(value, float):
        digits = _DIGITS.get(column, 4)
        return f"{value:,.{digits}f}", True
    return str(value), False


def html_table(
    frame: pd.DataFrame,
    *,
    css_class: str = "",
    total_row: dict[str, str] | None = None,
    money_columns: tuple[str, ...] = (),
    headers: Mapping[str, str] | None = None,
) -> str:
    cols = [str(c) for c in frame.columns]
    names = {c: (headers or {}).get(c, c) for c in cols}
    numeric = dict.fromkeys(cols, False)
    body_rows = []
    records = frame.to_dict("records")
    cells_by_row = []
    for i, rec in enumerate(records, start=1):
        cells = []
        for c in cols:
            text, is_num = _cell(c, rec[c], i, money=c in money_columns)
            numeric[c] = numeric[c] or is_num
            cells.append(text)
        cells_by_row.append((rec, cells))
    head = "".join(
        f'<th class="num">{_esc_wrap(names[c])}</th>'
        if numeric[c]
        else f"<th>{_esc_wrap(names[c])}</th>"
        for c in cols
    )
    for rec, cells in cells_by_row:
        flag = bool(rec.get("termination") is True)
        tds = "".join(
            f'<td class="num">{_esc(t)}</td>' if numeric[c] else f"<td>{_esc_wrap(t)}</td>"
            for c, t in zip(cols, cells, strict=True)
        )
        body_rows.append(f'<tr class="flag">{tds}</tr>' if flag else f"<tr>{tds}</tr>")
    if total_row is not None:
        tds = "".join(
            f'<td class="num">{_esc(total_row.get(c, ""))}</td>'
            if numeric[c]
            else f"<td>{_esc(total_row.get(c, ''))}</td>"
            for c in cols
        )
        body_rows.append(f'<tr class="total">{tds}</tr>')
    cls = f' class="{css_class}"' if css_class else ""
    return (
        f'<div class="scroll"><table{cls}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(body_rows)
        + "\n</tbody>\n</table></div>\n"
    )
