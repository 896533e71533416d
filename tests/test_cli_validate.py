"""``pbr validate`` (SPEC §10): exit 0 with a summary, exit 2 with the failure table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pbr.cli import main

ROOT = Path(__file__).resolve().parents[1]
COHORT = (
    "offender_id,lot,index_date,event_type,sex,date_of_birth\n"
    "A1,CPA01,2012-06-15,release,M,1980-02-29\n"
    "B2,Wales,2012-07-01,community_order,F,1975-01-31\n"
)
OFFENCES = (
    "offender_id,offence_date,disposal_date,disposal_type\n"
    "A1,2012-08-01,2012-09-10,conviction\n"
    "B2,2012-08-01,2012-10-01,caution\n"
)


def files(tmp_path: Path, cohort: str = COHORT, offences: str = OFFENCES) -> list[str]:
    c = tmp_path / "cohort.csv"
    o = tmp_path / "offences.csv"
    c.write_text(cohort)
    o.write_text(offences)
    return ["validate", "--cohort", str(c), "--offences", str(o)]


def test_valid_input_exits_0_with_one_line_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([*files(tmp_path), "--extract-date", "2014-12-31"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out == (
        "valid: cohort 2 row(s), offences 2 row(s), extract date 2014-12-31, 0 warning(s)\n"
    )
    assert err == ""


def test_warnings_go_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    offences = OFFENCES + "B2,2012-08-01,2012-10-01,caution\n"
    code = main([*files(tmp_path, offences=offences), "--extract-date", "2014-12-31"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "1 warning(s)" in out
    assert err.startswith("warning: offences: 1 row(s) are exact duplicates")


def test_invalid_input_exits_2_naming_value_and_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cohort = COHORT + "C3,Atlantis,2012-07-01,release,M,1975-01-31\n"
    offences = OFFENCES.replace("2012-10-01", "2012-07-01")
    code = main([*files(tmp_path, cohort, offences), "--extract-date", "2014-12-31"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == "pbr validate: invalid input"
    assert "are invalid: 2 failure(s)" in lines[1]
    cohort_line = next(line for line in lines if "Atlantis" in line)
    assert cohort_line.split()[:4] == ["cohort", "3", "lot", "Atlantis"]
    offence_line = next(line for line in lines if "disposal_date before" in line)
    assert offence_line.split()[:4] == ["offences", "2", "disposal_date", "2012-07-01"]
    assert "Traceback" not in err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = files(tmp_path)
    args[2] = str(tmp_path / "nope.parquet")
    code = main([*args, "--extract-date", "2014-12-31"])
    err = capsys.readouterr().err
    assert code == 2
    assert "nope.parquet" in err and "file not found" in err


def test_bad_extract_date_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main([*files(tmp_path), "--extract-date", "31/12/2014"])
    err = capsys.readouterr().err
    assert code == 2
    assert "extract_date must be an ISO date YYYY-MM-DD, got '31/12/2014'" in err


def test_date_after_extract_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main([*files(tmp_path), "--extract-date", "2012-09-30"])
    err = capsys.readouterr().err
    assert code == 2
    assert "date after the extract date (2012-09-30)" in err
    assert "2012-10-01" in err


def test_custom_lots_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lots = tmp_path / "lots.csv"
    lots.write_text("code,name,provider\nCPA01,North,P\nX9,Wales,Q\n")
    code = main([*files(tmp_path), "--extract-date", "2014-12-31", "--lots", str(lots)])
    assert code == 0
    assert capsys.readouterr().out.startswith("valid: cohort 2 row(s)")
    lots.write_text("code,name,provider\nX9,Wales,Q\n")
    code = main([*files(tmp_path), "--extract-date", "2014-12-31", "--lots", str(lots)])
    err = capsys.readouterr().err
    assert code == 2 and "CPA01" in err and "unknown lot" in err


def test_missing_required_argument_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(files(tmp_path))
    assert info.value.code == 2
    assert "--extract-date" in capsys.readouterr().err


def test_bundled_sample_data_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    sample = ROOT / "data" / "sample"
    extract = json.loads((sample / "truth.json").read_text())["extract_date"]
    code = main(
        [
            "validate",
            "--cohort",
            str(sample / "cohort.parquet"),
            "--offences",
            str(sample / "offences.parquet"),
            "--extract-date",
            extract,
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("valid: cohort ")
