"""The ``pbr`` command line: a thin argparse front end over the public API.

Exit codes (docs/methodology.md#measures-csv): 0 success, 2 bad input (the error table on stderr),
1 anything else. No traceback is printed unless ``PBR_DEBUG=1`` is set.

Each subcommand lives in its own module ``pbr.cli.<name>`` exposing
``register(subparsers)``, which adds a parser whose default ``func`` takes the
parsed arguments and returns the exit code.
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

#: Subcommands in the order ``pbr --help`` lists them.
COMMANDS = (
    "demo",
    "validate",
    "measures",
    "baseline",
    "pay",
    "forecast",
    "verify",
    "compare",
    "sample",
)

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
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"pbr.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"pbr.cli.{name}":
                continue  # subcommand not built yet
            raise
        module.register(sub)
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
