"""Microdata boundary additions: id column types, the literal id NA, stray quotes, encodings."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pbr.cli import main
from pbr.errors import ValidationError
from pbr.io import read_cohort
from pbr.measures import compute_measures

_COHORT = {
    "offender_id": ["X1", "X2"],
    "lot": ["CPA01", "CPA01"],
    "index_date": ["2015-10-01", "2015-10-02"],
    "event_type": ["release", "release"],
    "sex": ["M", "F"],
    "date_of_birth": ["1980-01-01", "1981-01-01"],
}


@pytest.mark.parametrize(
    "ids",
    [
        pa.array([b"X1", b"X2"], pa.binary()),
        pa.array([["X1"], ["X2"]], pa.list_(pa.string())),
        pa.array([12345678901234567.0, 2.0], pa.float64()),
    ],
    ids=["binary", "list", "float"],
)
def test_parquet_id_column_of_a_non_text_type_is_an_error(tmp_path: Path, ids: pa.Array) -> None:
    # used to become b'X1' or 1.2345678901234568e+16: people silently failed to match
    cols = {k: pa.array(v) for k, v in _COHORT.items() if k != "offender_id"}
    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({"offender_id": ids, **cols}), path)
    with pytest.raises(ValidationError) as e:
        read_cohort(path, extract_date="2018-06-30")
    f = e.value.failures
    assert f["column"].tolist() == ["offender_id"]
    assert f["reason"].iloc[0].startswith("id_type:")


def test_integer_and_text_ids_are_accepted(tmp_path: Path) -> None:
    cols = {k: pa.array(v) for k, v in _COHORT.items() if k != "offender_id"}
    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({"offender_id": pa.array([7, 8], pa.int64()), **cols}), path)
    assert read_cohort(path, extract_date="2018-06-30")["offender_id"].tolist() == ["7", "8"]


def test_a_float_id_column_of_a_dataframe_is_an_error() -> None:
    df = pd.DataFrame({**_COHORT, "offender_id": [1.5, 2.0]})
    with pytest.raises(ValidationError, match="id_type"):
        read_cohort(df, extract_date="2018-06-30")


def test_the_literal_id_na_is_an_id_on_the_fast_path(tmp_path: Path) -> None:
    # "NA" used to be read as missing by the fast path, merging two people
    cohort = pd.DataFrame({**_COHORT, "offender_id": ["NA", "NB"]})
    offences = pd.DataFrame(
        {
            "offender_id": ["NA"],
            "offence_date": ["2016-01-05"],
            "disposal_date": ["2016-02-01"],
            "disposal_type": ["conviction"],
        }
    )
    cohort.to_csv(tmp_path / "c.csv", index=False)
    offences.to_csv(tmp_path / "o.csv", index=False)
    args = {"extract_date": "2018-06-30", "period": "calendar_year"}
    fast = compute_measures(tmp_path / "c.csv", tmp_path / "o.csv", validate=False, **args)
    checked = compute_measures(tmp_path / "c.csv", tmp_path / "o.csv", validate=True, **args)
    pd.testing.assert_frame_equal(fast.table, checked.table)
    assert int(fast.table["reoffenders"].sum()) == 1


@pytest.mark.parametrize("closed", [True, False])
def test_a_stray_quote_does_not_swallow_rows(tmp_path: Path, closed: bool) -> None:
    # a quote opened in row 2 and closed at the end of row 3 made rows 2-3 one row, silently
    header = ",".join(_COHORT)
    lines = [header]
    for i in range(5):
        dob = "1980-01-01"
        if i == 1:
            dob = '"1980-01-01'
        elif i == 2 and closed:
            dob = '1980-01-01"'
        lines.append(f"X{i},CPA01,2015-10-01,release,M,{dob}")
    path = tmp_path / "c.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValidationError) as e:
        read_cohort(path, extract_date="2018-06-30")
    f = e.value.failures
    assert f["row"].tolist() == [2]  # the row where the quote opens is named
    if closed:  # rows 2-3 silently read as one row before
        assert f["reason"].iloc[0].startswith("stray_quote")


def test_windows_1252_file_with_a_bad_row_exits_2_naming_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = pd.DataFrame({**_COHORT, "offender_id": ["Zoë", "X2"], "sex": ["M", "Q"]})
    path = tmp_path / "c.csv"
    path.write_bytes(c.to_csv(index=False).encode("cp1252"))
    o = tmp_path / "o.csv"
    o.write_text("offender_id,offence_date,disposal_date,disposal_type\n")
    rc = main(
        ["validate", "--cohort", str(path), "--offences", str(o), "--extract-date", "2018-06-30"]
    )
    captured = capsys.readouterr()
    assert rc == 2
    assert "Traceback" not in captured.err + captured.out
    assert "sex" in captured.err + captured.out
