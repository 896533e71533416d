"""The payment engine: contract × assessment table → statement of payment lines (SPEC §7).

The engine's input is an **assessment table**: aggregate rows, one per
``lot × period``, as produced by ``pbr.baseline.compare_to_baseline`` from
microdata or read from a published measures table. Columns used (per component):

``binary`` (quarterly rows, labels like ``2015Q4``)
    required ``lot, period, cohort_size`` (N), ``reoffenders`` (O),
    ``baseline_binary``; expected reoffenders from ``expected_reoffenders`` (E),
    else ``expected_rate × N``, else ``baseline_binary × N`` (unadjusted);
    optional ``expected_variance`` (V; missing → binomial approximation
    ``N e(1 − e)`` as in :func:`pbr.adjustment.binary_test`), ``reoffences``,
    ``status`` (``final``/``interim``; missing = final).
``frequency`` (annual rows: ``2015/16`` or ``2015``; or ``annual_table``)
    ``per_reoffender``: ``reoffences_per_reoffender`` (else ``reoffences /
    reoffenders``) and ``baseline_frequency``; ``per_offender``:
    ``reoffences_per_offender`` (else ``reoffences / cohort_size``) and
    ``baseline_reoffences_per_offender``. Significance (Welch,
    :func:`pbr.adjustment.frequency_test`) needs ``frequency_sd,
    baseline_frequency_sd, baseline_reoffenders``; without them it cannot be
    computed, which is an error only when the contract requires significance.
    The binary hurdle uses the same row's binary columns.

Statistics are always recomputed with the contract's ``alpha`` and ``form``
through :mod:`pbr.adjustment`; ``z``/``p_value``/``outcome`` columns in the
input are ignored.

Peterborough (``scheme = "peterborough_sib"``) table, one row per cohort:
``cohort``, ``treated_n``, ``treated_events`` or ``treated_events_per_100``,
``comparison_events_per_100`` or (``comparison_n`` and ``comparison_events``);
optional ``lot`` (default ``PETERBOROUGH``) and ``status``.

Doncaster (``scheme = "doncaster"``) table, one row per annual cohort:
``cohort``, ``core_contract_value`` and either ``cohort_rate`` and
``baseline_rate`` (proportions), or ``cohort_size``, ``reconvicted`` and
``baseline_rate``, or ``change_pp`` directly; optional ``lot`` (default
``DONCASTER``) and ``status``.

Money: every line's ``amount = price × units`` is computed in
:class:`~decimal.Decimal` and rounded **once** with the contract's rounding
(default ``ROUND_HALF_UP`` to the penny); totals are exact sums of rounded lines.
The units themselves are computed in Decimal from each input's printed value
(``Decimal(repr(x))``), never as a float difference: ``E − O`` for binary,
``baseline × O − R`` (or ``(baseline − observed) × O`` when only the rate is given)
for frequency, ``comparison events expected − treated events`` for Peterborough and
the volume in each band for fees; the float ``units`` column shows the same value.
All of it runs in :data:`pbr.contracts.MONEY_CONTEXT`, whatever the caller's
decimal context is.

Examples
--------
>>> import pandas as pd
>>> from pbr.contracts import preset
>>> from pbr.payments import pay
>>> t = pd.DataFrame({"lot": ["CPA01"], "period": ["2015Q4"], "cohort_size": [1000],
...                   "reoffenders": [450], "expected_reoffenders": [500.0],
...                   "expected_variance": [250.0], "baseline_binary": [0.5]})
>>> s = pay(preset("tr_crc"), t)
>>> line = s.lines.iloc[0]
>>> line["component"], line["outcome"], float(line["units"]), line["amount"]
('binary', 'significant_reduction', 50.0, Decimal('75000.00'))
"""

from __future__ import annotations

import decimal
import html
import re
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from pbr.adjustment import binary_test, frequency_test
from pbr.contracts import MONEY_CONTEXT, Contract, money_sum
from pbr.errors import IgnoredOptionWarning, InterimMeasureError, PbrError

__all__ = [
    "COMPONENTS",
    "LINE_COLUMNS",
    "LINE_KINDS",
    "Statement",
    "example_assessment",
    "pay",
    "pay_from_files",
    "read_table",
    "sum_by",
]

#: Line components in statement order.
COMPONENTS = (
    "binary",
    "frequency",
    "cohort_outcome",
    "pooled_outcome",
    "target",
    "fee_for_service",
    "cap",
    "collar",
    "total_cap",
)

#: Statement line columns, in order, with the kind of value each holds: ``text``,
#: ``float`` (counts and statistics), ``money`` (Decimal) or ``flag`` (bool). The
#: in-memory frame (:func:`pay`) and every file (:mod:`pbr.audit`) follow these kinds.
LINE_KINDS: dict[str, str] = {
    "lot": "text",
    "period": "text",
    "component": "text",
    "item": "text",
    "status": "text",
    "cohort_size": "float",
    "reoffenders": "float",
    "reoffences": "float",
    "expected_reoffenders": "float",
    "baseline": "float",
    "observed": "float",
    "adjusted_rate": "float",
    "change": "float",
    "z": "float",
    "p_value": "float",
    "outcome": "text",
    "price": "money",
    "units": "float",
    "amount": "money",
    "provisional": "flag",
    "termination": "flag",
    "note": "text",
}
#: Statement line columns, in order.
LINE_COLUMNS = tuple(LINE_KINDS)
FLOAT_COLUMNS = tuple(c for c, k in LINE_KINDS.items() if k == "float")
MONEY_COLUMNS = tuple(c for c, k in LINE_KINDS.items() if k == "money")
PBR_INCOME = ("binary", "frequency", "cohort_outcome", "pooled_outcome")
DEDUCTIONS = ("binary", "target")

