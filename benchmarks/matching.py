"""Benchmark: nearest-neighbour matching, 10 000 treated against a 1 000 000 pool.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/matching.py [n_treated] [n_pool]``.
Target: under 5 s per configuration for ``match()`` (propensity fit + matching +
assembling the matched data); the balance table is computed on first access and timed
separately. Results go in ``benchmarks/README.md`` (section "matching.py").
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np
import pandas as pd

from pbr.matching import match


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


COV = ["age", "male", "sanctions", "ogrs3", "group"]
CONFIGS: list[tuple[str, dict[str, Any]]] = [
    ("closest, replace, 1:1", {"replace": True}),
    ("closest, no replace, 1:1", {}),
    ("closest, replace, 1:3", {"replace": True, "ratio": 3}),
    ("closest, no replace, 1:3 (rounds)", {"ratio": 3}),
    ("largest, no replace, 1:1", {"m_order": "largest"}),
    ("largest, no replace, 1:3 (rounds)", {"m_order": "largest", "ratio": 3}),
    ("random, no replace, 1:1", {"m_order": "random"}),
    ("distance=ps, caliper_sd=sample, 1:1", {"distance": "ps", "caliper_sd": "sample"}),
    ("ties=data (MatchIt), replace, 1:1", {"replace": True, "ties": "data"}),
    ("exact=group, no replace, 1:1", {"exact": ["group"], "covariates": COV[:4]}),
    ("covariate caliper age ±0.25 SD, 1:1", {"covariate_calipers": {"age": 0.25}}),
    ("mahalanobis, data order, 1:1", {"distance": "mahalanobis", "caliper": None}),
    ("ties: categorical only (8 scores), 1:1", {"covariates": ["male", "group"]}),
    ("ties: categorical only (8 scores), 1:3", {"covariates": ["male", "group"], "ratio": 3}),
]


def main() -> None:
    n_t = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    n_c = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    only = sys.argv[3:]  # optional config name filters
    df = make_data(n_t, n_c)
    for name, opts in CONFIGS:
        if only and not any(o in name for o in only):
            continue
        kw = {"covariates": COV, **opts}
        t0 = time.perf_counter()
        m = match(df, treatment="treated", **kw)
        dt = time.perf_counter() - t0
        t1 = time.perf_counter()
        smd = m.balance["smd_after_pct"].abs().max()
        db = time.perf_counter() - t1
        print(
            f"{name:42s} match {dt:5.2f} s | balance {db:5.2f} s | matched "
            f"{m.n_matched_treated}, pairs {len(m.pairs)}, max |SMD| after {smd:.2f} %",
            flush=True,
        )


if __name__ == "__main__":
    main()
