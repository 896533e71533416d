"""Contract schema values and the validating parsers of TOML values (money, numbers, names).

Every problem raises :class:`~pbr.errors.ContractError` whose message starts
with the key path, e.g. ``binary.price_per_reoffender_avoided: must be >= 0, got -1``.

Examples
--------
>>> _money("1500.00", "binary.deduction_price")
Decimal('1500.00')
>>> _str("nope", "form", FORMS)
Traceback (most recent call last):
...
pbr.errors.ContractError: form: unknown value 'nope' (expected one of difference, ratio)
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pbr.counting import RULE_SET_NAMES as RULE_SETS
from pbr.errors import ContractError
from pbr.io._values import parse_money

__all__ = [
    "ADJUSTMENTS",
    "CONTRACT_YEARS",
    "FORMS",
    "FREQUENCY_MEASURES",
    "MONEY_CONTEXT",
    "ROUNDING_MODES",
    "RULE_SETS",
    "SCHEMES",
    "money_sum",
]

SCHEMES = ("tr_crc", "peterborough_sib", "doncaster", "custom")
ADJUSTMENTS = ("ogrs3", "model", "none")
FORMS = ("difference", "ratio")
CONTRACT_YEARS = ("financial_year", "calendar_year")
FREQUENCY_MEASURES = ("per_reoffender", "per_offender")
ROUNDING_MODES = (
    "ROUND_HALF_UP",
    "ROUND_HALF_EVEN",
    "ROUND_HALF_DOWN",
    "ROUND_UP",
    "ROUND_DOWN",
    "ROUND_CEILING",
    "ROUND_FLOOR",
)

_MISSING: Any = object()

#: The decimal context every money calculation runs in, whatever the caller's context is:
#: 60 significant digits (a price with 4 decimals times units with 17 significant digits is
#: exact), and any invalid operation, division by zero or overflow is an error. Rounding to
#: the penny is then done once, explicitly, by :meth:`Rounding.apply`.
MONEY_CONTEXT = decimal.Context(
    prec=60,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-999999,
    Emax=999999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


def money_sum(amounts: Any) -> Decimal:
    """Exact sum of Decimal amounts in :data:`MONEY_CONTEXT` (``0.00`` when empty).

    The caller's decimal context (e.g. a lowered ``prec`` in a notebook) does not
    change the result.

    Examples
    --------
    >>> import decimal
    >>> with decimal.localcontext() as ctx:
    ...     ctx.prec = 2
    ...     money_sum([Decimal("12500.01"), Decimal("0.01")])
    Decimal('12500.02')
    >>> money_sum([])
    Decimal('0.00')
    """
    with decimal.localcontext(MONEY_CONTEXT):
        return sum(amounts, Decimal("0.00"))


# --------------------------------------------------------------------------- parsing helpers


def _money(
    value: Any, key: str, *, required: bool = True, minimum: Decimal | None = Decimal(0)
) -> Any:
    if value is _MISSING or value is None:
        if required:
            raise ContractError(f"{key}: missing (a price is required)")
        return None
    d = parse_money(value, key)  # the io boundary: a plain decimal string only
    if not d.is_finite():
        raise ContractError(f"{key}: must be finite, got {value!r}")
    if minimum is not None and d < minimum:
        raise ContractError(f"{key}: must be >= {minimum}, got {value}")
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        raise ContractError(f"{key}: at most 4 decimal places, got {value}")
    if not d.is_zero() and d.adjusted() >= 14:  # statements store prices as decimal128(18, 4)
        raise ContractError(f"{key}: at most 14 digits before the decimal point, got {value}")
    return d


def _num(
    value: Any,
    key: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    open_lo: bool = False,
    open_hi: bool = False,
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ContractError(f"{key}: expected a number, got {value!r}")
    v = float(value)
    if v != v:
        raise ContractError(f"{key}: must not be NaN")
    if lo is not None and (v < lo or (open_lo and v == lo)):
        raise ContractError(f"{key}: must be {'>' if open_lo else '>='} {lo}, got {value}")
    if hi is not None and (v > hi or (open_hi and v == hi)):
        raise ContractError(f"{key}: must be {'<' if open_hi else '<='} {hi}, got {value}")
    return v


def _bool(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise ContractError(f"{key}: expected true or false, got {value!r}")
    return value


def _str(value: Any, key: str, choices: tuple[str, ...] | None = None) -> str:
    if not isinstance(value, str):
        raise ContractError(f"{key}: expected a string, got {value!r}")
    if choices is not None and value not in choices:
        raise ContractError(
            f"{key}: unknown value {value!r} (expected one of {', '.join(choices)})"
        )
    return value


def _strs(value: Any, key: str, choices: tuple[str, ...] | None = None) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ContractError(f"{key}: expected a list of strings, got {value!r}")
    return tuple(_str(v, f"{key}[{i}]", choices) for i, v in enumerate(value))


def _table(value: Any, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ContractError(f"{key}: expected a table, got {value!r}")
    return value


def _check_keys(d: Mapping[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
    for k in d:
        if k not in allowed:
            path = f"{prefix}.{k}" if prefix else str(k)
            raise ContractError(f"{path}: unknown key (allowed: {', '.join(allowed)})")


def _money_str(d: Decimal | None) -> str | None:
    return None if d is None else str(d)
