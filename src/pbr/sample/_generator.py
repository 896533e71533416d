"""The synthetic data generator behind :func:`generate`.

One seeded :class:`numpy.random.Generator` draws, in a fixed order, the cohort
rows, the offenders' histories and their proven (and non-counting) offences,
so that a seed gives byte-identical tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pbr._types import BoolArray, FloatArray, IntArray
from pbr.dates import age_in_years
from pbr.errors import PbrError
from pbr.lots import default_registry
from pbr.risk.ogrs3 import ogrs3_probability
from pbr.sample._data import SampleData
from pbr.sample._parameters import (
    _CAUTION,
    _CHECK_LETTERS,
    _CONVICTION,
    _DISPOSALS,
    _EVENT_MIX,
    _EVENT_TYPES,
    _EXCLUSIONS,
    _GROUP_MIX,
    _NPS_PROB,
    _OTHER,
    _PERIODS,
    _PND,
    DEFAULT_SEED,
    LOT_PARAMETERS,
    OUTCOME_SLOPE,
    SAMPLE_EXTRACT_DATE,
    _addm,
    _allocate,
    _days,
    _logistic,
    _logit,
    _period_days,
    _solve_shift,
    _strings,
)
from pbr.schema import OFFENCE_GROUPS


def _select_lots(lots: Sequence[str] | None) -> list[str]:
    reg = default_registry()
    if lots is None:
        return reg.codes
    if isinstance(lots, str):
        lots = [lots]
    codes = sorted({reg.code_of(str(k)) for k in lots})
    if not codes:
        raise PbrError("lots must name at least one lot")
    return codes


def generate(
    seed: int = DEFAULT_SEED, scale: float = 1.0, *, lots: Sequence[str] | None = None
) -> SampleData:
    """Generate a seeded synthetic sample of cohorts and offence histories.

    Parameters
    ----------
    seed : int, default 20151001
        Seed of :func:`numpy.random.default_rng`. The same seed, scale and
        lots always give identical frames (and byte-identical files).
    scale : float, default 1.0
        Size multiplier: 1.0 gives about 40 000 cohort rows in 2011 and
        10 000 in each quarter 2015Q4 … 2017Q1 (plus ~3 % second events).
    lots : sequence of str, optional
        Lot codes or names to generate (default: all 21). Each lot keeps the
        size it has in the full sample; the random draws differ from the full
        sample's.

    Returns
    -------
    SampleData

    Notes
    -----
    Proportions (of cohort rows): juveniles (15–17) ~3 %, cautions ~5 %,
    ``other`` events ~8 %, NPS ~20 %, EM-only ~2 %, second events of the same
    offender in the same quarter ~3 %, offenders in two performance quarters
    and two 2011 quarters a few %, exclusion reasons (deceased, deported,
    no PNC match) ~2 %. Offences that must not count are included on
    purpose: history before the index date, the index offence itself (a
    caution on the index day for caution events), PNDs, ``other`` disposals,
    breaches, offences after the 12-month window and offences proven after
    the 18-month cut. See the "Synthetic sample data" section of ``docs/methodology.md``.

    Examples
    --------
    >>> a = generate(seed=7, scale=0.02)
    >>> b = generate(seed=7, scale=0.02)
    >>> a.cohort.equals(b.cohort) and a.offences.equals(b.offences)
    True
    """
    if not np.isfinite(scale) or scale <= 0:
        raise PbrError(f"scale must be a positive number, got {scale!r}")
    seed = int(seed)
    if seed < 0:
        raise PbrError(f"seed must be a non-negative integer, got {seed}")
    codes = _select_lots(lots)
    return _Generator(np.random.default_rng(seed), seed, float(scale), codes).run()


class _Generator:
    """The generation pipeline; all steps are vectorised over rows."""

    def __init__(self, rng: np.random.Generator, seed: int, scale: float, codes: list[str]):
        self.rng = rng
        self.seed = seed
        self.scale = scale
        self.codes = codes
        self.extract = _days(SAMPLE_EXTRACT_DATE.isoformat())

    # ------------------------------------------------------------------ cohort
    def _primary_rows(self) -> pd.DataFrame:
        rng = self.rng
        all_codes = list(LOT_PARAMETERS)
        shares = np.array([LOT_PARAMETERS[c][0] for c in all_codes])
        keep = np.array([all_codes.index(c) for c in self.codes])
        period_idx, lot_idx, dates = [], [], []
        for k, (label, n) in enumerate(_PERIODS):
            sizes = _allocate(max(1, round(n * self.scale)), shares)[keep]
            lot_rows = np.repeat(np.arange(len(keep)), sizes)
            s, e = _period_days(label)
            period_idx.append(np.full(len(lot_rows), k))
            lot_idx.append(lot_rows)
            dates.append(rng.integers(s, e + 1, len(lot_rows)))
        n_rows = sum(len(x) for x in lot_idx)
        if n_rows == 0:
            raise PbrError("scale is too small: no cohort rows would be generated")
        ev = pd.DataFrame(
            {
                "period": np.concatenate(period_idx),
                "lot": np.concatenate(lot_idx),
                "d": np.concatenate(dates),
            }
        )
        n = len(ev)
        perf = ev["period"].to_numpy() > 0
        juvenile = rng.random(n) < 0.03
        adult_age = 18 + np.floor(rng.gamma(2.0, np.where(perf, 7.5, 7.0)))
        age = np.where(juvenile, rng.integers(15, 18, n), np.minimum(adult_age, 85))
        d = ev["d"].to_numpy()
        ev["dob"] = d - np.floor(age * 365.25 + rng.random(n) * 364).astype(np.int64)
        ev["female"] = rng.random(n) < np.where(juvenile, 0.15, 0.13)
        ev["group"] = rng.choice(len(OFFENCE_GROUPS), n, p=_GROUP_MIX)
        ev["etype"] = rng.choice(len(_EVENT_TYPES), n, p=_EVENT_MIX)
        ev["nps"] = rng.random(n) < _NPS_PROB[ev["group"].to_numpy()]
        community = np.isin(ev["etype"].to_numpy(), [1, 2])
        ev["em_only"] = community & (rng.random(n) < 0.033)
        ev["person"] = np.arange(n)
        ev["origin"] = (
            0  # 0 = person's first event, 1 = repeat in a later quarter, 2 = same quarter
        )
        ev["src"] = -1  # row this event was derived from
        return ev

    def _link_repeats(self, ev: pd.DataFrame) -> pd.DataFrame:
        """Make some later-quarter events belong to offenders already seen earlier."""
        rng = self.rng
        period = ev["period"].to_numpy()
        d = ev["d"].to_numpy()
        # 2016Q4/2017Q1 events of offenders seen in 2015Q4/2016Q1, at least 13 months
        # later, so that neither event's offences fall in the other's window
        b = np.flatnonzero(np.isin(period, [5, 6]) & (rng.random(len(ev)) < 0.15))
        a = rng.permutation(np.flatnonzero(np.isin(period, [1, 2])))[: len(b)]
        b = b[: len(a)]
        ok = d[b] >= _addm(d[a], 13)
        b, a = b[ok], a[ok]
        for col in ("person", "dob", "female", "lot", "nps"):
            ev.loc[b, col] = ev[col].to_numpy()[a]
        # a later order for the same person: the new event is a court order (no long sentence)
        et = ev["etype"].to_numpy().copy()
        et[b] = np.where(rng.random(len(b)) < 0.6, 1, 2)
        ev["etype"] = et
        ev.loc[b, "em_only"] = False
        ev.loc[b, "origin"] = 1
        ev.loc[b, "src"] = a
        return ev

    def _second_events(self, ev: pd.DataFrame) -> pd.DataFrame:
        """Add a later event of the same offender in the same quarter (~3 %)."""
        rng = self.rng
        d = ev["d"].to_numpy()
        adult = ((d - ev["dob"].to_numpy()) / 365.25) >= 18.01
        eligible = (
            adult
            & ~ev["nps"].to_numpy()
            & np.isin(ev["etype"].to_numpy(), [0, 1, 2])
            & ~ev["em_only"].to_numpy()
        )
        month = d.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        qstart_month = month - month % 3
        qend = (qstart_month + 3).astype("datetime64[M]").astype("datetime64[D]").astype(
            np.int64
        ) - 1
        pick = np.flatnonzero(eligible & (d < qend) & (rng.random(len(ev)) < 0.045))
        new = ev.iloc[pick].copy()
        new["d"] = d[pick] + rng.integers(1, np.maximum(qend[pick] - d[pick], 1) + 1)
        new["etype"] = rng.choice(5, len(pick), p=[0.05, 0.55, 0.30, 0.02, 0.08])
        new["group"] = rng.choice(len(OFFENCE_GROUPS), len(pick), p=_GROUP_MIX)
        new["em_only"] = False
        new["origin"] = 2
        new["src"] = pick
        return pd.concat([ev, new], ignore_index=True)

    def _history_attributes(self, ev: pd.DataFrame) -> pd.DataFrame:
        """Index offence, first sanction date and sanction count of every event."""
        rng = self.rng
        n = len(ev)
        d = ev["d"].to_numpy()
        dob = ev["dob"].to_numpy()
        etype = ev["etype"].to_numpy()
        perf = ev["period"].to_numpy() > 0
        origin = ev["origin"].to_numpy()
        src = ev["src"].to_numpy()
        age10 = _addm(dob, 120)
        served = 20 + np.floor(rng.gamma(1.5, 80.0, n)).astype(np.int64)
        idx_disp = np.where(etype == 0, d - served, d)
        idx_disp = np.maximum(idx_disp, age10 + 1)
        lag = 7 + np.floor(rng.gamma(1.5, 40.0, n)).astype(np.int64)
        idx_off = np.where(etype == 3, d, idx_disp - lag)
        # repeats: offence shortly before the new order (after the earlier window)
        idx_off = np.where(origin == 1, idx_disp - rng.integers(1, 29, n), idx_off)
        idx_off = np.maximum(idx_off, age10)
        # second events in a quarter: offence committed before the first event
        first_d = np.where(origin == 2, d[np.maximum(src, 0)], d)
        idx_off = np.where(origin == 2, first_d - rng.integers(0, 61, n), idx_off)
        idx_off = np.minimum(idx_off, idx_disp)

        juvenile = (d - dob) / 365.25 < 18
        first_timer = rng.random(n) < np.where(juvenile, 0.35, 0.15)
        age_first_years = 10 + rng.gamma(1.6, 3.5, n)
        first_date = dob + np.floor(age_first_years * 365.25).astype(np.int64)
        first_date = np.clip(first_date, age10, idx_disp - 1)
        years = (idx_disp - first_date) / 365.25
        lam = rng.gamma(1.5, np.where(perf, 0.40, 0.36) / 1.5)
        sanctions = 2 + rng.poisson(lam * years)
        sanctions = np.minimum(sanctions, 150)
        sanctions = np.where(first_timer, 1, sanctions)
        first_date = np.where(first_timer, idx_disp, first_date)
        # derived events inherit the person's record (origin 1 from 0; origin 2 from 0 or 1)
        for o in (1, 2):
            m = np.flatnonzero(origin == o)
            s = src[m]
            first_date[m] = first_date[s]
            sanctions[m] = sanctions[s] + 1 + rng.poisson(1.5 if o == 1 else 0.3, len(m))
        ev["idx_disp"] = idx_disp
        ev["idx_off"] = idx_off
        ev["first_date"] = np.minimum(first_date, d)
        ev["sanctions"] = np.minimum(sanctions, 200)
        return ev

    def _exclusions(self, ev: pd.DataFrame) -> pd.DataFrame:
        rng = self.rng
        single = ev.groupby("person")["person"].transform("size").to_numpy() == 1
        u = rng.random(len(ev))
        reason = np.full(len(ev), -1)
        reason[single & (u < 0.006)] = 0
        reason[single & (u >= 0.006) & (u < 0.012)] = 1
        reason[single & (u >= 0.012) & (u < 0.020)] = 2
        ev["excl"] = reason
        return ev

    # --------------------------------------------------------------- outcomes
    def _draw(self, ev: pd.DataFrame, lin: FloatArray) -> BoolArray:
        """Draw reoffending: logistic(a_lot + B·logit(OGRS3) + effect_lot·[performance])."""
        lot = ev["lot"].to_numpy()
        perf = ev["period"].to_numpy() > 0
        z = lin + self.intercept[lot] + np.where(perf, self.effect[lot], 0.0)
        out: BoolArray = self.rng.random(len(ev)) < _logistic(z)
        return out

    def _risk(self, ev: pd.DataFrame) -> tuple[FloatArray, IntArray]:
        """``B·logit(OGRS3 p_1yr)`` and the age at the index date of every event."""
        d = ev["d"].to_numpy()
        dob = ev["dob"].to_numpy()
        dob_days = dob.astype("datetime64[D]")
        age = age_in_years(dob_days, d.astype("datetime64[D]"))
        age_first = age_in_years(dob_days, ev["first_date"].to_numpy().astype("datetime64[D]"))
        sex = np.where(ev["female"].to_numpy(), "F", "M")
        group = np.array(OFFENCE_GROUPS, dtype=object)[ev["group"].to_numpy()]
        p1, _ = ogrs3_probability(sex, age, group, ev["sanctions"].to_numpy(), age_first)
        lin: FloatArray = OUTCOME_SLOPE * _logit(np.clip(p1, 1e-6, 1 - 1e-6))
        return lin, age

    def _outcomes(self, ev: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        lin, age = self._risk(ev)
        lot = ev["lot"].to_numpy()
        perf = ev["period"].to_numpy() > 0
        measurable = (
            (age >= 18)
            & ~ev["nps"].to_numpy()
            & np.isin(ev["etype"].to_numpy(), [0, 1, 2])
            & ~ev["em_only"].to_numpy()
            & (ev["excl"].to_numpy() < 0)
            & (ev["origin"].to_numpy() != 2)
        )
        n_lots = len(self.codes)
        params = np.array([LOT_PARAMETERS[c] for c in self.codes])
        target, freq, eff_pp = params[:, 1], params[:, 2], params[:, 3]
        zero = np.zeros(n_lots)
        base = measurable & ~perf
        intercept = _solve_shift(lin[base], lot[base], n_lots, target, zero)
        # effect: shift so that the expected performance rate moves by eff_pp points
        pm = measurable & perf
        counts = np.maximum(np.bincount(lot[pm], minlength=n_lots), 1)
        no_eff = np.bincount(lot[pm], _logistic(lin[pm] + intercept[lot[pm]]), n_lots) / counts
        effect = _solve_shift(lin[pm], lot[pm], n_lots, no_eff + eff_pp / 100.0, intercept)
        self.intercept, self.effect, self.freq = intercept, effect, freq
        ev["reoffends"] = self._draw(ev, lin)
        ev["measurable"] = measurable
        reg = default_registry()
        truth = pd.DataFrame(
            {
                "lot": pd.array(self.codes, dtype="string"),
                "name": pd.array([reg.name_of(c) for c in self.codes], dtype="string"),
                "baseline_target": target,
                "effect_log_odds": effect,
                "effect_pp": eff_pp,
            }
        )
        ev["freq"] = freq[lot]
        return ev, truth

    # --------------------------------------------------------------- offences
    def _pick_parents(self, ev: pd.DataFrame) -> BoolArray:
        """Measurable single-event reoffenders whose last reoffence starts a new order."""
        single = ev.groupby("person")["person"].transform("size").to_numpy() == 1
        out: BoolArray = (
            ev["measurable"].to_numpy(dtype=bool)
            & ev["reoffends"].to_numpy(dtype=bool)
            & single
            & (self.rng.random(len(ev)) < 0.10)
        )
        return out

    def _children(
        self, ev: pd.DataFrame, src: IntArray, date: IntArray, off: IntArray, group: IntArray
    ) -> pd.DataFrame:
        """New court orders that start on the disposal date of a parent's last reoffence.

        The child's index offence is that reoffence (already in the offence table), so the
        parent's reoffending is not changed; the parent's reoffences all precede the child's
        index date, so none of them counts for the child. Children outside the sample's
        periods are dropped.
        """
        rng = self.rng
        period = np.full(len(date), -1)
        for k, (label, _n) in enumerate(_PERIODS):
            s, e = _period_days(label)
            period[(date >= s) & (date <= e)] = k
        keep = period >= 0
        src, date, off, group, period = src[keep], date[keep], off[keep], group[keep], period[keep]
        n = len(src)
        new = ev.iloc[src].copy()
        new["period"] = period
        new["d"] = date
        new["etype"] = np.where(rng.random(n) < 0.6, 1, 2)
        new["em_only"] = False
        new["group"] = group
        new["origin"] = 3
        new["src"] = src
        new["idx_disp"] = date
        new["idx_off"] = off
        sanctions = ev["sanctions"].to_numpy()[src] + 1 + rng.poisson(0.5, n)
        new["sanctions"] = np.minimum(sanctions, 200)
        new["excl"] = -1
        new["parent"] = False
        new["measurable"] = False
        lin, _ = self._risk(new)
        new["reoffends"] = self._draw(new, lin)
        new["freq"] = self.freq[new["lot"].to_numpy()]
        return pd.concat([ev, new], ignore_index=True)

    def _reoffences(
        self, ev: pd.DataFrame, r: IntArray
    ) -> tuple[dict[str, Any], IntArray, IntArray, IntArray, IntArray]:
        """Proven reoffences of the events ``r``; and the last one of each parent event."""
        rng = self.rng
        d_all = ev["d"].to_numpy()
        cut_all = _addm(d_all, 18)
        parent = ev["parent"].to_numpy(dtype=bool)
        mu = np.maximum((ev["freq"].to_numpy()[r] / 1.04 - 1.0) / 0.95, 0.05)
        shape = 1.5
        k = 1 + rng.negative_binomial(shape, shape / (shape + mu))
        row = np.repeat(r, k)
        d, end, cut = d_all[row], _addm(d_all[row], 12), cut_all[row]
        width = end - d
        off = d + 1 + np.floor(width * rng.random(len(row)) ** 1.4).astype(np.int64)
        off = np.minimum(off, end)
        order = np.lexsort((off, row))
        row, d, end, cut, off = row[order], d[order], end[order], cut[order], off[order]
        first = np.r_[True, row[1:] != row[:-1]]
        late = ~first & (rng.random(len(row)) < 0.05) & ~parent[row]
        lag = 1 + np.floor(rng.gamma(1.3, 45.0, len(row))).astype(np.int64)
        disp = np.where(late, cut + 1 + np.floor(rng.gamma(1.5, 60.0, len(row))), off + lag)
        disp = np.where(late, disp, np.minimum(disp, cut)).astype(np.int64)
        dtype = np.where(rng.random(len(row)) < 0.12, _CAUTION, _CONVICTION)
        # a parent's reoffences are convictions: the last one starts the follow-on order
        dtype = np.where(parent[row], _CONVICTION, dtype)
        conv = (dtype == _CONVICTION) & ~late
        share = conv & np.r_[False, conv[:-1]] & ~first & (rng.random(len(row)) < 0.3)
        cluster = np.cumsum(~share) - 1
        starts_idx = np.flatnonzero(~share)
        cluster_disp = np.maximum.reduceat(disp, starts_idx)
        disp = cluster_disp[cluster]
        dup = rng.random(len(row)) < 0.04
        rep = 1 + dup.astype(np.int64)
        groups = rng.choice(len(OFFENCE_GROUPS), len(row), p=_GROUP_MIX)
        piece = self._piece(
            ev,
            np.repeat(row, rep),
            np.repeat(off, rep),
            np.repeat(disp, rep),
            np.repeat(dtype, rep),
            False,
            np.repeat(groups, rep),
            app=np.repeat(np.where(dtype == _CONVICTION, cluster, -1), rep),
        )
        # the last-proven reoffence of each parent event
        idx = np.flatnonzero(parent[row])
        idx = idx[np.lexsort((disp[idx], row[idx]))]
        last = idx[np.r_[row[idx][1:] != row[idx][:-1], True]] if len(idx) else idx
        return piece, row[last], disp[last], off[last], groups[last]

    def _noncounting(self, ev: pd.DataFrame) -> list[dict[str, Any]]:
        """Follow-up rows that must not count (PNDs, other, breaches, after the window...)."""
        rng = self.rng
        pieces: list[dict[str, Any]] = []
        active = (ev["origin"].to_numpy() != 2) & (ev["excl"].to_numpy() < 0)
        d_all = ev["d"].to_numpy()
        end_all = _addm(d_all, 12)
        cut_all = _addm(d_all, 18)
        n = len(ev)

        def in_window(rows: IntArray) -> IntArray:
            w = end_all[rows] - d_all[rows]
            out: IntArray = d_all[rows] + 1 + np.floor(w * rng.random(len(rows))).astype(np.int64)
            return np.minimum(out, end_all[rows])

        etype = ev["etype"].to_numpy()
        # penalty notices for disorder and 'other' disposals inside the window
        for dtyp, share_ in ((_PND, 0.06), (_OTHER, 0.03)):
            rows = np.flatnonzero(active & (rng.random(n) < share_))
            o = in_window(rows)
            pieces.append(
                self._piece(ev, rows, o, o + rng.integers(0, 31, len(rows)), dtyp, False, None)
            )
        # breaches of the order or licence (convictions, but not new offences)
        rows = np.flatnonzero(active & np.isin(etype, [0, 1, 2]) & (rng.random(n) < 0.10))
        o = in_window(rows)
        pieces.append(
            self._piece(
                ev, rows, o, o + 1 + rng.integers(0, 60, len(rows)), _CONVICTION, True, None
            )
        )
        # offences committed after the 12-month window (within the next month)
        # (not for parents: it would fall in the child's window)
        rows = np.flatnonzero(active & ~ev["parent"].to_numpy(dtype=bool) & (rng.random(n) < 0.08))
        o = (
            end_all[rows]
            + 1
            + np.floor((_addm(d_all[rows], 13) - end_all[rows] - 1) * rng.random(len(rows))).astype(
                np.int64
            )
        )
        pieces.append(
            self._piece(
                ev, rows, o, o + 1 + rng.integers(0, 120, len(rows)), _CONVICTION, False, None
            )
        )
        # non-reoffenders whose in-window offence was proven only after the 18-month cut
        rows = np.flatnonzero(active & ~ev["reoffends"].to_numpy() & (rng.random(n) < 0.02))
        o = in_window(rows)
        pieces.append(
            self._piece(
                ev,
                rows,
                o,
                cut_all[rows] + 1 + rng.integers(0, 120, len(rows)),
                _CONVICTION,
                False,
                None,
            )
        )
        # a caution on the index day itself for some court-order/release events
        rows = np.flatnonzero(active & np.isin(etype, [0, 1, 2]) & (rng.random(n) < 0.015))
        pieces.append(self._piece(ev, rows, d_all[rows], d_all[rows], _CAUTION, False, None))
        return pieces

    def _history(self, ev: pd.DataFrame) -> list[dict[str, Any]]:
        rng = self.rng
        pieces: list[dict[str, Any]] = []
        has_pnc = ev["excl"].to_numpy() != 2
        etype = ev["etype"].to_numpy()
        # the index offence itself (the current sanction); a child's is its parent's reoffence
        rows = np.flatnonzero(has_pnc & (ev["origin"].to_numpy() != 3))
        idx_type = np.where(etype[rows] == 3, _CAUTION, _CONVICTION)
        pieces.append(
            self._piece(
                ev,
                rows,
                ev["idx_off"].to_numpy()[rows],
                ev["idx_disp"].to_numpy()[rows],
                idx_type,
                False,
                ev["group"].to_numpy()[rows],
                app=np.where(idx_type == _CONVICTION, np.arange(len(rows)), -1),
            )
        )
        # earlier sanction occasions: sanctions - 1 of them, before the person's first event
        first_ev = has_pnc & (ev["origin"].to_numpy() == 0)
        rows = np.flatnonzero(first_ev)
        n_occ = ev["sanctions"].to_numpy()[rows] - 1
        row = np.repeat(rows, n_occ)
        first_date = ev["first_date"].to_numpy()[row]
        idx_disp = ev["idx_disp"].to_numpy()[row]
        span = np.maximum(idx_disp - first_date - 1, 0)
        disp = first_date + 1 + np.floor(span * rng.random(len(row))).astype(np.int64)
        disp = np.minimum(disp, idx_disp)
        occ_first = np.r_[True, row[1:] != row[:-1]] if len(row) else np.zeros(0, bool)
        disp = np.where(occ_first, first_date, disp)
        age10 = _addm(ev["dob"].to_numpy()[row], 120)
        off = np.maximum(disp - np.floor(rng.gamma(1.2, 30.0, len(row))).astype(np.int64), age10)
        off = np.minimum(off, disp)
        dtype = np.where(rng.random(len(row)) < 0.22, _CAUTION, _CONVICTION)
        extra = (dtype == _CONVICTION) & (rng.random(len(row)) < 0.12)
        rep = 1 + extra.astype(np.int64)
        off2 = np.repeat(off, rep)
        second = np.zeros(len(off2), bool)
        second[np.cumsum(rep)[extra] - 1] = True
        off2 = np.where(
            second, np.maximum(off2 - rng.integers(0, 30, len(off2)), np.repeat(age10, rep)), off2
        )
        app = np.where(dtype == _CONVICTION, np.arange(len(row)), -1)
        pieces.append(
            self._piece(
                ev,
                np.repeat(row, rep),
                off2,
                np.repeat(disp, rep),
                np.repeat(dtype, rep),
                False,
                None,
                app=np.repeat(app, rep),
            )
        )
        # historical penalty notices and breaches (not sanctions in OGRS3 terms)
        n_r = len(rows)
        for dtyp, breach, share_ in ((_PND, False, 0.15), (_CONVICTION, True, 0.10)):
            sel = rows[rng.random(n_r) < share_]
            lo = np.maximum(ev["first_date"].to_numpy()[sel], _addm(ev["dob"].to_numpy()[sel], 120))
            hi = ev["idx_disp"].to_numpy()[sel]
            o = lo + np.floor(np.maximum(hi - lo - 1, 0) * rng.random(len(sel))).astype(np.int64)
            pieces.append(self._piece(ev, sel, o, np.minimum(o + 14, hi), dtyp, breach, None))
        return pieces

    def _piece(
        self,
        ev: pd.DataFrame,
        rows: IntArray,
        off: Any,
        disp: Any,
        dtype: Any,
        breach: bool,
        group: Any,
        *,
        app: IntArray | None = None,
    ) -> dict[str, Any]:
        n = len(rows)
        if group is None:
            group = self.rng.choice(len(OFFENCE_GROUPS), n, p=_GROUP_MIX)
        if app is None:
            app = np.where(np.asarray(dtype) == _CONVICTION, np.arange(n), -1)
            app = np.broadcast_to(app, (n,))
        return {
            "person": ev["person"].to_numpy()[rows],
            "off": np.broadcast_to(np.asarray(off, dtype=np.int64), (n,)),
            "disp": np.broadcast_to(np.asarray(disp, dtype=np.int64), (n,)),
            "dtype": np.broadcast_to(np.asarray(dtype, dtype=np.int64), (n,)),
            "breach": np.full(n, breach),
            "group": np.asarray(group, dtype=np.int64),
            "app": np.asarray(app, dtype=np.int64),
        }

    # ------------------------------------------------------------------- run
    def run(self) -> SampleData:
        ev = self._primary_rows()
        ev = self._link_repeats(ev)
        ev = self._second_events(ev)
        ev = self._history_attributes(ev)
        ev = self._exclusions(ev)
        ev, truth = self._outcomes(ev)
        ev["parent"] = self._pick_parents(ev)
        active = (ev["origin"].to_numpy() != 2) & (ev["excl"].to_numpy() < 0)
        first = self._reoffences(ev, np.flatnonzero(active & ev["reoffends"].to_numpy()))
        n_before = len(ev)
        ev = self._children(ev, *first[1:])
        kids = np.arange(n_before, len(ev))
        second = self._reoffences(ev, kids[ev["reoffends"].to_numpy(dtype=bool)[kids]])
        pieces = [*self._history(ev), first[0], second[0], *self._noncounting(ev)]
        ids = self._offender_ids(int(ev["person"].max()) + 1)
        cohort = self._cohort_frame(ev, ids)
        offences = self._offence_frame(pieces, ids)
        return SampleData(
            cohort=cohort,
            offences=offences,
            extract_date=SAMPLE_EXTRACT_DATE,
            true_effects=truth,
            seed=self.seed,
            scale=self.scale,
        )

    def _offender_ids(self, n_persons: int) -> npt.NDArray[np.str_]:
        if n_persons >= 9_000_000:
            raise PbrError("scale too large: at most 9 000 000 distinct offenders")
        nums = self.rng.choice(9_999_999, n_persons, replace=False) + 1
        digits = np.char.zfill(nums.astype(str), 7)
        letters = _CHECK_LETTERS[nums % len(_CHECK_LETTERS)]
        out: npt.NDArray[np.str_] = np.char.add(np.char.add("PNC", digits), letters)
        return out

    def _cohort_frame(self, ev: pd.DataFrame, ids: npt.NDArray[np.str_]) -> pd.DataFrame:
        person = ev["person"].to_numpy()
        frame = pd.DataFrame(
            {
                "offender_id": _strings(ids).take(person),
                "lot": _take(self.codes, ev["lot"].to_numpy()),
                "index_date": _to_dates(ev["d"].to_numpy()),
                "event_type": _take(_EVENT_TYPES, ev["etype"].to_numpy()),
                "sex": _take(["M", "F"], ev["female"].to_numpy().astype(np.int64)),
                "date_of_birth": _to_dates(ev["dob"].to_numpy()),
                "supervisor": _take(["CRC", "NPS"], ev["nps"].to_numpy().astype(np.int64)),
                "em_only": ev["em_only"].to_numpy(dtype=bool),
                "exclusion_reason": _take(_EXCLUSIONS, ev["excl"].to_numpy()),
                "offence_group": _take(OFFENCE_GROUPS, ev["group"].to_numpy()),
                "sanctions": pd.array(ev["sanctions"].to_numpy(dtype=np.int64), dtype="Int64"),
                "first_sanction_date": _to_dates(ev["first_date"].to_numpy()),
            }
        )
        rank = _rank(ids)
        order = np.lexsort(
            (ev["group"].to_numpy(), ev["etype"].to_numpy(), ev["d"].to_numpy(), rank[person])
        )
        return frame.iloc[order].reset_index(drop=True)

    def _offence_frame(
        self, pieces: list[dict[str, Any]], ids: npt.NDArray[np.str_]
    ) -> pd.DataFrame:
        cols = {k: np.concatenate([p[k] for p in pieces]) for k in pieces[0]}
        # appearance keys unique across pieces
        app = cols["app"].copy()
        offset = 0
        pos = 0
        for p in pieces:
            m = len(p["app"])
            seg = app[pos : pos + m]
            seg[seg >= 0] += offset
            if m:
                offset += max(int(p["app"].max()), -1) + 1
            pos += m
        keep = (cols["disp"] <= self.extract) & (cols["off"] <= cols["disp"])
        cols = {k: v[keep] for k, v in cols.items()}
        app = app[keep]
        prank = _rank(ids)[cols["person"]]
        order = _sort_order(
            [prank, cols["off"], cols["disp"], cols["dtype"], cols["breach"], cols["group"], app]
        )
        cols = {k: v[order] for k, v in cols.items()}
        app = app[order]
        # number appearances in order of first occurrence: APP00000001, ...
        conv = app >= 0
        keys = app[conv]
        at = np.arange(len(keys))
        first = np.zeros(offset + 1, np.int64)
        first[keys[::-1]] = at[::-1]  # repeated indices: the last assignment (first row) wins
        is_first = first[keys] == at
        serial = pa.array(np.cumsum(is_first)[first[keys]])
        labels = pc.binary_join_element_wise(
            "APP", pc.utf8_lpad(pc.cast(serial, pa.string()), 8, "0"), ""
        )
        app_id = _strings(labels).take(np.where(conv, np.cumsum(conv) - 1, -1), allow_fill=True)
        return pd.DataFrame(
            {
                "offender_id": _strings(ids).take(cols["person"]),
                "offence_date": _to_dates(cols["off"]),
                "disposal_date": _to_dates(cols["disp"]),
                "disposal_type": _take(_DISPOSALS, cols["dtype"]),
                "breach": cols["breach"].astype(bool),
                "offence_group": _take(OFFENCE_GROUPS, cols["group"]),
                "appearance_id": app_id,
            }
        )


def _take(categories: Any, codes: IntArray) -> Any:
    """Strings ``categories[codes]`` as a ``string`` array; code -1 gives ``<NA>``."""
    cats = pd.array([str(c) for c in categories], dtype="string")
    return cats.take(np.asarray(codes, dtype=np.int64), allow_fill=True)


def _sort_order(keys: list[Any]) -> IntArray:
    """Row order sorting by ``keys`` (most significant first), ties kept in input order.

    Non-negative integer keys are packed into as few int64 words as possible
    (much faster than a many-key ``np.lexsort``); the order is the same.
    """
    words: list[IntArray] = []
    word: IntArray | None = None
    used = 0
    for raw in keys:
        k = np.asarray(raw).astype(np.int64)
        lo = int(k.min()) if len(k) else 0
        k = k - lo
        bits = max(int(k.max()).bit_length() if len(k) else 1, 1)
        if word is None or used + bits > 62:
            if word is not None:
                words.append(word)
            word, used = k, bits
        else:
            word = (word << bits) | k
            used += bits
    if word is not None:
        words.append(word)
    if not words:
        return np.zeros(0, np.int64)
    out: IntArray = np.lexsort(words[::-1]).astype(np.int64)
    return out


def _rank(ids: npt.NDArray[np.str_]) -> IntArray:
    rank = np.empty(len(ids), np.int64)
    rank[np.argsort(ids, kind="stable")] = np.arange(len(ids))
    return rank


def _to_dates(days: IntArray) -> pd.Series:
    return pd.Series(
        np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[s]")
    )
