"""Proven reoffending: the counting rules (SPEC §4).

An offence row of the same offender counts as a **proven reoffence** of a cohort
member with index date *d* when, with calendar-month arithmetic
(:func:`pbr.dates.add_months`, month-end clipping, both ends inclusive)::

    d < offence_date <= add_months(d, follow_up)                 # follow-up window
    disposal_date <= add_months(d, follow_up + waiting)          # waiting period
    disposal_type in {conviction, caution}                        # ("conviction" only for
                                                                  #  convictions_only and
                                                                  #  reconviction_events)
    not breach

Rule sets (:data:`RULE_SETS`):

* ``moj_proven`` (default) — convictions and cautions; every qualifying offence
  row counts, duplicates included (two counts of one offence on one day are two
  offences);
* ``convictions_only`` — as ``moj_proven`` but cautions never count;
* ``reconviction_events`` — the number of distinct court **appearances** with a
  conviction for a qualifying offence: distinct ``appearance_id`` where present,
  otherwise one appearance per distinct ``disposal_date`` of the offender (rows
  without an ``appearance_id`` never merge with rows that have one).

The engine is vectorised: offender ids are encoded to integers once, offences
are filtered with vector masks, joined to members through a sorted
(offender, index date) layout in bounded blocks, tested with integer day
numbers and aggregated with :func:`numpy.bincount`.

Examples
--------
>>> import pandas as pd
>>> members = pd.DataFrame({"offender_id": ["A"], "index_date": pd.to_datetime(["2016-02-29"])})
>>> offences = pd.DataFrame({
...     "offender_id": ["A", "A", "A"],
...     "offence_date": pd.to_datetime(["2016-02-29", "2017-02-28", "2017-03-01"]),
...     "disposal_date": pd.to_datetime(["2016-03-01", "2017-08-28", "2017-03-02"]),
...     "disposal_type": ["conviction"] * 3})
>>> count_reoffending(members, offences)[["reoffences", "reoffender"]].to_dict("records")
[{'reoffences': 1, 'reoffender': True}]
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pbr.dates import add_months, as_days
from pbr.errors import PbrError

__all__ = [
    "RULE_SETS",
    "add_months_days",
    "argsort_keys",
    "count_reoffending",
    "counting_disposals",
    "prepare_offences",
    "table_map",
    "window_ends",
]

#: The named counting rule sets (SPEC §4).
RULE_SETS: tuple[str, ...] = ("moj_proven", "convictions_only", "reconviction_events")

I64 = npt.NDArray[np.int64]
IntArr = npt.NDArray[np.integer[Any]]
_NO_DATE = np.iinfo(np.int64).max
#: Maximum number of (offence, member) candidate pairs materialised at once.
_BLOCK_PAIRS = 4_000_000


def counting_disposals(rules: str) -> tuple[str, ...]:
    """Disposal types that can prove a reoffence under a rule set.

    Examples
    --------
    >>> counting_disposals("moj_proven")
    ('conviction', 'caution')
    >>> counting_disposals("reconviction_events")
    ('conviction',)
    """
    check_rules(rules)
    return ("conviction", "caution") if rules == "moj_proven" else ("conviction",)


def check_rules(rules: str) -> None:
    """Raise :class:`~pbr.errors.PbrError` unless ``rules`` is a known rule set."""
    if rules not in RULE_SETS:
        raise PbrError(f"unknown rule set {rules!r}; expected one of {RULE_SETS}")


def check_months(follow_up_months: Any, waiting_months: Any) -> tuple[int, int]:
    """Validate the follow-up and waiting lengths (whole months, follow-up >= 1, waiting >= 0)."""
    for name, v, lo in (
        ("follow_up_months", follow_up_months, 1),
        ("waiting_months", waiting_months, 0),
    ):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or int(v) < lo:
            raise PbrError(f"{name} must be a whole number of months >= {lo}, not {v!r}")
    return int(follow_up_months), int(waiting_months)


def argsort_keys(keys: list[npt.NDArray[np.int64]]) -> npt.NDArray[np.int64]:
    """Stable argsort by several integer keys (first key most significant).

    The keys and the input position are packed into one int64 when their ranges
    allow, and sorted with numpy's (vectorised) default sort: every packed key is
    distinct, so the order is the stable one. Otherwise :func:`numpy.lexsort`.

    Examples
    --------
    >>> import numpy as np
    >>> argsort_keys([np.array([1, 0, 1, 0]), np.array([5, 5, 4, 5])]).tolist()
    [1, 3, 2, 0]
    """
    n = len(keys[0])
    if n == 0:
        return np.empty(0, dtype=np.int64)
    keys = [*(np.asarray(k, dtype=np.int64) for k in keys), np.arange(n, dtype=np.int64)]
    packed = np.zeros(n, dtype=np.int64)
    total = 1
    for k in keys:
        lo, hi = int(k.min()), int(k.max())
        span = hi - lo + 1
        total *= span
        if total >= 1 << 62:
            out: npt.NDArray[np.int64] = np.lexsort(tuple(reversed(keys))).astype(np.int64)
            return out
        packed = packed * span + (k - lo)
    res: npt.NDArray[np.int64] = np.argsort(packed).astype(np.int64)
    return res


def table_map(days: Any, fn: Callable[[I64], I64]) -> I64:
    """Apply a day-number function through a lookup table over the range of ``days``.

    Calendar conversions (``datetime64`` month units) cost tens of nanoseconds per
    element; cohort dates span a few thousand distinct days, so evaluating ``fn``
    once per day in ``[min, max]`` and gathering is much faster. Sparse inputs
    (range > 4 × size) call ``fn`` directly. Same results either way.

    Examples
    --------
    >>> import numpy as np
    >>> table_map(np.array([3, 1, 3]), lambda r: r * 10).tolist()
    [30, 10, 30]
    """
    z = np.asarray(days, dtype=np.int64)
    if len(z) == 0:
        return np.asarray(fn(z), dtype=np.int64)
    lo, hi = int(z.min()), int(z.max())
    if hi - lo + 1 > 4 * len(z):
        return np.asarray(fn(z), dtype=np.int64)
    table = np.asarray(fn(np.arange(lo, hi + 1, dtype=np.int64)), dtype=np.int64)
    out: I64 = table[z - lo]
    return out


def add_months_days(days: Any, months: int) -> I64:
    """:func:`pbr.dates.add_months` on day numbers (days since 1970-01-01), via :func:`table_map`.

    Examples
    --------
    >>> import numpy as np
    >>> d = np.array(["2016-02-29", "2015-08-31"], "datetime64[D]").astype(np.int64)
    >>> add_months_days(d, 18).astype("datetime64[D]").astype(str).tolist()
    ['2017-08-29', '2017-02-28']
    """

    def fn(r: I64) -> I64:
        out: I64 = add_months(r.astype("datetime64[D]"), months).astype(np.int64)
        return out

    return table_map(days, fn)


def window_ends(index_days: I64, follow_up_months: int, waiting_months: int) -> tuple[I64, I64]:
    """Day numbers of ``d + follow_up`` and ``d + follow_up + waiting`` months.

    Examples
    --------
    >>> import numpy as np
    >>> d = np.array(["2015-08-31"], "datetime64[D]").astype(np.int64)
    >>> fu, w = window_ends(d, 12, 6)
    >>> str(fu[0].astype("datetime64[D]")), str(w[0].astype("datetime64[D]"))
    ('2016-08-31', '2017-02-28')
    """
    end_fu = add_months_days(index_days, follow_up_months)
    end_w = add_months_days(index_days, follow_up_months + waiting_months)
    return end_fu, end_w


def _arrow_strings(values: Any) -> pa.ChunkedArray:
    """Offender ids as an arrow string ChunkedArray (no Python objects)."""
    if isinstance(values, pa.ChunkedArray):
        arr = values
    elif isinstance(values, pa.Array):
        arr = pa.chunked_array([values])
    else:
        s = values if isinstance(values, pd.Series) else pd.Series(values)
        try:
            arr = pa.chunked_array([pa.array(s, from_pandas=True)])
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arr = pa.chunked_array([pa.array(s.astype("string"), from_pandas=True)])
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if pa.types.is_large_string(arr.type) or pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.string())
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    return arr


def encode_ids(values: pa.ChunkedArray, universe: pa.Array) -> I64:
    """Position of each value in ``universe`` (``-1`` when absent).

    Examples
    --------
    >>> import pyarrow as pa
    >>> encode_ids(pa.chunked_array([["b", "z", "a"]]), pa.array(["a", "b"])).tolist()
    [1, -1, 0]
    """
    if len(values) == 0:
        return np.empty(0, dtype=np.int64)
    codes = pc.index_in(values, value_set=universe)
    out: I64 = (
        codes.to_numpy(zero_copy_only=False)
        if codes.null_count == 0
        else np.asarray(pc.fill_null(codes, -1).to_numpy(zero_copy_only=False))
    )
    return out.astype(np.int64, copy=False)


class _Members:
    """Members laid out by (offender code, index date) for the many-to-many join."""

    def __init__(
        self,
        ids: pa.ChunkedArray | None,
        day: I64,
        end_fu: I64,
        end_w: I64,
        codes: tuple[I64, pa.Array] | None = None,
    ) -> None:
        self.n = len(day)
        if codes is not None:
            code, self.universe = codes
            code = np.asarray(code, dtype=np.int64)
        else:
            assert ids is not None
            self.universe = pc.unique(ids) if self.n else pa.array([], pa.string())
            code = encode_ids(ids, self.universe)
        u = len(self.universe)
        self.order: I64 = argsort_keys([code, day])
        self.count: I64 = np.bincount(code, minlength=u).astype(np.int64)
        self.start: I64 = np.cumsum(self.count) - self.count
        # dates in the sorted layout: one offender's members are adjacent in memory
        # (int32 when every day fits: half the memory traffic of the join's gathers)
        small_days = self.n == 0 or (
            int(day.min()) >= -(2**31) and max(int(end_fu.max()), int(end_w.max())) < 2**31
        )
        dt = np.int32 if small_days else np.int64
        self.day_s: IntArr = day[self.order].astype(dt)
        self.end_fu_s: IntArr = end_fu[self.order].astype(dt)
        self.end_w_s: IntArr = end_w[self.order].astype(dt)
        # per offender: earliest index date and latest window ends (empty offenders: none)
        big, small = np.iinfo(np.int64).max, np.iinfo(np.int64).min
        self.lo: I64 = np.full(u, big, dtype=np.int64)
        self.hi_fu: I64 = np.full(u, small, dtype=np.int64)
        self.hi_w: I64 = np.full(u, small, dtype=np.int64)
        nz = self.count > 0
        if self.n:
            first = self.start[nz]
            self.lo[nz] = self.day_s[first]
            self.hi_fu[nz] = np.maximum.reduceat(self.end_fu_s, first)
            self.hi_w[nz] = np.maximum.reduceat(self.end_w_s, first)


def _in_offender_bounds(mem: _Members, code: IntArr, off: IntArr, disp: IntArr) -> Any:
    """Offence rows inside their offender's earliest index date and latest window ends."""
    return (off > mem.lo[code]) & (off <= mem.hi_fu[code]) & (disp <= mem.hi_w[code])


