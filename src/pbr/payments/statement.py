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

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pbr.contracts import Contract, money_sum
from pbr.formatting import format_count, format_money
from pbr.payments.lines import _ZERO, COMPONENTS, sum_by
from pbr.payments.writers import write_statement
from pbr.results import Result, Summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

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
class Statement(Result):
    """A payment statement: one line per (lot, period, component[, item]).

    A pbr result (``docs/api.md``, "The result protocol"): :attr:`table` is the
    lines; :meth:`summary` gives the total and each lot's amount by component;
    :meth:`plot` is the payment waterfall (:func:`pbr.report.plot_waterfall`).

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
        """The lines (the same frame as :attr:`lines`)."""
        return self.lines

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

    def summary(self) -> Summary:
        """The total, each lot's amount by component, and any flags.

        Examples
        --------
        >>> from pbr.contracts import preset
        >>> from pbr.payments import pay
        >>> s = pay(preset("tr_crc"), example_assessment(450)).summary()
        >>> print(s)  # doctest: +NORMALIZE_WHITESPACE
        Statement for contract 'tr_crc' (scheme tr_crc)
          lines: 1
          total: £75,000.00
        lot   binary    total
          A 75000.00 75000.00
        NOTE: the contract's prices are illustrative
        """
        by_comp = sum_by(self.lines, ["lot", "component"])
        lots = sorted(lot for (lot,) in sum_by(self.lines, ["lot"]))
        present = [c for c in COMPONENTS if any(k[1] == c for k in by_comp)]
        frame = pd.DataFrame({"lot": pd.Series(lots, dtype=object)})
        for c in present:
            frame[c] = pd.Series([by_comp.get((lot, c), _ZERO) for lot in lots], dtype=object)
        totals = sum_by(self.lines, ["lot"])
        frame["total"] = pd.Series([totals[(lot,)] for lot in lots], dtype=object)
        notes = []
        if self.provisional:
            notes.append("PROVISIONAL: computed on interim measures")
        if self.contract.prices_are_illustrative:
            notes.append("NOTE: the contract's prices are illustrative")
        for _, r in self.lines[self.lines["termination"]].iterrows():
            notes.append(f"TERMINATION FLAG: {r['lot']} {r['period']} ({r['note']})")
        return Summary(
            f"Statement for contract {self.contract.name!r} (scheme {self.contract.scheme})",
            frame,
            figures={"lines": format_count(len(self.lines)), "total": format_money(self.total)},
            notes=notes,
        )

    def __str__(self) -> str:
        return self.summary().as_text()

    def plot(self, ax: Axes | None = None) -> Axes:
        """The payment waterfall of the whole statement (:func:`pbr.report.plot_waterfall`).

        Examples
        --------
        >>> from pbr.contracts import preset
        >>> from pbr.payments import pay
        >>> ax = pay(preset("tr_crc"), example_assessment(450)).plot()
        >>> ax.get_ylabel(), ax.texts[-1].get_text()
        ('amount (£)', '£75,000.00')
        """
        from pbr.report import plot_waterfall

        return plot_waterfall(self.lines, ax=ax)

    def to_excel(
        self,
        path: str | Path,
        *,
        manifest_sha256: str | None = None,
        lines_file: tuple[str, str] | None = None,
    ) -> Path:
        """Write an ``.xlsx`` workbook in MoJ's CRC layout (:func:`pbr.report.statement_to_excel`).

        The Summary sheet's "All lots" total is :attr:`total`, as a number formatted
        as money (docs/methodology.md#payment-lines).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from openpyxl import load_workbook
        >>> from pbr.contracts import preset
        >>> from pbr.payments import pay
        >>> s = pay(preset("tr_crc"), example_assessment(450))
        >>> ws = load_workbook(s.to_excel(pathlib.Path(tempfile.mkdtemp()) / "s.xlsx"))["Summary"]
        >>> ws.cell(ws.max_row, ws.max_column).value
        75000
        """
        from pbr.report.xlsx import statement_to_excel  # the report layer is below: lazy

        return statement_to_excel(
            self, path, manifest_sha256=manifest_sha256, lines_file=lines_file
        )

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
