"""Fitted baseline risk models (SPEC §6.2) and the shared GLM solver.

Every pbr risk model has the same shape: a generalised linear model with
**one free intercept per level** (a level is a lot × quarter-of-year cell of
the baseline year, e.g. ``CPA04:Q2``) plus slopes on covariates::

    η_i = α[level(i)] + x_i · β
    binary  (Binomial, logit link):  p_i = 1 / (1 + exp(−η_i))
    counts  (Poisson, log link):     μ_i = exp(η_i)

Because the links are canonical, the maximum-likelihood score equation for
each level intercept is ``Σ_{i in level} (y_i − p_i) = 0``: on the data it was
fitted to, the model's expected count equals the observed count **exactly**
in every lot × quarter-of-year cell, hence also for every lot's whole year.
That is why a cohort adjusted against a baseline built from itself shows
``E = O`` and no change (SPEC §5.1).

Covariates of ``risk="model"`` (:func:`fit_risk_model`):

* ``age_sex[...]`` — indicator of each sex × OGRS3 age band (age in whole
  years at the index date; bands 18–20, 21–24, 25–29, 30–34, 35–39, 40–49, 50+
  for adults); the most frequent cell is the reference;
* ``copas`` — the OGRS3 Copas rate ``ln(sanctions / (10 + age − age at first sanction))``;
* ``log_sanctions`` — ``ln(sanctions)``;
* ``offence_group[...]`` — index offence group indicators (reference: most frequent);
* ``event_type[...]`` — index event type indicators (reference: most frequent);
* the level intercepts (lot × quarter-of-year fixed effects).

The fit is Newton–Raphson (= IRLS for canonical links) written directly on
numpy arrays: the level block of the Hessian is diagonal and is accumulated
with :func:`numpy.bincount`, so 500 000 rows fit in about a second. The
estimates equal statsmodels' ``GLM(..., family=Binomial())`` fit with the
same design (the test suite checks this). Standard errors are the square
roots of the diagonal of the inverse observed information.

Levels whose outcome is all 0 (or all 1) have an infinite MLE intercept:
their rows are left out of the fit, the level's prediction is its observed
rate (0 or 1) and the intercept is reported as missing with
``separated = True``.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from pbr.risk.model import fit_glm
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(size=(2000, 1))
>>> lev = rng.integers(0, 2, size=2000)
>>> y = (rng.random(2000) < 1 / (1 + np.exp(-(0.5 * x[:, 0] - 0.2)))).astype(float)
>>> fit = fit_glm(y, x, lev, 2)
>>> [abs(float(s)) < 1e-9 for s in np.bincount(lev, y - fit.fitted(x, lev))]
[True, True]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special, stats

from pbr.errors import ModelError, PbrError
from pbr.periods import QUARTER_NAMES, quarter_of_year
from pbr.risk.ogrs3 import AGE_BANDS, INTERCEPT_1YR, score_cohort

__all__ = [
    "MODEL_COVARIATES",
    "GLMFit",
    "RiskModel",
    "calibration_table",
    "fit_count_model",
    "fit_glm",
    "fit_risk_model",
    "level_keys",
    "quarter_of_year",
]

Family = Literal["binomial", "poisson"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Categorical covariates of ``risk="model"`` (plus ``copas`` and ``log_sanctions``).
MODEL_COVARIATES = ("age_sex", "offence_group", "event_type")


# --------------------------------------------------------------------------- solver
@dataclass(frozen=True)
class GLMFit:
    """Raw result of :func:`fit_glm` (level intercepts + slopes).

    Attributes
    ----------
    family : {"binomial", "poisson"}
    alpha, alpha_se : numpy.ndarray
        Level intercepts and standard errors (NaN for separated levels).
    beta, beta_se : numpy.ndarray
        Covariate slopes and standard errors.
    separated : numpy.ndarray of bool
        Levels left out of the fit because every outcome was 0 (or all 1).
    level_rate : numpy.ndarray
        Observed mean outcome per level (the prediction for separated levels).
    deviance, loglik : float
    n, n_params, iterations : int
    covariance : numpy.ndarray
        Inverse information over (non-separated alphas, betas).

    Examples
    --------
    >>> import numpy as np
    >>> f = fit_glm(np.array([0, 1, 1.0]), np.zeros((3, 0)), np.array([0, 0, 0]), 1)
    >>> f.n, f.n_params, round(float(f.alpha[0]), 6)
    (3, 1, 0.693147)
    """

    family: Family
    alpha: FloatArray
    alpha_se: FloatArray
    beta: FloatArray
    beta_se: FloatArray
    separated: npt.NDArray[np.bool_]
    level_rate: FloatArray
    deviance: float
    loglik: float
    n: int
    n_params: int
    iterations: int
    covariance: FloatArray = field(repr=False)

    @property
    def aic(self) -> float:
        """Akaike information criterion ``−2 loglik + 2 k``."""
        return -2.0 * self.loglik + 2.0 * self.n_params

    def fitted(self, x: Any, levels: Any, categorical: Any = None) -> FloatArray:
        """Mean outcome for rows with covariates ``x``, level codes and categorical blocks.

        Parameters
        ----------
        x : array-like, shape (n, q)
        levels : array-like of int
        categorical : list of (codes, size), optional
            As given to :func:`fit_glm`.

        Returns
        -------
        numpy.ndarray of float

        Examples
        --------
        >>> import numpy as np
        >>> f = fit_glm(np.array([0, 1.0]), np.zeros((2, 0)), np.array([0, 0]), 1)
        >>> f.fitted(np.zeros((1, 0)), np.array([0])).round(6).tolist()
        [0.5]
        """
        return _predict(
            self.family,
            self.alpha,
            self.beta,
            self.separated,
            self.level_rate,
            np.asarray(x, dtype=float),
            np.asarray(levels, dtype=np.int64),
            categorical,
        )


def _predict(
    family: str,
    alpha: FloatArray,
    beta: FloatArray,
    separated: npt.NDArray[np.bool_],
    level_rate: FloatArray,
    x: FloatArray,
    levels: IntArray,
    categorical: Any = None,
) -> FloatArray:
    if x.ndim == 1:
        x = x[:, None]
    blocks = _blocks(levels, categorical, x, levels.shape[0])
    rest = _Blocks(blocks.codes[1:], blocks.sizes[1:], x)
    eta = np.where(separated, 0.0, alpha)[levels] + rest.eta(beta)
    mu: FloatArray = special.expit(eta) if family == "binomial" else np.exp(eta)
    sep = separated[levels]
    if sep.any():
        mu = np.where(sep, level_rate[levels], mu)
    return np.asarray(mu, dtype=float)


def _loglik(family: str, y: FloatArray, mu: FloatArray) -> float:
    if family == "binomial":
        with np.errstate(divide="ignore"):
            ll = special.xlogy(y, mu) + special.xlog1py(1 - y, -mu)
        return float(ll.sum())
    return float((special.xlogy(y, mu) - mu - special.gammaln(y + 1)).sum())


def _deviance(family: str, y: FloatArray, mu: FloatArray) -> float:
    if family == "binomial":
        return -2.0 * _loglik(family, y, mu)  # saturated loglik is 0 for 0/1 data
    return float(2.0 * (special.xlogy(y, y / np.where(mu > 0, mu, 1.0)) - (y - mu)).sum())


#: Default slope penalty of :func:`fit_glm` (see its ``ridge`` parameter).
RIDGE = 1e-4


@dataclass
class _Blocks:
    """Design as blocks: one-hot blocks given by codes (-1 = reference) + numeric columns."""

    codes: list[IntArray]  # per block, values -1 .. size-1, remapped so -1 -> size
    sizes: list[int]
    nums: FloatArray  # (n, q)

    @property
    def width(self) -> int:
        return int(sum(self.sizes) + self.nums.shape[1])

    def take(self, rows: npt.NDArray[np.bool_]) -> _Blocks:
        return _Blocks([c[rows] for c in self.codes], list(self.sizes), self.nums[rows])

    def eta(self, theta: FloatArray) -> FloatArray:
        n = self.nums.shape[0]
        out = np.zeros(n)
        pos = 0
        for c, s in zip(self.codes, self.sizes, strict=True):
            out += np.append(theta[pos : pos + s], 0.0)[c]
            pos += s
        if self.nums.shape[1]:
            out += self.nums @ theta[pos:]
        return out

    def grad(self, r: FloatArray) -> FloatArray:
        parts: list[FloatArray] = [
            np.bincount(c, r, minlength=s + 1)[:s].astype(float)
            for c, s in zip(self.codes, self.sizes, strict=True)
        ]
        parts.append(self.nums.T @ r)
        return np.concatenate(parts)

    def hessian(self, w: FloatArray) -> FloatArray:
        p = self.width
        h = np.zeros((p, p))
        offs = np.cumsum([0, *self.sizes])
        nb = len(self.sizes)
        for i in range(nb):
            ci, si, oi = self.codes[i], self.sizes[i], offs[i]
            d = np.bincount(ci, w, minlength=si + 1)[:si]
            h[oi + np.arange(si), oi + np.arange(si)] = d
            for j in range(i + 1, nb):
                cj, sj, oj = self.codes[j], self.sizes[j], offs[j]
                cross = np.bincount(ci * (sj + 1) + cj, w, minlength=(si + 1) * (sj + 1))
                blk = cross.reshape(si + 1, sj + 1)[:si, :sj]
                h[oi : oi + si, oj : oj + sj] = blk
                h[oj : oj + sj, oi : oi + si] = blk.T
        q = self.nums.shape[1]
        if q:
            on = offs[-1]
            wn = self.nums * w[:, None]
            for i in range(nb):
                ci, si, oi = self.codes[i], self.sizes[i], offs[i]
                blk = np.stack(
                    [np.bincount(ci, wn[:, k], minlength=si + 1)[:si] for k in range(q)], axis=1
                )
                h[oi : oi + si, on:] = blk
                h[on:, oi : oi + si] = blk.T
            h[on:, on:] = self.nums.T @ wn
        return h


def _blocks(levels: IntArray, categorical: Any, x: FloatArray, n: int) -> _Blocks:
    codes = [levels]
    sizes = [-1]  # filled by caller
    for c, s in categorical or []:
        cc = np.asarray(c, dtype=np.int64)
        if cc.shape[0] != n or ((cc < -1) | (cc >= s)).any():
            raise ModelError("categorical codes must have one entry per row in -1 .. size-1")
        codes.append(np.where(cc < 0, s, cc))
        sizes.append(int(s))
    return _Blocks(codes, sizes, x)


def fit_glm(
    y: Any,
    x: Any,
    levels: Any,
    n_levels: int,
    *,
    categorical: Any = None,
    family: Family = "binomial",
    max_iter: int = 100,
    tol: float = 1e-12,
    ridge: float = RIDGE,
) -> GLMFit:
    """Fit a Binomial-logit or Poisson-log GLM with one intercept per level.

    Newton–Raphson (= IRLS for these canonical links) on
    ``η = α[level] + Σ_blocks γ_b[code_b] + x β`` with step halving. One-hot
    blocks are never materialised: every block of the Hessian ``Xᵀ W X`` is
    a weighted cross-tabulation computed with :func:`numpy.bincount`, so a
    fit costs a few passes over the rows per iteration.

    Parameters
    ----------
    y : array-like of float
        Outcomes: 0/1 for binomial, counts ≥ 0 for Poisson.
    x : array-like, shape (n, q)
        Numeric covariates (no constant column: the level intercepts play that role).
    levels : array-like of int, shape (n,)
        Level code of each row in ``0 .. n_levels − 1``.
    n_levels : int
    categorical : list of (codes, size), optional
        One-hot covariate blocks: ``codes`` per row in ``-1 .. size − 1``,
        ``-1`` = the reference category (no column). Their coefficients come
        first in ``beta``, block by block, then the columns of ``x``.
    family : {"binomial", "poisson"}
    max_iter : int
    tol : float
        Convergence when the relative change of the (penalised) deviance is
        below ``tol`` and the largest score is below ``1e-6`` × n.
    ridge : float
        Penalty ``ridge · |β|² / 2`` on the slopes only (never on the level
        intercepts, so ``Σ p = O`` per level still holds exactly). The default
        :data:`RIDGE` is negligible against the information of any estimable
        slope and keeps a completely separated category finite.

    Returns
    -------
    GLMFit

    Raises
    ------
    ModelError
        No rows, outcomes or level codes out of range, a singular design
        (collinear covariates) or no convergence.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 1, 1, 0, 1, 1.0]); lev = np.array([0, 0, 0, 1, 1, 1])
    >>> f = fit_glm(y, np.zeros((6, 0)), lev, 2)
    >>> [round(float(p), 6) for p in f.fitted(np.zeros((2, 0)), np.array([0, 1]))]
    [0.666667, 0.666667]
    """
    yv = np.asarray(y, dtype=float)
    xv = np.asarray(x, dtype=float)
    if xv.ndim == 1:
        xv = xv[:, None]
    lev = np.asarray(levels, dtype=np.int64)
    n = yv.shape[0]
    if n == 0:
        raise ModelError("cannot fit a model on zero rows")
    if xv.shape[0] != n or lev.shape[0] != n:
        raise ModelError("y, x and levels must have the same number of rows")
    if ((lev < 0) | (lev >= n_levels)).any():
        raise ModelError(f"level codes must lie in 0 .. n_levels - 1 = {n_levels - 1}")
    if not np.isfinite(yv).all() or not np.isfinite(xv).all():
        raise ModelError("outcomes and covariates must be finite")
    if family == "binomial" and ((yv < 0) | (yv > 1)).any():
        raise ModelError("binomial outcomes must lie in [0, 1]")
    if family == "poisson" and (yv < 0).any():
        raise ModelError("count outcomes must be >= 0")
    design = _blocks(lev, categorical, xv, n)
    count = np.bincount(lev, minlength=n_levels).astype(float)
    total = np.bincount(lev, yv, minlength=n_levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        level_rate = np.where(count > 0, total / np.where(count > 0, count, 1), np.nan)
    if family == "binomial":
        separated = (count > 0) & ((total <= 0) | (total >= count))
    else:
        separated = (count > 0) & (total <= 0)
    free = ~(separated | (count == 0))
    keep = free[lev]
    m = int(free.sum())
    sub = design.take(keep)
    sub.codes[0] = (np.cumsum(free) - 1)[sub.codes[0]]
    sub.sizes[0] = m
    yk = yv[keep]
    k = sub.width - m
    theta = np.zeros(m + k)
    if m:
        r = level_rate[free]
        theta[:m] = np.log(r / (1 - r)) if family == "binomial" else np.log(r)
    penal = np.r_[np.zeros(m), np.full(k, ridge)]
    cov = np.full((m + k, m + k), np.nan)
    it = 0

    def mean(t: FloatArray) -> FloatArray:
        out: FloatArray = special.expit(sub.eta(t)) if family == "binomial" else np.exp(sub.eta(t))
        return out

    def objective(mu_: FloatArray, t: FloatArray) -> float:
        return _deviance(family, yk, mu_) + float((penal * t) @ t)

    if yk.shape[0]:
        mu = mean(theta)
        dev = objective(mu, theta)
        converged = False
        for it in range(1, max_iter + 1):  # noqa: B007
            w = mu * (1 - mu) if family == "binomial" else mu
            g = sub.grad(yk - mu) - penal * theta
            h = sub.hessian(w) + np.diag(penal)
            try:
                step = np.linalg.solve(h, g)
            except np.linalg.LinAlgError as exc:
                raise ModelError(
                    "the model design is singular (collinear covariates or a category "
                    "confined to one level)"
                ) from exc
            if not np.isfinite(step).all():
                raise ModelError("the model fit diverged (singular design)")
            t = 1.0
            for _ in range(40):
                th_new = theta + t * step
                mu_new = mean(th_new)
                dev_new = objective(mu_new, th_new)
                if np.isfinite(dev_new) and dev_new <= dev + 1e-9 * (abs(dev) + 1):
                    break
                t /= 2
            theta, mu = th_new, mu_new
            change = abs(dev - dev_new) / (abs(dev_new) + 0.1)
            dev = dev_new
            if change < tol and float(np.abs(g).max()) < 1e-6 * max(1.0, yk.shape[0]):
                converged = True
                break
        if not converged:
            raise ModelError(f"the model fit did not converge in {max_iter} iterations")
        w = mu * (1 - mu) if family == "binomial" else mu
        try:
            cov = np.linalg.inv(sub.hessian(w) + np.diag(penal))
        except np.linalg.LinAlgError as exc:
            raise ModelError("the model information matrix is singular") from exc
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    alpha = np.full(n_levels, np.nan)
    alpha_se = np.full(n_levels, np.nan)
    alpha[free] = theta[:m]
    alpha_se[free] = se[:m]
    mu_all = _predict(family, alpha, theta[m:], separated, level_rate, xv, lev, categorical)
    loglik = _loglik(family, yv, mu_all)
    return GLMFit(
        family=family,
        alpha=alpha,
        alpha_se=alpha_se,
        beta=theta[m:],
        beta_se=se[m:],
        separated=separated,
        level_rate=level_rate,
        deviance=_deviance(family, yv, mu_all),
        loglik=loglik,
        n=n,
        n_params=m + k,
        iterations=it,
        covariance=cov,
    )


# --------------------------------------------------------------------------- levels / design
def _quarters(members: pd.DataFrame) -> IntArray:
    """Quarter of year (1–4) of each member's ``index_date``, as a ModelError if one is missing."""
    try:
        return quarter_of_year(members["index_date"], name="index_date")
    except ModelError:
        raise
    except PbrError as exc:
        raise ModelError(str(exc)) from None


