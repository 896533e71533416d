"""A statement's files and its manifest (docs/methodology.md, "Statement files and manifest").

A written statement directory holds::

    statement.csv      one row per line, money as plain decimal strings (2 dp)
    statement.json     {"contract", "scheme", "provisional", "parameters", "total",
                       "totals_by_lot", "lines"} with money as strings
    statement.parquet  explicit Arrow schema; price decimal128(18, 4), amount decimal128(18, 2)
    manifest.json      what produced them (:mod:`pbr.provenance`)

The manifest records the pbr version, Python and key dependency versions, the
command and all its parameters (extract date, allow_interim, seeds — pbr's
payment engine draws no random numbers, so ``seeds`` is empty), the contract
(preset name or file, with the SHA-256 of its bytes and of its canonical TOML),
every input file with its SHA-256 and its path both relative to the statement
directory and absolute, and the SHA-256 of every output file. There is no
timestamp anywhere, so the same inputs give byte-identical outputs *and*
manifest.

Examples
--------
>>> import tempfile
>>> from pbr.payments._examples import example_statement
>>> d = write_statement(example_statement(), tempfile.mkdtemp())
>>> (d / "statement.csv").read_text().splitlines()[0][:30]
'lot,period,component,item,stat'
"""

from __future__ import annotations

import decimal
import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pbr.contracts import MONEY_CONTEXT, preset_text
from pbr.errors import PbrError
from pbr.payments.lines import LINE_KINDS, MONEY_COLUMNS
from pbr.provenance import (
    Manifest,
    directory_record,
    input_record,
    run_manifest,
    sha256_bytes,
    write_outputs,
)

if TYPE_CHECKING:
    from pbr.payments.statement import Statement

__all__ = ["OUTPUT_FILES", "render", "statement_manifest", "write_statement"]

#: The statement files, in the order they are written (the manifest is written last).
OUTPUT_FILES = ("statement.csv", "statement.json", "statement.parquet")


def _money_str(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{Decimal(v):f}"


def _csv_bytes(s: Statement) -> bytes:
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
        # the run's parameters, bound to a hashed output: an edit of the manifest's
        # parameters is detected even when the re-run would not differ (pbr.pipeline.verify)
        "parameters": dict(sorted(dict((s.provenance or {}).get("parameters", {})).items())),
        "total": f"{s.total:f}",
        "totals_by_lot": {
            r["lot"]: f"{r['total']:f}" for r in s.totals_by_lot().to_dict("records")
        },
        "lines": lines,
    }
    return (json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()


def _parquet_bytes(s: Statement) -> bytes:
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


def render(s: Statement) -> dict[str, bytes]:
    """The bytes of each statement file (name → bytes), byte-identical for the same statement.

    Examples
    --------
    >>> from pbr.payments._examples import example_statement
    >>> sorted(render(example_statement()))
    ['statement.csv', 'statement.json', 'statement.parquet']
    """
    with decimal.localcontext(MONEY_CONTEXT):
        return {
            "statement.csv": _csv_bytes(s),
            "statement.json": _json_bytes(s),
            "statement.parquet": _parquet_bytes(s),
        }


def statement_manifest(
    s: Statement, directory: str | Path, outputs: Mapping[str, bytes]
) -> Manifest:
    """The manifest of statement ``s`` written with ``outputs`` into ``directory``.

    The inputs and parameters come from ``s.provenance`` (recorded by
    :func:`pbr.pipeline.pay_from_files`); a statement paid in Python without
    input files records none and is marked not re-runnable.

    Examples
    --------
    >>> import tempfile
    >>> from pbr.payments._examples import example_statement
    >>> s = example_statement()
    >>> m = statement_manifest(s, tempfile.mkdtemp(), render(s))
    >>> m.data["rerunnable"], m.data["total"]
    (False, '75000.00')
    """
    here = Path(directory)
    prov = dict(s.provenance)
    contract_rec: dict[str, Any] = {
        "name": s.contract.name,
        "canonical_toml_sha256": sha256_bytes(s.contract.to_toml().encode()),
    }
    contract_source = prov.get("contract")
    inputs: dict[str, Any] = {}
    if isinstance(contract_source, Mapping) and "preset" in contract_source:
        name = contract_source["preset"]
        contract_rec["preset"] = name
        contract_rec["sha256"] = sha256_bytes(preset_text(name).encode())
    elif isinstance(contract_source, Mapping) and "path" in contract_source:
        inputs["contract"] = input_record(contract_source["path"], here)
    for name, path in sorted(prov.get("inputs", {}).items()):
        if path is not None:
            if Path(path).is_dir():
                for f in sorted(Path(path).rglob("*")):
                    if f.is_file():
                        key = f"{name}/{f.relative_to(path).as_posix()}"
                        inputs[key] = input_record(f, here)
                inputs[name] = directory_record(path, here)
            else:
                inputs[name] = input_record(path, here)
    return run_manifest(
        here,
        command=prov.get("command", "api"),
        inputs={},
        input_records=inputs,
        parameters=dict(prov.get("parameters", {})),
        outputs=outputs,
        extra={
            "rerunnable": bool(prov.get("command")),
            "contract": contract_rec,
            "provisional": s.provisional,
            "total": f"{s.total:f}",
        },
    )


def write_statement(statement: Statement, directory: str | Path) -> Path:
    """Write a statement's files and its manifest into ``directory`` (created if needed).

    Returns
    -------
    pathlib.Path
        The directory.

    Examples
    --------
    >>> import tempfile
    >>> from pbr.payments._examples import example_statement
    >>> d = write_statement(example_statement(), tempfile.mkdtemp())
    >>> sorted(p.name for p in d.iterdir())
    ['manifest.json', 'statement.csv', 'statement.json', 'statement.parquet']
    """
    d = Path(directory)
    outputs = render(statement)
    manifest = statement_manifest(statement, d, outputs)
    write_outputs({d / name: data for name, data in outputs.items()}, manifest, d / "manifest.json")
    return d
