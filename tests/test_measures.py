"""Measures: hand-worked figures, intervals, interim/final, inputs and result object."""

from __future__ import annotations

import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from pbr.cohort import build_cohort
from pbr.errors import IgnoredOptionWarning, PbrError
from pbr.measures import EXTRA_COLUMNS, MEASURE_COLUMNS, compute_measures, wilson_interval


def _cohort(ids: list[str], dates: list[str], lots: list[str] | None = None) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "offender_id": pd.array(ids, dtype="string"),
            "lot": pd.array(lots or ["CPA01"] * n, dtype="string"),
            "index_date": pd.to_datetime(dates).astype("datetime64[s]"),
            "event_type": pd.array(["release"] * n, dtype="string"),
            "sex": pd.array(["M"] * n, dtype="string"),
            "date_of_birth": pd.to_datetime(["1980-01-01"] * n).astype("datetime64[s]"),
        }
    )


def _offences(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "offender_id": pd.array([r[0] for r in rows], dtype="string"),
            "offence_date": pd.to_datetime([r[1] for r in rows]),
            "disposal_date": pd.to_datetime([r[2] for r in rows]),
            "disposal_type": pd.array([r[3] for r in rows], dtype="string"),
        }
    )


# Four members in CPA01 2015Q1 with 0, 1, 2 and 3 proven reoffences; one in CPA02 with 1.
COHORT = _cohort(
    ["W", "X", "Y", "Z", "V"],
    ["2015-01-10", "2015-02-01", "2015-03-01", "2015-03-31", "2015-01-01"],
    ["CPA01", "CPA01", "CPA01", "CPA01", "CPA02"],
)
OFFENCES = _offences(
    [
        ("X", "2015-02-11", "2015-03-01", "conviction"),  # X: 10 days after index
        ("Y", "2015-03-21", "2015-04-01", "caution"),  # Y: 20 days
        ("Y", "2015-06-01", "2015-07-01", "conviction"),
        ("Z", "2015-04-30", "2015-05-01", "conviction"),  # Z: 30 days
        ("Z", "2015-05-30", "2015-06-01", "conviction"),
        ("Z", "2015-06-30", "2015-07-01", "conviction"),
        ("V", "2015-01-02", "2015-01-03", "conviction"),  # V: 1 day
    ]
)


def test_hand_worked_measures() -> None:
    m = compute_measures(COHORT, OFFENCES, extract_date="2016-12-31")
    t = m.table
    assert list(t.columns) == [*MEASURE_COLUMNS, *EXTRA_COLUMNS]
    row = t.iloc[0]
    assert (row["lot"], row["period"]) == ("CPA01", "2015Q1")
    # N = 4, O = 3, R = 0 + 1 + 2 + 3 = 6
    assert (row["eligible"], row["cohort_size"], row["reoffenders"], row["reoffences"]) == (
        4, 4, 3, 6,
    )  # fmt: skip
    assert row["binary_rate"] == pytest.approx(0.75)
    assert row["reoffences_per_reoffender"] == pytest.approx(2.0)
    assert row["reoffences_per_offender"] == pytest.approx(1.5)
    assert row["reoffences_per_100"] == pytest.approx(150.0)
    # days to first reoffence: (10 + 20 + 30) / 3 = 20
    assert row["days_to_first_reoffence"] == pytest.approx(20.0)
    # R/O: counts among reoffenders 1, 2, 3: mean 2, s = 1, SE = 1/sqrt(3) = 0.5773503;
    # z = 1.959964: 2 -/+ 1.1315857
    assert row["frequency_ci_low"] == pytest.approx(0.8684143, abs=1e-6)
    assert row["frequency_ci_high"] == pytest.approx(3.1315857, abs=1e-6)
    # R/N: counts 0, 1, 2, 3: mean 1.5, s^2 = 5/3, SE = sqrt(5/12) = 0.6454972;
    # 1.5 -/+ 1.9599640 * 0.6454972 = 1.5 -/+ 1.2651513
    assert row["per_offender_ci_low"] == pytest.approx(0.2348487, abs=1e-6)
    assert row["per_offender_ci_high"] == pytest.approx(2.7651513, abs=1e-6)
    assert row["status"] == "final"
    assert row["rules"] == "moj_proven"
    assert (row["follow_up_months"], row["waiting_months"]) == (12, 6)
    # CPA02: one member, one reoffence: intervals of a mean need two values
    v = t.iloc[1]
    assert (v["cohort_size"], v["reoffenders"], v["reoffences"]) == (1, 1, 1)
    assert math.isnan(v["frequency_ci_low"]) and math.isnan(v["per_offender_ci_high"])
    # national: N = 5, O = 4, R = 7
    nat = m.national.iloc[0]
    assert (nat["lot"], nat["period"]) == ("ALL", "2015Q1")
    assert (nat["eligible"], nat["cohort_size"], nat["reoffenders"], nat["reoffences"]) == (
        5, 5, 4, 7,
    )  # fmt: skip
    assert nat["days_to_first_reoffence"] == pytest.approx((10 + 20 + 30 + 1) / 4)
    assert list(m.national.columns) == list(t.columns)


