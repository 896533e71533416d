"""Measures over time: each lot against the others in grey, with a break between eras.

A chart of 21 coloured lines is unreadable, so :func:`plot_rates` draws either
small multiples (one panel per lot: the lot in colour with its 95 % interval band,
every other lot as a thin grey line behind it) or, on one Axes, one highlighted lot
against the others in grey. Periods are placed on a time axis; where periods are
missing between two drawn periods (the years between the 2011 baseline and the
first performance quarter), the line stops, the axis shows a break mark ``//``
and the gap is labelled, so no straight line crosses years that were not measured.

Examples
--------
>>> import pandas as pd
>>> from pbr.report.trends import period_positions
>>> period_positions(["2011Q3", "2011Q4", "2015Q4", "2016Q1"])
([0.0, 1.0, 2.5, 3.5], [1.75])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from pbr.errors import PbrError
from pbr.periods import QUARTER_NAMES, parse_period, period_kind, quarter_of_label
from pbr.report._inputs import numeric as _floats
from pbr.report._inputs import require_columns as _require
from pbr.report.style import INK, PALETTE, style_axes

__all__ = ["period_positions", "plot_rates"]

_GREY = "#bbbbbb"
_GAP = 1.5  # x distance across a break, in periods


def period_positions(periods: Sequence[str]) -> tuple[list[float], list[float]]:
    """X positions of sorted period labels, with a break where periods are missing.

    Consecutive periods of the same kind one code apart (``2011Q4``, ``2012Q1``) are
    one unit apart; a jump (``2011Q4`` → ``2015Q4``) costs ``1.5`` units and is a break.

    Parameters
    ----------
    periods : sequence of str
        Period labels, already sorted.

    Returns
    -------
    (list of float, list of float)
        The x of each period, and the x of the middle of each break.

    Examples
    --------
    >>> period_positions(["2016Q1", "2016Q2"])
    ([0.0, 1.0], [])
    """
    xs: list[float] = []
    breaks: list[float] = []
    previous: tuple[str | None, int] | None = None
    for label in periods:
        kind = period_kind(label)
        code = parse_period(label).code if kind is not None else None
        if not xs:
            xs.append(0.0)
        else:
            step = 1.0
            jump = previous is not None and code is not None and previous[0] == kind
            if jump and previous is not None and code is not None and code - previous[1] > 1:
                step = _GAP
            if step > 1:
                breaks.append(xs[-1] + step / 2)
            xs.append(xs[-1] + step)
        previous = (kind, code) if code is not None else None
    return xs, breaks


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


def _segments(x: np.ndarray, y: np.ndarray, breaks: Sequence[float]) -> np.ndarray:
    """``y`` with NaN inserted at each break, so lines stop there (x likewise)."""
    xs: list[float] = []
    ys: list[float] = []
    for xi, yi in zip(x, y, strict=True):
        if xs and any(xs[-1] < b < xi for b in breaks):
            xs.append(np.nan)
            ys.append(np.nan)
        xs.append(float(xi))
        ys.append(float(yi))
    return np.array([xs, ys])


class _Panel:
    """The data of one chart: the rates of every lot on the shared period axis."""

    def __init__(self, table: pd.DataFrame, baseline: pd.DataFrame | None) -> None:
        self.table = table
        self.baseline = baseline
        self.periods = sorted(table["period"].unique(), key=_sort_key)
        xs, self.breaks = period_positions(self.periods)
        self.xpos = dict(zip(self.periods, xs, strict=True))
        self.has_ci = {"binary_ci_low", "binary_ci_high"} <= set(table.columns)

    def rows(self, lot: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        rows = self.table[self.table["lot"] == lot]
        keys = [_sort_key(p) for p in rows["period"]]
        rows = rows.iloc[sorted(range(len(keys)), key=keys.__getitem__)]
        x = np.array([self.xpos[p] for p in rows["period"]], dtype=float)
        y = 100 * _floats(rows["binary_rate"], "binary_rate", "measures_table")
        return rows, x, y

    def draw(self, ax: Axes, highlight: str | None, others: Sequence[str], colour: str) -> None:
        for lot in others:
            if lot == highlight:
                continue
            _, x, y = self.rows(lot)
            seg = _segments(x, y, self.breaks)
            ax.plot(seg[0], seg[1], color=_GREY, linewidth=0.8, zorder=1)
        if highlight is None:
            return
        rows, x, y = self.rows(highlight)
        if self.has_ci:
            lo = _segments(x, 100 * _floats(rows["binary_ci_low"], "ci", "measures_table"), [])
            hi = 100 * _floats(rows["binary_ci_high"], "ci", "measures_table")
            for part in self._runs(x):
                ax.fill_between(x[part], lo[1][part], hi[part], color=colour, alpha=0.18, lw=0)
        seg = _segments(x, y, self.breaks)
        ax.plot(seg[0], seg[1], color=colour, linewidth=1.8, zorder=3, label=highlight)
        interim = (
            (rows["status"].astype(str) == "interim").to_numpy()
            if "status" in rows.columns
            else np.zeros(len(rows), dtype=bool)
        )
        ax.plot(x[~interim], y[~interim], "o", color=colour, markersize=3.5, zorder=4)
        if interim.any():
            ax.plot(
                x[interim], y[interim], "o", color=colour, markerfacecolor="white",
                markersize=4, zorder=4, label="interim (hollow)",
            )  # fmt: skip
        if self.baseline is not None:
            base = 100 * _baseline_lookup(self.baseline, highlight, list(rows["period"]))
            if np.isfinite(base).any():
                seg = _segments(x, base, self.breaks)
                ax.plot(seg[0], seg[1], color=INK, linestyle=":", linewidth=1.1,
                        label="baseline", zorder=2)  # fmt: skip

    def _runs(self, x: np.ndarray) -> list[np.ndarray]:
        runs: list[list[int]] = []
        for i, xi in enumerate(x):
            if runs and not any(x[runs[-1][-1]] < b < xi for b in self.breaks):
                runs[-1].append(i)
            else:
                runs.append([i])
        return [np.array(r) for r in runs]

    def axis(self, ax: Axes, labels: bool = True) -> None:
        xs = [self.xpos[p] for p in self.periods]
        ax.set_xticks(xs, self.periods if labels else [""] * len(xs))
        if labels and len(xs) > 6:
            ax.tick_params(axis="x", labelrotation=90)
        for b in self.breaks:
            ax.axvspan(b - _GAP / 2 + 0.15, b + _GAP / 2 - 0.15, color="#f2f2f2", lw=0, zorder=0)
            ax.text(b, 0.0, "//", transform=ax.get_xaxis_transform(), ha="center",
                    va="center", fontsize=9, color=INK, clip_on=False)  # fmt: skip


def _sort_key(label: str) -> tuple[int, int, str]:
    kind = period_kind(label)
    if kind is None:
        return (1, 0, label)
    return (0, parse_period(label).code, label)


def plot_rates(
    measures_table: pd.DataFrame,
    baseline_table: pd.DataFrame | None = None,
    ax: Axes | None = None,
    lots: Sequence[str] | None = None,
    *,
    highlight: str | None = None,
    ncols: int = 4,
    figure: Figure | None = None,
) -> Axes:
    """Proven reoffending rate over time: each lot in colour against the others in grey.

    Without ``ax`` and with more than one lot, a grid of small multiples (one panel
    per lot, ``ncols`` wide, shared axes); with ``ax`` or ``highlight``, one chart of
    ``highlight`` (default: the first lot) against the rest. The coloured lot has its
    95 % interval (``binary_ci_low`` … ``binary_ci_high``) as a band, interim periods
    as hollow markers and, with ``baseline_table``, its baseline as a dotted line:
    the baseline row of the same period, else the same quarter-of-year (2011Q3 for
    2016Q3, the seasonal comparison of docs/methodology.md), else the annual row.
    Missing periods break the lines (see :func:`period_positions`).

    Parameters
    ----------
    measures_table : pandas.DataFrame
        Columns ``lot``, ``period``, ``binary_rate`` (proportion), optionally
        ``binary_ci_low``, ``binary_ci_high``, ``status``.
    baseline_table : pandas.DataFrame, optional
        Columns ``lot``, ``baseline_binary`` and optionally ``period``.
    ax : matplotlib.axes.Axes, optional
        Draw one highlighted chart here.
    lots : sequence of str, optional
        Lots to draw, in this order (default: all, sorted).
    highlight : str, optional
        The lot drawn in colour on a single chart.
    ncols : int, default 4
        Columns of the small-multiple grid.
    figure : matplotlib.figure.Figure, optional
        An empty figure to draw the grid in (default: a new pyplot figure).

    Returns
    -------
    matplotlib.axes.Axes
        The chart, or the first panel of the grid (``ax.figure`` holds them all).
        y is in percent.

    Raises
    ------
    pbr.errors.PbrError
        A required column is missing, a rate is not numeric, or a lot has no rows.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"lot": ["A", "A", "B", "B"],
    ...                   "period": ["2011Q4", "2016Q1"] * 2,
    ...                   "binary_rate": [0.30, 0.28, 0.40, 0.42]})
    >>> ax = plot_rates(m)
    >>> [a.get_title(loc="left") for a in ax.figure.axes]
    ['A', 'B']
    >>> ax = plot_rates(m, highlight="B")
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['B']
    """
    what = "measures_table"
    _require(measures_table, ["lot", "period", "binary_rate"], what)
    if baseline_table is not None:
        _require(baseline_table, ["lot", "baseline_binary"], "baseline_table")
    table = measures_table.assign(
        lot=measures_table["lot"].astype(str), period=measures_table["period"].astype(str)
    )
    available = sorted(table["lot"].unique())
    chosen = [str(x) for x in lots] if lots is not None else available
    unknown = [lot for lot in chosen + ([highlight] if highlight else []) if lot not in available]
    if unknown:
        raise PbrError(f"lots not in measures_table: {', '.join(map(str, unknown))}")
    table = table[table["lot"].isin(chosen + ([highlight] if highlight else []))]
    panel = _Panel(table, baseline_table)
    if ax is not None or highlight is not None or len(chosen) == 1:
        import matplotlib.pyplot as plt

        if ax is None:
            _fig, ax = plt.subplots(figsize=(8.0, 4.5), layout="constrained")
        lot = highlight if highlight is not None else chosen[0]
        style_axes(ax, title=f"Proven reoffending rate: {lot} against the other lots (grey)")
        panel.draw(ax, lot, chosen, PALETTE[0])
        panel.axis(ax)
        ax.set_ylabel("reoffenders / cohort (%)")
        ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22),
                  ncols=3)  # fmt: skip
        return ax
    import matplotlib.pyplot as plt

    cols = max(1, min(ncols, len(chosen)))
    nrows = -(-len(chosen) // cols)
    size = (2.7 * cols, 1.9 * nrows + 1.0)
    fig = figure if figure is not None else plt.figure(figsize=size, layout="constrained")
    if figure is not None:
        fig.set_size_inches(*size)
    grid = fig.subplots(nrows, cols, sharex=True, sharey=True, squeeze=False)
    fig.suptitle(
        "Proven reoffending rate (%) by period: each lot in colour, the others in grey",
        fontsize=11, color=INK, x=0.01, ha="left",
    )  # fmt: skip
    flat = list(grid.ravel())
    for i, lot in enumerate(chosen):
        a = flat[i]
        style_axes(a)
        a.set_title(lot, loc="left", fontsize=9, color=INK)
        panel.draw(a, lot, chosen, PALETTE[0])
        panel.axis(a)
    for i, a in enumerate(flat):
        if i >= len(chosen):
            a.set_visible(False)
        elif i + cols >= len(chosen):  # nothing below this panel: it shows the periods
            a.tick_params(axis="x", labelbottom=True)
    first: Axes = flat[0]
    return first
