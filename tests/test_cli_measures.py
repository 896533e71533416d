"""`pbr measures` (SPEC §10): columns, sorting, deterministic CSV, exit codes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pbr.cli import main
from pbr.measures import MEASURE_COLUMNS

COHORT_CSV = """offender_id,lot,index_date,event_type,sex,date_of_birth
B,CPA02,2015-04-02,release,M,1980-01-01
A,CPA01,2015-01-05,community_order,F,1990-06-30
A,CPA01,2015-02-05,community_order,F,1990-06-30
C,CPA01,2015-01-06,caution,M,1970-01-01
D,CPA01,2015-03-31,release,M,1985-05-05
"""
OFFENCES_CSV = """offender_id,offence_date,disposal_date,disposal_type
A,2015-03-01,2015-04-01,conviction
A,2015-03-01,2015-04-01,conviction
A,2015-05-01,2015-06-01,caution
B,2015-04-02,2015-05-01,conviction
D,2016-03-31,2016-09-30,conviction
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    c, o = tmp_path / "cohort.csv", tmp_path / "offences.csv"
    c.write_text(COHORT_CSV)
    o.write_text(OFFENCES_CSV)
    return c, o


def _run(files: tuple[Path, Path], out: Path, *extra: str) -> int:
    c, o = files
    args = ["measures", "--cohort", str(c), "--offences", str(o), "--extract-date"]
    return main([*args, "2016-09-30", "--out", str(out), *extra])


def test_measures_csv(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    assert _run(files, out) == 0
    t = pd.read_csv(out)
    assert list(t.columns[: len(MEASURE_COLUMNS)]) == list(MEASURE_COLUMNS)
    assert list(zip(t["lot"], t["period"], strict=True)) == [
        ("CPA01", "2015Q1"),
        ("CPA02", "2015Q2"),
    ]
    # CPA01 2015Q1: A (first event 2015-01-05; 3 offences, the duplicate counts) and D
    # (offence 2016-03-31 = d + 12 months, disposal 2016-09-30 = d + 18 months: counts);
    # C is a caution (not eligible); A's second event is a later event in the quarter.
    # CPA02 2015Q2: B's offence is on the index day: does not count.
    assert t[["eligible", "cohort_size", "reoffenders", "reoffences"]].values.tolist() == [
        [2, 2, 2, 4],
        [1, 1, 0, 0],
    ]
    # D: 2015-03-31 + 18 months = 2016-09-30 = extract date -> final;
    # B: 2015-04-02 + 18 months = 2016-10-02 > extract date -> interim
    assert t["status"].tolist() == ["final", "interim"]
    text = out.read_text()
    assert "\r" not in text
    lines = text.splitlines()
    # R/O = 4/2 = 2 written with %.10g; undefined frequency of CPA02 is an empty cell
    assert lines[1].split(",")[7] == "2"
    assert lines[2].split(",")[7] == ""


def test_output_is_byte_identical(files: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert _run(files, a) == 0
    assert _run(files, b) == 0
    assert a.read_bytes() == b.read_bytes()


def test_options(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    assert _run(files, out, "--rules", "reconviction_events", "--period", "financial_year") == 0
    t = pd.read_csv(out)
    # A: two convictions on 2015-04-01 = one appearance; the caution never counts; D: 1
    assert t["period"].tolist() == ["2014/15", "2015/16"]
    assert t["reoffences"].tolist() == [2, 0]
    assert t["rules"].tolist() == ["reconviction_events"] * 2
    # the same --out again: refused (nothing replaced) unless --force
    assert _run(files, out, "--follow-up", "3", "--waiting", "0", "--no-validate") == 2
    assert pd.read_csv(out)["follow_up_months"].tolist() == [12, 12]
    assert _run(files, out, "--follow-up", "3", "--waiting", "0", "--no-validate", "--force") == 0
    t = pd.read_csv(out)
    assert t["reoffences"].tolist() == [2, 0]  # A's two offences of 2015-03-01 only
    assert t["follow_up_months"].tolist() == [3, 3]


def test_bad_input_exit_2(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, o = files
    bad = tmp_path / "bad.csv"
    bad.write_text(COHORT_CSV.replace("2015-03-31", "2015-02-30"))
    out = tmp_path / "m.csv"
    assert _run((bad, o), out) == 2
    assert "index_date" in capsys.readouterr().err
    assert not out.exists()
    assert _run(files, out, "--follow-up", "0") == 2
    assert "follow_up_months" in capsys.readouterr().err


def test_other_failure_exit_1(
    files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pbr.pipeline.measures

    def broken(*args: object, **kw: object) -> None:
        raise RuntimeError("internal fault")

    monkeypatch.setattr(pbr.pipeline.measures, "compute_measures", broken)
    assert _run(files, tmp_path / "m.csv") == 1
    assert not (tmp_path / "m.csv").exists()


def test_out_in_a_new_folder_is_created(files: tuple[Path, Path], tmp_path: Path) -> None:
    # as for every command's --out (it used to be an unhandled OSError, exit 1)
    out = tmp_path / "new-dir" / "m.csv"
    assert _run(files, out) == 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["m.csv", "m.manifest.json"]


def test_no_progress_when_stderr_not_a_tty(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(files, tmp_path / "m.csv") == 0
    captured = capsys.readouterr()
    # only the data warning (duplicate offence rows), no progress lines
    assert [x for x in captured.err.splitlines() if not x.startswith("warning: ")] == []
    assert "duplicate" in captured.err
    assert captured.out == ""


def test_progress_when_stderr_is_a_tty(
    files: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert _run(files, tmp_path / "m.csv") == 0
    err = capsys.readouterr().err
    assert "pbr measures: reading and counting" in err
    assert "lot × period rows" in err


def test_both_bad_tables_are_reported_in_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a bad cohort row AND a bad offence row: one run lists both (as pbr validate does)
    c = tmp_path / "c.csv"
    c.write_text(
        "offender_id,lot,index_date,event_type,sex,date_of_birth\n"
        "A1,Atlantis,2016-01-05,release,M,1980-01-01\n",
        encoding="utf-8",
    )
    o = tmp_path / "o.csv"
    o.write_text(
        "offender_id,offence_date,disposal_date,disposal_type\nA1,2016-13-01,2016-03-01,conviction\n",
        encoding="utf-8",
    )
    code = main(
        [
            "measures",
            "--cohort",
            str(c),
            "--offences",
            str(o),
            "--extract-date",
            "2018-06-30",
            "--out",
            str(tmp_path / "m.csv"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "Atlantis" in err and "2016-13-01" in err
