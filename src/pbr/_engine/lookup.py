"""Position of ids in a fixed universe: a vectorised open-addressing hash table.

Looking up 20 million offence-row ids in the universe of cohort ids through a
generic string hash table is the single largest cost of the national job. Ids of
at most 16 bytes are instead turned into exact fixed-width keys
(:func:`pbr._engine.strings.fixed_keys`) and looked up in a numpy
open-addressing table (linear probing, 1/4 full, all rows probed at once),
chunk by chunk on all cores (numpy releases the GIL). Longer ids fall back to
:func:`pyarrow.compute.index_in`; both give identical codes.

Examples
--------
>>> import numpy as np, pyarrow as pa
>>> look = IdLookup(pa.array(["a", "b"]))
>>> look.codes(pa.chunked_array([["b", "z", "a"]])).tolist()
[1, -1, 0]
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from pbr._engine.strings import as_strings, fixed_keys

__all__ = ["IdLookup", "index_in", "key_buckets"]

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
U64 = npt.NDArray[np.uint64]
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
#: Rows per lookup chunk (one chunk per task on the thread pool).
_CHUNK = 1 << 20


def index_in(values: pa.ChunkedArray, universe: pa.Array) -> I64:
    """Position of each value in ``universe`` (``-1`` when absent), by arrow hashing.

    Examples
    --------
    >>> index_in(pa.chunked_array([["b", "z", "a"]]), pa.array(["a", "b"])).tolist()
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


def _slots(k1: Any, k2: Any, ln: Any, bits: int) -> I64:
    h = (k1 * _M1) ^ ((k2 + ln) * _M2)
    h ^= h >> np.uint64(29)
    h *= _M1
    out: I64 = (h >> np.uint64(64 - bits)).astype(np.int64)
    return out


def key_buckets(keys: tuple[U64, U64, U64], bits: int) -> I64:
    """A ``bits``-bit hash of each id's :func:`~pbr._engine.strings.fixed_keys`.

    Equal ids share a bucket (the slot hash of :class:`IdLookup`).

    Examples
    --------
    >>> from pbr._engine.strings import fixed_keys
    >>> b = key_buckets(fixed_keys(pa.array(["a", "b", "a"]), None), 8)
    >>> bool(b[0] == b[2]), bool(0 <= b.min() and b.max() < 256)
    (True, True)
    """
    return _slots(keys[0], keys[1], keys[2], bits)


class IdLookup:
    """Codes of ids in a fixed ``universe`` (an arrow string array of distinct ids).

    Parameters
    ----------
    universe : pyarrow.Array
        Distinct ids; a value's code is its position here.

    Examples
    --------
    >>> import numpy as np, pyarrow as pa
    >>> ids = pa.chunked_array([["b", "z"], ["a", "b"]])
    >>> IdLookup(pa.array(["a", "b"])).codes(ids, np.array([True, True, True, False])).tolist()
    [1, -1, 0]
    """

    def __init__(self, universe: pa.Array) -> None:
        self.universe = universe
        keys = fixed_keys(universe, None) if universe.null_count == 0 else None
        self._fast = keys is not None
        #: True when ids are looked up by fixed keys (:meth:`find`).
        self.fast = self._fast
        if keys is None:
            return
        self._k1, self._k2, self._kl = keys
        u = len(self._k1)
        self._bits = max(4, int(np.ceil(np.log2(max(u, 1) * 4))))
        self._mask = (1 << self._bits) - 1
        self._table = np.full(1 << self._bits, -1, dtype=np.int32)
        pending = np.arange(u, dtype=np.int32)
        slot = _slots(self._k1, self._k2, self._kl, self._bits)
        while len(pending):
            free = self._table[slot] == -1
            self._table[slot[free]] = pending[free]
            won = free & (self._table[slot] == pending)
            pending, slot = pending[~won], (slot[~won] + 1) & self._mask

    def codes(
        self, values: Any, sel: npt.NDArray[np.bool_] | None = None, *, threads: bool = True
    ) -> I32:
        """Codes (-1 if absent) of the ids at the rows where ``sel`` is true (all if None).

        ``threads=False`` when the caller already runs one lookup per core.

        Examples
        --------
        >>> import pyarrow as pa
        >>> IdLookup(pa.array(["x" * 20])).codes(["x" * 20, "y"]).tolist()  # long ids: hashing
        [0, -1]
        """
        ids = as_strings(values)
        if sel is None:
            sel = np.ones(len(ids), dtype=bool)
        pieces: list[tuple[pa.Array, I64]] = []
        start = 0
        for chunk in ids.chunks:
            for a in range(0, len(chunk), _CHUNK):
                part = chunk.slice(a, _CHUNK)
                local = np.flatnonzero(sel[start + a : start + a + len(part)])
                pieces.append((part, local))
            start += len(chunk)

        def one(item: tuple[pa.Array, I64]) -> I32:
            part, local = item
            got = self._lookup(part, local) if self._fast else None
            if got is None:
                codes = index_in(pa.chunked_array([part.take(pa.array(local))]), self.universe)
                return codes.astype(np.int32)
            return got

        cores = os.cpu_count() or 1
        if threads and len(pieces) > 1 and cores > 1:
            with ThreadPoolExecutor(min(len(pieces), cores)) as ex:
                parts = list(ex.map(one, pieces))
        else:
            parts = [one(p) for p in pieces]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)

    def _lookup(self, arr: pa.Array, rows: I64 | None) -> I32 | None:
        keys = fixed_keys(arr, rows)
        if keys is None:
            return None
        res = self.find(keys)
        if arr.null_count:
            valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
            res[~(valid if rows is None else valid[rows])] = -1
        return res

    def find(self, keys: tuple[U64, U64, U64]) -> I32:
        """Codes (-1 if absent) of ids given as :func:`~pbr._engine.strings.fixed_keys`.

        Only when :attr:`fast` (every universe id has a fixed key).

        Examples
        --------
        >>> import pyarrow as pa
        >>> from pbr._engine.strings import fixed_keys
        >>> look = IdLookup(pa.array(["a", "b"]))
        >>> look.fast, look.find(fixed_keys(pa.array(["b", "c"]), None)).tolist()
        (True, [1, -1])
        """
        q1, q2, ql = keys
        k1, k2, kl, mask = self._k1, self._k2, self._kl, self._mask
        slot = _slots(q1, q2, ql, self._bits)
        # first probe for every row at once (the table is 1/4 full: most rows end here)
        t = self._table[slot]
        full = t != -1
        hit = full & (k1[t] == q1) & (k2[t] == q2) & (kl[t] == ql)
        res = np.where(hit, t, np.int32(-1))
        act = np.flatnonzero(full & ~hit)
        slot = (slot[act] + 1) & mask
        while len(act):
            t = self._table[slot]
            full = t != -1
            hit = full & (k1[t] == q1[act]) & (k2[t] == q2[act]) & (kl[t] == ql[act])
            h = np.flatnonzero(hit)
            res[act[h]] = t[h]
            go = np.flatnonzero(full & ~hit)
            act, slot = act[go], (slot[go] + 1) & mask
        return res
