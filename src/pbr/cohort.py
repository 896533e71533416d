"""Cohorts: eligibility, one index event per offender per quarter, exclusions.

See docs/methodology.md, "Cohorts and proven reoffending", §1–§4.

Rules, in the fixed order in which they are applied (the *first* failing rule
is the reason a row is excluded):

1. ``adult`` — age at ``index_date`` is at least 18 whole years
   (:func:`pbr.dates.age_in_years`; a 29 February birthday is reached on
   28 February in non-leap years);
2. ``crc_supervised`` — ``supervisor == "CRC"`` (missing column or value: ``CRC``);
3. ``eligible_event_type`` — ``event_type`` in {release, community_order,
   suspended_sentence_order};
4. ``not_em_only`` — not an electronic-monitoring-only order (missing: false).

Then the **first-event rule**: among rows passing the rules, the offender's
first event (earliest ``index_date``, ties by input row) in each quarter
(``dedupe="quarter"``, the MoJ method; annual cohorts are the union of their
quarterly cohorts) or in each period (``dedupe="period"``) is the index event;
the others are excluded with reason ``later_event_same_period``.  The rows left
are **eligible**; eligible rows with a non-empty ``exclusion_reason`` are
excluded with that reason, the rest are **measurable** (the members).

Every row read ends up either as a member or in the exclusions table::

    len(members) + exclusions["count"].sum() == rows read
    len(eligible) + exclusions.loc[stage == "eligibility", "count"].sum() == rows read

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({
...     "offender_id": ["A", "A", "B"], "lot": ["CPA01"] * 3,
...     "index_date": pd.to_datetime(["2015-01-05", "2015-02-01", "2015-01-10"]),
...     "event_type": ["release", "release", "caution"], "sex": ["M", "M", "F"],
...     "date_of_birth": pd.to_datetime(["1980-01-01"] * 3)})
>>> c = build_cohort(df)
>>> c.members[["offender_id", "period", "row"]].to_dict("list")
{'offender_id': ['A'], 'period': ['2015Q1'], 'row': [1]}
>>> c.exclusions[["reason", "count"]].to_dict("list")
{'reason': ['eligible_event_type', 'later_event_same_period'], 'count': [1, 1]}
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr._engine import IdCodes, argsort_keys, encode_ids, sorted_codes
from pbr.dates import as_days
from pbr.errors import PbrError
from pbr.formatting import format_count
from pbr.io import NO_EXTRACT_DATE, checked_tables
from pbr.periods import PERIOD_KINDS, PeriodKind, period_codes, period_names
from pbr.results import Result, Summary
from pbr.rulesets import add_months_days
from pbr.schema import ELIGIBLE_EVENT_TYPES

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "ELIGIBILITY_RULES",
    "LATER_EVENT",
    "Cohort",
    "build_cohort",
]

#: The named, switchable PbR eligibility rules (docs/methodology.md §2), in the order applied.
ELIGIBILITY_RULES: dict[str, str] = {
    "adult": "aged 18 or over (whole years) on the index date",
    "crc_supervised": "supervised by the CRC (supervisor == 'CRC'; missing means CRC)",
    "eligible_event_type": "event_type in {release, community_order, suspended_sentence_order}",
    "not_em_only": "not an order whose only requirement is electronic monitoring",
}

#: Reason given to an offender's later eligible events in the same quarter (or period).
LATER_EVENT = "later_event_same_period"

_EMPTY_EXCLUSIONS_COLUMNS = ["lot", "period", "reason", "count", "stage"]


@dataclass(frozen=True, eq=False)
class Cohort(Result):
    """A built cohort: measurable members, eligible events and the exclusions table.

    A pbr result (``docs/api.md``, "The result protocol"): :attr:`table` is the
    members table; :meth:`summary` counts rows read, eligible, measurable and
    excluded per lot × period; :meth:`plot` draws those counts by period.

    Attributes
    ----------
    members : pandas.DataFrame
        One row per measurable index event: all input columns (in canonical form
        when ``build_cohort`` validated the frame: lot codes, defaults) plus ``period``
        (label) and ``row`` (1-based input position); sorted by lot, period,
        offender_id, index_date, row.
    eligible : pandas.DataFrame
        Eligible index events, including those with an ``exclusion_reason``
        (a property: the members and those events, in the members' order; a new
        frame each time).
    exclusions : pandas.DataFrame
        ``lot, period, reason, count, stage`` — rows excluded per lot × period ×
        reason; ``stage`` is ``"eligibility"`` (a failed rule or
        ``later_event_same_period``) or ``"measurability"`` (an
        ``exclusion_reason``).
    period_kind, eligibility, dedupe
        The parameters used (``eligibility``: the eligibility rules applied).
    rows_read : int
        Number of input rows.
    offender_codes : IdCodes or None
        The members' offender ids as codes into the sorted universe of every
        cohort id (the engine's form, :func:`pbr._engine.encode_ids`); used by
        :func:`pbr.measures.compute_measures` to look offences up against it.

    Examples
    --------
    >>> c = build_cohort(example_events().head(1))  # the release alone
    >>> c.counts[["lot", "period", "rows_read", "measurable"]].to_dict("records")
    [{'lot': 'CPA01', 'period': '2015Q1', 'rows_read': 1, 'measurable': 1}]
    """

    members: pd.DataFrame
    exclusions: pd.DataFrame
    period_kind: str
    eligibility: tuple[str, ...]
    dedupe: str
    rows_read: int = 0
    _counts: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    offender_codes: IdCodes | None = field(default=None, repr=False, compare=False)
    #: The eligible events with an ``exclusion_reason`` (columns of :attr:`members`),
    #: indexed by their positions among the eligible events.
    _unmeasurable: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def eligible(self) -> pd.DataFrame:
        """Eligible index events: the members and the events with an ``exclusion_reason``.

        In the members' order (lot, period, offender_id, index_date, row); one
        eligible event per offender per quarter (or period). The members are
        kept once: this frame is made when asked for.

        Examples
        --------
        >>> ev = example_events().assign(event_type="release", exclusion_reason=[None, "died"])
        >>> c = build_cohort(ev)
        >>> c.eligible["offender_id"].tolist(), c.members["offender_id"].tolist()
        (['A', 'B'], ['A'])
        """
        un = self._unmeasurable
        if len(un) == 0:
            return self.members.copy()
        k, n = len(self.members), len(self.members) + len(un)
        at = un.index.to_numpy(np.int64)
        take = np.empty(n, dtype=np.int64)
        measurable = np.ones(n, dtype=bool)
        measurable[at] = False
        take[measurable] = np.arange(k)
        take[at] = k + np.arange(len(un))
        both = pd.concat([self.members, un.reset_index(drop=True)], ignore_index=True)
        return both.take(take).reset_index(drop=True)

    @property
    def rules(self) -> tuple[str, ...]:
        """Deprecated name of :attr:`eligibility` (``rules`` means a counting rule set)."""
        warnings.warn(
            "Cohort.rules is deprecated; use Cohort.eligibility", DeprecationWarning, stacklevel=2
        )
        return self.eligibility

    @property
    def table(self) -> pd.DataFrame:
        """The members table (one row per measurable index event; see :attr:`members`).

        Examples
        --------
        >>> build_cohort(example_events()).table["offender_id"].tolist()
        ['A']
        """
        return self.members

    @property
    def counts(self) -> pd.DataFrame:
        """Rows read, eligible, measurable and excluded per lot × period (a copy).

        Examples
        --------
        >>> c = build_cohort(example_events())
        >>> c.counts[["rows_read", "eligible", "measurable", "excluded"]].values.tolist()
        [[2, 1, 1, 1]]
        """
        return self._counts.copy()

    def summary(self) -> Summary:
        """Rows read, eligible and measurable; the counts per lot × period.

        Examples
        --------
        >>> s = build_cohort(example_events()).summary()
        >>> s.title, s.figures["measurable"], s.frame["excluded"].tolist()
        ('Cohort (quarter, dedupe quarter)', '1', [1])
        """
        return Summary(
            f"Cohort ({self.period_kind}, dedupe {self.dedupe})",
            self.counts,
            figures={
                "rows read": format_count(self.rows_read),
                "eligible": format_count(len(self.members) + len(self._unmeasurable)),
                "measurable": format_count(len(self.members)),
                "eligibility rules": ", ".join(self.eligibility) or "none",
            },
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Measurable and excluded rows per period (see :mod:`pbr.report.result_plots`).

        Examples
        --------
        >>> build_cohort(example_events().head(1)).plot().get_xlabel()
        'period'
        """
        from pbr.report.result_plots import plot_cohort_flow

        return plot_cohort_flow(self._counts, ax=ax)


def example_events() -> pd.DataFrame:
    """Two index events the examples share: a release (a member) and a caution (excluded).

    Returns
    -------
    pandas.DataFrame
        Offenders ``A`` (released 2015-01-05) and ``B`` (cautioned 2015-01-06) in
        lot ``CPA01``, both born 1980-01-01.

    Examples
    --------
    >>> example_events()[["offender_id", "event_type"]].values.tolist()
    [['A', 'release'], ['B', 'caution']]
    """
    return pd.DataFrame(
        {
            "offender_id": ["A", "B"],
            "lot": ["CPA01"] * 2,
            "index_date": pd.to_datetime(["2015-01-05", "2015-01-06"]),
            "event_type": ["release", "caution"],
            "sex": ["M", "F"],
            "date_of_birth": pd.to_datetime(["1980-01-01"] * 2),
        }
    )


def example_repeat_events() -> pd.DataFrame:
    """Two releases of one offender that the examples share, in two quarters of one year.

    Returns
    -------
    pandas.DataFrame
        Offender ``A`` (lot ``CPA01``, born 1980-01-01) released on 2015-01-05
        and again on 2015-05-01.

    Examples
    --------
    >>> example_repeat_events()["index_date"].dt.quarter.tolist()
    [1, 2]
    """
    a = example_events().iloc[[0, 0]].reset_index(drop=True)  # A's release of the examples
    return a.assign(index_date=pd.to_datetime(["2015-01-05", "2015-05-01"]))


def _first_failing_rule(df: pd.DataFrame, rules: tuple[str, ...], idx: Any) -> npt.NDArray[np.int8]:
    """0 = passes every selected rule, k = the k-th rule of ELIGIBILITY_RULES fails first."""
    n = len(df)
    reason = np.zeros(n, dtype=np.int8)
    for k, rule in enumerate(ELIGIBILITY_RULES, start=1):
        if rule not in rules:
            continue
        if rule == "adult":
            _need(df, "date_of_birth", rule)
            dob_d = as_days(df["date_of_birth"])
            dob = np.where(np.isnat(dob_d), np.datetime64(0, "D"), dob_d).astype(np.int64)
            # adult  <=>  the 18th birthday (dob + 216 months, month-end clipped) <= index date
            ok = (add_months_days(dob, 216) <= idx.astype(np.int64)) & ~np.isnat(dob_d)
        elif rule == "crc_supervised":
            if "supervisor" in df.columns:
                ok = _in_values(df["supervisor"], ("CRC",), missing=True)
            else:
                ok = np.ones(n, dtype=bool)
        elif rule == "eligible_event_type":
            _need(df, "event_type", rule)
            ok = _in_values(df["event_type"], ELIGIBLE_EVENT_TYPES, missing=False)
        else:  # not_em_only
            if "em_only" in df.columns:
                em = df["em_only"].astype("boolean").fillna(False)
                ok = ~em.to_numpy(dtype=bool, na_value=False)
            else:
                ok = np.ones(n, dtype=bool)
        reason[(reason == 0) & ~ok] = k
    return reason


def _in_values(s: pd.Series, values: Sequence[str], *, missing: bool) -> npt.NDArray[np.bool_]:
    """Vector test ``s in values`` (``missing`` for NA); categoricals are tested per category."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = np.asarray(s.cat.categories.astype(str), dtype=object)
        lookup = np.append(np.isin(cats, list(values)), missing)  # code -1 (NA) -> last
        out: npt.NDArray[np.bool_] = lookup[s.cat.codes.to_numpy()]
        return out
    res = s.isin(values).to_numpy(dtype=bool, na_value=False)
    if missing:
        res = res | s.isna().to_numpy(dtype=bool)
    return res


def _has_text(s: pd.Series) -> npt.NDArray[np.bool_]:
    """Non-missing and not blank (vectorised; categoricals per category)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = pd.Series(s.cat.categories.astype(str), dtype="string").str.strip()
        lookup = np.append((cats != "").to_numpy(dtype=bool, na_value=False), False)
        out: npt.NDArray[np.bool_] = lookup[s.cat.codes.to_numpy()]
        return out
    st = s.astype("string").str.strip()
    res: npt.NDArray[np.bool_] = (st.notna() & (st != "")).to_numpy(dtype=bool, na_value=False)
    return res


def _need(df: pd.DataFrame, column: str, rule: str) -> None:
    if column not in df.columns:
        raise PbrError(f"eligibility rule {rule!r} needs the cohort column {column!r}")


def _check_options(period: str, eligibility: Sequence[str] | None, dedupe: str) -> tuple[str, ...]:
    if period not in PERIOD_KINDS:
        raise PbrError(f"unknown period {period!r}; expected one of {PERIOD_KINDS}")
    if dedupe not in ("quarter", "period"):
        raise PbrError(f"unknown dedupe {dedupe!r}; expected 'quarter' or 'period'")
    if isinstance(eligibility, str):
        raise PbrError(
            f"eligibility must be a sequence of rule names, not the string {eligibility!r}"
        )
    chosen = tuple(ELIGIBILITY_RULES) if eligibility is None else tuple(eligibility)
    unknown = [r for r in chosen if r not in ELIGIBILITY_RULES]
    if unknown:
        raise PbrError(f"unknown eligibility rule(s) {unknown}; expected {list(ELIGIBILITY_RULES)}")
    # keep the fixed order, drop repeats
    return tuple(r for r in ELIGIBILITY_RULES if r in chosen)


_UNSET: Any = object()


def build_cohort(
    cohort: pd.DataFrame,
    *,
    period: PeriodKind = "quarter",
    eligibility: Sequence[str] | None = None,
    dedupe: Literal["quarter", "period"] = "quarter",
    offender_codes: IdCodes | None = None,
    rules: Any = _UNSET,
    extract_date: Any = None,
    validate: bool = True,
) -> Cohort:
    """Apply the PbR eligibility rules and the first-event rule to cohort events.

    Parameters
    ----------
    cohort : pandas.DataFrame
        Cohort events. A raw frame crosses the io boundary first
        (:func:`pbr.io.checked_tables`, docs/methodology.md#validation): every
        failing row is listed in one :class:`~pbr.errors.ValidationError`, and the
        rules then run on the canonical form (docs/methodology.md, "Canonical
        in-memory form"; see :mod:`pbr.schema`: lot codes, defaults filled in).
        A frame the boundary already validated (stamped) is not validated again.
        Extra columns are kept.
    period : {"quarter", "financial_year", "calendar_year"}
        Period of the cohorts (label column ``period``).
    eligibility : sequence of str, optional
        Eligibility rules to apply (keys of :data:`ELIGIBILITY_RULES`); default all.
        ``[]`` applies none.
    dedupe : {"quarter", "period"}
        First event per offender per **quarter** (default; annual cohorts are the
        union of their quarterly cohorts, the MoJ method) or per ``period``.
    offender_codes : IdCodes, optional
        ``pbr._engine.encode_ids(cohort["offender_id"])`` when the caller has it
        already (the measures start looking offences up against its universe
        while the cohort is built); computed here otherwise.
    rules : sequence of str
        Deprecated name of ``eligibility`` (a DeprecationWarning).
    extract_date : date-like, optional
        The date the data was extracted, for the rule "no date after the extract
        date". None (default): that one rule is **not checked** (there is no date
        to check against, and none is guessed); every other rule is.
    validate : bool
        True (default): validate an unstamped frame as above. False: the explicit
        opt-out, for trusted frames already in canonical form (e.g. a caller that
        validated them itself); the frame is then used as given.

    Returns
    -------
    Cohort

    Raises
    ------
    pbr.errors.ValidationError
        The frame fails validation (every failing row: row, column, value, reason).

    Examples
    --------
    >>> df = example_repeat_events()  # two releases of A, in two quarters of 2015
    >>> len(build_cohort(df, period="calendar_year").members)  # two quarters: counted twice
    2
    >>> len(build_cohort(df, period="calendar_year", dedupe="period").members)
    1
    >>> build_cohort(df, eligibility=["adult"]).eligibility
    ('adult',)
    """
    if rules is not _UNSET:
        warnings.warn(
            "build_cohort(rules=...) is deprecated; use eligibility=... "
            "(rules names a counting rule set)",
            DeprecationWarning,
            stacklevel=2,
        )
        eligibility = rules
    chosen = _check_options(period, eligibility, dedupe)
    if not isinstance(cohort, pd.DataFrame):
        raise PbrError(f"cohort must be a pandas DataFrame, not {type(cohort).__name__}")
    if validate:  # no extract date: only "date after the extract date" is not checked
        ext = NO_EXTRACT_DATE if extract_date is None else extract_date
        cohort = checked_tables(cohort, None, extract_date=ext)[0]
    for col in ("offender_id", "lot", "index_date"):
        _need(cohort, col, "cohort")
    n = len(cohort)
    df = cohort.reset_index(drop=True)
    idx = as_days(df["index_date"])
    if n and np.isnat(idx).any():
        bad = int(np.flatnonzero(np.isnat(idx))[0]) + 1
        raise PbrError(f"cohort row {bad}: index_date is missing")
    pcode = period_codes(idx, period)
    qcode = period_codes(idx, "quarter") if dedupe == "quarter" and period != "quarter" else pcode
    fail = _first_failing_rule(df, chosen, idx)

    # first eligible event per offender per quarter/period: sort by (offender, q, date, row)
    if offender_codes is None:
        offender_codes = encode_ids(df["offender_id"])
    elif len(offender_codes.codes) != n:
        raise PbrError("offender_codes must have one code per cohort row")
    off_code = offender_codes.codes
    lot_code, lot_names = sorted_codes(df["lot"])
    passed = np.flatnonzero(fail == 0)
    day = idx.astype(np.int64)
    order = passed[argsort_keys([off_code[passed], qcode[passed], day[passed]])]
    if len(order):
        same = (off_code[order[1:]] == off_code[order[:-1]]) & (
            qcode[order[1:]] == qcode[order[:-1]]
        )
        later_rows = order[1:][same]
    else:
        later_rows = np.empty(0, dtype=np.int64)
    reason = fail.astype(np.int16)
    later_code = len(ELIGIBILITY_RULES) + 1
    reason[later_rows] = later_code
    eligible_mask = reason == 0

    has_reason_col = "exclusion_reason" in df.columns
    has_er = _has_text(df["exclusion_reason"]) if has_reason_col else np.zeros(n, dtype=bool)
    member_mask = eligible_mask & ~has_er

    # sort key for the output tables: lot, period, offender_id, index_date, row
    # one sort of the eligible events; the members and the few eligible events with an
    # exclusion reason are taken from it (Cohort.eligible puts them together again)
    rows = np.flatnonzero(eligible_mask)
    o = rows[argsort_keys([lot_code[rows], pcode[rows], off_code[rows], day[rows]])]
    in_members = member_mask[o]

    def events(at: npt.NDArray[np.int64], index: Any) -> pd.DataFrame:
        out = df.take(at)
        out.index = index
        out["period"] = period_names(pcode[at], period).array  # by position, not index
        out["row"] = (at + 1).astype(np.int64)
        return out

    mo = o[in_members]
    members = events(mo, pd.RangeIndex(len(mo)))
    unmeasurable = events(o[~in_members], pd.Index(np.flatnonzero(~in_members)))
    member_codes = off_code[mo]

    # exclusions: per lot × period × reason
    names = [*ELIGIBILITY_RULES, LATER_EVENT]
    excl_rows = np.flatnonzero(~member_mask)
    parts: list[pd.DataFrame] = []
    stage1 = excl_rows[reason[excl_rows] > 0]
    if len(stage1):
        # count numerically first (few distinct lot × period × reason), then label
        p0 = int(pcode[stage1].min())
        pw = int(pcode[stage1].max()) - p0 + 1
        nr = len(names) + 1
        k1 = (lot_code[stage1] * pw + (pcode[stage1] - p0)) * nr + reason[stage1].astype(np.int64)
        u1, c1 = np.unique(k1, return_counts=True)
        parts.append(
            pd.DataFrame(
                {
                    "lot_code": u1 // nr // pw,
                    "pcode": u1 // nr % pw + p0,
                    "reason": np.asarray(names, dtype=object)[u1 % nr - 1],
                    "stage": "eligibility",
                    "n": c1.astype(np.int64),
                }
            )
        )
    stage2 = excl_rows[reason[excl_rows] == 0]
    if len(stage2) and has_reason_col:
        er = df["exclusion_reason"].iloc[stage2].astype("string").str.strip()
        parts.append(
            pd.DataFrame(
                {
                    "lot_code": lot_code[stage2],
                    "pcode": pcode[stage2],
                    "reason": er.to_numpy(dtype=object),
                    "stage": "measurability",
                    "n": np.ones(len(stage2), dtype=np.int64),
                }
            )
        )
    if parts:
        ex = pd.concat(parts, ignore_index=True)
        ex = (
            ex.groupby(["lot_code", "pcode", "reason", "stage"], sort=True)["n"]
            .sum()
            .rename("count")
            .reset_index()
        )
        ex = ex.sort_values(["lot_code", "pcode", "reason"], kind="stable").reset_index(drop=True)
        exclusions = pd.DataFrame(
            {
                "lot": pd.array(
                    np.asarray(lot_names, dtype=object)[ex["lot_code"]], dtype="string"
                ),
                "period": period_names(ex["pcode"].to_numpy(np.int64), period),
                "reason": ex["reason"].astype("string").array,
                "count": ex["count"].to_numpy(np.int64),
                "stage": ex["stage"].astype("string").array,
            }
        )
    else:
        exclusions = pd.DataFrame(
            {
                "lot": pd.array([], dtype="string"),
                "period": pd.array([], dtype="string"),
                "reason": pd.array([], dtype="string"),
                "count": np.empty(0, dtype=np.int64),
                "stage": pd.array([], dtype="string"),
            }
        )
    counts = _counts(
        lot_code, np.asarray(lot_names, dtype=object), pcode, period, eligible_mask, member_mask
    )
    return Cohort(
        members=members,
        exclusions=exclusions,
        period_kind=period,
        eligibility=chosen,
        dedupe=dedupe,
        rows_read=n,
        _counts=counts,
        offender_codes=IdCodes(member_codes, offender_codes.universe),
        _unmeasurable=unmeasurable,
    )


def _counts(
    lot_code: npt.NDArray[np.int64],
    lot_names: npt.NDArray[Any],
    pcode: npt.NDArray[np.int64],
    period: str,
    eligible: npt.NDArray[np.bool_],
    member: npt.NDArray[np.bool_],
) -> pd.DataFrame:
    """Rows read / eligible / measurable per lot × period (every lot × period read)."""
    if len(lot_code) == 0:
        return pd.DataFrame(
            {
                "lot": pd.array([], dtype="string"),
                "period": pd.array([], dtype="string"),
                "rows_read": np.empty(0, np.int64),
                "eligible": np.empty(0, np.int64),
                "measurable": np.empty(0, np.int64),
                "excluded": np.empty(0, np.int64),
            }
        )
    pmin = int(pcode.min())
    width = int(pcode.max()) - pmin + 1
    key = lot_code * width + (pcode - pmin)
    size = (int(lot_code.max()) + 1) * width
    if size <= 4 * len(key) + 1024:  # dense: count directly, no sort
        read_all = np.bincount(key, minlength=size)
        uniq = np.flatnonzero(read_all)
        read = read_all[uniq].astype(np.int64)
        elig = np.bincount(key, weights=eligible, minlength=size)[uniq].astype(np.int64)
        meas = np.bincount(key, weights=member, minlength=size)[uniq].astype(np.int64)
    else:
        uniq, inv = np.unique(key, return_inverse=True)
        inv = inv.reshape(-1)
        read = np.bincount(inv, minlength=len(uniq)).astype(np.int64)
        elig = np.bincount(inv, weights=eligible, minlength=len(uniq)).astype(np.int64)
        meas = np.bincount(inv, weights=member, minlength=len(uniq)).astype(np.int64)
    return pd.DataFrame(
        {
            "lot": pd.array(lot_names[uniq // width], dtype="string"),
            "period": period_names(uniq % width + pmin, period),
            "rows_read": read,
            "eligible": elig,
            "measurable": meas,
            "excluded": read - meas,
        }
    )
