"""Tests for pbr.simulate (payment-risk simulation)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pbr.errors import PbrError
from pbr.simulate import minimum_detectable_reduction, simulate_payments


def exact_quarter(n, b, delta_pp, alpha, price, deduction):
    """Exact P(payment), P(deduction), E[amount] for one quarter by enumerating O."""
    o = np.arange(n + 1)
    pmf = stats.binom.pmf(o, n, b - delta_pp / 100)
    e = n * b
    z = (o - e) / np.sqrt(n * b * (1 - b))
    p = 2 * stats.norm.sf(np.abs(z))
    paid = (p < alpha) & (o < e)
    ded = (p < alpha) & (o > e)
    amount = np.where(paid, price * (e - o), 0.0) + np.where(ded, -deduction * (o - e), 0.0)
    return pmf[paid].sum(), pmf[ded].sum(), (pmf * amount).sum()


def one_lot(n=400, b=0.45, quarters=4):
    return pd.DataFrame(
        {"lot": ["A"] * quarters, "cohort_size": [n] * quarters, "baseline_rate": [b] * quarters}
    )


@pytest.mark.parametrize("delta", [0.0, 3.0, 6.0])
def test_matches_exact_binomial(delta):
    n, b, sims = 400, 0.45, 20_000
    s = simulate_payments(
        one_lot(n, b), [delta], alpha=0.05, price=1000, deduction_price=800, n_sims=sims
    )
    row = s.table.iloc[0]
    pp, pd_, ea = exact_quarter(n, b, delta, 0.05, 1000.0, 800.0)
    se = np.sqrt(pp * (1 - pp) / (sims * 4)) + 1e-4
    assert abs(row["p_payment"] - pp) < 4 * se
    se_d = np.sqrt(pd_ * (1 - pd_) / (sims * 4)) + 1e-4
    assert abs(row["p_deduction"] - pd_) < 4 * se_d
    # expected total over 4 quarters: 4 x the exact per-quarter mean (MC tolerance)
    assert float(row["expected_payment"]) == pytest.approx(4 * ea, abs=0.03 * 1000 * n * 0.1)


def test_null_effect_pays_at_most_half_alpha():
    s = simulate_payments(
        one_lot(2000, 0.4), [0.0], alpha=0.05, price=1, deduction_price=1, n_sims=20_000
    )
    row = s.table.iloc[0]
    mc_se = np.sqrt(0.025 * 0.975 / 80_000)
    assert row["p_payment"] <= 0.025 + 4 * mc_se  # one side of a two-sided test
    assert row["p_deduction"] <= 0.025 + 4 * mc_se
    assert row["p_payment"] == pytest.approx(0.025, abs=0.005)


def test_p_payment_rises_with_effect():
    effects = np.arange(0, 8.5, 0.5)
    s = simulate_payments(
        one_lot(500, 0.45), effects, alpha=0.05, price=1, deduction_price=1, n_sims=4000
    )
    p = s.table["p_payment"].to_numpy()
    assert np.all(np.diff(p) > -0.01)  # monotone within MC error
    assert p[-1] > 0.9 > 0.05 > p[0]
    d = s.table["p_deduction"].to_numpy()
    assert np.all(np.diff(d) < 0.01)


def test_mdr_shrinks_with_cohort_size_and_hits_power():
    c = pd.DataFrame(
        {"lot": ["a", "b", "c"], "cohort_size": [200, 1000, 5000], "baseline_rate": [0.45] * 3}
    )
    m = minimum_detectable_reduction(c, alpha=0.05, power=0.8).set_index("lot")["mdr_pp"]
    assert m["a"] > m["b"] > m["c"] > 0
    # analytic: for one cohort, power(δ) = Φ((Nδ − z√V)/√(N p1 (1 − p1)))
    n, b = 1000, 0.45
    d = m["b"] / 100
    z = stats.norm.ppf(0.975)
    pw = stats.norm.cdf((n * d - z * np.sqrt(n * b * (1 - b))) / np.sqrt(n * (b - d) * (1 - b + d)))
    assert pw == pytest.approx(0.8, abs=1e-9)
    # Monte Carlo at the MDR is close to the target power
    s = simulate_payments(
        c[c["lot"] == "c"], [m["c"]], alpha=0.05, price=1, deduction_price=1, n_sims=20_000
    )
    assert s.table["p_payment"].iloc[0] == pytest.approx(0.8, abs=0.02)
    assert s.mdr["mdr_pp"].iloc[0] == pytest.approx(m["c"])


def test_mdr_unreachable_is_nan():
    c = pd.DataFrame({"lot": ["tiny"], "cohort_size": [3], "baseline_rate": [0.2]})
    assert np.isnan(minimum_detectable_reduction(c)["mdr_pp"].iloc[0])


def test_contract_parameters_and_determinism():
    from pbr.contracts import preset

    con = preset("tr_crc")
    a = simulate_payments(one_lot(), [0.0, 4.0], contract=con, n_sims=2000, random_state=3)
    b = simulate_payments(one_lot(), [0.0, 4.0], contract=con, n_sims=2000, random_state=3)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.alpha == con.alpha
    assert a.price == con.binary.price_per_reoffender_avoided
    assert isinstance(a.table["expected_payment"].iloc[0], Decimal)
    with pytest.raises(PbrError, match="not both"):
        simulate_payments(one_lot(), [0.0], contract=con, alpha=0.1)


def test_baseline_input():
    from pbr.baseline import Baseline

    rng = np.random.default_rng(0)
    m = pd.DataFrame(
        {
            "lot": ["CPA01"] * 800,
            "index_date": pd.to_datetime("2011-01-01")
            + pd.to_timedelta(rng.integers(0, 365, 800), unit="D"),
            "reoffender": rng.random(800) < 0.4,
        }
    )
    m["reoffences"] = m["reoffender"].astype(int) * 2
    base = Baseline.from_members(m, risk=None)
    s = simulate_payments(base, [0.0], alpha=0.05, price=1, deduction_price=1, n_sims=50)
    assert s.table["quarters"].iloc[0] == 4
    q = base.rates[base.rates["period"].str.contains("Q")]
    assert s.mdr["mean_cohort_size"].iloc[0] == pytest.approx(q["cohort_size"].mean())


def test_bad_inputs():
    with pytest.raises(PbrError, match="baseline_rate"):
        simulate_payments(one_lot(b=1.2), [0.0], alpha=0.05, price=1, deduction_price=1)
    with pytest.raises(PbrError, match="outside"):
        simulate_payments(one_lot(b=0.1), [20.0], alpha=0.05, price=1, deduction_price=1)
    with pytest.raises(PbrError, match="required"):
        simulate_payments(one_lot(), [0.0], alpha=0.05)
    with pytest.raises(PbrError, match="cohort_size"):
        simulate_payments(one_lot(n=0), [0.0], alpha=0.05, price=1, deduction_price=1)


def test_plot_summary_html():
    c = pd.concat([one_lot(300), one_lot(3000).assign(lot="B")])
    s = simulate_payments(c, [0.0, 2.0, 4.0], alpha=0.05, price=1, deduction_price=1, n_sims=200)
    ax = s.plot()
    assert len(ax.get_lines()) == 3  # two lots + the power line
    assert s.summary().frame["lot"].tolist() == ["A", "B"]
    assert "<table" in s._repr_html_()


def test_null_payment_rate_is_the_exact_binomial_sum_not_half_alpha():
    # the z-test on a discrete count is approximate: at N = 1000, b = 0.5 the exact chance
    # of a payment with no effect is 2.68 % (> α/2), and the simulation must show the rule
    # as it is; oracle: exact binomial sum over the rejection region (exact_quarter above)
    pp, _, _ = exact_quarter(1000, 0.5, 0.0, 0.05, 1.0, 1.0)
    assert pp == pytest.approx(0.0268, abs=5e-4)
    s = simulate_payments(
        one_lot(1000, 0.5), [0.0], alpha=0.05, price=1, deduction_price=1, n_sims=25_000
    )
    mc_se = np.sqrt(pp * (1 - pp) / 100_000)
    assert abs(s.table["p_payment"].iloc[0] - pp) < 4 * mc_se


def test_repeated_effect_is_an_error():
    # a repeated effect gave duplicate rows and a pandas ValueError in summary()
    with pytest.raises(PbrError, match="effects_pp"):
        simulate_payments(one_lot(), [1.0, 1.0], alpha=0.05, price=1, deduction_price=1)


def test_simulated_quarters_are_paid_exactly_as_the_payment_engine_pays_them():
    # One simulation: replay its draws (same seeded Generator, effects in order) and pay those
    # reoffender counts with pbr.payments.pay under a contract with the same alpha and prices.
    # Both use one binary rule (pbr.payments.binary_amount), so each lot's simulated amount
    # is the statement's binary total for that lot, to the penny.
    from pbr.contracts import BinaryComponent, Contract
    from pbr.payments import pay

    cohorts = pd.DataFrame(
        {
            "lot": ["A", "A", "B", "B"],
            "cohort_size": [500, 480, 300, 90],
            "baseline_rate": [0.45, 0.46, 0.5, 0.41],
        }
    )
    effects = [-8.0, 0.0, 9.0]  # a significant increase, no change and a reduction are all drawn
    price, deduction = Decimal("1234.56"), Decimal("987.65")
    sim = simulate_payments(
        cohorts,
        effects,
        alpha=0.05,
        price=price,
        deduction_price=deduction,
        n_sims=1,
        random_state=3,
    )
    contract = Contract(name="same", binary=BinaryComponent(price, deduction), alpha=0.05)
    rng = np.random.default_rng(3)
    n = cohorts["cohort_size"].to_numpy()
    b = cohorts["baseline_rate"].to_numpy()
    outcomes = set()
    for eff in effects:
        obs = rng.binomial(n, b - eff / 100, size=(1, len(n)))[0]
        table = pd.DataFrame(
            {
                "lot": cohorts["lot"],
                "period": ["2015Q1", "2015Q2", "2015Q1", "2015Q2"],
                "cohort_size": n,
                "reoffenders": obs,
                "expected_reoffenders": n * b,
                "expected_variance": n * b * (1 - b),
                "baseline_binary": b,
            }
        )
        lines = pay(contract, table).lines
        outcomes |= set(lines["outcome"])
        paid = {lot: sum(g["amount"], Decimal("0.00")) for lot, g in lines.groupby("lot")}
        got = sim.table[sim.table["effect_pp"] == eff].set_index("lot")["expected_payment"]
        assert got.to_dict() == paid
    assert outcomes == {"significant_increase", "no_significant_change", "significant_reduction"}
