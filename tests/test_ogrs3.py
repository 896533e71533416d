"""OGRS3: published test vectors and every coefficient-table row."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pbr.errors import ModelError
from pbr.risk.ogrs3 import (
    AGE_SEX_COEFFICIENTS,
    OFFENCE_COEFFICIENTS,
    ogrs3_linear_predictor,
    ogrs3_probability,
    score_cohort,
)

# Test vectors from SPEC §6.1 (reproduced there from reference/methods.md §3.3).
VECTORS = [
    ("M", 20, "violence", 1, 20, 0.12161553504714574, 0.22130521140511314),
    ("M", 20, "violence", 2, 20, 0.3158120100020924, 0.48651769565917),
]


@pytest.mark.parametrize(("sex", "age", "group", "sanc", "first", "p1", "p2"), VECTORS)
def test_published_vectors(
    sex: str, age: int, group: str, sanc: int, first: int, p1: float, p2: float
) -> None:
    a, b = ogrs3_probability([sex], [age], [group], [sanc], [first])
    assert abs(a[0] - p1) < 1e-9
    assert abs(b[0] - p2) < 1e-9


# Coefficient tables transcribed from reference/methods.md §3.2 (full precision),
# with the conventions SPEC §6.1 fixes: negative female 10–15, sexual_not_child 0.003276327.
AGE_SEX_ROWS = [
    (10, 0.0, -0.785038489),
    (12, 0.083922902, -0.613852078),
    (14, 0.075775765, -0.669521331),
    (16, -0.061594199, -0.959179629),
    (18, -0.625103618, -0.897480934),
    (21, -1.051515067, -1.028488454),
    (25, -1.166679288, -1.052777806),
    (30, -1.325976554, -1.129127959),
    (35, -1.368045933, -1.42187494),
    (40, -1.499690953, -1.524652221),
    (50, -2.025261458, -2.44983716),
]
OFFENCE_ROWS = [
    ("violence", 0.0),
    ("robbery", -0.634795912),
    ("public_order", 0.181917975),
    ("sexual_not_child", 0.003276327),
    ("sexual_child", -0.653434071),
    ("soliciting_prostitution", 0.760608858),
    ("burglary_domestic", -0.12394352),
    ("burglary_other", 0.240604429),
    ("theft_non_motor", 0.661244321),
    ("handling", 0.351866973),
    ("fraud_forgery", 0.159910192),
    ("absconding_bail", 0.733378677),
    ("taking_driving_away", 0.380059431),
    ("theft_from_vehicles", 0.427225615),
    ("other_motoring", 0.262228428),
    ("drink_driving", -0.121439408),
    ("criminal_damage", 0.204960477),
    ("drug_import_export_production", -0.795556373),
    ("drug_possession_supply", 0.077165871),
    ("other", -0.060667525),
]


def _x(sex: str, age: int, group: str, sanc: int, first: int) -> float:
    return float(ogrs3_linear_predictor([sex], [age], [group], [sanc], [first])[0])


@pytest.mark.parametrize(("lower", "male", "female"), AGE_SEX_ROWS)
def test_age_sex_row(lower: int, male: float, female: float) -> None:
    # Difference against the male 10–11 reference isolates the age/sex term;
    # sanctions=1 and age_at_first = age keep the Copas rate at ln(1/10).
    ref = _x("M", 10, "violence", 1, 10)
    copas_shift = 0.0  # Copas depends only on sanctions and the age gap, both fixed
    assert _x("M", lower, "violence", 1, lower) - ref - copas_shift == pytest.approx(
        male, abs=1e-12
    )
    assert _x("F", lower, "violence", 1, lower) - ref == pytest.approx(female, abs=1e-12)
    # the band's upper end uses the same coefficient
    assert AGE_SEX_COEFFICIENTS["M"][AGE_SEX_ROWS.index((lower, male, female))] == male


@pytest.mark.parametrize(("group", "coef"), OFFENCE_ROWS)
def test_offence_row(group: str, coef: float) -> None:
    assert OFFENCE_COEFFICIENTS[group] == coef
    assert _x("M", 30, group, 3, 20) - _x("M", 30, "violence", 3, 20) == pytest.approx(
        coef, abs=1e-12
    )


def test_offence_table_order_and_size() -> None:
    assert [g for g, _ in OFFENCE_ROWS] == list(OFFENCE_COEFFICIENTS)


def test_linear_predictor_by_hand() -> None:
    # F, 45, burglary_domestic, 5 sanctions, first at 25:
    # copas = ln(5 / (10 + 45 − 25)) = ln(1/6)
    expected = 1.251124464 * math.log(5 / 30) + 0.463062792 - 1.524652221 - 0.12394352
    assert _x("F", 45, "burglary_domestic", 5, 25) == pytest.approx(expected, abs=1e-12)


def test_bad_rows_are_named() -> None:
    with pytest.raises(ModelError) as info:
        ogrs3_linear_predictor(
            ["M", "X", "M", "M"],
            [20, 20, 20, 20],
            ["violence", "violence", "nope", "violence"],
            [1, 1, 1, 1],
            [20, 20, 20, 31],
        )
    msg = str(info.value)
    assert "row 2" in msg and "sex" in msg
    assert "row 3" in msg and "offence_group" in msg
    assert "row 4" in msg and "Copas" in msg
    assert "row 1" not in msg


def test_missing_input_is_error_not_nan() -> None:
    with pytest.raises(ModelError, match="sanctions"):
        ogrs3_probability(["M"], [20], ["violence"], [None], [18])


def test_score_cohort_uses_whole_year_ages() -> None:
    c = pd.DataFrame(
        {
            "sex": ["M", "M"],
            "date_of_birth": pd.to_datetime(["1995-06-02", "1995-06-01"]),
            "index_date": pd.to_datetime(["2015-06-01", "2015-06-01"]),
            "offence_group": ["violence", "violence"],
            "sanctions": pd.array([1, 1], dtype="Int64"),
            "first_sanction_date": pd.to_datetime(["2015-06-01", "2015-06-01"]),
        }
    )
    t = score_cohort(c).table
    assert t["age"].tolist() == [19, 20]
    assert t["p_1yr"].iloc[1] == pytest.approx(0.12161553504714574, abs=1e-12)
    assert np.all((t["p_1yr"] > 0) & (t["p_1yr"] < t["p_2yr"]))


def test_errors_name_rows_in_numeric_order() -> None:
    # 25 bad rows: the message shows the first 20 by row number (2 before 10), not as text
    n = 25
    with pytest.raises(ModelError) as info:
        ogrs3_linear_predictor(["X"] * n, [20] * n, ["violence"] * n, [1] * n, [20] * n)
    msg = str(info.value)
    shown = [int(part.split(":")[0]) for part in msg.split("row ")[1:]]
    assert shown == list(range(1, 21))
    assert "(and 5 more)" in msg
