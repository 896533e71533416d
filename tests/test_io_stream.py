"""The streamed validation of a Parquet offences file reports what the whole-table reader does.

``compute_measures`` on two files validates the offences row group by row group
(``pbr.io._microdata_stream``); ``pbr.io.validate`` reads them whole. The data
below are built so that the expected warnings are known by construction.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pbr
from pbr._engine.strings import fixed_keys
from pbr.errors import SuspiciousDataWarning, ValidationError
from pbr.io import _microdata_stream as stream
from pbr.io import validate
from pbr.io._microdata_words import _key_words, _text_words
from pbr.io._parse import _surely_clean

EXTRACT = "2018-12-31"


def _cohort(n_people: int = 40) -> pa.Table:
    ids = [f"P{i}" for i in range(n_people)]
    dob = ["1980-01-01"] * n_people
    dob[3] = "2001-06-01"  # offences in 2010 are before this person's 10th birthday
    rows = {
        "offender_id": [*ids, "P5"],  # P5 twice, with a second date of birth
        "lot": ["CPA01"] * (n_people + 1),
        "index_date": ["2015-02-01"] * (n_people + 1),
        "event_type": ["release"] * (n_people + 1),
        "sex": ["M"] * (n_people + 1),
        "date_of_birth": [*dob, "1981-01-01"],
    }
    return pa.table(rows)


def _offences() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 300
    people = rng.integers(0, 50, n)  # P40 … P49 are not in the cohort
    off = pd.Timestamp("2015-02-02") + pd.to_timedelta(rng.integers(0, 500, n), "D")
    df = pd.DataFrame(
        {
            "offender_id": [f"P{p}" for p in people],
            "offence_date": off.strftime("%Y-%m-%d"),
            "disposal_date": (off + pd.to_timedelta(rng.integers(0, 200, n), "D")).strftime(
                "%Y-%m-%d"
            ),
            "disposal_type": rng.choice(["conviction", "caution", " pnd "], n),
            "breach": rng.random(n) < 0.1,
            "appearance_id": [f"A{i}" for i in range(n)],
            "note": [f"free text {i % 7}" for i in range(n)],
            "amount": np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 3, n)),
            "flag_count": pd.array(rng.integers(0, 2, n), dtype="Int64"),
        }
    )
    df.loc[[10, 250], "appearance_id"] = "NA"  # two NA-like markers
    df.loc[[20, 21], "offender_id"] = "P3"
    df.loc[[20, 21], "offence_date"] = ["2010-01-05", "2011-05-01"]  # before age 10
    df.loc[[20, 21], "disposal_date"] = "2011-08-01"
    df.loc[5, "amount"] = 0.0
    # exact duplicates of earlier rows, across row groups (row group size 64)
    for src, dst in ((1, 70), (2, 200), (70, 290)):
        df.iloc[dst] = df.iloc[src]
    df.loc[130, "offender_id"] = "P1 "  # trimmed: the same person as "P1"
    return df


def _write(tmp_path: Path, offences: pd.DataFrame, **kw: object) -> tuple[Path, Path]:
    c, o = tmp_path / "c.parquet", tmp_path / "o.parquet"
    pq.write_table(_cohort(), c)
    table = pa.Table.from_pandas(offences, preserve_index=False)
    pq.write_table(table, o, row_group_size=64, **kw)  # type: ignore[arg-type]
    return c, o


def _messages(fn: object) -> tuple[list[str], object]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        got = fn()  # type: ignore[operator]
    return [str(w.message) for w in seen if isinstance(w.message, SuspiciousDataWarning)], got


@pytest.mark.parametrize("dictionary", [True, False])
def test_streamed_warnings_and_counts_equal_whole_table(
    tmp_path: Path, dictionary: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    c, o = _write(tmp_path, _offences(), use_dictionary=dictionary)
    whole_reads: list[str] = []
    real_read = stream._read

    def spy(source: object, table: str, *args: object) -> object:
        whole_reads.append(table)
        return real_read(source, table, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(stream, "_read", spy)
    streamed, m = _messages(lambda: pbr.compute_measures(c, o, extract_date=EXTRACT))
    assert whole_reads == ["cohort"]  # the offences were streamed, not read whole
    monkeypatch.undo()
    whole, report = _messages(lambda: validate(c, o, extract_date=EXTRACT))
    assert streamed == whole
    # known by construction: 3 duplicates (first at data row 71), 2 NA-like, 2 before age 10
    assert any("3 row(s) are exact duplicates" in w and "row 71)" in w for w in streamed)
    assert any("2 appearance_id value(s) look like" in w for w in streamed)
    assert any("2 offence(s) dated before" in w and "row 21)" in w for w in streamed)
    assert any("1 offender(s) have more than one date_of_birth" in w for w in streamed)
    frames = pbr.compute_measures(
        report.cohort,
        report.offences,
        extract_date=EXTRACT,
        validate=False,  # type: ignore[attr-defined]
    )
    cols = ["lot", "period", "cohort_size", "reoffenders", "reoffences"]
    pd.testing.assert_frame_equal(m.table[cols], frames.table[cols])  # type: ignore[attr-defined]


def test_no_duplicates_no_warning(tmp_path: Path) -> None:
    df = _offences().drop(index=[70, 200, 290]).reset_index(drop=True)
    c, o = _write(tmp_path, df)
    streamed, _ = _messages(lambda: pbr.compute_measures(c, o, extract_date=EXTRACT))
    assert not any("exact duplicates" in w for w in streamed)


def test_failing_row_in_a_late_row_group_gives_the_whole_table_failures(tmp_path: Path) -> None:
    df = _offences()
    df.loc[280, "offence_date"] = "2016-13-01"
    df.loc[281, "disposal_type"] = "fine"
    c, o = _write(tmp_path, df)
    with pytest.raises(ValidationError) as streamed:
        pbr.compute_measures(c, o, extract_date=EXTRACT)
    with pytest.raises(ValidationError) as whole:
        validate(c, o, extract_date=EXTRACT)
    pd.testing.assert_frame_equal(streamed.value.failures, whole.value.failures)
    assert streamed.value.failures["row"].tolist() == [281, 282]
    assert str(streamed.value) == str(whole.value)


def test_blank_code_in_a_dictionary_is_missing(tmp_path: Path) -> None:
    df = _offences()
    df.loc[7, "disposal_type"] = "   "
    for dictionary in (True, False):
        c, o = _write(tmp_path, df, use_dictionary=dictionary)
        with pytest.raises(ValidationError) as err:
            pbr.compute_measures(c, o, extract_date=EXTRACT)
        f = err.value.failures
        assert f[["row", "column", "reason"]].values.tolist() == [
            [8, "disposal_type", "missing value"]
        ]


def test_string_words_do_not_depend_on_position_or_chunk() -> None:
    values = ["", "a", "P12345678", "abcdefgh", "abcdefghijklmnop", "Pé1", None, "x" * 40]
    arr = pa.array(values * 3)
    f, g = _text_words(arr)
    f2, g2 = _text_words(arr.slice(len(values)))
    assert (f[len(values) :] == f2).all() and (g[len(values) :] == g2).all()
    assert len(set(f[: len(values)].tolist())) == len(values)  # all different
    short = pa.array([v for v in values if v is not None and len(v.encode()) <= 16])
    kf, kg = _key_words(fixed_keys(short, None))  # type: ignore[arg-type]
    tf, tg = _text_words(short)
    assert (kf == tf).all() and (kg == tg).all()
    d = pa.array(["b", "a", None, "b"]).dictionary_encode()
    assert (_text_words(d)[0] == _text_words(pa.array(["b", "a", None, "b"]))[0]).all()
    # an empty string's words do not depend on the other strings of its column
    alone, among = _text_words(pa.array([""])), _text_words(pa.array(["", "abc"]))
    assert (alone[0][0], alone[1][0]) == (among[0][0], among[1][0])
    assert _key_words(fixed_keys(pa.array(["", "abc"]), None))[1][0] == alone[1][0]  # type: ignore[arg-type]


def test_string_words_of_a_long_column_of_few_values_are_each_values_words() -> None:
    # a plain column this long with few distinct values is hashed as a dictionary
    # (_few_values); each row must still get exactly its own value's words
    few = ["", "CPA01", "abcdefghijklmnopq", "é", None]
    rng = np.random.default_rng(3)
    pick = rng.integers(0, len(few), 50_000)
    arr = pa.array([few[i] for i in pick])
    one = [_text_words(pa.array([v], pa.string())) for v in few]
    f, g = _text_words(arr)
    assert f.tolist() == [int(one[i][0][0]) for i in pick]
    assert g.tolist() == [int(one[i][1][0]) for i in pick]
    f1, g1 = _text_words(arr, second=False)
    assert (f1 == f).all() and g1 is f1  # second=False: the first hash only


def test_fixed_keys_of_mixed_widths_are_the_zero_padded_bytes() -> None:
    values = ["", "a", "é", "abcdefgh", "abcdefghi", "abcdefghijklmnop", "P1", "P1899999"]
    arr = pa.array(values * 2).slice(3)
    k1, k2, kl = fixed_keys(arr, None)  # type: ignore[misc]
    ref = np.zeros((len(arr), 16), np.uint8)
    for i, v in enumerate(arr.to_pylist()):
        b = v.encode()
        ref[i, : len(b)] = list(b)
    words = ref.view(np.uint64)
    assert (k1 == words[:, 0]).all() and (k2 == words[:, 1]).all()
    assert kl.tolist() == [len(v.encode()) for v in arr.to_pylist()]


@pytest.mark.parametrize(
    ("values", "clean"),
    [
        (["ab", "c"], True),
        (["ab", None], True),
        (["ab", " c"], False),
        (["ab", "c\t"], False),
        (["ab", ""], False),
        (["ab", "é"], False),  # non-ASCII: may be whitespace, checked the slow way
    ],
)
def test_surely_clean(values: list[str | None], clean: bool) -> None:
    assert _surely_clean(pa.array(values, pa.string())) is clean


def test_failing_cohort_stops_the_stream_and_reports_both_tables(tmp_path: Path) -> None:
    df = _offences()
    df.loc[3, "disposal_date"] = "2014-01-01"  # before its offence date
    c, o = _write(tmp_path, df)
    bad = _cohort().to_pandas()
    bad.loc[2, "sex"] = "X"
    pq.write_table(pa.Table.from_pandas(bad, preserve_index=False), c)
    with pytest.raises(ValidationError) as streamed:
        pbr.compute_measures(c, o, extract_date=EXTRACT)
    with pytest.raises(ValidationError) as whole:
        validate(c, o, extract_date=EXTRACT)
    pd.testing.assert_frame_equal(streamed.value.failures, whole.value.failures)
    got = streamed.value.failures[["table", "row", "column"]].values.tolist()
    assert got == [["cohort", 3, "sex"], ["offences", 4, "disposal_date"]]


# ---------------------------------------------------------------- batches, held chunks, build


@pytest.mark.parametrize(("batch", "chunk"), [(16, 5), (17, 64), (1 << 18, 3)])
def test_batches_and_chunks_of_any_size_report_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int, chunk: int
) -> None:
    """Row groups decoded in batches (and cut in chunks) report what the whole table does."""
    c, o = _write(tmp_path, _offences())
    whole, _ = _messages(lambda: validate(c, o, extract_date=EXTRACT))
    _, expected = _messages(lambda: pbr.compute_measures(c, o, extract_date=EXTRACT).table)
    monkeypatch.setattr(stream, "_BATCH", batch)
    monkeypatch.setattr(stream, "_CHUNK", chunk)
    streamed, m = _messages(lambda: pbr.compute_measures(c, o, extract_date=EXTRACT))
    assert streamed == whole
    pd.testing.assert_frame_equal(m.table, expected)  # type: ignore[attr-defined]


def test_row_groups_checked_before_the_cohort_is_read_are_held_then_selected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row groups that start before the cohort's people exist hold their rows, in row order."""
    import threading

    c, o = _write(tmp_path, _offences())
    whole, _ = _messages(lambda: validate(c, o, extract_date=EXTRACT))
    _, expected = _messages(lambda: pbr.compute_measures(c, o, extract_date=EXTRACT).table)
    monkeypatch.setattr(stream, "_BATCH", 16)
    monkeypatch.setattr(stream, "_CHUNK", 5)  # rows 20 and 21 (before age 10) in two chunks
    gate = threading.Event()
    ready_at_start: list[bool] = []
    real_group, real_people = stream._Stream.group, stream._people

    def group(self: stream._Stream, i: int, appearance: bool) -> object:
        ready_at_start.append(self.context.done())
        gate.set()
        return real_group(self, i, appearance)

    def people(values: object) -> object:
        gate.wait(10)  # a row group has started: it cannot have the people yet
        return real_people(values)  # type: ignore[arg-type]

    monkeypatch.setattr(stream._Stream, "group", group)
    monkeypatch.setattr(stream, "_people", people)
    streamed, m = _messages(lambda: pbr.compute_measures(c, o, extract_date=EXTRACT))
    assert False in ready_at_start  # the held path ran
    assert streamed == whole
    pd.testing.assert_frame_equal(m.table, expected)  # type: ignore[attr-defined]


