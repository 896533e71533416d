"""Period labels as the payment engine reads them (docs/methodology.md, "Payment lines").

Period labels are parsed by :mod:`pbr.periods` (the one codec); this module only
selects the performance periods of a table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pbr.periods import period_bounds

__all__ = ["after_baseline_year"]


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
