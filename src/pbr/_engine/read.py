"""Fast column reads of Parquet and CSV files (no row-level validation).

* :func:`read_columns` — only the wanted columns; low-cardinality text columns
  stay dictionary-encoded (no per-row strings); Parquet row groups are read in
  parallel (pyarrow decodes one column chunk per thread, so reading row groups
  side by side uses every core on the few-column tables needed);
* :func:`map_row_groups` — stream a Parquet file row group by row group on all
  cores, applying a function to each group: a column never sits in memory whole;
* :func:`frame_from_arrow` — an arrow table as pandas without Python objects:
  text as pyarrow-backed ``string``, dictionary columns as categoricals, dates
  as ``datetime64[s]``.

Examples
--------
>>> import pyarrow as pa, pyarrow.parquet as pq
>>> pq.write_table(pa.table({"a": [1, 2, 3], "b": ["x", "y", "x"]}), "t.parquet",
...     row_group_size=2)
>>> map_row_groups("t.parquet", ["a"], lambda t: t.num_rows)
[2, 1]
>>> read_columns("t.parquet", ["b", "zz"], dictionary=["b"]).column_names
['b']
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

__all__ = ["frame_from_arrow", "is_parquet", "map_row_groups", "read_columns"]

T = TypeVar("T")

#: CSV columns read with a fixed type (ids stay text; dates are ISO dates).
_CSV_TEXT = ("offender_id", "lot", "appearance_id", "exclusion_reason")
_CSV_DATES = ("index_date", "date_of_birth", "first_sanction_date", "offence_date", "disposal_date")


def is_parquet(path: Any) -> bool:
    """True when ``path`` is an existing file that starts with the Parquet magic bytes.

    Examples
    --------
    >>> is_parquet("t.parquet"), is_parquet("missing.parquet")
    (True, False)
    """
    p = Path(path)
    if not p.is_file():
        return False
    with open(p, "rb") as fh:
        return fh.read(4) == b"PAR1"


def _workers(n: int) -> int:
    return max(1, min(os.cpu_count() or 1, n))


def read_columns(path: Any, wanted: Sequence[str], dictionary: Collection[str] = ()) -> pa.Table:
    """The ``wanted`` columns (those present, in that order) of a Parquet or CSV file.

    ``dictionary`` names the columns kept dictionary-encoded when read from
    Parquet. Raises :class:`FileNotFoundError` when the file does not exist.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(p)
    if is_parquet(p):
        pf = pq.ParquetFile(p)
        names = [c for c in wanted if c in pf.schema_arrow.names]
        dict_cols = [c for c in names if c in dictionary]
        n_groups = pf.metadata.num_row_groups
        if n_groups <= 1:
            return pq.ParquetFile(p, read_dictionary=dict_cols).read(columns=names)

        def read(groups: list[int]) -> pa.Table:
            f = pq.ParquetFile(p, read_dictionary=dict_cols)
            return f.read_row_groups(groups, columns=names, use_threads=False)

        workers = _workers(n_groups)
        n_blocks = min(n_groups, 2 * workers)
        blocks = [b.tolist() for b in np.array_split(np.arange(n_groups), n_blocks)]
        with ThreadPoolExecutor(workers) as ex:
            return pa.concat_tables(list(ex.map(read, blocks)))
    opts = pacsv.ConvertOptions(
        include_columns=None,
        strings_can_be_null=True,
        null_values=[""],  # only an empty cell is missing: the id "NA" is an id, not missing
        column_types={
            **{c: pa.string() for c in _CSV_TEXT},
            **{c: pa.date32() for c in _CSV_DATES},
        },
    )
    table = pacsv.read_csv(p, convert_options=opts)
    return table.select([c for c in wanted if c in table.column_names])


def map_row_groups(
    path: Any,
    wanted: Sequence[str],
    fn: Callable[[pa.Table], T],
    dictionary: Collection[str] = (),
) -> list[T]:
    """``fn`` of each row group's ``wanted`` columns of a Parquet file, in file order.

    One row group per task, one task per core at a time: memory holds only the
    groups being worked on (and what ``fn`` keeps).
    """
    pf = pq.ParquetFile(path)
    names = [c for c in wanted if c in pf.schema_arrow.names]
    dict_cols = [c for c in names if c in dictionary]
    n_groups = pf.metadata.num_row_groups

    def work(g: int) -> T:
        t = pq.ParquetFile(path, read_dictionary=dict_cols).read_row_group(
            g, columns=names, use_threads=False
        )
        return fn(t)

    with ThreadPoolExecutor(_workers(n_groups)) as ex:
        return list(ex.map(work, range(n_groups)))


def frame_from_arrow(table: pa.Table) -> pd.DataFrame:
    """Arrow table -> pandas without per-row Python objects.

    Text columns become pandas ``string`` (pyarrow-backed, zero copy), except the
    dictionary-encoded ones, which become pandas categoricals; dates and
    timestamps become ``datetime64[s]`` (missing: NaT).

    Examples
    --------
    >>> import datetime as dt
    >>> df = frame_from_arrow(pa.table({"d": [dt.date(2015, 1, 2), None], "s": ["a", "b"]}))
    >>> df["d"].isna().tolist(), str(df["d"].dtype), str(df["s"].dtype)
    ([False, True], 'datetime64[s]', 'string')
    """
    cols: dict[str, Any] = {}
    for name in table.column_names:
        col = table[name].combine_chunks()  # one chunk: fast takes later on
        if pa.types.is_dictionary(col.type):
            cols[name] = pd.Series(col.to_pandas()).astype("category")
        elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            if not pa.types.is_string(col.type):
                col = col.cast(pa.string())
            cols[name] = pd.Series(pd.arrays.ArrowStringArray(col))
        elif pa.types.is_date(col.type) or pa.types.is_timestamp(col.type):
            ints = col.cast(pa.date32()).cast(pa.int32())
            days = np.asarray(pc.fill_null(ints, 0).to_numpy(), np.int64)  # nulls: NaT below
            nat = np.asarray(col.is_null().to_numpy(zero_copy_only=False), bool)
            arr = days.astype("datetime64[D]").astype("datetime64[s]")
            arr[nat] = np.datetime64("NaT")
            cols[name] = arr
        else:
            cols[name] = col.to_pandas()
    return pd.DataFrame(cols)
