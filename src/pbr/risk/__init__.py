"""Risk models: OGRS3, its logistic recalibration, and fitted baseline models."""

from pbr.risk.ogrs3 import OGRS3Scores, ogrs3_linear_predictor, ogrs3_probability, score_cohort

__all__ = ["OGRS3Scores", "ogrs3_linear_predictor", "ogrs3_probability", "score_cohort"]
