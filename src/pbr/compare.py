"""Matched cohort comparison (former home; the code lives in :mod:`pbr.matching`).

``from pbr.compare import match, MatchResult`` keeps working: this module
re-exports the public names of :mod:`pbr.matching` (methodology,
"Comparisons …", §1 Matched comparison).

Examples
--------
>>> from pbr.compare import match
>>> from pbr.matching import match as new
>>> match is new
True
"""

from pbr.matching import MatchResult, balance_table, love_plot, match, person_table

__all__ = ["MatchResult", "balance_table", "love_plot", "match", "person_table"]
