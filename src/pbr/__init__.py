"""pbr — payment-by-results reoffending analytics.

Load offender cohorts and proven offences, count proven reoffending by the
MoJ rules, build 2011 baselines per lot, adjust for offender mix (OGRS3 or a
fitted model), and compute provider payments to the penny with an audit trail.

The top level holds the pipeline verbs and the result types (see
``docs/api.md``); errors live in :mod:`pbr.errors`, sample data in
:mod:`pbr.datasets`, research and planning tools in :mod:`pbr.analysis`.
Names are imported on first use, so ``import pbr`` is cheap.

Examples
--------
>>> import pbr
>>> sample = pbr.datasets.load_sample()
>>> m = pbr.compute_measures(sample.cohort, sample.offences, extract_date=sample.extract_date)
>>> m.latest_final_period()
'2016Q4'
"""

from __future__ import annotations

import importlib
import importlib.util
import warnings
from typing import TYPE_CHECKING, Any

from pbr.errors import __all__ as _ERROR_NAMES
from pbr.provenance import __version__

if TYPE_CHECKING:
    from pbr import analysis, datasets, errors
    from pbr.baseline import (
        Assessment,
        Baseline,
        build_baseline,
        compare_to_baseline,
        load_baseline,
    )
    from pbr.cohort import Cohort, build_cohort
    from pbr.contracts import Contract, load_contract, preset
    from pbr.io import ValidationReport, read_cohort, read_offences, validate
    from pbr.measures import Measures, compute_measures
    from pbr.payments import Statement, pay
    from pbr.pipeline import pay_from_files
    from pbr.pipeline.verify import VerifyResult, verify

#: The public top level: name → module it lives in.
_PUBLIC: dict[str, str] = {
    # reading and validating the input tables
    "read_cohort": "pbr.io",
    "read_offences": "pbr.io",
    "validate": "pbr.io",
    "ValidationReport": "pbr.io",
    # cohorts and measures
    "build_cohort": "pbr.cohort",
    "Cohort": "pbr.cohort",
    "compute_measures": "pbr.measures",
    "Measures": "pbr.measures",
    # baselines and offender-mix adjustment
    "build_baseline": "pbr.baseline",
    "load_baseline": "pbr.baseline",
    "Baseline": "pbr.baseline",
    "compare_to_baseline": "pbr.baseline",
    "Assessment": "pbr.baseline",
    # contracts and payments
    "preset": "pbr.contracts",
    "load_contract": "pbr.contracts",
    "Contract": "pbr.contracts",
    "pay": "pbr.payments",
    "Statement": "pbr.payments",
    # files in, outputs + manifest out
    "pay_from_files": "pbr.pipeline",
    "verify": "pbr.pipeline",
    "VerifyResult": "pbr.pipeline",
}
_SUBMODULES = ("analysis", "datasets", "errors")

#: Names that were at the top level in 0.1: still importable for one release, with a
#: DeprecationWarning naming the new place.
_MOVED: dict[str, tuple[str, str]] = {
    **{n: ("pbr.errors", n) for n in _ERROR_NAMES},  # every error and warning class
    "load_sample": ("pbr.datasets", "load_sample"),
    "sample_paths": ("pbr.datasets", "sample_paths"),
    "generate": ("pbr.datasets", "generate_sample"),
    "SampleData": ("pbr.datasets", "SampleData"),
    "SAMPLE_EXTRACT_DATE": ("pbr.datasets", "SAMPLE_EXTRACT_DATE"),
    "match": ("pbr.analysis", "match"),
    "MatchResult": ("pbr.analysis", "MatchResult"),
    "Decomposition": ("pbr.analysis", "Decomposition"),
    "decompose_change": ("pbr.analysis", "decompose_change"),
    "decompose_strata": ("pbr.analysis", "decompose_strata"),
    "WhatIf": ("pbr.analysis", "WhatIf"),
    "what_if": ("pbr.analysis", "what_if"),
    "PaymentSimulation": ("pbr.analysis", "PaymentSimulation"),
    "simulate_payments": ("pbr.analysis", "simulate_payments"),
    "minimum_detectable_reduction": ("pbr.analysis", "minimum_detectable_reduction"),
    "RULE_SETS": ("pbr.rulesets", "RULE_SETS"),
    "count_reoffending": ("pbr.counting", "count_reoffending"),
    "assess_members": ("pbr.baseline", "assess_members"),
    "available_presets": ("pbr.contracts", "available_presets"),
    "LotRegistry": ("pbr.lots", "LotRegistry"),
    "default_registry": ("pbr.lots", "default_registry"),
    "read_lots": ("pbr.lots", "read_lots"),
    "write_statement": ("pbr.payments", "write_statement"),
    "write_table": ("pbr.io", "write_table"),
    "Manifest": ("pbr.provenance", "Manifest"),
    "OGRS3Scores": ("pbr.risk", "OGRS3Scores"),
    "RiskModel": ("pbr.risk", "RiskModel"),
    "fit_count_model": ("pbr.risk", "fit_count_model"),
    "fit_risk_model": ("pbr.risk", "fit_risk_model"),
    "ogrs3_probability": ("pbr.risk", "ogrs3_probability"),
    "recalibrate_ogrs3": ("pbr.risk", "recalibrate_ogrs3"),
    "score_cohort": ("pbr.risk", "score_cohort"),
}

__all__ = [
    "Assessment",
    "Baseline",
    "Cohort",
    "Contract",
    "Measures",
    "Statement",
    "ValidationReport",
    "VerifyResult",
    "__version__",
    "analysis",
    "build_baseline",
    "build_cohort",
    "compare_to_baseline",
    "compute_measures",
    "datasets",
    "errors",
    "load_baseline",
    "load_contract",
    "pay",
    "pay_from_files",
    "preset",
    "read_cohort",
    "read_offences",
    "validate",
    "verify",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use; warn for a name that moved in 0.2."""
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"pbr.{name}")
    elif name in _MOVED:
        module, attr = _MOVED[name]
        warnings.warn(
            f"pbr.{name} moved to {module}.{attr} (the top level keeps the pipeline verbs "
            "and result types); the old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(module), attr)
    elif not name.startswith("_") and importlib.util.find_spec(f"pbr.{name}") is not None:
        value = importlib.import_module(f"pbr.{name}")  # any submodule: pbr.risk, pbr.counting
    else:
        raise AttributeError(f"module 'pbr' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
