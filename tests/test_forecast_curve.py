"""The forecast's building blocks against plain-Python oracles (hand-built cases)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbr.counting import count_reoffending
from pbr.forecast.counts import reoffence_moments
from pbr.forecast.curve import conditional_probability, cumulative, fit_curves, strata_of
from pbr.forecast.exposure import NO_PROOF, exposure, proof_times
from pbr.forecast.project import Reference, Target, level_posterior, project
from pbr.sample import generate


def oracle_q(ref: list[int], a: int, w: int) -> float:
    """P(a < D <= w | D > a) by counting reference members (D = -1: never proven)."""
    later = [d for d in ref if d < 0 or d > a]
    if not later:
        return 0.0
    return sum(1 for d in later if 0 <= d <= w) / len(later)


@pytest.mark.parametrize(
    ("ref", "a", "w", "expected"),
    [
        ([10, 20, -1, -1], 15, 30, 1 / 3),  # one of three not proven by day 15 is proven by 30
        ([10, 20, -1, -1], 0, 30, 2 / 4),
        ([10, 20, -1, -1], 25, 30, 0.0),
        ([5, 5, 5, 40], 5, 30, 0.0),  # the day-40 proof is after the window
        ([5, 5, 5, 40], 5, 40, 1.0),
        ([0, 3, 3, -1, -1, -1], 2, 3, 2 / 5),
    ],
)
def test_conditional_probability_matches_hand_counts(
    ref: list[int], a: int, w: int, expected: float
) -> None:
    c = fit_curves(np.array(ref), np.zeros(len(ref), dtype=np.int64), 1, horizon=40)
    cum = cumulative(c.counts)
    q = float(conditional_probability(cum[0, a], cum[0, w], 1.0))
    assert q == pytest.approx(expected, abs=1e-12)
    assert q == pytest.approx(oracle_q(ref, a, w), abs=1e-12)


@given(
    st.lists(st.integers(-1, 60), min_size=1, max_size=30),
    st.integers(0, 60),
    st.integers(0, 60),
)
def test_conditional_probability_oracle_property(ref: list[int], a: int, w: int) -> None:
    a, w = min(a, w), max(a, w)
    cum = cumulative(fit_curves(np.array(ref), np.zeros(len(ref), np.int64), 1, horizon=60).counts)
    q = float(conditional_probability(cum[0, a], cum[0, w], 1.0))
    assert q == pytest.approx(oracle_q(ref, a, w), abs=1e-12)


def test_level_scales_the_curve() -> None:
    # θ F: e = 0.2, f = 0.5 at θ = 0.8 → (0.4 − 0.16) / (1 − 0.16)
    q = float(conditional_probability(0.2, 0.5, 0.8))
    assert q == pytest.approx((0.4 - 0.16) / 0.84, abs=1e-12)


def test_strata_are_separate_curves() -> None:
    c = fit_curves(np.array([1, -1, 1, 1]), np.array([0, 0, 1, 1]), 2, horizon=2)
    cum = cumulative(c.counts)
    assert cum[:, 2].tolist() == [0.5, 1.0]
    assert strata_of(np.array([0.1, 0.9]), np.array([0.5]), 2).tolist() == [0, 1]


def test_proof_times_hand_built() -> None:
    m = pd.DataFrame(
        {"offender_id": ["A", "B", "C"], "index_date": pd.to_datetime(["2016-01-31"] * 3)}
    )
    o = pd.DataFrame(
        {
            "offender_id": ["A", "A", "B", "C", "C"],
            # A: two counting offences, the later-committed one proven first
            "offence_date": pd.to_datetime(
                ["2016-02-10", "2016-05-01", "2016-03-01", "2016-01-31", "2016-02-02"]
            ),
            "disposal_date": pd.to_datetime(
                ["2016-07-01", "2016-06-01", "2016-04-01", "2016-02-01", "2016-03-01"]
            ),
            "disposal_type": ["conviction", "caution", "pnd", "conviction", "conviction"],
            "breach": [False, False, False, False, True],
        }
    )
    # A: 2016-06-01 is day 122; B: a PND never counts; C: the index-day offence does not
    # count and the breach does not either
    assert proof_times(m, o).tolist() == [122, NO_PROOF, NO_PROOF]
    assert proof_times(m, o, rules="convictions_only").tolist() == [152, NO_PROOF, NO_PROOF]


def test_proof_times_agree_with_the_counting_rules() -> None:
    s = generate(seed=11, scale=0.03)
    import pbr

    m = pbr.compute_measures(s.cohort, s.offences, extract_date=s.extract_date).members
    d = proof_times(m, s.offences)
    final = (m["window_end"] <= pd.Timestamp(s.extract_date)).to_numpy()
    assert final.sum() > 500
    assert ((d >= 0) == m["reoffender"].to_numpy())[final].all()
    # an earlier extract: a member counts exactly when its proof time is within its elapsed days
    cut = pd.Timestamp("2016-09-30")
    # the rows disposed of by the cut, as validated rows (a subset of the stamped sample)
    later = count_reoffending(m, pbr.io.as_extracted(s.offences, "offences", cut))
    x = exposure(
        (m["index_date"].to_numpy().astype("datetime64[D]")).astype(np.int64),
        d,
        int(np.datetime64("2016-09-30", "D").astype(np.int64)),
    )
    started = (m["index_date"] <= cut).to_numpy()
    assert (later["reoffender"].to_numpy() == x.observed)[started].all()


def test_level_posterior_pools_towards_the_common_shift() -> None:
    obs = np.array([40, 50, 60, 45, 55, 5])
    e = np.array([100.0] * 5 + [10.0])
    shape, rate = level_posterior(obs, e, np.full(6, 0.8), np.ones(6), 0.01)
    mean = shape / rate
    # the small group (θ̂ = 0.5) is pulled towards δ = 255 / 510 = 0.5 … and so are the others
    assert mean[-1] == pytest.approx(0.5, abs=0.05)
    assert np.all(np.diff(mean[:3]) > 0)


def test_project_is_deterministic_and_respects_closed_windows() -> None:
    ref = Reference(
        proof=np.array([5, 50, -1, -1, 20, 90]),
        strata=np.zeros(6, dtype=np.int64),
        window=np.full(6, 100),
        group=np.array([0, 0, 0, 1, 1, 1]),
    )
    tgt = Target(
        group=np.array([0, 0, 1, 1]),
        strata=np.zeros(4, dtype=np.int64),
        elapsed=np.array([100, 100, 10, 10]),
        window=np.full(4, 100),
        observed=np.array([True, False, False, False]),
        n_groups=2,
    )
    a = project(ref, tgt, n_strata=1, draws=200, seed=3)
    b = project(ref, tgt, n_strata=1, draws=200, seed=3)
    assert np.array_equal(a.final, b.final)
    assert (a.final[:, 0] == 1).all()  # group 0: every window closed
    assert a.final[:, 1].min() >= 0 and a.final[:, 1].max() <= 2
    assert a.final[:, 1].std() > 0


def test_reoffence_moments_match_hand_counts() -> None:
    members = [[3, 10, 10], [7], [], [1, 20], [], [2, 2, 9, 15]]
    pm = np.array([i for i, m in enumerate(members) for _ in m])
    pl = np.array([t for m in members for t in m])
    c = reoffence_moments(np.zeros(len(members), dtype=np.int64), pm, pl, 1, horizon=20)
    for a in range(21):
        after = [len(m) for m in members if m and min(m) > a]
        still = [sum(t > a for t in m) for m in members if m and min(m) <= a]
        for got_m, got_v, xs in ((c.later, c.later_var, after), (c.done, c.done_var, still)):
            mean = sum(xs) / len(xs) if xs else 0.0
            var = sum((x - mean) ** 2 for x in xs) / len(xs) if xs else 0.0
            assert got_m[0, a] == pytest.approx(mean), a
            assert got_v[0, a] == pytest.approx(var, abs=1e-12), a


def test_a_lots_other_periods_move_a_periods_prior() -> None:
    # the same period (60 proven of 100 expected) in a lot whose other periods are low or high
    low = np.array([60, 40, 40, 40, 100, 100, 100, 100])
    e = np.full(8, 100.0)
    lots = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    args = (e, np.full(8, 0.8), np.ones(8), 0.01)
    sh, rt = level_posterior(low, *args, lots=lots)
    high = low.copy()
    high[1:4] = 100
    high[4:] = 40
    sh2, rt2 = level_posterior(high, *args, lots=lots)
    assert sh[0] / rt[0] < sh2[0] / rt2[0]
    # without lots, nothing pulls group 0 towards its lot's low periods
    a = level_posterior(low, *args)
    assert sh[0] / rt[0] < a[0][0] / a[1][0]


def test_a_late_proof_in_a_longer_reference_window_still_counts() -> None:
    # reference windows of 550 days (a leap day inside), one member proven on day 549;
    # a target member with a 546-day window, 540 days observed: a reoffence is still to come
    z = np.zeros(2, dtype=np.int64)
    ref = Reference(proof=np.array([549, -1]), strata=z, window=np.full(2, 550), group=z)
    tgt = Target(group=z[:1], strata=z[:1], elapsed=np.array([540]), window=np.array([546]),
                 observed=np.array([False]), n_groups=1)  # fmt: skip
    d = project(ref, tgt, n_strata=1, draws=200, seed=0)
    assert 0 < d.final.mean() < 1
