"""MatchIt parity on the Lalonde data: pbr reproduces MatchIt's published balance tables.

The data are MatchIt's ``data("lalonde")`` (``tests/data/lalonde/lalonde.csv``, 185
treated, 429 controls; provenance in ``tests/data/lalonde/SOURCE``). Every golden value
below is copied from MatchIt's rendered vignettes (repository kosukeimai/MatchIt, pkgdown
articles) and is compared to the printed precision: |pbr − printed| ≤ half a unit of the
last printed digit.
MatchIt prints SMDs as fractions; pbr's ``smd_*_pct`` are percentages (÷ 100 here).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pbr.errors import IgnoredOptionWarning
from pbr.matching import match
from pbr.matching.outcomes import effective_n

LALONDE = Path(__file__).resolve().parent / "data" / "lalonde" / "lalonde.csv"
COV = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]
NAMES = {  # MatchIt row name -> pbr balance row
    "distance": "distance",
    "age": "age",
    "educ": "educ",
    "raceblack": "race=black",
    "racehispan": "race=hispan",
    "racewhite": "race=white",
    "married": "married",
    "nodegree": "nodegree",
    "re74": "re74",
    "re75": "re75",
}
STATS = ["mean_treated", "mean_comparison", "smd", "var_ratio", "ecdf_mean", "ecdf_max"]


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    return pd.read_csv(LALONDE, index_col=0)


def check_table(balance: pd.DataFrame, golden: dict, when: str, decimals: int) -> None:
    """Compare a pbr balance table with a printed MatchIt table, row by row, cell by cell."""
    b = balance.set_index("covariate")
    tol = 0.5 * 10.0**-decimals + 1e-9
    bad = []
    for name, values in golden.items():
        row = b.loc[NAMES.get(name, name)]
        for stat, want in zip(STATS, values, strict=True):
            col = f"smd_{when}_pct" if stat == "smd" else f"{stat}_{when}"
            got = float(row[col]) / (100.0 if stat == "smd" else 1.0)
            if want is None:  # MatchIt prints "." (no variance ratio for a binary covariate)
                if not np.isnan(got):
                    bad.append((name, stat, got, "."))
            elif not abs(got - want) <= tol:
                bad.append((name, stat, got, want))
    assert not bad, bad


# Source: MatchIt vignette "MatchIt: Getting Started" (kosukeimai/MatchIt,
# articles/MatchIt.md), `summary(m.out0)` for
# matchit(treat ~ age + educ + race + married + nodegree + re74 + re75, data = lalonde,
#         method = NULL, distance = "glm"): "Summary of Balance for All Data".
# Columns: Means Treated, Means Control, Std. Mean Diff., Var. Ratio, eCDF Mean, eCDF Max.
ALL_DATA = {
    "distance": (0.5774, 0.1822, 1.7941, 0.9211, 0.3774, 0.6444),
    "age": (25.8162, 28.0303, -0.3094, 0.4400, 0.0813, 0.1577),
    "educ": (10.3459, 10.2354, 0.0550, 0.4959, 0.0347, 0.1114),
    "raceblack": (0.8432, 0.2028, 1.7615, None, 0.6404, 0.6404),
    "racehispan": (0.0595, 0.1422, -0.3498, None, 0.0827, 0.0827),
    "racewhite": (0.0973, 0.6550, -1.8819, None, 0.5577, 0.5577),
    "married": (0.1892, 0.5128, -0.8263, None, 0.3236, 0.3236),
    "nodegree": (0.7081, 0.5967, 0.2450, None, 0.1114, 0.1114),
    "re74": (2095.5737, 5619.2365, -0.7211, 0.5181, 0.2248, 0.4470),
    "re75": (1532.0553, 2466.4844, -0.2903, 0.9563, 0.1342, 0.2876),
}

# Source: the same vignette, `summary(m.out1, un = FALSE)` for
# matchit(treat ~ age + educ + race + married + nodegree + re74 + re75, data = lalonde,
#         method = "nearest", distance = "glm"): "Summary of Balance for Matched Data"
# (Sample Sizes: Matched 185 control / 185 treated, Unmatched 244 control).
NEAREST_1_1 = {
    "distance": (0.5774, 0.3629, 0.9739, 0.7566, 0.1321, 0.4216),
    "age": (25.8162, 25.3027, 0.0718, 0.4568, 0.0847, 0.2541),
    "educ": (10.3459, 10.6054, -0.1290, 0.5721, 0.0239, 0.0757),
    "raceblack": (0.8432, 0.4703, 1.0259, None, 0.3730, 0.3730),
    "racehispan": (0.0595, 0.2162, -0.6629, None, 0.1568, 0.1568),
    "racewhite": (0.0973, 0.3135, -0.7296, None, 0.2162, 0.2162),
    "married": (0.1892, 0.2108, -0.0552, None, 0.0216, 0.0216),
    "nodegree": (0.7081, 0.6378, 0.1546, None, 0.0703, 0.0703),
    "re74": (2095.5737, 2342.1076, -0.0505, 1.3289, 0.0469, 0.2757),
    "re75": (1532.0553, 1614.7451, -0.0257, 1.4956, 0.0452, 0.2054),
}

# Source: MatchIt vignette "Assessing Balance" (kosukeimai/MatchIt,
# articles/assessing-balance.md), for
# m.out <- matchit(treat ~ age + educ + race + married + nodegree + re74 + re75,
#                  data = lalonde, replace = TRUE)
# summary(m.out, addlvariables = ~ I(age^2) + I(re74 == 0) + I(re75 == 0) + educ:race),
# printed to 3 decimals. (Sample Sizes: Matched (ESS) 46.31 control; Matched 82 control.)
WITH_REPLACEMENT_ALL = {
    "distance": (0.577, 0.182, 1.794, 0.921, 0.377, 0.644),
    "age": (25.816, 28.030, -0.309, 0.440, 0.081, 0.158),
    "educ": (10.346, 10.235, 0.055, 0.496, 0.035, 0.111),
    "raceblack": (0.843, 0.203, 1.762, None, 0.640, 0.640),
    "racehispan": (0.059, 0.142, -0.350, None, 0.083, 0.083),
    "racewhite": (0.097, 0.655, -1.882, None, 0.558, 0.558),
    "married": (0.189, 0.513, -0.826, None, 0.324, 0.324),
    "nodegree": (0.708, 0.597, 0.245, None, 0.111, 0.111),
    "re74": (2095.574, 5619.237, -0.721, 0.518, 0.225, 0.447),
    "re75": (1532.055, 2466.484, -0.290, 0.956, 0.134, 0.288),
    "I(age^2)": (717.395, 901.779, -0.428, 0.363, 0.081, 0.158),
    "I(re74 == 0)TRUE": (0.708, 0.261, 0.983, None, 0.447, 0.447),
    "I(re75 == 0)TRUE": (0.600, 0.312, 0.587, None, 0.288, 0.288),
    "educ:raceblack": (8.697, 2.047, 1.580, 0.980, 0.354, 0.645),
    "educ:racehispan": (0.578, 1.263, -0.294, 0.487, 0.046, 0.078),
    "educ:racewhite": (1.070, 6.925, -1.767, 0.365, 0.279, 0.555),
}
WITH_REPLACEMENT_MATCHED = {
    "distance": (0.577, 0.576, 0.004, 0.992, 0.003, 0.049),
    "age": (25.816, 24.103, 0.239, 0.557, 0.077, 0.341),
    "educ": (10.346, 10.378, -0.016, 0.577, 0.022, 0.059),
    "raceblack": (0.843, 0.838, 0.015, None, 0.005, 0.005),
    "racehispan": (0.059, 0.065, -0.023, None, 0.005, 0.005),
    "racewhite": (0.097, 0.097, 0.000, None, 0.000, 0.000),
    "married": (0.189, 0.130, 0.152, None, 0.059, 0.059),
    "nodegree": (0.708, 0.703, 0.012, None, 0.005, 0.005),
    "re74": (2095.574, 2336.463, -0.049, 1.036, 0.041, 0.216),
    "re75": (1532.055, 1503.929, 0.009, 2.129, 0.068, 0.238),
    "I(age^2)": (717.395, 670.946, 0.108, 0.510, 0.077, 0.341),
    "I(re74 == 0)TRUE": (0.708, 0.492, 0.476, None, 0.216, 0.216),
    "I(re75 == 0)TRUE": (0.600, 0.362, 0.485, None, 0.238, 0.238),
    "educ:raceblack": (8.697, 8.589, 0.026, 0.869, 0.024, 0.054),
    "educ:racehispan": (0.578, 0.638, -0.026, 0.827, 0.007, 0.022),
    "educ:racewhite": (1.070, 1.151, -0.024, 0.846, 0.005, 0.022),
}


def addl_variables(df: pd.DataFrame) -> pd.DataFrame:
    """MatchIt's addlvariables = ~ I(age^2) + I(re74 == 0) + I(re75 == 0) + educ:race."""
    out = pd.DataFrame(index=df.index)
    out["I(age^2)"] = df["age"] ** 2
    out["I(re74 == 0)TRUE"] = (df["re74"] == 0).astype(float)
    out["I(re75 == 0)TRUE"] = (df["re75"] == 0).astype(float)
    for level in ("black", "hispan", "white"):
        out[f"educ:race{level}"] = df["educ"] * (df["race"] == level)
    return out


