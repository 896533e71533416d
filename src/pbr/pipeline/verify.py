"""Re-run verification of a written statement (docs/methodology.md, "Verification").

:func:`verify` re-hashes the inputs recorded in a statement's manifest (naming
any that changed) **before** reading any of them: when one changed, nothing is
re-run and no input is parsed. Otherwise it re-runs the payment from the
manifest, compares each output file byte for byte with the stored one (and
every listed output, ``statement.html`` included, with its hash in the
manifest), and compares the manifest's fields (:data:`COMPARED_FIELDS`: total,
provisional, extract date, parameters, contract, inputs) with the re-run's.

Examples
--------
>>> import tempfile, pathlib
>>> from pbr.payments import example_assessment
>>> from pbr.pipeline import pay_from_files
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> example_assessment(400, lot="CPA01").to_csv(d / "m.csv", index=False)
>>> out = pay_from_files("tr_crc", measures=d / "m.csv").write(d / "out")
>>> verify(out).identical
True
"""

from __future__ import annotations

import difflib
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pbr.contracts import presets
from pbr.errors import PbrError, VerificationError
from pbr.payments import Statement
from pbr.payments.writers import render, statement_manifest
from pbr.pipeline.pay import pay_from_files
from pbr.provenance import Manifest, environment, sha256_bytes, sha256_file
from pbr.results import Result, Summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["VerifyResult", "verify"]


@dataclass(frozen=True, eq=False)
class VerifyResult(Result):
    """Outcome of :func:`verify`.

    A pbr result (``docs/api.md``, "The result protocol"): :attr:`table` is the
    changed inputs; :meth:`summary` is the verdict (its title), a count of the
    differences of each kind and the details (diffs) as notes; :meth:`plot`
    draws those counts. ``bool(result)`` is :attr:`identical`.

    Attributes
    ----------
    identical : bool
        True when no input changed and the re-run reproduced every output byte.
    changed_inputs : pandas.DataFrame
        ``input, path, expected_sha256, actual_sha256`` for each changed input.
    differences : Mapping[str, str]
        Output file → readable difference (unified diff for text files).
    rerun_error : str or None
        The error raised by the re-run, if it failed.
    directory : str
        The statement directory verified.
    environment_changes : Mapping[str, str]
        pbr / Python / dependency versions that differ from the manifest's
        (informational: they explain a difference, they are not one).

    Examples
    --------
    >>> r = VerifyResult(identical=True, changed_inputs=pd.DataFrame(), differences={})
    >>> print(r.summary().title)
    verified: the re-run reproduced every output byte for byte
    """

    identical: bool
    changed_inputs: pd.DataFrame
    differences: Mapping[str, str] = field(default_factory=dict)
    rerun_error: str | None = None
    directory: str = ""
    environment_changes: Mapping[str, str] = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        """The changed inputs (the same frame as :attr:`changed_inputs`)."""
        return self.changed_inputs

    def __bool__(self) -> bool:
        return self.identical

    def checks(self) -> pd.DataFrame:
        """How many differences of each kind were found: columns ``check, differing``.

        Examples
        --------
        >>> r = VerifyResult(True, pd.DataFrame(), {})
        >>> r.checks()["differing"].tolist()
        [0, 0, 0, 0]
        """
        return pd.DataFrame(
            {
                "check": [
                    "inputs changed",
                    "outputs differing",
                    "re-run failed",
                    "environment changes",
                ],
                "differing": [
                    len(self.changed_inputs),
                    len(self.differences),
                    int(bool(self.rerun_error)),
                    len(self.environment_changes),
                ],
            }
        )

    def summary(self) -> Summary:
        """The verdict, the count of each kind of difference, and what changed.

        Examples
        --------
        >>> r = VerifyResult(False, pd.DataFrame({"input": ["measures"], "path": ["m.csv"],
        ...                  "expected_sha256": ["aa"], "actual_sha256": ["bb"]}), {})
        >>> s = r.summary()
        >>> s.title, s.notes[0]
        ('NOT verified', 'input changed: measures (m.csv): sha256 aa -> bb')
        """
        if self.identical:
            return Summary(
                "verified: the re-run reproduced every output byte for byte", self.checks()
            )
        notes = [
            f"input changed: {r['input']} ({r['path']}): sha256 "
            f"{r['expected_sha256']} -> {r['actual_sha256']}"
            for r in self.changed_inputs.to_dict("records")
        ]
        if self.rerun_error:
            notes.append(f"re-run failed: {self.rerun_error}")
        for name, change in sorted(self.environment_changes.items()):
            notes.append(f"environment: {name} {change}")
        for name, diff in sorted(self.differences.items()):
            notes.append(f"--- {name} differs:")
            notes.append(diff)
        return Summary("NOT verified", self.checks(), notes=notes)

    def __str__(self) -> str:
        return self.summary().as_text()

    def plot(self, ax: Axes | None = None) -> Axes:
        """The count of each kind of difference (see :mod:`pbr.report.result_plots`).

        Examples
        --------
        >>> VerifyResult(True, pd.DataFrame(), {}).plot().get_xlabel()
        'count'
        """
        from pbr.report.result_plots import plot_verification

        return plot_verification(self.checks(), ax=ax)


