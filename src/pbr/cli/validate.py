"""``pbr validate``: check the two input tables and report every problem at once.

Usage (docs/methodology.md#measures-csv)::

    pbr validate --cohort F --offences F --extract-date D [--lots F]

Exit 0 with a one-line summary on stdout when both tables are valid
(suspicious-data warnings go to stderr); exit 2 with the failure table on
stderr when either is invalid (raised as :class:`pbr.errors.ValidationError`
and mapped to exit 2 by :func:`pbr.cli.main`).
"""

from __future__ import annotations

import argparse
import sys
import warnings

from pbr.cli._args import add_microdata_args
from pbr.errors import SuspiciousDataWarning

__all__ = ["arguments", "run"]


def arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``pbr validate``."""
    add_microdata_args(p)
    p.add_argument("--lots", metavar="F", default=None, help="lot table CSV (code,name,provider)")


def run(args: argparse.Namespace) -> int:
    """Validate the tables named in ``args``; return the exit code (0 when valid)."""
    from pbr.io import validate
    from pbr.lots import read_lots

    lots = read_lots(args.lots) if args.lots else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuspiciousDataWarning)
        report = validate(args.cohort, args.offences, extract_date=args.extract_date, lots=lots)
    for message in report.warnings:
        print(f"warning: {message}", file=sys.stderr)
    print(report.summary().title)  # the one-line verdict
    return 0
