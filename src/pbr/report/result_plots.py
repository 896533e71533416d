"""Standard charts of the results that :mod:`pbr.report.plots` does not draw.

Like the other report plots, each function takes plain DataFrames with the
documented columns (the ``.table`` or a part of a pbr result), draws on ``ax``
(a :class:`matplotlib.axes.Axes`; by default a new figure) in the house style of
:mod:`pbr.report.style` through the shared bar-chart scaffolding of
:mod:`pbr.report._bars`, and returns that :class:`~matplotlib.axes.Axes`. The
results' ``plot()`` methods call these (see ``docs/api.md``, "The result protocol").

Examples
--------
>>> import pandas as pd
>>> from pbr.report.result_plots import plot_decomposition
>>> t = pd.DataFrame({"lot": ["A"], "period": ["2016Q1"], "total_pp": [-10.0],
...                   "mix_pp": [-5.0], "performance_pp": [-5.0]})
>>> ax = plot_decomposition(t)
>>> ax.get_ylabel()
'percentage points'
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from pbr.report._bars import chart, finish, finish_rows, money_axis, row_chart, side_by_side
from pbr.report._inputs import require_columns as _require
from pbr.report.style import INK, PALETTE, series_style

__all__ = [
    "plot_baseline_rates",
    "plot_coefficients",
    "plot_cohort_flow",
    "plot_decomposition",
    "plot_input_counts",
    "plot_payment_risk",
    "plot_totals_ab",
    "plot_true_effects",
    "plot_verification",
]


def _floats(values: Any) -> np.ndarray:
    """Floats for drawing only (money stays Decimal in the tables)."""
    return np.array([float(v) for v in values], dtype=float)


def plot_cohort_flow(counts: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Measurable and excluded rows per period, summed over lots (stacked bars).

    Parameters
    ----------
    counts : pandas.DataFrame
        Columns ``period``, ``measurable`` and ``excluded`` (the summary table of
        :class:`pbr.cohort.Cohort`, one row per lot × period).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"lot": ["A", "B"], "period": ["2015Q1"] * 2,
    ...                   "measurable": [3, 4], "excluded": [1, 0]})
    >>> [float(p.get_height()) for p in plot_cohort_flow(c).patches]
    [7.0, 1.0]
    """
    _require(counts, ["period", "measurable", "excluded"], "cohort counts")
    by = counts.groupby(counts["period"].astype(str), sort=True)[["measurable", "excluded"]].sum()
    ax = chart(ax, "Cohort: measurable and excluded rows by period")
    x = np.arange(len(by))
    kept = by["measurable"].to_numpy(dtype=float)
    out = by["excluded"].to_numpy(dtype=float)
    ax.bar(x, kept, width=0.6, color=PALETTE[0], edgecolor=PALETTE[0], label="measurable")
    ax.bar(
        x,
        out,
        width=0.6,
        bottom=kept,
        color="white",
        edgecolor=PALETTE[4],
        hatch="//",
        label="excluded",
    )
    finish(ax, x, list(by.index), xlabel="period", ylabel="rows (people × index events)",
           legend=True)  # fmt: skip
    return ax


