"""Reading, validating and writing the two input tables (SPEC §1).

:func:`read_cohort` and :func:`read_offences` accept a path to a CSV file
(``.csv``, ``.csv.gz``; any other suffix is read as CSV too) or a Parquet file
(``.parquet``, ``.pq``; a file that starts with the Parquet magic bytes is read
as Parquet whatever its suffix), or a pandas DataFrame. They return the
canonical in-memory form documented in :mod:`pbr.schema`:

* the columns of the spec first, in spec order, then any extra columns in their
  original order (kept unchanged);
* string columns as pandas ``string`` dtype (``<NA>`` for missing), surrounding
  whitespace stripped and empty cells treated as missing;
* dates as ``datetime64[s]``; ``em_only`` / ``breach`` as ``bool``;
  ``sanctions`` as ``Int64``; ``lot`` as the lot **code**;
* defaults filled in (``supervisor`` = ``"CRC"``, ``em_only`` = ``breach`` =
  ``False``);
* the rows in their original order with a fresh ``RangeIndex``: the row with
  index ``i`` is data row ``i + 1`` of the source (header excluded), which is the
  row number every error and warning uses.

Validation collects **every** failure of a table (and, in :func:`validate`, of
both tables) before raising one :class:`pbr.errors.ValidationError` whose
``failures`` table has one row per (table, row, column, value, reason).
Suspicious but legal data gives one :class:`pbr.errors.SuspiciousDataWarning`
per kind, with counts. The rules are listed in ``docs/methodology.md`` (input data).

Examples
--------
>>> import pandas as pd
>>> from pbr.io import read_cohort
>>> raw = pd.DataFrame({
...     "offender_id": ["A1"], "lot": ["London"], "index_date": ["2011-03-01"],
...     "event_type": ["release"], "sex": ["M"], "date_of_birth": ["1980-05-17"]})
>>> cohort = read_cohort(raw, extract_date="2013-06-30")
>>> cohort.loc[0, "lot"], cohort.loc[0, "supervisor"], str(cohort["index_date"].dtype)
('CPA15', 'CRC', 'datetime64[s]')
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io as _io
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pbr.dates import age_in_years, days_from_civil
from pbr.errors import PbrError, SuspiciousDataWarning, ValidationError
from pbr.lots import LotRegistry, default_registry, read_lots
from pbr.schema import COHORT_COLUMNS, OFFENCE_COLUMNS, ColumnSpec, arrow_schema

__all__ = [
    "BOOLEAN_FALSE",
    "BOOLEAN_TRUE",
    "ValidationReport",
    "read_cohort",
    "read_offences",
    "validate",
    "write_table",
]

TableName = Literal["cohort", "offences"]
Source = str | os.PathLike[str] | pd.DataFrame
DateLike = str | dt.date | pd.Timestamp | np.datetime64
LotsLike = LotRegistry | str | os.PathLike[str] | pd.DataFrame | None

#: Spellings read as true in boolean columns (case-insensitive, whitespace stripped).
BOOLEAN_TRUE = ("true", "t", "yes", "y", "1")
#: Spellings read as false in boolean columns (case-insensitive, whitespace stripped).
BOOLEAN_FALSE = ("false", "f", "no", "n", "0")

#: Oldest plausible age at the index date; older is an error (SPEC §1.4).
MAX_AGE = 110
#: Ages at the index date outside [WARN_MIN_AGE, WARN_MAX_AGE] give a warning.
WARN_MIN_AGE = 18
WARN_MAX_AGE = 90
#: Age of criminal responsibility in England & Wales: offences or first sanctions
#: at a younger age give a warning.
MIN_OFFENCE_AGE = 10
#: Tokens that other tools write for "missing" but pbr reads as text (warned about).
_NA_LIKE = ("NA", "N/A", "NULL", "null", "None", "nan", "NaN", "<NA>", "NaT", "#N/A")

_SPECS: dict[str, tuple[ColumnSpec, ...]] = {"cohort": COHORT_COLUMNS, "offences": OFFENCE_COLUMNS}
_DATE_RE = r"^\d{4}-\d{2}-\d{2}(?:[T ]00:00(?::00(?:\.0+)?)?)?$"
_INT_RE = r"^[+-]?\d{1,18}(?:\.0*)?$"
_PARQUET_SUFFIXES = (".parquet", ".pq")
_INDEX_COLUMN_RE = re.compile(r"^__index_level_\d+__$")
_MISSING = "<missing>"

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DayArray = npt.NDArray[np.datetime64]


# --------------------------------------------------------------------------- failures


@dataclass
class _Part:
    """Failures of one (table, column, reason): rows are 1-based, 0 = whole file/column."""

    table: str
    rows: IntArray
    column: str
    values: npt.NDArray[np.object_]
    reason: str


class _Failures:
    """Accumulates failures of one table as columnar parts (vectorised)."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.parts: list[_Part] = []

    def add(self, rows: IntArray, column: str, values: Any, reason: str) -> None:
        """Add one failure per 0-based row index in ``rows`` (reported 1-based)."""
        if len(rows) == 0:
            return
        vals = np.asarray(values, dtype=object)
        self.parts.append(
            _Part(self.table, np.asarray(rows, dtype=np.int64) + 1, column, vals, reason)
        )

    def add_whole(self, column: str, value: str, reason: str) -> None:
        """Add a failure about a whole file or column (row ``-``)."""
        vals = np.array([value], dtype=object)
        self.parts.append(_Part(self.table, np.zeros(1, np.int64), column, vals, reason))

    def __bool__(self) -> bool:
        return bool(self.parts)