def test_all_data_table(lalonde):
    # MatchIt's distance = "glm" is the propensity score: pbr's distance="ps"
    m = match(lalonde, treatment="treat", covariates=COV, distance="ps", caliper=None)
    check_table(m.balance, ALL_DATA, "before", 4)
    # every race level is in the table, the reference level (black) included
    assert {"race=black", "race=hispan", "race=white"} <= set(m.balance["covariate"])


@pytest.mark.parametrize("ties", ["rank", "data"])
def test_nearest_1_1_table(lalonde, ties):
    # MatchIt's nearest-neighbour default for a propensity score: m.order = "largest"
    m = match(
        lalonde,
        treatment="treat",
        covariates=COV,
        distance="ps",
        m_order="largest",
        caliper=None,
        ties=ties,
    )
    check_table(m.balance, NEAREST_1_1, "after", 4)
    assert m.n_matched_treated == 185
    assert len(m.matched) - 185 == 185  # 185 controls matched, 244 unmatched
    # the worst imbalance after matching is race = black (SMD 1.0259), not left out
    worst = m.balance.set_index("covariate")["smd_after_pct"].abs().drop("distance").idxmax()
    assert worst == "race=black"


def test_with_replacement_table(lalonde):
    # replace = TRUE; ties="data" reproduces MatchIt's choice among identical controls
    m = match(
        lalonde,
        treatment="treat",
        covariates=COV,
        distance="ps",
        replace=True,
        caliper=None,
        ties="data",
    )
    b = m.balance_table(extra=addl_variables(lalonde))
    check_table(b, WITH_REPLACEMENT_ALL, "before", 3)
    check_table(b, WITH_REPLACEMENT_MATCHED, "after", 3)
    c = m.matched[~m.matched["treated"]]
    assert len(c) == 82
    assert round(effective_n(c["weight"].to_numpy()), 2) == 46.31


