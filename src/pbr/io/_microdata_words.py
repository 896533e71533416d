"""Words of row values for duplicate detection: equal values give equal words.

Used by the streamed offences validation (:mod:`pbr.io._microdata_stream`):
each checked column of a row group (and each extra column) becomes one or two
64-bit words per row, and the words of a row are mixed into a fingerprint. A
value's words depend on the value only, never on its position or on the rest of
its row group, so fingerprints can be compared across row groups.

Examples
--------
>>> import pyarrow as pa
>>> f, g = _text_words(pa.array(["P1", "P22", "P1"]))
>>> bool(f[0] == f[2]), bool(f[0] == f[1])
(True, False)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from pbr.io._rules import IntArray

U64 = npt.NDArray[np.uint64]

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_M3 = np.uint64(0x165667B19E3779F9)
_NULL = np.uint64(0x5BD1E9955BD1E995)
_NAN = np.float64(np.nan).view(np.uint64)
_FLOAT_EXACT = 2**53


class Unsupported(Exception):
    """An extra column type whose pandas equality the words do not reproduce."""


def _mix(h: U64, w: U64, m: np.uint64) -> U64:
    h ^= w
    h *= m
    h ^= h >> np.uint64(29)
    return h


def _key_words(keys: tuple[U64, U64, U64]) -> tuple[U64, U64]:
    """:func:`_text_words` of ids of at most 16 bytes, from their fixed keys."""
    k1, k2, kl = keys
    f = _mix(kl * _M2, k1, _M1)
    g = _mix(kl * _M3 + _M1, k1 ^ _M2, _M3)
    long = np.flatnonzero(kl > np.uint64(8))
    f[long] = _mix(f[long], k2[long], _M1)
    g[long] = _mix(g[long], k2[long] ^ _M2, _M3)
    empty = np.flatnonzero(kl == np.uint64(0))  # no bytes: the seeds alone, as in _text_words
    f[empty], g[empty] = np.uint64(0), _M1
    return f, g


#: A plain text column of at least this many rows is tried as a dictionary first.
_TRY_DICTIONARY = 1 << 15


def _few_values(arr: pa.Array) -> pa.DictionaryArray | None:
    """``arr`` dictionary-encoded when it holds few distinct values (else None).

    A sample of its first rows decides whether encoding the whole column is worth
    it; the words of a value do not depend on the path taken.
    """
    if len(arr) < _TRY_DICTIONARY:
        return None
    sample = pc.dictionary_encode(arr.slice(0, 4096))
    if len(sample.dictionary) > 256:
        return None
    enc = pc.dictionary_encode(arr)
    return enc if len(enc.dictionary) * 16 < len(arr) else None


def _text_words(arr: pa.Array, second: bool = True) -> tuple[U64, U64]:
    """Two independent 64-bit hashes of every string's bytes (missing: a fixed word).

    The bytes are read as little-endian 64-bit words (the last one zero-padded),
    mixed in order into a hash seeded with the length; a dictionary column's
    values (or a plain column's, when it has few) are hashed once each.
    ``second=False``: the second hash is not computed (the first is returned twice).
    """
    if not isinstance(arr, pa.DictionaryArray) and pa.types.is_string(arr.type):
        arr = _few_values(arr) or arr
    if isinstance(arr, pa.DictionaryArray):
        if len(arr.dictionary) == 0:  # every value missing
            f = np.full(len(arr), _NULL, dtype=np.uint64)
            return f, (f ^ _M3 if second else f)
        df, dg = _text_words(arr.dictionary, second)
        idx = np.asarray(arr.indices.fill_null(0).to_numpy(zero_copy_only=False), np.int64)
        f = df[idx]
        g = dg[idx] if second else f
        if arr.null_count or arr.dictionary.null_count:
            missing = ~np.asarray(pc.is_valid(arr).to_numpy(zero_copy_only=False), dtype=bool)
            f[missing] = _NULL
            if second:
                g[missing] = _NULL ^ _M3
        return f, g
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    n = len(arr)
    bufs = arr.buffers()
    offs = np.frombuffer(bufs[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4)
    starts = offs[:-1].astype(np.int64)
    lens = (offs[1:] - offs[:-1]).astype(np.int64)
    lo, hi = int(offs[0]), int(offs[-1])
    raw = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    buf = np.zeros(hi - lo + 8, dtype=np.uint8)
    buf[: hi - lo] = raw[lo:hi]
    starts -= lo
    # every byte offset as the start of an (unaligned) little-endian 64-bit word
    words = np.ndarray((hi - lo + 1,), dtype=np.uint64, buffer=buf, strides=(1,))
    f = lens.astype(np.uint64) * _M2
    g = lens.astype(np.uint64) * _M3 + _M1 if second else f
    longest = int(lens.max()) if n else 0
    rows: IntArray | None = None
    for k in range(0, longest, 8):
        # only the strings with bytes from k on take a word (an empty string takes none:
        # its words do not depend on the column's other strings)
        if k or int(lens.min()) == 0:
            rows = np.flatnonzero(lens > k) if rows is None else rows[lens[rows] > k]
        at = starts + k if rows is None else starts[rows] + k
        rest = lens - k if rows is None else lens[rows] - k
        w = words[at]
        short = rest < 8
        if short.any():
            bits = (np.minimum(rest[short], 7) * 8).astype(np.uint64)
            w[short] &= (np.uint64(1) << bits) - np.uint64(1)
        if rows is None:
            f = _mix(f, w, _M1)
            if second:
                g = _mix(g, w ^ _M2, _M3)
        else:
            f[rows] = _mix(f[rows], w, _M1)
            if second:
                g[rows] = _mix(g[rows], w ^ _M2, _M3)
    if arr.null_count:
        missing = ~np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        f[missing] = _NULL
        if second:
            g[missing] = _NULL ^ _M3
    return f, g if second else f


def _value_word(value: Any) -> U64:
    """One exact 64-bit word per row of a checked date, flag or whole-number column."""
    if isinstance(value, tuple):  # (values, present) of a whole-number column
        ivals, present = value
        return np.where(present, ivals, np.int64(-(2**62))).view(np.uint64)
    arr = np.asarray(value)
    if arr.dtype.kind == "M":
        days = arr if arr.dtype == np.dtype("datetime64[D]") else arr.astype("datetime64[D]")
        return days.view(np.int64).view(np.uint64)
    return arr.astype(np.uint64)


def _extra_word(col: pa.Array) -> U64 | tuple[U64, U64]:
    """Words of an extra column with the equality the pandas frame gives it.

    Text: exact strings; numbers: numeric equality (missing equals NaN, as in the
    frame); flags, dates and timestamps: their values. Other types: the
    whole-table reader.
    """
    t = col.type
    if pa.types.is_dictionary(t):
        col, t = col.dictionary_decode(), t.value_type
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return _text_words(col)
    valid = np.asarray(col.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        f = np.asarray(col.cast(pa.float64()).fill_null(0).to_numpy(), dtype=np.float64).copy()
        if pa.types.is_integer(t) and len(f) and np.abs(f).max() >= _FLOAT_EXACT:
            raise Unsupported
        f[f == 0] = 0.0
        f[~valid | np.isnan(f)] = np.nan
        w = f.view(np.uint64)
        w[np.isnan(f)] = _NAN
        return w
    if pa.types.is_boolean(t):
        w = np.asarray(col.fill_null(False).to_numpy(zero_copy_only=False)).astype(np.uint64)
    elif pa.types.is_date(t) or pa.types.is_timestamp(t):
        ints = col.cast(pa.date32() if pa.types.is_date(t) else pa.int64()).cast(pa.int64())
        w = np.asarray(ints.fill_null(0).to_numpy(), dtype=np.int64).view(np.uint64).copy()
    else:
        raise Unsupported
    w[~valid] = _NULL
    return w


def _fingerprint(
    cols: dict[str, Any],
    extras: list[pa.Array],
    n: int,
    ids: tuple[U64, U64] | None,
    second: bool = True,
) -> tuple[U64, Any]:
    """The 64-bit and 32-bit fingerprints of every row (see the module docstring).

    ``ids``: the words of ``offender_id`` when already made from its fixed keys.
    ``second=False``: only the 64-bit fingerprint (the second is None).
    """
    f = np.zeros(n, dtype=np.uint64)
    g = np.full(n, _M2, dtype=np.uint64) if second else None
    for c, v in cols.items():
        if c == "offender_id" and ids is not None:
            w: U64 | tuple[U64, U64] = ids
        elif isinstance(v, pa.Array):
            w = _text_words(v, second)
        else:
            w = _value_word(v)
        f, g = _mixed(f, g, w)
    for x in extras:
        f, g = _mixed(f, g, _extra_word(x))
    return f, None if g is None else (g >> np.uint64(32)).astype(np.uint32)


def _mixed(f: U64, g: U64 | None, w: U64 | tuple[U64, U64]) -> tuple[U64, U64 | None]:
    """One column's words mixed into the running fingerprints (``g`` None: not kept)."""
    wf, wg = w if isinstance(w, tuple) else (w, w)
    f = _mix(f, wf, _M1)
    return f, None if g is None else _mix(g, wg ^ _M1, _M3)
