"""Arrow string columns as raw buffers, and exact fixed-width keys of short strings.

Offender ids are short strings. Hashing or sorting millions of them as Python or
Arrow strings is the largest cost of a national run, so ids of at most
``KEY_BYTES`` (16) bytes are turned into an *exact* key: the bytes zero-padded to
16, read as two little-endian uint64 words, plus the length. Two ids are equal
exactly when their keys are; read big-endian the words order the ids byte-wise
(the UTF-8 string order), which :mod:`pbr._engine.codes` uses to sort them.

Examples
--------
>>> import pyarrow as pa
>>> k1, k2, ln = fixed_keys(pa.array(["ab", "abc"]), None)
>>> ln.tolist(), bool(k1[0] != k1[1])
([2, 3], True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

__all__ = ["KEY_BYTES", "as_strings", "fixed_keys", "string_parts"]

#: Longest id (in UTF-8 bytes) that has an exact fixed-width key.
KEY_BYTES = 16

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]


def as_strings(values: Any) -> pa.ChunkedArray:
    """Any string column (arrow, pandas, list) as an arrow ``string`` ChunkedArray.

    No Python objects are made for arrow and pyarrow-backed pandas columns;
    dictionary, large-string and string-view columns are cast to plain strings.

    Examples
    --------
    >>> as_strings(["a", None]).to_pylist()
    ['a', None]
    """
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
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    return arr


def string_parts(arr: pa.Array) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint8]]:
    """(offsets, data) buffers of an arrow ``string`` array, as numpy views (no copy).

    Examples
    --------
    >>> offs, data = string_parts(pa.array(["ab", "c"]))
    >>> offs.tolist(), bytes(data[:3])
    ([0, 2, 3], b'abc')
    """
    bufs = arr.buffers()
    offs = np.frombuffer(bufs[1], dtype=np.int32, count=len(arr) + 1, offset=arr.offset * 4)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(1, np.uint8)
    return offs, data


def fixed_keys(arr: pa.Array, rows: I64 | None) -> tuple[U64, U64, U64] | None:
    """Exact (low 8 bytes, high 8 bytes, length) keys of ``arr[rows]`` (all rows if None).

    Returns None when an id is longer than :data:`KEY_BYTES`. Fixed-width ids
    stored back to back are gathered from a zero-copy 2-D byte view; mixed widths
    by two unaligned 64-bit reads per id with the bytes past its end masked off.

    Examples
    --------
    >>> import numpy as np
    >>> k = fixed_keys(pa.array(["x", "yy", "x"]), np.array([0, 2]))
    >>> bool(k[0][0] == k[0][1]), k[2].tolist()
    (True, [1, 1])
    >>> fixed_keys(pa.array(["x" * 17]), None) is None
    True
    """
    offs, data = string_parts(arr)
    starts = offs[:-1] if rows is None else offs[:-1][rows]
    lens = (offs[1:] - offs[:-1]) if rows is None else (offs[1:][rows] - offs[:-1][rows])
    n = len(starts)
    if n and int(lens.max()) > KEY_BYTES:
        return None
    width = int(lens.max()) if n else 0
    n_all = len(offs) - 1
    all_lens = lens if rows is None else offs[1:] - offs[:-1]
    if n and not (int(all_lens.min()) == width and int(all_lens.max()) == width):
        return _gathered_keys(data, starts, lens)
    buf = np.zeros((n, KEY_BYTES), dtype=np.uint8)
    if n:
        # fixed-width ids stored back to back: a zero-copy (n_all, width) view
        view = data[int(offs[0]) : int(offs[0]) + n_all * width].reshape(n_all, width)
        buf[:, :width] = view if rows is None else view[rows]
    words = buf.view(np.uint64)
    return words[:, 0].copy(), words[:, 1].copy(), lens.astype(np.uint64)


#: ``_MASKS[k]``: the low ``k`` bytes of a 64-bit word (k = 0 … 8).
_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)


def _gathered_keys(
    data: npt.NDArray[np.uint8], starts: npt.NDArray[Any], lens: npt.NDArray[Any]
) -> tuple[U64, U64, U64]:
    """Fixed keys of ids of mixed widths: two unaligned 64-bit reads per id, masked."""
    lo = int(starts.min())
    hi = int((starts + lens).max())
    buf = np.zeros(hi - lo + 16, dtype=np.uint8)
    buf[: hi - lo] = data[lo:hi]
    # every byte offset as the start of an (unaligned) little-endian 64-bit word
    words = np.ndarray((hi - lo + 9,), dtype=np.uint64, buffer=buf, strides=(1,))
    at = starts.astype(np.int64) - lo
    ln = lens.astype(np.int64)
    k1 = words[at] & _MASKS[np.minimum(ln, 8)]
    k2 = words[at + 8] & _MASKS[np.clip(ln - 8, 0, 8)]
    return k1, k2, ln.astype(np.uint64)
