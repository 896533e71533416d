"""Complete verification: every listed file is hashed, every manifest field compared."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import given

from pbr.cli import main
from pbr.payments import example_assessment
from pbr.provenance import Manifest


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("v")
    example_assessment(400, lot="CPA01").to_csv(root / "m.csv", index=False)
    args = ["pay", "--contract", "tr_crc", "--measures", str(root / "m.csv")]
    assert main([*args, "--out", str(root / "out"), "--html"]) == 0
    return root


def _copy(written: Path, dest: Path) -> Path:
    shutil.copytree(written, dest)
    return dest / "out"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total", "150000.01"),
        ("provisional", True),
        ("extract_date", "2019-01-01"),
        ("parameters", {"allow_interim": False, "extract_date": None, "lots": "CPA01"}),
    ],
)
def test_every_manifest_field_is_compared(
    written: Path, tmp_path: Path, field: str, value: object, capsys: pytest.CaptureFixture[str]
) -> None:
    # these fields used to be never compared: an edited total still "verified"
    out = _copy(written, tmp_path / "c")
    data = json.loads((out / "manifest.json").read_text())
    data[field] = value
    Manifest(data).write(out / "manifest.json")
    capsys.readouterr()
    assert main(["verify", str(out)]) == 1
    assert f"manifest.json: {field}" in capsys.readouterr().out


@given(st.data())
def test_a_random_byte_change_in_any_listed_file_fails_verify_naming_it(
    written: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    out = _copy(written, tmp_path_factory.mktemp("t") / "c")
    m = Manifest.read(out)
    listed = {name: out / name for name in m.outputs}
    listed.update({name: out / str(rec["path"]) for name, rec in m.inputs.items()})
    name = data.draw(st.sampled_from(sorted(listed)), label="file")
    path = listed[name]
    raw = bytearray(path.read_bytes())
    i = data.draw(st.integers(0, len(raw) - 1), label="offset")
    raw[i] = (raw[i] + data.draw(st.integers(1, 255), label="delta")) % 256
    path.write_bytes(bytes(raw))
    rc = main(["verify", str(out)])
    assert rc == 1
    # the report names the file: an input by its manifest name, an output by its file name

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        main(["verify", str(out)])
    assert name in buf.getvalue()


@pytest.mark.parametrize(
    ("parameters"),
    [
        {"allow_interim": True, "extract_date": None},  # no interim row: the re-run is the same
        {"allow_interim": False, "extract_date": "2018-06-30"},  # unused by the aggregate path
    ],
)
def test_an_edited_parameter_is_found_even_when_the_rerun_would_not_differ(
    written: Path, tmp_path: Path, parameters: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    # the re-run takes its parameters from the manifest, so it agreed with any edit that did
    # not change a figure; statement.json (hashed) records the parameters the run used
    out = _copy(written, tmp_path / "c")
    data = json.loads((out / "manifest.json").read_text())
    assert data["parameters"] == {"allow_interim": False, "extract_date": None}
    data["parameters"] = parameters
    Manifest(data).write(out / "manifest.json")
    capsys.readouterr()
    assert main(["verify", str(out)]) == 1
    text = capsys.readouterr().out
    assert "manifest.json: parameters" in text
    assert "the hashed statement.json records" in text


def _manifest_json(written: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((written / "out" / "manifest.json").read_text())
    return data


@pytest.mark.parametrize(
    ("edit", "column", "code"),
    [
        (lambda d: d.pop("outputs"), "outputs", "missing_field"),
        (lambda d: d.pop("command"), "command", "missing_field"),
        (lambda d: d.update(format="pbr-manifest/2"), "format", "unknown_version"),
        (lambda d: d.update(parameters=[1]), "parameters", "wrong_type"),
        (
            lambda d: d["outputs"].update({"statement.csv": "ABC123"}),
            "outputs.statement.csv",
            "bad_hash",
        ),
        (
            lambda d: d["inputs"]["measures"].update(sha256="0" * 63),
            "inputs.measures.sha256",
            "bad_hash",
        ),
    ],
)
def test_an_invalid_manifest_is_exit_2_with_the_failure_table(
    written: Path,
    tmp_path: Path,
    edit: object,
    column: str,
    code: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = _copy(written, tmp_path / "c")
    data = _manifest_json(written)
    edit(data)  # type: ignore[operator]
    (out / "manifest.json").write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["verify", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "is not a valid manifest" in err
    line = next(x for x in err.splitlines() if column in x.split())
    assert line.split()[0] == "manifest" and f"{code}:" in line


def test_malformed_manifest_json_names_line_and_column(
    written: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _copy(written, tmp_path / "c")
    text = (out / "manifest.json").read_text()
    (out / "manifest.json").write_text(text.replace('"command"', "command", 1))
    capsys.readouterr()
    assert main(["verify", str(out)]) == 2
    err = capsys.readouterr().err
    assert "malformed_json:" in err and "line " in err and "Traceback" not in err
