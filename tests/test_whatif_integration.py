"""End-to-end: sample data -> baseline -> assessment -> decomposition, what-if, simulation."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

pytest.importorskip("pbr.measures")

from pbr.baseline import build_baseline, compare_to_baseline
from pbr.contracts import preset
from pbr.decompose import decompose_change
from pbr.payments import pay
from pbr.sample import SAMPLE_EXTRACT_DATE, load_sample
from pbr.simulate import simulate_payments
from pbr.whatif import what_if


@pytest.fixture(scope="module")
def pipeline():
    s = load_sample()
    b = build_baseline(s.cohort, s.offences, extract_date=SAMPLE_EXTRACT_DATE, risk="ogrs3")
    a = compare_to_baseline(s.cohort, s.offences, b, extract_date=SAMPLE_EXTRACT_DATE)
    return b, a.table


def test_baseline_year_decomposes_to_zero(pipeline):
    _, table = pipeline
    d = decompose_change(table).table
    base = d[d["period"].str.startswith("2011")]
    assert len(base) > 0
    # the baseline compared with itself: O/N = b and E = O (lot x quarter intercepts)
    np.testing.assert_allclose(base[["total_pp", "mix_pp", "performance_pp"]], 0, atol=1e-9)
    np.testing.assert_allclose(d["mix_pp"] + d["performance_pp"], d["total_pp"], atol=1e-12)
    np.testing.assert_allclose(d["performance_pp"], table["change_pp"], atol=1e-9)


def test_what_if_matches_two_statements(pipeline):
    _, table = pipeline
    final = table[table["status"] == "final"]
    a, b = preset("tr_crc"), preset("tr_crc", alpha=0.2)
    w = what_if(final, a, b)
    sa, sb = pay(a, final), pay(b, final)
    assert sum(w.table["total_a"], Decimal(0)) == sa.total
    assert sum(w.table["total_b"], Decimal(0)) == sb.total
    # a looser alpha can only add significant outcomes, never remove them
    assert (sb.lines["outcome"] != "no_significant_change").sum() >= (
        sa.lines["outcome"] != "no_significant_change"
    ).sum()


def test_simulation_from_baseline(pipeline):
    b, _ = pipeline
    s = simulate_payments(b, [0.0], contract=preset("tr_crc"), n_sims=500)
    assert set(s.mdr["lot"]) == set(b.rates["lot"])
    assert (s.table["quarters"] == 4).all()
    assert (s.mdr["mdr_pp"].dropna() > 0).all()
