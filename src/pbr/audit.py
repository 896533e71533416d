"""Audit trail: statement files, their manifest, and re-run verification (SPEC §9).

A written statement directory holds::

    statement.csv      one row per line, money as plain decimal strings (2 dp)
    statement.json     {"contract", "scheme", "provisional", "total", "totals_by_lot", "lines"}
                       with money as strings
    statement.parquet  explicit Arrow schema; price decimal128(18, 4), amount decimal128(18, 2)
    manifest.json      what produced them (below)

The manifest records the pbr version, Python and key dependency versions, the
command and all its parameters (extract date, allow_interim, seeds — pbr's
payment engine draws no random numbers, so ``seeds`` is empty), the contract
(preset name or file, with the SHA-256 of its bytes and of its canonical TOML),
every input file with its SHA-256 and its path both relative to the statement
directory and absolute, and the SHA-256 of every output file. There is no
timestamp anywhere, so the same inputs give byte-identical outputs *and*
manifest.

:func:`verify` re-hashes the inputs (naming any that changed), re-runs the
payment from the manifest into a temporary directory, and compares each output
file byte for byte with the stored one (and with the hashes in the manifest),
showing a unified diff of the CSV lines that differ.

Examples
--------
>>> import tempfile, pathlib
>>> from pbr.payments import example_assessment, pay_from_files
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> example_assessment(400).to_csv(d / "m.csv", index=False)
>>> out = pay_from_files("tr_crc", measures=d / "m.csv").write(d / "out")
>>> verify(out).identical
True
"""

from __future__ import annotations

import decimal
import difflib
import hashlib
import html
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pbr.errors import PbrError, VerificationError

if TYPE_CHECKING:
    from pbr.payments import Statement

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

MANIFEST_FORMAT = "pbr-manifest/1"
OUTPUT_FILES = ("statement.csv", "statement.json", "statement.parquet")
DEPENDENCIES = ("numpy", "pandas", "pyarrow", "scipy", "statsmodels")


