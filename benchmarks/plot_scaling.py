"""Plot the scaling series (wall time and peak RSS against size, log-log) into scaling.png.

Usage::

    .venv/bin/python benchmarks/plot_scaling.py [benchmarks/_data/scaling-project-main.json ...]

Reads the JSON written by ``scaling.py`` (default: every ``_data/scaling-*.json``), one
line per (shape, mode), and fits the exponent ``b`` of ``cost = a · events^b`` by least
squares on ``log cost = log a + b · log events`` (``numpy.polyfit``, degree 1); ``b`` is in
the legend (1 = linear). Also prints the table of figures.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
LABELS = {
    "duckdb": "DuckDB, one SQL query",
    "cli": "pbr measures (validated)",
    "cli-novalidate": "pbr measures --no-validate",
    "lib": "compute_measures(validate=False)",
}


def exponent(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of log y on log x."""
    if len(x) < 2:
        return float("nan")
    b, _ = np.polyfit(np.log(x), np.log(y), 1)
    return float(b)


def main(argv: list[str]) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = [Path(a) for a in argv] or sorted((HERE / "_data").glob("scaling-*.json"))
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(12, 5))
    styles = {"project": "-", "extract": "--"}
    print(
        f"{'shape':8s} {'mode':15s} {'events':>10s} {'wall s':>8s} {'peak MB':>8s} {'x duckdb':>8s}"
    )
    fits: list[str] = []
    for path in paths:
        res = json.loads(path.read_text())
        shape = res.get("shape", "?")
        by_mode: dict[str, list[dict]] = {}  # type: ignore[type-arg]
        for r in sorted(res["runs"], key=lambda r: r["events"]):
            if r["rc"] == 0:
                by_mode.setdefault(r["mode"], []).append(r)
        for mode, rs in by_mode.items():
            x = np.array([r["events"] for r in rs], float)
            t = np.array([r["wall"] for r in rs], float)
            m = np.array([r["peak_mb"] for r in rs], float)
            for r in rs:
                ratio = r.get("ratio_to_paired_duckdb")
                rtxt = f"{ratio:8.2f}" if ratio else f"{'1':>8s}"
                print(
                    f"{shape:8s} {mode:15s} {r['events']:10,d} {r['wall']:8.2f} "
                    f"{r['peak_mb']:8.0f} {rtxt}"
                )
            name = f"{LABELS.get(mode, mode)} [{shape}]"
            cpu = np.array([r.get("cpu", np.nan) for r in rs], float)
            fits.append(
                f"{name}: exponent of wall {exponent(x, t):.2f}, of peak RSS "
                f"{exponent(x, m):.2f}, of CPU seconds {exponent(x, cpu):.2f}"
            )
            ls = styles.get(shape, ":")
            ax_t.loglog(x, t, ls, marker="o", label=f"{name}: exponent {exponent(x, t):.2f}")
            ax_m.loglog(x, m, ls, marker="o", label=f"{name}: exponent {exponent(x, m):.2f}")
    for ax, what in ((ax_t, "wall time (s, process start to exit)"), (ax_m, "peak RSS (MB)")):
        ax.set_xlabel("cohort events (offences = 10 ×)")
        ax.set_ylabel(what)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    ax_m.axhline(1024, color="grey", lw=0.8, ls=":")
    ax_m.annotate("1 GB", (ax_m.get_xlim()[0], 1024), fontsize=7, color="grey")
    fig.suptitle("pbr vs DuckDB: cost against size (log-log; exponent = least-squares slope)")
    fig.tight_layout()
    out = HERE / "scaling.png"
    fig.savefig(out, dpi=110)
    print("\n".join(fits))
    print("->", out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
