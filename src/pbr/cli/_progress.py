"""``--no-progress`` for the long ``pbr`` commands, and their step bars (see :mod:`pbr._progress`).

A bar is drawn on stderr only when stderr is a terminal: piped, redirected or
in CI a command prints exactly what it printed before. ``--no-progress`` (or
its synonym ``--quiet``) turns it off on a terminal too; it changes no result
and no output file.

Examples
--------
>>> import argparse
>>> bar = steps(3, argparse.Namespace(no_progress=True))
>>> bar.disable
True
>>> bar.close()
"""

from __future__ import annotations

import argparse
from typing import Any

from pbr._progress import bar

__all__ = ["add_progress_args", "progress_of", "steps"]


def add_progress_args(p: argparse.ArgumentParser) -> None:
    """Add ``--no-progress`` (synonym ``--quiet``): no progress bar.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> add_progress_args(p)
    >>> p.parse_args(["--no-progress"]).no_progress, p.parse_args(["--quiet"]).no_progress
    (True, True)
    """
    p.add_argument(
        "--no-progress",
        "--quiet",
        dest="no_progress",
        action="store_true",
        help="no progress bar on stderr (there is none anyway when stderr is not a terminal)",
    )


def progress_of(args: argparse.Namespace) -> bool | None:
    """The ``progress`` argument for the library: ``False`` with ``--no-progress``, else auto.

    Examples
    --------
    >>> progress_of(argparse.Namespace(no_progress=True)), progress_of(argparse.Namespace())
    (False, None)
    """
    return False if getattr(args, "no_progress", False) else None


def steps(total: int, args: argparse.Namespace, desc: str = "") -> Any:
    """A bar of ``total`` steps on stderr (off with ``--no-progress`` or off a terminal).

    Examples
    --------
    >>> b = steps(2, argparse.Namespace(no_progress=False))  # not a terminal under pytest
    >>> b.disable
    True
    >>> b.close()
    """
    return bar(total, progress=progress_of(args), desc=desc)
