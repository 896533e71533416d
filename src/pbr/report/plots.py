"""Report plots on plain DataFrames: rates, funnel, payment waterfall, balance.

Each function takes a DataFrame with the documented columns (so it works on the
``.table`` of pbr's result objects, on a CSV written by ``pbr``, or on a table a
user typed in), draws on ``ax`` (or a new figure), and returns the Axes. All share
the style of :mod:`pbr.report.style`: series differ in marker and line style as
well as colour, so they read in greyscale print.

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

from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from pbr.errors import PbrError
from pbr.periods import QUARTER_NAMES, period_kind, quarter_of_label
from pbr.report.style import HATCHES, INK, PALETTE, format_money, new_axes, series_style, style_axes

__all__ = ["plot_balance", "plot_funnel", "plot_rates", "plot_waterfall", "waterfall_steps"]


def _require(table: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise PbrError(f"{what} must be a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise PbrError(
            f"{what} is missing column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, table.columns))})"
        )


def _floats(values: Any, column: str, what: str) -> np.ndarray:
    try:
        return np.asarray(pd.to_numeric(pd.Series(values), errors="raise"), dtype=float)
    except (ValueError, TypeError) as exc:
        raise PbrError(f"{what} column {column!r} must be numeric: {exc}") from None


# --------------------------------------------------------------------------- rates


def _baseline_lookup(baseline: pd.DataFrame, lot: str, periods: Sequence[str]) -> np.ndarray:
    """Baseline binary rate for each period (NaN when none applies).

    The same period, else the same quarter-of-year, else the lot's annual (or only) row.
    """
    rows = baseline[baseline["lot"].astype(str) == lot]
    out = np.full(len(periods), np.nan)
    if rows.empty:
        return out
    values = _floats(rows["baseline_binary"], "baseline_binary", "baseline_table")
    if "period" not in rows.columns:
        out[:] = values[0]
        return out
    labels = rows["period"].astype(str).tolist()
    exact = dict(zip(labels, values, strict=True))
    by_quarter = {}
    annual = np.nan
    for label, value in zip(labels, values, strict=True):
        q = _quarter_of(label, names=True)
        if q is not None:
            by_quarter[q] = value
        elif period_kind(label) == "calendar_year" or label in ("year", "all", "annual"):
            annual = value
    for i, p in enumerate(periods):
        q = _quarter_of(p, names=False)
        if p in exact:
            out[i] = exact[p]
        elif q is not None and q in by_quarter:
            out[i] = by_quarter[q]
        else:
            out[i] = annual
    return out


def _quarter_of(label: str, names: bool) -> int | None:
    """Quarter of year of a quarter label (or, with ``names``, of ``Q1`` … ``Q4``)."""
    if names and label in QUARTER_NAMES:
        return QUARTER_NAMES.index(label) + 1
    return quarter_of_label(label) if period_kind(label) == "quarter" else None


def plot_rates(
    measures_table: pd.DataFrame,
    baseline_table: pd.DataFrame | None = None,
    ax: Axes | None = None,
    lots: Sequence[str] | None = None,
) -> Axes:
    """Proven reoffending rate by period for each lot, with 95 % intervals and baseline.

    Each lot is one line (its own colour, marker and line style) with error bars
    from ``binary_ci_low`` to ``binary_ci_high``. Interim periods (``status ==
    "interim"``) are drawn with hollow markers. With ``baseline_table``, each lot's
    baseline is a thin dotted step line in the lot's colour: the baseline row of
    the same period if there is one, else of the same quarter-of-year (2011Q3 for
    2016Q3: the TR seasonal comparison), else the lot's annual baseline.

    Parameters
    ----------
    measures_table : pandas.DataFrame
        Columns ``lot``, ``period``, ``binary_rate`` (proportion, 0–1), and optionally
        ``binary_ci_low``, ``binary_ci_high``, ``status``. One row per lot × period
        (the ``.table`` of pbr's measures, or ``pbr measures`` output).
    baseline_table : pandas.DataFrame, optional
        Columns ``lot``, ``baseline_binary`` (proportion) and optionally ``period``
        (``2011Q1``…``2011Q4``, ``Q1``…``Q4``, or a year such as ``2011``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure otherwise.
    lots : sequence of str, optional
        Lots to draw, in this order (default: every lot in the table, sorted).

    Returns
    -------
    matplotlib.axes.Axes
        Periods are categorical x positions in sorted order; y is in percent.

    Raises
    ------
    pbr.errors.PbrError
        If a required column is missing, a rate is not numeric, or a requested lot
        has no rows.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"lot": ["A", "A", "B", "B"],
    ...                   "period": ["2016Q1", "2016Q2"] * 2,
    ...                   "binary_rate": [0.30, 0.28, 0.40, 0.42],
    ...                   "binary_ci_low": [0.27, 0.25, 0.36, 0.38],
    ...                   "binary_ci_high": [0.33, 0.31, 0.44, 0.46]})
    >>> b = pd.DataFrame({"lot": ["A", "B"], "baseline_binary": [0.32, 0.41]})
    >>> ax = plot_rates(m, b)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['A', 'B', 'baseline (dotted)']
    """
    what = "measures_table"
    _require(measures_table, ["lot", "period", "binary_rate"], what)
    if baseline_table is not None:
        _require(baseline_table, ["lot", "baseline_binary"], "baseline_table")
    table = measures_table.assign(
        lot=measures_table["lot"].astype(str), period=measures_table["period"].astype(str)
    )
    available = sorted(table["lot"].unique())
    chosen = list(lots) if lots is not None else available
    unknown = [lot for lot in chosen if lot not in available]
    if unknown:
        raise PbrError(f"lots not in measures_table: {', '.join(map(str, unknown))}")
    table = table[table["lot"].isin(chosen)]
    periods = sorted(table["period"].unique())
    xpos = {p: i for i, p in enumerate(periods)}

    ax = new_axes(ax)
    style_axes(ax, title="Proven reoffending rate by period")
    has_ci = {"binary_ci_low", "binary_ci_high"} <= set(table.columns)
    offsets = np.linspace(-0.15, 0.15, len(chosen)) if len(chosen) > 1 else np.zeros(1)
    for i, lot in enumerate(chosen):
        rows = table[table["lot"] == lot].sort_values("period", kind="stable")
        x = np.array([xpos[p] for p in rows["period"]], dtype=float) + offsets[i]
        y = 100 * _floats(rows["binary_rate"], "binary_rate", what)
        style = series_style(i)
        if has_ci:
            lo = 100 * _floats(rows["binary_ci_low"], "binary_ci_low", what)
            hi = 100 * _floats(rows["binary_ci_high"], "binary_ci_high", what)
            ax.errorbar(
                x,
                y,
                yerr=np.vstack([y - lo, hi - y]),
                fmt="none",
                ecolor=style["color"],
                elinewidth=0.9,
                capsize=2.5,
            )
        ax.plot(x, y, label=lot, markersize=5.5, linewidth=1.4, **style)
        if "status" in rows.columns:
            interim = (rows["status"].astype(str) == "interim").to_numpy()
            if interim.any():
                ax.plot(
                    x[interim],
                    y[interim],
                    linestyle="none",
                    marker=style["marker"],
                    markersize=5.5,
                    markerfacecolor="white",
                    markeredgecolor=style["color"],
                )
        if baseline_table is not None:
            base = 100 * _baseline_lookup(baseline_table, lot, list(rows["period"]))
            if np.isfinite(base).any():
                ax.step(
                    x,
                    base,
                    where="mid",
                    color=style["color"],
                    linestyle=":",
                    linewidth=1.2,
                )
    if baseline_table is not None:
        ax.plot([], [], color=INK, linestyle=":", linewidth=1.2, label="baseline (dotted)")
    ax.set_xticks(range(len(periods)), periods)
    if len(periods) > 8:
        ax.tick_params(axis="x", labelrotation=45)
    ax.set_xlabel("period")
    ax.set_ylabel("reoffenders / cohort (%)")
    ax.legend(frameon=False, fontsize=8, ncols=min(4, len(chosen) + 1))
    return ax


# --------------------------------------------------------------------------- funnel

_OUTCOME_MARKERS = {
    "significant_reduction": ("v", True),
    "no_significant_change": ("o", False),
    "significant_increase": ("^", True),
}


def plot_funnel(
    assessment_table: pd.DataFrame,
    alpha: float = 0.05,
    ax: Axes | None = None,
    expected_rate: float | None = None,
    max_labels: int = 10,
) -> Axes:
    r"""Funnel plot: change against the adjusted baseline versus cohort size.

    Each row (a lot × period) is a point at (``cohort_size``, ``change_pp``). The
    funnel is the two-sided ``1 − alpha`` control limit for a cohort of size N
    whose members each reoffend with probability e:

    .. math:: \pm z_{1-\alpha/2} \sqrt{e (1 - e) / N} \times 100

    in percentage points, where e is ``expected_rate`` or, by default, the
    cohort-size-weighted mean of the table's ``expected_rate`` column (Spiegelhalter
    2005, funnel plots for institutional comparison). A point below the funnel is a
    significant reduction. Points outside the limits are labelled with their lot
    (the ``max_labels`` furthest outside, by absolute change over the limit).
    With an ``outcome`` column, reductions are drawn as filled down-triangles,
    increases as filled up-triangles and no change as hollow circles (greyscale
    safe); the outcome is the row's own test, which uses its own p_i and can differ
    slightly from the common funnel.

    Parameters
    ----------
    assessment_table : pandas.DataFrame
        Columns ``cohort_size`` (N), ``change_pp`` (100 × (O − E) / N) and, unless
        ``expected_rate`` is given, ``expected_rate`` (E / N); optionally ``lot``,
        ``period``, ``outcome``.
    alpha : float, default 0.05
        Two-sided significance level of the limits.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure otherwise.
    expected_rate : float, optional
        The e of the limits (proportion); overrides the table's column.
    max_labels : int, default 10
        Most points to label (0 for none).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    pbr.errors.PbrError
        On missing columns, ``alpha`` outside (0, 1), or no positive cohort size.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"lot": ["A", "B", "C"], "cohort_size": [400, 900, 1600],
    ...                   "expected_rate": [0.3, 0.3, 0.3],
    ...                   "change_pp": [1.0, -8.0, 0.5]})
    >>> ax = plot_funnel(a)
    >>> [t.get_text() for t in ax.texts]   # only B is outside the 95 % funnel
    ['B']
    >>> round(1.959963984540054 * (0.3 * 0.7 / 900) ** 0.5 * 100, 2)  # B's limit
    2.99
    """
    what = "assessment_table"
    need = ["cohort_size", "change_pp"] + ([] if expected_rate is not None else ["expected_rate"])
    _require(assessment_table, need, what)
    if not 0 < alpha < 1:
        raise PbrError(f"alpha must be in (0, 1), got {alpha}")
    n = _floats(assessment_table["cohort_size"], "cohort_size", what)
    change = _floats(assessment_table["change_pp"], "change_pp", what)
    ok = np.isfinite(n) & (n > 0) & np.isfinite(change)
    if not ok.any():
        raise PbrError("assessment_table has no row with a positive cohort_size and a change_pp")
    if expected_rate is None:
        rates = _floats(assessment_table["expected_rate"], "expected_rate", what)
        good = ok & np.isfinite(rates)
        e = float(np.sum(rates[good] * n[good]) / np.sum(n[good]))
    else:
        e = float(expected_rate)
    if not 0 < e < 1:
        raise PbrError(f"expected rate for the funnel must be in (0, 1), got {e}")
    z = NormalDist().inv_cdf(1 - alpha / 2)

    ax = new_axes(ax)
    style_axes(ax, title="Change against adjusted baseline by cohort size", grid_axis="both")
    grid = np.linspace(max(1.0, float(n[ok].min()) * 0.8), float(n[ok].max()) * 1.15, 200)
    limit = z * np.sqrt(e * (1 - e) / grid) * 100
    level = f"{100 * (1 - alpha):g} % limits"
    ax.plot(grid, limit, color=INK, linestyle="--", linewidth=1.0, label=level)
    ax.plot(grid, -limit, color=INK, linestyle="--", linewidth=1.0)
    ax.axhline(0, color=INK, linewidth=0.8)

    outcomes = (
        assessment_table["outcome"].astype(str).to_numpy()
        if "outcome" in assessment_table.columns
        else np.full(len(n), "")
    )
    drawn = False
    for key, (marker, filled) in _OUTCOME_MARKERS.items():
        sel = ok & (outcomes == key)
        if sel.any():
            ax.plot(
                n[sel],
                change[sel],
                linestyle="none",
                marker=marker,
                markersize=6,
                color=PALETTE[0],
                markerfacecolor=PALETTE[0] if filled else "white",
                label=key.replace("_", " "),
            )
            drawn = True
    rest = ok & ~np.isin(outcomes, list(_OUTCOME_MARKERS))
    if rest.any():
        ax.plot(
            n[rest],
            change[rest],
            linestyle="none",
            marker="o",
            markersize=6,
            color=PALETTE[0],
            label="lot × period" if drawn else None,
        )
    limit_at_n = z * np.sqrt(e * (1 - e) / np.where(n > 0, n, 1)) * 100
    outside = ok & (np.abs(change) > limit_at_n)
    excess = np.where(outside, np.abs(change) / limit_at_n, 0.0)
    # the furthest outside first; ties by row order (stable), so labels are deterministic
    chosen = np.argsort(-excess, kind="stable")[: max(0, min(max_labels, int(outside.sum())))]
    if "lot" in assessment_table.columns:
        labels = assessment_table["lot"].astype(str).to_numpy()
        if "period" in assessment_table.columns:
            periods = assessment_table["period"].astype(str).to_numpy()
            labels = np.array([f"{a} {b}" for a, b in zip(labels, periods, strict=True)])
        for i in sorted(chosen):
            ax.annotate(
                labels[i],
                (n[i], change[i]),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=7,
                color=INK,
            )
    ax.set_xlabel("cohort size (N)")
    ax.set_ylabel("change against adjusted baseline (pp)")
    ax.legend(frameon=False, fontsize=8)
    return ax


# --------------------------------------------------------------------------- waterfall

#: Order of components in the waterfall; others follow alphabetically, then caps/collars.
COMPONENT_ORDER = ("fee_for_service", "binary", "frequency")


def _decimal(value: Any, row: int) -> Decimal:
    try:
        out = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise PbrError(f"statement_lines row {row}: amount {value!r} is not a number") from None
    if not out.is_finite():
        raise PbrError(f"statement_lines row {row}: amount {value!r} is not finite")
    return out


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
    >>> import pandas as pd
    >>> lines = pd.DataFrame({"lot": ["A", "A", "A"],
    ...                       "component": ["binary", "fee_for_service", "cap"],
    ...                       "amount": ["1000.00", "250.50", "-200.00"]})
    >>> print(waterfall_steps(lines)[["component", "amount", "end"]].to_string(index=False))
          component  amount     end
    fee_for_service  250.50  250.50
             binary 1000.00 1250.50
                cap -200.00 1050.50
              total 1050.50 1050.50
    """
    what = "statement_lines"
    _require(statement_lines, ["component", "amount"] + (["lot"] if lot is not None else []), what)
    lines = statement_lines
    if lot is not None:
        lines = lines[lines["lot"].astype(str) == str(lot)]
        if lines.empty:
            raise PbrError(f"statement_lines has no line for lot {lot!r}")
    totals: dict[str, Decimal] = {}
    for row, (component, amount) in enumerate(
        zip(lines["component"].astype(str), lines["amount"], strict=True), start=1
    ):
        totals[component] = totals.get(component, Decimal("0")) + _decimal(amount, row)
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
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure otherwise.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    pbr.errors.PbrError
        On missing columns, a non-numeric amount, or a lot with no lines.

    Examples
    --------
    >>> import pandas as pd
    >>> lines = pd.DataFrame({"lot": ["A"] * 4,
    ...                       "component": ["fee_for_service", "binary", "frequency", "cap"],
    ...                       "amount": ["250.00", "1000.00", "300.00", "-200.00"]})
    >>> ax = plot_waterfall(lines, lot="A")
    >>> len(ax.patches), [t.get_text() for t in ax.get_xticklabels()][-1]
    (5, 'total')
    >>> ax.texts[-1].get_text()
    '£1,350.00'
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
    ax.yaxis.set_major_formatter(lambda v, _pos: f"£{v:,.0f}")
    ax.margins(y=0.12)
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
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure otherwise.
    threshold : float, default 10.0
        Balance threshold in percent.

    Returns
    -------
    matplotlib.axes.Axes

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
    names = balance_table["covariate"].astype(str).tolist()
    before = _floats(balance_table["smd_before"], "smd_before", what)
    after = _floats(balance_table["smd_after"], "smd_after", what)
    ax = new_axes(ax, figsize=(6.5, max(2.5, 0.4 * len(names) + 1.2)))
    style_axes(ax, title="Covariate balance", grid_axis="x")
    y = np.arange(len(names))[::-1].astype(float)
    for yi, b, a in zip(y, before, after, strict=True):
        ax.plot([b, a], [yi, yi], color="#999999", linewidth=0.8)
    ax.plot(
        before,
        y,
        linestyle="none",
        marker="o",
        markersize=6,
        color=PALETTE[4],
        markerfacecolor="white",
        label="before matching",
    )
    ax.plot(
        after,
        y,
        linestyle="none",
        marker="s",
        markersize=5.5,
        color=PALETTE[0],
        label="after matching",
    )
    ax.axvline(threshold, color=INK, linestyle="--", linewidth=0.9, label=f"±{threshold:g} %")
    ax.axvline(-threshold, color=INK, linestyle="--", linewidth=0.9)
    ax.axvline(0, color=INK, linewidth=0.6)
    ax.set_yticks(y, names)
    ax.set_xlabel("standardised mean difference (%)")
    ax.legend(frameon=False, fontsize=8)
    return ax
