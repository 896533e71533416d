"""The backtest: cut final cohorts' data at earlier extract dates, project, compare with the truth.

For every final quarter *Q* outside the reference and every cut-off *c* (months
after the end of *Q*), the extract date is ``X = add_months(end of Q, c)``
(:func:`pbr.dates.add_months`): the data as they stood then are the offences
disposed of by *X*, so a member counts as a reoffender exactly when its proof
time ``D <= X − d`` (:mod:`pbr.forecast.exposure`). The projection from those
data is compared with the true final rate of each lot-period: bias (projected −
final), its standard error (with the covariance the lot-periods' errors share
through the reference curves and the common shift, from the replicates), RMSE
and the share of lot-periods whose 80 % and 95 % intervals cover the final rate.
Only quarters whose reference cohorts are all final by *X* are used, so nothing
is learnt from the future.

Examples
--------
>>> from pbr.forecast._examples import example_data
>>> s = example_data(3)
>>> bt = backtest(s.cohort, s.offences, extract_date=s.extract_date, cutoffs=(6,), draws=50)
>>> bt.table[["cutoff_months", "lot_periods"]].to_numpy().tolist()
[[6, 10]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr._progress import track
from pbr.dates import add_months, as_days
from pbr.errors import PbrError
from pbr.forecast._checks import check_run_arguments
from pbr.forecast.exposure import exposure, first_proof, proof_pairs
from pbr.forecast.members import build_inputs, reference_periods
from pbr.forecast.project import project
from pbr.forecast.result import Backtest, interval_columns
from pbr.io import checked_tables
from pbr.periods import period_bounds
from pbr.rulesets import rule_set

__all__ = ["CUTOFFS", "backtest"]

#: Default cut-offs: months after the end of the quarter.
CUTOFFS: tuple[int, ...] = (3, 6, 9, 12, 15)


def _bias_se(err: npt.NDArray[np.float64], rates: npt.NDArray[np.float64]) -> float:
    """Standard error of the mean error, with the covariance the lot-periods share.

    ``sqrt(s² / k + C)``: ``s²`` the variance of the *k* errors, and ``C`` the
    covariance part of the predictive variance of their mean — the variance over
    replicates of the mean projected rate less the mean of the per-group variances
    over *k*, floored at 0. The lot-periods share the reference curves and the
    common shift, so their errors are correlated and ``s / √k`` alone is too small.
    """
    k = len(err)
    common = float(np.var(rates.mean(axis=1), ddof=1) - np.var(rates, axis=0, ddof=1).sum() / k**2)
    return float(np.sqrt(np.var(err, ddof=1) / k + max(common, 0.0)))


def backtest(
    cohort: Any,
    offences: pd.DataFrame,
    *,
    extract_date: Any,
    cutoffs: Sequence[int] = CUTOFFS,
    reference: Sequence[str] | str | None = None,
    baseline_year: int = 2011,
    rules: str = "moj_proven",
    strata: int = 5,
    draws: int = 500,
    seed: int = 0,
    validate: bool = True,
    progress: bool | None = None,
) -> Backtest:
    """Backtest the forecast on the final cohorts of a data set.

    Parameters
    ----------
    cohort, offences : pandas.DataFrame
        The complete data (as for :func:`pbr.compute_measures`).
    extract_date : date-like
        Extract date of the complete data; its final quarters are backtested.
    cutoffs : sequence of int
        Months after each quarter's end at which the data are cut.
    reference, baseline_year, rules, strata, draws, seed, validate
        As for :func:`pbr.forecast.forecast`.
    progress : bool or None
        A bar over the cut-offs (:mod:`pbr._progress`; default: terminal or notebook only).

    Returns
    -------
    Backtest

    Examples
    --------
    >>> from pbr.forecast._examples import example_data
    >>> s = example_data(3)
    >>> bt = backtest(s.cohort, s.offences, extract_date=s.extract_date, cutoffs=(9,), draws=30)
    >>> bt.reference, int(bt.table.loc[0, "lot_periods"])
    (('2011Q1', '2011Q2', '2011Q3', '2011Q4'), 10)
    """
    from pbr.measures import compute_measures

    check_run_arguments("backtest", offences, draws=draws, strata=strata, seed=seed)
    cohort, offences = checked_tables(
        cohort, offences, extract_date=extract_date, validate=validate
    )
    if not cutoffs or any(isinstance(c, bool) or int(c) < 0 for c in cutoffs):
        raise PbrError(f"backtest: cutoffs must be whole months >= 0, not {list(cutoffs)!r}")
    m = compute_measures(cohort, offences, extract_date=extract_date, rules=rules, validate=False)
    members = m.members.reset_index(drop=True)
    ref_periods = reference_periods(m.table, reference, baseline_year=baseline_year)
    t = m.table
    final = t[(t["status"] == "final") & ~t["period"].astype(str).isin(ref_periods)]
    groups = final[["lot", "period"]].astype(str).reset_index(drop=True)
    if groups.empty:
        raise PbrError("backtest: no final quarter outside the reference to test")
    pair_m, pair_lag = proof_pairs(members, offences, rules=rules)
    proof = first_proof(len(members), pair_m, pair_lag)
    d = as_days(members["index_date"]).astype(np.int64)
    period = members["period"].astype(str).to_numpy(dtype=object)
    is_ref = np.isin(period, np.array(ref_periods, dtype=object))
    ref_end = int((d[is_ref] + exposure(d[is_ref], proof[is_ref], 0).window).max())
    ends = {p: int(period_bounds(p)[1].astype(np.int64)) for p in groups["period"].unique()}
    truth = np.bincount(
        groups.set_index(["lot", "period"]).index.get_indexer(
            pd.MultiIndex.from_arrays([members["lot"].astype(str), period])
        )
        + 1,
        weights=proof >= 0,
        minlength=len(groups) + 1,
    )[1:]
    with_r = rule_set(rules).unit == "offence"  # R counts offences here, not appearances
    ref_pos = np.cumsum(is_ref) - 1
    in_ref = is_ref[pair_m]
    ref_pairs = (ref_pos[pair_m[in_ref]], pair_lag[in_ref])
    r_member = np.bincount(pair_m, minlength=len(members)).astype(np.float64)
    rows = []
    details = []
    for c in track(cutoffs, progress=progress, desc="backtest cut-offs", unit="cut-off"):
        cut = {
            p: int(add_months(np.array([e], "datetime64[D]"), int(c))[0].astype(np.int64))
            for p, e in ends.items()
        }
        usable = [p for p, x in cut.items() if x >= ref_end]
        g = groups[groups["period"].isin(usable)].reset_index(drop=True)
        if g.empty:
            continue
        ext = np.array([cut.get(p, ref_end) for p in period], dtype=np.int64)
        ext[is_ref] = max(cut.values())
        x = exposure(d, proof, ext)
        ref, tgt, s, is_tgt = build_inputs(
            members,
            g,
            ref_periods,
            proof[is_ref],
            x.elapsed,
            x.window,
            x.observed,
            n_strata=strata,
        )
        r_obs = None
        if with_r:
            seen = pair_lag <= x.elapsed[pair_m]
            r_now = np.bincount(pair_m[seen], minlength=len(members)).astype(np.float64)
            r_obs = np.bincount(tgt.group, weights=r_now[is_tgt], minlength=len(g)).astype(float)
        dr = project(
            ref,
            tgt,
            n_strata=s,
            draws=draws,
            seed=seed + int(c),
            ref_pairs=ref_pairs if with_r else None,
            observed_reoffences=r_obs,
        )
        idx = groups.set_index(["lot", "period"]).index.get_indexer(
            pd.MultiIndex.from_arrays([g["lot"], g["period"]])
        )
        true_o = truth[idx]
        r_proj = np.full(len(g), np.nan)
        r_final = np.full(len(g), np.nan)
        if dr.reoffences is not None:
            r_final = np.bincount(tgt.group, weights=r_member[is_tgt], minlength=len(g))
            r_proj = dr.reoffences.mean(axis=0)
        n = dr.size.astype(np.float64)
        proj = dr.final.mean(axis=0) / n
        iv = interval_columns(dr.final, dr.size)
        err = proj - true_o / n
        cov80 = (iv["low80"] <= true_o / n + 1e-12) & (true_o / n <= iv["high80"] + 1e-12)
        cov95 = (iv["low95"] <= true_o / n + 1e-12) & (true_o / n <= iv["high95"] + 1e-12)
        det = g.assign(
            cutoff_months=int(c),
            extract_date=[str(np.datetime64(cut[p], "D")) for p in g["period"]],
            cohort_size=dr.size,
            observed_reoffenders=dr.observed,
            open_members=dr.open_members,
            projected_rate=proj,
            final_rate=true_o / n,
            error=err,
            low80=iv["low80"],
            high80=iv["high80"],
            low95=iv["low95"],
            high95=iv["high95"],
            covered80=cov80,
            covered95=cov95,
            projected_reoffences=r_proj,
            final_reoffences=r_final,
        )
        details.append(det)
        k = len(g)
        rows.append(
            {
                "cutoff_months": int(c),
                "lot_periods": k,
                "bias_pp": 100 * float(err.mean()),
                "bias_se_pp": 100 * _bias_se(err, dr.final / n) if k > 1 else np.nan,
                "rmse_pp": 100 * float(np.sqrt((err**2).mean())),
                "coverage80": float(cov80.mean()),
                "coverage95": float(cov95.mean()),
                "mean_width95_pp": 100 * float((iv["high95"] - iv["low95"]).mean()),
                "reoffences_bias_pct": 100 * float(np.mean(r_proj / r_final - 1))
                if with_r
                else np.nan,
            }
        )
    table = pd.DataFrame(rows)
    detail = pd.concat(details, ignore_index=True) if details else pd.DataFrame()
    return Backtest(
        table=table,
        details=detail,
        reference=tuple(ref_periods),
        draws=int(draws),
        seed=int(seed),
    )
