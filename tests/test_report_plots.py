"""pbr.report.plots: each plot returns its Axes with the expected artists and values."""

from __future__ import annotations

import math
from decimal import Decimal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

from pbr.errors import PbrError
from pbr.report import plot_balance, plot_funnel, plot_rates, plot_waterfall, waterfall_steps
from pbr.report.style import format_money, series_style

Z975 = 1.959963984540054  # standard normal 97.5 % quantile (tables: 1.95996)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _measures() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lot": ["B", "B", "A", "A", "A"],
            "period": ["2016Q2", "2016Q1", "2016Q1", "2016Q2", "2016Q3"],
            "binary_rate": [0.40, 0.42, 0.30, 0.28, 0.25],
            "binary_ci_low": [0.36, 0.38, 0.27, 0.25, 0.21],
            "binary_ci_high": [0.44, 0.46, 0.33, 0.31, 0.29],
            "status": ["final", "final", "final", "final", "interim"],
        }
    )


def _data_lines(ax: Axes, label: str) -> list:
    return [ln for ln in ax.get_lines() if ln.get_label() == label]


# ------------------------------------------------------------------ rates


def test_plot_rates_one_line_per_lot_in_percent_on_sorted_periods() -> None:
    ax = plot_rates(_measures())
    assert isinstance(ax, Axes)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2016Q1", "2016Q2", "2016Q3"]
    (a,) = _data_lines(ax, "A")
    (b,) = _data_lines(ax, "B")
    np.testing.assert_allclose(a.get_ydata(), [30.0, 28.0, 25.0])
    np.testing.assert_allclose(b.get_ydata(), [42.0, 40.0])  # sorted by period
    # two lots -> two error-bar containers, with the interval half-widths in pp
    assert len(ax.containers) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["A", "B"]
    # greyscale-safe: the two lots differ in marker AND line style
    assert a.get_marker() != b.get_marker()
    assert a.get_linestyle() != b.get_linestyle()


def test_plot_rates_interim_periods_are_hollow() -> None:
    ax = plot_rates(_measures())
    hollow = [ln for ln in ax.get_lines() if ln.get_markerfacecolor() == "white"]
    assert len(hollow) == 1
    assert list(hollow[0].get_ydata()) == pytest.approx([25.0])


def test_plot_rates_baseline_matches_quarter_of_year_then_annual() -> None:
    baseline = pd.DataFrame(
        {
            "lot": ["A", "A", "A", "A", "B"],
            "period": ["2011Q1", "2011Q2", "2011Q3", "2011", "2011"],
            "baseline_binary": [0.31, 0.32, 0.33, 0.35, 0.45],
        }
    )
    ax = plot_rates(_measures(), baseline)
    steps = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":" and len(ln.get_ydata())]
    assert len(steps) == 2
    ys = sorted(tuple(np.round(ln.get_ydata(), 6)) for ln in steps)
    assert ys == [(31.0, 32.0, 33.0), (45.0, 45.0)]
    assert ax.get_legend().get_texts()[-1].get_text() == "baseline (dotted)"


