"""Writing the synthetic sample safely (``pbr sample --out DIR``).

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp()) / "s"
>>> s, paths = write_sample(d, seed=1, scale=0.01)
>>> [p.name for p in paths]
['cohort.parquet', 'offences.parquet', 'truth.json']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pbr._staging import safe_directory
from pbr.sample import DEFAULT_SEED, SampleData, generate

__all__ = ["write_sample"]


def write_sample(
    out: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    lots: Sequence[str] | None = None,
    force: bool = False,
) -> tuple[SampleData, list[Path]]:
    """Generate the sample and write its three files into ``out`` (staged, then renamed).

    An existing non-empty ``out`` is refused unless ``force`` (which replaces it
    atomically). Returns the sample and the paths written.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> _ = write_sample(d, scale=0.01, lots=["CPA01"])  # an empty folder may be written
    >>> write_sample(d, scale=0.01, lots=["CPA01"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pbr.errors.PbrError: --out ... already exists and is not empty; ... --force to replace it
    """
    sample = generate(seed=seed, scale=scale, lots=lots)
    target = Path(out)
    with safe_directory(target, force=force) as tmp:
        names = [p.name for p in sample.write(tmp)]
    return sample, [target / n for n in names]
