"""``pbr baseline``: build a baseline from cohort and offence files (docs/methodology.md#baselines).

Writes the baseline directory (``baseline.json``, ``rates.parquet`` and the
model calibration tables; see :meth:`pbr.baseline.Baseline.save`) and prints
its summary. Exit code 0 on success, 2 on bad input, 1 otherwise.

Examples
--------
>>> import argparse
>>> p = argparse.ArgumentParser()
>>> sub = p.add_subparsers()
>>> register(sub)
>>> args = p.parse_args(["baseline", "--cohort", "c.csv", "--offences", "o.csv",
...                      "--extract-date", "2018-06-30", "--out", "b"])
>>> args.year, args.risk, args.rules
(2011, 'ogrs3', 'moj_proven')
"""

from __future__ import annotations

import argparse
from typing import Any

from pbr.cli._args import add_microdata_args, add_out_arg, add_rules_arg
from pbr.cli._progress import add_progress_args, progress_of

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``baseline`` subcommand to ``subparsers`` (module docstring: an example)."""
    p = subparsers.add_parser(
        "baseline",
        help="build a baseline (per lot x quarter-of-year rates and a risk model)",
        description="Count proven reoffending of the baseline-year cohort, fit the risk "
        "model and write the baseline directory (Parquet + JSON).",
    )
    add_microdata_args(p)
    p.add_argument("--year", type=int, default=2011, help="baseline calendar year (2011)")
    p.add_argument(
        "--risk",
        choices=("ogrs3", "model", "none"),
        default="ogrs3",
        help="risk model: recalibrated OGRS3 (default), a fitted GLM, or none",
    )
    add_rules_arg(p)
    p.add_argument("--count-model", action="store_true", help="also fit the frequency model")
    add_out_arg(p)
    add_progress_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``pbr baseline``; returns the exit code (0).

    Errors are raised as :class:`pbr.errors.PbrError` (exit 2 via ``pbr.cli.main``).

    Examples
    --------
    >>> import argparse
    >>> ns = argparse.Namespace(cohort="missing.csv", offences="x.csv",
    ...     extract_date="2018-06-30", year=2011, risk="none", rules="moj_proven",
    ...     count_model=False, out="b")
    >>> run(ns)  # doctest: +SKIP
    """
    from pbr.pipeline import baseline_from_files

    baseline, out = baseline_from_files(
        args.cohort,
        args.offences,
        args.out,
        extract_date=args.extract_date,
        year=args.year,
        risk=None if args.risk == "none" else args.risk,
        rules=args.rules,
        count_model=args.count_model,
        progress=progress_of(args),
    )
    print(baseline.summary())
    print(f"\nbaseline written to {out}")
    return 0