def _sorted_failures(parts: list[_Part]) -> pd.DataFrame:
    """One failure table sorted by table, row (``-`` first), column in spec order, reason."""
    table_rank = {"cohort": 0, "offences": 1}
    col_rank = {(t, c.name): i + 1 for t, spec in _SPECS.items() for i, c in enumerate(spec)}
    reasons = sorted({p.reason for p in parts})
    reason_rank = {r: i for i, r in enumerate(reasons)}
    sizes = [len(p.rows) for p in parts]

    def per_part(values: list[int]) -> IntArray:
        return np.repeat(np.asarray(values, dtype=np.int64), sizes)

    rows = np.concatenate([p.rows for p in parts])
    order = np.lexsort(
        (
            per_part([reason_rank[p.reason] for p in parts]),
            per_part([col_rank.get((p.table, p.column), 99) for p in parts]),
            rows,
            per_part([table_rank.get(p.table, 9) for p in parts]),
        )
    )
    values = np.concatenate([p.values for p in parts])
    shown_rows = rows.astype(object)
    shown_rows[rows == 0] = "-"
    out = pd.DataFrame(
        {
            "table": np.repeat(np.array([p.table for p in parts], dtype=object), sizes),
            "row": shown_rows,
            "column": np.repeat(np.array([p.column for p in parts], dtype=object), sizes),
            "value": values,  # already text (see _display)
            "reason": np.repeat(np.array([p.reason for p in parts], dtype=object), sizes),
        }
    )
    return out.iloc[order].reset_index(drop=True)


def _message(failures: pd.DataFrame, what: str) -> str:
    """One-line summary naming the table(s) and, when long, the commonest reasons."""
    msg = what
    if len(failures) > ValidationError.max_rows_shown:
        by_reason = failures.groupby(["table", "column", "reason"], sort=True).size()
        top = by_reason.sort_values(ascending=False, kind="stable").head(8)
        msg += (
            " (most common: "
            + "; ".join(
                f"{n:,} × {key[0]}.{key[1]}: {key[2]}"  # type: ignore[index]
                for key, n in top.items()
            )
            + ")"
        )
    return msg


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
    return arr