def test_convictions_only_measures() -> None:
    # Y's caution no longer counts: Y has 1, so R = 5 in CPA01, first for Y is 2015-06-01
    t = compute_measures(COHORT, OFFENCES, extract_date="2016-12-31", rules="convictions_only")
    assert t.table.loc[0, "reoffences"] == 5
    assert t.table.loc[0, "days_to_first_reoffence"] == pytest.approx((10 + 92 + 30) / 3)


def test_status_boundary_day() -> None:
    # last member Z: 2015-03-31 + 18 months = 2016-09-30
    final = compute_measures(COHORT, OFFENCES, extract_date="2016-09-30")
    interim = compute_measures(COHORT, OFFENCES, extract_date="2016-09-29")
    assert final.table.loc[0, "status"] == "final"
    assert interim.table.loc[0, "status"] == "interim"
    # CPA02's only member (2015-01-01) ends 2016-07-01: final in both
    assert interim.table.loc[1, "status"] == "final"
    assert interim.national.loc[0, "status"] == "interim"
    assert final.latest_final_period() == "2015Q1"
    assert interim.latest_final_period() is None


def test_wilson_matches_statsmodels() -> None:
    o = np.array([0, 1, 3, 50, 99, 100, 7])
    n = np.array([1, 1, 10, 100, 100, 100, 1000])
    for alpha in (0.05, 0.1, 0.01):
        lo, hi = wilson_interval(o, n, alpha)
        ref_lo, ref_hi = proportion_confint(o, n, alpha=alpha, method="wilson")
        np.testing.assert_allclose(lo, ref_lo, rtol=0, atol=1e-12)
        np.testing.assert_allclose(hi, ref_hi, rtol=0, atol=1e-12)
    lo, hi = wilson_interval([0], [0])
    assert math.isnan(lo[0]) and math.isnan(hi[0])


def test_empty_group_and_no_reoffenders() -> None:
    df = _cohort(["A", "B"], ["2015-01-10", "2015-04-10"])
    df.loc[1, "event_type"] = "caution"  # the only 2015Q2 row is excluded
    m = compute_measures(df, OFFENCES.iloc[:0], extract_date="2018-01-01")
    q2 = m.table.set_index("period").loc["2015Q2"]
    assert (q2["eligible"], q2["cohort_size"], q2["reoffenders"]) == (0, 0, 0)
    assert math.isnan(q2["binary_rate"]) and math.isnan(q2["binary_ci_low"])
    assert q2["status"] == "final"
    q1 = m.table.set_index("period").loc["2015Q1"]
    assert q1["binary_rate"] == 0.0
    assert math.isnan(q1["reoffences_per_reoffender"])  # undefined when O = 0, not 0
    assert math.isnan(q1["days_to_first_reoffence"])
    assert m.exclusions[["period", "reason", "count"]].values.tolist() == [
        ["2015Q2", "eligible_event_type", 1]
    ]


def test_lots_filter_and_members_outcomes() -> None:
    m = compute_measures(COHORT, OFFENCES, extract_date="2016-12-31", lots=["CPA02"])
    assert m.table["lot"].tolist() == ["CPA02"]
    assert m.members["offender_id"].tolist() == ["V"]
    full = compute_measures(COHORT, OFFENCES, extract_date="2016-12-31")
    got = dict(zip(full.members["offender_id"], full.members["reoffences"], strict=True))
    assert got == {"W": 0, "X": 1, "Y": 2, "Z": 3, "V": 1}
    assert {"window_end", "first_reoffence_date", "reoffender", "row", "period"} <= set(
        full.members.columns
    )