def _pairs(
    mem: _Members, code: IntArr, off: IntArr, disp: IntArr, extra: I64 | None
) -> tuple[I64, IntArr, I64 | None]:
    """(member index, offence date, extra) of every in-window pair, in offence order.

    The offence rows are split into one part per core (threads; numpy releases
    the GIL). Each part drops rows outside their offender's bounds, then joins in
    blocks of at most ``_BLOCK_PAIRS`` candidate pairs (bounded memory).
    """
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
        hit = (od > mem.day_s[pos]) & (od <= mem.end_fu_s[pos])
        hit &= np.repeat(d, k) <= mem.end_w_s[pos]
        h = np.flatnonzero(hit)
        return mem.order[pos[h]], od[h], (np.repeat(x, k)[h] if x is not None else None)

    def part(ab: tuple[int, int]) -> list[tuple[I64, IntArr, I64 | None]]:
        a, b = ab
        kept = a + np.flatnonzero(_in_offender_bounds(mem, code[a:b], off[a:b], disp[a:b]))
        c, o, d = code[kept], off[kept], disp[kept]
        x = extra[kept] if extra is not None else None
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
        return e, e, (e if extra is not None else None)
    return (
        np.concatenate([r[0] for r in results]),
        np.concatenate([r[1] for r in results]),
        np.concatenate([r[2] for r in results if r[2] is not None]) if extra is not None else None,
    )


