"""The nearest-neighbour matcher: orders, rounds, calipers (methodology, "Comparisons …", §1).

:func:`match_stratum` matches the *focal* people (the treated for the ATT,
the comparison people for the ATC) of one exact-matching stratum to the
others on a one-dimensional score already on the tie-breaking grid
(:mod:`pbr.matching.distance`). Equal distances are broken by a seeded
unique rank of every person.

Match order (MatchIt's ``m.order``)
    ``"closest"`` (default)
        *Best pair first*: admissible pairs in order of (distance, pool rank,
        focal rank); the result does not depend on the order of the rows.
    ``"largest"`` / ``"smallest"``
        Focal people one at a time from the largest (smallest) score, each
        taking its nearest free pool member — MatchIt's default for a
        propensity score is ``"largest"``.
    ``"random"``
        One at a time in a seeded random order (the seeded ranks).
    ``"data"``
        One at a time in row order.
Rounds (``ratio > 1`` without replacement)
    Matching happens in ``ratio`` rounds: every focal person gets a first
    match before anyone gets a second (MatchIt). A person who found no match
    in a round takes no part in later ones (the pool only shrinks).
With replacement
    Each focal person takes its ``ratio`` nearest pool members; the order
    does not matter.
Calipers
    ``width`` bounds the score distance (``≤``); ``admissible(f, p)`` is an
    extra check (per-covariate calipers) — with it, candidates are walked one
    by one (:mod:`pbr.matching._sequential`), otherwise the vectorised kernels
    of :mod:`pbr.matching._kernels` run.

Examples
--------
>>> import numpy as np
>>> fi, pi, d = match_stratum(np.array([0.0, 10.0]), np.array([9.0, 1.0, 11.0]),
...     np.array([0, 1]), np.array([2, 3, 4]), ratio=1, replace=False, width=np.inf,
...     m_order="largest")
>>> sorted(zip(fi.tolist(), pi.tolist()))
[(0, 1), (1, 0)]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pbr._types import FloatArray, IntArray
from pbr.errors import PbrError
from pbr.matching import _kernels, _sequential

__all__ = ["M_ORDERS", "focal_order", "match_stratum"]


#: Accepted match orders.
M_ORDERS = ("closest", "largest", "smallest", "random", "data")

Result = tuple[IntArray, IntArray, FloatArray]


def focal_order(scores: FloatArray, rank: IntArray, m_order: str) -> list[int]:
    """Positions of the focal people in the order they are matched (sequential orders).

    Examples
    --------
    >>> import numpy as np
    >>> focal_order(np.array([1.0, 3.0, 3.0]), np.array([5, 9, 2]), "largest")
    [2, 1, 0]
    """
    if m_order == "largest":
        o = np.lexsort((rank, -scores))
    elif m_order == "smallest":
        o = np.lexsort((rank, scores))
    elif m_order == "random":
        o = np.argsort(rank, kind="stable")
    elif m_order == "data":
        o = np.arange(len(scores))
    else:
        raise PbrError(f"m_order must be one of {M_ORDERS}, got {m_order!r}")
    return [int(v) for v in o]


def _as_arrays(p: _sequential.Pairs) -> Result:
    return (
        np.asarray(p[0], dtype=np.int64),
        np.asarray(p[1], dtype=np.int64),
        np.asarray(p[2], dtype=float),
    )


def _closest_rounds(
    fs: FloatArray, ps: FloatArray, frank: IntArray, prank: IntArray, ratio: int, width: float
) -> Result:
    n_m = np.zeros(len(fs), dtype=np.int64)
    free = np.ones(len(ps), dtype=bool)
    out_f: list[IntArray] = []
    out_p: list[IntArray] = []
    out_d: list[FloatArray] = []
    for r in range(ratio):
        act = np.flatnonzero(n_m == r)
        avail = np.flatnonzero(free)
        if act.size == 0 or avail.size == 0:
            break
        fi, pi, d = _kernels.best_pair_first(fs[act], ps[avail], frank[act], prank[avail], 1, width)
        fi, pi = act[fi], avail[pi]
        n_m[fi] += 1
        free[pi] = False
        out_f.append(fi)
        out_p.append(pi)
        out_d.append(d)
    if not out_f:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    return np.concatenate(out_f), np.concatenate(out_p), np.concatenate(out_d)


def match_stratum(
    fs: FloatArray,
    ps: FloatArray,
    frank: IntArray,
    prank: IntArray,
    *,
    ratio: int,
    replace: bool,
    width: float,
    m_order: str,
    admissible: Callable[[int, int], bool] | None = None,
    adjacent_ties: bool = False,
    order_rank: IntArray | None = None,
) -> Result:
    """Match focal scores ``fs`` to pool scores ``ps`` (module notes).

    Parameters
    ----------
    fs, ps : numpy.ndarray
        Focal and pool scores on the tie-breaking grid.
    frank, prank : numpy.ndarray
        Unique seeded ranks (tie-breaking; the ``"random"`` order).
    ratio : int
        Matches per focal person.
    replace : bool
        With replacement.
    width : float
        Caliper on the score distance (grid units; ``inf`` for none).
    m_order : str
        One of :data:`M_ORDERS`.
    admissible : callable, optional
        ``admissible(f, p)`` → bool, an extra condition on a pair (positions in
        ``fs`` and ``ps``).
    adjacent_ties : bool
        MatchIt's tie rule (``ties="data"`` of :func:`pbr.matching.match`):
        among equally distant pool members on one side, the one adjacent in
        (score, rank) order; the sequential kernels run.
    order_rank : numpy.ndarray, optional
        Ranks that set the sequential orders (``"random"``, ties of
        ``"largest"``/``"smallest"``); ``frank`` by default.

    Returns
    -------
    tuple of numpy.ndarray
        Focal positions, pool positions and grid distances of the pairs.

    Examples
    --------
    >>> import numpy as np
    >>> fi, pi, d = match_stratum(np.array([0.0, 1.0]), np.array([0.0, 1.0, 2.0, 3.0]),
    ...     np.array([0, 1]), np.array([2, 3, 4, 5]), ratio=2, replace=False,
    ...     width=np.inf, m_order="closest")
    >>> sorted(zip(fi.tolist(), pi.tolist()))  # rounds: both get a first match first
    [(0, 0), (0, 3), (1, 1), (1, 2)]
    """
    if m_order not in M_ORDERS:
        raise PbrError(f"m_order must be one of {M_ORDERS}, got {m_order!r}")
    if len(fs) == 0 or len(ps) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    vectorised = admissible is None and not adjacent_ties
    if replace:
        if vectorised:
            return _kernels.k_nearest_with_replacement(fs, ps, prank, ratio, width)
        pool = _sequential.SortedPool(ps, prank, adjacent=adjacent_ties)
        return _as_arrays(_sequential.with_replacement_streams(fs, pool, ratio, width, admissible))
    if m_order == "closest":
        if vectorised:
            return _closest_rounds(fs, ps, frank, prank, ratio, width)
        pool = _sequential.SortedPool(ps, prank, adjacent=adjacent_ties)
        return _as_arrays(_sequential.closest_heap(fs, frank, pool, ratio, width, admissible))
    pool = _sequential.SortedPool(ps, prank, adjacent=adjacent_ties)
    order = focal_order(fs, frank if order_rank is None else order_rank, m_order)
    return _as_arrays(_sequential.ordered_greedy(fs, pool, order, ratio, width, admissible))
