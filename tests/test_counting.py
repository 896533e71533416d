"""Hand-worked examples of the counting rules (SPEC §4), one per rule set."""

from __future__ import annotations

import pandas as pd
import pytest

from pbr.counting import RULE_SETS, count_reoffending, counting_disposals
from pbr.errors import PbrError

# the hand-built frames hold legal but suspicious rows on purpose (juveniles, duplicate
# rows): they are validated, and the validator's warnings are tested in tests/test_io_*
pytestmark = pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")


def _off(rows: list[tuple[str, str, str, str, bool, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "offender_id": pd.array([r[0] for r in rows], dtype="string"),
            "offence_date": pd.to_datetime([r[1] for r in rows]),
            "disposal_date": pd.to_datetime([r[2] for r in rows]),
            "disposal_type": pd.array([r[3] for r in rows], dtype="string"),
            "breach": [r[4] for r in rows],
            "appearance_id": pd.array([r[5] for r in rows], dtype="string"),
        }
    )


MEMBER = pd.DataFrame(
    {"offender_id": pd.array(["A"], dtype="string"), "index_date": pd.to_datetime(["2015-08-31"])}
)
# index date d = 2015-08-31: d + 12 months = 2016-08-31, d + 18 months = 2017-02-28 (clipped)
OFFENCES = _off(
    [
        ("A", "2015-08-31", "2015-09-10", "conviction", False, None),  # a: index day -> no
        ("A", "2015-09-01", "2015-10-01", "caution", False, None),  # b: day after -> yes
        ("A", "2016-08-31", "2017-02-28", "conviction", False, None),  # c: both ends -> yes
        ("A", "2016-08-31", "2017-02-28", "conviction", False, None),  # d: duplicate of c -> yes
        ("A", "2016-09-01", "2016-10-01", "conviction", False, None),  # e: after follow-up -> no
        ("A", "2016-01-01", "2017-03-01", "conviction", False, None),  # f: after waiting -> no
        ("A", "2016-01-01", "2016-02-01", "pnd", False, None),  # g: PND -> no
        ("A", "2016-01-01", "2016-02-01", "other", False, None),  # h: other -> no
        ("A", "2016-01-01", "2016-02-01", "conviction", True, None),  # i: breach -> no
        ("B", "2016-01-01", "2016-02-01", "conviction", False, None),  # j: someone else -> no
        ("A", "2016-02-01", "2016-03-01", "conviction", False, "X"),  # k: appearance X
        ("A", "2016-02-02", "2016-03-01", "conviction", False, " X "),  # l: appearance X again
        ("A", "2016-02-03", "2016-03-01", "caution", False, "Y"),  # m: caution at "Y"
    ]
)


def test_moj_proven_hand_worked() -> None:
    # counted: b, c, d, k, l, m = 6 (cautions count; duplicates c/d count twice)
    r = count_reoffending(MEMBER, OFFENCES, rules="moj_proven")
    assert r.loc[0, "reoffences"] == 6
    assert bool(r.loc[0, "reoffender"])
    assert r.loc[0, "first_reoffence_date"] == pd.Timestamp("2015-09-01")  # offence b
    assert r.loc[0, "window_end"] == pd.Timestamp("2017-02-28")


def test_convictions_only_hand_worked() -> None:
    # as moj_proven without the cautions b and m: c, d, k, l = 4; first is c (2016-02-01 is k)
    r = count_reoffending(MEMBER, OFFENCES, rules="convictions_only")
    assert r.loc[0, "reoffences"] == 4
    assert r.loc[0, "first_reoffence_date"] == pd.Timestamp("2016-02-01")  # offence k


def test_reconviction_events_hand_worked() -> None:
    # counting convictions: c, d (no appearance_id, disposal 2017-02-28 -> one appearance)
    # and k, l (appearance "X" -> one appearance); caution m never counts: 2 appearances
    r = count_reoffending(MEMBER, OFFENCES, rules="reconviction_events")
    assert r.loc[0, "reoffences"] == 2
    assert r.loc[0, "first_reoffence_date"] == pd.Timestamp("2016-02-01")


def test_29_february_window() -> None:
    # d = 2016-02-29: d + 12 months = 2017-02-28 (counts), 2017-03-01 does not;
    # d + 18 months = 2017-08-29
    m = pd.DataFrame({"offender_id": ["A"], "index_date": pd.to_datetime(["2016-02-29"])})
    o = _off(
        [
            ("A", "2017-02-28", "2017-08-29", "conviction", False, None),
            ("A", "2017-03-01", "2017-03-02", "conviction", False, None),
            ("A", "2016-03-01", "2017-08-30", "conviction", False, None),
        ]
    )
    r = count_reoffending(m, o)
    assert r.loc[0, "reoffences"] == 1
    assert r.loc[0, "window_end"] == pd.Timestamp("2017-08-29")


def test_short_follow_up_for_interim_measures() -> None:
    # d = 2015-01-31: + 3 months = 2015-04-30; + 3 + 0 months = 2015-04-30
    m = pd.DataFrame({"offender_id": ["A"], "index_date": pd.to_datetime(["2015-01-31"])})
    o = _off(
        [
            ("A", "2015-04-30", "2015-04-30", "conviction", False, None),  # yes
            ("A", "2015-04-29", "2015-05-01", "conviction", False, None),  # disposal too late
        ]
    )
    r = count_reoffending(m, o, follow_up_months=3, waiting_months=0)
    assert r["reoffences"].tolist() == [1]
    assert r.loc[0, "window_end"] == pd.Timestamp("2015-04-30")


def test_same_person_two_index_events_counted_independently() -> None:
    # index 2015-01-01 and 2015-05-01; offence on 2015-05-01 counts for the first only
    m = pd.DataFrame(
        {"offender_id": ["A", "A"], "index_date": pd.to_datetime(["2015-01-01", "2015-05-01"])}
    )
    o = _off([("A", "2015-05-01", "2015-06-01", "caution", False, None)])
    assert count_reoffending(m, o)["reoffences"].tolist() == [1, 0]


def test_result_aligned_with_members_index_and_dtypes() -> None:
    m = pd.DataFrame(
        {"offender_id": ["B", "A"], "index_date": pd.to_datetime(["2015-01-01", "2015-08-31"])},
        index=[7, 3],
    )
    r = count_reoffending(m, OFFENCES)
    assert list(r.index) == [7, 3]
    assert r["reoffences"].tolist() == [1, 6]  # B: offence j (2016-01-01) only
    assert str(r["reoffences"].dtype) == "int64"
    assert r["reoffender"].dtype == bool
    assert pd.isna(count_reoffending(m, OFFENCES.iloc[:0]).loc[7, "first_reoffence_date"])


def test_empty_members() -> None:
    r = count_reoffending(MEMBER.iloc[:0], OFFENCES)
    assert len(r) == 0
    assert list(r.columns) == ["reoffences", "reoffender", "first_reoffence_date", "window_end"]


def test_missing_breach_column_means_not_breach() -> None:
    r = count_reoffending(MEMBER, OFFENCES.drop(columns=["breach", "appearance_id"]))
    assert r.loc[0, "reoffences"] == 7  # offence i (a breach) now counts: 6 + 1


def test_bad_parameters() -> None:
    with pytest.raises(PbrError, match="rule set"):
        count_reoffending(MEMBER, OFFENCES, rules="nope")
    with pytest.raises(PbrError, match="follow_up_months"):
        count_reoffending(MEMBER, OFFENCES, follow_up_months=0)
    with pytest.raises(PbrError, match="waiting_months"):
        count_reoffending(MEMBER, OFFENCES, waiting_months=-1)
    with pytest.raises(PbrError, match="disposal_type"):
        count_reoffending(MEMBER, OFFENCES.drop(columns=["disposal_type"]))


def test_rule_sets_and_disposals() -> None:
    assert tuple(RULE_SETS) == ("moj_proven", "convictions_only", "reconviction_events")
    assert counting_disposals("convictions_only") == ("conviction",)


def test_table_calendar_matches_pbr_dates() -> None:
    import numpy as np

    from pbr.dates import add_months
    from pbr.rulesets import RULE_SETS, add_months_days

    dense = np.arange(
        np.datetime64("1900-01-01", "D").astype(np.int64),
        np.datetime64("2100-12-31", "D").astype(np.int64) + 1,
    )
    sparse = np.array(["1900-01-31", "2016-02-29", "2100-08-31"], "datetime64[D]").astype(np.int64)
    for days in (dense, sparse, dense[::-7]):
        as_dt = days.astype("datetime64[D]")
        for k in (-1, 0, 1, 3, 12, 18, 216):
            assert (add_months_days(days, k) == add_months(as_dt, k).astype(np.int64)).all()
    fu, w = RULE_SETS["moj_proven"].window_ends(sparse)
    assert fu.astype("datetime64[D]").astype(str).tolist() == [
        "1901-01-31", "2017-02-28", "2101-08-31",
    ]  # fmt: skip
    assert w.astype("datetime64[D]").astype(str).tolist() == [
        "1901-07-31", "2017-08-29", "2102-02-28",
    ]  # fmt: skip


@pytest.mark.parametrize("rules", RULE_SETS)
def test_blocked_parallel_join_equals_single_block(
    rules: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    import pbr._engine.join as join

    rng = np.random.default_rng(3)
    ids = [f"P{i}" for i in range(40)]
    base = np.datetime64("2015-01-01", "D")
    members = pd.DataFrame(
        {
            "offender_id": pd.array(rng.choice(ids, 200), dtype="string"),
            "index_date": (base + rng.integers(0, 700, 200)).astype("datetime64[s]"),
        }
    )
    off = base + rng.integers(0, 1100, 3000)
    offences = _off(
        [
            (str(i), str(o), str(o + int(lag)), str(t), bool(b), a)
            for i, o, lag, t, b, a in zip(
                rng.choice(ids, 3000),
                off,
                rng.integers(0, 200, 3000),
                rng.choice(["conviction", "caution", "pnd"], 3000),
                rng.random(3000) < 0.1,
                rng.choice(np.array([None, "X", "Y"], dtype=object), 3000),
                strict=True,
            )
        ]
    )
    one = count_reoffending(members, offences, rules=rules)
    monkeypatch.setattr(join, "_BLOCK_PAIRS", 7)  # hundreds of blocks, on threads
    many = count_reoffending(members, offences, rules=rules)
    pd.testing.assert_frame_equal(one, many)
    assert one["reoffences"].sum() > 0
