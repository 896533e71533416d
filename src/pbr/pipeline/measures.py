"""File-level measures: compute from cohort and offence files, write the CSV and its manifest.

The CSV (what ``pbr measures`` and ``pbr demo`` write) has one row per (lot,
period), sorted by lot then period, with the columns of
:class:`pbr.measures.Measures`. It is deterministic: UTF-8, LF line ends,
floats written with ``%.10g`` (:data:`FLOAT_FORMAT`, ten significant digits),
undefined values (e.g. the frequency of a cohort without reoffenders) as
empty cells. Beside it goes its manifest, ``FILE.manifest.json`` (docs/methodology.md,
"`pbr measures` CSV"):
versions, SHA-256 of the inputs and of the CSV, every parameter, the extract date.

Examples
--------
>>> import tempfile, pathlib
>>> from pbr.sample import sample_paths
>>> out = pathlib.Path(tempfile.mkdtemp()) / "m.csv"
>>> paths = sample_paths()
>>> run = measures_from_files(paths["cohort"], paths["offences"], out,
...                           extract_date="2018-06-30", period="calendar_year", validate=False)
>>> run.manifest.name, run.csv.read_text().splitlines()[0][:24]
('m.manifest.json', 'lot,period,eligible,coho')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pbr._staging import check_out, safe_files
from pbr.io._values import parse_iso_date
from pbr.measures import Measures, compute_measures
from pbr.provenance import add_output, run_manifest, sha256_file, write_outputs

__all__ = ["FLOAT_FORMAT", "MeasuresRun", "manifest_path", "measures_from_files", "write_measures"]

#: printf-style format of every float in the CSV (deterministic, 10 significant digits).
FLOAT_FORMAT = "%.10g"


def manifest_path(out: str | Path) -> Path:
    """Where the manifest of a measures CSV goes: ``m.csv`` → ``m.manifest.json``.

    Examples
    --------
    >>> manifest_path("out/measures.csv").as_posix()
    'out/measures.manifest.json'
    """
    p = Path(out)
    return p.with_name(p.stem + ".manifest.json")


def measures_csv(table: pd.DataFrame) -> bytes:
    r"""The CSV bytes of a measures table (see the module notes for the format).

    Examples
    --------
    >>> measures_csv(pd.DataFrame({"lot": ["A"], "binary_rate": [1 / 3]}))
    b'lot,binary_rate\nA,0.3333333333\n'
    """
    text: str = table.to_csv(index=False, float_format=FLOAT_FORMAT, na_rep="", lineterminator="\n")
    return text.encode("utf-8")


def write_measures(
    measures: Measures,
    out: str | Path,
    *,
    command: str,
    inputs: Mapping[str, str | Path],
    parameters: Mapping[str, Any],
    force: bool = False,
) -> Path:
    """Write a measures table to the CSV ``out`` and its manifest beside it; returns the manifest.

    Both files are staged and renamed into place together (:func:`pbr._staging.safe_files`):
    ``out`` (or its manifest) that is an input is refused, and so is an existing one
    unless ``force``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from pbr.sample import load_sample, sample_paths
    >>> from pbr.measures import compute_measures
    >>> s = load_sample()
    >>> m = compute_measures(s.cohort, s.offences, extract_date=s.extract_date,
    ...                      period="calendar_year")
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "m.csv"
    >>> write_measures(m, out, command="api", inputs=sample_paths(),
    ...                parameters={"extract_date": "2018-06-30"}).name
    'm.manifest.json'
    """
    target = Path(out)
    data = measures_csv(measures.table)
    mpath = manifest_path(target)
    manifest = run_manifest(
        mpath.resolve().parent,
        command=command,
        inputs=inputs,
        parameters=parameters,
        outputs={"measures": data},
    )
    with safe_files([target, mpath], inputs.values(), force=force) as (csv, staged_manifest):
        write_outputs({csv: data}, manifest, staged_manifest, make_dirs=False)
    return mpath


@dataclass(frozen=True)
class MeasuresRun:
    """What :func:`measures_from_files` computed and wrote.

    Attributes
    ----------
    measures : Measures
    csv, manifest : pathlib.Path
        The CSV written and its manifest.
    xlsx : pathlib.Path or None
        The workbook, when asked for.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from pbr.sample import sample_paths
    >>> p = sample_paths()
    >>> run = measures_from_files(p["cohort"], p["offences"],
    ...                           pathlib.Path(tempfile.mkdtemp()) / "m.csv",
    ...                           extract_date="2018-06-30", period="calendar_year", validate=False)
    >>> run.csv.name, run.manifest.name
    ('m.csv', 'm.manifest.json')
    """

    measures: Measures
    csv: Path
    manifest: Path
    xlsx: Path | None = None


def measures_from_files(
    cohort: str | Path,
    offences: str | Path,
    out: str | Path,
    *,
    extract_date: Any,
    period: str = "quarter",
    rules: str = "moj_proven",
    follow_up_months: int = 12,
    waiting_months: int = 6,
    validate: bool = True,
    progress: Callable[[Measures], None] | None = None,
    force: bool = False,
    xlsx: bool = False,
) -> MeasuresRun:
    """Compute measures from two files; write the CSV ``out`` and its manifest (``pbr measures``).

    Parameters
    ----------
    cohort, offences : str or pathlib.Path
        The cohort and offence tables (CSV or Parquet).
    out : str or pathlib.Path
        The CSV to write; the manifest goes beside it (:func:`manifest_path`).
    extract_date, period, rules, follow_up_months, waiting_months, validate
        As :func:`pbr.measures.compute_measures`; all recorded in the manifest.
    progress : callable, optional
        Called with the measures once they are computed, before anything is written.
    force : bool
        Replace an existing ``out`` and manifest (atomically); without it they are refused
        before anything is computed, as is an ``out`` that is an input.
    xlsx : bool
        Also write ``out`` with the suffix ``.xlsx`` (MoJ's CRC layout; it records the
        CSV's SHA-256 and is then added to the manifest's hashed outputs).

    Returns
    -------
    MeasuresRun

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> from pbr.sample import sample_paths
    >>> p = sample_paths()
    >>> run = measures_from_files(p["cohort"], p["offences"],
    ...                           pathlib.Path(tempfile.mkdtemp()) / "m.csv",
    ...                           extract_date="2018-06-30", period="calendar_year", validate=False)
    >>> json.loads(run.manifest.read_text())["parameters"]["period"]
    'calendar_year'
    """
    extract_date = parse_iso_date(extract_date, "extract_date")  # recorded normalised
    book = Path(out).with_suffix(".xlsx") if xlsx else None
    for target in (out, manifest_path(out), book):  # refused before any work (and at writing)
        if target is not None:
            check_out(target, (cohort, offences), force=force)
    # what is computed is what the manifest records
    options: dict[str, Any] = {"extract_date": extract_date, "period": period, "rules": rules}
    options |= {"follow_up_months": follow_up_months, "waiting_months": waiting_months}
    options["validate"] = validate
    m = compute_measures(cohort, offences, **options)
    if progress is not None:
        progress(m)
    manifest = write_measures(
        m,
        out,
        command="measures",
        inputs={"cohort": cohort, "offences": offences},
        parameters={**options, "float_format": FLOAT_FORMAT},
        force=force,
    )
    if book is not None:
        with safe_files([book], (cohort, offences), force=force) as (staged,):
            m.to_excel(staged, lines_file=(Path(out).name, sha256_file(out)))
        add_output(manifest, book.name)  # the workbook is hashed too (verify checks it)
    return MeasuresRun(measures=m, csv=Path(out), manifest=manifest, xlsx=book)
