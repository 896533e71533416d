"""The engine equals the plain-Python oracle (tests/oracle.py) on generated cohorts.

Generated data is rich in boundary cases: index day, exactly +12 months and
+18 months (and a day either side), 29 February, the 31st, same-quarter repeats,
PNDs, breaches, cautions, juveniles (18th birthday on the index day and the day
after), NPS, EM-only, exclusion reasons, duplicate offence rows and lot × period
groups in which every row is excluded.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pbr.cohort import build_cohort
from pbr.counting import RULE_SETS, count_reoffending
from pbr.errors import SuspiciousDataWarning
from pbr.measures import compute_measures

from . import oracle

D = dt.date
ANCHORS = [
    D(2015, 1, 1), D(2015, 3, 31), D(2015, 8, 31), D(2015, 12, 31), D(2016, 1, 31),
    D(2016, 2, 28), D(2016, 2, 29), D(2016, 3, 1), D(2016, 3, 31), D(2016, 4, 1),
    D(2016, 5, 31), D(2016, 8, 31), D(2018, 2, 28), D(2018, 3, 1),
]  # fmt: skip
IDS = ["A", "B", "C", "PN0000000001", "Z"]
LOTS = ["CPA01", "CPA02", "CPA15"]
EVENTS = ["release", "community_order", "suspended_sentence_order", "caution", "other"]


@st.composite
def cohort_rows(draw: Any) -> list[dict[str, Any]]:
    n = draw(st.integers(0, 10))
    rows = []
    for _ in range(n):
        if draw(st.booleans()):
            idx = draw(st.sampled_from(ANCHORS))
        else:
            idx = D(2015, 1, 1) + dt.timedelta(days=draw(st.integers(0, 800)))
        kind = draw(st.sampled_from(["adult", "exact18", "day_before_18", "feb29"]))
        if kind == "adult":
            dob = D(1980, 6, 15)
        elif kind == "exact18":
            dob = oracle.add_months(idx, -216)
        elif kind == "day_before_18":
            dob = oracle.add_months(idx, -216) + dt.timedelta(days=1)
        else:
            dob = D(2000, 2, 29)
        rows.append(
            {
                "offender_id": draw(st.sampled_from(IDS)),
                "lot": draw(st.sampled_from(LOTS)),
                "index_date": idx,
                "event_type": draw(st.sampled_from(EVENTS)),
                "sex": draw(st.sampled_from(["M", "F"])),
                "date_of_birth": dob,
                "supervisor": draw(st.sampled_from(["CRC", "CRC", "NPS", None])),
                "em_only": draw(st.booleans()),
                "exclusion_reason": draw(
                    st.sampled_from([None, None, None, "deceased", "deported", ""])
                ),
            }
        )
    # same-quarter repeats: copy some rows with a later (or equal) date in the quarter
    for i in draw(st.lists(st.integers(0, max(0, n - 1)), max_size=3 if n else 0)):
        r = dict(rows[i])
        r["index_date"] = r["index_date"] + dt.timedelta(days=draw(st.integers(0, 20)))
        rows.append(r)
    # the same person again in a later quarter (overlapping follow-up windows)
    for i in draw(st.lists(st.integers(0, max(0, n - 1)), max_size=3 if n else 0)):
        r = dict(rows[i])
        r["index_date"] = r["index_date"] + dt.timedelta(days=draw(st.integers(90, 300)))
        rows.append(r)
    return rows


@st.composite
def offence_rows(draw: Any, cohort: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(0, 16))):
        if cohort and draw(st.integers(0, 9)) < 8:  # mostly about a cohort member
            base = draw(st.sampled_from(cohort))
            a, who = base["index_date"], base["offender_id"]
        else:
            a, who = draw(st.sampled_from(ANCHORS)), draw(st.sampled_from(IDS))
        where = draw(
            st.sampled_from(
                ["index", "fu_end", "inside", "index", "fu_end", "inside", "before", "random"]
            )
        )
        delta = dt.timedelta(days=draw(st.sampled_from([0, 0, -1, 1])))
        if where == "index":
            od = a + delta
        elif where == "fu_end":
            od = oracle.add_months(a, 12) + delta
        elif where == "inside":
            od = a + dt.timedelta(days=draw(st.integers(1, 360)))
        elif where == "before":
            od = a - dt.timedelta(days=draw(st.integers(1, 400)))
        else:
            od = D(2014, 6, 1) + dt.timedelta(days=draw(st.integers(0, 1500)))
        disp_kind = draw(st.sampled_from(["same", "soon", "soon", "w_end", "late"]))
        if disp_kind == "same":
            dd = od
        elif disp_kind == "soon":
            dd = od + dt.timedelta(days=draw(st.integers(1, 200)))
        elif disp_kind == "w_end":
            dd = oracle.add_months(a, 18) + dt.timedelta(days=draw(st.sampled_from([0, 0, -1, 1])))
        else:
            dd = od + dt.timedelta(days=draw(st.integers(200, 700)))
        dd = max(dd, od)
        out.append(
            {
                "offender_id": who,
                "offence_date": od,
                "disposal_date": dd,
                "disposal_type": draw(
                    st.sampled_from(["conviction", "conviction", "caution", "pnd", "other"])
                ),
                "breach": draw(st.sampled_from([False, False, False, True])),
                "appearance_id": draw(st.sampled_from([None, None, "X1", "X2", ""])),
            }
        )
    # duplicate offence rows count separately
    for i in draw(st.lists(st.integers(0, max(0, len(out) - 1)), max_size=3 if out else 0)):
        out.append(dict(out[i]))
    return out


def cohort_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    cols = ["offender_id", "lot", "index_date", "event_type", "sex", "date_of_birth",
            "supervisor", "em_only", "exclusion_reason"]  # fmt: skip
    df = pd.DataFrame({c: [r[c] for r in rows] for c in cols})
    for c in ("offender_id", "lot", "event_type", "sex", "supervisor", "exclusion_reason"):
        df[c] = df[c].astype("string")
    for c in ("index_date", "date_of_birth"):
        df[c] = pd.to_datetime(pd.Series([r[c] for r in rows], dtype=object)).astype(
            "datetime64[s]"
        )
    df["em_only"] = df["em_only"].astype(bool)
    df["extra_column"] = range(len(df))  # extra columns are kept and ignored
    return df


def offence_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    cols = ["offender_id", "offence_date", "disposal_date", "disposal_type", "breach",
            "appearance_id"]  # fmt: skip
    df = pd.DataFrame({c: [r[c] for r in rows] for c in cols})
    for c in ("offender_id", "disposal_type", "appearance_id"):
        df[c] = df[c].astype("string")
    for c in ("offence_date", "disposal_date"):
        df[c] = pd.to_datetime(pd.Series([r[c] for r in rows], dtype=object)).astype(
            "datetime64[s]"
        )
    df["breach"] = df["breach"].astype(bool)
    return df


def _date(x: Any) -> dt.date | None:
    return None if pd.isna(x) else pd.Timestamp(x).date()


@st.composite
def scenario(draw: Any) -> dict[str, Any]:
    rows = draw(cohort_rows())
    offences = draw(offence_rows(rows))
    return {
        "rows": rows,
        "offences": offences,
        "period": draw(st.sampled_from(["quarter", "financial_year", "calendar_year"])),
        "rules": draw(st.sampled_from(list(RULE_SETS))),
        "dedupe": draw(st.sampled_from(["quarter", "period"])),
        "eligibility": draw(
            st.sampled_from(
                [None, [], ["adult"], ["crc_supervised", "not_em_only"], ["eligible_event_type"]]
            )
        ),
        "follow_up": draw(st.sampled_from([12, 12, 3, 6])),
        "waiting": draw(st.sampled_from([6, 6, 0, 3])),
        "extract": draw(
            st.sampled_from([D(2017, 7, 1), D(2017, 12, 31), D(2018, 2, 28), D(2020, 1, 1)])
        ),
    }


# the scenarios hold juveniles and duplicate rows, legal data the validator warns about
@pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")
@given(scenario())
def test_cohort_matches_oracle(s: dict[str, Any]) -> None:
    df = cohort_frame(s["rows"])
    c = build_cohort(df, period=s["period"], eligibility=s["eligibility"], dedupe=s["dedupe"])
    o = oracle.cohort(s["rows"], period=s["period"], rules=s["eligibility"], dedupe=s["dedupe"])
    assert c.members["row"].tolist() == [r["row"] for r in o["members"]]
    assert c.members["period"].tolist() == [r["period"] for r in o["members"]]
    assert c.eligible["row"].tolist() == [r["row"] for r in o["eligible"]]
    got = {(r.lot, r.period, r.reason): r.count for r in c.exclusions.itertuples(index=False)}
    assert got == o["exclusions"]
    # invariants: every row read is a member or an exclusion
    assert len(c.members) + int(c.exclusions["count"].sum()) == len(s["rows"])
    stage1 = int(c.exclusions.loc[c.exclusions["stage"] == "eligibility", "count"].sum())
    assert len(c.eligible) + stage1 == len(s["rows"])
    assert list(c.members.index) == list(range(len(c.members)))
    assert "extra_column" in c.members.columns


# the scenarios hold juveniles and duplicate rows, legal data the validator warns about
@pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")
@settings(max_examples=150)
@given(scenario())
def test_counts_match_oracle(s: dict[str, Any]) -> None:
    df = cohort_frame(s["rows"])
    members = build_cohort(df, eligibility=[]).eligible  # every event, duplicates of a person too
    members = members.iloc[::-1].set_index(pd.Index(range(100, 100 + len(members))))
    res = count_reoffending(
        members,
        offence_frame(s["offences"]),
        rules=s["rules"],
        follow_up_months=s["follow_up"],
        waiting_months=s["waiting"],
    )
    assert list(res.index) == list(members.index)
    for (_, m), (_, r) in zip(members.iterrows(), res.iterrows(), strict=True):
        member = {"offender_id": m["offender_id"], "index_date": m["index_date"].date()}
        n, first, end = oracle.count(
            member, s["offences"], rules=s["rules"], follow_up=s["follow_up"], waiting=s["waiting"]
        )
        assert r["reoffences"] == n
        assert bool(r["reoffender"]) == (n > 0)
        assert _date(r["first_reoffence_date"]) == first
        assert _date(r["window_end"]) == end
    assert str(res["reoffences"].dtype) == "int64"


#: How the tables reach compute_measures: (file format or None for frames, validate).
#: ``built_cohort``: a Cohort built first, with the offences from a Parquet file.
INPUT_PATHS = {
    "frames": (None, True),
    "csv": ("csv", True),
    "parquet": ("parquet", True),
    "csv_no_validate": ("csv", False),
    "parquet_no_validate": ("parquet", False),
    "built_cohort": ("parquet", False),
}


def _write(df: pd.DataFrame, path: Path, fmt: str) -> Path:
    if fmt == "csv":
        df.to_csv(path, index=False, date_format="%Y-%m-%d")
    else:  # several small row groups: the offences are streamed group by group
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path, row_group_size=4)
    return path


def _extract(s: dict[str, Any], path: str) -> dt.date:
    """The scenario's extract date; for validated files no earlier than any date in it.

    The validator refuses dates after the extract date, for frames as for files
    (docs/methodology.md#validation); the unvalidated paths get the generated extract
    date as it is.
    """
    _, validate = INPUT_PATHS[path]
    if not validate:
        return s["extract"]  # type: ignore[no-any-return]
    days = [r["index_date"] for r in s["rows"]]
    days += [o[k] for o in s["offences"] for k in ("offence_date", "disposal_date")]
    return max([s["extract"], *days])


def _measures(s: dict[str, Any], path: str) -> Any:
    fmt, validate = INPUT_PATHS[path]
    cohort: Any = cohort_frame(s["rows"]).drop(columns=["extra_column"])
    offences: Any = offence_frame(s["offences"])
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        # the validator warns about juveniles, duplicate offence rows, ...: legal data
        warnings.simplefilter("ignore", SuspiciousDataWarning)
        if path == "built_cohort":
            cohort = build_cohort(
                cohort, period=s["period"], eligibility=s["eligibility"], dedupe=s["dedupe"]
            )
        elif fmt is not None:
            cohort = _write(cohort, Path(tmp) / f"cohort.{fmt}", fmt)
        if fmt is not None:
            offences = _write(offences, Path(tmp) / f"offences.{fmt}", fmt)
        return compute_measures(
            cohort,
            offences,
            extract_date=_extract(s, path),
            period=s["period"],
            rules=s["rules"],
            follow_up_months=s["follow_up"],
            waiting_months=s["waiting"],
            eligibility=s["eligibility"],
            dedupe=s["dedupe"],
            validate=validate,
        )


@pytest.mark.parametrize("path", list(INPUT_PATHS))
@settings(max_examples=40, deadline=None)
@given(s=scenario())
def test_measures_match_oracle(path: str, s: dict[str, Any]) -> None:
    m = _measures(s, path)
    o = oracle.measures(
        s["rows"],
        s["offences"],
        extract_date=_extract(s, path),
        period=s["period"],
        rules=s["rules"],
        follow_up=s["follow_up"],
        waiting=s["waiting"],
        eligibility=s["eligibility"],
        dedupe=s["dedupe"],
    )
    both = pd.concat([m.table, m.national], ignore_index=True)
    assert sorted(zip(both["lot"], both["period"], strict=True)) == sorted(o)
    assert list(zip(m.table["lot"], m.table["period"], strict=True)) == sorted(
        k for k in o if k[0] != "ALL"
    )
    for r in both.itertuples(index=False):
        e = o[(r.lot, r.period)]
        assert (r.eligible, r.cohort_size, r.reoffenders, r.reoffences) == (
            e["eligible"], e["N"], e["O"], e["R"],
        )  # fmt: skip
        assert r.status == ("final" if e["final"] else "interim")
        if e["N"]:
            assert r.binary_rate == pytest.approx(e["O"] / e["N"])
            assert r.reoffences_per_offender == pytest.approx(e["R"] / e["N"])
        else:
            assert math.isnan(r.binary_rate)
        if e["O"]:
            assert r.reoffences_per_reoffender == pytest.approx(e["R"] / e["O"])
            assert r.days_to_first_reoffence == pytest.approx(e["days"] / e["O"])
        else:
            assert math.isnan(r.reoffences_per_reoffender)
            assert math.isnan(r.days_to_first_reoffence)
    exp_ex = oracle.cohort(
        s["rows"], period=s["period"], rules=s["eligibility"], dedupe=s["dedupe"]
    )["exclusions"]
    got_ex = {(r.lot, r.period, r.reason): r.count for r in m.exclusions.itertuples(index=False)}
    assert got_ex == exp_ex
    assert len(m.members) == sum(v["N"] for k, v in o.items() if k[0] != "ALL")