def count_core(
    m_ids: Any,
    m_day: I64,
    o_ids: Any,
    o_off: IntArr,
    o_disp: IntArr,
    o_ok: npt.NDArray[np.bool_],
    *,
    rules: str,
    follow_up_months: int,
    waiting_months: int,
    appearance: Any = None,
    encoder: Any = None,
    member_codes: tuple[I64, pa.Array] | None = None,
    prepared: tuple[IntArr, IntArr, IntArr, I64] | None = None,
) -> tuple[I64, I64, I64]:
    """Array-level engine behind :func:`count_reoffending`.

    Parameters
    ----------
    m_ids, o_ids : arrow or pandas strings
        Offender ids of members and of offence rows.
    m_day, o_off, o_disp : numpy.ndarray of int64 (offence days may be int32)
        Day numbers (days since 1970-01-01) of index, offence and disposal dates.
    o_ok : numpy.ndarray of bool
        Offence rows whose disposal type counts under ``rules`` and that are not breaches.
    appearance : arrow/pandas strings, optional
        ``appearance_id`` per offence row (``reconviction_events`` only).
    encoder : callable, optional
        ``encoder(o_ids, universe, mask) -> codes`` for the masked rows; default
        :func:`encode_selected`.
    member_codes : (codes, universe), optional
        Members' offender ids already encoded as positions in ``universe`` (an
        arrow string array of distinct ids), e.g. from :class:`pbr.cohort.Cohort`.
    prepared : tuple, optional
        The result of :func:`prepare_offences` against the same universe (with a
        date range covering every member); ``o_*`` are then not used.

    Returns
    -------
    (reoffences, first_offence_day, window_end_day) : numpy.ndarray of int64
        ``first_offence_day`` is ``iinfo(int64).max`` for members without a reoffence.

    Examples
    --------
    >>> import numpy as np
    >>> d = lambda *s: np.array(s, "datetime64[D]").astype(np.int64)
    >>> r, f, w = count_core(["A"], d("2015-01-31"), ["A", "A"], d("2015-02-01", "2016-01-31"),
    ...     d("2015-03-01", "2016-07-31"), np.array([True, True]), rules="moj_proven",
    ...     follow_up_months=12, waiting_months=6)
    >>> r.tolist(), str(w[0].astype("datetime64[D]"))
    ([2], '2016-07-31')
    """
    check_rules(rules)
    m_day = np.asarray(m_day, dtype=np.int64)
    n = len(m_day)
    end_fu, end_w = window_ends(m_day, follow_up_months, waiting_months)
    reoff = np.zeros(n, dtype=np.int64)
    first = np.full(n, _NO_DATE, dtype=np.int64)
    if n == 0 or (len(o_off) == 0 if prepared is None else len(prepared[0]) == 0):
        return reoff, first, end_w
    if member_codes is not None:
        mem = _Members(None, m_day, end_fu, end_w, member_codes)
    else:
        mem = _Members(_arrow_strings(m_ids), m_day, end_fu, end_w)
    if prepared is None:
        prepared = prepare_offences(
            o_ids,
            o_off,
            o_disp,
            o_ok,
            mem.universe,
            int(m_day.min()),
            int(end_fu.max()),
            int(end_w.max()),
            encoder=encoder,
        )
    code, off, disp, rows = prepared
    extra = None
    if rules == "reconviction_events":
        # keep only rows within the offender's bounds before keying appearances
        kept = np.flatnonzero(_in_offender_bounds(mem, code, off, disp))
        code, off, disp, rows = code[kept], off[kept], disp[kept], rows[kept]
        extra = _appearance_keys(appearance, rows, disp.astype(np.int64))
    mi, od, key = _pairs(mem, code, off, disp, extra)
    if rules == "reconviction_events":
        assert key is not None
        o = np.lexsort((key, mi))
        mi_s, key_s = mi[o], key[o]
        new = np.ones(len(mi_s), dtype=bool)
        new[1:] = (mi_s[1:] != mi_s[:-1]) | (key_s[1:] != key_s[:-1])
        reoff = np.bincount(mi_s[new], minlength=n).astype(np.int64)
    else:
        reoff = np.bincount(mi, minlength=n).astype(np.int64)
    np.minimum.at(first, mi, od.astype(np.int64))  # same dtypes: numpy's fast path
    return reoff, first, end_w


