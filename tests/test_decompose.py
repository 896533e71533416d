"""Tests for pbr.decompose (mix vs performance)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbr.decompose import decompose_change, decompose_strata
from pbr.errors import PbrError


@st.composite
def assessment(draw):
    n = draw(st.integers(1, 10_000))
    o = draw(st.integers(0, n))
    e = draw(st.floats(0, n, allow_nan=False))
    b = draw(st.floats(0.01, 0.99))
    return n, o, e, b


@given(rows=st.lists(assessment(), min_size=1, max_size=8))
def test_risk_model_parts_add_up(rows):
    t = pd.DataFrame(
        rows, columns=["cohort_size", "reoffenders", "expected_reoffenders", "baseline_binary"]
    )
    d = decompose_change(t).table
    # exact in floating point: the parts lie on a dyadic grid (decompose module notes)
    assert (d["mix_pp"] + d["performance_pp"] == d["total_pp"]).all()
    for (n, o, e, b), (_, r) in zip(rows, d.iterrows(), strict=True):
        assert r["total_pp"] == pytest.approx(100 * (o / n - b), abs=1e-9)
        assert r["mix_pp"] == pytest.approx(100 * (e / n - b), abs=1e-9)
        assert r["performance_pp"] == pytest.approx(100 * (o - e) / n, abs=1e-9)


def test_risk_model_hand_example_keeps_keys():
    t = pd.DataFrame(
        {
            "lot": ["A", "B"],
            "period": ["2015Q4", "2015Q4"],
            "cohort_size": [1000, 500],
            "reoffenders": [430, 200],
            "expected_reoffenders": [480.0, 190.0],
            "baseline_binary": [0.45, 0.40],
        }
    )
    d = decompose_change(t).table
    assert d["lot"].tolist() == ["A", "B"]
    # A: total 43 - 45 = -2; mix 48 - 45 = 3; performance 43 - 48 = -5
    # B: total 40 - 40 = 0; mix 38 - 40 = -2; performance 40 - 38 = 2
    np.testing.assert_allclose(d["total_pp"], [-2, 0], atol=1e-9)
    np.testing.assert_allclose(d["mix_pp"], [3, -2], atol=1e-9)
    np.testing.assert_allclose(d["performance_pp"], [-5, 2], atol=1e-9)


counts = (
    st.lists(
        st.tuples(st.sampled_from("abcdef"), st.integers(0, 300), st.integers(0, 300)),
        min_size=1,
        max_size=6,
        unique_by=lambda x: x[0],
    )
    .map(lambda rows: [(s, n, min(o, n)) for s, n, o in rows])
    .filter(lambda rows: sum(n for _, n, _ in rows) > 0)
)


@given(base=counts, perf=counts)
def test_strata_parts_add_up_exactly(base, perf):
    b = pd.DataFrame(base, columns=["s", "cohort_size", "reoffenders"])
    p = pd.DataFrame(perf, columns=["s", "cohort_size", "reoffenders"])
    d = decompose_strata(b, p, by="s").table
    tot = d[d["stratum"] == "TOTAL"].iloc[0]
    # oracle: overall rates by hand with fractions
    r1 = Fraction(sum(o for _, _, o in base), sum(n for _, n, _ in base))
    r2 = Fraction(sum(o for _, _, o in perf), sum(n for _, n, _ in perf))
    # the grid rounding moves the TOTAL total by at most 2**-45 points per stratum
    assert tot["total_pp"] == pytest.approx(float(100 * (r2 - r1)), abs=len(d) * 2.0**-45)
    # and every identity holds exactly, with ==, in floating point
    assert tot["mix_pp"] + tot["performance_pp"] == tot["total_pp"]
    body = d[d["stratum"] != "TOTAL"]
    assert (body["mix_pp"] + body["performance_pp"] == body["total_pp"]).all()
    assert sum(body["mix_pp"].tolist()) == tot["mix_pp"]
    assert sum(body["performance_pp"].tolist()) == tot["performance_pp"]


def test_strata_hand_example():
    base = pd.DataFrame({"g": ["lo", "hi"], "cohort_size": [80, 20], "reoffenders": [16, 12]})
    perf = pd.DataFrame({"g": ["lo", "hi"], "cohort_size": [60, 40], "reoffenders": [9, 20]})
    # shares 0.8/0.2 -> 0.6/0.4; rates lo .2 -> .15, hi .6 -> .5; R1 = .28, R2 = .29
    # mix  = (0.6-0.8)(0.2+0.15)/2 + (0.4-0.2)(0.6+0.5)/2 = -0.035 + 0.11 = 0.075
    # perf = (0.15-0.2)(0.8+0.6)/2 + (0.5-0.6)(0.2+0.4)/2 = -0.035 - 0.03 = -0.065
    d = decompose_strata(base, perf, by="g").summary().frame.iloc[0]
    assert d["total_pp"] == pytest.approx(1.0)
    assert d["mix_pp"] == pytest.approx(7.5)
    assert d["performance_pp"] == pytest.approx(-6.5)


def test_strata_microdata_equals_aggregate_and_empty_stratum():
    rng = np.random.default_rng(0)
    b = pd.DataFrame({"g": rng.choice(["x", "y", "z"], 500), "reoffender": rng.random(500) < 0.4})
    p = pd.DataFrame({"g": rng.choice(["x", "y"], 300), "reoffender": rng.random(300) < 0.3})
    micro = decompose_strata(b, p, by="g").table
    agg_b = (
        b.groupby("g")
        .agg(cohort_size=("reoffender", "size"), reoffenders=("reoffender", "sum"))
        .reset_index()
    )
    agg_p = (
        p.groupby("g")
        .agg(cohort_size=("reoffender", "size"), reoffenders=("reoffender", "sum"))
        .reset_index()
    )
    pd.testing.assert_frame_equal(micro, decompose_strata(agg_b, agg_p, by="g").table)
    z = micro.set_index("stratum").loc["z"]
    assert z["performance_pp"] == 0.0  # absent from the performance cohort: mix only
    assert np.isnan(z["rate_performance"])


def test_errors_and_outputs():
    with pytest.raises(PbrError, match="expected_reoffenders"):
        decompose_change(
            pd.DataFrame({"cohort_size": [1], "reoffenders": [1], "baseline_binary": [0.5]})
        )
    with pytest.raises(PbrError, match="exceed"):
        decompose_strata(
            pd.DataFrame({"g": ["a"], "cohort_size": [2], "reoffenders": [3]}),
            pd.DataFrame({"g": ["a"], "cohort_size": [2], "reoffenders": [1]}),
            by="g",
        )
    with pytest.raises(PbrError, match="strata column"):
        decompose_strata(
            pd.DataFrame({"reoffender": [1]}), pd.DataFrame({"reoffender": [1]}), by="g"
        )
    base = pd.DataFrame({"g": ["lo", "hi"], "cohort_size": [80, 20], "reoffenders": [16, 12]})
    d = decompose_strata(base, base, by="g")
    assert d.summary().frame["total_pp"].iloc[0] == 0.0
    assert len(d.plot().patches) == 6  # 3 rows x 2 bar series
    assert "<table" in d._repr_html_()


def test_strata_empty_in_both_cohorts_contributes_nothing():
    # an aggregate row with cohort_size 0 in the baseline and absent from performance:
    # no rate anywhere, so it adds nothing (kept as a row, not dropped, not an AssertionError)
    base = pd.DataFrame({"g": ["a", "b"], "cohort_size": [0, 5], "reoffenders": [0, 1]})
    perf = pd.DataFrame({"g": ["b"], "cohort_size": [3], "reoffenders": [1]})
    d = decompose_strata(base, perf, by="g").table.set_index("stratum")
    assert d.loc["a", "mix_pp"] == 0.0
    assert d.loc["a", "performance_pp"] == 0.0
    assert np.isnan(d.loc["a", "rate_baseline"]) and np.isnan(d.loc["a", "rate_performance"])
    # only b: 1/5 -> 1/3, all performance
    assert d.loc["TOTAL", "total_pp"] == pytest.approx(100 * (1 / 3 - 1 / 5))
    assert d.loc["TOTAL", "mix_pp"] == 0.0


def test_strata_named_total_is_an_error():
    t = pd.DataFrame({"g": ["TOTAL", "x"], "cohort_size": [5, 5], "reoffenders": [1, 2]})
    with pytest.raises(PbrError, match="TOTAL"):
        decompose_strata(t, t, by="g")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("reoffenders", 120),
        ("reoffenders", -1),
        ("expected_reoffenders", 100.5),
        ("expected_reoffenders", -0.5),
        ("baseline_binary", 1.2),
    ],
)
def test_risk_model_impossible_counts_are_errors(column, value):
    # O or E outside 0..N, or a rate outside [0, 1], used to give rates above 100 % silently
    t = pd.DataFrame(
        {
            "cohort_size": [100],
            "reoffenders": [40],
            "expected_reoffenders": [45.0],
            "baseline_binary": [0.5],
        }
    )
    t[column] = [value]
    with pytest.raises(PbrError, match=column):
        decompose_change(t)


def test_table_with_both_counts_and_outcome_is_ambiguous():
    # microdata carrying a cohort_size column (e.g. merged lot sizes) was silently summed
    # as if it were aggregate counts
    micro = pd.DataFrame(
        {
            "g": ["a", "a", "b"],
            "reoffender": [1, 0, 1],
            "cohort_size": [3, 3, 3],
            "reoffenders": [2, 2, 2],
        }
    )
    agg = pd.DataFrame({"g": ["a", "b"], "cohort_size": [2, 1], "reoffenders": [1, 1]})
    with pytest.raises(PbrError, match="both"):
        decompose_strata(agg, micro, by="g")
