"""pbr.io on files: CSV dialects (BOM, CRLF, Excel), Parquet types, broken files."""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pbr.errors import SuspiciousDataWarning, ValidationError
from pbr.io import BOOLEAN_FALSE, BOOLEAN_TRUE, read_cohort, read_offences, write_table

EXTRACT = "2014-12-31"
OFF_HEADER = "offender_id,offence_date,disposal_date,disposal_type,breach"


def write_bytes(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def failures(path: Path, reader: object = read_offences) -> pd.DataFrame:
    with pytest.raises(ValidationError) as info:
        reader(path, extract_date=EXTRACT)  # type: ignore[operator]
    return info.value.failures


def test_bom_crlf_quoted_csv(tmp_path: Path) -> None:
    data = (
        "\ufeff" + '"offender_id","offence_date","disposal_date","disposal_type","note"\r\n'
        '"A, 1",2012-01-31,2012-02-29,"conviction","said ""hi""\r\nthen left"\r\n'
        "B,2012-03-01,2012-03-01,caution,\r\n"
    ).encode()
    df = read_offences(write_bytes(tmp_path, "o.csv", data), extract_date=EXTRACT)
    assert df["offender_id"].tolist() == ["A, 1", "B"]
    assert df["disposal_date"].tolist() == [pd.Timestamp("2012-02-29"), pd.Timestamp("2012-03-01")]
    assert df.loc[0, "note"] == 'said "hi"\r\nthen left'
    assert pd.isna(df.loc[1, "note"])
    assert df["breach"].tolist() == [False, False]


def test_excel_trailing_empty_columns_and_blank_rows(tmp_path: Path) -> None:
    data = (
        OFF_HEADER + ",,\r\n"
        "A,2012-01-01,2012-02-01,conviction,TRUE,,\r\n"
        "B,2012-01-01,2012-02-01,pnd,FALSE,,\r\n"
        ",,,,,,\r\n"
        ",,,,,,\r\n"
    ).encode()
    path = write_bytes(tmp_path, "excel.csv", data)
    with pytest.warns(SuspiciousDataWarning, match=r"ignored 2 blank row\(s\) at the end"):
        df = read_offences(path, extract_date=EXTRACT)
    assert list(df.columns) == [
        "offender_id",
        "offence_date",
        "disposal_date",
        "disposal_type",
        "breach",
        "offence_group",
        "appearance_id",
    ]
    assert df["breach"].tolist() == [True, False]


def test_only_blank_rows_gives_an_empty_table(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "o.csv", (OFF_HEADER + "\n,,,,\n , ,,,\n").encode())
    with pytest.warns(SuspiciousDataWarning, match=r"ignored 2 blank row\(s\)"):
        df = read_offences(path, extract_date=EXTRACT)
    assert len(df) == 0


def test_many_trailing_blank_rows(tmp_path: Path) -> None:
    data = OFF_HEADER + "\nA,2012-01-01,2012-02-01,caution,\n" + ",,,,\n" * 500
    with pytest.warns(SuspiciousDataWarning, match=r"ignored 500 blank row\(s\).*rows 2–501"):
        df = read_offences(write_bytes(tmp_path, "o.csv", data.encode()), extract_date=EXTRACT)
    assert df["offender_id"].tolist() == ["A"]


def test_blank_row_in_the_middle_is_an_error(tmp_path: Path) -> None:
    data = (
        OFF_HEADER + "\nA,2012-01-01,2012-02-01,conviction,\n,,,,\nB,2012-01-01,2012-02-01,pnd,\n"
    ).encode()
    f = failures(write_bytes(tmp_path, "o.csv", data))
    assert set(f["row"]) == {2}
    assert set(f["column"]) == {"offender_id", "offence_date", "disposal_date", "disposal_type"}


def test_empty_line_in_the_middle_is_an_error_and_rows_keep_their_numbers(
    tmp_path: Path,
) -> None:
    # an empty line is a data row like ",,,,": it was skipped silently, and every later
    # row was then reported one row too early (row 3's bad value was called row 2)
    data = (
        OFF_HEADER + "\nA,2012-01-01,2012-02-01,conviction,\n\nB,2012-01-01,2012-02-01,fine,\n"
    ).encode()
    f = failures(write_bytes(tmp_path, "o.csv", data))
    assert set(f.loc[f["row"] == 2, "column"]) == {
        "offender_id",
        "offence_date",
        "disposal_date",
        "disposal_type",
    }
    bad = f[f["column"] == "disposal_type"]
    assert bad.loc[bad["value"] == "fine", "row"].tolist() == [3]


def test_trailing_empty_lines_are_ignored_with_a_warning(tmp_path: Path) -> None:
    data = (OFF_HEADER + "\nA,2012-01-01,2012-02-01,caution,\n\n\n").encode()
    with pytest.warns(SuspiciousDataWarning, match=r"ignored 2 blank row\(s\)"):
        df = read_offences(write_bytes(tmp_path, "o.csv", data), extract_date=EXTRACT)
    assert df["offender_id"].tolist() == ["A"]


def test_unnamed_column_with_data_is_kept(tmp_path: Path) -> None:
    data = (OFF_HEADER + ",\nA,2012-01-01,2012-02-01,conviction,no,x\n").encode()
    df = read_offences(write_bytes(tmp_path, "o.csv", data), extract_date=EXTRACT)
    assert df.loc[0, "unnamed_6"] == "x"


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_other_delimiters(tmp_path: Path, sep: str) -> None:
    data = (
        OFF_HEADER.replace(",", sep)
        + "\n"
        + sep.join(["A", "2012-01-01", "2012-02-01", "caution", "y"])
        + "\n"
    ).encode()
    df = read_offences(write_bytes(tmp_path, "o.csv", data), extract_date=EXTRACT)
    assert df["breach"].tolist() == [True]


def test_excel_sep_hint_line(tmp_path: Path) -> None:
    data = (
        "sep=;\r\n" + OFF_HEADER.replace(",", ";") + "\r\n"
        "A;2012-01-01;2012-02-01;caution;no\r\n"
        "B;2012-01-01;2011-02-01;caution;no\r\n"
        "C;2012-01-01;2012-02-01;caution;no;extra\r\n"
    ).encode()
    f = failures(write_bytes(tmp_path, "o.csv", data))
    assert f[["row", "reason"]].values.tolist() == [[3, "row has 6 field(s), expected 5"]]
    ok = data.replace(b";extra", b"")
    f = failures(write_bytes(tmp_path, "o2.csv", ok))
    assert f[["row", "column", "value"]].values.tolist() == [[2, "disposal_date", "2011-02-01"]]


def test_gzip_csv(tmp_path: Path) -> None:
    data = (OFF_HEADER + "\nA,2012-01-01,2012-02-01,caution,\n").encode()
    df = read_offences(write_bytes(tmp_path, "o.csv.gz", gzip.compress(data)), extract_date=EXTRACT)
    assert df["offender_id"].tolist() == ["A"]


def test_windows_1252_csv_is_read_with_a_warning(tmp_path: Path) -> None:
    data = (OFF_HEADER + ",note\nA,2012-01-01,2012-02-01,caution,,caf\xe9 \xa35\n").encode("cp1252")
    with pytest.warns(SuspiciousDataWarning, match="not valid UTF-8"):
        df = read_offences(write_bytes(tmp_path, "o.csv", data), extract_date=EXTRACT)
    assert df.loc[0, "note"] == "café £5"


@pytest.mark.parametrize("spelling", [*BOOLEAN_TRUE, *BOOLEAN_FALSE, "TRUE", "Yes", " N ", "F"])
def test_boolean_spellings(tmp_path: Path, spelling: str) -> None:
    data = (OFF_HEADER + f"\nA,2012-01-01,2012-02-01,caution,{spelling}\n").encode()
    df = read_offences(write_bytes(tmp_path, "o.csv", data), extract_date=EXTRACT)
    expected = spelling.strip().lower() in BOOLEAN_TRUE
    assert df["breach"].tolist() == [expected]


def test_boolean_spelling_lists() -> None:
    assert set(BOOLEAN_TRUE) == {"true", "t", "yes", "y", "1"}
    assert set(BOOLEAN_FALSE) == {"false", "f", "no", "n", "0"}


def test_wrong_field_count_names_the_rows(tmp_path: Path) -> None:
    data = (
        OFF_HEADER + "\n"
        "A,2012-01-01,2012-02-01,caution,\n"
        "B,2012-01-01,2012-02-01,caution,,extra\n"
        '"C\nD",2012-01-01\n'
        "E,2012-01-01,2012-02-01,caution,\n"
    ).encode()
    f = failures(write_bytes(tmp_path, "o.csv", data))
    assert f["row"].tolist() == [2, 3]
    assert f["reason"].tolist() == [
        "row has 6 field(s), expected 5",
        "row has 2 field(s), expected 5",
    ]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.csv", b"", "file is empty (0 bytes)"),
        ("blank.csv", b"\r\n\r\n  \n", "file is empty (no header row)"),
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "contains a PNG image"),
        ("blob.csv", bytes(range(256)), "contains binary data"),
        ("data.csv", b'[{"offender_id": "A"}]', "looks like JSON"),
        ("data.parquet", b"PAR1 this is not really parquet", "not a readable Parquet file"),
    ],
)
def test_not_a_table(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = write_bytes(tmp_path, name, data)
    f = failures(path)
    assert f[["row", "column", "value"]].values.tolist() == [["-", "-", str(path)]]
    assert reason in f.iloc[0]["reason"]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    f = failures(tmp_path / "nope.csv")
    assert f["reason"].tolist() == ["file not found"]
    f = failures(tmp_path)
    assert f["reason"].tolist() == ["is a directory, not a file"]


def test_header_only_csv_is_an_empty_table(tmp_path: Path) -> None:
    df = read_offences(
        write_bytes(tmp_path, "o.csv", (OFF_HEADER + "\r\n").encode()), extract_date=EXTRACT
    )
    assert len(df) == 0
    assert str(df["offence_date"].dtype) == "datetime64[s]"


def test_duplicate_column_names(tmp_path: Path) -> None:
    data = (OFF_HEADER + ",breach\nA,2012-01-01,2012-02-01,caution,y,n\n").encode()
    f = failures(write_bytes(tmp_path, "o.csv", data))
    assert f[["row", "column", "reason"]].values.tolist() == [
        ["-", "breach", "duplicate column name"]
    ]


def test_csv_rows_are_numbered_from_the_first_data_row(tmp_path: Path) -> None:
    data = (
        OFF_HEADER + "\nA,2012-01-01,2012-02-01,caution,\nB,2012-01-01,2011-12-01,caution,\n"
    ).encode()
    f = failures(write_bytes(tmp_path, "o.csv", data))
    assert f[["row", "column", "value"]].values.tolist() == [[2, "disposal_date", "2011-12-01"]]


def test_parquet_with_timestamp_and_string_dates(tmp_path: Path) -> None:
    t = pa.table(
        {
            "offender_id": pa.array(["A", "B"]).dictionary_encode(),
            "offence_date": pa.array(
                np.array(["2012-01-01T00:00", "2012-02-29T00:00"], dtype="datetime64[ns]")
            ),
            "disposal_date": pa.array(["2012-03-01", "2012-03-31"], pa.large_string()),
            "disposal_type": ["caution", "conviction"],
            "breach": pa.array([0, 1], pa.int8()),
            "__index_level_0__": [10, 11],
            "source_system": ["x", "y"],
        }
    )
    path = tmp_path / "o.parquet"
    pq.write_table(t, path)
    df = read_offences(path, extract_date=EXTRACT)
    assert df["offence_date"].tolist() == [pd.Timestamp("2012-01-01"), pd.Timestamp("2012-02-29")]
    assert df["disposal_date"].tolist() == [pd.Timestamp("2012-03-01"), pd.Timestamp("2012-03-31")]
    assert df["breach"].tolist() == [False, True]
    assert list(df.columns)[-1] == "source_system"
    assert "__index_level_0__" not in df.columns


def test_parquet_bad_values_are_reported(tmp_path: Path) -> None:
    t = pa.table(
        {
            "offender_id": ["A", None],
            "offence_date": ["2012-01-01", "2012-02-30"],
            "disposal_date": pa.array([15400, 15401], pa.date32()),
            "disposal_type": ["caution", "conviction"],
            "breach": pa.array([2, 1], pa.int64()),
        }
    )
    path = tmp_path / "o.pq"
    pq.write_table(t, path)
    f = failures(path)
    assert f[["row", "column", "value"]].values.tolist() == [
        [1, "breach", "2"],
        [2, "offender_id", "<missing>"],
        [2, "offence_date", "2012-02-30"],
    ]


def test_parquet_file_with_csv_suffix_is_read_as_parquet(tmp_path: Path) -> None:
    path = tmp_path / "actually_parquet.csv"
    t = pa.table(
        {
            "offender_id": ["A"],
            "offence_date": ["2012-01-01"],
            "disposal_date": ["2012-01-02"],
            "disposal_type": ["pnd"],
        }
    )
    pq.write_table(t, path)
    assert len(read_offences(path, extract_date=EXTRACT)) == 1


def test_write_table_csv_uses_iso_dates_and_empty_missing(tmp_path: Path) -> None:
    df = read_cohort(
        pd.DataFrame(
            {
                "offender_id": ["A"],
                "lot": ["Wales"],
                "index_date": ["2012-02-29"],
                "event_type": ["release"],
                "sex": ["F"],
                "date_of_birth": ["1970-12-31"],
            }
        ),
        extract_date=EXTRACT,
    )
    path = write_table(df, tmp_path / "c.csv")
    lines = path.read_text().splitlines()
    assert lines[0].replace('"', "") == (
        "offender_id,lot,index_date,event_type,sex,date_of_birth,supervisor,em_only,"
        "exclusion_reason,offence_group,sanctions,first_sanction_date"
    )
    assert lines[1].replace('"', "") == "A,CPA21,2012-02-29,release,F,1970-12-31,CRC,false,,,,"
    back = pq.read_schema(write_table(df, tmp_path / "c.parquet"))
    assert str(back.field("index_date").type) == "date32[day]"
    assert str(back.field("sanctions").type) == "int64"
    assert str(back.field("em_only").type) == "bool"


def test_write_table_needs_a_known_table(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot tell the table kind"):
        write_table(pd.DataFrame({"x": [1]}), tmp_path / "x.csv")


def test_source_of_wrong_type() -> None:
    with pytest.raises(ValidationError, match="source must be a file path or a pandas DataFrame"):
        read_offences(42, extract_date=EXTRACT)  # type: ignore[arg-type]


def test_no_stray_warnings_on_clean_file(tmp_path: Path) -> None:
    data = (OFF_HEADER + "\nA,2012-01-01,2012-02-01,caution,\n").encode()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_offences(write_bytes(tmp_path, "o.csv", data), extract_date=EXTRACT)