def test_plot_rates_lot_selection_and_errors() -> None:
    ax = plot_rates(_measures(), lots=["B"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["B"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2016Q1", "2016Q2"]
    with pytest.raises(PbrError, match="Z"):
        plot_rates(_measures(), lots=["Z"])
    with pytest.raises(PbrError, match="binary_rate"):
        plot_rates(_measures().drop(columns="binary_rate"))
    with pytest.raises(PbrError, match="numeric"):
        plot_rates(_measures().assign(binary_rate=["x"] * 5))


def test_plot_rates_draws_on_given_axes_without_intervals() -> None:
    _fig, given = plt.subplots()
    table = _measures().drop(columns=["binary_ci_low", "binary_ci_high", "status"])
    ax = plot_rates(table, ax=given)
    assert ax is given
    assert len(ax.containers) == 0


# ------------------------------------------------------------------ funnel


def _assessment() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lot": ["A", "B", "C", "D"],
            "period": ["2016Q1"] * 4,
            "cohort_size": [100, 300, 400, 1000],
            "expected_rate": [0.2, 0.4, 0.35, 0.35],
            "change_pp": [5.0, -1.0, 7.5, -4.0],
            "outcome": [
                "no_significant_change",
                "no_significant_change",
                "significant_increase",
                "significant_reduction",
            ],
        }
    )


def test_plot_funnel_limits_are_hand_computed() -> None:
    ax = plot_funnel(_assessment())
    upper, lower = _data_lines(ax, "95 % limits")[0], None
    lower = next(ln for ln in ax.get_lines() if ln.get_linestyle() == "--" and ln is not upper)
    # e = weighted mean = (0.2*100 + 0.4*300 + 0.35*400 + 0.35*1000) / 1800 = 630/1800 = 0.35
    e = 0.35
    n = upper.get_xdata()
    np.testing.assert_allclose(upper.get_ydata(), Z975 * np.sqrt(e * (1 - e) / n) * 100)
    np.testing.assert_allclose(lower.get_ydata(), -upper.get_ydata())
    # at N = 400 the limit is 1.96 * sqrt(.35*.65/400) * 100 = 4.674 pp (by hand)
    assert Z975 * math.sqrt(0.35 * 0.65 / 400) * 100 == pytest.approx(4.674, abs=1e-3)


def test_plot_funnel_labels_only_points_outside_and_marks_outcomes() -> None:
    ax = plot_funnel(_assessment())
    # limits: A 9.35 (5 inside), B 5.40 (-1 inside), C 4.67 (7.5 outside), D 2.96 (-4 outside)
    assert sorted(t.get_text() for t in ax.texts) == ["C 2016Q1", "D 2016Q1"]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [
        "95 % limits",
        "significant reduction",
        "no significant change",
        "significant increase",
    ]
    (red,) = _data_lines(ax, "significant reduction")
    (same,) = _data_lines(ax, "no significant change")
    assert red.get_marker() == "v" and same.get_markerfacecolor() == "white"


def test_plot_funnel_labels_at_most_max_labels_furthest_outside() -> None:
    # C: 7.5 / 4.674 = 1.60 times its limit; D: 4 / 2.956 = 1.35 times
    ax = plot_funnel(_assessment(), max_labels=1)
    assert [t.get_text() for t in ax.texts] == ["C 2016Q1"]
    assert len(plot_funnel(_assessment(), max_labels=0).texts) == 0


def test_plot_funnel_alpha_and_explicit_rate() -> None:
    table = _assessment().drop(columns=["expected_rate", "outcome"])
    ax = plot_funnel(table, alpha=0.01, expected_rate=0.5)
    (upper,) = _data_lines(ax, "99 % limits")
    z995 = 2.5758293035489004  # standard normal 99.5 % quantile
    n = upper.get_xdata()
    np.testing.assert_allclose(upper.get_ydata(), z995 * np.sqrt(0.25 / n) * 100)
    with pytest.raises(PbrError, match="expected_rate"):
        plot_funnel(table)
    with pytest.raises(PbrError, match="alpha"):
        plot_funnel(_assessment(), alpha=1.5)


# ------------------------------------------------------------------ waterfall


def _lines() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lot": ["A", "A", "A", "A", "A", "B"],
            "period": ["2016Q1", "2016Q2", "2016", "2016", "2016", "2016Q1"],
            "component": ["binary", "binary", "frequency", "fee_for_service", "cap", "binary"],
            "amount": [
                Decimal("600.10"),
                Decimal("400.20"),
                "-50.00",
                "250.00",
                "-100.30",
                "1.00",
            ],
        }
    )


