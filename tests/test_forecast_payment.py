"""The projected payment goes through the one payment engine: complete data = the final line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import pbr
from pbr.forecast import forecast
from pbr.sample import SAMPLE_EXTRACT_DATE, sample_paths


@pytest.fixture(scope="module")
def sample() -> pbr.datasets.SampleData:
    return pbr.datasets.load_sample()


@pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")
def test_complete_lot_periods_equal_their_final_statement_lines(
    sample: pbr.datasets.SampleData, tmp_path: Path
) -> None:
    f = forecast(
        sample.cohort,
        sample.offences,
        extract_date=sample.extract_date,
        contract="tr_crc",
        draws=40,
    )
    assert f.payments is not None
    # the final statement, computed the documented way (saved baseline, pay_from_files)
    bl = pbr.build_baseline(sample.cohort, sample.offences, extract_date=sample.extract_date)
    bl.save(tmp_path / "baseline")
    files = sample_paths()
    st = pbr.pay_from_files(
        "tr_crc",
        cohort=files["cohort"],
        offences=files["offences"],
        baseline=tmp_path / "baseline",
        extract_date=SAMPLE_EXTRACT_DATE,
        allow_interim=True,
    )
    lines = st.lines[st.lines["component"] == "binary"]
    final = f.table.loc[f.table["status"] == "final", ["lot", "period"]]
    got = f.payments.by_period.merge(final, on=["lot", "period"])
    want = lines.merge(final.astype(str), on=["lot", "period"])
    assert len(got) == len(want) == 105
    merged = got.merge(want[["lot", "period", "amount", "outcome"]], on=["lot", "period"])
    for col in (
        "expected_amount",
        "amount_low95",
        "amount_low80",
        "amount_high80",
        "amount_high95",
    ):
        assert (merged[col] == merged["amount"]).all(), col
        assert all(isinstance(v, Decimal) for v in merged[col])
    assert (merged["amount"] != Decimal("0.00")).any()  # not a vacuous comparison
    sig = (merged["outcome"] == "significant_reduction").astype(float)
    assert (merged["p_significant_reduction"] == sig).all()
    # the frequency component (annual rows) of the final contract years, likewise
    assert f.payments.by_year is not None
    freq = st.lines[(st.lines["component"] == "frequency") & (st.lines["status"] == "final")]
    years = f.payments.by_year.merge(
        freq[["lot", "period", "amount"]].astype({"lot": str, "period": str}),
        on=["lot", "period"],
    )
    assert len(years) == len(freq) == 21  # 2015/16 of every lot
    for col in ("expected_amount", "amount_low95", "amount_high95"):
        assert (years[col] == years["amount"]).all(), col
    assert (years["p_paid"] == (years["amount"] > 0).astype(float)).all()


# the data cut at an earlier extract date is validated again (its stamp is for the sample's
# own extract date): the sample's juveniles, there on purpose, are warned about
@pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")
def test_interim_payment_distribution_in_decimal_pounds(sample: pbr.datasets.SampleData) -> None:
    cut = pd.Timestamp("2017-09-30")
    off = sample.offences[sample.offences["disposal_date"] <= cut]
    f = forecast(sample.cohort, off, extract_date="2017-09-30", contract="tr_crc", draws=60)
    assert f.payments is not None
    p = f.payments.by_period
    interim = p.merge(f.table.loc[f.table["status"] == "interim", ["lot", "period"]])
    assert len(interim) == 4 * 21
    assert ((interim["p_significant_reduction"] >= 0) & (interim["p_deduction"] <= 1)).all()
    assert (interim["amount_low95"] <= interim["amount_low80"]).all()
    assert (interim["amount_low80"] <= interim["amount_high80"]).all()
    assert (interim["amount_high80"] <= interim["amount_high95"]).all()
    assert (
        interim["amount_high95"] > interim["amount_low95"]
    ).any()  # some real uncertainty is left
    tot = f.payments.total.iloc[0]
    assert tot["amount_low95"] <= tot["expected_amount"] <= tot["amount_high95"]
    # the interim contract year's frequency line has a distribution (R still to come)
    years = f.payments.by_year
    assert years is not None and set(years["period"]) == {"2015/16", "2016/17"}
    assert (
        f.table.loc[f.table["status"] == "interim", "projected_reoffences"]
        > f.table.loc[f.table["status"] == "interim", "observed_reoffences"]
    ).all()
    for v in (tot["expected_amount"], tot["amount_low95"], tot["amount_high95"]):
        assert isinstance(v, Decimal) and v == v.quantize(Decimal("0.01"))
    # every replicate's statement is a real statement of the contract
    assert all(s.contract.name == "tr_crc" for s in f.payments.statements)
    by_lot_sum = sum(f.payments.by_lot["expected_amount"], Decimal("0"))
    assert abs(by_lot_sum - tot["expected_amount"]) <= Decimal("0.01") * len(f.payments.by_lot)


def test_frequency_is_not_projected_from_court_appearances() -> None:
    from pbr.errors import PbrError
    from pbr.forecast._examples import example_data

    s = example_data(5)
    with pytest.raises(PbrError, match="cannot be projected"):
        forecast(
            s.cohort,
            s.offences,
            extract_date=s.extract_date,
            contract="tr_crc",
            rules="reconviction_events",
            draws=5,
        )
