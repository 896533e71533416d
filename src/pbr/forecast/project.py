"""Projection of cohorts to their final reoffender counts: bootstrap × level × binomial draws.

For every lot-period *g* of the projected cohort, one replicate *b* of the
predictive distribution of its final reoffender count is drawn in three steps
(``docs/methodology.md``, "Forecasting interim cohorts"):

1. **curve** — the reference histograms are resampled within risk strata
   (:func:`pbr.forecast.curve.resample`); ``e_i = F_s(a_i)`` and ``f_i = F_s(H)``,
   the share of the stratum proven at all (windows are calendar months, 546–550
   days: ``F_s(W_i)`` would drop reference members proven late in a longer window);
2. **level** — the cohort's level ``θ_g`` (its cumulative curve is ``θ_g F_s``)
   is drawn from a gamma posterior (:func:`level_posterior`): prior mean
   ``M_g = m_lot δ û_g`` (the lot's level in the reference cohorts, :func:`level_prior`,
   times the common shift ``δ`` of all projected groups, times the lot's own level
   in its other projected periods) and relative variance ``τ_g²`` (the spread of
   the groups' levels beyond their sampling variance, split into a lot and a period
   part), the hyperparameters estimated on a Poisson bootstrap of the groups; and a
   quasi-binomial likelihood of the observed reoffenders ``O_g`` given their
   expectation ``θ_g E_g``, ``E_g = Σ_i e_i``::

       θ_g ~ Gamma(shape = 1/τ_g² + O_g/c_g,  rate = 1/(τ_g² M_g) + E_g/c_g),
       c_g = Σ e_i (1 − e_i) / Σ e_i

3. **outcomes** — each member not yet proven and with its window open is a
   reoffender at the end with probability
   ``q_i = θ_g (f_i − e_i) / (1 − θ_g e_i)``; the final count is
   ``O_g + Σ_i Bernoulli(q_i)`` (binomial draws over members sharing stratum,
   elapsed days and window); given the reference's reoffences, the final
   reoffences R are drawn too (:mod:`pbr.forecast.counts`).

Members whose window is closed contribute their observed outcome only, so a
lot-period with every window closed has every replicate equal to ``O_g``.

Examples
--------
>>> from pbr.forecast._examples import example_inputs
>>> ref, tgt = example_inputs(elapsed=10, observed=[True, False])
>>> d = project(ref, tgt, n_strata=1, draws=5, seed=1)
>>> d.final.tolist()  # every window closed: the observed count in every replicate
[[1], [1], [1], [1], [1]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pbr._progress import track
from pbr._types import BoolArray as B8
from pbr._types import FloatArray as F64
from pbr._types import IntArray as I64
from pbr.errors import PbrError
from pbr.forecast.counts import reoffence_draws, reoffence_moments
from pbr.forecast.curve import Curves, conditional_probability, cumulative, fit_curves, resample

__all__ = ["MIN_TAU2", "Draws", "Reference", "Target", "level_prior", "project"]


#: Floor of the prior variance of a cohort's level (a prior sd of at least 0.01).
MIN_TAU2 = 1e-4


@dataclass(frozen=True)
class Reference:
    """Reference (final) members: proof time, stratum, window length and lot-period group.

    Examples
    --------
    >>> import numpy as np
    >>> r = Reference(proof=np.array([3, -1]), strata=np.zeros(2, dtype=np.int64),
    ...               window=np.full(2, 547), group=np.zeros(2, dtype=np.int64))
    >>> int((r.proof >= 0).sum())
    1
    """

    proof: I64
    strata: I64
    window: I64
    group: I64
    lot: I64 | None = None  # lot code of each reference group (for the lot's prior level)


@dataclass(frozen=True)
class Target:
    """Members to project: lot-period group, stratum, exposure and observed outcome.

    Examples
    --------
    >>> import numpy as np
    >>> t = Target(group=np.array([0]), strata=np.array([0]), elapsed=np.array([100]),
    ...            window=np.array([547]), observed=np.array([False]), n_groups=1)
    >>> bool(t.elapsed[0] < t.window[0])  # window still open
    True
    """

    group: I64
    strata: I64
    elapsed: I64
    window: I64
    observed: B8
    n_groups: int
    lot: I64 | None = None  # lot code of each target group (same coding as Reference.lot)


@dataclass(frozen=True)
class Draws:
    """Replicates of the final reoffender count per target group.

    Attributes
    ----------
    final : numpy.ndarray of int64, shape (draws, groups)
    observed : numpy.ndarray of int64
        Reoffenders already proven, per group.
    size : numpy.ndarray of int64
        Members per group.
    open_members : numpy.ndarray of int64
        Members whose window is still open, per group.
    theta : numpy.ndarray of float64
        Mean of the drawn levels, per group.
    expected_observed : numpy.ndarray of float64
        ``E_g`` with the reference curves (reoffenders expected proven by now at level 1).
    prior_mean, tau2 : numpy.ndarray of float64 and float
        The lot's reference level per group and the reference's between-group
        variance (the fallback ``τ²`` with fewer than five groups).
    reoffences : numpy.ndarray of int64, shape (draws, groups), or None
        Replicates of the final reoffences R (given the reference's reoffences,
        :mod:`pbr.forecast.counts`).

    Examples
    --------
    >>> import numpy as np
    >>> ref = Reference(proof=np.array([5, -1]), strata=np.zeros(2, dtype=np.int64),
    ...                 window=np.full(2, 10), group=np.zeros(2, dtype=np.int64))
    >>> tgt = Target(group=np.zeros(1, dtype=np.int64), strata=np.zeros(1, dtype=np.int64),
    ...              elapsed=np.array([2]), window=np.array([10]),
    ...              observed=np.array([False]), n_groups=1)
    >>> d = project(ref, tgt, n_strata=1, draws=4, seed=0)
    >>> d.final.shape, d.size.tolist(), d.open_members.tolist()
    ((4, 1), [1], [1])
    """

    final: I64
    observed: I64
    size: I64
    open_members: I64
    theta: F64
    expected_observed: F64
    prior_mean: F64
    tau2: float
    reoffences: I64 | None = None


def _horizon(ref: Reference, tgt: Target) -> int:
    h = max(
        int(ref.window.max()) if len(ref.window) else 0,
        int(tgt.window.max()) if len(tgt.window) else 0,
    )
    return h


def level_prior(ref: Reference, curves: Curves, n_lots: int) -> tuple[F64, float]:
    """Prior of a cohort's level: per-lot reference level and the between-group variance τ².

    ``θ_j = O_j / Σ_i f_i`` for each reference lot-period *j*; ``τ²`` is the
    variance of the ``θ_j`` minus the mean of their sampling variances
    ``Σ f(1 − f) / (Σ f)²``, floored at :data:`MIN_TAU2`. The lot's prior mean is
    its pooled reference level ``Σ O / Σ f`` (1 when the lot has no reference members).

    Examples
    --------
    >>> import numpy as np
    >>> ref = Reference(proof=np.array([1, -1, 1, 1]), strata=np.zeros(4, dtype=np.int64),
    ...                 window=np.full(4, 2), group=np.array([0, 0, 1, 1]),
    ...                 lot=np.array([0, 1]))
    >>> from pbr.forecast.curve import fit_curves
    >>> m, t2 = level_prior(ref, fit_curves(ref.proof, ref.strata, 1, horizon=2), 2)
    >>> [round(float(x), 4) for x in m], round(t2, 4)
    ([0.6667, 1.3333], 0.0556)
    """
    cum = cumulative(curves.counts)
    f = cum[ref.strata, -1] if len(ref.proof) else np.zeros(0)  # proven at all
    y = (ref.proof >= 0).astype(np.float64)
    n_g = int(ref.group.max()) + 1 if len(ref.group) else 0
    fs = np.bincount(ref.group, weights=f, minlength=n_g)
    ys = np.bincount(ref.group, weights=y, minlength=n_g)
    vs = np.bincount(ref.group, weights=f * (1 - f), minlength=n_g)
    ok = fs > 0
    tau2 = MIN_TAU2
    if ok.sum() >= 2:
        th = ys[ok] / fs[ok]
        samp = vs[ok] / fs[ok] ** 2
        tau2 = max(MIN_TAU2, float(np.var(th, ddof=1) - samp.mean()))
    mean = np.ones(n_lots, dtype=np.float64)
    if ref.lot is not None and n_lots:
        lot_of_group = np.asarray(ref.lot, dtype=np.int64)[:n_g]
        fl = np.bincount(lot_of_group, weights=fs, minlength=n_lots)
        yl = np.bincount(lot_of_group, weights=ys, minlength=n_lots)
        mean = np.where(fl > 0, yl / np.where(fl > 0, fl, 1.0), 1.0)
    return mean, tau2


def _lot_level(
    obs: F64, w: F64, c: F64, delta: float, lots: I64, wt: F64, tau2: float
) -> tuple[F64, F64]:
    """Leave-one-out lot level ``û`` of each group and the group's prior relative variance.

    Model: ``θ_g = m_g δ u_l v_g`` with lot effect ``u_l`` (mean 1, variance ``τ_L²``)
    shared by the lot's periods and period effect ``v_g`` (mean 1, ``τ_P²``). The
    within-lot moment estimate ``τ_P² = [Σ w (r − R_l)² − Σ c (1 − w/W_l) / δ] /
    Σ w (1 − w/W_l)`` (``r_g = O_g / (δ w_g)``, ``R_l`` the lot's pooled ratio,
    ``W_l = Σ_l w``, bootstrap weights ``wt`` applied) and ``τ_L² = τ² − τ_P²``
    (both floored at :data:`MIN_TAU2`). ``û_g`` is the gamma posterior mean of
    ``u_l`` from the lot's *other* periods (quasi-Poisson with their sampling and
    period variance); the prior relative variance of ``θ_g`` is then
    ``τ_P² + (1 + τ_P²) / a_g`` with ``a_g`` the posterior shape.
    """
    n_l = int(lots.max()) + 1 if len(lots) else 0
    r = obs / np.maximum(delta * w, 1e-12)
    wl = np.bincount(lots, weights=wt * w, minlength=n_l)
    rl = np.bincount(lots, weights=wt * obs, minlength=n_l) / np.maximum(delta * wl, 1e-12)
    share = np.where(wl[lots] > 0, wt * w / np.maximum(wl[lots], 1e-12), 1.0)
    den = float((wt * w * (1 - share)).sum())
    num = float((wt * w * (r - rl[lots]) ** 2).sum() - (wt * c * (1 - share)).sum() / delta)
    if den <= 0:  # no lot with two periods: one level per group, as without lots
        return np.ones(len(obs)), np.full(len(obs), tau2)
    tau2_p = max(MIN_TAU2, num / den)
    tau2_l = max(MIN_TAU2, tau2 - tau2_p)
    o_l = np.bincount(lots, weights=obs, minlength=n_l)[lots] - obs
    x_l = delta * (np.bincount(lots, weights=w, minlength=n_l)[lots] - w)
    var_g = c * delta * w + (delta * w) ** 2 * tau2_p
    v_l = np.bincount(lots, weights=var_g, minlength=n_l)[lots] - var_g
    disp = np.where(x_l > 0, v_l / np.maximum(x_l, 1e-12), 1.0)
    a = 1.0 / tau2_l + o_l / disp
    b = 1.0 / tau2_l + x_l / disp
    return a / b, tau2_p + (1.0 + tau2_p) / a


def level_posterior(
    observed: I64,
    expected: F64,
    dispersion: F64,
    lot_level: F64,
    tau2_reference: float,
    weights: F64 | None = None,
    lots: I64 | None = None,
) -> tuple[F64, F64]:
    """Gamma posterior (shape, rate) of every group's level θ_g.

    Prior: mean ``M_g = m_g δ û_g`` — the lot's reference level times the common
    shift ``δ = Σ O / Σ m E`` of all projected groups times the lot's own
    performance level ``û_g`` learnt from its other periods (given ``lots``,
    :func:`_lot_level`; else 1) — and relative variance: ``τ²``, the moment
    estimate of the spread of ``O_g / (m_g E_g)`` around ``δ`` beyond its sampling
    variance ``δ c_g / (m_g E_g)``, floored at :data:`MIN_TAU2` (with fewer than
    five groups: the reference's between-group variance, :func:`level_prior`),
    split by ``lots`` into a lot and a period part. Likelihood: quasi-binomial,
    ``O_g / c_g`` successes out of an exposure ``E_g / c_g``.

    ``weights`` (default all 1) are bootstrap multiplicities of the groups in the
    moment estimates of ``δ`` and ``τ²`` only: :func:`project` draws them afresh in
    every replicate (a Poisson bootstrap over lot-periods), which carries the
    uncertainty of the estimates into the intervals (the bootstrap of
    empirical-Bayes hyperparameters, Laird & Louis 1987, JASA 82: 739–750).

    Examples
    --------
    >>> import numpy as np
    >>> sh, rt = level_posterior(np.array([50]), np.array([100.0]), np.array([0.8]),
    ...                          np.array([1.0]), 0.01)
    >>> round(float(sh[0] / rt[0]), 4)  # shrunk from 0.5 towards δ = 0.5: stays 0.5
    0.5
    """
    obs = np.asarray(observed, dtype=np.float64)
    mu = lot_level * expected
    wt = np.ones(len(obs)) if weights is None else np.asarray(weights, dtype=np.float64)
    ok = (mu > 0) & (wt > 0)
    o_w, mu_w = wt[ok] * obs[ok], wt[ok] * mu[ok]
    delta = float(o_w.sum() / mu_w.sum()) if ok.any() and o_w.sum() > 0 else 1.0
    tau2 = tau2_reference
    if ok.sum() >= 5:
        r = obs[ok] / mu[ok]
        excess = float((mu_w * (r - delta) ** 2).sum() - delta * (wt[ok] * dispersion[ok]).sum())
        tau2 = max(MIN_TAU2, excess / (delta**2 * mu_w.sum()))
    u, t2 = np.ones(len(obs)), np.full(len(obs), tau2)
    if lots is not None and ok.sum() >= 5:
        u, t2 = _lot_level(obs, mu, dispersion, delta, np.asarray(lots), wt * (mu > 0), tau2)
    m = np.maximum(lot_level * delta * u, 1e-6)
    shape = 1.0 / t2 + obs / dispersion
    rate = 1.0 / (t2 * m) + expected / dispersion
    return shape, rate


def project(
    ref: Reference,
    tgt: Target,
    *,
    progress: bool | None = False,
    n_strata: int,
    draws: int = 1000,
    seed: int = 0,
    ref_pairs: tuple[I64, I64] | None = None,
    observed_reoffences: F64 | None = None,
) -> Draws:
    """Draw replicates of every target group's final reoffender count (and reoffences).

    Parameters
    ----------
    ref : Reference
    tgt : Target
    progress : bool or None
        A bar over the replicates (see :mod:`pbr._progress`); never changes the draws.
    n_strata : int
    draws : int
        Number of replicates (each with its own bootstrap of the reference curves).
    seed : int
        Seed of :func:`numpy.random.default_rng` (same seed, same draws).
    ref_pairs : (numpy.ndarray, numpy.ndarray), optional
        Reference member (position) and days to disposal of every counting
        reoffence (:func:`pbr.forecast.exposure.proof_pairs`): with
        ``observed_reoffences`` (R proven so far per group), the replicates of
        the final R are drawn too (their own generator: the reoffender draws are
        the same with or without them).

    Returns
    -------
    Draws

    Examples
    --------
    >>> from pbr.forecast._examples import example_inputs
    >>> ref, tgt = example_inputs(elapsed=6, observed=[True, False, False])
    >>> d = project(ref, tgt, n_strata=1, draws=200, seed=0)
    >>> int(d.final.min()), int(d.final.max()) <= 3
    (1, True)
    """
    if draws < 1:
        raise PbrError(f"draws must be at least 1, not {draws}")
    if len(ref.proof) == 0:
        raise PbrError("no reference members: the forecast needs final cohorts to learn from")
    rng = np.random.default_rng(int(seed))
    horizon = _horizon(ref, tgt)
    curves = fit_curves(ref.proof, ref.strata, n_strata, horizon=horizon)
    n_g = tgt.n_groups
    lots = np.asarray(tgt.lot, dtype=np.int64) if tgt.lot is not None else np.zeros(n_g, np.int64)
    n_lots = int(max(lots.max() if n_g else -1, ref.lot.max() if ref.lot is not None else -1)) + 1
    prior_by_lot, tau2 = level_prior(ref, curves, max(n_lots, 1))
    prior = prior_by_lot[lots] if n_g else np.zeros(0)
    tgt_lots = lots if tgt.lot is not None else None
    size = np.bincount(tgt.group, minlength=n_g).astype(np.int64)
    obs = np.bincount(tgt.group, weights=tgt.observed, minlength=n_g).astype(np.int64)
    open_ = tgt.elapsed < tgt.window
    n_open = np.bincount(tgt.group, weights=open_, minlength=n_g).astype(np.int64)
    # cells of members sharing (group, stratum, elapsed, window, observed)
    key = np.stack(
        [tgt.group, tgt.strata, tgt.elapsed, tgt.window, tgt.observed.astype(np.int64)], axis=1
    )
    cells, count = np.unique(key, axis=0, return_counts=True)
    cg, cs, ca, cw, cy = (cells[:, k] for k in range(5))
    n_cell = count.astype(np.int64)
    future = (cy == 0) & (ca < cw)
    final = np.empty((draws, n_g), dtype=np.int64)
    theta_sum = np.zeros(n_g)
    rd = None
    if ref_pairs is not None and observed_reoffences is not None:
        moments = reoffence_moments(ref.strata, *ref_pairs, n_strata, horizon=horizon)
        rd = reoffence_draws(moments, observed_reoffences, (cg, cs, ca, cw, cy), n_cell, n_g)
    r_final = np.empty((draws, n_g), dtype=np.int64)
    rng_r = np.random.default_rng([int(seed), 1])
    for b in track(range(draws), progress=progress, desc="forecast replicates", unit="draw"):
        cum = cumulative(resample(curves, rng))
        e = cum[cs, ca]
        f = cum[cs, -1]  # the share proven at all (not F(W): windows differ by calendar)
        es: F64 = np.bincount(cg, weights=n_cell * e, minlength=n_g).astype(np.float64)
        vs = np.bincount(cg, weights=n_cell * e * (1 - e), minlength=n_g)
        c = np.maximum(np.where(es > 0, vs / np.where(es > 0, es, 1.0), 1.0), 1e-9)
        boot = rng.poisson(1.0, n_g).astype(np.float64)  # lot-periods, for δ and τ²
        shape, rate = level_posterior(obs, es, c, prior, tau2, boot, tgt_lots)
        theta = rng.gamma(shape, 1.0 / rate)
        theta_sum += theta
        q = conditional_probability(e[future], f[future], theta[cg[future]])
        k = rng.binomial(n_cell[future], q)
        final[b] = obs + np.bincount(cg[future], weights=k, minlength=n_g).astype(np.int64)
        if rd is not None:
            r_final[b] = rd.draw(k, rng_r)
    cum0 = cumulative(curves.counts)
    e0: F64 = np.bincount(cg, weights=n_cell * cum0[cs, ca], minlength=n_g).astype(np.float64)
    return Draws(
        final=final,
        observed=obs,
        size=size,
        open_members=n_open,
        theta=theta_sum / draws,
        expected_observed=e0,
        prior_mean=prior.astype(np.float64),
        tau2=float(tau2),
        reoffences=None if rd is None else r_final,
    )
