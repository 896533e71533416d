"""Audit: byte-identical statement files, manifests, verify detects tampering."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pbr.contracts import preset
from pbr.errors import VerificationError
from pbr.payments import pay, write_statement
from pbr.pipeline import VerifyResult, pay_from_files, verify
from pbr.provenance import Manifest, sha256_file

CONTRACT = """
name = "audit test"
scheme = "custom"

[binary]
price_per_reoffender_avoided = "1000.00"
deduction_price = "800.00"

[frequency]
price_per_reoffence_avoided = "10.00"
binary_hurdle = true

[[fee_for_service]]
name = "starts"
unit = "start"
price_per_unit = "120.50"

[caps]
pbr_income_per_lot_per_year = "70000.00"
"""


def _inputs(d: Path) -> dict[str, Path]:
    d.mkdir(parents=True, exist_ok=True)
    m = pd.DataFrame(
        {
            "lot": ["CPA02", "CPA01", "CPA01", "CPA01"],
            "period": ["2015Q4", "2015Q4", "2016Q1", "2015/16"],
            "cohort_size": [1000, 800, 800, 1600],
            "reoffenders": [450, 430, 340, 720],
            "reoffences": [1800, 1700, 1100, 2600],
            "expected_reoffenders": [500.0, 400.0, 400.0, 800.0],
            "expected_variance": [250.0, 200.0, 200.0, 400.0],
            "baseline_binary": [0.5, 0.5, 0.5, 0.5],
            "baseline_frequency": [None, None, None, 4.0],
            "status": ["final"] * 4,
        }
    )
    m.to_csv(d / "measures.csv", index=False)
    (d / "contract.toml").write_text(CONTRACT, encoding="utf-8")
    pd.DataFrame(
        {"lot": ["CPA01"], "period": ["2015/16"], "unit": ["start"], "volume": [37]}
    ).to_csv(d / "volumes.csv", index=False)
    return {
        "measures": d / "measures.csv",
        "contract": d / "contract.toml",
        "volumes": d / "volumes.csv",
    }


def _run(files: dict[str, Path], out: Path) -> Path:
    s = pay_from_files(files["contract"], measures=files["measures"], volumes=files["volumes"])
    return s.write(out)


FILES = ("statement.csv", "statement.json", "statement.parquet", "manifest.json")


def test_outputs_byte_identical_across_runs(tmp_path: Path) -> None:
    files = _inputs(tmp_path / "in")
    a = _run(files, tmp_path / "a")
    b = _run(files, tmp_path / "b")
    for name in FILES[:3]:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ma, mb = Manifest.read(a).data, Manifest.read(b).data
    assert ma["outputs"] == mb["outputs"]
    assert ma["inputs"]["measures"]["sha256"] == mb["inputs"]["measures"]["sha256"]
    # same output directory twice: the manifest itself is byte-identical too
    c = _run(files, tmp_path / "a")
    assert (c / "manifest.json").read_bytes() == (a / "manifest.json").read_bytes()


def test_manifest_contents(tmp_path: Path) -> None:
    files = _inputs(tmp_path / "in")
    out = _run(files, tmp_path / "out")
    m = Manifest.read(out).data
    assert m["format"] == "pbr-manifest/1"
    assert m["command"] == "pay" and m["rerunnable"] is True
    assert set(m["dependencies"]) >= {"numpy", "pandas", "pyarrow", "scipy"}
    assert m["python"].count(".") == 2
    assert m["inputs"]["measures"]["path"] == "../in/measures.csv"
    assert m["inputs"]["measures"]["sha256"] == sha256_file(files["measures"])
    assert m["inputs"]["contract"]["sha256"] == sha256_file(files["contract"])
    assert m["outputs"]["statement.csv"] == sha256_file(out / "statement.csv")
    assert m["parameters"] == {"allow_interim": False, "extract_date": None}
    assert m["seeds"] == {}
    text = (out / "manifest.json").read_text()
    assert "created" not in text and "timestamp" not in text


def test_statement_formats(tmp_path: Path) -> None:
    files = _inputs(tmp_path / "in")
    out = _run(files, tmp_path / "out")
    s = pay_from_files(files["contract"], measures=files["measures"], volumes=files["volumes"])
    # JSON: money as strings, total equals the exact sum
    j = json.loads((out / "statement.json").read_text())
    assert isinstance(j["total"], str)
    assert all(isinstance(ln["amount"], str) for ln in j["lines"])
    assert Decimal(j["total"]) == sum((Decimal(ln["amount"]) for ln in j["lines"]), Decimal(0))
    assert Decimal(j["total"]) == s.total
    # Parquet: explicit decimal schema
    t = pq.read_table(out / "statement.parquet")
    assert t.schema.field("amount").type == pa.decimal128(18, 2)
    assert t.schema.field("price").type == pa.decimal128(18, 4)
    assert t.column("amount").to_pylist() == list(s.lines["amount"])
    # CSV: money printed to the penny
    csv = pd.read_csv(out / "statement.csv", dtype={"amount": str})
    assert csv["amount"].tolist() == [f"{a:f}" for a in s.lines["amount"]]
    # hand check of the components: CPA02 binary 50 × £1000; CPA01 fee 37 × £120.50
    got = {(r["lot"], r["period"], r["component"]): r["amount"] for r in s.lines.to_dict("records")}
    assert got[("CPA02", "2015Q4", "binary")] == Decimal("50000.00")
    assert got[("CPA01", "2015/16", "fee_for_service")] == Decimal("4458.50")
    # CPA01 2016Q1: 60 avoided → £60,000; annual frequency (4.0 - 3.611) × 720 = 280 → £2,800
    assert got[("CPA01", "2016Q1", "binary")] == Decimal("60000.00")
    assert got[("CPA01", "2015/16", "frequency")] == Decimal("2800.00")
    # CPA01 2015/16 PbR income 62,800 (the 2015Q4 quarter is a deduction): under the cap
    assert ("CPA01", "2015/16", "cap") not in got


def test_clean_rerun_verifies(tmp_path: Path) -> None:
    out = _run(_inputs(tmp_path / "in"), tmp_path / "out")
    r = verify(out)
    assert r.identical and bool(r)
    assert r.changed_inputs.empty
    assert "verified" in str(r)


@pytest.mark.parametrize("name", ["measures", "contract", "volumes"])
def test_one_byte_tampering_is_detected_and_named(tmp_path: Path, name: str) -> None:
    files = _inputs(tmp_path / "in")
    out = _run(files, tmp_path / "out")
    data = bytearray(files[name].read_bytes())
    pos = data.rindex(b"0")  # a digit inside the data (price, count or volume)
    data[pos : pos + 1] = b"1"
    files[name].write_bytes(bytes(data))
    r = verify(out)
    assert not r.identical
    assert r.changed_inputs["input"].tolist() == [name]
    assert f"input changed: {name}" in str(r.summary())


def test_changed_input_is_reported_and_not_parsed(tmp_path: Path) -> None:
    # hash before parse: a changed input is named, nothing is re-run, no row of it is shown
    files = _inputs(tmp_path / "in")
    out = _run(files, tmp_path / "out")
    files["measures"].write_text(files["measures"].read_text().replace(",450,", ",451,"))
    r = verify(out)
    assert not r.identical
    assert r.changed_inputs["input"].tolist() == ["measures"]
    assert r.differences == {} and "input(s) changed" in str(r.rerun_error)
    assert "451" not in str(r)


def test_changed_line_shown_in_diff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a re-run that differs with unchanged inputs (e.g. a new pbr) shows only the changed line
    import sys

    verify_module = sys.modules["pbr.pipeline.verify"]  # the package exports verify()

    files = _inputs(tmp_path / "in")
    out = _run(files, tmp_path / "out")
    real = verify_module._rerun

    def rerun_with_changed_table(manifest: object, paths: dict[str, Path]) -> object:
        files["measures"].write_text(files["measures"].read_text().replace(",450,", ",451,"))
        return real(manifest, paths)  # type: ignore[arg-type]

    monkeypatch.setattr(verify_module, "_rerun", rerun_with_changed_table)
    r = verify(out)
    diff = r.differences["statement.csv"]
    assert "-CPA02,2015Q4,binary" in diff and "+CPA02,2015Q4,binary" in diff
    assert "50000.00" in diff and "49000.00" in diff
    assert "CPA01" not in diff  # only the changed line is shown
    assert "manifest.json: total" in r.differences  # every manifest field is compared


def test_tampered_output_detected(tmp_path: Path) -> None:
    out = _run(_inputs(tmp_path / "in"), tmp_path / "out")
    p = out / "statement.csv"
    p.write_bytes(p.read_bytes().replace(b"50000.00", b"50000.01"))
    r = verify(out)
    assert not r.identical
    assert "does not match the hash" in r.differences["statement.csv"]


def test_moved_directory_falls_back_to_absolute_paths(tmp_path: Path) -> None:
    out = _run(_inputs(tmp_path / "in"), tmp_path / "out")
    moved = tmp_path / "deeper" / "moved"
    moved.parent.mkdir()
    out.rename(moved)
    assert verify(moved).identical


def test_missing_manifest_or_input(tmp_path: Path) -> None:
    with pytest.raises(VerificationError, match=r"manifest\.json not found"):
        verify(tmp_path)
    files = _inputs(tmp_path / "in")
    out = _run(files, tmp_path / "out")
    files["volumes"].unlink()
    with pytest.raises(VerificationError, match="input volumes"):
        verify(out)
    (out / "manifest.json").write_text("{not json")
    with pytest.raises(VerificationError, match="not a valid manifest"):
        verify(out)


def test_preset_contract_recorded(tmp_path: Path) -> None:
    files = _inputs(tmp_path / "in")
    out = pay_from_files("tr_crc", measures=files["measures"]).write(tmp_path / "out")
    m = Manifest.read(out).data
    assert m["contract"]["preset"] == "tr_crc" and "contract" not in m["inputs"]
    assert verify(out).identical


def test_api_statement_is_not_rerunnable(tmp_path: Path) -> None:
    t = pd.DataFrame(
        {
            "lot": ["A"],
            "period": ["2015Q4"],
            "cohort_size": [100],
            "reoffenders": [50],
            "baseline_binary": [0.5],
        }
    )
    out = write_statement(pay(preset("tr_crc"), t), tmp_path / "out")
    r = verify(out)
    assert not r.identical and r.rerun_error is not None and "not re-runnable" in r.rerun_error
    assert isinstance(r, VerifyResult) and "re-run failed" in r._repr_html_()


def test_environment_changes_reported(tmp_path: Path) -> None:
    out = _run(_inputs(tmp_path / "in"), tmp_path / "out")
    assert verify(out).environment_changes == {}
    m = json.loads((out / "manifest.json").read_text())
    m["dependencies"]["pandas"] = "0.0.1"
    (out / "manifest.json").write_text(json.dumps(m))
    r = verify(out)
    assert r.identical  # informational only
    assert r.environment_changes["pandas"].startswith("0.0.1 -> ")


def test_changed_preset_text_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A statement paid under a shipped preset records the preset text's SHA-256; if the preset
    # differs at verify time (another pbr version), verify names the contract as the change.
    import pbr.contracts.presets

    files = _inputs(tmp_path / "in")
    out = pay_from_files("tr_crc", measures=files["measures"]).write(tmp_path / "out")
    original = pbr.contracts.presets.preset_text

    def edited(name: str) -> str:
        return original(name).replace('deduction_price = "1500.00"', 'deduction_price = "1.00"')

    monkeypatch.setattr(pbr.contracts.presets, "preset_text", edited)  # where presets are read
    r = verify(out)
    assert not r.identical
    assert r.changed_inputs["input"].tolist() == ["contract"]
    assert "input changed: contract (preset tr_crc)" in str(r.summary())


def test_amount_too_large_for_parquet_decimal_is_a_clear_error(tmp_path: Path) -> None:
    # £99,999,999,999,999 per reoffender × 50 = £5.0e15: fits decimal128(18, 2) (16 integer
    # digits); × 5 000 avoided does not, and must be a PbrError naming the column, not an
    # Arrow traceback.
    from pbr.contracts import BinaryComponent, Contract
    from pbr.errors import PbrError
    from pbr.payments import example_assessment

    big = Decimal("99999999999999")
    c = Contract(name="big", binary=BinaryComponent(big, big))
    write_statement(pay(c, example_assessment()), tmp_path / "ok")
    t = example_assessment(
        45000, cohort_size=100000, expected_reoffenders=50000.0, expected_variance=25000.0
    )
    with pytest.raises(PbrError, match=r"amount: .*decimal128\(18, 2\)"):
        write_statement(pay(c, t), tmp_path / "too_big")


def test_the_version_is_defined_once_in_provenance() -> None:
    # pbr.__version__ re-exports pbr.provenance.__version__, and the package metadata
    # (pyproject.toml) reads the version from that line rather than repeating it.
    import tomllib

    import pbr
    import pbr.provenance

    assert pbr.__version__ is pbr.provenance.__version__
    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/pbr/provenance.py"


def test_a_manifest_records_the_bytes_written(tmp_path: Path) -> None:
    # write_outputs writes every file, then the manifest whose output hashes are those bytes
    from pbr.provenance import run_manifest, sha256_bytes, write_outputs

    (tmp_path / "in.csv").write_bytes(b"x\n")
    m = run_manifest(
        tmp_path / "new",  # the manifest's folder: input paths are relative to it
        command="t",
        inputs={"cohort": tmp_path / "in.csv"},
        parameters={"extract_date": "2018-06-30", "b": 1},
        outputs={"out.csv": b"y\n"},
    )
    path = write_outputs({tmp_path / "new" / "out.csv": b"y\n"}, m, tmp_path / "new" / "m.json")
    data = Manifest.read_file(path).data
    assert (tmp_path / "new" / "out.csv").read_bytes() == b"y\n"
    assert data["outputs"] == {"out.csv": sha256_bytes(b"y\n")}
    assert data["inputs"]["cohort"] == {
        "path": "../in.csv",
        "absolute": str((tmp_path / "in.csv").resolve()),
        "sha256": sha256_file(tmp_path / "in.csv"),
    }
    assert data["extract_date"] == "2018-06-30" and data["seeds"] == {}
