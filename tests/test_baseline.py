"""Baselines: rates, adjustment against a baseline, properties, persistence."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.axes
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pbr.baseline import (
    ASSESSMENT_COLUMNS,
    FORMAT_VERSION,
    Assessment,
    Baseline,
    assess_members,
    load_baseline,
)
from pbr.errors import BaselineFormatError, IgnoredOptionWarning, PbrError
from pbr.risk.ogrs3 import score_cohort

from ._helpers import synthetic_members

LOTS = ["CPA01", "CPA02", "CPA03", "CPA04", "CPA05", "CPA06"]
#: hidden provider effects (log odds) in the performance year, by lot
EFFECTS = dict(zip(LOTS, [-0.6, -0.3, 0.0, 0.0, 0.3, 0.6], strict=True))


def make_members(
    n: int, seed: int, *, year: int = 2011, effects: dict[str, float] | None = None
) -> pd.DataFrame:
    return synthetic_members(
        n,
        seed,
        lots=LOTS,
        year=year,
        id_prefix=f"{year}-",
        shift=-0.2,
        slope=0.9,
        lot_effects=effects,
    )


@pytest.fixture(scope="module")
def base_members() -> pd.DataFrame:
    return make_members(12000, seed=21)


@pytest.fixture(scope="module")
def baselines(base_members: pd.DataFrame) -> dict[str, Baseline]:
    return {
        str(r): Baseline.from_members(base_members, risk=r)  # type: ignore[arg-type]
        for r in (None, "ogrs3", "model")
    }


# ------------------------------------------------------------------ rates by hand
def test_rates_by_hand() -> None:
    m = pd.DataFrame(
        {
            "lot": ["CPA01", "CPA01", "CPA01", "CPA01", "CPA02"],
            "index_date": pd.to_datetime(
                ["2011-01-10", "2011-02-10", "2011-03-10", "2011-07-01", "2011-12-31"]
            ),
            "reoffender": [True, True, False, True, False],
            "reoffences": [1, 3, 0, 5, 0],
        }
    )
    r = Baseline.from_members(m, risk=None).rates.set_index(["lot", "period"])
    q1 = r.loc[("CPA01", "2011Q1")]
    assert (q1["cohort_size"], q1["reoffenders"], q1["reoffences"]) == (3, 2, 4)
    assert q1["baseline_binary"] == pytest.approx(2 / 3)
    assert q1["baseline_frequency"] == pytest.approx(2.0)
    assert q1["baseline_frequency_sd"] == pytest.approx(np.sqrt(2.0))  # sd of (1, 3)
    yr = r.loc[("CPA01", "2011")]
    assert (yr["cohort_size"], yr["reoffenders"], yr["reoffences"]) == (4, 3, 9)
    assert yr["baseline_frequency_sd"] == pytest.approx(2.0)  # sd of (1, 3, 5)
    q3 = r.loc[("CPA01", "2011Q3")]
    assert np.isnan(q3["baseline_frequency_sd"])  # one reoffender
    assert r.loc[("CPA02", "2011Q4"), "baseline_binary"] == 0.0
    assert np.isnan(r.loc[("CPA02", "2011Q4"), "baseline_frequency"])
    assert ("CPA02", "2011Q1") not in r.index


def test_rows_outside_the_year_are_not_in_the_baseline() -> None:
    m = pd.DataFrame(
        {
            "lot": ["CPA01", "CPA01"],
            "index_date": pd.to_datetime(["2011-05-01", "2010-12-31"]),
            "reoffender": [True, False],
            "reoffences": [1, 0],
        }
    )
    b = Baseline.from_members(m, risk=None)
    assert b.rate("CPA01") == 1.0
    with pytest.raises(PbrError, match="baseline year 2009"):
        Baseline.from_members(m, risk=None, year=2009)


def test_bad_members_are_clear_errors() -> None:
    m = pd.DataFrame({"lot": ["CPA01"], "index_date": pd.to_datetime(["2011-05-01"])})
    with pytest.raises(PbrError, match="reoffender"):
        Baseline.from_members(m, risk=None)
    m = m.assign(reoffender=[True], reoffences=[0])
    with pytest.raises(PbrError, match="rows 1"):
        Baseline.from_members(m, risk=None)
    with pytest.raises(PbrError, match="risk must be"):
        Baseline.from_members(m.assign(reoffences=[1]), risk="ogrs4")


def test_lots_restriction(base_members: pd.DataFrame) -> None:
    b = Baseline.from_members(base_members, risk=None, lots=["CPA02", "CPA05"])
    assert sorted(set(b.rates["lot"])) == ["CPA02", "CPA05"]
    with pytest.raises(PbrError, match="CPA21"):
        Baseline.from_members(base_members, risk=None, lots=["CPA21"])


# ------------------------------------------------------------------ unadjusted comparison
def test_unadjusted_uses_matching_quarter_or_year_rate() -> None:
    base = pd.DataFrame(
        {
            "lot": ["CPA01"] * 6,
            "index_date": pd.to_datetime(["2011-02-01"] * 2 + ["2011-08-01"] * 4),
            "reoffender": [True, False, True, True, True, False],
            "reoffences": [2, 0, 1, 1, 4, 0],
        }
    )
    b = Baseline.from_members(base, risk=None)
    perf = pd.DataFrame(
        {
            "lot": ["CPA01"] * 4,
            "index_date": pd.to_datetime(["2016-08-03"] * 4),
            "reoffender": [True, False, False, False],
            "reoffences": [2, 0, 0, 0],
        }
    )
    t = assess_members(perf, b).table.iloc[0]
    # 2016Q3 against 2011Q3: 3 of 4
    assert t["period"] == "2016Q3"
    assert t["baseline_binary"] == 0.75
    assert t["expected_reoffenders"] == 3.0
    assert t["expected_variance"] == pytest.approx(4 * 0.75 * 0.25)
    assert t["change_pp"] == pytest.approx(-50.0)
    assert t["adjusted_rate"] == pytest.approx(0.25)
    assert t["z"] == pytest.approx(-2 / np.sqrt(0.75))
    assert t["baseline_reoffenders"] == 3
    assert t["baseline_frequency"] == pytest.approx(2.0)
    annual = assess_members(perf, b, period="calendar_year").table.iloc[0]
    assert annual["period"] == "2016"
    assert annual["baseline_binary"] == pytest.approx(4 / 6)  # the lot's 2011 rate
    assert annual["expected_reoffenders"] == pytest.approx(4 * 4 / 6)


def test_risk_false_ignores_the_model(baselines: dict[str, Baseline]) -> None:
    perf = make_members(500, seed=5, year=2016)
    a = assess_members(perf, baselines["ogrs3"], risk=False)
    u = assess_members(perf, baselines["None"])
    assert a.risk == "none"
    pd.testing.assert_frame_equal(a.table, u.table)


# ------------------------------------------------------------------ properties
@pytest.mark.parametrize("risk", ["None", "ogrs3", "model"])
@pytest.mark.parametrize("period", ["quarter", "calendar_year", "financial_year"])
def test_self_adjustment_gives_e_equal_o(
    base_members: pd.DataFrame, baselines: dict[str, Baseline], risk: str, period: str
) -> None:
    t = assess_members(base_members, baselines[risk], period=period).table
    if period == "financial_year":  # 2010/11 and 2011/12 pieces: E = O per quarter-level sum
        t = t.groupby("lot")[["reoffenders", "expected_reoffenders"]].sum().reset_index()
        np.testing.assert_allclose(t["expected_reoffenders"], t["reoffenders"], atol=1e-6)
        return
    np.testing.assert_allclose(t["expected_reoffenders"], t["reoffenders"], atol=1e-6)
    assert (t["outcome"] == "no_significant_change").all()
    assert (t["z"].abs() < 1e-6).all()
    if period == "quarter":
        assert (t["frequency_change"].abs() < 1e-12).all()


def test_permuting_rows_changes_nothing(baselines: dict[str, Baseline]) -> None:
    perf = make_members(3000, seed=31, year=2016, effects=EFFECTS)
    ref = assess_members(perf, baselines["model"]).table
    rng = np.random.default_rng(0)
    shuffled = perf.iloc[rng.permutation(len(perf))].reset_index(drop=True)
    pd.testing.assert_frame_equal(assess_members(shuffled, baselines["model"]).table, ref)
    # and the baseline itself does not depend on row order
    base = make_members(3000, seed=32)
    b1 = Baseline.from_members(base, risk="ogrs3")
    b2 = Baseline.from_members(base.iloc[::-1].reset_index(drop=True), risk="ogrs3")
    pd.testing.assert_frame_equal(b1.rates, b2.rates)
    np.testing.assert_allclose(b1.model.alpha, b2.model.alpha, rtol=1e-9)  # type: ignore[union-attr]


@settings(max_examples=8)
@given(seed=st.integers(0, 10_000), risk=st.sampled_from([None, "ogrs3", "model"]))
def test_self_adjustment_property(seed: int, risk: str | None) -> None:
    # any baseline cohort, adjusted against the baseline built from itself: E = O in every
    # lot × quarter and no significant change (SPEC §5.1 property; issue 4)
    base = make_members(1200, seed=seed)
    t = assess_members(base, Baseline.from_members(base, risk=risk), period="quarter").table  # type: ignore[arg-type]
    np.testing.assert_allclose(t["expected_reoffenders"], t["reoffenders"], atol=1e-6)
    assert (t["outcome"] == "no_significant_change").all()


@settings(max_examples=8)
@given(seed=st.integers(0, 10_000))
def test_permuting_rows_changes_nothing_property(seed: int) -> None:
    base = make_members(1200, seed=seed)
    perf = make_members(500, seed=seed + 1, year=2016, effects=EFFECTS)
    b = Baseline.from_members(base, risk="ogrs3")
    order = np.random.default_rng(seed).permutation(len(perf))
    shuffled = perf.iloc[order].reset_index(drop=True)
    pd.testing.assert_frame_equal(assess_members(shuffled, b).table, assess_members(perf, b).table)


@settings(max_examples=15)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 4), risk=st.sampled_from([None, "ogrs3"]))
def test_duplicating_a_cohort_keeps_rates_and_shrinks_p(
    seed: int, k: int, risk: str | None
) -> None:
    base = make_members(1500, seed=seed)
    b = Baseline.from_members(base, risk=risk)  # type: ignore[arg-type]
    perf = make_members(600, seed=seed + 1, year=2016, effects=EFFECTS)
    one = assess_members(perf, b, period="calendar_year").table
    many = assess_members(pd.concat([perf] * k, ignore_index=True), b, period="calendar_year").table
    np.testing.assert_allclose(many["cohort_size"], k * one["cohort_size"])
    np.testing.assert_allclose(many["adjusted_rate"], one["adjusted_rate"], rtol=1e-12)
    np.testing.assert_allclose(many["change_pp"], one["change_pp"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(many["z"], np.sqrt(k) * one["z"], rtol=1e-9)
    moved = one["z"].abs() > 0
    assert (many.loc[moved, "p_value"] < one.loc[moved, "p_value"]).all()


def test_adjustment_recovers_true_effects_in_direction(baselines: dict[str, Baseline]) -> None:
    perf = make_members(12000, seed=41, year=2016, effects=EFFECTS)
    for risk in ("ogrs3", "model"):
        t = assess_members(perf, baselines[risk], period="calendar_year").table.set_index("lot")
        for lot, eff in EFFECTS.items():
            if eff <= -0.3:
                assert t.loc[lot, "outcome"] == "significant_reduction", (risk, lot)
            elif eff >= 0.3:
                assert t.loc[lot, "outcome"] == "significant_increase", (risk, lot)
            else:
                assert abs(t.loc[lot, "change_pp"]) < 5


def test_mix_adjustment_removes_a_pure_mix_change(base_members: pd.DataFrame) -> None:
    # performance cohort = the riskiest half of the baseline people, same behaviour:
    # unadjusted shows an increase, OGRS3-adjusted shows no change
    p1 = score_cohort(base_members).table["p_1yr"].to_numpy()
    risky = base_members[p1 > np.median(p1)].copy()
    risky["index_date"] = risky["index_date"] + pd.DateOffset(years=5)
    risky["date_of_birth"] = risky["date_of_birth"] + pd.DateOffset(years=5)
    risky["first_sanction_date"] = risky["first_sanction_date"] + pd.DateOffset(years=5)
    b = Baseline.from_members(base_members, risk="ogrs3")
    adj = assess_members(risky, b, period="calendar_year").table
    raw = assess_members(risky, b, period="calendar_year", risk=False).table
    assert (raw["outcome"] == "significant_increase").all()
    assert (adj["z"].abs() < 3.5).all()


# ------------------------------------------------------------------ result object
def test_assessment_table_columns_and_object(baselines: dict[str, Baseline]) -> None:
    perf = make_members(2000, seed=51, year=2016, effects=EFFECTS)
    a = assess_members(perf, baselines["ogrs3"], alpha=0.01, form="ratio")
    assert isinstance(a, Assessment)
    assert tuple(a.table.columns) == ASSESSMENT_COLUMNS
    assert a.table[["lot", "period"]].equals(
        a.table[["lot", "period"]].sort_values(["lot", "period"]).reset_index(drop=True)
    )
    assert set(a.table["status"]) == {"unknown"}
    r = a.table.iloc[0]
    assert r["adjusted_rate"] == pytest.approx(
        r["baseline_binary"] * r["reoffenders"] / r["expected_reoffenders"]
    )
    s = a.summary().frame
    assert s["lots"].sum() == len(a.table)
    assert "<table" in a._repr_html_()
    ax = a.plot()
    assert isinstance(ax, matplotlib.axes.Axes)
    assert len(ax.lines) >= 3  # the two limits of the payment test (1 − α) + the zero line


def test_status_from_window_end_and_extract_date(baselines: dict[str, Baseline]) -> None:
    perf = make_members(400, seed=52, year=2016)
    end = perf["index_date"] + pd.DateOffset(months=18)
    perf = perf.assign(window_end=end)
    t = assess_members(perf, baselines["None"], extract_date="2017-12-31").table
    status = t.set_index("period")["status"].groupby(level=0).first()
    # 2016Q1 windows end by 2017-09-30 -> final; 2016Q4 windows end in 2018 -> interim
    assert status["2016Q1"] == "final"
    assert status["2016Q4"] == "interim"


def test_lot_missing_from_baseline_is_clear(baselines: dict[str, Baseline]) -> None:
    perf = make_members(50, seed=53, year=2016).assign(lot="CPA20")
    with pytest.raises(PbrError, match="CPA20"):
        assess_members(perf, baselines["None"])
    with pytest.raises(PbrError, match="CPA20"):
        assess_members(perf, baselines["ogrs3"])


# ------------------------------------------------------------------ persistence
@pytest.mark.parametrize("risk", ["None", "ogrs3", "model"])
def test_save_twice_is_byte_identical_and_load_round_trips(
    tmp_path: Path, base_members: pd.DataFrame, baselines: dict[str, Baseline], risk: str
) -> None:
    b = baselines[risk]
    if risk == "model":
        b = Baseline.from_members(base_members, risk="model", count_model=True)
    d1, d2 = b.save(tmp_path / "a"), b.save(tmp_path / "b")
    names = sorted(p.name for p in d1.iterdir())
    assert names == sorted(p.name for p in d2.iterdir())
    for name in names:
        assert (d1 / name).read_bytes() == (d2 / name).read_bytes(), name
    meta = json.loads((d1 / "baseline.json").read_text())
    assert meta["format_version"] == FORMAT_VERSION
    assert meta["year"] == 2011 and meta["rules"] == "moj_proven"
    text = (d1 / "baseline.json").read_text()
    assert text.startswith("{\n  ")  # indented, human readable
    loaded = load_baseline(d1)
    pd.testing.assert_frame_equal(loaded.rates, b.rates)
    perf = make_members(1500, seed=61, year=2016, effects=EFFECTS)
    pd.testing.assert_frame_equal(assess_members(perf, loaded).table, assess_members(perf, b).table)
    # saving the loaded baseline gives the same bytes again
    d3 = loaded.save(tmp_path / "c")
    for name in names:
        assert (d3 / name).read_bytes() == (d1 / name).read_bytes(), name


def test_other_format_version_fails_clearly(tmp_path: Path, baselines: dict[str, Baseline]) -> None:
    d = baselines["ogrs3"].save(tmp_path / "b")
    meta = json.loads((d / "baseline.json").read_text())
    meta["format_version"] = 2
    (d / "baseline.json").write_text(json.dumps(meta))
    with pytest.raises(BaselineFormatError, match="format_version 2"):
        load_baseline(d)


def test_missing_or_corrupt_baseline_fails_clearly(
    tmp_path: Path, baselines: dict[str, Baseline]
) -> None:
    with pytest.raises(BaselineFormatError, match="not found"):
        load_baseline(tmp_path / "nothing")
    d = baselines["None"].save(tmp_path / "b")
    (d / "rates.parquet").write_bytes(b"not parquet")
    with pytest.raises(BaselineFormatError, match=r"rates\.parquet"):
        load_baseline(d)
    (d / "baseline.json").write_text("{broken")
    with pytest.raises(BaselineFormatError, match="not valid JSON"):
        load_baseline(d)


def test_summary_and_plot(baselines: dict[str, Baseline]) -> None:
    b = baselines["model"]
    text = str(b.summary())
    assert "Baseline 2011" in text and "copas" in text
    assert isinstance(b.plot(), matplotlib.axes.Axes)


def test_count_model_self_adjustment_gives_expected_frequency(base_members: pd.DataFrame) -> None:
    b = Baseline.from_members(base_members, risk="model", count_model=True)
    t = assess_members(base_members, b).table
    assert list(t.columns[-2:]) == ["expected_frequency", "adjusted_frequency"]
    np.testing.assert_allclose(t["expected_frequency"], t["frequency"], atol=1e-6)
    np.testing.assert_allclose(t["adjusted_frequency"], t["baseline_frequency"], atol=1e-6)
    # without the model (risk=False) the count model is not used either
    assert "expected_frequency" not in assess_members(base_members, b, risk=False).table


def test_count_model_is_used_without_a_binary_risk_model(base_members: pd.DataFrame) -> None:
    # risk=None + count_model=True: the binary comparison is unadjusted, but the count model
    # the caller asked for must adjust the frequency measure (it was fitted and then ignored)
    b = Baseline.from_members(base_members, risk=None, count_model=True)
    t = assess_members(base_members, b).table
    assert list(t.columns[-2:]) == ["expected_frequency", "adjusted_frequency"]
    np.testing.assert_allclose(t["expected_frequency"], t["frequency"], atol=1e-6)
    assert assess_members(base_members, b).risk == "none"


def test_missing_period_label_is_an_error(base_members: pd.DataFrame) -> None:
    # a member without a period label used to form its own cohort "<NA>" silently
    perf = make_members(300, seed=5, year=2016).assign(period="2016/17")
    perf["period"] = perf["period"].astype("string")
    perf.loc[3, "period"] = pd.NA
    b = Baseline.from_members(base_members, risk=None)
    with pytest.raises(PbrError, match=r"period is missing in row\(s\) 4"):
        assess_members(perf, b, period="financial_year")


def test_extract_date_without_window_end_warns(baselines: dict[str, Baseline]) -> None:
    # without a window_end column (or a status table) the extract date cannot decide the
    # status: it was ignored silently and every row said "unknown"
    perf = make_members(200, seed=54, year=2016)
    with pytest.warns(IgnoredOptionWarning, match="window_end"):
        t = assess_members(perf, baselines["None"], extract_date="2017-12-31").table
    assert set(t["status"]) == {"unknown"}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("family", "gaussian", "family"),
        ("kind", "mystery", "kind"),
        ("alpha", "drop_last", "alpha"),
        ("beta", "drop_last", "beta"),
    ],
)
def test_inconsistent_model_description_fails_on_load(
    tmp_path: Path, baselines: dict[str, Baseline], key: str, value: str, message: str
) -> None:
    # a hand-edited or corrupt model description loaded fine and then predicted wrongly
    # (another link function) or failed with a numpy broadcasting error
    d = baselines["model"].save(tmp_path / "b")
    meta = json.loads((d / "baseline.json").read_text())
    meta["model"][key] = meta["model"][key][:-1] if value == "drop_last" else value
    (d / "baseline.json").write_text(json.dumps(meta))
    with pytest.raises(BaselineFormatError, match=message):
        load_baseline(d)
