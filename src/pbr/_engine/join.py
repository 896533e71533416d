"""Count offence rows in each member's window: the member × offence many-to-many join.

Members (one row per index event; an offender may have several) are laid out
sorted by (offender code, index day), so one offender's members are adjacent
in memory, with their dates stored in that layout (int32 when they fit: half the
memory traffic of the join's gathers). Per offender the earliest index day and
the latest window ends bound every window, so an offence row outside its
offender's bounds is dropped before any pair is made.

Each remaining offence row is paired with every member of its offender; the
pair's position in the layout is built from one per-offence base. The caller's
window test decides which pairs count. The offence rows are split into one part
per core (threads; numpy releases the GIL) and each part is joined in blocks of
at most ``_BLOCK_PAIRS`` candidate pairs (bounded memory). Counts are
:func:`numpy.bincount` of the member index of the pairs that count, or of the
distinct (member, key) pairs when a key per offence row is given.

Examples
--------
>>> import numpy as np
>>> def inside(o, d, i, f, w):
...     return (o > i) & (o <= f) & (d <= w)
>>> rows = OffenceRows(np.array([0, 0, 1]), np.array([5, 9, 5]), np.array([5, 9, 5]))
>>> n, first = count_in_windows(np.array([0, 1]), 2, np.array([1, 6]), np.array([8, 9]),
...     np.array([9, 9]), rows, inside)
>>> n.tolist(), first.tolist()
([1, 0], [5, 9223372036854775807])
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from pbr._engine.arrays import argsort_keys

__all__ = ["NO_DAY", "OffenceRows", "WindowTest", "count_in_windows"]

I64 = npt.NDArray[np.int64]
IntArr = npt.NDArray[np.integer[Any]]
Bools = npt.NDArray[np.bool_]
#: ``(offence_day, disposal_day, index_day, follow_up_end, window_end) -> mask``
WindowTest = Callable[[Any, Any, Any, Any, Any], Any]
#: First-offence day of a member without a counted offence.
NO_DAY = int(np.iinfo(np.int64).max)
#: Maximum number of (offence, member) candidate pairs materialised at once.
_BLOCK_PAIRS = 1_000_000


@dataclass(frozen=True, eq=False)
class OffenceRows:
    """Offence rows that may count, with their offender code in the member universe.

    Attributes
    ----------
    code : numpy.ndarray of int
        Offender code (position in the members' universe, >= 0).
    offence_day, disposal_day : numpy.ndarray of int
        Day numbers (days since 1970-01-01).
    appearance : pyarrow.ChunkedArray, optional
        ``appearance_id`` of each row, when the rule set needs it.

    Examples
    --------
    >>> import numpy as np
    >>> a = OffenceRows(np.array([0]), np.array([5]), np.array([6]))
    >>> len(OffenceRows.concat([a, a]))
    2
    """

    code: IntArr
    offence_day: IntArr
    disposal_day: IntArr
    appearance: pa.ChunkedArray | None = None

    def __len__(self) -> int:
        return len(self.code)

    def take(self, rows: I64) -> OffenceRows:
        """The rows at positions ``rows``.

        Examples
        --------
        >>> import numpy as np
        >>> OffenceRows(np.array([0, 1]), np.array([5, 6]), np.array([5, 6])).take(
        ...     np.array([1])).code.tolist()
        [1]
        """
        app = self.appearance.take(pa.array(rows)) if self.appearance is not None else None
        return OffenceRows(self.code[rows], self.offence_day[rows], self.disposal_day[rows], app)

    @staticmethod
    def concat(parts: Sequence[OffenceRows]) -> OffenceRows:
        """The rows of several parts, in order.

        Examples
        --------
        >>> len(OffenceRows.concat([]))
        0
        """
        if not parts:
            e = np.empty(0, dtype=np.int32)
            return OffenceRows(e, e, e)
        apps = [p.appearance for p in parts]
        app = None
        if all(a is not None for a in apps):
            chunks = [c for a in apps if a is not None for c in a.chunks]
            app = pa.chunked_array(chunks, pa.string())
        return OffenceRows(
            np.concatenate([p.code for p in parts]),
            np.concatenate([p.offence_day for p in parts]),
            np.concatenate([p.disposal_day for p in parts]),
            app,
        )


class _Members:
    """Members laid out by (offender code, index date) for the many-to-many join."""

    def __init__(self, code: I64, n_codes: int, day: I64, end_fu: I64, end_w: I64) -> None:
        self.n = len(day)
        self.order: I64 = argsort_keys([code, day])
        self.count: I64 = np.bincount(code, minlength=n_codes).astype(np.int64)
        self.start: I64 = np.cumsum(self.count) - self.count
        small_days = self.n == 0 or (
            int(day.min()) >= -(2**31) and max(int(end_fu.max()), int(end_w.max())) < 2**31
        )
        dt = np.int32 if small_days else np.int64
        self.day_s: IntArr = day[self.order].astype(dt)
        self.end_fu_s: IntArr = end_fu[self.order].astype(dt)
        self.end_w_s: IntArr = end_w[self.order].astype(dt)
        # per offender: earliest index date and latest window ends (empty offenders: none)
        big, small = np.iinfo(np.int64).max, np.iinfo(np.int64).min
        self.lo: I64 = np.full(n_codes, big, dtype=np.int64)
        self.hi_fu: I64 = np.full(n_codes, small, dtype=np.int64)
        self.hi_w: I64 = np.full(n_codes, small, dtype=np.int64)
        nz = self.count > 0
        if self.n:
            first = self.start[nz]
            self.lo[nz] = self.day_s[first]
            self.hi_fu[nz] = np.maximum.reduceat(self.end_fu_s, first)
            self.hi_w[nz] = np.maximum.reduceat(self.end_w_s, first)

    def in_bounds(self, test: WindowTest, code: IntArr, off: IntArr, disp: IntArr) -> Bools:
        """Offence rows inside their offender's earliest index date and latest window ends."""
        out: Bools = test(off, disp, self.lo[code], self.hi_fu[code], self.hi_w[code])
        return out


def _pairs(
    mem: _Members, test: WindowTest, rows: OffenceRows, key: I64 | None
) -> tuple[I64, IntArr, I64 | None]:
    """(member index, offence day, key) of every pair inside the window, in offence order."""
    code, off, disp = rows.code, rows.offence_day, rows.disposal_day
    n_off = len(code)
    cores = os.cpu_count() or 1
    n_parts = max(1, min(cores, n_off // 1024))
    cuts = [n_off * i // n_parts for i in range(n_parts + 1)]

    def block(
        c: IntArr, o: IntArr, d: IntArr, x: I64 | None, k: I64
    ) -> tuple[I64, IntArr, I64 | None]:
        # position in the sorted member layout of each candidate pair:
        # start of the offender's members + rank of the pair within its offence
        base = mem.start[c] - (np.cumsum(k) - k)
        pos = np.repeat(base, k) + np.arange(int(k.sum()), dtype=np.int64)
        od = np.repeat(o, k)
        hit = test(od, np.repeat(d, k), mem.day_s[pos], mem.end_fu_s[pos], mem.end_w_s[pos])
        h = np.flatnonzero(hit)
        return mem.order[pos[h]], od[h], (np.repeat(x, k)[h] if x is not None else None)

    def part(ab: tuple[int, int]) -> list[tuple[I64, IntArr, I64 | None]]:
        a, b = ab
        kept = a + np.flatnonzero(mem.in_bounds(test, code[a:b], off[a:b], disp[a:b]))
        c, o, d = code[kept], off[kept], disp[kept]
        x = key[kept] if key is not None else None
        n_per = mem.count[c]
        cum = np.cumsum(n_per)
        total = int(cum[-1]) if len(cum) else 0
        # blocks of about _BLOCK_PAIRS candidate pairs (an offence is never split)
        bl = np.searchsorted(cum, np.arange(_BLOCK_PAIRS, total, _BLOCK_PAIRS), side="left")
        bounds = [0, *[int(q) + 1 for q in bl], len(c)]
        return [
            block(c[p:q], o[p:q], d[p:q], x[p:q] if x is not None else None, n_per[p:q])
            for p, q in itertools.pairwise(bounds)
            if q > p
        ]

    ranges = list(itertools.pairwise(cuts))
    if n_parts > 1:  # independent parts; order is kept
        with ThreadPoolExecutor(n_parts) as ex:
            results = [r for rs in ex.map(part, ranges) for r in rs]
    else:
        results = [r for ab in ranges for r in part(ab)]
    if not results:
        e = np.empty(0, dtype=np.int64)
        return e, e, (e if key is not None else None)
    return (
        np.concatenate([r[0] for r in results]),
        np.concatenate([r[1] for r in results]),
        np.concatenate([r[2] for r in results if r[2] is not None]) if key is not None else None,
    )


def count_in_windows(
    member_code: I64,
    n_codes: int,
    index_day: I64,
    follow_up_end: I64,
    window_end: I64,
    offences: OffenceRows,
    in_window: WindowTest,
    distinct: I64 | None = None,
) -> tuple[I64, I64]:
    """Per member: offence rows (or distinct keys) inside its window, and the first one.

    Parameters
    ----------
    member_code : numpy.ndarray of int64
        Offender code of each member, in ``range(n_codes)`` (the codes of
        ``offences.code`` name the same offenders).
    n_codes : int
        Size of the offender universe.
    index_day, follow_up_end, window_end : numpy.ndarray of int64
        Per member: day numbers of the index date and of the two window ends.
    offences : OffenceRows
    in_window : callable
        ``in_window(offence_day, disposal_day, index_day, follow_up_end,
        window_end) -> bool mask``, elementwise. It must be monotone in the
        member's days (a row inside some member's window is inside the
        offender-level bounds built from the earliest index day and latest ends).
    distinct : numpy.ndarray of int64, optional
        A key per offence row: count distinct (member, key) pairs instead of rows.

    Returns
    -------
    (count, first_offence_day) : numpy.ndarray of int64
        ``first_offence_day`` is :data:`NO_DAY` for members without a counted row.

    Examples
    --------
    >>> import numpy as np
    >>> def inside(o, d, i, f, w):
    ...     return (o > i) & (o <= f) & (d <= w)
    >>> rows = OffenceRows(np.array([0, 0]), np.array([5, 6]), np.array([5, 6]))
    >>> count_in_windows(np.array([0]), 1, np.array([1]), np.array([9]), np.array([9]),
    ...     rows, inside, distinct=np.array([7, 7]))[0].tolist()
    [1]
    """
    n = len(index_day)
    first = np.full(n, NO_DAY, dtype=np.int64)
    if n == 0 or len(offences) == 0:
        return np.zeros(n, dtype=np.int64), first
    mem = _Members(np.asarray(member_code, np.int64), n_codes, index_day, follow_up_end, window_end)
    if distinct is not None:  # drop rows outside the bounds before carrying the keys
        kept = np.flatnonzero(
            mem.in_bounds(in_window, offences.code, offences.offence_day, offences.disposal_day)
        )
        offences = OffenceRows(
            offences.code[kept], offences.offence_day[kept], offences.disposal_day[kept]
        )
        distinct = distinct[kept]
    mi, od, key = _pairs(mem, in_window, offences, distinct)
    if key is not None:
        o = np.lexsort((key, mi))
        mi_s, key_s = mi[o], key[o]
        new = np.ones(len(mi_s), dtype=bool)
        new[1:] = (mi_s[1:] != mi_s[:-1]) | (key_s[1:] != key_s[:-1])
        count = np.bincount(mi_s[new], minlength=n).astype(np.int64)
    else:
        count = np.bincount(mi, minlength=n).astype(np.int64)
    np.minimum.at(first, mi, od.astype(np.int64))  # same dtypes: numpy's fast path
    return count, first