def sha256_file(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x"
    >>> _ = p.write_bytes(b"abc")
    >>> sha256_file(p)[:12]
    'ba7816bf8f01'
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _versions() -> dict[str, str]:
    out = {}
    for name in DEPENDENCIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


# --------------------------------------------------------------------------- serialisation


def _money_str(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{Decimal(v):f}"


def _csv_bytes(s: Statement) -> bytes:
    from pbr.payments import MONEY_COLUMNS

    frame = s.lines.copy()
    for col in MONEY_COLUMNS:
        frame[col] = [_money_str(v) for v in frame[col]]
    text: str = frame.to_csv(index=False, lineterminator="\n", na_rep="")
    return text.encode("utf-8")


def _json_value(v: Any) -> Any:
    if isinstance(v, Decimal):
        return f"{v:f}"
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, np.floating | float):
        return None if np.isnan(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def _json_bytes(s: Statement) -> bytes:
    lines = [
        {col: _json_value(v) for col, v in zip(s.lines.columns, row, strict=True)}
        for row in s.lines.itertuples(index=False, name=None)
    ]
    payload = {
        "contract": s.contract.name,
        "scheme": s.contract.scheme,
        "prices_are_illustrative": s.contract.prices_are_illustrative,
        "provisional": s.provisional,
        "total": f"{s.total:f}",
        "totals_by_lot": {
            r["lot"]: f"{r['total']:f}" for r in s.totals_by_lot().to_dict("records")
        },
        "lines": lines,
    }
    return (json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()


def _parquet_bytes(s: Statement) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pbr.payments import LINE_KINDS

    fields = []
    arrays = []
    for col in s.lines.columns:
        vals = s.lines[col]
        kind = LINE_KINDS.get(col, "text")
        if kind == "float":
            typ = pa.float64()
            arr = pa.array(np.asarray(vals, dtype=float), type=typ, from_pandas=True)
        elif kind == "flag":
            typ = pa.bool_()
            arr = pa.array(np.asarray(vals, dtype=bool), type=typ)
        elif kind == "money":  # prices to 4 decimals, amounts to the penny
            scale = 4 if col == "price" else 2
            typ = pa.decimal128(18, scale)
            quantum = Decimal(1).scaleb(-scale)
            money = [Decimal(v).quantize(quantum) for v in vals]
            too_big = [m for m in money if m.adjusted() >= 18 - scale]
            if too_big:
                raise PbrError(
                    f"{col}: {too_big[0]} does not fit the statement's Parquet type "
                    f"decimal128(18, {scale}) (at most {18 - scale} digits before the point)"
                )
            arr = pa.array(money, type=typ)
        else:
            typ = pa.string()
            arr = pa.array([str(v) for v in vals], type=typ)
        fields.append(pa.field(col, typ, nullable=True))
        arrays.append(arr)
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="snappy", write_statistics=False)
    data: bytes = sink.getvalue().to_pybytes()
    return data


def _render(s: Statement) -> dict[str, bytes]:
    from pbr.contracts import MONEY_CONTEXT

    with decimal.localcontext(MONEY_CONTEXT):
        return {
            "statement.csv": _csv_bytes(s),
            "statement.json": _json_bytes(s),
            "statement.parquet": _parquet_bytes(s),
        }


# --------------------------------------------------------------------------- manifest


@dataclass(frozen=True)
class Manifest:
    """The provenance record of a written statement (``manifest.json``).

    Attributes
    ----------
    data : Mapping
        The parsed JSON: ``format, pbr_version, python, dependencies, command,
        contract, inputs, parameters, extract_date, seeds, outputs``.

    Examples
    --------
    >>> m = Manifest({"format": "pbr-manifest/1", "inputs": {}, "outputs": {}})
    >>> m.inputs
    {}
    """

    data: Mapping[str, Any]

    @property
    def inputs(self) -> Mapping[str, Any]:
        """Recorded input files: name → {path, absolute, sha256}."""
        inputs: Mapping[str, Any] = self.data.get("inputs", {})
        return inputs

    @property
    def outputs(self) -> Mapping[str, str]:
        """Output file name → SHA-256."""
        outputs: Mapping[str, str] = self.data.get("outputs", {})
        return outputs

    @classmethod
    def read(cls, directory: str | Path) -> Manifest:
        """Read ``manifest.json`` from a statement directory.

        Examples
        --------
        >>> import tempfile
        >>> Manifest.read(tempfile.mkdtemp())
        Traceback (most recent call last):
        ...
        pbr.errors.VerificationError: ...manifest.json not found
        """
        path = Path(directory) / "manifest.json"
        if not path.is_file():
            raise VerificationError(f"{path}: manifest.json not found")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise VerificationError(f"{path}: not a valid manifest: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            raise VerificationError(f"{path}: not a {MANIFEST_FORMAT} manifest")
        return cls(data)

    def to_json(self) -> str:
        r"""Canonical JSON text (sorted keys, 2-space indent, trailing newline).

        Examples
        --------
        >>> Manifest({"b": 1, "a": 2}).to_json()
        '{\n  "a": 2,\n  "b": 1\n}\n'
        """
        return json.dumps(self.data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _input_record(path: str | Path, directory: Path) -> dict[str, str]:
    p = Path(path).resolve()
    try:
        rel = os.path.relpath(p, directory.resolve())
    except ValueError:  # different drive on Windows
        rel = str(p)
    return {"path": Path(rel).as_posix(), "absolute": str(p), "sha256": sha256_file(p)}


def _build_manifest(s: Statement, directory: Path, outputs: Mapping[str, bytes]) -> Manifest:
    from pbr import __version__
    from pbr.contracts import preset_text

    prov = dict(s.provenance)
    contract_rec: dict[str, Any] = {
        "name": s.contract.name,
        "canonical_toml_sha256": hashlib.sha256(s.contract.to_toml().encode()).hexdigest(),
    }
    contract_source = prov.get("contract")
    inputs: dict[str, Any] = {}
    if isinstance(contract_source, Mapping) and "preset" in contract_source:
        name = contract_source["preset"]
        contract_rec["preset"] = name
        contract_rec["sha256"] = hashlib.sha256(preset_text(name).encode()).hexdigest()
    elif isinstance(contract_source, Mapping) and "path" in contract_source:
        inputs["contract"] = _input_record(contract_source["path"], directory)
    for name, path in sorted(prov.get("inputs", {}).items()):
        if path is not None:
            if Path(path).is_dir():
                for f in sorted(Path(path).rglob("*")):
                    if f.is_file():
                        key = f"{name}/{f.relative_to(path).as_posix()}"
                        inputs[key] = _input_record(f, directory)
                inputs[name] = {**_input_record_dir(path, directory)}
            else:
                inputs[name] = _input_record(path, directory)
    params = dict(prov.get("parameters", {}))
    data = {
        "format": MANIFEST_FORMAT,
        "pbr_version": __version__,
        "python": platform.python_version(),
        "dependencies": _versions(),
        "command": prov.get("command", "api"),
        "rerunnable": bool(prov.get("command")),
        "contract": contract_rec,
        "inputs": inputs,
        "parameters": params,
        "extract_date": params.get("extract_date"),
        "seeds": {},
        "provisional": s.provisional,
        "total": f"{s.total:f}",
        "outputs": {k: hashlib.sha256(v).hexdigest() for k, v in sorted(outputs.items())},
    }
    return Manifest(data)


def _input_record_dir(path: str | Path, directory: Path) -> dict[str, str]:
    p = Path(path).resolve()
    try:
        rel = os.path.relpath(p, directory.resolve())
    except ValueError:
        rel = str(p)
    return {"path": Path(rel).as_posix(), "absolute": str(p), "kind": "directory"}


def write_run_manifest(
    path: str | Path,
    *,
    command: str,
    inputs: Mapping[str, str | Path],
    parameters: Mapping[str, Any],
    outputs: Mapping[str, str | Path],
    seeds: Mapping[str, int] | None = None,
) -> Path:
    """Write the audit manifest of a run that is not a payment (e.g. ``pbr measures``).

    SPEC §9: every measures table carries a manifest — the pbr, Python and key
    dependency versions, the SHA-256 of every input and output file, all
    parameters, the extract date and any seeds. The JSON has sorted keys and no
    timestamp, so the same run writes the same bytes. Input paths are stored
    relative to the manifest's folder (and absolute).

    Parameters
    ----------
    path : str or pathlib.Path
        The manifest file to write (its folder must exist).
    command : str
        What produced the outputs (``"measures"``).
    inputs, outputs : Mapping of str to path
        Named input and output files; each is hashed.
    parameters : Mapping
        Every parameter of the run (JSON-serialisable); ``extract_date`` is also
        copied to the top level.
    seeds : Mapping of str to int, optional
        Random seeds used (none for the counting engine).

    Returns
    -------
    pathlib.Path
        ``path``.

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
    from pbr import __version__

    target = Path(path)
    folder = target.resolve().parent
    params = {k: parameters[k] for k in sorted(parameters)}
    data = {
        "format": MANIFEST_FORMAT,
        "pbr_version": __version__,
        "python": platform.python_version(),
        "dependencies": _versions(),
        "command": command,
        "inputs": {name: _input_record(p, folder) for name, p in sorted(inputs.items())},
        "parameters": params,
        "extract_date": params.get("extract_date"),
        "seeds": dict(sorted((seeds or {}).items())),
        "outputs": {name: sha256_file(p) for name, p in sorted(outputs.items())},
    }
    try:
        target.write_text(
            json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    except OSError as exc:
        raise PbrError(f"{target}: cannot write the manifest: {exc.strerror}") from None
    return target


def write_statement(statement: Statement, directory: str | Path) -> Path:
    """Write a statement's files and its manifest into ``directory`` (created if needed).

    Returns
    -------
    pathlib.Path
        The directory.

    Examples
    --------
    >>> import tempfile
    >>> from pbr.contracts import preset
    >>> from pbr.payments import example_assessment, pay
    >>> d = write_statement(pay(preset("tr_crc"), example_assessment()), tempfile.mkdtemp())
    >>> (d / "statement.csv").read_text().splitlines()[0][:30]
    'lot,period,component,item,stat'
    """
    d = Path(directory)
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PbrError(f"{d}: cannot create output directory: {exc.strerror}") from None
    outputs = _render(statement)
    for name, data in outputs.items():
        (d / name).write_bytes(data)
    manifest = _build_manifest(statement, d, outputs)
    (d / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    return d


# --------------------------------------------------------------------------- verify


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify`.

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
    >>> print(r.summary())
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
        """The changed inputs."""
        return self.changed_inputs

    def __bool__(self) -> bool:
        return self.identical

    def summary(self) -> str:
        """A readable report: what changed, and the diff of the lines.

        Examples
        --------
        >>> r = VerifyResult(False, pd.DataFrame({"input": ["measures"], "path": ["m.csv"],
        ...                  "expected_sha256": ["aa"], "actual_sha256": ["bb"]}), {})
        >>> print(r.summary().splitlines()[1])
        input changed: measures (m.csv): sha256 aa -> bb
        """
        if self.identical:
            return "verified: the re-run reproduced every output byte for byte"
        out = ["NOT verified"]
        for r in self.changed_inputs.to_dict("records"):
            out.append(
                f"input changed: {r['input']} ({r['path']}): sha256 "
                f"{r['expected_sha256']} -> {r['actual_sha256']}"
            )
        if self.rerun_error:
            out.append(f"re-run failed: {self.rerun_error}")
        for name, change in sorted(self.environment_changes.items()):
            out.append(f"environment: {name} {change}")
        for name, diff in sorted(self.differences.items()):
            out.append(f"--- {name} differs:")
            out.append(diff)
        return "\n".join(out)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


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
        A directory written by :func:`write_statement` / ``pbr pay``.

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
    if not manifest.data.get("rerunnable"):
        rerun_error = "statement written from the Python API without input files: not re-runnable"
    else:
        with tempfile.TemporaryDirectory(prefix="pbr-verify-") as tmp:
            try:
                statement = _rerun(manifest, paths)
                outputs = _render(statement)
            except PbrError as exc:
                rerun_error = f"{type(exc).__name__}: {exc}"
            else:
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


def _changed_preset(manifest: Manifest) -> list[dict[str, Any]]:
    """The shipped preset a statement was paid under, if its text is no longer the same."""
    from pbr import contracts

    rec = manifest.data.get("contract", {})
    if not isinstance(rec, Mapping) or not rec.get("preset"):
        return []
    name = str(rec["preset"])
    try:
        actual = hashlib.sha256(contracts.preset_text(name).encode()).hexdigest()
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
    from pbr import __version__

    now = {"pbr": __version__, "python": platform.python_version(), **_versions()}
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
    from pbr.payments import pay_from_files

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
