"""Argument checks shared by :func:`pbr.forecast.forecast` and :func:`pbr.forecast.backtest`.

Examples
--------
>>> import pandas as pd
>>> check_run_arguments("forecast", pd.DataFrame(), draws=0, strata=1, seed=0)
Traceback (most recent call last):
...
pbr.errors.PbrError: forecast: draws must be a whole number >= 1, not 0
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pbr.errors import PbrError

__all__ = ["check_run_arguments"]


def check_run_arguments(who: str, offences: Any, *, draws: Any, strata: Any, seed: Any) -> None:
    """Raise a :class:`~pbr.errors.PbrError` naming ``who`` for a bad offences table or count.

    ``offences`` must be a DataFrame (files are read with :func:`pbr.read_offences`);
    ``draws`` and ``strata`` whole numbers >= 1 and ``seed`` >= 0 (not bools).

    Examples
    --------
    >>> check_run_arguments("backtest", [], draws=1, strata=1, seed=0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pbr.errors.PbrError: backtest: offences must be a DataFrame (...), not list
    """
    if not isinstance(offences, pd.DataFrame):
        raise PbrError(
            f"{who}: offences must be a DataFrame (read files with pbr.read_offences), "
            f"not {type(offences).__name__}"
        )
    for name, v, lo in (("draws", draws, 1), ("strata", strata, 1), ("seed", seed, 0)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or int(v) < lo:
            raise PbrError(f"{who}: {name} must be a whole number >= {lo}, not {v!r}")