def level_keys(members: pd.DataFrame) -> npt.NDArray[np.str_]:
    """Lot × quarter-of-year level key of each row, e.g. ``"CPA04:Q2"``.

    The quarter of year is that of ``index_date`` (Q1 = January–March).

    Parameters
    ----------
    members : pandas.DataFrame
        With columns ``lot`` and ``index_date``.

    Returns
    -------
    numpy.ndarray of str

    Examples
    --------
    >>> import pandas as pd
    >>> level_keys(pd.DataFrame({"lot": ["CPA01", "CPA02"],
    ...     "index_date": pd.to_datetime(["2011-02-01", "2016-11-30"])})).tolist()
    ['CPA01:Q1', 'CPA02:Q4']
    """
    for c in ("lot", "index_date"):
        if c not in members.columns:
            raise ModelError(f"risk model needs column {c!r}")
    q = _quarters(members)
    lots = members["lot"].astype(str).to_numpy(dtype=object)
    out: npt.NDArray[np.str_] = (lots + ":" + np.array(QUARTER_NAMES, dtype=object)[q - 1]).astype(
        str
    )
    return out


def _band_labels() -> list[str]:
    out = []
    for i, lo in enumerate(AGE_BANDS):
        out.append(f"{lo}-{AGE_BANDS[i + 1] - 1}" if i + 1 < len(AGE_BANDS) else f"{lo}+")
    return out


