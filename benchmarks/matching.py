"""Benchmark: propensity-score matching, 10 000 treated against a 1 000 000 pool.

Run: ``.venv/bin/python benchmarks/matching.py [n_treated] [n_pool]``.
SPEC §8 target: seconds (task target < 10 s per configuration).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from pbr.compare import match


def make_data(n_treated: int, n_pool: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_treated + n_pool
    df = pd.DataFrame(
        {
            "age": rng.integers(18, 70, n).astype(float),
            "male": rng.integers(0, 2, n),
            "sanctions": rng.poisson(4, n).astype(float),
            "ogrs3": rng.beta(2, 3, n),
            "group": rng.choice(["violence", "theft", "drugs", "other"], n),
        }
    )
    # treated people are younger with more sanctions
    score = -0.03 * (df["age"] - 35) + 0.1 * (df["sanctions"] - 4) + rng.normal(0, 1, n)
    idx = np.argsort(-score.to_numpy())[:n_treated]
    treated = np.zeros(n, dtype=bool)
    treated[idx] = True
    df["treated"] = treated
    return df


def main() -> None:
    n_t = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    n_c = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    df = make_data(n_t, n_c)
    cov = ["age", "male", "sanctions", "ogrs3", "group"]
    for replace, k in [(True, 1), (False, 1), (True, 3), (False, 3)]:
        t0 = time.perf_counter()
        m = match(df, treatment="treated", covariates=cov, replace=replace, k=k)
        dt = time.perf_counter() - t0
        print(
            f"{n_t} treated vs {n_c} pool, replace={replace}, k={k}: {dt:.2f} s; "
            f"matched {m.n_matched_treated}, pairs {len(m.pairs)}, "
            f"max |SMD| after {m.balance['smd_after_pct'].abs().max():.2f} %"
        )
    # heavy ties: only categorical covariates (8 distinct scores)
    for k in (1, 3):
        t0 = time.perf_counter()
        m = match(df, treatment="treated", covariates=["male", "group"], replace=False, k=k)
        print(
            f"ties (8 distinct scores), replace=False, k={k}: "
            f"{time.perf_counter() - t0:.2f} s; pairs {len(m.pairs)}"
        )


if __name__ == "__main__":
    main()
