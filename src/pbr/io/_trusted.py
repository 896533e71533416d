"""In-memory inputs cross the same boundary as files, and are validated once.

docs/methodology.md#validation: a DataFrame given to :func:`pbr.compute_measures`,
:func:`pbr.build_baseline`, :func:`pbr.forecast.forecast`, the building blocks
:func:`pbr.cohort.build_cohort` and :func:`pbr.counting.count_reoffending` (every
public function taking cohort / offence tables) is validated by the same rules, with the same
:class:`~pbr.errors.ValidationError` (table, row, column, value, reason code),
as a file; ``validate=False`` is the explicit opt-out (trusted extracts).

A frame the boundary has validated (the result of :func:`pbr.io.read_cohort`,
:func:`pbr.io.read_offences`, :func:`pbr.io.validate`, or a frame this module
checked) carries a **stamp** in ``DataFrame.attrs``: the table kind, a BLAKE2b
fingerprint of its spec columns' bytes and its latest date. A stamped frame
whose fingerprint still matches is not validated again for any extract date on
or after that latest date (the only rule that depends on the extract date is
"no date after it"; for an earlier extract date the frame is validated again,
which lists the rows at fault). A frame edited after
validation (a changed value, a dropped row, a renamed column) no longer matches
its stamp and is validated again: the stamp is a cache, never a trust claim.

The boundary itself is :func:`pbr.io.checked_tables`.

Examples
--------
>>> import numpy as np, pandas as pd
>>> f = stamp(pd.DataFrame({"offender_id": ["A"]}), "offences", np.datetime64("2013-01-01"))
>>> is_stamped(f, "offences", np.datetime64("2013-06-30"))
True
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from pbr.io._rules import _SPECS, TableName

__all__ = ["fingerprint", "is_stamped", "stamp"]

#: Key of the stamp in ``DataFrame.attrs``.
STAMP_KEY = "pbr.validated"


def fingerprint(frame: pd.DataFrame, table: TableName) -> str:
    """BLAKE2b of the column names and the bytes and types of the spec columns.

    Examples
    --------
    >>> a = pd.DataFrame({"offender_id": ["A"], "x": [1]})
    >>> fingerprint(a, "offences") == fingerprint(a.copy(), "offences")
    True
    >>> b = a.copy(); b.loc[0, "offender_id"] = "B"
    >>> fingerprint(a, "offences") == fingerprint(b, "offences")
    False
    """
    h = hashlib.blake2b(digest_size=20)
    h.update(repr([str(c) for c in frame.columns]).encode())
    h.update(str(len(frame)).encode())
    spec = {c.name for c in _SPECS[table]}
    for pos, name in enumerate(frame.columns):
        if str(name) not in spec:
            continue  # extra columns are carried, never checked
        s = frame.iloc[:, pos]
        h.update(f"{name}:{s.dtype}".encode())
        values = s.array
        if isinstance(values, pd.arrays.ArrowStringArray) or hasattr(values, "_pa_array"):
            chunked: pa.ChunkedArray = values._pa_array
            for chunk in chunked.chunks:
                h.update(f"{chunk.offset}:{len(chunk)}".encode())
                for buf in chunk.buffers():
                    if buf is not None:
                        h.update(memoryview(buf))
        elif isinstance(s.dtype, np.dtype) and s.dtype != object:
            h.update(np.ascontiguousarray(s.to_numpy()).view(np.uint8).data)
        elif isinstance(values, pd.arrays.IntegerArray | pd.arrays.BooleanArray):
            h.update(np.ascontiguousarray(values.isna()).view(np.uint8).data)
            h.update(
                np.ascontiguousarray(values.to_numpy(dtype="int64", na_value=0)).view(np.uint8).data
            )
        else:  # objects: hash each value (slow, but exact)
            h.update(pd.util.hash_array(s.astype(object).to_numpy()).view(np.uint8).data)
    return h.hexdigest()


def stamp(frame: pd.DataFrame, table: TableName, extract: np.datetime64) -> pd.DataFrame:
    """Record in ``frame.attrs`` that the boundary validated it (module notes); returns it."""
    frame.attrs[STAMP_KEY] = {
        "table": table,
        "extract_date": str(extract.astype("datetime64[D]")),
        "latest": _latest(frame, table),
        "sha": fingerprint(frame, table),
    }
    return frame


def _latest(frame: pd.DataFrame, table: TableName) -> str | None:
    """The latest date of the spec date columns (ISO), or None when there is none."""
    dates = [c.name for c in _SPECS[table] if c.kind == "date" and c.name in frame.columns]
    found = [pd.Timestamp(v) for v in (frame[c].max() for c in dates) if not pd.isna(v)]
    return max(found).date().isoformat() if found else None


def is_stamped(frame: Any, table: TableName, extract: np.datetime64) -> bool:
    """True when ``frame`` carries a matching stamp (module notes).

    Examples
    --------
    >>> import numpy as np
    >>> f = pd.DataFrame({"offender_id": ["A"]})
    >>> is_stamped(f, "offences", np.datetime64("2013-01-01"))
    False
    >>> _ = stamp(f, "offences", np.datetime64("2013-01-01"))
    >>> is_stamped(f, "offences", np.datetime64("2014-01-01"))
    True
    >>> f = stamp(pd.DataFrame({"offender_id": ["A"], "offence_date": pd.to_datetime(
    ...     ["2012-05-01"])}), "offences", np.datetime64("2013-01-01"))
    >>> is_stamped(f, "offences", np.datetime64("2012-06-30"))  # still no date after it
    True
    >>> is_stamped(f, "offences", np.datetime64("2012-04-30"))  # a date after it: check again
    False
    """
    if not isinstance(frame, pd.DataFrame):
        return False
    rec = frame.attrs.get(STAMP_KEY)
    if not isinstance(rec, dict) or rec.get("table") != table:
        return False
    latest = rec.get("latest")
    try:
        if latest is not None and np.datetime64(str(latest), "D") > extract.astype("datetime64[D]"):
            return False
    except ValueError:
        return False
    return bool(rec.get("sha") == fingerprint(frame, table))
