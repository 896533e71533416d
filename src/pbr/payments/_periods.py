"""Period labels as the payment engine reads them (docs/methodology.md, "Payment lines").

TODO: replace with pbr.periods (the one period codec) — these helpers are the
payment engine's only period parsing, kept together so they can be swapped at once.

Examples
--------
>>> _period_kind("2015Q4"), _period_kind("2015/16"), _period_kind("2015")
('quarter', 'financial_year', 'calendar_year')
>>> _contract_year("2016Q1", "financial_year")
'2015/16'
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from pbr.dates import period_bounds

__all__ = ["after_baseline_year"]

_QUARTER = re.compile(r"^\d{4}Q[1-4]$")
_FY = re.compile(r"^\d{4}/\d{2}$")
_CY = re.compile(r"^\d{4}$")


def _period_kind(label: str) -> str:
    if _QUARTER.match(label):
        return "quarter"
    if _FY.match(label):
        return "financial_year"
    if _CY.match(label):
        return "calendar_year"
    return "other"


def _contract_year(label: str, kind: str) -> str:
    """The contract year a period belongs to (quarters map into years; others as-is)."""
    if _QUARTER.match(label):
        y, q = int(label[:4]), int(label[-1])
        if kind == "calendar_year":
            return str(y)
        start = y - 1 if q == 1 else y
        return f"{start}/{(start + 1) % 100:02d}"
    return label


def after_baseline_year(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """Keep the performance periods: those starting after the baseline year ends.

    A cohort of the baseline year (or earlier) *is* the baseline, not performance
    to be paid for; the microdata path counts every period in the data, so those
    rows are dropped here (a period that straddles the year end, such as the
    financial year 2011/12, starts inside it and is dropped too).

    Examples
    --------
    >>> t = pd.DataFrame({"period": ["2011Q4", "2012Q1", "2011/12"]})
    >>> after_baseline_year(t, 2011)["period"].tolist()
    ['2012Q1']
    """
    labels = table["period"].astype(str)
    start = {lab: period_bounds(lab)[0] for lab in labels.unique()}
    year_end = np.datetime64(f"{int(year):04d}-12-31")
    keep = labels.map(lambda lab: bool(start[lab] > year_end)).to_numpy(dtype=bool)
    return table.loc[keep].reset_index(drop=True)
