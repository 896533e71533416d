"""Statement lines: their columns and kinds, the one rounding, exact totals.

Every payment component builds its lines with :func:`_money_line`: ``amount =
price × units`` in :class:`~decimal.Decimal`, rounded **once** with the
contract's rounding. Units are exact Decimals computed from each input's
printed value (:func:`_dec`), never a float difference.

Examples
--------
>>> LINE_COLUMNS[:4]
('lot', 'period', 'component', 'item')
>>> MONEY_COLUMNS
('price', 'amount')
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from pbr.contracts import MONEY_CONTEXT, Contract

__all__ = [
    "COMPONENTS",
    "DEDUCTIONS",
    "FLOAT_COLUMNS",
    "LINE_COLUMNS",
    "LINE_KINDS",
    "MONEY_COLUMNS",
    "PBR_INCOME",
    "sum_by",
]

#: Line components in statement order.
COMPONENTS = (
    "binary",
    "frequency",
    "cohort_outcome",
    "pooled_outcome",
    "target",
    "fee_for_service",
    "cap",
    "collar",
    "total_cap",
)

#: Statement line columns, in order, with the kind of value each holds: ``text``,
#: ``float`` (counts and statistics), ``money`` (Decimal) or ``flag`` (bool). The
#: in-memory frame (:func:`pay`) and every file (:mod:`pbr.payments.writers`) follow these kinds.
LINE_KINDS: dict[str, str] = {
    "lot": "text",
    "period": "text",
    "component": "text",
    "item": "text",
    "status": "text",
    "cohort_size": "float",
    "reoffenders": "float",
    "reoffences": "float",
    "expected_reoffenders": "float",
    "baseline": "float",
    "observed": "float",
    "adjusted_rate": "float",
    "change": "float",
    "z": "float",
    "p_value": "float",
    "outcome": "text",
    "price": "money",
    "units": "float",
    "amount": "money",
    "provisional": "flag",
    "termination": "flag",
    "note": "text",
}
#: Statement line columns, in order.
LINE_COLUMNS = tuple(LINE_KINDS)
FLOAT_COLUMNS = tuple(c for c, k in LINE_KINDS.items() if k == "float")
MONEY_COLUMNS = tuple(c for c, k in LINE_KINDS.items() if k == "money")
PBR_INCOME = ("binary", "frequency", "cohort_outcome", "pooled_outcome")
DEDUCTIONS = ("binary", "target")

_ZERO = Decimal("0.00")


def _dec(x: float) -> Decimal:
    """The decimal a float statistic prints as (its shortest round-trip ``repr``), exactly."""
    return Decimal(repr(float(x)))


def sum_by(lines: pd.DataFrame, keys: list[str]) -> dict[tuple[str, ...], Decimal]:
    """Exact Decimal total of ``lines["amount"]`` per group of ``keys`` (values as text).

    Runs in :data:`pbr.contracts.MONEY_CONTEXT`; only groups that have lines
    appear. Used for statement totals and by :func:`pbr.whatif.what_if`.

    Examples
    --------
    >>> from decimal import Decimal
    >>> lines = pd.DataFrame({"lot": ["B", "A", "B"],
    ...                       "amount": [Decimal("1.10"), Decimal("2.00"), Decimal("-0.05")]})
    >>> sorted(sum_by(lines, ["lot"]).items())
    [(('A',), Decimal('2.00')), (('B',), Decimal('1.05'))]
    """
    out: dict[tuple[str, ...], Decimal] = {}
    cols = [lines[k].astype(str).tolist() for k in keys]
    with decimal.localcontext(MONEY_CONTEXT):
        for key, amount in zip(zip(*cols, strict=True), lines["amount"], strict=True):
            out[key] = out.get(key, _ZERO) + amount  # loop over statement lines (few)
    return out


def _line(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict.fromkeys(LINE_COLUMNS, np.nan)
    base.update(item="", status="final", outcome="", note="", termination=False, provisional=False)
    base.update(kw)
    return base


def _money_line(
    contract: Contract,
    price: Decimal,
    units: Decimal,
    *,
    exact: Decimal | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """A priced line: ``amount = price × units`` in Decimal, rounded once (the one rounding).

    ``units`` is already an exact Decimal computed from the inputs' printed values
    (e.g. ``Decimal(repr(E)) − Decimal(repr(O))``), never a float difference; the
    ``units`` column shows it as the nearest float. ``exact`` is the unrounded
    amount when a component's rule computes it (default ``price × units``).
    """
    unrounded = price * units if exact is None else exact
    amount = _ZERO if units.is_zero() else contract.rounding.apply(unrounded)
    return _line(price=price, units=float(units), amount=amount, **kw)


def _frame(lines: list[dict[str, Any]]) -> pd.DataFrame:
    order = {c: i for i, c in enumerate(COMPONENTS)}
    lines = sorted(
        lines,
        key=lambda ln: (
            ln["component"] == "total_cap",
            str(ln["lot"]),
            str(ln["period"]),
            order[ln["component"]],
            str(ln["item"]),
        ),
    )
    data: dict[str, Any] = {}
    for col in LINE_COLUMNS:
        vals = [str(v) if isinstance(v, np.str_) else v for v in (ln[col] for ln in lines)]
        if LINE_KINDS[col] == "float":
            data[col] = np.asarray(vals, dtype=float)
        elif LINE_KINDS[col] == "flag":
            data[col] = np.asarray(vals, dtype=bool)
        else:
            data[col] = pd.Series(vals, dtype=object)
    return pd.DataFrame(data, columns=list(LINE_COLUMNS))
