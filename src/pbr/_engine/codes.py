"""Sorted integer codes of string columns (the order of the codes is the string order).

:func:`encode_ids` turns a column of ids into ``IdCodes``: a sorted universe of
the distinct ids and, per row, the position of its id in that universe. Two
methods give identical results:

* ids of at most 16 bytes (no NULs, no missing values): exact 16-byte keys
  (:func:`pbr._engine.strings.fixed_keys`), compared big-endian as two uint64
  words, which is the byte-wise (UTF-8) order. When every bit in which the keys
  differ fits one 64-bit *window* (e.g. ``PN`` + 8 digits: the common prefix and
  the zero padding drop out) one plain ``argsort`` of that word sorts them,
  otherwise a two-key ``lexsort``;
* anything else: pyarrow's hash dictionary encoding, then a sort of the distinct
  values only.

Examples
--------
>>> ids = encode_ids(["PN02", "PN01", "PN02"])
>>> ids.codes.tolist(), ids.universe.to_pylist()
([1, 0, 1], ['PN01', 'PN02'])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from pbr._engine.strings import fixed_keys, string_parts

__all__ = ["IdCodes", "encode_ids", "sorted_codes", "sorted_codes_fixed", "window_word"]

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]


@dataclass(frozen=True, eq=False)
class IdCodes:
    """Codes of a string column: ``universe[codes[i]]`` is row *i*'s value.

    Attributes
    ----------
    codes : numpy.ndarray of int64
        Position of each row's value in ``universe`` (-1: missing).
    universe : pyarrow.Array
        The distinct values, sorted byte-wise.

    Examples
    --------
    >>> c = encode_ids(["b", "a"]).take(np.array([0]))
    >>> c.codes.tolist(), c.universe.to_pylist()
    ([1], ['a', 'b'])
    """

    codes: I64
    universe: pa.Array

    def take(self, rows: Any) -> IdCodes:
        """The codes of a subset of rows, in the same universe.

        Examples
        --------
        >>> encode_ids(["b", "a", "b"]).take(np.array([2, 1])).codes.tolist()
        [1, 0]
        """
        return IdCodes(np.asarray(self.codes)[rows], self.universe)


def encode_ids(values: Any) -> IdCodes:
    """Sorted codes of a string column (fast exact keys when every id is short).

    Examples
    --------
    >>> encode_ids(["b", None, "a"]).codes.tolist()
    [1, -1, 0]
    """
    fixed = sorted_codes_fixed(values)
    if fixed is not None:
        return IdCodes(*fixed)
    return IdCodes(*_sorted_codes_arrow(values))


def sorted_codes(values: Any) -> tuple[I64, npt.NDArray[Any]]:
    """Integer codes whose order is the sort order of the (string) values.

    Uses pyarrow's hash dictionary encoding and a sort of the distinct values
    only; missing values get code -1. The distinct values are returned as a
    numpy object array.

    Examples
    --------
    >>> import pandas as pd
    >>> codes, names = sorted_codes(pd.Series(["b", "a", "b"], dtype="string"))
    >>> codes.tolist(), names.tolist()
    ([1, 0, 1], ['a', 'b'])
    """
    codes, names = _sorted_codes_arrow(values)
    return codes, np.asarray(names.to_pylist(), dtype=object)


def _sorted_codes_arrow(values: Any) -> tuple[I64, pa.Array]:
    """:func:`sorted_codes` with the sorted distinct values as an arrow array."""
    arr = (
        pa.chunked_array([pa.array(values, from_pandas=True)])
        if not isinstance(values, pa.ChunkedArray)
        else values
    )
    one = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if pa.types.is_dictionary(one.type):
        # re-encode the (small) dictionary itself: dictionaries may repeat values
        dd = pc.dictionary_encode(one.dictionary.cast(pa.string()))
        remap = np.asarray(pc.fill_null(dd.indices, -1).to_numpy(zero_copy_only=False), np.int64)
        raw = np.asarray(pc.fill_null(one.indices, -1).to_numpy(zero_copy_only=False), np.int64)
        idx = np.where(raw >= 0, remap[np.maximum(raw, 0)] if len(remap) else -1, -1)
        dictionary = dd.dictionary
    else:
        if not pa.types.is_string(one.type):
            one = one.cast(pa.string())
        enc = pc.dictionary_encode(one)
        idx = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), np.int64)
        dictionary = enc.dictionary
    order = np.asarray(pc.array_sort_indices(dictionary).to_numpy(), dtype=np.int64)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    codes = np.where(idx >= 0, rank[np.maximum(idx, 0)] if len(rank) else 0, -1).astype(np.int64)
    return codes, dictionary.take(pa.array(order))


def sorted_codes_fixed(values: Any) -> tuple[I64, pa.Array] | None:
    """Sorted codes by sorting exact 16-byte keys (ids of at most 16 bytes), or None.

    Zero padding is unambiguous because ids with NUL bytes are refused. Returns
    None when the fast form does not apply (longer ids, NUL bytes, missing
    values, an empty column): the caller then hashes and sorts the strings.

    Examples
    --------
    >>> codes, names = sorted_codes_fixed(["b", "a", "b"])
    >>> codes.tolist(), names.to_pylist()
    ([1, 0, 1], ['a', 'b'])
    >>> sorted_codes_fixed(["a", None]) is None
    True
    """
    arr = pa.array(values, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):  # pragma: no cover - pa.array gives an Array
        arr = arr.combine_chunks()
    if pa.types.is_large_string(arr.type) or pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.string())
    if not pa.types.is_string(arr.type) or arr.null_count or len(arr) == 0:
        return None
    keys = fixed_keys(arr, None)
    if keys is None:
        return None
    offs, data = string_parts(arr)
    if (data[int(offs[0]) : int(offs[-1])] == 0).any():
        return None
    hi, lo = keys[0].byteswap(), keys[1].byteswap()
    one_word = window_word(hi, lo)
    new = np.ones(len(hi), dtype=bool)
    if one_word is not None:  # every varying bit fits one word: one plain sort
        order = np.argsort(one_word)
        ws = one_word[order]
        new[1:] = ws[1:] != ws[:-1]
    else:
        order = np.lexsort((lo, hi))
        hs, ls = hi[order], lo[order]
        new[1:] = (hs[1:] != hs[:-1]) | (ls[1:] != ls[:-1])
    codes = np.empty(len(order), dtype=np.int64)
    codes[order] = np.cumsum(new) - 1
    return codes, arr.take(pa.array(order[new]))


def window_word(hi: U64, lo: U64) -> U64 | None:
    """The 64 bits of the 128-bit keys ``(hi, lo)`` that hold every varying bit, or None.

    Bits above and below the window are the same in every key, so the window word
    orders and separates the keys exactly as the 128-bit values do.

    Examples
    --------
    >>> hi = np.array([7, 7], np.uint64); lo = np.array([1, 2], np.uint64)
    >>> window_word(hi, lo).tolist()
    [1, 2]
    >>> window_word(np.array([0, 1 << 63], np.uint64), np.array([0, 1], np.uint64)) is None
    True
    """
    if len(hi) == 0:
        return None
    vary_hi = int(np.bitwise_or.reduce(hi ^ hi[0]))
    vary_lo = int(np.bitwise_or.reduce(lo ^ lo[0]))
    vary = (vary_hi << 64) | vary_lo
    if vary == 0:
        return np.zeros(len(hi), dtype=np.uint64)
    top = vary.bit_length()  # the window is bits [top - 64, top) of the 128-bit key
    if top - ((vary & -vary).bit_length() - 1) > 64:
        return None
    if top <= 64:
        return lo.copy()
    if top == 128:
        return hi.copy()
    s = 128 - top  # shift left by s, keep the high word
    return (hi << np.uint64(s)) | (lo >> np.uint64(64 - s))
