"""The GLM solver shared by every pbr risk model: level intercepts plus slopes.

Newton–Raphson (IRLS for the canonical logit and log links) on numpy arrays,
with the diagonal level block of the Hessian accumulated by ``numpy.bincount``;
see the :mod:`pbr.risk.model` docstring for the model and its properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from pbr.errors import ModelError

Family = Literal["binomial", "poisson"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


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
    from scipy import special

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
    from scipy import special

    if family == "binomial":
        with np.errstate(divide="ignore"):
            ll = special.xlogy(y, mu) + special.xlog1py(1 - y, -mu)
        return float(ll.sum())
    return float((special.xlogy(y, mu) - mu - special.gammaln(y + 1)).sum())


def _deviance(family: str, y: FloatArray, mu: FloatArray) -> float:
    from scipy import special

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
            out += _matvec(self.nums, theta[pos:])
        return out

    def grad(self, r: FloatArray) -> FloatArray:
        parts: list[FloatArray] = [
            np.bincount(c, r, minlength=s + 1)[:s].astype(float)
            for c, s in zip(self.codes, self.sizes, strict=True)
        ]
        parts.append(_matvec(self.nums.T, r))
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
            h[on:, on:] = np.einsum("ik,il->kl", self.nums, wn, optimize=False)
        return h


def _matvec(a: FloatArray, v: FloatArray) -> FloatArray:
    """``a @ v`` summed in a fixed order (numpy's own loop, not a threaded BLAS call).

    A multi-threaded BLAS splits the sums differently for each thread count, so
    a fit would differ in its last bits between ``OPENBLAS_NUM_THREADS=1`` and
    ``=8``; these products make the fit, and so every saved baseline,
    byte-identical whatever the thread count.
    """
    out: FloatArray = np.einsum("ij,j->i", a, v, optimize=False)
    return out


def _solve(a: FloatArray, b: FloatArray) -> FloatArray:
    """Solve ``a x = b`` by Gaussian elimination with partial pivoting, in a fixed order.

    Used instead of LAPACK (whose threaded kernels change the last bits with the
    thread count) for the small Newton systems of a fit; ``b`` may be a matrix
    (``b = I`` gives the inverse).

    Raises
    ------
    numpy.linalg.LinAlgError
        A zero pivot: ``a`` is singular.

    Examples
    --------
    >>> _solve(np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([3.0, 5.0])).tolist()
    [0.8, 1.4]
    """
    m = np.array(a, dtype=float)
    x = np.array(b, dtype=float)
    n = m.shape[0]
    scale = float(np.abs(m).max()) if m.size else 0.0
    for k in range(n):
        piv = k + int(np.argmax(np.abs(m[k:, k])))
        if not abs(m[piv, k]) > 1e-14 * scale:
            raise np.linalg.LinAlgError("singular matrix")
        if piv != k:
            m[[k, piv]] = m[[piv, k]]
            x[[k, piv]] = x[[piv, k]]
        f = m[k + 1 :, k] / m[k, k]
        m[k + 1 :, k:] -= f[:, None] * m[k, k:]
        x[k + 1 :] -= f[:, None] * x[k] if x.ndim == 2 else f * x[k]
    for k in range(n - 1, -1, -1):
        tail = m[k, k + 1 :]
        if x.ndim == 2:
            x[k] = (x[k] - (tail[:, None] * x[k + 1 :]).sum(axis=0)) / m[k, k]
        else:
            x[k] = (x[k] - float((tail * x[k + 1 :]).sum())) / m[k, k]
    return x


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
    from scipy import special

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
                step = _solve(h, g)
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
            info = sub.hessian(w) + np.diag(penal)
            cov = _solve(info, np.eye(info.shape[0]))
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
