"""Wall-clock budgets that used to be asserted inside the tests (timings belong here).

* ``pbr demo`` — the whole job on the bundled sample (budget: 30 s on 2 cores);
* each user notebook, top to bottom on the bundled sample (budget: 60 s each).

    .venv/bin/python benchmarks/wall_clock.py            # both
    .venv/bin/python benchmarks/wall_clock.py --only demo

``pbr demo`` runs in a fresh subprocess, each notebook in a fresh kernel; the script
prints the time against the budget and exits 1 when one is over it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO_BUDGET = 30.0
NOTEBOOK_BUDGET = 60.0
NOTEBOOKS = ["commissioner.ipynb", "auditor.ipynb", "researcher.ipynb"]


def _timed(cmd: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["demo", "notebooks"])
    args = ap.parse_args()
    over = False
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "demo"):
            wall = _timed([sys.executable, "-m", "pbr", "demo", "--out", f"{tmp}/demo"], ROOT)
            over |= wall > DEMO_BUDGET
            print(f"pbr demo            {wall:6.1f} s  (budget {DEMO_BUDGET:.0f} s)")
        if args.only in (None, "notebooks"):
            import nbclient
            import nbformat

            for name in NOTEBOOKS:
                nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
                client = nbclient.NotebookClient(
                    nb, timeout=120, resources={"metadata": {"path": str(ROOT / "notebooks")}}
                )
                t0 = time.perf_counter()
                client.execute()
                wall = time.perf_counter() - t0
                over |= wall > NOTEBOOK_BUDGET
                print(f"{name:<19} {wall:6.1f} s  (budget {NOTEBOOK_BUDGET:.0f} s)")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
