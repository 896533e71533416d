"""SPEC §9: a measures table carries a manifest (versions, input/output SHA-256, parameters)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pbr.cli import main
from pbr.provenance import sha256_file
from pbr.sample import sample_paths

from ._helpers import sample_microdata_args


def _run(out: Path, *extra: str) -> int:
    return main(
        [
            "measures",
            *sample_microdata_args(),
            "--period",
            "financial_year",
            "--rules",
            "convictions_only",
            "--out",
            str(out),
            *extra,
        ]
    )


def test_measures_csv_has_a_manifest(tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    assert _run(out) == 0
    man = json.loads((tmp_path / "m.manifest.json").read_text(encoding="utf-8"))
    files = sample_paths()
    assert man["command"] == "measures"
    assert man["inputs"]["cohort"]["sha256"] == sha256_file(files["cohort"])
    assert man["inputs"]["offences"]["sha256"] == sha256_file(files["offences"])
    assert man["outputs"]["measures"] == sha256_file(out)
    assert man["extract_date"] == "2018-06-30"
    assert man["parameters"]["period"] == "financial_year"
    assert man["parameters"]["rules"] == "convictions_only"
    assert man["parameters"]["follow_up_months"] == 12 and man["parameters"]["waiting_months"] == 6
    import pbr

    assert man["pbr_version"] == pbr.__version__
    assert set(man["dependencies"]) >= {"numpy", "pandas", "pyarrow", "scipy", "statsmodels"}


def test_measures_manifest_is_byte_identical_on_rerun(tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    assert _run(out) == 0
    first = (tmp_path / "m.manifest.json").read_bytes(), out.read_bytes()
    assert _run(out) == 2  # an existing output is never replaced silently
    assert _run(out, "--force") == 0
    assert ((tmp_path / "m.manifest.json").read_bytes(), out.read_bytes()) == first


def test_unwritable_manifest_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m.csv"
    (tmp_path / "m.manifest.json").mkdir()  # a folder where the manifest should go
    assert _run(out) == 2
    assert "cannot write the manifest" in capsys.readouterr().err
