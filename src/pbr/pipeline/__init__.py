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
- :mod:`pbr.pipeline.forecast`, :mod:`pbr.pipeline.compare`, :mod:`pbr.pipeline.sample`
  — ``pbr forecast``, ``pbr compare``, ``pbr sample``;
- :func:`verify` — re-run a written statement from its manifest (``pbr verify``).

Every ``--out`` is written safely (:mod:`pbr._staging`): staged beside it, renamed
into place when complete, refused over an input or a non-empty folder without ``force``.

Examples
--------
>>> import tempfile, pathlib
>>> from pbr.pipeline import measures_from_files
>>> from pbr.sample import sample_paths
>>> p, out = sample_paths(), pathlib.Path(tempfile.mkdtemp()) / "m.csv"
>>> run = measures_from_files(p["cohort"], p["offences"], out, extract_date="2018-06-30",
...                           period="calendar_year", validate=False)
>>> measures_from_files(p["cohort"], p["offences"], out, extract_date="2018-06-30")
Traceback (most recent call last):
...
pbr.errors.PbrError: --out ...m.csv already exists; choose a new one or pass --force to replace it
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Each public name → the module it lives in, imported on first use: ``pbr measures``
#: loads the measures stack only, not the payment one (``pbr.payments``, ``pbr.contracts``).
_PUBLIC: dict[str, str] = {
    "write_statement": "pbr.payments.writers",
    "baseline_from_files": "pbr.pipeline.baseline",
    **dict.fromkeys(
        ("FLOAT_FORMAT", "MeasuresRun", "manifest_path", "measures_from_files", "write_measures"),
        "pbr.pipeline.measures",
    ),
    **dict.fromkeys(("pay_from_files", "read_table", "write_pay"), "pbr.pipeline.pay"),
    **dict.fromkeys(("VerifyResult", "verify"), "pbr.pipeline.verify"),
}

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


def __getattr__(name: str) -> Any:
    """Import a public name on first use (:data:`_PUBLIC`)."""
    if name not in _PUBLIC:
        raise AttributeError(f"module 'pbr.pipeline' has no attribute {name!r}")
    value = getattr(importlib.import_module(_PUBLIC[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


class _Package(types.ModuleType):
    """The module type of ``pbr.pipeline``: its ``verify`` stays the function.

    Importing the submodule :mod:`pbr.pipeline.verify` binds the submodule to the
    package's ``verify`` attribute; a public name never gives way to a submodule
    (it is looked up in :data:`_PUBLIC` instead), so ``from pbr.pipeline import verify``
    is the function whichever import came first.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _PUBLIC and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
