"""Covariate balance before and after matching (methodology, "Comparisons …", §1 *Balance*).

One row per balance column: every numeric covariate, **every** level of every
text covariate (the reference level included), the distance measure
(``distance``, first), and optionally squares and pairwise interactions and
extra columns — the rows of MatchIt's ``summary()``.

Statistics (MatchIt's ``summary.matchit`` conventions)
    ``mean_treated_*``, ``mean_comparison_*``
        Means; after matching, weighted by the matching weights.
    ``smd_*_pct``
        Standardised mean difference in percent,
        ``100 (x̄_T − x̄_C) / s``, where the standardisation ``s`` is always
        computed **before** matching (so a change is a change in means only;
        Stuart 2010) by ``s_d_denom``:

        * ``"treated"`` — SD of the treated (MatchIt's default for the ATT);
        * ``"control"`` — SD of the comparison group (MatchIt's ATC default);
        * ``"pooled"`` — ``sqrt((s_T² + s_C²)/2)`` (MatchIt's ATE; Austin 2011).

        The variance of a 0/1 column is ``p(1 − p)``; of any other column the
        unbiased sample variance. A standardisation below ``sqrt(ε)`` falls back
        to the pooled one, and a mean difference below 1e-8 gives SMD 0 (as
        MatchIt).
    ``var_ratio_*``
        ``s_T² / s_C²`` (weighted: ``Σw(x − x̄)² / (Σw − Σw²/Σw)``, R's
        ``cov.wt``); not defined (NaN) for 0/1 columns.
    ``ecdf_mean_*``, ``ecdf_max_*``
        Mean and maximum over the distinct values ``v`` of
        ``|F_T(v) − F_C(v)|``, the (weighted) empirical distribution functions
        of the two groups; ``ecdf_max`` is the Kolmogorov–Smirnov statistic.
        For 0/1 columns both equal the absolute difference in proportions.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"x": [1.0, 2, 3, 4, 2, 3], "t": [1, 1, 1, 0, 0, 0]})
>>> b = balance_table(df, treatment="t", covariates=["x"])
>>> round(float(b.loc[0, "smd_before_pct"]), 2)  # (2 − 3) / sd_T = −1 / 1
-100.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr._types import BoolArray, FloatArray
from pbr.errors import PbrError
from pbr.matching.design import balance_columns, check_columns, treatment_vector

__all__ = ["SD_DENOMINATORS", "balance_frame", "balance_table", "with_interactions"]


#: Accepted SMD standardisations.
SD_DENOMINATORS = ("treated", "control", "pooled")
_EPS = float(np.sqrt(np.finfo(float).eps))


def _wmean(x: FloatArray, w: FloatArray) -> float:
    sw = float(w.sum())
    return float((w * x).sum() / sw) if sw > 0 else np.nan


def _wvar(x: FloatArray, w: FloatArray, binary: bool) -> float:
    sw = float(w.sum())
    if sw <= 0:
        return np.nan
    m = float((w * x).sum() / sw)
    if binary:
        return m * (1 - m)
    sw2 = float((w * w).sum())
    denom = sw - sw2 / sw
    return float((w * (x - m) ** 2).sum() / denom) if denom > 0 else np.nan


def _ecdf(
    x: FloatArray, t: BoolArray, w: FloatArray, binary: bool, order: npt.NDArray[np.intp] | None
) -> tuple[float, float]:
    if binary or order is None:
        d = abs(_wmean(x[t], w[t]) - _wmean(x[~t], w[~t]))
        return d, d
    wt, wc = float(w[t].sum()), float(w[~t].sum())
    if wt <= 0 or wc <= 0:
        return np.nan, np.nan
    signed = np.where(t, w / wt, -w / wc)
    xs = x[order]
    cum = np.abs(np.cumsum(signed[order]))
    last = np.r_[xs[1:] != xs[:-1], True]
    v = cum[last]
    return float(v.mean()), float(v.max())


def _row(
    name: str,
    x: FloatArray,
    t: BoolArray,
    w: FloatArray | None,
    s_d_denom: str,
) -> dict[str, object]:
    binary = bool(((x == 0.0) | (x == 1.0)).all())
    order = None if binary else np.argsort(x, kind="stable")  # one sort for before and after
    ones = np.ones(len(x))
    vt0, vc0 = _wvar(x[t], ones[t], binary), _wvar(x[~t], ones[~t], binary)
    pooled = float(np.sqrt((vt0 + vc0) / 2))
    s = {"treated": float(np.sqrt(vt0)), "control": float(np.sqrt(vc0)), "pooled": pooled}[
        s_d_denom
    ]
    if not np.isfinite(s) or s < _EPS:
        s = pooled
    row: dict[str, object] = {"covariate": name, "type": "binary" if binary else "continuous"}
    for when, wts in (("before", ones), ("after", w)):
        if wts is None:
            continue
        mt, mc = _wmean(x[t], wts[t]), _wmean(x[~t], wts[~t])
        diff = mt - mc
        if abs(diff) <= 1e-8:
            smd = 0.0
        elif np.isfinite(s) and s >= _EPS:
            smd = 100 * diff / s
        else:
            smd = np.nan
        vt, vc = _wvar(x[t], wts[t], binary), _wvar(x[~t], wts[~t], binary)
        e_mean, e_max = _ecdf(x, t, wts, binary, order)
        row[f"mean_treated_{when}"] = mt
        row[f"mean_comparison_{when}"] = mc
        row[f"smd_{when}_pct"] = smd
        row[f"var_ratio_{when}"] = vt / vc if not binary and vc > 0 else np.nan
        row[f"ecdf_mean_{when}"] = e_mean
        row[f"ecdf_max_{when}"] = e_max
    return row


def with_interactions(cols: pd.DataFrame) -> pd.DataFrame:
    """Add squares (``"x²"``) and pairwise products (``"x * y"``) of balance columns.

    Products that are zero for everyone (two levels of one text covariate) or
    equal to a column (the square of a 0/1 column) are left out, as MatchIt's
    ``summary(interactions = TRUE)`` does.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"age": [20.0, 30.0], "g=a": [1.0, 0.0], "g=b": [0.0, 1.0]})
    >>> list(with_interactions(c).columns)
    ['age', 'g=a', 'g=b', 'age²', 'age * g=a', 'age * g=b']
    """
    names = list(cols.columns)
    a = cols.to_numpy(dtype=float)
    extra: dict[str, FloatArray] = {}
    for i, ni in enumerate(names):
        for j in range(i, len(names)):
            p = a[:, i] * a[:, j]
            if np.all(np.abs(p) < _EPS) or np.all(np.abs(p - a[:, i]) < _EPS):
                continue
            extra[f"{ni}²" if i == j else f"{ni} * {names[j]}"] = p
    return pd.concat([cols, pd.DataFrame(extra, index=cols.index)], axis=1)


def balance_frame(
    cols: pd.DataFrame,
    t: BoolArray,
    weights: FloatArray | None = None,
    *,
    s_d_denom: str = "treated",
) -> pd.DataFrame:
    """Balance statistics of numeric columns ``cols`` (module notes).

    Parameters
    ----------
    cols : pandas.DataFrame
        Numeric balance columns, one row per person; a column's missing (NaN)
        values are left out of its statistics.
    t : numpy.ndarray
        Treatment (bool).
    weights : numpy.ndarray, optional
        Matching weights (0 = not in the matched sample): adds the ``*_after``
        columns.
    s_d_denom : {"treated", "control", "pooled"}
        SMD standardisation.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> b = balance_frame(pd.DataFrame({"b": [1.0, 0, 1, 0]}), np.array([1, 1, 0, 0], bool),
    ...                   np.array([1.0, 1, 1, 0]))
    >>> b[["ecdf_max_before", "ecdf_max_after"]].to_numpy().tolist()
    [[0.0, 0.5]]
    """
    if s_d_denom not in SD_DENOMINATORS:
        raise PbrError(f"s_d_denom must be one of {SD_DENOMINATORS}, got {s_d_denom!r}")
    if t.all() or not t.any():
        raise PbrError("balance needs people in both groups")
    rows = []
    for c in cols.columns:
        x = cols[c].to_numpy(dtype=float)
        fin = np.isfinite(x)
        if fin.all():
            rows.append(_row(str(c), x, t, weights, s_d_denom))
        else:  # e.g. the distance of people left out by separation="drop": not defined
            w = None if weights is None else weights[fin]
            rows.append(_row(str(c), x[fin], t[fin], w, s_d_denom))
    return pd.DataFrame(rows)


def balance_table(
    data: pd.DataFrame,
    *,
    treatment: str,
    covariates: Sequence[str],
    weights: str | None = None,
    s_d_denom: str = "treated",
    interactions: bool = False,
    extra: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Balance table of any person-level data (no matching needed).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person.
    treatment : str
        Boolean or 0/1 column.
    covariates : sequence of str
        Columns to balance (every level of a text column).
    weights : str, optional
        Column of matching weights: adds the ``*_after`` columns.
    s_d_denom : {"treated", "control", "pooled"}
        SMD standardisation (module notes).
    interactions : bool
        Add squares and pairwise interactions (:func:`with_interactions`).
    extra : pandas.DataFrame, optional
        More numeric columns (same index as ``data``), e.g. ``age ** 2`` or
        ``re74 == 0`` — MatchIt's ``addlvariables``.

    Returns
    -------
    pandas.DataFrame
        ``covariate, type`` and the statistics of the module notes.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"g": ["a", "b", "a", "b"], "t": [1, 1, 0, 0]})
    >>> balance_table(df, treatment="t", covariates=["g"])["covariate"].tolist()
    ['g=a', 'g=b']
    """
    t = treatment_vector(data, treatment)
    check_columns(data, list(covariates))
    cols = balance_columns(data, covariates)
    if interactions:
        cols = with_interactions(cols)
    if extra is not None:
        cols = pd.concat([cols, extra.astype(float).set_axis(data.index)], axis=1)
    w = None
    if weights is not None:
        check_columns(data, [weights])
        w = data[weights].to_numpy(dtype=float)
    return balance_frame(cols, t, w, s_d_denom=s_d_denom)
