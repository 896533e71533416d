"""Validation rules of pbr.io (SPEC §1.4): one failing and one passing case per rule."""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pbr.errors import PbrError, SuspiciousDataWarning, ValidationError
from pbr.io import read_cohort, read_offences, validate
from pbr.lots import LotRegistry

EXTRACT = "2014-12-31"


def cohort_row(**changes: str) -> dict[str, str]:
    row = {
        "offender_id": "A1",
        "lot": "CPA01",
        "index_date": "2012-06-15",
        "event_type": "release",
        "sex": "M",
        "date_of_birth": "1980-02-29",
        "supervisor": "CRC",
        "em_only": "false",
        "exclusion_reason": "",
        "offence_group": "violence",
        "sanctions": "3",
        "first_sanction_date": "1996-05-01",
    }
    row.update(changes)
    return row


def offence_row(**changes: str) -> dict[str, str]:
    row = {
        "offender_id": "A1",
        "offence_date": "2012-08-01",
        "disposal_date": "2012-09-10",
        "disposal_type": "conviction",
        "breach": "false",
        "offence_group": "theft_non_motor",
        "appearance_id": "X1",
    }
    row.update(changes)
    return row


def frame(*rows: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def failures_of(fn: Any, df: pd.DataFrame, **kw: Any) -> pd.DataFrame:
    with pytest.raises(ValidationError) as info:
        fn(df, extract_date=EXTRACT, **kw)
    return info.value.failures


def read_quietly(fn: Any, df: pd.DataFrame, **kw: Any) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuspiciousDataWarning)
        result: pd.DataFrame = fn(df, extract_date=EXTRACT, **kw)
    return result


# (column, bad value, good value, expected reason fragment)
COHORT_RULES = [
    ("offender_id", "", "B7", "missing value"),
    ("offender_id", "   ", "B7", "missing value"),
    ("lot", "", "CPA02", "missing value"),
    ("lot", "Atlantis", "Northumbria", "unknown lot"),
    ("lot", "cpa01", "CPA21", "unknown lot"),
    ("index_date", "", "2012-06-15", "missing date"),
    ("index_date", "2012-13-01", "2012-12-01", "unparseable date"),
    ("index_date", "15/06/2012", "2012-06-15", "unparseable date"),
    ("index_date", "2011-02-29", "2012-02-29", "unparseable date"),
    ("index_date", "2012-06-15x", "2012-06-15 00:00:00", "unparseable date"),
    ("index_date", "2015-01-01", "2014-12-31", "after the extract date"),
    ("event_type", "", "community_order", "missing value"),
    ("event_type", "parole", "suspended_sentence_order", "unknown event_type"),
    ("sex", "", "F", "missing value"),
    ("sex", "X", "F", "unknown sex"),
    ("date_of_birth", "", "1980-03-01", "missing date"),
    ("date_of_birth", "1980-02-30", "1980-02-28", "unparseable date"),
    ("date_of_birth", "2012-06-16", "1994-06-15", "date_of_birth after index_date"),
    ("date_of_birth", "1901-06-15", "1901-06-16", "age over 110"),
    ("supervisor", "Probation", "NPS", "unknown supervisor"),
    ("em_only", "maybe", "Y", "not a boolean"),
    ("em_only", "2", "1", "not a boolean"),
    ("offence_group", "arson", "criminal_damage", "unknown offence_group"),
    ("sanctions", "three", "3.0", "not a whole number"),
    ("sanctions", "2.5", "2", "not a whole number"),
    ("sanctions", "0", "1", "at least 1"),
    ("sanctions", "-4", "+4", "at least 1"),
    ("first_sanction_date", "2012-06-16", "2012-06-15", "first_sanction_date after index_date"),
    ("first_sanction_date", "1996-5-1", "1996-05-01", "unparseable date"),
    ("first_sanction_date", "0000-06-01", "0001-06-01", "unparseable date"),
]


