"""The payment statement: the lines of a payment, their totals, summary and plot.

Examples
--------
>>> from pbr.contracts import preset
>>> from pbr.payments import pay
>>> s = pay(preset("tr_crc"), example_assessment(450))
>>> s.total, len(s.lines)
(Decimal('75000.00'), 1)
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pbr.contracts import Contract, money_sum
from pbr.payments.lines import _ZERO, COMPONENTS, sum_by
from pbr.payments.writers import write_statement

__all__ = ["Statement", "example_assessment"]


def example_assessment(
    reoffenders: int = 450,
    *,
    lot: str = "A",
    period: str = "2015Q4",
    cohort_size: int = 1000,
    expected_reoffenders: float = 500.0,
    expected_variance: float = 250.0,
    baseline_binary: float = 0.5,
) -> pd.DataFrame:
    """A one-row assessment table (the columns :func:`pay` reads), for trying a contract.

    The defaults are a quarterly cohort of 1 000 people expected to have 500
    reoffenders (variance 250) and observed with 450: ``z = −50 / √250 = −3.16``,
    a significant reduction of 50 reoffenders.

    Examples
    --------
    >>> from pbr.contracts import preset
    >>> from pbr.payments import pay
    >>> example_assessment().iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'lot': 'A', 'period': '2015Q4', 'cohort_size': 1000, 'reoffenders': 450,
     'expected_reoffenders': 500.0, 'expected_variance': 250.0, 'baseline_binary': 0.5}
    >>> pay(preset("tr_crc"), example_assessment(500)).total  # as expected: no payment
    Decimal('0.00')
    """
    return pd.DataFrame(
        {
            "lot": [lot],
            "period": [period],
            "cohort_size": [cohort_size],
            "reoffenders": [reoffenders],
            "expected_reoffenders": [expected_reoffenders],
            "expected_variance": [expected_variance],
            "baseline_binary": [baseline_binary],
        }
    )


@dataclass(frozen=True, eq=False)
class Statement:
    """A payment statement: one line per (lot, period, component[, item]).

    Attributes
    ----------
    contract : Contract
    lines : pandas.DataFrame
        Columns :data:`LINE_COLUMNS`; ``price`` and ``amount`` hold
        :class:`~decimal.Decimal`; sorted by lot, period, component order, item.
    provisional : bool
        True when interim measures were paid with ``allow_interim=True``.
    provenance : Mapping
        Inputs and parameters recorded for the audit manifest.

    Examples
    --------
    >>> from pbr.contracts import preset
    >>> from pbr.payments import pay
    >>> s = pay(preset("tr_crc"), example_assessment(500))
    >>> s.total
    Decimal('0.00')
    """

    contract: Contract
    lines: pd.DataFrame
    provisional: bool = False
    provenance: Mapping[str, Any] = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        """The lines (alias of :attr:`lines`)."""
        return self.lines

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Statement):
            return NotImplemented
        return (
            self.contract == other.contract
            and self.provisional == other.provisional
            and dict(self.provenance) == dict(other.provenance)
            and self.lines.equals(other.lines)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable DataFrame inside: not hashable

    @property
    def total(self) -> Decimal:
        """Exact sum of the rounded line amounts."""
        return money_sum(self.lines["amount"])

    def totals_by_lot(self) -> pd.DataFrame:
        """Total per lot (Decimal), sorted by lot.

        Examples
        --------
        >>> from pbr.contracts import preset
        >>> from pbr.payments import pay
        >>> t = example_assessment(500)  # 500 reoffenders, as expected
        >>> pay(preset("tr_crc"), t).totals_by_lot().to_dict("records")
        [{'lot': 'A', 'total': Decimal('0.00')}]
        """
        totals = sorted(sum_by(self.lines, ["lot"]).items())
        lots = pd.Series([lot for (lot,), _ in totals], dtype=object)
        return pd.DataFrame({"lot": lots, "total": [t for _, t in totals]})

    def to_frame(self) -> pd.DataFrame:
        """A copy of the lines.

        Examples
        --------
        >>> from pbr.contracts import preset
        >>> from pbr.payments import pay
        >>> t = example_assessment(500)  # 500 reoffenders, as expected
        >>> list(pay(preset("tr_crc"), t).to_frame().columns[:3])
        ['lot', 'period', 'component']
        """
        return self.lines.copy()

    def summary(self) -> str:
        """Readable totals by lot and component.

        Examples
        --------
        >>> from pbr.contracts import preset
        >>> from pbr.payments import pay
        >>> t = example_assessment(500)  # 500 reoffenders, as expected
        >>> print(pay(preset("tr_crc"), t).summary().splitlines()[0])
        Statement for contract 'tr_crc' (scheme tr_crc): 1 line(s), total £0.00
        """
        head = (
            f"Statement for contract {self.contract.name!r} (scheme {self.contract.scheme}): "
            f"{len(self.lines)} line(s), total £{self.total}"
        )
        out = [head]
        if self.provisional:
            out.append("PROVISIONAL: computed on interim measures")
        if self.contract.prices_are_illustrative:
            out.append("NOTE: the contract's prices are illustrative")
        by_comp = sum_by(self.lines, ["lot", "component"])
        for (lot,), total in sorted(sum_by(self.lines, ["lot"]).items()):
            parts = [f"{c} £{by_comp[lot, c]}" for c in COMPONENTS if (lot, c) in by_comp]
            out.append(f"  {lot}: £{total} ({', '.join(parts)})")
        flagged = self.lines[self.lines["termination"]]
        for _, r in flagged.iterrows():
            out.append(f"  TERMINATION FLAG: {r['lot']} {r['period']} ({r['note']})")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head = html.escape(self.summary().splitlines()[0])
        return f"<p><b>{head}</b></p>" + self.lines.to_html(index=False)

    def plot(self, ax: Any = None) -> Any:
        """Stacked bar chart of the amount per lot by component; returns the Axes.

        Examples
        --------
        >>> from pbr.contracts import preset
        >>> from pbr.payments import pay
        >>> t = example_assessment(500)  # 500 reoffenders, as expected
        >>> ax = pay(preset("tr_crc"), t).plot()
        >>> ax.get_ylabel()
        'amount (£)'
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4))
        lots = sorted(set(self.lines["lot"]))
        x = np.arange(len(lots))
        pos = np.zeros(len(lots))
        neg = np.zeros(len(lots))
        by_comp = sum_by(self.lines, ["component", "lot"])
        for comp in COMPONENTS:
            if not any(c == comp for c, _ in by_comp):
                continue
            # plotting only: money stays Decimal everywhere else
            vals = np.array([float(by_comp.get((comp, lot), _ZERO)) for lot in lots])
            bottom = np.where(vals >= 0, pos, neg)
            ax.bar(x, vals, bottom=bottom, label=comp)
            pos += np.where(vals >= 0, vals, 0)
            neg += np.where(vals < 0, vals, 0)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xticks(x, lots, rotation=90 if len(lots) > 6 else 0)
        ax.set_ylabel("amount (£)")
        ax.set_title(f"Payments by lot: {self.contract.name}")
        if len(lots):
            ax.legend(fontsize="small")
        return ax

    def write(self, directory: str | Path) -> Path:
        """Write statement.csv/.json/.parquet and manifest.json (see :mod:`pbr.payments.writers`).

        Examples
        --------
        >>> import tempfile
        >>> from pbr.contracts import preset
        >>> from pbr.payments import pay
        >>> t = example_assessment(500)
        >>> d = pay(preset("tr_crc"), t).write(tempfile.mkdtemp())
        >>> sorted(p.name for p in d.iterdir())
        ['manifest.json', 'statement.csv', 'statement.json', 'statement.parquet']
        """
        return write_statement(self, directory)
