"""The HTML statement reconciles from its own figures, shows the terms and says what it pays."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

import pbr
from pbr.contracts import Contract
from pbr.payments import example_assessment
from pbr.report import render_statement_html
from pbr.report.statement_parts import contract_terms, line_expression

_EXPR = re.compile(r"^(−?[0-9.]+) × (−?)£([0-9,]+\.[0-9]{2}) = (−?)£([0-9,]+\.[0-9]{2})$")


def _evaluate(expression: str) -> tuple[Decimal, Decimal]:
    """(units × price rounded to the penny, the amount written), parsed from the text."""
    m = _EXPR.match(expression)
    assert m, expression
    units = Decimal(m[1].replace("−", "-"))
    price = Decimal(m[2].replace("−", "-") + m[3].replace(",", ""))
    amount = Decimal(m[4].replace("−", "-") + m[5].replace(",", ""))
    return (units * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), amount


@pytest.fixture(scope="module")
def sample_statement() -> pbr.payments.Statement:
    sample = pbr.datasets.load_sample()
    extract = sample.extract_date
    baseline = pbr.build_baseline(
        sample.cohort, sample.offences, extract_date=extract, year=2011, risk="ogrs3"
    )
    a = pbr.compare_to_baseline(sample.cohort, sample.offences, baseline, extract_date=extract)
    t = a.table
    return pbr.pay(pbr.preset("tr_crc"), t[(t["status"] == "final") & (t["period"] > "2012")])


def test_every_line_expression_equals_its_amount(sample_statement) -> None:
    lines = sample_statement.lines
    paid = 0
    for rec in lines.to_dict("records"):
        text = line_expression(rec)
        if Decimal(rec["amount"]).is_zero():
            assert text == "£0.00 (no payment)"
            continue
        computed, written = _evaluate(text)
        assert written == rec["amount"] == computed, text
        paid += 1
    assert paid >= 10
    # the example: CPA02 2015Q4, E 57.27344, O 44 at £1,500.00
    cpa02 = lines[(lines["lot"] == "CPA02") & (lines["period"] == "2015Q4")].iloc[0]
    assert line_expression(cpa02.to_dict()) == "13.27344 × £1,500.00 = £19,910.16"


def test_the_page_shows_each_calculation_and_the_terms(sample_statement) -> None:
    page = render_statement_html(
        sample_statement.lines, manifest={}, figures={}, contract=sample_statement.contract
    )
    assert "13.27344\u00a0×\u00a0£1,500.00\u00a0=\u00a0£19,910.16" in page
    assert ">57.27343962868887<" in page  # E exactly as the payment used it, not 57.27
    assert "<td>binary.deduction_<wbr>price</td><td>£1,500.00</td>" in page
    assert 'id="illustrative"' in page  # tr_crc says its prices are illustrative
    assert 'id="termination-summary"' in page
    assert "crossed a termination threshold" in page
    assert "component(s) on final periods" in page  # one sentence: what it pays
    assert "@media print" in page


def test_no_banner_when_prices_are_not_illustrative() -> None:
    contract = Contract.from_dict(
        {**pbr.preset("tr_crc").to_dict(), "prices_are_illustrative": False}
    )
    s = pbr.pay(contract, example_assessment(450))
    page = render_statement_html(s.lines, manifest={}, figures={}, contract=contract)
    assert 'id="illustrative"' not in page
    assert "No lot-period crossed a termination threshold." in page
    # E − O = 50 reoffenders avoided at £1,500.00
    assert "50\u00a0×\u00a0£1,500.00\u00a0=\u00a0£75,000.00" in page


def test_contract_terms_list_prices_alpha_caps_collars_hurdles() -> None:
    terms = contract_terms(pbr.preset("tr_crc")).set_index("term")["value"].to_dict()
    assert terms["alpha"] == "0.05 (two-sided)"
    assert terms["binary.deduction_price"] == "£1,500.00"
    assert terms["binary.termination_rate_pp"] == "5 percentage points"
    assert terms["frequency.binary_hurdle"] == "yes"
    assert terms["caps.pbr_income_per_lot_per_year"] == "£5,000,000.00"
    assert terms["collars.deductions_per_lot_per_year"] == "£2,500,000.00"
    assert terms["prices_are_illustrative"] == "yes"


def test_line_expression_declines_what_is_not_units_times_price() -> None:
    cap = {"units": 1.0, "price": Decimal("-500.00"), "amount": Decimal("-499.99")}
    assert line_expression(cap) == ""
    assert line_expression(pd.Series({"units": None, "price": None, "amount": "1"})) == ""