# (column, bad value, good value, expected reason fragment)
OFFENCE_RULES = [
    ("offender_id", "", "Z9", "missing value"),
    ("offence_date", "", "2012-08-01", "missing date"),
    ("offence_date", "2012-02-30", "2012-02-29", "unparseable date"),
    ("disposal_date", "", "2012-09-10", "missing date"),
    ("disposal_date", "yesterday", "2012-09-30", "unparseable date"),
    ("disposal_date", "2012-07-31", "2012-08-01", "disposal_date before offence_date"),
    ("disposal_date", "2015-01-01", "2014-12-31", "after the extract date"),
    ("disposal_type", "", "caution", "missing value"),
    ("disposal_type", "fine", "pnd", "unknown disposal_type"),
    ("disposal_type", "Conviction", "other", "unknown disposal_type"),
    ("breach", "perhaps", "Y", "not a boolean"),
    ("offence_group", "arson", "robbery", "unknown offence_group"),
]


#: (table, column, bad value, good value, expected reason fragment), every rule of both tables
RULES = [("cohort", *r) for r in COHORT_RULES] + [("offences", *r) for r in OFFENCE_RULES]
READERS: dict[str, tuple[Any, Any]] = {
    "cohort": (read_cohort, cohort_row),
    "offences": (read_offences, offence_row),
}


@pytest.mark.parametrize(("table", "column", "bad", "good", "reason"), RULES)
def test_rule_fails_on_bad_value(table: str, column: str, bad: str, good: str, reason: str) -> None:
    reader, row = READERS[table]
    df = frame(row(), row(**{column: bad}), row(offender_id="C3"))
    f = failures_of(reader, df)
    assert len(f) == 1, f
    got = f.iloc[0]
    assert (got["table"], got["row"], got["column"]) == (table, 2, column)
    assert reason in got["reason"]
    assert got["value"] == (bad.strip() or "<missing>") or bad.strip() in got["value"]


@pytest.mark.parametrize(("table", "column", "bad", "good", "reason"), RULES)
def test_rule_passes_on_good_value(
    table: str, column: str, bad: str, good: str, reason: str
) -> None:
    reader, row = READERS[table]
    df = read_quietly(reader, frame(row(), row(**{column: good})))
    assert len(df) == 2


def test_offence_date_after_extract_reports_both_dates() -> None:
    df = frame(offence_row(offence_date="2015-01-01", disposal_date="2015-02-01"))
    f = failures_of(read_offences, df)
    assert f["column"].tolist() == ["offence_date", "disposal_date"]
    assert all("after the extract date (2014-12-31)" in r for r in f["reason"])


def test_date_of_birth_after_extract_is_reported() -> None:
    f = failures_of(read_cohort, frame(cohort_row(date_of_birth="2015-03-01")))
    assert set(f["reason"]) == {
        "date after the extract date (2014-12-31)",
        "date_of_birth after index_date",
    }


def test_first_sanction_after_extract_is_reported() -> None:
    f = failures_of(read_cohort, frame(cohort_row(first_sanction_date="2015-03-01")))
    assert set(f["reason"]) == {
        "date after the extract date (2014-12-31)",
        "first_sanction_date after index_date",
    }


@pytest.mark.parametrize(
    "column", ["offender_id", "lot", "index_date", "event_type", "sex", "date_of_birth"]
)
def test_missing_required_cohort_column(column: str) -> None:
    df = frame(cohort_row(), cohort_row()).drop(columns=[column])
    f = failures_of(read_cohort, df)
    assert f[["row", "column", "reason"]].values.tolist() == [
        ["-", column, "missing required column"]
    ]


@pytest.mark.parametrize(
    "column", ["offender_id", "offence_date", "disposal_date", "disposal_type"]
)
def test_missing_required_offence_column(column: str) -> None:
    df = frame(offence_row()).drop(columns=[column])
    f = failures_of(read_offences, df)
    assert f[["row", "column"]].values.tolist() == [["-", column]]
    assert f.iloc[0]["reason"].startswith("missing required column")


def test_missing_column_hint_names_near_miss() -> None:
    df = frame(cohort_row()).rename(columns={"sex": "Sex"})
    f = failures_of(read_cohort, df)
    assert "found 'Sex'" in f.iloc[0]["reason"]


