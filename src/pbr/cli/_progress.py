"""Progress bars for long CLI steps: tqdm's ``auto`` bar on stderr, silent off a terminal.

Examples
--------
>>> import argparse
>>> bar = steps(3, argparse.Namespace(quiet=True))
>>> bar.disable
True
>>> bar.close()
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_progress_args", "steps"]


def add_progress_args(p: argparse.ArgumentParser) -> None:
    """Add ``--quiet`` (no progress bar) to a subcommand.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> add_progress_args(p)
    >>> p.parse_args(["--quiet"]).quiet
    True
    """
    p.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar (it is off anyway when not a terminal)",
    )


def steps(total: int, args: argparse.Namespace) -> Any:
    """A progress bar of ``total`` steps on stderr (disabled with ``--quiet`` or off a tty).

    Examples
    --------
    >>> bar = steps(2, argparse.Namespace(quiet=False))  # not a terminal under pytest
    >>> bar.disable
    True
    >>> bar.close()
    """
    from tqdm.auto import tqdm

    off = bool(getattr(args, "quiet", False)) or not sys.stderr.isatty()
    return tqdm(total=total, file=sys.stderr, disable=off, unit="step", leave=False)
