"""Extra checks of the two microdata tables: id column types and stray quotes.

Small additions to the validated boundary (docs/methodology.md, "Input data:
reading and validation"), kept apart from the fast validator:

* ``id_type``: an id column (``offender_id``, ``appearance_id``) must hold text
  or integers. Binary, list, float or other types used to be cast to strings
  like ``b'X1'`` or ``1.2345678901234568e+16``, so people silently failed to match.
  Integers are accepted because an integer column has no leading zeros to lose.
* ``stray_quote``: a CSV cell that contains a line break comes from an
  unbalanced quote that swallowed the following lines (rows the file has
  were silently not counted); no typed column (dates, numbers, flags, codes)
  holds line breaks (free text may hold quoted multi-line text). A quote left open to the end
  of the file is reported as a row with the wrong number of fields.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pbr.io._failures import _Failures

#: Id columns of the two tables.
ID_COLUMNS = ("offender_id", "appearance_id")


def _id_type_ok(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        t = t.value_type
    return bool(
        pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or pa.types.is_integer(t)
        or pa.types.is_null(t)
    )


def check_id_type(arr: pa.Array, column: str, fails: _Failures) -> None:
    """Record an ``id_type`` failure when an id column is not text or integers."""
    if column in ID_COLUMNS and not _id_type_ok(arr.type):
        fails.add_whole(
            column,
            str(arr.type),
            f"id_type: {column} must be text or integers, not {arr.type} (its values would "
            "be changed by a conversion to text); write the ids as strings",
        )


def check_stray_quotes(table: pa.Table, columns: set[str], fails: _Failures) -> None:
    """Record a ``stray_quote`` failure for each cell of ``columns`` that holds a line break.

    Only typed columns are checked (dates, numbers, flags and codes never hold a
    line break); free-text columns (ids, extra columns) may hold quoted multi-line text.
    """
    for name, col in zip(table.column_names, table.columns, strict=True):
        if name.strip() not in columns:
            continue
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            continue
        hit = pc.match_substring_regex(col, r"[\r\n]")
        idx = np.flatnonzero(np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False)))
        if len(idx):
            shown = [str(v)[:40].replace("\n", "\\n") for v in col.take(pa.array(idx)).to_pylist()]
            fails.add(
                idx,
                name,
                shown,
                "stray_quote: a quoted cell runs over a line break: an unbalanced quote "
                "swallowed the following lines of the file",
            )
