"""pbr's counting engine (private): the speed techniques behind the domain modules.

The domain modules (:mod:`pbr.cohort`, :mod:`pbr.counting`, :mod:`pbr.measures`)
state the rules; this package makes them fast. Four calls carry the work:

* :func:`encode_ids` — string ids to integer codes into a sorted universe
  (exact 16-byte keys and one 64-bit sort word when ids are short:
  :mod:`~pbr._engine.codes`, :mod:`~pbr._engine.strings`); :class:`IdLookup`
  finds ids in a fixed universe through a vectorised hash table
  (:mod:`~pbr._engine.lookup`);
* :func:`count_in_windows` — the member × offence join, counting the rows each
  member's window test accepts (:mod:`~pbr._engine.join`);
* :func:`read_columns` / :func:`map_row_groups` — only the needed columns of a
  Parquet or CSV file, Parquet streamed by row group on all cores
  (:mod:`~pbr._engine.read`);
* :func:`table_map` — a per-day function through a lookup table (period codes,
  month arithmetic), with :func:`argsort_keys` and the column masks of
  :mod:`~pbr._engine.arrays`.

Nothing here knows a counting rule: the window test and the "can this row
count" mask are passed in by :mod:`pbr.rulesets`. Nothing here changes process
state (allocator settings, thread counts); thread pools are local to a call.

Examples
--------
>>> encode_ids(["b", "a", "b"]).codes.tolist()
[1, 0, 1]
"""

from __future__ import annotations

from pbr._engine.arrays import argsort_keys, arrow_days, member_of, table_map, true_mask
from pbr._engine.codes import IdCodes, encode_ids, sorted_codes
from pbr._engine.join import NO_DAY, OffenceRows, WindowTest, count_in_windows
from pbr._engine.lookup import IdLookup
from pbr._engine.read import frame_from_arrow, is_parquet, map_row_groups, read_columns
from pbr._engine.strings import as_strings

__all__ = [
    "NO_DAY",
    "IdCodes",
    "IdLookup",
    "OffenceRows",
    "WindowTest",
    "argsort_keys",
    "arrow_days",
    "as_strings",
    "count_in_windows",
    "encode_ids",
    "frame_from_arrow",
    "is_parquet",
    "map_row_groups",
    "member_of",
    "read_columns",
    "sorted_codes",
    "table_map",
    "true_mask",
]
