"""The projected payment: the contract's own engine (:func:`pbr.pay`) run on every replicate.

Each replicate of the projected final reoffender counts replaces the
``reoffenders`` of the projected lot-periods in the assessment table (their
expected reoffenders, variance and baseline do not depend on outcomes); the
table, with those rows now marked ``final``, goes through :func:`pbr.pay`
unchanged — caps, collars, significance and rounding included. The payment
distribution is the set of statements so obtained; nothing here restates a
payment rule. A lot-period whose windows are all closed has the same count in
every replicate, hence exactly its final statement line.

Money stays :class:`~decimal.Decimal`: quantiles are replicate amounts
(order statistics), the expected amount is their exact mean rounded once with
the contract's rounding.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from pbr.contracts import preset
>>> from pbr.payments import example_assessment
>>> t = example_assessment(450)
>>> p = payment_draws(preset("tr_crc"), t, np.array([[450], [500], [450]]))
>>> row = p.by_period.iloc[0]
>>> round(float(row["p_significant_reduction"]), 4), row["expected_amount"], row["amount_high95"]
(0.6667, Decimal('50000.00'), Decimal('75000.00'))
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr._progress import track
from pbr.contracts import MONEY_CONTEXT, Contract
from pbr.payments import Statement, pay
from pbr.periods import contract_year

__all__ = ["PaymentDraws", "annual_draws", "decimal_summary", "payment_draws"]

_PROBS = (("low95", 0.025), ("low80", 0.10), ("high80", 0.90), ("high95", 0.975))


def decimal_summary(values: Sequence[Decimal], contract: Contract) -> dict[str, Decimal]:
    """Expected value (exact mean, rounded once) and 80 %/95 % quantiles of Decimal amounts.

    Quantiles are order statistics (the ``inverted_cdf`` definition:
    the smallest amount with at least a share ``p`` of replicates at or below it).

    Examples
    --------
    >>> from decimal import Decimal
    >>> from pbr.contracts import preset
    >>> s = decimal_summary([Decimal("1.00"), Decimal("2.00"), Decimal("4.00")], preset("tr_crc"))
    >>> s["expected"], s["low95"], s["high95"]
    (Decimal('2.33'), Decimal('1.00'), Decimal('4.00'))
    """
    vals = sorted(values)
    n = len(vals)
    with decimal.localcontext(MONEY_CONTEXT):
        total = sum(vals, Decimal("0"))
        out = {"expected": contract.rounding.apply(total / n)}
    for name, p in _PROBS:
        out[name] = vals[max(0, math.ceil(p * n) - 1)]
    return out


@dataclass(frozen=True, eq=False)
class PaymentDraws:
    """The projected payment distribution.

    Attributes
    ----------
    by_period : pandas.DataFrame
        Per projected lot-period (binary line): ``p_significant_reduction``,
        ``p_deduction``, ``expected_amount``, ``amount_low95``, ``amount_low80``,
        ``amount_high80``, ``amount_high95`` (Decimal).
    by_lot : pandas.DataFrame
        The same money columns per lot (all of its lines, caps and collars included).
    total : pandas.DataFrame
        One row: the total over lots.
    period_totals : pandas.DataFrame
        Per quarter: the same money columns of the sum over lots (for the fan chart).
    statements : tuple of Statement
        Distinct statements computed (one per distinct replicate).
    by_year : pandas.DataFrame or None
        Per lot and contract year, the frequency lines (given annual rows):
        ``p_paid`` (share of replicates with a positive frequency payment) and the
        money columns.

    Examples
    --------
    >>> from pbr.forecast._examples import example_forecast
    >>> p = example_forecast().payments
    >>> p.total["lot"].tolist(), sorted(set(p.by_year["period"]))
    (['ALL'], ['2015/16', '2016/17'])
    """

    by_period: pd.DataFrame
    by_lot: pd.DataFrame
    total: pd.DataFrame
    period_totals: pd.DataFrame
    statements: tuple[Statement, ...]
    by_year: pd.DataFrame | None = None


def _money_frame(
    keys: list[tuple[str, ...]], names: list[str], rows: list[dict[str, Decimal]]
) -> pd.DataFrame:
    data: dict[str, list[object]] = {n: [k[i] for k in keys] for i, n in enumerate(names)}
    for col in ("expected", "low95", "low80", "high80", "high95"):
        data["expected_amount" if col == "expected" else f"amount_{col}"] = [r[col] for r in rows]
    return pd.DataFrame(data)


def annual_draws(
    annual: pd.DataFrame,
    groups: pd.DataFrame,
    kind: str,
    final: npt.NDArray[np.int64],
    observed: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Replicates of an annual column: its observed value plus what its quarters still add.

    Each projected quarter *g* belongs to the contract year
    :func:`pbr.periods.contract_year` of its label; an annual row's replicate is
    its observed count (as at the extract date) plus ``final_g − observed_g``
    summed over its projected quarters (quarters not projected, e.g. final
    reference quarters, stay as observed).

    Parameters
    ----------
    annual : pandas.DataFrame
        Annual assessment rows (``lot``, ``period``).
    groups : pandas.DataFrame
        The projected quarters (``lot``, ``period``), in the column order of ``final``.
    kind : {"financial_year", "calendar_year"}
    final : numpy.ndarray of int64, shape (draws, quarters)
    observed : numpy.ndarray of int64
        Observed count per quarter (at the extract date).

    Returns
    -------
    numpy.ndarray of int64, shape (draws, annual rows)
        Replicates of the change since the extract date, per annual row (add the
        annual rows' observed counts).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> a = pd.DataFrame({"lot": ["A"], "period": ["2016/17"]})
    >>> g = pd.DataFrame({"lot": ["A", "A"], "period": ["2016Q2", "2017Q2"]})
    >>> annual_draws(a, g, "financial_year", np.array([[5, 9], [6, 9]]), np.array([4, 1])).tolist()
    [[1], [2]]
    """
    years = [contract_year(str(p), kind) for p in groups["period"]]
    idx = pd.MultiIndex.from_frame(annual[["lot", "period"]].astype(str)).get_indexer(
        pd.MultiIndex.from_arrays([groups["lot"].astype(str).tolist(), years])
    )
    sel = np.flatnonzero(idx >= 0)
    member = np.zeros((len(sel), len(annual)), dtype=np.int64)
    member[np.arange(len(sel)), idx[sel]] = 1
    delta = np.asarray(final, dtype=np.int64)[:, sel] - np.asarray(observed, dtype=np.int64)[sel]
    out: npt.NDArray[np.int64] = delta @ member
    return out


