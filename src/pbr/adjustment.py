"""Offender-mix adjustment and significance tests on aggregate counts.

Conventions: docs/methodology.md#adjustment.

These functions work on **aggregate** columns, so the same code serves
microdata (after a risk model has produced each person's probability
``p_i``) and published tables that hold only counts and expected counts.

Binary measure, for a cohort of ``N`` people with ``O`` observed reoffenders,
``E = Σ p_i`` expected reoffenders and ``V = Σ p_i (1 − p_i)``::

    expected_rate  = E / N
    adjusted_rate  = baseline_binary + (O − E) / N          (form="difference", default)
                   = baseline_binary × O / E                (form="ratio")
    change_pp      = 100 × (O − E) / N
    z              = (O − E) / sqrt(V)
    p_value        = 2 × (1 − Φ(|z|))                       (two-sided)
    outcome        = significant_reduction   if p_value < α and O < E
                     significant_increase    if p_value < α and O > E
                     no_significant_change   otherwise

When only ``N`` and ``E`` are known (a published table), ``V`` is taken as
``N · e (1 − e)`` with ``e = E / N`` — an upper bound on ``Σ p_i(1 − p_i)``,
so the test is conservative; the column ``variance_method`` says which was used.

Frequency measure (reoffences per reoffender), compared unadjusted with the
baseline by Welch's t-test from summary statistics of the per-reoffender
counts (performance reoffenders vs baseline reoffenders)::

    frequency_change = reoffences_per_reoffender − baseline_frequency
    t = frequency_change / sqrt(s1²/n1 + s2²/n2),  Welch–Satterthwaite df

Examples
--------
>>> import numpy as np
>>> from pbr.adjustment import binary_test
>>> t = binary_test(observed=[450], expected=[500.0], variance=[250.0], cohort_size=[1000],
...                 baseline_binary=[0.5])
>>> float(t["change_pp"].iloc[0]), round(float(t["z"].iloc[0]), 4), t["outcome"].iloc[0]
(-5.0, -3.1623, 'significant_reduction')
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr.errors import PbrError

__all__ = [
    "OUTCOMES",
    "binary_test",
    "classify",
    "frequency_test",
]

OUTCOMES = ("significant_reduction", "no_significant_change", "significant_increase")

Form = Literal["difference", "ratio"]


def _arr(x: Any) -> npt.NDArray[np.float64]:
    return np.asarray(
        pd.to_numeric(pd.Series(np.asarray(x, dtype=object)), errors="raise"), dtype=float
    )


def _check_rows(*checks: tuple[str, Any, Any, str]) -> None:
    """Raise naming the first failing rows (1-based) of each ``(name, values, bad, rule)``."""
    for name, values, bad, rule in checks:
        if bad is None or not bad.any():
            continue
        rows = np.flatnonzero(bad)
        shown = ", ".join(f"row {i + 1} ({float(values[i])!r})" for i in rows[:10])
        raise PbrError(f"{name} must be {rule} (NaN is not allowed): {shown}")


def classify(p_value: Any, direction: Any, *, alpha: float = 0.05) -> npt.NDArray[np.str_]:
    """Three-way outcome from a two-sided p-value and the sign of ``O − E``.

    Parameters
    ----------
    p_value : array-like of float
    direction : array-like of float
        ``O − E`` (negative = fewer reoffenders than expected).
    alpha : float
        Two-sided significance level; significant when ``p_value < alpha``.

    Returns
    -------
    numpy.ndarray of str
        One of :data:`OUTCOMES` per element; NaN p-values give
        ``no_significant_change``.

    Examples
    --------
    >>> classify([0.01, 0.01, 0.2], [-3, 4, -9]).tolist()
    ['significant_reduction', 'significant_increase', 'no_significant_change']
    """
    if not 0 < alpha < 1:
        raise PbrError(f"alpha must be between 0 and 1, got {alpha}")
    p = _arr(p_value)
    d = _arr(direction)
    sig = p < alpha  # NaN compares False
    out = np.full(p.shape, OUTCOMES[1], dtype=object)
    out[sig & (d < 0)] = OUTCOMES[0]
    out[sig & (d > 0)] = OUTCOMES[2]
    result: npt.NDArray[np.str_] = out.astype(str)
    return result


def binary_test(
    observed: Any,
    expected: Any,
    cohort_size: Any,
    baseline_binary: Any,
    *,
    variance: Any = None,
    alpha: float = 0.05,
    form: Form = "difference",
) -> pd.DataFrame:
    """Adjusted binary rate, change against the baseline, and its z-test.

    Parameters
    ----------
    observed : array-like of int
        ``O``, observed reoffenders.
    expected : array-like of float
        ``E = Σ p_i``, expected reoffenders under baseline performance.
    cohort_size : array-like of int
        ``N``, the measurable cohort.
    baseline_binary : array-like of float
        The baseline binary rate the cohort is compared with.
    variance : array-like of float, optional
        ``V = Σ p_i (1 − p_i)``. If omitted, ``N · e(1 − e)`` with ``e = E/N``
        (conservative; see module notes).
    alpha : float, default 0.05
        Two-sided significance level.
    form : {"difference", "ratio"}
        Adjusted-rate form: ``baseline + (O − E)/N`` or ``baseline × O/E``.

    Returns
    -------
    pandas.DataFrame
        Columns ``expected_rate, adjusted_rate, change_pp, z, p_value, outcome,
        variance, variance_method``. Where ``N = 0`` or ``V = 0`` the statistics
        are NaN and the outcome is ``no_significant_change``.

    Raises
    ------
    PbrError
        An input that is missing (NaN) or impossible (``O`` outside ``0 … N``,
        ``E`` outside ``0 … N``, a baseline rate outside ``[0, 1]``, a negative
        ``N`` or ``V``), naming the rows. Only an empty cohort (``N = 0``) may
        leave ``O``, ``E``, the baseline rate and ``V`` blank.

    Examples
    --------
    >>> t = binary_test([55], [50.0], [100], [0.5], variance=[25.0])
    >>> float(t["adjusted_rate"].iloc[0]), float(t["z"].iloc[0])
    (0.55, 1.0)
    >>> binary_test([55], [50.0], [100], [0.5], form="ratio")["adjusted_rate"].round(3).tolist()
    [0.55]
    """
    from scipy import stats

    if form not in ("difference", "ratio"):
        raise PbrError(f"form must be 'difference' or 'ratio', got {form!r}")
    o = _arr(observed)
    e = _arr(expected)
    n = _arr(cohort_size)
    b = _arr(baseline_binary)
    if not (o.shape == e.shape == n.shape == b.shape):
        raise PbrError(
            "observed, expected, cohort_size and baseline_binary must have equal lengths"
        )
    v = None if variance is None else _arr(variance)
    if v is not None and v.shape != o.shape:
        raise PbrError("variance must have the same length as observed")
    slack = 1e-9 * (np.abs(n) + 1)  # E = Σ p_i may exceed N by rounding only
    empty = n == 0  # an empty cohort may leave its other figures blank (NaN statistics)

    def bad(x: npt.NDArray[np.float64], ok: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        out: npt.NDArray[np.bool_] = ~ok & ~(empty & np.isnan(x))
        return out

    _check_rows(
        ("cohort_size", n, ~(n >= 0), "a count >= 0"),
        ("observed", o, bad(o, (o >= 0) & (o <= n)), "between 0 and cohort_size"),
        ("expected", e, bad(e, (e >= 0) & (e <= n + slack)), "between 0 and cohort_size"),
        ("baseline_binary", b, bad(b, (b >= 0) & (b <= 1)), "a rate between 0 and 1"),
        ("variance", v, None if v is None else bad(v, v >= 0), "a variance >= 0"),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_e = np.where(n > 0, e / np.where(n > 0, n, 1), np.nan)
        if v is None:
            v = n * rate_e * (1 - rate_e)
            method = "binomial_approximation"
        else:
            method = "sum_p_1_minus_p"
        if form == "difference":
            adjusted = np.where(n > 0, b + (o - e) / np.where(n > 0, n, 1), np.nan)
        else:
            adjusted = np.where(e > 0, b * o / np.where(e > 0, e, 1), np.nan)
        change = np.where(n > 0, 100.0 * (o - e) / np.where(n > 0, n, 1), np.nan)
        z = np.where(v > 0, (o - e) / np.sqrt(np.where(v > 0, v, 1)), np.nan)
    p = 2.0 * stats.norm.sf(np.abs(z))
    return pd.DataFrame(
        {
            "expected_rate": rate_e,
            "adjusted_rate": adjusted,
            "change_pp": change,
            "z": z,
            "p_value": p,
            "outcome": classify(p, o - e, alpha=alpha),
            "variance": v,
            "variance_method": method,
        }
    )


def frequency_test(
    frequency: Any,
    frequency_sd: Any,
    reoffenders: Any,
    baseline_frequency: Any,
    baseline_frequency_sd: Any,
    baseline_reoffenders: Any,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Frequency change against the baseline with Welch's t-test from summary stats.

    Parameters
    ----------
    frequency, frequency_sd, reoffenders : array-like
        Mean, sample standard deviation (ddof=1) and number of the performance
        cohort's per-reoffender reoffence counts.
    baseline_frequency, baseline_frequency_sd, baseline_reoffenders : array-like
        The same for the baseline cohort.
    alpha : float
        Two-sided significance level.

    Returns
    -------
    pandas.DataFrame
        Columns ``frequency_change, frequency_t, frequency_df, frequency_p_value,
        frequency_outcome``; NaN statistics where either group has fewer than two
        reoffenders or both variances are zero.

    Examples
    --------
    >>> t = frequency_test([4.0], [2.0], [100], [4.5], [2.0], [400])
    >>> float(t["frequency_change"].iloc[0]), round(float(t["frequency_t"].iloc[0]), 3)
    (-0.5, -2.236)
    """
    from scipy import stats

    m1, s1, n1 = _arr(frequency), _arr(frequency_sd), _arr(reoffenders)
    m2, s2, n2 = _arr(baseline_frequency), _arr(baseline_frequency_sd), _arr(baseline_reoffenders)
    ok = (n1 >= 2) & (n2 >= 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(ok, s1**2 / np.where(ok, n1, 1), np.nan)
        c = np.where(ok, s2**2 / np.where(ok, n2, 1), np.nan)
        se = np.sqrt(a + c)
        t = np.where(se > 0, (m1 - m2) / np.where(se > 0, se, 1), np.nan)
        df = (a + c) ** 2 / (a**2 / (n1 - 1) + c**2 / (n2 - 1))
    p = 2.0 * stats.t.sf(np.abs(t), df)
    return pd.DataFrame(
        {
            "frequency_change": m1 - m2,
            "frequency_t": t,
            "frequency_df": df,
            "frequency_p_value": p,
            "frequency_outcome": classify(p, m1 - m2, alpha=alpha),
        }
    )
