"""Outcome standard errors (cluster-robust, HC3, Welch), person_table, CLI and Love plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import pbr
from pbr.errors import PbrError
from pbr.matching import love_plot, match, person_table


def make_data(n=2500, effect=-0.1, seed=0):
    rng = np.random.default_rng(seed)
    u = rng.random(n)
    g = rng.integers(0, 2, n)
    t = rng.random(n) < 1 / (1 + np.exp(-(-2.0 + 1.5 * u + 0.8 * g)))
    y = rng.random(n) < 0.3 + 0.15 * g + 0.1 * u + effect * t
    return pd.DataFrame(
        {
            "u": u,
            "g": g,
            "t": t,
            "reoffender": y,
            "reoffences": np.where(y, 1 + rng.poisson(1.5, n), 0),
        }
    )


def wls(m, col):
    md = m.matched
    x = sm.add_constant(md["treated"].astype(float).to_numpy())
    return sm.WLS(md[col].astype(float).to_numpy(), x, weights=md["weight"].to_numpy())


@pytest.mark.parametrize("ratio", [1, 2])
def test_cluster_robust_se_equals_statsmodels(ratio):
    df = make_data(seed=1)
    m = match(df, treatment="t", covariates=["u", "g"], ratio=ratio)
    got = m.outcomes("reoffender", "reoffences").set_index("measure")
    for col in ("reoffender", "reoffences"):
        groups = m.matched["subclass"].astype(int).to_numpy()
        ref = wls(m, col).fit(cov_type="cluster", cov_kwds={"groups": groups})
        assert got.loc[col, "se_method"] == "cluster"
        assert got.loc[col, "difference"] == pytest.approx(ref.params[1], rel=1e-10)
        assert got.loc[col, "se"] == pytest.approx(ref.bse[1], rel=1e-8)
        assert got.loc[col, "p_value"] == pytest.approx(ref.pvalues[1], rel=1e-6)


def test_robust_hc3_se_with_replacement_equals_statsmodels():
    df = make_data(seed=2)
    m = match(df, treatment="t", covariates=["u", "g"], replace=True, ratio=2)
    got = m.outcomes("reoffences").iloc[0]
    ref = wls(m, "reoffences").fit(cov_type="HC3")
    assert got["se_method"] == "robust"
    assert got["se"] == pytest.approx(ref.bse[1], rel=1e-8)
    lo, hi = ref.conf_int()[1]
    assert got["ci_low"] == pytest.approx(lo, rel=1e-8)
    assert got["ci_high"] == pytest.approx(hi, rel=1e-8)
    with pytest.raises(PbrError, match="matched sets"):
        m.outcomes("reoffences", se="cluster")


def test_estimate_binary_frequency_and_days_use_the_chosen_se():
    df = make_data(seed=3)
    df["days"] = np.where(
        df["reoffender"], np.random.default_rng(0).integers(1, 366, len(df)), np.nan
    )
    m = match(df, treatment="t", covariates=["u", "g"])
    est = m.estimate(days="days").set_index("measure")
    assert set(est["se_method"]) == {"cluster"}
    welch = m.estimate(days="days", se="welch").set_index("measure")
    assert set(welch["se_method"]) == {"welch"}
    # same differences, different standard errors
    np.testing.assert_allclose(est["difference"], welch["difference"])
    md = m.matched
    tr = md[md["treated"] & md["reoffender"]]
    assert est.loc["days_to_first_reoffence", "treated_mean"] == pytest.approx(tr["days"].mean())


@pytest.mark.slow
def test_cluster_se_interval_coverage():
    covered = 0
    for seed in range(30):
        df = make_data(3000, effect=-0.1, seed=100 + seed)
        m = match(df, treatment="t", covariates=["u", "g"], random_state=seed)
        row = m.estimate(frequency=None).set_index("measure").loc["binary_rate"]
        covered += row["ci_low"] <= -0.1 <= row["ci_high"]
    assert covered >= 26  # >= ~87 % of 30 at a nominal 95 %


# ---------------------------------------------------------------------------
# person_table
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return pbr.datasets.load_sample()


def test_person_table_one_row_per_person_with_outcomes(sample):
    p = person_table(
        sample.cohort,
        sample.offences,
        periods=["2016Q1", "2016Q2"],
        extract_date=sample.extract_date,
    )
    assert p["offender_id"].is_unique
    assert set(p["period"]) <= {"2016Q1", "2016Q2"}
    # outcomes agree with the library's own counting for the same index events
    members = pbr.build_cohort(sample.cohort).members
    first = (
        members[members["period"].isin(["2016Q1", "2016Q2"])]
        .sort_values(["index_date", "row"], kind="stable")
        .drop_duplicates("offender_id")
    )
    ref = pbr.counting.count_reoffending(first.reset_index(drop=True), sample.offences)
    np.testing.assert_array_equal(p["reoffences"], ref["reoffences"])
    days = (ref["first_reoffence_date"] - first["index_date"].reset_index(drop=True)).dt.days
    np.testing.assert_array_equal(p["days_to_first_reoffence"], days.astype(float))
    assert (p["days_to_first_reoffence"].isna() == (p["reoffender"] == 0)).all()


def test_person_table_first_event_and_measurability():
    cohort = pbr.datasets.load_sample().cohort.iloc[:0].copy()
    row = pbr.datasets.load_sample().cohort.dropna(subset=["offence_group"]).iloc[[0]]
    row = row.assign(
        exclusion_reason=pd.NA,
        em_only=False,
        supervisor="CRC",
        event_type="release",
        date_of_birth=pd.Timestamp("1980-01-01"),
    )
    a = row.assign(offender_id="A", index_date=pd.Timestamp("2016-05-10"))
    a2 = row.assign(offender_id="A", index_date=pd.Timestamp("2016-01-10"))
    b = row.assign(offender_id="B", index_date=pd.Timestamp("2017-09-01"))
    cohort = pd.concat([cohort, a, a2, b], ignore_index=True)
    offences = pd.DataFrame(
        {
            "offender_id": ["A"],
            "offence_date": pd.to_datetime(["2016-03-01"]),
            "disposal_date": pd.to_datetime(["2016-04-01"]),
            "disposal_type": ["conviction"],
        }
    )
    p = person_table(cohort, offences)
    assert p["offender_id"].tolist() == ["A", "B"]
    assert p.loc[0, "index_date"] == pd.Timestamp("2016-01-10")  # A's first event
    assert p.loc[0, "reoffender"] == 1 and p.loc[0, "days_to_first_reoffence"] == 51.0
    # B's window (2017-09-01 + 18 months) ends after a 2018-06-30 extract: left out
    q = person_table(cohort, offences, extract_date="2018-06-30")
    assert q["offender_id"].tolist() == ["A"] and q.attrs["unmeasurable"] == 1
    with pytest.raises(PbrError, match="not in the person table"):
        person_table(cohort, offences, treated=["Z"])


def test_typo_in_treatment_with_a_treated_column_says_not_found():
    df = make_data(300, seed=4).rename(columns={"t": "treated"})
    with pytest.raises(PbrError, match="'treatd' is not in the data"):
        match(df, treatment="treatd", covariates=["u", "g"])


# ---------------------------------------------------------------------------
# CLI and Love plot
# ---------------------------------------------------------------------------


def test_cli_writes_outcomes_and_summary(tmp_path: Path):
    from pbr.cli import main

    df = make_data(1500, seed=5)
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
            "u,g",
            "--distance",
            "ps",
            "--m-order",
            "largest",
            "--ratio",
            "2",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    outcomes = pd.read_csv(out / "outcomes.csv")
    assert outcomes["measure"].tolist() == ["binary_rate", "frequency", "frequency_reoffenders"]
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    assert "Outcomes" in summary and "binary_rate" in summary and "cluster" in summary
    m = match(df, treatment="t", covariates=["u", "g"], distance="ps", m_order="largest", ratio=2)
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "pairs.csv")[["treated", "control"]],
        m.pairs[["treated", "control"]].reset_index(drop=True),
    )


def test_love_plot_house_style():
    m = match(make_data(800, seed=6), treatment="t", covariates=["u", "g"])
    ax = m.plot()
    assert [t.get_text() for t in ax.get_yticklabels()] == m.balance["covariate"].tolist()
    assert ax.get_title(loc="left") == "Covariate balance"
    assert not ax.spines["top"].get_visible()
    points = {ln.get_label(): ln for ln in ax.get_lines() if ln.get_linestyle() == "None"}
    assert points["before matching"].get_marker() == "o"  # hollow circles before
    assert points["before matching"].get_markerfacecolor() == "white"
    assert points["after matching"].get_marker() == "s"  # filled squares after
    assert points["after matching"].get_markersize() == 5.5
    ax2 = love_plot(m.balance, absolute=False, thresholds=[10])
    assert ax2.get_xlabel() == "standardised mean difference (%)"
    with pytest.raises(PbrError, match="no column"):
        love_plot(m.balance.drop(columns="smd_before_pct"))
