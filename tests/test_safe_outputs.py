"""Safe outputs of ``pbr pay``: staged then renamed; --out never overwrites an input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pbr.cli import main
from pbr.payments import example_assessment

_A = ["pay", "--contract", "tr_crc", "--measures"]


def _table(tmp_path: Path) -> Path:
    path = tmp_path / "m.csv"
    example_assessment(400, lot="CPA01").to_csv(path, index=False)
    return path


def test_out_equal_to_or_containing_an_input_is_refused_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the manifest used to record the output's hash as the input's
    m = _table(tmp_path)
    before = m.read_bytes()
    assert main([*_A, str(m), "--out", str(tmp_path)]) == 2
    assert "contains the input" in capsys.readouterr().err
    assert main([*_A, str(m), "--out", str(m), "--force"]) == 2
    assert m.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.csv"]


def test_existing_non_empty_out_needs_force_which_replaces_it(tmp_path: Path) -> None:
    m = _table(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.txt").write_text("old run")
    assert main([*_A, str(m), "--out", str(out)]) == 2
    assert sorted(p.name for p in out.iterdir()) == ["stale.txt"]
    assert main([*_A, str(m), "--out", str(out), "--force"]) == 0
    assert "stale.txt" not in {p.name for p in out.iterdir()}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_run_interrupted_while_writing_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a SIGINT (or a full disk) after the statement but before the page: no half folder
    m = _table(tmp_path)

    def interrupted(*args: object, **kw: object) -> Path:
        raise KeyboardInterrupt

    import pbr.report

    monkeypatch.setattr(pbr.report, "write_statement_report", interrupted)
    out = tmp_path / "out"
    assert main([*_A, str(m), "--out", str(out), "--html"]) == 1
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.csv"]


def test_the_manifest_lists_and_hashes_statement_html(tmp_path: Path) -> None:
    m = _table(tmp_path)
    out = tmp_path / "out"
    assert main([*_A, str(m), "--out", str(out), "--html"]) == 0
    outputs = json.loads((out / "manifest.json").read_text())["outputs"]
    assert sorted(outputs) == sorted(p.name for p in out.iterdir() if p.name != "manifest.json")
    assert "statement.html" in outputs
    # an edited page no longer verifies
    page = out / "statement.html"
    page.write_text(page.read_text().replace("Payment statement", "Payment statemenT", 1))
    assert main(["verify", str(out)]) == 1


def test_measures_out_that_is_an_input_is_refused(tmp_path: Path) -> None:
    from pbr.sample import sample_paths

    src = sample_paths()
    cohort = tmp_path / "cohort.parquet"
    cohort.write_bytes(src["cohort"].read_bytes())
    before = cohort.read_bytes()
    argv = ["measures", "--cohort", str(cohort), "--offences", str(src["offences"])]
    argv += ["--extract-date", "2018-06-30", "--no-validate", "--out", str(cohort)]
    assert main(argv) == 2
    assert cohort.read_bytes() == before