def _check_names(names: list[str], fails: _Failures) -> bool:
    seen: set[str] = set()
    dups = sorted({n for n in names if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    for d in dups:
        fails.add_whole(d, d, "duplicate column name")
    return not dups


def _load_parquet(path: Path, table: str, fails: _Failures) -> _Raw | None:
    label = str(path)
    try:
        t = pq.read_table(path)
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
            raw.columns[name] = t.column(name).combine_chunks()
        else:
            extra_names.append(name)
    if extra_names:
        strings = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype()}
        extras = t.select(extra_names).to_pandas(ignore_metadata=True, types_mapper=strings.get)
        raw.extras = [(n, extras[n].reset_index(drop=True)) for n in extra_names]
    return raw


def _open_text_head(path: Path, gz: bool) -> bytes:
    opener: Any = gzip.open if gz else open
    with opener(path, "rb") as fh:
        data: bytes = fh.read(1 << 16)
    return data


def _read_csv_strings(
    path: Path, names: list[str], delimiter: str, encoding: str, skip: int, *, threads: bool
) -> tuple[pa.Table, list[tuple[int | None, int, str]]]:
    """Read a CSV with every column as string; collect rows with a wrong field count."""
    bad_rows: list[tuple[int | None, int, str]] = []

    def on_invalid(row: Any) -> str:
        bad_rows.append((row.number, int(row.actual_columns), str(row.text)))
        return "skip"

    t = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(
            encoding=encoding, column_names=names, skip_rows=skip, use_threads=threads
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=True,
            # an empty line is a row (of empty cells), as in a spreadsheet: never skipped,
            # so that row numbers stay those of the file
            ignore_empty_lines=False,
            invalid_row_handler=on_invalid,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return t, bad_rows


def _trailing_blank_rows(t: pa.Table) -> int:
    """Number of rows at the end of an all-string table in which every cell is blank."""
    n = t.num_rows
    if n == 0 or t.num_columns == 0:
        return 0
    window = 64
    while True:
        start = max(0, n - window)
        tail = t.slice(start)
        blank = np.ones(tail.num_rows, dtype=bool)
        for i in range(tail.num_columns):
            col = pc.utf8_trim_whitespace(tail.column(i))
            blank &= np.asarray(pc.equal(col, "").to_numpy(zero_copy_only=False), dtype=bool)
        if not blank.all():
            return int(np.argmin(blank[::-1]))
        if start == 0:
            return int(n)
        window *= 16


def _load_csv(
    path: Path, head: bytes, table: str, fails: _Failures, notes: list[str]
) -> _Raw | None:
    label = str(path)
    gz = head[:2] == b"\x1f\x8b"
    try:
        sample = _open_text_head(path, gz)
    except (OSError, EOFError) as exc:
        fails.add_whole("-", label, f"cannot read file: {exc}")
        return None
    if b"\x00" in sample:
        kind = "a PNG image" if sample[:8] == b"\x89PNG\r\n\x1a\n" else "binary data"
        fails.add_whole("-", label, f"not a CSV or Parquet table (the file contains {kind})")
        return None
    encoding = "utf8"
    text = sample.decode("utf-8", errors="replace").removeprefix("\ufeff")
    stripped = text.lstrip()
    if not stripped:
        fails.add_whole("-", label, "file is empty (no header row)")
        return None
    if stripped[0] in "{[":
        fails.add_whole("-", label, "not a CSV or Parquet table (the file looks like JSON)")
        return None
    first_line = text.splitlines()[0]
    skip = 1
    if re.fullmatch(r"sep=.", first_line.strip()):  # Excel's delimiter hint line
        delimiter = first_line.strip()[4]
        skip = 2
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        delimiter = max([",", ";", "\t", "|"], key=lambda d: (first_line.count(d), d == ","))
    try:
        header = next(csv.reader(_io.StringIO(text), delimiter=delimiter))
    except (csv.Error, StopIteration):
        fails.add_whole("-", label, "cannot read the header row")
        return None
    names = [h.strip() for h in header]
    try:
        t, bad_rows = _read_csv_strings(path, names, delimiter, encoding, skip, threads=True)
        if bad_rows:  # again single-threaded, so that pyarrow reports row numbers
            t, bad_rows = _read_csv_strings(path, names, delimiter, encoding, skip, threads=False)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        if "UTF8" not in str(exc) and not isinstance(exc, UnicodeDecodeError):
            fails.add_whole("-", label, f"not a readable CSV table ({exc})")
            return None
        encoding = "cp1252"
        notes.append(
            f"{label}: the file is not valid UTF-8; it was read as Windows-1252 "
            "(Excel's 'CSV' format). Save as 'CSV UTF-8' to avoid this."
        )
        try:
            t, bad_rows = _read_csv_strings(path, names, delimiter, encoding, skip, threads=False)
        except (pa.ArrowException, OSError, UnicodeDecodeError) as exc2:
            fails.add_whole("-", label, f"not a readable CSV table ({exc2})")
            return None
    except (pa.ArrowException, OSError) as exc:
        fails.add_whole("-", label, f"not a readable CSV table ({exc})")
        return None
    if bad_rows:
        for number, fields, text in bad_rows:
            rows = np.array([number - skip - 1 if number is not None else -1], np.int64)
            shown = text if len(text) <= 60 else text[:57] + "..."
            reason = f"row has {fields} field(s), expected {len(names)}"
            if number is None:
                fails.add_whole("-", shown, reason)
            else:
                fails.add(rows, "-", [shown], reason)
        return None
    # columns without a header (Excel's trailing empty columns): drop when empty, else name them
    keep: list[int] = []
    for i, name in enumerate(names):
        if name == "":
            col = t.column(i)
            if pc.all(pc.equal(pc.utf8_trim_whitespace(col), "")).as_py() in (True, None):
                continue
            names[i] = f"unnamed_{i + 1}"
        keep.append(i)
    t = t.select(keep)
    names = [names[i] for i in keep]
    t = t.rename_columns(names)
    if not _check_names(names, fails):
        return None
    # Excel's trailing blank rows (every cell empty) are ignored, with a warning
    trailing = _trailing_blank_rows(t)
    if trailing:
        notes.append(
            f"{label}: ignored {trailing} blank row(s) at the end of the file "
            f"(rows {t.num_rows - trailing + 1}–{t.num_rows})"
        )
        t = t.slice(0, t.num_rows - trailing)
    raw = _Raw(label=label, n_rows=t.num_rows, names=names)
    spec_names = {c.name for c in _SPECS[table]}
    for i, name in enumerate(names):
        col = t.column(i).combine_chunks()
        if name in spec_names:
            raw.columns[name] = col
        else:
            trimmed = pc.utf8_trim_whitespace(col)
            nulled = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), col)
            raw.extras.append((name, pd.Series(pd.array(nulled, dtype="string"))))
    return raw


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
    """Trim whitespace; empty becomes null. Non-string arrays are cast to string."""
    arr = _plain(arr)
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.string())
    if not _is_str(arr):
        arr = _to_text(arr)
    trimmed = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


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


