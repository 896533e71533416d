"""The pipeline: files in, outputs and their manifest out (the layer the CLI calls).

Data flows one way::

    io → cohort → counting → measures → baseline / risk → payments → report
                                                              ↑
    provenance (a leaf: version, hashes, Manifest)      pipeline (on top)

Each function here reads files, calls the domain modules, and writes its
outputs with their manifest through :func:`pbr.provenance.write_outputs`:

- :func:`pay_from_files` — pay from an aggregate table or from microdata and a
  saved baseline (``pbr pay``); :meth:`~pbr.payments.Statement.write` /
  :func:`write_statement` write the statement and its manifest;
- :func:`measures_from_files` / :func:`write_measures` — measures CSV and its
  manifest (``pbr measures``, ``pbr demo``);
- :func:`baseline_from_files` — build and save a baseline (``pbr baseline``);
- :func:`verify` — re-run a written statement from its manifest (``pbr verify``).

Examples
--------
>>> import tempfile, pathlib
>>> from pbr.payments import example_assessment
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> example_assessment(400, lot="CPA01").to_csv(d / "m.csv", index=False)
>>> out = write_statement(pay_from_files("tr_crc", measures=d / "m.csv"), d / "out")
>>> verify(out).identical
True
"""

from __future__ import annotations

from pbr.payments.writers import write_statement
from pbr.pipeline.baseline import baseline_from_files
from pbr.pipeline.measures import (
    FLOAT_FORMAT,
    MeasuresRun,
    manifest_path,
    measures_from_files,
    write_measures,
)
from pbr.pipeline.pay import pay_from_files, read_table, write_pay
from pbr.pipeline.verify import VerifyResult, verify

__all__ = [
    "FLOAT_FORMAT",
    "MeasuresRun",
    "VerifyResult",
    "baseline_from_files",
    "manifest_path",
    "measures_from_files",
    "pay_from_files",
    "read_table",
    "verify",
    "write_measures",
    "write_pay",
    "write_statement",
]
