"""The HTML payment statement of a written statement directory, with its plots.

:func:`write_statement_report` is what ``pbr pay --html`` and ``pbr demo``
call: it reads the statement's ``manifest.json`` (so the page shows the input
hashes an auditor checks), draws the payment waterfall and, when the
measures and the assessment are given, the rates-by-quarter and funnel plots,
writes each plot as a PNG beside the page and embeds them in one
self-contained ``statement.html`` (inline CSS, images as data URIs).

Examples
--------
>>> import pandas as pd, tempfile
>>> from pbr.contracts import preset
>>> from pbr.payments import pay
>>> from pbr.audit import write_statement
>>> t = pd.DataFrame({"lot": ["A"], "period": ["2015Q4"], "cohort_size": [1000],
...                   "reoffenders": [420], "expected_reoffenders": [480.0],
...                   "baseline_binary": [0.48]})
>>> d = write_statement(pay(preset("tr_crc"), t), tempfile.mkdtemp())
>>> write_statement_report(pay(preset("tr_crc"), t), d).name
'statement.html'
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt

from pbr.errors import PbrError
from pbr.report.html import write_statement_html
from pbr.report.plots import plot_funnel, plot_rates, plot_waterfall

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["write_statement_report"]

#: PNG metadata without the software version or a timestamp, so files are reproducible.
_PNG_METADATA: dict[str, Any] = {"Software": None}


def write_statement_report(
    statement: Any,
    directory: str | Path,
    *,
    measures: Any = None,
    assessment: Any = None,
    baseline: Any = None,
    title: str | None = None,
) -> Path:
    """Write ``statement.html`` (and the plots as PNG files) into a statement directory.

    Parameters
    ----------
    statement : pbr.payments.Statement
        The statement (its ``.lines`` are shown; amounts are exact Decimals).
    directory : str or pathlib.Path
        The folder the statement was written to with
        :func:`pbr.audit.write_statement`; its ``manifest.json`` is embedded.
    measures : pbr.measures.Measures or DataFrame, optional
        Adds the plot of rates by quarter per lot with Wilson intervals.
    assessment : pbr.baseline.Assessment or DataFrame, optional
        Adds the funnel plot (change against the adjusted baseline vs cohort size).
    baseline : pbr.baseline.Baseline or DataFrame, optional
        Draws each lot's baseline on the rates plot.
    title : str, optional
        Page title (default: "Payment statement — <contract name>").

    Returns
    -------
    pathlib.Path
        The path of ``statement.html``.

    Raises
    ------
    PbrError
        If the directory has no ``manifest.json`` (write the statement first).

    Examples
    --------
    See the module example.
    """
    d = Path(directory)
    manifest_path = d / "manifest.json"
    if not manifest_path.is_file():
        raise PbrError(f"{d}: no manifest.json — write the statement with write_statement first")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    lines = statement.lines
    figures: dict[str, Figure] = {}

    fig, ax = plt.subplots(figsize=(10, 4.5))
    plot_waterfall(lines, ax=ax)
    figures["Payment by component, all lots (waterfall)"] = fig

    if measures is not None:
        table = getattr(measures, "table", measures)
        quarterly = table[table["period"].astype(str).str.contains("Q")]
        base_table = None
        if baseline is not None:
            bt = getattr(baseline, "table", baseline)
            base_table = bt.table if hasattr(bt, "table") else bt
        fig, ax = plt.subplots(figsize=(10, 5.5))
        plot_rates(quarterly, base_table, ax=ax)
        figures["Proven reoffending rate by quarter per lot (95 % Wilson intervals)"] = fig
    if assessment is not None:
        at = getattr(assessment, "table", assessment)
        paid = set(lines["period"].astype(str))
        at = at[at["period"].astype(str).isin(paid)]
        if len(at):
            fig, ax = plt.subplots(figsize=(8, 5.5))
            plot_funnel(at, ax=ax)
            figures["Funnel plot: change against the adjusted baseline, paid quarters"] = fig

    for i, (caption, f) in enumerate(figures.items(), start=1):
        slug = caption.split(":")[0].split("(")[0].strip().lower().replace(" ", "_")
        f.savefig(d / f"figure_{i}_{slug[:30]}.png", dpi=110, metadata=_PNG_METADATA)

    name = getattr(getattr(statement, "contract", None), "name", "")
    out = write_statement_html(
        lines,
        d / "statement.html",
        manifest=manifest,
        figures=figures,
        title=title or (f"Payment statement — {name}" if name else "Payment statement"),
    )
    for f in figures.values():
        plt.close(f)
    return out
