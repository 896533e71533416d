"""Design matrices of the risk models: levels (lot × quarter of year) and covariates.

Categorical covariates are coded against the categories stored in a model, so
that a saved model scores new cohorts with exactly the columns it was fitted on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr.errors import ModelError, PbrError
from pbr.periods import QUARTER_NAMES, quarter_of_year
from pbr.risk._glm import FloatArray, IntArray
from pbr.risk.ogrs3 import AGE_BANDS, INTERCEPT_1YR, score_cohort

#: Categorical covariates of ``risk="model"`` (plus ``copas`` and ``log_sanctions``).
MODEL_COVARIATES = ("age_sex", "offence_group", "event_type")


# --------------------------------------------------------------------------- levels / design
def _quarters(members: pd.DataFrame) -> IntArray:
    """Quarter of year (1–4) of each member's ``index_date``, as a ModelError if one is missing."""
    try:
        return quarter_of_year(members["index_date"], name="index_date")
    except ModelError:
        raise
    except PbrError as exc:
        raise ModelError(str(exc)) from None


def level_keys(members: pd.DataFrame) -> npt.NDArray[np.str_]:
    """Lot × quarter-of-year level key of each row, e.g. ``"CPA04:Q2"``.

    The quarter of year is that of ``index_date`` (Q1 = January–March).

    Parameters
    ----------
    members : pandas.DataFrame
        With columns ``lot`` and ``index_date``.

    Returns
    -------
    numpy.ndarray of str

    Examples
    --------
    >>> import pandas as pd
    >>> level_keys(pd.DataFrame({"lot": ["CPA01", "CPA02"],
    ...     "index_date": pd.to_datetime(["2011-02-01", "2016-11-30"])})).tolist()
    ['CPA01:Q1', 'CPA02:Q4']
    """
    for c in ("lot", "index_date"):
        if c not in members.columns:
            raise ModelError(f"risk model needs column {c!r}")
    q = _quarters(members)
    lots = members["lot"].astype(str).to_numpy(dtype=object)
    out: npt.NDArray[np.str_] = (lots + ":" + np.array(QUARTER_NAMES, dtype=object)[q - 1]).astype(
        str
    )
    return out


def _band_labels() -> list[str]:
    out = []
    for i, lo in enumerate(AGE_BANDS):
        out.append(f"{lo}-{AGE_BANDS[i + 1] - 1}" if i + 1 < len(AGE_BANDS) else f"{lo}+")
    return out


Factor = tuple[IntArray, list[str]]  # codes per row (-1 = missing), category names


def _factor(values: Any) -> Factor:
    codes, uniques = pd.factorize(pd.Series(values), use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), [str(u) for u in uniques]


def _combine(a: Factor, b: Factor, sep: str) -> Factor:
    """Factor of the pairs (a, b) with names ``a<sep>b``."""
    ca, na = a
    cb, nb = b
    both = np.where((ca < 0) | (cb < 0), -1, ca * len(nb) + cb)
    codes, uniq = pd.factorize(both, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int64)
    names = [f"{na[u // len(nb)]}{sep}{nb[u % len(nb)]}" if u >= 0 else "" for u in uniq]
    if len(uniq) and (np.asarray(uniq) < 0).any():
        neg = int(np.flatnonzero(np.asarray(uniq) < 0)[0])
        codes = np.where(codes == neg, -1, codes - (codes > neg))
        names = [n for i, n in enumerate(names) if i != neg]
    return codes, names


def _level_factor(members: pd.DataFrame) -> Factor:
    for c in ("lot", "index_date"):
        if c not in members.columns:
            raise ModelError(f"risk model needs column {c!r}")
    q = _quarters(members) - 1
    return _combine(_factor(members["lot"]), (q, list(QUARTER_NAMES)), ":")


