"""The reoffending curve of final cohorts and the conditional probability of a reoffence to come.

Reference members (final cohorts) are grouped into risk strata. In stratum *s*
the empirical **cumulative proof curve** is

    F_s(a) = #{ reference members of s with 0 <= D <= a } / n_s

with ``D`` the proof time of the first counting reoffence
(:func:`pbr.forecast.exposure.proof_times`): it composes the time-to-offence
and offence-to-disposal distributions, keeping their dependence. For a member
of stratum *s* with ``e = F_s(a)`` after ``a`` observed days, ``f = F_s(H)``
(the share of the stratum proven at all: each reference member is final in its
own window) and a cohort **level** ``θ`` (the cohort's cumulative curve is
``θ · F_s``; ``θ = 1`` is the reference), the probability of a proven reoffence
still to come given none so far is

    q = θ (f − e) / (1 − θ e)          (clipped to [0, 1])

which for ``θ = 1`` is the share of reference members not yet proven by ``a``
who are proven at all: ``#{D > a} / (#{D > a} + #{never proven})``.

Curve uncertainty: a bootstrap replicate resamples the reference members of
each stratum with replacement, which for the curve is one multinomial draw of
the stratum's day histogram (:func:`resample`).

Examples
--------
>>> import numpy as np
>>> c = fit_curves(np.array([10, 20, -1, -1]), np.zeros(4, dtype=np.int64), 1, horizon=30)
>>> cum = cumulative(c.counts)
>>> float(cum[0, 15]), float(conditional_probability(cum[0, 15], cum[0, 30], 1.0))
(0.25, 0.3333333333333333)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pbr._types import FloatArray as F64
from pbr._types import IntArray as I64
from pbr.errors import ModelError, PbrError

__all__ = [
    "Curves",
    "conditional_probability",
    "cumulative",
    "fit_curves",
    "resample",
    "risk_scores",
    "strata_of",
]


@dataclass(frozen=True)
class Curves:
    """Per-stratum day histograms of reference proof times.

    Attributes
    ----------
    counts : numpy.ndarray of int64, shape (S, H + 2)
        ``counts[s, t]`` reference members of stratum *s* proven on day ``t``
        (``0 <= t <= H``); the last column counts those never proven.
    horizon : int
        ``H``, the last day of the histogram (the longest window).

    Examples
    --------
    >>> import numpy as np
    >>> fit_curves(np.array([1, -1]), np.zeros(2, dtype=np.int64), 1, horizon=1).sizes.tolist()
    [2]
    """

    counts: I64
    horizon: int

    @property
    def sizes(self) -> I64:
        """Reference members per stratum."""
        out: I64 = self.counts.sum(axis=1)
        return out


def fit_curves(proof: I64, strata: I64, n_strata: int, *, horizon: int) -> Curves:
    """Histogram the reference proof times per stratum.

    Parameters
    ----------
    proof : numpy.ndarray of int64
        Proof times (−1 = never proven) of the reference members.
    strata : numpy.ndarray of int64
        Stratum (0 … ``n_strata − 1``) of each reference member.
    n_strata : int
    horizon : int
        Last day of the histogram; proof times beyond it are an error.

    Returns
    -------
    Curves

    Examples
    --------
    >>> import numpy as np
    >>> fit_curves(np.array([0, 2, -1]), np.array([0, 0, 1]), 2, horizon=2).counts.tolist()
    [[1, 0, 1, 0], [0, 0, 0, 1]]
    """
    proof = np.asarray(proof, dtype=np.int64)
    strata = np.asarray(strata, dtype=np.int64)
    if len(proof) and int(proof.max()) > horizon:
        raise PbrError(f"a reference proof time ({int(proof.max())} days) exceeds the horizon")
    col = np.where(proof >= 0, proof, horizon + 1)
    width = horizon + 2
    flat = np.bincount(strata * width + col, minlength=n_strata * width)
    return Curves(counts=flat.reshape(n_strata, width).astype(np.int64), horizon=int(horizon))


def cumulative(counts: I64) -> F64:
    """``F_s(a)`` for ``a = 0 … H``: share of the stratum proven by day ``a`` (shape (S, H + 1)).

    An empty stratum has ``F = 0`` everywhere.

    Examples
    --------
    >>> import numpy as np
    >>> cumulative(np.array([[1, 0, 1, 2]])).tolist()
    [[0.25, 0.25, 0.5]]
    """
    counts = np.asarray(counts, dtype=np.float64)
    n = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        cum = np.cumsum(counts[:, :-1], axis=1) / n
    out: F64 = np.where(n > 0, cum, 0.0)
    return out


def resample(curves: Curves, rng: np.random.Generator) -> I64:
    """One bootstrap replicate of the histograms (members resampled within strata).

    Examples
    --------
    >>> import numpy as np
    >>> c = fit_curves(np.array([1, 1, -1]), np.zeros(3, dtype=np.int64), 1, horizon=2)
    >>> int(resample(c, np.random.default_rng(0)).sum())
    3
    """
    out = np.empty_like(curves.counts)
    for s, row in enumerate(curves.counts):
        n = int(row.sum())
        out[s] = rng.multinomial(n, row / n) if n else 0
    return out


def conditional_probability(e: Any, f: Any, theta: Any) -> F64:
    """Probability of a reoffence still to come: ``θ (f − e) / (1 − θ e)``, clipped to [0, 1].

    Parameters
    ----------
    e, f : array-like of float
        Reference cumulative curve at the observed days and its final value
        (the share proven at all).
    theta : array-like of float
        Cohort level relative to the reference (1 = the reference's level).

    Examples
    --------
    >>> round(float(conditional_probability(0.2, 0.5, 1.0)), 12)  # (0.5 - 0.2) / 0.8
    0.375
    >>> float(conditional_probability(0.5, 0.5, 1.3))  # window closed: nothing to come
    0.0
    """
    e = np.asarray(e, dtype=np.float64)
    f = np.asarray(f, dtype=np.float64)
    th = np.asarray(theta, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = th * (f - e) / (1.0 - th * e)
    out: F64 = np.clip(np.where(np.isfinite(q), q, 1.0), 0.0, 1.0)
    out = np.where(f > e, out, 0.0)
    return out


def risk_scores(members: pd.DataFrame) -> F64 | None:
    """OGRS3 one-year probabilities of the members (:func:`pbr.risk.score_cohort`), or None.

    ``None`` when the members lack the OGRS3 inputs or a row cannot be scored:
    the forecast then uses one stratum.

    Examples
    --------
    >>> import pandas as pd
    >>> risk_scores(pd.DataFrame({"offender_id": ["A"]})) is None
    True
    """
    from pbr.risk import score_cohort

    try:
        scores = score_cohort(members)
    except (ModelError, PbrError, KeyError, ValueError, TypeError):
        return None
    p = scores.table["p_1yr"].to_numpy(dtype=np.float64)
    return p if np.isfinite(p).all() else None


def strata_of(scores: F64 | None, cuts: F64, n: int) -> I64:
    """Stratum of each of ``n`` members given the cut points (``None``: all in stratum 0).

    Examples
    --------
    >>> import numpy as np
    >>> strata_of(np.array([0.1, 0.5, 0.9]), np.array([0.3, 0.6]), 3).tolist()
    [0, 1, 2]
    >>> strata_of(None, np.array([]), 2).tolist()
    [0, 0]
    """
    if scores is None or len(cuts) == 0:
        return np.zeros(n, dtype=np.int64)
    out: I64 = np.searchsorted(cuts, scores, side="right").astype(np.int64)
    return out
