"""The parts of a statement an auditor signs: each line's calculation, the terms, flags.

* :func:`line_expression` writes the arithmetic that gives a line's amount,
  ``13.27344 × £1,500.00 = £19,910.16``, with the units to the precision the
  payment used, so that the page reconciles from its own figures;
* :func:`contract_terms` lists the contract's terms (prices, α, form, caps,
  collars, hurdles, termination thresholds, rounding) as rows;
* :func:`termination_summary` says which lot-periods crossed a termination
  threshold, if any.

Money is :class:`decimal.Decimal` throughout and printed with
:func:`pbr.formatting.format_money`.

Examples
--------
>>> from decimal import Decimal
>>> line_expression({"units": 13.27344, "price": Decimal("1500.00"),
...                  "amount": Decimal("19910.16")})
'13.27344 × £1,500.00 = £19,910.16'
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import pandas as pd

from pbr.formatting import format_count, format_money

__all__ = ["contract_terms", "exact_number", "line_expression", "termination_summary"]

_MONEY_WORDS = ("price", "income", "deductions", "cap", "collar", "share_of")


def exact_number(value: Any) -> str:
    """The shortest decimal that is exactly the float (or Decimal) the payment used.

    Parameters
    ----------
    value : float, int, Decimal or str

    Returns
    -------
    str
        Plain positional notation, no exponent, no thousands separator
        (empty for a missing value).

    Examples
    --------
    >>> exact_number(57.27344), exact_number(44.0), exact_number(1e-7)
    ('57.27344', '44', '0.0000001')
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    try:
        d = (
            value
            if isinstance(value, Decimal)
            else Decimal(repr(value) if isinstance(value, float) else str(value))
        )
    except InvalidOperation:
        return str(value)
    if not d.is_finite():
        return str(value)
    text = f"{d.normalize():f}"
    return "0" if text in ("-0", "0") else text


def _dec(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    try:
        out = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return out if out.is_finite() else None


def line_expression(
    line: Mapping[str, Any], *, quantum: Decimal = Decimal("0.01"), rounding: str = ROUND_HALF_UP
) -> str:
    """The calculation that gives a line's amount, or ``""`` when it is not ``units × price``.

    ``units × price``, rounded once to ``quantum`` with ``rounding`` (the contract's
    rule, docs/methodology.md "Payment lines"), must give the line's ``amount``; the
    units are written with the fewest decimals (at least 2) that still give the
    amount, and in full when no shorter form does. A zero line reads ``£0.00 (no
    payment)``; caps, collars and other lines whose amount is not ``units × price``
    give ``""``.

    Parameters
    ----------
    line : Mapping
        A statement line with ``units``, ``price`` and ``amount``.
    quantum : Decimal, default 0.01
        The contract's rounding quantum.
    rounding : str, default "ROUND_HALF_UP"
        The contract's rounding mode (a :mod:`decimal` constant name).

    Returns
    -------
    str

    Examples
    --------
    >>> from decimal import Decimal
    >>> line_expression({"units": -5.0, "price": Decimal("1500"), "amount": Decimal("-7500.00")})
    '−5 × £1,500.00 = −£7,500.00'
    >>> line_expression({"units": 0.0, "price": Decimal("1500"), "amount": Decimal("0.00")})
    '£0.00 (no payment)'
    """
    amount = _dec(line.get("amount"))
    price = _dec(line.get("price"))
    units = _dec(exact_number(line.get("units"))) if line.get("units") is not None else None
    if amount is None or price is None or units is None:
        return ""
    if units.is_zero() and amount.is_zero():
        return f"{format_money(amount)} (no payment)"
    if (price * units).quantize(quantum, rounding=rounding) != amount:
        return ""
    shown = f"{units:f}"
    for places in range(2, 12):
        short = units.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if (price * short).quantize(quantum, rounding=rounding) == amount:
            shown = exact_number(short)
            break
    shown = shown.replace("-", "−")
    return f"{shown} × {format_money(price)} = {format_money(amount)}"


def _term_value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) if value else "all"
    if any(word in key for word in _MONEY_WORDS) and _dec(value) is not None:
        return format_money(_dec(value))  # type: ignore[arg-type]
    if key.endswith("_pp") and isinstance(value, (int, float)):
        return f"{value:g} percentage points"
    return str(value)


def contract_terms(contract: Any) -> pd.DataFrame:
    """The contract's terms as rows of ``(term, value)``, money as pounds.

    Parameters
    ----------
    contract : pbr.contracts.Contract or Mapping
        A contract (its ``to_dict()`` is used) or such a dict.

    Returns
    -------
    pandas.DataFrame
        Columns ``term`` (dotted, e.g. ``binary.deduction_price``) and ``value``.

    Examples
    --------
    >>> from pbr.contracts import preset
    >>> t = contract_terms(preset("tr_crc")).set_index("term")["value"]
    >>> t["alpha"], t["binary.price_per_reoffender_avoided"]
    ('0.05 (two-sided)', '£1,500.00')
    """
    d = contract.to_dict() if hasattr(contract, "to_dict") else dict(contract)
    rows: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, list) and value and isinstance(value[0], Mapping):
            for i, v in enumerate(value, start=1):
                walk(f"{prefix}[{i}]", v)
        elif prefix == "alpha":
            rows.append((prefix, f"{value:g} (two-sided)"))
        elif prefix not in ("description",):
            rows.append((prefix, _term_value(prefix.rsplit(".", 1)[-1], value)))

    walk("", d)
    return pd.DataFrame(rows, columns=["term", "value"])


def termination_summary(lines: pd.DataFrame) -> pd.DataFrame:
    """The lot-periods flagged at a termination threshold, with their change and note.

    Parameters
    ----------
    lines : pandas.DataFrame
        Statement lines with ``lot``, ``period``, ``termination`` (bool) and
        optionally ``change``, ``adjusted_rate``, ``note``.

    Returns
    -------
    pandas.DataFrame
        One row per flagged line (empty when none).

    Examples
    --------
    >>> import pandas as pd
    >>> lines = pd.DataFrame({"lot": ["A", "B"], "period": ["2016Q1"] * 2,
    ...                       "termination": [False, True], "change": [1.0, 6.2],
    ...                       "note": ["", "termination point exceeded"]})
    >>> termination_summary(lines)["lot"].tolist()
    ['B']
    """
    if "termination" not in lines.columns:
        return pd.DataFrame(columns=["lot", "period"])
    flagged = lines[lines["termination"].astype(bool)]
    keep = [
        c
        for c in ("lot", "period", "component", "cohort_size", "change", "adjusted_rate", "note")
        if c in flagged.columns
    ]
    out = flagged[keep].reset_index(drop=True)
    if "cohort_size" in out.columns:
        out["cohort_size"] = [format_count(v) for v in out["cohort_size"]]
    return out
