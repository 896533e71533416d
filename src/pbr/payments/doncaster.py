"""The Doncaster scheme (``doncaster``): a reduction target or a repayment.

See docs/methodology.md, "Payment lines".

One row per annual cohort: ``cohort``, ``core_contract_value`` and either
``cohort_rate`` and ``baseline_rate`` (proportions), or ``cohort_size``,
``reconvicted`` and ``baseline_rate``, or ``change_pp``; optional ``lot``
(default ``DONCASTER``) and ``status``. A cohort that misses the target
reduction repays ``repayment_share`` of its core contract value.

Examples
--------
>>> import pandas as pd
>>> from pbr.contracts import preset
>>> t = pd.DataFrame({"cohort": ["1"], "cohort_rate": [0.45], "baseline_rate": [0.457],
...                   "core_contract_value": ["1000000.00"]})
>>> [ln["amount"] for ln in doncaster_lines(t, None, preset("doncaster"))]
[Decimal('-100000.00')]
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from pbr.contracts import Contract
from pbr.errors import PbrError
from pbr.payments._table import _cohort_keys, _num, _opt, _ratio
from pbr.payments.lines import _ZERO, _line

__all__ = ["doncaster_lines"]


def doncaster_lines(t: pd.DataFrame, annual_table: Any, contract: Contract) -> list[dict[str, Any]]:
    """Target lines of a Doncaster table (``annual_table`` is not used).

    Examples
    --------
    >>> import pandas as pd
    >>> from pbr.contracts import preset
    >>> t = pd.DataFrame({"cohort": ["1"], "change_pp": [-6.0],
    ...                   "core_contract_value": ["1000000.00"]})
    >>> [ln["outcome"] for ln in doncaster_lines(t, None, preset("doncaster"))]
    ['target_met']
    """
    comp = contract.target
    assert comp is not None
    what = "Doncaster table"
    cohorts, lots, statuses = _cohort_keys(t, ("core_contract_value",), what, "DONCASTER")
    n = _opt(t, "cohort_size", what)
    base = _opt(t, "baseline_rate", what)
    rate = _opt(t, "cohort_rate", what)
    if n is not None and "reconvicted" in t.columns:  # counts win over a printed rate
        counted = _ratio(_num(t, "reconvicted", what), n)
        rate = counted if rate is None else np.where(np.isnan(counted), rate, counted)
    for col, values in (("cohort_rate", rate), ("baseline_rate", base)):
        if values is not None and np.any((values < 0) | (values > 1)):
            i = int(np.flatnonzero((values < 0) | (values > 1))[0])
            raise PbrError(
                f"{what}: row {i + 1}: {col} must be a proportion in [0, 1], got {values[i]:g}"
            )
    if rate is not None and base is not None:
        change = 100 * (rate - base)
    elif "change_pp" in t.columns:
        change = _num(t, "change_pp", what)
    else:
        raise PbrError(
            f"{what}: needs cohort_rate and baseline_rate, or cohort_size, reconvicted "
            "and baseline_rate, or change_pp"
        )
    out = []
    for i in range(len(t)):
        raw = str(t["core_contract_value"].iloc[i]).strip()
        try:
            value = Decimal(raw)
        except ArithmeticError:
            raise PbrError(
                f"{what}: row {i + 1}: core_contract_value {raw!r} is not an amount"
            ) from None
        exponent = value.as_tuple().exponent
        if (
            not value.is_finite()
            or value < 0
            or (isinstance(exponent, int) and exponent < -2)
            or (not value.is_zero() and value.adjusted() >= 14)
        ):
            raise PbrError(
                f"{what}: row {i + 1}: core_contract_value must be >= 0 in pence, with at most "
                f"14 digits before the point, got {raw}"
            )
        if np.isnan(change[i]):
            raise PbrError(f"{what}: row {i + 1}: the change against the baseline is missing")
        met = round(float(change[i]), 10) <= -comp.reduction_pp
        share = _ZERO if met else -comp.repayment_share
        amount = contract.rounding.apply(value * share)
        out.append(
            _line(
                lot=lots[i],
                period=f"cohort {cohorts[i]}",
                component="target",
                status=statuses[i],
                cohort_size=np.nan if n is None else n[i],
                baseline=np.nan if base is None else base[i],
                observed=np.nan if rate is None else rate[i],
                change=change[i],
                outcome="target_met" if met else "target_missed",
                price=value,
                units=float(share),
                amount=amount,
                note=(
                    f"change {change[i]:+.1f} pp vs target -{comp.reduction_pp:g} pp: "
                    + (
                        "met"
                        if met
                        else f"missed, repay {comp.repayment_share} of core contract value"
                    )
                ),
            )
        )
    return out
