"""OGRS3 — the Offender Group Reconviction Scale, version 3 (Howard et al. 2009).

Formula (docs/methodology.md#ogrs3; coefficients: MoJ Research Summary 7/09)::

    copas  = ln( sanctions / (10 + age_at_index − age_at_first_sanction) )
    x      = 1.251124464·copas + status + AGE_SEX[sex][band(age_at_index)] + OFFENCE[group]
    status = 0.126142106 if sanctions == 1 else 0.463062792
    p_1yr  = logistic(1.402562384 + x);   p_2yr = logistic(2.121705678 + x)

Ages are whole years. pbr uses the age at the index date both for the
age/sex band and as the "age at current conviction" of the Copas rate, and
the age at ``first_sanction_date`` as the age at first sanction.

Conventions where the published implementations disagree: the
female coefficients for ages 10–15 are **negative**; "sexual (not against
child)" is 0.003276327; coefficient #14 is "other motoring" and #15 is
"drink driving". A missing input or a Copas denominator ≤ 0 raises
:class:`~pbr.errors.ModelError` naming every failing row — never a NaN.

Examples
--------
>>> from pbr.risk.ogrs3 import ogrs3_probability
>>> p1, p2 = ogrs3_probability(sex=["M"], age=[20], offence_group=["violence"],
...                            sanctions=[1], age_at_first_sanction=[20])
>>> round(float(p1[0]), 12), round(float(p2[0]), 12)
(0.121615535047, 0.221305211405)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr.dates import age_in_years, as_days
from pbr.errors import ModelError
from pbr.schema import OFFENCE_GROUPS

__all__ = [
    "AGE_BANDS",
    "AGE_SEX_COEFFICIENTS",
    "COPAS_COEFFICIENT",
    "INTERCEPT_1YR",
    "INTERCEPT_2YR",
    "OFFENCE_COEFFICIENTS",
    "STATUS_FIRST",
    "STATUS_REPEAT",
    "OGRS3Scores",
    "ogrs3_linear_predictor",
    "ogrs3_probability",
    "score_cohort",
]

COPAS_COEFFICIENT = 1.251124464
STATUS_FIRST = 0.126142106
STATUS_REPEAT = 0.463062792
INTERCEPT_1YR = 1.402562384
INTERCEPT_2YR = 2.121705678

#: Lower bounds of the age bands: 10–11, 12–13, 14–15, 16–17, 18–20, 21–24,
#: 25–29, 30–34, 35–39, 40–49, 50+.
AGE_BANDS = (10, 12, 14, 16, 18, 21, 25, 30, 35, 40, 50)

#: Age/sex coefficients by band (male 10–11 is the reference category).
AGE_SEX_COEFFICIENTS: dict[str, tuple[float, ...]] = {
    "M": (
        0.0,
        0.083922902,
        0.075775765,
        -0.061594199,
        -0.625103618,
        -1.051515067,
        -1.166679288,
        -1.325976554,
        -1.368045933,
        -1.499690953,
        -2.025261458,
    ),
    "F": (
        -0.785038489,
        -0.613852078,
        -0.669521331,
        -0.959179629,
        -0.897480934,
        -1.028488454,
        -1.052777806,
        -1.129127959,
        -1.42187494,
        -1.524652221,
        -2.44983716,
    ),
}

#: Offence-group coefficients, keyed by the 20 OGRS3 offence-group keys.
OFFENCE_COEFFICIENTS: dict[str, float] = dict(
    zip(
        OFFENCE_GROUPS,
        (
            0.0,
            -0.634795912,
            0.181917975,
            0.003276327,
            -0.653434071,
            0.760608858,
            -0.12394352,
            0.240604429,
            0.661244321,
            0.351866973,
            0.159910192,
            0.733378677,
            0.380059431,
            0.427225615,
            0.262228428,
            -0.121439408,
            0.204960477,
            -0.795556373,
            0.077165871,
            -0.060667525,
        ),
        strict=True,
    )
)

_OFFENCE_KEYS = np.array(OFFENCE_GROUPS, dtype=object)
_OFFENCE_VALUES = np.array([OFFENCE_COEFFICIENTS[k] for k in OFFENCE_GROUPS])


def _logistic(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-z))
    return out


def ogrs3_linear_predictor(
    sex: Any,
    age: Any,
    offence_group: Any,
    sanctions: Any,
    age_at_first_sanction: Any,
    *,
    row_labels: Any = None,
) -> npt.NDArray[np.float64]:
    """OGRS3 linear predictor ``x`` (without the 1- or 2-year intercept).

    Parameters
    ----------
    sex : array-like of {"M", "F"}
    age : array-like of int
        Whole years at the index date (≥ 10).
    offence_group : array-like of str
        One of the 20 OGRS3 keys (:data:`pbr.schema.OFFENCE_GROUPS`).
    sanctions : array-like of int
        Total sanction occasions including the current one (≥ 1).
    age_at_first_sanction : array-like of int
        Whole years at the first ever sanction.
    row_labels : array-like, optional
        Labels used to name failing rows in errors (default: 1-based positions).

    Returns
    -------
    numpy.ndarray of float64

    Raises
    ------
    ModelError
        Listing every row with a missing or out-of-range input or a Copas
        denominator ``10 + age − age_at_first_sanction ≤ 0``.

    Examples
    --------
    >>> round(float(ogrs3_linear_predictor(["M"], [20], ["violence"], [1], [20])[0]), 6)
    -3.379782
    """
    x, _ = _linear_predictor_and_copas(
        sex, age, offence_group, sanctions, age_at_first_sanction, row_labels=row_labels
    )
    return x


def _linear_predictor_and_copas(
    sex: Any,
    age: Any,
    offence_group: Any,
    sanctions: Any,
    age_at_first_sanction: Any,
    *,
    row_labels: Any = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``x`` and the Copas rate, after checking every input (see :func:`ogrs3_linear_predictor`)."""
    sex_a = pd.Series(np.asarray(sex, dtype=object)).astype("string")
    n = len(sex_a)
    age_a = pd.to_numeric(pd.Series(np.asarray(age, dtype=object)), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    sanc = pd.to_numeric(pd.Series(np.asarray(sanctions, dtype=object)), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    first = pd.to_numeric(
        pd.Series(np.asarray(age_at_first_sanction, dtype=object)), errors="coerce"
    ).to_numpy(dtype=float, na_value=np.nan)
    group = pd.Series(np.asarray(offence_group, dtype=object)).astype("string")
    labels = np.arange(1, n + 1) if row_labels is None else np.asarray(row_labels)

    problems: list[tuple[int, str]] = []  # (position, reason): reported in row order

    def flag(mask: npt.NDArray[np.bool_], reason: str) -> None:
        problems.extend((int(i), reason) for i in np.flatnonzero(mask))

    flag(~sex_a.isin(["M", "F"]).fillna(False).to_numpy(dtype=bool), "sex missing or not M/F")
    flag(np.isnan(age_a) | (age_a < 10), "age missing or under 10")
    flag(np.isnan(sanc) | (sanc < 1), "sanctions missing or < 1")
    flag(np.isnan(first), "age at first sanction missing")
    gidx = pd.Index(_OFFENCE_KEYS).get_indexer(group.fillna("").to_numpy(dtype=object))
    flag(gidx < 0, "offence_group missing or not an OGRS3 key")
    denom = 10.0 + age_a - first
    flag(denom <= 0, "Copas denominator 10 + age − age_at_first_sanction ≤ 0")
    if problems:
        problems.sort()
        shown = "; ".join(f"row {labels[i]}: {why}" for i, why in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise ModelError(f"OGRS3 cannot score {len(problems)} row(s): {shown}{more}")

    band = np.searchsorted(np.array(AGE_BANDS), age_a, side="right") - 1
    male = (sex_a == "M").to_numpy(dtype=bool)
    age_sex = np.where(
        male, np.array(AGE_SEX_COEFFICIENTS["M"])[band], np.array(AGE_SEX_COEFFICIENTS["F"])[band]
    )
    copas = np.log(sanc / denom)
    status = np.where(sanc == 1, STATUS_FIRST, STATUS_REPEAT)
    x: npt.NDArray[np.float64] = (
        COPAS_COEFFICIENT * copas + status + age_sex + _OFFENCE_VALUES[gidx]
    )
    return x, copas


def ogrs3_probability(
    sex: Any,
    age: Any,
    offence_group: Any,
    sanctions: Any,
    age_at_first_sanction: Any,
    *,
    row_labels: Any = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """OGRS3 one- and two-year probabilities of proven reoffending.

    Parameters
    ----------
    sex, age, offence_group, sanctions, age_at_first_sanction, row_labels
        As for :func:`ogrs3_linear_predictor`.

    Returns
    -------
    (p_1yr, p_2yr) : tuple of numpy.ndarray
        ``logistic(1.402562384 + x)`` and ``logistic(2.121705678 + x)``.

    Examples
    --------
    >>> p1, p2 = ogrs3_probability(["M"], [20], ["violence"], [2], [20])
    >>> round(float(p1[0]), 10), round(float(p2[0]), 10)
    (0.31581201, 0.4865176957)
    """
    x = ogrs3_linear_predictor(
        sex, age, offence_group, sanctions, age_at_first_sanction, row_labels=row_labels
    )
    return _probabilities(x)


def _probabilities(
    x: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    return _logistic(INTERCEPT_1YR + x), _logistic(INTERCEPT_2YR + x)


@dataclass(frozen=True)
class OGRS3Scores:
    """OGRS3 scores of a cohort, aligned with the cohort's rows.

    Attributes
    ----------
    table : pandas.DataFrame
        Columns ``age``, ``age_at_first_sanction``, ``copas``, ``x``,
        ``p_1yr``, ``p_2yr``, indexed like the cohort.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"sex": ["M"], "date_of_birth": pd.to_datetime(["1995-06-01"]),
    ...     "index_date": pd.to_datetime(["2015-06-01"]), "offence_group": ["violence"],
    ...     "sanctions": [1], "first_sanction_date": pd.to_datetime(["2015-06-01"])})
    >>> round(float(score_cohort(c).table["p_1yr"].iloc[0]), 6)
    0.121616
    """

    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the score table.

        Examples
        --------
        >>> OGRS3Scores(pd.DataFrame({"p_1yr": [0.5]})).to_frame().shape
        (1, 1)
        """
        return self.table.copy()


def score_cohort(cohort: pd.DataFrame) -> OGRS3Scores:
    """Score every row of a cohort table with OGRS3.

    Uses ``sex``, ``date_of_birth``, ``index_date``, ``offence_group``,
    ``sanctions`` and ``first_sanction_date``; ages are whole years at the
    index date and at the first sanction.

    Parameters
    ----------
    cohort : pandas.DataFrame
        A cohort table in pbr's in-memory form (see :mod:`pbr.schema`).

    Returns
    -------
    OGRS3Scores

    Raises
    ------
    ModelError
        Naming every row (1-based position in ``cohort``) that cannot be scored.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"sex": ["F"], "date_of_birth": pd.to_datetime(["1980-01-31"]),
    ...     "index_date": pd.to_datetime(["2016-02-29"]), "offence_group": ["theft_non_motor"],
    ...     "sanctions": [12], "first_sanction_date": pd.to_datetime(["1996-05-01"])})
    >>> score_cohort(c).table[["age", "age_at_first_sanction"]].iloc[0].tolist()
    [36, 16]
    """
    needed = [
        "sex",
        "date_of_birth",
        "index_date",
        "offence_group",
        "sanctions",
        "first_sanction_date",
    ]
    missing = [c for c in needed if c not in cohort.columns]
    if missing:
        raise ModelError(f"OGRS3 needs column(s) {', '.join(missing)}")
    dob = as_days(cohort["date_of_birth"])
    idx = as_days(cohort["index_date"])
    first = as_days(cohort["first_sanction_date"])
    age = age_in_years(dob, idx).astype(float)
    age_first = age_in_years(dob, first).astype(float)
    age_first[np.isnat(first) | np.isnat(dob)] = np.nan
    age[np.isnat(idx) | np.isnat(dob)] = np.nan
    sanctions = cohort["sanctions"]
    x, copas = _linear_predictor_and_copas(
        cohort["sex"].to_numpy(dtype=object),
        age,
        cohort["offence_group"].to_numpy(dtype=object),
        sanctions.to_numpy(dtype=object) if hasattr(sanctions, "to_numpy") else sanctions,
        age_first,
        row_labels=np.arange(1, len(cohort) + 1),
    )
    p1, p2 = _probabilities(x)
    table = pd.DataFrame(
        {
            "age": age.astype(np.int64),
            "age_at_first_sanction": age_first.astype(np.int64),
            "copas": copas,
            "x": x,
            "p_1yr": p1,
            "p_2yr": p2,
        },
        index=cohort.index,
    )
    return OGRS3Scores(table)
