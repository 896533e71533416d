"""Names the library defines and the CLI shows, with no import beyond the standard library.

Building the command-line parser (``pbr --help``) must not import pandas, so the
choices and defaults its options show live here, once; :mod:`pbr.periods`,
:mod:`pbr.rulesets`, :mod:`pbr.sample` and :mod:`pbr.cli._args` take them from here.

Examples
--------
>>> PERIOD_KINDS
('quarter', 'financial_year', 'calendar_year')
>>> RULE_SET_NAMES[0], DEFAULT_SEED
('moj_proven', 20151001)
"""

from __future__ import annotations

from typing import Literal

__all__ = ["DEFAULT_SEED", "PERIOD_KINDS", "RULE_SET_NAMES", "PeriodKind"]

#: A cohort period kind (docs/methodology.md §1).
PeriodKind = Literal["quarter", "financial_year", "calendar_year"]
#: The cohort period kinds, in order.
PERIOD_KINDS: tuple[PeriodKind, ...] = ("quarter", "financial_year", "calendar_year")
#: The names of the counting rule sets (docs/methodology.md §6), in order.
RULE_SET_NAMES: tuple[str, ...] = ("moj_proven", "convictions_only", "reconviction_events")
#: Seed of the bundled sample (the first day of PbR measurement, 1 Oct 2015).
DEFAULT_SEED = 20151001