_QUARTER = re.compile(r"^\d{4}Q[1-4]$")
_FY = re.compile(r"^\d{4}/\d{2}$")
_CY = re.compile(r"^\d{4}$")
_ZERO = Decimal("0.00")


def _period_kind(label: str) -> str:
    if _QUARTER.match(label):
        return "quarter"
    if _FY.match(label):
        return "financial_year"
    if _CY.match(label):
        return "calendar_year"
    return "other"


def _contract_year(label: str, kind: str) -> str:
    """The contract year a period belongs to (quarters map into years; others as-is)."""
    if _QUARTER.match(label):
        y, q = int(label[:4]), int(label[-1])
        if kind == "calendar_year":
            return str(y)
        start = y - 1 if q == 1 else y
        return f"{start}/{(start + 1) % 100:02d}"
    return label


def _dec(x: float) -> Decimal:
    """The decimal a float statistic prints as (its shortest round-trip ``repr``), exactly."""
    return Decimal(repr(float(x)))


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


def sum_by(lines: pd.DataFrame, keys: list[str]) -> dict[tuple[str, ...], Decimal]:
    """Exact Decimal total of ``lines["amount"]`` per group of ``keys`` (values as text).

    Runs in :data:`pbr.contracts.MONEY_CONTEXT`; only groups that have lines
    appear. Used for statement totals and by :func:`pbr.whatif.what_if`.

    Examples
    --------
    >>> from decimal import Decimal
    >>> lines = pd.DataFrame({"lot": ["B", "A", "B"],
    ...                       "amount": [Decimal("1.10"), Decimal("2.00"), Decimal("-0.05")]})
    >>> sorted(sum_by(lines, ["lot"]).items())
    [(('A',), Decimal('2.00')), (('B',), Decimal('1.05'))]
    """
    out: dict[tuple[str, ...], Decimal] = {}
    cols = [lines[k].astype(str).tolist() for k in keys]
    with decimal.localcontext(MONEY_CONTEXT):
        for key, amount in zip(zip(*cols, strict=True), lines["amount"], strict=True):
            out[key] = out.get(key, _ZERO) + amount  # loop over statement lines (few)
    return out


# --------------------------------------------------------------------------- statement


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
        """Write statement.csv/.json/.parquet and manifest.json (see :mod:`pbr.audit`).

        Examples
        --------
        >>> import tempfile
        >>> from pbr.contracts import preset
        >>> t = example_assessment(500)
        >>> d = pay(preset("tr_crc"), t).write(tempfile.mkdtemp())
        >>> sorted(p.name for p in d.iterdir())
        ['manifest.json', 'statement.csv', 'statement.json', 'statement.parquet']
        """
        from pbr.audit import write_statement

        return write_statement(self, directory)


# --------------------------------------------------------------------------- helpers


def _as_table(assessment: Any, name: str) -> pd.DataFrame:
    table = getattr(assessment, "table", assessment)
    if not isinstance(table, pd.DataFrame):
        raise PbrError(
            f"{name}: expected a DataFrame or an object with .table, got "
            f"{type(assessment).__name__}"
        )
    return table.reset_index(drop=True)


def _require(table: pd.DataFrame, cols: tuple[str, ...], what: str) -> None:
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise PbrError(f"{what}: missing column(s) {', '.join(missing)}")


def _num(table: pd.DataFrame, col: str, what: str) -> np.ndarray:
    try:
        return np.asarray(pd.to_numeric(table[col], errors="raise"), dtype=float)
    except (ValueError, TypeError):
        bad = table[col][pd.to_numeric(table[col], errors="coerce").isna() & table[col].notna()]
        raise PbrError(
            f"{what}: column {col!r} is not numeric (row {int(bad.index[0]) + 1}: {bad.iloc[0]!r})"
        ) from None


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a / b`` where ``b > 0``, else NaN (no division warnings)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)


def _require_unique(table: pd.DataFrame, cols: tuple[str, ...], what: str) -> None:
    """Each key (e.g. lot × period) is paid once: a repeated key is an error, never paid twice."""
    present = tuple(c for c in cols if c in table.columns)
    counts = Counter(zip(*(_strings(table, c, "") for c in present), strict=True))
    repeated = sorted(k for k, c in counts.items() if c > 1)
    if repeated:
        key = " ".join(f"{c} {v}" for c, v in zip(present, repeated[0], strict=True))
        more = f" (and {len(repeated) - 1} more repeated keys)" if len(repeated) > 1 else ""
        raise PbrError(
            f"{what}: {key} appears in {counts[repeated[0]]} rows{more}; each "
            f"{' × '.join(present)} is paid once"
        )


def _shown(table: pd.DataFrame, col: str, i: int) -> str:
    """The repr of a cell as the user wrote it (``-4``, not ``np.int64(-4)``)."""
    value = table[col].iloc[i]
    return repr(value.item() if isinstance(value, np.generic) else value)


def _refuse(table: pd.DataFrame, bad: np.ndarray, col: str, rule: str, what: str) -> None:
    """Raise naming the first row's lot × period, the column, the rule and the value."""
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        lot, period = _strings(table, "lot", "")[i], _strings(table, "period", "")[i]
        shown = _shown(table, col, i)
        raise PbrError(f"{what}: lot {lot} period {period}: {col} {rule}, got {shown}")


