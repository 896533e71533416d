"""A plain-Python oracle of the SPEC §3–§4 counting rules.

Obviously-correct loops over dicts and :mod:`datetime` dates, with its own month
arithmetic (``calendar.monthrange``). It shares no code with :mod:`pbr`; the
engine must agree with it on every generated case.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from typing import Any

RULE_ORDER = ["adult", "crc_supervised", "eligible_event_type", "not_em_only"]
ELIGIBLE_EVENTS = {"release", "community_order", "suspended_sentence_order"}


def add_months(d: dt.date, k: int) -> dt.date:
    """d + k calendar months, day clipped to the end of the target month."""
    m0 = d.month - 1 + k
    y = d.year + m0 // 12
    m = m0 % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def age(dob: dt.date, on: dt.date) -> int:
    """Whole years; a 29 February birthday falls on 28 February in non-leap years."""
    years = on.year - dob.year
    birthday = dt.date(on.year, dob.month, min(dob.day, calendar.monthrange(on.year, dob.month)[1]))
    if birthday > on:
        years -= 1
    return years


def period_of(d: dt.date, kind: str) -> str:
    if kind == "quarter":
        return f"{d.year}Q{(d.month - 1) // 3 + 1}"
    if kind == "financial_year":
        fy = d.year if d.month >= 4 else d.year - 1
        return f"{fy}/{(fy + 1) % 100:02d}"
    return str(d.year)


def failing_rule(row: dict[str, Any], rules: list[str]) -> str | None:
    for rule in RULE_ORDER:
        if rule not in rules:
            continue
        if rule == "adult" and age(row["date_of_birth"], row["index_date"]) < 18:
            return rule
        if rule == "crc_supervised" and (row.get("supervisor") or "CRC") != "CRC":
            return rule
        if rule == "eligible_event_type" and row["event_type"] not in ELIGIBLE_EVENTS:
            return rule
        if rule == "not_em_only" and bool(row.get("em_only") or False):
            return rule
    return None


def cohort(
    rows: list[dict[str, Any]],
    *,
    period: str = "quarter",
    rules: list[str] | None = None,
    dedupe: str = "quarter",
) -> dict[str, Any]:
    """Members, eligible rows and exclusions (dict (lot, period, reason) -> count)."""
    rules = RULE_ORDER if rules is None else rules
    exclusions: dict[tuple[str, str, str], int] = defaultdict(int)
    passing = []
    for i, row in enumerate(rows, start=1):
        r = dict(row, row=i, period=period_of(row["index_date"], period))
        reason = failing_rule(row, rules)
        if reason is not None:
            exclusions[(r["lot"], r["period"], reason)] += 1
        else:
            passing.append(r)
    first: dict[tuple[str, str], dict[str, Any]] = {}
    for r in passing:
        key = (
            r["offender_id"],
            period_of(r["index_date"], "quarter" if dedupe == "quarter" else period),
        )
        best = first.get(key)
        if best is None or (r["index_date"], r["row"]) < (best["index_date"], best["row"]):
            first[key] = r
    eligible, members = [], []
    for r in passing:
        key = (
            r["offender_id"],
            period_of(r["index_date"], "quarter" if dedupe == "quarter" else period),
        )
        if first[key] is not r:
            exclusions[(r["lot"], r["period"], "later_event_same_period")] += 1
            continue
        eligible.append(r)
        reason = r.get("exclusion_reason")
        if reason is not None and str(reason).strip() != "":
            exclusions[(r["lot"], r["period"], str(reason).strip())] += 1
        else:
            members.append(r)

    def order(x: dict[str, Any]) -> tuple[Any, ...]:
        return (x["lot"], x["period"], x["offender_id"], x["index_date"], x["row"])

    return {
        "members": sorted(members, key=order),
        "eligible": sorted(eligible, key=order),
        "exclusions": dict(exclusions),
    }


def count(
    member: dict[str, Any],
    offences: list[dict[str, Any]],
    *,
    rules: str = "moj_proven",
    follow_up: int = 12,
    waiting: int = 6,
) -> tuple[int, dt.date | None, dt.date]:
    """(reoffences, first reoffence offence date, window end) of one member."""
    d = member["index_date"]
    end1 = add_months(d, follow_up)
    end2 = add_months(d, follow_up + waiting)
    allowed = {"conviction", "caution"} if rules == "moj_proven" else {"conviction"}
    counted = [
        o
        for o in offences
        if o["offender_id"] == member["offender_id"]
        and d < o["offence_date"] <= end1
        and o["disposal_date"] <= end2
        and o["disposal_type"] in allowed
        and not o.get("breach", False)
    ]
    if rules == "reconviction_events":
        keys = set()
        for o in counted:
            app = o.get("appearance_id")
            if app is not None and str(app).strip() != "":
                keys.add(("appearance", str(app).strip()))
            else:
                keys.add(("day", o["disposal_date"]))
        n = len(keys)
    else:
        n = len(counted)
    first = min((o["offence_date"] for o in counted), default=None)
    return n, first, end2


def measures(
    rows: list[dict[str, Any]],
    offences: list[dict[str, Any]],
    *,
    extract_date: dt.date,
    period: str = "quarter",
    rules: str = "moj_proven",
    follow_up: int = 12,
    waiting: int = 6,
    eligibility: list[str] | None = None,
    dedupe: str = "quarter",
) -> dict[tuple[str, str], dict[str, Any]]:
    """Counts per (lot, period), including ("ALL", period); every lot × period read appears."""
    c = cohort(rows, period=period, rules=eligibility, dedupe=dedupe)
    out: dict[tuple[str, str], dict[str, Any]] = {}

    def slot(key: tuple[str, str]) -> dict[str, Any]:
        return out.setdefault(
            key,
            {"eligible": 0, "N": 0, "O": 0, "R": 0, "days": 0, "final": True, "counts": []},
        )

    for row in rows:
        p = period_of(row["index_date"], period)
        slot((row["lot"], p))
        slot(("ALL", p))
    for r in c["eligible"]:
        slot((r["lot"], r["period"]))["eligible"] += 1
        slot(("ALL", r["period"]))["eligible"] += 1
    for m in c["members"]:
        n, first, end = count(m, offences, rules=rules, follow_up=follow_up, waiting=waiting)
        for key in ((m["lot"], m["period"]), ("ALL", m["period"])):
            s = slot(key)
            s["N"] += 1
            s["R"] += n
            s["counts"].append(n)
            if n > 0:
                s["O"] += 1
                assert first is not None
                s["days"] += (first - m["index_date"]).days
            if end > extract_date:
                s["final"] = False
    return out
