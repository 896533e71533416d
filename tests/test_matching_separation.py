"""Separation-aware propensity fit: detection on constructed data, and each remedy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from pbr.errors import IgnoredOptionWarning, ModelError
from pbr.matching import match
from pbr.matching.propensity import RIDGE_LAMBDA, fit_propensity


def constructed(seed=0):
    """400 people; offence group 'fraud' (12 people) is only ever in the comparison pool,
    'arson' (5 people) only ever treated."""
    rng = np.random.default_rng(seed)
    n = 400
    group = rng.choice(["theft", "violence", "drugs"], n).astype(object)
    group[:12] = "fraud"
    group[12:17] = "arson"
    u = rng.normal(size=n)
    t = rng.random(n) < 1 / (1 + np.exp(-(-1 + u)))
    t[:12] = False
    t[12:17] = True
    return pd.DataFrame({"u": u, "group": group, "t": t})


def test_separating_levels_are_named_with_counts():
    df = constructed()
    with pytest.raises(ModelError) as err:
        match(df, treatment="t", covariates=["u", "group"])
    msg = str(err.value)
    assert "group=fraud (12 comparison people, no treated)" in msg
    assert "group=arson (5 treated, no comparison people)" in msg
    assert "separation='drop'" in msg and "separation='penalise'" in msg
    assert "mle_retvals" not in msg


def test_reference_level_separation_is_found():
    # the reference (first sorted) level is not a model column, but it separates too
    df = constructed()
    df["group"] = df["group"].replace({"arson": "aardvark"})
    with pytest.raises(ModelError, match="group=aardvark"):
        match(df, treatment="t", covariates=["u", "group"])


def test_binary_covariate_separation_names_the_value():
    df = constructed()
    df["flag"] = 0
    df.loc[df["t"], "flag"] = np.random.default_rng(1).integers(0, 2, int(df["t"].sum()))
    # flag = 1 only among the treated
    with pytest.raises(ModelError, match=r"flag=1 \(\d+ treated, no comparison people\)"):
        match(df, treatment="t", covariates=["u", "flag"])


def test_drop_leaves_the_separated_people_out():
    df = constructed()
    with pytest.warns(IgnoredOptionWarning, match="17 people"):
        m = match(df, treatment="t", covariates=["u", "group"], separation="drop")
    dropped = df.index[:17]
    assert not set(dropped) & set(m.pairs["control"])
    assert set(df.index[12:17]) <= set(m.unmatched)  # the 'arson' treated: no comparison
    assert np.isnan(m.matched.reindex(dropped)["logit_propensity"].dropna()).all()
    # the balance 'before' still describes everyone
    bal = m.balance.set_index("covariate")
    assert bal.loc["group=fraud", "mean_comparison_before"] == pytest.approx(
        12 / int((~df["t"]).sum())
    )
    # the distance is not defined for the people left out: its row uses the others
    kept = df.index[17:]
    lp = m.balance_columns["distance"].loc[kept]
    t_kept = df.loc[kept, "t"].to_numpy()
    assert bal.loc["distance", "mean_treated_before"] == pytest.approx(lp[t_kept].mean())


def test_penalise_fits_and_equals_an_independent_ridge_fit():
    df = constructed()
    m = match(df, treatment="t", covariates=["u", "group"], separation="penalise")
    assert m.n_matched_treated > 0
    # independent oracle: maximise the penalised log-likelihood with scipy
    x = pd.get_dummies(df["group"]).drop(columns="arson").astype(float)
    x.insert(0, "u", df["u"])
    a = x.to_numpy()
    mu, sd = a.mean(0), a.std(0)
    z = np.column_stack([np.ones(len(a)), (a - mu) / sd])
    y = df["t"].to_numpy(float)

    def nll(b):
        eta = z @ b
        return -(y @ eta - np.logaddexp(0, eta).sum()) + 0.5 * RIDGE_LAMBDA * (b[1:] ** 2).sum()

    b = minimize(nll, np.zeros(z.shape[1]), method="BFGS", options={"gtol": 1e-10}).x
    lp_oracle = z @ b
    np.testing.assert_allclose(m.balance_columns["distance"], lp_oracle, atol=1e-5)


def test_continuous_separation_names_the_covariate():
    df = pd.DataFrame(
        {
            "x": np.arange(10.0),
            "z": np.r_[0.3, 0.1, 0.2, 0.5, 0.4, 0.9, 0.1, 0.3, 0.2, 0.6],
            "t": [True] * 4 + [False] * 6,
        }
    )
    with pytest.raises(ModelError, match=r"separation.*combination of x"):
        match(df, treatment="t", covariates=["x", "z"])


def test_fit_propensity_without_separation_is_the_mle():
    import statsmodels.api as sm

    df = constructed()
    ok = df[~df["group"].isin(["fraud", "arson"])].reset_index(drop=True)
    x = pd.get_dummies(ok["group"]).drop(columns="drugs").astype(float)
    x.insert(0, "u", ok["u"])
    fit = fit_propensity(ok["t"].to_numpy(), x)
    ref = sm.GLM(ok["t"].astype(float), sm.add_constant(x), family=sm.families.Binomial()).fit()
    np.testing.assert_allclose(fit.coefficients.to_numpy(), ref.params.to_numpy(), rtol=1e-7)
    assert fit.method == "mle" and not fit.dropped.any()


def test_aliased_columns_get_coefficient_zero_like_glm_na():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"x": rng.normal(size=300)})
    df["x2"] = 2 * df["x"] + 1  # a linear combination of the intercept and x
    df["t"] = rng.random(300) < 1 / (1 + np.exp(-(df["x"] - 1.5)))
    both = match(df, treatment="t", covariates=["x", "x2"])
    one = match(df, treatment="t", covariates=["x"])
    assert both.coefficients["x2"] == 0.0
    np.testing.assert_allclose(
        both.balance_columns["distance"], one.balance_columns["distance"], atol=1e-9
    )


def test_large_data_fit_is_still_the_mle():
    # above 200 000 rows the Newton iterations start from a fit on every m-th row and keep
    # the first Hessian for a while: the maximum reached must be the same
    import statsmodels.api as sm

    rng = np.random.default_rng(6)
    n = 250_000
    x = pd.DataFrame({"a": rng.normal(size=n), "b": rng.integers(0, 2, n).astype(float)})
    t = rng.random(n) < 1 / (1 + np.exp(-(-1 + 0.8 * x["a"] - 0.5 * x["b"])))
    fit = fit_propensity(t, x)
    ref = sm.GLM(t.astype(float), sm.add_constant(x), family=sm.families.Binomial()).fit()
    np.testing.assert_allclose(fit.coefficients.to_numpy(), ref.params.to_numpy(), rtol=1e-8)
