"""Audit trail (kept for compatibility): statement files, manifests and verification.

The pieces now live where the data flow puts them: the manifest, hashes and
versions in :mod:`pbr.provenance`; a statement's files and manifest in
:mod:`pbr.payments.writers`; re-run verification in :mod:`pbr.pipeline`. This
module re-exports them under their old names.

Examples
--------
>>> from pbr.pipeline import verify as moved
>>> verify is moved  # the old name, the same function
True
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pbr.payments.writers import OUTPUT_FILES, write_statement
from pbr.pipeline.verify import VerifyResult, verify
from pbr.provenance import MANIFEST_FORMAT, Manifest, run_manifest, sha256_file

__all__ = [
    "MANIFEST_FORMAT",
    "OUTPUT_FILES",
    "Manifest",
    "VerifyResult",
    "sha256_file",
    "verify",
    "write_run_manifest",
    "write_statement",
]


def write_run_manifest(
    path: str | Path,
    *,
    command: str,
    inputs: Mapping[str, str | Path],
    parameters: Mapping[str, Any],
    outputs: Mapping[str, str | Path],
    seeds: Mapping[str, int] | None = None,
) -> Path:
    """Write the manifest of output files already written (see :func:`pbr.provenance.run_manifest`).

    Examples
    --------
    >>> import tempfile, pathlib, json
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "in.csv").write_text("a,1")
    >>> _ = (d / "out.csv").write_text("b,2")
    >>> m = write_run_manifest(d / "out.manifest.json", command="measures",
    ...                        inputs={"cohort": d / "in.csv"},
    ...                        parameters={"extract_date": "2018-06-30"},
    ...                        outputs={"measures": d / "out.csv"})
    >>> json.loads(m.read_text())["inputs"]["cohort"]["path"]
    'in.csv'
    """
    target = Path(path)
    files = {name: Path(p).read_bytes() for name, p in outputs.items()}
    record: dict[str, Any] = {"command": command, "inputs": inputs, "parameters": parameters}
    return run_manifest(target.resolve().parent, outputs=files, seeds=seeds, **record).write(target)
