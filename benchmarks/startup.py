"""Start-up cost: ``import pbr`` against ``import pandas, pyarrow.parquet``, and ``pbr --help``.

``pbr measures --help`` and ``pbr validate --help`` are timed beside ``pbr --help``; the
parser is built without the commands' implementations, so they should cost about
``import pbr``.

Usage::

    .venv/bin/python benchmarks/startup.py [--pbr-src DIR] [--repeat 5]

Each figure is the best of ``--repeat`` fresh interpreters (wall time of the whole
process, so the interpreter's own start is in both sides of the ratio; the bare
interpreter ``python -c pass`` is reported too). Then one ``python -X importtime -c
"import pbr"`` run: the top-level packages with the largest cumulative import time, i.e.
what ``import pbr`` pulls in. Results go to ``benchmarks/_data/startup-<tag>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from _harness import machine, run_measured, src_commit

HERE = Path(__file__).resolve().parent
REPO_SRC = HERE.parent / "src"


def best_of(argv: list[str], env: dict[str, str], repeat: int) -> dict[str, Any]:
    runs = [run_measured(argv, env=env) for _ in range(repeat)]
    bad = [r for r in runs if r["rc"] != 0]
    if bad:
        raise RuntimeError(bad[0]["stderr_tail"])
    walls = [r["wall"] for r in runs]
    cpu = [r["user"] + r["sys"] for r in runs]
    return {"best": min(walls), "walls": [round(w, 3) for w in walls], "best_cpu": min(cpu)}


def importtime(stmt: str, env: dict[str, str], top: int = 12) -> list[tuple[str, float]]:
    """Seconds of import per top-level package under ``-X importtime`` (self times summed).

    Each module's own ("self") import time is added to its top-level package, so the
    figures do not overlap and add up to the whole import.
    """
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", stmt],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    per: dict[str, float] = {}
    for line in r.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, _, name = line[len("import time:") :].split("|")
        pkg = name.strip().split(".")[0]
        per[pkg] = per.get(pkg, 0.0) + int(self_us) / 1e6
    return sorted(per.items(), key=lambda kv: -kv[1])[:top]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pbr-src", type=Path, default=REPO_SRC)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--tag", default="")
    args = ap.parse_args()
    src = args.pbr_src.resolve()
    env = {"PYTHONPATH": str(src)}
    py = sys.executable
    m0 = machine()
    res: dict[str, Any] = {"pbr_src": str(src), "pbr_commit": src_commit(src), "machine_before": m0}
    res["python -c pass"] = best_of([py, "-c", "pass"], env, args.repeat)
    res["import pandas, pyarrow.parquet"] = best_of(
        [py, "-c", "import pandas, pyarrow.parquet"], env, args.repeat
    )
    res["import pbr"] = best_of([py, "-c", "import pbr"], env, args.repeat)
    res["pbr --help"] = best_of([py, "-m", "pbr", "--help"], env, args.repeat)
    for cmd in ("measures", "validate"):
        res[f"pbr {cmd} --help"] = best_of([py, "-m", "pbr", cmd, "--help"], env, args.repeat)
    res["importtime import pbr"] = importtime("import pbr", env)
    res["modules after import pbr"] = subprocess.run(
        [
            py,
            "-c",
            "import sys, pbr; print(sorted({m.split('.')[0] for m in sys.modules"
            " if m.split('.')[0] in ('scipy','statsmodels','matplotlib','pandas','pyarrow',"
            "'numpy','duckdb','patsy','jinja2')}))",
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    res["machine_after"] = machine()
    base = res["import pandas, pyarrow.parquet"]["best"]
    tag = args.tag or src.parent.name
    out = HERE / "_data" / f"startup-{tag}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(res, indent=1))
    print(f"pbr from {src} at {res['pbr_commit']}; {m0['uptime']}")
    for k in ("python -c pass", "import pandas, pyarrow.parquet", "import pbr", "pbr --help"):
        r = res[k]
        print(f"  {k:32s} best of {args.repeat}: {r['best']:6.3f} s  {r['walls']}", end="")
        print(f"  (CPU {r['best_cpu']:.3f} s)")
    for k in ("pbr measures --help", "pbr validate --help"):
        print(f"  {k:32s} best of {args.repeat}: {res[k]['best']:6.3f} s  {res[k]['walls']}")
    print(
        f"  import pbr / import pandas, pyarrow.parquet = {res['import pbr']['best'] / base:.2f}x"
    )
    print("  -X importtime, self time summed per top-level package (s):")
    for name, s in res["importtime import pbr"]:
        print(f"    {s:6.3f}  {name}")
    print("  loaded by import pbr:", res["modules after import pbr"])
    print(f"  {res['machine_after']['uptime']} -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