def test_optional_columns_may_be_absent_and_get_defaults() -> None:
    required = ["offender_id", "lot", "index_date", "event_type", "sex", "date_of_birth"]
    df = read_quietly(read_cohort, frame(cohort_row())[required])
    assert df.loc[0, "supervisor"] == "CRC"
    assert not df.loc[0, "em_only"]
    assert df["sanctions"].isna().all() and df["offence_group"].isna().all()
    o = read_offences(
        frame(offence_row())[["offender_id", "offence_date", "disposal_date", "disposal_type"]],
        extract_date=EXTRACT,
    )
    assert o["breach"].tolist() == [False]
    assert o["appearance_id"].isna().all()


def test_empty_optional_cells_get_defaults() -> None:
    df = read_quietly(read_cohort, frame(cohort_row(supervisor="", em_only="", sanctions="")))
    assert df.loc[0, "supervisor"] == "CRC"
    assert df.loc[0, "em_only"] is np.False_ or df.loc[0, "em_only"] is False
    assert pd.isna(df.loc[0, "sanctions"])
    assert pd.isna(df.loc[0, "exclusion_reason"])


def test_many_problems_are_all_reported_in_one_error() -> None:
    df = frame(
        cohort_row(),
        cohort_row(lot="Atlantis", sex="Q"),
        cohort_row(),
        cohort_row(index_date="2012-02-30", sanctions="0"),
        cohort_row(offender_id=""),
    ).drop(columns=["event_type"])
    with pytest.raises(ValidationError) as info:
        read_cohort(df, extract_date=EXTRACT)
    f = info.value.failures
    got = list(zip(f["row"], f["column"], f["value"], strict=True))
    assert got == [
        ("-", "event_type", "<missing>"),
        (2, "lot", "Atlantis"),
        (2, "sex", "Q"),
        (4, "index_date", "2012-02-30"),
        (4, "sanctions", "0"),
        (5, "offender_id", "<missing>"),
    ]
    text = str(info.value)
    assert "Atlantis" in text and "2012-02-30" in text
    assert "6 failure(s)" in text
    html = info.value._repr_html_()
    assert "<table" in html and "Atlantis" in html


def test_validate_reports_both_tables_at_once() -> None:
    c = frame(cohort_row(), cohort_row(sex="X"))
    o = frame(offence_row(), offence_row(disposal_type="fine"), offence_row(breach="?"))
    with pytest.raises(ValidationError) as info:
        validate(c, o, extract_date=EXTRACT)
    f = info.value.failures
    assert f[["table", "row", "column"]].values.tolist() == [
        ["cohort", 2, "sex"],
        ["offences", 2, "disposal_type"],
        ["offences", 3, "breach"],
    ]
    assert "cohort table (DataFrame) and offences table (DataFrame) are invalid" in str(info.value)


def test_validate_report_on_clean_input() -> None:
    c = frame(cohort_row(), cohort_row(offender_id="B2", lot="Wales"))
    o = frame(offence_row(), offence_row(offender_id="B2"), offence_row(offender_id="B2"))
    with pytest.warns(SuspiciousDataWarning, match="exact duplicates"):
        report = validate(c, o, extract_date=dt.date(2014, 12, 31))
    assert (report.cohort_rows, report.offence_rows) == (2, 3)
    assert report.summary().title == (
        "valid: cohort 2 row(s), offences 3 row(s), extract date 2014-12-31, 1 warning(s)"
    )
    assert report.cohort["lot"].tolist() == ["CPA01", "CPA21"]
    t = report.to_frame()
    assert t["rows"].tolist() == [2, 3] and t["offenders"].tolist() == [2, 2]
    assert "<table" in report._repr_html_() and "exact duplicates" in report._repr_html_()


def test_row_numbers_are_positions_not_index_labels() -> None:
    df = frame(cohort_row(), cohort_row(sex="X"))
    df.index = [100, 7]
    f = failures_of(read_cohort, df)
    assert f["row"].tolist() == [2]
    ok = read_quietly(read_cohort, frame(cohort_row(), cohort_row()).set_axis([5, 3]))
    assert list(ok.index) == [0, 1]


