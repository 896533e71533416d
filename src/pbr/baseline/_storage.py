"""The on-disk columns of a saved baseline and their Parquet reading and writing.

Rates and calibration tables are written with fixed schemas and rows in a
canonical order, so that the same baseline gives byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pbr.baseline._common import RATE_COLUMNS
from pbr.errors import BaselineFormatError

#: Version of the on-disk baseline format written by :meth:`Baseline.save`.
FORMAT_VERSION = 1

_RATE_SCHEMA = pa.schema(
    [
        ("lot", pa.string()),
        ("period", pa.string()),
        ("quarter_of_year", pa.string()),
        ("cohort_size", pa.int64()),
        ("reoffenders", pa.int64()),
        ("reoffences", pa.int64()),
        ("baseline_binary", pa.float64()),
        ("baseline_frequency", pa.float64()),
        ("baseline_frequency_sd", pa.float64()),
    ]
)
_CALIBRATION_SCHEMA = pa.schema(
    [
        ("decile", pa.int64()),
        ("n", pa.int64()),
        ("expected", pa.float64()),
        ("observed", pa.float64()),
        ("mean_predicted", pa.float64()),
        ("observed_rate", pa.float64()),
        ("difference", pa.float64()),
    ]
)


def _canonical_rates(rates: pd.DataFrame) -> pd.DataFrame:
    r = rates.reindex(columns=list(RATE_COLUMNS)).copy()
    for c in ("lot", "period", "quarter_of_year"):
        r[c] = r[c].astype(str)
    for c in ("cohort_size", "reoffenders", "reoffences"):
        r[c] = r[c].astype(np.int64)
    for c in ("baseline_binary", "baseline_frequency", "baseline_frequency_sd"):
        r[c] = r[c].astype(float)
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
