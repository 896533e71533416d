"""Payment engine: hand-computed lines, published pilot figures, properties."""

from __future__ import annotations

import dataclasses
import math
from decimal import Decimal
from pathlib import Path

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given

from pbr.contracts import (
    BinaryComponent,
    CapsSpec,
    CollarsSpec,
    Contract,
    FeeBand,
    FrequencyComponent,
    Rounding,
    preset,
)
from pbr.errors import InterimMeasureError, PbrError, ValidationError
from pbr.payments import LINE_COLUMNS, Statement, pay


def _contract(**kw: object) -> Contract:
    base: dict = {
        "name": "t",
        "binary": BinaryComponent(Decimal("1000"), Decimal("800")),
    }
    base.update(kw)
    return Contract(**base)


def _codes(err: ValidationError) -> set[tuple[int, str, str, str]]:
    """(row, column, value, reason code) of each failure of a row-level error."""
    f = err.failures
    return {
        (int(r), str(c), str(v), str(x).split(":")[0])
        for r, c, v, x in zip(f["row"], f["column"], f["value"], f["reason"], strict=True)
    }


def _row(
    lot: str = "CPA01",
    period: str = "2015Q4",
    n: int = 1000,
    o: int = 450,
    e: float = 500.0,
    v: float | None = 250.0,
    b: float = 0.5,
    **extra: object,
) -> dict:
    r = {
        "lot": lot,
        "period": period,
        "cohort_size": n,
        "reoffenders": o,
        "expected_reoffenders": e,
        "baseline_binary": b,
        **extra,
    }
    if v is not None:
        r["expected_variance"] = v
    return r


# ------------------------------------------------------------------- binary (hand computed)


def test_binary_significant_reduction_pays_price_times_e_minus_o() -> None:
    # z = (450 - 500) / sqrt(250) = -3.162 → p = 0.0016 < 0.05; units = E - O = 50
    s = pay(_contract(), pd.DataFrame([_row()]))
    line = s.lines.iloc[0]
    assert line["outcome"] == "significant_reduction"
    assert line["units"] == 50.0
    assert line["amount"] == Decimal("50000.00")
    assert line["price"] == Decimal("1000")
    assert math.isclose(line["z"], -50 / math.sqrt(250))
    assert math.isclose(line["adjusted_rate"], 0.45) and math.isclose(line["change"], -5.0)
    assert s.total == Decimal("50000.00")


def test_binary_significant_increase_deducts() -> None:
    # O - E = 40, z = 40/sqrt(250) = 2.53 → deduction 800 × 40
    s = pay(_contract(), pd.DataFrame([_row(o=540)]))
    line = s.lines.iloc[0]
    assert line["outcome"] == "significant_increase"
    assert line["amount"] == Decimal("-32000.00")
    assert line["price"] == Decimal("800")


def test_binary_no_significant_change_pays_zero() -> None:
    # z = -20/sqrt(250) = -1.26, p = 0.21
    s = pay(_contract(), pd.DataFrame([_row(o=480)]))
    assert s.lines.iloc[0]["outcome"] == "no_significant_change"
    assert s.lines.iloc[0]["amount"] == Decimal("0.00")


def test_missing_variance_uses_binomial_approximation() -> None:
    # N e (1 - e) = 1000 × 0.5 × 0.5 = 250: same z as the explicit V
    s = pay(_contract(), pd.DataFrame([_row(v=None)]))
    assert math.isclose(s.lines.iloc[0]["z"], -50 / math.sqrt(250))


def test_expected_from_rate_or_unadjusted_baseline() -> None:
    r = _row()
    del r["expected_reoffenders"]
    s1 = pay(_contract(), pd.DataFrame([{**r, "expected_rate": 0.5}]))
    s2 = pay(_contract(), pd.DataFrame([r]))  # E = baseline × N = 500
    assert s1.lines.iloc[0]["expected_reoffenders"] == 500.0
    assert s2.lines.iloc[0]["expected_reoffenders"] == 500.0
    assert s1.total == s2.total == Decimal("50000.00")


def test_alpha_from_contract() -> None:
    # z = -1.9 (p = 0.057): not significant at 0.05, significant at 0.10
    # (reoffenders is a count: the fraction sits in E, so E − O = 1.9 √250)
    t = pd.DataFrame([_row(o=470, e=470 + 1.9 * math.sqrt(250))])
    assert pay(_contract(), t).total == Decimal("0.00")
    assert pay(_contract(alpha=0.1), t).total == Decimal(str(round(1000 * 1.9 * math.sqrt(250), 2)))


def test_termination_flag() -> None:
    c = _contract(binary=BinaryComponent(Decimal(1), Decimal(1), termination_rate_pp=5.0))
    s = pay(c, pd.DataFrame([_row(o=560), _row(period="2016Q1", o=540)]))
    assert s.lines["termination"].tolist() == [True, False]  # +6 pp flags, +4 pp does not
    assert "termination point exceeded" in s.lines.iloc[0]["note"]
    c2 = _contract(binary=BinaryComponent(Decimal(1), Decimal(1), termination_point=0.55))
    assert pay(c2, pd.DataFrame([_row(o=560)])).lines["termination"].tolist() == [True]
    assert "TERMINATION FLAG" in str(pay(c2, pd.DataFrame([_row(o=560)])).summary())