Factor = tuple[IntArray, list[str]]  # codes per row (-1 = missing), category names


def _factor(values: Any) -> Factor:
    codes, uniques = pd.factorize(pd.Series(values), use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), [str(u) for u in uniques]


def _combine(a: Factor, b: Factor, sep: str) -> Factor:
    """Factor of the pairs (a, b) with names ``a<sep>b``."""
    ca, na = a
    cb, nb = b
    both = np.where((ca < 0) | (cb < 0), -1, ca * len(nb) + cb)
    codes, uniq = pd.factorize(both, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int64)
    names = [f"{na[u // len(nb)]}{sep}{nb[u % len(nb)]}" if u >= 0 else "" for u in uniq]
    if len(uniq) and (np.asarray(uniq) < 0).any():
        neg = int(np.flatnonzero(np.asarray(uniq) < 0)[0])
        codes = np.where(codes == neg, -1, codes - (codes > neg))
        names = [n for i, n in enumerate(names) if i != neg]
    return codes, names


def _level_factor(members: pd.DataFrame) -> Factor:
    for c in ("lot", "index_date"):
        if c not in members.columns:
            raise ModelError(f"risk model needs column {c!r}")
    q = _quarters(members) - 1
    return _combine(_factor(members["lot"]), (q, list(QUARTER_NAMES)), ":")


