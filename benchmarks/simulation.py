"""Benchmark: payment-risk simulation for 21 lots x 4 quarters.

Run: ``.venv/bin/python benchmarks/simulation.py [n_sims]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from pbr.contracts import preset
from pbr.simulate import simulate_payments


def main() -> None:
    n_sims = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rng = np.random.default_rng(0)
    lots = [f"CPA{i:02d}" for i in range(1, 22)]
    cohorts = pd.DataFrame(
        {
            "lot": np.repeat(lots, 4),
            "cohort_size": rng.integers(300, 3000, 84),
            "baseline_rate": rng.uniform(0.3, 0.5, 84),
        }
    )
    effects = np.arange(0.0, 6.5, 0.5)
    t0 = time.perf_counter()
    s = simulate_payments(cohorts, effects, contract=preset("tr_crc"), n_sims=n_sims)
    dt = time.perf_counter() - t0
    draws = n_sims * len(effects) * len(cohorts)
    print(
        f"21 lots x 4 quarters x {len(effects)} effects x {n_sims} sims = {draws:,} "
        f"quarterly draws: {dt:.2f} s"
    )
    print(s.mdr.head().to_string(index=False))


if __name__ == "__main__":
    main()
