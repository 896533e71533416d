"""Report plots on plain DataFrames: rates, funnel, payment waterfall, balance.

Each function takes a DataFrame with the documented columns (so it works on the
``.table`` of pbr's result objects, on a CSV written by ``pbr``, or on a table a
user typed in), draws on ``ax`` (a :class:`matplotlib.axes.Axes`; by default a new
figure), and returns that Axes (so the functions below document only their own
parameters). All share the style of :mod:`pbr.report.style`: series differ in
marker and line style as well as colour, so they read in greyscale print.

Examples
--------
>>> import pandas as pd
>>> from pbr.report.plots import plot_rates
>>> table = pd.DataFrame({"lot": ["L01", "L01"], "period": ["2016Q1", "2016Q2"],
...                       "binary_rate": [0.30, 0.28], "binary_ci_low": [0.27, 0.25],
...                       "binary_ci_high": [0.33, 0.31]})
>>> ax = plot_rates(table)
>>> [t.get_text() for t in ax.get_xticklabels()]
['2016Q1', '2016Q2']
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from pbr.errors import PbrError
from pbr.report._bars import finish_rows, money_axis, row_chart
from pbr.report._inputs import amount as _amount
from pbr.report._inputs import numeric as _floats
from pbr.report._inputs import require_columns as _require
from pbr.report.funnel import plot_funnel
from pbr.report.style import HATCHES, INK, PALETTE, format_money, new_axes, style_axes
from pbr.report.trends import plot_rates

__all__ = [
    "plot_balance",
    "plot_funnel",
    "plot_payments",
    "plot_rates",
    "plot_waterfall",
    "waterfall_steps",
]


# --------------------------------------------------------------------------- waterfall

#: Order of components in the waterfall; others follow alphabetically, then caps/collars.
COMPONENT_ORDER = ("fee_for_service", "binary", "frequency")


def _example_lines() -> pd.DataFrame:
    """Statement lines of two lots for the examples (amounts as text, as in statement.csv)."""
    return pd.DataFrame(
        {
            "lot": ["A", "A", "A", "A", "B"],
            "component": ["binary", "fee_for_service", "frequency", "cap", "binary"],
            "amount": ["1000.00", "250.50", "300.00", "-200.00", "5.00"],
        }
    )


def _is_adjustment(component: str) -> bool:
    c = component.lower()
    return c.startswith(("cap", "collar")) or "_cap" in c or "_collar" in c


def waterfall_steps(statement_lines: pd.DataFrame, lot: str | None = None) -> pd.DataFrame:
    """Amounts per component, in waterfall order, with the running total (exact Decimal).

    Parameters
    ----------
    statement_lines : pandas.DataFrame
        Columns ``component`` and ``amount`` (Decimal, or strings/numbers read as
        Decimal), and ``lot`` when ``lot`` is given.
    lot : str, optional
        Keep only this lot's lines (default: every line).

    Returns
    -------
    pandas.DataFrame
        Columns ``component``, ``amount``, ``start``, ``end`` (Decimals), one row per
        component (fee for service, binary, frequency, other components sorted, then
        caps and collars), and a final ``total`` row.

    Examples
    --------
    >>> lines = _example_lines()  # lot A: binary, fee for service, frequency and a cap
    >>> print(waterfall_steps(lines, "A")[["component", "amount", "end"]].to_string(index=False))
          component  amount     end
    fee_for_service  250.50  250.50
             binary 1000.00 1250.50
          frequency  300.00 1550.50
                cap -200.00 1350.50
              total 1350.50 1350.50
    """
    what = "statement_lines"
    _require(statement_lines, ["component", "amount"] + (["lot"] if lot is not None else []), what)
    lines = statement_lines
    if lot is not None:
        lines = lines[lines["lot"].astype(str) == str(lot)]
        if lines.empty:
            raise PbrError(f"statement_lines has no line for lot {lot!r}")
    totals: dict[str, Decimal] = {}
    for row, (component, value) in enumerate(
        zip(lines["component"].astype(str), lines["amount"], strict=True), start=1
    ):
        where = f"statement_lines row {row} column 'amount'"
        totals[component] = totals.get(component, Decimal("0")) + _amount(value, where)
    known = [c for c in COMPONENT_ORDER if c in totals]
    adjust = sorted(c for c in totals if c not in known and _is_adjustment(c))
    other = sorted(c for c in totals if c not in known and c not in adjust)
    order = known + other + adjust
    rows = []
    running = Decimal("0")
    for c in order:
        start, running = running, running + totals[c]
        rows.append({"component": c, "amount": totals[c], "start": start, "end": running})
    rows.append({"component": "total", "amount": running, "start": Decimal("0"), "end": running})
    return pd.DataFrame(rows, columns=["component", "amount", "start", "end"])


def plot_waterfall(
    statement_lines: pd.DataFrame, lot: str | None = None, ax: Axes | None = None
) -> Axes:
    """Payment waterfall: how fee for service, binary, frequency and caps add up.

    One floating bar per component (summed over periods), starting where the
    previous one ended, then a solid ``total`` bar. Increases are plain bars,
    decreases hatched ``//``, caps and collars cross-hatched ``xx`` in grey, so the
    chart reads in greyscale. Each bar is labelled with its amount in pounds.
    Amounts are summed exactly as :class:`decimal.Decimal`; only drawing uses floats.

    Parameters
    ----------
    statement_lines : pandas.DataFrame
        Statement lines with columns ``lot``, ``component`` and ``amount`` (Decimal,
        or strings such as ``"1234.56"``); see :func:`waterfall_steps`.
    lot : str, optional
        Draw this lot only (default: all lines, i.e. the whole statement).

    Raises
    ------
    pbr.errors.PbrError
        On missing columns, a non-numeric amount, or a lot with no lines.

    Examples
    --------
    >>> ax = plot_waterfall(_example_lines(), lot="A")
    >>> len(ax.patches), [t.get_text() for t in ax.get_xticklabels()][-1]
    (5, 'total')
    >>> ax.texts[-1].get_text()
    '£1,350.50'
    """
    steps = waterfall_steps(statement_lines, lot)
    components: list[str] = [str(c) for c in steps["component"]]
    amounts: list[Decimal] = list(steps["amount"])
    starts: list[Decimal] = list(steps["start"])
    ends: list[Decimal] = list(steps["end"])
    ax = new_axes(ax)
    title = "Payment by component" + (f": lot {lot}" if lot is not None else "")
    style_axes(ax, title=title)
    x = np.arange(len(steps))
    for i, component in enumerate(components):
        amount = float(amounts[i])
        if component == "total":
            kind, color, bottom, height = "total", INK, 0.0, float(ends[i])
        else:
            if _is_adjustment(component):
                kind, color = "adjustment", "#999999"
            elif amount >= 0:
                kind, color = "positive", PALETTE[0]
            else:
                kind, color = "negative", PALETTE[4]
            bottom, height = float(starts[i]), amount
        ax.bar(
            x[i],
            height,
            bottom=bottom,
            width=0.6,
            color=color if kind != "negative" else "white",
            edgecolor=color,
            hatch=HATCHES[kind] or None,
            linewidth=1.0,
        )
        if component != "total":
            ax.plot([x[i] + 0.3, x[i] + 0.7], [float(ends[i])] * 2, color=INK, linewidth=0.6)
        top = max(bottom, bottom + height)
        ax.annotate(
            format_money(amounts[i], sign=component != "total"),
            (x[i], top),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            fontsize=8,
            color=INK,
        )
    ax.axhline(0, color=INK, linewidth=0.8)
    ax.set_xticks(x, [c.replace("_", " ") for c in components])
    ax.set_ylabel("amount (£)")
    money_axis(ax.yaxis)
    # room above the highest bar for its label (margins() cannot: a floating bar that
    # starts at the top of the range pins the limit there as a sticky edge)
    edges = [0.0, *(float(v) for v in starts), *(float(v) for v in ends)]
    lo, hi = min(edges), max(edges)
    pad = 0.12 * ((hi - lo) or 1.0)
    ax.set_ylim(lo - pad if lo < 0 else lo, hi + pad)
    return ax


# --------------------------------------------------------------------------- balance


def plot_balance(
    balance_table: pd.DataFrame, ax: Axes | None = None, threshold: float = 10.0
) -> Axes:
    """Covariate balance ("love plot"): standardised mean differences before/after matching.

    One row per covariate, top to bottom in table order; hollow circles are the
    SMD before matching, filled squares after, joined by a thin line; dashed
    vertical lines mark ±``threshold`` (10 % is the usual balance target).

    Parameters
    ----------
    balance_table : pandas.DataFrame
        Columns ``covariate``, ``smd_before`` and ``smd_after`` (standardised mean
        differences in percent: 100 × (mean_t − mean_c) / sqrt((s_t² + s_c²) / 2));
        ``smd_before_pct`` / ``smd_after_pct`` (the columns of
        :attr:`pbr.compare.MatchResult.balance`) are accepted as the same.
    threshold : float, default 10.0
        Balance threshold in percent.

    Examples
    --------
    >>> import pandas as pd
    >>> bal = pd.DataFrame({"covariate": ["age", "ogrs3", "male"],
    ...                     "smd_before": [35.0, -22.0, 8.0],
    ...                     "smd_after": [3.1, -1.5, 0.4]})
    >>> ax = plot_balance(bal)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['age', 'ogrs3', 'male']
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['before matching', 'after matching', '±10 %']
    """
    what = "balance_table"
    aliases = {"smd_before_pct": "smd_before", "smd_after_pct": "smd_after"}
    renames = {a: b for a, b in aliases.items() if a in balance_table and b not in balance_table}
    if renames:
        balance_table = balance_table.rename(columns=renames)
    _require(balance_table, ["covariate", "smd_before", "smd_after"], what)
    return draw_balance(
        ax,
        balance_table["covariate"].astype(str).tolist(),
        _floats(balance_table["smd_before"], "smd_before", what),
        _floats(balance_table["smd_after"], "smd_after", what),
        thresholds=(threshold,),
    )


def draw_balance(
    ax: Axes | None,
    names: Sequence[str],
    before: np.ndarray,
    after: np.ndarray | None,
    *,
    thresholds: Sequence[float] = (10.0,),
    absolute: bool = False,
) -> Axes:
    """The love plot itself, for :func:`plot_balance` and :func:`pbr.matching.love_plot`.

    Hollow circles ``before``, filled squares ``after`` (when given) joined by a
    thin line, one row per name (first on top); a dashed line at the first
    threshold, dotted at the others (mirrored at minus when not ``absolute``).

    Examples
    --------
    >>> import numpy as np
    >>> ax = draw_balance(None, ["age"], np.array([30.0]), None, absolute=True)
    >>> ax.get_xlabel(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('|standardised mean difference| (%)', ['before matching', '10 %'])
    """
    ax, y = row_chart(ax, "Covariate balance", len(names), per_row=0.4)
    if after is not None:
        for yi, b, a in zip(y, before, after, strict=True):
            ax.plot([b, a], [yi, yi], color="#999999", linewidth=0.8)
    ax.plot(before, y, linestyle="none", marker="o", markersize=6, color=PALETTE[4],
            markerfacecolor="white", label="before matching")  # fmt: skip
    if after is not None:
        ax.plot(after, y, linestyle="none", marker="s", markersize=5.5, color=PALETTE[0],
                label="after matching")  # fmt: skip
    for i, th in enumerate(thresholds):
        style = "--" if i == 0 else ":"
        label = f"{th:g} %" if absolute else f"±{th:g} %"
        ax.axvline(th, color=INK, linestyle=style, linewidth=0.9, label=label)
        if not absolute:
            ax.axvline(-th, color=INK, linestyle=style, linewidth=0.9)
    if not absolute:
        ax.axvline(0, color=INK, linewidth=0.6)
    xlabel = "standardised mean difference (%)"
    finish_rows(ax, y, names, f"|{xlabel[:-4]}| (%)" if absolute else xlabel, zero=False)
    ax.legend(frameon=False, fontsize=8, loc="lower right" if absolute else "best")
    return ax


# --------------------------------------------------------------------------- payments by lot


def plot_payments(statement_lines: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Amount per lot by component, as horizontal stacked bars, largest total on top.

    The executive view of a statement: one bar per lot (a league table of
    payments), fee for service, binary and frequency stacked (deductions to the
    left of zero, hatched), each bar labelled with the lot's total. Totals are
    exact Decimal sums; only drawing uses floats.

    Parameters
    ----------
    statement_lines : pandas.DataFrame
        Columns ``lot``, ``component``, ``amount`` (Decimal or strings).

    Examples
    --------
    >>> ax = plot_payments(_example_lines())  # A: £1,350.50 in all, B: £5.00
    >>> [t.get_text() for t in ax.get_yticklabels()], ax.texts[0].get_text()
    (['B', 'A'], '£5.00')
    """
    what = "statement_lines"
    _require(statement_lines, ["lot", "component", "amount"], what)
    lots = statement_lines["lot"].astype(str).to_numpy()
    comps = statement_lines["component"].astype(str).to_numpy()
    amounts = [
        _amount(v, f"statement_lines row {i} column 'amount'")
        for i, v in enumerate(statement_lines["amount"], start=1)
    ]
    by: dict[tuple[str, str], Decimal] = {}
    totals: dict[str, Decimal] = {}
    for lot, comp, amount in zip(lots, comps, amounts, strict=True):
        by[lot, comp] = by.get((lot, comp), Decimal("0")) + amount
        totals[lot] = totals.get(lot, Decimal("0")) + amount
    order = sorted(totals, key=lambda k: (totals[k], k))  # barh draws bottom-up: largest on top
    components = [c for c in COMPONENT_ORDER if c in set(comps)]
    components += sorted(set(comps) - set(components))
    ax = new_axes(ax, figsize=(8.0, max(2.5, 0.32 * len(order) + 1.4)))
    style_axes(ax, title="Payment by lot and component", grid_axis="x")
    y = np.arange(len(order))
    pos = np.zeros(len(order))
    neg = np.zeros(len(order))
    for i, comp in enumerate(components):
        vals = np.array([float(by.get((lot, comp), Decimal("0"))) for lot in order])
        left = np.where(vals >= 0, pos, neg)
        colour = PALETTE[[0, 2, 1, 3, 5][i % 5]]
        ax.barh(y, vals, left=left, height=0.65, color=colour, edgecolor="white",
                linewidth=0.5, label=comp.replace("_", " "))  # fmt: skip
        pos += np.where(vals >= 0, vals, 0)
        neg += np.where(vals < 0, vals, 0)
    span = float(max(pos.max(initial=0), -neg.min(initial=0), 1.0))
    for yi, lot in enumerate(order):
        at_left = bool(totals[lot] < 0)  # a net deduction is labelled at its left end
        ax.annotate(
            format_money(totals[lot]),
            (neg[yi] if at_left else pos[yi], yi),
            xytext=(-4 if at_left else 4, 0),
            textcoords="offset points",
            va="center",
            ha="right" if at_left else "left",
            fontsize=7.5,
            color=INK,
        )
    ax.axvline(0, color=INK, linewidth=0.8)
    ax.set_yticks(y, order)
    ax.set_xlim(min(neg.min(initial=0) - 0.22 * span, 0), pos.max(initial=0) + 0.22 * span)
    money_axis(ax.xaxis)
    ax.set_xlabel("amount (£)")
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    return ax
