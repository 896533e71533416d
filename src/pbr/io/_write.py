"""Writing a table in the canonical form: :func:`write_table` (CSV or Parquet).

The written file reads back exactly through :mod:`pbr.io`'s readers.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pbr.errors import PbrError
from pbr.io._parse import _parse_bools, _parse_dates, _parse_ints, _to_text
from pbr.io._readers import _series_to_arrow
from pbr.io._rules import _PARQUET_SUFFIXES, _SPECS, TableName
from pbr.schema import COHORT_COLUMNS, OFFENCE_COLUMNS, ColumnSpec, arrow_schema

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
