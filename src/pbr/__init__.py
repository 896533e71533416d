"""pbr — payment-by-results reoffending analytics.

Load offender cohorts and proven offences, count proven reoffending by the
MoJ rules, build 2011 baselines per lot, adjust for offender mix (OGRS3 or a
fitted model), and compute provider payments to the penny with an audit trail.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are imported on first use (see __getattr__)
    from pbr.baseline import (
        Assessment,
        Baseline,
        assess_members,
        build_baseline,
        compare_to_baseline,
        load_baseline,
    )
    from pbr.cohort import Cohort, build_cohort
    from pbr.compare import MatchResult, match
    from pbr.contracts import Contract, available_presets, load_contract, preset
    from pbr.counting import RULE_SETS, count_reoffending
    from pbr.decompose import Decomposition, decompose_change, decompose_strata
    from pbr.errors import (
        BaselineFormatError,
        ContractError,
        IgnoredOptionWarning,
        InterimMeasureError,
        ModelError,
        PbrError,
        PbrWarning,
        SuspiciousDataWarning,
        ValidationError,
        VerificationError,
    )
    from pbr.io import ValidationReport, read_cohort, read_offences, validate, write_table
    from pbr.lots import LotRegistry, default_registry, read_lots
    from pbr.measures import Measures, compute_measures
    from pbr.payments import Statement, pay, write_statement
    from pbr.pipeline import pay_from_files
    from pbr.pipeline.verify import VerifyResult, verify
    from pbr.provenance import Manifest, __version__
    from pbr.risk import (
        OGRS3Scores,
        RiskModel,
        fit_count_model,
        fit_risk_model,
        ogrs3_probability,
        recalibrate_ogrs3,
        score_cohort,
    )
    from pbr.sample import (
        SAMPLE_EXTRACT_DATE,
        SampleData,
        generate,
        load_sample,
        sample_paths,
    )
    from pbr.simulate import PaymentSimulation, minimum_detectable_reduction, simulate_payments
    from pbr.whatif import WhatIf, what_if

__all__ = [
    "RULE_SETS",
    "SAMPLE_EXTRACT_DATE",
    "Assessment",
    "Baseline",
    "BaselineFormatError",
    "Cohort",
    "Contract",
    "ContractError",
    "Decomposition",
    "IgnoredOptionWarning",
    "InterimMeasureError",
    "LotRegistry",
    "Manifest",
    "MatchResult",
    "Measures",
    "ModelError",
    "OGRS3Scores",
    "PaymentSimulation",
    "PbrError",
    "PbrWarning",
    "RiskModel",
    "SampleData",
    "Statement",
    "SuspiciousDataWarning",
    "ValidationError",
    "ValidationReport",
    "VerificationError",
    "VerifyResult",
    "WhatIf",
    "__version__",
    "assess_members",
    "available_presets",
    "build_baseline",
    "build_cohort",
    "compare_to_baseline",
    "compute_measures",
    "count_reoffending",
    "decompose_change",
    "decompose_strata",
    "default_registry",
    "fit_count_model",
    "fit_risk_model",
    "generate",
    "load_baseline",
    "load_contract",
    "load_sample",
    "match",
    "minimum_detectable_reduction",
    "ogrs3_probability",
    "pay",
    "pay_from_files",
    "preset",
    "read_cohort",
    "read_lots",
    "read_offences",
    "recalibrate_ogrs3",
    "sample_paths",
    "score_cohort",
    "simulate_payments",
    "validate",
    "verify",
    "what_if",
    "write_statement",
    "write_table",
]

#: Where each public name is defined: ``import pbr`` imports none of them, the first
#: ``pbr.<name>`` imports its module (so ``import pbr`` and ``pbr --help`` start fast).
_EXPORTS: dict[str, str] = {
    "RULE_SETS": "pbr.counting",
    "SAMPLE_EXTRACT_DATE": "pbr.sample",
    "Assessment": "pbr.baseline",
    "Baseline": "pbr.baseline",
    "BaselineFormatError": "pbr.errors",
    "Cohort": "pbr.cohort",
    "Contract": "pbr.contracts",
    "ContractError": "pbr.errors",
    "Decomposition": "pbr.decompose",
    "IgnoredOptionWarning": "pbr.errors",
    "InterimMeasureError": "pbr.errors",
    "LotRegistry": "pbr.lots",
    "Manifest": "pbr.provenance",
    "MatchResult": "pbr.compare",
    "Measures": "pbr.measures",
    "ModelError": "pbr.errors",
    "OGRS3Scores": "pbr.risk",
    "PaymentSimulation": "pbr.simulate",
    "PbrError": "pbr.errors",
    "PbrWarning": "pbr.errors",
    "RiskModel": "pbr.risk",
    "SampleData": "pbr.sample",
    "Statement": "pbr.payments",
    "SuspiciousDataWarning": "pbr.errors",
    "ValidationError": "pbr.errors",
    "ValidationReport": "pbr.io",
    "VerificationError": "pbr.errors",
    "VerifyResult": "pbr.pipeline",
    "WhatIf": "pbr.whatif",
    "__version__": "pbr.provenance",
    "assess_members": "pbr.baseline",
    "available_presets": "pbr.contracts",
    "build_baseline": "pbr.baseline",
    "build_cohort": "pbr.cohort",
    "compare_to_baseline": "pbr.baseline",
    "compute_measures": "pbr.measures",
    "count_reoffending": "pbr.counting",
    "decompose_change": "pbr.decompose",
    "decompose_strata": "pbr.decompose",
    "default_registry": "pbr.lots",
    "fit_count_model": "pbr.risk",
    "fit_risk_model": "pbr.risk",
    "generate": "pbr.sample",
    "load_baseline": "pbr.baseline",
    "load_contract": "pbr.contracts",
    "load_sample": "pbr.sample",
    "match": "pbr.compare",
    "minimum_detectable_reduction": "pbr.simulate",
    "ogrs3_probability": "pbr.risk",
    "pay": "pbr.payments",
    "pay_from_files": "pbr.pipeline",
    "preset": "pbr.contracts",
    "read_cohort": "pbr.io",
    "read_lots": "pbr.lots",
    "read_offences": "pbr.io",
    "recalibrate_ogrs3": "pbr.risk",
    "sample_paths": "pbr.sample",
    "score_cohort": "pbr.risk",
    "simulate_payments": "pbr.simulate",
    "validate": "pbr.io",
    "verify": "pbr.pipeline",
    "what_if": "pbr.whatif",
    "write_statement": "pbr.payments",
    "write_table": "pbr.io",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module (or a subpackage such as ``pbr.io``) on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        try:  # ``import pbr; pbr.report...`` as when every subpackage was imported eagerly
            return importlib.import_module(f"pbr.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"pbr.{name}":
                raise
        raise AttributeError(f"module 'pbr' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
