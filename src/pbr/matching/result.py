"""The result of :func:`pbr.matching.match`: matched sample, pairs, balance, outcomes.

Examples
--------
>>> from pbr.matching import match
>>> from pbr.matching.result import example_data
>>> m = match(example_data(), treatment="t", covariates=["x"])
>>> m.n_matched_treated == int(m.matched["treated"].sum())
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr._types import FloatArray
from pbr.errors import PbrError
from pbr.matching.balance import balance_frame, with_interactions
from pbr.matching.design import check_columns
from pbr.matching.outcomes import difference, effective_n
from pbr.results import Result, Summary

__all__ = ["MatchResult", "example_data"]


def example_data(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """Treated/comparison people with one covariate and outcomes, for the examples.

    Examples
    --------
    >>> list(example_data(10).columns)
    ['x', 't', 'reoffender', 'reoffences', 'days']
    """
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"x": rng.normal(size=n)})
    df["t"] = rng.random(n) < 0.3
    df["reoffender"] = rng.random(n) < 0.4
    df["reoffences"] = df["reoffender"] * rng.integers(1, 5, n)
    df["days"] = np.where(df["reoffender"], rng.integers(1, 366, n), np.nan)
    return df


def _num(s: pd.Series) -> FloatArray:
    return np.asarray(pd.to_numeric(s.astype(float) if s.dtype == bool else s), dtype=float)


@dataclass(frozen=True, eq=False)
class MatchResult(Result):
    """Result of :func:`pbr.matching.match`.

    Attributes
    ----------
    matched : pandas.DataFrame
        One row per person in the matched sample, original columns plus
        ``treated`` (bool), ``logit_propensity`` (NaN when no model was
        fitted), ``match_score`` (the one-dimensional distance measure; NaN for
        Mahalanobis), ``weight`` (matching weight), ``n_matches`` (pairs the
        person is in) and ``subclass`` (Int64 matched set; <NA> for a
        comparison person used in several sets). Treated first, then row order.
    pairs : pandas.DataFrame
        One row per pair: ``subclass, treated, control`` (index labels),
        ``treated_score, control_score, distance, weight`` (``1/k`` of the
        focal person's ``k`` matches). Sorted by subclass then distance.
    unmatched : pandas.Index
        Index labels of focal people (treated for the ATT) with no match.
    coefficients : pandas.Series
        Propensity-model coefficients (``const`` first; empty for Mahalanobis
        or a user distance).
    caliper_width : float
        Caliper on the distance in its own units (inf when none).
    options : dict
        The options used (MatchIt names where they exist).
    n_treated, n_pool : int
        Treated people and comparison pool before matching.
    balance_columns : pandas.DataFrame
        The balance columns of every input row (distance first).
    treatment : numpy.ndarray
        Treatment of every input row.
    weights : numpy.ndarray
        Matching weight of every input row (0 = not matched).

    Examples
    --------
    >>> from pbr.matching import match
    >>> m = match(example_data(), treatment="t", covariates=["x"], replace=True)
    >>> float(m.matched.loc[m.matched["treated"], "weight"].sum()) == m.n_matched_treated
    True
    """

    matched: pd.DataFrame
    pairs: pd.DataFrame
    unmatched: pd.Index
    coefficients: pd.Series
    caliper_width: float
    options: dict[str, Any] = field(default_factory=dict)
    n_treated: int = 0
    n_pool: int = 0
    balance_columns: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    treatment: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool), repr=False)
    weights: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)

    @property
    def n_matched_treated(self) -> int:
        """Number of treated people in the matched sample."""
        return int(self.matched["treated"].sum())

    @cached_property
    def balance(self) -> pd.DataFrame:
        """Balance table before/after matching (:mod:`pbr.matching.balance`), computed once."""
        return self.balance_table()

    @property
    def table(self) -> pd.DataFrame:
        """The matched sample (:attr:`matched`): one row per person, with weights and sets."""
        return self.matched

    def balance_table(
        self,
        *,
        s_d_denom: str | None = None,
        interactions: bool = False,
        extra: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Balance table with other options than :attr:`balance`.

        Parameters
        ----------
        s_d_denom : {"treated", "control", "pooled"}, optional
            SMD standardisation; default the one given to :func:`match`.
        interactions : bool
            Add squares and pairwise interactions of the covariates.
        extra : pandas.DataFrame, optional
            More numeric columns indexed like the input data (e.g. ``age ** 2``).

        Returns
        -------
        pandas.DataFrame

        Examples
        --------
        >>> from pbr.matching import match
        >>> m = match(example_data(), treatment="t", covariates=["x"])
        >>> list(m.balance_table(interactions=True)["covariate"])
        ['distance', 'x', 'x²']
        """
        cols = self.balance_columns
        if interactions:
            dist = cols.iloc[:, :1]
            cols = pd.concat([dist, with_interactions(cols.iloc[:, 1:])], axis=1)
        if extra is not None:
            extra = extra.astype(float)
            if len(extra) != len(cols):
                raise PbrError("extra balance columns must have one row per input row")
            cols = pd.concat([cols, extra.set_axis(cols.index)], axis=1)
        denom = s_d_denom or str(self.options.get("s_d_denom", "treated"))
        return balance_frame(cols, self.treatment, self.weights, s_d_denom=denom)

    def _se(self, se: str) -> str:
        if se == "auto":
            return "robust" if self.options.get("replace") else "cluster"
        if se == "cluster" and self.options.get("replace"):
            raise PbrError(
                "se='cluster' needs matched sets, which matching with replacement does not "
                "give; use se='robust' (MatchIt's advice) or se='welch'"
            )
        return se

    def _check_jdl(self, min_treated: int) -> None:
        if self.n_matched_treated < min_treated:
            raise PbrError(
                f"only {self.n_matched_treated} treated people were matched; results are "
                f"reported only for at least {min_treated} (JDL rule; pass min_treated "
                "to override deliberately)"
            )

    def _column(self, column: str, *, missing_allowed: bool = False) -> FloatArray:
        if column not in self.matched.columns:
            raise PbrError(f"outcome column {column!r} is not in the data")
        if not missing_allowed:
            check_columns(self.matched, [column], what="outcome column")
        return _num(self.matched[column])

    def _diff(
        self, y: FloatArray, rows: npt.NDArray[np.bool_], se: str, alpha: float
    ) -> dict[str, Any]:
        m = self.matched
        z = m["treated"].to_numpy(dtype=bool)[rows]
        w = m["weight"].to_numpy(dtype=float)[rows]
        cl = m["subclass"].to_numpy(dtype="float64", na_value=np.nan)[rows]
        cluster = np.nan_to_num(cl, nan=-1.0).astype(np.int64) if se == "cluster" else None
        return difference(y[rows], z, w, se=se, cluster=cluster, alpha=alpha)

    def outcomes(
        self, *columns: str, se: str = "auto", alpha: float = 0.05, min_treated: int = 60
    ) -> pd.DataFrame:
        """Difference in means of outcome columns, treated − weighted comparison.

        Parameters
        ----------
        *columns : str
            Numeric/boolean outcome columns of the matched data.
        se : {"auto", "cluster", "robust", "welch"}
            Standard errors (:mod:`pbr.matching.outcomes`); ``"auto"``:
            cluster-robust by matched set without replacement, HC3 with.
        alpha : float
            1 − confidence level.
        min_treated : int
            JDL minimum number of matched treated people (default 60).

        Returns
        -------
        pandas.DataFrame
            One row per column: ``measure, treated_n, treated_mean,
            comparison_n, comparison_n_eff, comparison_mean, difference, se, df,
            ci_low, ci_high, p_value, se_method, significant``.

        Examples
        --------
        >>> from pbr.matching import match
        >>> m = match(example_data(), treatment="t", covariates=["x"], replace=True)
        >>> m.outcomes("reoffender", "reoffences")["se_method"].tolist()
        ['robust', 'robust']
        """
        self._check_jdl(min_treated)
        method = self._se(se)
        every = np.ones(len(self.matched), dtype=bool)
        rows = [
            {"measure": c, **self._diff(self._column(c), every, method, alpha)} for c in columns
        ]
        out = pd.DataFrame(rows)
        out["significant"] = out["p_value"] < alpha
        return out

    def estimate(
        self,
        *,
        binary: str = "reoffender",
        frequency: str | None = "reoffences",
        days: str | None = None,
        se: str = "auto",
        alpha: float = 0.05,
        min_treated: int = 60,
        min_reoffenders: int = 30,
    ) -> pd.DataFrame:
        """JDL headline and secondary measures with confidence intervals on the difference.

        Rows: ``binary_rate`` (mean of ``binary``) and ``frequency`` (mean of
        ``frequency``) over everyone (headline); ``frequency_reoffenders`` and
        ``days_to_first_reoffence`` (mean of ``days``) among reoffenders only
        (secondary). JDL rules: fewer than ``min_treated`` matched treated →
        :class:`PbrError`; fewer than ``min_reoffenders`` treated reoffenders →
        the secondary rows are present with ``reported=False``, NaN statistics
        and a note.

        Parameters
        ----------
        binary : str
            0/1 reoffender column.
        frequency : str or None
            Reoffence count column.
        days : str or None
            Days from index date to first reoffence (may be missing for
            non-reoffenders, not for reoffenders).
        se : {"auto", "cluster", "robust", "welch"}
            Standard errors (see :meth:`outcomes`).
        alpha : float
            1 − confidence level.
        min_treated, min_reoffenders : int
            JDL reporting thresholds (60 and 30).

        Returns
        -------
        pandas.DataFrame
            Columns of :meth:`outcomes` plus ``level``, ``reported`` and ``note``.

        Examples
        --------
        >>> from pbr.matching import match
        >>> m = match(example_data(), treatment="t", covariates=["x"], replace=True)
        >>> m.estimate(days="days")["measure"].tolist()
        ['binary_rate', 'frequency', 'frequency_reoffenders', 'days_to_first_reoffence']
        """
        self._check_jdl(min_treated)
        method = self._se(se)
        b = self._column(binary)
        if not np.isin(b, [0.0, 1.0]).all():
            raise PbrError(f"binary outcome column {binary!r} must be 0/1 or boolean")
        every = np.ones(len(b), dtype=bool)
        reoff = b == 1
        n_reoff = int((reoff & self.matched["treated"].to_numpy(dtype=bool)).sum())
        rows: list[dict[str, Any]] = []

        def add(name: str, level: str, y: FloatArray, sel: npt.NDArray[np.bool_]) -> None:
            r = self._diff(y, sel, method, alpha)
            rows.append({"measure": name, "level": level, **r, "reported": True, "note": ""})

        def skip(name: str) -> None:
            r = self._diff(np.zeros(len(b)), every, "welch", alpha)
            r = {k: (np.nan if isinstance(v, float) else v) for k, v in r.items()}
            r["se_method"] = method
            note = f"not reported: {n_reoff} treated reoffenders < {min_reoffenders} (JDL rule)"
            rows.append(
                {"measure": name, "level": "secondary", **r, "reported": False, "note": note}
            )

        add("binary_rate", "headline", b, every)
        if frequency is not None:
            f = self._column(frequency)
            add("frequency", "headline", f, every)
            if n_reoff >= min_reoffenders:
                add("frequency_reoffenders", "secondary", f, reoff)
            else:
                skip("frequency_reoffenders")
        if days is not None:
            d = self._column(days, missing_allowed=True)
            if np.isnan(d[reoff]).any():
                raise PbrError(f"column {days!r} is missing for some reoffenders")
            if n_reoff >= min_reoffenders:
                add("days_to_first_reoffence", "secondary", d, reoff)
            else:
                skip("days_to_first_reoffence")
        out = pd.DataFrame(rows)
        out["significant"] = (out["p_value"] < alpha) & out["reported"]
        return out

    def summary(self) -> Summary:
        """The match in figures, with the balance of every covariate level (a Summary).

        Examples
        --------
        >>> from pbr.matching import match
        >>> s = match(example_data(), treatment="t", covariates=["x"]).summary()
        >>> "matched treated" in s.figures, "smd_after_pct" in s.frame.columns
        (True, True)
        """
        o = self.options
        c = self.matched[~self.matched["treated"]]
        n_eff = effective_n(c["weight"].to_numpy(dtype=float))
        after = self.balance["smd_after_pct"].abs().max()
        cal = (
            "no caliper"
            if not np.isfinite(self.caliper_width)
            else f"caliper {o.get('caliper')}{' SD' if o.get('std_caliper') else ''} = "
            f"{self.caliper_width:.4g} in distance units"
        )
        unmatched = "treated" if o.get("estimand") == "ATT" else "comparison"
        denom = f"{o.get('s_d_denom')} group{'s' if o.get('s_d_denom') == 'pooled' else ''}"
        return Summary(
            f"Nearest-neighbour matching ({o.get('estimand')}, distance {o.get('distance')}, "
            f"order {o.get('m_order')}, 1:{o.get('ratio')} "
            f"{'with' if o.get('replace') else 'without'} replacement, {cal})",
            self.balance,
            figures={
                "treated": f"{self.n_treated}",
                "comparison pool": f"{self.n_pool}",
                "matched treated": f"{self.n_matched_treated}",
                f"unmatched {unmatched}": f"{len(self.unmatched)}",
                "comparison people used": f"{len(c)} (effective n {n_eff:.1f})",
                "max |SMD| after matching": f"{after:.2f} % (SD of the {denom}, before matching)",
            },
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Love plot of :attr:`balance` (:func:`pbr.matching.love_plot`); returns the Axes.

        Examples
        --------
        >>> from pbr.matching import match
        >>> ax = match(example_data(), treatment="t", covariates=["x"]).plot()
        >>> ax.get_xlabel()
        '|standardised mean difference| (%)'
        """
        from pbr.matching.plot import love_plot

        return love_plot(self.balance, ax, **kwargs)