def test_waterfall_steps_are_exact_decimals_in_order() -> None:
    steps = waterfall_steps(_lines(), lot="A")
    assert steps["component"].tolist() == [
        "fee_for_service",
        "binary",
        "frequency",
        "cap",
        "total",
    ]
    # by hand: 250.00 + (600.10 + 400.20) - 50.00 - 100.30 = 1100.00
    assert steps["amount"].tolist() == [
        Decimal("250.00"),
        Decimal("1000.30"),
        Decimal("-50.00"),
        Decimal("-100.30"),
        Decimal("1100.00"),
    ]
    assert steps["end"].tolist()[:-1] == [
        Decimal("250.00"),
        Decimal("1250.30"),
        Decimal("1200.30"),
        Decimal("1100.00"),
    ]


def test_plot_waterfall_bars_and_labels() -> None:
    ax = plot_waterfall(_lines(), lot="A")
    assert len(ax.patches) == 5
    bottoms = [p.get_y() for p in ax.patches]
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(bottoms, [0, 250.0, 1250.3, 1200.3, 0])
    np.testing.assert_allclose(heights, [250.0, 1000.3, -50.0, -100.3, 1100.0])
    assert [t.get_text() for t in ax.texts] == [
        "+£250.00",
        "+£1,000.30",
        "−£50.00",
        "−£100.30",
        "£1,100.00",
    ]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "fee for service",
        "binary",
        "frequency",
        "cap",
        "total",
    ]
    # greyscale: decreases and caps are hatched, increases are not
    assert [p.get_hatch() for p in ax.patches] == [None, None, "//", "xx", None]


def test_plot_waterfall_whole_statement_and_errors() -> None:
    ax = plot_waterfall(_lines())
    assert ax.texts[-1].get_text() == "£1,101.00"
    with pytest.raises(PbrError, match="lot 'Z'"):
        plot_waterfall(_lines(), lot="Z")
    with pytest.raises(PbrError, match="row 1"):
        plot_waterfall(_lines().assign(amount=["abc"] + ["1"] * 5))
    with pytest.raises(PbrError, match="amount"):
        plot_waterfall(_lines().drop(columns="amount"))


# ------------------------------------------------------------------ balance


def test_plot_balance_markers_labels_and_threshold() -> None:
    table = pd.DataFrame(
        {
            "covariate": ["age", "ogrs3", "male"],
            "smd_before": [35.0, -22.0, 8.0],
            "smd_after": [3.1, -1.5, 0.4],
        }
    )
    ax = plot_balance(table)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["age", "ogrs3", "male"]
    (before,) = _data_lines(ax, "before matching")
    (after,) = _data_lines(ax, "after matching")
    np.testing.assert_allclose(before.get_xdata(), [35.0, -22.0, 8.0])
    np.testing.assert_allclose(after.get_xdata(), [3.1, -1.5, 0.4])
    np.testing.assert_allclose(before.get_ydata(), [2, 1, 0])  # first covariate on top
    vlines = sorted(ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_linestyle() == "--")
    assert vlines == [-10.0, 10.0]
    assert before.get_marker() != after.get_marker()
    with pytest.raises(PbrError, match="smd_after"):
        plot_balance(table.drop(columns="smd_after"))


def test_plot_balance_accepts_match_result_column_names() -> None:
    table = pd.DataFrame({"covariate": ["age"], "smd_before_pct": [-40.0], "smd_after_pct": [2.0]})
    ax = plot_balance(table)
    (before,) = _data_lines(ax, "before matching")
    assert list(before.get_xdata()) == [-40.0]


# ------------------------------------------------------------------ style


def test_series_styles_are_distinct_without_colour() -> None:
    pairs = {(series_style(i)["marker"], str(series_style(i)["linestyle"])) for i in range(21)}
    assert len(pairs) == 21  # all 21 lots distinguishable in greyscale


def test_format_money() -> None:
    assert format_money(Decimal("1234567.891")) == "£1,234,567.89"
    assert format_money("-0.005") == "−£0.01"  # half-up away from zero
    assert format_money("0") == "£0.00"
