"""pbr — payment-by-results reoffending analytics.

Load offender cohorts and proven offences, count proven reoffending by the
MoJ rules, build 2011 baselines per lot, adjust for offender mix (OGRS3 or a
fitted model), and compute provider payments to the penny with an audit trail.
"""

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
from pbr.risk import OGRS3Scores, ogrs3_probability, score_cohort

__version__ = "0.1.0"

__all__ = [
    "BaselineFormatError",
    "ContractError",
    "IgnoredOptionWarning",
    "InterimMeasureError",
    "LotRegistry",
    "ModelError",
    "OGRS3Scores",
    "PbrError",
    "PbrWarning",
    "SuspiciousDataWarning",
    "ValidationError",
    "ValidationReport",
    "VerificationError",
    "__version__",
    "default_registry",
    "ogrs3_probability",
    "read_cohort",
    "read_lots",
    "read_offences",
    "score_cohort",
    "validate",
    "write_table",
]
