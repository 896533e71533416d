"""Engine fast paths give exactly the results of the generic (hash / sort) paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbr._engine import IdLookup, sorted_codes
from pbr._engine.codes import sorted_codes_fixed, window_word
from pbr._engine.lookup import index_in
from pbr._engine.strings import fixed_keys

# id pools that hit each form of the one-word sort key: varying bits only in the
# high word (ids <= 8 bytes), only in the low word (long common prefix), across
# both words (PN + 8 digits), a single distinct id, and a span wider than 64 bits
POOLS = {
    "short": ["a", "ab", "b", "Z", "z9", "~", "", "abcdefgh"],
    "low_word": ["PREFIX-0X" + s for s in ("1", "22", "333", "a", "", "zzzzzzz")],
    "pn_ids": ["PN00000001", "PN00999999", "PN00012345", "PN0000000", "PN00000011", "PN1"],
    "single": ["PN00000042"],
    "wide": ["a", "0123456789abcdef", "0123456789abcdee", "PN00000001", "PN000000011", "é"],
}


@pytest.mark.parametrize("pool", sorted(POOLS))
def test_one_word_sorted_codes_equal_hash_sort(pool: str) -> None:
    rng = np.random.default_rng(11)
    values = pd.Series(rng.choice(POOLS[pool], 300), dtype="string")
    fast = sorted_codes_fixed(values)
    assert fast is not None
    codes, names = sorted_codes(values)
    assert fast[0].tolist() == codes.tolist()
    assert fast[1].to_pylist() == names.tolist()
    keys = fixed_keys(pa.array(POOLS[pool]), None)
    assert keys is not None
    one_word = window_word(keys[0].byteswap(), keys[1].byteswap())
    assert (one_word is None) == (pool == "wide")


@given(
    prefix=st.text(alphabet="PNab", max_size=8),
    suffixes=st.lists(st.text(alphabet="0123456789xé", max_size=9), min_size=1, max_size=40),
)
def test_sorted_codes_fixed_matches_plain_sort(prefix: str, suffixes: list[str]) -> None:
    ids = [prefix + s for s in suffixes]
    if any(len(i.encode()) > 16 for i in ids):
        return
    fast = sorted_codes_fixed(pd.Series(ids, dtype="string"))
    assert fast is not None
    distinct = sorted(set(ids), key=lambda s: s.encode())
    assert fast[1].to_pylist() == distinct
    assert [distinct[c] for c in fast[0]] == ids


@pytest.mark.parametrize("width_mix", ["fixed", "mixed"])
def test_selected_fixed_width_lookup_equals_index_in(width_mix: str) -> None:
    rng = np.random.default_rng(3)
    people = [f"PN{i:08d}" for i in rng.integers(0, 500, 200)]
    if width_mix == "mixed":
        people += ["PN1", "PN000000001"]
    universe = pa.array(sorted(set(people[::2])))
    chunks = [list(rng.choice(people, 120)) for _ in range(3)]
    ids = pa.chunked_array(chunks)
    sel = rng.random(len(ids)) < 0.4
    got = IdLookup(universe).codes(ids, sel)
    want = index_in(ids, universe)[sel]
    assert got.tolist() == want.tolist()


@pytest.mark.parametrize("before", [True, False])
def test_measures_leave_numpy_allocator_setting_alone(before: bool, tmp_path: Path) -> None:
    # a library must not change its host's process state: numpy's huge-page switch
    # is what it was, after a run from files (the fast path) and after a failing call
    from pbr.errors import PbrError
    from pbr.measures import compute_measures

    switch = np._core.multiarray._set_madvise_hugepage  # type: ignore[attr-defined]
    original = switch(before)
    try:
        cohort, offences = _files(tmp_path)
        compute_measures(cohort, offences, extract_date="2018-01-01", validate=False)
        assert switch(before) is before
        with pytest.raises(PbrError):
            compute_measures(
                "/nonexistent.parquet", "/nonexistent2.parquet", extract_date="2018-01-01",
                validate=False,
            )  # fmt: skip
        assert switch(before) is before
    finally:
        switch(original)


def _files(tmp_path: Path) -> tuple[Path, Path]:
    import pyarrow.parquet as pq

    cohort = pd.DataFrame(
        {
            "offender_id": ["A", "B"],
            "lot": ["CPA01", "CPA01"],
            "index_date": pd.to_datetime(["2015-01-05", "2015-02-10"]),
            "event_type": ["release", "release"],
            "sex": ["M", "F"],
            "date_of_birth": pd.to_datetime(["1980-01-01", "1981-01-01"]),
        }
    )
    offences = pd.DataFrame(
        {
            "offender_id": ["A"],
            "offence_date": pd.to_datetime(["2015-03-01"]),
            "disposal_date": pd.to_datetime(["2015-04-01"]),
            "disposal_type": ["conviction"],
        }
    )
    pq.write_table(pa.Table.from_pandas(cohort, preserve_index=False), tmp_path / "c.parquet")
    pq.write_table(pa.Table.from_pandas(offences, preserve_index=False), tmp_path / "o.parquet")
    return tmp_path / "c.parquet", tmp_path / "o.parquet"


@pytest.mark.parametrize(
    ("codes", "kind", "want"),
    [
        ([8063, 8064, 8063, 8070], "quarter", ["2015Q4", "2016Q1", "2015Q4", "2017Q3"]),  # dense
        ([2015, 9999, 2015], "calendar_year", ["2015", "9999", "2015"]),  # sparse: sorted path
        ([2015, 1999], "financial_year", ["2015/16", "1999/00"]),
        ([], "quarter", []),
    ],
)
def test_period_names_dense_and_sparse(codes: list[int], kind: str, want: list[str]) -> None:
    from pbr.periods import period_names

    got = period_names(np.array(codes, dtype=np.int64), kind)
    assert got.tolist() == want
    assert str(got.dtype) == "string"
