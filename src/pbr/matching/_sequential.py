"""Sequential nearest-neighbour matching: match orders, covariate calipers, Mahalanobis.

Internal to :mod:`pbr.matching.nearest`. Pure Python over the focal people
(10 000 treated take well under a second), with the pool kept sorted once and
"next free" pointers with path compression, so a query skips used pool
members in near-constant time.

A *stream* lists one focal person's pool candidates in (distance, rank) order:
it walks left and right from the focal score's insertion point in the pool's
two sorted orders (by (score, rank) rightwards and (score, −rank) leftwards),
skipping used members (shared pointers) and members failing a covariate
caliper (the stream's own pointers).

Examples
--------
>>> import numpy as np
>>> p = SortedPool(np.array([1.0, 5.0, 9.0]), np.array([0, 1, 2]))
>>> s = p.stream(4.0, None)
>>> p.head(s)
(1, 1.0)
>>> q = SortedPool(np.array([1.0, 1.0]), np.array([0, 1]), adjacent=True)
>>> q.head(q.stream(2.0, None))  # approaching the tie run from the right
(1, 1.0)
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from pbr._types import FloatArray, IntArray
from pbr.matching._kernels import orders

__all__ = ["SortedPool", "closest_heap", "ordered_greedy", "with_replacement_streams"]

Admissible = Callable[[int, int], bool] | None

Pairs = tuple[list[int], list[int], list[float]]


class SortedPool:
    """A pool sorted by score with deletion ("next free" pointers) and candidate streams.

    ``adjacent=True`` sorts both directions by (score, rank), so that among
    equally distant members on the left the one adjacent in that order (the
    highest rank) comes first — MatchIt's tie rule with ranks = row order.
    """

    def __init__(self, scores: FloatArray, rank: IntArray, *, adjacent: bool = False) -> None:
        ord_l, ord_r = orders(scores, rank)
        if adjacent:  # MatchIt's ties: walking left visits a tie run in descending rank
            ord_l = ord_r
        self.n = len(scores)
        self.sorted = scores[ord_r]
        # numpy arrays, not lists: building million-element lists costs more than the
        # few scalar look-ups per query this Python loop makes
        self.ord_l: npt.NDArray[np.int64] = ord_l
        self.ord_r: npt.NDArray[np.int64] = ord_r
        self.score: FloatArray = scores
        self.rank: IntArray = rank
        self.pos_l = np.empty(self.n, dtype=np.int64)
        self.pos_l[ord_l] = np.arange(self.n)
        self.pos_r = np.empty(self.n, dtype=np.int64)
        self.pos_r[ord_r] = np.arange(self.n)
        # nxt_r[i]: first free position >= i in ord_r (n = none);
        # nxt_l[i + 1]: first free position <= i in ord_l, stored +1 (0 = none)
        self.nxt_r = np.arange(self.n + 1, dtype=np.int64)
        self.nxt_l = np.arange(self.n + 1, dtype=np.int64)
        self.free = np.ones(self.n, dtype=bool)

    def remove(self, c: int) -> None:
        """Mark pool member ``c`` used."""
        self.free[c] = False
        pr, pl = int(self.pos_r[c]), int(self.pos_l[c])
        self.nxt_r[pr] = pr + 1
        self.nxt_l[pl + 1] = pl

    @staticmethod
    def _find(nxt: npt.NDArray[np.int64], i: int) -> int:
        root = i
        nr = int(nxt[root])
        while nr != root:
            root, nr = nr, int(nxt[nr])
        while True:  # path compression
            ni = int(nxt[i])
            if ni == root:
                return root
            nxt[i] = root
            i = ni

    def stream(self, x: float, ok: Callable[[int], bool] | None) -> list[object]:
        """A candidate stream for score ``x``: [x, left pos, right pos, ok]."""
        ip = int(np.searchsorted(self.sorted, x, side="left"))
        return [x, ip - 1, ip, ok]

    def head(self, s: list[object]) -> tuple[int, float] | None:
        """Best remaining candidate of a stream (not consumed), or None."""
        x = float(s[0])  # type: ignore[arg-type]
        ok = s[3]
        lpos = self._find(self.nxt_l, int(s[1]) + 1) - 1  # type: ignore[call-overload]
        while lpos >= 0 and ok is not None and not ok(int(self.ord_l[lpos])):  # type: ignore[operator]
            lpos = self._find(self.nxt_l, lpos) - 1
        rpos = self._find(self.nxt_r, int(s[2]))  # type: ignore[call-overload]
        while rpos < self.n and ok is not None and not ok(int(self.ord_r[rpos])):  # type: ignore[operator]
            rpos = self._find(self.nxt_r, rpos + 1)
        s[1], s[2] = lpos, rpos
        best: tuple[float, int, int] | None = None
        if lpos >= 0:
            c = int(self.ord_l[lpos])
            best = (abs(x - float(self.score[c])), int(self.rank[c]), c)
        if rpos < self.n:
            c = int(self.ord_r[rpos])
            cand = (abs(x - float(self.score[c])), int(self.rank[c]), c)
            if best is None or cand < best:
                best = cand
        return None if best is None else (best[2], best[0])

    def skip(self, s: list[object], c: int) -> None:
        """Move a stream past candidate ``c`` (used with replacement, where nothing is removed)."""
        if int(s[1]) >= 0 and int(self.ord_l[int(s[1])]) == c:  # type: ignore[call-overload]
            s[1] = int(s[1]) - 1  # type: ignore[call-overload]
        else:
            s[2] = int(s[2]) + 1  # type: ignore[call-overload]


def _ok_for(ok: Admissible, t: int) -> Callable[[int], bool] | None:
    if ok is None:
        return None
    return lambda c: ok(t, c)


def _take(pool: SortedPool, n_m: list[int], out: Pairs, t: int, c: int, d: float) -> None:
    """Match focal person ``t`` to pool member ``c`` at distance ``d`` (without replacement)."""
    pool.remove(c)
    n_m[t] += 1
    out[0].append(t)
    out[1].append(c)
    out[2].append(d)


def ordered_greedy(
    ts: FloatArray,
    pool: SortedPool,
    order: Sequence[int],
    k: int,
    width: float,
    ok: Admissible,
) -> Pairs:
    """MatchIt-style greedy without replacement, in rounds.

    In round ``r`` (1..k) the focal people that got ``r − 1`` matches take, one
    at a time in ``order``, their nearest free admissible pool member within
    ``width`` (ties by pool rank).
    """
    n_m = [0] * len(ts)
    out: Pairs = ([], [], [])
    for r in range(k):
        for t in order:
            if n_m[t] != r:
                continue
            h = pool.head(pool.stream(float(ts[t]), _ok_for(ok, t)))
            if h is None or h[1] > width:
                continue
            _take(pool, n_m, out, t, *h)
    return out


def closest_heap(
    ts: FloatArray,
    trank: IntArray,
    pool: SortedPool,
    k: int,
    width: float,
    ok: Admissible,
) -> Pairs:
    """Best-pair-first greedy in rounds with admissibility (covariate calipers).

    Round ``r``: among focal people with ``r − 1`` matches, pairs are taken in
    order of (distance, pool rank, focal rank) while the pool member is free;
    each focal person takes one per round. A heap holds each focal person's
    current best candidate.
    """
    n_m = [0] * len(ts)
    out: Pairs = ([], [], [])
    tr = trank.tolist()
    for r in range(k):
        streams: dict[int, list[object]] = {}
        heap: list[tuple[float, int, int, int, int]] = []
        for t in range(len(ts)):
            if n_m[t] != r:
                continue
            s = pool.stream(float(ts[t]), _ok_for(ok, t))
            streams[t] = s
            h = pool.head(s)
            if h is not None and h[1] <= width:
                heap.append((h[1], int(pool.rank[h[0]]), tr[t], t, h[0]))
        heapq.heapify(heap)
        while heap:
            d, _, _, t, c = heapq.heappop(heap)
            if not pool.free[c]:
                h = pool.head(streams[t])
                if h is not None and h[1] <= width:
                    heapq.heappush(heap, (h[1], int(pool.rank[h[0]]), tr[t], t, h[0]))
                continue
            _take(pool, n_m, out, t, c, d)
    return out


def with_replacement_streams(
    ts: FloatArray, pool: SortedPool, k: int, width: float, ok: Admissible
) -> Pairs:
    """Each focal person's ``k`` nearest admissible pool members within ``width``."""
    out: Pairs = ([], [], [])
    for t in range(len(ts)):
        s = pool.stream(float(ts[t]), _ok_for(ok, t))
        for _ in range(k):
            h = pool.head(s)
            if h is None or h[1] > width:
                break
            out[0].append(t)
            out[1].append(h[0])
            out[2].append(h[1])
            pool.skip(s, h[0])
    return out