def prepare_offences(
    o_ids: Any,
    o_off: IntArr,
    o_disp: IntArr,
    o_ok: npt.NDArray[np.bool_],
    universe: pa.Array,
    first_index_day: int,
    last_follow_up_day: int,
    last_window_day: int,
    *,
    encoder: Any = None,
) -> tuple[IntArr, IntArr, IntArr, I64]:
    """Filter offence rows that can count and encode their offender ids.

    Keeps rows with ``o_ok`` whose offence date is in ``(first_index_day,
    last_follow_up_day]`` and disposal date ``<= last_window_day`` and whose
    offender is in ``universe``.

    Returns
    -------
    (code, offence_day, disposal_day, row) : numpy arrays
        Offender code in ``universe`` and the row number in the input.

    Examples
    --------
    >>> import numpy as np, pyarrow as pa
    >>> code, off, disp, row = prepare_offences(["a", "b", "a"], np.array([5, 6, 50]),
    ...     np.array([5, 6, 50]), np.array([True, True, True]), pa.array(["a"]), 0, 10, 20)
    >>> code.tolist(), row.tolist()
    ([0], [0])
    """
    o_off = np.asarray(o_off)
    o_disp = np.asarray(o_disp)
    sel = (
        np.asarray(o_ok, dtype=bool)
        & (o_off > first_index_day)
        & (o_off <= last_follow_up_day)
        & (o_disp <= last_window_day)
    )
    enc = encode_selected if encoder is None else encoder
    code = np.asarray(enc(o_ids, universe, sel))
    rows = np.flatnonzero(sel)
    keep = np.flatnonzero(code >= 0)
    rows = rows[keep]
    return code[keep], o_off[rows], o_disp[rows], rows


