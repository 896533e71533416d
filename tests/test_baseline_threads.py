"""A saved baseline is byte-identical whatever the BLAS/OpenMP thread count (issue 11)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pbr.sample import sample_paths


@pytest.mark.parametrize("risk", ["model"])
def test_baseline_bytes_do_not_depend_on_the_thread_count(tmp_path: Path, risk: str) -> None:
    # with threaded BLAS products and LAPACK solves, =1 and =2 differed in the last bits
    p = sample_paths()
    outs = []
    for threads in ("1", "2"):
        out = tmp_path / f"b{threads}"
        env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads}
        env["MKL_NUM_THREADS"] = threads
        cmd = [sys.executable, "-m", "pbr", "baseline", "--cohort", str(p["cohort"])]
        cmd += ["--offences", str(p["offences"]), "--extract-date", "2018-06-30"]
        cmd += ["--risk", risk, "--count-model", "--out", str(out)]
        subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=600)
        outs.append(out)
    names = sorted(f.name for f in outs[0].iterdir())
    assert names == sorted(f.name for f in outs[1].iterdir())
    for name in names:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
