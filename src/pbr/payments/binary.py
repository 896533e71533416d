"""The binary component: quarterly cohorts paid per reoffender avoided.

See docs/methodology.md, "Payment lines".

The rule (:func:`binary_amount`, also used by :mod:`pbr.simulate`): with ``E``
expected and ``O`` observed reoffenders and the outcome of the two-sided
z-test of :func:`pbr.adjustment.binary_test`::

    significant_reduction   price_per_reoffender_avoided × (E − O)   (a payment)
    significant_increase    deduction_price × (E − O)                (E − O < 0: a deduction)
    no_significant_change   0

Examples
--------
>>> from decimal import Decimal
>>> binary_amount("significant_reduction", Decimal("50"), Decimal("1500"), Decimal("1000"))
Decimal('75000')
>>> binary_amount("significant_increase", Decimal("-5"), Decimal("1500"), Decimal("1000"))
Decimal('-5000')
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr.adjustment import binary_test
from pbr.contracts import Contract
from pbr.payments._table import (
    _check_counts,
    _keys,
    _num,
    _opt,
    _ratio,
    _refuse,
    _require,
    _require_unique,
)
from pbr.payments.lines import _ZERO, _dec, _money_line

__all__ = ["DEDUCTED", "PAID", "binary_amount", "binary_lines"]

#: The outcome that is paid, and the one that is deducted (see :data:`pbr.adjustment.OUTCOMES`).
PAID = "significant_reduction"
DEDUCTED = "significant_increase"

FloatArray = npt.NDArray[np.float64]
_Money = TypeVar("_Money", Decimal, float)


@overload
def binary_amount(
    outcome: str, avoided: Decimal, price: Decimal, deduction_price: Decimal
) -> Decimal: ...


@overload
def binary_amount(
    outcome: npt.NDArray[Any], avoided: FloatArray, price: float, deduction_price: float
) -> FloatArray: ...


def binary_amount(outcome: Any, avoided: Any, price: Any, deduction_price: Any) -> Any:
    """The binary payment rule: the amount for ``avoided = E − O``, before rounding.

    ``price × avoided`` on a significant reduction, ``deduction_price ×
    avoided`` on a significant increase (``avoided`` is then negative, so the
    amount is a deduction), zero otherwise (docs/methodology.md, "Payment lines"). Exact on
    :class:`~decimal.Decimal` scalars (a statement line, rounded once by the
    caller); element-wise on numpy arrays of outcomes and floats (a
    simulation). The trailing ``+ 0`` turns a negative zero into zero.

    Parameters
    ----------
    outcome : str or numpy.ndarray of str
        Outcome of :func:`pbr.adjustment.binary_test`.
    avoided : Decimal or numpy.ndarray of float
        Expected minus observed reoffenders, ``E − O``.
    price, deduction_price : Decimal or float
        The contract's ``price_per_reoffender_avoided`` and ``deduction_price``.

    Returns
    -------
    Decimal or numpy.ndarray of float

    Examples
    --------
    >>> import numpy as np
    >>> out = np.array(["significant_reduction", "no_significant_change"])
    >>> binary_amount(out, np.array([10.0, -3.0]), 2.0, 1.0).tolist()
    [20.0, 0.0]
    """
    paid = outcome == PAID
    deducted = outcome == DEDUCTED
    return price * avoided * paid + deduction_price * avoided * deducted + 0


def _binary_stats(t: pd.DataFrame, contract: Contract, what: str) -> dict[str, Any]:
    _require(t, ("lot", "period", "cohort_size", "reoffenders", "baseline_binary"), what)
    n = _num(t, "cohort_size", what)
    o = _num(t, "reoffenders", what)
    b = _num(t, "baseline_binary", what)
    _check_counts(t, n, o, None, what)
    _refuse(t, ~((b >= 0) & (b <= 1)), "baseline_binary", "must be a proportion in [0, 1]", what)
    e = _opt(t, "expected_reoffenders", what)
    if e is None:
        rate = _opt(t, "expected_rate", what)
        if rate is not None:
            rule = "must be a proportion in [0, 1]"
            _refuse(t, ~((rate >= 0) & (rate <= 1)), "expected_rate", rule, what)
        per_person = rate if rate is not None else b
        # E = rate × N in Decimal from the printed rate (a float product can lose a penny)
        exact = [_dec(x) * _dec(m) for x, m in zip(per_person, n, strict=True)]
        e = per_person * n
    else:
        exact = [_dec(x) for x in e]
        rule = "must be in [0, cohort_size]"
        _refuse(t, ~((e >= 0) & (e <= n * (1 + 1e-9))), "expected_reoffenders", rule, what)
    v = _opt(t, "expected_variance", what)
    if v is not None:
        er = _ratio(e, n)
        v = np.where(np.isnan(v), n * er * (1 - er), v)
    bt = binary_test(o, e, n, b, variance=v, alpha=contract.alpha, form=contract.form)  # type: ignore[arg-type]
    r = _opt(t, "reoffences", what)
    out: dict[str, Any] = {
        "n": n,
        "o": o,
        "e": e,
        "e_exact": exact,
        "b": b,
        "r": r if r is not None else np.full(len(t), np.nan),
        "adjusted": bt["adjusted_rate"].to_numpy(),
        "change": bt["change_pp"].to_numpy(),
        "z": bt["z"].to_numpy(),
        "p": bt["p_value"].to_numpy(),
        "outcome": bt["outcome"].to_numpy().astype(str),
    }
    return out


def binary_lines(t: pd.DataFrame, contract: Contract) -> list[dict[str, Any]]:
    """One binary line per quarterly row: the z-test outcome paid by :func:`binary_amount`.

    Examples
    --------
    >>> from pbr.contracts import preset
    >>> from pbr.payments import example_assessment
    >>> [ln["amount"] for ln in binary_lines(example_assessment(550), preset("tr_crc"))]
    [Decimal('-75000.00')]
    """
    comp = contract.binary
    assert comp is not None
    s = _binary_stats(t, contract, "binary assessment table")
    _require_unique(t, ("lot", "period"), "binary assessment table")
    lots, periods, statuses = _keys(t)
    observed = _ratio(s["o"], s["n"])
    out = []
    for i in range(len(t)):
        outcome = s["outcome"][i]
        avoided = s["e_exact"][i] - _dec(s["o"][i])  # E − O exactly, not a float difference
        exact = binary_amount(
            outcome, avoided, comp.price_per_reoffender_avoided, comp.deduction_price
        )
        units = avoided if outcome in (PAID, DEDUCTED) else _ZERO
        if outcome == PAID:
            price, note = comp.price_per_reoffender_avoided, "payment: significant reduction"
        elif outcome == DEDUCTED:
            price, note = comp.deduction_price, "deduction: significant increase"
        else:
            price, note = comp.price_per_reoffender_avoided, "no significant change"
        term = bool(
            (comp.termination_rate_pp is not None and s["change"][i] > comp.termination_rate_pp)
            or (comp.termination_point is not None and s["adjusted"][i] > comp.termination_point)
        )
        if term:
            note += "; termination point exceeded"
        out.append(
            _money_line(
                contract,
                price,
                units,
                exact=exact,
                lot=lots[i],
                period=periods[i],
                component="binary",
                status=statuses[i],
                cohort_size=s["n"][i],
                reoffenders=s["o"][i],
                reoffences=s["r"][i],
                expected_reoffenders=s["e"][i],
                baseline=s["b"][i],
                observed=observed[i],
                adjusted_rate=s["adjusted"][i],
                change=s["change"][i],
                z=s["z"][i],
                p_value=s["p"][i],
                outcome=outcome,
                termination=term,
                note=note,
            )
        )
    return out
