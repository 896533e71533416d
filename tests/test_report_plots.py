"""pbr.report.plots: each plot returns its Axes with the expected artists and values."""

from __future__ import annotations

from decimal import Decimal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

from pbr.errors import PbrError
from pbr.report import plot_balance, plot_rates, plot_waterfall, waterfall_steps
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


def _colour_line(ax: Axes):
    (line,) = [ln for ln in ax.get_lines() if ln.get_linewidth() == 1.8]
    return line


def test_plot_rates_small_multiples_one_panel_per_lot_others_grey() -> None:
    ax = plot_rates(_measures())
    panels = [a for a in ax.figure.axes if a.get_visible()]
    assert [a.get_title(loc="left") for a in panels] == ["A", "B"]
    a_line = _colour_line(panels[0])
    np.testing.assert_allclose(a_line.get_ydata(), [30.0, 28.0, 25.0])  # percent, by period
    greys = [ln for ln in panels[0].get_lines() if ln.get_color() == "#bbbbbb"]
    assert len(greys) == 1  # B behind A
    np.testing.assert_allclose(greys[0].get_ydata(), [42.0, 40.0])  # sorted by period
    assert len(panels[0].collections) >= 1  # the 95 % band


def test_plot_rates_break_between_baseline_year_and_performance() -> None:
    table = pd.DataFrame(
        {
            "lot": ["A"] * 4,
            "period": ["2011Q3", "2011Q4", "2015Q4", "2016Q1"],
            "binary_rate": [0.30, 0.32, 0.28, 0.27],
        }
    )
    ax = plot_rates(table)
    line = _colour_line(ax)
    x, y = line.get_xdata(), line.get_ydata()
    # a NaN between 2011Q4 and 2015Q4: no straight line across the years not measured
    assert np.isnan(y[2]) and np.isnan(x[2])
    np.testing.assert_allclose(x[[0, 1, 3, 4]], [0.0, 1.0, 2.5, 3.5])
    assert "//" in [t.get_text() for t in ax.texts]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(table["period"])


def test_plot_rates_highlight_on_given_axes_and_baseline_by_quarter_of_year() -> None:
    given = plt.subplots()[1]
    baseline = pd.DataFrame(
        {"lot": ["A"] * 3, "period": ["Q1", "Q2", "year"], "baseline_binary": [0.31, 0.29, 0.5]}
    )
    ax = plot_rates(_measures(), baseline, ax=given, highlight="A")
    assert ax is given
    (base,) = [ln for ln in ax.get_lines() if ln.get_label() == "baseline"]
    # 2016Q1 -> Q1, 2016Q2 -> Q2, 2016Q3 -> no Q3 row: the annual 0.5
    np.testing.assert_allclose(base.get_ydata(), [31.0, 29.0, 50.0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "A",
        "interim (hollow)",
        "baseline",
    ]


def test_plot_rates_errors() -> None:
    with pytest.raises(PbrError, match="lots not in"):
        plot_rates(_measures(), lots=["Z"])
    with pytest.raises(PbrError, match="binary_rate"):
        plot_rates(_measures().drop(columns="binary_rate"))
    with pytest.raises(PbrError, match="numeric"):
        plot_rates(_measures().assign(binary_rate=["x"] * 5))


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


def test_waterfall_amount_labels_stay_inside_the_axes_below_the_title() -> None:
    # a negative step that starts at the top of the range used to pin the y limit there,
    # so the highest bar's label ran into the title
    lines = pd.DataFrame({"lot": ["A"] * 4,
                          "component": ["fee_for_service", "binary", "frequency", "cap"],
                          "amount": ["250.50", "1000.00", "-600.00", "-200.00"]})  # fmt: skip
    ax = plot_waterfall(lines, lot="A")
    fig = ax.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    frame = ax.get_window_extent(r)
    title = ax.title if ax.get_title() else ax._left_title
    for t in ax.texts:
        box = t.get_window_extent(r)
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1, t.get_text()
        assert not box.overlaps(title.get_window_extent(r)), t.get_text()
