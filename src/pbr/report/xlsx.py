"""Spreadsheets in the layout of MoJ's published proven reoffending tables.

:func:`statement_to_excel` and :func:`measures_to_excel` write ``.xlsx``
workbooks (openpyxl) whose column headers follow the Ministry of Justice's
published Community Rehabilitation Company tables ("Number of offenders in the
measurable cohort", "Number of reoffenders", "Proportion of offenders who
reoffend (%)", ...), one row per lot and period, with a **Notes** sheet giving
the conventions (docs/methodology.md) and, when known, the manifest's SHA-256.

Money cells are numbers formatted as pounds (``£#,##0.00``), never text; the
totals are the statement's own (exact Decimal sums of the rounded lines, written
as the number with those pence). Counts are whole numbers; rates are percentages.
The file holds no clock (fixed document times, fixed zip entry times), so the
same inputs give the same bytes on every run.

Examples
--------
>>> import tempfile, pathlib
>>> import openpyxl, pbr
>>> deducted = pbr.pay(pbr.preset("tr_crc"), pbr.payments.example_assessment(550))
>>> book = deducted.to_excel(pathlib.Path(tempfile.mkdtemp()) / "d.xlsx")
>>> openpyxl.load_workbook(book).sheetnames
['Summary', 'Lines', 'Contract terms', 'Notes']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from pbr.errors import PbrError
from pbr.formatting import format_money

__all__ = [
    "HEADERS",
    "MEASURE_HEADERS",
    "STATEMENT_HEADERS",
    "measures_to_excel",
    "statement_to_excel",
]

MONEY_FORMAT = '"£"#,##0.00;[Red]"−£"#,##0.00'  # −£7,979.23: pbr's one money format
_COUNT_FORMAT = "#,##0"
_RATE_FORMAT = "0.0"
_FIXED = dt.datetime(2000, 1, 1)  # document properties: no wall-clock time in the file


def _formatted(number_format: str | None, **headers: str) -> dict[str, tuple[str, str | None]]:
    """``{column: (header, number_format)}``: one number format for a kind of column."""
    return {column: (header, number_format) for column, header in headers.items()}


#: Every column pbr writes to a sheet → its MoJ-style header and number format (one
#: definition per column: the Measures and the statement Lines sheets share them).
HEADERS: dict[str, tuple[str, str | None]] = {
    **_formatted(
        None,
        lot="CRC / lot",
        period="Cohort period",
        component="Payment component",
        item="Item",
        status="Status (final / interim)",
        outcome="Outcome",
        termination="Termination threshold crossed",
        note="Note",
    ),
    **_formatted(
        _COUNT_FORMAT,
        eligible="Number of offenders eligible",
        cohort_size="Number of offenders in the measurable cohort",
        reoffenders="Number of reoffenders",
        reoffences="Number of reoffences",
    ),
    **_formatted(
        _RATE_FORMAT,  # percent, one decimal
        binary_rate="Proportion of offenders who reoffend (%)",
        binary_ci_low="Proportion who reoffend: 95% interval, lower (%)",
        binary_ci_high="Proportion who reoffend: 95% interval, upper (%)",
        baseline="Baseline proportion who reoffend (%)",
        adjusted_rate="Adjusted proportion who reoffend (%)",
    ),
    **_formatted(
        "0.00",
        reoffences_per_reoffender="Average number of reoffences per reoffender",
        reoffences_per_offender="Average number of reoffences per offender",
        change="Change against the baseline (percentage points)",
    ),
    **_formatted(
        "0.00000",  # the precision the amounts are computed from
        expected_reoffenders="Expected number of reoffenders (E)",
        units="Units paid (E − O, or volume)",
    ),
    **_formatted(MONEY_FORMAT, price="Price (£)", amount="Amount (£)"),
    **_formatted("0.000", z="z"),
    **_formatted("0.0000", p_value="p-value (two-sided)"),
}
_PERCENT = ("binary_rate", "binary_ci_low", "binary_ci_high", "baseline", "adjusted_rate")

#: The Measures sheet's columns, in order (headers from :data:`HEADERS`).
MEASURE_HEADERS = {
    k: HEADERS[k]
    for k in ("lot", "period", "eligible", "cohort_size", "reoffenders", "reoffences",
              "binary_rate", "binary_ci_low", "binary_ci_high", "reoffences_per_reoffender",
              "reoffences_per_offender", "status")
}  # fmt: skip

#: The statement Lines sheet's columns, in order (headers from :data:`HEADERS`).
STATEMENT_HEADERS = {
    k: HEADERS[k]
    for k in ("lot", "period", "component", "item", "status", "cohort_size", "reoffenders",
              "reoffences", "expected_reoffenders", "baseline", "adjusted_rate", "change", "z",
              "p_value", "outcome", "price", "units", "amount", "termination", "note")
}  # fmt: skip


def _cell_value(column: str, value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, Decimal):
        return float(value)  # exact to the penny: a rounded amount has at most 2 decimals
    if hasattr(value, "item"):
        value = value.item()
    if column in _PERCENT and isinstance(value, (int, float)):
        return 100 * float(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if column in ("cohort_size", "reoffenders", "reoffences", "eligible") and isinstance(
        value, float
    ):
        return int(value) if value.is_integer() else value
    return value


def _sheet(wb: Any, title: str, frame: pd.DataFrame, headers: Mapping[str, tuple[str, Any]]) -> Any:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(title)
    cols = [c for c in headers if c in frame.columns]
    ws.append([headers[c][0] for c in cols])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for rec in frame[cols].to_dict("records"):
        ws.append([_cell_value(c, rec[c]) for c in cols])
    for j, c in enumerate(cols, start=1):
        fmt = headers[c][1]
        letter = ws.cell(row=1, column=j).column_letter
        ws.column_dimensions[letter].width = max(10, min(28, len(headers[c][0]) // 2 + 4))
        if fmt:
            for row in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                row[0].number_format = fmt
    ws.freeze_panes = "C2"
    return ws


def _notes(wb: Any, notes: Sequence[tuple[str, str]]) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet("Notes")
    ws.append(["Note", "Detail"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for key, text in notes:
        ws.append([key, text])
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 110


def _stable_bytes(wb: Any) -> bytes:
    """The workbook's ``.xlsx`` bytes with no clock in them: same cells → same bytes.

    openpyxl stamps ``docProps/core.xml`` with the time of saving and every zip
    entry with the local time; both are replaced by fixed values (the document
    properties by :data:`_FIXED`, the entries by 1980-01-01, the zip epoch).
    """
    import io
    import zipfile

    from openpyxl.xml.functions import tostring

    raw = io.BytesIO()
    wb.save(raw)
    props = wb.properties
    props.created = props.modified = _FIXED
    core = tostring(props.to_tree())
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            data = core if info.filename == "docProps/core.xml" else src.read(info)
            dst.writestr(entry, data)
    return out.getvalue()


def _save(wb: Any, path: str | Path) -> Path:
    wb.properties.creator = "pbr"
    out = Path(path)
    try:
        out.write_bytes(_stable_bytes(wb))
    except OSError as exc:
        raise PbrError(f"cannot write the spreadsheet {out}: {exc}") from None
    return out


def _workbook() -> Any:
    try:
        from openpyxl import Workbook
    except ImportError:  # pragma: no cover - openpyxl is a runtime dependency
        raise PbrError("writing .xlsx needs openpyxl (pip install openpyxl)") from None
    wb = Workbook()
    wb.remove(wb.active)
    return wb


_CONVENTIONS = (
    (
        "Proven reoffence",
        "An offence committed within 12 months of the index date and proven by conviction or "
        "caution within a further 6 months (docs/methodology.md, 'Counting rules').",
    ),
    (
        "Rates",
        "Proportions are shown in percent; changes in percentage points. Counts are whole "
        "numbers of offenders or offences.",
    ),
    (
        "Money",
        "Each line's amount is units × price rounded once to the penny (ROUND_HALF_UP unless the "
        "contract says otherwise); totals are sums of the rounded lines, so they reconcile "
        "exactly with the statement files.",
    ),
)


def _provenance_note(
    manifest_sha256: str | None, lines: tuple[str, str] | None, missing: str
) -> tuple[str, str]:
    """The Notes row that ties a workbook to its audit record.

    With ``lines`` (name, SHA-256 of the lines file the manifest lists) the workbook is
    itself listed in the manifest; otherwise the manifest's own hash, or ``missing``.

    Examples
    --------
    >>> _provenance_note(None, ("statement.csv", "ab12"), "none")
    ('Lines SHA-256', 'ab12 (statement.csv; this workbook is hashed in manifest.json)')
    >>> _provenance_note("cd34", None, "none")
    ('Manifest SHA-256', 'cd34')
    """
    if lines is not None:
        name, sha = lines
        return ("Lines SHA-256", f"{sha} ({name}; this workbook is hashed in manifest.json)")
    return ("Manifest SHA-256", manifest_sha256 or missing)


def statement_to_excel(
    statement: Any,
    path: str | Path,
    *,
    manifest_sha256: str | None = None,
    lines_file: tuple[str, str] | None = None,
) -> Path:
    """Write a payment statement as an ``.xlsx`` workbook.

    Sheets: **Summary** (one row per lot: the amount of each component and the
    lot total, then an "All lots" row whose total is :attr:`Statement.total`),
    **Lines** (every line, MoJ-style headers), **Contract terms** and **Notes**
    (conventions, contract, provisional / illustrative flags, the manifest hash).

    Parameters
    ----------
    statement : pbr.payments.Statement
    path : str or pathlib.Path
        The ``.xlsx`` file to write.
    manifest_sha256 : str, optional
        SHA-256 of the statement's ``manifest.json``, recorded in the notes (for a
        workbook written after the manifest and kept outside it).
    lines_file : (str, str), optional
        The lines file this workbook shows and its SHA-256, e.g.
        ``("statement.csv", "…")``, recorded in the notes. ``pbr pay --xlsx`` passes
        it and then lists the workbook itself in the manifest's hashed outputs, so
        ``pbr verify`` checks it (docs/methodology.md#verification).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from openpyxl import load_workbook
    >>> from pbr.contracts import preset
    >>> from pbr.payments import example_assessment, pay
    >>> s = pay(preset("tr_crc"), example_assessment(450))
    >>> ws = load_workbook(statement_to_excel(s, pathlib.Path(tempfile.mkdtemp()) / "s.xlsx"))
    >>> ws["Summary"]["A3"].value, ws["Summary"].cell(3, ws["Summary"].max_column).value
    ('All lots', 75000)
    """
    from openpyxl.styles import Font

    from pbr.report.statement_parts import contract_terms

    lines: pd.DataFrame = statement.lines
    wb = _workbook()
    comps = [str(c) for c in pd.unique(lines["component"].astype(str))]
    ws = wb.create_sheet("Summary")
    ws.append(
        ["CRC / lot", *[f"{c.replace('_', ' ').capitalize()} (£)" for c in comps], "Total (£)"]
    )
    for cell in ws[1]:
        cell.font = Font(bold=True)
    by_comp: dict[tuple[str, str], Decimal] = {}
    by_lot: dict[str, Decimal] = {}
    for lot, comp, amount in zip(
        lines["lot"].astype(str), lines["component"].astype(str), lines["amount"], strict=True
    ):
        by_comp[lot, comp] = by_comp.get((lot, comp), Decimal(0)) + Decimal(amount)
        by_lot[lot] = by_lot.get(lot, Decimal(0)) + Decimal(amount)
    for lot in sorted(by_lot):
        ws.append(
            [lot, *[float(by_comp.get((lot, c), Decimal(0))) for c in comps], float(by_lot[lot])]
        )
    col_totals = [
        sum((by_comp.get((lot, c), Decimal(0)) for lot in by_lot), Decimal(0)) for c in comps
    ]
    ws.append(["All lots", *[float(t) for t in col_totals], float(statement.total)])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=2, min_col=2):
        for cell in row:
            cell.number_format = MONEY_FORMAT
    ws.column_dimensions["A"].width = 14
    for j in range(2, len(comps) + 3):
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = 18
    _sheet(wb, "Lines", lines, STATEMENT_HEADERS)
    terms = contract_terms(statement.contract)
    _sheet(wb, "Contract terms", terms, {"term": ("Term", None), "value": ("Value", None)})
    contract = statement.contract
    notes = [
        ("Contract", f"{contract.name} (scheme {contract.scheme})"),
        ("Total payable", f"{format_money(statement.total)} (the Summary sheet's 'All lots')"),
        (
            "Prices",
            "ILLUSTRATIVE: the contract says its prices are illustrative"
            if contract.prices_are_illustrative
            else "as set in the contract",
        ),
        ("Provisional", "yes: computed on interim measures" if statement.provisional else "no"),
        *_CONVENTIONS,
        _provenance_note(manifest_sha256, lines_file, "statement not saved with a manifest"),
    ]
    _notes(wb, notes)
    return _save(wb, path)


def measures_to_excel(
    measures: Any,
    path: str | Path,
    *,
    manifest_sha256: str | None = None,
    lines_file: tuple[str, str] | None = None,
) -> Path:
    """Write measures as an ``.xlsx`` workbook in the layout of MoJ's CRC tables.

    Sheets: **Measures** (one row per lot and period), **National** (when the
    measures have national rows) and **Notes** (counting rules, extract date,
    manifest hash).

    Parameters
    ----------
    measures : pbr.measures.Measures or pandas.DataFrame
        The measures (or their table).
    path : str or pathlib.Path
    manifest_sha256 : str, optional
        SHA-256 of the measures manifest, recorded in the notes.
    lines_file : (str, str), optional
        The measures CSV's name and SHA-256, recorded in the notes (``pbr measures
        --xlsx`` then lists the workbook in the manifest's hashed outputs).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> from openpyxl import load_workbook
    >>> t = pd.DataFrame({"lot": ["CPA01"], "period": ["2016Q1"], "cohort_size": [153.0],
    ...                   "reoffenders": [86.0], "binary_rate": [0.5621]})
    >>> ws = load_workbook(measures_to_excel(t, pathlib.Path(tempfile.mkdtemp()) / "m.xlsx"))
    >>> [c.value for c in ws["Measures"][1]][2], ws["Measures"]["C2"].value
    ('Number of offenders in the measurable cohort', 153)
    """
    table = measures if isinstance(measures, pd.DataFrame) else measures.table
    wb = _workbook()
    _sheet(wb, "Measures", table, MEASURE_HEADERS)
    national = getattr(measures, "national", None)
    if isinstance(national, pd.DataFrame) and not national.empty:
        _sheet(wb, "National", national, MEASURE_HEADERS)
    notes = [
        ("Counting rules", str(getattr(measures, "rules", "see the manifest"))),
        ("Extract date", str(getattr(measures, "extract_date", "see the manifest"))),
        (
            "Follow-up / waiting",
            f"{getattr(measures, 'follow_up_months', 12)} months + "
            f"{getattr(measures, 'waiting_months', 6)} months",
        ),
        (
            "Status",
            "final: every member's window and waiting period ended by the extract date; "
            "interim: not yet (figures can still rise)",
        ),
        *_CONVENTIONS[:2],
        _provenance_note(manifest_sha256, lines_file, "not written"),
    ]
    _notes(wb, notes)
    return _save(wb, path)
