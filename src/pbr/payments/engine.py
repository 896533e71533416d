"""The payment engine: contract × assessment table → statement.

See docs/methodology.md, "Payment lines".

:func:`pay` filters the table to the contract's lots and periods, asks the
contract's scheme (:mod:`pbr.payments.registry`) for its lines, refuses interim
rows unless ``allow_interim``, adds fee-for-service lines
(:mod:`pbr.payments.fees`) and the caps and collars (:mod:`pbr.payments.limits`),
and returns the sorted lines as a :class:`~pbr.payments.statement.Statement`.
Everything runs in :data:`pbr.contracts.MONEY_CONTEXT`.

Examples
--------
>>> from pbr.contracts import preset
>>> from pbr.payments.statement import example_assessment
>>> pay(preset("tr_crc"), example_assessment()).total
Decimal('75000.00')
"""

from __future__ import annotations

import decimal
from typing import Any

import pandas as pd

from pbr.contracts import MONEY_CONTEXT, Contract
from pbr.errors import InterimMeasureError, PbrError
from pbr.lots import LotRegistry
from pbr.payments._table import _as_table, _checked, _filter
from pbr.payments.fees import fee_lines
from pbr.payments.limits import cap_collar_lines
from pbr.payments.lines import _frame
from pbr.payments.registry import scheme_lines
from pbr.payments.statement import Statement

__all__ = ["pay"]


def pay(
    contract: Contract,
    assessment: Any,
    *,
    volumes: pd.DataFrame | None = None,
    allow_interim: bool = False,
    annual_table: Any = None,
    lots: LotRegistry | None = None,
) -> Statement:
    """Compute a payment statement from a contract and an assessment table.

    Parameters
    ----------
    contract : Contract
    assessment : pandas.DataFrame or object with ``.table``
        An assessment table (module notes list the columns per component), or
        for the Peterborough/Doncaster schemes their aggregate table. Quarterly
        rows feed ``binary``; annual rows (``2015/16``, ``2015``) feed
        ``frequency`` unless ``annual_table`` is given.
    volumes : pandas.DataFrame, optional
        Fee-for-service volumes: ``lot, period, unit, volume``.
    allow_interim : bool, default False
        Pay on interim rows; every line is then marked provisional.
    annual_table : DataFrame or object with ``.table``, optional
        Annual assessment rows for the frequency component.
    lots : LotRegistry, optional
        Lot labels of the tables must be lots of this registry (codes, exact
        names, or codes in another case, all paid under the code).

    Returns
    -------
    Statement

    Raises
    ------
    InterimMeasureError
        Interim rows without ``allow_interim=True``.
    PbrError
        Missing or non-numeric columns (named), unknown fee units.

    Examples
    --------
    >>> from pbr.contracts import preset
    >>> from pbr.payments import example_assessment
    >>> s = pay(preset("tr_crc"), example_assessment(550))  # 50 more than expected
    >>> s.lines.loc[0, "amount"], bool(s.lines.loc[0, "termination"])
    (Decimal('-75000.00'), False)
    """
    with decimal.localcontext(MONEY_CONTEXT):
        return _pay(contract, assessment, volumes, allow_interim, annual_table, lots)


def _check_interim(rows: list[tuple[str, str, str]], allow_interim: bool) -> bool:
    interim = sorted({(lot, period) for lot, period, status in rows if status == "interim"})
    if interim and not allow_interim:
        shown = ", ".join(f"{lot} {period}" for lot, period in interim[:10])
        more = f" and {len(interim) - 10} more" if len(interim) > 10 else ""
        raise InterimMeasureError(
            f"{len(interim)} row(s) are interim measures ({shown}{more}); payment needs final "
            "measures — pass allow_interim=True (--allow-interim) for a provisional statement"
        )
    bad = sorted({s for _, _, s in rows if s not in ("final", "interim")})
    if bad:
        raise PbrError(f"status: unknown value(s) {', '.join(bad)} (expected final or interim)")
    return bool(interim)


def _pay(
    contract: Contract,
    assessment: Any,
    volumes: pd.DataFrame | None,
    allow_interim: bool,
    annual_table: Any,
    registry: LotRegistry | None,
) -> Statement:
    if not isinstance(contract, Contract):
        raise PbrError(f"contract: expected a pbr Contract, got {type(contract).__name__}")
    table = _filter(
        _checked(assessment, "assessment table", contract, registry), contract, registry
    )
    if annual_table is not None:
        annual_table = _filter(
            _checked(annual_table, "annual assessment table", contract, registry),
            contract,
            registry,
        )
    lines = scheme_lines(contract.scheme)(table, annual_table, contract)
    used = [(ln["lot"], ln["period"], ln["status"]) for ln in lines]
    interim = _check_interim(used, allow_interim)
    if volumes is not None:
        lines += fee_lines(_as_table(volumes, "volumes"), contract)
    lines += cap_collar_lines(lines, contract)
    frame = _frame(lines)
    if interim:
        frame["provisional"] = True
    return Statement(contract=contract, lines=frame, provisional=interim)
