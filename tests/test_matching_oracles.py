"""Brute-force plain-Python oracles for every match order, for rounds and for calipers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pbr.matching import match
from pbr.matching.nearest import match_stratum

# ---------------------------------------------------------------------------
# oracles (no shared code with the kernels)
# ---------------------------------------------------------------------------


def oracle_order(ts, trank, m_order):
    idx = list(range(len(ts)))
    if m_order == "largest":
        return sorted(idx, key=lambda i: (-ts[i], trank[i]))
    if m_order == "smallest":
        return sorted(idx, key=lambda i: (ts[i], trank[i]))
    if m_order == "random":
        return sorted(idx, key=lambda i: trank[i])
    return idx  # data


def oracle_sequential(ts, cs, trank, crank, k, width, m_order, ok=None):
    """Rounds; in each, focal people in order take their nearest free admissible control."""
    n = [0] * len(ts)
    used = set()
    out = []
    order = oracle_order(ts, trank, m_order)
    for r in range(k):
        for i in order:
            if n[i] != r:
                continue
            cand = sorted(
                (abs(ts[i] - cs[j]), int(crank[j]), j)
                for j in range(len(cs))
                if j not in used and (ok is None or ok(i, j))
            )
            if cand and cand[0][0] <= width:
                j = cand[0][2]
                used.add(j)
                n[i] += 1
                out.append((i, j))
    return sorted(out)


def oracle_closest_rounds(ts, cs, trank, crank, k, width, ok=None):
    """Rounds; in each, plain best-pair-first greedy with capacity one."""
    n = [0] * len(ts)
    used = set()
    out = []
    for r in range(k):
        edges = sorted(
            (abs(ts[i] - cs[j]), int(crank[j]), int(trank[i]), i, j)
            for i in range(len(ts))
            for j in range(len(cs))
            if n[i] == r
            and j not in used
            and abs(ts[i] - cs[j]) <= width
            and (ok is None or ok(i, j))
        )
        done = set()
        for _, _, _, i, j in edges:
            if i not in done and j not in used:
                done.add(i)
                used.add(j)
                n[i] += 1
                out.append((i, j))
    return sorted(out)


def oracle_with_replacement(ts, cs, crank, k, width, ok=None):
    out = []
    for i in range(len(ts)):
        cand = sorted(
            (abs(ts[i] - cs[j]), int(crank[j]), j) for j in range(len(cs)) if ok is None or ok(i, j)
        )
        out += [(i, j) for d, _, j in cand[:k] if d <= width]
    return sorted(out)


def oracle_adjacent_with_replacement(ts, cs, crank, k, width):
    """MatchIt's ties: walk out from the insertion point in (score, rank) order; at equal
    distance the lower rank of the two heads."""
    order = sorted(range(len(cs)), key=lambda j: (cs[j], crank[j]))
    out = []
    for i, x in enumerate(ts):
        left = [j for j in order if cs[j] < x][::-1]
        right = [j for j in order if cs[j] >= x]
        for _ in range(k):
            heads = [
                (abs(x - cs[side[0]]), int(crank[side[0]]), s)
                for s, side in ((0, left), (1, right))
                if side
            ]
            if not heads:
                break
            d, _, s = min(heads)
            if d > width:
                break
            out.append((i, (left if s == 0 else right).pop(0)))
    return sorted(out)


def pairs_of(res):
    fi, pi, _ = res
    return sorted(zip(fi.tolist(), pi.tolist(), strict=True))


ints = st.lists(st.integers(0, 12), min_size=1, max_size=18)
cases = given(
    ts=ints,
    cs=ints,
    k=st.integers(1, 3),
    width=st.sampled_from([np.inf, 0.0, 1.0, 3.0]),
    seed=st.integers(0, 10_000),
)


def arrays(ts, cs, seed):
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(ts) + len(cs)).astype(np.int64)
    return np.array(ts, float), np.array(cs, float), perm[: len(ts)], perm[len(ts) :]


@pytest.mark.parametrize("m_order", ["largest", "smallest", "random", "data"])
@settings(max_examples=60, deadline=None)
@cases
def test_sequential_orders_match_oracle(m_order, ts, cs, k, width, seed):
    t, c, tr, cr = arrays(ts, cs, seed)
    got = match_stratum(t, c, tr, cr, ratio=k, replace=False, width=width, m_order=m_order)
    assert pairs_of(got) == oracle_sequential(t, c, tr, cr, k, width, m_order)


@settings(max_examples=120, deadline=None)
@cases
def test_closest_in_rounds_matches_oracle(ts, cs, k, width, seed):
    t, c, tr, cr = arrays(ts, cs, seed)
    got = match_stratum(t, c, tr, cr, ratio=k, replace=False, width=width, m_order="closest")
    assert pairs_of(got) == oracle_closest_rounds(t, c, tr, cr, k, width)
    n = np.bincount(got[0], minlength=len(ts))
    # rounds: nobody has a second match while someone matchable has none
    assert len(set(got[1].tolist())) == len(got[1])
    assert n.max(initial=0) <= k


@settings(max_examples=80, deadline=None)
@cases
def test_covariate_calipers_match_oracles(ts, cs, k, width, seed):
    t, c, tr, cr = arrays(ts, cs, seed)
    rng = np.random.default_rng(seed + 1)
    xt, xc = rng.integers(0, 4, len(ts)), rng.integers(0, 4, len(cs))

    def ok(i, j):
        return abs(int(xt[i]) - int(xc[j])) <= 1

    for m_order in ("closest", "largest", "random"):
        got = match_stratum(
            t, c, tr, cr, ratio=k, replace=False, width=width, m_order=m_order, admissible=ok
        )
        want = (
            oracle_closest_rounds(t, c, tr, cr, k, width, ok)
            if m_order == "closest"
            else oracle_sequential(t, c, tr, cr, k, width, m_order, ok)
        )
        assert pairs_of(got) == want, m_order
    got = match_stratum(
        t, c, tr, cr, ratio=k, replace=True, width=width, m_order="closest", admissible=ok
    )
    assert pairs_of(got) == oracle_with_replacement(t, c, cr, k, width, ok)


@settings(max_examples=120, deadline=None)
@cases
def test_adjacent_ties_with_replacement_match_oracle(ts, cs, k, width, seed):
    t, c, tr, cr = arrays(ts, cs, seed)
    got = match_stratum(
        t, c, tr, cr, ratio=k, replace=True, width=width, m_order="closest", adjacent_ties=True
    )
    assert pairs_of(got) == oracle_adjacent_with_replacement(t, c, cr, k, width)


def test_rounds_give_everyone_a_first_match_before_a_second():
    # 3 treated, 4 controls, 1:2. A global greedy would give the two close treated both
    # their matches first and leave the far one without; rounds match everyone once.
    ts = np.array([0.0, 1.0, 10.0])
    cs = np.array([0.0, 1.0, 2.0, 3.0])
    fi, _pairs, _ = match_stratum(
        ts,
        cs,
        np.arange(3),
        np.arange(3, 7),
        ratio=2,
        replace=False,
        width=np.inf,
        m_order="closest",
    )
    n = np.bincount(fi, minlength=3)
    assert n.tolist() == [1, 2, 1] or n.tolist() == [2, 1, 1]
    assert n[2] == 1  # the far treated person got the leftover control in round 1


# ---------------------------------------------------------------------------
# through match(): ATC, covariate calipers, exact, tie grid, Mahalanobis
# ---------------------------------------------------------------------------


def data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "u": rng.normal(size=n),
            "g": rng.integers(0, 2, n),
            "age": rng.integers(18, 60, n).astype(float),
        }
    )
    df["t"] = rng.random(n) < 1 / (1 + np.exp(-(-1 + df["u"] + 0.5 * df["g"])))
    return df


def test_atc_swaps_the_roles():
    df = data()
    m = match(df, treatment="t", covariates=["u", "g"], estimand="ATC", caliper=None, replace=True)
    md = m.matched
    # every comparison person is focal: weight 1, one row per (control, treated) pair
    assert (md.loc[~md["treated"], "weight"] == 1).all()
    assert len(md[~md["treated"]]) == int((~df["t"]).sum())
    assert md.loc[md["treated"], "weight"].sum() == pytest.approx((~df["t"]).sum())
    assert m.options["s_d_denom"] == "control"


def test_covariate_caliper_respected_through_match():
    df = data(seed=1)
    m = match(
        df,
        treatment="t",
        covariates=["u", "g"],
        covariate_calipers={"age": 2.0},
        std_caliper=False,
        caliper=None,
    )
    gap = np.abs(
        df.loc[m.pairs["treated"], "age"].to_numpy() - df.loc[m.pairs["control"], "age"].to_numpy()
    )
    assert gap.max() <= 2.0
    free = match(df, treatment="t", covariates=["u", "g"], caliper=None)
    free_gap = np.abs(
        df.loc[free.pairs["treated"], "age"].to_numpy()
        - df.loc[free.pairs["control"], "age"].to_numpy()
    )
    assert free_gap.max() > 2.0  # the caliper did something


def test_tie_grid_makes_last_bit_differences_irrelevant():
    # identical covariate rows whose user score differs in the last bits must tie exactly,
    # so the seeded rank decides, identically for the perturbed and the clean scores
    rng = np.random.default_rng(3)
    n = 300
    base = np.round(rng.normal(size=n), 3)
    df = pd.DataFrame({"s": base, "x": base, "t": rng.random(n) < 0.3})
    noisy = df.assign(s=base + rng.choice([-3e-14, 0.0, 3e-14], n))
    a = match(df, treatment="t", covariates=["x"], distance="s", caliper=None)
    b = match(noisy, treatment="t", covariates=["x"], distance="s", caliper=None)
    pd.testing.assert_frame_equal(a.pairs[["treated", "control"]], b.pairs[["treated", "control"]])


def test_mahalanobis_matches_brute_force():
    df = data(120, seed=4)
    m = match(df, treatment="t", covariates=["u", "age"], distance="mahalanobis", caliper=None)
    x = df[["u", "age"]].to_numpy()
    t = df["t"].to_numpy()
    st_ = np.cov(x[t], rowvar=False) * (t.sum() - 1)
    sc = np.cov(x[~t], rowvar=False) * ((~t).sum() - 1)
    s_inv = np.linalg.inv((st_ + sc) / (len(x) - 2))
    used = set()
    want = []
    ci = np.flatnonzero(~t)
    for i in np.flatnonzero(t):  # m_order "data": row order
        d = [
            (float(np.sqrt((x[i] - x[j]) @ s_inv @ (x[i] - x[j]))), j) for j in ci if j not in used
        ]
        j = min(d)[1]
        used.add(j)
        want.append((df.index[i], df.index[j]))
    got = list(zip(m.pairs["treated"], m.pairs["control"], strict=True))
    assert sorted(got) == sorted(want)


@pytest.mark.parametrize("replace", [False, True])
def test_mahalanobis_1_2_matches_brute_force(replace):
    # small pool: later treated find their first neighbours taken and ask the tree again
    df = data(90, seed=7)
    m = match(
        df,
        treatment="t",
        covariates=["u", "age"],
        distance="mahalanobis",
        caliper=None,
        ratio=2,
        replace=replace,
    )
    x = df[["u", "age"]].to_numpy()
    t = df["t"].to_numpy()
    pooled = (
        np.cov(x[t], rowvar=False) * (t.sum() - 1) + np.cov(x[~t], rowvar=False) * ((~t).sum() - 1)
    ) / (len(x) - 2)
    s_inv = np.linalg.inv(pooled)
    ti, ci = np.flatnonzero(t), np.flatnonzero(~t)

    def dist(i, j):
        return float(np.sqrt((x[i] - x[j]) @ s_inv @ (x[i] - x[j])))

    want = []
    if replace:
        for i in ti:
            want += [(i, j) for _, j in sorted((dist(i, j), j) for j in ci)[:2]]
    else:
        used: set[int] = set()
        for _ in range(2):  # rounds, row order
            for i in ti:
                cand = sorted((dist(i, j), j) for j in ci if j not in used)
                if cand:
                    used.add(cand[0][1])
                    want.append((i, cand[0][1]))
    got = sorted(
        zip(
            df.index.get_indexer(m.pairs["treated"]),
            df.index.get_indexer(m.pairs["control"]),
            strict=True,
        )
    )
    assert got == sorted(want)
