"""Strict column parsers over Arrow arrays (dates, booleans, integers) and the extract date.

Each parser returns the values and a mask of the cells that failed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pbr.dates import days_from_civil
from pbr.errors import PbrError
from pbr.io._rules import (
    _DATE_RE,
    _INT_RE,
    _MISSING,
    BOOLEAN_FALSE,
    BOOLEAN_TRUE,
    BoolArray,
    DayArray,
    IntArray,
)

# --------------------------------------------------------------------------- extract date


def _extract_day(extract_date: Any) -> np.datetime64:
    """Parse the required extract date into ``datetime64[D]``."""
    if extract_date is None or extract_date is pd.NaT:
        raise PbrError("extract_date is required (the date the offence data was taken)")
    if isinstance(extract_date, str):
        text = extract_date.strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise PbrError(f"extract_date must be an ISO date YYYY-MM-DD, got {extract_date!r}")
        try:
            return np.datetime64(dt.date.fromisoformat(text), "D")
        except ValueError:
            raise PbrError(f"extract_date is not a valid date: {extract_date!r}") from None
    if isinstance(extract_date, pd.Timestamp):
        if pd.isna(extract_date):
            raise PbrError("extract_date is required, got NaT")
        return np.datetime64(extract_date.date(), "D")
    if isinstance(extract_date, dt.datetime):
        return np.datetime64(extract_date.date(), "D")
    if isinstance(extract_date, dt.date):
        return np.datetime64(extract_date, "D")
    if isinstance(extract_date, np.datetime64):
        if np.isnat(extract_date):
            raise PbrError("extract_date is required, got NaT")
        day: np.datetime64 = extract_date.astype("datetime64[D]")
        return day
    raise PbrError(
        f"extract_date must be a 'YYYY-MM-DD' string, date or Timestamp, got {extract_date!r}"
    )


# --------------------------------------------------------------------------- parsing


def _plain(arr: pa.Array) -> pa.Array:
    """Decode dictionaries and normalise large strings to ``string``."""
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_large_string(arr.type) or pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.string())
    return arr


def _is_str(arr: pa.Array) -> bool:
    return bool(pa.types.is_string(arr.type))


def _clean_str(arr: pa.Array) -> pa.Array:
    """Trim whitespace; empty becomes null. Non-string arrays are cast to string.

    A dictionary array is cleaned on its distinct values, then expanded (one take).
    """
    if pa.types.is_dictionary(arr.type) and len(arr.dictionary) < len(arr):
        values = _clean_str(arr.dictionary)
        return values.take(arr.indices)
    arr = _plain(arr)
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.string())
    if not _is_str(arr):
        arr = _to_text(arr)
    if _surely_clean(arr):
        return arr
    trimmed = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _surely_clean(arr: pa.Array) -> bool:
    """True when no string is empty or starts or ends with a possible whitespace byte.

    Bytes up to 0x20 and every non-ASCII byte count as possible whitespace, so a
    true answer means trimming would change nothing (checked on the buffers).
    """
    n = len(arr)
    if n == 0 or arr.null_count == n:
        return n == 0
    bufs = arr.buffers()
    if bufs[2] is None:
        return False  # every string is empty
    offs = np.frombuffer(bufs[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4)
    data = np.frombuffer(bufs[2], dtype=np.uint8)
    start, end = offs[:-1], offs[1:]
    if arr.null_count:
        valid = _nonnull(arr)
        start, end = start[valid], end[valid]
    if bool((end <= start).any()):
        return False
    first, last = data[start], data[end - 1]
    return not bool(((first <= 0x20) | (first >= 0x80) | (last <= 0x20) | (last >= 0x80)).any())


def _to_text(arr: pa.Array) -> pa.Array:
    """Any arrow array as strings (for display and for string columns)."""
    arr = _plain(arr)
    if _is_str(arr):
        return arr
    try:
        return pc.cast(arr, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([None if v is None else str(v) for v in arr.to_pylist()], pa.string())


def _display(arr: pa.Array, idx: IntArray) -> npt.NDArray[np.object_]:
    """Original values of rows ``idx`` as text for the failure table."""
    if len(idx) == 0:
        return np.zeros(0, dtype=object)
    taken = _to_text(arr.take(pa.array(idx)))
    filled = pc.fill_null(taken, _MISSING)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=object)


def _nonnull(arr: pa.Array) -> BoolArray:
    return np.asarray(pc.is_valid(arr).to_numpy(zero_copy_only=False), dtype=bool)


_NAT = np.iinfo(np.int64).min
_FIRST_DAY = -719162  # 0001-01-01 as days since 1970-01-01
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _days_in_month(y: IntArray, m: IntArray) -> IntArray:
    """Days in month ``m`` (1–12) of year ``y`` (proleptic Gregorian)."""
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    out: IntArray = _MONTH_DAYS[m - 1] + (leap & (m == 2))
    return out


def _parse_dates(arr: pa.Array) -> tuple[DayArray, BoolArray]:
    """Strictly parse a date column: values (NaT if missing/bad) and a 'bad' mask."""
    arr = _plain(arr)
    n = len(arr)
    if pa.types.is_null(arr.type):
        return np.full(n, np.datetime64("NaT"), "datetime64[D]"), np.zeros(n, bool)
    if pa.types.is_timestamp(arr.type):
        if arr.type.tz is not None:
            arr = pc.local_timestamp(arr)
        arr = pc.cast(pc.floor_temporal(arr, unit="day"), pa.date32(), safe=False)
    if pa.types.is_date64(arr.type):
        arr = pc.cast(arr, pa.date32())
    if pa.types.is_date32(arr.type):
        days = arr.to_numpy(zero_copy_only=False).astype("datetime64[D]")
        return days, np.zeros(n, bool)
    if not _is_str(arr):
        present = _nonnull(arr)
        return np.full(n, np.datetime64("NaT"), "datetime64[D]"), present
    text = _clean_str(arr)
    present = _nonnull(text)
    try:  # fast path: Arrow's strict ISO parser accepts only real YYYY-MM-DD dates
        fast = pc.cast(text, pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        fast = None
    if fast is not None:
        days = np.asarray(fast.to_numpy(zero_copy_only=False), dtype="datetime64[D]")
        year0 = ~np.isnat(days) & (days.view(np.int64) < _FIRST_DAY)  # 0000-mm-dd
        days[year0] = np.datetime64("NaT")
        return days, year0
    # slow path: find every bad value (and accept an explicit midnight time)
    fmt = pc.fill_null(pc.match_substring_regex(text, _DATE_RE), False)
    fmt_np = np.asarray(fmt.to_numpy(zero_copy_only=False), dtype=bool)
    safe = pc.if_else(fmt, text, pa.scalar("1970-01-01"))
    y = np.asarray(pc.cast(pc.utf8_slice_codeunits(safe, 0, 4), pa.int64()), np.int64)
    m = np.asarray(pc.cast(pc.utf8_slice_codeunits(safe, 5, 7), pa.int64()), np.int64)
    d = np.asarray(pc.cast(pc.utf8_slice_codeunits(safe, 8, 10), pa.int64()), np.int64)
    ok = fmt_np & (y >= 1) & (m >= 1) & (m <= 12) & (d >= 1)
    m = np.where(ok, m, 1)
    ok &= d <= _days_in_month(y, m)
    ints = np.where(ok, days_from_civil(y, m, np.where(ok, d, 1)), _NAT)
    return ints.view("datetime64[D]"), present & ~ok


def _parse_bools(arr: pa.Array, default: bool) -> tuple[BoolArray, BoolArray]:
    """Parse a boolean column: values (default where missing) and a 'bad' mask."""
    arr = _plain(arr)
    n = len(arr)
    if pa.types.is_null(arr.type):
        return np.full(n, default), np.zeros(n, bool)
    if pa.types.is_boolean(arr.type):
        return np.asarray(pc.fill_null(arr, default).to_numpy(zero_copy_only=False)), np.zeros(
            n, bool
        )
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        present = _nonnull(arr)
        vals = np.asarray(
            pc.fill_null(pc.cast(arr, pa.float64()), -1.0).to_numpy(zero_copy_only=False), float
        )
        is_true = present & (vals == 1)
        is_false = present & (vals == 0)
        bad = present & ~is_true & ~is_false
        return np.where(present, is_true, default), bad
    text = _clean_str(arr)
    present = _nonnull(text)
    low = pc.utf8_lower(text)
    is_true = np.asarray(
        pc.is_in(low, value_set=pa.array(BOOLEAN_TRUE)).to_numpy(zero_copy_only=False), bool
    )
    is_false = np.asarray(
        pc.is_in(low, value_set=pa.array(BOOLEAN_FALSE)).to_numpy(zero_copy_only=False), bool
    )
    bad = present & ~is_true & ~is_false
    return np.where(present, is_true, default), bad


def _parse_ints(arr: pa.Array) -> tuple[IntArray, BoolArray, BoolArray]:
    """Parse an integer column: values, 'present' mask and 'bad' mask."""
    arr = _plain(arr)
    n = len(arr)
    if pa.types.is_null(arr.type):
        return np.zeros(n, np.int64), np.zeros(n, bool), np.zeros(n, bool)
    if pa.types.is_integer(arr.type):
        present = _nonnull(arr)
        vals = np.asarray(
            pc.fill_null(pc.cast(arr, pa.int64()), 0).to_numpy(zero_copy_only=False), np.int64
        )
        return vals, present, np.zeros(n, bool)
    if pa.types.is_floating(arr.type):
        f = np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), float)
        present = ~np.isnan(f)
        whole = present & np.isfinite(f) & (np.floor(f) == f) & (np.abs(f) < 2**62)
        vals = np.where(whole, f, 0).astype(np.int64)
        return vals, present & whole, present & ~whole
    if not _is_str(arr):
        present = _nonnull(arr)
        return np.zeros(n, np.int64), np.zeros(n, bool), present
    text = _clean_str(arr)
    present = _nonnull(text)
    ok = pc.fill_null(pc.match_substring_regex(text, _INT_RE), False)
    ok_np = np.asarray(ok.to_numpy(zero_copy_only=False), bool)
    safe = pc.if_else(ok, pc.replace_substring_regex(text, r"^\+|\.0*$", ""), pa.scalar("0"))
    vals = np.asarray(pc.cast(safe, pa.int64()).to_numpy(zero_copy_only=False), np.int64)
    return vals, present & ok_np, present & ~ok_np
