"""A self-contained HTML payment statement a commissioner can email and an auditor can read.

One file: inline CSS, figures embedded as base64 PNG ``data:`` URIs, no scripts,
no fonts or stylesheets fetched from the network. It holds, in order: the headline
total and the key manifest facts, the summary per lot and component, one table per
lot with every line and the figures it was computed from, the plots, and the full
manifest (input hashes, parameters, versions).

The output is **deterministic**: the same inputs give byte-identical HTML (rows in
the statement's order, manifest keys sorted, PNGs written without timestamps or
software tags). Amounts are read as :class:`decimal.Decimal` (strings such as
``"1234.50"`` are accepted) and summed exactly; they are never converted to float
for display.

Examples
--------
>>> import pandas as pd
>>> from pbr.report.html import render_statement_html
>>> lines = pd.DataFrame({"lot": ["A"], "period": ["2016Q1"], "component": ["binary"],
...                       "amount": ["1200.50"]})
>>> page = render_statement_html(lines, manifest={"contract": {"name": "demo"}}, figures={})
>>> page.startswith("<!DOCTYPE html>"), "£1,200.50" in page
(True, True)
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypedDict, Unpack

import pandas as pd
from matplotlib.figure import Figure

from pbr.errors import PbrError
from pbr.formatting import format_money
from pbr.periods import is_period
from pbr.report._html_table import _esc, _missing
from pbr.report._html_table import html_table as _table
from pbr.report._inputs import amount as _decimal
from pbr.report.plots import COMPONENT_ORDER, plot_funnel, plot_payments, plot_rates, plot_waterfall
from pbr.report.statement_parts import (
    contract_terms,
    line_expression,
    termination_summary,
)

__all__ = [
    "figure_to_data_uri",
    "render_statement_html",
    "statement_figures",
    "write_statement_html",
    "write_statement_report",
]

_ZERO = Decimal("0")
#: Line columns shown per lot, in order, with their headers.
_LINE_HEADERS = {  # the reconciliation first (E, O, units, price, amount), then the test
    "period": "period",
    "component": "component",
    "item": "item",
    "status": "status",
    "cohort_size": "N (cohort)",
    "reoffenders": "O (reoffenders)",
    "expected_reoffenders": "E (expected)",
    "units": "units",
    "price": "price",
    "amount": "amount",
    "calculation": "calculation (units × price = amount)",
    "reoffences": "reoffences",
    "baseline": "baseline rate",
    "adjusted_rate": "adjusted rate",
    "change": "change (pp)",
    "z": "z",
    "p_value": "p",
    "outcome": "outcome",
    "termination": "termination",
    "note": "note",
}

_CSS = """
body{font-family:Georgia,'Times New Roman',serif;color:#222;margin:2em auto;max-width:1400px;
padding:0 1em;line-height:1.4;background:#fff}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:2px solid #222;
margin-top:1.8em;padding-bottom:.15em}h3{font-size:1.05em;margin-top:1.4em}
.headline{font-size:1.3em;margin:.4em 0 1em 0}.headline strong{font-size:1.3em}
table{border-collapse:collapse;margin:.5em 0 1em 0;font-size:.86em;
font-family:'Helvetica Neue',Arial,sans-serif}
th,td{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#e8e8e8}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;
white-space:nowrap}tr.total td{font-weight:bold;border-top:2px solid #222}
tr.flag td{background:#f3f3f3}.note{color:#555;font-size:.9em}
.warn{border:2px solid #222;padding:.5em .8em;margin:1em 0;font-weight:bold}
table.lines{font-size:.72em}table.lines td,table.lines th{padding:.2em .3em}
table.lines td:last-child{min-width:9em}
.scroll{overflow-x:auto}figure{margin:1em 0}
figure img{max-width:100%;height:auto;border:1px solid #ccc}
figcaption{font-size:.9em;color:#444}
pre{background:#f6f6f6;border:1px solid #ccc;padding:.8em;font-size:.78em;overflow-x:auto;
white-space:pre-wrap;word-break:break-all}
code{font-size:.95em}
#illustrative{background:#fff4d6}
@media print{@page{size:A4 landscape;margin:12mm}body{margin:0;max-width:none;font-size:10pt}
h2{page-break-after:avoid}h3{page-break-after:avoid}tr,figure{page-break-inside:avoid}
thead{display:table-header-group}.scroll{overflow:visible}table.lines{font-size:7pt}
#manifest-json{font-size:6.5pt}#illustrative{background:none}
figure img{max-height:17cm;border:none}a{color:inherit;text-decoration:none}}
"""


def _components(lines: pd.DataFrame) -> list[str]:
    present = [str(c) for c in pd.unique(lines["component"].astype(str))]
    known = [c for c in COMPONENT_ORDER if c in present]
    return known + sorted(c for c in present if c not in known)


def _summary_by_lot(lines: pd.DataFrame, amounts: list[Decimal]) -> pd.DataFrame:
    comps = _components(lines)
    lots = sorted(set(lines["lot"].astype(str)))
    acc: dict[tuple[str, str], Decimal] = {}
    for lot, comp, amount in zip(
        lines["lot"].astype(str), lines["component"].astype(str), amounts, strict=True
    ):
        acc[(lot, comp)] = acc.get((lot, comp), _ZERO) + amount
    rows = []
    for lot in lots:
        row: dict[str, Any] = {"lot": lot}
        for comp in comps:
            row[comp] = acc.get((lot, comp))
        row["total"] = sum((acc.get((lot, c), _ZERO) for c in comps), _ZERO)
        rows.append(row)
    return pd.DataFrame(rows, columns=["lot", *comps, "total"])


def figure_to_data_uri(fig: Figure, *, dpi: int = 100) -> str:
    """Encode a matplotlib figure as a ``data:image/png;base64,...`` URI, deterministically.

    The PNG is written without the ``Software`` tag or any timestamp, so the same
    figure gives the same bytes on every run.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to encode.
    dpi : int, default 100
        Resolution of the PNG.

    Returns
    -------
    str
        The data URI, usable as an ``<img src=...>``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1))
    >>> _ = fig.add_subplot().plot([0, 1], [0, 1])
    >>> uri = figure_to_data_uri(fig)
    >>> uri.startswith("data:image/png;base64,"), uri == figure_to_data_uri(fig)
    (True, True)
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _default_figures(lines: pd.DataFrame) -> dict[str, Figure]:
    # A bare Figure (not pyplot): rendered here and then garbage, never displayed.
    fig = Figure(figsize=(8.0, 4.0), layout="constrained")
    plot_waterfall(lines, ax=fig.add_subplot())
    return {"Payment by component, all lots": fig}


def _manifest_facts(manifest: Mapping[str, Any], total: Decimal) -> list[tuple[str, str]]:
    contract = manifest.get("contract")
    facts: list[tuple[str, str]] = []
    if isinstance(contract, Mapping):
        for key in ("name", "scheme", "sha256"):
            if key in contract:
                facts.append((f"contract {key}", str(contract[key])))
    elif contract is not None:
        facts.append(("contract", str(contract)))
    for key in ("scheme", "extract_date", "pbr_version", "python", "command", "provisional"):
        if key in manifest and manifest[key] is not None:
            facts.append((key.replace("_", " "), str(manifest[key])))
    if "total" in manifest:
        recorded = str(manifest["total"])
        agrees = ""
        try:
            agrees = " (agrees with the lines)" if Decimal(recorded) == total else " (DIFFERS)"
            recorded = format_money(Decimal(recorded))
        except InvalidOperation:
            agrees = ""
        facts.append(("total recorded in manifest", recorded + agrees))
    return facts


def _inputs_table(manifest: Mapping[str, Any]) -> str:
    inputs = manifest.get("inputs")
    if not isinstance(inputs, Mapping) or not inputs:
        return ""
    rows = []
    for name in sorted(inputs, key=str):
        rec = inputs[name]
        if isinstance(rec, Mapping):
            rows.append(
                {
                    "input": str(name),
                    "path": str(rec.get("path", "")),
                    "sha256": str(rec.get("sha256", rec.get("kind", ""))),
                }
            )
        else:
            rows.append({"input": str(name), "path": str(rec), "sha256": ""})
    return "<h3>Inputs</h3>\n" + _table(pd.DataFrame(rows, columns=["input", "path", "sha256"]))


def render_statement_html(
    statement_lines: pd.DataFrame,
    *,
    manifest: Mapping[str, Any],
    summary_by_lot: pd.DataFrame | None = None,
    figures: Mapping[str, Figure] | None = None,
    title: str = "Payment statement",
    contract: Any = None,
) -> str:
    """Render a payment statement as one self-contained HTML document.

    Sections: headline total and key manifest facts; summary (one row per lot, one
    column per component, and a total row); one table per lot with every line and
    all its columns (counts, expected reoffenders, baseline, adjusted rate, change,
    z, p, outcome, price, units, amount...); the figures; the manifest (inputs with
    SHA-256, then the whole manifest as sorted JSON). Lines flagged ``termination``
    are shaded. Totals are exact sums of the (already rounded) line amounts.

    Parameters
    ----------
    statement_lines : pandas.DataFrame
        One row per line with at least ``lot``, ``period``, ``component`` and
        ``amount`` (:class:`~decimal.Decimal`, or strings/ints read as Decimal);
        every other column is shown as it is. Row order is kept.
    manifest : Mapping
        The statement's manifest (e.g. the parsed ``manifest.json``); must be
        JSON-serialisable (other values are shown with ``str``).
    summary_by_lot : pandas.DataFrame, optional
        A summary table to show instead of the one computed from the lines.
    figures : Mapping of str to matplotlib.figure.Figure, optional
        Figures to embed, captioned by their keys, in the mapping's order. Default:
        a payment waterfall of the whole statement. Pass ``{}`` for none.
    title : str, default "Payment statement"
        Title of the page.
    contract : pbr.contracts.Contract, optional
        The contract paid: its terms are listed, its rounding gives each line's
        calculation, and an "illustrative prices" banner is shown when it says so.

    Returns
    -------
    str
        The HTML document (UTF-8 text; no scripts, no external resources).

    Raises
    ------
    pbr.errors.PbrError
        If a required column is missing or an amount is not a finite number.

    Examples
    --------
    >>> import pandas as pd
    >>> lines = pd.DataFrame({"lot": ["A", "A", "B"], "period": ["2016Q1", "2016", "2016Q1"],
    ...                       "component": ["binary", "frequency", "binary"],
    ...                       "amount": ["1000.10", "-0.10", "5.00"]})
    >>> page = render_statement_html(lines, manifest={"extract_date": "2018-06-30"},
    ...                              figures={})
    >>> "£1,005.00" in page              # the exact total of the three lines
    True
    >>> page == render_statement_html(lines, manifest={"extract_date": "2018-06-30"},
    ...                               figures={})
    True
    """
    if not isinstance(statement_lines, pd.DataFrame):
        raise PbrError(
            f"statement_lines must be a pandas DataFrame, got {type(statement_lines).__name__}"
        )
    missing = [c for c in ("lot", "period", "component", "amount") if c not in statement_lines]
    if missing:
        raise PbrError(f"statement_lines is missing column(s) {', '.join(missing)}")
    if not isinstance(manifest, Mapping):
        raise PbrError(f"manifest must be a mapping, got {type(manifest).__name__}")
    lines = statement_lines.reset_index(drop=True)
    amounts = [
        _decimal(v, f"statement_lines row {i} column 'amount'")
        for i, v in enumerate(lines["amount"], start=1)
    ]
    lines = lines.assign(amount=pd.Series(amounts, index=lines.index, dtype=object))
    total = sum(amounts, _ZERO)
    figs = _default_figures(lines) if figures is None and len(lines) else dict(figures or {})
    by_lot_key = "Payment by lot"
    if figures is None and len(lines):
        fig = Figure(figsize=(8.0, 4.0), layout="constrained")
        plot_payments(lines, ax=fig.add_subplot())
        figs = {by_lot_key: fig, **figs}

    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_esc(title)}</h1>",
    ]
    if manifest.get("provisional"):
        parts.append('<p class="warn">PROVISIONAL: computed on interim measures.</p>')
    illustrative = bool(
        manifest.get("prices_are_illustrative")
        or getattr(contract, "prices_are_illustrative", False)
        or (
            isinstance(manifest.get("contract"), Mapping)
            and manifest["contract"].get("prices_are_illustrative")
        )
    )
    if illustrative:
        parts.append(
            '<p class="warn" id="illustrative">ILLUSTRATIVE PRICES: the contract says its '
            "prices are illustrative (the real contracts' prices were never published), so "
            "these amounts show how the contract works, not what was paid.</p>"
        )
    parts += _executive_summary(lines, amounts, total, figs)
    facts = _manifest_facts(manifest, total)
    if facts:
        parts.append(_table(pd.DataFrame(facts, columns=["item", "value"]), css_class="facts"))
    parts += _termination_section(lines)
    if contract is not None:
        parts.append('<h2 id="terms">Contract terms</h2>')
        parts.append(_table(contract_terms(contract), css_class="terms"))

    # Summary
    parts.append('<h2 id="summary">Summary by lot</h2>')
    if summary_by_lot is not None:
        parts.append(_table(summary_by_lot, css_class="summary"))
    else:
        summary = _summary_by_lot(lines, amounts)
        total_row = {"lot": "all lots"}
        for comp in summary.columns[1:]:
            col_total = sum((v for v in summary[comp] if isinstance(v, Decimal)), _ZERO)
            total_row[str(comp)] = format_money(col_total)
        parts.append(
            _table(
                summary,
                css_class="summary",
                total_row=total_row,
                money_columns=tuple(str(c) for c in summary.columns[1:]),
            )
        )

    # Lines, per lot
    parts.append('<h2 id="lines">Statement lines by lot</h2>')
    parts.append(
        '<p class="note">Every line with the counts and figures it was computed from. '
        "E and the units are shown exactly as the payment used them; each amount is "
        "units × price rounded once to the penny (the calculation column), and totals are "
        "sums of the rounded lines.</p>"
    )
    quantum, mode = _rounding_of(contract)
    lines = lines.assign(
        calculation=[
            line_expression(
                {str(k): v for k, v in rec.items()}, quantum=quantum, rounding=mode
            ).replace(" ", "\u00a0")
            for rec in lines.to_dict(orient="records")
        ]
    )
    lot_col = lines["lot"].astype(str)
    for lot in sorted(set(lot_col)):
        sub = lines[lot_col == lot]
        lot_total = sum((a for a, keep in zip(amounts, lot_col == lot, strict=True) if keep), _ZERO)
        parts.append(
            f'<h3 id="lot-{_esc(lot)}">Lot {_esc(lot)}: {_esc(format_money(lot_total))}</h3>'
        )
        known = [c for c in _LINE_HEADERS if c in sub.columns]
        extra = [c for c in sub.columns if c not in _LINE_HEADERS and c != "lot"]
        extra = [c for c in extra if c != "provisional"]
        shown = sub[known + extra]
        empty = [c for c in shown.columns if all(_missing(v) for v in shown[c])]
        shown = shown.drop(columns=empty)
        total_row = {str(shown.columns[0]): "lot total", "amount": format_money(lot_total)}
        parts.append(_table(shown, css_class="lines", total_row=total_row, headers=_LINE_HEADERS))

    # Figures
    if figs:
        parts.append('<h2 id="figures">Figures</h2>')
        for caption, fig in figs.items():
            parts.append(
                f'<figure><img alt="{_esc(caption)}" src="{figure_to_data_uri(fig)}">'
                f"<figcaption>{_esc(caption)}</figcaption></figure>"
            )

    # Manifest
    parts.append('<h2 id="manifest">Manifest</h2>')
    parts.append(
        '<p class="note">Re-run and check this statement with <code>pbr verify DIR</code> '
        "on the directory holding it and its manifest.json.</p>"
    )
    parts.append(_inputs_table(manifest))
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    parts.append(f'<pre id="manifest-json">{_esc(text)}</pre>')
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


class PageOptions(TypedDict, total=False):
    """The optional keywords of :func:`render_statement_html`, passed on by the writers."""

    summary_by_lot: pd.DataFrame | None
    figures: Mapping[str, Figure] | None
    title: str
    contract: Any


def write_statement_html(
    statement_lines: pd.DataFrame,
    path: str | Path,
    *,
    manifest: Mapping[str, Any],
    **options: Unpack[PageOptions],
) -> Path:
    """Write :func:`render_statement_html` to ``path`` as UTF-8 with Unix line ends.

    Parameters
    ----------
    statement_lines, manifest
        As for :func:`render_statement_html`.
    path : str or pathlib.Path
        The file to write (its folder must exist).
    **options
        ``summary_by_lot``, ``figures``, ``title``, ``contract``: as for
        :func:`render_statement_html`.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> lines = pd.DataFrame({"lot": ["A"], "period": ["2016Q1"], "component": ["binary"],
    ...                       "amount": ["10.00"]})
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "statement.html"
    >>> write_statement_html(lines, out, manifest={}, title="Q1").name
    'statement.html'
    """
    text = render_statement_html(statement_lines, manifest=manifest, **options)
    out = Path(path)
    try:
        out.write_bytes(text.encode("utf-8"))
    except OSError as exc:
        raise PbrError(f"cannot write the HTML statement to {out}: {exc}") from None
    return out


def _frame_of(obj: Any, what: str) -> pd.DataFrame:
    table = obj.table if hasattr(obj, "table") else obj
    if not isinstance(table, pd.DataFrame):
        raise PbrError(f"{what} must be a DataFrame or have a .table, got {type(obj).__name__}")
    return table


def _bare_axes(figsize: tuple[float, float]) -> Any:
    # A bare Figure (not pyplot): rendered into the page, never displayed or leaked.
    return Figure(figsize=figsize, layout="constrained").add_subplot()


def statement_figures(
    lines: pd.DataFrame,
    *,
    measures: Any = None,
    assessment: Any = None,
    baseline: Any = None,
    max_lots: int = 4,
    alpha: float = 0.05,
) -> dict[str, Figure]:
    """The standard figures of a statement report, as bare (non-pyplot) Figures.

    * "Payment by component, all lots" — :func:`~pbr.report.plots.plot_waterfall`;
    * with ``assessment``: "Funnel plot" — :func:`~pbr.report.plots.plot_funnel` of the
      assessment rows paid by a ``binary`` line (all quarterly rows with a
      ``change_pp`` when no line matches);
    * with ``measures``: "Rates by quarter" — :func:`~pbr.report.plots.plot_rates` for
      the ``max_lots`` lots with the largest absolute totals (ties by lot code), over
      the periods paid, with ``baseline``'s table when given.

    Parameters
    ----------
    lines : pandas.DataFrame
        Statement lines (``lot, period, component, amount``).
    measures, assessment, baseline : DataFrame or object with ``.table``, optional
        pbr's measures, assessment and baseline (or their tables).
    max_lots : int, default 4
        0 leaves out the rates plot (kept for compatibility: every lot is drawn).
    alpha : float, default 0.05
        The contract's significance level, for the funnel's limits.

    Returns
    -------
    dict of str to matplotlib.figure.Figure
        In display order.

    Examples
    --------
    >>> import pandas as pd
    >>> lines = pd.DataFrame({"lot": ["A"], "period": ["2016Q1"], "component": ["binary"],
    ...                       "amount": ["10.00"]})
    >>> list(statement_figures(lines))
    ['Payment by lot', 'Payment by component, all lots']
    """
    figs: dict[str, Figure] = {}
    ax = _bare_axes((8.0, 4.0))
    plot_payments(lines, ax=ax)
    figs["Payment by lot"] = ax.figure
    ax = _bare_axes((8.0, 4.0))
    plot_waterfall(lines, ax=ax)
    figs["Payment by component, all lots"] = ax.figure
    binary = lines[lines["component"].astype(str) == "binary"]
    paid = set(zip(binary["lot"].astype(str), binary["period"].astype(str), strict=True))
    if assessment is not None:
        a = _frame_of(assessment, "assessment")
        if {"cohort_size", "change_pp", "lot", "period"} <= set(a.columns):
            keys = list(zip(a["lot"].astype(str), a["period"].astype(str), strict=True))
            rows = a[[k in paid for k in keys]]
            if rows.empty:
                rows = a[is_period(a["period"].astype(str), "quarter")]
            rows = rows[rows["change_pp"].notna()]
            if not rows.empty:
                ax = _bare_axes((8.0, 5.0))
                plot_funnel(rows, alpha=alpha, ax=ax)
                figs["Funnel plot: change against the adjusted baseline"] = ax.figure
    if measures is not None and max_lots > 0:
        m = _frame_of(measures, "measures")
        totals: dict[str, Decimal] = {}
        for lot, amount in zip(lines["lot"].astype(str), lines["amount"], strict=True):
            totals[lot] = totals.get(lot, _ZERO) + _decimal(amount, f"lot {lot} amount")
        lots = sorted(totals, key=lambda k: (-abs(totals[k]), k))[:max_lots]
        lots = [lot for lot in lots if lot in set(m["lot"].astype(str))]
        periods = {p for _, p in paid}
        shown = m[m["period"].astype(str).isin(periods)] if periods else m
        if lots and not shown.empty:
            base = _frame_of(baseline, "baseline") if baseline is not None else None
            fig = Figure(layout="constrained")
            quarterly = m[is_period(m["period"].astype(str), "quarter")]
            plot_rates(quarterly if not quarterly.empty else m, base, figure=fig)
            figs["Proven reoffending rate by quarter, each lot against the others"] = fig
    return figs


def write_statement_report(
    statement: Any,
    directory: str | Path,
    *,
    measures: Any = None,
    assessment: Any = None,
    baseline: Any = None,
    filename: str = "statement.html",
    title: str | None = None,
) -> Path:
    """Write ``statement.html`` for a statement, next to its ``manifest.json``.

    Reads ``directory/manifest.json`` when present (else uses an empty manifest),
    draws :func:`statement_figures` and writes :func:`render_statement_html` to
    ``directory/filename``. The HTML is not one of the manifest's hashed outputs, so
    ``pbr verify`` is unaffected by it.

    Parameters
    ----------
    statement : pbr.payments.Statement or pandas.DataFrame
        The statement (its ``.lines``) or the lines themselves.
    directory : str or pathlib.Path
        The statement directory (created if needed).
    measures, assessment, baseline : optional
        For the funnel and rates plots; see :func:`statement_figures`.
    filename : str, default "statement.html"
        Name of the HTML file.
    title : str, optional
        Page title (default: "Payment statement", with the contract name when known).

    Returns
    -------
    pathlib.Path
        The HTML file written.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> lines = pd.DataFrame({"lot": ["A"], "period": ["2016Q1"], "component": ["binary"],
    ...                       "amount": ["10.00"]})
    >>> write_statement_report(lines, tempfile.mkdtemp()).name
    'statement.html'
    """
    lines = statement if isinstance(statement, pd.DataFrame) else getattr(statement, "lines", None)
    if not isinstance(lines, pd.DataFrame):
        raise PbrError(
            f"statement must be a Statement or a DataFrame, got {type(statement).__name__}"
        )
    out_dir = Path(directory)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PbrError(f"cannot create {out_dir}: {exc}") from None
    manifest: dict[str, Any] = {}
    manifest_path = out_dir / "manifest.json"
    if manifest_path.is_file():
        try:
            loaded = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PbrError(f"cannot read {manifest_path}: {exc}") from None
        if isinstance(loaded, dict):
            manifest = loaded
    if title is None:
        contract = getattr(statement, "contract", None)
        name = getattr(contract, "name", None)
        if name is None and isinstance(manifest.get("contract"), Mapping):
            name = manifest["contract"].get("name")
        title = f"Payment statement: {name}" if name else "Payment statement"
    contract = getattr(statement, "contract", None)
    alpha = float(getattr(contract, "alpha", 0.05))
    figures = statement_figures(
        lines, measures=measures, assessment=assessment, baseline=baseline, alpha=alpha
    )
    return write_statement_html(
        lines, out_dir / filename, manifest=manifest, figures=figures, title=title,
        contract=contract,
    )  # fmt: skip


def _rounding_of(contract: Any) -> tuple[Decimal, str]:
    rounding = getattr(contract, "rounding", None)
    quantum = getattr(rounding, "quantum", Decimal("0.01"))
    mode = getattr(rounding, "mode", "ROUND_HALF_UP")
    return Decimal(quantum), str(mode)


def _executive_summary(
    lines: pd.DataFrame, amounts: list[Decimal], total: Decimal, figs: dict[str, Figure]
) -> list[str]:
    """Total, lots paid / deducted / nil, what is paid, and the by-lot chart (popped from figs)."""
    by_lot: dict[str, Decimal] = {}
    for lot, amount in zip(lines["lot"].astype(str), amounts, strict=True):
        by_lot[lot] = by_lot.get(lot, _ZERO) + amount
    paid = sum(1 for v in by_lot.values() if v > 0)
    deducted = sum(1 for v in by_lot.values() if v < 0)
    nil = len(by_lot) - paid - deducted
    comps = ", ".join(c.replace("_", " ") for c in _components(lines))
    statuses = sorted(set(lines["status"].astype(str))) if "status" in lines.columns else []
    span = _period_span(lines["period"].astype(str))
    out = [
        '<h2 id="executive-summary">Executive summary</h2>',
        f'<p class="headline">Total payable: <strong id="grand-total">'
        f"{_esc(format_money(total))}</strong></p>",
        f"<p>{len(by_lot)} lot(s): {paid} receive a payment, {deducted} a net deduction, "
        f"{nil} nothing. This statement pays the <b>{_esc(comps)}</b> component(s) on "
        f"{_esc(' and '.join(statuses) or 'all')} periods {_esc(span)} "
        f"({len(lines)} line(s)).</p>",
    ]
    fig = figs.pop("Payment by lot", None)
    if fig is not None:
        out.append(
            f'<figure><img alt="Payment by lot" src="{figure_to_data_uri(fig)}">'
            "<figcaption>Payment by lot and component (largest total on top)</figcaption>"
            "</figure>"
        )
    return out


def _termination_section(lines: pd.DataFrame) -> list[str]:
    flagged = termination_summary(lines)
    out = ['<h2 id="termination">Termination thresholds</h2>']
    if flagged.empty:
        out.append('<p id="termination-summary">No lot-period crossed a termination threshold.</p>')
        return out
    lots = sorted(set(flagged["lot"].astype(str)))
    out.append(
        f'<p class="warn" id="termination-summary">{len(flagged)} lot-period(s) in '
        f"{len(lots)} lot(s) crossed a termination threshold: {_esc(', '.join(lots))}.</p>"
    )
    out.append(_table(flagged, css_class="termination", headers=_LINE_HEADERS))
    return out


def _period_span(periods: pd.Series) -> str:
    """``quarters 2015Q4–2016Q4 and financial years 2015/16–2016/17`` (each kind in order)."""
    parts = []
    for kind, name in (("quarter", "quarter"), ("financial_year", "financial year")):
        these = sorted(set(periods[is_period(periods, kind)]))
        if these:
            many = len(these) > 1
            span = f"{these[0]}–{these[-1]}" if many else these[0]
            parts.append(f"{name}{'s' if many else ''} {span}")
    others = sorted(
        set(periods[~is_period(periods, "quarter") & ~is_period(periods, "financial_year")])
    )
    parts += others
    return " and ".join(parts)
