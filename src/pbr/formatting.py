"""How pbr prints money and counts: one formatter each, used by every output.

* Money: pounds with thousands separators and pence, negative amounts with a
  true minus sign before the pound sign: ``£1,234.50``, ``−£7,979.23``. The
  amount is rounded half up to the penny, like the statement's own rounding
  (``docs/methodology.md``, "Money").
* Counts (people, reoffences): whole numbers with thousands separators,
  ``12,345``; a count is never printed as a float.

This module imports nothing heavier than :mod:`decimal`, so summaries and the
command line can use it without importing matplotlib.

Examples
--------
>>> from decimal import Decimal
>>> format_money(Decimal("-7979.23")), format_count(153.0)
('−£7,979.23', '153')
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

__all__ = ["format_count", "format_money"]

_PENNY = Decimal("0.01")
_CONTEXT = Context(prec=60)


def format_money(amount: Decimal | str | float | int, *, sign: bool = False) -> str:
    """Format an amount in pounds with thousands separators and pence: ``£1,234.50``.

    Parameters
    ----------
    amount : Decimal, str, int or float
        The amount (strings are read as :class:`decimal.Decimal`, exactly; a
        float is read through its shortest ``repr``).
    sign : bool, default False
        Always show the sign (``+£5.00``).

    Returns
    -------
    str
        Negative amounts as ``−£1,234.50`` (U+2212 minus sign).

    Examples
    --------
    >>> format_money("1234.5")
    '£1,234.50'
    >>> format_money(Decimal("-20"))
    '−£20.00'
    >>> format_money("3", sign=True)
    '+£3.00'
    >>> format_money("0.125")  # half-up, like the statement's own rounding
    '£0.13'
    >>> import decimal
    >>> with decimal.localcontext(prec=3):  # the caller's precision does not matter
    ...     format_money(Decimal("12500.01"))
    '£12,500.01'
    """
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    # own context: the caller's decimal precision must not change a printed amount
    value = value.quantize(_PENNY, rounding=ROUND_HALF_UP, context=_CONTEXT)
    body = f"£{value.copy_abs():,}"
    if value < 0:
        return "−" + body
    return ("+" + body) if sign else body


def format_count(value: Any) -> str:
    """Format a count as a whole number with thousands separators.

    Parameters
    ----------
    value : int, float or numpy number
        A count; a float must be whole (``153.0``). Missing (``None``/NaN) prints
        as an empty string.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        ``value`` is not a whole number.

    Examples
    --------
    >>> format_count(1234), format_count(153.0), format_count(float("nan"))
    ('1,234', '153', '')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    f = float(value)
    if math.isnan(f):
        return ""
    if not f.is_integer():
        raise ValueError(f"a count must be a whole number, got {value!r}")
    return f"{int(f):,}"
