"""``match()``: propensity-score (or Mahalanobis) nearest-neighbour matching.

The options carry MatchIt's names where they mean the same thing
(methodology, "Comparisons …", §1 *Nearest-neighbour matching*; the
researcher guide maps each one):

========================  ==================================  ======================
pbr                       meaning                             MatchIt
========================  ==================================  ======================
``distance``              ``"logit"`` | ``"ps"`` |            ``distance`` (``glm``
                          ``"mahalanobis"`` | a column        with ``link``)
``m_order``               ``"closest"`` | ``"largest"`` |     ``m.order``
                          ``"smallest"`` | ``"random"`` |
                          ``"data"``
``ratio``                 matches per focal person (rounds)   ``ratio``
``replace``               with replacement                    ``replace``
``caliper``               caliper on the distance             ``caliper``
``std_caliper``           caliper in SDs of the distance      ``std.caliper``
``caliper_sd``            ``"pooled"`` | ``"sample"``          (``"sample"``)
``covariate_calipers``    calipers on named covariates        named ``caliper``
``exact``                 exact-matching columns              ``exact``
``estimand``              ``"ATT"`` | ``"ATC"``               ``estimand``
``s_d_denom``             SMD standardisation                 (from ``estimand``)
========================  ==================================  ======================

Weights
    Focal people (treated for the ATT, comparison people for the ATC) weigh
    1; each person of the other group weighs ``Σ 1/k_f`` over the focal
    people ``f`` it is matched to, ``k_f`` their number of matches — MatchIt's
    matching weights before its rescaling of the comparison group (which
    changes no mean or SMD).
Unmatched
    A focal person with no admissible match is listed in
    :attr:`MatchResult.unmatched`, never dropped silently.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"x": [0.0, 0.1, 1.0, 1.1, 5.0], "t": [1, 0, 1, 0, 0]})
>>> m = match(df, treatment="t", covariates=["x"], caliper=None)
>>> m.pairs[["treated", "control"]].to_numpy().tolist()
[[0, 1], [2, 3]]
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from pbr._types import BoolArray, FloatArray, IntArray
from pbr.errors import IgnoredOptionWarning, PbrError
from pbr.matching import _sequential
from pbr.matching.balance import SD_DENOMINATORS
from pbr.matching.design import (
    balance_columns,
    check_columns,
    is_categorical,
    levels_of,
    strata_codes,
    treatment_vector,
)
from pbr.matching.distance import (
    CALIPER_SD,
    caliper_width,
    mahalanobis_transform,
    on_grid,
    score_from_fit,
    tie_grid,
    user_score,
)
from pbr.matching.nearest import M_ORDERS, focal_order, match_stratum
from pbr.matching.propensity import fit_propensity
from pbr.matching.result import MatchResult

__all__ = ["ESTIMANDS", "match"]


#: Accepted estimands.
ESTIMANDS = ("ATT", "ATC")
_RESERVED = ("treated", "logit_propensity", "match_score", "weight", "n_matches", "subclass")


def _check_options(
    data: pd.DataFrame,
    treatment: str,
    covariates: list[str],
    ratio: int,
    caliper: float | None,
    m_order: str | None,
    estimand: str,
    s_d_denom: str | None,
    caliper_sd: str,
) -> None:
    if not isinstance(data, pd.DataFrame):
        raise PbrError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if treatment not in data.columns:
        raise PbrError(f"treatment column {treatment!r} is not in the data")
    if not isinstance(ratio, (int, np.integer)) or isinstance(ratio, bool) or ratio < 1:
        raise PbrError(f"ratio must be a positive integer, got {ratio!r}")
    if caliper is not None and not (np.isfinite(caliper) and caliper > 0):
        raise PbrError(f"caliper must be a positive number or None, got {caliper!r}")
    if not covariates:
        raise PbrError("at least one covariate is required")
    if treatment in covariates:
        raise PbrError(f"the treatment column {treatment!r} cannot also be a covariate")
    if len(set(covariates)) != len(covariates):
        raise PbrError("covariates contain duplicates")
    if m_order is not None and m_order not in M_ORDERS:
        raise PbrError(f"m_order must be one of {M_ORDERS}, got {m_order!r}")
    if estimand not in ESTIMANDS:
        raise PbrError(
            f"estimand must be one of {ESTIMANDS} for nearest-neighbour matching, got "
            f"{estimand!r} (the ATE needs full matching or weighting)"
        )
    if s_d_denom is not None and s_d_denom not in SD_DENOMINATORS:
        raise PbrError(f"s_d_denom must be one of {SD_DENOMINATORS}, got {s_d_denom!r}")
    if caliper_sd not in CALIPER_SD:
        raise PbrError(f"caliper_sd must be one of {CALIPER_SD}, got {caliper_sd!r}")
    if not data.index.is_unique:
        raise PbrError("data index must be unique (it identifies people in the pairs table)")
    clash = sorted(set(_RESERVED) - {treatment} & set(map(str, data.columns)))
    if clash:
        raise PbrError(f"data columns {clash} clash with the columns match() adds; rename them")


def _warn_small_pools(
    strata: IntArray, focal: BoolArray, pool: BoolArray, k: int, replace: bool, stratified: bool
) -> None:
    size = int(strata.max()) + 1 if strata.size else 0
    n_f = np.bincount(strata[focal], minlength=size)
    n_p = np.bincount(strata[pool], minlength=size)
    need = n_f * k if not replace else np.where(n_f > 0, k, 0)
    short = (n_f > 0) & (n_p > 0) & (n_p < need)
    if not short.any():
        return
    where = f" in {int(short.sum())} exact-matching stratum/strata" if stratified else ""
    if replace:
        msg = (
            f"matching 1:{k} with replacement: the pool{where} has fewer than {k} people "
            f"(smallest {int(n_p[short].min())}); some get fewer than {k}"
        )
    else:
        msg = (
            f"matching 1:{k} without replacement needs {int(need[short].sum())} people but "
            f"the pool{where} has {int(n_p[short].sum())}; some will get fewer than {k}"
        )
    warnings.warn(msg, IgnoredOptionWarning, stacklevel=3)


def _admissible(xf: FloatArray, xp: FloatArray, widths: list[float]) -> Callable[[int, int], bool]:
    """``ok(f, p)``: within every covariate caliper (columns of ``xf``/``xp``)."""
    f_cols = [xf[:, j].tolist() for j in range(len(widths))]  # focal: few, as lists
    p_cols = [xp[:, j] for j in range(len(widths))]  # pool: large, left as arrays

    def ok(f: int, p: int) -> bool:
        for a, b, w in zip(f_cols, p_cols, widths, strict=True):
            if abs(a[f] - float(b[p])) > w:
                return False
        return True

    return ok


def match(
    data: pd.DataFrame,
    *,
    treatment: str,
    covariates: Sequence[str],
    distance: str = "logit",
    m_order: str | None = None,
    ratio: int = 1,
    replace: bool = False,
    caliper: float | None = 0.2,
    std_caliper: bool = True,
    caliper_sd: str = "pooled",
    covariate_calipers: Mapping[str, float] | None = None,
    exact: Sequence[str] | None = None,
    estimand: str = "ATT",
    s_d_denom: str | None = None,
    separation: str = "error",
    random_state: int = 0,
    ties: str = "rank",
    k: int | None = None,
) -> MatchResult:
    """Nearest-neighbour matching on a propensity score, a user score or Mahalanobis distance.

    Parameters
    ----------
    data : pandas.DataFrame
        Treated people and the comparison pool, one row each, unique index.
    treatment : str
        Boolean (or 0/1) column; true = treated.
    covariates : sequence of str
        Propensity-model (or Mahalanobis) covariates; text columns one-hot.
    distance : str
        ``"logit"`` (default), ``"ps"``, ``"mahalanobis"`` or a numeric column
        (:mod:`pbr.matching.distance`).
    m_order : str, optional
        ``"closest"`` (default for a one-dimensional distance), ``"largest"``,
        ``"smallest"``, ``"random"`` or ``"data"`` (default for Mahalanobis,
        which allows only ``"data"``/``"random"``) — :mod:`pbr.matching.nearest`.
    ratio : int
        Matches per focal person; without replacement in rounds.
    replace : bool
        Match with replacement.
    caliper : float or None
        Caliper on the distance (default 0.2); None for none. Mahalanobis
        distances take only a raw caliper (``std_caliper=False``).
    std_caliper : bool
        ``caliper`` in SDs of the distance (default) or in its units.
    caliper_sd : {"pooled", "sample"}
        SD of a standardised caliper: pooled within groups (default, Austin
        2011) or over everyone (MatchIt).
    covariate_calipers : mapping, optional
        ``{column: width}``: a pair must also be within ``width`` on each
        numeric column (in SDs of the column when ``std_caliper``).
    exact : sequence of str, optional
        Columns that must agree exactly.
    estimand : {"ATT", "ATC"}
        Focal group: treated (ATT) or comparison people (ATC).
    s_d_denom : {"treated", "control", "pooled"}, optional
        SMD standardisation of the balance table; default ``"treated"`` for
        the ATT and ``"control"`` for the ATC (MatchIt).
    separation : {"error", "drop", "penalise"}
        Remedy for a separated propensity model (:mod:`pbr.matching.propensity`).
    random_state : int
        Seed of the tie-breaking ranks (and of ``m_order="random"``).
    ties : {"rank", "data"}
        Equal distances: ``"rank"`` (default) breaks them by a seeded random
        rank of every person, so results never depend on row order;
        ``"data"`` reproduces MatchIt: ranks are row order and, among equally
        distant pool members on one side, the one adjacent in (score, row)
        order is taken (the sequential kernels run; ``m_order="random"``
        still uses the seed).
    k : int, optional
        Former name of ``ratio``.

    Returns
    -------
    MatchResult

    Raises
    ------
    PbrError
        Bad options, missing values, non-binary treatment, an empty group,
        duplicate index labels.
    ModelError
        Separation (naming the level) with ``separation="error"``; a fit that fails.

    Warns
    -----
    IgnoredOptionWarning
        A pool (per ``exact`` stratum) too small for ``ratio`` matches each; a
        constant ``exact`` column; people left out by ``separation="drop"``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"age": rng.normal(30, 8, 400), "group": rng.choice(["a", "b"], 400)})
    >>> df["t"] = rng.random(400) < 0.25
    >>> m = match(df, treatment="t", covariates=["age", "group"], ratio=2, m_order="largest")
    >>> sorted(set(m.pairs.groupby("treated").size()))
    [1, 2]
    """
    if k is not None:
        if ratio != 1 and ratio != k:
            raise PbrError("pass ratio or its former name k, not both")
        ratio = k
    covariates = list(covariates)
    exact = list(exact) if exact else []
    cov_cal = dict(covariate_calipers or {})
    _check_options(
        data, treatment, covariates, ratio, caliper, m_order, estimand, s_d_denom, caliper_sd
    )
    t = treatment_vector(data, treatment)
    check_columns(data, covariates + exact + list(cov_cal))
    n_t, n_c = int(t.sum()), int((~t).sum())
    if n_t == 0 or n_c == 0:
        raise PbrError(f"need treated and comparison people; got {n_t} treated, {n_c} comparison")
    for col in exact:
        if data[col].nunique() == 1:
            warnings.warn(
                f"exact column {col!r} has a single value; exact matching on it has no effect",
                IgnoredOptionWarning,
                stacklevel=2,
            )
    for col, w in cov_cal.items():
        if is_categorical(data[col]):
            raise PbrError(f"covariate caliper on {col!r}: calipers need a numeric column")
        if not (np.isfinite(w) and w > 0):
            raise PbrError(f"covariate caliper on {col!r} must be a positive number, got {w!r}")
    mahal = distance == "mahalanobis"
    order = m_order or ("data" if mahal else "closest")
    if mahal and order not in ("data", "random"):
        raise PbrError("Mahalanobis matching takes m_order 'data' or 'random' (as MatchIt)")
    if mahal and caliper is not None and std_caliper:
        raise PbrError(
            "a caliper in SDs of a Mahalanobis distance is not defined: pass caliper=None "
            "(use covariate_calipers), or a raw caliper with std_caliper=False"
        )
    denom = s_d_denom or ("treated" if estimand == "ATT" else "control")

    bal = balance_columns(data, covariates)
    cats = levels_of(data, covariates)
    # the model's design: the balance columns without each text covariate's reference level
    x = bal.drop(columns=[f"{c}={lv[0]}" for c, lv in cats.items()])
    kept = np.ones(len(data), dtype=bool)
    lp = np.full(len(data), np.nan)
    coef = pd.Series(dtype=float, name="coefficient")
    if distance in ("logit", "ps"):
        fit = fit_propensity(t, x, separation=separation, categorical=cats, levels=bal)
        lp, coef, kept = fit.linear_predictor, fit.coefficients, ~fit.dropped
        score = score_from_fit(distance, lp)
    elif mahal:
        score = np.full(len(data), np.nan)
    else:
        score = user_score(data, distance)

    width = np.inf
    if not mahal:
        width = caliper_width(score[kept], t[kept], caliper, std=std_caliper, convention=caliper_sd)
    elif caliper is not None:
        width = float(caliper)
    cw = [
        caliper_width(
            data[c].to_numpy(dtype=float)[kept], t[kept], w, std=std_caliper, convention=caliper_sd
        )
        for c, w in cov_cal.items()
    ]
    cal_x = data[list(cov_cal)].to_numpy(dtype=float) if cov_cal else None

    focal_mask = (t if estimand == "ATT" else ~t) & kept
    pool_mask = (~t if estimand == "ATT" else t) & kept
    strata = strata_codes(data, exact)
    _warn_small_pools(strata, focal_mask, pool_mask, ratio, replace, bool(exact))

    if ties not in ("rank", "data"):
        raise PbrError(f"ties must be 'rank' or 'data', got {ties!r}")
    rng = np.random.default_rng(random_state)
    seeded = rng.permutation(len(data)).astype(np.int64)
    rank = seeded if ties == "rank" else np.arange(len(data), dtype=np.int64)
    if mahal:
        z = mahalanobis_transform(x.to_numpy(dtype=float)[kept], t[kept])
        coords = np.full((len(data), z.shape[1]), np.nan)
        coords[kept] = z
        grid = 1e-10
    else:
        grid = tie_grid(score[kept])
        units = on_grid(np.where(kept, score, 0.0), grid)
    f_pos, p_pos = np.flatnonzero(focal_mask), np.flatnonzero(pool_mask)
    st_f, st_p = strata[f_pos], strata[p_pos]
    all_f: list[IntArray] = []
    all_p: list[IntArray] = []
    all_d: list[FloatArray] = []
    for s in np.unique(st_f):  # loop over strata, not people
        fp, pp = f_pos[st_f == s], p_pos[st_p == s]
        if pp.size == 0:
            continue
        ok = None
        if cal_x is not None:
            ok = _admissible(cal_x[fp], cal_x[pp], cw)
        if mahal:
            if width < np.inf:
                ok_d = _mahal_caliper(coords[fp], coords[pp], width, ok)
                ok = ok_d
            fo = focal_order(
                np.zeros(fp.size), seeded[fp] if order == "random" else rank[fp], order
            )
            fi, pi, di = _as_int(
                _sequential.mahalanobis_match(
                    coords[fp], coords[pp], rank[pp], fo, ratio, replace, ok, grid
                )
            )
        else:
            fi, pi, di = match_stratum(
                units[fp],
                units[pp],
                rank[fp],
                rank[pp],
                ratio=ratio,
                replace=replace,
                width=width / grid,
                m_order=order,
                admissible=ok,
                adjacent_ties=ties == "data",
                order_rank=seeded[fp],
            )
            di = di * grid
        all_f.append(fp[fi])
        all_p.append(pp[pi])
        all_d.append(di)
    pf = np.concatenate(all_f) if all_f else np.empty(0, np.int64)
    pp_ = np.concatenate(all_p) if all_p else np.empty(0, np.int64)
    pdist = np.concatenate(all_d) if all_d else np.empty(0)
    return _assemble(
        data,
        t,
        lp,
        score,
        coef,
        rank,
        pf,
        pp_,
        pdist,
        t if estimand == "ATT" else ~t,
        bal,
        width,
        {
            "treatment": treatment,
            "covariates": covariates,
            "distance": distance,
            "m_order": order,
            "ratio": int(ratio),
            "replace": bool(replace),
            "caliper": caliper,
            "std_caliper": bool(std_caliper),
            "caliper_sd": caliper_sd,
            "covariate_calipers": cov_cal,
            "exact": exact,
            "estimand": estimand,
            "s_d_denom": denom,
            "separation": separation,
            "random_state": random_state,
            "ties": ties,
        },
    )


def _as_int(p: _sequential.Pairs) -> tuple[IntArray, IntArray, FloatArray]:
    return (
        np.asarray(p[0], dtype=np.int64),
        np.asarray(p[1], dtype=np.int64),
        np.asarray(p[2], dtype=float),
    )


def _mahal_caliper(
    zf: FloatArray, zp: FloatArray, width: float, ok: Callable[[int, int], bool] | None
) -> Callable[[int, int], bool]:
    def both(f: int, p: int) -> bool:
        if float(np.sqrt(((zf[f] - zp[p]) ** 2).sum())) > width:
            return False
        return ok is None or ok(f, p)

    return both


def _assemble(
    data: pd.DataFrame,
    t: BoolArray,
    lp: FloatArray,
    score: FloatArray,
    coef: pd.Series,
    rank: IntArray,
    pf: IntArray,
    pp: IntArray,
    pdist: FloatArray,
    focal_mask: BoolArray,  # focal group, people left out by separation="drop" included
    bal: pd.DataFrame,
    width: float,
    options: dict[str, object],
) -> MatchResult:
    n = len(data)
    order = np.lexsort((rank[pp], pdist, pf))
    pf, pp, pdist = pf[order], pp[order], pdist[order]
    matched_f = np.unique(pf)
    subclass_of = np.full(n, -1, dtype=np.int64)
    subclass_of[matched_f] = np.arange(1, matched_f.size + 1)
    k_f = np.bincount(pf, minlength=n).astype(float)
    pair_w = 1.0 / k_f[pf] if pf.size else np.empty(0)
    tr, co = (pf, pp) if options["estimand"] == "ATT" else (pp, pf)
    pairs = pd.DataFrame(
        {
            "subclass": subclass_of[pf],
            "treated": data.index[tr],
            "control": data.index[co],
            "treated_score": score[tr],
            "control_score": score[co],
            "distance": pdist,
            "weight": pair_w,
        }
    )
    w = np.zeros(n)
    w[matched_f] = 1.0
    np.add.at(w, pp, pair_w)
    uses = np.bincount(pp, minlength=n)
    n_matches = np.where(focal_mask, k_f, uses).astype(np.int64)
    other_sub = np.full(n, -1, dtype=np.int64)
    other_sub[pp] = subclass_of[pf]
    sub_values = np.where(focal_mask, subclass_of, np.where(uses == 1, other_sub, -1))
    sub = pd.array(sub_values, dtype="Int64")
    sub[sub_values < 0] = pd.NA
    matched = data.copy()
    matched["treated"] = t
    matched["logit_propensity"] = lp
    matched["match_score"] = score
    matched["weight"] = w
    matched["n_matches"] = n_matches
    matched["subclass"] = sub
    rows_order = np.lexsort((np.arange(n), ~t))
    keep = rows_order[(w > 0)[rows_order]]
    cols = bal
    if np.isfinite(score).any():
        # on the tie grid: people with identical scores up to the last bits tie in the eCDF too
        g = tie_grid(score[np.isfinite(score)])
        dist = pd.DataFrame({"distance": on_grid(score, g) * g}, index=data.index)
        cols = pd.concat([dist, bal], axis=1)
    return MatchResult(
        matched=matched.iloc[keep],
        pairs=pairs.reset_index(drop=True),
        unmatched=data.index[focal_mask & (k_f == 0)],
        coefficients=coef,
        caliper_width=float(width),
        options=options,
        n_treated=int(t.sum()),
        n_pool=int((~t).sum()),
        balance_columns=cols,
        treatment=t,
        weights=w,
    )
