"""A rule set is one object: changing or adding one is one edit, seen by every input path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pbr.cohort import build_cohort
from pbr.counting import count_reoffending
from pbr.errors import PbrError, SuspiciousDataWarning
from pbr.measures import compute_measures
from pbr.rulesets import RULE_SET_NAMES, RULE_SETS, RuleSet, rule_set

from .test_counting import MEMBER, OFFENCES


class OnOrAfterIndexDay(RuleSet):
    """The window edited in its one place: offences ON the index day count too."""

    @staticmethod
    def in_window(
        offence_day: Any, disposal_day: Any, index_day: Any, follow_up_end: Any, window_end: Any
    ) -> Any:
        return (
            (offence_day >= index_day)
            & (offence_day <= follow_up_end)
            & (disposal_day <= window_end)
        )


COHORT = pd.DataFrame(
    {
        "offender_id": pd.array(["A"], dtype="string"),
        "lot": pd.array(["CPA01"], dtype="string"),
        "index_date": pd.to_datetime(["2015-08-31"]),
        "event_type": pd.array(["release"], dtype="string"),
        "sex": pd.array(["M"], dtype="string"),
        "date_of_birth": pd.to_datetime(["1980-01-01"]),
    }
)


def _every_path(rules: Any, tmp_path: Path) -> dict[str, int]:
    """Reoffences of member A (tests/test_counting.py's table) through every input path."""
    cohort_pq, offences_pq = tmp_path / "c.parquet", tmp_path / "o.parquet"
    pq.write_table(pa.Table.from_pandas(COHORT, preserve_index=False), cohort_pq)
    pq.write_table(
        pa.Table.from_pandas(OFFENCES, preserve_index=False), offences_pq, row_group_size=3
    )
    offences_csv = tmp_path / "o.csv"
    OFFENCES.to_csv(offences_csv, index=False, date_format="%Y-%m-%d")
    got = {"count_reoffending": int(count_reoffending(MEMBER, OFFENCES, rules=rules).iloc[0, 0])}
    runs = {
        "frames": (COHORT, OFFENCES),
        "parquet_no_validate": (cohort_pq, offences_pq),
        "csv_no_validate": (COHORT, offences_csv),
        "built_cohort": (build_cohort(COHORT), offences_pq),
    }
    for name, (c, o) in runs.items():
        m = compute_measures(c, o, extract_date="2018-01-01", rules=rules, validate=False)
        got[name] = int(m.table.loc[0, "reoffences"])
    return got


# tests/test_counting.py's offences hold a duplicate row on purpose (legal; the validator warns)
@pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")
def test_window_edit_in_one_place_reaches_every_path(tmp_path: Path) -> None:
    # tests/test_counting.py's hand-worked table: 6 counted rows under moj_proven; row a
    # (offence on the index day 2015-08-31, disposed 2015-09-10) is the only one the
    # "on or after" window adds
    before = _every_path("moj_proven", tmp_path)
    after = _every_path(OnOrAfterIndexDay("moj_on_or_after", ("conviction", "caution")), tmp_path)
    assert set(before.values()) == {6}, before
    assert set(after.values()) == {7}, after


# tests/test_counting.py's offences hold a duplicate row on purpose (legal; the validator warns)
@pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")
def test_a_new_rule_set_is_one_object(tmp_path: Path) -> None:
    # counting penalty notices as well: row g (a PND inside the window) joins the 6
    with_pnd = RuleSet("with_pnd", ("conviction", "caution", "pnd"))
    assert set(_every_path(with_pnd, tmp_path).values()) == {7}
    # breaches counted: row i (a breach conviction inside the window) joins the 6
    breaches = RuleSet("breaches_too", ("conviction", "caution"), breaches_count=True)
    assert set(_every_path(breaches, tmp_path).values()) == {7}
    # the measures table records the rule set's name (validated: row d duplicates row c
    # on purpose, which the boundary reports as a warning)
    with pytest.warns(SuspiciousDataWarning, match="exact duplicates"):
        m = compute_measures(COHORT, OFFENCES, extract_date="2018-01-01", rules=with_pnd)
    assert m.rules == "with_pnd"
    assert m.table["rules"].tolist() == ["with_pnd"]


def test_rule_sets_mapping() -> None:
    assert list(RULE_SETS) == list(RULE_SET_NAMES)
    assert RULE_SET_NAMES == ("moj_proven", "convictions_only", "reconviction_events")
    assert "moj_proven" in RULE_SETS  # argparse choices= and membership tests see names
    assert RULE_SETS["moj_proven"].disposals == ("conviction", "caution")
    assert RULE_SETS["reconviction_events"].unit == "appearance"
    assert {r.unit for n, r in RULE_SETS.items() if n != "reconviction_events"} == {"offence"}
    assert not any(r.breaches_count for r in RULE_SETS.values())
    with pytest.raises(TypeError):
        RULE_SETS["x"] = RULE_SETS["moj_proven"]  # type: ignore[index]
    assert rule_set(RULE_SETS["convictions_only"]) is RULE_SETS["convictions_only"]
    with pytest.raises(PbrError, match="unknown rule set 'x'"):
        rule_set("x")
    with pytest.raises(PbrError, match="unknown rule set"):
        rule_set(["moj_proven"])  # type: ignore[arg-type]


def test_rule_set_window_is_validated() -> None:
    r = RULE_SETS["moj_proven"].with_window(3, 0)
    assert (r.follow_up_months, r.waiting_months, r.name) == (3, 0, "moj_proven")
    assert RULE_SETS["moj_proven"].follow_up_months == 12  # frozen: a new object
    with pytest.raises(PbrError, match="follow_up_months"):
        RuleSet("bad", ("conviction",), follow_up_months=0)
    with pytest.raises(PbrError, match="waiting_months"):
        RULE_SETS["moj_proven"].with_window(12, -1)
    with pytest.raises(PbrError, match="unit"):
        RuleSet("bad", ("conviction",), unit="person")  # type: ignore[arg-type]


def test_can_count_is_the_same_mask_for_pandas_and_arrow() -> None:
    disposal = ["conviction", "caution", "pnd", None, "conviction", "caution"]
    breach = [False, None, False, False, True, False]
    want = [True, True, False, False, False, True]
    r = RULE_SETS["moj_proven"]
    assert r.can_count(pd.Series(disposal, dtype="string"), pd.Series(breach)).tolist() == want
    col = pa.chunked_array([pa.array(disposal).dictionary_encode()])
    assert r.can_count(col, pa.chunked_array([breach])).tolist() == want
    assert r.can_count(pa.chunked_array([disposal])).tolist() == [
        True, True, False, False, True, True,
    ]  # fmt: skip
    assert RULE_SETS["convictions_only"].can_count(pd.Series(disposal)).tolist() == [
        True, False, False, False, True, False,
    ]  # fmt: skip


def test_bounds_cover_every_window() -> None:
    days = np.array(["2016-02-29", "2015-08-31"], "datetime64[D]").astype(np.int64)
    lo, hi_fu, hi_w = RULE_SETS["moj_proven"].bounds(days)
    fu, w = RULE_SETS["moj_proven"].window_ends(days)
    assert (lo, hi_fu, hi_w) == (int(days.min()), int(fu.max()), int(w.max()))
    assert RULE_SETS["moj_proven"].bounds(np.empty(0, np.int64)) == (0, -1, -1)
