"""The ``tr_crc`` scheme (also ``custom``): quarterly binary and annual frequency lines.

Quarterly rows (``2015Q4``) feed the binary component (:mod:`pbr.payments.binary`);
annual rows (``2015/16``, ``2015``), or a separate annual table, feed the
frequency component (:mod:`pbr.payments.frequency`). Annual rows must be the
contract's years (caps and collars apply per contract year).

Examples
--------
>>> from pbr.contracts import preset
>>> from pbr.payments.statement import example_assessment
>>> [ln["component"] for ln in outcome_lines(example_assessment(), None, preset("tr_crc"))]
['binary']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pbr.contracts import Contract
from pbr.errors import PbrError
from pbr.payments._table import _as_table
from pbr.payments.binary import binary_lines
from pbr.payments.frequency import frequency_lines
from pbr.periods import period_kind

__all__ = ["outcome_lines"]


def _check_contract_years(annual: pd.DataFrame, contract: Contract) -> None:
    """Annual rows must be the contract's years, or caps would split one year in two."""
    if "period" not in annual.columns:
        return
    for label in sorted({str(p) for p in annual["period"]}):
        kind = period_kind(label)
        if kind != contract.contract_year:
            shown = str(kind).replace("_", " ")
            raise PbrError(
                f"frequency (annual) assessment table: period {label} is a {shown} but the "
                f"contract's contract_year is {contract.contract_year} (caps and collars apply "
                "per contract year); give annual rows for contract years"
            )


def outcome_lines(
    table: pd.DataFrame, annual_table: Any, contract: Contract
) -> list[dict[str, Any]]:
    """Binary lines of the quarterly rows and frequency lines of the annual rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from pbr.contracts import preset
    >>> outcome_lines(pd.DataFrame({"period": ["2015-16"]}), None, preset("tr_crc"))
    Traceback (most recent call last):
    ...
    pbr.errors.PbrError: assessment table: period label(s) 2015-16 are neither ...
    """
    lines: list[dict[str, Any]] = []
    if len(table) and "period" not in table.columns:
        raise PbrError("assessment table: missing column(s) period")
    kinds = np.array([period_kind(str(p)) or "other" for p in table.get("period", pd.Series([]))])
    # subsets keep the input's index: error messages name the row of the input table
    quarterly = table.loc[kinds == "quarter"] if len(table) else table
    if annual_table is not None:
        annual = _as_table(annual_table, "annual_table")  # checked and selected by pay()
    else:
        annual = (
            table.loc[np.isin(kinds, ["financial_year", "calendar_year"])] if len(table) else table
        )
    other = sorted(
        {str(p) for p, k in zip(table.get("period", []), kinds, strict=True) if k == "other"}
    )
    if other:
        raise PbrError(
            f"assessment table: period label(s) {', '.join(other)} are neither "
            "quarters (2015Q4) nor years (2015/16, 2015)"
        )
    if contract.binary is not None and len(quarterly):
        lines += binary_lines(quarterly, contract)
    if contract.frequency is not None and len(annual):
        _check_contract_years(annual, contract)
        lines += frequency_lines(annual, contract)
    return lines