def mahalanobis_match(
    zt: FloatArray,
    zc: FloatArray,
    crank: IntArray,
    order: Sequence[int],
    k: int,
    replace: bool,
    ok: Admissible,
    grid: float,
) -> Pairs:
    """Greedy Mahalanobis matching in ``order`` (rounds without replacement).

    ``zt``/``zc`` are whitened coordinates (Euclidean = Mahalanobis). Distances
    are rounded to ``grid`` before ranking; ties by pool rank among the
    candidates returned. Candidates come from a k-d tree, asking for more
    neighbours until enough free admissible ones are found (a pool member tied
    with the last candidate but not returned by the tree is not considered).
    """
    from scipy.spatial import cKDTree

    tree = cKDTree(zc)
    n_c = len(zc)
    free = np.ones(n_c, dtype=bool)
    n_m = [0] * len(zt)
    out: Pairs = ([], [], [])
    rounds = 1 if replace else k
    need = k if replace else 1
    m0 = min(n_c, 8 * need)
    # everyone's first m0 neighbours in one call (in C, on all cores); a person whose
    # candidates are all taken asks the tree again for more
    d_all, i_all = tree.query(zt, k=m0, workers=-1)
    d_all = d_all.reshape(len(zt), m0)
    i_all = i_all.reshape(len(zt), m0)
    for r in range(rounds):
        for t in order:
            if n_m[t] != r * need:
                continue
            m = m0
            d, idx = d_all[t], i_all[t]
            while True:
                good = free[idx] if not replace else np.ones(idx.size, bool)
                if ok is not None:
                    good &= np.array([ok(t, int(c)) for c in idx], dtype=bool)
                if good.sum() >= need or m >= n_c:
                    break
                m = min(n_c, m * 4)
                d, idx = tree.query(zt[t], k=m)
                d, idx = np.atleast_1d(d), np.atleast_1d(idx)
            dd = np.rint(d[good] / grid) * grid
            cc = idx[good]
            pick = np.lexsort((crank[cc], dd))[:need]
            for j in pick:
                c = int(cc[j])
                out[0].append(t)
                out[1].append(c)
                out[2].append(float(dd[j]))
                n_m[t] += 1
                if not replace:
                    free[c] = False
    return out
