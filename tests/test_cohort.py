"""Hand-worked cohort examples: eligibility rules, first-event rule, exclusions (SPEC §3)."""

from __future__ import annotations

import pandas as pd
import pytest

from pbr.cohort import ELIGIBILITY_RULES, build_cohort
from pbr.errors import PbrError

# the hand-built frames hold legal but suspicious rows on purpose (juveniles, duplicate
# rows): they are validated, and the validator's warnings are tested in tests/test_io_*
pytestmark = pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")


def _cohort(rows: list[tuple]) -> pd.DataFrame:  # type: ignore[type-arg]
    cols = ["offender_id", "lot", "index_date", "event_type", "date_of_birth", "supervisor",
            "em_only", "exclusion_reason"]  # fmt: skip
    df = pd.DataFrame(rows, columns=cols)
    for c in ("offender_id", "lot", "event_type", "supervisor", "exclusion_reason"):
        df[c] = df[c].astype("string")
    for c in ("index_date", "date_of_birth"):
        df[c] = pd.to_datetime(df[c]).astype("datetime64[s]")
    df["sex"] = pd.array(["M"] * len(df), dtype="string")
    df["em_only"] = df["em_only"].astype(bool)
    return df


ROWS = [
    # row 1: juvenile: 18th birthday is the day after the index date -> "adult"
    ("J", "CPA01", "2015-02-10", "release", "1997-02-11", "CRC", False, None),
    # row 2: exactly 18 on the index date -> eligible
    ("K", "CPA01", "2015-02-10", "release", "1997-02-10", "CRC", False, None),
    # row 3: NPS *and* a caution: the first failing rule in the fixed order wins
    ("L", "CPA01", "2015-02-11", "caution", "1980-01-01", "NPS", False, None),
    # row 4: caution -> "eligible_event_type"
    ("M", "CPA01", "2015-03-01", "caution", "1980-01-01", "CRC", False, None),
    # row 5: EM-only order -> "not_em_only"
    ("N", "CPA01", "2015-03-02", "community_order", "1980-01-01", "CRC", True, None),
    # rows 6-8: P three times in 2015Q1: the earliest (row 7) is the index event
    ("P", "CPA01", "2015-03-31", "community_order", "1980-01-01", "CRC", False, None),
    ("P", "CPA01", "2015-01-01", "release", "1980-01-01", "CRC", False, None),
    ("P", "CPA01", "2015-01-01", "release", "1980-01-01", "CRC", False, None),
    # row 9: P again in 2015Q2 -> a second quarterly cohort
    ("P", "CPA01", "2015-04-01", "release", "1980-01-01", "CRC", False, None),
    # row 10: eligible but deceased -> excluded with its reason
    (
        "Q",
        "CPA02",
        "2015-01-05",
        "suspended_sentence_order",
        "1980-01-01",
        "CRC",
        False,
        "deceased",
    ),
    # row 11: a 29 February birthday: 18 on 2016-02-28 (non-leap year clipping)
    ("R", "CPA02", "2016-02-28", "release", "1998-02-28", "CRC", False, None),
]


def test_rules_first_event_and_exclusions() -> None:
    c = build_cohort(_cohort(ROWS))
    assert c.members["row"].tolist() == [2, 7, 9, 11]
    assert c.members["period"].tolist() == ["2015Q1", "2015Q1", "2015Q2", "2016Q1"]
    assert c.eligible["row"].tolist() == [2, 7, 9, 10, 11]
    got = {(r.lot, r.period, r.reason): r.count for r in c.exclusions.itertuples()}
    assert got == {
        ("CPA01", "2015Q1", "adult"): 1,
        ("CPA01", "2015Q1", "crc_supervised"): 1,
        ("CPA01", "2015Q1", "eligible_event_type"): 1,
        ("CPA01", "2015Q1", "not_em_only"): 1,
        ("CPA01", "2015Q1", "later_event_same_period"): 2,
        ("CPA02", "2015Q1", "deceased"): 1,
    }
    # every row read is a member or counted in the exclusions table
    assert len(c.members) + c.exclusions["count"].sum() == len(ROWS)
    stage = c.exclusions["stage"] == "eligibility"
    assert len(c.eligible) + c.exclusions.loc[stage, "count"].sum() == len(ROWS)
    assert list(c.exclusions.columns[:4]) == ["lot", "period", "reason", "count"]


def test_eligible_events_are_the_members_and_the_excluded_eligible_rows_whole() -> None:
    c = build_cohort(_cohort(ROWS))
    e = c.eligible
    # rows 2, 7, 9, 11 are the members; row 10 (Q, deceased) is eligible but excluded
    assert e["offender_id"].tolist() == ["K", "P", "P", "Q", "R"]
    assert e["period"].tolist() == ["2015Q1", "2015Q1", "2015Q2", "2015Q1", "2016Q1"]
    q = e[e["row"] == 10].iloc[0]
    assert (q["lot"], q["event_type"], q["exclusion_reason"]) == (
        "CPA02",
        "suspended_sentence_order",
        "deceased",
    )
    assert q["index_date"] == pd.Timestamp("2015-01-05")
    assert list(e.index) == list(range(5))
    # the members are the eligible rows without an exclusion reason, in the same order
    kept = e[e["exclusion_reason"].isna()].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, c.members)
    assert c.summary().figures["eligible"] == "5"
    # a cohort without such rows: the eligible events are the members
    plain = build_cohort(_cohort([r for r in ROWS if r[0] != "Q"]))
    pd.testing.assert_frame_equal(plain.eligible, plain.members)


