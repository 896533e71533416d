"""Tests for pbr.matching through the pbr.compare shim (propensity-score matching)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from pbr.compare import match
from pbr.errors import IgnoredOptionWarning, PbrError
from pbr.matching._kernels import best_pair_first as _match_without_replacement
from pbr.matching._kernels import k_nearest_with_replacement as _match_with_replacement

# ---------------------------------------------------------------------------
# plain-Python oracles
# ---------------------------------------------------------------------------


def oracle_with_replacement(ts, cs, crank, k, width):
    out = []
    for i, x in enumerate(ts):
        cand = sorted((abs(x - s), int(crank[j]), j) for j, s in enumerate(cs))
        for d, _, j in cand[:k]:
            if d <= width:
                out.append((i, j))
    return sorted(out)


def oracle_greedy(ts, cs, trank, crank, k, width):
    edges = sorted(
        (abs(x - s), int(crank[j]), int(trank[i]), i, j)
        for i, x in enumerate(ts)
        for j, s in enumerate(cs)
        if abs(x - s) <= width
    )
    cap = [k] * len(ts)
    used = set()
    out = []
    for _, _, _, i, j in edges:
        if cap[i] > 0 and j not in used:
            cap[i] -= 1
            used.add(j)
            out.append((i, j))
    return sorted(out)


scores = st.lists(st.integers(0, 12).map(lambda v: v / 4), min_size=1, max_size=25)
#: treated and comparison scores with many ties, 1:k, caliper widths, tie-break seed
matching_cases = given(
    ts=scores,
    cs=scores,
    k=st.integers(1, 3),
    width=st.sampled_from([np.inf, 0.0, 0.25, 1.0]),
    seed=st.integers(0, 1000),
)


@matching_cases
def test_with_replacement_matches_oracle(ts, cs, k, width, seed):
    rng = np.random.default_rng(seed)
    ts_a, cs_a = np.array(ts, float), np.array(cs, float)
    crank = rng.permutation(len(cs)).astype(np.int64)
    ti, ci, di = _match_with_replacement(ts_a, cs_a, crank, k, width)
    got = sorted(zip(ti.tolist(), ci.tolist(), strict=True))
    assert got == oracle_with_replacement(ts_a, cs_a, crank, k, width)
    np.testing.assert_array_equal(di, np.abs(ts_a[ti] - cs_a[ci]))


@matching_cases
def test_without_replacement_matches_greedy_oracle(ts, cs, k, width, seed):
    rng = np.random.default_rng(seed)
    ts_a, cs_a = np.array(ts, float), np.array(cs, float)
    perm = rng.permutation(len(ts) + len(cs)).astype(np.int64)
    trank, crank = perm[: len(ts)], perm[len(ts) :]
    ti, ci, _ = _match_without_replacement(ts_a, cs_a, trank, crank, k, width)
    got = sorted(zip(ti.tolist(), ci.tolist(), strict=True))
    assert got == oracle_greedy(ts_a, cs_a, trank, crank, k, width)
    assert len(set(ci.tolist())) == len(ci)  # each control used at most once


def test_without_replacement_oracle_continuous_scores():
    rng = np.random.default_rng(5)
    ts, cs = rng.normal(0.5, 1, 80), rng.normal(0, 1, 150)
    perm = rng.permutation(230).astype(np.int64)
    for k, width in [(1, np.inf), (2, 0.05), (3, 0.3)]:
        ti, ci, _ = _match_without_replacement(ts, cs, perm[:80], perm[80:], k, width)
        got = sorted(zip(ti.tolist(), ci.tolist(), strict=True))
        assert got == oracle_greedy(ts, cs, perm[:80], perm[80:], k, width)


@pytest.mark.parametrize("seed", range(4))
def test_without_replacement_oracle_heavy_ties(seed):
    # few distinct scores: whole tie groups are settled in bulk (see _bulk_ties)
    rng = np.random.default_rng(seed)
    ts = rng.integers(0, 5, 120).astype(float)
    cs = rng.integers(0, 6, 300).astype(float) - 0.5 * (seed % 2)
    perm = rng.permutation(420).astype(np.int64)
    for k, width in [(1, np.inf), (2, np.inf), (3, 0.5)]:
        ti, ci, _ = _match_without_replacement(ts, cs, perm[:120], perm[120:], k, width)
        got = sorted(zip(ti.tolist(), ci.tolist(), strict=True))
        assert got == oracle_greedy(ts, cs, perm[:120], perm[120:], k, width)


# ---------------------------------------------------------------------------
# match() end to end
# ---------------------------------------------------------------------------


def make_data(n=2000, effect=0.0, seed=0):
    rng = np.random.default_rng(seed)
    u = rng.random(n)
    g = rng.integers(0, 2, n)
    off = rng.choice(["theft", "violence", "drugs"], n)
    lin = -2.5 + 1.5 * u + 0.8 * g + 0.3 * (off == "drugs")
    t = rng.random(n) < 1 / (1 + np.exp(-lin))
    p = 0.3 + 0.15 * g + 0.1 * u + 0.05 * (off == "drugs") + effect * t
    y = rng.random(n) < p
    reoffences = np.where(y, 1 + rng.poisson(1.5 + g, n), 0)
    days = np.where(y, rng.integers(1, 366, n), np.nan)
    return pd.DataFrame(
        {
            "u": u,
            "g": g,
            "off": off,
            "t": t,
            "reoffender": y,
            "reoffences": reoffences,
            "days": days,
        }
    )


COV = ["u", "g", "off"]


def test_hand_example_pairs():
    df = pd.DataFrame({"x": [0.0, 0.1, 1.0, 1.1, 5.0], "t": [1, 0, 1, 0, 0]})
    m = match(df, treatment="t", covariates=["x"], caliper=None)
    # logit is monotone in x (positive slope is not guaranteed, but ordering is)
    assert sorted(map(tuple, m.pairs[["treated", "control"]].to_numpy().tolist())) == [
        (0, 1),
        (2, 3),
    ]


@pytest.mark.parametrize("replace", [False, True])
@pytest.mark.parametrize("k", [1, 3])
def test_pairs_consistent_with_matched(replace, k):
    df = make_data(1500, seed=1)
    m = match(df, treatment="t", covariates=COV, k=k, replace=replace)
    p, md = m.pairs, m.matched
    # same people
    assert set(p["treated"]) == set(md.index[md["treated"]])
    assert set(p["control"]) == set(md.index[~md["treated"]])
    # weights: treated 1, control = sum of 1/k_t over its pairs
    assert (md.loc[md["treated"], "weight"] == 1.0).all()
    k_t = p.groupby("treated").size()
    w_expected = (1.0 / p["treated"].map(k_t)).groupby(p["control"]).sum()
    np.testing.assert_allclose(md.loc[w_expected.index, "weight"], w_expected.to_numpy())
    assert md.loc[~md["treated"], "weight"].sum() == pytest.approx(m.n_matched_treated)
    assert (k_t <= k).all()
    np.testing.assert_allclose(p["weight"], 1.0 / p["treated"].map(k_t))
    # distances (scores rounded to the 1e-10 tie grid before differencing)
    lp = md["logit_propensity"]
    np.testing.assert_allclose(
        p["distance"],
        np.abs(lp.loc[p["treated"]].to_numpy() - lp.loc[p["control"]].to_numpy()),
        atol=2e-10,
    )
    assert (p["distance"] <= m.caliper_width).all()
    # n_matches and subclass
    assert (
        md.loc[p["control"].unique(), "n_matches"].to_numpy()
        == p.groupby("control").size().loc[p["control"].unique()].to_numpy()
    ).all()
    sub_t = md.loc[p["treated"], "subclass"].to_numpy()
    np.testing.assert_array_equal(sub_t, p["subclass"].to_numpy())
    if not replace:
        assert p["control"].is_unique
        np.testing.assert_array_equal(
            md.loc[p["control"], "subclass"].to_numpy(), p["subclass"].to_numpy()
        )
    # nothing lost: every treated is matched or listed unmatched
    assert m.n_matched_treated + len(m.unmatched) == int(df["t"].sum())


def test_deterministic_same_seed():
    df = make_data(1200, seed=2)
    a = match(df, treatment="t", covariates=COV, replace=True, k=2, random_state=7)
    b = match(df, treatment="t", covariates=COV, replace=True, k=2, random_state=7)
    pd.testing.assert_frame_equal(a.pairs, b.pairs)
    pd.testing.assert_frame_equal(a.matched, b.matched)
    pd.testing.assert_frame_equal(a.estimate(), b.estimate())


def test_seed_breaks_ties_differently():
    # identical covariates: every control ties; the seed decides who is chosen
    df = pd.DataFrame({"x": [0.0, 1.0] * 50, "t": [True] * 10 + [False] * 90})
    picks = {
        tuple(match(df, treatment="t", covariates=["x"], random_state=s).pairs["control"])
        for s in range(5)
    }
    assert len(picks) > 1


def test_caliper_leaves_far_treated_unmatched():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(0, 1, 300), [12.0]])
    t = np.zeros(301, dtype=bool)
    t[:60] = True
    t[300] = True
    df = pd.DataFrame({"x": x, "t": t})
    m = match(df, treatment="t", covariates=["x"], caliper=0.2)
    assert 300 in m.unmatched
    assert 300 not in set(m.pairs["treated"])
    none = match(df, treatment="t", covariates=["x"], caliper=None)
    assert 300 in set(none.pairs["treated"])
    assert np.isinf(none.caliper_width)


def test_exact_strata_respected():
    df = make_data(1500, seed=4)
    m = match(df, treatment="t", covariates=["u", "g"], exact=["off"], k=2, replace=True)
    off = df["off"]
    assert (off.loc[m.pairs["treated"]].to_numpy() == off.loc[m.pairs["control"]].to_numpy()).all()


def test_caliper_width_is_pooled_sd_of_logit():
    df = make_data(1000, seed=5)
    m = match(df, treatment="t", covariates=COV, caliper=0.2)
    lp = m.matched["logit_propensity"]
    with pytest.warns(IgnoredOptionWarning, match="fewer than 1000"):  # k > pool: everyone
        full = match(df, treatment="t", covariates=COV, caliper=None, replace=True, k=1000)
    lp = full.matched["logit_propensity"]
    t = full.matched["treated"]
    sd = np.sqrt((lp[t].var(ddof=1) + lp[~t].var(ddof=1)) / 2)
    assert m.caliper_width == pytest.approx(0.2 * sd, rel=1e-12)


def test_balance_smd_by_hand():
    df = pd.DataFrame(
        {
            "x": [1.0, 2, 3, 4, 2, 3, 5, 6, 7, 1],
            "b": [1, 0, 1, 1, 0, 0, 1, 0, 0, 1],
            "t": [1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
        }
    )
    m = match(df, treatment="t", covariates=["x", "b"], caliper=None, s_d_denom="pooled")
    bal = m.balance.set_index("covariate")
    xt, xc = [1.0, 2, 3, 4], [2.0, 3, 5, 6, 7, 1]
    d = (np.mean(xt) - np.mean(xc)) / np.sqrt((np.var(xt, ddof=1) + np.var(xc, ddof=1)) / 2)
    assert bal.loc["x", "smd_before_pct"] == pytest.approx(100 * d)
    assert bal.loc["x", "var_ratio_before"] == pytest.approx(
        np.var(xt, ddof=1) / np.var(xc, ddof=1)
    )
    pt, pc = 3 / 4, 2 / 6
    db = (pt - pc) / np.sqrt((pt * (1 - pt) + pc * (1 - pc)) / 2)
    assert bal.loc["b", "smd_before_pct"] == pytest.approx(100 * db)
    assert bal.loc["b", "type"] == "binary"
    # after: 1:1 without replacement -> unweighted matched controls
    ctrl = m.pairs["control"].to_numpy()
    xm = df.loc[ctrl, "x"].to_numpy()
    after = (np.mean(xt) - xm.mean()) / np.sqrt((np.var(xt, ddof=1) + np.var(xc, ddof=1)) / 2)
    assert bal.loc["x", "smd_after_pct"] == pytest.approx(100 * after)


def test_matching_improves_balance():
    df = make_data(3000, seed=6)
    m = match(df, treatment="t", covariates=COV, replace=True)
    b = m.balance
    assert b["smd_before_pct"].abs().max() > 10
    assert b["smd_after_pct"].abs().max() < 10


def test_welch_matches_scipy_when_unweighted():
    df = make_data(2500, effect=-0.1, seed=7)
    m = match(df, treatment="t", covariates=COV, replace=False)
    md = m.matched
    assert (md["weight"] == 1).all()
    est = m.outcomes("reoffender", "reoffences", se="welch").set_index("measure")
    for col in ["reoffender", "reoffences"]:
        a = md.loc[md["treated"], col].astype(float)
        b = md.loc[~md["treated"], col].astype(float)
        res = stats.ttest_ind(a, b, equal_var=False)
        assert est.loc[col, "p_value"] == pytest.approx(res.pvalue, rel=1e-9)
        ci = res.confidence_interval(0.95)
        assert est.loc[col, "ci_low"] == pytest.approx(ci.low, rel=1e-9)
        assert est.loc[col, "ci_high"] == pytest.approx(ci.high, rel=1e-9)


def test_weighted_mean_and_neff_by_hand():
    df = make_data(1500, seed=8)
    m = match(df, treatment="t", covariates=COV, replace=True, k=2)
    md = m.matched
    c = md[~md["treated"]]
    w = c["weight"].to_numpy()
    y = c["reoffender"].to_numpy(float)
    est = m.outcomes("reoffender").iloc[0]
    assert est["comparison_mean"] == pytest.approx(np.sum(w * y) / np.sum(w))
    assert est["comparison_n_eff"] == pytest.approx(np.sum(w) ** 2 / np.sum(w**2))


def _reps(effect, n_rep=40):
    covered, significant = 0, 0
    for seed in range(n_rep):
        df = make_data(3000, effect=effect, seed=100 + seed)
        m = match(df, treatment="t", covariates=COV, replace=True, random_state=seed)
        row = m.estimate(frequency=None).set_index("measure").loc["binary_rate"]
        covered += row["ci_low"] <= effect <= row["ci_high"]
        significant += bool(row["significant"])
    return covered, significant


def test_ci_covers_true_effect():
    covered, significant = _reps(-0.10)
    assert covered >= 36  # >= 90 % of 40
    assert significant >= 30  # a 10 pp effect in ~600 treated is usually detected


def test_null_effect_false_positive_rate():
    covered, significant = _reps(0.0)
    assert significant <= 6  # <= 15 % of 40
    assert covered >= 34


def test_jdl_rules():
    df = make_data(150, seed=9)
    m = match(df, treatment="t", covariates=COV, replace=True)
    assert m.n_matched_treated < 60
    with pytest.raises(PbrError, match="60"):
        m.estimate()
    with pytest.raises(PbrError, match="60"):
        m.outcomes("reoffender")
    est = m.estimate(min_treated=10, days="days", min_reoffenders=10_000)
    sec = est.set_index("measure")
    assert not sec.loc["frequency_reoffenders", "reported"]
    assert np.isnan(sec.loc["days_to_first_reoffence", "difference"])
    assert "JDL" in sec.loc["days_to_first_reoffence", "note"]
    assert sec.loc["binary_rate", "reported"]


def test_secondary_measures_use_reoffenders_only():
    df = make_data(3000, seed=10)
    m = match(df, treatment="t", covariates=COV, replace=False)
    est = m.estimate(days="days").set_index("measure")
    md = m.matched
    tr = md[md["treated"] & md["reoffender"]]
    assert est.loc["days_to_first_reoffence", "treated_n"] == len(tr)
    assert est.loc["days_to_first_reoffence", "treated_mean"] == pytest.approx(tr["days"].mean())
    assert est.loc["frequency_reoffenders", "treated_mean"] == pytest.approx(
        tr["reoffences"].mean()
    )
    assert est.loc["days_to_first_reoffence", "reported"]


@pytest.mark.parametrize(
    "kwargs, msg",
    [
        ({"k": 0}, "ratio must"),
        ({"ratio": 0}, "ratio must"),
        ({"ratio": 2, "k": 3}, "not both"),
        ({"m_order": "biggest"}, "m_order"),
        ({"estimand": "ATE"}, "ATE needs"),
        ({"s_d_denom": "both"}, "s_d_denom"),
        ({"caliper_sd": "mad"}, "caliper_sd"),
        ({"ties": "first"}, "ties"),
        ({"separation": "ignore"}, "separation"),
        ({"distance": "nope"}, "neither"),
        ({"treatment": "treated_typo"}, "not in the data"),
        ({"distance": "mahalanobis", "m_order": "largest"}, "Mahalanobis"),
        ({"distance": "mahalanobis"}, "caliper in SDs"),
        ({"caliper": -1.0}, "caliper"),
        ({"covariates": ["u", "t"]}, "cannot also be a covariate"),
        ({"covariates": []}, "at least one"),
    ],
)
def test_bad_options(kwargs, msg):
    df = make_data(300, seed=11)
    args = {"treatment": "t", "covariates": COV, **kwargs}
    with pytest.raises(PbrError, match=msg):
        match(df, **args)


def test_bad_data():
    df = make_data(300, seed=12)
    bad = df.copy()
    bad.loc[5, "u"] = np.nan
    with pytest.raises(PbrError, match="row 5"):
        match(bad, treatment="t", covariates=COV)
    bad = df.copy()
    bad["t"] = bad["t"].astype(int) * 2
    with pytest.raises(PbrError, match="0/1"):
        match(bad, treatment="t", covariates=COV)
    with pytest.raises(PbrError, match="unique"):
        match(pd.concat([df, df]), treatment="t", covariates=COV)
    with pytest.raises(PbrError, match="not in the data"):
        match(df, treatment="t", covariates=["nope"])
    with pytest.raises(PbrError, match="clash"):
        match(df.assign(weight=1.0), treatment="t", covariates=COV)


def test_warns_when_pool_too_small_without_replacement():
    df = pd.DataFrame({"x": np.arange(10.0), "t": [True, False] * 2 + [True, False] * 3})
    df.loc[[0, 2, 4, 6], "t"] = True
    df.loc[[1, 3, 5, 7, 8, 9], "t"] = False
    with pytest.warns(IgnoredOptionWarning, match="fewer than 2"):
        m = match(df, treatment="t", covariates=["x"], k=2, caliper=None)
    assert len(m.pairs) == 6


def test_perfect_separation_is_model_error():
    from pbr.errors import ModelError

    df = pd.DataFrame({"x": np.arange(10.0), "t": [True] * 4 + [False] * 6})
    with pytest.raises(ModelError, match="separation"):
        match(df, treatment="t", covariates=["x"])


def test_caliper_needs_two_per_group():
    df = pd.DataFrame({"x": [1.5, 1.0, 2.0, 3.0, 0.5], "t": [True, False, False, False, False]})
    with pytest.raises(PbrError, match="caliper=None"):
        match(df, treatment="t", covariates=["x"])
    m = match(df, treatment="t", covariates=["x"], caliper=None)
    assert len(m.pairs) == 1


def test_warns_on_constant_exact_column():
    df = make_data(300, seed=13).assign(c="x")
    with pytest.warns(IgnoredOptionWarning, match="no effect"):
        match(df, treatment="t", covariates=COV, exact=["c"])


def test_no_warning_normal_use():
    df = make_data(800, seed=14)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = match(df, treatment="t", covariates=COV)
    assert m.n_matched_treated > 0


def test_summary_plot_html():
    df = make_data(800, seed=15)
    m = match(df, treatment="t", covariates=COV)
    assert f"matched treated: {m.n_matched_treated}" in str(m.summary())
    ax = m.plot()
    assert len(ax.get_yticklabels()) == len(m.balance)
    assert "<table" in m._repr_html_()


def test_cli_compare(tmp_path: Path):
    from pbr.cli import main

    df = make_data(1500, seed=16)
    f = tmp_path / "d.csv"
    df.to_csv(f, index=False)
    out = tmp_path / "out"
    code = main(
        [
            "compare",
            "--data",
            str(f),
            "--treatment",
            "t",
            "--covariates",
            "u,g,off",
            "--outcome",
            "reoffender,reoffences",
            "--replace",
            "--k",
            "2",
            "--seed",
            "3",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    pairs = pd.read_csv(out / "pairs.csv")
    m = match(df, treatment="t", covariates=COV, replace=True, k=2, random_state=3)
    np.testing.assert_array_equal(pairs["control"], m.pairs["control"])
    assert list(pd.read_csv(out / "outcomes.csv")["measure"]) == ["reoffender", "reoffences"]
    assert (out / "balance.csv").exists()
    # a fresh --out each time: an existing one would be refused for that reason alone
    base = ["compare", "--data", str(f), "--treatment", "t"]
    for name, bad in (("out2", ["--covariates", "u,zz"]), ("out3", ["--caliper", "abc"])):
        options = bad if "--covariates" in bad else ["--covariates", "u", *bad]
        assert main([*base, *options, "--out", str(tmp_path / name)]) == 2
        assert not (tmp_path / name).exists()


def test_warns_when_pool_smaller_than_k_with_replacement():
    # with replacement each treated takes its k nearest; a pool of 3 gives 3, not 5 (silently)
    df = pd.DataFrame({"x": np.arange(8.0), "t": [True, False] * 2 + [True] * 3 + [False]})
    with pytest.warns(IgnoredOptionWarning, match="fewer than 5"):
        m = match(df, treatment="t", covariates=["x"], k=5, replace=True, caliper=None)
    assert (m.matched.loc[m.matched["treated"], "n_matches"] == 3).all()


def test_warns_when_an_exact_stratum_pool_is_too_small_without_replacement():
    # the overall pool (6) is large enough for 1:1, but stratum "b" has 3 treated, 1 control
    df = pd.DataFrame(
        {
            "x": np.arange(10.0),
            "t": [True, False, False, False, False, False, True, True, True, False],
            "s": ["a"] * 6 + ["b"] * 4,
        }
    )
    with pytest.warns(IgnoredOptionWarning, match="stratum"):
        m = match(df, treatment="t", covariates=["x"], exact=["s"], caliper=None)
    assert len(m.unmatched) == 2


@pytest.mark.parametrize(("n_treated", "n_reoff"), [(60, 30), (59, 30), (60, 29)])
def test_jdl_thresholds_are_inclusive(n_treated, n_reoff):
    # JDL: results when >= 60 treated; secondary tables when >= 30 treated reoffenders
    rng = np.random.default_rng(3)
    n = n_treated + 140
    df = pd.DataFrame({"x": rng.normal(size=n), "t": np.arange(n) < n_treated})
    df["reoffender"] = np.r_[np.arange(n_treated) < n_reoff, rng.random(140) < 0.4]
    df["reoffences"] = df["reoffender"].astype(int) * 2
    m = match(df, treatment="t", covariates=["x"], replace=True, caliper=None)
    assert m.n_matched_treated == n_treated
    if n_treated < 60:
        with pytest.raises(PbrError, match="60"):
            m.estimate()
        return
    est = m.estimate().set_index("measure")
    assert bool(est.loc["frequency_reoffenders", "reported"]) == (n_reoff >= 30)


def test_outcome_without_variation_gives_nan_statistics_not_a_crash():
    # nobody reoffends in either group: both variances are 0 (ZeroDivisionError before)
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"x": rng.normal(size=300), "t": np.arange(300) < 80})
    df["reoffender"] = False
    df["reoffences"] = 0
    m = match(df, treatment="t", covariates=["x"], replace=True)
    out = m.outcomes("reoffender").iloc[0]
    assert out["difference"] == 0.0
    assert np.isnan(out["p_value"]) and np.isnan(out["ci_low"])
    assert not out["significant"]
