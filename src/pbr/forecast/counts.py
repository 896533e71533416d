"""Projected proven reoffences (R): what is still to come, from the reference's counts.

For reference members of stratum *s* with proof time ``D`` and ``R`` counting
reoffences in their window (:func:`pbr.forecast.exposure.proof_pairs`):

* a member **not yet proven** after ``a`` days who becomes a reoffender in a
  replicate (the binary draw of :func:`pbr.forecast.project.project`) adds a
  count with mean ``L_s(a)``, the mean ``R`` of the reference members first
  proven after ``a``, and variance their variance of ``R``;
* a member **already proven** adds a count with mean ``P_s(a)``, the mean number
  of reoffences proven after ``a`` among reference members proven by ``a``, and
  their variance.

Members whose window is closed add nothing. Every replicate draws the final ``R``
of each lot-period from the normal approximation of that sum
(:class:`ReoffenceDraws`), so the projected ``R`` carries the binomial and level
variation of the reoffenders and the spread of reoffences per reoffender. Not
available for ``reconviction_events``, whose count is of court appearances.

Examples
--------
>>> import numpy as np
>>> # reference: one member proven on days 2 and 5, one on day 4, one never
>>> c = reoffence_moments(np.zeros(3, dtype=np.int64), np.array([0, 0, 1]),
...                       np.array([2, 5, 4]), 1, horizon=6)
>>> float(c.later[0, 3]), float(c.done[0, 3])  # after day 3: the day-4 member's R; 1 of member 0
(1.0, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pbr._types import FloatArray as F64
from pbr._types import IntArray as I64
from pbr.forecast.exposure import first_proof

__all__ = ["ReoffenceCurves", "ReoffenceDraws", "reoffence_draws", "reoffence_moments"]


@dataclass(frozen=True)
class ReoffenceCurves:
    """Means and variances of the reoffences still to come, per stratum and elapsed day.

    Attributes
    ----------
    later, later_var : numpy.ndarray of float64, shape (S, H + 1)
        ``L_s(a)`` and the variance of ``R`` among reference members first proven after ``a``.
    done, done_var : numpy.ndarray of float64, shape (S, H + 1)
        ``P_s(a)`` and the variance of the number of reoffences proven after ``a``
        among reference members proven by ``a``.

    Examples
    --------
    >>> import numpy as np
    >>> c = reoffence_moments(np.zeros(2, dtype=np.int64), np.array([0, 0, 1]),
    ...                       np.array([1, 3, 2]), 1, horizon=3)
    >>> c.later[0].tolist(), c.later_var[0].tolist()  # day 0: R = 2 and 1
    ([1.5, 1.0, 0.0, 0.0], [0.25, 0.0, 0.0, 0.0])
    """

    later: F64
    later_var: F64
    done: F64
    done_var: F64


def reoffence_moments(
    strata: I64, pair_member: I64, pair_lag: I64, n_strata: int, *, horizon: int
) -> ReoffenceCurves:
    """First and second moments of the reoffences still to come (shape (S, horizon + 1) each).

    With ``R_j`` the reoffences of reference member *j*, ``D_j`` its first proof
    day and ``c_j(a)`` its reoffences proven by day ``a``: ``L_s(a)`` is the mean of
    ``R_j`` over ``D_j > a`` and ``P_s(a)`` the mean of ``R_j − c_j(a)`` over
    ``D_j <= a``; the variances are the second moments less the squared means
    (``Σ (R − c)² = Σ R² − 2 Σ R c + Σ c²``, each a cumulative sum over the proof days).

    Parameters
    ----------
    strata : numpy.ndarray of int64
        Stratum of each reference member.
    pair_member, pair_lag : numpy.ndarray of int64
        Reference member (position) and days to disposal of each counting reoffence.
    n_strata : int
    horizon : int

    Returns
    -------
    ReoffenceCurves

    Examples
    --------
    >>> import numpy as np
    >>> c = reoffence_moments(np.zeros(2, dtype=np.int64), np.array([0, 0]),
    ...                       np.array([1, 3]), 1, horizon=3)
    >>> c.later[0].tolist(), c.done[0].tolist()
    ([2.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0])
    """
    n = len(strata)
    width = horizon + 1

    def hist(key: I64, weights: F64 | None = None) -> F64:
        h = np.bincount(key, weights=weights, minlength=n_strata * width)
        out: F64 = np.cumsum(h.reshape(n_strata, width), axis=1).astype(np.float64)
        return out

    r = np.bincount(pair_member, minlength=n).astype(np.float64)
    d = first_proof(n, pair_member, pair_lag)
    proven = d >= 0
    key = strata[proven] * width + d[proven]
    c_r, c_r2, c_n = hist(key, r[proven]), hist(key, r[proven] ** 2), hist(key)
    # per pair, in proof order within its member: c_j rises by 1, c_j² by 2·rank − 1
    order = np.lexsort((pair_lag, pair_member))
    pm, pl = pair_member[order], pair_lag[order]
    start = np.r_[True, pm[1:] != pm[:-1]] if len(pm) else np.zeros(0, dtype=bool)
    run = np.arange(len(pm)) - np.maximum.accumulate(np.where(start, np.arange(len(pm)), 0))
    pkey = strata[pm] * width + pl
    c_l = hist(pkey)
    c_rl = hist(pkey, r[pm])
    c_l2 = hist(pkey, (2.0 * (run + 1) - 1.0).astype(np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        n_after = c_n[:, -1:] - c_n
        later = (c_r[:, -1:] - c_r) / n_after
        later_m2 = (c_r2[:, -1:] - c_r2) / n_after
        done = (c_r - c_l) / c_n
        done_m2 = (c_r2 - 2.0 * c_rl + c_l2) / c_n
    later, done = np.nan_to_num(later), np.nan_to_num(done)
    return ReoffenceCurves(
        later=later,
        later_var=np.maximum(np.nan_to_num(later_m2) - later**2, 0.0),
        done=done,
        done_var=np.maximum(np.nan_to_num(done_m2) - done**2, 0.0),
    )


@dataclass(frozen=True)
class ReoffenceDraws:
    """What a replicate needs to draw every group's final reoffences R (one per cell).

    Built by :func:`reoffence_draws` from the cells of :func:`pbr.forecast.project.project`.

    Attributes
    ----------
    observed : numpy.ndarray of float64
        R already proven, per group.
    fixed_mean, fixed_var : numpy.ndarray of float64
        Per group: the reoffences still to come of members already proven (window open),
        ``Σ n P_s(a)`` and ``Σ n Var_s(a)``.
    new_mean, new_var, new_group : numpy.ndarray
        Per cell of members not yet proven (window open): ``L_s(a)``, its variance, the group.
    n_groups : int

    Examples
    --------
    >>> import numpy as np
    >>> d = ReoffenceDraws(observed=np.array([5.0]), fixed_mean=np.zeros(1),
    ...                    fixed_var=np.zeros(1), new_mean=np.array([3.0]),
    ...                    new_var=np.zeros(1), new_group=np.zeros(1, dtype=np.int64), n_groups=1)
    >>> d.draw(np.array([2]), np.random.default_rng(0)).tolist()  # 5 + 2 new reoffenders × 3
    [11]
    """

    observed: F64
    fixed_mean: F64
    fixed_var: F64
    new_mean: F64
    new_var: F64
    new_group: I64
    n_groups: int

    def draw(self, new_reoffenders: I64, rng: np.random.Generator) -> I64:
        """Final R per group given the new reoffenders drawn per cell (a normal approximation).

        ``R = R_obs + max(round(N(μ, σ²)), K)``: ``μ`` and ``σ²`` sum the means and
        variances of the members' reoffences still to come (``K`` new reoffenders
        with ``L_s(a)`` each, the members already proven with ``P_s(a)``), and each
        new reoffender brings at least one reoffence.

        Examples
        --------
        >>> import numpy as np
        >>> d = ReoffenceDraws(observed=np.array([5.0]), fixed_mean=np.zeros(1),
        ...                    fixed_var=np.zeros(1), new_mean=np.array([0.2]),
        ...                    new_var=np.zeros(1), new_group=np.zeros(1, dtype=np.int64),
        ...                    n_groups=1)
        >>> d.draw(np.array([3]), np.random.default_rng(0)).tolist()  # at least 1 each: 5 + 3
        [8]
        """
        k = np.asarray(new_reoffenders, dtype=np.float64)
        n = self.n_groups
        mean = self.fixed_mean + np.bincount(self.new_group, weights=k * self.new_mean, minlength=n)
        var = self.fixed_var + np.bincount(self.new_group, weights=k * self.new_var, minlength=n)
        floor = np.bincount(self.new_group, weights=k, minlength=n)
        extra = np.rint(mean + np.sqrt(var) * rng.standard_normal(n))
        out: I64 = (self.observed + np.maximum(extra, floor)).astype(np.int64)
        return out


def reoffence_draws(
    curves: ReoffenceCurves,
    observed: F64,
    cells: tuple[I64, I64, I64, I64, I64],
    n_cell: I64,
    n_groups: int,
) -> ReoffenceDraws:
    """The :class:`ReoffenceDraws` of the cells ``(group, stratum, elapsed, window, proven)``.

    Examples
    --------
    >>> import numpy as np
    >>> c = reoffence_moments(np.zeros(2, dtype=np.int64), np.array([0, 0]),
    ...                       np.array([1, 3]), 1, horizon=3)
    >>> cells = tuple(np.array([v]) for v in (0, 0, 2, 3, 1))  # one proven member at day 2
    >>> d = reoffence_draws(c, np.array([1.0]), cells, np.array([1]), 1)
    >>> float(d.fixed_mean[0])  # P(2) = 1: one more reoffence to come
    1.0
    """
    cg, cs, ca, cw, cy = cells
    open_ = ca < cw
    new = (cy == 0) & open_
    proven = (cy == 1) & open_
    n = np.asarray(n_cell, dtype=np.float64)
    return ReoffenceDraws(
        observed=np.asarray(observed, dtype=np.float64),
        fixed_mean=np.bincount(
            cg[proven], weights=n[proven] * curves.done[cs, ca][proven], minlength=n_groups
        ).astype(np.float64),
        fixed_var=np.bincount(
            cg[proven], weights=n[proven] * curves.done_var[cs, ca][proven], minlength=n_groups
        ).astype(np.float64),
        new_mean=curves.later[cs, ca][new],
        new_var=curves.later_var[cs, ca][new],
        new_group=cg[new],
        n_groups=int(n_groups),
    )
