"""Benchmark: fit the baseline risk models on 500 000 synthetic baseline rows.

Target (task brief): ``risk="model"`` (logistic GLM with lot × quarter-of-year
intercepts) fitted on 500 000 rows in under 10 s. Also times the OGRS3
recalibration, the Poisson count model and a whole ``Baseline.from_members``.

Run: ``.venv/bin/python benchmarks/model_fit.py [--rows 500000]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from pbr.baseline import Baseline
from pbr.risk.model import fit_count_model, fit_risk_model
from pbr.risk.ogrs3 import score_cohort
from pbr.risk.recalibration import recalibrate_ogrs3
from pbr.schema import OFFENCE_GROUPS


def make(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lots = np.array([f"CPA{i:02d}" for i in range(1, 22)])
    idx = pd.Timestamp("2011-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    dob = idx - pd.to_timedelta(rng.integers(19 * 366, 70 * 365, n), unit="D")
    first = dob + pd.to_timedelta(rng.integers(12 * 366, 18 * 365, n), unit="D")
    m = pd.DataFrame(
        {
            "lot": rng.choice(lots, n),
            "index_date": idx,
            "event_type": rng.choice(["release", "community_order", "suspended_sentence_order"], n),
            "sex": rng.choice(["M", "F"], n, p=[0.85, 0.15]),
            "date_of_birth": dob,
            "offence_group": rng.choice(np.array(OFFENCE_GROUPS), n),
            "sanctions": rng.integers(1, 60, n),
            "first_sanction_date": first,
        }
    )
    p1 = score_cohort(m).table["p_1yr"].to_numpy()
    reo = rng.random(n) < 1 / (1 + np.exp(-(-0.3 + 0.9 * np.log(p1 / (1 - p1)))))
    m["reoffender"] = reo
    m["reoffences"] = np.where(reo, 1 + rng.poisson(1.5, n), 0)
    return m


def timed(label: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    print(f"{label:<40s} {time.perf_counter() - t:7.2f} s")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=500_000)
    args = ap.parse_args()
    m = timed(f"generate {args.rows} rows", make, args.rows)
    t = time.perf_counter()
    model = fit_risk_model(m)
    fit_s = time.perf_counter() - t
    print(f"{'fit_risk_model (risk=model)':<40s} {fit_s:7.2f} s")
    print(
        f"  n = {int(model.statistics['n'])}, parameters = {int(model.statistics['n_params'])}, "
        f"iterations = {int(model.statistics['iterations'])}"
    )
    timed("recalibrate_ogrs3", recalibrate_ogrs3, m)
    timed("fit_count_model (reoffenders)", fit_count_model, m)
    timed("Baseline.from_members(risk='model')", Baseline.from_members, m, risk="model")
    status = "OK" if fit_s < 10 else "TOO SLOW"
    print(f"risk='model' fit on {args.rows} rows: {fit_s:.2f} s (target < 10 s): {status}")


if __name__ == "__main__":
    main()
