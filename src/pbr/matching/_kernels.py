"""Vectorised one-dimensional nearest-neighbour kernels (no Python loop over people).

Internal to :mod:`pbr.matching.nearest`. Scores are on the tie-breaking grid
(exact integers in float64, :mod:`pbr.matching.distance`); ``rank`` is the
seeded unique rank of each person, which breaks equal distances.

* :func:`k_nearest_with_replacement` — each focal person's ``k`` nearest pool
  members by (distance, rank), for everyone at once with a sorted search.
* :func:`best_pair_first` — *best-pair-first greedy* without replacement: all
  admissible pairs in order of (distance, pool rank, focal rank), a pair
  accepted while the pool member is free and the focal person has spare
  capacity; computed in vectorised rounds of *locally dominant* pairs (a
  focal person's nearest free pool member whose nearest live focal person is
  the proposer), which are exactly the pairs the sequential greedy accepts.
  Free pool members are kept in two sorted orders with "next remaining"
  pointers (pointer jumping with path compression), so a round costs about
  the number of active focal people, not the pool size. Whole tie groups are
  settled in one round when no other person is at the same distance
  (:func:`_bulk_ties`).

Examples
--------
>>> import numpy as np
>>> ti, ci, d = best_pair_first(np.array([0.0, 10.0]), np.array([9.0, 1.0, 50.0]),
...                             np.array([0, 1]), np.array([2, 3, 4]), 1, np.inf)
>>> sorted(zip(ti.tolist(), ci.tolist()))
[(0, 1), (1, 0)]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pbr._types import FloatArray, IntArray

__all__ = ["FreeSet", "best_pair_first", "k_nearest_with_replacement", "orders"]


_BIG = np.iinfo(np.int64).max


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


def orders(scores: FloatArray, rank: IntArray) -> tuple[IntArray, IntArray]:
    """Pool positions sorted by (score, −rank) and by (score, rank); ranks are unique.

    One sort: on a packed int64 key ``(score − min) · 2^b + rank`` when it fits
    (grid scores are exact integers), else a two-key ``lexsort``. The (score, −rank)
    order is the (score, rank) order with every run of equal scores reversed.
    """
    n = len(scores)
    if n == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    lo, hi = float(scores.min()), float(scores.max())
    bits = max(int(rank.max(initial=0)).bit_length(), 1)
    integral = bool(np.all(scores == np.rint(scores)))
    if integral and hi - lo < 2.0 ** (62 - bits) and rank.min(initial=0) >= 0:
        key = ((scores - lo).astype(np.int64) << bits) | rank.astype(np.int64)
        ord_r = np.argsort(key).astype(np.int64)  # keys are unique
    else:
        ord_r = np.lexsort((rank, scores)).astype(np.int64)
    s = scores[ord_r]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    if starts.size == n:  # no ties
        return ord_r, ord_r
    ends = np.r_[starts[1:], n] - 1
    run = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, n]))
    pos = np.arange(n)
    ord_l = ord_r[starts[run] + ends[run] - pos]
    return ord_l, ord_r


def k_nearest_with_replacement(
    ts: FloatArray, cs: FloatArray, crank: IntArray, k: int, width: float
) -> tuple[IntArray, IntArray, FloatArray]:
    ord_l, ord_r = orders(cs, crank)
    c, d = _k_nearest(ts, cs, crank, ord_l, ord_r, k)
    ok = (c >= 0) & (d <= width)
    ti = np.repeat(np.arange(len(ts)), k).reshape(len(ts), k)
    return ti[ok].astype(np.int64), c[ok].astype(np.int64), d[ok]


class FreeSet:
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
        self.ord_l, self.ord_r = orders(scores, rank)
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
    controls: FreeSet,
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


def best_pair_first(
    ts: FloatArray,
    cs: FloatArray,
    trank: IntArray,
    crank: IntArray,
    k: int,
    width: float,
) -> tuple[IntArray, IntArray, FloatArray]:
    controls = FreeSet(cs, crank)
    treated = FreeSet(ts, trank)
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