def _recode(f: Factor, categories: tuple[str, ...], what: str, hint: str) -> IntArray:
    codes, names = f
    lookup = pd.Index(list(categories)).get_indexer(pd.Index(names)).astype(np.int64)
    out: IntArray = np.where(codes >= 0, np.append(lookup, -1)[codes], -1)
    if (out < 0).any():
        bad_rows = np.flatnonzero(out < 0)
        unknown = sorted({names[c] if c >= 0 else "<missing>" for c in codes[bad_rows]})
        rows = ", ".join(str(r + 1) for r in bad_rows[:20])
        raise ModelError(f"{what} {', '.join(unknown[:20])} {hint} (rows {rows})")
    return out


def _model_raw(members: pd.DataFrame) -> dict[str, Any]:
    """Covariate factors and numeric values of ``risk="model"`` for each row."""
    if "event_type" not in members.columns:
        raise ModelError("risk model needs column 'event_type'")
    scores = score_cohort(members).table
    age = scores["age"].to_numpy()
    band = np.clip(np.searchsorted(np.asarray(AGE_BANDS), age, side="right") - 1, 0, None)
    sanctions = pd.to_numeric(members["sanctions"]).to_numpy(dtype=float)
    return {
        "age_sex": _combine(_factor(members["sex"]), (band.astype(np.int64), _band_labels()), ":"),
        "offence_group": _factor(members["offence_group"]),
        "event_type": _factor(members["event_type"]),
        "copas": scores["copas"].to_numpy(dtype=float),
        "log_sanctions": np.log(sanctions),
    }


