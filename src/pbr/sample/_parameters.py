"""Parameters of the synthetic sample: lots, periods, offence mix and the true effects.

Also the small numeric helpers (logit, allocation of totals to shares, the
shift that hits a target rate) that the generator uses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from pbr._names import DEFAULT_SEED as DEFAULT_SEED  # re-exported by pbr.sample
from pbr._types import FloatArray, IntArray
from pbr.dates import add_months
from pbr.periods import period_bounds
from pbr.schema import OFFENCE_GROUPS

#: Version of the generating algorithm; bump whenever the output changes.
GENERATOR_VERSION = "3"
#: Extract date of the sample: 2016Q4 is the latest final quarter, 2017Q1 is interim.
SAMPLE_EXTRACT_DATE = dt.date(2018, 6, 30)
#: Slope ``B`` on ``logit(OGRS3 p_1yr)`` in the outcome model.
OUTCOME_SLOPE = 0.9

#: Per lot: (caseload share, 2011 binary target, reoffences per reoffender,
#: true provider effect in percentage points). Shares approximate the relative
#: CRC caseloads; the targets put the all-lot rate near 47 % and Northumbria
#: highest (55 %, 5.15 reoffences per reoffender; Civil Service World, 26 Jan 2018,
#: citing MoJ's final CRC tables).
LOT_PARAMETERS: dict[str, tuple[float, float, float, float]] = {
    "CPA01": (0.035, 0.552, 5.15, -4.0),  # Northumbria
    "CPA02": (0.025, 0.505, 4.40, -2.0),  # Durham Tees Valley
    "CPA03": (0.045, 0.499, 4.30, -7.0),  # Cumbria & Lancashire
    "CPA04": (0.075, 0.490, 4.30, -2.5),  # Cheshire & Greater Manchester
    "CPA05": (0.035, 0.505, 4.60, -3.5),  # Merseyside
    "CPA06": (0.050, 0.485, 4.20, -1.5),  # West Yorkshire
    "CPA07": (0.050, 0.465, 4.10, -2.0),  # Humberside, Lincolnshire & North Yorkshire
    "CPA08": (0.035, 0.490, 4.30, 0.0),  # South Yorkshire
    "CPA09": (0.065, 0.470, 4.10, -1.0),  # Derbyshire, Leicestershire, Notts & Rutland
    "CPA10": (0.090, 0.465, 4.20, -2.0),  # Staffordshire & West Midlands
    "CPA11": (0.027, 0.450, 3.90, 3.0),  # Warwickshire & West Mercia
    "CPA12": (0.050, 0.450, 4.00, -1.5),  # Beds, Northants, Cambs & Herts
    "CPA13": (0.027, 0.455, 4.00, -3.0),  # Norfolk & Suffolk
    "CPA14": (0.030, 0.450, 4.00, 0.0),  # Essex
    "CPA15": (0.120, 0.445, 4.00, -2.0),  # London
    "CPA16": (0.040, 0.440, 3.90, 0.0),  # Thames Valley
    "CPA17": (0.070, 0.450, 4.00, -1.0),  # Kent, Surrey & Sussex
    "CPA18": (0.038, 0.470, 4.10, -5.5),  # Hampshire & Isle of Wight
    "CPA19": (0.050, 0.470, 4.20, 2.0),  # Bristol, Gloucestershire, Somerset & Wiltshire
    "CPA20": (0.033, 0.460, 4.00, -2.5),  # Dorset, Devon & Cornwall
    "CPA21": (0.065, 0.480, 4.20, -1.5),  # Wales
}

# Periods: label and cohort rows at scale 1 (the baseline year, then performance quarters).
_PERIODS: tuple[tuple[str, int], ...] = (
    ("2011", 30_000),
    ("2015Q4", 7_500),
    ("2016Q1", 7_500),
    ("2016Q2", 7_500),
    ("2016Q3", 7_500),
    ("2016Q4", 7_500),
    ("2017Q1", 7_500),
)

# Index offence mix of a probation caseload (OGRS3 keys, in OFFENCE_GROUPS order).
_GROUP_SHARES = {
    "violence": 22.0,
    "robbery": 2.5,
    "public_order": 5.0,
    "sexual_not_child": 1.5,
    "sexual_child": 1.5,
    "soliciting_prostitution": 0.2,
    "burglary_domestic": 4.0,
    "burglary_other": 3.0,
    "theft_non_motor": 16.0,
    "handling": 2.0,
    "fraud_forgery": 4.0,
    "absconding_bail": 1.5,
    "taking_driving_away": 1.0,
    "theft_from_vehicles": 1.0,
    "other_motoring": 6.0,
    "drink_driving": 6.0,
    "criminal_damage": 4.0,
    "drug_import_export_production": 1.3,
    "drug_possession_supply": 9.0,
    "other": 8.5,
}
_GROUP_MIX = np.array([_GROUP_SHARES[g] for g in OFFENCE_GROUPS])
_GROUP_MIX = _GROUP_MIX / _GROUP_MIX.sum()
_NPS_PROB = np.full(len(OFFENCE_GROUPS), 0.14)
for _g, _p in {
    "violence": 0.28,
    "robbery": 0.5,
    "sexual_not_child": 0.92,
    "sexual_child": 0.95,
    "drug_import_export_production": 0.35,
}.items():
    _NPS_PROB[OFFENCE_GROUPS.index(_g)] = _p

_EVENT_TYPES = np.array(
    ["release", "community_order", "suspended_sentence_order", "caution", "other"]
)
_EVENT_MIX = np.array([0.27, 0.38, 0.22, 0.05, 0.08])
_DISPOSALS = np.array(["conviction", "caution", "pnd", "other"])
_CONVICTION, _CAUTION, _PND, _OTHER = 0, 1, 2, 3
_EXCLUSIONS = np.array(["deceased", "deported", "no_pnc_match"])
_CHECK_LETTERS = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))


def _days(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


def _period_days(label: str) -> tuple[int, int]:
    """First and last day (day numbers, inclusive) of a period label."""
    start, end = period_bounds(label)
    return int(start.astype(np.int64)), int(end.astype(np.int64))


def _addm(days: IntArray, months: int) -> IntArray:
    out: IntArray = add_months(days.astype("datetime64[D]"), months).astype(np.int64)
    return out


def _logit(p: FloatArray) -> FloatArray:
    out: FloatArray = np.log(p / (1.0 - p))
    return out


def _logistic(z: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-z))
    return out


def _allocate(total: int, shares: FloatArray) -> IntArray:
    """Largest-remainder allocation of ``total`` rows to lots by share."""
    raw = total * shares / shares.sum()
    base = np.floor(raw).astype(np.int64)
    rest = total - int(base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    out: IntArray = base
    return out


def _solve_shift(
    lin: FloatArray, groups: IntArray, n_groups: int, target: FloatArray, base: FloatArray
) -> FloatArray:
    """Per group g, the shift s_g with mean(logistic(lin + base_g + s_g)) = target_g (Newton)."""
    counts = np.bincount(groups, minlength=n_groups).astype(float)
    shift = np.zeros(n_groups)
    safe = np.maximum(counts, 1.0)
    for _ in range(60):
        p = _logistic(lin + base[groups] + shift[groups])
        mean = np.bincount(groups, p, minlength=n_groups) / safe
        slope = np.bincount(groups, p * (1 - p), minlength=n_groups) / safe
        step = np.where(counts > 0, (mean - target) / np.maximum(slope, 1e-9), 0.0)
        shift -= np.clip(step, -2.0, 2.0)
        if np.max(np.abs(step)) < 1e-12:
            break
    return shift


def _strings(values: Any) -> Any:
    """A pandas ``string`` array built through Arrow (fast for large arrays)."""
    arr = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    return pd.arrays.ArrowStringArray(arr)