def test_with_replacement_seeded_ties_change_only_the_weights_spread(lalonde):
    # with the default seeded ties the same means/SMDs come out (tied controls are identical
    # people), only the spread of the weights over them - and so the variance ratios - differ
    kw = {
        "treatment": "treat",
        "covariates": COV,
        "distance": "ps",
        "replace": True,
        "caliper": None,
    }
    a = match(lalonde, **kw).balance.set_index("covariate")
    b = match(lalonde, ties="data", **kw).balance.set_index("covariate")
    np.testing.assert_allclose(a["mean_comparison_after"], b["mean_comparison_after"], rtol=1e-12)


@pytest.mark.parametrize("m_order", ["closest", "largest", "smallest", "random"])
def test_1_3_without_replacement_in_rounds_matches_every_treated(lalonde, m_order):
    # 3 x 185 = 555 > 429 controls: not everyone gets 3, but in rounds everyone gets a first
    with pytest.warns(IgnoredOptionWarning, match="555"):
        m = match(
            lalonde, treatment="treat", covariates=COV, ratio=3, caliper=None, m_order=m_order
        )
    assert m.n_matched_treated == 185
    assert len(m.unmatched) == 0
    k = m.pairs.groupby("treated").size()
    assert k.min() >= 1 and k.max() <= 3
    assert len(m.pairs) == 429  # every control is used once
    assert m.pairs["control"].is_unique


def test_caliper_sd_conventions(lalonde):
    base = {"treatment": "treat", "covariates": COV, "caliper": 0.2}
    pooled = match(lalonde, **base)
    sample = match(lalonde, caliper_sd="sample", **base)
    lp = pooled.balance_columns["distance"].to_numpy()
    t = lalonde["treat"].to_numpy() == 1
    assert pooled.caliper_width == pytest.approx(
        0.2 * np.sqrt((lp[t].var(ddof=1) + lp[~t].var(ddof=1)) / 2), rel=1e-12
    )
    assert sample.caliper_width == pytest.approx(0.2 * lp.std(ddof=1), rel=1e-12)
    raw = match(lalonde, std_caliper=False, **base)
    assert raw.caliper_width == 0.2


def test_no_warnings_with_matchit_options(lalonde):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = match(lalonde, treatment="treat", covariates=COV, distance="ps", m_order="largest")
    assert m.n_matched_treated > 0