def _check_counts(
    table: pd.DataFrame, n: np.ndarray, o: np.ndarray, r: np.ndarray | None, what: str
) -> None:
    """N, O (and R) must be counts: present, >= 0, and O <= N."""
    _refuse(table, ~(n >= 0), "cohort_size", "must be a count >= 0", what)
    _refuse(
        table, ~((o >= 0) & (o <= n)), "reoffenders", "must be a count in [0, cohort_size]", what
    )
    if r is not None:
        _refuse(table, r < 0, "reoffences", "must be a count >= 0", what)


def _opt(table: pd.DataFrame, col: str, what: str) -> np.ndarray | None:
    if col not in table.columns:
        return None
    return _num(table, col, what)


def _strings(table: pd.DataFrame, col: str, default: str) -> list[str]:
    if col not in table.columns:
        return [default] * len(table)
    return ["" if pd.isna(v) else str(v) for v in table[col]]


def _statuses(table: pd.DataFrame) -> list[str]:
    return [s or "final" for s in _strings(table, "status", "final")]


def _keys(table: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """Each row's lot, period and status (missing status = final); lot and period are required."""
    lots, periods = _strings(table, "lot", ""), _strings(table, "period", "")
    for col, values in (("lot", lots), ("period", periods)):
        if "" in values:
            row = int(table.index[values.index("")]) + 1  # the index keeps input row numbers
            raise PbrError(f"assessment table: row {row}: {col} is missing")
    return lots, periods, _statuses(table)


def _filter(table: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    keep = np.ones(len(table), dtype=bool)
    if contract.lots and "lot" in table.columns:
        keep &= table["lot"].astype(str).isin(contract.lots).to_numpy()
    if contract.periods and "period" in table.columns:
        keep &= table["period"].astype(str).isin(contract.periods).to_numpy()
    return table.loc[keep]  # the index keeps the input's row numbers for messages


def _check_interim(rows: list[tuple[str, str, str]], allow_interim: bool) -> bool:
    interim = sorted({(lot, period) for lot, period, status in rows if status == "interim"})
    if interim and not allow_interim:
        shown = ", ".join(f"{lot} {period}" for lot, period in interim[:10])
        more = f" and {len(interim) - 10} more" if len(interim) > 10 else ""
        raise InterimMeasureError(
            f"{len(interim)} row(s) are interim measures ({shown}{more}); payment needs final "
            "measures — pass allow_interim=True (--allow-interim) for a provisional statement"
        )
    bad = sorted({s for _, _, s in rows if s not in ("final", "interim")})
    if bad:
        raise PbrError(f"status: unknown value(s) {', '.join(bad)} (expected final or interim)")
    return bool(interim)


def _line(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict.fromkeys(LINE_COLUMNS, np.nan)
    base.update(item="", status="final", outcome="", note="", termination=False, provisional=False)
    base.update(kw)
    return base


def _money_line(contract: Contract, price: Decimal, units: Decimal, **kw: Any) -> dict[str, Any]:
    """A priced line: ``amount = price × units`` in Decimal, rounded once.

    ``units`` is already an exact Decimal computed from the inputs' printed values
    (e.g. ``Decimal(repr(E)) − Decimal(repr(O))``), never a float difference; the
    ``units`` column shows it as the nearest float.
    """
    amount = _ZERO if units.is_zero() else contract.rounding.apply(price * units)
    return _line(price=price, units=float(units), amount=amount, **kw)


# --------------------------------------------------------------------------- components


def _binary_stats(t: pd.DataFrame, contract: Contract, what: str) -> dict[str, np.ndarray]:
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
        e = rate * n if rate is not None else b * n
    else:
        rule = "must be in [0, cohort_size]"
        _refuse(t, ~((e >= 0) & (e <= n * (1 + 1e-9))), "expected_reoffenders", rule, what)
    v = _opt(t, "expected_variance", what)
    if v is not None:
        er = _ratio(e, n)
        v = np.where(np.isnan(v), n * er * (1 - er), v)
    bt = binary_test(o, e, n, b, variance=v, alpha=contract.alpha, form=contract.form)  # type: ignore[arg-type]
    r = _opt(t, "reoffences", what)
    return {
        "n": n,
        "o": o,
        "e": e,
        "b": b,
        "r": r if r is not None else np.full(len(t), np.nan),
        "adjusted": bt["adjusted_rate"].to_numpy(),
        "change": bt["change_pp"].to_numpy(),
        "z": bt["z"].to_numpy(),
        "p": bt["p_value"].to_numpy(),
        "outcome": bt["outcome"].to_numpy().astype(str),
    }


def _binary_lines(t: pd.DataFrame, contract: Contract) -> list[dict[str, Any]]:
    comp = contract.binary
    assert comp is not None
    s = _binary_stats(t, contract, "binary assessment table")
    _require_unique(t, ("lot", "period"), "binary assessment table")
    lots, periods, statuses = _keys(t)
    observed = _ratio(s["o"], s["n"])
    out = []
    for i in range(len(t)):
        outcome = s["outcome"][i]
        units = _ZERO
        if outcome in ("significant_reduction", "significant_increase"):
            units = _dec(s["e"][i]) - _dec(s["o"][i])  # E − O exactly, not a float difference
        if outcome == "significant_reduction":
            price, note = comp.price_per_reoffender_avoided, "payment: significant reduction"
        elif outcome == "significant_increase":
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


def _frequency_lines(t: pd.DataFrame, contract: Contract) -> list[dict[str, Any]]:
    comp = contract.frequency
    assert comp is not None
    what = "frequency (annual) assessment table"
    _require(t, ("lot", "period", "cohort_size", "reoffenders"), what)
    _require_unique(t, ("lot", "period"), what)
    n = _num(t, "cohort_size", what)
    o = _num(t, "reoffenders", what)
    r = _opt(t, "reoffences", what)
    _check_counts(t, n, o, r, what)
    # per reoffender: R / O against baseline_frequency; per offender: R / N
    rate_col, base_col, mult = {
        "per_reoffender": ("reoffences_per_reoffender", "baseline_frequency", o),
        "per_offender": ("reoffences_per_offender", "baseline_reoffences_per_offender", n),
    }[comp.measure]
    obs = _opt(t, rate_col, what)
    from_counts = obs is None  # observed = R / mult, so avoided = base × mult − R exactly
    if obs is None:
        if r is None:
            raise PbrError(f"{what}: needs {rate_col} or reoffences")
        obs = _ratio(r, mult)
    _require(t, (base_col,), what)
    base = _num(t, base_col, what)
    sd_cols = ("frequency_sd", "baseline_frequency_sd", "baseline_reoffenders")
    if comp.measure == "per_reoffender" and all(c in t.columns for c in sd_cols):
        ft = frequency_test(
            obs,
            _num(t, "frequency_sd", what),
            o,
            base,
            _num(t, "baseline_frequency_sd", what),
            _num(t, "baseline_reoffenders", what),
            alpha=contract.alpha,
        )
        z = ft["frequency_t"].to_numpy()
        p = ft["frequency_p_value"].to_numpy()
        f_out = ft["frequency_outcome"].to_numpy().astype(str)
    else:
        if comp.require_significance:
            raise PbrError(
                f"{what}: the contract requires frequency significance "
                "(frequency.require_significance = true) but the table lacks "
                f"{', '.join(c for c in sd_cols if c not in t.columns)}; frequency "
                "significance cannot be computed"
            )
        z = p = np.full(len(t), np.nan)
        f_out = np.full(len(t), "not_tested")
    if comp.binary_hurdle:
        hurdle = _binary_stats(t, contract, f"{what} (binary hurdle)")["outcome"]
    else:
        hurdle = np.full(len(t), "")
    lots, periods, statuses = _keys(t)
    out = []
    for i in range(len(t)):
        units = _ZERO
        if np.isnan((base[i] - obs[i]) * mult[i]):
            note = "frequency undefined (no reoffenders)"
        else:
            if from_counts and r is not None:  # (base − R/M) × M = base × M − R, exactly
                avoided = _dec(base[i]) * _dec(mult[i]) - _dec(r[i])
            else:
                avoided = (_dec(base[i]) - _dec(obs[i])) * _dec(mult[i])
            if avoided <= 0:
                note = "no reduction in frequency"
            elif comp.binary_hurdle and hurdle[i] != "significant_reduction":
                note = f"binary hurdle not met ({hurdle[i]})"
            elif comp.require_significance and f_out[i] != "significant_reduction":
                note = f"frequency change not significant ({f_out[i]})"
            else:
                units, note = avoided, "payment: reoffences avoided"
        out.append(
            _money_line(
                contract,
                comp.price_per_reoffence_avoided,
                units,
                lot=lots[i],
                period=periods[i],
                component="frequency",
                status=statuses[i],
                cohort_size=n[i],
                reoffenders=o[i],
                reoffences=np.nan if r is None else r[i],
                baseline=base[i],
                observed=obs[i],
                change=obs[i] - base[i],
                z=z[i],
                p_value=p[i],
                outcome=f_out[i],
                note=note,
            )
        )
    return out


def _fee_lines(volumes: pd.DataFrame, contract: Contract) -> list[dict[str, Any]]:
    what = "volumes table"
    _require(volumes, ("lot", "period", "unit", "volume"), what)
    if contract.lots:  # volumes follow the contract's lots; periods are the volumes' own
        volumes = volumes.loc[volumes["lot"].astype(str).isin(contract.lots).to_numpy()]
    row = volumes.index.to_numpy() + 1  # row numbers of the input table, for messages
    _require_unique(volumes, ("lot", "period", "unit"), what)
    vol = _num(volumes, "volume", what)
    if np.any(np.isnan(vol)) or np.any(vol < 0):
        i = int(np.flatnonzero(np.isnan(vol) | (vol < 0))[0])
        raise PbrError(
            f"{what}: row {row[i]}: volume must be >= 0, got {_shown(volumes, 'volume', i)}"
        )
    units_known = {b.unit for b in contract.fee_for_service}
    lots, periods, units = (_strings(volumes, c, "") for c in ("lot", "period", "unit"))
    out = []
    for i in range(len(volumes)):
        if units[i] not in units_known:
            raise PbrError(
                f"{what}: row {row[i]}: unit {units[i]!r} has no fee_for_service band "
                f"(contract units: {', '.join(sorted(units_known)) or 'none'})"
            )
        for band in contract.fee_for_service:
            if band.unit != units[i]:
                continue
            v = _dec(vol[i])
            hi = v if band.max_volume is None else min(v, _dec(band.max_volume))
            in_band = max(_ZERO, hi - _dec(band.min_volume))
            out.append(
                _money_line(
                    contract,
                    band.price_per_unit,
                    in_band,
                    lot=lots[i],
                    period=periods[i],
                    component="fee_for_service",
                    item=band.name,
                    note=f"{vol[i]:g} {band.unit}(s) in total",
                )
            )
    return out


def _peterborough_lines(t: pd.DataFrame, contract: Contract) -> list[dict[str, Any]]:
    comp = contract.comparison
    assert comp is not None
    what = "Peterborough table"
    _require(t, ("cohort", "treated_n"), what)
    _require_unique(t, ("lot", "cohort"), what)
    n = _num(t, "treated_n", what)
    # Events avoided = comparison events expected for the treated − treated events, computed
    # in Decimal from the printed inputs with one division at the end of each term.
    treated: list[Decimal]
    expected: list[Decimal]
    if "treated_events" in t.columns:
        ev = _num(t, "treated_events", what)
        t100 = 100 * ev / n
        treated = [_dec(x) for x in ev]
    else:
        _require(t, ("treated_events_per_100",), what)
        t100 = _num(t, "treated_events_per_100", what)
        treated = [_dec(x) * _dec(m) / 100 for x, m in zip(t100, n, strict=True)]
    if "comparison_events_per_100" in t.columns:
        c100 = _num(t, "comparison_events_per_100", what)
        expected = [_dec(x) * _dec(m) / 100 for x, m in zip(c100, n, strict=True)]
    else:
        _require(t, ("comparison_n", "comparison_events"), what)
        ce, cn = _num(t, "comparison_events", what), _num(t, "comparison_n", what)
        c100 = 100 * ce / cn
        if np.any(~(cn > 0)):
            i = int(np.flatnonzero(~(cn > 0))[0])
            raise PbrError(f"{what}: row {i + 1}: comparison_n must be > 0")
        expected = [_dec(e) * _dec(m) / _dec(c) for e, m, c in zip(ce, n, cn, strict=True)]
    if np.any(~(n > 0)) or np.any(~(c100 > 0)):
        i = int(np.flatnonzero(~(n > 0) | ~(c100 > 0))[0])
        raise PbrError(f"{what}: row {i + 1}: treated_n and the comparison rate must be > 0")
    if np.any(~(t100 >= 0)):
        i = int(np.flatnonzero(~(t100 >= 0))[0])
        raise PbrError(
            f"{what}: row {i + 1}: the treated events must be >= 0, got {t100[i]:g} per 100"
        )
    cohorts = _strings(t, "cohort", "")
    lots, statuses = _strings(t, "lot", "PETERBOROUGH"), _statuses(t)
    if len(set(lots)) > 1:
        raise PbrError(
            f"{what}: one lot per table (its cohorts are pooled), got lots "
            f"{', '.join(sorted(set(lots)))}"
        )
    rr = 1 - t100 / c100
    avoided = [x - y for x, y in zip(expected, treated, strict=True)]
    out = []
    paid_units = _ZERO
    for i in range(len(t)):
        ok = round(float(rr[i]), 10) >= comp.cohort_threshold
        units = avoided[i] if ok else _ZERO
        paid_units += units
        note = (
            f"relative reduction {rr[i]:.1%} "
            f"{'>=' if ok else '<'} cohort threshold {comp.cohort_threshold:.1%}"
        )
        out.append(
            _money_line(
                contract,
                comp.price_per_event_avoided,
                units,
                lot=lots[i],
                period=f"cohort {cohorts[i]}",
                component="cohort_outcome",
                status=statuses[i],
                cohort_size=n[i],
                baseline=c100[i],
                observed=t100[i],
                change=rr[i],
                outcome="threshold_met" if ok else "threshold_not_met",
                note=note,
            )
        )
    # pooled assessment: once at least two cohorts are present
    if len(t) >= 2:
        total_n = n.sum()
        pt = float((t100 * n).sum() / total_n)
        pc = float((c100 * n).sum() / total_n)
        prr = 1 - pt / pc
        ok = round(prr, 10) >= comp.pooled_threshold
        pooled_avoided = sum(avoided, _ZERO)  # = (pc − pt) / 100 × Σ n
        units = max(_ZERO, pooled_avoided - paid_units) if ok else _ZERO
        note = (
            f"pooled relative reduction {prr:.1%} {'>=' if ok else '<'} pooled threshold "
            f"{comp.pooled_threshold:.1%}; units = pooled events avoided "
            f"({pooled_avoided:.2f}) less units already paid by cohorts ({paid_units:.2f})"
        )
        out.append(
            _money_line(
                contract,
                comp.price_per_event_avoided,
                units,
                lot=lots[0],
                period="pooled",
                component="pooled_outcome",
                status="interim" if "interim" in statuses else "final",
                cohort_size=total_n,
                baseline=pc,
                observed=pt,
                change=prr,
                outcome="threshold_met" if ok else "threshold_not_met",
                note=note,
            )
        )
    return out


def _doncaster_lines(t: pd.DataFrame, contract: Contract) -> list[dict[str, Any]]:
    comp = contract.target
    assert comp is not None
    what = "Doncaster table"
    _require(t, ("cohort", "core_contract_value"), what)
    _require_unique(t, ("lot", "cohort"), what)
    n = _opt(t, "cohort_size", what)
    base = _opt(t, "baseline_rate", what)
    rate = _opt(t, "cohort_rate", what)
    if rate is None and n is not None and "reconvicted" in t.columns:
        rate = _num(t, "reconvicted", what) / n
    for col, values in (("cohort_rate", rate), ("baseline_rate", base)):
        if values is not None and np.any((values < 0) | (values > 1)):
            i = int(np.flatnonzero((values < 0) | (values > 1))[0])
            raise PbrError(
                f"{what}: row {i + 1}: {col} must be a proportion in [0, 1], got {values[i]:g}"
            )
    if rate is not None and base is not None:
        change = 100 * (rate - base)
    elif "change_pp" in t.columns:
        change = _num(t, "change_pp", what)
    else:
        raise PbrError(
            f"{what}: needs cohort_rate and baseline_rate, or cohort_size, reconvicted "
            "and baseline_rate, or change_pp"
        )
    cohorts, lots, statuses = (
        _strings(t, "cohort", ""),
        _strings(t, "lot", "DONCASTER"),
        _statuses(t),
    )
    out = []
    for i in range(len(t)):
        raw = str(t["core_contract_value"].iloc[i]).strip()
        try:
            value = Decimal(raw)
        except ArithmeticError:
            raise PbrError(
                f"{what}: row {i + 1}: core_contract_value {raw!r} is not an amount"
            ) from None
        exponent = value.as_tuple().exponent
        if (
            not value.is_finite()
            or value < 0
            or (isinstance(exponent, int) and exponent < -2)
            or (not value.is_zero() and value.adjusted() >= 14)
        ):
            raise PbrError(
                f"{what}: row {i + 1}: core_contract_value must be >= 0 in pence, with at most "
                f"14 digits before the point, got {raw}"
            )
        if np.isnan(change[i]):
            raise PbrError(f"{what}: row {i + 1}: the change against the baseline is missing")
        met = round(float(change[i]), 10) <= -comp.reduction_pp
        share = _ZERO if met else -comp.repayment_share
        amount = contract.rounding.apply(value * share)
        out.append(
            _line(
                lot=lots[i],
                period=f"cohort {cohorts[i]}",
                component="target",
                status=statuses[i],
                cohort_size=np.nan if n is None else n[i],
                baseline=np.nan if base is None else base[i],
                observed=np.nan if rate is None else rate[i],
                change=change[i],
                outcome="target_met" if met else "target_missed",
                price=value,
                units=float(share),
                amount=amount,
                note=(
                    f"change {change[i]:+.1f} pp vs target -{comp.reduction_pp:g} pp: "
                    + (
                        "met"
                        if met
                        else f"missed, repay {comp.repayment_share} of core contract value"
                    )
                ),
            )
        )
    return out


def _limit_lines(
    totals: Mapping[tuple[str, str], Decimal],
    limit: Decimal | None,
    component: str,
    sign: int,
    note: str,
    contract: Contract,
) -> list[dict[str, Any]]:
    """One visible line per (lot, year) whose total exceeds ``limit``.

    ``amount = sign × (total − limit)``: a cap takes the excess income back
    (``sign = −1``), a collar gives the excess deduction back (``sign = +1``).
    ``note`` is formatted with ``total`` and ``limit``.
    """
    if limit is None:
        return []
    return [
        _line(
            lot=lot,
            period=year,
            component=component,
            price=limit,
            units=1.0,
            amount=contract.rounding.apply(sign * (total - limit)),
            note=note.format(total=total, limit=limit),
        )
        for (lot, year), total in sorted(totals.items())
        if total > limit
    ]


def _cap_collar_lines(lines: list[dict[str, Any]], contract: Contract) -> list[dict[str, Any]]:
    income: dict[tuple[str, str], Decimal] = {}  # positive PbR income per lot × contract year
    deductions: dict[tuple[str, str], Decimal] = {}  # deductions as positive amounts
    for ln in lines:
        key = (ln["lot"], _contract_year(ln["period"], contract.contract_year))
        if ln["component"] in PBR_INCOME and ln["amount"] > 0:
            income[key] = income.get(key, _ZERO) + ln["amount"]
        if ln["component"] in DEDUCTIONS and ln["amount"] < 0:
            deductions[key] = deductions.get(key, _ZERO) - ln["amount"]
    caps, collars = contract.caps, contract.collars
    out = _limit_lines(
        income,
        caps.pbr_income_per_lot_per_year,
        "cap",
        -1,
        "PbR income £{total} capped at £{limit} per lot per year",
        contract,
    )
    out += _limit_lines(
        deductions,
        collars.deductions_per_lot_per_year,
        "collar",
        +1,
        "deductions £{total} collared at £{limit} per lot per year",
        contract,
    )
    capped = money_sum(ln["amount"] for ln in out if ln["component"] == "cap")
    net = money_sum(income.values()) + capped  # PbR income after the per-lot caps
    out += _limit_lines(
        {("ALL", "ALL"): net},
        caps.total_pbr_income,
        "total_cap",
        -1,
        "total PbR income £{total} capped at £{limit}",
        contract,
    )
    return out


# --------------------------------------------------------------------------- pay


def pay(
    contract: Contract,
    assessment: Any,
    *,
    volumes: pd.DataFrame | None = None,
    allow_interim: bool = False,
    annual_table: Any = None,
) -> Statement:
    """Compute a payment statement from a contract and an assessment table.

    Parameters
    ----------
    contract : Contract
    assessment : pandas.DataFrame or object with ``.table``
        An assessment table (module notes list the columns per component), or
        for the Peterborough/Doncaster schemes their aggregate table. Quarterly
        rows feed ``binary``; annual rows (``2015/16``, ``2015``) feed
        ``frequency`` unless ``annual_table`` is given.
    volumes : pandas.DataFrame, optional
        Fee-for-service volumes: ``lot, period, unit, volume``.
    allow_interim : bool, default False
        Pay on interim rows; every line is then marked provisional.
    annual_table : DataFrame or object with ``.table``, optional
        Annual assessment rows for the frequency component.

    Returns
    -------
    Statement

    Raises
    ------
    InterimMeasureError
        Interim rows without ``allow_interim=True``.
    PbrError
        Missing or non-numeric columns (named), unknown fee units.

    Examples
    --------
    >>> from pbr.contracts import preset
    >>> s = pay(preset("tr_crc"), example_assessment(550))  # 50 more than expected
    >>> s.lines.loc[0, "amount"], bool(s.lines.loc[0, "termination"])
    (Decimal('-75000.00'), False)
    """
    with decimal.localcontext(MONEY_CONTEXT):
        return _pay(contract, assessment, volumes, allow_interim, annual_table)


def _check_contract_years(annual: pd.DataFrame, contract: Contract) -> None:
    """Annual rows must be the contract's years, or caps would split one year in two."""
    if "period" not in annual.columns:
        return
    for label in sorted({str(p) for p in annual["period"]}):
        kind = _period_kind(label)
        if kind != contract.contract_year:
            shown = kind.replace("_", " ")
            raise PbrError(
                f"frequency (annual) assessment table: period {label} is a {shown} but the "
                f"contract's contract_year is {contract.contract_year} (caps and collars apply "
                "per contract year); give annual rows for contract years"
            )


def _pay(
    contract: Contract,
    assessment: Any,
    volumes: pd.DataFrame | None,
    allow_interim: bool,
    annual_table: Any,
) -> Statement:
    if not isinstance(contract, Contract):
        raise PbrError(f"contract: expected a pbr Contract, got {type(contract).__name__}")
    table = _filter(_as_table(assessment, "assessment"), contract)
    lines: list[dict[str, Any]] = []
    used: list[tuple[str, str, str]] = []
    if contract.scheme == "peterborough_sib":
        lines += _peterborough_lines(table, contract)
    elif contract.scheme == "doncaster":
        lines += _doncaster_lines(table, contract)
    else:
        if len(table) and "period" not in table.columns:
            raise PbrError("assessment table: missing column(s) period")
        kinds = np.array([_period_kind(str(p)) for p in table.get("period", pd.Series([]))])
        # subsets keep the input's index: error messages name the row of the input table
        quarterly = table.loc[kinds == "quarter"] if len(table) else table
        if annual_table is not None:
            annual = _filter(_as_table(annual_table, "annual_table"), contract)
        else:
            annual = (
                table.loc[np.isin(kinds, ["financial_year", "calendar_year"])]
                if len(table)
                else table
            )
        other = sorted(
            {str(p) for p, k in zip(table.get("period", []), kinds, strict=True) if k == "other"}
        )
        if other:
            raise PbrError(
                f"assessment table: period label(s) {', '.join(other)} are neither "
                "quarters (2015Q4) nor years (2015/16, 2015)"
            )
        if contract.binary is not None and len(quarterly):
            lines += _binary_lines(quarterly, contract)
        if contract.frequency is not None and len(annual):
            _check_contract_years(annual, contract)
            lines += _frequency_lines(annual, contract)
    used = [(ln["lot"], ln["period"], ln["status"]) for ln in lines]
    interim = _check_interim(used, allow_interim)
    if volumes is not None:
        lines += _fee_lines(_as_table(volumes, "volumes"), contract)
    lines += _cap_collar_lines(lines, contract)
    frame = _frame(lines)
    if interim:
        frame["provisional"] = True
    return Statement(contract=contract, lines=frame, provisional=interim)


def _frame(lines: list[dict[str, Any]]) -> pd.DataFrame:
    order = {c: i for i, c in enumerate(COMPONENTS)}
    lines = sorted(
        lines,
        key=lambda ln: (
            ln["component"] == "total_cap",
            str(ln["lot"]),
            str(ln["period"]),
            order[ln["component"]],
            str(ln["item"]),
        ),
    )
    data: dict[str, Any] = {}
    for col in LINE_COLUMNS:
        vals = [str(v) if isinstance(v, np.str_) else v for v in (ln[col] for ln in lines)]
        if LINE_KINDS[col] == "float":
            data[col] = np.asarray(vals, dtype=float)
        elif LINE_KINDS[col] == "flag":
            data[col] = np.asarray(vals, dtype=bool)
        else:
            data[col] = pd.Series(vals, dtype=object)
    return pd.DataFrame(data, columns=list(LINE_COLUMNS))


# --------------------------------------------------------------------------- from files

_STRING_COLUMNS = ("lot", "period", "status", "cohort", "unit", "core_contract_value")


def read_table(path: str | Path, what: str = "table") -> pd.DataFrame:
    r"""Read an aggregate CSV or Parquet table (lot/period/cohort/status kept as text).

    ``core_contract_value`` is kept as text so that it becomes a Decimal exactly.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("lot,period,cohort_size\nA,2015Q4,10\n")
    >>> read_table(p)["period"].tolist()
    ['2015Q4']
    """
    p = Path(path)
    if not p.is_file():
        raise PbrError(f"{what}: file {p} not found")
    try:
        if p.suffix.lower() in (".parquet", ".pq"):
            t = pd.read_parquet(p)
            for c in _STRING_COLUMNS:
                if c in t.columns:
                    t[c] = (
                        t[c]
                        .astype(object)
                        .where(t[c].notna(), None)
                        .map(lambda v: v if v is None else str(v))
                    )
            return t
        return pd.read_csv(p, dtype=dict.fromkeys(_STRING_COLUMNS, str), keep_default_na=True)
    except (OSError, ValueError) as exc:
        raise PbrError(f"{what}: cannot read {p}: {exc}") from None


def _after_baseline_year(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """Keep the performance periods: those starting after the baseline year ends.

    A cohort of the baseline year (or earlier) *is* the baseline, not performance
    to be paid for; the microdata path counts every period in the data, so those
    rows are dropped here (a period that straddles the year end, such as the
    financial year 2011/12, starts inside it and is dropped too).
    """
    from pbr.dates import period_bounds

    labels = table["period"].astype(str)
    start = {lab: period_bounds(lab)[0] for lab in labels.unique()}
    year_end = np.datetime64(f"{int(year):04d}-12-31")
    keep = labels.map(lambda lab: bool(start[lab] > year_end)).to_numpy(dtype=bool)
    return table.loc[keep].reset_index(drop=True)


def _check_baseline_matches(contract: Contract, bl: Any, path: str | Path) -> None:
    """The saved baseline must be the one the contract pays against (adjustment, rules, year)."""
    checks = [
        ("adjustment", contract.adjustment, bl.risk or "none", "risk model"),
        ("rules", contract.rules[0], bl.rules, "counting rules"),
    ]
    if contract.baseline.isdigit():
        checks.append(("baseline", contract.baseline, str(bl.year), "year"))
    for key, wanted, actual, what in checks:
        if wanted != actual:
            raise PbrError(
                f"{key}: the contract says {wanted!r} but the baseline {path} has {what} "
                f"{actual!r}; build the baseline to match the contract or use a matching contract"
            )


def pay_from_files(
    contract: str | Path | Contract,
    *,
    measures: str | Path | None = None,
    annual_measures: str | Path | None = None,
    cohort: str | Path | None = None,
    offences: str | Path | None = None,
    baseline: str | Path | None = None,
    extract_date: str | None = None,
    volumes: str | Path | None = None,
    allow_interim: bool = False,
) -> Statement:
    """Pay from files, recording every input for the audit manifest (what ``pbr pay`` runs).

    Parameters
    ----------
    contract : str, Path or Contract
        A preset name (``tr_crc``), a TOML path, or a Contract.
    measures : path, optional
        Aggregate assessment table (CSV/Parquet), or the Peterborough/Doncaster table.
    annual_measures : path, optional
        Annual rows for the frequency component.
    cohort, offences, baseline, extract_date : optional
        The microdata path: ``pbr.io.read_cohort/read_offences``,
        ``pbr.baseline.load_baseline`` and ``compare_to_baseline`` (quarterly for
        binary, ``contract_year`` periods for frequency). Periods that start
        in or before the baseline year are the baseline itself and are not paid.
    volumes : path, optional
        Fee-for-service volumes (``lot, period, unit, volume``).
    allow_interim : bool

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"cohort": ["1"], "cohort_rate": [0.40], "baseline_rate": [0.457],
    ...               "core_contract_value": ["1000000.00"]}).to_csv(d / "don.csv", index=False)
    >>> pay_from_files("doncaster", measures=d / "don.csv").total
    Decimal('0.00')
    """
    from pbr.contracts import available_presets, load_contract, preset

    source: dict[str, str]
    if isinstance(contract, Contract):
        c, source = contract, {"inline": "python"}
    elif isinstance(contract, str) and contract in available_presets():
        c, source = preset(contract), {"preset": contract}
    else:
        c, source = load_contract(contract), {"path": str(contract)}
    if (measures is None) == (cohort is None and offences is None):
        raise PbrError("give either measures (an aggregate table) or cohort + offences (microdata)")
    inputs: dict[str, Any] = {
        "measures": measures,
        "annual_measures": annual_measures,
        "cohort": cohort,
        "offences": offences,
        "baseline": baseline,
        "volumes": volumes,
    }
    unused = ("baseline",) if measures is not None else ("annual_measures",)
    for name in unused:
        if inputs[name] is not None:
            path = "measures" if measures is not None else "cohort + offences"
            warnings.warn(
                f"{name} {inputs[name]} is ignored: the {path} path does not use it "
                "(it is not recorded in the manifest)",
                IgnoredOptionWarning,
                stacklevel=2,
            )
            inputs[name] = None
    baseline, annual_measures = inputs["baseline"], inputs["annual_measures"]
    annual: Any = None
    if measures is not None:
        table: Any = read_table(measures, "measures")
        if annual_measures is not None:
            annual = read_table(annual_measures, "annual measures")
    else:
        if cohort is None or offences is None or baseline is None or extract_date is None:
            raise PbrError("the microdata path needs cohort, offences, baseline and extract_date")
        try:
            from pbr import baseline as baseline_mod
            from pbr import io as io_mod
        except ImportError as exc:  # pragma: no cover - depends on the build
            raise PbrError(f"the microdata path needs pbr.io and pbr.baseline: {exc}") from None
        co = io_mod.read_cohort(cohort, extract_date=extract_date)
        of = io_mod.read_offences(offences, extract_date=extract_date)
        form: Literal["difference", "ratio"] = "ratio" if c.form == "ratio" else "difference"
        rules = c.rules[0]
        bl = baseline_mod.load_baseline(baseline)
        _check_baseline_matches(c, bl, baseline)
        table = baseline_mod.compare_to_baseline(
            co,
            of,
            bl,
            extract_date=extract_date,
            period="quarter",
            alpha=c.alpha,
            form=form,
            rules=rules,
        )
        table = _after_baseline_year(table.table, bl.year)
        if c.frequency is not None:
            annual = baseline_mod.compare_to_baseline(
                co,
                of,
                bl,
                extract_date=extract_date,
                period=c.contract_year,
                alpha=c.alpha,
                form=form,
                rules=rules,
            )
            annual = _after_baseline_year(annual.table, bl.year)
    vol = read_table(volumes, "volumes") if volumes is not None else None
    s = pay(c, table, volumes=vol, allow_interim=allow_interim, annual_table=annual)
    provenance = {
        "command": "pay" if not isinstance(contract, Contract) else None,
        "contract": source,
        "inputs": {k: str(v) for k, v in inputs.items() if v is not None},
        "parameters": {
            "extract_date": None if extract_date is None else str(extract_date),
            "allow_interim": allow_interim,
        },
    }
    return Statement(
        contract=s.contract, lines=s.lines, provisional=s.provisional, provenance=provenance
    )
