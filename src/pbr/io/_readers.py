"""Loading a pandas DataFrame or a Parquet file into the raw (not yet validated) form.

Spec columns become Arrow arrays, extra columns are kept as pandas Series.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pbr.io._failures import _Failures
from pbr.io._rules import _INDEX_COLUMN_RE, _PARQUET_SUFFIXES, _SPECS

# --------------------------------------------------------------------------- loading


@dataclass
class _Raw:
    """A loaded but not yet validated table."""

    label: str
    n_rows: int
    columns: dict[str, pa.Array] = field(default_factory=dict)
    extras: list[tuple[str, pd.Series]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


def _is_parquet(path: Path, head: bytes) -> bool:
    return head[:4] == b"PAR1" or path.name.lower().endswith(_PARQUET_SUFFIXES)


def _load_frame(df: pd.DataFrame, table: str, fails: _Failures) -> _Raw | None:
    names = [str(c) for c in df.columns]
    raw = _Raw(label="DataFrame", n_rows=len(df), names=names)
    if not _check_names(names, fails):
        return None
    spec_names = {c.name for c in _SPECS[table]}
    for pos, name in enumerate(names):
        s = df.iloc[:, pos].reset_index(drop=True)
        if name in spec_names:
            raw.columns[name] = _series_to_arrow(s)
        else:
            raw.extras.append((name, s))
    return raw


def _series_to_arrow(s: pd.Series) -> pa.Array:
    """Convert one pandas column to an arrow array; mixed objects become strings."""
    try:
        arr = pa.array(s, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        arr = pa.array(s.astype("string"), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):  # an arrow-backed column of several chunks (pd.concat)
        arr = arr.combine_chunks()
    return arr


def _check_names(names: list[str], fails: _Failures) -> bool:
    seen: set[str] = set()
    dups = sorted({n for n in names if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    for d in dups:
        fails.add_whole(d, d, "duplicate column name")
    return not dups


#: Spec text columns with few distinct values (codes and categories, not ids).
_LOW_CARDINALITY = frozenset(
    {"lot", "event_type", "sex", "supervisor", "exclusion_reason", "offence_group", "disposal_type"}
)


def _dictionary_columns(path: Path, table: str) -> list[str]:
    """The low-cardinality spec text columns of the file (read as dictionaries)."""
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError):
        return []
    spec = {c.name for c in _SPECS[table]} & _LOW_CARDINALITY
    return [
        f.name
        for f in schema
        if f.name in spec and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
    ]


def _load_parquet(path: Path, table: str, fails: _Failures) -> _Raw | None:
    label = str(path)
    try:
        # low-cardinality text columns stay dictionary-encoded: they are cleaned and
        # checked on their few distinct values (see _parse._clean_str)
        t = pq.read_table(path, read_dictionary=_dictionary_columns(path, table))
    except (pa.ArrowException, OSError) as exc:
        fails.add_whole("-", label, f"not a readable Parquet file ({exc})")
        return None
    names = [n for n in t.column_names if not _INDEX_COLUMN_RE.match(n)]
    raw = _Raw(label=label, n_rows=t.num_rows, names=names)
    if not _check_names(names, fails):
        return None
    spec_names = {c.name for c in _SPECS[table]}
    extra_names: list[str] = []
    for name in names:
        if name in spec_names:
            col = t.column(name)
            if pa.types.is_dictionary(col.type):
                col = col.unify_dictionaries()
            raw.columns[name] = col.combine_chunks()
        else:
            extra_names.append(name)
    if extra_names:
        strings = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype()}
        extras = t.select(extra_names).to_pandas(ignore_metadata=True, types_mapper=strings.get)
        raw.extras = [(n, extras[n].reset_index(drop=True)) for n in extra_names]
    return raw
