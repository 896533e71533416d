"""Constants of the input rules and the type aliases of :mod:`pbr.io`.

Boolean spellings and age limits; the rules themselves are listed in
docs/methodology.md, "Input data: reading and validation".
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr.lots import LotRegistry
from pbr.schema import COHORT_COLUMNS, OFFENCE_COLUMNS, ColumnSpec

TableName = Literal["cohort", "offences"]
Source = str | os.PathLike[str] | pd.DataFrame
DateLike = str | dt.date | pd.Timestamp | np.datetime64
LotsLike = LotRegistry | str | os.PathLike[str] | pd.DataFrame | None

#: Spellings read as true in boolean columns (case-insensitive, whitespace stripped).
BOOLEAN_TRUE = ("true", "t", "yes", "y", "1")
#: Spellings read as false in boolean columns (case-insensitive, whitespace stripped).
BOOLEAN_FALSE = ("false", "f", "no", "n", "0")

#: Oldest plausible age at the index date; older is an error (docs/methodology.md#validation).
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