def test_rounding_half_up_once_per_line() -> None:
    # 0.5 unit × £0.01 = £0.005 → £0.01 with ROUND_HALF_UP, £0.00 with ROUND_HALF_EVEN
    band = FeeBand("hours", "hour", Decimal("0.01"))
    vol = pd.DataFrame({"lot": ["A"], "period": ["2015Q4"], "unit": ["hour"], "volume": [0.5]})
    up = pay(_contract(fee_for_service=(band,)), pd.DataFrame(), volumes=vol)
    even = pay(
        _contract(fee_for_service=(band,), rounding=Rounding("ROUND_HALF_EVEN")),
        pd.DataFrame(),
        volumes=vol,
    )
    assert up.total == Decimal("0.01")
    assert even.total == Decimal("0.00")


def test_fee_for_service_tiers() -> None:
    bands = (
        FeeBand("low", "start", Decimal("10"), 0, 1000),
        FeeBand("high", "start", Decimal("8"), 1000, None),
        FeeBand("upw", "hour", Decimal("2.50")),
    )
    vol = pd.DataFrame(
        {
            "lot": ["A", "A"],
            "period": ["2015/16", "2015/16"],
            "unit": ["start", "hour"],
            "volume": [1500, 100],
        }
    )
    s = pay(_contract(fee_for_service=bands), pd.DataFrame(), volumes=vol)
    got = dict(zip(s.lines["item"], s.lines["amount"], strict=True))
    # 1000 × £10 + 500 × £8; 100 h × £2.50
    assert got == {"low": Decimal("10000.00"), "high": Decimal("4000.00"), "upw": Decimal("250.00")}


def test_unknown_fee_unit_is_an_error() -> None:
    vol = pd.DataFrame({"lot": ["A"], "period": ["2015Q4"], "unit": ["widget"], "volume": [1]})
    c = _contract(fee_for_service=(FeeBand("h", "hour", Decimal(1)),))
    with pytest.raises(PbrError, match="unit 'widget' has no fee_for_service band"):
        pay(c, pd.DataFrame(), volumes=vol)


def test_volumes_without_bands_are_an_error() -> None:
    vol = pd.DataFrame({"lot": ["A"], "period": ["2015Q4"], "unit": ["hour"], "volume": [1]})
    with pytest.raises(PbrError, match="contract units: none"):
        pay(_contract(), pd.DataFrame(), volumes=vol)


def test_volumes_not_filtered_by_contract_periods() -> None:
    c = _contract(periods=("2015Q4",), fee_for_service=(FeeBand("h", "hour", Decimal(2)),))
    vol = pd.DataFrame({"lot": ["A"], "period": ["2015/16"], "unit": ["hour"], "volume": [3]})
    assert pay(c, pd.DataFrame(), volumes=vol).total == Decimal("6.00")


def test_negative_volume_is_an_error() -> None:
    c = _contract(fee_for_service=(FeeBand("h", "hour", Decimal(2)),))
    vol = pd.DataFrame({"lot": ["A"], "period": ["2015Q4"], "unit": ["hour"], "volume": [-3]})
    with pytest.raises(PbrError, match="row 1: volume must be >= 0"):
        pay(c, pd.DataFrame(), volumes=vol)


def test_cap_is_its_own_line() -> None:
    c = _contract(caps=CapsSpec(pbr_income_per_lot_per_year=Decimal("60000")))
    # two quarters of the same financial year 2015/16 each paying £50,000
    s = pay(c, pd.DataFrame([_row(period="2015Q4"), _row(period="2016Q1")]))
    binary = s.lines[s.lines["component"] == "binary"]
    assert binary["amount"].tolist() == [Decimal("50000.00")] * 2  # untouched
    cap = s.lines[s.lines["component"] == "cap"].iloc[0]
    assert (cap["period"], cap["amount"]) == ("2015/16", Decimal("-40000.00"))
    assert cap["note"] == "PbR income £100000.00 capped at £60000 per lot per year"
    assert (cap["price"], cap["units"]) == (Decimal("60000"), 1.0)  # the limit, not a rate
    assert s.total == Decimal("60000.00")


def test_quarters_in_different_financial_years_are_capped_separately() -> None:
    c = _contract(caps=CapsSpec(pbr_income_per_lot_per_year=Decimal("60000")))
    s = pay(c, pd.DataFrame([_row(period="2016Q1"), _row(period="2016Q2")]))
    assert "cap" not in set(s.lines["component"])  # 2015/16 and 2016/17


def test_collar_is_its_own_line() -> None:
    c = _contract(collars=CollarsSpec(Decimal("10000")))
    s = pay(c, pd.DataFrame([_row(o=540)]))  # deduction £32,000
    collar = s.lines[s.lines["component"] == "collar"].iloc[0]
    assert collar["amount"] == Decimal("22000.00")
    assert collar["note"] == "deductions £32000.00 collared at £10000 per lot per year"
    assert s.total == Decimal("-10000.00")


def test_total_cap() -> None:
    c = _contract(caps=CapsSpec(total_pbr_income=Decimal("70000")))
    s = pay(c, pd.DataFrame([_row(lot="A"), _row(lot="B")]))
    last = s.lines.iloc[-1]
    assert (last["component"], last["lot"], last["amount"]) == (
        "total_cap",
        "ALL",
        Decimal("-30000.00"),
    )
    assert last["note"] == "total PbR income £100000.00 capped at £70000"
    assert s.total == Decimal("70000.00")


# ------------------------------------------------------------------- frequency


def _annual(**kw: object) -> dict:
    r = _row(period="2015/16", o=450, e=500.0, reoffences=1350, baseline_frequency=3.5)
    r.update(kw)
    return r