# --------------------------------------------------------------------------- validation


@dataclass
class _Checked:
    """Result of validating one table (frame only when there are no failures)."""

    table: str
    label: str
    frame: pd.DataFrame | None
    failures: _Failures
    notes: list[str]


def _read(source: Any, table: TableName, extract: np.datetime64, lots: LotsLike) -> _Checked:
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

    out: dict[str, Any] = {}
    dates: dict[str, DayArray] = {}
    for c in spec:
        arr = raw.columns.get(c.name)
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
            dates[c.name] = days
            out[c.name] = pd.Series(days.astype("datetime64[s]"))
        elif c.kind == "bool":
            vals, bad = _parse_bools(arr, bool(c.default))
            idx = np.flatnonzero(bad)
            fails.add(
                idx,
                c.name,
                _display(arr, idx),
                "not a boolean (expected true/false, yes/no, y/n, 1/0)",
            )
            out[c.name] = pd.Series(vals.astype(bool))
        elif c.kind == "int":
            ivals, present, bad = _parse_ints(arr)
            idx = np.flatnonzero(bad)
            fails.add(idx, c.name, _display(arr, idx), "not a whole number")
            if c.name == "sanctions":
                idx = np.flatnonzero(present & (ivals < 1))
                fails.add(idx, c.name, _display(arr, idx), "sanctions must be at least 1")
            out[c.name] = pd.Series(pd.arrays.IntegerArray(ivals, ~present))
        else:
            text = _clean_str(arr)
            present = _nonnull(text)
            if c.required:
                idx = np.flatnonzero(~present)
                fails.add(idx, c.name, np.full(len(idx), _MISSING, object), "missing value")
            if c.name == "lot":
                text = _resolve_lots(text, present, _registry(lots), fails, arr)
            elif c.allowed is not None:
                known = np.asarray(
                    pc.is_in(text, value_set=pa.array(c.allowed)).to_numpy(zero_copy_only=False),
                    dtype=bool,
                )
                idx = np.flatnonzero(present & ~known)
                shown = ", ".join(c.allowed) if len(c.allowed) <= 6 else "see docs"
                fails.add(idx, c.name, _display(arr, idx), f"unknown {c.name} (expected {shown})")
            if c.default is not None:
                text = pc.fill_null(text, str(c.default))
            elif c.name in ("exclusion_reason", "appearance_id"):
                _warn_na_like(text, c.name, table, notes)
            out[c.name] = pd.Series(pd.array(text, dtype="string"))

    age = _cross_checks(table, dates, out, extract, fails)
    if fails:
        return _Checked(table, raw.label, None, fails, notes)
    frame = pd.DataFrame(out, index=pd.RangeIndex(n))
    for name, s in raw.extras:
        frame[name] = s.to_numpy() if isinstance(s.dtype, np.dtype) else s.array
    notes.extend(_table_warnings(table, frame, age))
    return _Checked(table, raw.label, frame, fails, notes)


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


