"""Single values that reach a result from outside a table: money strings and ISO dates.

A contract's prices (TOML) and a command's ``--extract-date`` are read here and
nowhere else (docs/methodology.md, "Input data: reading and validation"):

* money: a TOML integer, a float, or a **plain decimal string** (``"1500.50"``,
  ``"-3"``); ``"1500,50"``, ``"£1,500"`` or ``"1e3"`` are errors (a stripped comma
  used to turn ``"1500,50"`` into 150050);
* dates: ISO ``YYYY-MM-DD`` only (``12/01/2018``, ``June 30 2018`` and
  ``20180630`` are ambiguous or unusual and refused), returned normalised.

Examples
--------
>>> parse_money("1500.50", "binary.price_per_reoffender_avoided")
Decimal('1500.50')
>>> parse_money("1500,50", "binary.price")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pbr.errors.ContractError: binary.price: not a decimal amount (a plain decimal string: ...
>>> parse_iso_date("2018-06-30", "extract_date")
'2018-06-30'
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from pbr.errors import ContractError, PbrError
from pbr.io._parse import _extract_day

__all__ = ["parse_iso_date", "parse_money"]

_PLAIN_DECIMAL = re.compile(r"[+-]?\d+(?:\.\d+)?")


def parse_money(value: Any, key: str) -> Decimal:
    """A Decimal from a TOML integer or float, or from a plain decimal string only.

    Parameters
    ----------
    value : int, float, str or Decimal
    key : str
        The contract key, named in the error.

    Returns
    -------
    Decimal
        Exactly the printed value (a float through its shortest ``repr``).

    Raises
    ------
    ContractError
        Anything else, naming the key and the value.

    Examples
    --------
    >>> parse_money(1500, "k"), parse_money(0.5, "k")
    (Decimal('1500'), Decimal('0.5'))
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ContractError(f"{key}: expected a number or a decimal string, got {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ContractError(f"{key}: must be finite, got {value!r}")
        return Decimal(repr(value))
    text = value.strip()
    if not _PLAIN_DECIMAL.fullmatch(text):
        raise ContractError(
            f"{key}: not a decimal amount (a plain decimal string: digits, one '.'): {value!r}"
        )
    return Decimal(text)


def parse_iso_date(value: Any, name: str) -> str:
    """An ISO ``YYYY-MM-DD`` date (a real calendar day), returned normalised as that text.

    The one extract-date parser (:func:`pbr.io._parse._extract_day`): strings
    must be ISO; ``datetime.date``, ``pandas.Timestamp`` and ``numpy.datetime64``
    values are taken as their day.

    Raises
    ------
    PbrError
        Any other spelling, naming ``name`` and the value.

    Examples
    --------
    >>> parse_iso_date(" 2018-06-30", "extract_date")
    '2018-06-30'
    >>> parse_iso_date("12/01/2018", "extract_date")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pbr.errors.PbrError: extract_date must be an ISO date YYYY-MM-DD, got '12/01/2018'
    """
    try:
        return str(_extract_day(value))
    except PbrError as exc:
        raise PbrError(str(exc).replace("extract_date", name, 1)) from None