def _resolve(rec: Mapping[str, Any], directory: Path) -> Path:
    rel: Path = directory / str(rec.get("path", ""))
    if rec.get("path") and rel.exists():
        return rel
    return Path(str(rec.get("absolute", rel)))


def verify(directory: str | Path) -> VerifyResult:
    """Re-run a written statement from its manifest and compare every output byte.

    Parameters
    ----------
    directory : str or Path
        A directory written by :func:`pbr.payments.write_statement` / ``pbr pay``.

    Returns
    -------
    VerifyResult

    Raises
    ------
    VerificationError
        No or invalid manifest, or an input file is missing.

    Examples
    --------
    >>> import tempfile
    >>> verify(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    pbr.errors.VerificationError: ...manifest.json not found
    """
    d = Path(directory)
    manifest = Manifest.read(d)
    changed = []
    paths: dict[str, Path] = {}
    for name, rec in sorted(manifest.inputs.items()):
        p = _resolve(rec, d)
        paths[name] = p
        if rec.get("kind") == "directory":
            if not p.is_dir():
                raise VerificationError(f"input {name}: directory {rec.get('path')} not found")
            continue
        if not p.is_file():
            raise VerificationError(
                f"input {name}: file {rec.get('path')} (absolute {rec.get('absolute')}) not found"
            )
        actual = sha256_file(p)
        if actual != rec.get("sha256"):
            changed.append(
                {
                    "input": name,
                    "path": rec.get("path"),
                    "expected_sha256": rec.get("sha256"),
                    "actual_sha256": actual,
                }
            )
    changed += _changed_preset(manifest)
    differences: dict[str, str] = {}
    for name, expected in sorted(manifest.outputs.items()):
        f = d / name
        if not f.is_file():
            differences[name] = "missing from the statement directory"
        elif sha256_file(f) != expected:
            differences[name] = "stored file does not match the hash in manifest.json"
    rerun_error = None
    if changed:  # hash before parse: a changed input is never read, nor its rows shown
        rerun_error = (
            "not re-run: input(s) changed (" + ", ".join(c["input"] for c in changed) + ")"
        )
    elif not manifest.data.get("rerunnable"):
        rerun_error = "statement written from the Python API without input files: not re-runnable"
    else:
        with tempfile.TemporaryDirectory(prefix="pbr-verify-") as tmp:
            try:
                statement = _rerun(manifest, paths)
                outputs = render(statement)
            except PbrError as exc:
                rerun_error = f"{type(exc).__name__}: {exc}"
            else:
                differences.update(_field_differences(manifest, statement, d, outputs))
                for name, data in outputs.items():
                    stored = d / name
                    old = stored.read_bytes() if stored.is_file() else b""
                    if data != old and name not in differences:
                        differences[name] = _diff(name, old, data)
                    elif data != old:
                        differences[name] += "\n" + _diff(name, old, data)
                    (Path(tmp) / name).write_bytes(data)
            shutil.rmtree(tmp, ignore_errors=True)
    identical = not changed and not differences and rerun_error is None
    env = _environment_changes(manifest)
    cols = ["input", "path", "expected_sha256", "actual_sha256"]
    return VerifyResult(
        identical=identical,
        changed_inputs=pd.DataFrame(changed, columns=cols),
        differences=differences,
        rerun_error=rerun_error,
        directory=str(d),
        environment_changes=env,
    )


