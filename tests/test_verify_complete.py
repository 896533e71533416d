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
