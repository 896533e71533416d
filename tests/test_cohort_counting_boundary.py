"""build_cohort and count_reoffending validate a raw frame at the io boundary, once.

docs/methodology.md#validation: a raw DataFrame is refused with one ValidationError
listing every failing row (row, column, value, reason); a frame the boundary already
validated (stamped) is not validated again; ``validate=False`` is the explicit opt-out.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import pbr
import pbr.io._read as io_read
from pbr.cohort import build_cohort
from pbr.counting import count_reoffending
from pbr.errors import ValidationError
from pbr.io import read_cohort, read_offences


def _events() -> pd.DataFrame:
    """Three valid adult releases in lot CPA01 (raw: text dates, no stamp)."""
    return pd.DataFrame(
        {
            "offender_id": ["A", "B", "C"],
            "lot": ["CPA01"] * 3,
            "index_date": ["2015-01-05", "2015-02-01", "2015-03-01"],
            "event_type": ["release"] * 3,
            "sex": ["M", "F", "M"],
            "date_of_birth": ["1980-01-01", "1981-01-01", "1982-01-01"],
        }
    )


def _offences() -> pd.DataFrame:
    """Two valid offences of A (raw: text dates, no stamp)."""
    return pd.DataFrame(
        {
            "offender_id": ["A", "A"],
            "offence_date": ["2015-03-01", "2015-04-01"],
            "disposal_date": ["2015-04-01", "2015-05-01"],
            "disposal_type": ["conviction", "caution"],
        }
    )


def _members() -> pd.DataFrame:
    return build_cohort(_events()).members


def _failures(err: pytest.ExceptionInfo[ValidationError]) -> list[tuple[Any, ...]]:
    f = err.value.failures
    assert {"table", "row", "column", "value", "reason"} <= set(f.columns)
    return [(r.row, r.column, r.value) for r in f.itertuples(index=False)]


# --------------------------------------------------------------------------- refused


def test_build_cohort_refuses_bad_sex_and_event_type_listing_every_row() -> None:
    df = _events()
    df.loc[0, "sex"] = "X"
    df.loc[2, "sex"] = "male"
    df.loc[1, "event_type"] = "parole"
    with pytest.raises(ValidationError) as err:
        build_cohort(df)
    got = _failures(err)
    assert (1, "sex", "X") in got
    assert (3, "sex", "male") in got
    assert (2, "event_type", "parole") in got
    assert len(got) == 3
    assert set(err.value.failures["table"]) == {"cohort"}


def test_build_cohort_refuses_a_missing_column() -> None:
    with pytest.raises(ValidationError) as err:
        build_cohort(_events().drop(columns=["sex"]))
    assert [(r, c) for r, c, _ in _failures(err)] == [("-", "sex")]


def test_build_cohort_checks_extract_date_only_when_given() -> None:
    df = _events()
    df.loc[2, "index_date"] = "2016-01-01"
    assert len(build_cohort(df).members) == 3  # no extract date: that one rule is not checked
    with pytest.raises(ValidationError) as err:
        build_cohort(df, extract_date="2015-12-31")
    assert _failures(err) == [(3, "index_date", "2016-01-01")]
    assert "after the extract date" in err.value.failures["reason"].iloc[0]


def test_count_reoffending_refuses_unknown_disposal_type_listing_every_row() -> None:
    o = _offences()
    o["disposal_type"] = ["fine", "warning"]
    with pytest.raises(ValidationError) as err:
        count_reoffending(_members(), o)
    assert _failures(err) == [(1, "disposal_type", "fine"), (2, "disposal_type", "warning")]
    assert set(err.value.failures["table"]) == {"offences"}


def test_count_reoffending_refuses_a_missing_column_and_a_late_date() -> None:
    with pytest.raises(ValidationError) as err:
        count_reoffending(_members(), _offences().drop(columns=["offence_date"]))
    assert [(r, c) for r, c, _ in _failures(err)] == [("-", "offence_date")]
    with pytest.raises(ValidationError) as err:
        count_reoffending(_members(), _offences(), extract_date="2015-04-30")
    assert _failures(err) == [(2, "disposal_date", "2015-05-01")]


def test_validate_false_is_the_opt_out() -> None:
    o = _offences()
    o["disposal_type"] = ["fine", "conviction"]
    o[["offence_date", "disposal_date"]] = o[["offence_date", "disposal_date"]].apply(
        pd.to_datetime
    )
    r = count_reoffending(_members(), o, validate=False)  # "fine" cannot count: not refused
    assert r["reoffences"].tolist() == [1, 0, 0]


# --------------------------------------------------------------------------- validated once


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tables the io validator checks (one entry per table validated)."""
    seen: list[str] = []
    real = io_read._read

    def counting(source: Any, table: Any, *args: Any) -> Any:
        seen.append(str(table))
        return real(source, table, *args)

    monkeypatch.setattr(io_read, "_read", counting)
    real_stamped = io_read.is_stamped

    def stamped(frame: Any, table: Any, extract: Any) -> bool:
        seen.append(f"stamp? {table}")  # a fingerprint of the frame (a pass over it)
        return real_stamped(frame, table, extract)

    monkeypatch.setattr(io_read, "is_stamped", stamped)
    return seen


def _validated(seen: list[str]) -> list[str]:
    return [t for t in seen if not t.startswith("stamp?")]


def test_a_stamped_frame_is_not_validated_again(validations: list[str]) -> None:
    cohort = read_cohort(_events(), extract_date="2017-12-31")
    offences = read_offences(_offences(), extract_date="2017-12-31")
    assert _validated(validations) == ["cohort", "offences"]
    c = build_cohort(cohort)
    count_reoffending(c.members, offences)
    build_cohort(cohort, extract_date="2017-12-31")
    assert _validated(validations) == ["cohort", "offences"]
    build_cohort(_events())  # a raw frame is validated
    count_reoffending(c.members, _offences())
    assert _validated(validations) == ["cohort", "offences", "cohort", "offences"]
    validations.clear()
    build_cohort(_events(), validate=False)
    count_reoffending(c.members, _offences(), validate=False)
    assert validations == []  # the opt-out: not even a stamp check


def _raw_sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A slice of the bundled sample as raw frames (the stamp removed: validated again)."""
    s = pbr.datasets.load_sample()
    cohort, offences = s.cohort.head(3000).copy(), s.offences.head(30000).copy()
    cohort.attrs, offences.attrs = {}, {}
    return cohort, offences


# the sample holds juveniles (legal data the validator warns about)
@pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")
def test_internal_callers_do_not_validate_twice(validations: list[str]) -> None:
    cohort, offences = _raw_sample()
    once = ["cohort", "offences", "stamp? cohort", "stamp? offences"]  # checked_tables alone
    pbr.compute_measures(cohort, offences, extract_date="2019-12-31")
    assert sorted(validations) == once  # not validated, nor stamp-checked, again inside
    validations.clear()
    pbr.matching.person_table(cohort, offences, extract_date="2019-12-31")
    assert sorted(validations) == once


# --------------------------------------------------------------------------- unchanged


@pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")  # juveniles
def test_results_on_clean_data_unchanged() -> None:
    s = pbr.datasets.load_sample()
    cohort, offences = _raw_sample()
    trusted = build_cohort(s.cohort.head(3000), validate=False)
    checked = build_cohort(cohort)
    pd.testing.assert_frame_equal(checked.members, trusted.members)
    pd.testing.assert_frame_equal(checked.exclusions, trusted.exclusions)
    pd.testing.assert_frame_equal(
        count_reoffending(checked.members, offences),
        count_reoffending(trusted.members, s.offences.head(30000), validate=False),
    )
