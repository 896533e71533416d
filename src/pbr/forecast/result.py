"""Result objects of the forecast and the backtest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["Backtest", "interval_columns"]


LEVELS: tuple[tuple[str, float], ...] = (
    ("low95", 0.025),
    ("low80", 0.10),
    ("high80", 0.90),
    ("high95", 0.975),
)


def count_quantiles(counts: npt.NDArray[np.int64], probs: Sequence[float]) -> npt.NDArray[np.float64]:
    """Continuity-corrected quantiles of integer replicates, per column (rows = draws).

    Each replicate value *k* is spread uniformly over ``[k − ½, k + ½]`` and the
    quantiles of that continuous distribution are returned; a column whose
    replicates are all equal returns that value for every probability (a count
    that is already final has a zero-width interval).

    Examples
    --------
    >>> import numpy as np
    >>> count_quantiles(np.array([[0], [0], [1], [1]]), [0.25, 0.5, 0.9]).ravel().tolist()
    [0.0, 0.5, 1.3]
    >>> count_quantiles(np.array([[3], [3]]), [0.1, 0.9]).ravel().tolist()
    [3.0, 3.0]
    """
    x = np.asarray(counts, dtype=np.int64)
    out = np.empty((len(probs), x.shape[1]), dtype=np.float64)
    for j in range(x.shape[1]):
        vals, n = np.unique(x[:, j], return_counts=True)
        if len(vals) == 1:
            out[:, j] = float(vals[0])
            continue
        cum = np.cumsum(n) / n.sum()
        before = cum - n / n.sum()
        for i, q in enumerate(probs):
            k = min(int(np.searchsorted(cum, q, side="left")), len(vals) - 1)
            out[i, j] = vals[k] - 0.5 + (q - before[k]) / (cum[k] - before[k])
    return out


def interval_columns(
    counts: npt.NDArray[np.int64], size: npt.NDArray[np.int64]
) -> dict[str, npt.NDArray[np.float64]]:
    """Central 80 % and 95 % intervals of the rate ``count / size`` from count replicates.

    Examples
    --------
    >>> import numpy as np
    >>> iv = interval_columns(np.arange(0, 100).reshape(100, 1), np.array([100]))
    >>> [round(float(iv[k][0]), 3) for k in ("low95", "low80", "high80", "high95")]
    [0.02, 0.095, 0.895, 0.97]
    """
    q = count_quantiles(counts, [p for _, p in LEVELS])
    n = np.asarray(size, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {name: np.clip(q[i] / n, 0.0, 1.0) for i, (name, _) in enumerate(LEVELS)}


@dataclass(frozen=True, eq=False)
class Backtest:
    """Backtest figures per cut-off (``table``) and per lot-period (``details``)."""

    table: pd.DataFrame
    details: pd.DataFrame
    reference: tuple[str, ...]
    draws: int
    seed: int
