"""Validating one table: open, parse, apply the row rules and the cross-column checks.

Every failure is collected, then raised once by :func:`_raise` as one
:class:`pbr.errors.ValidationError`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pbr.dates import age_in_years
from pbr.errors import ValidationError
from pbr.io._csv import _load_csv
from pbr.io._failures import _Failures, _message, _sorted_failures
from pbr.io._microdata_extra import check_id_type
from pbr.io._microdata_words import _fingerprint
from pbr.io._parse import _clean_str, _display, _nonnull, _parse_bools, _parse_dates, _parse_ints
from pbr.io._readers import _is_parquet, _load_frame, _load_parquet, _Raw
from pbr.io._rules import (
    _MISSING,
    _SPECS,
    MAX_AGE,
    BoolArray,
    DayArray,
    IntArray,
    LotsLike,
    TableName,
)
from pbr.io._warnings import _na_like_hits, _na_like_note, _table_warnings
from pbr.lots import LotRegistry, default_registry, read_lots


def _load(source: Any, table: str, fails: _Failures, notes: list[str]) -> _Raw | None:
    """Load ``source`` into a :class:`_Raw`; record file-level failures."""
    if isinstance(source, pd.DataFrame):
        return _load_frame(source, table, fails)
    if not isinstance(source, str | os.PathLike):
        fails.add_whole(
            "-", type(source).__name__, "source must be a file path or a pandas DataFrame"
        )
        return None
    path = Path(source)
    label = str(path)
    if not path.exists():
        fails.add_whole("-", label, "file not found")
        return None
    if path.is_dir():
        fails.add_whole("-", label, "is a directory, not a file")
        return None
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        fails.add_whole("-", label, f"cannot read file: {exc.strerror or exc}")
        return None
    if len(head) == 0:
        fails.add_whole("-", label, "file is empty (0 bytes): expected a header row")
        return None
    if _is_parquet(path, head):
        return _load_parquet(path, table, fails)
    return _load_csv(path, head, table, fails, notes)


# --------------------------------------------------------------------------- validation


@dataclass
class _Checked:
    """Result of validating one table (frame only when there are no failures)."""

    table: str
    label: str
    frame: pd.DataFrame | None
    failures: _Failures
    notes: list[str]


def _read(
    source: Any,
    table: TableName,
    extract: np.datetime64,
    lots: LotsLike,
    on_checked: Callable[[dict[str, Any]], None] | None = None,
) -> _Checked:
    """Validate one table; ``on_checked(values)`` is called once its rows pass the checks.

    ``values`` are the checked spec columns (:class:`_Columns`), before the
    canonical frame and the warnings are made (the streamed reader starts its
    lookups on them meanwhile).
    """
    fails = _Failures(table)
    notes: list[str] = []
    raw = _load(source, table, fails, notes)
    if raw is None:
        label = "DataFrame" if isinstance(source, pd.DataFrame) else str(source)
        return _Checked(table, label, None, fails, notes)
    spec = _SPECS[table]
    n = raw.n_rows
    present_names = set(raw.names)
    for c in spec:
        if c.required and c.name not in present_names:
            near = [x for x in raw.names if x.strip().lower() == c.name.lower()]
            hint = f" (found {near[0]!r}: column names are case-sensitive)" if near else ""
            fails.add_whole(c.name, _MISSING, f"missing required column{hint}")

    cols = _check_columns(raw.columns, n, table, extract, lots, fails)
    for name, hits in cols.na_hits.items():
        notes.append(_na_like_note(table, name, hits))
    age = _cross_checks(table, cols.dates, extract, fails)
    if fails:
        return _Checked(table, raw.label, None, fails, notes)
    if on_checked is not None:
        on_checked(cols.values)
    out = {name: _as_series(v) for name, v in cols.values.items()}
    frame = pd.DataFrame(out, index=pd.RangeIndex(n))
    for name, s in raw.extras:
        frame[name] = s.to_numpy() if isinstance(s.dtype, np.dtype) else s.array
    # the spec columns' fingerprint from the checked arrow/numpy values (fast)
    h, _ = _fingerprint(cols.values, [], n, None, second=False)
    notes.extend(_table_warnings(table, frame, age, h, len(cols.values)))
    return _Checked(table, raw.label, frame, fails, notes)


@dataclass
class _Columns:
    """The checked spec columns of one table (or one row group of it), before pandas.

    ``values``: dates as ``datetime64[D]``, flags as ``bool``, whole numbers as
    ``(values, present)``, text as a cleaned arrow ``string`` array; ``dates``
    the date columns again (for the cross-column checks); ``na_hits`` the number
    of NA-like text values per column that is warned about.
    """

    values: dict[str, Any] = field(default_factory=dict)
    dates: dict[str, DayArray] = field(default_factory=dict)
    na_hits: dict[str, int] = field(default_factory=dict)


def _check_columns(
    columns: dict[str, pa.Array],
    n: int,
    table: TableName,
    extract: np.datetime64,
    lots: LotsLike,
    fails: _Failures,
) -> _Columns:
    """Apply the row rules of every spec column (docs/methodology.md#input-data).

    A required column that is absent gets no per-row failures (it is reported
    once as missing by the caller); an absent optional column is read as empty.
    """
    spec = _SPECS[table]
    cols = _Columns()
    registry: LotRegistry | None = None
    for c in spec:
        arr = columns.get(c.name)
        if arr is None:
            arr = pa.nulls(n, pa.string())
            if c.required:
                # reported once above as a missing column; no per-row failures
                continue
        if c.kind == "date":
            days, bad = _parse_dates(arr)
            idx = np.flatnonzero(bad)
            fails.add(idx, c.name, _display(arr, idx), "unparseable date (expected YYYY-MM-DD)")
            missing = np.isnat(days) & ~bad
            if c.required:
                idx = np.flatnonzero(missing)
                fails.add(idx, c.name, np.full(len(idx), _MISSING, object), "missing date")
            over = ~np.isnat(days) & (days > extract)
            idx = np.flatnonzero(over)
            fails.add(idx, c.name, _display(arr, idx), f"date after the extract date ({extract})")
            cols.dates[c.name] = days
            cols.values[c.name] = days
        elif c.kind == "bool":
            vals, bad = _parse_bools(arr, bool(c.default))
            idx = np.flatnonzero(bad)
            fails.add(
                idx,
                c.name,
                _display(arr, idx),
                "not a boolean (expected true/false, yes/no, y/n, 1/0)",
            )
            cols.values[c.name] = vals.astype(bool)
        elif c.kind == "int":
            ivals, present, bad = _parse_ints(arr)
            idx = np.flatnonzero(bad)
            fails.add(idx, c.name, _display(arr, idx), "not a whole number")
            if c.name == "sanctions":
                idx = np.flatnonzero(present & (ivals < 1))
                fails.add(idx, c.name, _display(arr, idx), "sanctions must be at least 1")
            cols.values[c.name] = (ivals, present)
        else:
            check_id_type(arr, c.name, fails)
            coded = c.allowed is not None and c.default is None and c.name != "lot"
            text = _clean_codes(arr) if coded else _clean_str(arr)
            present = _nonnull(text)
            if c.required:
                idx = np.flatnonzero(~present)
                fails.add(idx, c.name, np.full(len(idx), _MISSING, object), "missing value")
            if c.name == "lot":
                registry = registry or _registry(lots)
                text = _resolve_lots(text, present, registry, fails, arr)
            elif c.allowed is not None:
                known = _is_in(text, c.allowed)
                idx = np.flatnonzero(present & ~known)
                shown = ", ".join(c.allowed) if len(c.allowed) <= 6 else "see docs"
                fails.add(idx, c.name, _display(arr, idx), f"unknown {c.name} (expected {shown})")
            if c.default is not None:
                text = pc.fill_null(text, str(c.default))
            elif c.name in ("exclusion_reason", "appearance_id"):
                hits = _na_like_hits(text)
                if hits:
                    cols.na_hits[c.name] = hits
            cols.values[c.name] = text
    return cols


def _clean_codes(arr: pa.Array) -> pa.Array:
    """:func:`_clean_str` of a code column; a dictionary stays one (cleaned dictionary).

    A cleaned-away (blank) dictionary value is a missing value of the rows that
    use it: arrow's ``is_valid`` and ``is_in`` see it as missing.
    """
    if pa.types.is_dictionary(arr.type) and len(arr.dictionary) < len(arr):
        return pa.DictionaryArray.from_arrays(arr.indices, _clean_str(arr.dictionary))
    return _clean_str(arr)


def _is_in(text: pa.Array, allowed: tuple[str, ...]) -> BoolArray:
    """``text[i] in allowed`` (missing: false); a dictionary is tested on its values."""
    value_set = pa.array(allowed, pa.string())
    if isinstance(text, pa.DictionaryArray):
        hit = pc.fill_null(pc.is_in(text.dictionary, value_set=value_set), False)
        in_dict = np.append(np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool), False)
        idx = np.asarray(pc.fill_null(text.indices, -1).to_numpy(zero_copy_only=False), np.int64)
        out: BoolArray = in_dict[idx]
        return out
    return np.asarray(pc.is_in(text, value_set=value_set).to_numpy(zero_copy_only=False), bool)


def _as_series(value: Any) -> pd.Series:
    """One checked column (see :class:`_Columns`) in the canonical pandas form."""
    if isinstance(value, pa.DictionaryArray):
        value = value.dictionary.take(value.indices)
    if isinstance(value, tuple):
        ivals, present = value
        return pd.Series(pd.arrays.IntegerArray(ivals, ~present))
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "M":
            return pd.Series(value.astype("datetime64[s]"))
        return pd.Series(value)
    return pd.Series(pd.array(value, dtype="string"))


def _registry(lots: LotsLike) -> LotRegistry:
    """The lot registry to use: the default, a given registry, or a lot table to read."""
    if lots is None:
        return default_registry()
    if isinstance(lots, LotRegistry):
        return lots
    if isinstance(lots, pd.DataFrame):
        return read_lots(lots)
    return read_lots(Path(lots))


def _resolve_lots(
    text: pa.Array, present: BoolArray, lots: LotRegistry, fails: _Failures, raw: pa.Array
) -> pa.Array:
    """Map lot codes/names to codes via the distinct values only (fast)."""
    uniques = pc.unique(text.drop_null())
    codes = lots.resolve(uniques.to_pylist())
    code_arr = pa.array(codes.astype(object).where(codes.notna(), None).tolist(), pa.string())
    pos = pc.index_in(text, value_set=uniques)
    resolved = pc.take(code_arr, pos)
    unknown = present & ~_nonnull(resolved)
    idx = np.flatnonzero(unknown)
    fails.add(idx, "lot", _display(raw, idx), "unknown lot (not a code or exact name)")
    return resolved


def _cross_checks(
    table: str,
    dates: dict[str, DayArray],
    extract: np.datetime64,
    fails: _Failures,
) -> IntArray | None:
    """Checks between columns; returns the age at index_date (cohort) for reuse."""

    def show(name: str, idx: IntArray) -> npt.NDArray[np.object_]:
        return np.asarray(dates[name][idx].astype(str), dtype=object)

    if table == "offences":
        if "offence_date" in dates and "disposal_date" in dates:
            off, disp = dates["offence_date"], dates["disposal_date"]
            idx = np.flatnonzero(~np.isnat(off) & ~np.isnat(disp) & (disp < off))
            fails.add(
                idx,
                "disposal_date",
                show("disposal_date", idx),
                "disposal_date before offence_date",
            )
        return None
    idate = dates.get("index_date")
    if idate is None:
        return None
    has_i = ~np.isnat(idate)
    if "first_sanction_date" in dates:
        fs = dates["first_sanction_date"]
        idx = np.flatnonzero(has_i & ~np.isnat(fs) & (fs > idate))
        fails.add(
            idx,
            "first_sanction_date",
            show("first_sanction_date", idx),
            "first_sanction_date after index_date",
        )
    if "date_of_birth" in dates:
        dob = dates["date_of_birth"]
        both = has_i & ~np.isnat(dob)
        idx = np.flatnonzero(both & (dob > idate))
        fails.add(
            idx, "date_of_birth", show("date_of_birth", idx), "date_of_birth after index_date"
        )
        age = np.zeros(len(dob), np.int64)
        ok = both & (dob <= idate)
        age[ok] = age_in_years(dob[ok], idate[ok])
        idx = np.flatnonzero(ok & (age > MAX_AGE))
        fails.add(
            idx,
            "date_of_birth",
            show("date_of_birth", idx),
            f"age over {MAX_AGE} at index_date",
        )
        return age
    return None


def _raise(checked: list[_Checked]) -> None:
    parts = [p for c in checked for p in c.failures.parts]
    if not parts:
        return
    failures = _sorted_failures(parts)
    bad = [c for c in checked if c.failures]
    what = " and ".join(f"{c.table} table ({c.label})" for c in bad)
    what += " is invalid" if len(bad) == 1 else " are invalid"
    raise ValidationError(_message(failures, what), failures)
