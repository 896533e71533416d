"""Matched cohort comparison, Justice Data Lab style (SPEC §8).

A propensity score ``P(treated | X)`` is fitted by logistic regression
(statsmodels ``Logit``, with an intercept) on the stated
covariates; treated people are matched to comparison people by nearest
neighbour on the **logit** of the score (the linear predictor ``Xβ``).

Conventions
-----------
Covariates
    Numeric and boolean columns enter as they are (booleans as 0/1).
    The model is ``statsmodels.Logit`` fitted by Newton–Raphson (the same
    maximum-likelihood fit as GLM Binomial with a logit link).
    Text/categorical columns are one-hot encoded by hand: one 0/1 column
    ``"<col>=<level>"`` per level except the first in sorted order (the
    reference level). A missing value in a covariate, the treatment or an
    ``exact`` column is an error naming the row.
Caliper
    ``caliper × SD`` where ``SD = sqrt((s_T² + s_C²)/2)`` is the pooled
    standard deviation of the logit score in the treated and comparison
    groups (Austin 2011). ``caliper=None`` disables it. A treated person
    with no comparison person within the caliper is *unmatched*; unmatched
    people are listed in :attr:`MatchResult.unmatched`, never dropped
    silently.
Tie-breaking
    Candidates are ordered by distance ``|logit_t − logit_c|``; equal
    distances are broken by a seeded random permutation of all rows
    (``numpy.random.default_rng(random_state).permutation``), which gives
    every row a unique rank, so results never depend on row order beyond
    that seeded permutation.
With replacement (``replace=True``)
    Each treated person takes its ``k`` nearest comparison people (within
    the caliper). Computed for all treated at once with a sorted search:
    the ``k`` nearest lie among the ``k`` left and ``k`` right neighbours
    of the insertion point in the sorted comparison scores.
Without replacement (``replace=False``)
    *Best-pair-first greedy* matching: all admissible (treated, comparison)
    pairs are taken in order of (distance, comparison rank, treated rank);
    a pair is accepted when the comparison person is still free and the
    treated person still has fewer than ``k`` matches. It is computed in
    vectorised rounds: in each round every treated person with spare
    capacity finds its nearest free comparison person, and the pair is
    accepted when that comparison person's nearest treated person (with
    spare capacity) is the proposer (a *locally dominant* pair). Locally
    dominant pairs are exactly those the sequential greedy accepts, so the
    result equals the plain greedy (tested against an oracle). Free
    comparison people are kept in a sorted array with "next remaining"
    pointers (pointer jumping with compression), so a round costs about the
    number of active treated, not the pool size. Heavy ties (many people
    with the same score) are settled a whole tie group per round when no
    other person is at the same distance (see ``_bulk_ties``; the greedy
    then fills the group's treated in rank order with the run's controls in
    rank order).
Weights (ATT)
    Each matched treated person has weight 1; each comparison person has
    weight ``Σ 1/k_t`` over the treated people ``t`` it is matched to, where
    ``k_t`` is the number of matches of ``t`` (≤ k under a caliper).
Balance
    Standardised mean difference in % (reference/methods.md §6.3):
    continuous ``100 (x̄_T − x̄_C) / sqrt((s_T² + s_C²)/2)``; binary (0/1)
    ``100 (p_T − p_C) / sqrt((p_T(1−p_T) + p_C(1−p_C))/2)``. The
    denominator is always computed **before** matching, so that the change
    in an SMD reflects a change in means only (Stuart 2010). Variance ratio
    ``s_T² / s_C²``. After matching, comparison means and variances are
    weighted (reliability-weight variance).
Outcomes
    Difference in means (treated − weighted comparison) with a Welch-type
    t interval using the comparison group's effective size
    ``n_eff = (Σw)²/Σw²`` (reference/methods.md §6.1; JDL compares every
    measure as a difference of means with a t-test)::

        se² = s_T²/n_T + s_C,w²/n_eff,   df = Welch–Satterthwaite

    JDL reporting rules: no result when fewer than ``min_treated`` (60)
    treated people were matched (a :class:`~pbr.errors.PbrError`); the
    secondary measures (frequency among reoffenders, days to first
    reoffence) are reported only with at least ``min_reoffenders`` (30)
    treated reoffenders, otherwise their row is present with
    ``reported=False`` and NaN statistics.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from pbr.compare import match
>>> rng = np.random.default_rng(1)
>>> df = pd.DataFrame({"age": rng.normal(30, 8, 400), "male": rng.integers(0, 2, 400)})
>>> df["treated"] = rng.random(400) < 0.25
>>> m = match(df, treatment="treated", covariates=["age", "male"])
>>> int(m.pairs["treated"].nunique()) == m.n_matched_treated
True
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr.errors import IgnoredOptionWarning, ModelError, PbrError

__all__ = ["MatchResult", "match", "propensity_logit"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_BIG = np.iinfo(np.int64).max


# ---------------------------------------------------------------------------
# design matrix and propensity model
# ---------------------------------------------------------------------------


def _check_missing(data: pd.DataFrame, columns: Sequence[str]) -> None:
    for col in columns:
        if col not in data.columns:
            raise PbrError(f"column {col!r} is not in the data")
        na = data[col].isna().to_numpy()
        if na.any():
            row = int(np.flatnonzero(na)[0])
            raise PbrError(
                f"column {col!r} has {int(na.sum())} missing value(s); first at row "
                f"{row} (index {data.index[row]!r})"
            )


def _design(data: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """Numeric design matrix: numbers/booleans as-is, text one-hot (first level dropped)."""
    parts: dict[str, FloatArray] = {}
    for col in covariates:
        s = data[col]
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            parts[col] = np.asarray(s.astype(float), dtype=float)
        else:
            values = s.astype(str).to_numpy()
            levels = sorted(set(values.tolist()))
            for level in levels[1:]:
                parts[f"{col}={level}"] = (values == level).astype(float)
    return pd.DataFrame(parts, index=data.index)


def propensity_logit(data: pd.DataFrame, *, treatment: str, covariates: Sequence[str]) -> pd.Series:
    """Logit of the propensity score from a logistic regression.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person.
    treatment : str
        Boolean/0-1 column, true for treated people.
    covariates : sequence of str
        Columns of the model (text columns one-hot encoded, see module notes).

    Returns
    -------
    pandas.Series
        The linear predictor ``Xβ`` (log-odds of treatment), indexed like ``data``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.0, 1, 2, 3, 4, 5], "t": [0, 0, 1, 0, 1, 1]})
    >>> lp = propensity_logit(df, treatment="t", covariates=["x"])
    >>> bool(lp.is_monotonic_increasing)
    True
    """
    t = _treatment_vector(data, treatment)
    _check_missing(data, list(covariates))
    x = _design(data, covariates)
    lp, _ = _fit_logit(t, x)
    return pd.Series(lp, index=data.index, name="logit_propensity")


def _treatment_vector(data: pd.DataFrame, treatment: str) -> npt.NDArray[np.bool_]:
    _check_missing(data, [treatment])
    s = data[treatment]
    if pd.api.types.is_bool_dtype(s):
        return np.asarray(s, dtype=bool)
    values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isin(values, [0.0, 1.0])
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise PbrError(
            f"treatment column {treatment!r} must be boolean or 0/1; row {row} has {s.iloc[row]!r}"
        )
    out: npt.NDArray[np.bool_] = values == 1.0
    return out


def _fit_logit(t: npt.NDArray[np.bool_], x: pd.DataFrame) -> tuple[FloatArray, pd.Series]:
    import statsmodels.api as sm

    exog = np.column_stack([np.ones(len(x)), x.to_numpy(dtype=float)])
    names = ["const", *x.columns]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = sm.Logit(t.astype(float), exog).fit(method="newton", disp=0, maxiter=100)
        except Exception as exc:  # statsmodels raises assorted errors on degenerate data
            raise ModelError(f"propensity model failed to fit: {exc}") from exc
    for w in caught:
        msg = str(w.message).lower()
        if "separation" in msg or "converge" in msg:
            raise ModelError(f"propensity model did not fit cleanly: {w.message}")
    params = np.asarray(res.params, dtype=float)
    lp: FloatArray = exog @ params
    return lp, pd.Series(params, index=names, name="coefficient")


# ---------------------------------------------------------------------------
# nearest-neighbour kernels (1-D, vectorised)
# ---------------------------------------------------------------------------


def _k_nearest(
    x: FloatArray,
    scores: FloatArray,
    rank: IntArray,
    ord_l: IntArray,
    ord_r: IntArray,
    k: int,
) -> tuple[IntArray, FloatArray]:
    """``k`` nearest pool members of each ``x`` by (distance, rank).

    ``ord_r`` sorts the pool by (score, rank) and ``ord_l`` by (score, −rank);
    both give the same score sequence. Moving left from the insertion point
    along ``ord_l`` (or right along ``ord_r``) visits candidates in increasing
    (distance, rank) order, so the ``k`` best are among ``k`` from each side.
    Returns pool indices (−1 where fewer than ``k`` exist) and distances (inf).
    """
    n_pool = len(ord_r)
    nx = len(x)
    if n_pool == 0 or nx == 0:
        return np.full((nx, k), -1, dtype=np.int64), np.full((nx, k), np.inf)
    s_sorted = scores[ord_r]
    ip = np.searchsorted(s_sorted, x, side="left")
    j = np.arange(k)
    lp = ip[:, None] - 1 - j
    rp = ip[:, None] + j
    valid = np.concatenate([lp >= 0, rp < n_pool], axis=1)
    cand = np.concatenate(
        [ord_l[np.clip(lp, 0, n_pool - 1)], ord_r[np.clip(rp, 0, n_pool - 1)]], axis=1
    )
    d = np.abs(x[:, None] - scores[cand])
    d[~valid] = np.inf
    rk = rank[cand].astype(np.int64)
    rk[~valid] = _BIG
    if k == 1:
        pick_right = (d[:, 1] < d[:, 0]) | ((d[:, 1] == d[:, 0]) & (rk[:, 1] < rk[:, 0]))
        col = pick_right.astype(np.int64)[:, None]
    else:
        rows = np.repeat(np.arange(nx), 2 * k)
        order = np.lexsort((rk.ravel(), d.ravel(), rows)).reshape(nx, 2 * k)
        col = order[:, :k] - (np.arange(nx) * 2 * k)[:, None]
    out_c = np.take_along_axis(cand, col, axis=1)
    out_d = np.take_along_axis(d, col, axis=1)
    out_c = np.where(np.isfinite(out_d), out_c, -1)
    return out_c.astype(np.int64), out_d


def _orders(scores: FloatArray, rank: IntArray) -> tuple[IntArray, IntArray]:
    by_rank = np.argsort(rank, kind="stable")  # ranks are unique
    ord_r = by_rank[np.argsort(scores[by_rank], kind="stable")].astype(np.int64)
    rev = by_rank[::-1]
    ord_l = rev[np.argsort(scores[rev], kind="stable")].astype(np.int64)
    return ord_l, ord_r


def _match_with_replacement(
    ts: FloatArray, cs: FloatArray, crank: IntArray, k: int, width: float
) -> tuple[IntArray, IntArray, FloatArray]:
    ord_l, ord_r = _orders(cs, crank)
    c, d = _k_nearest(ts, cs, crank, ord_l, ord_r, k)
    ok = (c >= 0) & (d <= width)
    ti = np.repeat(np.arange(len(ts)), k).reshape(len(ts), k)
    return ti[ok].astype(np.int64), c[ok].astype(np.int64), d[ok]


class _FreeSet:
    """Members of a pool sorted twice, with deletion and nearest-remaining queries.

    ``nxt_r[i]`` points right from position ``i`` of the (score, rank) order
    towards the next remaining member (``i`` itself when it remains);
    ``nxt_l`` likewise leftwards in the (score, −rank) order (shifted by one,
    index 0 is the "none" sentinel). Queries follow the pointers for all
    queries at once (pointer jumping) and compress the start pointers, so a
    round costs about the number of queries, not the pool size.
    """

    def __init__(self, scores: FloatArray, rank: IntArray) -> None:
        self.scores, self.rank = scores, rank
        self.ord_l, self.ord_r = _orders(scores, rank)
        n = len(scores)
        self.n = n
        self.sorted = scores[self.ord_r]
        self.pos_r = np.empty(n, dtype=np.int64)
        self.pos_r[self.ord_r] = np.arange(n)
        self.pos_l = np.empty(n, dtype=np.int64)
        self.pos_l[self.ord_l] = np.arange(n)
        self.nxt_r = np.arange(n + 1, dtype=np.int64)  # n = sentinel
        self.nxt_l = np.arange(n + 1, dtype=np.int64)  # 0 = sentinel, i + 1 = position i
        self.remaining = n
        self.free = np.ones(n, dtype=bool)

    def remove(self, members: IntArray) -> None:
        members = np.unique(members)
        self.free[members] = False
        self.nxt_r[self.pos_r[members]] = self.pos_r[members] + 1
        self.nxt_l[self.pos_l[members] + 1] = self.pos_l[members]
        self.remaining -= members.size

    @staticmethod
    def _follow(nxt: IntArray, start: IntArray) -> IntArray:
        p = start.copy()
        q = nxt[p]
        moving = q != p
        while moving.any():
            p[moving] = q[moving]
            q = nxt[p]
            moving = q != p
        nxt[start] = p  # path compression of the start pointers
        return p

    def nearest(self, x: FloatArray) -> tuple[IntArray, FloatArray, FloatArray, FloatArray]:
        """Nearest remaining member of each ``x`` by (distance, rank); −1/inf if none.

        Also returns the distances of the nearest remaining member on the left
        (scores < x) and on the right (scores ≥ x).
        """
        ip = np.searchsorted(self.sorted, x, side="left").astype(np.int64)
        r = self._follow(self.nxt_r, ip)
        lft = self._follow(self.nxt_l, ip)  # index i + 1 ↔ position i; 0 = none
        has_r, has_l = r < self.n, lft > 0
        cr = self.ord_r[np.minimum(r, self.n - 1)]
        cl = self.ord_l[np.maximum(lft - 1, 0)]
        dr = np.where(has_r, np.abs(x - self.scores[cr]), np.inf)
        dl = np.where(has_l, np.abs(x - self.scores[cl]), np.inf)
        rr = np.where(has_r, self.rank[cr], _BIG)
        rl = np.where(has_l, self.rank[cl], _BIG)
        right = (dr < dl) | ((dr == dl) & (rr < rl))
        idx = np.where(right, cr, cl)
        d = np.where(right, dr, dl)
        idx = np.where(np.isfinite(d), idx, -1)
        return idx.astype(np.int64), d, dl, dr


def _bulk_ties(
    active: IntArray,
    prop: IntArray,
    dist: FloatArray,
    mutual: npt.NDArray[np.bool_],
    ts: FloatArray,
    cs: FloatArray,
    trank: IntArray,
    cap: IntArray,
    controls: _FreeSet,
    cdl: FloatArray,
    cdr: FloatArray,
    tdl: FloatArray,
    tdr: FloatArray,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Accepted pairs of one round: locally dominant pairs plus whole tie groups.

    A group ``G`` of live treated with the same score ``x`` whose lowest-rank
    member is locally dominant with control ``c*`` (score ``y``, distance
    ``d*``) is settled at once when no other free control is within ``d*`` of
    ``x`` (the other side is strictly farther) and no other live treated is
    within ``d*`` of ``y``: then the only pending edges of ``G`` and of the run
    ``R`` of free controls with score ``y`` are ``G × R``, all at distance
    ``d*``, and the greedy takes them in (control rank, treated rank) order:
    the controls of ``R`` in rank order fill the capacities of ``G``'s
    members in rank order.
    """
    x = ts[active]
    y = cs[prop]
    opp_c = np.where(cs[prop] >= x, cdl, cdr)  # free controls on the other side of x
    opp_t = np.where(x >= y, tdl, tdr)  # live treated on the other side of y
    # treated with identical scores form contiguous groups in (score, rank) order
    order = np.lexsort((trank[active], x))
    xs = x[order]
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    sizes = np.diff(np.r_[starts, xs.size])
    group_of = np.empty(active.size, dtype=np.int64)
    group_of[order] = np.repeat(np.arange(starts.size), sizes)
    bulk = mutual & (sizes[group_of] >= 2) & (opp_c > dist) & (opp_t > dist)
    single = mutual & ~np.isin(group_of, group_of[bulk])
    out_t = [active[single]]
    out_c = [prop[single]]
    out_d = [dist[single]]
    for i in np.flatnonzero(bulk):  # one per tie group (loop over groups, not people)
        g = group_of[i]
        members = active[order[starts[g] : starts[g] + sizes[g]]]  # rank order
        lo = np.searchsorted(controls.sorted, y[i], side="left")
        hi = np.searchsorted(controls.sorted, y[i], side="right")
        run = controls.ord_r[lo:hi]
        run = run[controls.free[run]]  # rank order (ord_r sorts by score, then rank)
        cum = np.cumsum(cap[members])
        m = int(min(run.size, cum[-1]))
        owner = members[np.searchsorted(cum, np.arange(m), side="right")]
        out_t.append(owner)
        out_c.append(run[:m])
        out_d.append(np.full(m, dist[i]))
    return (
        np.concatenate(out_t).astype(np.int64),
        np.concatenate(out_c).astype(np.int64),
        np.concatenate(out_d),
    )