@pytest.mark.parametrize("held", [0, 1, 4])
def test_row_groups_checked_before_the_cohort_is_read_wait_at_most_held_then_are_selected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, held: int
) -> None:
    """Up to _HELD_GROUPS checked row groups wait for the people; the rest block; same report."""
    import threading

    c, o = _write(tmp_path, _offences())  # five row groups
    whole, _ = _messages(lambda: validate(c, o, extract_date=EXTRACT))
    _, expected = _messages(lambda: pbr.compute_measures(c, o, extract_date=EXTRACT).table)
    monkeypatch.setattr(stream, "_HELD_GROUPS", held)
    monkeypatch.setattr(stream, "_CHUNK", 5)
    started, returned = threading.Event(), threading.Semaphore(0)
    waited: list[int] = []
    real_group, real_people = stream._Stream.group, stream._people

    def group(self: stream._Stream, i: int, appearance: bool) -> object:
        started.set()
        got = real_group(self, i, appearance)
        if got is None and not self.failed:  # left waiting for the people
            waited.append(i)
        returned.release()
        return got

    def people(values: object) -> object:
        started.wait(10)  # a row group has started: it cannot have the people yet
        for _ in range(min(held, 2)):  # the workers' first row groups are left waiting
            assert returned.acquire(timeout=10)
        return real_people(values)  # type: ignore[arg-type]

    whole_reads: list[str] = []
    real_read = stream._read

    def spy(source: object, table: str, *args: object) -> object:
        whole_reads.append(table)
        return real_read(source, table, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(stream._Stream, "group", group)
    monkeypatch.setattr(stream, "_people", people)
    monkeypatch.setattr(stream, "_read", spy)
    streamed, m = _messages(lambda: pbr.compute_measures(c, o, extract_date=EXTRACT))
    assert whole_reads == ["cohort"]  # streamed: the waiting row groups were selected
    assert min(held, 2) <= len(waited) <= held
    assert streamed == whole
    pd.testing.assert_frame_equal(m.table, expected)  # type: ignore[attr-defined]


def _keep_all(columns: object) -> object:
    return lambda kind, breach, off, disp: np.ones(len(off), dtype=bool)


def test_build_runs_on_the_valid_cohort_and_replaces_its_frame(tmp_path: Path) -> None:
    c, o = _write(tmp_path, _offences())
    calls: list[int] = []

    def build(frame: pd.DataFrame, codes: object) -> str:
        calls.append(len(frame))
        return "built"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = stream.validate_streaming(
            c, o, extract=np.datetime64(EXTRACT), keep=_keep_all, appearance=False, build=build
        )
    assert calls == [41]  # the cohort's 41 rows, once
    assert got.built == "built" and got.cohort is None
    assert got.rows is not None and len(got.rows) > 0


def test_a_validation_error_comes_before_a_build_error(tmp_path: Path) -> None:
    df = _offences()
    df.loc[281, "disposal_type"] = "fine"  # invalid: the offences are read whole
    c, o = _write(tmp_path, df)

    def build(frame: pd.DataFrame, codes: object) -> object:
        raise RuntimeError("build failed")

    with pytest.raises(ValidationError, match="disposal_type"):
        stream.validate_streaming(
            c, o, extract=np.datetime64(EXTRACT), keep=_keep_all, appearance=False, build=build
        )
    c, o = _write(tmp_path, _offences())  # valid: the build's own error, after the warnings
    with pytest.warns(SuspiciousDataWarning), pytest.raises(RuntimeError, match="build failed"):
        stream.validate_streaming(
            c, o, extract=np.datetime64(EXTRACT), keep=_keep_all, appearance=False, build=build
        )


def test_then_runs_on_the_streamed_rows_while_the_warnings_are_made(tmp_path: Path) -> None:
    c, o = _write(tmp_path, _offences())
    seen_rows: list[int] = []

    def then(built: object, rows: object) -> str:
        assert built == "built"
        seen_rows.append(len(rows))  # type: ignore[arg-type]
        return "counted"

    def build(frame: pd.DataFrame, codes: object) -> str:
        return "built"

    msgs, got = _messages(
        lambda: stream.validate_streaming(
            c,
            o,
            extract=np.datetime64(EXTRACT),
            keep=_keep_all,
            appearance=False,
            build=build,
            then=then,
        )
    )
    assert got.then == ("counted",)  # type: ignore[attr-defined]
    assert seen_rows == [len(got.rows)]  # type: ignore[attr-defined]
    # the warnings are those made without ``then`` (the duplicates among them)
    without, _ = _messages(
        lambda: stream.validate_streaming(
            c, o, extract=np.datetime64(EXTRACT), keep=_keep_all, appearance=False
        )
    )
    assert msgs == without and any("exact duplicates" in m for m in msgs)


def test_an_error_of_then_comes_after_the_warnings_and_a_build_error_skips_it(
    tmp_path: Path,
) -> None:
    c, o = _write(tmp_path, _offences())

    def then(built: object, rows: object) -> object:
        raise RuntimeError("then failed")

    with pytest.warns(SuspiciousDataWarning) as rec, pytest.raises(RuntimeError, match="then"):
        stream.validate_streaming(
            c, o, extract=np.datetime64(EXTRACT), keep=_keep_all, appearance=False, then=then
        )
    assert any("exact duplicates" in str(w.message) for w in rec)

    def build(frame: pd.DataFrame, codes: object) -> object:
        raise RuntimeError("build failed")

    with pytest.warns(SuspiciousDataWarning), pytest.raises(RuntimeError, match="build failed"):
        stream.validate_streaming(
            c,
            o,
            extract=np.datetime64(EXTRACT),
            keep=_keep_all,
            appearance=False,
            build=build,
            then=then,
        )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(
                st.sampled_from([0, 1, 7, 2**28, 2**29 + 3, 2**31, 2**32 - 1]),
                st.integers(0, 2),
                st.integers(0, 1),
            ),
            max_size=30,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_duplicate_rows_from_fingerprints_are_the_repeated_triples(
    groups: list[list[tuple[int, int, int]]],
) -> None:
    """_duplicates (by parts of the top word) = a plain count of repeated (top, low, g)."""
    prints = [
        tuple(np.array([r[k] for r in rows], dtype=np.uint32) for k in range(3)) for rows in groups
    ]
    seen: set[tuple[int, int, int]] = set()
    dups: list[int] = []
    for i, row in enumerate(r for rows in groups for r in rows):
        if row in seen:
            dups.append(i)
        seen.add(row)
    got = stream._duplicates(prints)  # type: ignore[arg-type]
    assert got == (len(dups), dups[0] if dups else -1)


def test_row_groups_and_the_cohort_work_never_use_more_threads_than_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cohort's read and build take one core's slot; the row groups share the rest."""
    import threading
    import time

    c, o = _write(tmp_path, _offences())  # five row groups
    _, expected = _messages(lambda: pbr.compute_measures(c, o, extract_date=EXTRACT).table)
    monkeypatch.setattr(stream.os, "cpu_count", lambda: 2)
    lock = threading.Lock()
    active, most = [0], [0]

    def busy(fn: object) -> object:
        def run(*a: object, **k: object) -> object:
            with lock:
                active[0] += 1
                most[0] = max(most[0], active[0])
            try:
                time.sleep(0.02)  # long enough for the others to start meanwhile
                return fn(*a, **k)  # type: ignore[operator]
            finally:
                with lock:
                    active[0] -= 1

        return run

    monkeypatch.setattr(stream._Stream, "_group", busy(stream._Stream._group))
    monkeypatch.setattr(stream, "_read", busy(stream._read))
    _, m = _messages(lambda: pbr.compute_measures(c, o, extract_date=EXTRACT))
    assert most[0] == 2  # the cohort and one row group at a time, never three
    pd.testing.assert_frame_equal(m.table, expected)  # type: ignore[attr-defined]
