"""Contract what-if: re-pay one history under two contract designs (docs/methodology.md#payments).

:func:`what_if` pays the same assessment table with
:func:`pbr.payments.pay` under contract A and contract B (e.g. another α,
other prices, a per-offender instead of per-reoffender frequency measure)
and compares the statements per lot::

    total_a    = Σ amount of A's lines for the lot     (Decimal, exact)
    total_b    = Σ amount of B's lines for the lot
    difference = total_b − total_a

A lot that has lines under only one contract gets ``0.00`` under the other.
Both full statements are kept (:attr:`WhatIf.statement_a`,
:attr:`WhatIf.statement_b`), and :attr:`WhatIf.by_component` gives the same
comparison per lot × component, so every difference can be traced to its
lines.

Examples
--------
>>> from pbr.contracts import preset
>>> from pbr.payments import example_assessment
>>> from pbr.whatif import what_if
>>> t = example_assessment(465)  # 35 fewer reoffenders than the 500 expected: z = −2.21
>>> w = what_if(t, preset("tr_crc"), preset("tr_crc", alpha=0.01))
>>> w.table[["lot", "total_a", "total_b", "difference"]].to_numpy().tolist()
[['A', Decimal('52500.00'), Decimal('0.00'), Decimal('-52500.00')]]
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pandas as pd

from pbr.contracts import MONEY_CONTEXT, Contract, money_sum
from pbr.errors import PbrError
from pbr.formatting import format_money
from pbr.payments import Statement, pay, sum_by
from pbr.results import Result, Summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["WhatIf", "what_if"]

_ZERO = Decimal("0.00")


def _compare(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    sa, sb = sum_by(a, keys), sum_by(b, keys)
    allk = sorted(set(sa) | set(sb))
    data: dict[str, Any] = {k: [key[i] for key in allk] for i, k in enumerate(keys)}
    data["total_a"] = [sa.get(key, _ZERO) for key in allk]
    data["total_b"] = [sb.get(key, _ZERO) for key in allk]
    with decimal.localcontext(MONEY_CONTEXT):
        data["difference"] = [y - x for x, y in zip(data["total_a"], data["total_b"], strict=True)]
    return pd.DataFrame(data)


@dataclass(frozen=True, eq=False)
class WhatIf(Result):
    """Two statements of the same history side by side.

    Attributes
    ----------
    table : pandas.DataFrame
        Per lot: ``lot, total_a, total_b, difference`` (Decimal), sorted by lot.
    by_component : pandas.DataFrame
        Per lot × component: ``lot, component, total_a, total_b, difference``.
    statement_a, statement_b : Statement
        The full statements from :func:`pbr.payments.pay`.
    name_a, name_b : str
        Contract names.

    Examples
    --------
    >>> from pbr.contracts import preset
    >>> from pbr.payments import example_assessment
    >>> t = example_assessment(500)
    >>> what_if(t, preset("tr_crc"), preset("tr_crc", alpha=0.1)).total_difference
    Decimal('0.00')
    """

    table: pd.DataFrame
    by_component: pd.DataFrame
    statement_a: Statement
    statement_b: Statement
    name_a: str
    name_b: str

    @property
    def total_difference(self) -> Decimal:
        """Exact ``Σ total_b − Σ total_a`` over all lots."""
        return money_sum(self.table["difference"])

    def summary(self) -> Summary:
        """The totals under A and B, their difference, and the per-lot table.

        Examples
        --------
        >>> from pbr.contracts import preset
        >>> from pbr.payments import example_assessment
        >>> t = example_assessment(500)
        >>> s = what_if(t, preset("tr_crc"), preset("tr_crc")).summary()
        >>> s.title, s.figures["B − A"]
        ("What-if: A = 'tr_crc', B = 'tr_crc'", '£0.00')
        """
        return Summary(
            f"What-if: A = {self.name_a!r}, B = {self.name_b!r}",
            self.table,
            figures={
                "total A": format_money(money_sum(self.table["total_a"])),
                "total B": format_money(money_sum(self.table["total_b"])),
                "B − A": format_money(self.total_difference, sign=self.total_difference != 0),
            },
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Each lot's total under A and B (:func:`pbr.report.result_plots.plot_totals_ab`).

        Examples
        --------
        >>> from pbr.contracts import preset
        >>> from pbr.payments import example_assessment
        >>> t = example_assessment(500)
        >>> what_if(t, preset("tr_crc"), preset("tr_crc")).plot().get_ylabel()
        'total (£)'
        """
        from pbr.report.result_plots import plot_totals_ab

        return plot_totals_ab(self.table, self.name_a, self.name_b, ax=ax)


def what_if(
    table: Any,
    contract_a: Contract,
    contract_b: Contract,
    *,
    allow_interim: bool = False,
    annual_table: Any = None,
    volumes: pd.DataFrame | None = None,
) -> WhatIf:
    """Pay one assessment history under two contracts and compare per lot.

    Parameters
    ----------
    table : pandas.DataFrame or object with ``.table``
        The assessment table (see :mod:`pbr.payments` for its columns).
    contract_a, contract_b : Contract
        The two designs (e.g. ``preset("tr_crc")`` and
        ``preset("tr_crc", alpha=0.1)``).
    allow_interim, annual_table, volumes
        Passed to :func:`pbr.payments.pay` for both contracts.

    Returns
    -------
    WhatIf

    Examples
    --------
    >>> from pbr.contracts import preset
    >>> from pbr.payments import example_assessment
    >>> t = example_assessment(450)
    >>> w = what_if(t, preset("tr_crc"), preset("tr_crc"))
    >>> w.total_difference
    Decimal('0.00')
    """
    for name, c in (("contract_a", contract_a), ("contract_b", contract_b)):
        if not isinstance(c, Contract):
            raise PbrError(f"{name}: expected a pbr Contract, got {type(c).__name__}")
    kw: dict[str, Any] = {"allow_interim": allow_interim, "annual_table": annual_table}
    if volumes is not None:
        kw["volumes"] = volumes
    sa = pay(contract_a, table, **kw)
    sb = pay(contract_b, table, **kw)
    return WhatIf(
        table=_compare(sa.lines, sb.lines, ["lot"]),
        by_component=_compare(sa.lines, sb.lines, ["lot", "component"]),
        statement_a=sa,
        statement_b=sb,
        name_a=contract_a.name,
        name_b=contract_b.name,
    )