def _match_without_replacement(
    ts: FloatArray,
    cs: FloatArray,
    trank: IntArray,
    crank: IntArray,
    k: int,
    width: float,
) -> tuple[IntArray, IntArray, FloatArray]:
    controls = _FreeSet(cs, crank)
    treated = _FreeSet(ts, trank)
    cap = np.full(len(ts), k, dtype=np.int64)
    live = np.ones(len(ts), dtype=bool)
    out_t: list[IntArray] = []
    out_c: list[IntArray] = []
    out_d: list[FloatArray] = []
    while controls.remaining > 0:
        active = np.flatnonzero(live)
        if active.size == 0:
            break
        prop, pd_, cdl, cdr = controls.nearest(ts[active])
        none = (prop < 0) | (pd_ > width)
        if none.any():
            live[active[none]] = False
            treated.remove(active[none])
            keep = ~none
            active, prop, pd_, cdl, cdr = active[keep], prop[keep], pd_[keep], cdl[keep], cdr[keep]
        if active.size == 0:
            break
        back, _, tdl, tdr = treated.nearest(cs[prop])
        mutual = back == active
        ta, ca, da = _bulk_ties(
            active, prop, pd_, mutual, ts, cs, trank, cap, controls, cdl, cdr, tdl, tdr
        )
        out_t.append(ta)
        out_c.append(ca)
        out_d.append(da)
        np.subtract.at(cap, ta, 1)
        controls.remove(ca)
        full = np.unique(ta[cap[ta] == 0])
        live[full] = False
        treated.remove(full)
    if not out_t:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    return (
        np.concatenate(out_t).astype(np.int64),
        np.concatenate(out_c).astype(np.int64),
        np.concatenate(out_d),
    )


