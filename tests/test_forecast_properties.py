"""Properties of the projection: closed windows, more follow-up, determinism, the protocol."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from pbr.forecast import Forecast, forecast
from pbr.forecast.project import Reference, Target, project
from pbr.forecast.result import interval_columns
from pbr.sample import SampleData, generate


@pytest.fixture(scope="module")
def small() -> SampleData:
    return generate(seed=21, scale=0.08, lots=["CPA01", "CPA05", "CPA10"])


def _cut(s: SampleData, date: str) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    off = s.offences
    return s.cohort, off[off["disposal_date"] <= pd.Timestamp(date)], date


def test_closed_windows_project_exactly_their_observed_counts(small: SampleData) -> None:
    f = forecast(small.cohort, small.offences, extract_date=small.extract_date, draws=60)
    final = f.table[f.table["status"] == "final"]
    assert len(final) >= 10
    assert (final["open_members"] == 0).all()
    assert (final["projected_reoffenders"] == final["observed_reoffenders"]).all()
    for c in ("rate_low95", "rate_low80", "rate_high80", "rate_high95", "projected_rate"):
        assert (final[c] == final["observed_rate"]).all()
    assert (final["projected_reoffences"] == final["observed_reoffences"]).all()
    interim = f.table[f.table["status"] == "interim"]
    assert (interim["projected_reoffences"] >= interim["observed_reoffences"]).all()
    assert (interim["projected_reoffenders"] >= interim["observed_reoffenders"]).all()
    assert (interim["rate_high95"] >= interim["projected_rate"]).all()
    assert (interim["projected_rate"] >= interim["rate_low95"]).all()


# the data cut at an earlier extract date is validated again (its stamp is for the sample's
# own extract date): the sample's juveniles, there on purpose, are warned about
@pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")
def test_more_follow_up_never_widens_the_interval_in_expectation(small: SampleData) -> None:
    widths = []
    for date in ("2017-03-31", "2017-06-30", "2017-09-30", "2017-12-31", "2018-03-31"):
        co, off, ext = _cut(small, date)
        f = forecast(co, off, extract_date=ext, draws=80, seed=1)
        t = f.table[f.table["period"] == "2016Q2"]
        widths.append(float((t["rate_high95"] - t["rate_low95"]).mean()))
    assert all(b <= a for a, b in itertools.pairwise(widths)), widths
    assert widths[-1] < widths[0] / 3


def test_more_follow_up_narrows_on_average_over_replications() -> None:
    # the same members observed longer (the same proof times), over 20 synthetic cohorts
    rng = np.random.default_rng(0)
    narrower = []
    for rep in range(20):
        ref_proof = np.where(rng.random(400) < 0.45, rng.integers(0, 547, 400), -1)
        ref = Reference(
            proof=ref_proof,
            strata=np.zeros(400, np.int64),
            window=np.full(400, 547),
            group=np.repeat(np.arange(8), 50),
        )
        d = np.where(rng.random(300) < 0.45, rng.integers(0, 547, 300), -1)
        g = np.repeat(np.arange(6), 50)
        w = []
        for a in (120, 240, 360, 480):
            tgt = Target(
                group=g,
                strata=np.zeros(300, np.int64),
                elapsed=np.full(300, a),
                window=np.full(300, 547),
                observed=(d >= 0) & (d <= a),
                n_groups=6,
            )
            dr = project(ref, tgt, n_strata=1, draws=150, seed=rep)
            iv = interval_columns(dr.final, dr.size)
            w.append(float((iv["high95"] - iv["low95"]).mean()))
        narrower.append(np.diff(w))
    mean_change = np.mean(narrower, axis=0)
    assert (mean_change < 0).all(), mean_change


# the data cut at an earlier extract date is validated again (its stamp is for the sample's
# own extract date): the sample's juveniles, there on purpose, are warned about
@pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")
def test_same_seed_same_forecast_and_the_result_protocol(small: SampleData) -> None:
    co, off, ext = _cut(small, "2017-09-30")
    a = forecast(co, off, extract_date=ext, contract="tr_crc", draws=40, seed=5)
    b = forecast(co, off, extract_date=ext, contract="tr_crc", draws=40, seed=5)
    c = forecast(co, off, extract_date=ext, contract="tr_crc", draws=40, seed=6)
    assert isinstance(a, Forecast)
    assert a == b
    assert a != c
    assert a.table is not a.to_frame()
    assert "expected_amount" in a.with_payments().columns
    assert "expected_amount" not in a.to_frame().columns
    s = a.summary()
    assert s.frame["lot"].iloc[-1] == "ALL"
    assert "<table" in a._repr_html_()
    ax = a.plot()
    assert ax.get_ylabel() == "binary reoffending rate"
    assert len(ax.get_xticklabels()) == 3
    ax2 = a.plot_payment()
    assert "Projected payment" in ax2.get_title(loc="left")
    import matplotlib.pyplot as plt

    plt.close("all")


def test_unknown_reference_period_is_a_pbr_error(small: SampleData) -> None:
    from pbr.errors import PbrError

    with pytest.raises(PbrError, match="2030Q1"):
        forecast(
            small.cohort, small.offences, extract_date=small.extract_date, reference=["2030Q1"]
        )
    with pytest.raises(PbrError, match="interim"):
        forecast(
            small.cohort, small.offences, extract_date=small.extract_date, reference=["2017Q1"]
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"draws": 0}, "draws must be a whole number >= 1"),
        ({"seed": -1}, "seed must be a whole number >= 0"),
        ({"strata": 2.5}, "strata must be a whole number"),
        ({"offences": "offences.csv"}, "offences must be a DataFrame"),
    ],
)
def test_bad_parameters_are_pbr_errors(small: SampleData, kwargs: dict, message: str) -> None:
    from pbr.errors import PbrError

    args = {"offences": small.offences, **kwargs}
    with pytest.raises(PbrError, match=message):
        forecast(small.cohort, extract_date=small.extract_date, **args)
