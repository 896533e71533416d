"""The frequency component: annual cohorts paid per reoffence avoided.

See docs/methodology.md, "Payment lines".

``per_reoffender``: reoffences per reoffender against ``baseline_frequency``;
``per_offender``: reoffences per offender against
``baseline_reoffences_per_offender``. Reoffences avoided are ``baseline × O −
R`` exactly when the counts are given (else ``(baseline − observed) × O``),
paid when positive, the binary hurdle is met (if the contract sets it) and,
when required, the Welch test of :func:`pbr.adjustment.frequency_test` is a
significant reduction.

Examples
--------
>>> import pandas as pd
>>> from pbr.contracts import preset
>>> t = pd.DataFrame({"lot": ["A"], "period": ["2015/16"], "cohort_size": [100],
...                   "reoffenders": [40], "reoffences": [120], "baseline_frequency": [3.5],
...                   "baseline_binary": [0.45], "expected_reoffenders": [45.0]})
>>> c = preset("tr_crc")
>>> [ln["note"] for ln in frequency_lines(t, c)]
['binary hurdle not met (no_significant_change)']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pbr.adjustment import frequency_test
from pbr.contracts import Contract
from pbr.errors import PbrError
from pbr.payments._table import _check_counts, _keys, _num, _opt, _ratio, _require, _require_unique
from pbr.payments.binary import _binary_stats
from pbr.payments.lines import _ZERO, _dec, _money_line

__all__ = ["frequency_lines"]


def frequency_lines(t: pd.DataFrame, contract: Contract) -> list[dict[str, Any]]:
    """One frequency line per annual row: reoffences avoided, paid when the rules allow.

    Examples
    --------
    >>> import pandas as pd
    >>> from pbr.contracts import preset
    >>> t = pd.DataFrame({"lot": ["A"], "period": ["2015/16"], "cohort_size": [100],
    ...                   "reoffenders": [40], "reoffences": [100],
    ...                   "baseline_frequency": [3.0]})
    >>> from dataclasses import replace
    >>> c2 = preset("tr_crc")
    >>> c3 = replace(c2, frequency=replace(c2.frequency, binary_hurdle=False))
    >>> ln = frequency_lines(t, c3)[0]
    >>> float(ln["units"]), ln["note"]
    (20.0, 'payment: reoffences avoided')
    """
    comp = contract.frequency
    assert comp is not None
    what = "frequency (annual) assessment table"
    _require(t, ("lot", "period", "cohort_size", "reoffenders"), what)
    _require_unique(t, ("lot", "period"), what)
    n = _num(t, "cohort_size", what)
    o = _num(t, "reoffenders", what)
    r = _opt(t, "reoffences", what)
    _check_counts(t, n, o, r, what)
    # per reoffender: R / O against baseline_frequency; per offender: R / N
    rate_col, base_col, mult = {
        "per_reoffender": ("reoffences_per_reoffender", "baseline_frequency", o),
        "per_offender": ("reoffences_per_offender", "baseline_reoffences_per_offender", n),
    }[comp.measure]
    obs = _opt(t, rate_col, what)
    if obs is None and r is None:
        raise PbrError(f"{what}: needs {rate_col} or reoffences")
    # counts win over a printed (rounded) rate, and fill a blank one: observed = R / mult, so
    # avoided = base × mult − R exactly (the io boundary checked that a printed rate agrees)
    from_counts = np.zeros(len(t), dtype=bool) if r is None else ~np.isnan(r) & (mult > 0)
    if r is not None:
        obs = np.where(from_counts, _ratio(r, mult), np.nan if obs is None else obs)
    assert obs is not None
    _require(t, (base_col,), what)
    base = _num(t, base_col, what)
    sd_cols = ("frequency_sd", "baseline_frequency_sd", "baseline_reoffenders")
    if comp.measure == "per_reoffender" and all(c in t.columns for c in sd_cols):
        ft = frequency_test(
            obs,
            _num(t, "frequency_sd", what),
            o,
            base,
            _num(t, "baseline_frequency_sd", what),
            _num(t, "baseline_reoffenders", what),
            alpha=contract.alpha,
        )
        z = ft["frequency_t"].to_numpy()
        p = ft["frequency_p_value"].to_numpy()
        f_out = ft["frequency_outcome"].to_numpy().astype(str)
    else:
        if comp.require_significance:
            raise PbrError(
                f"{what}: the contract requires frequency significance "
                "(frequency.require_significance = true) but the table lacks "
                f"{', '.join(c for c in sd_cols if c not in t.columns)}; frequency "
                "significance cannot be computed"
            )
        z = p = np.full(len(t), np.nan)
        f_out = np.full(len(t), "not_tested")
    if comp.binary_hurdle:
        hurdle = _binary_stats(t, contract, f"{what} (binary hurdle)")["outcome"]
    else:
        hurdle = np.full(len(t), "")
    lots, periods, statuses = _keys(t)
    out = []
    for i in range(len(t)):
        units = _ZERO
        if np.isnan((base[i] - obs[i]) * mult[i]):
            note = "frequency undefined (no reoffenders)"
        else:
            if from_counts[i] and r is not None:  # (base − R/M) × M = base × M − R, exactly
                avoided = _dec(base[i]) * _dec(mult[i]) - _dec(r[i])
            else:
                avoided = (_dec(base[i]) - _dec(obs[i])) * _dec(mult[i])
            if avoided <= 0:
                note = "no reduction in frequency"
            elif comp.binary_hurdle and hurdle[i] != "significant_reduction":
                note = f"binary hurdle not met ({hurdle[i]})"
            elif comp.require_significance and f_out[i] != "significant_reduction":
                note = f"frequency change not significant ({f_out[i]})"
            else:
                units, note = avoided, "payment: reoffences avoided"
        out.append(
            _money_line(
                contract,
                comp.price_per_reoffence_avoided,
                units,
                lot=lots[i],
                period=periods[i],
                component="frequency",
                status=statuses[i],
                cohort_size=n[i],
                reoffenders=o[i],
                reoffences=np.nan if r is None else r[i],
                baseline=base[i],
                observed=obs[i],
                change=obs[i] - base[i],
                z=z[i],
                p_value=p[i],
                outcome=f_out[i],
                note=note,
            )
        )
    return out
