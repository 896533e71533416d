"""pbr — payment-by-results reoffending analytics.

Load offender cohorts and proven offences, count proven reoffending by the
MoJ rules, build 2011 baselines per lot, adjust for offender mix (OGRS3 or a
fitted model), and compute provider payments to the penny with an audit trail.
"""

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
from pbr.pipeline import VerifyResult, pay_from_files, verify
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
