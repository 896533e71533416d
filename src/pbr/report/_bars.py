"""The scaffolding every pbr bar chart shares: axes, bars side by side, category and row axes.

One place for what the bar charts of :mod:`pbr.report.plots`,
:mod:`pbr.report.result_plots` and :func:`pbr.matching.love_plot` have in common:
a styled Axes (:func:`chart`, :func:`row_chart` for one row per item, top to
bottom), series of bars side by side with the second hatched so they read in
greyscale (:func:`side_by_side`), and the finishing of a category axis
(:func:`finish`).

Examples
--------
>>> import numpy as np
>>> ax = chart(None, "Two series")
>>> x = np.arange(2)
>>> side_by_side(ax, x, [([1.0, 2.0], "a"), ([3.0, 4.0], "b")])
>>> finish(ax, x, ["one", "two"], ylabel="count", legend=True)
>>> [float(p.get_height()) for p in ax.patches], ax.get_ylabel()
([1.0, 2.0, 3.0, 4.0], 'count')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from matplotlib.axes import Axes

from pbr.report.style import INK, format_money, new_axes, series_style, style_axes

__all__ = ["chart", "finish", "finish_rows", "money_axis", "row_chart", "side_by_side"]


def chart(
    ax: Axes | None,
    title: str,
    *,
    figsize: tuple[float, float] | None = None,
    grid: Literal["both", "x", "y"] = "y",
) -> Axes:
    """``ax`` (or a new figure's Axes, of ``figsize``) in the house style, titled.

    Examples
    --------
    >>> chart(None, "T", figsize=(4.0, 3.0)).get_title(loc="left")
    'T'
    """
    ax = new_axes(ax) if figsize is None else new_axes(ax, figsize=figsize)
    style_axes(ax, title=title, grid_axis=grid)
    return ax


def row_chart(
    ax: Axes | None, title: str, rows: int, *, width: float = 6.5, per_row: float = 0.35
) -> tuple[Axes, np.ndarray]:
    """A chart of one row per item (first item on top) and the rows' y positions.

    The new figure is ``width`` wide and ``per_row`` inches per row (at least 2.5).

    Examples
    --------
    >>> ax, y = row_chart(None, "Rows", 3)
    >>> y.tolist()
    [2.0, 1.0, 0.0]
    """
    ax = chart(ax, title, figsize=(width, max(2.5, per_row * rows + 1.2)), grid="x")
    return ax, np.arange(rows)[::-1].astype(float)


def side_by_side(
    ax: Axes, x: np.ndarray, series: Sequence[tuple[Any, str]], *, width: float = 0.4
) -> None:
    """Bars of each ``(values, label)`` series side by side at ``x``; the second hatched.

    Examples
    --------
    >>> import numpy as np
    >>> ax = chart(None, "S")
    >>> side_by_side(ax, np.arange(1), [([1.0], "a"), ([2.0], "b")])
    >>> [p.get_hatch() and str(p.get_hatch()) for p in ax.patches]
    [None, '//']
    """
    for i, (values, label) in enumerate(series):
        hatch = "//" if i % 2 else None
        colour = series_style(i)["color"]
        ax.bar(
            x + (i - (len(series) - 1) / 2) * width,
            np.asarray(values, dtype=float),
            width=width,
            color="white" if hatch else colour,
            edgecolor=colour,
            hatch=hatch,
            label=label,
        )


def money_axis(axis: Any) -> None:
    """Tick labels in whole pounds, in the one money format (``−£1,234``), on ``axis``.

    Examples
    --------
    >>> ax = chart(None, "M")
    >>> money_axis(ax.yaxis)
    >>> ax.yaxis.get_major_formatter()(-1234.4, 0)
    '−£1,234'
    """
    axis.set_major_formatter(lambda v, _pos: format_money(round(v)).removesuffix(".00"))


def finish(
    ax: Axes,
    x: np.ndarray,
    labels: Sequence[str],
    *,
    xlabel: str | None = None,
    ylabel: str | None = None,
    zero: bool = False,
    legend: bool = False,
) -> None:
    """Category ticks (turned upright past six), axis labels, a zero line and the legend.

    Examples
    --------
    >>> import numpy as np
    >>> ax = chart(None, "F")
    >>> finish(ax, np.arange(7), list("abcdefg"), xlabel="letter")
    >>> ax.get_xlabel(), ax.get_xticklabels()[0].get_rotation()
    ('letter', 90.0)
    """
    if zero:
        ax.axhline(0, color=INK, linewidth=0.8)
    ax.set_xticks(x, list(labels))
    if len(labels) > 6:
        ax.tick_params(axis="x", labelrotation=90)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if legend:
        ax.legend(frameon=False, fontsize=8)


def finish_rows(
    ax: Axes, y: np.ndarray, labels: Sequence[str], xlabel: str, *, zero: bool = True
) -> None:
    """The row axis of a :func:`row_chart`: one tick per row, the x label, a zero line.

    Examples
    --------
    >>> ax, y = row_chart(None, "R", 2)
    >>> finish_rows(ax, y, ["top", "bottom"], "estimate")
    >>> [t.get_text() for t in ax.get_yticklabels()], ax.get_xlabel()
    (['top', 'bottom'], 'estimate')
    """
    if zero:
        ax.axvline(0.0, color=INK, linewidth=0.8)
    ax.set_yticks(y, list(labels))
    ax.set_xlabel(xlabel)