def test_frequency_pays_reoffences_avoided() -> None:
    # frequency = 1350/450 = 3.0; avoided = (3.5 - 3.0) × 450 = 225; £10 each
    c = _contract(frequency=FrequencyComponent(Decimal("10")))
    s = pay(c, pd.DataFrame([_annual()]))
    line = s.lines[s.lines["component"] == "frequency"].iloc[0]
    assert line["units"] == 225.0 and line["amount"] == Decimal("2250.00")
    assert line["outcome"] == "not_tested"


def test_frequency_binary_hurdle() -> None:
    c = _contract(frequency=FrequencyComponent(Decimal("10"), binary_hurdle=True))
    s = pay(c, pd.DataFrame([_annual(reoffenders=490, reoffences=1470)]))  # z = -0.63
    line = s.lines[s.lines["component"] == "frequency"].iloc[0]
    assert line["amount"] == Decimal("0.00")
    assert "binary hurdle not met" in line["note"]
    c2 = _contract(frequency=FrequencyComponent(Decimal("10"), binary_hurdle=False))
    s2 = pay(c2, pd.DataFrame([_annual(reoffenders=490, reoffences=1470)]))
    # (3.5 - 3.0) × 490 = 245
    assert s2.lines[s2.lines["component"] == "frequency"].iloc[0]["amount"] == Decimal("2450.00")


def test_frequency_increase_pays_nothing() -> None:
    c = _contract(frequency=FrequencyComponent(Decimal("10"), binary_hurdle=False))
    s = pay(c, pd.DataFrame([_annual(reoffences=1800)]))  # 4.0 > 3.5
    assert s.lines.iloc[-1]["amount"] == Decimal("0.00")


def test_frequency_significance_needs_sds() -> None:
    c = _contract(frequency=FrequencyComponent(Decimal("10"), require_significance=True))
    with pytest.raises(PbrError, match="frequency significance cannot be computed"):
        pay(c, pd.DataFrame([_annual()]))
    # with SDs: Welch t = (3.0 - 3.5)/sqrt(4/450 + 4/5000) = -5.08 → significant
    t = pd.DataFrame(
        [_annual(frequency_sd=2.0, baseline_frequency_sd=2.0, baseline_reoffenders=5000)]
    )
    line = pay(c, t).lines.iloc[-1]
    assert math.isclose(line["z"], -0.5 / math.sqrt(4 / 450 + 4 / 5000))
    assert line["outcome"] == "significant_reduction"
    assert line["amount"] == Decimal("2250.00")


def test_frequency_per_offender() -> None:
    c = _contract(
        frequency=FrequencyComponent(Decimal("10"), binary_hurdle=False, measure="per_offender")
    )
    # per offender 1350/1000 = 1.35 vs 1.5: avoided 0.15 × 1000 = 150
    s = pay(c, pd.DataFrame([_annual(baseline_reoffences_per_offender=1.5)]))
    assert s.lines.iloc[-1]["amount"] == Decimal("1500.00")


def test_annual_table_argument() -> None:
    c = _contract(frequency=FrequencyComponent(Decimal("10")))
    s = pay(c, pd.DataFrame([_row()]), annual_table=pd.DataFrame([_annual()]))
    assert sorted(s.lines["component"]) == ["binary", "frequency"]


# ------------------------------------------------------------------- interim, errors


def test_interim_refused_unless_allowed() -> None:
    t = pd.DataFrame([_row(status="final"), _row(period="2016Q1", status="interim")])
    with pytest.raises(InterimMeasureError, match="CPA01 2016Q1"):
        pay(_contract(), t)
    s = pay(_contract(), t, allow_interim=True)
    assert s.provisional and s.lines["provisional"].all()
    assert "PROVISIONAL" in str(s.summary())


def test_final_rows_not_provisional() -> None:
    s = pay(_contract(), pd.DataFrame([_row(status="final")]), allow_interim=True)
    assert not s.provisional and not s.lines["provisional"].any()


def test_missing_column_named() -> None:
    t = pd.DataFrame([_row()]).drop(columns=["baseline_binary"])
    with pytest.raises(PbrError, match="missing column\\(s\\) baseline_binary"):
        pay(_contract(), t)


def test_non_numeric_column_named() -> None:
    t = pd.DataFrame([_row(), _row(period="2016Q1")])
    t["reoffenders"] = ["450", "lots"]
    with pytest.raises(ValidationError) as e:
        pay(_contract(), t)
    assert _codes(e.value) == {(2, "reoffenders", "lots", "not_a_number")}


def test_bad_period_label() -> None:
    with pytest.raises(PbrError, match="Q4-2015"):
        pay(_contract(), pd.DataFrame([_row(period="Q4-2015")]))


def test_lots_and_periods_filter() -> None:
    t = pd.DataFrame([_row(lot="A"), _row(lot="B"), _row(lot="A", period="2016Q1")])
    s = pay(_contract(lots=("A",), periods=("2015Q4",)), t)
    assert s.lines[["lot", "period"]].values.tolist() == [["A", "2015Q4"]]


def test_statement_api() -> None:
    s = pay(_contract(), pd.DataFrame([_row(lot="B"), _row(lot="A", o=540)]))
    assert list(s.lines.columns) == list(LINE_COLUMNS)
    assert s.lines["lot"].tolist() == ["A", "B"]
    assert s.totals_by_lot().to_dict("records") == [
        {"lot": "A", "total": Decimal("-32000.00")},
        {"lot": "B", "total": Decimal("50000.00")},
    ]
    assert s.to_frame() is not s.lines and s.table is s.lines
    assert "<table" in s._repr_html_()
    ax = s.plot()  # the payment waterfall (pbr.report.plot_waterfall): −£32,000 + £50,000
    assert [t.get_text() for t in ax.get_xticklabels()] == ["binary", "total"]
    assert ax.texts[-1].get_text() == "£18,000.00"
    assert isinstance(s, Statement)