def payment_draws(
    contract: Contract,
    assessment: pd.DataFrame,
    final_counts: npt.NDArray[np.int64],
    annual: tuple[pd.DataFrame, npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None,
    *,
    progress: bool | None = False,
) -> PaymentDraws:
    """Pay every replicate of the final reoffender counts through :func:`pbr.pay`.

    Parameters
    ----------
    contract : Contract
    assessment : pandas.DataFrame
        Assessment rows to pay (one per projected lot-period, in the column
        order of ``final_counts``).
    final_counts : numpy.ndarray of int64, shape (draws, rows)
    annual : (DataFrame, array, array), optional
        For a contract's frequency component: the annual assessment rows
        (``contract_year`` periods, as at the extract date) and the replicates of
        their final reoffenders and reoffences (shape (draws, annual rows) each),
        paid as :func:`pbr.pay`'s ``annual_table``.
    progress : bool or None
        A bar over the replicates (see :mod:`pbr._progress`).

    Returns
    -------
    PaymentDraws

    Examples
    --------
    >>> import numpy as np
    >>> from pbr.contracts import preset
    >>> from pbr.payments import example_assessment
    >>> p = payment_draws(preset("tr_crc"), example_assessment(450), np.array([[450], [550]]))
    >>> p.by_period[["amount_low95", "amount_high95"]].iloc[0].tolist()
    [Decimal('-75000.00'), Decimal('75000.00')]
    """
    base = assessment.reset_index(drop=True).copy()
    counts = np.asarray(final_counts, dtype=np.int64)
    base["status"] = "final"
    year_base = None if annual is None else annual[0].reset_index(drop=True).assign(status="final")
    cache: dict[bytes, Statement] = {}
    per_draw: list[Statement] = []
    for b in track(range(counts.shape[0]), progress=progress, desc="paying replicates"):
        key = counts[b].tobytes()
        if annual is not None:
            key += annual[1][b].tobytes() + annual[2][b].tobytes()
        st = cache.get(key)
        if st is None:
            t = base.copy()
            t["reoffenders"] = counts[b]
            ta = None
            if annual is not None and year_base is not None:
                ta = year_base.assign(reoffenders=annual[1][b], reoffences=annual[2][b])
            st = pay(contract, t, annual_table=ta)
            cache[key] = st
        per_draw.append(st)
    first = per_draw[0].lines
    binary = first[first["component"] == "binary"][["lot", "period"]].astype(str)
    keys = [tuple(r) for r in binary.to_numpy()]
    freq = first[first["component"] == "frequency"][["lot", "period"]].astype(str)
    year_keys = [tuple(r) for r in freq.to_numpy()]
    year_amounts: dict[tuple[str, ...], list[Decimal]] = {k: [] for k in year_keys}
    amounts: dict[tuple[str, ...], list[Decimal]] = {k: [] for k in keys}
    outcomes: dict[tuple[str, ...], list[str]] = {k: [] for k in keys}
    lots = sorted({str(x) for x in first["lot"]})
    lot_amounts: dict[str, list[Decimal]] = {k: [] for k in lots}
    periods = sorted({k[1] for k in keys})
    period_amounts: dict[str, list[Decimal]] = {p: [] for p in periods}
    totals: list[Decimal] = []
    with decimal.localcontext(MONEY_CONTEXT):
        for st in per_draw:
            ln = st.lines
            lot_s = ln["lot"].astype(str).tolist()
            per_s = ln["period"].astype(str).tolist()
            comp = ln["component"].tolist()
            sums = dict.fromkeys(lots, Decimal("0.00"))
            psums = dict.fromkeys(periods, Decimal("0.00"))
            for lot, per, c, amt, out in zip(
                lot_s, per_s, comp, ln["amount"], ln["outcome"], strict=True
            ):
                sums[lot] = sums.get(lot, Decimal("0.00")) + amt
                if c == "binary":
                    amounts[(lot, per)].append(amt)
                    outcomes[(lot, per)].append(str(out))
                    psums[per] += amt
                elif c == "frequency":
                    year_amounts[(lot, per)].append(amt)
            for lot in lots:
                lot_amounts[lot].append(sums[lot])
            for p in periods:
                period_amounts[p].append(psums[p])
            totals.append(st.total)
    by_period = _money_frame(
        keys, ["lot", "period"], [decimal_summary(amounts[k], contract) for k in keys]
    )
    by_period.insert(
        2,
        "p_significant_reduction",
        [float(np.mean([o == "significant_reduction" for o in outcomes[k]])) for k in keys],
    )
    by_period.insert(
        3,
        "p_deduction",
        [float(np.mean([o == "significant_increase" for o in outcomes[k]])) for k in keys],
    )
    by_lot = _money_frame(
        [(k,) for k in lots], ["lot"], [decimal_summary(lot_amounts[k], contract) for k in lots]
    )
    total = _money_frame([("ALL",)], ["lot"], [decimal_summary(totals, contract)])
    by_year = _money_frame(
        year_keys,
        ["lot", "period"],
        [decimal_summary(year_amounts[k], contract) for k in year_keys],
    )
    by_year.insert(
        2, "p_paid", [float(np.mean([a > 0 for a in year_amounts[k]])) for k in year_keys]
    )
    period_totals = _money_frame(
        [(p,) for p in periods],
        ["period"],
        [decimal_summary(period_amounts[p], contract) for p in periods],
    )
    return PaymentDraws(
        by_period=by_period,
        by_lot=by_lot,
        total=total,
        period_totals=period_totals,
        statements=tuple(cache.values()),
        by_year=by_year,
    )
