"""DataFrame inputs cross the same io boundary as files, once (issue 11, "One boundary").

An unknown ``disposal_type`` or an impossible birth date in a DataFrame given to
any public function taking cohort / offence tables is refused with the same
row-level ValidationError as the file; ``validate=False`` is the explicit
opt-out; a frame the boundary already validated is not validated again.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pbr
import pbr.io._read
from pbr.errors import SuspiciousDataWarning, ValidationError
from pbr.io import checked_tables, read_cohort, read_offences
from pbr.io._trusted import is_stamped
from pbr.sample import generate


@pytest.fixture(scope="module")
def small() -> pbr.datasets.SampleData:
    return generate(seed=7, scale=0.04, lots=["CPA01", "CPA02"])


def _bad_disposal(s: pbr.datasets.SampleData) -> pd.DataFrame:
    off = s.offences.copy()
    off.loc[3, "disposal_type"] = "community_order"
    return off


def _born_after_index(s: pbr.datasets.SampleData) -> pd.DataFrame:
    co = s.cohort.copy()
    co.loc[2, "date_of_birth"] = pd.Timestamp("2010-06-01")
    co.loc[2, "index_date"] = pd.Timestamp("2010-03-01")
    return co


def _calls(s: pbr.datasets.SampleData):  # type: ignore[no-untyped-def]
    from pbr.forecast import backtest, forecast
    from pbr.matching import person_table

    ext = s.extract_date.isoformat()
    b = pbr.build_baseline(s.cohort, s.offences, extract_date=ext, risk=None)
    return {
        "compute_measures": lambda c, o, **k: pbr.compute_measures(c, o, extract_date=ext, **k),
        "build_baseline": lambda c, o, **k: pbr.build_baseline(c, o, extract_date=ext, **k),
        "compare_to_baseline": lambda c, o, **k: pbr.compare_to_baseline(
            c, o, b, extract_date=ext, **k
        ),
        "forecast": lambda c, o, **k: forecast(c, o, extract_date=ext, draws=5, **k),
        "backtest": lambda c, o, **k: backtest(c, o, extract_date=ext, draws=5, **k),
        "person_table": lambda c, o, **k: person_table(c, o, extract_date=ext, **k),
    }


NAMES = [
    "compute_measures",
    "build_baseline",
    "compare_to_baseline",
    "forecast",
    "backtest",
    "person_table",
]


#: bad input → the one failure it gives (table, row, column, value, reason)
BAD = {
    "unknown disposal_type": (
        lambda s: (s.cohort, _bad_disposal(s)),
        ["offences", 4, "disposal_type", "community_order",
         "unknown disposal_type (expected conviction, caution, pnd, other)"],
    ),
    "born after the index date": (
        lambda s: (_born_after_index(s), s.offences),
        ["cohort", 3, "date_of_birth", "2010-06-01", "date_of_birth after index_date"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("bad", sorted(BAD))
@pytest.mark.parametrize("name", NAMES)
def test_a_bad_frame_is_refused_like_a_bad_file(
    small: pbr.datasets.SampleData, name: str, bad: str
) -> None:
    tables, expected = BAD[bad]
    with pytest.raises(ValidationError) as err:
        _calls(small)[name](*tables(small))
    assert err.value.failures.values.tolist() == [expected]


def test_both_tables_are_reported_at_once(small: pbr.datasets.SampleData) -> None:
    with pytest.raises(ValidationError) as err:
        pbr.compute_measures(
            _born_after_index(small), _bad_disposal(small), extract_date=small.extract_date
        )
    assert sorted(err.value.failures["table"]) == ["cohort", "offences"]


def test_a_2010_birth_date_before_the_index_date_warns_as_for_a_file(
    small: pbr.datasets.SampleData,
) -> None:
    # a 5-year-old at the index date is legal but suspicious: the file path warns, so must this
    co = small.cohort.copy()
    co.loc[2, "date_of_birth"] = pd.Timestamp("2010-01-15")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pbr.compute_measures(co, small.offences, extract_date=small.extract_date)
    messages = [str(w.message) for w in caught if w.category is SuspiciousDataWarning]
    assert any("first_sanction_date before age 10 (first at row 3)" in m for m in messages)
    assert any("aged under 18" in m for m in messages)


def test_validate_false_is_the_explicit_opt_out(small: pbr.datasets.SampleData) -> None:
    m = pbr.compute_measures(
        small.cohort, _bad_disposal(small), extract_date=small.extract_date, validate=False
    )
    assert len(m.table) > 0


def test_a_validated_frame_is_not_validated_again(
    small: pbr.datasets.SampleData, monkeypatch: pytest.MonkeyPatch
) -> None:
    ext = small.extract_date.isoformat()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuspiciousDataWarning)
        co = read_cohort(small.cohort.astype({"lot": object}), extract_date=ext)
        of = read_offences(small.offences, extract_date=ext)
    calls: list[str] = []

    def spy(*args: object, **kw: object) -> object:
        calls.append("validated")
        raise AssertionError("validated twice")

    for name in ("read_cohort", "read_offences", "_validate_pair"):
        monkeypatch.setattr(pbr.io._read, name, spy)
    pbr.compute_measures(co, of, extract_date=ext)
    pbr.build_baseline(co, of, extract_date=ext, risk=None)
    from pbr.forecast import forecast

    forecast(co, of, extract_date=ext, draws=5, contract="tr_crc")
    assert calls == []


def test_an_edited_validated_frame_is_validated_again(small: pbr.datasets.SampleData) -> None:
    ext = np.datetime64(small.extract_date, "D")
    of = small.offences.copy()  # a copy keeps the stamp, and matches it
    assert is_stamped(of, "offences", ext)
    of.loc[0, "disposal_type"] = "bogus"  # edited in place: no longer matches
    assert not is_stamped(of, "offences", ext)
    with pytest.raises(ValidationError):
        checked_tables(None, of, extract_date=small.extract_date)


def test_a_stamp_holds_only_for_an_extract_date_on_or_after_the_latest_date(
    small: pbr.datasets.SampleData,
) -> None:
    latest = small.offences[["offence_date", "disposal_date"]].max().max()
    before = (latest - pd.Timedelta(days=1)).date().isoformat()
    assert is_stamped(small.offences, "offences", np.datetime64(latest.date(), "D"))
    with pytest.raises(ValidationError) as err:
        checked_tables(None, small.offences, extract_date=before)
    assert set(err.value.failures["reason"]) == {f"date after the extract date ({before})"}


def test_an_earlier_cut_of_a_validated_table_stays_validated(
    small: pbr.datasets.SampleData, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pbr.io import as_extracted

    def spy(*args: object, **kw: object) -> object:
        raise AssertionError("validated again")

    monkeypatch.setattr(pbr.io._read, "read_offences", spy)
    early = as_extracted(small.offences, "offences", "2017-09-30")
    assert early["disposal_date"].max() <= pd.Timestamp("2017-09-30")
    assert is_stamped(early, "offences", np.datetime64("2017-09-30"))
    monkeypatch.undo()
    # a table the boundary never saw is validated first
    raw = _bad_disposal(small)
    raw.attrs.clear()
    with pytest.raises(ValidationError):
        as_extracted(raw, "offences", "2017-09-30")


def test_an_arrow_column_of_several_chunks_is_read_as_one() -> None:
    # pd.concat of arrow-backed frames gives columns of several chunks; they are validated
    # like any column (this once raised AttributeError in the clean-string check)
    part = pd.DataFrame(
        {
            "offender_id": pd.Series(["A"], dtype="string[pyarrow]"),
            "offence_date": ["2016-03-01"],
            "disposal_date": ["2016-04-01"],
            "disposal_type": pd.Series([" conviction"], dtype="string[pyarrow]"),
        }
    )
    two = pd.concat([part, part.assign(offender_id="B")], ignore_index=True)
    assert two["offender_id"].array._pa_array.num_chunks == 2
    got = read_offences(two, extract_date="2016-12-31")
    assert got["offender_id"].tolist() == ["A", "B"]
    assert got["disposal_type"].tolist() == ["conviction", "conviction"]