def test_accepts_object_with_table() -> None:
    @dataclasses.dataclass
    class Fake:
        table: pd.DataFrame

    assert pay(_contract(), Fake(pd.DataFrame([_row()]))).total == Decimal("50000.00")


# ------------------------------------------------------------------- published pilots


def test_peterborough_cohort_1_published() -> None:
    # Cohort 1: 142 vs 155 reconviction events per 100 → 1 - 142/155 = 8.4 % reduction, below
    # the 10 % cohort trigger: no cohort payment. Source: Social Finance press release
    # 7 Aug 2014; Jolliffe & Hedderman (2014); reference/tr_pbr.md §9.1, methods.md §5.1.
    t = pd.DataFrame(
        {
            "cohort": ["1"],
            "treated_n": [1000],
            "treated_events_per_100": [142],
            "comparison_events_per_100": [155],
        }
    )
    s = pay(preset("peterborough_sib"), t)
    line = s.lines.iloc[0]
    assert line["component"] == "cohort_outcome"
    assert round(line["change"] * 100, 1) == 8.4
    assert line["outcome"] == "threshold_not_met"
    assert s.total == Decimal("0.00")
    assert len(s.lines) == 1  # no pooled assessment from a single cohort


def test_peterborough_cohort_payment_and_pooled() -> None:
    # Illustrative (not published) figures: cohort A 12 % reduction pays at the cohort trigger;
    # cohort B 6 % does not; pooled 9 % ≥ 7.5 % pays the remaining events avoided.
    t = pd.DataFrame(
        {
            "cohort": ["A", "B"],
            "treated_n": [1000, 1000],
            "treated_events": [1320, 1410],
            "comparison_events_per_100": [150, 150],
        }
    )
    s = pay(preset("peterborough_sib"), t)
    by = {r["period"]: r for r in s.lines.to_dict("records")}
    # A: 150 - 132 = 18 per 100 × 1000 / 100 = 180 events × £3000
    assert by["cohort A"]["amount"] == Decimal("540000.00")
    assert by["cohort B"]["amount"] == Decimal("0.00")
    # pooled: 1 - 136.5/150 = 9 %; avoided (150 - 136.5)/100 × 2000 = 270; 270 - 180 = 90 units
    assert round(by["pooled"]["change"], 4) == 0.09
    assert by["pooled"]["units"] == pytest.approx(90.0)
    assert by["pooled"]["amount"] == Decimal("270000.00")
    assert s.total == Decimal("810000.00")


def test_peterborough_total_cap() -> None:
    t = pd.DataFrame(
        {
            "cohort": ["1", "2"],
            "treated_n": [3000, 3000],
            "treated_events": [1500, 1500],
            "comparison_events_per_100": [150, 150],
        }
    )
    # each cohort: (150 - 50)/100 × 3000 = 3000 events × £3000 = £9m; £18m > £13m cap
    s = pay(preset("peterborough_sib"), t)
    assert s.lines.iloc[-1]["component"] == "total_cap"
    assert s.total == Decimal("13000000.00")


def test_doncaster_cohorts_published() -> None:
    # Cohort 1: -5.7 pp against the 2009 baseline (target of 5 pp met); cohort 2: -3.3 pp
    # (missed: "Serco must now reimburse 10 per cent of the core contract value for the year
    # 2012-2013"). Source: CJA brief citing MoJ 'Payment by results pilot: cohort 2 HMP
    # Doncaster results'; reference/tr_pbr.md §9.2. The core contract value was not published:
    # £10,000,000 is illustrative.
    t = pd.DataFrame(
        {
            "cohort": ["1", "2"],
            "change_pp": [-5.7, -3.3],
            "core_contract_value": ["10000000.00", "10000000.00"],
        }
    )
    s = pay(preset("doncaster"), t)
    assert s.lines["outcome"].tolist() == ["target_met", "target_missed"]
    assert s.lines["amount"].tolist() == [Decimal("0.00"), Decimal("-1000000.00")]


def test_doncaster_from_rates() -> None:
    # 52.3 % vs 58.0 % = -5.7 pp (met); 40 reconvicted of 100 vs 0.433 = -3.3 pp (missed)
    t = pd.DataFrame(
        {
            "cohort": ["1", "2"],
            "cohort_size": [1000, 100],
            "reconvicted": [523, 40],
            "baseline_rate": [0.58, 0.433],
            "core_contract_value": ["1234567.89", "1234567.85"],
        }
    )
    s = pay(preset("doncaster"), t)
    assert [round(x, 6) for x in s.lines["change"]] == [-5.7, -3.3]
    # 10 % of £1,234,567.85 = £123,456.785 → £123,456.79 (ROUND_HALF_UP)
    assert s.lines["amount"].tolist() == [Decimal("0.00"), Decimal("-123456.79")]


def test_doncaster_exactly_five_points_meets_target() -> None:
    t = pd.DataFrame(
        {
            "cohort": ["1"],
            "cohort_rate": [0.45],
            "baseline_rate": [0.50],
            "core_contract_value": ["100"],
        }
    )
    assert pay(preset("doncaster"), t).lines.iloc[0]["outcome"] == "target_met"


# ------------------------------------------------------------------- properties

rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C"]),
        st.sampled_from(["2015Q2", "2015Q3", "2015Q4", "2016Q1", "2016Q2"]),
        st.integers(50, 2000),  # N
        st.floats(0.05, 0.95),  # observed rate
        st.floats(0.05, 0.95),  # expected rate
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda r: (r[0], r[1]),
)
money = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)


