"""Tests of pbr.sample: determinism, schema conformity, realism and the bundled files.

Reoffending rates are measured here with a small independent pandas counting of
the SPEC §3/§4 rules (not with pbr's measures engine), and compared with the
published record (reference/tr_pbr.md §5.2: all-CRC 2011 binary ~47.5 %,
Northumbria 55.17 % the highest, 4.2 reoffences per reoffender nationally,
Northumbria 5.15).
"""

from __future__ import annotations

import json
import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pbr
from pbr.cli import main
from pbr.dates import add_months, age_in_years
from pbr.errors import PbrError, SuspiciousDataWarning
from pbr.lots import default_registry
from pbr.risk.ogrs3 import score_cohort
from pbr.sample import (
    SAMPLE_EXTRACT_DATE,
    SampleData,
    generate,
    load_sample,
    sample_paths,
)
from pbr.schema import (
    COHORT_COLUMNS,
    DISPOSAL_TYPES,
    EVENT_TYPES,
    OFFENCE_COLUMNS,
    arrow_schema,
)

REPO = Path(__file__).resolve().parents[1]
ELIGIBLE = ["release", "community_order", "suspended_sentence_order"]
SMALL = 0.05


@pytest.fixture(scope="module")
def bundled() -> SampleData:
    return load_sample()


@pytest.fixture(scope="module")
def measured(bundled: SampleData) -> pd.DataFrame:
    return _measure(bundled.cohort, bundled.offences)


def _measure(cohort: pd.DataFrame, offences: pd.DataFrame) -> pd.DataFrame:
    """Independent oracle: one row per measurable index event with its reoffence count R.

    Rules (SPEC §3, §4): adult (>= 18 whole years), CRC, release/CO/SSO, not EM-only;
    first eligible event of the offender in each calendar quarter; no exclusion reason.
    A proven reoffence: index < offence_date <= index + 12 months, disposal_date <=
    index + 18 months, conviction or caution, not a breach.
    """
    c = cohort.reset_index(drop=True).copy()
    c["row"] = np.arange(len(c))
    age = age_in_years(c["date_of_birth"], c["index_date"])
    eligible = (
        (age >= 18)
        & (c["supervisor"] == "CRC").to_numpy(dtype=bool)
        & c["event_type"].isin(ELIGIBLE).to_numpy(dtype=bool)
        & ~c["em_only"].to_numpy(dtype=bool)
    )
    c = c[eligible].copy()
    c["quarter"] = c["index_date"].dt.to_period("Q").astype(str)
    c = c.sort_values(["offender_id", "quarter", "index_date", "row"])
    c = c[~c.duplicated(["offender_id", "quarter"])]
    c = c[c["exclusion_reason"].isna().to_numpy(dtype=bool)].copy()
    c["end"] = add_months(c["index_date"], 12)
    c["cut"] = add_months(c["index_date"], 18)
    o = offences[
        offences["disposal_type"].isin(["conviction", "caution"]).to_numpy(dtype=bool)
        & ~offences["breach"].to_numpy(dtype=bool)
    ]
    m = c[["row", "offender_id", "index_date", "end", "cut"]].merge(
        o[["offender_id", "offence_date", "disposal_date"]], on="offender_id"
    )
    off = m["offence_date"].to_numpy().astype("datetime64[D]")
    counts = (
        (off > m["index_date"].to_numpy().astype("datetime64[D]"))
        & (off <= m["end"].to_numpy())
        & (m["disposal_date"].to_numpy().astype("datetime64[D]") <= m["cut"].to_numpy())
    )
    r = m[counts].groupby("row").size()
    c["R"] = c["row"].map(r).fillna(0).astype(int).to_numpy()
    c["O"] = c["R"] > 0
    year = c["index_date"].dt.year
    c["period"] = np.where(year == 2011, "2011", c["quarter"])
    return c


# ------------------------------------------------------------------ determinism


