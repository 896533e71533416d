"""Shared pieces of the baseline package: column sets, outcome checks, group statistics.

The per-group statistics (``N``, ``O``, ``R`` and the reoffence-count SD) are
computed once here for both baselines and assessments.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr.dates import as_days
from pbr.errors import PbrError
from pbr.periods import (
    QUARTER_NAMES,
    is_period,
    period_codes,
)

#: Columns of :attr:`Baseline.rates`.
RATE_COLUMNS = (
    "lot",
    "period",
    "quarter_of_year",
    "cohort_size",
    "reoffenders",
    "reoffences",
    "baseline_binary",
    "baseline_frequency",
    "baseline_frequency_sd",
)

#: Columns of :attr:`Assessment.table`, in order (what the payment engine reads).
ASSESSMENT_COLUMNS = (
    "lot",
    "period",
    "status",
    "cohort_size",
    "reoffenders",
    "reoffences",
    "expected_reoffenders",
    "expected_variance",
    "baseline_binary",
    "expected_rate",
    "adjusted_rate",
    "change_pp",
    "z",
    "p_value",
    "outcome",
    "frequency",
    "frequency_sd",
    "baseline_frequency",
    "baseline_frequency_sd",
    "baseline_reoffenders",
    "frequency_change",
    "frequency_t",
    "frequency_p_value",
    "frequency_outcome",
)

RiskName = Literal["ogrs3", "model"] | None


# --------------------------------------------------------------------------- helpers
def _require(members: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    if not isinstance(members, pd.DataFrame):
        raise PbrError(f"{what} must be a pandas DataFrame, got {type(members).__name__}")
    missing = [c for c in columns if c not in members.columns]
    if missing:
        raise PbrError(f"{what} lacks column(s) {', '.join(missing)}")


def _no_missing(members: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    for c in columns:
        na = members[c].isna().to_numpy()
        if na.any():
            rows = ", ".join(str(i) for i in np.flatnonzero(na)[:20] + 1)
            raise PbrError(f"{what}: {c} is missing in row(s) {rows}")


def _outcomes(
    members: pd.DataFrame, what: str
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    _require(members, ("lot", "index_date", "reoffender", "reoffences"), what)
    _no_missing(members, ("lot", "index_date", "reoffender", "reoffences"), what)
    try:
        reo = np.asarray(pd.to_numeric(members["reoffences"]), dtype=np.int64)
        flag = np.asarray(members["reoffender"].astype(bool), dtype=bool)
    except (TypeError, ValueError) as exc:
        raise PbrError(f"{what}: reoffender/reoffences are not numeric: {exc}") from exc
    bad = (reo < 0) | (flag != (reo > 0))
    if bad.any():
        rows = ", ".join(str(i) for i in np.flatnonzero(bad)[:20] + 1)
        raise PbrError(
            f"{what}: reoffender must equal reoffences > 0 (and reoffences >= 0); rows {rows}"
        )
    return flag, reo


def _years(index_date: Any) -> npt.NDArray[np.int64]:
    """Calendar year of each date (:func:`pbr.periods.period_codes`); -1 where it is missing."""
    d = as_days(index_date)
    out: npt.NDArray[np.int64] = np.full(len(d), -1, dtype=np.int64)
    ok = ~np.isnat(d)
    out[ok] = period_codes(d[ok], "calendar_year")
    return out


def _group_stats(
    keys: pd.DataFrame, flag: npt.NDArray[np.bool_], reo: npt.NDArray[np.int64]
) -> pd.DataFrame:
    """N, O, R, frequency mean and SD per key combination (sorted)."""
    df = keys.copy()
    df["cohort_size"] = 1
    df["reoffenders"] = flag.astype(np.int64)
    df["reoffences"] = reo
    df["sq"] = np.where(flag, reo.astype(np.int64) ** 2, 0)
    g = df.groupby(list(keys.columns), sort=True).sum().reset_index()
    o = g["reoffenders"].to_numpy(dtype=float)
    r = g["reoffences"].to_numpy(dtype=float)
    sq = g["sq"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(o > 0, r / np.where(o > 0, o, 1), np.nan)
        var = np.where(o > 1, (sq - o * mean**2) / np.where(o > 1, o - 1, 1), np.nan)
    g["frequency"] = mean
    g["frequency_sd"] = np.sqrt(np.clip(var, 0, None))
    return g.drop(columns="sq")


def _example_members() -> pd.DataFrame:
    """Two CPA01 members in 2011Q4, one reoffender (2 reoffences): docstring examples."""
    return pd.DataFrame(
        {
            "lot": ["CPA01", "CPA01"],
            "index_date": pd.to_datetime(["2011-12-01", "2011-12-01"]),
            "reoffender": [True, False],
            "reoffences": [2, 0],
        }
    )


_QUARTER_NAMES = np.array(QUARTER_NAMES, dtype=object)


def _is_quarter(labels: Any) -> npt.NDArray[np.bool_]:
    return is_period([str(v) for v in labels], "quarter")
