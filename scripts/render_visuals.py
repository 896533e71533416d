"""Render every picture a user sees into a git-ignored folder, to look at them.

Runs ``pbr demo`` into ``_visuals/demo`` (the HTML statement), screenshots the
statement with headless chromium (when installed), and writes a PNG of each plot
of pbr.report on the bundled sample::

    PYTHONPATH=src python scripts/render_visuals.py [--out _visuals]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Render the pictures; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__, allow_abbrev=False)
    parser.add_argument("--out", default="_visuals", help="folder for the pictures")
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import pbr
    from pbr.cli import main as cli
    from pbr.report import plot_funnel, plot_payments, plot_rates, plot_waterfall

    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    demo = out / "demo"
    cli(["demo", "--out", str(demo)])
    page = demo / "statement" / "statement.html"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium and page.is_file():
        for name, height in (("statement_top.png", 1400), ("statement_full.png", 9000)):
            subprocess.run(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 f"--screenshot={out / name}", f"--window-size=1280,{height}", page.as_uri()],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
    else:
        sys.stderr.write("chromium not found: no statement screenshot\n")

    sample = pbr.datasets.load_sample()
    extract = sample.extract_date
    m = pbr.compute_measures(sample.cohort, sample.offences, extract_date=extract)
    baseline = pbr.build_baseline(
        sample.cohort, sample.offences, extract_date=extract, year=2011, risk="ogrs3"
    )
    a = pbr.compare_to_baseline(sample.cohort, sample.offences, baseline, extract_date=extract)
    statement = pbr.pay(pbr.preset("tr_crc"), a.table[a.table["status"] == "final"]
                        .loc[lambda t: t["period"].str[:4] != "2011"])  # fmt: skip
    pictures = {
        "funnel.png": plot_funnel(a.table, baseline_year=baseline.year),
        "rates_small_multiples.png": plot_rates(m.table, baseline.table),
        "rates_highlight.png": plot_rates(m.table, baseline.table, highlight="CPA03"),
        "waterfall_all.png": plot_waterfall(statement.lines),
        "waterfall_lot.png": plot_waterfall(statement.lines, lot="CPA02"),
        "payments_by_lot.png": plot_payments(statement.lines),
    }
    for name, ax in pictures.items():
        ax.figure.savefig(out / name, dpi=110)
        plt.close(ax.figure)
    sys.stdout.write(f"pictures in {out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