def test_same_seed_gives_identical_frames() -> None:
    a = generate(seed=11, scale=SMALL)
    b = generate(seed=11, scale=SMALL)
    pd.testing.assert_frame_equal(a.cohort, b.cohort)
    pd.testing.assert_frame_equal(a.offences, b.offences)
    pd.testing.assert_frame_equal(a.true_effects, b.true_effects)


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    paths_a = generate(seed=11, scale=SMALL).write(tmp_path / "a")
    paths_b = generate(seed=11, scale=SMALL).write(tmp_path / "b")
    assert [p.name for p in paths_a] == ["cohort.parquet", "offences.parquet", "truth.json"]
    for pa_, pb_ in zip(paths_a, paths_b, strict=True):
        assert pa_.read_bytes() == pb_.read_bytes(), pa_.name


def test_different_seed_gives_different_data() -> None:
    a = generate(seed=11, scale=SMALL)
    b = generate(seed=12, scale=SMALL)
    assert not a.cohort.equals(b.cohort)
    assert not a.offences.equals(b.offences)
    assert set(a.cohort["offender_id"]) != set(b.cohort["offender_id"])


def test_written_files_round_trip(tmp_path: Path) -> None:
    s = generate(seed=5, scale=SMALL)
    s.write(tmp_path)
    cohort = pq.read_table(tmp_path / "cohort.parquet")
    offences = pq.read_table(tmp_path / "offences.parquet")
    assert cohort.schema.equals(arrow_schema(COHORT_COLUMNS))
    assert offences.schema.equals(arrow_schema(OFFENCE_COLUMNS))
    assert cohort.schema.metadata is None  # no pandas metadata, nothing that varies
    assert cohort.num_rows == len(s.cohort)
    assert offences.num_rows == len(s.offences)
    got = cohort.column("index_date").to_pylist()
    assert got == [t.date() for t in s.cohort["index_date"]]
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert truth["seed"] == 5
    assert truth["extract_date"] == "2018-06-30"
    assert list(truth) == sorted(truth)
    assert set(truth["true_effects"]) == set(default_registry().codes)


# ------------------------------------------------------------------ bundled data


def test_packaged_files_equal_a_fresh_generate(tmp_path: Path, bundled: SampleData) -> None:
    fresh = generate()
    pd.testing.assert_frame_equal(bundled.cohort, fresh.cohort)
    pd.testing.assert_frame_equal(bundled.offences, fresh.offences)
    pd.testing.assert_frame_equal(bundled.true_effects, fresh.true_effects)
    assert bundled.seed == fresh.seed == 20151001
    fresh.write(tmp_path)
    root = resources.files("pbr.data").joinpath("sample")
    for name in ("cohort.parquet", "offences.parquet", "truth.json"):
        packaged = root.joinpath(name).read_bytes()
        written = (tmp_path / name).read_bytes()
        if name.endswith(".parquet"):
            # Parquet bytes embed the writer version; compare bytes only with the same writer
            with root.joinpath(name).open("rb") as fh:
                created_by = pq.ParquetFile(fh).metadata.created_by
            if created_by != pq.ParquetFile(tmp_path / name).metadata.created_by:
                continue
        assert packaged == written, name


def test_repository_copy_equals_packaged_copy() -> None:
    repo_dir = REPO / "data" / "sample"
    if not repo_dir.is_dir():
        pytest.skip("not running from a source checkout")
    root = resources.files("pbr.data").joinpath("sample")
    for name in ("cohort.parquet", "offences.parquet", "truth.json"):
        assert (repo_dir / name).read_bytes() == root.joinpath(name).read_bytes(), name


def test_sample_paths_point_at_the_packaged_files(bundled: SampleData) -> None:
    paths = sample_paths()
    assert sorted(paths) == ["cohort", "offences", "truth"]
    root = resources.files("pbr.data").joinpath("sample")
    for key, name in (("cohort", "cohort.parquet"), ("offences", "offences.parquet")):
        assert paths[key].read_bytes() == root.joinpath(name).read_bytes()
    assert pq.read_table(paths["cohort"]).num_rows == len(bundled.cohort)
    assert json.loads(paths["truth"].read_text())["seed"] == bundled.seed


