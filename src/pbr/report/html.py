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
import html
import io
import json
import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from pbr.errors import PbrError
from pbr.periods import is_period
from pbr.report.plots import COMPONENT_ORDER, plot_funnel, plot_rates, plot_waterfall
from pbr.report.style import format_money

__all__ = [
    "figure_to_data_uri",
    "render_statement_html",
    "statement_figures",
    "write_statement_html",
    "write_statement_report",
]

_ZERO = Decimal("0")
_MONEY_COLUMNS = ("amount", "price", "total")
_INT_COLUMNS = ("cohort_size", "reoffenders", "reoffences", "eligible", "volume")
_DIGITS = {
    "expected_reoffenders": 2,
    "baseline": 4,
    "observed": 4,
    "adjusted_rate": 4,
    "expected_rate": 4,
    "binary_rate": 4,
    "change": 4,
    "change_pp": 2,
    "z": 3,
    "p_value": 4,
    "units": 2,
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
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}
table,figure{page-break-inside:avoid}pre{white-space:pre-wrap}}
"""


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _esc_wrap(value: Any) -> str:
    """Escape, and let long snake_case words wrap after their underscores."""
    return _esc(value).replace("_", "_<wbr>")


def _decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, Decimal):
        out = value
    else:
        try:
            out = Decimal(str(value).strip())
        except InvalidOperation:
            raise PbrError(f"{where}: {value!r} is not an amount") from None
    if not out.is_finite():
        raise PbrError(f"{where}: {value!r} is not a finite amount")
    return out


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, Decimal):
        return value.is_nan()
    return isinstance(value, str) and value.strip() in ("", "nan", "NaN", "<NA>")


def _cell(column: str, value: Any, row: int, money: bool = False) -> tuple[str, bool]:
    """Display text of one cell and whether it is numeric (right-aligned)."""
    if _missing(value):
        return "", False
    if money or column in _MONEY_COLUMNS:
        return format_money(_decimal(value, f"row {row} column {column!r}")), True
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if column in _INT_COLUMNS and isinstance(value, (int, float)):
        return (f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"), True
    if isinstance(value, Decimal):
        return f"{value:f}", True
    if isinstance(value, int):
        return f"{value:,}", True
    if isinstance(value, float):
        digits = _DIGITS.get(column, 4)
        return f"{value:,.{digits}f}", True
    return str(value), False


def _table(
    frame: pd.DataFrame,
    *,
    css_class: str = "",
    total_row: dict[str, str] | None = None,
    money_columns: tuple[str, ...] = (),
) -> str:
    cols = [str(c) for c in frame.columns]
    numeric = dict.fromkeys(cols, False)
    body_rows = []
    records = frame.to_dict("records")
    cells_by_row = []
    for i, rec in enumerate(records, start=1):
        cells = []
        for c in cols:
            text, is_num = _cell(c, rec[c], i, money=c in money_columns)
            numeric[c] = numeric[c] or is_num
            cells.append(text)
        cells_by_row.append((rec, cells))
    head = "".join(
        f'<th class="num">{_esc_wrap(c)}</th>' if numeric[c] else f"<th>{_esc_wrap(c)}</th>"
        for c in cols
    )
    for rec, cells in cells_by_row:
        flag = bool(rec.get("termination") is True)
        tds = "".join(
            f'<td class="num">{_esc(t)}</td>' if numeric[c] else f"<td>{_esc_wrap(t)}</td>"
            for c, t in zip(cols, cells, strict=True)
        )
        body_rows.append(f'<tr class="flag">{tds}</tr>' if flag else f"<tr>{tds}</tr>")
    if total_row is not None:
        tds = "".join(
            f'<td class="num">{_esc(total_row.get(c, ""))}</td>'
            if numeric[c]
            else f"<td>{_esc(total_row.get(c, ''))}</td>"
            for c in cols
        )
        body_rows.append(f'<tr class="total">{tds}</tr>')
    cls = f' class="{css_class}"' if css_class else ""
    return (
        f'<div class="scroll"><table{cls}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(body_rows)
        + "\n</tbody>\n</table></div>\n"
    )


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
        f'<p class="headline">Total payable: <strong id="grand-total">'
        f"{_esc(format_money(total))}</strong> over {len(lines)} line(s) and "
        f"{lines['lot'].astype(str).nunique()} lot(s).</p>",
    ]
    if manifest.get("provisional"):
        parts.append('<p class="warn">PROVISIONAL: computed on interim measures.</p>')
    if manifest.get("prices_are_illustrative") or (
        isinstance(manifest.get("contract"), Mapping)
        and manifest["contract"].get("prices_are_illustrative")
    ):
        parts.append('<p class="warn">The contract prices are illustrative.</p>')
    facts = _manifest_facts(manifest, total)
    if facts:
        parts.append(_table(pd.DataFrame(facts, columns=["item", "value"]), css_class="facts"))

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
        "Each amount is rounded once to the penny; totals are sums of the rounded lines.</p>"
    )
    lot_col = lines["lot"].astype(str)
    for lot in sorted(set(lot_col)):
        sub = lines[lot_col == lot]
        lot_total = sum((a for a, keep in zip(amounts, lot_col == lot, strict=True) if keep), _ZERO)
        parts.append(
            f'<h3 id="lot-{_esc(lot)}">Lot {_esc(lot)}: {_esc(format_money(lot_total))}</h3>'
        )
        shown = sub.drop(columns=["lot"])
        empty = [c for c in shown.columns if all(_missing(v) for v in shown[c])]
        shown = shown.drop(columns=empty)
        total_row = {str(shown.columns[0]): "lot total", "amount": format_money(lot_total)}
        parts.append(_table(shown, css_class="lines", total_row=total_row))

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


def write_statement_html(
    statement_lines: pd.DataFrame,
    path: str | Path,
    *,
    manifest: Mapping[str, Any],
    summary_by_lot: pd.DataFrame | None = None,
    figures: Mapping[str, Figure] | None = None,
    title: str = "Payment statement",
) -> Path:
    """Write :func:`render_statement_html` to ``path`` as UTF-8 with Unix line ends.

    Parameters
    ----------
    statement_lines : pandas.DataFrame
        See :func:`render_statement_html`.
    path : str or pathlib.Path
        The file to write (its folder must exist).
    manifest : Mapping
        See :func:`render_statement_html`.
    summary_by_lot : pandas.DataFrame, optional
        See :func:`render_statement_html`.
    figures : Mapping of str to Figure, optional
        See :func:`render_statement_html`.
    title : str, default "Payment statement"
        Title of the page.

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
    >>> write_statement_html(lines, out, manifest={}).name
    'statement.html'
    """
    text = render_statement_html(
        statement_lines,
        manifest=manifest,
        summary_by_lot=summary_by_lot,
        figures=figures,
        title=title,
    )
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
        Lots drawn in the rates plot.

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
    ['Payment by component, all lots']
    """
    figs: dict[str, Figure] = {}
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
                ax = _bare_axes((8.0, 4.5))
                plot_funnel(rows, ax=ax)
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
            ax = _bare_axes((8.0, 4.5))
            plot_rates(shown, base, ax=ax, lots=lots)
            figs["Rates by quarter, largest payments"] = ax.figure
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
    figures = statement_figures(lines, measures=measures, assessment=assessment, baseline=baseline)
    return write_statement_html(
        lines, out_dir / filename, manifest=manifest, figures=figures, title=title
    )
