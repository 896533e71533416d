"""``pbr measures``: proven-reoffending measures per lot × period to a CSV file.

Usage (docs/methodology.md#measures-csv)::

    pbr measures --cohort F --offences F --extract-date D
                 [--period quarter|financial_year|calendar_year]
                 [--rules moj_proven|convictions_only|reconviction_events]
                 [--follow-up 12] [--waiting 6] [--no-validate] --out FILE.csv [--force]

Writes one row per (lot, period), sorted by lot then period, with the
stable columns (docs/methodology.md#measures-csv) first
(``lot, period, eligible, cohort_size, reoffenders, reoffences,
binary_rate, reoffences_per_reoffender, reoffences_per_offender, binary_ci_low,
binary_ci_high, status``) and then the extra columns of
:class:`pbr.measures.Measures`. The output is deterministic: UTF-8, LF line
ends, floats written with ``%.10g`` (ten significant digits), undefined values
(e.g. the frequency of a cohort without reoffenders) as empty cells.

Exit 0 on success, 2 on bad input (the error table on stderr), 1 on anything else.
A progress bar (reading and counting, writing, the spreadsheet) and a closing
summary line are written to stderr only when stderr is a terminal, and not with
``--no-progress``.
Beside the CSV it writes its audit manifest (docs/methodology.md#audit), ``FILE.manifest.json``:
versions, SHA-256 of both inputs and of the CSV, every parameter, the extract date.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from typing import Any

from pbr._progress import enabled
from pbr.cli._args import PERIOD_KINDS, add_microdata_args, add_options, add_out_arg, from_args
from pbr.cli._progress import add_progress_args, progress_of, steps

__all__ = ["arguments", "run"]


def arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``pbr measures``."""
    add_microdata_args(p)
    p.add_argument("--period", choices=PERIOD_KINDS, default="quarter", help="cohort period")
    add_options(p, "--rules")
    p.add_argument("--follow-up", type=int, default=12, metavar="MONTHS", help="default 12")
    p.add_argument("--waiting", type=int, default=6, metavar="MONTHS", help="default 6")
    p.add_argument(
        "--no-validate",
        action="store_true",
        help="skip row-level validation of the input files (fast path for trusted extracts)",
    )
    add_out_arg(p, "output CSV file (its manifest goes beside it)", metavar="FILE.csv")
    p.add_argument(
        "--xlsx",
        action="store_true",
        help="also write FILE.xlsx beside the CSV, in the layout of MoJ's CRC tables",
    )
    add_progress_args(p)


def run(args: argparse.Namespace) -> int:
    """Compute the measures named in ``args`` and write the CSV; return the exit code."""
    from pbr.pipeline import measures_from_files

    shown = enabled(progress_of(args))
    t0 = time.perf_counter()
    bar = steps(2, args, "pbr measures: reading and counting")
    said: list[str] = []

    def progress(m: Any) -> None:
        said.append(
            f"pbr measures: {len(m.members)} members, {len(m.table)} lot × period rows "
            f"({time.perf_counter() - t0:.1f} s)"
        )
        bar.update()
        bar.set_description(f"pbr measures: writing {args.out}")

    with bar, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = measures_from_files(
            args.cohort,
            args.offences,
            args.out,
            follow_up_months=args.follow_up,
            waiting_months=args.waiting,
            validate=not args.no_validate,
            progress=progress,
            **from_args(args, "extract_date", "period", "rules", "force", "xlsx"),
        )
        bar.update()
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    if shown:
        print(f"{said[0]}; wrote {args.out} and {run.manifest}", file=sys.stderr)
    if run.xlsx is not None:
        print(f"pbr measures: wrote {run.xlsx}", file=sys.stderr)
    return 0