def test_bundled_files_are_small() -> None:
    root = resources.files("pbr.data").joinpath("sample")
    total = sum(len(root.joinpath(n).read_bytes()) for n in ("cohort.parquet", "offences.parquet"))
    assert total <= 5.5e6


def test_sample_names_live_in_pbr_datasets() -> None:
    import pbr.datasets

    for name in ("generate_sample", "load_sample", "sample_paths", "SampleData"):
        assert name in pbr.datasets.__all__, name
        assert name not in pbr.__all__, name  # not at the small top level
    assert pbr.datasets.SAMPLE_EXTRACT_DATE.isoformat() == "2018-06-30"
    assert pbr.datasets.generate_sample is generate


def test_old_top_level_sample_names_warn_and_still_work() -> None:
    with pytest.warns(DeprecationWarning, match=r"pbr\.datasets\.load_sample"):
        old = pbr.load_sample
    assert old is pbr.datasets.load_sample


# ------------------------------------------------------------------ schema / validation


def test_columns_and_in_memory_types(bundled: SampleData) -> None:
    c, o = bundled.cohort, bundled.offences
    assert list(c.columns) == [s.name for s in COHORT_COLUMNS]
    assert list(o.columns) == [s.name for s in OFFENCE_COLUMNS]
    for frame, spec in ((c, COHORT_COLUMNS), (o, OFFENCE_COLUMNS)):
        for col in spec:
            dtype = frame[col.name].dtype
            if col.kind == "string":
                assert dtype == pd.StringDtype(), col.name
            elif col.kind == "date":
                assert dtype == np.dtype("datetime64[s]"), col.name
            elif col.kind == "bool":
                assert dtype == np.dtype(bool), col.name
            else:
                assert dtype == pd.Int64Dtype(), col.name
            if col.allowed is not None:
                values = set(frame[col.name].dropna().unique())
                assert values <= set(col.allowed), (col.name, values - set(col.allowed))
    assert set(c["event_type"].unique()) == set(EVENT_TYPES)
    assert set(o["disposal_type"].unique()) == set(DISPOSAL_TYPES)
    assert c["offender_id"].str.fullmatch(r"PNC\d{7}[A-Z]").all()
    assert set(o["offender_id"].unique()) <= set(c["offender_id"].unique())


def test_passes_spec_validation_rules(bundled: SampleData) -> None:
    c, o = bundled.cohort, bundled.offences
    extract = pd.Timestamp(SAMPLE_EXTRACT_DATE)
    for col in ("index_date", "date_of_birth", "first_sanction_date"):
        assert c[col].notna().all() and (c[col] <= extract).all(), col
    for col in ("offence_date", "disposal_date"):
        assert o[col].notna().all() and (o[col] <= extract).all(), col
    assert (o["disposal_date"] >= o["offence_date"]).all()
    assert (c["sanctions"] >= 1).all()
    assert (c["first_sanction_date"] <= c["index_date"]).all()
    assert (c["date_of_birth"] < c["index_date"]).all()
    age = age_in_years(c["date_of_birth"], c["index_date"])
    assert age.max() <= 110 and age.min() >= 15
    age_first = age_in_years(c["date_of_birth"], c["first_sanction_date"])
    assert age_first.min() >= 10
    assert set(c["lot"]) == set(default_registry().codes)
    assert c["offender_id"].notna().all() and o["offender_id"].notna().all()
    # the bundled cohort can be scored by OGRS3 without error
    scores = score_cohort(c).table
    assert scores["p_1yr"].between(0, 1).all()


