"""``forecast()``: project every lot-period of a cohort to its final measures and payment.

Examples
--------
>>> from pbr.forecast._examples import example_data
>>> s = example_data(5)
>>> f = forecast(s.cohort, s.offences, extract_date=s.extract_date, draws=50)
>>> f.table[["period", "status"]].tail(2).to_numpy().tolist()
[['2016Q4', 'final'], ['2017Q1', 'interim']]
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from pbr.contracts import Contract, load_contract, preset
from pbr.dates import as_days
from pbr.errors import PbrError
from pbr.forecast._checks import check_run_arguments
from pbr.forecast.exposure import exposure, first_proof, proof_pairs
from pbr.forecast.members import build_inputs, reference_periods
from pbr.forecast.payment import annual_draws, payment_draws
from pbr.forecast.project import project
from pbr.forecast.result import Forecast, interval_columns
from pbr.io import checked_tables
from pbr.payments import after_baseline_year
from pbr.rulesets import rule_set

__all__ = ["forecast", "resolve_contract"]


def resolve_contract(contract: Contract | str | Path | None) -> Contract | None:
    """A contract object from an object, a preset name or a TOML path (None stays None).

    Examples
    --------
    >>> resolve_contract("tr_crc").name
    'tr_crc'
    """
    if contract is None or isinstance(contract, Contract):
        return contract
    text = str(contract)
    if Path(text).suffix.lower() == ".toml" or Path(text).exists():
        return load_contract(text)
    return preset(text)


def _projection_table(
    groups: pd.DataFrame,
    status: list[str],
    final: Any,
    size: Any,
    observed: Any,
    open_members: Any,
) -> pd.DataFrame:
    n = np.asarray(size, dtype=np.float64)
    iv = interval_columns(final, size)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = groups[["lot", "period"]].copy()
        out["status"] = status
        out["cohort_size"] = np.asarray(size, dtype=np.int64)
        out["observed_reoffenders"] = np.asarray(observed, dtype=np.int64)
        out["observed_rate"] = observed / n
        out["open_members"] = np.asarray(open_members, dtype=np.int64)
        out["projected_reoffenders"] = final.mean(axis=0)
        out["projected_rate"] = final.mean(axis=0) / n
        out["projected_sd"] = final.std(axis=0, ddof=1) / n if len(final) > 1 else 0.0
        for k in ("low80", "high80", "low95", "high95"):
            out[f"rate_{k}"] = iv[k]
    return out.reset_index(drop=True)


def forecast(
    cohort: Any,
    offences: pd.DataFrame,
    *,
    extract_date: Any,
    contract: Contract | str | Path | None = None,
    baseline: Any = None,
    reference: Sequence[str] | str | None = None,
    rules: str | None = None,
    strata: int = 5,
    draws: int = 1000,
    seed: int = 0,
    lots: Sequence[str] | None = None,
    validate: bool = True,
    progress: bool | None = None,
) -> Forecast:
    """Project interim lot-periods to their final binary rate and, with a contract, payment.

    Parameters
    ----------
    cohort, offences : pandas.DataFrame
        Cohort events and proven offences as extracted on ``extract_date``
        (as for :func:`pbr.compute_measures`).
    extract_date : date-like
    contract : Contract, preset name or TOML path, optional
        With a contract, the projected payment distribution is computed through
        :func:`pbr.pay` (the baseline is built with :func:`pbr.build_baseline`
        unless ``baseline`` is given).
    baseline : Baseline, optional
    reference : sequence of str, "baseline" or "latest", optional
        Final quarters the curves are learnt from (default: the baseline
        year's quarters if final, else the latest four final quarters).
    rules : str, optional
        Counting rule set (default: the contract's, else ``moj_proven``).
    strata : int
        Number of OGRS3 risk strata (quantiles of the reference's scores; one
        stratum when the cohort lacks the OGRS3 inputs).
    draws : int
        Bootstrap replicates.
    seed : int
        Random seed (same inputs and seed: identical result).
    lots : sequence of str, optional
    validate : bool
        The tables cross the io boundary once, here (:func:`pbr.io.checked_tables`:
        every row checked unless already validated); ``False`` is the explicit opt-out.
    progress : bool or None
        Progress bars over the replicates: ``None`` (default) on a terminal or in a
        notebook only, ``True`` always, ``False`` never (:mod:`pbr._progress`); the
        result is the same either way.

    Returns
    -------
    Forecast

    Examples
    --------
    >>> from pbr.forecast._examples import example_data
    >>> from pbr.io import as_extracted
    >>> s = example_data(5)
    >>> early = as_extracted(s.offences, "offences", "2017-09-30")  # the data a year earlier
    >>> f = forecast(s.cohort, early, extract_date="2017-09-30", draws=50)
    >>> t = f.table
    >>> bool((t["projected_rate"] >= t["observed_rate"]).all()), sorted(set(t["status"]))
    (True, ['final', 'interim'])
    >>> bool((t["projected_rate"] > t["observed_rate"]).any())  # reoffenders still to come
    True
    """
    from pbr.baseline import build_baseline, compare_to_baseline
    from pbr.measures import compute_measures

    check_run_arguments("forecast", offences, draws=draws, strata=strata, seed=seed)
    cohort, offences = checked_tables(
        cohort, offences, extract_date=extract_date, validate=validate
    )
    con = resolve_contract(contract)
    rules = rules or (con.rules[0] if con is not None else "moj_proven")
    year = int(con.baseline) if con is not None and con.baseline.isdigit() else 2011
    m = compute_measures(  # validated above: not again
        cohort, offences, extract_date=extract_date, rules=rules, lots=lots, validate=False
    )
    members = m.members.reset_index(drop=True)
    ref_periods = reference_periods(m.table, reference, baseline_year=year)
    t = m.table
    targets = t[~t["period"].astype(str).isin(ref_periods)].reset_index(drop=True)
    if targets.empty:
        raise PbrError("forecast: no quarter outside the reference to project")
    groups = targets[["lot", "period"]].astype(str)
    period = members["period"].astype(str).to_numpy(dtype=object)
    is_ref = np.isin(period, np.array(ref_periods, dtype=object))
    pair_m, pair_lag = proof_pairs(members[is_ref], offences, rules=rules)
    proof_ref = first_proof(int(is_ref.sum()), pair_m, pair_lag)
    d = as_days(members["index_date"]).astype(np.int64)
    ext_day = int(np.datetime64(m.extract_date, "D").astype(np.int64))
    x = exposure(d, np.full(len(d), -1, dtype=np.int64), ext_day)
    observed = members["reoffender"].to_numpy(dtype=bool)
    ref, tgt, s, is_tgt = build_inputs(
        members, groups, ref_periods, proof_ref, x.elapsed, x.window, observed, n_strata=strata
    )
    with_r = rule_set(rules).unit == "offence"  # R counts offences here, not appearances
    r_obs = np.bincount(
        tgt.group,
        weights=members["reoffences"].to_numpy(np.float64)[is_tgt] if with_r else None,
        minlength=len(groups),
    ).astype(np.float64)
    dr = project(
        ref,
        tgt,
        n_strata=s,
        draws=draws,
        seed=seed,
        progress=progress,
        ref_pairs=(pair_m, pair_lag) if with_r else None,
        observed_reoffences=r_obs,
    )
    status = targets["status"].astype(str).tolist()
    table = _projection_table(groups, status, dr.final, dr.size, dr.observed, dr.open_members)
    table["level"] = dr.theta
    if dr.reoffences is not None:
        table["observed_reoffences"] = r_obs.astype(np.int64)
        table["projected_reoffences"] = dr.reoffences.mean(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            table["projected_per_reoffender"] = (
                table["projected_reoffences"] / table["projected_reoffenders"]
            )
    # national: sum the replicates over lots within each period
    pcodes, pnames = pd.factorize(groups["period"], sort=True)
    nat_final = np.stack([dr.final[:, pcodes == k].sum(axis=1) for k in range(len(pnames))], axis=1)

    nat_groups = pd.DataFrame({"lot": "ALL", "period": [str(p) for p in pnames]})
    nat_status = [
        "final"
        if all(s_ == "final" for s_, c in zip(status, pcodes, strict=True) if c == k)
        else "interim"
        for k in range(len(pnames))
    ]
    national = _projection_table(
        nat_groups,
        nat_status,
        nat_final,
        np.bincount(pcodes, weights=dr.size, minlength=len(pnames)),
        np.bincount(pcodes, weights=dr.observed, minlength=len(pnames)),
        np.bincount(pcodes, weights=dr.open_members, minlength=len(pnames)),
    )
    payments = None
    assessment = None
    if con is not None:
        bl = baseline
        if bl is None:
            risk = None if con.adjustment == "none" else con.adjustment
            bl = build_baseline(
                cohort,
                offences,
                extract_date=extract_date,
                year=year,
                risk=risk,
                rules=rules,
                validate=False,
            )
        form: Literal["difference", "ratio"] = "ratio" if con.form == "ratio" else "difference"
        assess = functools.partial(
            compare_to_baseline,
            cohort,
            offences,
            bl,
            extract_date=extract_date,
            alpha=con.alpha,
            form=form,
            rules=rules,
            validate=False,
        )
        a = assess(period="quarter").table
        performance = set(after_baseline_year(groups, year)["period"])  # performance periods only
        perf = groups["period"].isin(performance).to_numpy(dtype=bool)
        idx = pd.MultiIndex.from_frame(a[["lot", "period"]].astype(str)).get_indexer(
            pd.MultiIndex.from_frame(groups)
        )
        if (idx[perf] < 0).any():  # pragma: no cover - internal invariant
            raise PbrError("forecast: a projected lot-period has no assessment row")
        assessment = a.iloc[idx[perf]].reset_index(drop=True)
        table = table.merge(
            a[["lot", "period", "baseline_binary", "expected_rate"]].astype(
                {"lot": str, "period": str}
            ),
            on=["lot", "period"],
            how="left",
        )
        annual = None
        if con.frequency is not None:
            if dr.reoffences is None:
                raise PbrError(
                    f"forecast: the contract pays frequency but rules {rules!r} count court "
                    "appearances, not reoffences; the frequency component cannot be projected"
                )
            yearly = after_baseline_year(assess(period=con.contract_year).table, year)
            kind = con.contract_year
            o_y = yearly["reoffenders"].to_numpy(np.int64)
            r_y = yearly["reoffences"].to_numpy(np.int64)
            annual = (
                yearly,
                o_y + annual_draws(yearly, groups, kind, dr.final, dr.observed),
                r_y + annual_draws(yearly, groups, kind, dr.reoffences, r_obs.astype(np.int64)),
            )
        payments = payment_draws(con, assessment, dr.final[:, perf], annual, progress=progress)
    return Forecast(
        table=table,
        national=national,
        payments=payments,
        assessment=assessment,
        contract=con,
        extract_date=dt.date.fromisoformat(str(m.extract_date)),
        reference=tuple(ref_periods),
        rules=rules,
        strata=s,
        draws=int(draws),
        seed=int(seed),
        tau2=dr.tau2,
    )
