"""Adjusting performance cohorts against a baseline: :class:`Assessment`.

:func:`assess_members` (cohort members) and :func:`compare_to_baseline`
(a measures table) give one row per lot × period with ``E``, ``V`` and the
binary and frequency tests of :mod:`pbr.adjustment`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr.adjustment import binary_test, frequency_test
from pbr.baseline._baseline import Baseline
from pbr.baseline._common import (
    _example_members,  # noqa: F401  - used by the docstring examples
    _group_stats,
    _is_quarter,
    _no_missing,
    _outcomes,
)
from pbr.dates import as_days
from pbr.errors import IgnoredOptionWarning, PbrError
from pbr.formatting import format_count
from pbr.periods import (
    PERIOD_KINDS,
    QUARTER_NAMES,
    period_labels,
    quarter_of_label,
)
from pbr.results import Result, Summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes


# --------------------------------------------------------------------------- Assessment
@dataclass(frozen=True, eq=False)
class Assessment(Result):
    """Performance cohorts adjusted against a baseline, per lot × period.

    A pbr result (``docs/api.md``, "The result protocol"): :attr:`table` is one
    row per lot × period; :meth:`summary` counts lots and outcomes per period;
    :meth:`plot` is the funnel plot (:func:`pbr.report.plot_funnel`).

    Attributes
    ----------
    table : pandas.DataFrame
        Columns :data:`ASSESSMENT_COLUMNS` (then ``expected_frequency`` and
        ``adjusted_frequency`` when the baseline has a count model), sorted by
        lot and period.
    baseline_year : int
    period : str
    alpha : float
    form : str
    risk : str
        ``ogrs3``, ``model`` or ``none`` (unadjusted).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"lot": ["CPA01"] * 4, "index_date": pd.to_datetime(["2011-01-05"] * 4),
    ...                   "reoffender": [True, False, True, False], "reoffences": [2, 0, 1, 0]})
    >>> a = assess_members(m.assign(period="2011Q1"), Baseline.from_members(m, risk=None))
    >>> a.table["outcome"].tolist()
    ['no_significant_change']
    """

    table: pd.DataFrame
    baseline_year: int
    period: str
    alpha: float
    form: str
    risk: str

    def summary(self) -> Summary:
        """Per period: lots, N, O, E and the number of lots with each outcome.

        Examples
        --------
        >>> m = _example_members()
        >>> s = assess_members(m, Baseline.from_members(m, risk=None)).summary()
        >>> s.frame[["period", "lots", "no_significant_change"]].to_numpy().tolist()
        [['2011Q4', 1, 1]]
        """
        t = self.table
        g = t.groupby("period", sort=True)
        out = pd.DataFrame(
            {
                "lots": g.size(),
                "cohort_size": g["cohort_size"].sum(),
                "reoffenders": g["reoffenders"].sum(),
                "expected_reoffenders": g["expected_reoffenders"].sum(),
            }
        )
        counts = {}
        for o in ("significant_reduction", "no_significant_change", "significant_increase"):
            out[o] = (t["outcome"] == o).groupby(t["period"], sort=True).sum().astype(np.int64)
            counts[o.replace("_", " ")] = format_count(int((t["outcome"] == o).sum()))
        return Summary(
            f"Assessment against the {self.baseline_year} baseline (risk {self.risk}, "
            f"{self.period} cohorts, α = {self.alpha:g}, {self.form} form)",
            out.reset_index(),
            figures={"lot × period rows": format_count(len(t)), **counts},
        )

    def plot(self, ax: Axes | None = None, *, period: str | None = None) -> Axes:
        """Funnel plot of ``change_pp`` against cohort size (:func:`pbr.report.plot_funnel`).

        The limits are the two-sided ``1 − alpha`` funnel around 0 for the
        cohort-size-weighted expected rate of the plotted rows.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
        period : str, optional
            Plot only this period (default: every row).

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> m = _example_members()
        >>> a = assess_members(m, Baseline.from_members(m, risk=None))
        >>> a.plot().get_xlabel().startswith("effective cohort size")
        True
        """
        from pbr.report import plot_funnel

        t = self.table if period is None else self.table[self.table["period"] == period]
        if period is not None and t.empty:
            raise PbrError(f"the assessment has no rows for period {period!r}")
        return plot_funnel(t, alpha=self.alpha, ax=ax)


def _status_per_group(
    members: pd.DataFrame,
    keys: pd.DataFrame,
    order: npt.NDArray[np.int64],
    extract_date: Any,
    status: pd.DataFrame | None,
) -> pd.Series:
    groups = keys.drop_duplicates().sort_values(["lot", "period"]).reset_index(drop=True)
    if status is not None:
        s = status[["lot", "period", "status"]].astype({"lot": str, "period": str, "status": str})
        out = groups.merge(s, on=["lot", "period"], how="left")["status"]
        return out.fillna("unknown")
    if "window_end" in members.columns and extract_date is not None:
        ext = as_days([extract_date])[0]
        interim = as_days(members["window_end"]) > ext
    elif "status" in members.columns:
        interim = (members["status"].astype(str) == "interim").to_numpy()
    else:
        return pd.Series(["unknown"] * len(groups))
    k = keys.assign(interim=np.asarray(interim, dtype=np.int64)[order])
    g = k.groupby(["lot", "period"], sort=True)["interim"].max().reset_index()
    return pd.Series(np.where(g["interim"].to_numpy() > 0, "interim", "final"))


def assess_members(
    members: pd.DataFrame,
    baseline: Baseline,
    *,
    period: str = "quarter",
    alpha: float = 0.05,
    form: Literal["difference", "ratio"] = "difference",
    risk: bool = True,
    extract_date: Any = None,
    status: pd.DataFrame | None = None,
) -> Assessment:
    """Adjust performance cohort members against a baseline (docs/methodology.md#adjustment).

    Parameters
    ----------
    members : pandas.DataFrame
        One row per measurable index event with ``lot``, ``index_date``,
        ``reoffender``, ``reoffences``, the risk-model inputs and ``period``
        (computed from ``index_date`` with ``period`` when absent).
    baseline : Baseline
    period : {"quarter", "financial_year", "calendar_year"}
        Kind of cohort; quarterly cohorts are compared with the lot's
        matching quarter of year, annual ones with the lot's year.
    alpha : float
    form : {"difference", "ratio"}
    risk : bool
        Use the baseline's risk model and count model (where it has them);
        ``False`` = unadjusted. A count model adjusts the frequency measure
        (columns ``expected_frequency``, ``adjusted_frequency``) even when the
        baseline has no binary risk model.
    extract_date : date-like, optional
        With a ``window_end`` column, decides each row's ``status`` (without
        one, and without ``status``, it is ignored with an
        :class:`~pbr.errors.IgnoredOptionWarning`).
    status : pandas.DataFrame, optional
        ``lot, period, status`` from a measures table (takes precedence).

    Returns
    -------
    Assessment

    Examples
    --------
    >>> import pandas as pd
    >>> base = pd.DataFrame({"lot": ["CPA01"] * 4, "index_date": pd.to_datetime(["2011-04-01"] * 4),
    ...                      "reoffender": [True, True, False, False], "reoffences": [1, 3, 0, 0]})
    >>> perf = base.assign(index_date=pd.Timestamp("2016-05-01"), reoffender=False, reoffences=0)
    >>> t = assess_members(perf, Baseline.from_members(base, risk=None)).table
    >>> t[["period", "baseline_binary", "expected_reoffenders", "change_pp"]].to_numpy().tolist()
    [['2016Q2', 0.5, 2.0, -50.0]]
    """
    if period not in PERIOD_KINDS:
        raise PbrError(f"period must be quarter, financial_year or calendar_year, got {period!r}")
    if not isinstance(baseline, Baseline):
        raise PbrError(f"baseline must be a pbr Baseline, got {type(baseline).__name__}")
    flag, reo = _outcomes(members, "performance members")
    if len(members) == 0:
        raise PbrError("no performance cohort members to assess")
    if "period" in members.columns:
        _no_missing(members, ("period",), "performance members")
        labels = members["period"].astype(str).to_numpy(dtype=object)
    else:
        labels = period_labels(members["index_date"], period).astype(object)
    if extract_date is not None and status is None and "window_end" not in members.columns:
        warnings.warn(
            "extract_date is ignored: the members have no window_end column (and no status "
            "table was given), so each row's status is 'unknown'",
            IgnoredOptionWarning,
            stacklevel=2,
        )
    quarterly = period == "quarter"
    if quarterly and not _is_quarter(labels).all():
        raise PbrError("period='quarter' but the members' period labels are not quarters (YYYYQn)")
    use_model = bool(risk) and baseline.model is not None
    p = baseline.expected_probability(members, annual=not quarterly, risk=use_model)
    lot = members["lot"].astype(str).to_numpy(dtype=object)
    # canonical row order, so that permuting the input cannot change any sum
    order = np.lexsort((reo, p, labels.astype(str), lot.astype(str)))
    keys = pd.DataFrame({"lot": lot[order], "period": labels[order]})
    stats_ = _group_stats(keys, flag[order], reo[order])
    ev = pd.DataFrame(
        {
            "lot": keys["lot"],
            "period": keys["period"],
            "e": p[order],
            "v": p[order] * (1 - p[order]),
        }
    )
    if baseline.count_model is not None and risk:
        mask = flag[order]
        f_exp = np.zeros(len(members))
        f_exp[mask] = baseline.count_model.predict(members.iloc[order[mask]])
        ev["fe"] = f_exp
    sums = ev.groupby(["lot", "period"], sort=True).sum().reset_index()
    stats_ = stats_.merge(sums, on=["lot", "period"], how="left")
    qcol = (
        np.array(
            [QUARTER_NAMES[quarter_of_label(str(x)) - 1] for x in stats_["period"]], dtype=object
        )
        if quarterly
        else np.full(len(stats_), "year", dtype=object)
    )
    base = baseline._lookup(stats_["lot"].to_numpy(dtype=object), qcol)
    n = stats_["cohort_size"].to_numpy(dtype=np.int64)
    o = stats_["reoffenders"].to_numpy(dtype=np.int64)
    e = stats_["e"].to_numpy(dtype=float)
    v = stats_["v"].to_numpy(dtype=float)
    b = base["baseline_binary"].to_numpy(dtype=float)
    bt = binary_test(o, e, n, b, variance=v, alpha=alpha, form=form)
    ft = frequency_test(
        stats_["frequency"],
        stats_["frequency_sd"],
        o,
        base["baseline_frequency"],
        base["baseline_frequency_sd"],
        base["reoffenders"],
        alpha=alpha,
    )
    table = pd.DataFrame(
        {
            "lot": stats_["lot"].astype(str),
            "period": stats_["period"].astype(str),
            "status": _status_per_group(members, keys, order, extract_date, status).to_numpy(),
            "cohort_size": n,
            "reoffenders": o,
            "reoffences": stats_["reoffences"].to_numpy(dtype=np.int64),
            "expected_reoffenders": e,
            "expected_variance": v,
            "baseline_binary": b,
            "expected_rate": bt["expected_rate"].to_numpy(),
            "adjusted_rate": bt["adjusted_rate"].to_numpy(),
            "change_pp": bt["change_pp"].to_numpy(),
            "z": bt["z"].to_numpy(),
            "p_value": bt["p_value"].to_numpy(),
            "outcome": bt["outcome"].to_numpy(),
            "frequency": stats_["frequency"].to_numpy(dtype=float),
            "frequency_sd": stats_["frequency_sd"].to_numpy(dtype=float),
            "baseline_frequency": base["baseline_frequency"].to_numpy(dtype=float),
            "baseline_frequency_sd": base["baseline_frequency_sd"].to_numpy(dtype=float),
            "baseline_reoffenders": base["reoffenders"].to_numpy(dtype=np.int64),
            "frequency_change": ft["frequency_change"].to_numpy(),
            "frequency_t": ft["frequency_t"].to_numpy(),
            "frequency_p_value": ft["frequency_p_value"].to_numpy(),
            "frequency_outcome": ft["frequency_outcome"].to_numpy(),
        }
    )
    if "fe" in stats_.columns:
        with np.errstate(divide="ignore", invalid="ignore"):
            ef = np.where(o > 0, stats_["fe"].to_numpy(dtype=float) / np.where(o > 0, o, 1), np.nan)
        table["expected_frequency"] = ef
        table["adjusted_frequency"] = table["baseline_frequency"] + table["frequency"] - ef
    return Assessment(
        table=table,
        baseline_year=baseline.year,
        period=period,
        alpha=alpha,
        form=form,
        risk=(baseline.risk or "none") if use_model else "none",
    )


def compare_to_baseline(
    cohort: pd.DataFrame,
    offences: pd.DataFrame,
    baseline: Baseline,
    *,
    extract_date: Any,
    period: str = "quarter",
    alpha: float = 0.05,
    form: Literal["difference", "ratio"] = "difference",
    risk: bool = True,
    rules: str | None = None,
    validate: bool = True,
) -> Assessment:
    """Count reoffending of a performance cohort and adjust it against a baseline.

    Calls :func:`pbr.measures.compute_measures` (rule set ``rules``, default
    the baseline's) and :func:`assess_members`; ``status`` comes from the
    measures table (final/interim).

    Parameters
    ----------
    cohort, offences : pandas.DataFrame
    baseline : Baseline
    extract_date : date-like
    period : {"quarter", "financial_year", "calendar_year"}
    alpha : float
    form : {"difference", "ratio"}
    risk : bool
    rules : str, optional
    validate : bool
        As :func:`pbr.compute_measures`: the tables are validated through the io
        boundary unless already validated; ``False`` is the explicit opt-out.

    Returns
    -------
    Assessment

    Examples
    --------
    >>> from pbr.baseline import build_baseline
    >>> from pbr.sample import generate
    >>> s = generate(seed=1, scale=0.05, lots=["CPA01"])
    >>> b = build_baseline(s.cohort, s.offences, extract_date=s.extract_date)
    >>> a = compare_to_baseline(s.cohort, s.offences, b, extract_date=s.extract_date)
    >>> a.table[["period", "status"]].tail(2).to_numpy().tolist()
    [['2016Q4', 'final'], ['2017Q1', 'interim']]
    """
    from pbr.measures import compute_measures  # type: ignore[import-not-found,unused-ignore]

    m = compute_measures(
        cohort,
        offences,
        extract_date=extract_date,
        period=period,
        rules=rules or baseline.rules,
        validate=validate,
    )
    return assess_members(
        m.members.reset_index(drop=True),
        baseline,
        period=period,
        alpha=alpha,
        form=form,
        risk=risk,
        status=m.table[["lot", "period", "status"]],
    )
