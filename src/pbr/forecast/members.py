"""Reference and target members of a forecast, from a measures object (one place for the split).

The **reference** is the set of final cohorts the curves are learnt from: by
default the quarters of the baseline year (2011 unless the contract says
otherwise) when all of them are final, else the latest four final quarters.
The **targets** are all other quarters: interim ones are projected, final ones
pass through unchanged.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"lot": ["A"] * 3, "period": ["2011Q1", "2016Q1", "2016Q2"],
...                   "status": ["final", "final", "interim"]})
>>> reference_periods(t, None, baseline_year=2011)
['2011Q1']
>>> reference_periods(t, None, baseline_year=2010)
['2011Q1', '2016Q1']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr._types import FloatArray as F64
from pbr._types import IntArray as I64
from pbr.errors import PbrError
from pbr.forecast.curve import risk_scores, strata_of
from pbr.forecast.project import Reference, Target
from pbr.periods import period_bounds

__all__ = ["LATEST_FINAL", "reference_periods", "split_members", "strata_cuts"]

#: Number of latest final quarters used as the reference when the baseline year is absent.
LATEST_FINAL = 4


def reference_periods(
    table: pd.DataFrame, reference: Sequence[str] | str | None, *, baseline_year: int
) -> list[str]:
    """The reference quarters: given, or the baseline year's, or the latest final ones.

    Parameters
    ----------
    table : pandas.DataFrame
        A quarterly measures table (``lot``, ``period``, ``status``).
    reference : sequence of str, "baseline", "latest" or None
        Explicit period labels; ``"baseline"`` (the baseline year's quarters);
        ``"latest"`` (the latest :data:`LATEST_FINAL` final quarters); None: the
        baseline year's when they are all final, else the latest.
    baseline_year : int

    Returns
    -------
    list of str
        Sorted quarter labels, all final in every lot.

    Raises
    ------
    PbrError
        A given period is unknown or not final, or there is no final quarter.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"lot": ["A"] * 2, "period": ["2016Q1", "2016Q2"],
    ...                   "status": ["final", "interim"]})
    >>> reference_periods(t, "latest", baseline_year=2011)
    ['2016Q1']
    """
    per = table.groupby(table["period"].astype(str))["status"].apply(
        lambda s: bool((s.astype(str) == "final").all())
    )
    quarters = list(per.index)  # quarterly measures: every period is a quarter
    final = [p for p in quarters if per[p]]
    if isinstance(reference, str) and reference not in ("baseline", "latest"):
        reference = [reference]
    if reference is None or reference == "baseline":
        base = [p for p in quarters if _year_of(p) == baseline_year]
        if base and all(per[p] for p in base):
            return sorted(base)
        if reference == "baseline":
            raise PbrError(
                f"reference 'baseline': the cohorts have no final quarters of {baseline_year}"
            )
        reference = "latest"
    if reference == "latest":
        if not final:
            raise PbrError("no final quarter to learn the reoffending curve from")
        return sorted(final)[-LATEST_FINAL:]
    chosen = sorted({str(p) for p in reference})
    for p in chosen:
        if p not in per.index:
            raise PbrError(f"reference period {p!r} is not a period of the cohort")
        if not per[p]:
            raise PbrError(f"reference period {p!r} is interim; the reference must be final")
    if not chosen:
        raise PbrError("reference: no periods given")
    return chosen


def _year_of(label: str) -> int:
    """Calendar year in which a period starts (:func:`pbr.periods.period_bounds`)."""
    return int(period_bounds(label)[0].astype("datetime64[Y]").astype(np.int64)) + 1970


def strata_cuts(scores: F64 | None, n_strata: int) -> F64:
    """Interior quantiles of the reference risk scores (no cuts without scores).

    Examples
    --------
    >>> import numpy as np
    >>> strata_cuts(np.arange(10.0), 2).tolist()
    [4.5]
    """
    if scores is None or n_strata <= 1 or len(scores) == 0:
        return np.zeros(0)
    q = np.quantile(scores, np.arange(1, n_strata) / n_strata)
    out: F64 = np.unique(q)
    return out


def split_members(
    members: pd.DataFrame,
    groups: pd.DataFrame,
    reference: list[str],
    *,
    n_strata: int,
) -> tuple[npt.NDArray[np.bool_], I64, I64, I64, int, I64, I64]:
    """Reference mask, group codes, strata and lot codes of measurable members.

    Parameters
    ----------
    members : pandas.DataFrame
        Measurable members with ``lot`` and ``period`` (and the OGRS3 inputs, for strata).
    groups : pandas.DataFrame
        The target lot-periods (``lot``, ``period``), in output order.
    reference : list of str
    n_strata : int

    Returns
    -------
    (is_ref, target_group, strata, ref_group, n_strata, ref_group_lot, target_group_lot)
        ``target_group`` is −1 for members outside ``groups``.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"lot": ["A", "A", "B"], "period": ["2011Q1", "2016Q1", "2016Q1"]})
    >>> g = pd.DataFrame({"lot": ["A", "B"], "period": ["2016Q1", "2016Q1"]})
    >>> is_ref, tg, *_ = split_members(m, g, ["2011Q1"], n_strata=1)
    >>> is_ref.tolist(), tg.tolist()
    ([True, False, False], [-1, 0, 1])
    """
    lot = members["lot"].astype(str).to_numpy(dtype=object)
    period = members["period"].astype(str).to_numpy(dtype=object)
    is_ref = np.isin(period, np.array(reference, dtype=object))
    scores = risk_scores(members) if n_strata > 1 else None
    cuts = strata_cuts(None if scores is None else scores[is_ref], n_strata)
    strata = strata_of(scores, cuts, len(members))
    lot_codes, _ = pd.factorize(np.concatenate([lot, groups["lot"].astype(str).to_numpy()]))
    m_lot = lot_codes[: len(lot)].astype(np.int64)
    g_lot = lot_codes[len(lot) :].astype(np.int64)
    key = pd.MultiIndex.from_arrays([groups["lot"].astype(str), groups["period"].astype(str)])
    tg = key.get_indexer(pd.MultiIndex.from_arrays([lot, period])).astype(np.int64)
    ref_keys = pd.MultiIndex.from_arrays([lot[is_ref], period[is_ref]])
    rcodes, runiq = pd.factorize(ref_keys)
    ref_group = rcodes.astype(np.int64)
    ref_lot = m_lot[is_ref]
    ref_group_lot = np.zeros(len(runiq), dtype=np.int64)
    ref_group_lot[ref_group] = ref_lot
    return is_ref, tg, strata, ref_group, len(cuts) + 1, ref_group_lot, g_lot


def build_inputs(
    members: pd.DataFrame,
    groups: pd.DataFrame,
    reference: list[str],
    proof_ref: I64,
    elapsed: I64,
    window: I64,
    observed: npt.NDArray[np.bool_],
    *,
    n_strata: int,
) -> tuple[Reference, Target, int, npt.NDArray[np.bool_]]:
    """Reference and target of a projection, the number of strata, and the target mask.

    The mask says which members are targets (in member order: the order of the
    :class:`Target` arrays).

    ``proof_ref`` holds the proof times of the reference members (in member
    order); ``elapsed``, ``window`` and ``observed`` cover all members.
    """
    is_ref, tg, strata, ref_group, s, ref_group_lot, g_lot = split_members(
        members, groups, reference, n_strata=n_strata
    )
    ref = Reference(
        proof=np.asarray(proof_ref, dtype=np.int64),
        strata=strata[is_ref],
        window=window[is_ref],
        group=ref_group,
        lot=ref_group_lot,
    )
    sel = tg >= 0
    tgt = Target(
        group=tg[sel],
        strata=strata[sel],
        elapsed=elapsed[sel],
        window=window[sel],
        observed=np.asarray(observed, dtype=bool)[sel],
        n_groups=len(groups),
        lot=g_lot,
    )
    return ref, tgt, s, sel
