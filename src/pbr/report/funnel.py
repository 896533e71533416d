r"""The funnel plot that *is* the binary payment test.

A lot-period is paid for (or deducted for) when its binary z-test is significant:
``z = (O − E) / √V`` with ``|z| > z_{1−α/2}`` (two-sided, the contract's α; see
docs/methodology.md, "Offender-mix adjustment and significance"). In the units
plotted, the change ``100 (O − E) / N`` is significant exactly when it lies outside
``± 100 z_{1−α/2} √V / N``. Because ``V = Σ p_i (1 − p_i)`` differs from lot to lot,
one funnel over the raw cohort size ``N`` cannot draw those limits for every point
at once; so each point is placed at its **effective cohort size**

.. math:: N_\text{eff} = \bar e (1 - \bar e)\, N^2 / V

(the cohort size that, at the pooled expected rate ``ē = ΣE / ΣN``, has the same
standard error as the row). The funnel ``± 100 z_{1−α/2} √(ē (1 − ē) / N_eff)``
then equals every row's own limit, so a point is outside the funnel if and only if
its test is significant (Spiegelhalter 2005 draws funnels against precision for the
same reason). Where ``V`` is not known, it is the binomial approximation
``N e (1 − e)`` that :func:`pbr.adjustment.binary_test` uses.

Examples
--------
>>> import pandas as pd
>>> from pbr.report.funnel import funnel_points
>>> t = pd.DataFrame({"lot": ["A", "B"], "period": ["2016Q1"] * 2,
...                   "cohort_size": [400, 900], "reoffenders": [150, 200],
...                   "expected_reoffenders": [120.0, 270.0]})
>>> funnel_points(t)["flagged"].tolist()
[True, True]
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from pbr.errors import PbrError
from pbr.periods import period_bounds, period_kind
from pbr.report._inputs import numeric
from pbr.report._inputs import require_columns as _require
from pbr.report.style import INK, PALETTE, new_axes, style_axes

__all__ = ["funnel_points", "plot_funnel"]

_MARKERS = {
    "significant_reduction": ("v", True, PALETTE[0]),
    "no_significant_change": ("o", False, "#777777"),
    "significant_increase": ("^", True, PALETTE[4]),
}


def _floats(table: pd.DataFrame, column: str, what: str) -> np.ndarray:
    return numeric(table[column], column, what)


def _performance_rows(table: pd.DataFrame, baseline_year: int | None) -> pd.DataFrame:
    if baseline_year is None or "period" not in table.columns:
        return table
    labels = table["period"].astype(str)
    in_year = [period_kind(p) is not None and _start_year(p) == int(baseline_year) for p in labels]
    return table[~np.array(in_year, dtype=bool)]


def _start_year(label: str) -> int:
    return int(period_bounds(label)[0].astype("datetime64[Y]").astype(np.int64)) + 1970


def funnel_points(
    assessment_table: pd.DataFrame,
    alpha: float = 0.05,
    *,
    baseline_year: int | None = None,
    expected_rate: float | None = None,
) -> pd.DataFrame:
    r"""Where each lot-period goes on the funnel, its limit, and whether it is flagged.

    Parameters
    ----------
    assessment_table : pandas.DataFrame
        Columns ``cohort_size`` (N) and either ``reoffenders`` (O) with
        ``expected_reoffenders`` (E), or ``change_pp`` with ``expected_rate``;
        optionally ``expected_variance`` (V; else ``N e (1 − e)``), ``lot``,
        ``period``, ``status``.
    alpha : float, default 0.05
        The test's two-sided significance level (the contract's ``alpha``).
    baseline_year : int, optional
        Drop the rows of this year (the baseline compared with itself).
    expected_rate : float, optional
        The pooled ``ē`` of the x axis (default ``ΣE / ΣN``).

    Returns
    -------
    pandas.DataFrame
        The kept rows (index preserved) with ``n_eff``, ``change_pp``, ``limit_pp``
        (``100 z √V / N``), ``z``, ``flagged`` (``|z| > z_{1−α/2}``) and
        ``outcome`` (as :func:`pbr.adjustment.classify`), plus ``e_bar``.

    Raises
    ------
    pbr.errors.PbrError
        On missing or non-numeric columns, or ``alpha`` outside (0, 1).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"cohort_size": [1000], "reoffenders": [450],
    ...                   "expected_reoffenders": [500.0], "expected_variance": [250.0]})
    >>> p = funnel_points(t)
    >>> round(float(p["limit_pp"].iloc[0]), 3), p["outcome"].iloc[0]   # 1.96·√250/1000·100
    (3.099, 'significant_reduction')
    """
    what = "assessment_table"
    if not 0 < alpha < 1:
        raise PbrError(f"alpha must be in (0, 1), got {alpha}")
    _require(assessment_table, ["cohort_size"], what)
    table = _performance_rows(assessment_table, baseline_year)
    n = _floats(table, "cohort_size", what)
    if {"reoffenders", "expected_reoffenders"} <= set(table.columns):
        o = _floats(table, "reoffenders", what)
        e = _floats(table, "expected_reoffenders", what)
    else:
        _require(table, ["change_pp", "expected_rate"], what)
        e = _floats(table, "expected_rate", what) * n
        o = e + _floats(table, "change_pp", what) * n / 100
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = e / n
        if "expected_variance" in table.columns:
            v = _floats(table, "expected_variance", what)
            v = np.where(np.isfinite(v), v, n * rate * (1 - rate))
        else:
            v = n * rate * (1 - rate)
        ok = np.isfinite(n) & (n > 0) & np.isfinite(o) & np.isfinite(e) & (v > 0)
        e_bar = (
            float(expected_rate)
            if expected_rate is not None
            else float(np.sum(e[ok]) / np.sum(n[ok]))
            if ok.any()
            else np.nan
        )
        zcrit = NormalDist().inv_cdf(1 - alpha / 2)
        z = np.where(ok, (o - e) / np.sqrt(v), np.nan)
        change = np.where(ok, 100 * (o - e) / n, np.nan)
        limit = np.where(ok, 100 * zcrit * np.sqrt(v) / n, np.nan)
        n_eff = np.where(ok, e_bar * (1 - e_bar) * n**2 / v, np.nan)
    flagged = ok & (np.abs(z) > zcrit)
    outcome = np.where(
        flagged,
        np.where(z < 0, "significant_reduction", "significant_increase"),
        "no_significant_change",
    )
    keep = [c for c in ("lot", "period", "status", "cohort_size") if c in table.columns]
    out = table[keep].assign(
        n_eff=n_eff, change_pp=change, limit_pp=limit, z=z, flagged=flagged, outcome=outcome,
        e_bar=e_bar,
    )  # fmt: skip
    kept: pd.DataFrame = out[ok]
    return kept


_MARKER_SIZE = 34.0  # scatter ``s``, points²: a marker spans √s points
_GAP = 2.5  # pixels kept clear around every label


def _place_labels(ax: Axes, texts: list[Any], points: np.ndarray, labelled: np.ndarray) -> None:
    """Put each label where its box touches no marker, no other label and stays in the axes.

    Deterministic greedy placement, in the order of ``texts`` (the furthest outside
    first; ``points`` are every marker's data coordinates, ``labelled`` the index
    of each text's point): every label's box (its renderer extent, measured once)
    tries centres on a grid around its point, nearest first, on its own side of
    the zero line first (reductions below, increases above), and takes the first
    that is clear of every marker (a square of the marker's size), of the labels
    already placed and of the axes' edges. A label with no clear
    place keeps its least-covered one. A leader line joins label and point.
    """
    if not texts:
        return
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    fig = ax.figure
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)  # type: ignore[arg-type]
    fig.draw_without_rendering()  # type: ignore[union-attr]  # layout first, then measure
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    px = fig.dpi / 72
    half = 0.5 * np.sqrt(_MARKER_SIZE) * px + 0.6 * px  # half a marker, with its edge
    frame = ax.get_window_extent(renderer)
    markers = ax.transData.transform(points)  # display pixels, after the final layout
    marker_boxes = np.column_stack([markers - half, markers + half])  # x0, y0, x1, y1
    placed = np.empty((0, 4))
    leaders = np.empty((0, 4))  # x0, y0, x1, y1 of the leader lines drawn so far
    for t, i in zip(texts, labelled, strict=True):
        (ax_x, ax_y), is_down = markers[i], points[i, 1] < 0
        box = Text.get_window_extent(t, renderer)
        w, h = box.width + 2 * _GAP, box.height + 2 * _GAP
        gx, gy = (g.ravel() for g in np.meshgrid(np.arange(-30, 31) * 4 * px,
                                                  np.arange(-20, 21) * h / 2))  # fmt: skip
        cx, cy = ax_x + gx, ax_y + gy
        cand = np.column_stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
        outside = (
            (cand[:, 0] < frame.x0) | (cand[:, 2] > frame.x1)
            | (cand[:, 1] < frame.y0) | (cand[:, 3] > frame.y1)
        )  # fmt: skip
        blocked = np.concatenate([marker_boxes, placed])
        hits = _overlaps(cand, blocked).sum(axis=1)
        # a leader line through another marker or label is hard to follow: sample it
        others = np.concatenate([np.delete(marker_boxes, i, axis=0), placed])
        crossed = np.zeros(len(cand))
        for f in (0.2, 0.35, 0.5, 0.65, 0.8):
            probe = np.column_stack([ax_x + f * gx, ax_y + f * gy])
            crossed += _overlaps(np.column_stack([probe, probe]), others).any(axis=1)
        tangled = _crossings(ax_x, ax_y, cx, cy, leaders)  # leader lines crossing each other
        wrong_side = (gy > 0) if is_down else (gy < 0)  # reductions below, increases above
        cost = np.hypot(gx, 1.5 * gy) + 1e4 * wrong_side + 40 * crossed + 80 * tangled
        cost += 1e6 * hits + 1e8 * outside  # clear places first, then the least covered
        best = int(np.argmin(cost))
        placed = np.concatenate([placed, cand[best : best + 1]])
        leaders = np.concatenate([leaders, [[ax_x, ax_y, cx[best], cy[best]]]])
        t.set_position((gx[best] / px, gy[best] / px))  # offset points


def _crossings(x: float, y: float, cx: np.ndarray, cy: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """How many of ``lines`` (rows ``x0, y0, x1, y1``) each segment (x, y)–(cx, cy) crosses."""
    if not len(lines):
        return np.zeros(len(cx))

    def side(ax_: Any, ay: Any, bx: Any, by: Any, px: Any, py: Any) -> Any:
        return np.sign((bx - ax_) * (py - ay) - (by - ay) * (px - ax_))

    x0, y0, x1, y1 = (lines[None, :, k] for k in range(4))
    px, py = cx[:, None], cy[:, None]
    apart = (side(x, y, px, py, x0, y0) * side(x, y, px, py, x1, y1) < 0) & (
        side(x0, y0, x1, y1, x, y) * side(x0, y0, x1, y1, px, py) < 0
    )
    out: np.ndarray = apart.sum(axis=1)
    return out


def _overlaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``[i, j]``: box ``a[i]`` and box ``b[j]`` (rows ``x0, y0, x1, y1``) intersect."""
    return (
        (a[:, None, 0] < b[None, :, 2]) & (b[None, :, 0] < a[:, None, 2])
        & (a[:, None, 1] < b[None, :, 3]) & (b[None, :, 1] < a[:, None, 3])
    )  # fmt: skip


def plot_funnel(
    assessment_table: pd.DataFrame,
    alpha: float = 0.05,
    ax: Axes | None = None,
    expected_rate: float | None = None,
    max_labels: int = 30,
    *,
    baseline_year: int | None = None,
) -> Axes:
    r"""Funnel plot of change against the adjusted baseline, with the payment test's limits.

    Each lot-period is a point at (effective cohort size, ``change_pp``); the dashed
    funnel is ``± 100 z_{1−α/2} √(ē (1 − ē) / N_eff)``, which is each row's own
    two-sided test limit (see the module notes), so **a point is outside the funnel
    exactly when it is paid for (below) or deducted for (above)**. Reductions are
    filled down-triangles, increases filled up-triangles, the rest hollow grey
    circles; interim rows have a dotted edge. Only flagged points are labelled
    (``lot period``), each placed where it covers no marker and no other label
    (with a leader line to its point).

    Parameters
    ----------
    assessment_table : pandas.DataFrame
        See :func:`funnel_points` (the ``.table`` of an assessment works as is).
    alpha : float, default 0.05
        Two-sided significance level: use the contract's ``alpha``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure otherwise.
    expected_rate : float, optional
        The pooled ``ē`` of the x axis (default ``ΣE / ΣN`` of the plotted rows).
    max_labels : int, default 30
        Most flagged points to label, the furthest outside first (0 for none).
    baseline_year : int, optional
        Leave out this year's rows (the baseline against itself, all at 0).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    pbr.errors.PbrError
        On missing columns, ``alpha`` outside (0, 1), or no usable row.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"lot": ["A", "B", "C"], "period": ["2016Q1"] * 3,
    ...                   "cohort_size": [400, 900, 1600],
    ...                   "expected_rate": [0.3, 0.3, 0.3],
    ...                   "change_pp": [1.0, -8.0, 0.5]})
    >>> ax = plot_funnel(a)
    >>> [t.get_text() for t in ax.texts]   # only B is outside the 95 % limits
    ['B 2016Q1']
    """
    points = funnel_points(
        assessment_table, alpha, baseline_year=baseline_year, expected_rate=expected_rate
    )
    if points.empty:
        raise PbrError("assessment_table has no row with a positive cohort size and variance")
    e_bar = float(points["e_bar"].iloc[0])
    zcrit = NormalDist().inv_cdf(1 - alpha / 2)
    ax = new_axes(ax)
    title = "Change against the adjusted baseline: outside the funnel = paid / deducted"
    style_axes(ax, title=title, grid_axis="both")
    x = points["n_eff"].to_numpy(dtype=float)
    y = points["change_pp"].to_numpy(dtype=float)
    grid = np.geomspace(max(1.0, x.min() * 0.8), x.max() * 1.2, 200)
    limit = 100 * zcrit * np.sqrt(e_bar * (1 - e_bar) / grid)
    level = f"{100 * (1 - alpha):g} % limits (two-sided α = {alpha:g}, the payment test)"
    ax.plot(grid, limit, color=INK, linestyle="--", linewidth=1.0, label=level)
    ax.plot(grid, -limit, color=INK, linestyle="--", linewidth=1.0)
    ax.axhline(0, color=INK, linewidth=0.8)
    outcome = points["outcome"].to_numpy()
    interim = (
        (points["status"].astype(str) == "interim").to_numpy()
        if "status" in points.columns
        else np.zeros(len(points), dtype=bool)
    )
    for key, (marker, filled, colour) in _MARKERS.items():
        for is_interim in (False, True):
            sel = (outcome == key) & (interim == is_interim)
            if not sel.any():
                continue
            name = key.replace("_", " ") + (" (interim)" if is_interim else "")
            ax.scatter(
                x[sel],
                y[sel],
                marker=marker,
                s=_MARKER_SIZE,
                facecolors=colour if filled and not is_interim else "white",
                edgecolors=colour,
                linestyles=":" if is_interim else "-",
                linewidths=1.1,
                label=f"{name} ({int(sel.sum())})",
                zorder=3,
            )
    flagged = np.flatnonzero(points["flagged"].to_numpy())
    excess = np.abs(y[flagged]) / points["limit_pp"].to_numpy(dtype=float)[flagged]
    order = flagged[np.argsort(-excess, kind="stable")][: max(0, max_labels)]
    texts: list[Any] = []
    if "lot" in points.columns:
        names = points["lot"].astype(str).to_numpy()
        if "period" in points.columns:
            periods = points["period"].astype(str).to_numpy()
            names = np.array([f"{a} {b}" for a, b in zip(names, periods, strict=True)])
        texts = [
            ax.annotate(
                names[i],
                (x[i], y[i]),
                xytext=(0, 0),  # placed by _place_labels once the axes are laid out
                textcoords="offset points",
                fontsize=7,
                color=INK,
                ha="center",
                va="center",
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
                arrowprops={
                    "arrowstyle": "-",
                    "color": "#999999",
                    "linewidth": 0.5,
                    "shrinkA": 0,
                    "shrinkB": 3,
                },
                in_layout=False,
                zorder=2.5,  # under the markers: a label never hides a point
            )
            for i in order  # the furthest outside is placed first, nearest its point
        ]
        ymax = float(np.nanmax(np.abs(np.concatenate([y, limit]))))
        ax.set_ylim(-1.15 * ymax, 1.15 * ymax)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:,.0f}")
    ax.xaxis.set_minor_formatter(lambda v, _pos: f"{v:,.0f}" if str(int(v))[0] in "25" else "")
    ax.set_xlabel(f"effective cohort size  ē(1 − ē)·N² / V,  ē = {e_bar:.3f}  (log scale)")
    ax.set_ylabel("change against adjusted baseline (pp)")
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2)
    _place_labels(ax, texts, np.column_stack([x, y]), order)
    return ax