def _choose_categories(f: Factor) -> tuple[str, ...]:
    codes, names = f
    counts = np.bincount(codes[codes >= 0], minlength=len(names))
    order = sorted(range(len(names)), key=lambda i: (-counts[i], names[i]))
    ref = names[order[0]]  # most frequent; ties -> first in sort order
    return (ref, *sorted(n for n in names if n != ref))


def _model_design(
    raw: dict[str, Any], categories: dict[str, tuple[str, ...]]
) -> tuple[list[tuple[IntArray, int]], FloatArray, list[str]]:
    names: list[str] = []
    blocks: list[tuple[IntArray, int]] = []
    for cov in MODEL_COVARIATES:
        cats = categories[cov]
        codes = _recode(
            raw[cov],
            cats,
            f"{cov} value(s)",
            "did not occur in the baseline year; the fitted model cannot score them",
        )
        blocks.append((codes - 1, len(cats) - 1))  # reference (code 0) -> -1
        names.extend(f"{cov}[{c}]" for c in cats[1:])
    x = np.column_stack([raw["copas"], raw["log_sanctions"]]).astype(float)
    names.extend(["copas", "log_sanctions"])
    return blocks, x, names


def _ogrs3_design(members: pd.DataFrame) -> FloatArray:
    scores = score_cohort(members).table
    out: FloatArray = (INTERCEPT_1YR + scores["x"].to_numpy(dtype=float))[:, None]
    return out


