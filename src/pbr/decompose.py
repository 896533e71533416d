"""Decomposition of a change in the binary rate into offender mix and performance.

Risk-model decomposition (:func:`decompose_change`), per lot × period, with
``N`` cohort size, ``O`` observed and ``E = Σ p_i`` expected reoffenders
(baseline risk model) and ``b`` the baseline rate::

    total       = O/N − b
                = (E/N − b)          mix: what the baseline would have done with this cohort
                + (O/N − E/N)        performance: observed against expected

Stratified two-factor decomposition (:func:`decompose_strata`; Kitagawa 1955,
the symmetric two-factor case of Das Gupta 1993). With stratum shares
``w_s = N_s / N`` and stratum rates ``r_s = O_s / N_s`` in the baseline (1)
and performance (2) cohorts, ``R = Σ_s w_s r_s`` and::

    R2 − R1 = Σ_s (w2_s − w1_s)(r1_s + r2_s)/2      mix (composition)
            + Σ_s (r2_s − r1_s)(w1_s + w2_s)/2      performance (rate)

which is an algebraic identity per stratum. A
stratum absent from one cohort has no rate there; its rate is then taken as
the other cohort's rate, so it contributes through mix only (a stratum with
nobody in either cohort contributes nothing). The stratified
sums are computed with :class:`fractions.Fraction` from the integer counts.

**Exact additivity in floating point.** Every reported part (in percentage
points) is rounded once to the dyadic grid ``2**-44`` (≈ 5.7e-14 points), on
which sums of the sizes involved are exact in double precision. Then
``mix_pp + performance_pp == total_pp`` holds with ``==``, row by row, and the
strata rows add up to the ``TOTAL`` row exactly. The rounding moves no figure by
more than 2.9e-14 points (the ``TOTAL`` total by at most that per stratum).

Strata are any column: offence group, risk deciles (e.g. ``pd.cut`` of the
predicted probability at the baseline's deciles), age band × sex.

Examples
--------
>>> import pandas as pd
>>> from pbr.decompose import decompose_change
>>> t = pd.DataFrame({"lot": ["A"], "period": ["2015Q4"], "cohort_size": [1000],
...                   "reoffenders": [430], "expected_reoffenders": [480.0],
...                   "baseline_binary": [0.45]})
>>> d = decompose_change(t).table.iloc[0]
>>> [round(float(d[k]), 6) for k in ("total_pp", "mix_pp", "performance_pp")]
[-2.0, 3.0, -5.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pbr.errors import PbrError
from pbr.results import Result, Summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["Decomposition", "decompose_change", "decompose_strata"]


@dataclass(frozen=True, eq=False)
class Decomposition(Result):
    """A rate change split into ``mix`` and ``performance`` parts.

    Attributes
    ----------
    table : pandas.DataFrame
        :func:`decompose_change`: one row per lot × period with
        ``total_pp, mix_pp, performance_pp`` (percentage points) and the rates;
        :func:`decompose_strata`: one row per stratum with its contributions
        (``mix_pp, performance_pp``) and shares/rates, plus a final ``TOTAL`` row.
    kind : str
        ``"risk_model"`` or ``"strata"``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"cohort_size": [100], "reoffenders": [40],
    ...                   "expected_reoffenders": [45.0], "baseline_binary": [0.5]})
    >>> decompose_change(t).kind
    'risk_model'
    """

    table: pd.DataFrame
    kind: str

    def summary(self) -> Summary:
        """Totals: ``total_pp, mix_pp, performance_pp`` (per row, or the TOTAL row).

        Examples
        --------
        >>> d = decompose_change(_example_table())
        >>> d.summary().frame.round(6).to_numpy().tolist()
        [[-10.0, -5.0, -5.0]]
        """
        cols = ["total_pp", "mix_pp", "performance_pp"]
        if self.kind == "strata":
            frame = self.table[self.table["stratum"] == "TOTAL"][cols].reset_index(drop=True)
        else:
            frame = self.table[cols].reset_index(drop=True)
        return Summary(
            f"Decomposition of the change in the binary rate ({self.kind})",
            frame,
            notes=["percentage points: total = offender mix + performance"],
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Mix and performance bars with the total marked (see :mod:`pbr.report.result_plots`).

        Examples
        --------
        >>> d = decompose_change(_example_table())
        >>> d.plot().get_ylabel()
        'percentage points'
        """
        from pbr.report.result_plots import plot_decomposition

        return plot_decomposition(self.table, ax=ax)


def _example_table() -> pd.DataFrame:
    """N = 100, O = 40, E = 45 against a baseline rate of 0.5 (docstring examples)."""
    return pd.DataFrame(
        {
            "cohort_size": [100],
            "reoffenders": [40],
            "expected_reoffenders": [45.0],
            "baseline_binary": [0.5],
        }
    )


