"""Loading a CSV file (plain or gzip) into the raw (not yet validated) form.

BOM, CRLF and Excel's ``sep=`` line are handled; every cell is read as text,
so that parsing is strict and identical to the DataFrame and Parquet paths.
"""

from __future__ import annotations

import csv
import gzip
import io as _io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pbr.io._failures import _Failures
from pbr.io._microdata_extra import check_stray_quotes
from pbr.io._readers import _check_names, _Raw
from pbr.io._rules import _SPECS


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
    typed = {c.name for c in _SPECS[table] if c.kind != "string" or c.allowed is not None}
    check_stray_quotes(t, typed, fails)
    if fails:
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
