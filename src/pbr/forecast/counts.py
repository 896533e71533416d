"""Projected proven reoffences (R): what is still to come, from the reference's counts.

For reference members of stratum *s* with proof time ``D`` and ``R`` counting
reoffences in their window (:func:`pbr.forecast.exposure.proof_pairs`):

* a member **not yet proven** after ``a`` days is expected to add
  ``q · L_s(a)``, with ``q`` the conditional probability of a reoffence to come
  (:func:`pbr.forecast.curve.conditional_probability`, at the lot-period's mean
  level) and ``L_s(a)`` the mean ``R`` of the reference members first proven
  after ``a``;
* a member **already proven** is expected to add ``P_s(a)``, the mean number of
  reoffences proven after ``a`` among reference members proven by ``a``.

Members whose window is closed add nothing. The projection is a point estimate
(the intervals of the forecast are for the binary measure). Not available for
``reconviction_events``, whose count is of court appearances.

Examples
--------
>>> import numpy as np
>>> # reference: one member proven on days 2 and 5, one on day 4, one never
>>> L, P = reoffence_curves(np.zeros(3, dtype=np.int64), np.array([0, 0, 1]),
...                         np.array([2, 5, 4]), 1, horizon=6)
>>> float(L[0, 3]), float(P[0, 3])  # after day 3: R of the day-4 member; 1 more of member 0
(1.0, 1.0)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pbr._types import FloatArray as F64
from pbr._types import IntArray as I64
from pbr.forecast.curve import conditional_probability, cumulative, fit_curves
from pbr.forecast.exposure import first_proof
from pbr.forecast.project import Reference, Target

__all__ = ["project_reoffences", "project_target_reoffences", "reoffence_curves"]


def reoffence_curves(
    strata: I64, pair_member: I64, pair_lag: I64, n_strata: int, *, horizon: int
) -> tuple[F64, F64]:
    """``L_s(a)`` and ``P_s(a)`` for ``a = 0 … horizon`` (shape (S, horizon + 1) each).

    Parameters
    ----------
    strata : numpy.ndarray of int64
        Stratum of each reference member.
    pair_member, pair_lag : numpy.ndarray of int64
        Reference member (position) and days to disposal of each counting reoffence.
    n_strata : int
    horizon : int

    Examples
    --------
    >>> import numpy as np
    >>> L, P = reoffence_curves(np.zeros(2, dtype=np.int64), np.array([0, 0]),
    ...                         np.array([1, 3]), 1, horizon=3)
    >>> L[0].tolist(), P[0].tolist()
    ([2.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0])
    """
    n = len(strata)
    width = horizon + 1
    r = np.bincount(pair_member, minlength=n).astype(np.float64)
    d = first_proof(n, pair_member, pair_lag)
    proven = d >= 0
    key = strata[proven] * width + d[proven]
    h_r = np.bincount(key, weights=r[proven], minlength=n_strata * width).reshape(n_strata, width)
    h_n = np.bincount(key, minlength=n_strata * width).reshape(n_strata, width)
    h_l = np.bincount(strata[pair_member] * width + pair_lag, minlength=n_strata * width).reshape(
        n_strata, width
    )
    c_r, c_n, c_l = (np.cumsum(h, axis=1).astype(np.float64) for h in (h_r, h_n, h_l))
    with np.errstate(invalid="ignore", divide="ignore"):
        later = (c_r[:, -1:] - c_r) / (c_n[:, -1:] - c_n)
        done = (c_r - c_l) / c_n
    return np.nan_to_num(later), np.nan_to_num(done)


def project_reoffences(
    observed_reoffences: F64,
    later: F64,
    done: F64,
    counts: I64,
    theta: F64,
    *,
    group: I64,
    strata: I64,
    elapsed: I64,
    window: I64,
    observed: npt.NDArray[np.bool_],
    n_groups: int,
) -> F64:
    """Projected final R per group: observed plus the expected reoffences still to come.

    ``counts`` are the reference proof-time histograms (:class:`pbr.forecast.curve.Curves`);
    ``theta`` the mean level of each group.

    Examples
    --------
    >>> import numpy as np
    >>> from pbr.forecast.curve import fit_curves
    >>> s0 = np.zeros(3, dtype=np.int64)
    >>> c = fit_curves(np.array([2, 4, -1]), s0, 1, horizon=6).counts
    >>> L, P = reoffence_curves(s0, np.array([0, 0, 1]), np.array([2, 5, 4]), 1, horizon=6)
    >>> r = project_reoffences(np.array([0.0]), L, P, c, np.array([1.0]),
    ...     group=np.zeros(1, dtype=np.int64), strata=np.zeros(1, dtype=np.int64),
    ...     elapsed=np.array([3]), window=np.array([6]), observed=np.array([False]), n_groups=1)
    >>> round(float(r[0]), 12)  # q = 1/2 (one of the two unproven by day 3 is proven) × L = 1
    0.5
    """
    cum = cumulative(counts)
    open_ = elapsed < window
    e = cum[strata, elapsed]
    f = cum[strata, window]
    q = conditional_probability(e, f, theta[group])
    add = np.where(observed, done[strata, elapsed], q * later[strata, elapsed])
    add = np.where(open_, add, 0.0)
    out: F64 = np.asarray(observed_reoffences, dtype=np.float64) + np.bincount(
        group, weights=add, minlength=n_groups
    )
    return out


def project_target_reoffences(
    observed_reoffences: F64,
    ref: Reference,
    tgt: Target,
    pair_member: I64,
    pair_lag: I64,
    theta: F64,
    *,
    n_strata: int,
    n_groups: int,
) -> F64:
    """Projected final R per target group, the curves taken from the reference members.

    :func:`reoffence_curves` and the proof-time histograms
    (:func:`pbr.forecast.curve.fit_curves`) of the reference, up to the longest
    window of either side, then :func:`project_reoffences` of the target.

    Parameters
    ----------
    observed_reoffences : numpy.ndarray of float64
        R observed so far per target group.
    ref, tgt : Reference, Target
    pair_member, pair_lag : numpy.ndarray of int64
        Reference member (position) and days to disposal of each counting reoffence.
    theta : numpy.ndarray of float64
        Mean level of each target group.
    n_strata, n_groups : int

    Examples
    --------
    >>> import numpy as np
    >>> z = np.zeros(3, dtype=np.int64)
    >>> ref = Reference(proof=np.array([2, 4, -1]), strata=z, window=np.full(3, 6), group=z)
    >>> tgt = Target(group=z[:1], strata=z[:1], elapsed=np.array([3]), window=np.array([6]),
    ...              observed=np.array([False]), n_groups=1)
    >>> r = project_target_reoffences(np.array([0.0]), ref, tgt, np.array([0, 0, 1]),
    ...     np.array([2, 5, 4]), np.array([1.0]), n_strata=1, n_groups=1)
    >>> round(float(r[0]), 12)  # as in project_reoffences: q = 1/2 × L = 1
    0.5
    """
    horizon = int(max(ref.window.max(), tgt.window.max()))
    later, done = reoffence_curves(ref.strata, pair_member, pair_lag, n_strata, horizon=horizon)
    return project_reoffences(
        observed_reoffences,
        later,
        done,
        fit_curves(ref.proof, ref.strata, n_strata, horizon=horizon).counts,
        theta,
        group=tgt.group,
        strata=tgt.strata,
        elapsed=tgt.elapsed,
        window=tgt.window,
        observed=tgt.observed,
        n_groups=n_groups,
    )
