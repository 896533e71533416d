"""Building a baseline from files: read the microdata, build, save (``pbr baseline``).

See :func:`baseline_from_files` (its example builds one from the bundled sample).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pbr._staging import check_out, safe_directory
from pbr.baseline import Baseline, build_baseline

__all__ = ["baseline_from_files"]


def baseline_from_files(
    cohort: str | Path,
    offences: str | Path,
    out: str | Path,
    *,
    extract_date: Any,
    force: bool = False,
    **options: Any,
) -> tuple[Baseline, Path]:
    """Read and validate the two files, build the baseline and save it into ``out``.

    ``options`` (``year``, ``risk``, ``rules``, ``count_model``, ``progress``) are those of
    :func:`pbr.baseline.build_baseline`.

    ``out`` is written safely (:func:`pbr._staging.safe_directory`): refused before any
    work when it is or contains an input, or exists non-empty without ``force``; the
    files are staged beside it and renamed into place when all are written.

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
    check_out(out, (cohort, offences), force=force)  # before any work
    # files cross the io boundary inside build_baseline, both at once
    baseline = build_baseline(cohort, offences, extract_date=extract_date, **options)
    with safe_directory(out, (cohort, offences), force=force) as tmp:
        baseline.save(tmp)
    return baseline, Path(out)
