"""The ``pbr`` command line: a thin argparse front end over the public API.

Exit codes (docs/methodology.md#measures-csv): 0 success, 2 bad input (the error table on stderr),
1 anything else. No traceback is printed unless ``PBR_DEBUG=1`` is set.

Each subcommand lives in its own module ``pbr.cli.<name>`` exposing
``arguments(parser)``, which adds its options, and ``run(args)``, which takes the
parsed arguments and returns the exit code; its help texts are in :data:`COMMANDS`.
A command module imports only argparse helpers at top level and its implementation
inside ``run``, so building the parser (``pbr --help``, ``pbr CMD --help``) loads no
pandas and no command implementation (tests/test_cli_startup.py).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from pbr.cli._parser import Parser
from pbr.errors import PbrError, ValidationError
from pbr.provenance import __version__

__all__ = ["main"]

#: Each subcommand in ``pbr --help`` order: ``name: help``, then its description, indented.
_TEXTS = """\
demo: run the whole job on the bundled sample data
    Validate the bundled synthetic sample, count proven reoffending per lot and quarter,
    build the 2011 baseline, adjust each lot's quarters for offender mix, pay the
    illustrative tr_crc contract and write an HTML payment statement.
validate: validate a cohort table and an offences table
    Read and validate both input tables (docs/methodology.md#validation). Exit 0 when valid,
    2 with every failing (table, row, column, value, reason) on stderr.
measures: proven-reoffending measures per lot × period
    Count proven reoffending (docs/methodology.md#proven-reoffence) and write one row per
    (lot, period) to a CSV file. Exit 0 on success, 2 on bad input, 1 otherwise.
baseline: build a baseline (per lot x quarter-of-year rates and a risk model)
    Count proven reoffending of the baseline-year cohort, fit the risk model and write the
    baseline directory (Parquet + JSON).
pay: compute a payment statement from a contract
    Compute a payment statement (statement.csv/.json/.parquet + manifest.json) from a
    contract (TOML file or preset name: tr_crc, peterborough_sib, doncaster) and either an
    aggregate measures/assessment table or microdata plus a saved baseline.
forecast: project interim cohorts to their final rate and payment (or --backtest)
    Project interim lot-periods to their final binary rate and, with a contract, the
    distribution of their payment; writes forecast.csv, forecast.html and manifest.json to
    --out. With --backtest, print the backtest table instead.
verify: re-run a statement from its manifest and compare byte for byte
    Re-hash the inputs recorded in DIR/manifest.json, re-run the payment and compare every
    output file. Exit 0 identical, 1 different (report on stdout), 2 manifest or inputs
    missing.
compare: propensity-score matched comparison (Justice Data Lab style)
    Nearest-neighbour matching with MatchIt's options; writes balance.csv, pairs.csv,
    outcomes.csv, summary.txt and manifest.json.
sample: write the seeded synthetic sample data (cohort, offences, truth)
    Generate the synthetic sample (2011 baseline year and quarterly cohorts 2015Q4-2017Q1,
    with offence histories) and write cohort.parquet, offences.parquet and truth.json to
    DIR. Same arguments, same bytes.
"""


def _commands(texts: str) -> dict[str, tuple[str, str]]:
    r"""``name → (help, description)`` from a block like :data:`_TEXTS`.

    Examples
    --------
    >>> _commands("pay: pay it\n    Compute a\n    statement.\n")
    {'pay': ('pay it', 'Compute a statement.')}
    """
    out: dict[str, list[str]] = {}
    for line in texts.splitlines():
        if line.startswith(" "):
            out[next(reversed(out))].append(line.strip())
        else:
            name, text = line.split(": ", 1)
            out[name] = [text]
    return {n: (t[0], " ".join(t[1:])) for n, t in out.items()}


#: Subcommands in the order ``pbr --help`` lists them: name → (help, description).
COMMANDS = _commands(_TEXTS)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every available subcommand."""
    parser = Parser(
        prog="pbr",
        description="Payment-by-results reoffending analytics (docs/methodology.md#measures-csv).",
    )
    parser.add_argument("--version", action="version", version=f"pbr {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name, (text, description) in COMMANDS.items():
        module = importlib.import_module(f"pbr.cli.{name}")
        p = sub.add_parser(name, help=text, description=description)
        module.arguments(p)
        p.set_defaults(func=module.run)
    return parser


def _terminal_warning(command: str) -> Any:
    """A ``warnings.showwarning`` that prints one plain line, without source lines."""

    def show(message: Any, category: Any, *_: Any, **__: Any) -> None:
        print(f"pbr {command}: warning: {message}", file=sys.stderr)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pbr`` command line and return its exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 on bad input, 1 on anything else.

    Examples
    --------
    >>> main(["--version"])  # doctest: +SKIP
    pbr 0.1.0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    debug = os.environ.get("PBR_DEBUG") == "1"
    try:
        with warnings.catch_warnings():
            if not debug:
                # on the command line a warning is a line on stderr, whatever the
                # embedding process's warning filters say
                warnings.simplefilter("default")
                warnings.showwarning = _terminal_warning(args.command)
            code: int = args.func(args)
        return code
    except ValidationError as exc:
        if debug:
            raise
        print(f"pbr {args.command}: invalid input", file=sys.stderr)
        # the CLI user has no Python error object: point at the command that lists every row
        text = str(exc).replace(
            "(the full list is in the error's .failures table)",
            "(pbr validate on the same files reports every row)",
        )
        print(text, file=sys.stderr)
        return EXIT_BAD_INPUT
    except PbrError as exc:
        if debug:
            raise
        print(f"pbr {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # the CLI contract: never a traceback
        if debug:
            raise
        print(f"pbr {args.command}: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("(set PBR_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_FAILURE
