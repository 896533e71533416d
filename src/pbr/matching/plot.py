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
from pbr.report.plots import draw_balance

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
    tf = np.abs if absolute else (lambda v: v)
    after = balance.get("smd_after_pct")
    return draw_balance(  # the chart of pbr.report.plot_balance, in the house style
        ax,
        balance["covariate"].astype(str).tolist(),
        tf(balance["smd_before_pct"].to_numpy(dtype=float)),
        None if after is None else tf(after.to_numpy(dtype=float)),
        thresholds=thresholds,
        absolute=absolute,
    )
