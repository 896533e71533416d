"""Risk models: the GLM solver, OGRS3 recalibration, the fitted model, the count model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from pbr.errors import ModelError
from pbr.risk.model import RiskModel, calibration_table, fit_count_model, fit_glm, fit_risk_model
from pbr.risk.ogrs3 import score_cohort
from pbr.risk.recalibration import recalibrate_ogrs3

from ._helpers import synthetic_members

LOTS = ["CPA01", "CPA02", "CPA03", "CPA04"]
LOT_EFFECTS = dict(zip(LOTS, [0.0, 0.2, -0.2, 0.1], strict=True))


def make_members(n: int, seed: int, *, slope: float = 0.8, shift: float = -0.3) -> pd.DataFrame:
    """Synthetic members: reoffender ~ Bernoulli(logistic(shift + lot + slope·logit p1))."""
    return synthetic_members(n, seed, lots=LOTS, shift=shift, slope=slope, lot_effects=LOT_EFFECTS)


# ------------------------------------------------------------------ solver vs statsmodels
def _dense(levels: np.ndarray, n_levels: int, x: np.ndarray) -> np.ndarray:
    d = np.zeros((len(levels), n_levels))
    d[np.arange(len(levels)), levels] = 1.0
    return np.column_stack([d, x])


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_fit_glm_matches_statsmodels(family: str) -> None:
    rng = np.random.default_rng(11)
    n, lv = 3000, 3
    lev = rng.integers(0, lv, n)
    x = rng.normal(size=(n, 2))
    eta = np.array([-0.5, 0.0, 0.4])[lev] + x @ np.array([0.7, -0.3])
    if family == "binomial":
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
        fam = sm.families.Binomial()
    else:
        y = rng.poisson(np.exp(eta)).astype(float)
        fam = sm.families.Poisson()
    ref = sm.GLM(y, _dense(lev, lv, x), family=fam).fit()
    fit = fit_glm(y, x, lev, lv, family=family)  # type: ignore[arg-type]
    np.testing.assert_allclose(fit.alpha, ref.params[:lv], atol=1e-5)
    np.testing.assert_allclose(fit.beta, ref.params[lv:], atol=1e-5)
    np.testing.assert_allclose(fit.alpha_se, ref.bse[:lv], rtol=1e-4)
    np.testing.assert_allclose(fit.beta_se, ref.bse[lv:], rtol=1e-4)
    assert fit.deviance == pytest.approx(ref.deviance, rel=1e-7)
    assert fit.aic == pytest.approx(ref.aic, rel=1e-7)


def test_fit_glm_categorical_blocks_equal_dense_one_hot() -> None:
    rng = np.random.default_rng(5)
    n = 2000
    lev = rng.integers(0, 2, n)
    cat = rng.integers(0, 3, n)  # category 0 = reference
    x = rng.normal(size=(n, 1))
    eta = np.array([0.2, -0.4])[lev] + np.array([0.0, 0.5, -0.6])[cat] + 0.3 * x[:, 0]
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    onehot = np.column_stack([(cat == 1), (cat == 2)]).astype(float)
    dense = fit_glm(y, np.column_stack([onehot, x]), lev, 2)
    blocks = fit_glm(y, x, lev, 2, categorical=[(cat - 1, 2)])
    np.testing.assert_allclose(blocks.beta, dense.beta, atol=1e-10)
    np.testing.assert_allclose(blocks.alpha, dense.alpha, atol=1e-10)
    ref = sm.GLM(y, _dense(lev, 2, np.column_stack([onehot, x])), family=sm.families.Binomial())
    np.testing.assert_allclose(blocks.beta, ref.fit().params[2:], atol=1e-5)


def test_separated_level_is_predicted_by_its_rate_and_keeps_e_equal_o() -> None:
    rng = np.random.default_rng(2)
    n = 600
    lev = rng.integers(0, 3, n)
    x = rng.normal(size=(n, 1))
    y = (rng.random(n) < 0.4).astype(float)
    y[lev == 2] = 0.0  # nobody in level 2 reoffends
    fit = fit_glm(y, x, lev, 3)
    assert fit.separated.tolist() == [False, False, True]
    assert np.isnan(fit.alpha[2])
    p = fit.fitted(x, lev)
    assert (p[lev == 2] == 0.0).all()
    for k in range(3):
        assert abs(p[lev == k].sum() - y[lev == k].sum()) < 1e-8


def test_fit_glm_rejects_bad_input() -> None:
    with pytest.raises(ModelError, match="zero rows"):
        fit_glm(np.zeros(0), np.zeros((0, 1)), np.zeros(0, dtype=int), 1)
    with pytest.raises(ModelError, match=r"\[0, 1\]"):
        fit_glm(np.array([2.0]), np.zeros((1, 0)), np.array([0]), 1)
    with pytest.raises(ModelError, match="finite"):
        fit_glm(np.array([1.0, 0.0]), np.array([[np.nan], [1.0]]), np.array([0, 0]), 1)


# ------------------------------------------------------------------ calibration table
def test_calibration_table_by_hand() -> None:
    t = calibration_table([0.4, 0.1, 0.3, 0.2, 0.5], [1, 0, 0, 1, 1], groups=2)
    # sorted p: 0.1 0.2 0.3 | 0.4 0.5 (ranks 0..4, group = rank*2//5 -> 0,0,0,1,1)
    assert t["n"].tolist() == [3, 2]
    assert t["observed"].tolist() == [1.0, 2.0]
    np.testing.assert_allclose(t["expected"], [0.6, 0.9])
    np.testing.assert_allclose(t["difference"], [1 / 3 - 0.2, 1.0 - 0.45])


# ------------------------------------------------------------------ OGRS3 recalibration
def test_recalibration_recovers_slope_and_predicts_by_decile() -> None:
    m = make_members(30000, seed=1, slope=0.8)
    model = recalibrate_ogrs3(m)
    coef = model.coefficients.set_index("term")
    b, se = coef.loc["logit_ogrs3_p1", "estimate"], coef.loc["logit_ogrs3_p1", "std_error"]
    assert abs(b - 0.8) < 4 * se
    assert 0.005 < se < 0.05
    p = model.predict(m)
    # E = O in every lot x quarter-of-year level and overall
    keys = m["lot"] + ":Q" + ((m["index_date"].dt.month - 1) // 3 + 1).astype(str)
    obs = m.groupby(keys)["reoffender"].sum()
    exp = pd.Series(p, index=m.index).groupby(keys).sum()
    np.testing.assert_allclose(exp.to_numpy(), obs.to_numpy(), atol=1e-6)
    # per risk decile the prediction matches the observed rate (3000 per decile: SE < 0.01)
    cal = calibration_table(p, m["reoffender"].to_numpy())
    assert len(cal) == 10
    assert (cal["difference"].abs() < 0.035).all()
    # and it is close to the generator's true probabilities
    assert np.abs(p - m.attrs["true_p"]).mean() < 0.02


def test_recalibration_uses_same_quarter_level_for_later_years() -> None:
    m = make_members(4000, seed=3)
    model = recalibrate_ogrs3(m)
    later = m.iloc[:5].copy()
    later["index_date"] = later["index_date"] + pd.DateOffset(years=5)
    same = m.iloc[:5]
    # five years later, same month -> same quarter of year -> same level; OGRS3 age moves,
    # so compare against a prediction with the age kept (shift date_of_birth too)
    later["date_of_birth"] = later["date_of_birth"] + pd.DateOffset(years=5)
    later["first_sanction_date"] = later["first_sanction_date"] + pd.DateOffset(years=5)
    np.testing.assert_allclose(model.predict(later), model.predict(same), rtol=1e-12)


def test_unknown_level_is_an_error_naming_it() -> None:
    m = make_members(800, seed=4)
    model = recalibrate_ogrs3(m)
    other = m.iloc[:2].assign(lot="CPA21")
    with pytest.raises(ModelError, match="CPA21:Q"):
        model.predict(other)


def test_unscorable_row_is_an_error() -> None:
    m = make_members(200, seed=4)
    m.loc[5, "offence_group"] = pd.NA
    with pytest.raises(ModelError):
        recalibrate_ogrs3(m)


# ------------------------------------------------------------------ fitted model
def test_fitted_model_predicts_by_decile_and_reports_statistics() -> None:
    m = make_members(30000, seed=6)
    model = fit_risk_model(m)
    st = model.statistics
    assert st["n"] == 30000
    # 16 levels + age_sex cells-1 + 4 offence + 2 event + copas + log_sanctions
    assert st["n_params"] == len(model.levels) + len(model.terms)
    assert st["aic"] == pytest.approx(st["deviance"] + 2 * st["n_params"])
    cal = model.calibration
    assert (cal["difference"].abs() < 0.035).all()
    p = model.predict(m)
    assert abs(p.sum() - m["reoffender"].sum()) < 1e-6
    assert (
        "copas" in model.terms and "offence_group[robbery]" in model.coefficients["term"].tolist()
    )
    text = str(model.summary())
    assert "deviance" in text and "copas" in text


def test_fitted_model_matches_statsmodels_on_same_design() -> None:
    m = make_members(3000, seed=8)
    model = fit_risk_model(m)
    # rebuild the dense design by hand from the term names
    cols = []
    age = score_cohort(m).table
    for term in model.terms:
        if term == "copas":
            cols.append(age["copas"].to_numpy())
        elif term == "log_sanctions":
            cols.append(np.log(m["sanctions"].to_numpy(dtype=float)))
        else:
            cov, val = term[:-1].split("[")
            if cov == "age_sex":
                continue
            cols.append((m[cov].astype(str) == val).to_numpy(dtype=float))
    # age_sex columns from the model's own categories
    bands = [18, 21, 25, 30, 35, 40, 50]
    labels = ["18-20", "21-24", "25-29", "30-34", "35-39", "40-49", "50+"]
    lab = np.asarray(labels)[np.searchsorted(bands, age["age"].to_numpy(), side="right") - 1]
    cell = m["sex"].astype(str).to_numpy() + ":" + lab
    age_cols = [(cell == c).astype(float) for c in model.categories["age_sex"][1:]]
    keys = m["lot"] + ":Q" + ((m["index_date"].dt.month - 1) // 3 + 1).astype(str)
    lev = np.column_stack([(keys == k).to_numpy(dtype=float) for k in model.levels])
    x = np.column_stack([lev, *age_cols, *cols])
    ref = sm.GLM(m["reoffender"].to_numpy(dtype=float), x, family=sm.families.Binomial()).fit()
    np.testing.assert_allclose(model.predict(m), ref.fittedvalues, atol=1e-4)
    assert model.statistics["deviance"] == pytest.approx(ref.deviance, rel=1e-6)


def test_fitted_model_rejects_unseen_category() -> None:
    m = make_members(1000, seed=9)
    model = fit_risk_model(m)
    other = m.iloc[:3].assign(offence_group="fraud_forgery")
    with pytest.raises(ModelError, match="fraud_forgery"):
        model.predict(other)


def test_model_dict_round_trip_is_exact() -> None:
    m = make_members(1500, seed=10)
    for model in (fit_risk_model(m), recalibrate_ogrs3(m), fit_count_model(m)):
        again = RiskModel.from_dict(model.to_dict())
        assert again.to_dict() == model.to_dict()
        rows = m[m["reoffender"]] if model.kind == "count_poisson" else m
        np.testing.assert_array_equal(again.predict(rows), model.predict(rows))


def test_count_model_gives_expected_frequency_per_level() -> None:
    m = make_members(8000, seed=12)
    cm = fit_count_model(m)
    r = m[m["reoffender"]]
    f = cm.predict(r)
    assert (f >= 1).all()
    keys = r["lot"].to_numpy()
    for lot in LOTS:
        sel = keys == lot
        assert abs(f[sel].sum() - r["reoffences"].to_numpy()[sel].sum()) < 1e-6
    # generator: 1 + Poisson(1.5) independent of covariates
    assert abs(f.mean() - 2.5) < 0.1


@pytest.mark.parametrize("bad", [-1, 2])
def test_fit_glm_level_codes_out_of_range_are_an_error(bad: int) -> None:
    # a code outside 0..n_levels-1 gave a numpy IndexError/ValueError, not a pbr error
    y = np.array([0, 1, 1, 0.0])
    with pytest.raises(ModelError, match="level"):
        fit_glm(y, np.zeros((4, 0)), np.array([0, 1, bad, 0]), 2)


def test_count_model_reports_pearson_dispersion() -> None:
    # Poisson SEs understate uncertainty under overdispersion; the model reports the Pearson
    # dispersion X²/(n − p) so that a reader can tell (≈ 1 for Poisson data, > 1 for NB)
    m = make_members(8000, seed=12)  # extra reoffences ~ Poisson(1.5): dispersion ≈ 1
    cm = fit_count_model(m)
    assert cm.statistics["dispersion"] == pytest.approx(1.0, abs=0.1)
    assert "dispersion" in cm.summary().title
    rng = np.random.default_rng(1)
    nb = m.copy()
    extra = rng.negative_binomial(0.5, 0.5 / (0.5 + 1.5), len(nb))  # mean 1.5, var 6
    nb["reoffences"] = np.where(nb["reoffender"], 1 + extra, 0)
    # oracle: var/mean of the extra counts = 1 + mean/shape = 4
    assert fit_count_model(nb).statistics["dispersion"] == pytest.approx(4.0, rel=0.2)
    assert "dispersion" not in fit_risk_model(m).statistics
