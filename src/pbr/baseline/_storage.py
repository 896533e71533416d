"""The on-disk columns of a saved baseline and their Parquet reading and writing.

Rates and calibration tables are written with fixed schemas and rows in a
canonical order, so that the same baseline gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pbr.baseline._common import RATE_COLUMNS
from pbr.errors import BaselineFormatError

#: Version of the on-disk baseline format written by :meth:`Baseline.save`.
FORMAT_VERSION = 1


def _schema(
    columns: Sequence[str], *, strings: tuple[str, ...] = (), ints: tuple[str, ...] = ()
) -> pa.Schema:
    """The fixed Parquet schema of ``columns``: ``strings``, ``ints`` (int64), the rest float64."""
    return pa.schema(
        [
            (c, pa.string() if c in strings else pa.int64() if c in ints else pa.float64())
            for c in columns
        ]
    )


_RATE_SCHEMA = _schema(
    RATE_COLUMNS,
    strings=("lot", "period", "quarter_of_year"),
    ints=("cohort_size", "reoffenders", "reoffences"),
)
_CALIBRATION_SCHEMA = _schema(
    ("decile", "n", "expected", "observed", "mean_predicted", "observed_rate", "difference"),
    ints=("decile", "n"),
)


def _canonical_rates(rates: pd.DataFrame) -> pd.DataFrame:
    r = rates.reindex(columns=list(RATE_COLUMNS)).copy()
    for f in _RATE_SCHEMA:  # the column types are the on-disk ones
        dtype = str if pa.types.is_string(f.type) else f.type.to_pandas_dtype()
        r[f.name] = r[f.name].astype(dtype)
    return r.sort_values(["lot", "period"], kind="stable").reset_index(drop=True)


def _write_parquet(df: pd.DataFrame, schema: pa.Schema, path: Path) -> None:
    arrays = []
    for f in schema:
        col = df[f.name]
        if pa.types.is_string(f.type):
            arrays.append(pa.array(col.astype(str).tolist(), type=f.type))
        else:
            arrays.append(pa.array(col.to_numpy(), type=f.type, from_pandas=True))
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), path, compression="zstd")


def _read_parquet(path: Path, schema: pa.Schema) -> pd.DataFrame:
    try:
        t = pq.read_table(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise BaselineFormatError(f"cannot read {path}: {exc}") from exc
    if t.schema.names != schema.names:
        raise BaselineFormatError(f"{path} has columns {t.schema.names}, expected {schema.names}")
    data = {}
    for f in schema:
        col = t.column(f.name)
        if pa.types.is_string(f.type):
            data[f.name] = np.asarray(col.to_pylist(), dtype=object).astype(str)
        else:
            data[f.name] = col.to_numpy()
    return pd.DataFrame(data)