#: Manifest fields a re-run must reproduce exactly (besides the output hashes).
COMPARED_FIELDS = (
    "command",
    "contract",
    "total",
    "provisional",
    "extract_date",
    "parameters",
    "inputs",
)


def _field_differences(
    manifest: Manifest, statement: Statement, d: Path, outputs: Mapping[str, bytes]
) -> dict[str, str]:
    """Every compared manifest field that the re-run's manifest does not reproduce."""
    again = statement_manifest(statement, d, dict(outputs)).data
    out = {}
    for key in COMPARED_FIELDS:
        stored, rerun = manifest.data.get(key), again.get(key)
        if key == "inputs" and isinstance(stored, Mapping) and isinstance(rerun, Mapping):
            # paths may differ after a move (verify falls back to absolute paths); hashes may not
            def strip(recs: Mapping[str, Any]) -> dict[str, Any]:
                return {
                    k: {f: v for f, v in r.items() if f not in ("absolute", "path")}
                    if isinstance(r, Mapping)
                    else r
                    for k, r in recs.items()
                }

            stored, rerun = strip(stored), strip(rerun)
        if stored != rerun:
            out[f"manifest.json: {key}"] = f"stored {stored!r}, re-run gives {rerun!r}"
    return out


def _changed_preset(manifest: Manifest) -> list[dict[str, Any]]:
    """The shipped preset a statement was paid under, if its text is no longer the same."""
    rec = manifest.data.get("contract", {})
    if not isinstance(rec, Mapping) or not rec.get("preset"):
        return []
    name = str(rec["preset"])
    try:
        actual = sha256_bytes(presets.preset_text(name).encode())
    except PbrError:
        actual = "missing"
    if actual == rec.get("sha256"):
        return []
    return [
        {
            "input": "contract",
            "path": f"preset {name}",
            "expected_sha256": rec.get("sha256"),
            "actual_sha256": actual,
        }
    ]


def _environment_changes(manifest: Manifest) -> dict[str, str]:
    now = environment()
    then = {
        "pbr": manifest.data.get("pbr_version"),
        "python": manifest.data.get("python"),
        **manifest.data.get("dependencies", {}),
    }
    return {k: f"{then.get(k)} -> {v}" for k, v in sorted(now.items()) if then.get(k) != v}


def _diff(name: str, old: bytes, new: bytes) -> str:
    if name.endswith(".parquet"):
        return f"binary file differs (stored {len(old)} bytes, re-run {len(new)} bytes)"
    a = old.decode("utf-8", errors="replace").splitlines()
    b = new.decode("utf-8", errors="replace").splitlines()
    return "\n".join(
        difflib.unified_diff(
            a, b, fromfile=f"stored/{name}", tofile=f"re-run/{name}", lineterm="", n=0
        )
    )


def _rerun(manifest: Manifest, paths: Mapping[str, Path]) -> Statement:
    data = manifest.data
    if data.get("command") != "pay":
        raise VerificationError(f"cannot re-run command {data.get('command')!r}")
    contract_rec = data.get("contract", {})
    contract: str | Path = contract_rec.get("preset") or paths.get("contract", Path(""))
    params = data.get("parameters", {})
    files = {
        k: paths.get(k)
        for k in ("measures", "annual_measures", "cohort", "offences", "baseline", "volumes")
    }
    statement: Statement = pay_from_files(
        contract,
        measures=files["measures"],
        annual_measures=files["annual_measures"],
        cohort=files["cohort"],
        offences=files["offences"],
        baseline=files["baseline"],
        volumes=files["volumes"],
        extract_date=params.get("extract_date"),
        allow_interim=bool(params.get("allow_interim", False)),
    )
    return statement