def plot_baseline_rates(rates: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Each lot's annual baseline binary rate (bars, in percent).

    Parameters
    ----------
    rates : pandas.DataFrame
        Columns ``lot``, ``quarter_of_year`` and ``baseline_binary`` (proportion);
        the rows with ``quarter_of_year == "year"`` are drawn (the rates table of
        :class:`pbr.baseline.Baseline`).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"lot": ["A", "A"], "quarter_of_year": ["Q1", "year"],
    ...                   "baseline_binary": [0.4, 0.5]})
    >>> [float(p.get_height()) for p in plot_baseline_rates(r).patches]
    [50.0]
    """
    _require(rates, ["lot", "quarter_of_year", "baseline_binary"], "baseline rates")
    year = rates[rates["quarter_of_year"].astype(str) == "year"]
    ax = chart(ax, "Baseline binary rate by lot")
    x = np.arange(len(year))
    ax.bar(x, 100 * _floats(year["baseline_binary"]), width=0.6, color=PALETTE[0])
    lots = year["lot"].astype(str).tolist()
    finish(ax, x, lots, xlabel="lot", ylabel="baseline reoffenders / cohort (%)")
    return ax


def plot_totals_ab(
    table: pd.DataFrame, name_a: str = "A", name_b: str = "B", ax: Axes | None = None
) -> Axes:
    """Each lot's payment under contract A and contract B (side-by-side bars).

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``lot``, ``total_a`` and ``total_b`` (Decimal amounts; the table of
        :class:`pbr.whatif.WhatIf`).
    name_a, name_b : str
        Legend names of the two contracts.

    Examples
    --------
    >>> import pandas as pd
    >>> from decimal import Decimal
    >>> t = pd.DataFrame({"lot": ["A"], "total_a": [Decimal("10")], "total_b": [Decimal("-5")]})
    >>> [float(p.get_height()) for p in plot_totals_ab(t).patches]
    [10.0, -5.0]
    """
    _require(table, ["lot", "total_a", "total_b"], "what-if table")
    ax = chart(ax, "Contract what-if: total by lot")
    x = np.arange(len(table))
    pair = [
        (_floats(table["total_a"]), f"A: {name_a}"),
        (_floats(table["total_b"]), f"B: {name_b}"),
    ]
    side_by_side(ax, x, pair)
    lots = table["lot"].astype(str).tolist()
    finish(ax, x, lots, ylabel="total (£)", zero=True, legend=True)
    money_axis(ax.yaxis)
    return ax


def plot_decomposition(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Change in the binary rate split into offender mix and performance (bars).

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``mix_pp``, ``performance_pp`` and ``total_pp`` (percentage points);
        rows are labelled by ``stratum``, else ``lot`` and ``period``, else their
        position (the table of :class:`pbr.decompose.Decomposition`).

    Returns
    -------
    matplotlib.axes.Axes
        Mix and performance bars side by side for each row; the total is a black
        tick.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"total_pp": [-3.0], "mix_pp": [-1.0], "performance_pp": [-2.0]})
    >>> len(plot_decomposition(t).patches)
    2
    """
    _require(table, ["mix_pp", "performance_pp", "total_pp"], "decomposition table")
    if "stratum" in table.columns:
        labels = table["stratum"].astype(str).tolist()
    elif {"lot", "period"} <= set(table.columns):
        labels = (table["lot"].astype(str) + " " + table["period"].astype(str)).tolist()
    else:
        labels = [str(i) for i in range(len(table))]
    ax = chart(ax, "Change in the binary rate: offender mix and performance")
    x = np.arange(len(table))
    parts = [(_floats(table["mix_pp"]), "offender mix"),
             (_floats(table["performance_pp"]), "performance")]  # fmt: skip
    side_by_side(ax, x, parts, width=0.36)
    ax.plot(
        x,
        _floats(table["total_pp"]),
        linestyle="none",
        marker="_",
        markersize=18,
        markeredgewidth=2,
        color=INK,
        label="total",
    )
    finish(ax, x, labels, ylabel="percentage points", zero=True, legend=True)
    return ax


def plot_payment_risk(
    table: pd.DataFrame, power: float | None = None, ax: Axes | None = None
) -> Axes:
    """P(payment) per quarterly cohort against the true effect, one line per lot.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``lot``, ``effect_pp`` and ``p_payment`` (the table of
        :class:`pbr.simulate.PaymentSimulation`).
    power : float, optional
        Draw this target power as a dashed reference line.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"lot": ["A", "A"], "effect_pp": [0.0, 3.0], "p_payment": [0.05, 0.6]})
    >>> tuple(float(v) for v in plot_payment_risk(t, power=0.8).get_ylim())
    (0.0, 1.0)
    """
    _require(table, ["lot", "effect_pp", "p_payment"], "simulation table")
    ax = chart(ax, "Payment risk: P(payment) by true effect", grid="both")
    for i, (lot, g) in enumerate(table.groupby(table["lot"].astype(str), sort=True)):
        ax.plot(
            _floats(g["effect_pp"]),
            _floats(g["p_payment"]),
            label=str(lot),
            markersize=5,
            linewidth=1.2,
            **series_style(i),
        )
    if power is not None:
        ax.axhline(power, color=INK, linestyle="--", linewidth=0.9, label=f"power {power:g}")
    ax.set_xlabel("true reduction (percentage points)")
    ax.set_ylabel("P(payment) per quarterly cohort")
    ax.set_ylim(0.0, 1.0)
    ax.legend(frameon=False, fontsize=7, ncols=3)
    return ax


