"""Suspicious but legal data: one :class:`pbr.errors.SuspiciousDataWarning` per kind.

Duplicate rows, unusual ages, offences before the age of criminal
responsibility, NA-like text; each warning gives counts.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pbr._days import as_days
from pbr._engine.codes import IdCodes, encode_ids
from pbr._engine.lookup import IdLookup, key_buckets
from pbr._engine.strings import fixed_keys, string_parts
from pbr.dates import age_in_years
from pbr.errors import SuspiciousDataWarning
from pbr.io._parse import _plain
from pbr.io._rules import _NA_LIKE, MIN_OFFENCE_AGE, WARN_MAX_AGE, WARN_MIN_AGE, BoolArray, IntArray


def _na_like_hits(text: pa.Array) -> int:
    """How many values of a text column look like a missing-value marker."""
    return int(pc.sum(pc.is_in(text, value_set=pa.array(_NA_LIKE))).as_py() or 0)


def _na_like_note(table: str, column: str, hits: int) -> str:
    """The warning about ``hits`` NA-like values in ``column``."""
    return (
        f"{table}: {hits:,} {column} value(s) look like a missing-value marker "
        f"({'/'.join(_NA_LIKE[:4])}...); pbr reads only empty cells as missing, "
        "so these are kept as text"
    )


def _string_array(s: pd.Series) -> pa.Array:
    """A pandas ``string`` column as one plain arrow string array."""
    arr = pa.array(s, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return _plain(arr)


def _column_codes(s: pd.Series) -> tuple[IntArray, int]:
    """Integer codes of a column's values (missing = -1) and the number of distinct values."""
    if isinstance(s.dtype, pd.StringDtype):
        enc = pc.dictionary_encode(_string_array(s))
        codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False))
        return codes.astype(np.int64), len(enc.dictionary)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), len(uniques)


def _exact_duplicated(frame: pd.DataFrame) -> BoolArray:
    """Exact duplicates of an earlier row: factorised columns combined into one key."""
    key = np.zeros(len(frame), dtype=np.int64)
    size = 1
    for i in range(frame.shape[1]):
        codes, k = _column_codes(frame.iloc[:, i])
        if size * (k + 1) >= 2**62:
            key, uniques = pd.factorize(key)
            size = len(uniques)
        key = key * (k + 1) + (codes + 1)
        size *= k + 1
    out: BoolArray = pd.Series(key).duplicated(keep="first").to_numpy()
    return out


_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_NULL_WORD = np.uint64(0x5BD1E9955BD1E995)


