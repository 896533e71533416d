"""Risk models: OGRS3, its logistic recalibration, and fitted baseline models."""

from pbr.risk.model import RiskModel, calibration_table, fit_count_model, fit_risk_model
from pbr.risk.ogrs3 import OGRS3Scores, ogrs3_linear_predictor, ogrs3_probability, score_cohort
from pbr.risk.recalibration import recalibrate_ogrs3

__all__ = [
    "OGRS3Scores",
    "RiskModel",
    "calibration_table",
    "fit_count_model",
    "fit_risk_model",
    "ogrs3_linear_predictor",
    "ogrs3_probability",
    "recalibrate_ogrs3",
    "score_cohort",
]
