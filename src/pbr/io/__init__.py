"""Reading, validating and writing the two input tables (docs/methodology.md#input-data).

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

from pbr.io._read import (
    NO_EXTRACT_DATE,
    ValidationReport,
    as_extracted,
    checked_tables,
    read_cohort,
    read_offences,
    validate,
)
from pbr.io._rules import BOOLEAN_FALSE, BOOLEAN_TRUE
from pbr.io._write import write_table

__all__ = [
    "BOOLEAN_FALSE",
    "BOOLEAN_TRUE",
    "NO_EXTRACT_DATE",
    "ValidationReport",
    "as_extracted",
    "checked_tables",
    "read_cohort",
    "read_offences",
    "validate",
    "write_table",
]