def _string_words(arr: pa.Array) -> npt.NDArray[np.uint64]:
    """One 64-bit word per string: equal strings (and all missing values) share a word.

    Short ASCII strings (at most 16 bytes, the usual ids and codes) are padded to
    one width by Arrow and read straight from the data buffer as one or two 64-bit
    words, mixed with the length (exact up to the final mixing); other columns
    use Arrow's dictionary encoding (exact codes).
    """
    arr = _plain(arr)
    if not pa.types.is_string(arr.type):
        arr = pc.cast(arr, pa.string())
    n = len(arr)
    valid = None if arr.null_count == 0 else arr.is_valid()
    lens = pc.binary_length(arr)
    width = pc.max(lens).as_py() or 0
    h: npt.NDArray[np.uint64] | None = None
    # few distinct values (codes, categories): Arrow's dictionary codes are cheaper
    few = pc.count_distinct(arr.slice(0, 4096), mode="all").as_py() <= 64
    if 0 < width <= 16 and not few:
        wide = 8 if width <= 8 else 16
        padded = pc.utf8_rpad(pc.fill_null(arr, ""), wide, " ")
        offs, data = string_parts(padded)
        start = int(offs[0])
        if int(offs[-1]) - start == n * wide:  # every row `wide` bytes: ASCII only
            words = data[start : start + n * wide].view(np.uint64).reshape(n, wide // 8)
            length = np.asarray(pc.fill_null(lens, 0).to_numpy(zero_copy_only=False), np.uint64)
            high = words[:, 1] + length if wide == 16 else length
            h = (words[:, 0] * _M1) ^ (high * _M2)
    if h is None:
        enc = pc.dictionary_encode(arr)
        h = np.asarray(pc.fill_null(enc.indices, 0).to_numpy(zero_copy_only=False), np.int64)
        h = h.astype(np.uint64) * _M2
    h ^= h >> np.uint64(29)
    h *= _M1
    if valid is not None:
        h[~np.asarray(valid.to_numpy(zero_copy_only=False), dtype=bool)] = _NULL_WORD
    return h


def _column_words(s: pd.Series) -> npt.NDArray[np.uint64]:
    """One 64-bit word per row: rows that :func:`_exact_duplicated` finds equal share it."""
    dt = s.dtype
    if isinstance(dt, pd.StringDtype):
        return _string_words(_string_array(s))
    if isinstance(dt, pd.CategoricalDtype):
        return np.asarray(s.cat.codes.to_numpy(), dtype=np.int64).view(np.uint64)
    if isinstance(dt, np.dtype):
        v = s.to_numpy()
        if dt.kind in "mM":
            return v.view(np.int64).view(np.uint64)
        if dt.kind == "b":
            return v.astype(np.uint64)
        if dt.kind in "iu":
            return v.astype(np.int64, copy=False).view(np.uint64)
        if dt.kind == "f":
            f = v.astype(np.float64)  # a copy: -0.0 equals 0.0, every NaN one value
            f[f == 0] = 0.0
            f[np.isnan(f)] = np.nan
            return f.view(np.uint64)
    if isinstance(dt, pd.Int64Dtype):
        return s.to_numpy(dtype=np.int64, na_value=-(2**62)).view(np.uint64)
    codes, _ = pd.factorize(s, use_na_sentinel=True)  # anything else: its own equality
    return np.asarray(codes, dtype=np.int64).view(np.uint64)


def _repeated(h: npt.NDArray[np.uint64]) -> BoolArray:
    """Rows whose value of ``h`` occurs more than once (one sort of the top 32 bits)."""
    return _repeated_top((h >> np.uint64(32)).astype(np.uint32))


def _repeated_top(top: npt.NDArray[np.uint32]) -> BoolArray:
    """Rows whose value of ``top`` occurs more than once (a superset of :func:`_repeated`)."""
    srt = np.sort(top)
    again = srt[1:][srt[1:] == srt[:-1]]
    out = np.zeros(len(top), dtype=bool)
    if len(again) == 0:
        return out
    values = np.unique(again)
    # a bitmap of the top 22 bits narrows first (4 MB: its random probes stay in cache)
    seen = np.zeros(1 << 22, dtype=bool)
    seen[values >> np.uint32(10)] = True
    maybe = np.flatnonzero(seen[top >> np.uint32(10)])
    pos = np.searchsorted(values, top[maybe])
    pos[pos == len(values)] = 0
    out[maybe[values[pos] == top[maybe]]] = True
    return out


def _duplicated(
    frame: pd.DataFrame, h: npt.NDArray[np.uint64] | None = None, start: int = 0
) -> BoolArray:
    """Exact duplicates of an earlier row (missing equals missing).

    A 64-bit fingerprint of every row (one word per column, from the raw values or
    buffers: :func:`_column_words`) narrows the rows to candidates (rows that are
    exact duplicates always share a fingerprint); the candidates are then compared
    exactly: each column is factorised (pyarrow ``dictionary_encode`` for strings)
    and the codes are combined into one exact int64 row key. No false positives.
    ``h`` is the fingerprint of the first ``start`` columns when already made
    (equal values must give equal words).
    """
    out = np.zeros(len(frame), dtype=bool)
    if frame.shape[1] == 0 or len(frame) < 2:
        return out if frame.shape[1] else _exact_duplicated(frame)
    if h is None:
        h, start = np.zeros(len(frame), dtype=np.uint64), 0
    for i in range(start, frame.shape[1]):
        h = (h ^ _column_words(frame.iloc[:, i])) * _M1
        h ^= h >> np.uint64(32)
    candidates = np.flatnonzero(_repeated(h))
    if len(candidates):
        out[candidates] = _exact_duplicated(frame.iloc[candidates])
    return out


def _table_warnings(
    table: str,
    frame: pd.DataFrame,
    age: IntArray | None,
    h: npt.NDArray[np.uint64] | None = None,
    start: int = 0,
) -> list[str]:
    """Suspicious-but-legal data in one valid table: one message per kind.

    ``h``, ``start``: see :func:`_duplicated`.
    """
    notes: list[str] = []
    n = len(frame)
    if n == 0:
        return notes
    dup = _duplicated(frame, h, start)
    if dup.any():
        notes.append(_dup_note(table, int(dup.sum()), int(np.flatnonzero(dup)[0])))
    if table == "cohort":
        dob = frame["date_of_birth"].to_numpy().astype("datetime64[D]")
        idate = frame["index_date"].to_numpy().astype("datetime64[D]")
        if age is None:  # pragma: no cover - always computed by _cross_checks
            age = age_in_years(dob, idate)
        for mask, what in (
            (age < WARN_MIN_AGE, f"aged under {WARN_MIN_AGE}"),
            (age > WARN_MAX_AGE, f"aged over {WARN_MAX_AGE}"),
        ):
            if mask.any():
                notes.append(
                    f"cohort: {int(mask.sum()):,} row(s) {what} at index_date "
                    f"(first at row {int(np.flatnonzero(mask)[0]) + 1})"
                )
        fs = frame["first_sanction_date"].to_numpy().astype("datetime64[D]")
        has = ~np.isnat(fs) & (fs >= dob)
        young = np.zeros(n, bool)
        young[has] = age_in_years(dob[has], fs[has]) < MIN_OFFENCE_AGE
        young |= ~np.isnat(fs) & (fs < dob)
        if young.any():
            notes.append(
                f"cohort: {int(young.sum()):,} row(s) have a first_sanction_date before age "
                f"{MIN_OFFENCE_AGE} (first at row {int(np.flatnonzero(young)[0]) + 1})"
            )
    return notes


def _dup_note(table: str, count: int, first: int) -> str:
    """The warning about ``count`` exact duplicate rows, the first at 0-based row ``first``."""
    if table == "cohort":
        return (
            f"cohort: {count:,} row(s) are exact duplicates of an earlier row "
            f"(first at row {first + 1}); they collapse into one event under the "
            "first-event rule"
        )
    return (
        f"offences: {count:,} row(s) are exact duplicates of an earlier row "
        f"(first at row {first + 1}); they are kept and count as separate offences"
    )


@dataclass(frozen=True, eq=False)
class _People:
    """The cohort's people: offender codes, their lookup and earliest date of birth.

    ``first_dob[code]`` is the earliest date of birth (day number) of the person
    with that code; ``latest_dob`` the largest of them; ``latest_in[b]`` the
    largest ``first_dob`` of the people whose fixed-key bucket
    (:func:`~pbr._engine.lookup.key_buckets` with ``bucket_bits``) is ``b``
    (None when the ids are not all short): an upper bound of a row's
    offender's earliest date of birth, without looking the offender up.
    """

    codes: IdCodes
    lookup: IdLookup
    first_dob: IntArray
    latest_dob: int
    latest_in: npt.NDArray[np.int32] | None = None
    bucket_bits: int = 0

    def may_be_young(self, off: IntArray, keys: tuple[Any, Any, Any] | None) -> BoolArray:
        """Rows that may be dated before the offender's 10th birthday (a superset)."""
        latest: Any = self.latest_dob
        if keys is not None and self.latest_in is not None:
            latest = self.latest_in[key_buckets(keys, self.bucket_bits)]
        out: BoolArray = off < latest + 3654
        return out


def _people(cohort: pd.DataFrame | Mapping[str, Any]) -> tuple[_People, list[str]]:
    """The people of a valid, non-empty cohort and the inconsistent-people warning.

    ``cohort`` is the canonical frame, or the checked columns of the same table
    (:class:`pbr.io._checks._Columns` ``values``: arrow ids and sex, ``datetime64[D]``
    dates of birth), which are ready before the frame is made.
    """
    codes = encode_ids(cohort["offender_id"])
    person = np.asarray(codes.codes, dtype=np.int64)
    k = len(codes.universe)
    dob = as_days(cohort["date_of_birth"]).view(np.int64)
    sex = _is_male(cohort["sex"]).astype(np.int64)
    lo = np.full(k, np.iinfo(np.int64).max)
    hi = np.full(k, np.iinfo(np.int64).min)
    np.minimum.at(lo, person, dob)
    np.maximum.at(hi, person, dob)
    sex_lo = np.full(k, 2)
    sex_hi = np.full(k, -1)
    np.minimum.at(sex_lo, person, sex)
    np.maximum.at(sex_hi, person, sex)
    notes: list[str] = []
    incons = int(((lo != hi) | (sex_lo != sex_hi)).sum())
    if incons:
        notes.append(
            f"cohort: {incons:,} offender(s) have more than one date_of_birth or sex "
            "across their rows"
        )
    latest = int(lo.max()) if k else -(2**40)
    lookup = IdLookup(codes.universe)
    keys = fixed_keys(codes.universe, None) if lookup.fast and k else None
    if keys is None:
        return _People(codes, lookup, lo, latest), notes
    bits = max(4, int(np.ceil(np.log2(k))))
    latest_in = np.full(1 << bits, np.iinfo(np.int32).min, dtype=np.int32)
    np.maximum.at(latest_in, key_buckets(keys, bits), lo.astype(np.int32))
    return _People(codes, lookup, lo, latest, latest_in, bits), notes


def _is_male(sex: Any) -> BoolArray:
    """``sex == "M"`` of a canonical column (pandas, or arrow as checked; missing: False)."""
    if isinstance(sex, pd.Series):
        out: BoolArray = (sex == "M").to_numpy(dtype=bool, na_value=False)
        return out
    arr = sex.dictionary.take(sex.indices) if isinstance(sex, pa.DictionaryArray) else sex
    eq = pc.fill_null(pc.equal(arr, "M"), False)
    return np.asarray(eq.to_numpy(zero_copy_only=False), dtype=bool)


def _young(people: _People, code: npt.NDArray[np.int32], off: IntArray, near: IntArray) -> IntArray:
    """The rows of ``near`` whose offence day is before the offender's 10th birthday.

    ``code`` is each row's offender code (-1: not in the cohort), ``off`` the
    offence day numbers.
    """
    rows = near[code[near] >= 0]
    first_dob = people.first_dob[code[rows]]
    o = off[rows]
    # 10 years are at most 3,653 days: only rows nearer than that can be under 10
    close = np.flatnonzero(o - first_dob < 3654)
    rows, o, first_dob = rows[close], o[close], first_dob[close]
    young = o < first_dob
    ok = np.flatnonzero(~young)
    young[ok] = (
        age_in_years(first_dob[ok].view("datetime64[D]"), o[ok].view("datetime64[D]"))
        < MIN_OFFENCE_AGE
    )
    out: IntArray = rows[young]
    return out


def _young_note(count: int, first: int) -> str:
    """The warning about ``count`` offences before age 10, the first at 0-based row ``first``."""
    return (
        f"offences: {count:,} offence(s) dated before the offender's "
        f"{MIN_OFFENCE_AGE}th birthday (first at row {first + 1})"
    )


def _person_warnings(cohort: pd.DataFrame, offences: pd.DataFrame) -> list[str]:
    """Cross-table warnings: inconsistent people, offences before age 10."""
    if len(cohort) == 0:
        return []
    people, notes = _people(cohort)
    if len(offences):
        # the engine's id lookup (exact fixed-width keys in a numpy hash table, all cores)
        code = people.lookup.codes(offences["offender_id"])
        off = offences["offence_date"].to_numpy().astype("datetime64[D]").view(np.int64)
        young = _young(people, code, off, np.arange(len(off)))
        if len(young):
            notes.append(_young_note(len(young), int(young[0])))
    return notes


def _emit(notes: list[str]) -> None:
    for note in notes:
        warnings.warn(note, SuspiciousDataWarning, stacklevel=3)