def test_long_error_lists_every_failure_and_summarises() -> None:
    rows = [cohort_row(sex="X") for _ in range(60)] + [cohort_row(lot="Nowhere")]
    with pytest.raises(ValidationError) as info:
        read_cohort(frame(*rows), extract_date=EXTRACT)
    err = info.value
    assert len(err.failures) == 61
    assert err.failures["row"].tolist() == list(range(1, 62))
    assert "60 × cohort.sex: unknown sex" in str(err)
    assert "and 11 more" in str(err)


def test_custom_lot_registry() -> None:
    lots = LotRegistry(pd.DataFrame({"code": ["N1"], "name": ["North"], "provider": ["P"]}))
    df = read_quietly(read_cohort, frame(cohort_row(lot="North")), lots=lots)
    assert df["lot"].tolist() == ["N1"]
    f = failures_of(read_cohort, frame(cohort_row(lot="CPA01")), lots=lots)
    assert f["reason"].tolist() == ["unknown lot (not a code or exact name)"]
    as_table = read_quietly(read_cohort, frame(cohort_row(lot="N1")), lots=lots.to_frame())
    assert as_table["lot"].tolist() == ["N1"]
    empty = LotRegistry(pd.DataFrame({"code": [], "name": [], "provider": []}))
    f = failures_of(read_cohort, frame(cohort_row(lot="CPA01")), lots=empty)
    assert f["column"].tolist() == ["lot"]


def test_canonical_dtypes_and_values() -> None:
    df = read_quietly(
        read_cohort,
        frame(cohort_row(lot=" Cumbria & Lancashire ", em_only="TRUE", extra_col="keep me")),
    )
    assert list(df.columns)[-1] == "extra_col" and df.loc[0, "extra_col"] == "keep me"
    assert df.loc[0, "lot"] == "CPA03"
    assert str(df["offender_id"].dtype) == "string"
    assert str(df["index_date"].dtype) == "datetime64[s]"
    assert str(df["sanctions"].dtype) == "Int64"
    assert str(df["em_only"].dtype) == "bool" and bool(df.loc[0, "em_only"])
    assert df.loc[0, "date_of_birth"] == pd.Timestamp("1980-02-29")


def test_dataframe_with_typed_columns() -> None:
    df = pd.DataFrame(
        {
            "offender_id": [101, 102],
            "lot": pd.Categorical(["CPA01", "London"]),
            "index_date": pd.to_datetime(["2012-01-31", "2012-02-29"]),
            "event_type": ["release", "caution"],
            "sex": ["M", "F"],
            "date_of_birth": [dt.date(1970, 1, 1), dt.date(1990, 12, 31)],
            "em_only": [True, False],
            "sanctions": [2.0, np.nan],
        }
    )
    out = read_cohort(df, extract_date=pd.Timestamp("2014-12-31"))
    assert out["offender_id"].tolist() == ["101", "102"]
    assert out["lot"].tolist() == ["CPA01", "CPA15"]
    assert out["index_date"].tolist() == [pd.Timestamp("2012-01-31"), pd.Timestamp("2012-02-29")]
    assert out["sanctions"].tolist()[0] == 2 and pd.isna(out["sanctions"].iloc[1])


def test_non_date_typed_column_is_unparseable() -> None:
    df = frame(offence_row()).assign(offence_date=[20120801])
    f = failures_of(read_offences, df)
    assert f.iloc[0]["value"] == "20120801"
    assert "unparseable date" in f.iloc[0]["reason"]


@pytest.mark.parametrize(
    "value",
    [
        "2014-12-31",
        dt.date(2014, 12, 31),
        pd.Timestamp("2014-12-31"),
        np.datetime64("2014-12-31"),
        dt.datetime(2014, 12, 31, 13, 0),
    ],
)
def test_extract_date_forms(value: Any) -> None:
    df = read_offences(frame(offence_row(disposal_date="2014-12-31")), extract_date=value)
    assert len(df) == 1


