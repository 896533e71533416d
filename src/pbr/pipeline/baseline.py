"""Building a baseline from files: read the microdata, build, save (``pbr baseline``).

See :func:`baseline_from_files` (its example builds one from the bundled sample).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pbr.baseline import Baseline, build_baseline
from pbr.io import read_cohort, read_offences

__all__ = ["baseline_from_files"]


def baseline_from_files(
    cohort: str | Path,
    offences: str | Path,
    out: str | Path,
    *,
    extract_date: Any,
    year: int = 2011,
    risk: str | None = "ogrs3",
    rules: str = "moj_proven",
    count_model: bool = False,
    progress: bool | None = None,
) -> tuple[Baseline, Path]:
    """Read and validate the two files, build the baseline and save it into ``out``.

    The baseline directory's files are written by :meth:`pbr.baseline.Baseline.save`
    (``baseline.json`` records its own provenance); a statement paid against it
    hashes every one of them in its manifest. ``progress`` is passed to
    :func:`pbr.baseline.build_baseline` (its bar; never part of the result).

    Returns
    -------
    (Baseline, pathlib.Path)
        The baseline and the directory written.

    Examples
    --------
    >>> import tempfile, pathlib, warnings
    >>> from pbr.sample import sample_paths
    >>> p = sample_paths()
    >>> with warnings.catch_warnings():  # the sample has a few suspicious rows, on purpose
    ...     warnings.simplefilter("ignore")
    ...     b, out = baseline_from_files(p["cohort"], p["offences"],
    ...                                  pathlib.Path(tempfile.mkdtemp()) / "bl",
    ...                                  extract_date="2018-06-30", risk=None)
    >>> out.name, b.year, b.risk is None, (out / "baseline.json").is_file()
    ('bl', 2011, True, True)
    """
    co = read_cohort(cohort, extract_date=extract_date)
    of = read_offences(offences, extract_date=extract_date)
    baseline = build_baseline(
        co,
        of,
        extract_date=extract_date,
        year=year,
        risk=risk,
        rules=rules,
        count_model=count_model,
        progress=progress,
    )
    return baseline, baseline.save(out)