def _table(rows: list[tuple]) -> pd.DataFrame:
    recs = []
    for lot, period, n, orate, erate in rows:
        o = round(n * orate)
        e = n * erate
        recs.append(_row(lot=lot, period=period, n=n, o=o, e=e, v=n * erate * (1 - erate), b=erate))
    return pd.DataFrame(recs)


@given(rows_strategy, money, money, st.one_of(st.none(), money), st.one_of(st.none(), money))
def test_total_is_exact_sum_and_caps_collars_hold(rows, price, ded, cap, collar) -> None:
    c = _contract(
        binary=BinaryComponent(price, ded),
        caps=CapsSpec(pbr_income_per_lot_per_year=cap),
        collars=CollarsSpec(collar),
    )
    s = pay(c, _table(rows))
    amounts = list(s.lines["amount"])
    assert all(isinstance(a, Decimal) and a.as_tuple().exponent == -2 for a in amounts)
    assert s.total == sum(amounts, Decimal(0))
    lines = s.lines.assign(
        year=[
            ("2015/16" if p in ("2015Q2", "2015Q3", "2015Q4", "2016Q1") else "2016/17")
            if "Q" in p
            else p
            for p in s.lines["period"]
        ]
    )
    for (_lot, _year), g in lines.groupby(["lot", "year"]):
        binary = list(g.loc[g["component"] == "binary", "amount"])
        income = sum((a for a in binary if a > 0), Decimal(0))
        deductions = sum((a for a in binary if a < 0), Decimal(0))
        capped = income + sum(g.loc[g["component"] == "cap", "amount"], Decimal(0))
        collared = deductions + sum(g.loc[g["component"] == "collar", "amount"], Decimal(0))
        if cap is not None:
            assert capped <= cap
        if collar is not None:
            assert collared >= -collar


@given(rows_strategy, st.randoms(use_true_random=False))
def test_invariant_to_row_order(rows, rnd) -> None:
    c = _contract(caps=CapsSpec(pbr_income_per_lot_per_year=Decimal("30000")))
    t = _table(rows)
    shuffled = t.sample(frac=1.0, random_state=rnd.randint(0, 2**31)).reset_index(drop=True)
    a, b = pay(c, t).lines, pay(c, shuffled).lines
    assert a.astype(str).equals(b.astype(str))


@given(
    st.integers(100, 3000),
    st.floats(0.1, 0.9),
    st.floats(0.0, 0.2),
    st.floats(0.0, 0.2),
    st.one_of(st.none(), money),
)
def test_larger_reduction_never_pays_less(n, erate, d1, d2, cap) -> None:
    e = n * erate
    o_small = max(0, round(e * (1 - min(d1, d2))))
    o_large = max(0, round(e * (1 - max(d1, d2))))  # fewer reoffenders = larger reduction
    c = _contract(caps=CapsSpec(pbr_income_per_lot_per_year=cap))

    def total(o: int) -> Decimal:
        return pay(c, pd.DataFrame([_row(n=n, o=o, e=e, v=e * (1 - erate), b=erate)])).total

    assert total(o_large) >= total(o_small)


@given(rows_strategy)
def test_zero_prices_pay_zero(rows) -> None:
    c = _contract(
        binary=BinaryComponent(Decimal(0), Decimal(0)),
        frequency=FrequencyComponent(Decimal(0), binary_hurdle=False),
        fee_for_service=(FeeBand("starts", "order_start", Decimal(0)),),
    )
    t = _table(rows)
    annual = t.assign(period="2015/16", reoffences=t["reoffenders"] * 2, baseline_frequency=3.0)
    annual = annual.drop_duplicates("lot")
    vol = pd.DataFrame(
        {"lot": annual["lot"], "period": "2015Q4", "unit": "order_start", "volume": 120}
    )
    s = pay(c, pd.concat([t, annual], ignore_index=True), volumes=vol)
    assert set(s.lines["component"]) >= {"binary", "frequency", "fee_for_service"}
    assert s.total == Decimal("0.00")
    assert all(a == 0 for a in s.lines["amount"])


def test_units_are_float_and_money_is_decimal() -> None:
    s = pay(_contract(), pd.DataFrame([_row()]))
    assert s.lines["units"].dtype == np.float64
    assert all(isinstance(p, Decimal) for p in s.lines["price"])


def test_doncaster_bad_core_value() -> None:
    t = pd.DataFrame({"cohort": ["1"], "change_pp": [-3.0], "core_contract_value": ["12.345"]})
    with pytest.raises(PbrError, match="row 1: core_contract_value must be >= 0 in pence"):
        pay(preset("doncaster"), t)
    for bad in ("1e400000", "100000000000000", "NaN", "-5"):
        t2 = t.assign(core_contract_value=[bad])
        with pytest.raises(PbrError, match=rf"row 1: core_contract_value .*{bad}"):
            pay(preset("doncaster"), t2)


# ------------------------------------------------------------------- auditor review (money)


