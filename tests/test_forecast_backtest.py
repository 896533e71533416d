"""The backtest on generated data (a known reoffending curve: pbr.sample's outcome model)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pbr
from pbr.forecast import Backtest, backtest
from pbr.sample import generate


@pytest.fixture(scope="module")
def data() -> pbr.datasets.SampleData:
    return generate(seed=7, scale=0.3)


@pytest.fixture(scope="module")
def bt(data: pbr.datasets.SampleData) -> Backtest:
    return backtest(
        data.cohort, data.offences, extract_date=data.extract_date, cutoffs=(6, 9), draws=120
    )


def test_backtest_intervals_cover_and_projections_are_unbiased(bt: Backtest) -> None:
    t = bt.table
    assert t["cutoff_months"].tolist() == [6, 9]
    assert (t["lot_periods"] == 105).all()  # 21 lots × 5 final performance quarters
    # loose bounds for one small data set (105 lot-periods: Monte-Carlo se ≈ 2 and 4 points);
    # the full coverage study is benchmarks/forecast.py (figures in benchmarks/README.md)
    assert t["coverage95"].between(0.88, 1.0).all(), t
    assert t["coverage80"].between(0.65, 0.93).all(), t
    assert (t["bias_pp"].abs() <= 3 * t["bias_se_pp"]).all(), t
    assert (t["rmse_pp"].diff().dropna() < 0).all()  # later cut-off, smaller error
    # projected reoffences R (the replicate mean): within a few per cent of the final count
    assert (t["reoffences_bias_pct"].abs() < 3.0).all(), t


# the data cut at an earlier extract date is validated again (its stamp is for the sample's
# own extract date): the sample's juveniles, there on purpose, are warned about
@pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")
def test_backtest_observed_counts_are_those_of_the_data_cut_at_the_cutoff(
    data: pbr.datasets.SampleData, bt: Backtest
) -> None:
    d = bt.details
    row = d[(d["cutoff_months"] == 6) & (d["period"] == "2016Q1")]
    assert (row["extract_date"] == "2016-09-30").all()
    cut = pd.Timestamp("2016-09-30")
    # the data as extracted on the cut date: no cohort event or offence after it (the io
    # boundary refuses later dates); 2016Q1's rows are unaffected by the later events
    cohort = data.cohort[data.cohort["index_date"] <= cut]
    m = pbr.compute_measures(
        cohort, data.offences[data.offences["disposal_date"] <= cut], extract_date=cut
    ).table
    m = m[m["period"] == "2016Q1"].set_index("lot")
    assert row.set_index("lot")["observed_reoffenders"].equals(m["reoffenders"].astype(np.int64))
    truth = pbr.compute_measures(data.cohort, data.offences, extract_date=data.extract_date).table
    truth = truth[truth["period"] == "2016Q1"].set_index("lot")
    rate = truth["reoffenders"] / truth["cohort_size"]
    assert np.allclose(row.set_index("lot")["final_rate"], rate)


def test_backtest_result_protocol(bt: Backtest) -> None:
    assert bt == bt
    assert bt.to_frame().equals(bt.table)
    text = str(bt.summary())
    assert "cutoff_months" in text and "coverage95" in text
    assert bt.plot().get_ylabel() == "share of lot-periods covered"
    assert "<table" in bt._repr_html_()
    import matplotlib.pyplot as plt

    plt.close("all")