def test_bundled_files_pass_pbr_io_validation(bundled: SampleData) -> None:
    io = pytest.importorskip("pbr.io")
    root = resources.files("pbr.data").joinpath("sample")
    with (
        resources.as_file(root.joinpath("cohort.parquet")) as cohort_path,
        resources.as_file(root.joinpath("offences.parquet")) as offences_path,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        cohort = io.read_cohort(cohort_path, extract_date=SAMPLE_EXTRACT_DATE)
        offences = io.read_offences(offences_path, extract_date=SAMPLE_EXTRACT_DATE)
    # only the intended "suspicious but legal" cases are flagged: juveniles, duplicates
    assert all(issubclass(w.category, SuspiciousDataWarning) for w in caught)
    pd.testing.assert_frame_equal(cohort, bundled.cohort)
    pd.testing.assert_frame_equal(offences, bundled.offences)


def test_rows_are_sorted(bundled: SampleData) -> None:
    c, o = bundled.cohort, bundled.offences
    assert c["offender_id"].is_monotonic_increasing
    assert o["offender_id"].is_monotonic_increasing
    ids = c["offender_id"].to_numpy(dtype=object)
    same = np.r_[False, ids[1:] == ids[:-1]]
    assert (c["index_date"].diff().dt.days.to_numpy()[same] >= 0).all()
    ids = o["offender_id"].to_numpy(dtype=object)
    same = np.r_[False, ids[1:] == ids[:-1]]
    step = o["offence_date"].diff().dt.days.to_numpy()
    assert (step[same] >= 0).all()
    tie = same & (step == 0)
    assert (o["disposal_date"].diff().dt.days.to_numpy()[tie] >= 0).all()


def test_first_sanction_consistent_with_history(bundled: SampleData) -> None:
    """One-sanction offenders start at the current event; history has about sanctions-1 rows."""
    c, o = bundled.cohort, bundled.offences
    first_events = c.drop_duplicates("offender_id")  # sorted: earliest event of each person
    counted = o[o["disposal_type"].isin(["conviction", "caution"]) & ~o["breach"]]
    before = counted.merge(first_events[["offender_id", "index_date"]], on="offender_id")
    before = before[before["disposal_date"] < before["index_date"]]
    occasions = (
        before.drop_duplicates(["offender_id", "disposal_date"]).groupby("offender_id").size()
    )
    has_pnc = first_events["exclusion_reason"].ne("no_pnc_match").fillna(True).to_numpy(dtype=bool)
    fe = first_events[has_pnc].set_index("offender_id")
    n_occ = occasions.reindex(fe.index, fill_value=0)
    sanctions = fe["sanctions"].astype(float)
    # prior sanction occasions roughly sanctions - 1 (release index offences add one)
    assert abs(float(n_occ.mean()) - float((sanctions - 1).mean())) < 1.5
    assert np.corrcoef(n_occ.to_numpy(float), sanctions.to_numpy())[0, 1] > 0.9


# ------------------------------------------------------------------ realism


def test_baseline_binary_rates_are_realistic(measured: pd.DataFrame) -> None:
    base = measured[measured["period"] == "2011"]
    rates = base.groupby("lot")["O"].mean()
    assert len(rates) == 21
    assert rates.between(0.35, 0.62).all(), rates.to_dict()
    overall = float(base["O"].mean())
    assert 0.44 <= overall <= 0.50, overall  # published estimate 47.5 %
    # Northumbria (CPA01) the highest, or within 2 points of it (published 55.17 %)
    assert rates["CPA01"] >= rates.max() - 0.02, rates.sort_values().tail(3).to_dict()
    assert 0.50 <= rates["CPA01"] <= 0.60


def test_baseline_frequency_is_realistic(measured: pd.DataFrame) -> None:
    base = measured[measured["period"] == "2011"]
    reoffenders = base[base["O"]]
    overall = reoffenders["R"].sum() / len(reoffenders)
    assert 3.7 <= overall <= 4.8, overall  # published 4.2 reoffences per reoffender
    per_lot = reoffenders.groupby("lot")["R"].mean()
    assert per_lot["CPA01"] >= per_lot.max() - 0.3  # Northumbria highest (published 5.15)
    assert 4.5 <= per_lot["CPA01"] <= 6.0


def test_cohort_sizes_follow_lot_sizes(bundled: SampleData) -> None:
    c = bundled.cohort
    in_2011 = c[c["index_date"].dt.year == 2011]
    share = in_2011["lot"].value_counts(normalize=True)
    assert share.idxmax() == "CPA15"  # London largest
    assert 0.10 <= share["CPA15"] <= 0.14
    assert share["CPA02"] < 0.03  # Durham Tees Valley small
    assert 25_000 <= len(in_2011) <= 35_000
    quarters = c[c["index_date"].dt.year >= 2015]["index_date"].dt.to_period("Q").astype(str)
    counts = quarters.value_counts().sort_index()
    assert list(counts.index) == ["2015Q4", "2016Q1", "2016Q2", "2016Q3", "2016Q4", "2017Q1"]
    assert counts.between(7_000, 8_500).all()
    assert c["index_date"].min() >= pd.Timestamp("2011-01-01")
    assert not c["index_date"].between(pd.Timestamp("2012-01-01"), pd.Timestamp("2015-09-30")).any()


def test_awkward_case_proportions(bundled: SampleData) -> None:
    c = bundled.cohort
    n = len(c)
    age = age_in_years(c["date_of_birth"], c["index_date"])
    juvenile = float(np.mean((age >= 15) & (age <= 17)))
    assert 0.015 <= juvenile <= 0.05
    assert 0.03 <= float((c["event_type"] == "caution").mean()) <= 0.07
    assert 0.04 <= float((c["event_type"] == "other").mean()) <= 0.12
    assert 0.15 <= float((c["supervisor"] == "NPS").mean()) <= 0.25
    em = c["em_only"]
    assert 0.01 <= float(em.mean()) <= 0.03
    assert set(c.loc[em, "event_type"]) <= {"community_order", "suspended_sentence_order"}
    reasons = c["exclusion_reason"].value_counts()
    assert set(reasons.index) == {"deceased", "deported", "no_pnc_match"}
    assert (reasons / n).between(0.002, 0.02).all()
    quarter = c["index_date"].dt.to_period("Q").astype(str)
    same_q = c.assign(q=quarter).duplicated(["offender_id", "q"])
    assert 0.02 <= float(same_q.mean()) <= 0.04
    perf = c[c["index_date"].dt.year >= 2015].assign(q=quarter)
    n_quarters = perf.groupby("offender_id")["q"].nunique()
    assert (n_quarters >= 2).sum() >= 200  # offenders in several performance quarters
    assert c.groupby("offender_id").size().max() >= 3
    # the person-level attributes agree across a person's events
    assert (c.groupby("offender_id")[["sex", "date_of_birth"]].nunique() == 1).all().all()


def test_offences_that_must_not_count_are_present(bundled: SampleData) -> None:
    c, o = bundled.cohort, bundled.offences
    kinds = o["disposal_type"].value_counts()
    assert kinds["pnd"] > 1000 and kinds["other"] > 300 and kinds["caution"] > 10_000
    assert int(o["breach"].sum()) > 1000
    first = c.drop_duplicates("offender_id")[["offender_id", "index_date", "event_type"]]
    m = o.merge(first, on="offender_id")
    # history before the index date, an offence on the index date itself (cautions)
    assert (m["offence_date"] < m["index_date"]).sum() > 100_000
    same_day = m[(m["offence_date"] == m["index_date"]) & (m["disposal_type"] == "caution")]
    assert set(same_day["event_type"]) >= {"caution", "community_order"}
    end = add_months(m["index_date"], 12)
    cut = add_months(m["index_date"], 18)
    off = m["offence_date"].to_numpy().astype("datetime64[D]")
    disp = m["disposal_date"].to_numpy().astype("datetime64[D]")
    in_window = (off > m["index_date"].to_numpy().astype("datetime64[D]")) & (off <= end)
    assert int((in_window & (disp > cut)).sum()) > 500  # proven after the 18-month cut
    assert int(((off > end) & (off <= add_months(m["index_date"], 13))).sum()) > 1000
    # exact duplicate rows (two counts of one offence on one day) and shared appearances
    assert int(o.duplicated().sum()) > 1000
    conv = o[o["disposal_type"] == "conviction"]
    assert conv["appearance_id"].notna().all()
    assert o.loc[o["disposal_type"] != "conviction", "appearance_id"].isna().all()
    per_app = conv.drop_duplicates().groupby("appearance_id").size()
    assert (per_app >= 2).sum() > 5000
    # an appearance belongs to one offender on one disposal date
    assert (
        (conv.groupby("appearance_id")[["offender_id", "disposal_date"]].nunique() == 1).all().all()
    )


def test_every_index_offence_is_in_the_offence_table(bundled: SampleData) -> None:
    """Court orders start on a conviction date; cautions are an offence cautioned that day."""
    c, o = bundled.cohort, bundled.offences
    c = c[c["exclusion_reason"].ne("no_pnc_match").fillna(True).to_numpy(dtype=bool)]
    keys = ["offender_id", "index_date"]
    conv = o[o["disposal_type"] == "conviction"][["offender_id", "disposal_date"]]
    conv = conv.drop_duplicates().rename(columns={"disposal_date": "index_date"})
    orders = c[c["event_type"].isin(["community_order", "suspended_sentence_order", "other"])]
    hit = orders[keys].merge(conv.assign(found=True), on=keys, how="left")["found"]
    assert hit.notna().all(), int(hit.isna().sum())
    cautions = c[c["event_type"] == "caution"]
    cau = o[o["disposal_type"] == "caution"]
    cau = cau.assign(same_day=cau["offence_date"] == cau["disposal_date"])
    cau = cau.groupby(["offender_id", "disposal_date"], as_index=False)["same_day"].max()
    cau = cau.rename(columns={"disposal_date": "index_date"})
    hit = cautions[keys].merge(cau, on=keys, how="left")["same_day"]
    assert hit.notna().all()  # cautioned on the index date
    assert float(hit.astype(bool).mean()) > 0.95  # almost always for an offence that same day


def test_excluded_people_have_no_later_offences(bundled: SampleData) -> None:
    c, o = bundled.cohort, bundled.offences
    gone = c[c["exclusion_reason"].isin(["deceased", "deported"]).fillna(False)]
    assert gone["offender_id"].is_unique
    assert (c["offender_id"].isin(gone["offender_id"])).sum() == len(gone)  # single events
    m = o.merge(gone[["offender_id", "index_date"]], on="offender_id")
    assert len(m) > 0  # they do have history
    assert (m["offence_date"] <= m["index_date"]).all()
    no_pnc = c.loc[c["exclusion_reason"].eq("no_pnc_match").fillna(False), "offender_id"]
    assert not o["offender_id"].isin(no_pnc).any()


def test_reoffending_depends_on_ogrs3(measured: pd.DataFrame) -> None:
    base = measured[measured["period"] == "2011"]
    p = score_cohort(base).table["p_1yr"].to_numpy()
    quintile = np.searchsorted(np.quantile(p, [0.2, 0.4, 0.6, 0.8]), p, side="right")
    rate = base.assign(qn=quintile).groupby("qn")["O"].mean()
    assert rate.is_monotonic_increasing, rate.to_dict()
    assert rate.iloc[-1] - rate.iloc[0] > 0.35
    # younger offenders and men reoffend more, as OGRS3 says
    age = age_in_years(base["date_of_birth"], base["index_date"])
    assert base[age < 25]["O"].mean() > base[age >= 40]["O"].mean() + 0.1
    # a longer criminal history raises the rate
    sanctions = base["sanctions"].astype(int)
    assert base[sanctions >= 10]["O"].mean() > base[sanctions == 1]["O"].mean() + 0.2


def test_true_effects_table(bundled: SampleData) -> None:
    t = bundled.true_effects
    assert list(t.columns) == ["lot", "name", "baseline_target", "effect_log_odds", "effect_pp"]
    assert list(t["lot"]) == default_registry().codes
    pp = t.set_index("lot")["effect_pp"]
    assert (pp <= -4).sum() >= 2
    assert (pp == 0).sum() == 3
    assert (pp > 0).sum() == 2
    assert (pp < 0).sum() == 16
    lo = t.set_index("lot")["effect_log_odds"]
    assert (np.sign(lo) == np.sign(pp)).all()
    assert t.set_index("lot").loc["CPA01", "name"] == "Northumbria"


def test_large_true_effects_are_visible_in_outcomes(
    bundled: SampleData, measured: pd.DataFrame
) -> None:
    """O - E against a per-lot logistic fit on 2011 finds the two largest reductions."""
    import statsmodels.api as sm

    scores = score_cohort(measured).table
    x = np.log(scores["p_1yr"] / (1 - scores["p_1yr"])).to_numpy()
    lots = pd.get_dummies(measured["lot"]).astype(float)
    design = np.column_stack([lots.to_numpy(), x])
    is_base = (measured["period"] == "2011").to_numpy()
    final = measured["period"].isin(["2015Q4", "2016Q1", "2016Q2", "2016Q3", "2016Q4"]).to_numpy()
    fit = sm.Logit(measured["O"].to_numpy(float)[is_base], design[is_base]).fit(disp=0)
    p = fit.predict(design[final])
    perf = measured[final].assign(p=p)
    g = perf.groupby("lot").agg(
        o=("O", "sum"), e=("p", "sum"), v=("p", lambda s: (s * (1 - s)).sum())
    )
    z = (g["o"] - g["e"]) / np.sqrt(g["v"])
    pp = bundled.true_effects.set_index("lot")["effect_pp"]
    for lot in pp[pp <= -5].index:  # Cumbria & Lancashire, Hampshire & Isle of Wight
        assert z[lot] < -1.96, (lot, z[lot])
    change = 100 * (g["o"] - g["e"]) / perf.groupby("lot").size()
    assert np.corrcoef(change.loc[pp.index], pp)[0, 1] > 0.5
    # no systematic bias: lots with no effect do not look better or worse on average
    assert abs(float((change.loc[pp.index] - pp).mean())) < 1.0


# ------------------------------------------------------------------ options and errors


def test_lot_subset_keeps_lot_sizes() -> None:
    full = generate(seed=2, scale=0.2)
    part = generate(seed=2, scale=0.2, lots=["London", "CPA01"])
    assert set(part.cohort["lot"]) == {"CPA01", "CPA15"}
    assert list(part.true_effects["lot"]) == ["CPA01", "CPA15"]
    full_n = full.cohort[full.cohort["lot"].isin(["CPA01", "CPA15"])].shape[0]
    assert abs(len(part.cohort) - full_n) <= 0.05 * full_n


def test_scale_changes_size() -> None:
    small = generate(seed=2, scale=0.1)
    n_2011 = int((small.cohort["index_date"].dt.year == 2011).sum())
    assert 2_900 <= n_2011 <= 3_300  # 30 000 x 0.1 plus ~3 % second events


@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan")])
def test_bad_scale_raises(scale: float) -> None:
    with pytest.raises(PbrError, match="scale"):
        generate(seed=1, scale=scale)


def test_unknown_lot_raises() -> None:
    with pytest.raises(PbrError, match="Atlantis"):
        generate(seed=1, scale=SMALL, lots=["Atlantis"])


def test_sample_data_conveniences() -> None:
    s = generate(seed=3, scale=SMALL)
    summary = s.summary().frame
    assert list(summary.columns) == ["lot", "period", "rows", "offenders"]
    assert int(summary["rows"].sum()) == len(s.cohort)
    assert set(summary["period"]) == {
        "2011",
        "2015Q4",
        "2016Q1",
        "2016Q2",
        "2016Q3",
        "2016Q4",
        "2017Q1",
    }
    assert s.to_frame().equals(s.cohort) and s.to_frame() is not s.cohort
    assert "Synthetic sample" in s._repr_html_()
    # value equality: the same seed gives an equal sample, another seed a different one
    assert s == generate(seed=3, scale=SMALL) and s != generate(seed=4, scale=SMALL)
    ax = s.plot()
    assert len(ax.patches) == 21
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    assert widths == sorted(s.true_effects["effect_pp"].round(6).tolist())
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_cli_writes_the_same_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sample", "--out", str(tmp_path / "cli"), "--seed", "9", "--scale", str(SMALL)])
    assert code == 0
    assert "cohort rows" in capsys.readouterr().out
    generate(seed=9, scale=SMALL).write(tmp_path / "api")
    for name in ("cohort.parquet", "offences.parquet", "truth.json"):
        assert (tmp_path / "cli" / name).read_bytes() == (tmp_path / "api" / name).read_bytes()


def test_cli_bad_lot_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sample", "--out", str(tmp_path), "--lot", "Atlantis", "--scale", str(SMALL)])
    assert code == 2
    assert "Atlantis" in capsys.readouterr().err


def test_interim_quarter_is_cut_by_extract_date(bundled: SampleData) -> None:
    c = bundled.cohort
    last = c[c["index_date"] >= pd.Timestamp("2017-01-01")]
    cut = add_months(last["index_date"], 18)
    assert (cut > np.datetime64(SAMPLE_EXTRACT_DATE.isoformat())).any()  # 2017Q1 is interim
    q4 = c[
        (c["index_date"] >= pd.Timestamp("2016-10-01"))
        & (c["index_date"] < pd.Timestamp("2017-01-01"))
    ]
    assert (add_months(q4["index_date"], 18) <= np.datetime64("2018-06-30")).all()  # 2016Q4 final


# ------------------------------------------------------------------ properties


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(0.002, 0.03))
def test_invariants_hold_for_any_seed(seed: int, scale: float) -> None:
    s = generate(seed=seed, scale=scale)
    c, o = s.cohort, s.offences
    extract = pd.Timestamp(SAMPLE_EXTRACT_DATE)
    assert (c["first_sanction_date"] <= c["index_date"]).all()
    assert (c["sanctions"] >= 1).all()
    assert (age_in_years(c["date_of_birth"], c["first_sanction_date"]) >= 10).all()
    assert (o["disposal_date"] >= o["offence_date"]).all()
    assert (o["disposal_date"] <= extract).all()
    assert c["offender_id"].notna().all() and o["offender_id"].notna().all()
    assert set(o["offender_id"].unique()) <= set(c["offender_id"].unique())
    gone = c[c["exclusion_reason"].isin(["deceased", "deported"]).fillna(False)]
    later = o.merge(gone[["offender_id", "index_date"]], on="offender_id")
    assert (later["offence_date"] <= later["index_date"]).all()