def _recode(f: Factor, categories: tuple[str, ...], what: str, hint: str) -> IntArray:
    codes, names = f
    lookup = pd.Index(list(categories)).get_indexer(pd.Index(names)).astype(np.int64)
    out: IntArray = np.where(codes >= 0, np.append(lookup, -1)[codes], -1)
    if (out < 0).any():
        bad_rows = np.flatnonzero(out < 0)
        unknown = sorted({names[c] if c >= 0 else "<missing>" for c in codes[bad_rows]})
        rows = ", ".join(str(r + 1) for r in bad_rows[:20])
        raise ModelError(f"{what} {', '.join(unknown[:20])} {hint} (rows {rows})")
    return out


def _model_raw(members: pd.DataFrame) -> dict[str, Any]:
    """Covariate factors and numeric values of ``risk="model"`` for each row."""
    if "event_type" not in members.columns:
        raise ModelError("risk model needs column 'event_type'")
    scores = score_cohort(members).table
    age = scores["age"].to_numpy()
    band = np.clip(np.searchsorted(np.asarray(AGE_BANDS), age, side="right") - 1, 0, None)
    sanctions = pd.to_numeric(members["sanctions"]).to_numpy(dtype=float)
    return {
        "age_sex": _combine(_factor(members["sex"]), (band.astype(np.int64), _band_labels()), ":"),
        "offence_group": _factor(members["offence_group"]),
        "event_type": _factor(members["event_type"]),
        "copas": scores["copas"].to_numpy(dtype=float),
        "log_sanctions": np.log(sanctions),
    }


def _choose_categories(f: Factor) -> tuple[str, ...]:
    codes, names = f
    counts = np.bincount(codes[codes >= 0], minlength=len(names))
    order = sorted(range(len(names)), key=lambda i: (-counts[i], names[i]))
    ref = names[order[0]]  # most frequent; ties -> first in sort order
    return (ref, *sorted(n for n in names if n != ref))


def _model_design(
    raw: dict[str, Any], categories: dict[str, tuple[str, ...]]
) -> tuple[list[tuple[IntArray, int]], FloatArray, list[str]]:
    names: list[str] = []
    blocks: list[tuple[IntArray, int]] = []
    for cov in MODEL_COVARIATES:
        cats = categories[cov]
        codes = _recode(
            raw[cov],
            cats,
            f"{cov} value(s)",
            "did not occur in the baseline year; the fitted model cannot score them",
        )
        blocks.append((codes - 1, len(cats) - 1))  # reference (code 0) -> -1
        names.extend(f"{cov}[{c}]" for c in cats[1:])
    x = np.column_stack([raw["copas"], raw["log_sanctions"]]).astype(float)
    names.extend(["copas", "log_sanctions"])
    return blocks, x, names


def _ogrs3_design(members: pd.DataFrame) -> FloatArray:
    scores = score_cohort(members).table
    out: FloatArray = (INTERCEPT_1YR + scores["x"].to_numpy(dtype=float))[:, None]
    return out


def _example_members(n: int = 400, seed: int = 1) -> pd.DataFrame:
    """Small synthetic baseline members for the docstring examples."""
    rng = np.random.default_rng(seed)
    idx = pd.Timestamp("2011-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    dob = idx - pd.to_timedelta(rng.integers(19 * 366, 60 * 365, n), unit="D")
    reo = rng.random(n) < 0.4
    return pd.DataFrame(
        {
            "lot": rng.choice(["CPA01", "CPA02"], n),
            "index_date": idx,
            "sex": rng.choice(["M", "F"], n),
            "date_of_birth": dob,
            "offence_group": rng.choice(["violence", "theft_non_motor"], n),
            "sanctions": rng.integers(1, 20, n),
            "first_sanction_date": dob + pd.to_timedelta(17 * 366, unit="D"),
            "event_type": rng.choice(["release", "community_order"], n),
            "reoffender": reo,
            "reoffences": np.where(reo, 1 + rng.poisson(1.5, n), 0),
        }
    )