def test_accepts_built_cohort_and_warns_on_ignored_period() -> None:
    c = build_cohort(COHORT, period="calendar_year")
    with pytest.warns(IgnoredOptionWarning):
        m = compute_measures(c, OFFENCES, extract_date="2016-12-31", period="quarter")
    assert m.table["period"].tolist() == ["2015", "2015"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compute_measures(c, OFFENCES, extract_date="2016-12-31", period="calendar_year")


def test_file_inputs_fast_and_validated(tmp_path: object) -> None:
    from pathlib import Path

    d = Path(str(tmp_path))
    ref = compute_measures(COHORT, OFFENCES, extract_date="2016-12-31").table
    COHORT.to_parquet(d / "c.parquet")
    OFFENCES.to_parquet(d / "o.parquet")
    COHORT.assign(
        index_date=COHORT["index_date"].dt.strftime("%Y-%m-%d"),
        date_of_birth=COHORT["date_of_birth"].dt.strftime("%Y-%m-%d"),
    ).to_csv(d / "c.csv", index=False)
    OFFENCES.assign(
        offence_date=OFFENCES["offence_date"].dt.strftime("%Y-%m-%d"),
        disposal_date=OFFENCES["disposal_date"].dt.strftime("%Y-%m-%d"),
    ).to_csv(d / "o.csv", index=False)
    for c, o in (("c.parquet", "o.parquet"), ("c.csv", "o.csv")):
        for validate in (True, False):
            got = compute_measures(d / c, d / o, extract_date="2016-12-31", validate=validate).table
            pd.testing.assert_frame_equal(got, ref, check_dtype=False)
    with pytest.raises(PbrError, match="no such file"):
        compute_measures(d / "missing.parquet", d / "o.parquet", extract_date="2016-12-31",
                         validate=False)  # fmt: skip


def test_bad_arguments() -> None:
    with pytest.raises(PbrError, match="extract_date"):
        compute_measures(COHORT, OFFENCES, extract_date=None)
    with pytest.raises(PbrError, match="extract_date"):
        compute_measures(COHORT, OFFENCES, extract_date="not a date")
    with pytest.raises(PbrError, match="rule set"):
        compute_measures(COHORT, OFFENCES, extract_date="2016-12-31", rules="x")
    with pytest.raises(PbrError, match="alpha"):
        compute_measures(COHORT, OFFENCES, extract_date="2016-12-31", alpha=1.5)
    with pytest.raises(PbrError, match="cohort must be"):
        compute_measures(42, OFFENCES, extract_date="2016-12-31")


def test_result_object() -> None:
    m = compute_measures(COHORT, OFFENCES, extract_date="2016-12-31")
    assert m.to_frame().equals(m.table)
    s = m.summary().frame
    assert s["lot"].tolist() == ["CPA01", "CPA02", "ALL"]
    ax = m.plot()  # pbr.report.plot_rates: one panel per lot, the first returned
    assert len(ax.get_xticklabels()) == 1
    assert ax.get_title(loc="left") == "CPA01"
    assert ax.figure.get_suptitle().startswith("Proven reoffending rate (%) by period")
    plt.close("all")
    assert "Measures" in m._repr_html_()
    with pytest.raises(AttributeError):
        m.rules = "x"  # type: ignore[misc]


def _random_tables(
    seed: int, n: int = 400, k: int = 3000, long_ids: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    extra = ["a-much-longer-offender-id-0001"] if long_ids else ["Q1"]
    people = np.array([f"P{i:04d}" for i in range(120)] + extra)
    base = np.datetime64("2015-01-01", "D")
    idx = base + rng.integers(0, 730, n).astype("timedelta64[D]")
    cohort = pd.DataFrame(
        {
            "offender_id": pd.array(rng.choice(people, n), dtype="string"),
            "lot": pd.array(rng.choice(["CPA01", "CPA02", "CPA15"], n), dtype="string"),
            "index_date": idx.astype("datetime64[s]"),
            "event_type": pd.array(
                rng.choice(["release", "community_order", "caution"], n), dtype="string"
            ),
            "sex": pd.array(rng.choice(["M", "F"], n), dtype="string"),
            "date_of_birth": (idx - rng.integers(16 * 365, 60 * 365, n)).astype("datetime64[s]"),
            "supervisor": pd.array(rng.choice(["CRC", "CRC", "NPS"], n), dtype="string"),
            "em_only": rng.random(n) < 0.1,
            "exclusion_reason": pd.array(
                rng.choice(np.array([None, None, None, "deceased"], dtype=object), n),
                dtype="string",
            ),
        }
    )
    off = base + rng.integers(-200, 1200, k).astype("timedelta64[D]")
    offences = pd.DataFrame(
        {
            "offender_id": pd.array(rng.choice(people, k), dtype="string"),
            "offence_date": off.astype("datetime64[s]"),
            "disposal_date": (off + rng.integers(0, 300, k)).astype("datetime64[s]"),
            "disposal_type": pd.array(
                rng.choice(["conviction", "caution", "pnd", "other"], k), dtype="string"
            ),
            "breach": rng.random(k) < 0.1,
            "appearance_id": pd.array(
                rng.choice(np.array([None, "A1", "A2", "A3"], dtype=object), k), dtype="string"
            ),
        }
    )
    return cohort, offences


@pytest.mark.parametrize("long_ids", [True, False])
@pytest.mark.parametrize("rules", ["moj_proven", "convictions_only", "reconviction_events"])
def test_fast_file_path_equals_frame_path(tmp_path: object, rules: str, long_ids: bool) -> None:
    """validate=False on dictionary-encoded, multi-row-group Parquet = the DataFrame engine."""
    from pathlib import Path

    import pyarrow as pa
    import pyarrow.parquet as pq

    d = Path(str(tmp_path))
    # long ids: hashed universe; short ids: sorted exact 16-byte keys
    cohort, offences = _random_tables(7, long_ids=long_ids)
    ct = pa.Table.from_pandas(cohort, preserve_index=False)
    ct = ct.set_column(1, "lot", pc_dict(ct["lot"]))
    ct = ct.set_column(3, "event_type", pc_dict(ct["event_type"]))
    pq.write_table(ct, d / "c.parquet", row_group_size=64)
    pq.write_table(pa.Table.from_pandas(offences, preserve_index=False), d / "o.parquet",
                   row_group_size=500)  # fmt: skip
    for period in ("quarter", "financial_year"):
        for lots in (None, ["CPA02"]):
            kw = {"extract_date": "2017-06-30", "rules": rules, "period": period, "lots": lots}
            # both engines unvalidated: the random offences run past the extract date (the
            # validator refuses them; the counting ignores them) — this compares engines
            ref = compute_measures(cohort, offences, validate=False, **kw)  # type: ignore[arg-type]
            fast = compute_measures(d / "c.parquet", d / "o.parquet", validate=False, **kw)  # type: ignore[arg-type]
            pd.testing.assert_frame_equal(fast.table, ref.table, check_dtype=False)
            pd.testing.assert_frame_equal(fast.national, ref.national, check_dtype=False)
            pd.testing.assert_frame_equal(
                fast.exclusions, ref.exclusions, check_dtype=False, check_categorical=False
            )
            assert fast.members["reoffences"].tolist() == ref.members["reoffences"].tolist()
            assert ref.table["reoffences"].sum() > 0
            # a DataFrame cohort with a file of offences takes the same background path
            mixed = compute_measures(cohort, d / "o.parquet", validate=False, **kw)  # type: ignore[arg-type]
            pd.testing.assert_frame_equal(mixed.table, ref.table, check_dtype=False)


def pc_dict(col: object) -> object:
    import pyarrow.compute as pc

    return pc.dictionary_encode(col)  # type: ignore[arg-type]


def _files(tmp_path: object) -> tuple[object, object, pd.DataFrame, pd.DataFrame]:
    from pathlib import Path

    import pyarrow as pa
    import pyarrow.parquet as pq

    d = Path(str(tmp_path))
    cohort, offences = _random_tables(11, long_ids=False)
    pq.write_table(pa.Table.from_pandas(cohort, preserve_index=False), d / "c.parquet")
    pq.write_table(pa.Table.from_pandas(offences, preserve_index=False), d / "o.parquet",
                   row_group_size=300)  # fmt: skip
    return d / "c.parquet", d / "o.parquet", cohort, offences


def test_offence_row_groups_read_before_the_universe_is_known_wait_for_it(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """validate=False on files: the row groups are read while the universe is made."""
    import threading

    import pbr._measure_inputs as inputs

    c, o, cohort, offences = _files(tmp_path)
    kw = {"extract_date": "2017-06-30"}
    ref = compute_measures(cohort, offences, validate=False, **kw)  # type: ignore[arg-type]
    read_started = threading.Event()
    real_select, real_universe = inputs.select_offences, inputs._universe
    asked_before: list[bool] = []

    def select(t: object, rules: object, lookup: object, *a: object, **k: object) -> object:
        read_started.set()
        return real_select(t, rules, lookup, *a, **k)  # type: ignore[arg-type]

    def universe(source: object) -> object:
        asked_before.append(read_started.wait(10))  # a row group was read before it exists
        return real_universe(source)  # type: ignore[arg-type]

    monkeypatch.setattr(inputs, "select_offences", select)
    monkeypatch.setattr(inputs, "_universe", universe)
    got = compute_measures(c, o, validate=False, **kw)  # type: ignore[arg-type]
    assert asked_before == [True]
    pd.testing.assert_frame_equal(got.table, ref.table, check_dtype=False)
    assert got.table["reoffences"].sum() > 0


def test_an_error_making_the_universe_stops_the_waiting_offence_read(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pbr._measure_inputs as inputs

    c, o, _, _ = _files(tmp_path)

    def universe(source: object) -> object:
        raise PbrError("no universe")

    monkeypatch.setattr(inputs, "_universe", universe)
    with pytest.raises(PbrError, match="no universe"):
        compute_measures(c, o, extract_date="2017-06-30", validate=False)
