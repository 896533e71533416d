"""The aggregate-table boundary (pbr.io._aggregate): one test per rule, each a defect of issue 11.

Every rejected table raises one ValidationError whose failure table names the
row, the column, the value and a reason starting with a stable code.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given

from pbr.contracts import BinaryComponent, CapsSpec, Contract, FrequencyComponent, preset
from pbr.errors import PbrError, ValidationError
from pbr.lots import default_registry
from pbr.payments import pay
from pbr.pipeline import pay_from_files


def _codes(err: ValidationError) -> set[tuple[int | str, str, str, str]]:
    f = err.failures
    return {
        (r if r == "-" else int(r), str(c), str(v), str(x).split(":")[0])
        for r, c, v, x in zip(f["row"], f["column"], f["value"], f["reason"], strict=True)
    }


def _binary(price: str = "1000") -> Contract:
    return Contract(name="t", binary=BinaryComponent(Decimal(price), Decimal(price)))


def _freq(**kw: object) -> Contract:
    comp = FrequencyComponent(Decimal("10"), binary_hurdle=False)
    return Contract(name="t", binary=None, frequency=comp, **kw)  # type: ignore[arg-type]


def _q(lot: str = "CPA01", period: str = "2015Q4", **kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "lot": lot,
        "period": period,
        "cohort_size": 1000,
        "reoffenders": 450,
        "expected_reoffenders": 500.0,
        "expected_variance": 250.0,
        "baseline_binary": 0.5,
    }
    row.update(kw)
    return row


def _a(**kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "lot": "CPA01",
        "period": "2015/16",
        "cohort_size": 100,
        "reoffenders": 30,
        "reoffences": 100,
        "baseline_frequency": 3.5,
    }
    row.update(kw)
    return row


def _rejects(contract: Contract, rows: list[dict[str, object]], **kw: object) -> set:
    with pytest.raises(ValidationError) as e:
        pay(contract, pd.DataFrame(rows), **kw)  # type: ignore[arg-type]
    return _codes(e.value)


# ------------------------------------------------------------------ labels


def test_lot_spellings_of_one_lot_are_one_lot_and_a_repeat_is_an_error(tmp_path: Path) -> None:
    # "CPA01", "CPA01 " and "cpa01" used to be three lots paid three times
    t = pd.DataFrame([_q("CPA01"), _q("CPA01 "), _q("cpa01")])
    path = tmp_path / "m.csv"
    t.to_csv(path, index=False)
    with pytest.raises(ValidationError) as e:
        pay_from_files("tr_crc", measures=path)
    assert {(r, code) for r, _, _, code in _codes(e.value)} == {
        (1, "duplicate_key"),
        (2, "duplicate_key"),
        (3, "duplicate_key"),
    }


def test_lot_labels_resolve_to_the_registry_code() -> None:
    s = pay(_binary(), pd.DataFrame([_q(" cpa01"), _q("London")]), lots=default_registry())
    assert sorted(s.lines["lot"]) == ["CPA01", "CPA15"]


def test_unknown_lot_is_an_error_not_paid() -> None:
    codes = _rejects(_binary(), [_q("CPA99")], lots=default_registry())
    assert codes == {(1, "lot", "CPA99", "unknown_lot")}


def test_a_cap_cannot_be_dodged_by_spelling_the_lot_in_another_case() -> None:
    # without a registry, two labels differing only in case are refused (never two lots)
    c = _binary()
    c = Contract(
        name="t", binary=c.binary, caps=CapsSpec(pbr_income_per_lot_per_year=Decimal("1000"))
    )
    codes = _rejects(c, [_q("CPA01"), _q("cpa01", period="2016Q1")])
    assert codes == {(2, "lot", "cpa01", "lot_case_clash")}


def test_malformed_period_label_is_an_error() -> None:
    codes = _rejects(_freq(), [_a(period="2015/99")])
    assert codes == {(1, "period", "2015/99", "bad_period")}


def test_status_is_final_or_interim() -> None:
    codes = _rejects(_binary(), [_q(status="finished")])
    assert codes == {(1, "status", "finished", "bad_status")}


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("reoffenders", 450.5, "not_a_count"),
        ("cohort_size", 999.9, "not_a_count"),
        ("reoffenders", -1, "not_a_count"),
        ("reoffenders", 1001, "count_exceeds_cohort"),
        ("baseline_binary", 1.5, "out_of_range"),
        ("expected_reoffenders", "lots", "not_a_number"),
        ("expected_reoffenders", "inf", "not_a_number"),
    ],
)
def test_impossible_binary_values(column: str, value: object, code: str) -> None:
    codes = _rejects(_binary(), [_q(**{column: value})])
    assert (1, column, str(value), code) in codes


@pytest.mark.parametrize("rate", [-0.5, 0.5])
def test_frequency_rates_below_one_are_errors(rate: float) -> None:
    codes = _rejects(_freq(), [_a(reoffences_per_reoffender=rate, reoffences=np.nan)])
    assert codes == {(1, "reoffences_per_reoffender", str(rate), "out_of_range")}


def test_variance_above_the_binomial_bound_is_an_error() -> None:
    # E = 500 of N = 1000: V <= 500 × 0.5 = 250; 400 would hide a significant increase
    codes = _rejects(_binary(), [_q(reoffenders=560, expected_variance=400.0)])
    assert codes == {(1, "expected_variance", "400.0", "variance_bound")}
    pay(_binary(), pd.DataFrame([_q(expected_variance=250.0)]))  # the bound itself is fine


def test_every_failing_row_is_listed_at_once() -> None:
    rows = [_q(reoffenders=-1), _q("CPA02", baseline_binary=2.0), _q("CPA03", status="x")]
    assert {r for r, *_ in _rejects(_binary(), rows)} == {1, 2, 3}


# ------------------------------------------------------------------ rates and counts


def test_rate_that_disagrees_with_its_counts_is_an_error_naming_the_row() -> None:
    # R/O = 100/30 = 3.333…: 3.33 agrees to its printed rounding, 3.4 does not
    codes = _rejects(_freq(), [_a(), _a(lot="CPA02", reoffences_per_reoffender=3.4)])
    assert codes == {(2, "reoffences_per_reoffender", "3.4", "rate_disagrees_with_counts")}


def test_counts_win_over_a_rounded_rate() -> None:
    # exact: 3.5 × 30 − 100 = 5 reoffences avoided = £50.00; the rounded 3.33 would pay £51.00
    s = pay(_freq(), pd.DataFrame([_a(reoffences_per_reoffender=3.33)]))
    assert s.total == Decimal("50.00")


def test_blank_rate_with_counts_is_computed_from_the_counts() -> None:
    # used to be paid £0 ("frequency undefined")
    s = pay(_freq(), pd.DataFrame([_a(reoffences_per_reoffender=np.nan)]))
    assert s.total == Decimal("50.00")


def test_expected_from_a_rate_is_decimal_rate_times_n() -> None:
    # E = 0.30018943 × 1000 = 300.18943 exactly; E − O = 62.18943; × £1,500 = £93,284.145
    # → £93,284.15 (ROUND_HALF_UP). The float product 300.18942999999996 gave £93,284.14.
    row = _q(reoffenders=238, expected_rate=0.30018943, expected_variance=np.nan)
    del row["expected_reoffenders"]
    s = pay(_binary("1500"), pd.DataFrame([row]))
    assert s.total == Decimal("93284.15")


def test_doncaster_counts_win_over_a_printed_rate() -> None:
    t = pd.DataFrame(
        {
            "cohort": ["1"],
            "cohort_size": [1000],
            "reconvicted": [400],
            "cohort_rate": [0.5],
            "baseline_rate": [0.457],
            "core_contract_value": ["1000.00"],
        }
    )
    with pytest.raises(ValidationError) as e:
        pay(preset("doncaster"), t)
    assert _codes(e.value) == {(1, "cohort_rate", "0.5", "rate_disagrees_with_counts")}


def test_peterborough_blank_count_beside_a_rate_is_refused_never_derived() -> None:
    # counts win over rates, never a guess: 42.5 per 100 of 200 is 85 events, but a rate
    # printed to 1 dp cannot pin down the count in general (33.3 of 301: 100.2 → 100?); the
    # blank cell is refused with its own code, whatever the rate
    t = pd.DataFrame(
        {
            "cohort": ["1", "2", "3"],
            "treated_n": ["200", "301", "100"],
            "treated_events": ["85", "", ""],
            "treated_events_per_100": ["42.5", "33.3", ""],
            "comparison_events_per_100": ["80", "80", "80"],
        }
    )
    with pytest.raises(ValidationError) as e:
        pay(preset("peterborough_sib"), t)
    assert _codes(e.value) == {
        (2, "treated_events", "<missing>", "count_blank_rate_given"),
        (3, "treated_events", "<missing>", "missing_value"),
        (3, "treated_events_per_100", "<missing>", "missing_value"),
    }
    # the whole count column left out: paid on the printed rate (the documented fallback)
    rate_only = t.drop(columns="treated_events").iloc[:1]
    assert (
        pay(preset("peterborough_sib"), rate_only).total
        == pay(preset("peterborough_sib"), t.iloc[:1]).total
    )


# ------------------------------------------------------------------ contract selection


@pytest.mark.parametrize(("key", "value"), [("lots", ("CPA02",)), ("periods", ("2017Q1",))])
def test_contract_selecting_nothing_is_an_error(key: str, value: tuple[str, ...]) -> None:
    # used to give an empty £0.00 statement with exit 0
    c = Contract(name="t", binary=_binary().binary, **{key: value})  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as e:
        pay(c, pd.DataFrame([_q()]))
    assert _codes(e.value) == {("-", key, ", ".join(value), "selects_nothing")}


def test_contract_lots_resolve_through_the_registry() -> None:
    c = Contract(name="t", binary=_binary().binary, lots=("London",))
    s = pay(c, pd.DataFrame([_q("CPA15"), _q("CPA01")]), lots=default_registry())
    assert s.lines["lot"].tolist() == ["CPA15"]


# ------------------------------------------------------------------ properties

_rows = st.lists(
    st.tuples(
        st.sampled_from(["CPA01", "CPA02", "CPA03", "CPA04"]),
        st.sampled_from(["2015Q4", "2016Q1", "2015/99"]),
        st.integers(-2, 60),
        st.integers(0, 70),
        st.floats(0, 1.2, allow_nan=False).map(lambda x: round(x, 3)),
    ),
    min_size=1,
    max_size=5,
)


def _frame(rows: list[tuple[str, str, int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lot": [r[0] for r in rows],
            "period": [r[1] for r in rows],
            "cohort_size": [r[2] for r in rows],
            "reoffenders": [r[3] for r in rows],
            "baseline_binary": [r[4] for r in rows],
        }
    )


def _outcome(fn: object) -> object:
    try:
        s = fn()  # type: ignore[operator]
    except ValidationError as e:
        return ("error", sorted(_codes(e)))
    except PbrError as e:
        return ("pbr error", str(e))
    return ("ok", s.total, s.lines["amount"].tolist(), s.lines["lot"].tolist())


@given(_rows)
def test_csv_parquet_and_dataframe_give_the_same_result_or_error(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str, int, int, float]]
) -> None:
    t = _frame(rows)
    d = tmp_path_factory.mktemp("rt")
    t.to_csv(d / "m.csv", index=False)
    t.to_parquet(d / "m.parquet", index=False)
    reg = default_registry()
    c = preset("tr_crc")
    direct = _outcome(lambda: pay(c, t, lots=reg))
    assert _outcome(lambda: pay_from_files("tr_crc", measures=d / "m.csv")) == direct
    assert _outcome(lambda: pay_from_files("tr_crc", measures=d / "m.parquet")) == direct


@given(
    st.lists(
        st.tuples(st.sampled_from(sorted(default_registry().codes)), st.integers(0, 400)),
        min_size=1,
        max_size=4,
        unique_by=lambda r: r[0],
    ),
    st.sampled_from(["pad", "lower", "name"]),
)
def test_normalising_labels_never_changes_a_payment_of_clean_data(
    rows: list[tuple[str, int]], how: str
) -> None:
    reg = default_registry()
    clean = pd.DataFrame([_q(lot, reoffenders=o) for lot, o in rows])
    spelled = clean.copy()
    spelled["lot"] = [
        {"pad": f"  {lot} ", "lower": lot.lower(), "name": reg.name_of(lot)}[how]
        for lot in clean["lot"]
    ]
    a, b = pay(_binary(), clean, lots=reg), pay(_binary(), spelled, lots=reg)
    assert a.total == b.total
    pd.testing.assert_frame_equal(a.lines, b.lines)
