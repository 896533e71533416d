"""``pbr demo``: the whole job on the bundled synthetic sample.

validate → measures → 2011 baseline → offender-mix adjustment → payment
statement (with audit manifest) → HTML statement and plots. Every step is a
call to pbr's public API; this module only sequences them and prints.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pbr.cli._args import add_out_arg
from pbr.cli._progress import add_progress_args, steps
from pbr.formatting import format_money
from pbr.provenance import __version__

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["arguments", "run"]


def arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``pbr demo``."""
    add_out_arg(p, "output folder (default: ./pbr-demo)", required=False, default="pbr-demo")
    add_progress_args(p)


def _say(msg: str = "") -> None:
    print(msg, flush=True)


def _show(df: pd.DataFrame) -> None:
    import pandas as pd

    df = df.round(4)
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.max_rows", 60):
        _say(df.to_string(index=False))


def run(args: argparse.Namespace) -> int:
    """Run the demo and return the exit code."""
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    import pbr
    from pbr._staging import check_out, safe_directory, safe_files
    from pbr.payments import after_baseline_year
    from pbr.pipeline import pay_from_files, write_measures, write_pay

    t0 = time.perf_counter()
    out = Path(args.out).resolve()
    paths = pbr.datasets.sample_paths()
    # the demo folder holds four outputs, each written safely (staged, then renamed):
    # the folder is refused when it holds an input or is not empty, unless --force
    check_out(out, paths.values(), force=args.force)
    sample = pbr.datasets.load_sample()
    extract = sample.extract_date.isoformat()

    _say(f"pbr {__version__} demo — synthetic sample, extract date {extract}")
    _say(f"  cohort:   {paths['cohort']}")
    _say(f"  offences: {paths['offences']}")

    bar = steps(6, args)
    bar.set_description("validate")
    _say("\n1. Validate the input tables")
    report = pbr.validate(paths["cohort"], paths["offences"], extract_date=extract)
    _say("   " + report.summary().title)

    bar.update()
    bar.set_description("measures")
    _say("\n2. Proven reoffending per lot and quarter (moj_proven: 12 months + 6 waiting)")
    m = pbr.compute_measures(sample.cohort, sample.offences, extract_date=extract, period="quarter")
    write_measures(
        m,
        out / "measures.csv",
        command="demo measures",
        inputs=paths,
        parameters={"extract_date": extract, "period": "quarter", "rules": "moj_proven"},
        force=args.force,
    )
    latest = m.latest_final_period()
    interim = sorted(m.table.loc[m.table["status"] == "interim", "period"].unique())
    _say(f"   latest final quarter: {latest}; interim (window not complete): {', '.join(interim)}")
    counts = ["lot", "cohort_size", "reoffenders"]  # the first columns of both tables shown
    rates = ["binary_rate", "reoffences_per_reoffender", "binary_ci_low", "binary_ci_high"]
    _show(m.table.loc[m.table["period"] == latest, [*counts, "reoffences", *rates, "status"]])

    bar.update()
    bar.set_description("baseline")
    _say("\n3. The 2011 baseline, with OGRS3 recalibrated on it")
    baseline = pbr.build_baseline(
        sample.cohort, sample.offences, extract_date=extract, year=2011, risk="ogrs3"
    )
    baseline_dir = out / "baseline"
    with safe_directory(baseline_dir, force=args.force) as tmp:
        baseline.save(tmp)
    _say(f"   saved to {baseline_dir}")

    bar.update()
    bar.set_description("adjust")
    _say(f"\n4. Each lot's latest final quarter ({latest}) against its 2011 baseline")
    a = pbr.compare_to_baseline(sample.cohort, sample.offences, baseline, extract_date=extract)
    adjusted = ["expected_reoffenders", "baseline_binary", "adjusted_rate", "change_pp"]
    _show(a.table.loc[a.table["period"] == latest, [*counts, *adjusted, "p_value", "outcome"]])

    bar.update()
    bar.set_description("pay")
    _say("\n5. Payment statement: tr_crc preset (illustrative prices), final periods only")
    annual = pbr.compute_measures(
        sample.cohort, sample.offences, extract_date=extract, period="financial_year"
    )
    final = pd.concat([m.table, annual.table])
    final = after_baseline_year(final.loc[final["status"] == "final"], baseline.year)
    paid_periods = sorted(final["period"].unique())
    _say(f"   paying the final performance periods: {', '.join(paid_periods)}")
    contract = dataclasses.replace(pbr.preset("tr_crc"), periods=tuple(paid_periods))
    contract_path = out / "contract.toml"
    with safe_files([contract_path], force=args.force) as (staged,):
        staged.write_text(contract.to_toml(), encoding="utf-8")
    statement = pay_from_files(
        contract_path,
        cohort=paths["cohort"],
        offences=paths["offences"],
        baseline=baseline_dir,
        extract_date=extract,
    )
    by_lot = statement.totals_by_lot()
    _show(by_lot)
    _say(f"   total: {format_money(statement.total)}")
    _say(
        "   (this total pays the binary component on final quarters and the frequency "
        "component on final financial years; the README tour pays binary only, and the "
        "auditor notebook also pays interim periods provisionally, so their totals differ)"
    )

    bar.update()
    bar.set_description("HTML statement")
    _say("\n6. HTML statement and plots")
    statement_dir, html = write_pay(
        statement,
        out / "statement",
        html=True,
        measures=m,
        assessment=a,
        baseline=baseline,
        force=args.force,
    )
    bar.update()
    bar.close()
    elapsed = time.perf_counter() - t0
    _say(f"\nDone in {elapsed:.1f} s. Files are in {out}:")
    _say(f"  {html}   <- open this in a browser")
    _say(f"  {statement_dir / 'statement.csv'} (.json, .parquet) and manifest.json")
    _say(f"  {out / 'measures.csv'} and measures.manifest.json")
    _say(f"  {baseline_dir}")
    _say(f"Re-run and check the statement with:  pbr verify {statement_dir}")
    sys.stdout.flush()
    return 0
