"""Safe outputs: every command's ``--out`` is written in a staging folder, then renamed.

docs/guide-auditor.md, "What a statement directory holds": a command writes all its files and the
manifest into a temporary folder **beside** ``--out`` (same file system) and
renames it into place only when everything is complete, so an interrupted run,
a full disk or a concurrent run never leaves a statement without its manifest
or one run's files under another's manifest. Before anything is written,
``--out`` that equals or contains an input is refused, and so is an existing
non-empty ``--out`` unless ``force``, which replaces it (the old folder is moved
aside, the new one renamed in, the old one deleted).

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "run"
>>> with staged_directory(out) as tmp:
...     _ = (tmp / "a.txt").write_text("a")
>>> sorted(p.name for p in out.iterdir())
['a.txt']
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pbr.errors import PbrError

__all__ = ["check_out", "staged_directory"]


def check_out(out: str | Path, inputs: Iterable[str | Path], *, force: bool = False) -> None:
    """Refuse an ``--out`` that equals or contains an input, or exists non-empty without force.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> check_out(d, [d / "m.csv"])
    Traceback (most recent call last):
    ...
    pbr.errors.PbrError: --out ... contains the input ...m.csv: choose another output folder
    """
    o = Path(out).resolve()
    for p in inputs:
        r = Path(p).resolve()
        if r == o or o in r.parents:
            raise PbrError(
                f"--out {out} {'is' if r == o else 'contains'} the input {p}: choose another "
                "output folder"
            )
    if o.exists() and not force and (not o.is_dir() or any(o.iterdir())):
        raise PbrError(
            f"--out {out} already exists and is not empty; choose a new folder or pass "
            "--force to replace it"
        )


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


@contextmanager
def staged_directory(out: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a staging folder beside ``out``; rename it to ``out`` when the block succeeds.

    On any exception (including KeyboardInterrupt) the staging folder is
    removed and ``out`` is untouched.
    """
    target = Path(out)
    parent = target.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=parent))
        tmp.chmod(_umask_mode())
    except OSError as exc:
        raise PbrError(f"{target}: cannot create output directory: {exc.strerror}") from None
    try:
        yield tmp
        _commit(tmp, target.resolve(), force=force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _commit(tmp: Path, target: Path, *, force: bool) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        if not force:  # another run finished first: never mix two runs
            raise PbrError(
                f"--out {target} was written by another run meanwhile; nothing was replaced"
            )
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        old.rmdir()
        os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
        return
    if target.exists():
        target.rmdir()  # an empty folder
    os.replace(tmp, target)
