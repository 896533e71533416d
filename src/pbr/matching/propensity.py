"""Propensity model: a logistic regression that knows about separation.

``P(treated | X)`` is fitted by maximum likelihood (Newton–Raphson with step
halving on standardised covariates, with an intercept: the same fit as R's
``glm(family = binomial)``, which MatchIt uses for ``distance = "glm"``; the
tests check it against ``statsmodels``) on the design
matrix of :func:`pbr.matching.design.model_columns` (methodology,
"Comparisons …", §1 *Propensity model*).

Separation
----------
When a covariate level occurs in only one group (every person with
``offence_group = fraud`` is in the comparison pool, say), the maximum
likelihood estimate does not exist: its coefficient runs off to ±∞ and the
fit "fails to converge". pbr checks for this **before** fitting: every level
of every text covariate and both values of every 0/1 covariate are checked,
and a level whose people are all treated or all comparison is *separating*.
When the fit still fails (separation by a combination of covariates, or by a
continuous one), a linear programme finds the direction of separation
(Konis 2007: maximise ``Σ sᵢ xᵢβ`` subject to ``sᵢ xᵢβ ≥ 0``, ``|β| ≤ 1``,
``sᵢ = ±1`` the group) and the error names the covariates in it.

``separation`` chooses the remedy:

``"error"`` (default)
    :class:`~pbr.errors.ModelError` naming each separating level with its
    counts and the two remedies below.
``"drop"``
    People at a separating level are left out of the model and of the
    matching (no comparison is possible for them: a level without treated
    people needs no comparison, and treated people at a level without
    comparison people have none, so they are listed as unmatched). Repeated
    until no level separates. The balance "before" columns still describe
    everyone.
``"penalise"``
    A ridge-penalised logistic regression (``½ λ Σ βⱼ²`` on standardised
    covariates, intercept unpenalised, ``λ = 1``), which is finite under any
    separation; the same Newton iterations.

Examples
--------
>>> import numpy as np, pandas as pd
>>> x = pd.DataFrame({"g=b": [0.0, 0, 1, 1, 0, 1], "u": [0.1, 0.5, 0.2, 0.9, 0.3, 0.4]})
>>> t = np.array([True, False, True, True, False, False])
>>> fit_propensity(t, x).method
'mle'
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pbr._types import BoolArray, FloatArray
from pbr.errors import IgnoredOptionWarning, ModelError, PbrError

__all__ = ["SEPARATION_REMEDIES", "PropensityFit", "fit_propensity", "separating_levels"]


#: Accepted values of ``separation``.
SEPARATION_REMEDIES = ("error", "drop", "penalise")
#: Ridge penalty λ of ``separation="penalise"`` (on standardised covariates).
RIDGE_LAMBDA = 1.0


@dataclass(frozen=True)
class PropensityFit:
    """A fitted propensity model.

    Attributes
    ----------
    linear_predictor : numpy.ndarray
        ``Xβ`` (log-odds of treatment) per row; NaN for rows left out
        (``separation="drop"``).
    coefficients : pandas.Series
        ``const`` first, then one per design column (0 for a column dropped
        because it became constant).
    method : str
        ``"mle"`` or ``"ridge"``.
    dropped : numpy.ndarray
        Boolean mask of rows left out of the model and the matching.
    separated : tuple of str
        The separating levels found (empty when there were none).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> f = fit_propensity(np.array([True, False, False, True]),
    ...                    pd.DataFrame({"x": [1.0, 2.0, 3.0, 2.5]}))
    >>> list(f.coefficients.index)
    ['const', 'x']
    """

    linear_predictor: FloatArray
    coefficients: pd.Series
    method: str
    dropped: BoolArray
    separated: tuple[str, ...] = ()


def separating_levels(
    t: BoolArray, x: pd.DataFrame, *, categorical: dict[str, list[str]] | None = None
) -> list[tuple[str, BoolArray, int, int]]:
    """Levels whose people are all in one group.

    Parameters
    ----------
    t : numpy.ndarray
        Treatment (bool).
    x : pandas.DataFrame
        Balance columns (every level of text covariates; numbers as they are).
    categorical : dict, optional
        Column → level names of the text covariates in ``x`` (named
        ``"<col>=<level>"``); only their value 1 is checked. Any other 0/1
        column is checked at both values.

    Returns
    -------
    list of (label, rows, n_treated, n_comparison)

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> x = pd.DataFrame({"g=a": [1.0, 1, 0, 0], "g=b": [0.0, 0, 1, 1]})
    >>> t = np.array([True, True, True, False])
    >>> [(s[0], s[2], s[3]) for s in separating_levels(t, x, categorical={"g": ["a", "b"]})]
    [('g=a', 2, 0)]
    """
    level_cols = {f"{c}={lv}" for c, lvs in (categorical or {}).items() for lv in lvs}
    out: list[tuple[str, BoolArray, int, int]] = []
    n_t, n_c = int(t.sum()), int((~t).sum())
    for name in x.columns:
        v = x[name].to_numpy(dtype=float)
        if not np.isin(v, [0.0, 1.0]).all():
            continue
        values = (1.0,) if name in level_cols else (1.0, 0.0)
        for val in values:
            rows = v == val
            a, b = int((rows & t).sum()), int((rows & ~t).sum())
            if (a == 0) != (b == 0) and (a, b) != (n_t, n_c):
                label = str(name) if name in level_cols else f"{name}={int(val)}"
                out.append((label, rows, a, b))
    return out


def _describe(found: list[tuple[str, BoolArray, int, int]]) -> str:
    parts = []
    for label, _, a, b in found:
        if a == 0:
            parts.append(f"{label} ({b} comparison people, no treated)")
        else:
            parts.append(f"{label} ({a} treated, no comparison people)")
    return "; ".join(parts)


def _remedy() -> str:
    return (
        "pass separation='drop' to leave those people out of the matching, "
        "separation='penalise' for a ridge-penalised fit, or merge/remove the level "
        "(methodology: Comparisons, §1 Propensity model)"
    )


def fit_propensity(
    t: BoolArray,
    x: pd.DataFrame,
    *,
    separation: str = "error",
    categorical: dict[str, list[str]] | None = None,
    levels: pd.DataFrame | None = None,
) -> PropensityFit:
    """Fit the propensity model, detecting separation first.

    Parameters
    ----------
    t : numpy.ndarray
        Treatment (bool), one per row.
    x : pandas.DataFrame
        Model design columns (:func:`~pbr.matching.design.model_columns`).
    separation : {"error", "drop", "penalise"}
        Remedy for separation (module notes).
    categorical : dict, optional
        Text covariate → its levels (for the separation check and messages).
    levels : pandas.DataFrame, optional
        Every-level indicator columns (:func:`~pbr.matching.design.balance_columns`)
        used by the separation check; ``x`` when omitted.

    Returns
    -------
    PropensityFit

    Raises
    ------
    ModelError
        Separation with ``separation="error"`` (naming the levels or
        covariates), or a fit that fails for another reason.

    Warns
    -----
    IgnoredOptionWarning
        ``separation="drop"`` left people out (how many, and which levels).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> x = pd.DataFrame({"g=b": [0.0, 0, 1, 1, 1, 0]})
    >>> t = np.array([False, False, True, True, True, True])
    >>> fit_propensity(t, x)
    Traceback (most recent call last):
    ...
    pbr.errors.ModelError: the propensity model is separated (...): g=b=1 (3 treated, no ...
    >>> fit_propensity(t, x, separation="penalise").method
    'ridge'
    """
    if separation not in SEPARATION_REMEDIES:
        raise PbrError(f"separation must be one of {SEPARATION_REMEDIES}, got {separation!r}")
    check = levels if levels is not None else x
    if separation == "penalise":
        lp, coef = _fit_ridge(t, x)
        found = separating_levels(t, check, categorical=categorical)
        return PropensityFit(lp, coef, "ridge", np.zeros(len(t), bool), tuple(f[0] for f in found))
    dropped = np.zeros(len(t), dtype=bool)
    labels: list[str] = []
    while True:
        keep = ~dropped
        found = separating_levels(t[keep], check[keep], categorical=categorical)
        if not found:
            break
        if separation == "error":
            raise ModelError(
                "the propensity model is separated (its maximum-likelihood fit does not "
                f"exist): {_describe(found)}. Remedy: {_remedy()}"
            )
        idx = np.flatnonzero(keep)
        for label, rows, _, _ in found:
            dropped[idx[rows]] = True
            labels.append(label)
    kept = ~dropped
    if dropped.any():
        warnings.warn(
            f"separation='drop': {int(dropped.sum())} people at separating level(s) "
            f"{', '.join(labels)} are left out of the propensity model and the matching",
            IgnoredOptionWarning,
            stacklevel=3,
        )
        if t[kept].all() or not t[kept].any():
            raise ModelError("after dropping the separating levels one group is empty")
    lp_k, coef = _fit_mle(t[kept], x[kept], categorical)
    lp = np.full(len(t), np.nan)
    lp[kept] = lp_k
    method = "mle"
    return PropensityFit(lp, coef, method, dropped, tuple(labels))


def _exog(x: pd.DataFrame) -> tuple[FloatArray, BoolArray]:
    """Intercept + the non-constant design columns (column-major), and which columns vary."""
    cols = [x[c].to_numpy(dtype=float) for c in x.columns]
    varying = np.array([len(c) > 0 and c.max() > c.min() for c in cols], dtype=bool)
    keep = [c for c, v in zip(cols, varying, strict=True) if v]
    exog = np.empty((len(x), 1 + len(keep)), order="F")
    exog[:, 0] = 1.0
    for j, c in enumerate(keep):
        exog[:, j + 1] = c
    return exog, varying


def _coefficients(x: pd.DataFrame, varying: BoolArray, beta: FloatArray) -> pd.Series:
    full = np.zeros(x.shape[1])
    full[varying] = beta[1:]
    return pd.Series(np.r_[beta[0], full], index=["const", *x.columns], name="coefficient")


def _standardised(x: pd.DataFrame) -> tuple[FloatArray, BoolArray, FloatArray, FloatArray]:
    z, varying = _exog(x)
    mu = np.empty(z.shape[1] - 1)
    sd = np.empty(z.shape[1] - 1)
    for j in range(1, z.shape[1]):  # in place, one contiguous column at a time
        col = z[:, j]
        mu[j - 1] = col.mean()
        col -= mu[j - 1]
        sd[j - 1] = np.sqrt(np.mean(col * col))
        col /= sd[j - 1]
    # drop aliased columns (R's glm reports NA for them; here their coefficient is 0): a
    # column is kept when it is not a linear combination of the columns kept before it
    gram = z.T @ z / len(z)
    keep = [0]
    for j in range(1, z.shape[1]):
        g = gram[keep, j]
        resid = gram[j, j] - g @ np.linalg.solve(gram[np.ix_(keep, keep)], g)
        if resid > 1e-9 * gram[j, j]:
            keep.append(j)
    if len(keep) < z.shape[1]:
        used = np.flatnonzero(varying)
        varying = np.zeros_like(varying)
        varying[used[np.array(keep[1:], dtype=np.int64) - 1]] = True
        idx = np.array(keep[1:], dtype=np.int64) - 1
        z, mu, sd = np.asfortranarray(z[:, keep]), mu[idx], sd[idx]
    return z, varying, mu, sd


def _newton(z: FloatArray, y: FloatArray, pen: FloatArray) -> tuple[FloatArray, bool]:
    """:func:`_newton_from`, started (for large data) at the fit on every m-th row.

    The start only saves full-data iterations: Newton then converges to the same
    maximum from it (to the 1e-9 tolerance, far below the tie grid).
    """
    n = len(z)
    start = None
    if n > 200_000:
        step = n // 100_000
        sub_beta, ok = _newton_from(z[::step], y[::step], pen / step, None)
        if ok and np.isfinite(sub_beta).all():
            start = sub_beta
    return _newton_from(z, y, pen, start, chord=start is not None)


def _newton_from(
    z: FloatArray,
    y: FloatArray,
    pen: FloatArray,
    start: FloatArray | None,
    *,
    chord: bool = False,
) -> tuple[FloatArray, bool]:
    """Newton–Raphson for the (penalised) logistic log-likelihood, with step halving.

    Converged when the largest change of a (standardised) coefficient is below
    1e-9 (R's ``glm`` stops at a relative deviance change of 1e-8). The
    intercept starts at the logit of the treated share. ``chord=True`` (from a
    close start) keeps the first Hessian for 25 iterations (gradient-only steps,
    linear convergence to the same maximum), then recomputes it every step.
    """

    def objective(b: FloatArray, eta: FloatArray) -> float:
        return float(y @ eta - np.logaddexp(0.0, eta).sum() - 0.5 * (pen * b * b).sum())

    if start is None:
        beta = np.zeros(z.shape[1])
        share = float(np.clip(y.mean(), 1e-12, 1 - 1e-12))
        beta[0] = np.log(share / (1 - share))
    else:
        beta = start.copy()
    eta = z @ beta
    f = objective(beta, eta)
    hess = np.eye(z.shape[1])
    for it in range(100):
        p = 1.0 / (1.0 + np.exp(-eta))
        grad = z.T @ (y - p) - pen * beta
        if not chord or it == 0 or it >= 25:
            hess = (z * (p * (1.0 - p))[:, None]).T @ z + np.diag(pen)
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            return beta, False
        eta_new = z @ (beta + step)
        if np.abs(step).max() > 0.1:  # far from the optimum: step halving if needed
            f_new = objective(beta + step, eta_new)
            for _ in range(30):
                if f_new >= f - 1e-12 * abs(f):
                    break
                step = step / 2
                eta_new = z @ (beta + step)
                f_new = objective(beta + step, eta_new)
            f = f_new
        beta, eta = beta + step, eta_new
        if np.abs(step).max() < 1e-9:  # quadratic convergence: the error is now ~1e-18
            return beta, True
    return beta, False


def _unstandardise(beta: FloatArray, mu: FloatArray, sd: FloatArray) -> FloatArray:
    b = beta.copy()
    b[1:] = beta[1:] / sd
    b[0] = beta[0] - float((b[1:] * mu).sum())
    return b


def _fit_mle(
    t: BoolArray, x: pd.DataFrame, categorical: dict[str, list[str]] | None
) -> tuple[FloatArray, pd.Series]:
    z, varying, mu, sd = _standardised(x)
    beta, converged = _newton(z, t.astype(float), np.zeros(z.shape[1]))
    b = _unstandardise(beta, mu, sd)
    lp: FloatArray = z @ beta
    if not converged or not np.isfinite(lp).all() or np.abs(lp).max(initial=0.0) > 35:
        raise ModelError(
            "the propensity model did not converge (perfect or quasi-complete separation?). "
            f"{_lp_separation(t, x)} Remedy: {_remedy()}"
        )
    return lp, _coefficients(x, varying, b)


def _lp_separation(t: BoolArray, x: pd.DataFrame) -> str:
    """Name the covariates of a direction of (quasi-)complete separation, if one exists."""
    from scipy.optimize import linprog

    exog, varying = _exog(x)
    sd = exog[:, 1:].std(axis=0)
    z = exog.copy()
    z[:, 1:] = (exog[:, 1:] - exog[:, 1:].mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    s = np.where(t, 1.0, -1.0)[:, None] * z
    res = linprog(
        c=-s.sum(axis=0),
        A_ub=-s,
        b_ub=np.zeros(len(s)),
        bounds=[(-1.0, 1.0)] * z.shape[1],
        method="highs",
    )
    if res.status != 0 or -res.fun <= 1e-7 * len(s):
        return "No separation was found; check for collinear or near-constant covariates."
    beta = np.asarray(res.x)
    names = [str(c) for c, v in zip(x.columns[varying], beta[1:], strict=True) if abs(v) > 1e-6]
    n_sep = int((s @ beta > 1e-7).sum())
    return (
        f"The groups are separated by a combination of {', '.join(names) or 'the intercept'} "
        f"({n_sep} people perfectly predicted)."
    )


def _fit_ridge(t: BoolArray, x: pd.DataFrame) -> tuple[FloatArray, pd.Series]:
    z, varying, mu, sd = _standardised(x)
    pen = np.full(z.shape[1], RIDGE_LAMBDA)
    pen[0] = 0.0
    beta, converged = _newton(z, t.astype(float), pen)
    if not converged:  # pragma: no cover - the penalised likelihood is strictly concave
        raise ModelError("the penalised propensity model did not converge in 100 iterations")
    b = _unstandardise(beta, mu, sd)
    lp: FloatArray = z @ beta
    return lp, _coefficients(x, varying, b)
