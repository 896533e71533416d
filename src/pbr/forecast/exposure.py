"""Follow-up per member: elapsed time, window ends and the proof time of the first reoffence.

For a cohort member with index date *d* the counting rules
(:mod:`pbr.counting`, :meth:`pbr.rulesets.RuleSet.window_ends`) give the follow-up end
``d + 12 months`` and the window end ``d + 12 + 6 months`` (with the rule set's
lengths). The **proof time** of the member is

    D = min { disposal_date − d : qualifying offence of the member }

over the offences that count under the rule set (offence date in the follow-up,
disposal on or before the window end, a counting disposal type, not a breach),
and ``D = NO_PROOF`` (−1) when there is none. A member is counted as a
reoffender by an extract taken ``a`` days after *d* exactly when
``0 <= D <= a``: data extracted at that date hold only offences disposed of by
then. A member's final outcome is ``D >= 0``. The whole forecast rests on this
one number per member (see ``docs/methodology.md``, "Forecasting interim
cohorts").

Examples
--------
>>> import pandas as pd
>>> members = pd.DataFrame({"offender_id": ["A", "B"],
...                         "index_date": pd.to_datetime(["2016-01-31", "2016-01-31"])})
>>> offences = pd.DataFrame({"offender_id": ["A", "A"],
...     "offence_date": pd.to_datetime(["2016-03-01", "2016-02-01"]),
...     "disposal_date": pd.to_datetime(["2016-04-01", "2016-06-01"]),
...     "disposal_type": ["conviction", "caution"]})
>>> proof_times(members, offences).tolist()
[61, -1]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr._types import IntArray as I64
from pbr.dates import as_days
from pbr.errors import PbrError
from pbr.rulesets import RuleSet, rule_set

__all__ = ["NO_PROOF", "Exposure", "exposure", "first_proof", "proof_pairs", "proof_times"]

#: Proof time of a member without a counting reoffence.
NO_PROOF = -1


def _days(values: object, name: str) -> I64:
    days = as_days(values)
    if np.isnat(days).any():
        bad = int(np.flatnonzero(np.isnat(days))[0]) + 1
        raise PbrError(f"{name} is missing in row {bad}")
    out: I64 = days.astype(np.int64)
    return out


def _rules(rules: str | RuleSet) -> RuleSet:
    return rules if isinstance(rules, RuleSet) else rule_set(rules)


def proof_pairs(
    members: pd.DataFrame, offences: pd.DataFrame, *, rules: str | RuleSet = "moj_proven"
) -> tuple[I64, I64]:
    """Every counting offence of every member: (member position, days from index to disposal).

    The offences that count are those of the rule set and its window (see
    :func:`proof_times`); each qualifying offence row is one pair (``moj_proven``
    counts duplicates).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"offender_id": ["A", "B"],
    ...                   "index_date": pd.to_datetime(["2016-01-01", "2016-01-01"])})
    >>> o = pd.DataFrame({"offender_id": ["B", "B", "A"],
    ...     "offence_date": pd.to_datetime(["2016-02-01", "2016-03-01", "2015-12-01"]),
    ...     "disposal_date": pd.to_datetime(["2016-02-11", "2016-03-02", "2016-01-05"]),
    ...     "disposal_type": ["conviction", "caution", "conviction"]})
    >>> [x.tolist() for x in proof_pairs(m, o)]
    [[1, 1], [41, 61]]
    """
    rs = _rules(rules)
    for col in ("offender_id", "index_date"):
        if col not in members.columns:
            raise PbrError(f"members table has no column {col!r}")
    for col in ("offender_id", "offence_date", "disposal_date", "disposal_type"):
        if col not in offences.columns:
            raise PbrError(f"offences table has no column {col!r}")
    n = len(members)
    empty = np.zeros(0, dtype=np.int64)
    if n == 0 or len(offences) == 0:
        return empty, empty
    d = _days(members["index_date"], "index_date")
    end_fu, end_w = rs.window_ends(d)
    ok = np.array(rs.can_count(offences["disposal_type"], offences.get("breach")), dtype=bool)
    off = _days(offences["offence_date"], "offence_date")
    disp = _days(offences["disposal_date"], "disposal_date")
    ok &= rs.in_window(off, disp, int(d.min()), int(end_fu.max()), int(end_w.max()))
    rows = np.flatnonzero(ok)
    if len(rows) == 0:
        return empty, empty
    # offender ids to integer codes over members ∪ kept offences, then a join on the codes
    ids_m = members["offender_id"].astype(str).to_numpy(dtype=object)
    ids_o = offences["offender_id"].to_numpy(dtype=object)[rows].astype(str)
    codes, _ = pd.factorize(np.concatenate([ids_m, ids_o]))
    code_m, code_o = codes[:n].astype(np.int64), codes[n:].astype(np.int64)
    j = pd.DataFrame({"c": code_m, "i": np.arange(n, dtype=np.int64)}).merge(
        pd.DataFrame({"c": code_o, "k": np.arange(len(rows), dtype=np.int64)}), on="c"
    )
    i = j["i"].to_numpy(np.int64)
    k = j["k"].to_numpy(np.int64)
    o_off, o_disp = off[rows][k], disp[rows][k]
    hit = rs.in_window(o_off, o_disp, d[i], end_fu[i], end_w[i])
    return i[hit], (o_disp - d[i])[hit]


def first_proof(n: int, member: I64, lag: I64) -> I64:
    """Proof time per member (the smallest lag) from :func:`proof_pairs`; −1 without any.

    Examples
    --------
    >>> import numpy as np
    >>> first_proof(3, np.array([2, 0, 2]), np.array([9, 4, 5])).tolist()
    [4, -1, 5]
    """
    big = np.iinfo(np.int64).max
    first = np.full(n, big, dtype=np.int64)
    np.minimum.at(first, member, lag)
    out: I64 = np.where(first != big, first, NO_PROOF).astype(np.int64)
    return out


def proof_times(
    members: pd.DataFrame, offences: pd.DataFrame, *, rules: str | RuleSet = "moj_proven"
) -> I64:
    """Days from each member's index date to the disposal of its first counting reoffence.

    Parameters
    ----------
    members : pandas.DataFrame
        ``offender_id`` and ``index_date``, one row per cohort member.
    offences : pandas.DataFrame
        ``offender_id``, ``offence_date``, ``disposal_date``, ``disposal_type``;
        optional ``breach``.
    rules : {"moj_proven", "convictions_only", "reconviction_events"} or RuleSet
        The disposal types that count come from
        :meth:`pbr.rulesets.RuleSet.can_count` (a member is a reoffender under
        ``reconviction_events`` exactly when it has a counting conviction); the
        window lengths (12 + 6 months for a name; other lengths:
        :meth:`pbr.rulesets.RuleSet.with_window`) are turned into dates by
        :meth:`pbr.rulesets.RuleSet.window_ends`.

    Returns
    -------
    numpy.ndarray of int64
        ``D`` per member, aligned with ``members``; :data:`NO_PROOF` (−1) when
        the member has no counting reoffence in its window.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"offender_id": ["A"], "index_date": pd.to_datetime(["2015-08-31"])})
    >>> o = pd.DataFrame({"offender_id": ["A", "A"],
    ...     "offence_date": pd.to_datetime(["2016-08-31", "2016-09-01"]),
    ...     "disposal_date": pd.to_datetime(["2017-02-28", "2016-09-02"]),
    ...     "disposal_type": ["conviction", "conviction"]})
    >>> proof_times(m, o).tolist()  # 2016-09-01 is after the 12-month follow-up
    [547]
    """
    i, lag = proof_pairs(members, offences, rules=rules)
    return first_proof(len(members), i, lag)


@dataclass(frozen=True)
class Exposure:
    """Follow-up of members at one extract date (day counts from each index date).

    Attributes
    ----------
    elapsed : numpy.ndarray of int64
        ``min(extract − d, window)``: days of the window already observed (>= 0).
    window : numpy.ndarray of int64
        ``window_end − d`` in days (the counting rules' window, 546–550 days for 12 + 6).
    observed : numpy.ndarray of bool
        A counting reoffence is already proven by the extract date (``0 <= D <= elapsed``).
    closed : numpy.ndarray of bool
        The member's window has ended by the extract date (nothing is still to come).

    Examples
    --------
    >>> import numpy as np
    >>> x = exposure(np.array([0]), np.array([-1]), 1000)
    >>> x.elapsed.tolist(), x.closed.tolist()
    ([546], [True])
    """

    elapsed: I64
    window: I64
    observed: npt.NDArray[np.bool_]
    closed: npt.NDArray[np.bool_]


def exposure(
    index_days: I64,
    proof: I64,
    extract_day: int | I64,
    *,
    rules: str | RuleSet = "moj_proven",
) -> Exposure:
    """Follow-up observed by an extract date, from index days and proof times.

    Parameters
    ----------
    index_days : numpy.ndarray of int64
        Index dates as day numbers (days since 1970-01-01).
    proof : numpy.ndarray of int64
        Proof times from :func:`proof_times` (with the complete data).
    extract_day : int or numpy.ndarray of int64
        The extract date (day number), one for all or one per member.
    rules : str or RuleSet
        Its window lengths (:func:`proof_times`).

    Returns
    -------
    Exposure

    Examples
    --------
    >>> import numpy as np
    >>> d = np.array(["2016-01-01"] * 3, "datetime64[D]").astype(np.int64)
    >>> x = exposure(d, np.array([30, 200, -1]), int(d[0]) + 100)
    >>> x.elapsed.tolist(), x.window.tolist(), x.observed.tolist(), x.closed.tolist()
    ([100, 100, 100], [547, 547, 547], [True, False, False], [False, False, False])
    """
    rs = _rules(rules)
    index_days = np.asarray(index_days, dtype=np.int64)
    _, end_w = rs.window_ends(index_days)
    window = (end_w - index_days).astype(np.int64)
    ext = np.asarray(extract_day, dtype=np.int64)
    elapsed = np.clip(ext - index_days, 0, window).astype(np.int64)
    proof = np.asarray(proof, dtype=np.int64)
    observed = (proof >= 0) & (proof <= elapsed)
    closed = elapsed >= window
    return Exposure(elapsed=elapsed, window=window, observed=observed, closed=closed)
