"""One plot style for every pbr figure, readable in colour and in greyscale print.

Series are told apart by **marker and line style** as well as colour, so a chart
photocopied in black and white still reads. The palette is Okabe–Ito (safe for
the common colour-vision deficiencies), ordered so that neighbouring series also
differ in lightness. Nothing here changes matplotlib's global ``rcParams``:
styling is applied to the Axes pbr draws on.

Examples
--------
>>> from pbr.report.style import series_style
>>> series_style(0)["marker"], series_style(1)["marker"]
('o', 's')
"""

from __future__ import annotations

from typing import Any, Literal

from matplotlib.axes import Axes

from pbr.formatting import format_money

__all__ = [
    "HATCHES",
    "INK",
    "LINESTYLES",
    "MARKERS",
    "PALETTE",
    "format_money",
    "new_axes",
    "series_style",
    "style_axes",
]

#: Okabe–Ito colours, alternating dark and light so that greyscale still separates them.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue (dark)
    "#E69F00",  # orange (light)
    "#009E73",  # green (mid)
    "#CC79A7",  # purple (light)
    "#D55E00",  # vermillion (mid)
    "#56B4E9",  # sky (light)
    "#000000",  # black
    "#F0E442",  # yellow (very light)
)
#: Markers, distinct in silhouette (filled shapes print well).
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Line styles; cycled with a period coprime to the markers' so pairs rarely repeat.
LINESTYLES: tuple[str, ...] = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)))  # type: ignore[assignment]
#: Hatches for bars: positive, negative, adjustment (cap/collar), total.
HATCHES: dict[str, str] = {"positive": "", "negative": "//", "adjustment": "xx", "total": ""}
#: Text, axis and reference-line colour.
INK = "#222222"


def series_style(i: int) -> dict[str, Any]:
    """Colour, marker and line style of the ``i``-th series of a chart.

    Parameters
    ----------
    i : int
        Series index (0-based); styles repeat after ``lcm(8, 5) = 40`` series.

    Returns
    -------
    dict
        Keyword arguments for :meth:`matplotlib.axes.Axes.plot`:
        ``color``, ``marker``, ``linestyle``.

    Examples
    --------
    >>> series_style(0)
    {'color': '#0072B2', 'marker': 'o', 'linestyle': '-'}
    >>> series_style(5)["linestyle"]
    '-'
    """
    return {
        "color": PALETTE[i % len(PALETTE)],
        "marker": MARKERS[i % len(MARKERS)],
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
    }


def new_axes(ax: Axes | None, figsize: tuple[float, float] = (8.0, 4.5)) -> Axes:
    """Return ``ax``, or the Axes of a new pyplot figure of ``figsize`` inches.

    A new figure comes from :func:`matplotlib.pyplot.subplots` (constrained layout),
    like every pbr ``plot()``, so it shows up in Jupyter without further calls; in
    scripts close it with ``plt.close(ax.figure)`` when done.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or None
        An existing Axes to draw on.
    figsize : tuple of float, default (8, 4.5)
        Size of a new figure in inches.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = new_axes(None)
    >>> ax.figure.get_size_inches().tolist()
    [8.0, 4.5]
    >>> new_axes(ax) is ax
    True
    """
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _fig, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


def style_axes(
    ax: Axes, *, title: str | None = None, grid_axis: Literal["both", "x", "y"] = "y"
) -> Axes:
    """Apply the pbr look to ``ax``: light grid, no top/right spines, dark ink.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The Axes to style (modified in place).
    title : str, optional
        Title to set.
    grid_axis : {"y", "x", "both"}, default "y"
        Which grid lines to draw.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax`` itself.

    Examples
    --------
    >>> ax = style_axes(new_axes(None), title="Rates")
    >>> ax.get_title(loc="left"), ax.spines["top"].get_visible()
    ('Rates', False)
    """
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(INK)
    ax.tick_params(colors=INK, labelsize=9)
    ax.grid(True, axis=grid_axis, color="#cccccc", linewidth=0.6)
    ax.set_axisbelow(True)
    if title is not None:
        ax.set_title(title, color=INK, fontsize=11, loc="left")
    return ax