def _warn_na_like(text: pa.Array, column: str, table: str, notes: list[str]) -> None:
    hits = int(pc.sum(pc.is_in(text, value_set=pa.array(_NA_LIKE))).as_py() or 0)
    if hits:
        notes.append(
            f"{table}: {hits:,} {column} value(s) look like a missing-value marker "
            f"({'/'.join(_NA_LIKE[:4])}...); pbr reads only empty cells as missing, "
            "so these are kept as text"
        )


def _cross_checks(
    table: str,
    dates: dict[str, DayArray],
    out: dict[str, Any],
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


def _raise(checked: list[_Checked]) -> None:
    parts = [p for c in checked for p in c.failures.parts]
    if not parts:
        return
    failures = _sorted_failures(parts)
    bad = [c for c in checked if c.failures]
    what = " and ".join(f"{c.table} table ({c.label})" for c in bad)
    what += " is invalid" if len(bad) == 1 else " are invalid"
    raise ValidationError(_message(failures, what), failures)


# --------------------------------------------------------------------------- public API


def read_cohort(source: Source, *, extract_date: DateLike, lots: LotsLike = None) -> pd.DataFrame:
    """Read and validate the cohort-events table (SPEC §1.1).

    Parameters
    ----------
    source : path or pandas.DataFrame
        A CSV (``.csv``, ``.csv.gz``; UTF-8 with or without BOM, CRLF or LF,
        ``,`` ``;`` tab or ``|`` delimited) or Parquet (``.parquet``, ``.pq``) file,
        or a DataFrame.
    extract_date : str, date or Timestamp
        The date the data was extracted (required). Dates after it are errors.
    lots : LotRegistry, path or DataFrame, optional
        Lot codes and names to resolve ``lot`` against (default: the 21 TR lots); a
        path or DataFrame is read with :func:`pbr.lots.read_lots`.

    Returns
    -------
    pandas.DataFrame
        The canonical form (see :mod:`pbr.schema`): spec columns first, then
        extra columns; ``lot`` as the code; row ``i`` is data row ``i + 1``.

    Raises
    ------
    pbr.errors.ValidationError
        Listing every failing (row, column, value, reason) at once.

    Warns
    -----
    pbr.errors.SuspiciousDataWarning
        One per kind of suspicious-but-legal data (exact duplicate rows, ages
        under 18 or over 90 at the index date, ...).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({
    ...     "offender_id": ["A1", "B2"], "lot": ["CPA01", "Wales"],
    ...     "index_date": ["2011-01-31", "2011-02-28"], "event_type": ["release"] * 2,
    ...     "sex": ["M", "F"], "date_of_birth": ["1980-01-01", "1975-06-30"],
    ...     "em_only": ["no", "Y"]})
    >>> df = read_cohort(raw, extract_date="2013-12-31")
    >>> df["lot"].tolist(), df["em_only"].tolist()
    (['CPA01', 'CPA21'], [False, True])
    """
    extract = _extract_day(extract_date)
    checked = _read(source, "cohort", extract, lots)
    _raise([checked])
    _emit(checked.notes)
    assert checked.frame is not None
    return checked.frame


def read_offences(source: Source, *, extract_date: DateLike) -> pd.DataFrame:
    """Read and validate the proven-offences table (SPEC §1.2).

    Parameters
    ----------
    source : path or pandas.DataFrame
        CSV or Parquet file, or a DataFrame (see :func:`read_cohort`).
    extract_date : str, date or Timestamp
        The date the data was extracted (required).

    Returns
    -------
    pandas.DataFrame
        The canonical form; ``breach`` defaults to ``False``.

    Raises
    ------
    pbr.errors.ValidationError
        Listing every failing (row, column, value, reason) at once.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({
    ...     "offender_id": ["A1"], "offence_date": ["2011-05-01"],
    ...     "disposal_date": ["2011-04-01"], "disposal_type": ["conviction"]})
    >>> try:
    ...     read_offences(raw, extract_date="2013-12-31")
    ... except ValueError as err:
    ...     print(err.failures.loc[0, ["row", "column", "reason"]].tolist())
    [1, 'disposal_date', 'disposal_date before offence_date']
    """
    extract = _extract_day(extract_date)
    checked = _read(source, "offences", extract, None)
    _raise([checked])
    _emit(checked.notes)
    assert checked.frame is not None
    return checked.frame


@dataclass(frozen=True)
class ValidationReport:
    """Outcome of :func:`validate` on a clean pair of tables.

    Attributes
    ----------
    cohort_rows, offence_rows : int
        Rows read from each table (every row; nothing is dropped).
    extract_date : numpy.datetime64
        The extract date validated against.
    warnings : tuple of str
        One message per kind of suspicious-but-legal data.
    cohort, offences : pandas.DataFrame
        The loaded canonical tables (so validating also loads).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"offender_id": ["A"], "lot": ["CPA01"], "index_date": ["2011-01-01"],
    ...                   "event_type": ["release"], "sex": ["M"], "date_of_birth": ["1980-01-01"]})
    >>> o = pd.DataFrame({"offender_id": ["A"], "offence_date": ["2011-03-01"],
    ...                   "disposal_date": ["2011-04-01"], "disposal_type": ["caution"]})
    >>> validate(c, o, extract_date="2012-12-31").summary()
    'valid: cohort 1 row(s), offences 1 row(s), extract date 2012-12-31, 0 warning(s)'
    """

    cohort_rows: int
    offence_rows: int
    extract_date: np.datetime64
    warnings: tuple[str, ...]
    cohort: pd.DataFrame = field(repr=False, compare=False)
    offences: pd.DataFrame = field(repr=False, compare=False)

    def summary(self) -> str:
        """One-line summary of the validated inputs.

        Examples
        --------
        >>> report = validate(*_example_tables(), extract_date="2012-12-31")
        >>> report.summary()
        'valid: cohort 1 row(s), offences 2 row(s), extract date 2012-12-31, 0 warning(s)'
        """
        return (
            f"valid: cohort {self.cohort_rows:,} row(s), offences {self.offence_rows:,} row(s), "
            f"extract date {self.extract_date}, {len(self.warnings)} warning(s)"
        )

    def to_frame(self) -> pd.DataFrame:
        """Per-table row and offender counts and date ranges.

        Examples
        --------
        >>> report = validate(*_example_tables(), extract_date="2012-12-31")
        >>> print(report.to_frame()[["table", "rows", "offenders"]].to_string(index=False))
           table  rows  offenders
          cohort     1          1
        offences     2          1
        """
        rows = []
        for name, df, col in (
            ("cohort", self.cohort, "index_date"),
            ("offences", self.offences, "offence_date"),
        ):
            dates = df[col]
            rows.append(
                {
                    "table": name,
                    "rows": len(df),
                    "offenders": int(df["offender_id"].nunique()),
                    "date_column": col,
                    "first_date": dates.min() if len(df) else pd.NaT,
                    "last_date": dates.max() if len(df) else pd.NaT,
                }
            )
        return pd.DataFrame(rows)

    @property
    def table(self) -> pd.DataFrame:
        """Alias of :meth:`to_frame`."""
        return self.to_frame()

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{w}</li>" for w in self.warnings)
        warn = f"<p>Warnings:</p><ul>{items}</ul>" if self.warnings else ""
        return f"<p><b>{self.summary()}</b></p>" + self.to_frame().to_html(index=False) + warn


def _example_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A one-person cohort and two offences (raw text) for the docstring examples."""
    cohort = pd.DataFrame(
        {
            "offender_id": ["A"],
            "lot": ["CPA01"],
            "index_date": ["2011-01-01"],
            "event_type": ["release"],
            "sex": ["M"],
            "date_of_birth": ["1980-01-01"],
        }
    )
    offences = pd.DataFrame(
        {
            "offender_id": ["A", "A"],
            "offence_date": ["2011-03-01", "2011-05-01"],
            "disposal_date": ["2011-04-01", "2011-06-01"],
            "disposal_type": ["caution", "conviction"],
        }
    )
    return cohort, offences


def validate(
    cohort: Source,
    offences: Source,
    *,
    extract_date: DateLike,
    lots: LotsLike = None,
) -> ValidationReport:
    """Read and validate both input tables, reporting the failures of both at once.

    Parameters
    ----------
    cohort, offences : path or pandas.DataFrame
        The two tables (see :func:`read_cohort`, :func:`read_offences`).
    extract_date : str, date or Timestamp
        The date the data was extracted (required).
    lots : LotRegistry, path or DataFrame, optional
        Lot registry or lot table (default: the 21 TR lots).

    Returns
    -------
    ValidationReport
        Row counts, warnings and the loaded tables.

    Raises
    ------
    pbr.errors.ValidationError
        One error listing the failures of both tables.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"offender_id": ["A"], "lot": ["Atlantis"], "index_date": ["2011-01-01"],
    ...                   "event_type": ["release"], "sex": ["X"], "date_of_birth": ["1980-01-01"]})
    >>> o = pd.DataFrame({"offender_id": ["A"], "offence_date": ["2011-13-01"],
    ...                   "disposal_date": ["2011-04-01"], "disposal_type": ["caution"]})
    >>> try:
    ...     validate(c, o, extract_date="2012-12-31")
    ... except ValueError as err:
    ...     print(err.failures[["table", "column", "value"]].to_string(index=False))
       table       column      value
      cohort          lot   Atlantis
      cohort          sex          X
    offences offence_date 2011-13-01
    """
    extract = _extract_day(extract_date)
    c = _read(cohort, "cohort", extract, lots)
    o = _read(offences, "offences", extract, None)
    _raise([c, o])
    assert c.frame is not None and o.frame is not None
    notes = c.notes + o.notes + _person_warnings(c.frame, o.frame)
    _emit(notes)
    return ValidationReport(
        cohort_rows=len(c.frame),
        offence_rows=len(o.frame),
        extract_date=extract,
        warnings=tuple(notes),
        cohort=c.frame,
        offences=o.frame,
    )


# --------------------------------------------------------------------------- writing


def _spec_for(df: pd.DataFrame, table: TableName | None) -> tuple[ColumnSpec, ...]:
    if table is not None:
        if table not in _SPECS:
            raise PbrError(f"table must be 'cohort' or 'offences', got {table!r}")
        return _SPECS[table]
    if "index_date" in df.columns:
        return COHORT_COLUMNS
    if "offence_date" in df.columns:
        return OFFENCE_COLUMNS
    raise PbrError("cannot tell the table kind: pass table='cohort' or table='offences'")


def _column_to_arrow(s: pd.Series, spec: ColumnSpec) -> pa.Array:
    if spec.kind == "date":
        days, bad = _parse_dates(_series_to_arrow(s))
        if bad.any():
            raise PbrError(
                f"column {spec.name}: row {int(np.flatnonzero(bad)[0]) + 1} is not a date"
            )
        mask = np.isnat(days)
        return pa.array(days, type=pa.date32(), mask=mask)
    if spec.kind == "bool":
        vals, bad = _parse_bools(_series_to_arrow(s), bool(spec.default))
        if bad.any():
            raise PbrError(
                f"column {spec.name}: row {int(np.flatnonzero(bad)[0]) + 1} is not a boolean"
            )
        return pa.array(vals, type=pa.bool_())
    if spec.kind == "int":
        ivals, present, bad = _parse_ints(_series_to_arrow(s))
        if bad.any():
            raise PbrError(
                f"column {spec.name}: row {int(np.flatnonzero(bad)[0]) + 1} is not a whole number"
            )
        return pa.array(ivals, type=pa.int64(), mask=~present)
    return _to_text(_series_to_arrow(s))


def write_table(
    df: pd.DataFrame, path: str | os.PathLike[str], *, table: TableName | None = None
) -> Path:
    """Write a cohort or offences table to CSV or Parquet with the explicit schema.

    The spec columns that are present are written first, in spec order, with
    the types of :func:`pbr.schema.arrow_schema` (dates as ISO ``YYYY-MM-DD``
    in CSV, ``date32`` in Parquet; booleans as ``true``/``false``; missing
    values as empty cells), followed by any extra columns. The format follows
    the suffix: ``.parquet``/``.pq`` → Parquet, anything else → CSV (gzip when
    it ends in ``.gz``). Reading the file back with :func:`read_cohort` /
    :func:`read_offences` gives an equal frame.

    Parameters
    ----------
    df : pandas.DataFrame
        Table to write (canonical form or raw strings).
    path : path
        Destination file.
    table : {"cohort", "offences"}, optional
        Which spec to use; inferred from the columns when omitted.

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> o = pd.DataFrame({"offender_id": ["A"], "offence_date": ["2012-02-29"],
    ...                   "disposal_date": ["2012-03-31"], "disposal_type": ["caution"]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_table(o, d + "/offences.csv")
    ...     print(p.read_text().splitlines()[1])
    "A",2012-02-29,2012-03-31,"caution"
    """
    spec = _spec_for(df, table)
    out = Path(path)
    names = [c.name for c in spec if c.name in df.columns]
    extras = [str(c) for c in df.columns if str(c) not in names]
    arrays: list[pa.Array] = []
    fields: list[pa.Field] = []
    schema = arrow_schema(spec)
    for c in spec:
        if c.name in df.columns:
            arrays.append(_column_to_arrow(df[c.name].reset_index(drop=True), c))
            fields.append(schema.field(c.name))
    for name in extras:
        arr = _series_to_arrow(df[name].reset_index(drop=True))
        arrays.append(arr)
        fields.append(pa.field(name, arr.type))
    t = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    if out.name.lower().endswith(_PARQUET_SUFFIXES):
        pq.write_table(t, out)
        return out
    with _open_out(out) as fh:
        pacsv.write_csv(t, fh, write_options=pacsv.WriteOptions(quoting_style="needed"))
    return out


@contextmanager
def _open_out(path: Path) -> Iterator[Any]:
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "wb") as fh:
            yield fh
    else:
        with path.open("wb") as fh:
            yield fh