def _col(t: pd.DataFrame, name: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    if name not in t.columns:
        raise PbrError(f"table lacks column {name!r}")
    v = pd.to_numeric(t[name], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(v)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise PbrError(f"column {name!r} has a missing or non-numeric value at row {i}")
    return v


def decompose_change(table: pd.DataFrame) -> Decomposition:
    """Split ``O/N − baseline`` into mix ``(E/N − b)`` and performance ``(O − E)/N``.

    Parameters
    ----------
    table : pandas.DataFrame
        An assessment table (``pbr.baseline.compare_to_baseline(...).table``)
        or any table with ``cohort_size, reoffenders, expected_reoffenders,
        baseline_binary`` (``lot``/``period`` kept when present).

    Returns
    -------
    Decomposition
        Table columns: ``[lot, period,] cohort_size, observed_rate,
        expected_rate, baseline_rate, total_pp, mix_pp, performance_pp``;
        ``mix_pp + performance_pp == total_pp`` exactly (see the module notes).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"cohort_size": [200], "reoffenders": [80],
    ...                   "expected_reoffenders": [90.0], "baseline_binary": [0.42]})
    >>> decompose_change(t).table[["mix_pp", "performance_pp"]].round(6).to_numpy().tolist()
    [[3.0, -5.0]]
    """
    if not isinstance(table, pd.DataFrame):
        raise PbrError("table must be a pandas DataFrame")
    n = _col(table, "cohort_size")
    o = _col(table, "reoffenders")
    e = _col(table, "expected_reoffenders")
    b = _col(table, "baseline_binary")
    for name, values, bad, rule in (
        ("cohort_size", n, n <= 0, "positive"),
        ("reoffenders", o, (o < 0) | (o > n), "between 0 and cohort_size"),
        ("expected_reoffenders", e, (e < 0) | (e > n * (1 + 1e-9)), "between 0 and cohort_size"),
        ("baseline_binary", b, (b < 0) | (b > 1), "between 0 and 1"),
    ):
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise PbrError(f"{name} must be {rule}; row {i} has {values[i]}")
    observed, expected = o / n, e / n
    total = _on_grid(100 * (observed - b))
    mix = _on_grid(100 * (expected - b))
    out = table[[c for c in ("lot", "period") if c in table.columns]].copy()
    out["cohort_size"] = n
    out["observed_rate"] = observed
    out["expected_rate"] = expected
    out["baseline_rate"] = b
    out["total_pp"] = total
    out["mix_pp"] = mix
    # = 100 (O − E)/N; both operands lie on the grid, so the difference is exact
    # and mix + performance == total holds in floating point
    out["performance_pp"] = total - mix
    return Decomposition(table=out.reset_index(drop=True), kind="risk_model")


#: Reported parts lie on this dyadic grid (percentage points), where the sums are exact.
_GRID_SCALE = 2.0**44


def _on_grid(x: Any) -> Any:
    """Round float percentage points to the nearest multiple of ``2**-44``."""
    return np.round(np.asarray(x, dtype=float) * _GRID_SCALE) / _GRID_SCALE


def _fraction_on_grid(x: Fraction) -> float:
    """Round an exact rational to the nearest multiple of ``2**-44`` (as a float)."""
    return round(x * int(_GRID_SCALE)) / _GRID_SCALE


def _counts(df: pd.DataFrame, by: str, outcome: str, what: str) -> pd.DataFrame:
    if by not in df.columns:
        raise PbrError(f"{what} table lacks the strata column {by!r}")
    if df[by].isna().any():
        i = int(np.flatnonzero(df[by].isna().to_numpy())[0])
        raise PbrError(f"{what} table: strata column {by!r} is missing at row {i}")
    if "cohort_size" in df.columns and "reoffenders" in df.columns:
        if outcome in df.columns:
            raise PbrError(
                f"{what} table has both aggregate counts (cohort_size, reoffenders) and the "
                f"microdata outcome {outcome!r}: ambiguous, drop one of them"
            )
        agg = df[[by, "cohort_size", "reoffenders"]].copy()
    else:
        if outcome not in df.columns:
            raise PbrError(
                f"{what} table needs {outcome!r} (microdata) or cohort_size and reoffenders"
            )
        y = pd.to_numeric(df[outcome].astype("float64"), errors="coerce")
        if y.isna().any() or not y.isin([0.0, 1.0]).all():
            raise PbrError(f"{what} table: {outcome!r} must be 0/1 or boolean without gaps")
        agg = pd.DataFrame({by: df[by].to_numpy(), "cohort_size": 1, "reoffenders": y.to_numpy()})
    agg[by] = agg[by].astype(str)
    g = agg.groupby(by, sort=True)[["cohort_size", "reoffenders"]].sum()
    vals = g.to_numpy(dtype=float)
    if not np.all(vals == np.floor(vals)) or (vals < 0).any():
        raise PbrError(f"{what} table: counts must be non-negative whole numbers")
    if (g["reoffenders"] > g["cohort_size"]).any():
        raise PbrError(f"{what} table: reoffenders exceed cohort_size in a stratum")
    return g.astype(np.int64)


def decompose_strata(
    baseline: pd.DataFrame,
    performance: pd.DataFrame,
    *,
    by: str,
    outcome: str = "reoffender",
) -> Decomposition:
    """Symmetric two-factor (Kitagawa / Das Gupta) decomposition over strata.

    Parameters
    ----------
    baseline, performance : pandas.DataFrame
        Either microdata (one row per person with the ``by`` and ``outcome``
        columns) or aggregate rows with ``by, cohort_size, reoffenders`` (a
        table with both is ambiguous: an error).
    by : str
        The strata column (offence group, risk decile, ...).
    outcome : str
        0/1 reoffender column for microdata.

    Returns
    -------
    Decomposition
        One row per stratum (sorted) and a ``TOTAL`` row: ``stratum,
        share_baseline, share_performance, rate_baseline, rate_performance,
        mix_pp, performance_pp, total_pp``.

    Examples
    --------
    >>> import pandas as pd
    >>> base = pd.DataFrame({"g": ["lo", "hi"], "cohort_size": [50, 50], "reoffenders": [10, 30]})
    >>> perf = pd.DataFrame({"g": ["lo", "hi"], "cohort_size": [25, 75], "reoffenders": [5, 45]})
    >>> d = decompose_strata(base, perf, by="g").summary().frame.iloc[0]
    >>> [round(float(d[k]), 6) for k in ("total_pp", "mix_pp", "performance_pp")]
    [10.0, 10.0, 0.0]
    """
    g1 = _counts(baseline, by, outcome, "baseline")
    g2 = _counts(performance, by, outcome, "performance")
    n1_tot, n2_tot = int(g1["cohort_size"].sum()), int(g2["cohort_size"].sum())
    if n1_tot == 0 or n2_tot == 0:
        raise PbrError("both cohorts need at least one person")
    strata = sorted(set(g1.index) | set(g2.index))
    if "TOTAL" in strata:
        raise PbrError(
            f"strata column {by!r} has a stratum named 'TOTAL', which is the name of the "
            "totals row; rename it"
        )
    rows = []
    tot_mix = tot_perf = Fraction(0)
    sum_mix = sum_perf = 0.0  # sums of grid values: exact in floating point
    for s in strata:  # loop over strata (few), exact rational arithmetic
        n1 = int(g1["cohort_size"].get(s, 0))
        o1 = int(g1["reoffenders"].get(s, 0))
        n2 = int(g2["cohort_size"].get(s, 0))
        o2 = int(g2["reoffenders"].get(s, 0))
        w1, w2 = Fraction(n1, n1_tot), Fraction(n2, n2_tot)
        # a stratum absent from one cohort takes the other's rate (mix only); one with
        # nobody in either cohort (an aggregate row of size 0) has shares 0 and adds nothing
        r1 = Fraction(o1, n1) if n1 else (Fraction(o2, n2) if n2 else Fraction(0))
        r2 = Fraction(o2, n2) if n2 else r1
        mix = (w2 - w1) * (r1 + r2) / 2
        perf = (r2 - r1) * (w1 + w2) / 2
        tot_mix += mix
        tot_perf += perf
        mix_pp, perf_pp = _fraction_on_grid(100 * mix), _fraction_on_grid(100 * perf)
        sum_mix += mix_pp
        sum_perf += perf_pp
        rows.append(
            {
                "stratum": s,
                "share_baseline": float(w1),
                "share_performance": float(w2),
                "rate_baseline": float(Fraction(o1, n1)) if n1 else np.nan,
                "rate_performance": float(Fraction(o2, n2)) if n2 else np.nan,
                "mix_pp": mix_pp,
                "performance_pp": perf_pp,
                "total_pp": mix_pp + perf_pp,
            }
        )
    r1_all = Fraction(int(g1["reoffenders"].sum()), n1_tot)
    r2_all = Fraction(int(g2["reoffenders"].sum()), n2_tot)
    if tot_mix + tot_perf != r2_all - r1_all:  # pragma: no cover - algebraic identity
        raise PbrError("internal error: decomposition does not add up")
    rows.append(
        {
            "stratum": "TOTAL",
            "share_baseline": 1.0,
            "share_performance": 1.0,
            "rate_baseline": float(r1_all),
            "rate_performance": float(r2_all),
            "mix_pp": sum_mix,
            "performance_pp": sum_perf,
            "total_pp": sum_mix + sum_perf,
        }
    )
    return Decomposition(table=pd.DataFrame(rows), kind="strata")
