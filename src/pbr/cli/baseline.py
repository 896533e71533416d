"""``pbr baseline``: build a baseline from cohort and offence files (docs/methodology.md#baselines).

Writes the baseline directory (``baseline.json``, ``rates.parquet`` and the
model calibration tables; see :meth:`pbr.baseline.Baseline.save`) and prints
its summary. Exit code 0 on success, 2 on bad input, 1 otherwise.

Examples
--------
>>> from pbr.cli import build_parser
>>> args = build_parser().parse_args(["baseline", "--cohort", "c.csv", "--offences", "o.csv",
...                              "--extract-date", "2018-06-30", "--out", "b"])
>>> args.year, args.risk, args.rules, args.force
(2011, 'ogrs3', 'moj_proven', False)
"""

from __future__ import annotations

import argparse

from pbr.cli._args import add_microdata_args, add_options, add_out_arg, from_args
from pbr.cli._progress import add_progress_args, progress_of

__all__ = ["arguments", "run"]


def arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``pbr baseline``."""
    add_microdata_args(p)
    p.add_argument("--year", type=int, default=2011, help="baseline calendar year (2011)")
    p.add_argument(
        "--risk",
        choices=("ogrs3", "model", "none"),
        default="ogrs3",
        help="risk model: recalibrated OGRS3 (default), a fitted GLM, or none",
    )
    add_options(p, "--rules")
    p.add_argument("--count-model", action="store_true", help="also fit the frequency model")
    add_out_arg(p)
    add_progress_args(p)


def run(args: argparse.Namespace) -> int:
    """Run ``pbr baseline``; returns the exit code (0).

    Errors are raised as :class:`pbr.errors.PbrError` (exit 2 via ``pbr.cli.main``).
    """
    from pbr.pipeline import baseline_from_files

    baseline, out = baseline_from_files(
        args.cohort,
        args.offences,
        args.out,
        risk=None if args.risk == "none" else args.risk,
        **from_args(args, "extract_date", "year", "rules", "count_model", "force"),
        progress=progress_of(args),
    )
    print(baseline.summary())
    print(f"\nbaseline written to {out}")
    return 0