def test_amounts_do_not_depend_on_the_callers_decimal_context(tmp_path: Path) -> None:
    # £1000.0004 × 12.5 units = £12500.005 exactly → ROUND_HALF_UP once → £12500.01.
    # A notebook that lowered decimal precision (prec=7, HALF_EVEN) must not change the pence
    # (double rounding would give £12500.00) nor make the engine raise InvalidOperation (prec=3).
    import decimal

    from pbr.whatif import what_if

    c = _contract(binary=BinaryComponent(Decimal("1000.0004"), Decimal("800")))
    t = pd.DataFrame([_row(o=450, e=462.5, v=10.0)])  # z = 12.5/sqrt(10) = 3.95
    for prec in (7, 3):
        with decimal.localcontext() as ctx:
            ctx.prec = prec
            s = pay(c, t)
            assert s.lines.loc[0, "amount"] == Decimal("12500.01")
            assert s.total == Decimal("12500.01")
            assert s.totals_by_lot()["total"].tolist() == [Decimal("12500.01")]
            assert s.summary().figures["total"] == "£12,500.01"
            assert what_if(t, c, c).table["total_a"].tolist() == [Decimal("12500.01")]
            out = s.write(tmp_path / f"prec{prec}")
            assert '"total": "12500.01"' in (out / "statement.json").read_text()


def test_rounding_apply_is_context_independent() -> None:
    import decimal

    with decimal.localcontext() as ctx:
        ctx.prec = 2
        assert Rounding().apply(Decimal("12500.005")) == Decimal("12500.01")


def test_binary_units_are_exact_decimal_differences_of_the_inputs() -> None:
    # E = 470.00001, O = 450: E − O = 20.00001 exactly (float subtraction gives
    # 20.000009999999975). 20.00001 × £1500 = £30000.015 → ROUND_HALF_UP → £30000.02.
    c = _contract(binary=BinaryComponent(Decimal("1500"), Decimal("1500")))
    s = pay(c, pd.DataFrame([_row(o=450, e=470.00001, v=25.0)]))  # z = 20/5 = 4
    line = s.lines.iloc[0]
    assert line["outcome"] == "significant_reduction"
    assert line["amount"] == Decimal("30000.02")
    assert str(line["units"]) == "20.00001"
    # deduction side: O − E = 450.00001 − 430 → 20.00001 × £1500 deducted = −£30000.02
    s2 = pay(c, pd.DataFrame([_row(o=450, e=429.99999, v=25.0)]))
    assert s2.lines.iloc[0]["amount"] == Decimal("-30000.02")


def test_frequency_units_are_exact() -> None:
    # per reoffender, frequency from reoffences: avoided = baseline × O − R exactly
    # = 3.00065 × 333 − 999 = 0.21645 → × £100 = £21.645 → ROUND_HALF_UP → £21.65
    # (float (baseline − R/O) × O = 0.2164499999999392 would give £21.64)
    c = _contract(
        frequency=FrequencyComponent(Decimal("100"), binary_hurdle=False),
        binary=None,
        scheme="custom",
    )
    row = _annual(reoffenders=333, reoffences=999, baseline_frequency=3.00065)
    line = pay(c, pd.DataFrame([row])).lines.iloc[-1]
    assert line["amount"] == Decimal("21.65")
    assert str(line["units"]) == "0.21645"


def test_fee_units_are_exact() -> None:
    # 0.3 hours in a band starting at 0.1 hours: 0.2 hours (float 0.3 − 0.1 = 0.19999999999999998)
    # × £0.025 = £0.005 → ROUND_HALF_UP → £0.01
    band = FeeBand("hours", "hour", Decimal("0.025"), min_volume=0.1)
    vol = pd.DataFrame({"lot": ["A"], "period": ["2015Q4"], "unit": ["hour"], "volume": [0.3]})
    s = pay(_contract(fee_for_service=(band,)), pd.DataFrame(), volumes=vol)
    assert s.total == Decimal("0.01")
    assert str(s.lines.iloc[0]["units"]) == "0.2"


def test_peterborough_units_are_exact() -> None:
    # (155 − 130.11) / 100 × 100 treated = 24.89 events avoided exactly (float arithmetic
    # gives 24.889999999999986); × £0.50 = £12.445 → ROUND_HALF_UP → £12.45
    c = dataclasses.replace(
        preset("peterborough_sib"),
        comparison=dataclasses.replace(
            preset("peterborough_sib").comparison, price_per_event_avoided=Decimal("0.50")
        ),
    )
    t = pd.DataFrame(
        {
            "cohort": ["1"],
            "treated_n": [100],
            "treated_events_per_100": [130.11],
            "comparison_events_per_100": [155.0],
        }
    )
    line = pay(c, t).lines.iloc[0]
    assert line["outcome"] == "threshold_met"
    assert line["amount"] == Decimal("12.45")
    assert str(line["units"]) == "24.89"


def test_duplicate_lot_period_rows_are_an_error_not_paid_twice() -> None:
    t = pd.DataFrame([_row(), _row(lot="CPA02"), _row()])
    with pytest.raises(ValidationError) as e:
        pay(_contract(), t)
    assert _codes(e.value) == {(i, "period", "CPA01 2015Q4", "duplicate_key") for i in (1, 3)}
    c = _contract(frequency=FrequencyComponent(Decimal("10")))
    with pytest.raises(ValidationError) as e:
        pay(c, pd.DataFrame([_annual(), _annual()]))
    assert _codes(e.value) == {(i, "period", "CPA01 2015/16", "duplicate_key") for i in (1, 2)}


def test_duplicate_volume_rows_are_an_error() -> None:
    band = FeeBand("starts", "start", Decimal("250"))
    vol = pd.DataFrame(
        {"lot": ["A", "A"], "period": ["2015Q4", "2015Q4"], "unit": ["start"] * 2, "volume": [1, 1]}
    )
    with pytest.raises(PbrError, match=r"lot A period 2015Q4 unit start .*2 rows"):
        pay(_contract(fee_for_service=(band,)), pd.DataFrame(), volumes=vol)