def _appearance_keys(appearance: Any, rows: I64, disp: I64) -> I64:
    """Appearance key per selected offence row: the appearance_id code, else the disposal day."""
    base = np.int64(1) << np.int64(40)
    if appearance is None:
        return disp + base
    ids = pc.utf8_trim_whitespace(_arrow_strings(appearance).take(pa.array(rows)))
    ids = pc.if_else(pc.equal(ids, ""), pa.scalar(None, pa.string()), ids)
    enc = ids.combine_chunks().dictionary_encode()
    codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), np.int64)
    valid = codes >= 0
    out: I64 = np.where(valid, codes, disp + base)
    return out


def count_reoffending(
    members: pd.DataFrame,
    offences: pd.DataFrame,
    *,
    rules: str = "moj_proven",
    follow_up_months: int = 12,
    waiting_months: int = 6,
) -> pd.DataFrame:
    """Proven reoffences of each cohort member (SPEC §4).

    Parameters
    ----------
    members : pandas.DataFrame
        Needs ``offender_id`` and ``index_date`` (one row per index event).
    offences : pandas.DataFrame
        Needs ``offender_id``, ``offence_date``, ``disposal_date``,
        ``disposal_type``; optional ``breach`` (default false) and
        ``appearance_id`` (``reconviction_events``).
    rules : {"moj_proven", "convictions_only", "reconviction_events"}
    follow_up_months, waiting_months : int
        Window lengths (defaults 12 and 6; interim measures use shorter ones).

    Returns
    -------
    pandas.DataFrame
        Aligned with ``members`` (same index and order): ``reoffences`` (int64;
        appearances for ``reconviction_events``), ``reoffender`` (bool),
        ``first_reoffence_date`` (offence date of the earliest counted offence,
        NaT if none) and ``window_end`` (``d + follow_up + waiting`` months).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"offender_id": ["A", "B"],
    ...                   "index_date": pd.to_datetime(["2015-08-31", "2015-01-01"])})
    >>> o = pd.DataFrame({"offender_id": ["A", "A", "A"],
    ...     "offence_date": pd.to_datetime(["2016-08-31", "2016-08-31", "2015-09-01"]),
    ...     "disposal_date": pd.to_datetime(["2017-02-28", "2017-02-28", "2015-09-01"]),
    ...     "disposal_type": ["conviction", "conviction", "pnd"]})
    >>> r = count_reoffending(m, o)
    >>> r["reoffences"].tolist(), r["window_end"].dt.strftime("%Y-%m-%d").tolist()
    ([2, 0], ['2017-02-28', '2016-07-01'])
    """
    check_rules(rules)
    fu, wait = check_months(follow_up_months, waiting_months)
    for col in ("offender_id", "index_date"):
        if col not in members.columns:
            raise PbrError(f"members table has no column {col!r}")
    for col in ("offender_id", "offence_date", "disposal_date", "disposal_type"):
        if col not in offences.columns:
            raise PbrError(f"offences table has no column {col!r}")
    m_day = _day_numbers(members["index_date"], "index_date")
    o_off = _day_numbers(offences["offence_date"], "offence_date")
    o_disp = _day_numbers(offences["disposal_date"], "disposal_date")
    ok = (
        offences["disposal_type"]
        .isin(counting_disposals(rules))
        .to_numpy(dtype=bool, na_value=False)
    )
    if "breach" in offences.columns:
        br = offences["breach"].astype("boolean").fillna(False)
        ok = ok & ~br.to_numpy(dtype=bool, na_value=False)
    app = offences["appearance_id"] if "appearance_id" in offences.columns else None
    reoff, first, end_w = count_core(
        members["offender_id"],
        m_day,
        offences["offender_id"],
        o_off,
        o_disp,
        ok,
        rules=rules,
        follow_up_months=fu,
        waiting_months=wait,
        appearance=app,
    )
    return outcome_frame(reoff, first, end_w, members.index)


