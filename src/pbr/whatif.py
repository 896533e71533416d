"""Contract what-if: re-pay one history under two contract designs (SPEC §7).

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
import html
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from pbr.contracts import MONEY_CONTEXT, Contract, money_sum
from pbr.errors import PbrError
from pbr.payments import Statement, pay, sum_by

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
class WhatIf:
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

    def to_frame(self) -> pd.DataFrame:
        """The per-lot table (copy).

        Examples
        --------
        >>> from pbr.contracts import preset
        >>> from pbr.payments import example_assessment
        >>> t = example_assessment(500)
        >>> list(what_if(t, preset("tr_crc"), preset("tr_crc")).to_frame().columns)
        ['lot', 'total_a', 'total_b', 'difference']
        """
        return self.table.copy()

    def summary(self) -> str:
        """Per-lot totals and the overall difference as text.

        Examples
        --------
        >>> from pbr.contracts import preset
        >>> from pbr.payments import example_assessment
        >>> t = example_assessment(500)
        >>> print(what_if(t, preset("tr_crc"), preset("tr_crc")).summary().splitlines()[0])
        What-if: A = 'tr_crc', B = 'tr_crc'
        """
        lines = [f"What-if: A = {self.name_a!r}, B = {self.name_b!r}"]
        for r in self.table.itertuples(index=False):
            lines.append(f"  {r.lot}: A £{r.total_a}  B £{r.total_b}  B − A £{r.difference}")
        total_a = money_sum(self.table["total_a"])
        total_b = money_sum(self.table["total_b"])
        lines.append(f"  total: A £{total_a}  B £{total_b}  B − A £{self.total_difference}")
        return "\n".join(lines)

    def plot(self, ax: Any = None) -> Any:
        """Side-by-side bars of each lot's total under A and B.

        Examples
        --------
        >>> from pbr.contracts import preset
        >>> from pbr.payments import example_assessment
        >>> t = example_assessment(500)
        >>> what_if(t, preset("tr_crc"), preset("tr_crc")).plot().get_ylabel()
        'total (£)'
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(max(5.0, 0.6 * len(self.table) + 2), 4))
        x = np.arange(len(self.table))
        a = [float(v) for v in self.table["total_a"]]  # plotting only; money stays Decimal
        b = [float(v) for v in self.table["total_b"]]
        ax.bar(x - 0.2, a, width=0.4, label=f"A: {self.name_a}")
        ax.bar(x + 0.2, b, width=0.4, label=f"B: {self.name_b}")
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.set_xticks(x)
        ax.set_xticklabels(self.table["lot"].astype(str).tolist(), rotation=45, ha="right")
        ax.set_ylabel("total (£)")
        ax.set_title("Contract what-if")
        ax.legend()
        return ax

    def _repr_html_(self) -> str:
        head = html.escape(f"What-if: A = {self.name_a!r}, B = {self.name_b!r}")
        return f"<div><p>{head}</p>{self.table.to_html(index=False)}</div>"


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
