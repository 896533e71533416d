"""Contracts: TOML validation (one test per bad kind), round-trips, presets."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from pbr.contracts import (
    BinaryComponent,
    Contract,
    FeeBand,
    Rounding,
    available_presets,
    load_contract,
    preset,
    preset_text,
)
from pbr.errors import ContractError

FULL = """
name = "full"
description = "every field"
scheme = "custom"
lots = ["CPA01", "CPA02"]
periods = ["2015Q4"]
baseline = "2011"
rules = ["convictions_only"]
adjustment = "none"
form = "ratio"
alpha = 0.1
contract_year = "calendar_year"
prices_are_illustrative = true

[binary]
price_per_reoffender_avoided = 1000.10
deduction_price = "900"
termination_rate_pp = 4.5
termination_point = 0.6

[frequency]
price_per_reoffence_avoided = 0.1
binary_hurdle = false
require_significance = false  # true needs measure = "per_reoffender"
measure = "per_offender"

[[fee_for_service]]
name = "low"
unit = "start"
price_per_unit = "10"
min_volume = 0
max_volume = 100

[[fee_for_service]]
name = "high"
unit = "start"
price_per_unit = "8"
min_volume = 100

[caps]
pbr_income_per_lot_per_year = "1000000"

[collars]
deductions_per_lot_per_year = "50000"

