"""Tests for pbr.whatif (re-paying a history under another contract design)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pandas as pd
import pytest

from pbr.contracts import preset
from pbr.errors import PbrError
from pbr.whatif import what_if


def quarterly():
    # E = 500, V = 250 (sd 15.81): O = 465 -> z = -2.214, p = 0.027 (significant at 0.05,
    # not at 0.01); O = 450 -> z = -3.16, p = 0.0016 (significant at both)
    return pd.DataFrame(
        {
            "lot": ["A", "B"],
            "period": ["2015Q4", "2015Q4"],
            "cohort_size": [1000, 1000],
            "reoffenders": [465, 450],
            "expected_reoffenders": [500.0, 500.0],
            "expected_variance": [250.0, 250.0],
            "baseline_binary": [0.5, 0.5],
        }
    )


def test_alpha_change_by_hand():
    w = what_if(quarterly(), preset("tr_crc"), preset("tr_crc", alpha=0.01))
    t = w.table.set_index("lot")
    # tr_crc illustrative price 1500 per reoffender avoided
    assert t.loc["A", "total_a"] == Decimal("52500.00")  # 1500 x 35
    assert t.loc["A", "total_b"] == Decimal("0.00")
    assert t.loc["B", "total_a"] == t.loc["B", "total_b"] == Decimal("75000.00")  # 1500 x 50
    assert t.loc["A", "difference"] == Decimal("-52500.00")
    assert w.total_difference == Decimal("-52500.00")
    assert all(isinstance(v, Decimal) for v in w.table["difference"])


def test_price_change_by_hand():
    base = preset("tr_crc")
    dearer = dataclasses.replace(
        base,
        name="dearer",
        binary=dataclasses.replace(base.binary, price_per_reoffender_avoided=Decimal("2000.00")),
    )
    w = what_if(quarterly(), base, dearer)
    t = w.table.set_index("lot")
    assert t.loc["A", "total_b"] == Decimal("70000.00")  # 2000 x 35
    assert t.loc["B", "difference"] == Decimal("25000.00")  # 500 x 50
    comp = w.by_component.set_index(["lot", "component"])
    assert comp.loc[("B", "binary"), "difference"] == Decimal("25000.00")
    assert w.name_b == "dearer"


def test_frequency_measure_per_offender_by_hand():
    annual = pd.DataFrame(
        {
            "lot": ["A"],
            "period": ["2015/16"],
            "cohort_size": [1000],
            "reoffenders": [450],
            "expected_reoffenders": [500.0],
            "expected_variance": [250.0],
            "baseline_binary": [0.5],
            "reoffences": [1350],
            "reoffences_per_reoffender": [3.0],
            "baseline_frequency": [3.2],
            "reoffences_per_offender": [1.35],
            "baseline_reoffences_per_offender": [1.5],
        }
    )
    base = preset("tr_crc")
    per_off = dataclasses.replace(
        base, frequency=dataclasses.replace(base.frequency, measure="per_offender")
    )
    w = what_if(annual, base, per_off)
    t = w.table.set_index("lot")
    # per reoffender: (3.2 - 3.0) x 450 = 90 avoided x 250 = 22 500
    # per offender: (1.5 - 1.35) x 1000 = 150 avoided x 250 = 37 500
    assert t.loc["A", "total_a"] == Decimal("22500.00")
    assert t.loc["A", "total_b"] == Decimal("37500.00")
    assert t.loc["A", "difference"] == Decimal("15000.00")


def test_lot_only_under_one_contract():
    w = what_if(quarterly(), preset("tr_crc"), preset("tr_crc", lots=("A",)))
    t = w.table.set_index("lot")
    assert t.loc["B", "total_b"] == Decimal("0.00")
    assert t.loc["B", "difference"] == Decimal("-75000.00")
    assert w.table["lot"].tolist() == ["A", "B"]


def test_statements_kept_and_outputs():
    w = what_if(quarterly(), preset("tr_crc"), preset("tr_crc", alpha=0.01))
    assert w.statement_a.total - w.statement_b.total == -w.total_difference
    assert "B − A" in str(w.summary())
    assert len(w.plot().patches) == 4
    assert "<table" in w._repr_html_()


def test_rejects_non_contract():
    with pytest.raises(PbrError, match="contract_b"):
        what_if(quarterly(), preset("tr_crc"), {"alpha": 0.1})