# ---------------------------------------------------------------------------
# weighted statistics
# ---------------------------------------------------------------------------


def _wmean_var(x: FloatArray, w: FloatArray) -> tuple[float, float, float]:
    """Weighted mean, reliability-weight variance and effective n."""
    sw = float(w.sum())
    if sw <= 0 or x.size == 0:
        return np.nan, np.nan, 0.0
    m = float((w * x).sum() / sw)
    sw2 = float((w * w).sum())
    n_eff = sw * sw / sw2
    denom = sw - sw2 / sw
    v = float((w * (x - m) ** 2).sum() / denom) if denom > 0 else np.nan
    return m, v, n_eff


def _welch(xt: FloatArray, xc: FloatArray, wc: FloatArray, alpha: float) -> dict[str, float]:
    from scipy import stats

    mt, vt, nt = _wmean_var(xt, np.ones_like(xt))
    mc, vc, nc = _wmean_var(xc, wc)
    diff = mt - mc
    a = vt / nt if nt > 0 else np.nan
    c = vc / nc if nc > 0 else np.nan
    se = float(np.sqrt(a + c))
    # numpy division (NaN/inf, no ZeroDivisionError) for zero variances or one person
    with np.errstate(divide="ignore", invalid="ignore"):
        a64, c64 = np.float64(a), np.float64(c)
        df = float((a64 + c64) ** 2 / (a64**2 / (nt - 1.0) + c64**2 / (nc - 1.0)))
    if not np.isfinite(se) or se == 0 or not np.isfinite(df):
        lo = hi = p = np.nan
    else:
        q = float(stats.t.ppf(1 - alpha / 2, df))
        lo, hi = diff - q * se, diff + q * se
        p = float(2 * stats.t.sf(abs(diff) / se, df))
    return {
        "treated_n": float(xt.size),
        "treated_mean": mt,
        "comparison_n": float(xc.size),
        "comparison_n_eff": nc,
        "comparison_mean": mc,
        "difference": diff,
        "se": se,
        "df": float(df) if np.isfinite(df) else np.nan,
        "ci_low": lo,
        "ci_high": hi,
        "p_value": p,
    }