[rounding]
mode = "ROUND_HALF_EVEN"
quantum = "0.01"
"""

BASE = {
    "name": "t",
    "binary": {"price_per_reoffender_avoided": "100", "deduction_price": "100"},
}


def _with(**changes: object) -> dict:
    d = {k: (dict(v) if isinstance(v, dict) else v) for k, v in BASE.items()}
    for path, value in changes.items():
        keys = path.split("__")
        target = d
        for k in keys[:-1]:
            target = target.setdefault(k, {})
        if value is None:
            target.pop(keys[-1], None)
        else:
            target[keys[-1]] = value
    return d


def test_full_contract_parses_with_exact_decimals() -> None:
    c = Contract.from_toml(FULL)
    assert c.binary is not None and c.frequency is not None
    # TOML float 1000.10 becomes Decimal via str, not via binary float arithmetic
    assert c.binary.price_per_reoffender_avoided == Decimal("1000.1")
    assert c.frequency.price_per_reoffence_avoided == Decimal("0.1")
    assert c.lots == ("CPA01", "CPA02")
    assert c.alpha == 0.1
    assert c.fee_for_service[1].max_volume is None
    assert c.rounding.mode == "ROUND_HALF_EVEN"


@pytest.mark.parametrize("name", ["tr_crc", "peterborough_sib", "doncaster"])
def test_presets_round_trip_through_toml(name: str) -> None:
    c = preset(name)
    assert Contract.from_toml(c.to_toml()) == c
    assert Contract.from_dict(c.to_dict()) == c


def test_full_contract_round_trips() -> None:
    c = Contract.from_toml(FULL)
    assert Contract.from_toml(c.to_toml()) == c


def test_available_presets() -> None:
    assert available_presets() == ("doncaster", "peterborough_sib", "tr_crc")


def test_tr_crc_prices_labelled_illustrative() -> None:
    c = preset("tr_crc")
    assert c.prices_are_illustrative is True
    assert "ILLUSTRATIVE" in preset_text("tr_crc")
    assert c.alpha == 0.05 and c.adjustment == "ogrs3" and c.baseline == "2011"
    assert c.frequency is not None and c.frequency.binary_hurdle is True
    assert "illustrative" in c.summary()


def test_peterborough_and_doncaster_presets() -> None:
    p = preset("peterborough_sib")
    assert p.rules == ("convictions_only", "reconviction_events")
    assert p.comparison is not None
    assert (p.comparison.cohort_threshold, p.comparison.pooled_threshold) == (0.10, 0.075)
    d = preset("doncaster")
    assert d.rules == ("convictions_only",) and d.baseline == "2009"
    assert d.target is not None
    assert d.target.reduction_pp == 5.0 and d.target.repayment_share == Decimal("0.10")


def test_value_equality_and_frozen() -> None:
    a = Contract.from_dict(BASE)
    b = Contract.from_dict(BASE)
    assert a == b and a is not b
    assert a != dataclasses.replace(a, alpha=0.1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.alpha = 0.2  # type: ignore[misc]


def test_python_constructor_validates() -> None:
    c = Contract(name="x", binary=BinaryComponent(Decimal("1"), Decimal("2")))
    assert c.binary is not None and c.binary.deduction_price == Decimal("2")
    with pytest.raises(ContractError, match=r"^binary\.deduction_price: must be >= 0"):
        Contract(name="x", binary=BinaryComponent(Decimal("1"), Decimal("-2")))
    with pytest.raises(ContractError, match=r"^alpha:"):
        Contract(name="x", alpha=1.5)


def test_summary_and_html() -> None:
    c = Contract.from_toml(FULL)
    text = str(c)
    assert "£1000.1 per reoffender avoided" in text
    assert "fee low: £10 per start [0, 100)" in text
    assert "<pre>" in c._repr_html_()


def test_preset_overrides() -> None:
    assert preset("tr_crc", alpha=0.01).alpha == 0.01


# ---------------------------------------------------------------- one test per bad kind


def test_unknown_top_level_key() -> None:
    with pytest.raises(ContractError, match=r"^pricez: unknown key"):
        Contract.from_dict({**BASE, "pricez": 1})


def test_unknown_nested_key() -> None:
    with pytest.raises(ContractError, match=r"^binary\.price_per_reofender_avoided: unknown key"):
        Contract.from_dict(_with(binary__price_per_reofender_avoided=1))


def test_wrong_type() -> None:
    with pytest.raises(ContractError, match=r"^frequency\.binary_hurdle: expected true or false"):
        Contract.from_dict(
            {**BASE, "frequency": {"price_per_reoffence_avoided": 1, "binary_hurdle": "yes"}}
        )
    with pytest.raises(ContractError, match=r"^lots: expected a list of strings"):
        Contract.from_dict({**BASE, "lots": 3})


def test_missing_price() -> None:
    with pytest.raises(ContractError, match=r"^binary\.price_per_reoffender_avoided: missing"):
        Contract.from_dict(_with(binary__price_per_reoffender_avoided=None))


def test_negative_price() -> None:
    with pytest.raises(ContractError, match=r"^binary\.deduction_price: must be >= 0, got -5"):
        Contract.from_dict(_with(binary__deduction_price=-5))


def test_non_numeric_price() -> None:
    with pytest.raises(ContractError, match=r"^binary\.deduction_price: not a decimal amount"):
        Contract.from_dict(_with(binary__deduction_price="ten pounds"))


def test_price_with_too_many_decimals() -> None:
    with pytest.raises(ContractError, match=r"^binary\.deduction_price: at most 4 decimal places"):
        Contract.from_dict(_with(binary__deduction_price="0.00001"))


def test_overlapping_fee_bands() -> None:
    bands = [
        {"name": "a", "unit": "hour", "price_per_unit": "1", "min_volume": 0, "max_volume": 10},
        {"name": "b", "unit": "hour", "price_per_unit": "1", "min_volume": 5},
    ]
    with pytest.raises(
        ContractError, match=r"^fee_for_service\[1\]\.min_volume: band 'b' overlaps"
    ):
        Contract.from_dict({**BASE, "fee_for_service": bands})


def test_bands_of_different_units_may_share_ranges() -> None:
    bands = [
        {"name": "a", "unit": "hour", "price_per_unit": "1"},
        {"name": "b", "unit": "start", "price_per_unit": "1"},
    ]
    assert len(Contract.from_dict({**BASE, "fee_for_service": bands}).fee_for_service) == 2


@pytest.mark.parametrize("alpha", [0, 1, 1.5, -0.1, "0.05", True])
def test_bad_alpha(alpha: object) -> None:
    with pytest.raises(ContractError, match=r"^alpha:"):
        Contract.from_dict({**BASE, "alpha": alpha})


def test_unknown_rule_set() -> None:
    with pytest.raises(ContractError, match=r"^rules\[1\]: unknown value 'moj_unproven'"):
        Contract.from_dict({**BASE, "rules": ["moj_proven", "moj_unproven"]})


def test_unknown_scheme() -> None:
    with pytest.raises(ContractError, match=r"^scheme: unknown value 'tr_nps'"):
        Contract.from_dict({**BASE, "scheme": "tr_nps"})


def test_scheme_requires_its_component() -> None:
    with pytest.raises(ContractError, match=r"^target: missing"):
        Contract.from_dict({"name": "d", "scheme": "doncaster"})
    with pytest.raises(ContractError, match=r"^comparison: missing"):
        Contract.from_dict({"name": "p", "scheme": "peterborough_sib"})


def test_bad_rounding_mode_and_quantum() -> None:
    with pytest.raises(ContractError, match=r"^rounding\.mode: unknown value"):
        Contract.from_dict({**BASE, "rounding": {"mode": "BANKERS"}})
    with pytest.raises(ContractError, match=r"^rounding\.quantum:"):
        Contract.from_dict({**BASE, "rounding": {"quantum": "0.001"}})


def test_bad_threshold_and_share() -> None:
    with pytest.raises(ContractError, match=r"^comparison\.cohort_threshold: must be <= 1.0"):
        Contract.from_dict(
            {"name": "p", "comparison": {"price_per_event_avoided": 1, "cohort_threshold": 10}}
        )
    with pytest.raises(ContractError, match=r"^target\.repayment_share: must be <= 1"):
        Contract.from_dict({"name": "d", "target": {"repayment_share": 2}})


def test_duplicate_band_name() -> None:
    bands = [
        {"name": "a", "unit": "hour", "price_per_unit": "1", "max_volume": 10},
        {"name": "a", "unit": "hour", "price_per_unit": "1", "min_volume": 10},
    ]
    with pytest.raises(ContractError, match=r"^fee_for_service\[1\]\.name: duplicate"):
        Contract.from_dict({**BASE, "fee_for_service": bands})


def test_fee_band_max_below_min() -> None:
    with pytest.raises(ContractError, match=r"^fee_for_service\[0\]\.max_volume: must be >"):
        Contract.from_dict(
            {
                **BASE,
                "fee_for_service": [
                    {"name": "a", "price_per_unit": 1, "min_volume": 5, "max_volume": 5}
                ],
            }
        )
    assert FeeBand.from_dict({"name": "x", "price_per_unit": 1}).unit == "x"


def test_load_contract_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="cannot read contract"):
        load_contract(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n", encoding="utf-8")
    with pytest.raises(ContractError, match="not valid TOML"):
        load_contract(bad)
    good = tmp_path / "good.toml"
    good.write_text(FULL, encoding="utf-8")
    assert load_contract(good) == Contract.from_toml(FULL)


def test_unknown_preset() -> None:
    with pytest.raises(ContractError, match=r"^preset: unknown preset 'tr_nps'"):
        preset("tr_nps")


def test_rounding_quantum_that_is_not_a_power_of_ten() -> None:
    # quantum 0.05: to the nearest 5p (1.024 → 20.48 steps → 20 → £1.00; 1.025 → 20.5 → 21
    # → £1.05 with ROUND_HALF_UP); quantum 10: to the nearest £10. Decimal.quantize alone
    # would only use the quantum's exponent (£1.02, £14.99 → £15.00).
    five_p = Rounding.from_dict({"quantum": "0.05"})
    assert five_p.apply(Decimal("1.024")) == Decimal("1.00")
    assert five_p.apply(Decimal("1.025")) == Decimal("1.05")
    assert five_p.apply(Decimal("-1.025")) == Decimal("-1.05")
    tens = Rounding.from_dict({"quantum": "10"})
    assert tens.apply(Decimal("14.99")) == Decimal("10.00")
    assert tens.apply(Decimal("15")) == Decimal("20.00")
    assert Rounding.from_dict({"quantum": "1"}).apply(Decimal("2.5")) == Decimal("3.00")


_FREQ = {"price_per_reoffence_avoided": "1"}
_CMP = {"price_per_event_avoided": "1"}
_BAND = {"name": "b", "price_per_unit": "1"}


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"name": 3}, "name"),
        ({"description": 1}, "description"),
        ({"scheme": "sib"}, "scheme"),
        ({"lots": [1]}, r"lots\[0\]"),
        ({"periods": "x", "lots": 2.5}, "lots"),
        ({"periods": [None]}, r"periods\[0\]"),
        ({"baseline": 2011.5}, "baseline"),
        ({"rules": ["moj"]}, r"rules\[0\]"),
        ({"adjustment": "ogrs4"}, "adjustment"),
        ({"form": "log"}, "form"),
        ({"alpha": "0.05"}, "alpha"),
        ({"alpha": 0}, "alpha"),
        ({"contract_year": "tax_year"}, "contract_year"),
        ({"prices_are_illustrative": 1}, "prices_are_illustrative"),
        ({"binary": 5}, "binary"),
        ({"binary__deduction_price": None}, r"binary\.deduction_price"),
        ({"binary__deduction_price": "1e400000"}, r"binary\.deduction_price"),  # too large
        ({"binary__deduction_price": "100000000000000"}, r"binary\.deduction_price"),
        ({"binary__deduction_price": True}, r"binary\.deduction_price"),
        ({"binary__termination_rate_pp": "5"}, r"binary\.termination_rate_pp"),
        ({"binary__termination_point": 1.5}, r"binary\.termination_point"),
        ({"frequency": {**_FREQ, "measure": "x"}}, r"frequency\.measure"),
        (
            {"frequency": {**_FREQ, "require_significance": "no"}},
            r"frequency\.require_significance",
        ),
        ({"frequency": {}}, r"frequency\.price_per_reoffence_avoided"),
        ({"fee_for_service": {"name": "x"}}, "fee_for_service"),
        ({"fee_for_service": [{"price_per_unit": "1"}]}, r"fee_for_service\[0\]\.name"),
        ({"fee_for_service": [{**_BAND, "min_volume": -1}]}, r"fee_for_service\[0\]\.min_volume"),
        ({"fee_for_service": [{**_BAND, "unit": 7}]}, r"fee_for_service\[0\]\.unit"),
        ({"fee_for_service": [_BAND, {**_BAND, "bogus": 1}]}, r"fee_for_service\[1\]\.bogus"),
        ({"caps": {"total_pbr_income": "lots"}}, r"caps\.total_pbr_income"),
        ({"caps": {"pbr_income_per_lot_per_year": -1}}, r"caps\.pbr_income_per_lot_per_year"),
        (
            {"collars": {"deductions_per_lot_per_year": "x"}},
            r"collars\.deductions_per_lot_per_year",
        ),
        ({"collars": []}, "collars"),
        ({"comparison": {**_CMP, "cohort_threshold": 2}}, r"comparison\.cohort_threshold"),
        ({"comparison": {**_CMP, "pooled_threshold": "x"}}, r"comparison\.pooled_threshold"),
        ({"comparison": {}}, r"comparison\.price_per_event_avoided"),
        ({"target": {"reduction_pp": -1}}, r"target\.reduction_pp"),
        ({"target": {"repayment_share": "1.5"}}, r"target\.repayment_share"),
        ({"rounding": {"mode": "HALF_UP"}}, r"rounding\.mode"),
        ({"rounding": {"quantum": "0"}}, r"rounding\.quantum"),
    ],
)
def test_every_bad_contract_kind_fails_naming_the_key(changes: dict, key: str) -> None:
    with pytest.raises(ContractError, match=rf"^{key}: "):
        Contract.from_dict(_with(**changes))


def test_frequency_significance_needs_the_per_reoffender_measure() -> None:
    # Welch's test is on reoffences per reoffender (SPEC §5.2); a per-offender frequency
    # cannot require it, and the contract says so on load, naming the key.
    freq = {"price_per_reoffence_avoided": "1", "measure": "per_offender"}
    with pytest.raises(ContractError, match=r"^frequency\.require_significance: .*per_offender"):
        Contract.from_dict({**BASE, "frequency": {**freq, "require_significance": True}})
    assert Contract.from_dict({**BASE, "frequency": freq}).frequency is not None


def test_a_table_with_two_bad_values_reports_the_same_one_first() -> None:
    # the quantum and the repayment share are checked before the table's other values
    with pytest.raises(ContractError, match=r"^rounding\.quantum:"):
        Contract.from_dict({**BASE, "rounding": {"mode": "BANKERS", "quantum": "0.001"}})
    with pytest.raises(ContractError, match=r"^target\.repayment_share: must be <= 1"):
        Contract.from_dict({"name": "d", "target": {"reduction_pp": -1, "repayment_share": 2}})
    with pytest.raises(ContractError, match=r"^binary\.deduction_price:"):
        Contract.from_dict(_with(binary__deduction_price=-5, binary__termination_point=2))
