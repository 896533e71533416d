"""Distance measures, the portable tie-breaking grid, and caliper widths.

Distance (MatchIt's ``distance``)
    ``"logit"`` (default)
        The linear predictor ``Xβ`` of the propensity model (MatchIt:
        ``distance = "glm", link = "linear.logit"``).
    ``"ps"``
        The propensity score ``1 / (1 + e^{−Xβ})`` (MatchIt's default
        ``distance = "glm"``).
    ``"mahalanobis"``
        Mahalanobis distance on the model's design columns, with the
        covariance matrix pooled within the two groups (MatchIt's
        ``distance = "mahalanobis"``); no propensity model is fitted.
    any other string
        A numeric column of the data, used as a one-dimensional score (a
        risk score fitted elsewhere, say).

Portable tie-breaking grid
    A one-dimensional score is rounded to a grid before any comparison:
    ``s ↦ round(s / g)`` with ``g = 1e-10`` (``g = 10^(⌈log10 max|s|⌉ − 15)``
    when ``max|s| > 10⁵``, so the scaled values stay exact integers in a
    float64). Distances are then differences of integers, exact on every
    platform: two people whose scores differ by less than the grid (an
    identical covariate row whose logit differs in the last bit, or two fits
    that differ by 3e-14) tie exactly, and the seeded rank breaks the tie.
    Scores straddling a grid point can still round apart; with ``g = 1e-10``
    that needs a difference below 1e-10 at a multiple of ``g/2``, a chance
    of about ``δ/g`` for a difference δ.
Caliper (MatchIt's ``caliper``, ``std_caliper``)
    ``std_caliper=True``: ``caliper`` is in standard deviations of the
    distance measure. ``caliper_sd="pooled"`` (default, Austin 2011) uses
    ``sqrt((s_T² + s_C²)/2)``; ``caliper_sd="sample"`` uses the SD over
    everyone, MatchIt's convention (``sd(distance)``). ``std_caliper=False``:
    ``caliper`` is in the units of the distance. Per-covariate calipers
    (``covariate_calipers``) follow the same two rules on each covariate.

Examples
--------
>>> import numpy as np
>>> g = tie_grid(np.array([0.5, -3.0]))
>>> g
1e-10
>>> on_grid(np.array([1.0 + 3e-14, 1.0]), g).tolist()
[10000000000.0, 10000000000.0]
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pbr._types import BoolArray, FloatArray
from pbr.errors import PbrError

__all__ = [
    "CALIPER_SD",
    "DISTANCES",
    "caliper_width",
    "mahalanobis_transform",
    "on_grid",
    "score_from_fit",
    "tie_grid",
]


#: Built-in distance measures (any other string names a data column).
DISTANCES = ("logit", "ps", "mahalanobis")
#: Conventions for the SD of a standardised caliper.
CALIPER_SD = ("pooled", "sample")
#: Default grid of the tie-breaking rounding.
GRID = 1e-10


def tie_grid(score: FloatArray) -> float:
    """The rounding grid of a score (module notes).

    Examples
    --------
    >>> import numpy as np
    >>> tie_grid(np.array([2.5e7]))
    1e-07
    """
    m = float(np.abs(score).max(initial=0.0))
    if m <= 1e5:
        return GRID
    return float(10.0 ** (math.ceil(math.log10(m)) - 15))


def on_grid(score: FloatArray, grid: float) -> FloatArray:
    """The score in grid units, as exact integers stored in float64.

    Examples
    --------
    >>> import numpy as np
    >>> on_grid(np.array([0.25]), 0.1).tolist()
    [2.0]
    """
    out: FloatArray = np.rint(score / grid)
    return out


def score_from_fit(distance: str, linear_predictor: FloatArray) -> FloatArray:
    """The one-dimensional score of ``"logit"`` or ``"ps"`` from ``Xβ``.

    Examples
    --------
    >>> import numpy as np
    >>> score_from_fit("ps", np.array([0.0])).tolist()
    [0.5]
    """
    if distance == "logit":
        return linear_predictor
    out: FloatArray = 1.0 / (1.0 + np.exp(-linear_predictor))
    return out


def user_score(data: pd.DataFrame, column: str) -> FloatArray:
    """A user-supplied distance column as floats (must be numeric, finite).

    Examples
    --------
    >>> import pandas as pd
    >>> user_score(pd.DataFrame({"r": [0.2, 0.4]}), "r").tolist()
    [0.2, 0.4]
    """
    if column not in data.columns:
        raise PbrError(
            f"distance must be one of {DISTANCES} or a numeric column of the data; "
            f"{column!r} is neither"
        )
    s = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(s)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise PbrError(
            f"distance column {column!r} must be numeric and finite; row {row} has "
            f"{data[column].iloc[row]!r}"
        )
    return s


def _sd(v: FloatArray, t: BoolArray, convention: str) -> float:
    if convention == "sample":
        return float(np.std(v, ddof=1))
    return float(np.sqrt((np.var(v[t], ddof=1) + np.var(v[~t], ddof=1)) / 2))


def caliper_width(
    values: FloatArray, t: BoolArray, caliper: float | None, *, std: bool, convention: str
) -> float:
    """Caliper in the units of ``values`` (inf for none).

    Examples
    --------
    >>> import numpy as np
    >>> v, t = np.array([0.0, 2.0, 1.0, 3.0]), np.array([True, True, False, False])
    >>> caliper_width(v, t, 0.5, std=True, convention="pooled")  # pooled SD = sqrt(2)
    0.7071067811865476
    >>> caliper_width(v, t, 0.5, std=False, convention="pooled")
    0.5
    """
    if caliper is None:
        return math.inf
    if not std:
        return float(caliper)
    if convention not in CALIPER_SD:
        raise PbrError(f"caliper_sd must be one of {CALIPER_SD}, got {convention!r}")
    if t.sum() < 2 or (~t).sum() < 2:
        raise PbrError(
            "a standardised caliper needs at least two treated and two comparison people to "
            f"estimate an SD (got {int(t.sum())} and {int((~t).sum())}); pass caliper=None "
            "or std_caliper=False"
        )
    return float(caliper) * _sd(values, t, convention)


def mahalanobis_transform(x: FloatArray, t: BoolArray) -> FloatArray:
    """Coordinates in which Euclidean distance is the Mahalanobis distance.

    The covariance is pooled within groups,
    ``S = ((n_T − 1) S_T + (n_C − 1) S_C) / (n − 2)``; with ``S = L Lᵀ``
    (Cholesky) the coordinates are ``L⁻¹ x``. Constant columns are left out.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[0.0], [2.0], [1.0], [3.0]])
    >>> z = mahalanobis_transform(x, np.array([True, True, False, False]))
    >>> round(float(z[1, 0] - z[0, 0]), 6)  # 2 / sqrt(2)
    1.414214
    """
    keep = x.max(axis=0) > x.min(axis=0)
    x = x[:, keep]
    if x.shape[1] == 0:
        raise PbrError("Mahalanobis matching needs at least one non-constant covariate")
    n_t, n_c = int(t.sum()), int((~t).sum())
    if n_t < 2 or n_c < 2:
        raise PbrError("Mahalanobis matching needs at least two people in each group")
    st = np.atleast_2d(np.cov(x[t], rowvar=False))
    sc = np.atleast_2d(np.cov(x[~t], rowvar=False))
    s = ((n_t - 1) * st + (n_c - 1) * sc) / (n_t + n_c - 2)
    try:
        chol = np.linalg.cholesky(s)
    except np.linalg.LinAlgError:
        raise PbrError(
            "the covariates are collinear (singular covariance); Mahalanobis distance "
            "is not defined — drop a redundant covariate"
        ) from None
    out: FloatArray = np.linalg.solve(chol, x.T).T
    return out