# ---------------------------------------------------------------------------
# result
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MatchResult:
    """Result of :func:`match`.

    Attributes
    ----------
    matched : pandas.DataFrame
        One row per person in the matched sample (matched treated and every
        comparison person used), original columns plus ``treated`` (bool),
        ``logit_propensity``, ``weight`` (ATT weight), ``n_matches`` (number
        of pairs the person is in) and ``subclass`` (Int64: the treated
        person's match group; for a comparison person the group when it is
        used in exactly one, else <NA> — with replacement a person can serve
        several groups, see :attr:`pairs`). Sorted treated first, then by
        original row order.
    pairs : pandas.DataFrame
        One row per (treated, comparison) pair: ``subclass, treated, control``
        (index labels of ``data``), ``treated_logit, control_logit, distance,
        weight`` (``1/k_t``). Sorted by subclass then distance.
    balance : pandas.DataFrame
        Per covariate (design column) and ``logit_propensity``: means before
        and after, SMD % before/after and variance ratios before/after.
    unmatched : pandas.Index
        Index labels of treated people with no match (caliper/strata).
    coefficients : pandas.Series
        Propensity-model coefficients (``const`` first).
    caliper_width : float
        Caliper in logit units (inf when none).
    options : dict
        The matching options used.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from pbr.compare import match
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=300)})
    >>> df["t"] = rng.random(300) < 0.3
    >>> m = match(df, treatment="t", covariates=["x"], replace=True)
    >>> float(m.matched.loc[m.matched["treated"], "weight"].sum()) == m.n_matched_treated
    True
    """

    matched: pd.DataFrame
    pairs: pd.DataFrame
    balance: pd.DataFrame
    unmatched: pd.Index
    coefficients: pd.Series
    caliper_width: float
    options: dict[str, Any] = field(default_factory=dict)
    n_treated: int = 0
    n_pool: int = 0

    @property
    def n_matched_treated(self) -> int:
        """Number of treated people with at least one match."""
        return int(self.matched["treated"].sum())

    @property
    def table(self) -> pd.DataFrame:
        """The balance table (alias of :attr:`balance`)."""
        return self.balance

    def to_frame(self) -> pd.DataFrame:
        """The matched data (copy).

        Examples
        --------
        >>> m = match(_example_data(), treatment="t", covariates=["x"])
        >>> "weight" in m.to_frame().columns
        True
        """
        return self.matched.copy()

    def _groups(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        m = self.matched
        return m[m["treated"]], m[~m["treated"]]

    def outcomes(self, *columns: str, alpha: float = 0.05, min_treated: int = 60) -> pd.DataFrame:
        """Difference in means of any outcome columns, treated − weighted comparison.

        Parameters
        ----------
        *columns : str
            Numeric/boolean outcome columns of the matched data.
        alpha : float
            1 − confidence level of the intervals.
        min_treated : int
            JDL minimum number of matched treated people (default 60).

        Returns
        -------
        pandas.DataFrame
            One row per column: ``measure, treated_n, treated_mean, comparison_n,
            comparison_n_eff, comparison_mean, difference, se, df, ci_low,
            ci_high, p_value, significant``.

        Raises
        ------
        PbrError
            Fewer than ``min_treated`` matched treated, or a missing column.

        Examples
        --------
        >>> m = match(_example_data(), treatment="t", covariates=["x"], replace=True)
        >>> list(m.outcomes("reoffender", "reoffences")["measure"])
        ['reoffender', 'reoffences']
        """
        self._check_jdl(min_treated)
        t, c = self._groups()
        rows = []
        for col in columns:
            self._outcome_column(col)
            r = _welch(_num(t[col]), _num(c[col]), c["weight"].to_numpy(dtype=float), alpha)
            rows.append({"measure": col, **r})
        out = pd.DataFrame(rows)
        out["significant"] = out["p_value"] < alpha
        return out

    def _outcome_column(self, column: str, *, missing_allowed: bool = False) -> None:
        if column not in self.matched.columns:
            raise PbrError(f"outcome column {column!r} is not in the data")
        if not missing_allowed:
            _check_missing(self.matched, [column])

    def _check_jdl(self, min_treated: int) -> None:
        if self.n_matched_treated < min_treated:
            raise PbrError(
                f"only {self.n_matched_treated} treated people were matched; results are "
                f"reported only for at least {min_treated} (JDL rule; pass min_treated "
                "to override deliberately)"
            )

    def estimate(
        self,
        *,
        binary: str = "reoffender",
        frequency: str | None = "reoffences",
        days: str | None = None,
        alpha: float = 0.05,
        min_treated: int = 60,
        min_reoffenders: int = 30,
    ) -> pd.DataFrame:
        """JDL headline and secondary measures with 95 % CIs on the difference.

        Rows: ``binary_rate`` (mean of ``binary``), ``frequency`` (mean of
        ``frequency`` over everyone), and the secondary
        ``frequency_reoffenders`` and ``days_to_first_reoffence`` (mean of
        ``days``), both among reoffenders only (``binary`` true).

        Parameters
        ----------
        binary : str
            0/1 reoffender column.
        frequency : str or None
            Reoffence count column.
        days : str or None
            Days from index date to first reoffence (may be missing for
            non-reoffenders; must be present for reoffenders).
        alpha : float
            1 − confidence level.
        min_treated, min_reoffenders : int
            JDL reporting thresholds (60 and 30).

        Returns
        -------
        pandas.DataFrame
            Columns of :meth:`outcomes` plus ``level`` (headline/secondary),
            ``reported`` (bool) and ``note``.

        Examples
        --------
        >>> m = match(_example_data(), treatment="t", covariates=["x"], replace=True)
        >>> est = m.estimate()
        >>> est["measure"].tolist()
        ['binary_rate', 'frequency', 'frequency_reoffenders']
        """
        self._check_jdl(min_treated)
        t, c = self._groups()
        wc_all = c["weight"].to_numpy(dtype=float)
        self._outcome_column(binary)
        bt, bc = _num(t[binary]), _num(c[binary])
        if not (np.isin(bt, [0, 1]).all() and np.isin(bc, [0, 1]).all()):
            raise PbrError(f"binary outcome column {binary!r} must be 0/1 or boolean")
        rt, rc = bt == 1, bc == 1
        n_reoff = int(rt.sum())
        rows: list[dict[str, Any]] = []

        def add(name: str, level: str, xt: FloatArray, xc: FloatArray, wc: FloatArray) -> None:
            r = _welch(xt, xc, wc, alpha)
            rows.append({"measure": name, "level": level, **r, "reported": True, "note": ""})

        def skip(name: str) -> None:
            r = dict.fromkeys(_welch(np.zeros(0), np.zeros(0), np.zeros(0), alpha), np.nan)
            note = f"not reported: {n_reoff} treated reoffenders < {min_reoffenders} (JDL rule)"
            rows.append(
                {"measure": name, "level": "secondary", **r, "reported": False, "note": note}
            )

        add("binary_rate", "headline", bt, bc, wc_all)
        if frequency is not None:
            self._outcome_column(frequency)
            ft, fc = _num(t[frequency]), _num(c[frequency])
            add("frequency", "headline", ft, fc, wc_all)
            if n_reoff >= min_reoffenders:
                add("frequency_reoffenders", "secondary", ft[rt], fc[rc], wc_all[rc])
            else:
                skip("frequency_reoffenders")
        if days is not None:
            self._outcome_column(days, missing_allowed=True)
            dt = pd.to_numeric(t[days], errors="coerce").to_numpy(dtype=float)[rt]
            dc = pd.to_numeric(c[days], errors="coerce").to_numpy(dtype=float)[rc]
            if np.isnan(dt).any() or np.isnan(dc).any():
                raise PbrError(f"column {days!r} is missing for some reoffenders")
            if n_reoff >= min_reoffenders:
                add("days_to_first_reoffence", "secondary", dt, dc, wc_all[rc])
            else:
                skip("days_to_first_reoffence")
        out = pd.DataFrame(rows)
        out["significant"] = (out["p_value"] < alpha) & out["reported"]
        return out

    def summary(self) -> str:
        """Plain-text summary of the match.

        Examples
        --------
        >>> m = match(_example_data(), treatment="t", covariates=["x"])
        >>> "matched treated" in m.summary()
        True
        """
        c = self.matched[~self.matched["treated"]]
        _, _, n_eff = _wmean_var(np.zeros(len(c)), c["weight"].to_numpy(dtype=float))
        after = self.balance["smd_after_pct"].abs().max()
        o = self.options
        return "\n".join(
            [
                f"Propensity-score matching ({'with' if o.get('replace') else 'without'} "
                f"replacement, 1:{o.get('k')}, caliper "
                f"{o.get('caliper')} SD = {self.caliper_width:.4g} logit units)",
                f"treated: {self.n_treated}; comparison pool: {self.n_pool}",
                f"matched treated: {self.n_matched_treated}; unmatched treated: "
                f"{len(self.unmatched)}",
                f"comparison people used: {len(c)} (effective n {n_eff:.1f})",
                f"max |SMD| after matching: {after:.2f} %",
            ]
        )

    def plot(self, ax: Any = None) -> Any:
        """Balance (Love) plot: absolute SMD (%) before and after matching per covariate.

        Examples
        --------
        >>> ax = match(_example_data(), treatment="t", covariates=["x"]).plot()
        >>> ax.get_xlabel()
        '|standardised mean difference| (%)'
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.4 * len(self.balance) + 1.5))
        b = self.balance
        y = np.arange(len(b))
        ax.scatter(b["smd_before_pct"].abs(), y, marker="o", label="before")
        ax.scatter(b["smd_after_pct"].abs(), y, marker="x", label="after")
        ax.axvline(10, linestyle="--", color="grey", linewidth=1)
        ax.set_yticks(y)
        ax.set_yticklabels(b["covariate"].tolist())
        ax.set_xlabel("|standardised mean difference| (%)")
        ax.set_title("Covariate balance")
        ax.legend()
        return ax

    def _repr_html_(self) -> str:
        head = "<br>".join(html.escape(line) for line in self.summary().splitlines())
        return f"<div><p>{head}</p>{self.balance.to_html(index=False)}</div>"


def _example_data(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """Treated/comparison people with one covariate and outcomes, for the examples."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"x": rng.normal(size=n)})
    df["t"] = rng.random(n) < 0.3
    df["reoffender"] = rng.random(n) < 0.4
    df["reoffences"] = df["reoffender"] * rng.integers(1, 5, n)
    return df


def _num(s: pd.Series) -> FloatArray:
    return np.asarray(pd.to_numeric(s.astype(float) if s.dtype == bool else s), dtype=float)


def _smd_stats(
    x: FloatArray, t: npt.NDArray[np.bool_], w: FloatArray
) -> tuple[float, float, float, float]:
    mt, vt, _ = _wmean_var(x[t], w[t])
    mc, vc, _ = _wmean_var(x[~t], w[~t])
    return mt, mc, vt, vc


def _balance(
    x: pd.DataFrame,
    lp: FloatArray,
    t: npt.NDArray[np.bool_],
    sel: npt.NDArray[np.bool_],
    w: FloatArray,
) -> pd.DataFrame:
    cols = {**{c: x[c].to_numpy(dtype=float) for c in x.columns}, "logit_propensity": lp}
    rows = []
    ones = np.ones(len(t))
    for name, v in cols.items():
        binary = bool(np.isin(v, [0.0, 1.0]).all())
        mt0, mc0, vt0, vc0 = _smd_stats(v, t, ones)
        if binary:
            denom = np.sqrt((mt0 * (1 - mt0) + mc0 * (1 - mc0)) / 2)
        else:
            denom = np.sqrt((vt0 + vc0) / 2)
        mt1, mc1, vt1, vc1 = _smd_stats(v[sel], t[sel], w[sel])
        with np.errstate(divide="ignore", invalid="ignore"):
            rows.append(
                {
                    "covariate": name,
                    "type": "binary" if binary else "continuous",
                    "mean_treated_before": mt0,
                    "mean_comparison_before": mc0,
                    "smd_before_pct": 100 * (mt0 - mc0) / denom if denom > 0 else np.nan,
                    "var_ratio_before": vt0 / vc0 if vc0 > 0 else np.nan,
                    "mean_treated_after": mt1,
                    "mean_comparison_after": mc1,
                    "smd_after_pct": 100 * (mt1 - mc1) / denom if denom > 0 else np.nan,
                    "var_ratio_after": vt1 / vc1 if vc1 > 0 else np.nan,
                }
            )
    return pd.DataFrame(rows)


def _warn_small_pools(
    strata: IntArray, t: npt.NDArray[np.bool_], k: int, replace: bool, stratified: bool
) -> None:
    """Warn when a (stratum's) pool cannot give every treated person ``k`` matches."""
    size = int(strata.max()) + 1 if strata.size else 0
    n_t = np.bincount(strata[t], minlength=size)
    n_c = np.bincount(strata[~t], minlength=size)
    need = n_t * k if not replace else np.where(n_t > 0, k, 0)
    short = (n_t > 0) & (n_c > 0) & (n_c < need)
    if not short.any():
        return
    where = f" in {int(short.sum())} exact-matching stratum/strata" if stratified else ""
    if replace:
        msg = (
            f"matching 1:{k} with replacement: the comparison pool{where} has fewer than "
            f"{k} people (smallest {int(n_c[short].min())}); treated there get fewer than {k}"
        )
    else:
        msg = (
            f"matching 1:{k} without replacement needs {int(need[short].sum())} comparison "
            f"people but the pool{where} has {int(n_c[short].sum())}; some treated will get "
            f"fewer than {k}"
        )
    warnings.warn(msg, IgnoredOptionWarning, stacklevel=3)


# ---------------------------------------------------------------------------
# public entry point
# ---------------------------------------------------------------------------


def match(
    data: pd.DataFrame,
    *,
    treatment: str,
    covariates: Sequence[str],
    k: int = 1,
    replace: bool = False,
    caliper: float | None = 0.2,
    exact: Sequence[str] | None = None,
    random_state: int = 0,
) -> MatchResult:
    """Propensity-score nearest-neighbour matching on the logit of the score.

    Parameters
    ----------
    data : pandas.DataFrame
        Treated people and the comparison pool, one row each, with a unique index.
    treatment : str
        Boolean (or 0/1) column; true = treated.
    covariates : sequence of str
        Propensity-model covariates (text columns one-hot encoded).
    k : int
        Comparison people per treated person (1:k).
    replace : bool
        Match with replacement (a comparison person may serve several treated).
    caliper : float or None
        Maximum distance in pooled SDs of the logit score (default 0.2);
        None for no caliper.
    exact : sequence of str, optional
        Columns whose values must agree exactly (matching within strata).
    random_state : int
        Seed of the tie-breaking permutation.

    Returns
    -------
    MatchResult

    Raises
    ------
    PbrError
        Bad options, missing values, non-binary treatment, no treated or no
        comparison people, duplicate index labels.
    ModelError
        The propensity model cannot be fitted (e.g. perfect separation).

    Warns
    -----
    IgnoredOptionWarning
        A comparison pool (per ``exact`` stratum) too small for ``k`` matches
        per treated person: smaller than ``k × treated`` without replacement,
        smaller than ``k`` with replacement (some treated get fewer than
        ``k``); or an ``exact`` column that is constant (no effect).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"x": [0.0, 0.1, 1.0, 1.1, 5.0], "t": [1, 0, 1, 0, 0]})
    >>> m = match(df, treatment="t", covariates=["x"], caliper=None)
    >>> m.pairs[["treated", "control"]].to_numpy().tolist()
    [[0, 1], [2, 3]]
    """
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise PbrError(f"k must be a positive integer, got {k!r}")
    if caliper is not None and not (np.isfinite(caliper) and caliper > 0):
        raise PbrError(f"caliper must be a positive number or None, got {caliper!r}")
    covariates = list(covariates)
    if not covariates:
        raise PbrError("at least one covariate is required")
    if treatment in covariates:
        raise PbrError(f"the treatment column {treatment!r} cannot also be a covariate")
    if len(set(covariates)) != len(covariates):
        raise PbrError("covariates contain duplicates")
    if not data.index.is_unique:
        raise PbrError("data index must be unique (it identifies people in the pairs table)")
    reserved = {"treated", "logit_propensity", "weight", "n_matches", "subclass"} - {treatment}
    clash = sorted(reserved & set(map(str, data.columns)))
    if clash:
        raise PbrError(f"data columns {clash} clash with the columns match() adds; rename them")
    exact = list(exact) if exact else []
    t = _treatment_vector(data, treatment)
    _check_missing(data, covariates + exact)
    n_t, n_c = int(t.sum()), int((~t).sum())
    if n_t == 0 or n_c == 0:
        raise PbrError(f"need treated and comparison people; got {n_t} treated, {n_c} comparison")
    for col in exact:
        if data[col].nunique() == 1:
            warnings.warn(
                f"exact column {col!r} has a single value; exact matching on it has no effect",
                IgnoredOptionWarning,
                stacklevel=2,
            )
    if exact:
        codes = data[exact].astype(str).agg("\x1f".join, axis=1).to_numpy()
        strata_codes = pd.factorize(codes, sort=True)[0]
    else:
        strata_codes = np.zeros(len(data), dtype=np.int64)
    _warn_small_pools(strata_codes, t, k, replace, bool(exact))

    if caliper is not None and (n_t < 2 or n_c < 2):
        raise PbrError(
            f"a caliper needs at least two treated and two comparison people to estimate the "
            f"SD of the logit score (got {n_t} and {n_c}); pass caliper=None"
        )
    x = _design(data, covariates)
    lp, coef = _fit_logit(t, x)
    if caliper is None:
        width = np.inf
    else:
        sd = float(np.sqrt((np.var(lp[t], ddof=1) + np.var(lp[~t], ddof=1)) / 2))
        width = caliper * sd

    rng = np.random.default_rng(random_state)
    rank = rng.permutation(len(data)).astype(np.int64)
    t_pos = np.flatnonzero(t)
    c_pos = np.flatnonzero(~t)
    st_t = strata_codes[t_pos]
    st_c = strata_codes[c_pos]
    all_t: list[IntArray] = []
    all_c: list[IntArray] = []
    all_d: list[FloatArray] = []
    for s in np.unique(st_t):  # loop over strata, not people
        tp = t_pos[st_t == s]
        cp = c_pos[st_c == s]
        if cp.size == 0:
            continue
        if replace:
            ti, ci, di = _match_with_replacement(lp[tp], lp[cp], rank[cp], k, width)
        else:
            ti, ci, di = _match_without_replacement(lp[tp], lp[cp], rank[tp], rank[cp], k, width)
        all_t.append(tp[ti])
        all_c.append(cp[ci])
        all_d.append(di)
    pt = np.concatenate(all_t) if all_t else np.empty(0, np.int64)
    pc = np.concatenate(all_c) if all_c else np.empty(0, np.int64)
    pdist = np.concatenate(all_d) if all_d else np.empty(0)

    # pairs: subclass numbered by treated row order
    order = np.lexsort((rank[pc], pdist, pt))
    pt, pc, pdist = pt[order], pc[order], pdist[order]
    matched_t = np.unique(pt)
    subclass_of = np.full(len(data), -1, dtype=np.int64)
    subclass_of[matched_t] = np.arange(1, matched_t.size + 1)
    k_t = np.bincount(pt, minlength=len(data)).astype(float)
    pair_w = 1.0 / k_t[pt]
    pairs = pd.DataFrame(
        {
            "subclass": subclass_of[pt],
            "treated": data.index[pt],
            "control": data.index[pc],
            "treated_logit": lp[pt],
            "control_logit": lp[pc],
            "distance": pdist,
            "weight": pair_w,
        }
    )

    w = np.zeros(len(data))
    w[matched_t] = 1.0
    np.add.at(w, pc, pair_w)
    uses = np.bincount(pc, minlength=len(data))
    n_matches = np.where(t, k_t, uses).astype(np.int64)
    ctrl_sub = np.full(len(data), -1, dtype=np.int64)
    ctrl_sub[pc] = subclass_of[pt]  # meaningful only where the control is used once
    sub_values = np.where(t, subclass_of, np.where(uses == 1, ctrl_sub, -1))
    sel = w > 0
    sub = pd.array(sub_values, dtype="Int64")
    sub[sub_values < 0] = pd.NA

    matched = data.copy()
    matched["treated"] = t
    matched["logit_propensity"] = lp
    matched["weight"] = w
    matched["n_matches"] = n_matches
    matched["subclass"] = sub
    rows_order = np.lexsort((np.arange(len(data)), ~t))
    keep = rows_order[sel[rows_order]]
    matched = matched.iloc[keep]

    unmatched_mask = t & (k_t == 0)
    balance = _balance(x, lp, t, sel, w)
    return MatchResult(
        matched=matched,
        pairs=pairs.reset_index(drop=True),
        balance=balance,
        unmatched=data.index[unmatched_mask],
        coefficients=coef,
        caliper_width=float(width),
        options={
            "treatment": treatment,
            "covariates": covariates,
            "k": int(k),
            "replace": bool(replace),
            "caliper": caliper,
            "exact": exact,
            "random_state": random_state,
        },
        n_treated=n_t,
        n_pool=n_c,
    )
