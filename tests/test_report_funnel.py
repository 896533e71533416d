"""The funnel plot is the payment test: outside the drawn limits exactly when paid/deducted."""

from __future__ import annotations

import math
from decimal import Decimal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.text import Text

import pbr
from pbr.adjustment import binary_test
from pbr.errors import PbrError
from pbr.report import plot_funnel
from pbr.report.funnel import funnel_points

Z975 = 1.959963984540054  # standard normal 97.5 % quantile (tables: 1.95996)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _drawn_outside(ax) -> list[tuple[float, float, bool]]:
    """Each drawn point, and whether it lies outside the drawn dashed funnel."""
    upper = next(ln for ln in ax.get_lines() if ln.get_linestyle() == "--")
    gx, gy = upper.get_xdata(), upper.get_ydata()
    out = []
    for coll in ax.collections:
        for x, y in coll.get_offsets():
            # the funnel is a straight line in log-log space: interpolation there is exact
            limit = math.exp(np.interp(math.log(x), np.log(gx), np.log(gy)))
            out.append((round(float(x), 9), round(float(y), 9), bool(abs(y) > limit)))
    return sorted(out)


def _check_agreement(table: pd.DataFrame, alpha: float, flagged_keys: set) -> None:
    ax = plot_funnel(table, alpha=alpha, max_labels=0)
    points = funnel_points(table, alpha)
    expected = sorted(
        (round(float(x), 9), round(float(y), 9), key in flagged_keys)
        for key, x, y in zip(
            zip(points["lot"], points["period"], strict=True),
            points["n_eff"],
            points["change_pp"],
            strict=True,
        )
    )
    assert _drawn_outside(ax) == expected


def test_funnel_agrees_with_the_payments_on_the_sample() -> None:
    sample = pbr.datasets.load_sample()
    extract = sample.extract_date
    baseline = pbr.build_baseline(
        sample.cohort, sample.offences, extract_date=extract, year=2011, risk="ogrs3"
    )
    a = pbr.compare_to_baseline(sample.cohort, sample.offences, baseline, extract_date=extract)
    t = a.table
    paid = t[(t["status"] == "final") & (t["period"].str[:4] != "2011")]
    contract = pbr.preset("tr_crc")
    statement = pbr.pay(contract, paid)
    binary = statement.lines[statement.lines["component"] == "binary"]
    money = binary[[Decimal(str(x)) != 0 for x in binary["amount"]]]
    flagged_by_pay = set(zip(money["lot"], money["period"], strict=True))
    assert len(flagged_by_pay) >= 10  # the sample has many paid quarters: the test has teeth
    _check_agreement(paid, contract.alpha, flagged_by_pay)
    # the baseline year is left out, and only flagged points are labelled
    ax = plot_funnel(t, alpha=contract.alpha, baseline_year=2011)
    labels = {tuple(x.get_text().split()) for x in ax.texts}
    interim_flagged = funnel_points(t[t["status"] == "interim"], contract.alpha)
    expected = flagged_by_pay | set(
        zip(
            interim_flagged.loc[interim_flagged["flagged"], "lot"],
            interim_flagged.loc[interim_flagged["flagged"], "period"],
            strict=True,
        )
    )
    assert labels == expected
    assert not any(p.startswith("2011") for _, p in labels)
    assert len(_drawn_outside(ax)) == int((t["period"].str[:4] != "2011").sum())


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(20, 3000),  # N
            st.floats(0.05, 0.95),  # e
            st.floats(0.3, 1.0),  # V / (N e (1 - e)): per-lot variances differ
            st.floats(-0.2, 0.2),  # (O - E) / N before rounding
        ),
        min_size=2,
        max_size=25,
    ),
    alpha=st.sampled_from([0.01, 0.05, 0.1, 0.2]),
)
def test_funnel_agrees_with_binary_test_on_generated_data(rows, alpha) -> None:
    n = np.array([r[0] for r in rows], dtype=float)
    e = np.array([r[1] for r in rows]) * n
    v = np.array([r[2] for r in rows]) * e * (1 - e / n)
    o = np.clip(np.round(e + np.array([r[3] for r in rows]) * n), 0, n)
    table = pd.DataFrame(
        {
            "lot": [f"L{i:02d}" for i in range(len(rows))],
            "period": ["2016Q1"] * len(rows),
            "cohort_size": n.astype(int),
            "reoffenders": o.astype(int),
            "expected_reoffenders": e,
            "expected_variance": v,
        }
    )
    test = binary_test(o, e, n, np.full(len(n), 0.5), variance=v, alpha=alpha)
    significant = test["outcome"] != "no_significant_change"
    # stay clear of the boundary, where float rounding could decide either way
    margin = np.abs(np.abs(test["z"]) - funnel_z(alpha)) > 1e-9
    keys = set(table.loc[significant.to_numpy(), "lot"].map(lambda lot: (lot, "2016Q1")))
    kept = table[margin.to_numpy()]
    if len(kept):
        _check_agreement(kept, alpha, keys)
    plt.close("all")


