"""Matched comparisons at MatchIt parity (methodology, "Comparisons …", §1).

Propensity-score (or Mahalanobis) nearest-neighbour matching with MatchIt's
options, a balance table on every covariate level, outcome differences with
pair-/cluster-robust standard errors and the Justice Data Lab reporting
rules, and a person-level table built from the cohort and offence tables.

Modules: :mod:`~pbr.matching.design` (inputs), :mod:`~pbr.matching.propensity`
(fit + separation), :mod:`~pbr.matching.distance`, :mod:`~pbr.matching.nearest`
(orders, rounds, calipers), :mod:`~pbr.matching.matcher` (:func:`match`),
:mod:`~pbr.matching.balance`, :mod:`~pbr.matching.outcomes`,
:mod:`~pbr.matching.person`, :mod:`~pbr.matching.result`,
:mod:`~pbr.matching.plot`.

Examples
--------
>>> from pbr.matching import match
>>> from pbr.matching.result import example_data
>>> m = match(example_data(), treatment="t", covariates=["x"], ratio=2)
>>> m.options["m_order"], m.options["ratio"]
('closest', 2)
"""

from pbr.matching.balance import balance_table
from pbr.matching.matcher import match
from pbr.matching.person import person_table
from pbr.matching.plot import love_plot
from pbr.matching.result import MatchResult

__all__ = ["MatchResult", "balance_table", "love_plot", "match", "person_table"]
