r"""Provenance: the pbr version, file hashes and the audit manifest.

See docs/methodology.md, "Statement files and manifest".

A leaf module: it imports nothing from pbr but :mod:`pbr.errors`, so every layer
(payments, pipeline, report, CLI) can record where its outputs came from without
importing any other.

A manifest (``pbr-manifest/1``) is a JSON object with sorted keys and no
timestamp, so the same run writes the same bytes. It records the pbr, Python
and key dependency versions, the command and its parameters, the extract
date, any seeds, every input file with its SHA-256 and its path both relative
to the manifest's folder and absolute, and the SHA-256 of every output file.
:func:`write_outputs` is the one function that writes a run's output files
together with their manifest.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "in.csv").write_text("a,1\n")
>>> m = run_manifest(d, command="measures", inputs={"cohort": d / "in.csv"},
...                  parameters={"extract_date": "2018-06-30"},
...                  outputs={"m.csv": b"b,2\n"})
>>> path = write_outputs({d / "m.csv": b"b,2\n"}, m, d / "m.manifest.json")
>>> Manifest.read_file(path).outputs["m.csv"] == sha256_bytes(b"b,2\n")
True
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn

from pbr.errors import ManifestError, PbrError, VerificationError

__all__ = [
    "DEPENDENCIES",
    "MANIFEST_FORMAT",
    "Manifest",
    "__version__",
    "check_manifest",
    "directory_record",
    "environment",
    "input_record",
    "run_manifest",
    "sha256_bytes",
    "sha256_file",
    "versions",
    "write_outputs",
]

#: The pbr version: defined here once (``pyproject.toml`` reads it from this line).
__version__ = "0.1.0"

#: The manifest format written and accepted by this version.
MANIFEST_FORMAT = "pbr-manifest/1"

#: Dependencies whose versions every manifest records.
DEPENDENCIES = ("numpy", "pandas", "pyarrow", "scipy", "statsmodels")


def sha256_bytes(data: bytes) -> str:
    """SHA-256 hex digest of ``data``.

    Examples
    --------
    >>> sha256_bytes(b"abc")[:12]
    'ba7816bf8f01'
    """
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes (read in 1 MiB chunks).

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


def versions() -> dict[str, str]:
    """Installed version of each of :data:`DEPENDENCIES` (``not installed`` when absent).

    Examples
    --------
    >>> sorted(versions()) == sorted(DEPENDENCIES)
    True
    """
    out = {}
    for name in DEPENDENCIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def environment() -> dict[str, str]:
    """The running pbr, Python and dependency versions (keys ``pbr``, ``python``, ...).

    Examples
    --------
    >>> environment()["pbr"] == __version__
    True
    """
    return {"pbr": __version__, "python": platform.python_version(), **versions()}


def _relative(path: Path, folder: Path) -> str:
    try:
        rel = os.path.relpath(path, folder.resolve())
    except ValueError:  # different drive on Windows
        rel = str(path)
    return Path(rel).as_posix()


def input_record(path: str | Path, folder: str | Path) -> dict[str, str]:
    """A manifest record of one input file: its path relative to ``folder``, absolute, SHA-256.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "x.csv").write_bytes(b"abc")
    >>> r = input_record(d / "x.csv", d)
    >>> r["path"], r["sha256"][:6]
    ('x.csv', 'ba7816')
    """
    p = Path(path).resolve()
    return {"path": _relative(p, Path(folder)), "absolute": str(p), "sha256": sha256_file(p)}


def directory_record(path: str | Path, folder: str | Path) -> dict[str, str]:
    """A manifest record of an input directory (its files are recorded one by one).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> directory_record(d, d)["kind"]
    'directory'
    """
    p = Path(path).resolve()
    return {"path": _relative(p, Path(folder)), "absolute": str(p), "kind": "directory"}


@dataclass(frozen=True)
class Manifest:
    """The provenance record of a run (``manifest.json`` / ``*.manifest.json``).

    Attributes
    ----------
    data : Mapping
        The parsed JSON: ``format, pbr_version, python, dependencies, command,
        inputs, parameters, extract_date, seeds, outputs`` (and for a payment
        statement ``contract, rerunnable, provisional, total``).

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
        return cls.read_file(Path(directory) / "manifest.json")

    @classmethod
    def read_file(cls, path: str | Path) -> Manifest:
        """Read a manifest file (any name), checking its format.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.json"
        >>> _ = p.write_text('{"format": "other"}')
        >>> Manifest.read_file(p)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        pbr.errors.ManifestError: ...m.json is not a valid manifest: ... failure(s)
        ...
        """
        path = Path(path)
        if not path.is_file():
            raise VerificationError(f"{path}: {path.name} not found")
        raw = path.read_bytes()
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            _manifest_error(path, [("-", "-", f"byte offset {exc.start}", "not_utf8: not UTF-8")])
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno} column {exc.colno}"
            _manifest_error(path, [("-", "-", where, f"malformed_json: {exc.msg}")])
        return cls(check_manifest(data, str(path)))

    def to_json(self) -> str:
        r"""Canonical JSON text (sorted keys, 2-space indent, trailing newline).

        Examples
        --------
        >>> Manifest({"b": 1, "a": 2}).to_json()
        '{\n  "a": 2,\n  "b": 1\n}\n'
        """
        return json.dumps(self.data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def write(self, path: str | Path) -> Path:
        r"""Write :meth:`to_json` to ``path`` (UTF-8); returns the path.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = Manifest({"a": 1}).write(pathlib.Path(tempfile.mkdtemp()) / "m.json")
        >>> p.read_text()
        '{\n  "a": 1\n}\n'
        """
        target = Path(path)
        try:
            target.write_text(self.to_json(), encoding="utf-8")
        except OSError as exc:
            raise PbrError(f"{target}: cannot write the manifest: {exc.strerror}") from None
        return target


#: Top-level fields every manifest has (and their JSON type).
_REQUIRED = {
    "format": str,
    "pbr_version": str,
    "command": str,
    "inputs": dict,
    "parameters": dict,
    "outputs": dict,
}
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _manifest_error(path: str | Path, rows: list[tuple[str, str, str, str]]) -> NoReturn:
    import pandas as pd  # only to build the failure table

    failures = pd.DataFrame(rows, columns=["row", "column", "value", "reason"])
    failures.insert(0, "table", "manifest")
    raise ManifestError(f"{path} is not a valid manifest", failures)


def check_manifest(data: Any, label: str = "manifest") -> dict[str, Any]:
    """Check a parsed manifest; return it, or raise one :class:`~pbr.errors.ManifestError`.

    Every failure at once (table ``manifest``; ``column`` is the field, e.g.
    ``inputs.cohort.sha256``), each reason starting with its code
    (docs/methodology.md#validation): ``not_an_object``, ``missing_field``,
    ``wrong_type``, ``unknown_version`` (a format other than
    :data:`MANIFEST_FORMAT`), ``bad_hash`` (not 64 lower-case hex digits).

    Examples
    --------
    >>> try:
    ...     check_manifest({"format": MANIFEST_FORMAT, "pbr_version": "0.1.0", "command": "pay",
    ...                     "inputs": {}, "parameters": {}, "outputs": {"a.csv": "xyz"}})
    ... except VerificationError as err:
    ...     print(err.failures[["column", "value", "reason"]].values.tolist())
    [['outputs.a.csv', 'xyz', 'bad_hash: not a SHA-256 (64 lower-case hex digits)']]
    """
    if not isinstance(data, dict):
        _manifest_error(
            label, [("-", "-", type(data).__name__, "not_an_object: not a JSON object")]
        )
    rows: list[tuple[str, str, str, str]] = []
    for key, kind in _REQUIRED.items():
        if key not in data:
            rows.append(("-", key, "<missing>", "missing_field: every manifest has it"))
        elif not isinstance(data[key], kind):
            rows.append(("-", key, repr(data[key])[:40], f"wrong_type: expected a {kind.__name__}"))
    fmt = data.get("format")
    if isinstance(fmt, str) and fmt != MANIFEST_FORMAT:
        rows.append(("-", "format", fmt, f"unknown_version: this pbr reads {MANIFEST_FORMAT}"))
    bad_hash = "bad_hash: not a SHA-256 (64 lower-case hex digits)"
    for name, rec in (
        (data.get("inputs") or {}).items() if isinstance(data.get("inputs"), dict) else ()
    ):
        if not isinstance(rec, dict):
            rows.append(("-", f"inputs.{name}", repr(rec)[:40], "wrong_type: expected an object"))
        elif rec.get("kind") != "directory" and not _SHA256.fullmatch(str(rec.get("sha256", ""))):
            rows.append(
                ("-", f"inputs.{name}.sha256", str(rec.get("sha256", "<missing>")), bad_hash)
            )
    outputs = data.get("outputs")
    for name, digest in outputs.items() if isinstance(outputs, dict) else ():
        if not _SHA256.fullmatch(str(digest)):
            rows.append(("-", f"outputs.{name}", str(digest), bad_hash))
    contract = data.get("contract")
    if (
        isinstance(contract, dict)
        and "sha256" in contract
        and not _SHA256.fullmatch(str(contract["sha256"]))
    ):
        rows.append(("-", "contract.sha256", str(contract["sha256"]), bad_hash))
    if rows:
        _manifest_error(label, rows)
    return data


def run_manifest(
    folder: str | Path,
    *,
    command: str,
    inputs: Mapping[str, str | Path],
    parameters: Mapping[str, Any],
    outputs: Mapping[str, bytes],
    seeds: Mapping[str, int] | None = None,
    extra: Mapping[str, Any] | None = None,
    input_records: Mapping[str, Mapping[str, str]] | None = None,
) -> Manifest:
    """The manifest of a run whose manifest is written in ``folder``.

    Parameters
    ----------
    folder : str or pathlib.Path
        The manifest's folder: input paths are recorded relative to it.
    command : str
        What produced the outputs (``"measures"``, ``"pay"``, ...).
    inputs : Mapping of str to path
        Named input files; each is hashed.
    parameters : Mapping
        Every parameter of the run (JSON-serialisable); ``extract_date`` is also
        copied to the top level.
    outputs : Mapping of str to bytes
        Output name → the bytes written (hashed).
    seeds : Mapping of str to int, optional
        Random seeds used (none for the counting and payment engines).
    extra : Mapping, optional
        Further top-level fields (a statement's ``contract``, ``total``, ...).
    input_records : Mapping, optional
        Ready-made input records (e.g. the files of an input directory), merged
        with those of ``inputs``.

    Returns
    -------
    Manifest

    Examples
    --------
    >>> import tempfile
    >>> m = run_manifest(tempfile.mkdtemp(), command="x", inputs={}, parameters={"k": 1},
    ...                  outputs={"o": b""})
    >>> m.data["command"], m.data["parameters"], m.data["seeds"]
    ('x', {'k': 1}, {})
    """
    here = Path(folder)
    params = {k: parameters[k] for k in sorted(parameters)}
    records: dict[str, Any] = dict(input_records or {})
    records.update({name: input_record(p, here) for name, p in inputs.items()})
    data = {
        "format": MANIFEST_FORMAT,
        "pbr_version": __version__,
        "python": platform.python_version(),
        "dependencies": versions(),
        "command": command,
        "inputs": dict(sorted(records.items())),
        "parameters": params,
        "extract_date": params.get("extract_date"),
        "seeds": dict(sorted((seeds or {}).items())),
        "outputs": {name: sha256_bytes(b) for name, b in sorted(outputs.items())},
        **(extra or {}),
    }
    return Manifest(data)


def add_output(manifest_path: str | Path, name: str) -> Path:
    """Add the file ``name`` beside a written manifest to its hashed outputs (e.g. the HTML).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> m = run_manifest(d, command="x", inputs={}, parameters={}, outputs={})
    >>> _ = m.write(d / "manifest.json")
    >>> _ = (d / "page.html").write_text("x")
    >>> _ = add_output(d / "manifest.json", "page.html")
    >>> list(Manifest.read(d).outputs)
    ['page.html']
    """
    target = Path(manifest_path)
    m = Manifest.read_file(target)
    outputs = dict(m.outputs)
    outputs[name] = sha256_file(target.parent / name)
    data = dict(m.data)
    data["outputs"] = dict(sorted(outputs.items()))
    return Manifest(data).write(target)


def write_outputs(
    files: Mapping[str | Path, bytes],
    manifest: Manifest,
    manifest_path: str | Path,
    *,
    make_dirs: bool = True,
) -> Path:
    """Write a run's output files and then their manifest; returns the manifest's path.

    The one place where pbr writes outputs together with their manifest
    (payment statements, measures tables). With ``make_dirs`` the folders are
    created as needed (a folder that cannot be created is a
    :class:`~pbr.errors.PbrError`); without it they must exist. A file that
    cannot be written raises the ``OSError`` (an environment fault, not bad input).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "new"
    >>> p = write_outputs({d / "a.txt": b"a"}, Manifest({"outputs": {}}), d / "manifest.json")
    >>> sorted(f.name for f in d.iterdir())
    ['a.txt', 'manifest.json']
    """
    target = Path(manifest_path)
    folders = sorted({Path(p).parent for p in files} | {target.parent}) if make_dirs else []
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PbrError(f"{folder}: cannot create output directory: {exc.strerror}") from None
    for path, data in files.items():
        _replace_bytes(Path(path), data)  # each file whole or not at all; the manifest last
    return manifest.write(target)


def _replace_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it onto ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
