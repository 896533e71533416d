"""Suspicious but legal data: one :class:`pbr.errors.SuspiciousDataWarning` per kind.

Duplicate rows, unusual ages, offences before the age of criminal
responsibility, NA-like text; each warning gives counts.
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pbr.dates import age_in_years
from pbr.errors import SuspiciousDataWarning
from pbr.io._parse import _plain
from pbr.io._rules import _NA_LIKE, MIN_OFFENCE_AGE, WARN_MAX_AGE, WARN_MIN_AGE, BoolArray, IntArray


def _warn_na_like(text: pa.Array, column: str, table: str, notes: list[str]) -> None:
    hits = int(pc.sum(pc.is_in(text, value_set=pa.array(_NA_LIKE))).as_py() or 0)
    if hits:
        notes.append(
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


def _numeric_fingerprint(frame: pd.DataFrame) -> npt.NDArray[np.uint64] | None:
    """A cheap (non-exact) row fingerprint from the date, bool and integer columns."""
    h = np.zeros(len(frame), dtype=np.uint64)
    used = False
    for i in range(frame.shape[1]):
        s = frame.iloc[:, i]
        if s.dtype.kind == "M":
            v = s.to_numpy().view(np.int64).view(np.uint64)
        elif s.dtype.kind == "b":
            v = s.to_numpy().astype(np.uint64)
        elif isinstance(s.dtype, pd.Int64Dtype):
            v = s.to_numpy(dtype=np.int64, na_value=-(2**62)).view(np.uint64)
        else:
            continue
        used = True
        h = (h ^ v) * np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(29)
    return h if used else None


def _duplicated(frame: pd.DataFrame) -> BoolArray:
    """Exact duplicates of an earlier row (missing equals missing).

    A cheap fingerprint of the date/bool/integer columns first narrows the
    rows to candidates (rows that are exact duplicates always share a
    fingerprint); the candidates are then compared exactly: each column is
    factorised (pyarrow ``dictionary_encode`` for strings) and the codes are
    combined into one exact int64 row key. No false positives.
    """
    out = np.zeros(len(frame), dtype=bool)
    fingerprint = _numeric_fingerprint(frame)
    if fingerprint is None:
        return _exact_duplicated(frame)
    candidates = np.flatnonzero(pd.Series(fingerprint).duplicated(keep=False).to_numpy())
    if len(candidates):
        out[candidates] = _exact_duplicated(frame.iloc[candidates])
    return out


def _table_warnings(table: str, frame: pd.DataFrame, age: IntArray | None) -> list[str]:
    """Suspicious-but-legal data in one valid table: one message per kind."""
    notes: list[str] = []
    n = len(frame)
    if n == 0:
        return notes
    dup = _duplicated(frame)
    if dup.any():
        first = int(np.flatnonzero(dup)[0]) + 1
        if table == "cohort":
            notes.append(
                f"cohort: {int(dup.sum()):,} row(s) are exact duplicates of an earlier row "
                f"(first at row {first}); they collapse into one event under the "
                "first-event rule"
            )
        else:
            notes.append(
                f"offences: {int(dup.sum()):,} row(s) are exact duplicates of an earlier row "
                f"(first at row {first}); they are kept and count as separate offences"
            )
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


def _person_warnings(cohort: pd.DataFrame, offences: pd.DataFrame) -> list[str]:
    """Cross-table warnings: inconsistent people, offences before age 10."""
    notes: list[str] = []
    if len(cohort) == 0:
        return notes
    enc = pc.dictionary_encode(_string_array(cohort["offender_id"]))
    person = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    k = len(enc.dictionary)
    dob = cohort["date_of_birth"].to_numpy().astype("datetime64[D]").view(np.int64)
    sex = (cohort["sex"] == "M").to_numpy(dtype=bool).astype(np.int64)
    lo = np.full(k, np.iinfo(np.int64).max)
    hi = np.full(k, np.iinfo(np.int64).min)
    np.minimum.at(lo, person, dob)
    np.maximum.at(hi, person, dob)
    sex_lo = np.full(k, 2)
    sex_hi = np.full(k, -1)
    np.minimum.at(sex_lo, person, sex)
    np.maximum.at(sex_hi, person, sex)
    incons = int(((lo != hi) | (sex_lo != sex_hi)).sum())
    if incons:
        notes.append(
            f"cohort: {incons:,} offender(s) have more than one date_of_birth or sex "
            "across their rows"
        )
    if len(offences):
        pos = pc.index_in(_string_array(offences["offender_id"]), value_set=enc.dictionary)
        where = np.asarray(pc.fill_null(pos, -1).to_numpy(zero_copy_only=False), np.int64)
        has = where >= 0
        off = offences["offence_date"].to_numpy().astype("datetime64[D]")
        first_dob = lo[where[has]].view("datetime64[D]")
        young = np.zeros(len(offences), bool)
        sub = off[has]
        early = sub < first_dob
        age_ok = ~early
        young_sub = early.copy()
        young_sub[age_ok] = age_in_years(first_dob[age_ok], sub[age_ok]) < MIN_OFFENCE_AGE
        young[has] = young_sub
        if young.any():
            notes.append(
                f"offences: {int(young.sum()):,} offence(s) dated before the offender's "
                f"{MIN_OFFENCE_AGE}th birthday (first at row {int(np.flatnonzero(young)[0]) + 1})"
            )
    return notes


def _emit(notes: list[str]) -> None:
    for note in notes:
        warnings.warn(note, SuspiciousDataWarning, stacklevel=3)