@given(
    st.lists(
        st.tuples(
            st.integers(0, 5), st.integers(-3, 3), st.integers(0, 2**40), st.integers(0, 2**40)
        ),
        min_size=0,
        max_size=40,
    )
)
def test_sort_order_matches_lexsort(rows: list[tuple[int, int, int, int]]) -> None:
    from pbr.sample._generator import _sort_order

    a, b, c, d = (np.array([r[i] for r in rows], dtype=np.int64) for i in range(4))
    expected = sorted(range(len(rows)), key=lambda i: (*rows[i], i))  # stable, first key first
    assert _sort_order([a, b, c, d]).tolist() == expected


def test_generated_and_bundled_samples_pass_the_io_boundary() -> None:
    """The sample frames are stamped as validated (pbr.io._trusted): they must really be valid."""
    import warnings

    from pbr.io import validate
    from pbr.io._trusted import is_stamped
    from pbr.sample import generate, load_sample

    for s in (load_sample(), generate(seed=2, scale=0.05)):
        extract = np.datetime64(s.extract_date, "D")
        assert is_stamped(s.cohort, "cohort", extract)
        assert is_stamped(s.offences, "offences", extract)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the sample has suspicious rows on purpose
            report = validate(
                s.cohort.copy(), s.offences.copy(), extract_date=s.extract_date.isoformat()
            )
        assert report.cohort_rows == len(s.cohort)
        assert report.offence_rows == len(s.offences)