def test_duplicate_pilot_cohorts_are_an_error() -> None:
    pb = pd.DataFrame(
        {
            "cohort": ["1", "1"],
            "treated_n": [1000, 1000],
            "treated_events_per_100": [142, 142],
            "comparison_events_per_100": [155, 155],
        }
    )
    with pytest.raises(ValidationError) as e:
        pay(preset("peterborough_sib"), pb)
    assert _codes(e.value) == {(i, "cohort", "1", "duplicate_key") for i in (1, 2)}
    dn = pd.DataFrame(
        {"cohort": ["2", "2"], "change_pp": [-3.3, -3.3], "core_contract_value": ["100", "100"]}
    )
    with pytest.raises(ValidationError) as e:
        pay(preset("doncaster"), dn)
    assert _codes(e.value) == {(i, "cohort", "2", "duplicate_key") for i in (1, 2)}


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("cohort_size", -5),
        ("cohort_size", np.nan),
        ("reoffenders", np.nan),
        ("reoffenders", -1),
        ("reoffenders", 1001),  # more reoffenders than people
        ("expected_reoffenders", -3.0),
        ("baseline_binary", 1.5),
    ],
)
def test_impossible_binary_counts_are_errors_naming_lot_period_and_column(
    column: str, value: float
) -> None:
    # A negative cohort used to be paid £75,000; a missing O was silently "no significant change".
    t = pd.DataFrame([_row(lot="CPA03", period="2016Q1", **{column: value})])
    with pytest.raises(PbrError, match=rf"(?m)^assessment +1 +{column} "):
        pay(_contract(), t)


def test_impossible_frequency_counts_are_errors() -> None:
    c = _contract(frequency=FrequencyComponent(Decimal("10"), binary_hurdle=False), binary=None)
    with pytest.raises(ValidationError) as e:
        pay(c, pd.DataFrame([_annual(reoffences=-1)]))
    assert _codes(e.value) == {(1, "reoffences", "-1", "not_a_count")}


def test_annual_rows_must_be_contract_years() -> None:
    # Caps are per lot per contract year: a calendar-year frequency row ("2015") under a
    # financial-year contract would be capped apart from the quarters of 2015/16, so the cap
    # could be exceeded. Such a row is an error naming the period and the contract year.
    c = _contract(
        frequency=FrequencyComponent(Decimal("10"), binary_hurdle=False),
        caps=CapsSpec(Decimal("1000")),
    )
    with pytest.raises(PbrError, match=r"period 2015 .*calendar year.*contract_year.*financial"):
        pay(c, pd.DataFrame([_row(), _annual(period="2015")]))
    cal = dataclasses.replace(c, contract_year="calendar_year")
    s = pay(cal, pd.DataFrame([_row(), _annual(period="2015")]))
    assert sorted(s.lines["component"]) == ["binary", "cap", "frequency"]
    # income in calendar 2015: binary 50 × £1000 + frequency 225 × £10 = £52,250 → cap £1,000
    assert s.total == Decimal("1000.00")


def test_volume_error_names_the_row_of_the_input_file() -> None:
    # the contract covers lot B only; the bad volume is on the table's 2nd row, not "row 1"
    band = FeeBand("starts", "start", Decimal("250"))
    vol = pd.DataFrame(
        {"lot": ["A", "B"], "period": ["2015Q4"] * 2, "unit": ["start"] * 2, "volume": [1, -4]}
    )
    with pytest.raises(PbrError, match=r"row 2: volume must be >= 0, got -4"):
        pay(_contract(fee_for_service=(band,), lots=("B",)), pd.DataFrame(), volumes=vol)
    vol2 = vol.assign(volume=[1, 4], unit=["start", "hour"])
    with pytest.raises(PbrError, match=r"row 2: unit 'hour' has no fee_for_service band"):
        pay(_contract(fee_for_service=(band,), lots=("B",)), pd.DataFrame(), volumes=vol2)


def test_non_numeric_error_names_the_row_of_the_input_table() -> None:
    # row 3 of the input is the bad one, though it is the 2nd quarterly row and row 1 of lot B
    t = pd.DataFrame([_row(lot="A"), _annual(lot="A"), _row(lot="B", o="x")])
    for contract in (_contract(), _contract(lots=("B",))):
        with pytest.raises(ValidationError) as e:
            pay(contract, t)
        assert _codes(e.value) == {(3, "reoffenders", "x", "not_a_number")}


def test_statements_compare_by_value() -> None:
    # `==` on two statements used to raise pandas' "truth value of a DataFrame is ambiguous"
    a = pay(_contract(), pd.DataFrame([_row()]))
    assert a == pay(_contract(), pd.DataFrame([_row()]))
    assert a != pay(_contract(), pd.DataFrame([_row(o=451)]))
    assert a != pay(_contract(alpha=0.01), pd.DataFrame([_row()]))
    assert a != "statement"


def test_peterborough_table_is_one_lot() -> None:
    # the pooled line pools one scheme's cohorts; with two lots it used to take the first
    # row's lot (row-order dependent). Now an error naming the lots.
    t = pd.DataFrame(
        {
            "lot": ["P1", "P2"],
            "cohort": ["1", "2"],
            "treated_n": [1000, 1000],
            "treated_events_per_100": [142, 130],
            "comparison_events_per_100": [155, 155],
        }
    )
    with pytest.raises(PbrError, match=r"Peterborough table: .*one lot.*P1, P2"):
        pay(preset("peterborough_sib"), t)


def test_interim_message_lists_rows_in_sorted_order() -> None:
    rows = [_row(lot=lot, period="2016Q1", status="interim") for lot in ("CPA09", "CPA02")]
    for order in (rows, rows[::-1]):
        with pytest.raises(InterimMeasureError, match=r"\(CPA02 2016Q1, CPA09 2016Q1\)"):
            pay(_contract(), pd.DataFrame(order))


