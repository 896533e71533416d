"""Baselines (docs/methodology.md#baselines) and adjustment of performance cohorts against them.

A :class:`Baseline` is the performance of a historical cohort (default:
calendar year 2011) per lot × quarter of year (``2011Q1`` … ``2011Q4``) and
per lot for the whole year, plus a risk model that gives, for any offender,
the probability of proven reoffending expected under baseline performance.

Per lot × quarter of year and per lot × year (members with an index date in
the baseline year; ``N`` measurable cohort, ``O`` reoffenders, ``R``
reoffences)::

    baseline_binary       = O / N
    baseline_frequency    = R / O                 (reoffences per reoffender)
    baseline_frequency_sd = sample SD (ddof = 1) of the reoffence counts of the O reoffenders

Risk models (``risk=``): ``"ogrs3"`` — OGRS3 recalibrated on the baseline
(:func:`pbr.risk.recalibration.recalibrate_ogrs3`); ``"model"`` — a logistic
GLM fitted on the baseline (:func:`pbr.risk.model.fit_risk_model`); ``None`` —
no model (unadjusted comparison). Both models have one intercept per lot ×
quarter of year, so a cohort compared with a baseline built from itself
gives ``E = O`` exactly.

Adjustment (:func:`assess_members`, :func:`compare_to_baseline`): each
performance cohort member gets ``p_i`` from the baseline's model, scored with
the intercept of its lot and **its own quarter of year** (2016Q1 → 2011Q1).
Per lot × period, ``E = Σ p_i`` and ``V = Σ p_i (1 − p_i)`` go to
:func:`pbr.adjustment.binary_test`. The reported ``baseline_binary`` is the
lot × matching quarter-of-year rate for quarterly cohorts and the lot's
annual rate for annual cohorts (financial or calendar year). Without a model
(``risk=False`` or a baseline built with ``risk=None``), ``p_i`` is that
reported baseline rate for everyone (unadjusted). The frequency measure is
compared unadjusted with the matching baseline frequency by Welch's t-test
(:func:`pbr.adjustment.frequency_test`).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from pbr.baseline import Baseline, assess_members
>>> m = pd.DataFrame({"lot": ["CPA01"] * 4, "index_date": pd.to_datetime(["2011-01-05"] * 4),
...                   "reoffender": [True, False, True, False], "reoffences": [2, 0, 1, 0]})
>>> b = Baseline.from_members(m, risk=None)
>>> b.rates[["period", "cohort_size", "reoffenders", "baseline_binary"]].to_numpy().tolist()
[['2011', 4, 2, 0.5], ['2011Q1', 4, 2, 0.5]]
>>> a = assess_members(m.assign(period="2011Q1"), b)
>>> a.table[["lot", "period", "expected_reoffenders", "change_pp", "outcome"]].to_numpy().tolist()
[['CPA01', '2011Q1', 2.0, 0.0, 'no_significant_change']]
"""

from pbr.baseline._assess import Assessment, assess_members, compare_to_baseline
from pbr.baseline._baseline import Baseline, build_baseline, load_baseline
from pbr.baseline._common import ASSESSMENT_COLUMNS, RATE_COLUMNS
from pbr.baseline._storage import FORMAT_VERSION

__all__ = [
    "ASSESSMENT_COLUMNS",
    "FORMAT_VERSION",
    "RATE_COLUMNS",
    "Assessment",
    "Baseline",
    "assess_members",
    "build_baseline",
    "compare_to_baseline",
    "load_baseline",
]