@pytest.mark.parametrize("value", [None, "31/12/2014", "2014-02-30", 20141231, pd.NaT])
def test_bad_extract_date(value: Any) -> None:
    with pytest.raises(PbrError, match="extract_date"):
        read_offences(frame(offence_row()), extract_date=value)


def test_extract_date_is_keyword_required() -> None:
    with pytest.raises(TypeError):
        read_offences(frame(offence_row()))  # type: ignore[call-arg]


def test_header_only_table_is_valid_and_empty() -> None:
    empty = frame(cohort_row()).iloc[:0]
    out = read_cohort(empty, extract_date=EXTRACT)
    assert len(out) == 0 and "index_date" in out.columns


# ------------------------------------------------------------------ warnings


def collect(fn: Any, *args: Any) -> list[str]:
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fn(*args, extract_date=EXTRACT)
    assert all(issubclass(w.category, SuspiciousDataWarning) for w in rec)
    return [str(w.message) for w in rec]


def test_warn_duplicate_cohort_rows() -> None:
    msgs = collect(read_cohort, frame(cohort_row(), cohort_row(offender_id="B"), cohort_row()))
    assert msgs == [
        "cohort: 1 row(s) are exact duplicates of an earlier row (first at row 3); "
        "they collapse into one event under the first-event rule"
    ]


def test_warn_duplicate_offence_rows() -> None:
    msgs = collect(read_offences, frame(offence_row(), offence_row(), offence_row()))
    assert len(msgs) == 1 and msgs[0].startswith("offences: 2 row(s) are exact duplicates")
    assert "count as separate offences" in msgs[0]


def test_no_warning_for_near_duplicates() -> None:
    assert collect(read_offences, frame(offence_row(), offence_row(appearance_id="X2"))) == []


def test_warn_young_and_old_at_index() -> None:
    msgs = collect(
        read_cohort,
        frame(
            cohort_row(date_of_birth="1994-06-16", first_sanction_date=""),  # 17 at index
            cohort_row(date_of_birth="1994-06-15", first_sanction_date=""),  # 18: no warning
            cohort_row(date_of_birth="1921-06-15"),  # 91
            cohort_row(date_of_birth="1921-06-16"),  # 90: no warning
        ),
    )
    assert msgs == [
        "cohort: 1 row(s) aged under 18 at index_date (first at row 1)",
        "cohort: 1 row(s) aged over 90 at index_date (first at row 3)",
    ]


def test_warn_first_sanction_before_age_10() -> None:
    msgs = collect(
        read_cohort,
        frame(
            cohort_row(first_sanction_date="1990-02-28"),  # 10: a 29 Feb birthday is 28 Feb
            cohort_row(first_sanction_date="1990-03-01"),  # 10
        ),
    )
    assert msgs == []
    # born 1980-02-29: still 9 on 1990-02-27
    msgs = collect(read_cohort, frame(cohort_row(first_sanction_date="1990-02-27")))
    assert msgs == ["cohort: 1 row(s) have a first_sanction_date before age 10 (first at row 1)"]


def test_warn_offence_before_age_10_and_inconsistent_people() -> None:
    c = frame(cohort_row(), cohort_row(index_date="2013-01-01", date_of_birth="1980-03-01"))
    o = frame(offence_row(), offence_row(offence_date="1989-01-01", disposal_date="1989-02-01"))
    msgs = collect(validate, c, o)
    assert msgs == [
        "cohort: 1 offender(s) have more than one date_of_birth or sex across their rows",
        "offences: 1 offence(s) dated before the offender's 10th birthday (first at row 2)",
    ]


def test_warn_na_like_tokens() -> None:
    msgs = collect(read_cohort, frame(cohort_row(exclusion_reason="NA")))
    assert len(msgs) == 1 and "exclusion_reason" in msgs[0] and "kept as text" in msgs[0]


def test_clean_data_gives_no_warnings() -> None:
    assert collect(validate, frame(cohort_row()), frame(offence_row())) == []
