"""Payment-risk simulation for the quarterly binary payment (docs/methodology.md#payment-lines).

For each lot, its quarterly cohorts (sizes ``N_q``, baseline rates ``b_q``)
and a **true** reduction ``δ`` (percentage points), the number of
reoffenders is drawn for every simulation at once::

    O_q ~ Binomial(N_q, b_q − δ/100)          (seeded numpy Generator)
    E_q = N_q × b_q,   V_q = N_q × b_q (1 − b_q)

i.e. the **unadjusted** case (everyone's predicted probability is the
baseline rate; the offender mix does not change). Each simulated quarter is
then judged with exactly the rule of :func:`pbr.adjustment.binary_test`
(two-sided z-test at the contract's α; a payment needs a *significant
reduction*, a deduction follows a *significant increase*) and paid by the
binary rule of the payment engine, :func:`pbr.payments.binary_amount`. Since
the outcome and the amount depend on ``O`` only, both are computed once for
every possible ``O = 0 … N_q`` of every cohort and the draws index those
lookup tables (exact, and fast)::

    payment   = price_per_reoffender_avoided × (E − O)   on significant_reduction
    deduction = −deduction_price × (O − E)               on significant_increase

Because the test is two-sided, with no true effect the chance of a payment
in a quarter is about α/2 (and likewise for a deduction); being a normal
approximation on a discrete count, it can exceed α/2 slightly (2.68 % at
``N = 1000, b = 0.5``, α = 0.05).

Minimum detectable reduction (MDR): the smallest ``δ`` at which the average
over the lot's quarters of the analytic (normal-approximation) power ::

    power_q(δ) = Φ( (N_q δ' − z_{1−α/2} √V_q) / √(N_q (b_q − δ')(1 − b_q + δ')) ),
    δ' = δ/100

reaches the chosen power (default 80 %), found by vectorised bisection over
all lots at once (60 halvings of ``[0, 100 min b_q]``).

Money: the simulated amounts are statistics, computed in float; the table
reports them rounded to the penny as :class:`~decimal.Decimal`
(``ROUND_HALF_UP``), never as payment lines.

Examples
--------
>>> import pandas as pd
>>> from pbr.simulate import simulate_payments
>>> cohorts = pd.DataFrame({"lot": ["A"] * 4, "cohort_size": [500] * 4,
...                         "baseline_rate": [0.45] * 4})
>>> sim = simulate_payments(cohorts, effects_pp=[0, 5], alpha=0.05, price=1000,
...                         deduction_price=1000, n_sims=2000)
>>> bool(sim.table["p_payment"].is_monotonic_increasing)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr._progress import track
from pbr.adjustment import binary_test
from pbr.errors import PbrError
from pbr.formatting import format_count, format_money
from pbr.payments.binary import DEDUCTED, PAID, binary_amount
from pbr.results import Result, Summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["PaymentSimulation", "minimum_detectable_reduction", "simulate_payments"]

FloatArray = npt.NDArray[np.float64]
_PENNY = Decimal("0.01")


def _pennies(x: float) -> Decimal:
    return Decimal(repr(float(x))).quantize(_PENNY, rounding=ROUND_HALF_UP)


def _cohort_frame(cohorts: Any) -> pd.DataFrame:
    """Normalise to columns lot, cohort_size, baseline_rate (one row per quarterly cohort)."""
    if hasattr(cohorts, "rates") and isinstance(cohorts.rates, pd.DataFrame):
        r = cohorts.rates
        q = r[r["period"].astype(str).str.contains("Q")]
        df = pd.DataFrame(
            {
                "lot": q["lot"].astype(str).to_numpy(),
                "period": q["period"].astype(str).to_numpy(),
                "cohort_size": q["cohort_size"].to_numpy(),
                "baseline_rate": q["baseline_binary"].to_numpy(),
            }
        )
    elif isinstance(cohorts, pd.DataFrame):
        missing = [c for c in ("cohort_size", "baseline_rate") if c not in cohorts.columns]
        if missing:
            raise PbrError(f"cohorts table lacks column(s) {missing}")
        df = cohorts.copy()
        if "lot" not in df.columns:
            df["lot"] = "lot"
        df["lot"] = df["lot"].astype(str)
    else:
        raise PbrError(
            "cohorts must be a DataFrame (lot, cohort_size, baseline_rate) or a Baseline"
        )
    n = pd.to_numeric(df["cohort_size"], errors="coerce").to_numpy(dtype=float)
    b = pd.to_numeric(df["baseline_rate"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(n) | (n < 1) | (n != np.floor(n))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise PbrError(f"cohort_size must be a positive whole number; row {i} has {n[i]!r}")
    bad = ~np.isfinite(b) | (b <= 0) | (b >= 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise PbrError(f"baseline_rate must be strictly between 0 and 1; row {i} has {b[i]!r}")
    df["cohort_size"] = n.astype(np.int64)
    df["baseline_rate"] = b
    return df.reset_index(drop=True)


def _parameters(
    contract: Any, alpha: float | None, price: Any, deduction_price: Any
) -> tuple[float, Decimal, Decimal]:
    if contract is not None:
        given = [
            n
            for n, v in (("alpha", alpha), ("price", price), ("deduction_price", deduction_price))
            if v is not None
        ]
        if given:
            raise PbrError(f"give either a contract or {given}, not both (the contract sets them)")
        if contract.binary is None:
            raise PbrError(f"contract {contract.name!r} has no binary component to simulate")
        return (
            float(contract.alpha),
            Decimal(contract.binary.price_per_reoffender_avoided),
            Decimal(contract.binary.deduction_price),
        )
    if alpha is None or price is None or deduction_price is None:
        raise PbrError("without a contract, alpha, price and deduction_price are all required")
    if not 0 < alpha < 1:
        raise PbrError(f"alpha must be between 0 and 1, got {alpha}")
    p, d = Decimal(str(price)), Decimal(str(deduction_price))
    if p < 0 or d < 0:
        raise PbrError("prices must not be negative")
    return float(alpha), p, d


def _analytic_power(n: FloatArray, b: FloatArray, delta: FloatArray, alpha: float) -> FloatArray:
    """P(significant reduction) per cohort, normal approximation (see module notes)."""
    from scipy import stats

    z = stats.norm.ppf(1 - alpha / 2)
    v = n * b * (1 - b)
    p1 = np.clip(b - delta, 0.0, 1.0)
    sd1 = np.sqrt(n * p1 * (1 - p1))
    num = n * delta - z * np.sqrt(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(sd1 > 0, stats.norm.cdf(num / np.where(sd1 > 0, sd1, 1)), num > 0)
    return np.asarray(out, dtype=float)


def minimum_detectable_reduction(
    cohorts: Any, *, alpha: float = 0.05, power: float = 0.8
) -> pd.DataFrame:
    """Smallest true reduction (pp) detected with the given power, per lot.

    Parameters
    ----------
    cohorts : pandas.DataFrame or Baseline
        Columns ``lot, cohort_size, baseline_rate`` (one row per quarterly
        cohort), or a Baseline (its quarterly rows).
    alpha : float
        Two-sided significance level of the binary test.
    power : float
        Target average per-quarter probability of a payment.

    Returns
    -------
    pandas.DataFrame
        ``lot, quarters, mean_cohort_size, mdr_pp`` sorted by lot; ``mdr_pp``
        is NaN when even a reduction to a zero rate does not reach the power.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"lot": ["small", "big"], "cohort_size": [200, 5000],
    ...                   "baseline_rate": [0.4, 0.4]})
    >>> m = minimum_detectable_reduction(c).set_index("lot")["mdr_pp"]
    >>> bool(m["big"] < m["small"])
    True
    """
    if not 0 < power < 1:
        raise PbrError(f"power must be between 0 and 1, got {power}")
    if not 0 < alpha < 1:
        raise PbrError(f"alpha must be between 0 and 1, got {alpha}")
    df = _cohort_frame(cohorts)
    codes, lots = pd.factorize(df["lot"], sort=True)
    n = df["cohort_size"].to_numpy(dtype=float)
    b = df["baseline_rate"].to_numpy(dtype=float)
    n_lots = len(lots)
    counts = np.bincount(codes, minlength=n_lots).astype(float)

    def mean_power(delta_lot: FloatArray) -> FloatArray:
        pw = _analytic_power(n, b, delta_lot[codes], alpha)
        out: FloatArray = np.bincount(codes, weights=pw, minlength=n_lots) / counts
        return out

    hi = np.full(n_lots, np.inf)
    np.minimum.at(hi, codes, b)
    lo = np.zeros(n_lots)
    reachable = mean_power(hi) >= power
    for _ in range(60):
        mid = (lo + hi) / 2
        ok = mean_power(mid) >= power
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    mdr = np.where(reachable, 100 * hi, np.nan)
    return pd.DataFrame(
        {
            "lot": np.asarray(lots, dtype=object),
            "quarters": counts.astype(np.int64),
            "mean_cohort_size": np.bincount(codes, weights=n, minlength=n_lots) / counts,
            "mdr_pp": mdr,
        }
    )


@dataclass(frozen=True, eq=False)
class PaymentSimulation(Result):
    """Result of :func:`simulate_payments`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per lot × true effect: ``lot, effect_pp, quarters,
        p_payment`` (share of simulated quarterly cohorts paid), ``p_deduction``,
        ``p_any_payment`` (share of simulations with at least one paid
        quarter), ``expected_payment`` (mean net amount over the lot's
        quarters, Decimal), ``payment_p05``, ``payment_p50``, ``payment_p95``
        (quantiles of the net amount, Decimal), ``analytic_p_payment``.
    mdr : pandas.DataFrame
        Minimum detectable reduction per lot (:func:`minimum_detectable_reduction`).
    alpha, power : float
    price, deduction_price : Decimal
    n_sims, random_state : int

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"lot": ["A"], "cohort_size": [800], "baseline_rate": [0.4]})
    >>> s = simulate_payments(c, effects_pp=[0.0], alpha=0.05, price=100,
    ...                       deduction_price=100, n_sims=4000)
    >>> bool(s.table["p_payment"].iloc[0] < 0.05)
    True
    """

    table: pd.DataFrame
    mdr: pd.DataFrame
    alpha: float
    power: float
    price: Decimal
    deduction_price: Decimal
    n_sims: int
    random_state: int

    def summary(self) -> Summary:
        """Per lot: MDR and P(payment) at each effect (wide).

        Examples
        --------
        >>> list(_example_simulation().summary().frame.columns)
        ['lot', 'mdr_pp', 'p_payment@0', 'p_payment@3']
        """
        wide = self.table.pivot(index="lot", columns="effect_pp", values="p_payment")
        wide.columns = [f"p_payment@{e:g}" for e in wide.columns]
        frame = self.mdr.set_index("lot")[["mdr_pp"]].join(wide).reset_index()
        return Summary(
            f"Payment simulation (α = {self.alpha:g}, power {self.power:g})",
            frame,
            figures={
                "price": format_money(self.price),
                "deduction price": format_money(self.deduction_price),
                "simulations": format_count(self.n_sims),
                "seed": str(self.random_state),
            },
            notes=["mdr_pp: minimum detectable reduction (pp); p_payment@e: P(payment) at e pp"],
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """P(payment) against the true effect per lot (see :mod:`pbr.report.result_plots`).

        Examples
        --------
        >>> _example_simulation().plot().get_ylabel()
        'P(payment) per quarterly cohort'
        """
        from pbr.report.result_plots import plot_payment_risk

        return plot_payment_risk(self.table, power=self.power, ax=ax)


def _example_simulation() -> PaymentSimulation:
    """A small simulation (one lot, effects 0 and 3 pp) for the docstring examples."""
    c = pd.DataFrame({"lot": ["A"], "cohort_size": [800], "baseline_rate": [0.4]})
    return simulate_payments(
        c, effects_pp=[0.0, 3.0], alpha=0.05, price=1, deduction_price=1, n_sims=100
    )


def simulate_payments(
    cohorts: Any,
    effects_pp: Sequence[float] | float = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0),
    *,
    contract: Any = None,
    alpha: float | None = None,
    price: Any = None,
    deduction_price: Any = None,
    n_sims: int = 10_000,
    power: float = 0.8,
    random_state: int = 0,
    progress: bool | None = None,
) -> PaymentSimulation:
    """Monte Carlo distribution of binary payments for given true reductions.

    Parameters
    ----------
    cohorts : pandas.DataFrame or Baseline
        ``lot, cohort_size, baseline_rate``: one row per quarterly cohort of
        each lot (e.g. the four quarters of a contract year); or a Baseline,
        whose quarterly N and ``baseline_binary`` are used.
    effects_pp : float or sequence of float
        True reductions in percentage points (positive = fewer reoffenders).
    contract : Contract, optional
        Supplies ``alpha`` and the binary prices; then do not pass them.
    alpha, price, deduction_price : optional
        Plain parameters when no contract is given.
    n_sims : int
        Number of simulations (each simulates every quarter of every lot).
    power : float
        Power for the minimum detectable reduction.
    random_state : int
        Seed of the numpy Generator.
    progress : bool or None
        A bar over the effect sizes (each simulates all ``n_sims`` at once): ``None``
        (default) on a terminal or in a notebook only, ``True`` always, ``False``
        never (:mod:`pbr._progress`); the draws are the same either way.

    Returns
    -------
    PaymentSimulation

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"lot": ["A", "A"], "cohort_size": [600, 600],
    ...                   "baseline_rate": [0.5, 0.5]})
    >>> s = simulate_payments(c, [0.0, 12.0], alpha=0.05, price=1000, deduction_price=500,
    ...                       n_sims=500)
    >>> s.table[["effect_pp", "p_payment"]].round(2).to_numpy().tolist()[1]
    [12.0, 1.0]
    """
    a, p_price, d_price = _parameters(contract, alpha, price, deduction_price)
    if not isinstance(n_sims, (int, np.integer)) or n_sims < 1:
        raise PbrError(f"n_sims must be a positive integer, got {n_sims!r}")
    effects = np.atleast_1d(np.asarray(effects_pp, dtype=float))
    if not np.isfinite(effects).all():
        raise PbrError("effects_pp must be finite numbers")
    if np.unique(effects).size != effects.size:
        raise PbrError(f"effects_pp must not repeat a value, got {effects.tolist()}")
    df = _cohort_frame(cohorts)
    n = df["cohort_size"].to_numpy(dtype=np.int64)
    b = df["baseline_rate"].to_numpy(dtype=float)
    true_rate = b[None, :] - effects[:, None] / 100  # (effects, cohorts)
    bad = (true_rate < 0) | (true_rate > 1)
    if bad.any():
        e, q = np.argwhere(bad)[0]
        raise PbrError(
            f"effect {effects[e]} pp takes cohort row {q} (baseline {b[q]}) outside [0, 1]"
        )
    # The test outcome depends on O only, so judge every possible O of every cohort
    # once with binary_test itself (a lookup table) and index it with the draws.
    offsets = np.concatenate([[0], np.cumsum(n + 1)[:-1]])
    size = n + 1
    all_o = np.arange(int(size.sum())) - np.repeat(offsets, size)
    res = binary_test(
        all_o,
        np.repeat(n * b, size),
        np.repeat(n, size),
        np.repeat(b, size),
        variance=np.repeat(n * b * (1 - b), size),
        alpha=a,
    )
    outcomes = res["outcome"].to_numpy()
    lut = np.select([outcomes == PAID, outcomes == DEDUCTED], [1, -1], 0).astype(np.int8)
    # the amount depends on O only as well: the binary rule of pbr.payments on E − O
    amount_lut = binary_amount(
        outcomes, np.repeat(n * b, size) - all_o, float(p_price), float(d_price)
    )
    rng = np.random.default_rng(random_state)
    n_eff, n_coh = len(effects), len(df)
    paid = np.empty((n_sims, n_eff, n_coh), dtype=bool)
    deducted = np.empty((n_sims, n_eff, n_coh), dtype=bool)
    amount = np.empty((n_sims, n_eff, n_coh), dtype=float)
    effect_steps = track(range(n_eff), progress=progress, desc="payment simulations", unit="effect")
    for ei in effect_steps:  # loop over effect sizes; all simulations at once
        obs = rng.binomial(n, true_rate[ei], size=(n_sims, n_coh))
        code = lut[offsets + obs]
        paid[:, ei] = code == 1
        deducted[:, ei] = code == -1
        amount[:, ei] = amount_lut[offsets + obs]

    codes, lots = pd.factorize(df["lot"], sort=True)
    rows = []
    for li, lot in enumerate(lots):  # loop over lots, not people or simulations
        cols = codes == li
        lot_amount = amount[:, :, cols].sum(axis=2)  # (sims, effects)
        an = _analytic_power(
            n[cols][None, :].astype(float), b[cols][None, :], effects[:, None] / 100, a
        ).mean(axis=1)
        for ei, eff in enumerate(effects):
            q05, q50, q95 = np.quantile(lot_amount[:, ei], [0.05, 0.5, 0.95])
            rows.append(
                {
                    "lot": str(lot),
                    "effect_pp": float(eff),
                    "quarters": int(cols.sum()),
                    "p_payment": float(paid[:, ei, cols].mean()),
                    "p_deduction": float(deducted[:, ei, cols].mean()),
                    "p_any_payment": float(paid[:, ei, cols].any(axis=1).mean()),
                    "expected_payment": _pennies(float(lot_amount[:, ei].mean())),
                    "payment_p05": _pennies(float(q05)),
                    "payment_p50": _pennies(float(q50)),
                    "payment_p95": _pennies(float(q95)),
                    "analytic_p_payment": float(an[ei]),
                }
            )
    table = pd.DataFrame(rows).sort_values(["lot", "effect_pp"], kind="stable")
    return PaymentSimulation(
        table=table.reset_index(drop=True),
        mdr=minimum_detectable_reduction(df, alpha=a, power=power),
        alpha=a,
        power=power,
        price=p_price,
        deduction_price=d_price,
        n_sims=int(n_sims),
        random_state=random_state,
    )
