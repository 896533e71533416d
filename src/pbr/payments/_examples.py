"""A small payment statement for the docstring examples."""

from __future__ import annotations

from pbr.contracts import preset
from pbr.payments.engine import pay
from pbr.payments.statement import Statement, example_assessment

__all__ = ["example_statement"]


def example_statement() -> Statement:
    """The ``tr_crc`` preset paid on :func:`~pbr.payments.example_assessment`.

    Returns
    -------
    Statement
        One binary line: 50 reoffenders fewer than expected, paid £75,000.

    Examples
    --------
    >>> example_statement().total
    Decimal('75000.00')
    """
    return pay(preset("tr_crc"), example_assessment())
