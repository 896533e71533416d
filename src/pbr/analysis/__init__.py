"""Research and planning tools built on the payment engine.

* Matched comparisons (MatchIt's options): :func:`match` (:class:`MatchResult`),
  :func:`balance_table`, :func:`love_plot`, :func:`person_table` —
  docs/methodology.md#comparisons.
* Payment risk: :func:`simulate_payments`, :func:`minimum_detectable_reduction`
  (:class:`PaymentSimulation`) — docs/methodology.md#comparisons.
* Decomposition of a change: :func:`decompose_change`, :func:`decompose_strata`
  (:class:`Decomposition`).
* Contract what-if: :func:`what_if` (:class:`WhatIf`).
* Forecasts of interim cohorts: :func:`forecast` (:class:`Forecast`),
  :func:`backtest` (:class:`Backtest`) — docs/methodology.md#forecast.

Examples
--------
>>> import pandas as pd
>>> from pbr.analysis import minimum_detectable_reduction
>>> t = pd.DataFrame({"lot": ["A"], "cohort_size": [1000], "baseline_rate": [0.5]})
>>> bool(minimum_detectable_reduction(t).iloc[0, -1] > 0)
True
"""

from __future__ import annotations

from pbr.decompose import Decomposition, decompose_change, decompose_strata
from pbr.forecast import Backtest, Forecast, backtest, forecast
from pbr.matching import MatchResult, balance_table, love_plot, match, person_table
from pbr.simulate import PaymentSimulation, minimum_detectable_reduction, simulate_payments
from pbr.whatif import WhatIf, what_if

__all__ = [
    "Backtest",
    "Decomposition",
    "Forecast",
    "MatchResult",
    "PaymentSimulation",
    "WhatIf",
    "backtest",
    "balance_table",
    "decompose_change",
    "decompose_strata",
    "forecast",
    "love_plot",
    "match",
    "minimum_detectable_reduction",
    "person_table",
    "simulate_payments",
    "what_if",
]
