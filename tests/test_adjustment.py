"""Aggregate adjustment formulas (SPEC §5.1–5.2), checked by hand and against scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from pbr.adjustment import OUTCOMES, binary_test, classify, frequency_test
from pbr.errors import PbrError


def test_binary_hand_worked() -> None:
    # N = 1000, O = 450, E = 500, V = 250, baseline 0.48
    # change = 100 × (450 − 500) / 1000 = −5.0 pp; adjusted = 0.48 − 0.05 = 0.43
    # z = −50 / sqrt(250) = −3.16228; p = 2 Φ(−3.16228) = 0.0015654
    t = binary_test([450], [500.0], [1000], [0.48], variance=[250.0])
    row = t.iloc[0]
    assert row["expected_rate"] == pytest.approx(0.5)
    assert row["adjusted_rate"] == pytest.approx(0.43)
    assert row["change_pp"] == pytest.approx(-5.0)
    assert row["z"] == pytest.approx(-50 / math.sqrt(250))
    assert row["p_value"] == pytest.approx(0.0015654, rel=1e-4)
    assert row["outcome"] == "significant_reduction"
    assert row["variance_method"] == "sum_p_1_minus_p"


def test_binary_ratio_form_and_default_variance() -> None:
    # ratio: 0.48 × 450 / 500 = 0.432; default V = N e (1 − e) = 1000 × 0.5 × 0.5 = 250
    t = binary_test([450], [500.0], [1000], [0.48], form="ratio")
    assert t["adjusted_rate"].iloc[0] == pytest.approx(0.432)
    assert t["variance"].iloc[0] == pytest.approx(250.0)
    assert t["variance_method"].iloc[0] == "binomial_approximation"


def test_binary_no_change_when_observed_equals_expected() -> None:
    t = binary_test([300], [300.0], [600], [0.5], variance=[150.0])
    assert t["z"].iloc[0] == 0
    assert t["p_value"].iloc[0] == pytest.approx(1.0)
    assert t["outcome"].iloc[0] == "no_significant_change"


def test_binary_empty_cohort_is_nan_not_error() -> None:
    t = binary_test([0], [0.0], [0], [0.5], variance=[0.0])
    assert np.isnan(t["z"].iloc[0]) and np.isnan(t["adjusted_rate"].iloc[0])
    assert t["outcome"].iloc[0] == "no_significant_change"


def test_bad_parameters_raise() -> None:
    with pytest.raises(PbrError, match="form"):
        binary_test([1], [1.0], [2], [0.5], form="log")  # type: ignore[arg-type]
    with pytest.raises(PbrError, match="alpha"):
        classify([0.1], [1.0], alpha=1.5)
    with pytest.raises(PbrError, match="lengths"):
        binary_test([1, 2], [1.0], [2], [0.5])


def test_classify_boundary_is_strict() -> None:
    # p exactly alpha is not significant (significant means p < alpha)
    assert classify([0.05], [-1.0], alpha=0.05).tolist() == ["no_significant_change"]
    assert classify([np.nan], [-1.0]).tolist() == ["no_significant_change"]


@given(
    st.integers(1, 5000),
    st.floats(0.05, 0.95),
    st.floats(-0.2, 0.2),
)
def test_binary_z_matches_definition(n: int, e_rate: float, shift: float) -> None:
    e = n * e_rate
    o = min(n, max(0, round(e + shift * n)))
    v = n * e_rate * (1 - e_rate)
    t = binary_test([o], [e], [n], [e_rate], variance=[v])
    z = (o - e) / math.sqrt(v)
    assert t["z"].iloc[0] == pytest.approx(z)
    assert t["outcome"].iloc[0] in OUTCOMES
    # a larger reduction never yields a larger z
    t2 = binary_test([max(0, o - 1)], [e], [n], [e_rate], variance=[v])
    assert t2["z"].iloc[0] <= t["z"].iloc[0]


def test_frequency_matches_scipy_welch() -> None:
    t = frequency_test([4.6], [3.1], [250], [4.2], [2.7], [900])
    ref = stats.ttest_ind_from_stats(4.6, 3.1, 250, 4.2, 2.7, 900, equal_var=False)
    assert t["frequency_t"].iloc[0] == pytest.approx(ref.statistic)
    assert t["frequency_p_value"].iloc[0] == pytest.approx(ref.pvalue)
    assert t["frequency_change"].iloc[0] == pytest.approx(0.4)
    expected = "significant_increase" if ref.pvalue < 0.05 else "no_significant_change"
    assert t["frequency_outcome"].iloc[0] == expected


def test_frequency_too_few_reoffenders_is_nan() -> None:
    t = frequency_test([4.0], [0.0], [1], [4.0], [1.0], [100])
    assert np.isnan(t["frequency_t"].iloc[0])
    assert t["frequency_outcome"].iloc[0] == "no_significant_change"


@pytest.mark.parametrize(
    ("observed", "expected", "size", "baseline", "variance", "what"),
    [
        ([5], [float("nan")], [10], [0.5], [2.0], "expected"),
        ([float("nan")], [5.0], [10], [0.5], [2.0], "observed"),
        ([5], [5.0], [float("nan")], [0.5], [2.0], "cohort_size"),
        ([5], [5.0], [10], [float("nan")], [2.0], "baseline_binary"),
        ([5], [5.0], [10], [0.5], [float("nan")], "variance"),
        ([11], [5.0], [10], [0.5], [2.0], "observed"),
        ([-1], [5.0], [10], [0.5], [2.0], "observed"),
        ([5], [10.5], [10], [0.5], [2.0], "expected"),
        ([5], [5.0], [10], [1.5], [2.0], "baseline_binary"),
        ([5], [5.0], [10], [0.5], [-2.0], "variance"),
    ],
)
def test_binary_impossible_or_missing_inputs_raise(
    observed: list[float],
    expected: list[float],
    size: list[float],
    baseline: list[float],
    variance: list[float],
    what: str,
) -> None:
    # a NaN or impossible count used to give NaN statistics and "no_significant_change"
    with pytest.raises(PbrError, match=f"{what}.*row 1"):
        binary_test(observed, expected, size, baseline, variance=variance)


def test_binary_empty_cohort_may_leave_the_other_figures_blank() -> None:
    # a published table's empty cohort (N = 0) often has blank O, E, rate: NaN statistics,
    # no error (only rows with people must be complete)
    nan = float("nan")
    t = binary_test([nan, 40], [nan, 45.0], [0, 100], [nan, 0.5], variance=[nan, 20.0])
    assert np.isnan(t["z"].iloc[0]) and t["outcome"].iloc[0] == "no_significant_change"
    assert t["z"].iloc[1] == pytest.approx(-5 / np.sqrt(20))
    with pytest.raises(PbrError, match="observed"):  # but an impossible value still fails
        binary_test([3], [0.0], [0], [0.5])
