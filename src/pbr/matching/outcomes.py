"""Outcome differences after matching, with the standard errors MatchIt recommends.

The estimate is the weighted difference in means, treated − comparison, i.e.
the treatment coefficient of the weighted least-squares regression
``y ~ 1 + treated`` with the matching weights (methodology, "Comparisons …",
§1 *Outcomes*). Standard errors (``se``):

``"cluster"``
    Cluster-robust by matched set (``subclass``): the sandwich
    ``(XᵀWX)⁻¹ (Σ_g u_g u_gᵀ) (XᵀWX)⁻¹``, ``u_g = Σ_{i∈g} wᵢ eᵢ xᵢ``, with the
    small-sample factor ``G/(G − 1) · (n − 1)/(n − 2)`` (R's
    ``sandwich::vcovCL``, HC1). MatchIt's recommendation for matching without
    replacement (``vcov = ~subclass``).
``"robust"``
    Heteroskedasticity-robust HC3 with the weights,
    ``Σ wᵢ² eᵢ² xᵢxᵢᵀ / (1 − hᵢᵢ)²`` (``hᵢᵢ = wᵢ xᵢᵀ(XᵀWX)⁻¹xᵢ``): MatchIt's
    recommendation for matching with replacement (``vcov = "HC3"``, after Hill
    and Reiter 2006).
``"welch"``
    Welch's t with the comparison group's effective size
    ``n_eff = (Σw)²/Σw²``: ``se² = s_T²/n_T + s_C,w²/n_eff``, Welch–Satterthwaite
    degrees of freedom; exactly ``scipy.stats.ttest_ind(equal_var=False)`` when
    all weights are 1. It ignores the pairing.
``"auto"`` (default)
    ``"robust"`` with replacement, ``"cluster"`` without.

Robust and cluster intervals are normal (``z``) intervals, as MatchIt's
``marginaleffects::avg_comparisons`` reports them; Welch intervals use ``t``.

Examples
--------
>>> import numpy as np
>>> y = np.array([1.0, 0, 1, 1, 0, 0])
>>> z = np.array([1, 1, 1, 0, 0, 0], bool)
>>> r = difference(y, z, np.ones(6), se="welch")
>>> round(r["difference"], 4)
0.3333
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats

from pbr._types import BoolArray, FloatArray
from pbr.errors import PbrError

__all__ = ["SE_METHODS", "difference", "effective_n", "weighted_mean_var"]


#: Accepted standard-error methods.
SE_METHODS = ("auto", "cluster", "robust", "welch")


def weighted_mean_var(x: FloatArray, w: FloatArray) -> tuple[float, float, float]:
    """Weighted mean, reliability-weight variance ``Σw(x − m)²/(Σw − Σw²/Σw)`` and ``n_eff``.

    Examples
    --------
    >>> import numpy as np
    >>> weighted_mean_var(np.array([1.0, 3.0]), np.ones(2))
    (2.0, 2.0, 2.0)
    """
    sw = float(w.sum())
    if sw <= 0 or x.size == 0:
        return np.nan, np.nan, 0.0
    m = float((w * x).sum() / sw)
    sw2 = float((w * w).sum())
    n_eff = sw * sw / sw2
    denom = sw - sw2 / sw
    v = float((w * (x - m) ** 2).sum() / denom) if denom > 0 else np.nan
    return m, v, n_eff


def effective_n(w: FloatArray) -> float:
    """Kish effective sample size ``(Σw)²/Σw²``.

    Examples
    --------
    >>> import numpy as np
    >>> effective_n(np.array([1.0, 1.0, 2.0]))
    2.6666666666666665
    """
    return weighted_mean_var(np.zeros(len(w)), w)[2]


def _welch(yt: FloatArray, yc: FloatArray, wc: FloatArray) -> tuple[float, float]:
    _, vt, nt = weighted_mean_var(yt, np.ones_like(yt))
    _, vc, nc = weighted_mean_var(yc, wc)
    a = vt / nt if nt > 0 else np.nan
    c = vc / nc if nc > 0 else np.nan
    se = float(np.sqrt(a + c))
    with np.errstate(divide="ignore", invalid="ignore"):
        a64, c64 = np.float64(a), np.float64(c)
        df = float((a64 + c64) ** 2 / (a64**2 / (nt - 1.0) + c64**2 / (nc - 1.0)))
    return se, df


def _sandwich(
    y: FloatArray, z: BoolArray, w: FloatArray, kind: str, cluster: npt.NDArray[np.int64] | None
) -> float:
    x = np.column_stack([np.ones(len(y)), z.astype(float)])
    xtwx = (x * w[:, None]).T @ x
    try:
        bread = np.linalg.inv(xtwx)
    except np.linalg.LinAlgError:
        return np.nan
    beta = bread @ ((x * w[:, None]).T @ y)
    e = y - x @ beta
    score = x * (w * e)[:, None]
    n = len(y)
    if kind == "cluster":
        if cluster is None:
            raise PbrError("cluster-robust standard errors need the matched sets (subclass)")
        codes, inv = np.unique(cluster, return_inverse=True)
        g = len(codes)
        if g < 2:
            return np.nan
        u = np.zeros((g, 2))
        np.add.at(u, inv, score)
        meat = u.T @ u * (g / (g - 1)) * ((n - 1) / (n - 2))
    else:
        h = w * np.einsum("ij,jk,ik->i", x, bread, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = score / (1 - h)[:, None]
        if not np.isfinite(s).all():
            return np.nan
        meat = s.T @ s
    v = bread @ meat @ bread
    return float(np.sqrt(v[1, 1])) if v[1, 1] >= 0 else np.nan


def difference(
    y: FloatArray,
    z: BoolArray,
    w: FloatArray,
    *,
    se: str,
    cluster: npt.NDArray[np.int64] | None = None,
    alpha: float = 0.05,
) -> dict[str, float | str]:
    """Weighted difference in means with its standard error and interval.

    Parameters
    ----------
    y : numpy.ndarray
        Outcome per person in the matched sample.
    z : numpy.ndarray
        Treated (bool).
    w : numpy.ndarray
        Matching weights (> 0).
    se : {"cluster", "robust", "welch"}
        Standard-error method (module notes; resolve ``"auto"`` first).
    cluster : numpy.ndarray, optional
        Matched-set id per person (``se="cluster"``).
    alpha : float
        1 − confidence level.

    Returns
    -------
    dict
        ``treated_n, treated_mean, comparison_n, comparison_n_eff,
        comparison_mean, difference, se, df, ci_low, ci_high, p_value,
        se_method`` (``df`` is inf for normal intervals).

    Examples
    --------
    >>> import numpy as np
    >>> r = difference(np.array([2.0, 4, 1, 3]), np.array([1, 1, 0, 0], bool), np.ones(4),
    ...                se="cluster", cluster=np.array([1, 2, 1, 2]))
    >>> r["difference"], round(r["se"], 6)
    (1.0, 0.0)
    """
    if se not in SE_METHODS or se == "auto":
        raise PbrError(f"se must be one of {SE_METHODS[1:]}, got {se!r}")
    yt, yc, wc = y[z], y[~z], w[~z]
    mt, _, _ = weighted_mean_var(yt, w[z])
    mc, _, nc = weighted_mean_var(yc, wc)
    diff = mt - mc
    if se == "welch":
        s, df = _welch(yt, yc, wc)
    else:
        s, df = _sandwich(y, z, w, se, cluster), np.inf
    if not np.isfinite(s) or s == 0 or np.isnan(df):
        lo = hi = p = np.nan
    else:
        dist = stats.norm if not np.isfinite(df) else stats.t(df)
        q = float(dist.ppf(1 - alpha / 2))
        lo, hi = diff - q * s, diff + q * s
        p = float(2 * dist.sf(abs(diff) / s))
    return {
        "treated_n": float(yt.size),
        "treated_mean": mt,
        "comparison_n": float(yc.size),
        "comparison_n_eff": nc,
        "comparison_mean": mc,
        "difference": diff,
        "se": s,
        "df": df,
        "ci_low": lo,
        "ci_high": hi,
        "p_value": p,
        "se_method": se,
    }
