"""The Peterborough social impact bond scheme (``peterborough_sib``).

See docs/methodology.md, "Payment lines".

One row per cohort: ``cohort``, ``treated_n``, ``treated_events`` or
``treated_events_per_100``, ``comparison_events_per_100`` or (``comparison_n``
and ``comparison_events``); optional ``lot`` (default ``PETERBOROUGH``) and
``status``. A cohort is paid per event avoided when its relative reduction
reaches the cohort threshold; once two cohorts are present a pooled line pays
the pooled events avoided less those already paid.

Examples
--------
>>> import pandas as pd
>>> from pbr.contracts import preset
>>> t = pd.DataFrame({"cohort": ["1"], "treated_n": [100], "treated_events": [50],
...                   "comparison_events_per_100": [80.0]})
>>> [ln["outcome"] for ln in peterborough_lines(t, None, preset("peterborough_sib"))]
['threshold_met']
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from pbr.contracts import Contract
from pbr.errors import PbrError
from pbr.payments._table import _cohort_keys, _num, _require
from pbr.payments.lines import _ZERO, _dec, _money_line

__all__ = ["peterborough_lines"]


def peterborough_lines(
    t: pd.DataFrame, annual_table: Any, contract: Contract
) -> list[dict[str, Any]]:
    """Cohort and pooled lines of a Peterborough table (``annual_table`` is not used).

    Examples
    --------
    >>> import pandas as pd
    >>> from pbr.contracts import preset
    >>> t = pd.DataFrame({"cohort": ["1", "2"], "treated_n": [100, 100],
    ...                   "treated_events": [50, 75], "comparison_events_per_100": [80.0, 80.0]})
    >>> [ln["component"] for ln in peterborough_lines(t, None, preset("peterborough_sib"))]
    ['cohort_outcome', 'cohort_outcome', 'pooled_outcome']
    """
    comp = contract.comparison
    assert comp is not None
    what = "Peterborough table"
    cohorts, lots, statuses = _cohort_keys(t, ("treated_n",), what, "PETERBOROUGH")
    n = _num(t, "treated_n", what)
    # Events avoided = comparison events expected for the treated − treated events, computed
    # in Decimal from the printed inputs with one division at the end of each term.
    treated: list[Decimal]
    expected: list[Decimal]
    if "treated_events" in t.columns:
        ev = _num(t, "treated_events", what)
        t100 = 100 * ev / n
        treated = [_dec(x) for x in ev]
    else:
        _require(t, ("treated_events_per_100",), what)
        t100 = _num(t, "treated_events_per_100", what)
        treated = [_dec(x) * _dec(m) / 100 for x, m in zip(t100, n, strict=True)]
    if "comparison_events_per_100" in t.columns:
        c100 = _num(t, "comparison_events_per_100", what)
        expected = [_dec(x) * _dec(m) / 100 for x, m in zip(c100, n, strict=True)]
    else:
        _require(t, ("comparison_n", "comparison_events"), what)
        ce, cn = _num(t, "comparison_events", what), _num(t, "comparison_n", what)
        c100 = 100 * ce / cn
        if np.any(~(cn > 0)):
            i = int(np.flatnonzero(~(cn > 0))[0])
            raise PbrError(f"{what}: row {i + 1}: comparison_n must be > 0")
        expected = [_dec(e) * _dec(m) / _dec(c) for e, m, c in zip(ce, n, cn, strict=True)]
    if np.any(~(n > 0)) or np.any(~(c100 > 0)):
        i = int(np.flatnonzero(~(n > 0) | ~(c100 > 0))[0])
        raise PbrError(f"{what}: row {i + 1}: treated_n and the comparison rate must be > 0")
    if np.any(~(t100 >= 0)):
        i = int(np.flatnonzero(~(t100 >= 0))[0])
        raise PbrError(
            f"{what}: row {i + 1}: the treated events must be >= 0, got {t100[i]:g} per 100"
        )
    if len(set(lots)) > 1:
        raise PbrError(
            f"{what}: one lot per table (its cohorts are pooled), got lots "
            f"{', '.join(sorted(set(lots)))}"
        )
    rr = 1 - t100 / c100
    avoided = [x - y for x, y in zip(expected, treated, strict=True)]
    out = []
    paid_units = _ZERO
    for i in range(len(t)):
        ok = round(float(rr[i]), 10) >= comp.cohort_threshold
        units = avoided[i] if ok else _ZERO
        paid_units += units
        note = (
            f"relative reduction {rr[i]:.1%} "
            f"{'>=' if ok else '<'} cohort threshold {comp.cohort_threshold:.1%}"
        )
        out.append(
            _money_line(
                contract,
                comp.price_per_event_avoided,
                units,
                lot=lots[i],
                period=f"cohort {cohorts[i]}",
                component="cohort_outcome",
                status=statuses[i],
                cohort_size=n[i],
                baseline=c100[i],
                observed=t100[i],
                change=rr[i],
                outcome="threshold_met" if ok else "threshold_not_met",
                note=note,
            )
        )
    # pooled assessment: once at least two cohorts are present
    if len(t) >= 2:
        total_n = n.sum()
        pt = float((t100 * n).sum() / total_n)
        pc = float((c100 * n).sum() / total_n)
        prr = 1 - pt / pc
        ok = round(prr, 10) >= comp.pooled_threshold
        pooled_avoided = sum(avoided, _ZERO)  # = (pc − pt) / 100 × Σ n
        units = max(_ZERO, pooled_avoided - paid_units) if ok else _ZERO
        note = (
            f"pooled relative reduction {prr:.1%} {'>=' if ok else '<'} pooled threshold "
            f"{comp.pooled_threshold:.1%}; units = pooled events avoided "
            f"({pooled_avoided:.2f}) less units already paid by cohorts ({paid_units:.2f})"
        )
        out.append(
            _money_line(
                contract,
                comp.price_per_event_avoided,
                units,
                lot=lots[0],
                period="pooled",
                component="pooled_outcome",
                status="interim" if "interim" in statuses else "final",
                cohort_size=total_n,
                baseline=pc,
                observed=pt,
                change=prr,
                outcome="threshold_met" if ok else "threshold_not_met",
                note=note,
            )
        )
    return out
