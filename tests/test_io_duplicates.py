"""The fast duplicate-row finder of the validator against pandas' own ``duplicated``.

The validator fingerprints every row from its raw values and string buffers
(:func:`pbr.io._warnings._duplicated`) and compares only the candidate rows exactly;
the result must be exactly ``DataFrame.duplicated(keep="first")`` with missing equal
to missing, whatever the column types (short and long strings, non-ASCII text,
missing values, dates with NaT, booleans, nullable integers, floats with NaN and
-0.0, categoricals, object columns).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from pbr.io._warnings import _duplicated, _person_warnings, _string_words

TEXT = st.sampled_from(["", "a", "b", "ab", "ab ", " ab", "é", "PN00000001", "x" * 16, "x" * 17])
LONG = st.sampled_from(["P" + "0" * 20 + "1", "P" + "0" * 20 + "2", "Q" + "0" * 20 + "1"])


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 40))

    def col(elements: st.SearchStrategy[object]) -> list[object]:
        return [draw(elements) for _ in range(n)]

    return pd.DataFrame(
        {
            "s": pd.array(col(st.none() | TEXT), dtype="string"),
            "long": pd.array(col(st.none() | LONG), dtype="string"),
            "d": np.array(col(st.sampled_from(["2015-01-01", "2015-01-02", "NaT"])), "M8[s]"),
            "b": np.array(col(st.booleans()), bool),
            "i": pd.array(col(st.none() | st.integers(-2, 2)), dtype="Int64"),
            "f": np.array(col(st.sampled_from([0.0, -0.0, 1.5, np.nan])), float),
            "c": pd.Categorical(col(st.sampled_from(["u", "v", None]))),
            "o": pd.Series(col(st.sampled_from([1, "1", None, 2.5])), dtype=object),
        }
    )


@settings(max_examples=200, deadline=None)
@given(frames(), st.lists(st.sampled_from("sldbifco"), min_size=1, max_size=8, unique=True))
def test_duplicated_is_pandas_duplicated(df: pd.DataFrame, picks: list[str]) -> None:
    names = {"s": "s", "l": "long", "d": "d", "b": "b", "i": "i", "f": "f", "c": "c", "o": "o"}
    sub = df[[names[p] for p in picks]]
    expected = sub.astype(object).where(sub.notna(), None).duplicated(keep="first").to_numpy()
    assert _duplicated(sub).tolist() == expected.tolist()


def test_string_words_equal_exactly_for_equal_strings() -> None:
    values = ["ab", "ab ", " ab", "", None, "é", "e", "x" * 16, "x" * 15 + "y", None, "ab"]
    many = values * 700  # enough distinct-looking rows for the padded-word path too
    for arr in (pa.array(values), pa.array(many), pa.array([f"P{i}" for i in range(5000)] * 2)):
        words = _string_words(arr)
        py = arr.to_pylist()
        first: dict[object, int] = {}
        for i, v in enumerate(py):
            j = first.setdefault(v, i)
            assert words[i] == words[j]
        # different strings get different words (exact for short ASCII strings)
        assert len(set(words.tolist())) == len(set(py))


def test_person_warnings_young_offence_and_inconsistent_people() -> None:
    cohort = pd.DataFrame(
        {
            "offender_id": pd.array(["A", "A", "B", "C"], dtype="string"),
            "date_of_birth": np.array(
                ["2000-02-29", "2000-03-01", "1990-01-01", "1980-01-01"], "M8[s]"
            ),
            "sex": pd.array(["M", "M", "F", "F"], dtype="string"),
        }
    )
    offences = pd.DataFrame(
        {
            "offender_id": pd.array(["A", "A", "Z", "B", "A"], dtype="string"),
            # A's first date of birth is 2000-02-29: 10th birthday 2010-02-28
            "offence_date": np.array(
                ["2010-02-27", "2010-02-28", "2001-01-01", "1999-12-31", "1999-01-01"], "M8[s]"
            ),
        }
    )
    notes = _person_warnings(cohort, offences)
    assert notes == [
        "cohort: 1 offender(s) have more than one date_of_birth or sex across their rows",
        "offences: 3 offence(s) dated before the offender's 10th birthday (first at row 1)",
    ]
