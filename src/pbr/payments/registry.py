"""The payment schemes, by name: the engine looks a contract's ``scheme`` up here.

A scheme is a function ``lines(table, annual_table, contract) -> list of
lines`` that turns the (contract-filtered) assessment table into statement
lines; fee-for-service lines, caps and collars are then added by the engine
for every scheme. Adding a scheme is one module with its lines function and
one entry in :data:`SCHEMES` (plus its name in :data:`pbr.contracts.SCHEMES`,
which validates the contract's ``scheme`` key).

Examples
--------
>>> sorted(SCHEMES)
['custom', 'doncaster', 'peterborough_sib', 'tr_crc']
>>> scheme_lines("tr_crc").__name__
'outcome_lines'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from pbr.contracts import Contract
from pbr.errors import PbrError
from pbr.payments.doncaster import doncaster_lines
from pbr.payments.peterborough import peterborough_lines
from pbr.payments.tr_crc import outcome_lines

__all__ = ["SCHEMES", "SchemeLines", "scheme_lines"]

#: The signature of a scheme: (assessment table, annual table or None, contract) → lines.
SchemeLines = Callable[[pd.DataFrame, Any, Contract], list[dict[str, Any]]]

#: Scheme name → its lines function.
SCHEMES: Mapping[str, SchemeLines] = {
    "tr_crc": outcome_lines,
    "custom": outcome_lines,
    "peterborough_sib": peterborough_lines,
    "doncaster": doncaster_lines,
}


def scheme_lines(name: str) -> SchemeLines:
    """The lines function of scheme ``name``.

    Examples
    --------
    >>> scheme_lines("nope")
    Traceback (most recent call last):
    ...
    pbr.errors.PbrError: scheme: no payment scheme 'nope' (known: custom, doncaster, ...)
    """
    try:
        return SCHEMES[name]
    except KeyError:
        known = ", ".join(sorted(SCHEMES))
        raise PbrError(f"scheme: no payment scheme {name!r} (known: {known})") from None