def outcome_frame(reoff: I64, first: I64, end_w: I64, index: pd.Index) -> pd.DataFrame:
    """Assemble the per-member outcome columns from engine arrays."""
    has = first != _NO_DATE
    first_d = np.where(has, first, 0).astype("datetime64[D]").astype("datetime64[s]")
    first_d[~has] = np.datetime64("NaT")
    return pd.DataFrame(
        {
            "reoffences": reoff.astype(np.int64),
            "reoffender": reoff > 0,
            "first_reoffence_date": first_d,
            "window_end": end_w.astype("datetime64[D]").astype("datetime64[s]"),
        },
        index=index,
    )


def _day_numbers(values: Any, name: str) -> I64:
    days = as_days(values)
    if np.isnat(days).any():
        bad = int(np.flatnonzero(np.isnat(days))[0]) + 1
        raise PbrError(f"{name} is missing in row {bad}")
    out: I64 = days.astype(np.int64)
    return out


# ----------------------------------------------------------------------------- fast id lookup
#
# Offender ids are short strings. Hashing 20 million of them through a generic
# string hash table is the single largest cost of the national job, so ids of at
# most 16 bytes are turned into an *exact* fixed-width key (16 bytes zero-padded
# plus the length), looked up in a vectorised open-addressing table (numpy),
# chunk by chunk on all cores (numpy releases the GIL). Longer ids fall back to
# ``pyarrow.compute.index_in``; both give identical codes.

_KEY_BYTES = 16
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)


def _string_parts(arr: pa.Array) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint8]]:
    bufs = arr.buffers()
    offs = np.frombuffer(bufs[1], dtype=np.int32, count=len(arr) + 1, offset=arr.offset * 4)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(1, np.uint8)
    return offs, data


def _fixed_keys(
    arr: pa.Array, rows: I64 | None
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], npt.NDArray[np.uint64]] | None:
    """Exact (low 8 bytes, high 8 bytes, length) keys of ``arr[rows]`` (None: an id > 16 bytes)."""
    offs, data = _string_parts(arr)
    starts = offs[:-1] if rows is None else offs[:-1][rows]
    lens = (offs[1:] - offs[:-1]) if rows is None else (offs[1:][rows] - offs[:-1][rows])
    n = len(starts)
    if n and int(lens.max()) > _KEY_BYTES:
        return None
    buf = np.zeros((n, _KEY_BYTES), dtype=np.uint8)
    if n:
        width = int(lens.max())
        n_all = len(offs) - 1
        all_lens = lens if rows is None else offs[1:] - offs[:-1]
        if int(all_lens.min()) == width and int(all_lens.max()) == width:
            # fixed-width ids stored back to back: a zero-copy (n_all, width) view
            view = data[int(offs[0]) : int(offs[0]) + n_all * width].reshape(n_all, width)
            buf[:, :width] = view if rows is None else view[rows]
        else:
            col = np.arange(width, dtype=np.int64)
            step = 1 << 18
            for a in range(0, n, step):
                s, ln = starts[a : a + step].astype(np.int64), lens[a : a + step]
                idx = np.minimum(s[:, None] + col[None, :], len(data) - 1)
                vals = data[idx]
                vals[col[None, :] >= ln[:, None]] = 0
                buf[a : a + step, :width] = vals
    words = buf.view(np.uint64)
    return words[:, 0].copy(), words[:, 1].copy(), lens.astype(np.uint64)