def _example_members(n: int = 400, seed: int = 1) -> pd.DataFrame:
    """Small synthetic baseline members for the docstring examples."""
    rng = np.random.default_rng(seed)
    idx = pd.Timestamp("2011-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    dob = idx - pd.to_timedelta(rng.integers(19 * 366, 60 * 365, n), unit="D")
    reo = rng.random(n) < 0.4
    return pd.DataFrame(
        {
            "lot": rng.choice(["CPA01", "CPA02"], n),
            "index_date": idx,
            "sex": rng.choice(["M", "F"], n),
            "date_of_birth": dob,
            "offence_group": rng.choice(["violence", "theft_non_motor"], n),
            "sanctions": rng.integers(1, 20, n),
            "first_sanction_date": dob + pd.to_timedelta(17 * 366, unit="D"),
            "event_type": rng.choice(["release", "community_order"], n),
            "reoffender": reo,
            "reoffences": np.where(reo, 1 + rng.poisson(1.5, n), 0),
        }
    )


# --------------------------------------------------------------------------- model object
def _num(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def _unnum(v: Any) -> float:
    return math.nan if v is None else float(v)


@dataclass(frozen=True)
class RiskModel:
    """A fitted risk model: level intercepts (lot × quarter-of-year) plus slopes.

    ``kind`` is ``"ogrs3_recalibrated"`` (slope on ``logit(OGRS3 p_1yr)``; see
    :mod:`pbr.risk.recalibration`), ``"glm"`` (``risk="model"``) or
    ``"count_poisson"`` (Poisson model of extra reoffences per reoffender,
    predicting ``1 + μ`` reoffences per reoffender).

    Attributes
    ----------
    kind : str
    family : {"binomial", "poisson"}
    levels : tuple of str
        Level keys ``LOT:Qq``.
    alpha, alpha_se : tuple of float
        Level intercepts and SEs (NaN where ``separated``).
    separated : tuple of bool
    level_rate : tuple of float
        Observed mean outcome per level in the fitting data.
    terms : tuple of str
        Covariate names.
    beta, beta_se : tuple of float
    categories : dict
        Categories of each categorical covariate (reference first).
    statistics : dict
        ``n``, ``n_params``, ``deviance``, ``aic``, ``log_likelihood``, ``iterations``;
        for count models also ``dispersion`` (Pearson X² / (n − p); the standard
        errors are Poisson ones, × √dispersion gives quasi-Poisson ones).
    calibration : pandas.DataFrame
        Predicted vs observed by risk decile on the fitting data.

    Examples
    --------
    >>> model = fit_risk_model(_example_members())
    >>> model.kind, model.levels[:2]
    ('glm', ('CPA01:Q1', 'CPA01:Q2'))
    """

    kind: str
    family: Family
    levels: tuple[str, ...]
    alpha: tuple[float, ...]
    alpha_se: tuple[float, ...]
    separated: tuple[bool, ...]
    level_rate: tuple[float, ...]
    terms: tuple[str, ...]
    beta: tuple[float, ...]
    beta_se: tuple[float, ...]
    categories: dict[str, tuple[str, ...]]
    statistics: dict[str, float]
    calibration: pd.DataFrame = field(repr=False, compare=False)

    # -- prediction
    def _design(self, members: pd.DataFrame) -> tuple[list[tuple[IntArray, int]], FloatArray]:
        if self.kind == "ogrs3_recalibrated":
            return [], _ogrs3_design(members)
        blocks, x, _ = _model_design(_model_raw(members), self.categories)
        return blocks, x

    def predict(self, members: pd.DataFrame) -> FloatArray:
        """Predicted probability (binary) or expected count for each row.

        For ``count_poisson`` models the prediction is the expected number of
        reoffences of a reoffender, ``1 + μ``.

        Parameters
        ----------
        members : pandas.DataFrame
            Cohort rows with ``lot``, ``index_date`` and the model's inputs.

        Returns
        -------
        numpy.ndarray of float

        Raises
        ------
        ModelError
            A row's lot × quarter-of-year is not in the baseline, or an input
            cannot be scored.

        Examples
        --------
        >>> m = _example_members()
        >>> p = fit_risk_model(m).predict(m)
        >>> bool(abs(p.sum() - m["reoffender"].sum()) < 1e-6)
        True
        """
        codes = _recode(
            _level_factor(members),
            self.levels,
            "no baseline level for lot × quarter-of-year",
            "(the baseline has no members there)",
        )
        blocks, x = self._design(members)
        mu = _predict(
            self.family,
            np.asarray(self.alpha),
            np.asarray(self.beta),
            np.asarray(self.separated, dtype=bool),
            np.asarray(self.level_rate),
            x,
            codes,
            blocks,
        )
        return mu + 1.0 if self.kind == "count_poisson" else mu

    # -- presentation
    @property
    def coefficients(self) -> pd.DataFrame:
        """Coefficient table: term, estimate, std_error, z, p_value, separated."""
        terms = [*self.terms, *(f"level[{lv}]" for lv in self.levels)]
        est = np.array([*self.beta, *self.alpha], dtype=float)
        se = np.array([*self.beta_se, *self.alpha_se], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = est / se
        return pd.DataFrame(
            {
                "term": terms,
                "estimate": est,
                "std_error": se,
                "z": z,
                "p_value": 2 * stats.norm.sf(np.abs(z)),
                "separated": [False] * len(self.terms) + list(self.separated),
            }
        )

    def summary(self) -> str:
        """Fit statistics and the slope coefficients as text.

        Examples
        --------
        >>> print(fit_risk_model(_example_members()).summary().splitlines()[0][:45])
        glm (binomial) — n = 400, parameters = 25, ...
        """
        st = self.statistics
        head = (
            f"{self.kind} ({self.family}) — n = {int(st['n'])}, parameters = "
            f"{int(st['n_params'])}, deviance = {st['deviance']:.3f}, AIC = {st['aic']:.3f}, "
            f"levels = {len(self.levels)} ({sum(self.separated)} separated)"
        )
        if "dispersion" in st:
            head += (
                f", dispersion = {st['dispersion']:.3f} (Poisson standard errors; "
                "× √dispersion for quasi-Poisson)"
            )
        coef = self.coefficients.head(len(self.terms))
        return head + "\n" + coef.drop(columns="separated").to_string(index=False)

    def _repr_html_(self) -> str:
        return f"<pre>{self.summary()}</pre>"

    # -- serialisation
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (non-finite numbers as ``None``).

        Examples
        --------
        >>> d = fit_risk_model(_example_members()).to_dict()
        >>> d["kind"], d["terms"][-2:]
        ('glm', ['copas', 'log_sanctions'])
        """
        return {
            "kind": self.kind,
            "family": self.family,
            "levels": list(self.levels),
            "alpha": [_num(v) for v in self.alpha],
            "alpha_se": [_num(v) for v in self.alpha_se],
            "separated": list(self.separated),
            "level_rate": [_num(v) for v in self.level_rate],
            "terms": list(self.terms),
            "beta": [_num(v) for v in self.beta],
            "beta_se": [_num(v) for v in self.beta_se],
            "categories": {k: list(v) for k, v in self.categories.items()},
            "statistics": {k: _num(v) for k, v in self.statistics.items()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], calibration: pd.DataFrame | None = None) -> RiskModel:
        """Rebuild a model from :meth:`to_dict` output.

        Examples
        --------
        >>> m = _example_members()
        >>> model = fit_risk_model(m)
        >>> again = RiskModel.from_dict(model.to_dict())
        >>> bool((again.predict(m) == model.predict(m)).all())
        True
        """
        try:
            model = cls(
                kind=str(d["kind"]),
                family=d["family"],
                levels=tuple(str(v) for v in d["levels"]),
                alpha=tuple(_unnum(v) for v in d["alpha"]),
                alpha_se=tuple(_unnum(v) for v in d["alpha_se"]),
                separated=tuple(bool(v) for v in d["separated"]),
                level_rate=tuple(_unnum(v) for v in d["level_rate"]),
                terms=tuple(str(v) for v in d["terms"]),
                beta=tuple(_unnum(v) for v in d["beta"]),
                beta_se=tuple(_unnum(v) for v in d["beta_se"]),
                categories={k: tuple(v) for k, v in d["categories"].items()},
                statistics={k: _unnum(v) for k, v in d["statistics"].items()},
                calibration=calibration if calibration is not None else pd.DataFrame(),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PbrError(f"invalid risk model description: {exc}") from exc
        model._check_consistent()
        return model

    def _check_consistent(self) -> None:
        """Raise PbrError when the parts of a (loaded) description do not fit together."""
        families = {"ogrs3_recalibrated": "binomial", "glm": "binomial", "count_poisson": "poisson"}
        problems = []
        if self.kind not in families:
            problems.append(f"kind {self.kind!r} is not one of {sorted(families)}")
        elif self.family != families[self.kind]:
            problems.append(f"family {self.family!r} does not fit kind {self.kind!r}")
        n_lev = len(self.levels)
        for name in ("alpha", "alpha_se", "separated", "level_rate"):
            if len(getattr(self, name)) != n_lev:
                problems.append(f"{name} has {len(getattr(self, name))} values for {n_lev} levels")
        for name in ("beta", "beta_se"):
            if len(getattr(self, name)) != len(self.terms):
                problems.append(
                    f"{name} has {len(getattr(self, name))} values for {len(self.terms)} terms"
                )
        if self.kind in ("glm", "count_poisson"):
            width = sum(len(self.categories.get(c, ())) - 1 for c in MODEL_COVARIATES) + 2
            if width != len(self.terms):
                problems.append(f"categories give {width} terms, terms has {len(self.terms)}")
        elif self.kind == "ogrs3_recalibrated" and len(self.terms) != 1:
            problems.append(f"an OGRS3 recalibration has 1 term, got {len(self.terms)}")
        if problems:
            raise PbrError("invalid risk model description: " + "; ".join(problems))


def calibration_table(predicted: Any, observed: Any, *, groups: int = 10) -> pd.DataFrame:
    """Predicted vs observed outcome by risk group (deciles by default).

    Rows are ranked by predicted value (stable: ties keep input order) and cut
    into ``groups`` groups of as-equal-as-possible size: row of rank ``r``
    (0-based) goes to group ``floor(r · groups / n) + 1``.

    Parameters
    ----------
    predicted, observed : array-like of float
    groups : int

    Returns
    -------
    pandas.DataFrame
        ``decile, n, expected, observed, mean_predicted, observed_rate, difference``
        (``difference = observed_rate − mean_predicted``).

    Examples
    --------
    >>> t = calibration_table([0.1, 0.2, 0.3, 0.4], [0, 0, 1, 1], groups=2)
    >>> t[["decile", "n", "expected", "observed"]].to_numpy().tolist()
    [[1.0, 2.0, 0.30000000000000004, 0.0], [2.0, 2.0, 0.7, 2.0]]
    """
    p = np.asarray(predicted, dtype=float)
    o = np.asarray(observed, dtype=float)
    n = p.shape[0]
    order = np.argsort(p, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    g = rank * groups // max(n, 1)
    cnt = np.bincount(g, minlength=groups)
    e = np.bincount(g, p, minlength=groups)
    ob = np.bincount(g, o, minlength=groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = pd.DataFrame(
            {
                "decile": np.arange(1, groups + 1),
                "n": cnt,
                "expected": e,
                "observed": ob,
                "mean_predicted": e / cnt,
                "observed_rate": ob / cnt,
            }
        )
    t["difference"] = t["observed_rate"] - t["mean_predicted"]
    return t[t["n"] > 0].reset_index(drop=True)


def _outcome(members: pd.DataFrame, column: str) -> FloatArray:
    if column not in members.columns:
        raise ModelError(f"risk model needs outcome column {column!r}")
    s = members[column]
    if s.isna().any():
        bad = np.flatnonzero(s.isna().to_numpy())[:20] + 1
        raise ModelError(f"{column} is missing in row(s) {', '.join(map(str, bad))}")
    return np.asarray(pd.to_numeric(s.astype("float64") if s.dtype == bool else s), dtype=float)


def _build(
    kind: str,
    family: Family,
    members: pd.DataFrame,
    y: FloatArray,
    x: FloatArray,
    terms: list[str],
    categories: dict[str, tuple[str, ...]],
    blocks: list[tuple[IntArray, int]] | None = None,
) -> RiskModel:
    lf = _level_factor(members)
    levels = tuple(sorted(lf[1]))
    codes = _recode(lf, levels, "level", "unknown")
    fit = fit_glm(y, x, codes, len(levels), categorical=blocks, family=family)
    pred = fit.fitted(x, codes, blocks)
    calib = calibration_table(pred, y)
    statistics = {
        "n": float(fit.n),
        "n_params": float(fit.n_params),
        "deviance": fit.deviance,
        "aic": fit.aic,
        "log_likelihood": fit.loglik,
        "iterations": float(fit.iterations),
    }
    if family == "poisson":
        # Pearson dispersion X² / (n − p) over the rows with μ > 0 (separated levels:
        # μ = y = 0). Poisson SEs assume 1; quasi-Poisson SEs are × √dispersion.
        pos = pred > 0
        x2 = float((((y - pred) ** 2)[pos] / pred[pos]).sum())
        dof = int(pos.sum()) - fit.n_params
        statistics["dispersion"] = x2 / dof if dof > 0 else math.nan
    return RiskModel(
        kind=kind,
        family=family,
        levels=levels,
        alpha=tuple(float(v) for v in fit.alpha),
        alpha_se=tuple(float(v) for v in fit.alpha_se),
        separated=tuple(bool(v) for v in fit.separated),
        level_rate=tuple(float(v) for v in fit.level_rate),
        terms=tuple(terms),
        beta=tuple(float(v) for v in fit.beta),
        beta_se=tuple(float(v) for v in fit.beta_se),
        categories=categories,
        statistics=statistics,
        calibration=calib,
    )


def _fit_model_covariates(
    kind: str, family: Family, members: pd.DataFrame, y: FloatArray
) -> RiskModel:
    """Fit ``y`` on the :data:`MODEL_COVARIATES` design (categories from ``members``)."""
    raw = _model_raw(members)
    cats = {c: _choose_categories(raw[c]) for c in MODEL_COVARIATES}
    blocks, x, terms = _model_design(raw, cats)
    return _build(kind, family, members, y, x, terms, cats, blocks)


def fit_risk_model(members: pd.DataFrame) -> RiskModel:
    """Fit ``risk="model"``: logistic GLM of ``reoffender`` on the baseline cohort.

    Covariates: sex × age band, Copas rate, log sanctions, offence group,
    event type, and one intercept per lot × quarter-of-year (see module notes).

    Parameters
    ----------
    members : pandas.DataFrame
        Baseline cohort members with outcome column ``reoffender`` (bool / 0-1)
        and the cohort columns ``lot, index_date, sex, date_of_birth,
        offence_group, sanctions, first_sanction_date, event_type``.

    Returns
    -------
    RiskModel

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> n = 400; rng = np.random.default_rng(1)
    >>> m = pd.DataFrame({"lot": "CPA01", "index_date": pd.Timestamp("2011-03-01"),
    ...     "sex": rng.choice(["M", "F"], n), "date_of_birth": pd.Timestamp("1980-01-01"),
    ...     "offence_group": rng.choice(["violence", "robbery"], n),
    ...     "sanctions": rng.integers(1, 20, n), "first_sanction_date": pd.Timestamp("2000-01-01"),
    ...     "event_type": "release", "reoffender": rng.random(n) < 0.4})
    >>> model = fit_risk_model(m)
    >>> round(float(model.predict(m).sum()), 6) == float(m["reoffender"].sum())
    True
    """
    return _fit_model_covariates("glm", "binomial", members, _outcome(members, "reoffender"))


def fit_count_model(members: pd.DataFrame) -> RiskModel:
    """Poisson model of reoffences per reoffender (the frequency measure, SPEC §5.2).

    Fitted on reoffenders only: ``reoffences − 1 ~ Poisson(μ)``,
    ``log μ = α[lot × quarter-of-year] + x β`` with the covariates of
    :func:`fit_risk_model`; the prediction for a reoffender is ``1 + μ``.
    The level intercepts make the expected reoffences equal the observed
    ones in every level of the fitting data.

    Parameters
    ----------
    members : pandas.DataFrame
        As for :func:`fit_risk_model`, plus ``reoffences``.

    Returns
    -------
    RiskModel

    Examples
    --------
    >>> m = _example_members()
    >>> cm = fit_count_model(m)
    >>> r = m[m["reoffender"]]
    >>> bool(abs(cm.predict(r).sum() - r["reoffences"].sum()) < 1e-6)
    True
    """
    r = _outcome(members, "reoffender") > 0
    sub = members.loc[r].reset_index(drop=True)
    if len(sub) == 0:
        raise ModelError("no reoffenders in the baseline: cannot fit a count model")
    y = _outcome(sub, "reoffences") - 1.0
    if (y < 0).any():
        raise ModelError("a reoffender has fewer than one reoffence")
    return _fit_model_covariates("count_poisson", "poisson", sub, y)
