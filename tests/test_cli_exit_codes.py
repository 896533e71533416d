"""Bad input exits 2 with a clear message, never a traceback (issue 11, exit codes)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pbr.cli import main

_TABLE = (
    "lot,period,cohort_size,reoffenders,expected_reoffenders,baseline_binary\n"
    "CPA01,2015Q4,1000,450,500,0.5\n"
)


def _pay(tmp_path: Path, measures: Path, contract: str = "tr_crc") -> list[str]:
    return [
        "pay",
        "--contract",
        contract,
        "--measures",
        str(measures),
        "--out",
        str(tmp_path / "o"),
    ]


def test_a_gzip_file_named_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(gzip.compress(_TABLE.encode()))
    assert main(_pay(tmp_path, path)) == 0


def test_windows_1252_table_with_a_bad_row_exits_2_naming_file_and_offset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "w.csv"
    path.write_bytes((_TABLE + "CPA02 é,2015Q4,x,450,500,0.5\n").encode("cp1252"))
    assert main(_pay(tmp_path, path)) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "w.csv is not UTF-8 text" in err
    assert "byte 0xE9 at offset 108 (line 3)" in err  # not pandas' decoder message
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ('name = "t"\nbinary = "x"\n', "binary"),
        (
            'name = "t"\n[binary]\nprice_per_reoffender_avoided = "1e999999999"\n'
            'deduction_price = "1"\n',
            "price_per_reoffender_avoided",
        ),
        (
            'name = "t"\n[binary]\nprice_per_reoffender_avoided = "NaN"\ndeduction_price = "1"\n',
            "price_per_reoffender_avoided",
        ),
    ],
)
def test_garbled_contract_exits_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, named: str
) -> None:
    (tmp_path / "m.csv").write_text(_TABLE)
    (tmp_path / "c.toml").write_text(toml)
    assert main(_pay(tmp_path, tmp_path / "m.csv", str(tmp_path / "c.toml"))) == 2
    err = capsys.readouterr().err
    assert named in err and "InvalidOperation" not in err and "AttributeError" not in err


def test_huge_exponent_in_a_table_exits_2_with_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "m.csv"
    path.write_text(_TABLE.replace("500,0.5", "1e999999999,0.5"))
    assert main(_pay(tmp_path, path)) == 2
    err = capsys.readouterr().err
    assert "expected_reoffenders" in err and "InvalidOperation" not in err