def test_29_february_birthday() -> None:
    rows = [("R", "CPA02", "2016-02-27", "release", "1998-02-28", "CRC", False, None),
            ("S", "CPA02", "2018-02-28", "release", "2000-02-29", "CRC", False, None),
            ("T", "CPA02", "2018-02-27", "release", "2000-02-29", "CRC", False, None)]  # fmt: skip
    # R is 17 the day before the birthday; S turns 18 on 2018-02-28 (29 Feb clipped); T is 17
    assert build_cohort(_cohort(rows)).members["offender_id"].tolist() == ["S"]


def test_annual_cohort_is_union_of_quarters() -> None:
    df = _cohort(ROWS)
    # financial year 2014/15 (Apr 2014 - Mar 2015) holds P's 2015Q1 event; 2015/16 holds Q2
    c = build_cohort(df, period="calendar_year")
    assert c.members["row"].tolist() == [2, 7, 9, 11]  # P twice in 2015: two quarters
    assert c.members["period"].tolist() == ["2015", "2015", "2015", "2016"]
    one = build_cohort(df, period="calendar_year", dedupe="period")
    assert one.members["row"].tolist() == [2, 7, 11]
    got = {(r.period, r.reason): r.count for r in one.exclusions.itertuples()}
    assert got[("2015", "later_event_same_period")] == 3
    fy = build_cohort(df, period="financial_year")
    assert fy.members["period"].tolist() == ["2014/15", "2014/15", "2015/16", "2015/16"]


def test_switchable_rules() -> None:
    c = build_cohort(_cohort(ROWS), eligibility=["eligible_event_type"])
    # only the event-type rule: juvenile J and EM-only N are now members; the cautions
    # L and M are still excluded; deceased Q is eligible but not measurable
    assert c.members["offender_id"].tolist() == ["J", "K", "N", "P", "P", "R"]
    assert build_cohort(_cohort(ROWS), eligibility=[]).eligibility == ()
    assert set(ELIGIBILITY_RULES) == {"adult", "crc_supervised", "eligible_event_type",
                                      "not_em_only"}  # fmt: skip


def test_members_sorted_and_columns_kept() -> None:
    df = _cohort(ROWS).assign(my_extra=range(len(ROWS)))
    c = build_cohort(df)
    assert "my_extra" in c.members.columns
    assert c.members["my_extra"].tolist() == [1, 6, 8, 10]
    assert list(c.members.index) == [0, 1, 2, 3]
    assert c.to_frame().equals(c.members) and c.to_frame() is not c.members
    assert c.table is c.members
    s = c.summary().frame
    assert s[["lot", "period", "rows_read", "eligible", "measurable"]].values.tolist() == [
        ["CPA01", "2015Q1", 8, 2, 2],
        ["CPA01", "2015Q2", 1, 1, 1],
        ["CPA02", "2015Q1", 1, 1, 0],
        ["CPA02", "2016Q1", 1, 1, 1],
    ]
    assert "Cohort" in c._repr_html_()


def test_missing_optional_columns_and_empty() -> None:
    df = _cohort(ROWS).drop(columns=["supervisor", "em_only", "exclusion_reason"])
    c = build_cohort(df)
    # without supervisor (=CRC) and em_only (=False): L is still a caution, N is now eligible
    assert c.members["row"].tolist() == [2, 5, 7, 9, 10, 11]
    e = build_cohort(df.iloc[:0])
    assert len(e.members) == 0 and len(e.exclusions) == 0


def test_bad_options() -> None:
    df = _cohort(ROWS)
    with pytest.raises(PbrError, match="unknown eligibility rule"):
        build_cohort(df, eligibility=["adult", "nonsense"])
    with pytest.raises(PbrError, match="period"):
        build_cohort(df, period="month")  # type: ignore[arg-type]
    with pytest.raises(PbrError, match="dedupe"):
        build_cohort(df, dedupe="year")  # type: ignore[arg-type]
    with pytest.raises(PbrError, match="date_of_birth"):
        build_cohort(df.drop(columns=["date_of_birth"]))


def test_fixed_key_sorted_codes_equal_hash_sort() -> None:
    import numpy as np

    from pbr._engine import sorted_codes
    from pbr._engine.codes import sorted_codes_fixed

    rng = np.random.default_rng(5)
    pool = ["a", "ab", "a b", "b", "", "é", "éa", "Z", "z9", "PN00000001", "PN0000000",
            "0123456789abcdef", "0123456789abcdee", "~"]  # fmt: skip
    values = pd.Series(rng.choice(pool, 500), dtype="string")
    fast = sorted_codes_fixed(values)
    assert fast is not None
    codes, names = sorted_codes(values)
    assert fast[0].tolist() == codes.tolist()
    assert fast[1].to_pylist() == names.tolist()
    # not applicable: longer than 16 bytes, NUL bytes, missing values
    assert sorted_codes_fixed(pd.Series(["x" * 17, "a"], dtype="string")) is None
    assert sorted_codes_fixed(pd.Series(["a\x00", "a"], dtype="string")) is None
    assert sorted_codes_fixed(pd.Series(["a", None], dtype="string")) is None


def test_rules_is_a_deprecated_alias_of_eligibility() -> None:
    # "rules" names a counting rule set; the eligibility rules are `eligibility=`
    with pytest.warns(DeprecationWarning, match="eligibility"):
        old = build_cohort(_cohort(ROWS), rules=["eligible_event_type"])
    new = build_cohort(_cohort(ROWS), eligibility=["eligible_event_type"])
    assert old.members["row"].tolist() == new.members["row"].tolist()
    with pytest.warns(DeprecationWarning, match="Cohort.eligibility"):
        assert old.rules == ("eligible_event_type",)
    with pytest.raises(PbrError, match="eligibility must be a sequence"):
        build_cohort(_cohort(ROWS), eligibility="adult")