def _slots(k1: Any, k2: Any, ln: Any, bits: int) -> I64:
    h = (k1 * _M1) ^ ((k2 + ln) * _M2)
    h ^= h >> np.uint64(29)
    h *= _M1
    out: I64 = (h >> np.uint64(64 - bits)).astype(np.int64)
    return out


class IdTable:
    """Vectorised open-addressing hash table of the member universe."""

    def __init__(self, universe: pa.Array) -> None:
        keys = _fixed_keys(universe, None) if universe.null_count == 0 else None
        self.ok = keys is not None
        if keys is None:
            return
        self.k1, self.k2, self.kl = keys
        u = len(self.k1)
        self.bits = max(4, int(np.ceil(np.log2(max(u, 1) * 4))))
        self.mask = (1 << self.bits) - 1
        self.table = np.full(1 << self.bits, -1, dtype=np.int32)
        pending = np.arange(u, dtype=np.int32)
        slot = _slots(self.k1, self.k2, self.kl, self.bits)
        while len(pending):
            free = self.table[slot] == -1
            self.table[slot[free]] = pending[free]
            won = free & (self.table[slot] == pending)
            pending, slot = pending[~won], (slot[~won] + 1) & self.mask

    def lookup(self, arr: pa.Array, rows: I64 | None) -> npt.NDArray[np.int32] | None:
        keys = _fixed_keys(arr, rows)
        if keys is None:
            return None
        q1, q2, ql = keys
        slot = _slots(q1, q2, ql, self.bits)
        # first probe for every row at once (the table is 1/4 full: most rows end here)
        t = self.table[slot]
        full = t != -1
        hit = full & (self.k1[t] == q1) & (self.k2[t] == q2) & (self.kl[t] == ql)
        res = np.where(hit, t, np.int32(-1))
        act = np.flatnonzero(full & ~hit)
        slot = (slot[act] + 1) & self.mask
        while len(act):
            t = self.table[slot]
            full = t != -1
            hit = full & (self.k1[t] == q1[act]) & (self.k2[t] == q2[act]) & (self.kl[t] == ql[act])
            h = np.flatnonzero(hit)
            res[act[h]] = t[h]
            go = np.flatnonzero(full & ~hit)
            act, slot = act[go], (slot[go] + 1) & self.mask
        if arr.null_count:
            valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
            res[~(valid if rows is None else valid[rows])] = -1
        return res


def encode_selected(
    values: Any,
    universe: pa.Array,
    sel: npt.NDArray[np.bool_],
    *,
    table: IdTable | None = None,
    threads: bool = True,
) -> IntArr:
    """Codes in ``universe`` (-1 if absent) of the ids at the rows where ``sel`` is true.

    Examples
    --------
    >>> import numpy as np, pyarrow as pa
    >>> ids = pa.chunked_array([["b", "z"], ["a", "b"]])
    >>> encode_selected(ids, pa.array(["a", "b"]), np.array([True, True, True, False])).tolist()
    [1, -1, 0]
    """
    ids = _arrow_strings(values)
    if table is None:
        table = IdTable(universe)
    pieces: list[tuple[pa.Array, I64]] = []
    start = 0
    step = 1 << 20
    for chunk in ids.chunks:
        for a in range(0, len(chunk), step):
            part = chunk.slice(a, step)
            local = np.flatnonzero(sel[start + a : start + a + len(part)])
            pieces.append((part, local))
        start += len(chunk)

    def one(item: tuple[pa.Array, I64]) -> npt.NDArray[np.int32]:
        part, local = item
        got = table.lookup(part, local) if table.ok else None
        if got is None:
            codes = encode_ids(pa.chunked_array([part.take(pa.array(local))]), universe)
            return codes.astype(np.int32)
        return got

    if threads and len(pieces) > 1 and (os.cpu_count() or 1) > 1:
        with ThreadPoolExecutor(min(len(pieces), os.cpu_count() or 1)) as ex:
            parts = list(ex.map(one, pieces))
    else:
        parts = [one(p) for p in pieces]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)
