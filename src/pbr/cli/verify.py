"""``pbr verify DIR``: re-run a statement from its manifest (docs/methodology.md#verification).

Exit 0 when the re-run reproduces every output byte and no input changed;
1 with the report (changed inputs by name, a diff of the changed lines)
otherwise; 2 when the directory has no valid manifest or an input is missing
(:class:`~pbr.errors.VerificationError`).
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["arguments", "run"]


def arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``pbr verify``.

    Examples
    --------
    >>> from pbr.cli import build_parser
    >>> build_parser().parse_args(["verify", "statement", "--diff"]).diff
    True
    """
    p.add_argument("directory", help="statement directory written by pbr pay")
    p.add_argument(
        "--diff",
        action="store_true",
        help="show the whole raw diff of the output files (default: the first 40 lines)",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``pbr verify``; returns the exit code."""
    from pbr.pipeline import verify

    result = verify(args.directory)
    text = result.report(max_diff_lines=None if getattr(args, "diff", False) else 40)
    print(text)
    if result.identical:
        return 0
    print("pbr verify: statement NOT reproduced", file=sys.stderr)
    return 1