def plot_true_effects(true_effects: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """The hidden provider effects of a synthetic sample, by lot (horizontal bars).

    Parameters
    ----------
    true_effects : pandas.DataFrame
        Columns ``lot`` and ``effect_pp`` (percentage points), optionally ``name``
        (the ``true_effects`` of :class:`pbr.sample.SampleData`).

    Returns
    -------
    matplotlib.axes.Axes
        Reductions are solid bars, increases hatched (greyscale safe).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"lot": ["A", "B"], "effect_pp": [-2.0, 1.0]})
    >>> plot_true_effects(t).get_xlabel()
    'true provider effect (percentage points)'
    """
    _require(true_effects, ["lot", "effect_pp"], "true_effects")
    t = true_effects
    pp = _floats(t["effect_pp"])
    if "name" in t.columns:
        labels = [f"{c} {n}" for c, n in zip(t["lot"], t["name"], strict=True)]
    else:
        labels = t["lot"].astype(str).tolist()
    ax, y = row_chart(ax, "Synthetic sample: hidden provider effects", len(t), width=7.0,
                      per_row=0.25)  # fmt: skip
    for sel, colour, hatch in ((pp <= 0, PALETTE[0], None), (pp > 0, PALETTE[4], "//")):
        ax.barh(y[sel], pp[sel], color="white" if hatch else colour, edgecolor=colour, hatch=hatch)
    finish_rows(ax, y, labels, "true provider effect (percentage points)")
    ax.tick_params(axis="y", labelsize=7)
    return ax


def plot_input_counts(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Rows and distinct offenders of each validated input table (grouped bars).

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``table``, ``rows`` and ``offenders`` (the table of
        :class:`pbr.io.ValidationReport`).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"table": ["cohort", "offences"], "rows": [10, 40],
    ...                   "offenders": [8, 6]})
    >>> [float(p.get_height()) for p in plot_input_counts(t).patches]
    [10.0, 40.0, 8.0, 6.0]
    """
    _require(table, ["table", "rows", "offenders"], "validation table")
    ax = chart(ax, "Validated inputs: rows and offenders")
    x = np.arange(len(table))
    side_by_side(ax, x, [(_floats(table[c]), c) for c in ("rows", "offenders")])
    finish(ax, x, table["table"].astype(str).tolist(), ylabel="count", legend=True)
    return ax


def plot_coefficients(coefficients: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Coefficient estimates with 95 % Wald intervals (estimate ± 1.96 × std_error).

    Parameters
    ----------
    coefficients : pandas.DataFrame
        Columns ``term``, ``estimate`` and ``std_error``; rows whose ``term``
        starts with ``level[`` (the level intercepts of a
        :class:`pbr.risk.RiskModel`) are left out when any slope term exists.

    Returns
    -------
    matplotlib.axes.Axes
        One row per term, top to bottom in table order.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"term": ["age", "level[A:Q1]"], "estimate": [0.5, -1.0],
    ...                   "std_error": [0.1, 0.2]})
    >>> [t.get_text() for t in plot_coefficients(c).get_yticklabels()]
    ['age']
    """
    _require(coefficients, ["term", "estimate", "std_error"], "coefficients")
    slopes = ~coefficients["term"].astype(str).str.startswith("level[")
    c = coefficients[slopes] if slopes.any() else coefficients
    est = _floats(c["estimate"])
    half = 1.959963984540054 * _floats(c["std_error"])
    ax, y = row_chart(ax, "Risk model coefficients (95 % intervals)", len(c))
    ax.errorbar(
        est,
        y,
        xerr=np.where(np.isfinite(half), half, 0.0),
        fmt="s",
        color=PALETTE[0],
        ecolor=PALETTE[0],
        markersize=5,
        capsize=2.5,
        elinewidth=0.9,
    )
    finish_rows(ax, y, c["term"].astype(str).tolist(), "estimate (linear predictor scale)")
    return ax


def plot_verification(checks: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """What a verification found: how many inputs, outputs and versions differ.

    Parameters
    ----------
    checks : pandas.DataFrame
        Columns ``check`` (a label) and ``differing`` (a count), one row per kind
        of check.

    Returns
    -------
    matplotlib.axes.Axes
        Horizontal bars; zero everywhere means the re-run reproduced everything.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"check": ["inputs changed", "outputs differing"],
    ...                   "differing": [1, 0]})
    >>> [float(p.get_width()) for p in plot_verification(c).patches]
    [1.0, 0.0]
    """
    _require(checks, ["check", "differing"], "verification checks")
    ax, y = row_chart(ax, "Verification: differences found", len(checks), per_row=0.4)
    counts = _floats(checks["differing"])
    colours = [PALETTE[4] if v > 0 else PALETTE[2] for v in counts]
    ax.barh(y, counts, color=colours, height=0.5)
    finish_rows(ax, y, checks["check"].astype(str).tolist(), "count", zero=False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return ax