def test_pay_from_files_warns_about_inputs_it_does_not_use(tmp_path: Path) -> None:
    # A file that does not take part in the payment is named in a warning and not recorded
    # in the manifest as an input (it used to be hashed as if it had been paid on).
    from pbr.errors import IgnoredOptionWarning
    from pbr.payments import example_assessment
    from pbr.pipeline import pay_from_files

    m = tmp_path / "m.csv"
    example_assessment(lot="CPA01").to_csv(m, index=False)  # a registry lot
    (tmp_path / "bl").mkdir()
    with pytest.warns(IgnoredOptionWarning, match="baseline .*ignored"):
        s = pay_from_files("tr_crc", measures=m, baseline=tmp_path / "bl")
    assert s.provenance["inputs"] == {"measures": str(m)}


@given(rows_strategy, money, money)
def test_every_binary_amount_is_the_hand_formula_rounded_once(rows, price, ded) -> None:
    # Oracle from the input table (not from the engine's units): amount = price × (E − O) on
    # a significant reduction, deduction price × (E − O) on a significant increase, else 0,
    # with E − O taken exactly from the printed inputs and rounded once, half up, to pence.
    from decimal import ROUND_HALF_UP

    t = _table(rows)
    s = pay(_contract(binary=BinaryComponent(price, ded)), t)
    by_key = {(r.lot, r.period): r for r in t.itertuples(index=False)}
    for line in s.lines.itertuples(index=False):
        row = by_key[(line.lot, line.period)]
        diff = Decimal(repr(float(row.expected_reoffenders))) - Decimal(int(row.reoffenders))
        unit_price = {"significant_reduction": price, "significant_increase": ded}.get(line.outcome)
        expected = (
            Decimal("0.00")
            if unit_price is None
            else (unit_price * diff).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        )
        assert line.amount == expected
        assert line.price == (ded if line.outcome == "significant_increase" else price)


@pytest.mark.parametrize("events", [np.nan, -5.0])
def test_peterborough_missing_or_negative_treated_events_is_an_error(events: float) -> None:
    # a missing treated rate used to give a silent "threshold_not_met" line paying £0
    t = pd.DataFrame(
        {
            "cohort": ["1"],
            "treated_n": [1000],
            "treated_events_per_100": [events],
            "comparison_events_per_100": [155],
        }
    )
    with pytest.raises(PbrError, match=r"(?m)^assessment +1 +treated_events_per_100 "):
        pay(preset("peterborough_sib"), t)


def test_doncaster_rates_are_proportions() -> None:
    # rates given as percentages (40, 45.7) would be read as a −570-point change: an error
    t = pd.DataFrame(
        {
            "cohort": ["1"],
            "cohort_rate": [40.0],
            "baseline_rate": [45.7],
            "core_contract_value": ["1000.00"],
        }
    )
    with pytest.raises(ValidationError) as e:
        pay(preset("doncaster"), t)
    assert ("cohort_rate", "out_of_range") in {(c, r) for _, c, _, r in _codes(e.value)}


def test_missing_lot_or_period_is_an_error() -> None:
    # a row without a lot used to be paid on a line with an empty lot
    t = pd.DataFrame([_row(lot="CPA01"), _row(lot="CPA02")])
    t.loc[1, "lot"] = None
    with pytest.raises(ValidationError) as e:
        pay(_contract(), t)
    assert _codes(e.value) == {(2, "lot", "<missing>", "missing_value")}


def test_the_engine_pays_each_scheme_through_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    # pay() looks the contract's scheme up in pbr.payments.registry.SCHEMES: replacing the
    # entry replaces the scheme's lines, and fees and caps are still added by the engine.
    from pbr.payments import registry

    assert set(registry.SCHEMES) == {"tr_crc", "custom", "peterborough_sib", "doncaster"}
    seen = []

    def toy(table: pd.DataFrame, annual: object, contract: Contract) -> list[dict]:
        from pbr.payments.lines import _money_line

        seen.append(len(table))
        return [
            _money_line(
                contract, Decimal("2.50"), Decimal(3), lot="A", period="2015Q4", component="target"
            )
        ]

    monkeypatch.setitem(registry.SCHEMES, "custom", toy)
    s = pay(Contract(name="toy", scheme="custom"), pd.DataFrame({"lot": ["A", "B"]}))
    assert seen == [2]
    assert s.lines["amount"].tolist() == [Decimal("7.50")]


def test_binary_amount_is_the_one_binary_rule() -> None:
    # methodology §7.1: price × (E − O) on a significant reduction, deduction price × (E − O)
    # (negative) on a significant increase, nothing otherwise; exact on Decimals,
    # element-wise on arrays (as pbr.simulate uses it), never a negative zero.
    from pbr.payments import binary_amount

    p, d = Decimal("1500.00"), Decimal("1000.00")
    assert binary_amount("significant_reduction", Decimal("50.5"), p, d) == Decimal("75750.00")
    assert binary_amount("significant_increase", Decimal("-3"), p, d) == Decimal("-3000.00")
    assert binary_amount("no_significant_change", Decimal("-3"), p, d) == 0
    out = binary_amount(
        np.array(["significant_reduction", "no_significant_change", "significant_increase"]),
        np.array([2.0, -4.0, -1.0]),
        10.0,
        7.0,
    )
    assert out.tolist() == [20.0, 0.0, -7.0]
    assert not np.signbit(out[1])
