"""Caps and collars: per lot and contract year, and a cap on total PbR income.

See docs/methodology.md, "Payment lines".

Each limit that binds is a visible line: a cap takes the PbR income above it
back, a collar gives the deductions above it back, and the total cap applies
to the PbR income left after the per-lot caps.

Examples
--------
>>> from decimal import Decimal
>>> from pbr.contracts import preset
>>> c = preset("tr_crc")
>>> ln = {"lot": "A", "period": "2015Q4", "component": "binary", "amount": Decimal("6e6")}
>>> [x["component"] for x in cap_collar_lines([ln], c)]
['cap']
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pbr.contracts import Contract, money_sum
from pbr.payments.lines import _ZERO, DEDUCTIONS, PBR_INCOME, _line
from pbr.periods import contract_year, period_kind

__all__ = ["cap_collar_lines"]


def _year_of(period: str, kind: str) -> str:
    """The contract year of a line's period; a line of a non-calendar period is its own."""
    return contract_year(period, kind) if period_kind(period) is not None else period


def _limit_lines(
    totals: Mapping[tuple[str, str], Decimal],
    limit: Decimal | None,
    component: str,
    sign: int,
    note: str,
    contract: Contract,
) -> list[dict[str, Any]]:
    """One visible line per (lot, year) whose total exceeds ``limit``.

    ``amount = sign × (total − limit)``: a cap takes the excess income back
    (``sign = −1``), a collar gives the excess deduction back (``sign = +1``).
    ``note`` is formatted with ``total`` and ``limit``.
    """
    if limit is None:
        return []
    return [
        _line(
            lot=lot,
            period=year,
            component=component,
            price=limit,
            units=1.0,
            amount=contract.rounding.apply(sign * (total - limit)),
            note=note.format(total=total, limit=limit),
        )
        for (lot, year), total in sorted(totals.items())
        if total > limit
    ]


def cap_collar_lines(lines: list[dict[str, Any]], contract: Contract) -> list[dict[str, Any]]:
    """The cap, collar and total-cap lines that the contract's limits add to ``lines``.

    Examples
    --------
    >>> from decimal import Decimal
    >>> from pbr.contracts import preset
    >>> ln = {"lot": "A", "period": "2015Q4", "component": "binary", "amount": Decimal("-9e6")}
    >>> [x["component"] for x in cap_collar_lines([ln], preset("tr_crc"))]
    ['collar']
    """
    income: dict[tuple[str, str], Decimal] = {}  # positive PbR income per lot × contract year
    deductions: dict[tuple[str, str], Decimal] = {}  # deductions as positive amounts
    for ln in lines:
        key = (ln["lot"], _year_of(str(ln["period"]), contract.contract_year))
        if ln["component"] in PBR_INCOME and ln["amount"] > 0:
            income[key] = income.get(key, _ZERO) + ln["amount"]
        if ln["component"] in DEDUCTIONS and ln["amount"] < 0:
            deductions[key] = deductions.get(key, _ZERO) - ln["amount"]
    caps, collars = contract.caps, contract.collars
    out = _limit_lines(
        income,
        caps.pbr_income_per_lot_per_year,
        "cap",
        -1,
        "PbR income £{total} capped at £{limit} per lot per year",
        contract,
    )
    out += _limit_lines(
        deductions,
        collars.deductions_per_lot_per_year,
        "collar",
        +1,
        "deductions £{total} collared at £{limit} per lot per year",
        contract,
    )
    capped = money_sum(ln["amount"] for ln in out if ln["component"] == "cap")
    net = money_sum(income.values()) + capped  # PbR income after the per-lot caps
    out += _limit_lines(
        {("ALL", "ALL"): net},
        caps.total_pbr_income,
        "total_cap",
        -1,
        "total PbR income £{total} capped at £{limit}",
        contract,
    )
    return out
