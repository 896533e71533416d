"""Safe outputs: every command's ``--out`` is written in a staging folder, then renamed.

docs/guide-auditor.md, "What a statement directory holds": a command writes all its files and the
manifest into a temporary folder **beside** ``--out`` (same file system) and
renames it into place only when everything is complete, so an interrupted run,
a full disk or a concurrent run never leaves a statement without its manifest
or one run's files under another's manifest. Before anything is written,
``--out`` that equals or contains an input is refused, and so is an existing
non-empty ``--out`` unless ``force``, which replaces it (the old folder is moved
aside, the new one renamed in, the old one deleted).

Every command that writes uses one of two entry points: :func:`safe_directory`
(``--out DIR``: pay, baseline, forecast, compare, sample, demo) or
:func:`safe_files` (``pbr measures --out FILE.csv``, whose manifest goes
beside the CSV).

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "run"
>>> with safe_directory(out, inputs=[]) as tmp:
...     _ = (tmp / "a.txt").write_text("a")
>>> sorted(p.name for p in out.iterdir())
['a.txt']
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pbr.errors import PbrError

__all__ = ["check_out", "safe_directory", "safe_files", "staged_directory"]


def check_out(out: str | Path, inputs: Iterable[str | Path], *, force: bool = False) -> None:
    """Refuse an ``--out`` that equals or contains an input, or exists non-empty without force.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> check_out(d, [d / "m.csv"])
    Traceback (most recent call last):
    ...
    pbr.errors.PbrError: --out ... contains the input ...m.csv: choose another output
    """
    o = Path(out).resolve()
    for p in inputs:
        r = Path(p).resolve()
        if r == o or o in r.parents:
            raise PbrError(
                f"--out {out} {'is' if r == o else 'contains'} the input {p}: choose another output"
            )
    if o.exists() and not force and (not o.is_dir() or any(o.iterdir())):
        raise PbrError(
            f"--out {out} already exists{' and is not empty' if o.is_dir() else ''}; choose "
            "a new one or pass --force to replace it"
        )


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


def _staging_folder(target: Path) -> Path:
    """A new empty folder beside ``target`` (same file system: renames are atomic)."""
    parent = target.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=parent))
        tmp.chmod(_umask_mode())
    except OSError as exc:
        raise PbrError(f"{target}: cannot create output directory: {exc.strerror}") from None
    return tmp


@contextmanager
def staged_directory(out: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a staging folder beside ``out``; rename it to ``out`` when the block succeeds.

    On any exception (including KeyboardInterrupt) the staging folder is
    removed and ``out`` is untouched.
    """
    target = Path(out)
    tmp = _staging_folder(target)
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


@contextmanager
def safe_directory(
    out: str | Path, inputs: Iterable[str | Path] = (), *, force: bool = False
) -> Iterator[Path]:
    """:func:`check_out`, then :func:`staged_directory`: the safe ``--out DIR`` of every command.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "old.txt").write_text("x")
    >>> with safe_directory(d, force=True) as tmp:
    ...     _ = (tmp / "new.txt").write_text("y")
    >>> sorted(p.name for p in d.iterdir())
    ['new.txt']
    """
    check_out(out, inputs, force=force)
    with staged_directory(out, force=force) as tmp:
        yield tmp


@contextmanager
def safe_files(
    targets: Sequence[str | Path], inputs: Iterable[str | Path] = (), *, force: bool = False
) -> Iterator[list[Path]]:
    """Output files (the **last** one their manifest) staged beside the first, renamed together.

    Each target is refused when it is an input or exists without ``force``;
    the files are written to the yielded paths in a staging folder beside the
    targets and renamed into place when the block succeeds: when replacing,
    the old manifest is removed first and the new one renamed in last, so an
    interruption can leave outputs without a manifest (not verifiable), never
    new outputs under an old manifest.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with safe_files([d / "m.csv", d / "m.manifest.json"]) as (csv, manifest):
    ...     _ = csv.write_text("a"); _ = manifest.write_text("{}")
    >>> sorted(p.name for p in d.iterdir())
    ['m.csv', 'm.manifest.json']
    """
    paths = [Path(t) for t in targets]
    inputs = list(inputs)
    for k, t in enumerate(paths):
        if t.is_dir():  # never replaced, even with force
            what = "the manifest" if k == len(paths) - 1 and len(paths) > 1 else "the file"
            raise PbrError(f"{t} is a folder: cannot write {what} there")
        check_out(t, inputs, force=force)
    tmp = _staging_folder(paths[0])
    try:
        staged = [tmp / t.name for t in paths]
        yield staged
        _commit_files(staged, [t.resolve() for t in paths], force=force)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _commit_files(staged: list[Path], targets: list[Path], *, force: bool) -> None:
    if not force and any(t.exists() for t in targets):  # another run finished first
        raise PbrError(
            f"--out {targets[0]} was written by another run meanwhile; nothing was replaced"
        )
    targets[-1].unlink(missing_ok=True)  # the old manifest first: never over new outputs
    for src, dst in zip(staged, targets, strict=True):
        os.replace(src, dst)
