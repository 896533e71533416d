"""Love plot: standardised mean differences before and after matching, in the house style.

Examples
--------
>>> import pandas as pd
>>> b = pd.DataFrame({"covariate": ["age", "race=black"], "smd_before_pct": [-30.9, 176.1],
...                   "smd_after_pct": [7.2, 102.6]})
>>> ax = love_plot(b)
>>> [t.get_text() for t in ax.get_yticklabels()]
['age', 'race=black']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from pbr.errors import PbrError
from pbr.report.style import INK, PALETTE, new_axes, style_axes

__all__ = ["love_plot"]


def love_plot(
    balance: pd.DataFrame,
    ax: Any = None,
    *,
    absolute: bool = True,
    thresholds: Sequence[float] = (10.0, 5.0),
) -> Any:
    """Love plot of a balance table (:func:`pbr.matching.balance_table` columns).

    One row per covariate, top to bottom in table order: hollow circles before
    matching, filled squares after (when the table has ``smd_after_pct``);
    dashed lines at each threshold (MatchIt's defaults 0.1 and 0.05 are 10 %
    and 5 %).

    Parameters
    ----------
    balance : pandas.DataFrame
        Columns ``covariate``, ``smd_before_pct`` and optionally ``smd_after_pct``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure otherwise.
    absolute : bool
        Plot ``|SMD|`` (default, as MatchIt) or signed SMDs.
    thresholds : sequence of float
        Threshold lines in percent.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"covariate": ["x"], "smd_before_pct": [-40.0]})
    >>> love_plot(b, absolute=False).get_xlabel()
    'standardised mean difference (%)'
    """
    for col in ("covariate", "smd_before_pct"):
        if col not in balance.columns:
            raise PbrError(f"balance table has no column {col!r}")
    names = balance["covariate"].astype(str).tolist()
    y = np.arange(len(names))[::-1].astype(float)
    tf = np.abs if absolute else (lambda v: v)
    before = tf(balance["smd_before_pct"].to_numpy(dtype=float))
    ax = new_axes(ax, figsize=(6.5, max(2.5, 0.35 * len(names) + 1.2)))
    style_axes(ax, title="Covariate balance", grid_axis="x")
    has_after = "smd_after_pct" in balance.columns
    if has_after:
        after = tf(balance["smd_after_pct"].to_numpy(dtype=float))
        for yi, b, a in zip(y, before, after, strict=True):
            ax.plot([b, a], [yi, yi], color="#999999", linewidth=0.8)
    series = [
        (
            before,
            "before matching",
            {"marker": "o", "markersize": 6, "color": PALETTE[4], "markerfacecolor": "white"},
        )
    ]
    if has_after:
        series.append(
            (after, "after matching", {"marker": "s", "markersize": 5.5, "color": PALETTE[0]})
        )
    for x, label, marks in series:  # hollow circles before, filled squares after
        ax.plot(x, y, linestyle="none", label=label, **marks)
    for i, th in enumerate(thresholds):
        style = "--" if i == 0 else ":"
        ax.axvline(th, color=INK, linestyle=style, linewidth=0.9, label=f"{th:g} %")
        if not absolute:
            ax.axvline(-th, color=INK, linestyle=style, linewidth=0.9)
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.set_xlabel(
        "|standardised mean difference| (%)" if absolute else "standardised mean difference (%)"
    )
    ax.legend(loc="lower right", frameon=False)
    return ax
