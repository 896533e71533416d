"""Proven-reoffending measures per lot × period, and nationally (docs/methodology.md §7, §8).

With N = measurable cohort, O = reoffenders, R = proven reoffences (or
appearances for ``reconviction_events``) and ``r_i`` the count of member *i*:

* ``binary_rate`` = O / N, with a **Wilson** score interval at level 1 − α
  (z = Φ⁻¹(1 − α/2))::

      centre = (p + z²/2N) / (1 + z²/N)
      half   = z / (1 + z²/N) · sqrt(p(1 − p)/N + z²/4N²)

* ``reoffences_per_reoffender`` = R / O (the TR frequency measure; NaN when O = 0)
  with a normal (delta-method) interval R/O ± z·s_O/√O, where s_O is the sample
  standard deviation (ddof = 1) of ``r_i`` among the O reoffenders (NaN when O < 2);
* ``reoffences_per_offender`` = R / N with interval R/N ± z·s_N/√N, s_N the sample
  standard deviation of ``r_i`` over all N members (NaN when N < 2);
  ``reoffences_per_100`` = 100 R / N;
* ``days_to_first_reoffence`` = mean over reoffenders of (first counted offence
  date − index date), in days;
* ``status`` = ``"final"`` when every member's window end (d + follow-up +
  waiting months) is on or before the extract date, else ``"interim"`` (a
  lot × period without measurable members is ``"final"``: nothing is pending).

Examples
--------
>>> import pandas as pd
>>> cohort = pd.DataFrame({"offender_id": ["A", "B"], "lot": ["CPA01", "CPA01"],
...     "index_date": pd.to_datetime(["2015-01-05", "2015-02-10"]),
...     "event_type": ["release", "community_order"], "sex": ["M", "F"],
...     "date_of_birth": pd.to_datetime(["1980-01-01", "1990-06-30"])})
>>> offences = pd.DataFrame({"offender_id": ["A"], "offence_date": pd.to_datetime(["2015-03-01"]),
...     "disposal_date": pd.to_datetime(["2015-04-01"]), "disposal_type": ["conviction"]})
>>> m = compute_measures(cohort, offences, extract_date="2016-09-30")
>>> cols = ["lot", "period", "cohort_size", "reoffenders", "binary_rate", "status"]
>>> m.table[cols].values.tolist()
[['CPA01', '2015Q1', 2, 1, 0.5, 'final']]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr._engine import IdCodes, OffenceRows, encode_ids
from pbr._measure_inputs import cohort_and_offences
from pbr.cohort import Cohort, example_events
from pbr.counting import count_members, outcome_frame
from pbr.dates import as_days
from pbr.errors import PbrError
from pbr.formatting import format_count
from pbr.io._values import parse_iso_date
from pbr.periods import PERIOD_KINDS
from pbr.results import Result, Summary
from pbr.rulesets import RuleSet, rule_set

if TYPE_CHECKING:
    from pathlib import Path

    from matplotlib.axes import Axes

__all__ = ["MEASURE_COLUMNS", "Measures", "compute_measures", "wilson_interval"]

#: The columns, in order, that every measures table starts with (docs/methodology.md §10).
MEASURE_COLUMNS: tuple[str, ...] = (
    "lot",
    "period",
    "eligible",
    "cohort_size",
    "reoffenders",
    "reoffences",
    "binary_rate",
    "reoffences_per_reoffender",
    "reoffences_per_offender",
    "binary_ci_low",
    "binary_ci_high",
    "status",
)
EXTRA_COLUMNS: tuple[str, ...] = (
    "reoffences_per_100",
    "frequency_ci_low",
    "frequency_ci_high",
    "per_offender_ci_low",
    "per_offender_ci_high",
    "days_to_first_reoffence",
    "follow_up_months",
    "waiting_months",
    "rules",
)

F64 = npt.NDArray[np.float64]
F = np.float64


#: ``scipy.stats.norm.ppf(0.975)`` (the 95 % two-sided z), kept here so that the default
#: intervals need no scipy import (the value is checked against scipy in the tests).
_Z_975 = 1.959963984540054


def _normal_quantile(p: float) -> float:
    """The standard normal quantile ``Φ⁻¹(p)`` (scipy's ``norm.ppf``).

    ``p = 0.975`` (95 % two-sided intervals, the default) is a stored constant, so
    that computing measures does not import scipy; other ``p`` ask scipy.

    Examples
    --------
    >>> _normal_quantile(0.975)
    1.959963984540054
    >>> round(_normal_quantile(0.95), 6)
    1.644854
    """
    if p == 0.975:
        return _Z_975
    from scipy.stats import norm

    return float(norm.ppf(p))


def wilson_interval(successes: Any, n: Any, alpha: float = 0.05) -> tuple[F64, F64]:
    """Wilson score interval for a binomial proportion (vectorised).

    Parameters
    ----------
    successes, n : array-like of int
        Counts O and N; N = 0 gives NaN.
    alpha : float
        1 − confidence level.

    Returns
    -------
    (low, high) : numpy.ndarray of float64
        ``(p + z²/2N)/(1 + z²/N) ∓ z/(1 + z²/N)·sqrt(p(1−p)/N + z²/4N²)``.

    Examples
    --------
    >>> lo, hi = wilson_interval([5], [10])
    >>> round(float(lo[0]), 6), round(float(hi[0]), 6)
    (0.236593, 0.763407)
    """
    o = np.asarray(successes, dtype=np.float64)
    nn = np.asarray(n, dtype=np.float64)
    z = _normal_quantile(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = o / nn
        denom = 1 + z * z / nn
        centre = (p + z * z / (2 * nn)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn))
        low = np.where(nn > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(nn > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def _mean_interval(total: F64, sumsq: F64, n: F64, z: float) -> tuple[F64, F64]:
    """Normal interval for a mean from the sum and sum of squares (NaN for n < 2)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / n
        var = np.clip((sumsq - total * total / n) / (n - 1), 0.0, None)
        se = np.sqrt(var / n)
        low = np.where(n >= 2, mean - z * se, np.nan)
        high = np.where(n >= 2, mean + z * se, np.nan)
    return low, high


def _example_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Inputs of the docstring examples: :func:`pbr.cohort.example_events` and A's conviction."""
    offences = pd.DataFrame(
        {
            "offender_id": ["A"],
            "offence_date": pd.to_datetime(["2015-03-01"]),
            "disposal_date": pd.to_datetime(["2015-04-01"]),
            "disposal_type": ["conviction"],
        }
    )
    return example_events(), offences


@dataclass(frozen=True, eq=False)
class Measures(Result):
    """Measures per lot × period and nationally, with exclusions and member outcomes.

    A pbr result (``docs/api.md``, "The result protocol"): :attr:`table` is the
    per-lot table; :meth:`summary` shows the key measures per lot × period then
    the national rows; :meth:`plot` draws the rates (:func:`pbr.report.plot_rates`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (lot, period), sorted; columns :data:`MEASURE_COLUMNS`
        then the extras (``reoffences_per_100``, frequency and per-offender
        intervals, ``days_to_first_reoffence``, ``follow_up_months``,
        ``waiting_months``, ``rules``).
    national : pandas.DataFrame
        The same columns with ``lot == "ALL"``, one row per period.
    exclusions : pandas.DataFrame
        Rows excluded per lot × period × reason (see :class:`pbr.cohort.Cohort`).
    members : pandas.DataFrame
        Measurable members with ``reoffences``, ``reoffender``,
        ``first_reoffence_date`` and ``window_end``.
    extract_date : datetime.date
    period_kind, rules : str
    follow_up_months, waiting_months : int
    alpha : float

    Examples
    --------
    >>> import pandas as pd
    >>> cohort = pd.DataFrame({"offender_id": ["A"], "lot": ["CPA01"],
    ...     "index_date": pd.to_datetime(["2015-01-05"]), "event_type": ["release"],
    ...     "sex": ["M"], "date_of_birth": pd.to_datetime(["1980-01-01"])})
    >>> offences = cohort.iloc[:0][["offender_id"]].assign(offence_date=pd.NaT,
    ...     disposal_date=pd.NaT, disposal_type="conviction")
    >>> m = compute_measures(cohort, offences, extract_date="2016-07-04")
    >>> m.table.loc[0, "status"], m.latest_final_period()
    ('interim', None)
    """

    table: pd.DataFrame
    national: pd.DataFrame
    exclusions: pd.DataFrame
    members: pd.DataFrame
    extract_date: dt.date
    period_kind: str
    rules: str
    follow_up_months: int
    waiting_months: int
    alpha: float
    eligibility: tuple[str, ...] = ()
    dedupe: str = "quarter"

    def summary(self) -> Summary:
        """Key figures per lot × period followed by the national rows.

        Examples
        --------
        >>> s = compute_measures(*_example_inputs(), extract_date="2017-01-01").summary()
        >>> s.title, s.frame["lot"].tolist()
        ('Measures (moj_proven, quarter)', ['CPA01', 'ALL'])
        """
        cols = [
            "lot",
            "period",
            "cohort_size",
            "reoffenders",
            "reoffences",
            "binary_rate",
            "binary_ci_low",
            "binary_ci_high",
            "reoffences_per_reoffender",
            "status",
        ]
        frame = pd.concat([self.table[cols], self.national[cols]], ignore_index=True)
        return Summary(
            f"Measures ({self.rules}, {self.period_kind})",
            frame,
            figures={
                "extract date": self.extract_date.isoformat(),
                "window": f"{self.follow_up_months} months + {self.waiting_months} waiting",
                "lot × period rows": format_count(len(self.table)),
                "members": format_count(len(self.members)),
                "latest final period": self.latest_final_period() or "none",
            },
            notes=[f"binary_ci_low/high: {100 * (1 - self.alpha):g} % Wilson intervals"],
        )

    def latest_final_period(self) -> str | None:
        """The latest period whose national measure is final (``None`` if none is).

        Examples
        --------
        >>> from pbr.cohort import example_repeat_events
        >>> no_offences = _example_inputs()[1].iloc[:0]
        >>> m = compute_measures(example_repeat_events(), no_offences, extract_date="2016-07-05")
        >>> m.national["status"].tolist(), m.latest_final_period()
        (['final', 'interim'], '2015Q1')
        """
        final = self.national.loc[self.national["status"] == "final", "period"]
        return None if final.empty else str(final.iloc[-1])

    def plot(self, ax: Axes | None = None, lots: Sequence[str] | None = None) -> Axes:
        """Binary rate by period per lot, with intervals (:func:`pbr.report.plot_rates`).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
        lots : sequence of str, optional
            Lots to draw (default: every lot).

        Examples
        --------
        >>> ax = compute_measures(*_example_inputs(), extract_date="2017-01-01").plot()
        >>> ax.get_ylabel()
        'reoffenders / cohort (%)'
        """
        from pbr.report import plot_rates

        return plot_rates(self.table, ax=ax, lots=lots)

    def to_excel(
        self,
        path: str | Path,
        *,
        manifest_sha256: str | None = None,
        lines_file: tuple[str, str] | None = None,
    ) -> Path:
        """Write an ``.xlsx`` workbook (see :func:`pbr.report.xlsx.measures_to_excel`).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from pbr.sample import load_sample
        >>> s = load_sample()
        >>> m = compute_measures(s.cohort, s.offences, extract_date=s.extract_date)
        >>> m.to_excel(pathlib.Path(tempfile.mkdtemp()) / "m.xlsx").suffix
        '.xlsx'
        """
        from pbr.report.xlsx import measures_to_excel

        return measures_to_excel(self, path, manifest_sha256=manifest_sha256, lines_file=lines_file)


def _extract(extract_date: Any) -> dt.date:
    """The extract date through the io boundary: ISO ``YYYY-MM-DD`` strings only."""
    return dt.date.fromisoformat(parse_iso_date(extract_date, "extract_date"))


# ----------------------------------------------------------------------------- the measures


def compute_measures(
    cohort: Any,
    offences: Any,
    *,
    extract_date: Any,
    period: str = "quarter",
    rules: str | RuleSet = "moj_proven",
    follow_up_months: int = 12,
    waiting_months: int = 6,
    eligibility: Sequence[str] | None = None,
    dedupe: str = "quarter",
    alpha: float = 0.05,
    lots: Sequence[str] | None = None,
    validate: bool = True,
) -> Measures:
    """Proven-reoffending measures per lot × period (docs/methodology.md §1–§8).

    Parameters
    ----------
    cohort : pandas.DataFrame, Cohort or path
        Cohort events (in-memory form), an already built :class:`~pbr.cohort.Cohort`,
        or a CSV/Parquet path.
    offences : pandas.DataFrame or path
        Proven offences.
    extract_date : date-like
        Date the offence data was taken (required): decides final vs interim.
    period : {"quarter", "financial_year", "calendar_year"}
    rules : {"moj_proven", "convictions_only", "reconviction_events"} or RuleSet
        The counting rule set (:data:`pbr.rulesets.RULE_SETS`).
    follow_up_months, waiting_months : int
        Window lengths (default 12 + 6).
    eligibility : sequence of str, optional
        Eligibility rules (default all of :data:`pbr.cohort.ELIGIBILITY_RULES`).
    dedupe : {"quarter", "period"}
        First event per offender per quarter (default) or per period.
    alpha : float
        1 − confidence level of the intervals.
    lots : sequence of str, optional
        Lot codes to keep (default all).
    validate : bool
        Paths and DataFrames alike go through the io boundary
        (:func:`pbr.io.checked_tables`), which validates every row of both tables
        (default) and raises one :class:`~pbr.errors.ValidationError`; two files
        are validated together with a Parquet offences file streamed row group by
        row group (same rules and reports, :mod:`pbr.io._microdata_stream`); a
        frame it already validated (e.g. from :func:`pbr.io.read_cohort`) and a
        built Cohort are not validated again. With ``validate=False`` frames are
        used as given and files are read directly with pyarrow (only the needed
        columns, row groups in parallel): **no row-level validation** is done —
        the explicit opt-out for trusted extracts (used by the national benchmark).

    Returns
    -------
    Measures

    Examples
    --------
    >>> import pandas as pd
    >>> cohort = pd.DataFrame({"offender_id": ["A", "B", "C"], "lot": ["CPA01"] * 3,
    ...     "index_date": pd.to_datetime(["2015-01-05", "2015-02-10", "2015-03-01"]),
    ...     "event_type": ["release"] * 3, "sex": ["M"] * 3,
    ...     "date_of_birth": pd.to_datetime(["1980-01-01"] * 3)})
    >>> offences = pd.DataFrame({"offender_id": ["A", "A", "B"],
    ...     "offence_date": pd.to_datetime(["2015-03-01", "2015-04-01", "2016-02-11"]),
    ...     "disposal_date": pd.to_datetime(["2015-04-01", "2015-05-01", "2016-03-01"]),
    ...     "disposal_type": ["conviction", "caution", "conviction"]})
    >>> t = compute_measures(cohort, offences, extract_date="2016-09-01").table
    >>> t[["cohort_size", "reoffenders", "reoffences"]].values.tolist()
    [[3, 1, 2]]
    >>> float(t.loc[0, "reoffences_per_reoffender"])
    2.0
    """
    # inputs
    ext = _extract(extract_date)
    rule = rule_set(rules).with_window(follow_up_months, waiting_months)
    if not 0 < float(alpha) < 1:
        raise PbrError(f"alpha must be between 0 and 1, not {alpha!r}")
    if period not in PERIOD_KINDS:
        raise PbrError(f"unknown period {period!r}; expected one of {PERIOD_KINDS}")

    def count(built: Cohort, rows: OffenceRows) -> _Counted:
        members, counts, exclusions, codes = _in_lots(built, lots)
        m_day = as_days(members["index_date"]).astype(np.int64)
        reoff, first, end_w = count_members(codes, m_day, rows, rule)
        return _Counted(members, counts, exclusions, m_day, reoff, first, end_w)

    # cohort, the offence rows that can count (read alongside), counted per member
    built, (members, counts, exclusions, m_day, reoff, first, end_w) = cohort_and_offences(
        cohort,
        offences,
        ext=ext,
        rules=rule,
        period=period,
        eligibility=eligibility,
        dedupe=dedupe,
        validate=validate,
        count=count,
    )
    # aggregate
    ext_day = int(np.datetime64(ext, "D").astype(np.int64))
    per_member = _PerMember(reoff, first, m_day, end_w, ext_day, alpha)
    table, national = _lot_and_national_tables(counts, per_member)
    for t in (table, national):
        t["follow_up_months"] = np.int64(rule.follow_up_months)
        t["waiting_months"] = np.int64(rule.waiting_months)
        t["rules"] = pd.array([rule.name] * len(t), dtype="string")
    return Measures(
        table=table,
        national=national,
        exclusions=exclusions,
        members=pd.concat([members, outcome_frame(reoff, first, end_w, members.index)], axis=1),
        extract_date=ext,
        period_kind=built.period_kind,
        rules=rule.name,
        follow_up_months=rule.follow_up_months,
        waiting_months=rule.waiting_months,
        alpha=float(alpha),
        eligibility=built.eligibility,
        dedupe=built.dedupe,
    )


def _in_lots(
    built: Cohort, lots: Sequence[str] | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, IdCodes]:
    """Members, lot × period counts, exclusions and member codes, restricted to ``lots``."""
    members, counts, exclusions = built.members, built.counts, built.exclusions
    codes = built.offender_codes or encode_ids(members["offender_id"])
    if lots is not None:
        keep = {str(x) for x in ([lots] if isinstance(lots, str) else lots)}
        in_lots = members["lot"].isin(keep).to_numpy(dtype=bool, na_value=False)
        members = members[in_lots].reset_index(drop=True)
        codes = codes.take(in_lots)
        counts = counts[counts["lot"].isin(keep)].reset_index(drop=True)
        exclusions = exclusions[exclusions["lot"].isin(keep)].reset_index(drop=True)
    return members, counts, exclusions, codes


class _Counted(NamedTuple):
    """The members (restricted to the lots), their counts and the per-member outcome."""

    members: pd.DataFrame
    counts: pd.DataFrame
    exclusions: pd.DataFrame
    m_day: npt.NDArray[np.int64]  # index day
    reoff: npt.NDArray[np.int64]  # counted reoffences
    first: npt.NDArray[np.int64]  # day of the first counted offence
    end_w: npt.NDArray[np.int64]  # window end day


class _PerMember(NamedTuple):
    """What the aggregation reads: the member arrays (in member order) and two settings."""

    reoff: npt.NDArray[np.int64]  # counted reoffences
    first: npt.NDArray[np.int64]  # day of the first counted offence
    m_day: npt.NDArray[np.int64]  # index day
    end_w: npt.NDArray[np.int64]  # window end day: d + follow-up + waiting months
    ext_day: int
    alpha: float


def _lot_and_national_tables(
    counts: pd.DataFrame, per_member: _PerMember
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per lot × period table and the national (per period) table."""
    # group of each member = its row in `counts` (both sorted by lot, period)
    g = np.repeat(np.arange(len(counts)), counts["measurable"].to_numpy(np.int64))
    if len(g) != len(per_member.reoff):  # pragma: no cover - internal invariant
        raise AssertionError("members and lot × period counts disagree")
    keys = counts[["lot", "period", "eligible"]].reset_index(drop=True)
    table = _aggregate(keys, g, len(counts), per_member)
    pcodes, pnames = pd.factorize(counts["period"], sort=True)
    nat_keys = pd.DataFrame(
        {
            "lot": pd.array(["ALL"] * len(pnames), dtype="string"),
            "period": pd.array(np.asarray(pnames, dtype=object), dtype="string"),
            "eligible": np.bincount(
                pcodes, weights=counts["eligible"].to_numpy(np.float64), minlength=len(pnames)
            ).astype(np.int64),
        }
    )
    national = _aggregate(nat_keys, pcodes[g], len(pnames), per_member)
    return table, national


def _aggregate(
    keys: pd.DataFrame, g: npt.NDArray[np.int64], n_groups: int, per_member: _PerMember
) -> pd.DataFrame:
    """Counts, rates, intervals and status per group."""
    reoff, first, m_day, end_w, ext_day, alpha = per_member
    g = np.asarray(g, dtype=np.int64)
    n = np.bincount(g, minlength=n_groups).astype(np.int64)
    is_re = reoff > 0
    o = np.bincount(g, weights=is_re, minlength=n_groups).astype(np.int64)
    r: F64 = np.asarray(np.bincount(g, weights=reoff.astype(np.float64), minlength=n_groups), F)
    r2: F64 = np.asarray(
        np.bincount(g, weights=reoff.astype(np.float64) ** 2, minlength=n_groups), F
    )
    days = np.where(is_re, first - m_day, 0).astype(np.float64)
    dsum = np.bincount(g, weights=days, minlength=n_groups)
    # members whose window is still open at the extract date
    pending = np.bincount(g, weights=end_w > ext_day, minlength=n_groups)
    z = _normal_quantile(1 - alpha / 2)
    nf, of = n.astype(np.float64), o.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        binary = np.where(n > 0, of / nf, np.nan)
        per_re = np.where(o > 0, r / of, np.nan)
        per_off = np.where(n > 0, r / nf, np.nan)
        days_first = np.where(o > 0, dsum / of, np.nan)
    b_lo, b_hi = wilson_interval(o, n, alpha)
    f_lo, f_hi = _mean_interval(r, r2, of, z)
    p_lo, p_hi = _mean_interval(r, r2, nf, z)
    status = np.where(pending == 0, "final", "interim")
    out = keys.copy()
    out["cohort_size"] = n
    out["reoffenders"] = o
    out["reoffences"] = r.astype(np.int64)
    out["binary_rate"] = binary
    out["reoffences_per_reoffender"] = per_re
    out["reoffences_per_offender"] = per_off
    out["binary_ci_low"] = b_lo
    out["binary_ci_high"] = b_hi
    out["status"] = pd.array(status.astype(object), dtype="string")
    out["reoffences_per_100"] = 100.0 * per_off
    out["frequency_ci_low"] = f_lo
    out["frequency_ci_high"] = f_hi
    out["per_offender_ci_low"] = p_lo
    out["per_offender_ci_high"] = p_hi
    out["days_to_first_reoffence"] = days_first
    return out