def funnel_z(alpha: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(1 - alpha / 2)


def test_funnel_points_by_hand() -> None:
    # N 1000, O 450, E 500, V 250: z = -50/sqrt(250) = -3.1623; limit 1.96 * sqrt(250)/1000
    t = pd.DataFrame(
        {
            "lot": ["A", "B"],
            "period": ["2016Q1", "2016Q1"],
            "cohort_size": [1000, 1000],
            "reoffenders": [450, 480],
            "expected_reoffenders": [500.0, 500.0],
            "expected_variance": [250.0, 250.0],
        }
    )
    p = funnel_points(t)
    assert p["z"].tolist() == pytest.approx([-3.16227766, -1.26491106])
    assert p["limit_pp"].tolist() == pytest.approx([Z975 * math.sqrt(250) / 10] * 2)
    assert p["flagged"].tolist() == [True, False]
    assert p["outcome"].tolist() == ["significant_reduction", "no_significant_change"]
    # e_bar = 1000/2000 = .5: n_eff = .25 * 1000**2 / 250 = 1000
    assert p["n_eff"].tolist() == pytest.approx([1000.0, 1000.0])


def test_funnel_without_variance_uses_the_binomial_approximation() -> None:
    t = pd.DataFrame({"cohort_size": [400], "expected_rate": [0.3], "change_pp": [-5.0]})
    p = funnel_points(t)
    assert p["limit_pp"].iloc[0] == pytest.approx(Z975 * math.sqrt(0.3 * 0.7 / 400) * 100)
    assert p["n_eff"].iloc[0] == pytest.approx(400.0)


def test_funnel_labels_flagged_only_without_overlap() -> None:
    n = 30
    t = pd.DataFrame(
        {
            "lot": [f"L{i:02d}" for i in range(n)],
            "period": ["2016Q1"] * n,
            "cohort_size": [500] * n,
            "reoffenders": [150 + (i % 3) for i in range(n)],  # all alike: labels would pile up
            "expected_reoffenders": [200.0] * n,
        }
    )
    ax = plot_funnel(t)
    assert len(ax.texts) == n
    ax.figure.canvas.draw()
    r = ax.figure.canvas.get_renderer()
    boxes = [Text.get_window_extent(x, r) for x in ax.texts]  # the label, not its leader
    overlaps = sum(boxes[i].overlaps(boxes[j]) for i in range(n) for j in range(i + 1, n))
    assert overlaps == 0
    assert len(plot_funnel(t, max_labels=3).texts) == 3


def _label_and_marker_boxes(ax) -> tuple[list, list]:
    """Renderer extents of the labels, and each marker's square (its size, with its edge)."""
    from matplotlib.transforms import Bbox

    fig = ax.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    labels = [Text.get_window_extent(t, r) for t in ax.texts]  # the text, not its leader
    markers = []
    for coll in ax.collections:
        half = [0.5 * math.sqrt(s) * fig.dpi / 72 for s in coll.get_sizes()]
        for (px, py), h in zip(
            ax.transData.transform(coll.get_offsets()), half * len(coll.get_offsets()), strict=False
        ):
            markers.append(Bbox.from_extents(px - h, py - h, px + h, py + h))
    return labels, markers


def test_funnel_labels_touch_no_marker_and_no_label_on_the_sample() -> None:
    sample = pbr.datasets.load_sample()
    extract = sample.extract_date
    baseline = pbr.build_baseline(sample.cohort, sample.offences, extract_date=extract,
                                  year=2011, progress=False)  # fmt: skip
    a = pbr.compare_to_baseline(sample.cohort, sample.offences, baseline, extract_date=extract)
    ax = plot_funnel(a.table, baseline_year=2011)
    names = [t.get_text() for t in ax.texts]
    # the dense lower-left corner that used to collide
    assert {"CPA13 2016Q3", "CPA20 2015Q4"} <= set(names) and len(names) >= 20
    labels, markers = _label_and_marker_boxes(ax)
    assert len(markers) == len(funnel_points(a.table, baseline_year=2011))
    frame = ax.get_window_extent()
    for name, box in zip(names, labels, strict=True):
        touched = [m for m in markers if box.overlaps(m)]
        assert not touched, f"label {name!r} covers {len(touched)} marker(s)"
        assert frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1), name
    pairs = [(names[i], names[j]) for i in range(len(labels)) for j in range(i + 1, len(labels))
             if labels[i].overlaps(labels[j])]  # fmt: skip
    assert pairs == []


def test_funnel_errors() -> None:
    with pytest.raises(PbrError, match="alpha"):
        funnel_points(pd.DataFrame({"cohort_size": [1]}), alpha=1.5)
    with pytest.raises(PbrError, match="expected_rate"):
        plot_funnel(pd.DataFrame({"cohort_size": [10], "change_pp": [1.0]}))
    with pytest.raises(PbrError, match="no row"):
        plot_funnel(pd.DataFrame({"cohort_size": [0], "change_pp": [1.0], "expected_rate": [0.2]}))
