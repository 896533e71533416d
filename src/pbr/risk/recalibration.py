"""Logistic recalibration of OGRS3 on a baseline cohort (docs/methodology.md#ogrs3).

OGRS3 was fitted on mid-2000s data for a **2-year** proven-reoffending
outcome; the PbR measure is a 12-month offence window with 6 months' wait.
Before OGRS3 is used to predict under baseline performance it is recalibrated
on the baseline cohort's observed outcomes (``reoffender``)::

    logit(p_i) = α[lot × quarter-of-year of i] + b · logit(OGRS3 p_1yr,i)

* ``b`` (the calibration slope) and the intercepts are maximum-likelihood
  estimates of a Binomial GLM with logit link (Newton/IRLS, identical to
  statsmodels ``GLM(y, X, family=Binomial())``); standard errors from the
  inverse information.
* Classical logistic recalibration (Cox 1958) has one intercept ``a``. pbr
  fits **one intercept per lot × quarter-of-year of the baseline year**
  instead: the MLE score equations then give ``Σ p_i = O`` exactly within
  every lot × quarter cell of the baseline, so a cohort adjusted against a
  baseline built from itself shows ``E = O`` — quarterly *and*, because each
  member of an annual cohort is scored with the level of its own quarter of
  year, annually.
* Because ``logit(p_1yr) = 1.402562384 + x`` and ``logit(p_2yr) = 2.121705678 + x``
  differ by a constant, recalibrating ``p_1yr`` or ``p_2yr`` gives the same
  slope and predictions (only the intercepts move); pbr uses ``p_1yr``.
* A performance cohort member is scored with the intercept of its lot and
  the **same quarter of year** (2016Q1 → the lot's 2011Q1 intercept).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from pbr.risk.recalibration import recalibrate_ogrs3
>>> rng = np.random.default_rng(2); n = 600
>>> m = pd.DataFrame({"lot": "CPA01", "index_date": pd.Timestamp("2011-05-01"),
...     "sex": "M", "date_of_birth": pd.Timestamp("1985-01-01"), "offence_group": "violence",
...     "sanctions": rng.integers(1, 30, n), "first_sanction_date": pd.Timestamp("2001-01-01"),
...     "reoffender": rng.random(n) < 0.35})
>>> model = recalibrate_ogrs3(m)
>>> model.terms
('logit_ogrs3_p1',)
>>> bool(abs(model.predict(m).sum() - m["reoffender"].sum()) < 1e-6)
True
"""

from __future__ import annotations

import pandas as pd

from pbr.risk._design import _ogrs3_design
from pbr.risk.model import RiskModel, _build, _outcome

__all__ = ["recalibrate_ogrs3"]


def recalibrate_ogrs3(members: pd.DataFrame) -> RiskModel:
    """Recalibrate OGRS3 on baseline members: per-level intercepts + one slope.

    Parameters
    ----------
    members : pandas.DataFrame
        Baseline cohort members with ``reoffender`` (bool or 0/1) and the
        OGRS3 inputs ``sex, date_of_birth, index_date, offence_group,
        sanctions, first_sanction_date`` and ``lot``.

    Returns
    -------
    RiskModel
        ``kind = "ogrs3_recalibrated"``, term ``logit_ogrs3_p1`` (the slope)
        and one ``level[LOT:Qq]`` intercept per lot × quarter of year.

    Raises
    ------
    ModelError
        A row cannot be scored by OGRS3 (named), or the fit fails.

    Examples
    --------
    >>> from pbr.risk.model import _example_members
    >>> model = recalibrate_ogrs3(_example_members())
    >>> model.coefficients["term"].tolist()[:2]
    ['logit_ogrs3_p1', 'level[CPA01:Q1]']
    """
    y = _outcome(members, "reoffender")
    x = _ogrs3_design(members)
    return _build("ogrs3_recalibrated", "binomial", members, y, x, ["logit_ogrs3_p1"], {})
