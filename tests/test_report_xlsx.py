"""Spreadsheets: MoJ-style headers, money as numbers, totals that are the statement's."""

from __future__ import annotations

import json
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook

import pbr
from pbr.cli import main
from pbr.payments import example_assessment
from pbr.pipeline import verify
from pbr.provenance import sha256_file
from pbr.report.xlsx import MONEY_FORMAT, statement_to_excel


def _assessment() -> pd.DataFrame:
    # A: 450 of 500 expected -> a paid reduction; B: 550 -> a deduction; C: as expected
    return pd.concat(
        [example_assessment(450, lot="A"), example_assessment(550, lot="B"),
         example_assessment(500, lot="C")],
        ignore_index=True,
    )  # fmt: skip


def test_statement_xlsx_totals_are_the_statements(tmp_path) -> None:
    s = pbr.pay(pbr.preset("tr_crc"), _assessment())
    assert s.total == Decimal("0.00")  # +£75,000.00 − £75,000.00 + £0.00
    book = load_workbook(statement_to_excel(s, tmp_path / "s.xlsx"))
    ws = book["Summary"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "CRC / lot" and rows[0][-1] == "Total (£)"
    by_lot = {r[0]: r[-1] for r in rows[1:]}
    assert by_lot == {"A": 75000.0, "B": -75000.0, "C": 0.0, "All lots": float(s.total)}
    for lot, total in zip(s.totals_by_lot()["lot"], s.totals_by_lot()["total"], strict=True):
        assert Decimal(str(by_lot[lot])).quantize(Decimal("0.01")) == total
    assert ws.cell(ws.max_row, ws.max_column).number_format == MONEY_FORMAT
    lines = book["Lines"]
    headers = [c.value for c in lines[1]]
    assert "Number of offenders in the measurable cohort" in headers
    amount_col = headers.index("Amount (£)") + 1
    amounts = [lines.cell(r, amount_col).value for r in range(2, lines.max_row + 1)]
    assert all(isinstance(a, (int, float)) for a in amounts)  # numbers, not text
    assert sum(Decimal(str(a)) for a in amounts) == s.total
    cohort_col = headers.index("Number of offenders in the measurable cohort") + 1
    assert lines.cell(2, cohort_col).value == 1000 and isinstance(
        lines.cell(2, cohort_col).value, int
    )
    notes = {r[0]: r[1] for r in book["Notes"].iter_rows(min_row=2, values_only=True)}
    assert notes["Prices"].startswith("ILLUSTRATIVE")
    terms = {r[0]: r[1] for r in book["Contract terms"].iter_rows(min_row=2, values_only=True)}
    assert terms["binary.price_per_reoffender_avoided"] == "£1,500.00"


def test_pbr_pay_xlsx_on_the_sample_total_and_manifest_hash(tmp_path, capsys) -> None:
    a = _assessment().assign(lot=["CPA01", "CPA02", "CPA03"])
    a.to_csv(tmp_path / "m.csv", index=False)
    out = tmp_path / "st"
    code = main(["pay", "--contract", "tr_crc", "--measures", str(tmp_path / "m.csv"),
                 "--out", str(out), "--xlsx"])  # fmt: skip
    assert code == 0
    book = load_workbook(out / "statement.xlsx")
    statement = pd.read_csv(out / "statement.csv", dtype={"amount": str})
    total = sum(Decimal(x) for x in statement["amount"])
    ws = book["Summary"]
    assert Decimal(str(ws.cell(ws.max_row, ws.max_column).value)) == total
    notes = {r[0]: r[1] for r in book["Notes"].iter_rows(min_row=2, values_only=True)}
    assert notes["Lines SHA-256"].startswith(sha256_file(out / "statement.csv") + " (")
    # the workbook is an output like any other: hashed in the manifest, checked by verify
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["outputs"]["statement.xlsx"] == sha256_file(out / "statement.xlsx")
    assert verify(out).identical
    book["Summary"].cell(2, 2).value = 1  # an edited workbook no longer verifies
    book.save(out / "statement.xlsx")
    result = verify(out)
    assert not result.identical and "statement.xlsx" in result.differences


@pytest.mark.filterwarnings("ignore")
def test_pbr_measures_xlsx_moj_headers(tmp_path) -> None:
    from ._helpers import sample_microdata_args

    out = tmp_path / "m.csv"
    assert main(["measures", *sample_microdata_args(), "--out", str(out), "--xlsx"]) == 0
    book = load_workbook(tmp_path / "m.xlsx")
    ws = book["Measures"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == [
        "CRC / lot",
        "Cohort period",
        "Number of offenders eligible",
        "Number of offenders in the measurable cohort",
    ]
    csv = pd.read_csv(out)
    got = [ws.cell(r, 4).value for r in range(2, ws.max_row + 1)]
    assert got == csv["cohort_size"].astype(int).tolist()
    rate_col = headers.index("Proportion of offenders who reoffend (%)") + 1
    assert ws.cell(2, rate_col).value == pytest.approx(100 * csv["binary_rate"].iloc[0])
    notes = {r[0]: r[1] for r in book["Notes"].iter_rows(min_row=2, values_only=True)}
    assert notes["Lines SHA-256"].startswith(sha256_file(out) + " (")
    manifest = json.loads(out.with_suffix(".manifest.json").read_text())
    assert manifest["outputs"]["m.xlsx"] == sha256_file(tmp_path / "m.xlsx")


def test_statement_to_excel_method_totals_and_same_bytes_twice(tmp_path) -> None:
    s = pbr.pay(pbr.preset("tr_crc"), _assessment())
    first = s.to_excel(tmp_path / "a.xlsx")
    second = s.to_excel(tmp_path / "b.xlsx")
    assert first.read_bytes() == second.read_bytes()  # no clock in the file
    ws = load_workbook(first)["Summary"]
    rows = {r[0]: r[-1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows == {"A": 75000.0, "B": -75000.0, "C": 0.0, "All lots": 0.0}
    import zipfile

    with zipfile.ZipFile(first) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core


def test_measures_to_excel_method_moj_headers_and_same_bytes_twice(tmp_path) -> None:
    from pbr.sample import load_sample

    sample = load_sample()
    m = pbr.compute_measures(
        sample.cohort, sample.offences, extract_date=sample.extract_date, period="calendar_year"
    )
    a, b = m.to_excel(tmp_path / "a.xlsx"), m.to_excel(tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()
    ws = load_workbook(a)["Measures"]
    headers = [c.value for c in ws[1]]
    assert "Number of offenders in the measurable cohort" in headers
    assert "Number of reoffenders" in headers
    col = headers.index("Number of reoffenders") + 1
    got = [ws.cell(r, col).value for r in range(2, ws.max_row + 1)]
    assert got == m.table["reoffenders"].astype(int).tolist()


def test_pbr_pay_xlsx_twice_gives_the_same_bytes(tmp_path) -> None:
    a = _assessment().assign(lot=["CPA01", "CPA02", "CPA03"])
    a.to_csv(tmp_path / "m.csv", index=False)
    books = []
    for name in ("one", "two"):
        out = tmp_path / name
        args = ["pay", "--contract", "tr_crc", "--measures", str(tmp_path / "m.csv")]
        assert main([*args, "--out", str(out), "--xlsx"]) == 0
        books.append((out / "statement.xlsx").read_bytes())
    assert books[0] == books[1]
