"""pbr.report.html: the self-contained HTML payment statement.

The browser test renders the file in headless Debian chromium (``scripts/ensure_chromium.sh``
installs it). Under CI (``CI=true``) a missing browser is a failure, not a skip.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from pbr.errors import PbrError
from pbr.report import (
    figure_to_data_uri,
    plot_waterfall,
    render_statement_html,
    write_statement_html,
)

from ._helpers import render_in_chromium, require_chromium


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _lines() -> pd.DataFrame:
    """Statement lines shaped like pbr.payments.LINE_COLUMNS (amounts as Decimal and str)."""
    return pd.DataFrame(
        {
            "lot": ["CPA01", "CPA01", "CPA01", "CPA02", "CPA02"],
            "period": ["2015Q4", "2016Q1", "2016/17", "2015Q4", "2016/17"],
            "component": ["binary", "binary", "frequency", "binary", "cap"],
            "cohort_size": [812, 790, 3100, 640, np.nan],
            "reoffenders": [301, 310, 1200, 250, np.nan],
            "expected_reoffenders": [329.5, 305.1, np.nan, 240.2, np.nan],
            "z": [-2.1034, 0.3512, np.nan, 0.7721, np.nan],
            "p_value": [0.0354, 0.7254, np.nan, 0.4401, np.nan],
            "outcome": [
                "significant_reduction",
                "no_significant_change",
                "",
                "no_significant_change",
                "",
            ],
            "price": [Decimal("1500.00"), Decimal("1500.00"), "300.00", "1500.00", ""],
            "amount": [Decimal("42750.00"), "0.00", "9000.55", Decimal("0.00"), "-1000.01"],
            "termination": [False, False, False, True, False],
        }
    )


MANIFEST = {
    "format": "pbr-manifest/1",
    "pbr_version": "0.1.0",
    "contract": {"name": "tr_crc", "scheme": "tr_crc", "sha256": "ab" * 32},
    "extract_date": "2018-06-30",
    "inputs": {
        "cohort": {"path": "cohort.parquet", "sha256": "cd" * 32},
        "offences": {"path": "offences.parquet", "sha256": "ef" * 32},
    },
    "parameters": {"alpha": 0.05, "rules": "moj_proven"},
    "total": "50750.54",
}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Collector()
    parser.feed(page)
    return parser.tags


def test_statement_html_has_summary_lines_totals_and_manifest() -> None:
    page = render_statement_html(_lines(), manifest=MANIFEST)
    # grand total by hand: 42750.00 + 0.00 + 9000.55 + 0.00 - 1000.01 = 50750.54
    assert '<strong id="grand-total">£50,750.54</strong>' in page
    assert "(agrees with the lines)" in page
    # per-lot totals: CPA01 = 51750.55, CPA02 = -1000.01
    assert "Lot CPA01: £51,750.55" in page
    assert "Lot CPA02: −£1,000.01" in page
    # every line is a row: 5 lines + 2 lot-total rows in the line tables
    lines_tables = re.findall(r'<table class="lines">.*?</table>', page, flags=re.S)
    assert len(lines_tables) == 2
    assert sum(t.count("<tr>") + t.count('<tr class="flag">') for t in lines_tables) == 5 + 2
    assert page.count('<tr class="flag">') == 1  # the termination-flagged line is shaded
    # figures of each line are shown
    for text in ("329.5", "-2.103", "0.0354", "significant_<wbr>reduction", "£1,500.00"):
        assert text in page, text
    # manifest: facts, input hashes, whole JSON
    assert "cd" * 32 in page and "offences.parquet" in page
    assert "&quot;rules&quot;: &quot;moj_proven&quot;" in page
    # summary table: one row per lot + total row, components as columns
    summary = re.search(r'<table class="summary">.*?</table>', page, flags=re.S)
    assert summary is not None
    assert "<th>lot</th>" in summary.group(0)
    for comp in ("binary", "frequency", "cap", "total"):
        assert f">{comp}</th>" in summary.group(0)
    assert "all lots" in summary.group(0)
    # component cells are money too: CPA01 binary, CPA02 cap
    assert '<td class="num">£42,750.00</td>' in summary.group(0)
    assert '<td class="num">−£1,000.01</td>' in summary.group(0)


def test_statement_html_is_self_contained() -> None:
    page = render_statement_html(_lines(), manifest=MANIFEST)
    tags = _tags(page)
    names = {t for t, _ in tags}
    assert "script" not in names and "link" not in names and "iframe" not in names
    imgs = [a for t, a in tags if t == "img"]
    assert len(imgs) == 2  # default figures: payment by lot (executive summary), the waterfall
    for attrs in imgs:
        src = attrs["src"] or ""
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert "url(" not in page  # no CSS fetches either


def test_statement_html_is_deterministic(tmp_path: Path) -> None:
    a = write_statement_html(_lines(), tmp_path / "a.html", manifest=MANIFEST)
    b = write_statement_html(_lines(), tmp_path / "b.html", manifest=MANIFEST)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() == render_statement_html(_lines(), manifest=MANIFEST).encode("utf-8")
    # the PNG carries no Software/timestamp chunk
    src = re.search(r'src="data:image/png;base64,([^"]+)"', a.read_text("utf-8"))
    assert src is not None
    png = base64.b64decode(src.group(1))
    assert b"Software" not in png and b"tIME" not in png


def test_figures_are_embedded_in_order_and_escaped() -> None:
    ax1 = plot_waterfall(_lines(), lot="CPA01")
    ax2 = plot_waterfall(_lines(), lot="CPA02")
    figs = {"Lot <CPA01>": ax1.figure, "Lot CPA02": ax2.figure}
    page = render_statement_html(_lines(), manifest={}, figures=figs, title="A & B")
    assert page.index("Lot &lt;CPA01&gt;") < page.index("<figcaption>Lot CPA02")
    assert "<title>A &amp; B</title>" in page
    assert page.count("<img ") == 2
    assert figure_to_data_uri(ax1.figure) in page  # type: ignore[arg-type]
    assert render_statement_html(_lines(), manifest={}, figures={}).count("<img ") == 0


def test_values_are_html_escaped() -> None:
    lines = _lines().assign(outcome="<script>alert(1)</script>")
    page = render_statement_html(lines, manifest={"note": "<b>x</b>"}, figures={})
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_summary_by_lot_override_and_errors() -> None:
    summary = pd.DataFrame({"lot": ["CPA01"], "total": ["123.45"]})
    page = render_statement_html(_lines(), manifest={}, summary_by_lot=summary, figures={})
    assert "£123.45" in page
    with pytest.raises(PbrError, match="row 2"):
        render_statement_html(_lines().assign(amount=["1", "x", "1", "1", "1"]), manifest={})
    with pytest.raises(PbrError, match="component"):
        render_statement_html(_lines().drop(columns="component"), manifest={})
    with pytest.raises(PbrError, match="manifest"):
        render_statement_html(_lines(), manifest=["not", "a", "mapping"])  # type: ignore[arg-type]


def test_decimal_amounts_are_not_rounded_through_float() -> None:
    # 0.1 + 0.2 as floats is 0.30000000000000004; as Decimals the total is exactly 0.30
    lines = pd.DataFrame(
        {
            "lot": ["A", "A"],
            "period": ["2016Q1"] * 2,
            "component": ["binary"] * 2,
            "amount": ["0.10", "0.20"],
        }
    )
    page = render_statement_html(lines, manifest={"total": "0.30"}, figures={})
    assert '<strong id="grand-total">£0.30</strong>' in page
    assert "(agrees with the lines)" in page
    page = render_statement_html(lines, manifest={"total": "0.31"}, figures={})
    assert "(DIFFERS)" in page


# ------------------------------------------------------------------ real browser


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


def test_missing_browser_fails_under_ci_and_skips_locally(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required under CI"):
        require_chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="CI unset"):
        require_chromium()


@pytest.mark.slow
def test_statement_renders_in_headless_chromium(chromium: str, tmp_path: Path) -> None:
    html_path = write_statement_html(_lines(), tmp_path / "statement.html", manifest=MANIFEST)
    shot, dom_text = render_in_chromium(chromium, html_path, tmp_path, width=1280, height=2000)
    # the browser parsed the tables: all line rows and the grand total are in its DOM
    assert dom_text.count("<table") == 6  # facts, termination, summary, 2 lots, inputs
    assert "£50,750.54" in dom_text and "CPA02" in dom_text
    assert dom_text.count('class="flag"') == 1

    img = mpimg.imread(shot)
    assert img.shape[0] == 2000 and img.shape[1] == 1280
    grey = img[..., :3].mean(axis=2)
    assert grey.std() > 0.05  # not a blank page
    top = grey[:900]  # heading, facts and summary tables, first lot table
    dark = (top < 0.35).mean()
    assert 0.005 < dark < 0.5, dark  # text and table borders drawn, not a solid block
    # table borders: long horizontal runs of grey pixels (rules of the tables)
    rows_with_rules = int(((top < 0.75) & (top > 0.4)).sum(axis=1).__gt__(300).sum())
    assert rows_with_rules >= 5
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST), encoding="utf-8")


def test_renders_a_real_statement_and_its_written_files(tmp_path: Path) -> None:
    from pbr.contracts import preset
    from pbr.payments import pay

    table = pd.DataFrame(
        {
            "lot": ["CPA01", "CPA02"],
            "period": ["2015Q4", "2015Q4"],
            "cohort_size": [1000, 1000],
            "reoffenders": [450, 500],
            "expected_reoffenders": [500.0, 500.0],
            "expected_variance": [250.0, 250.0],
            "baseline_binary": [0.5, 0.5],
        }
    )
    statement = pay(preset("tr_crc"), table)
    directory = statement.write(tmp_path / "statement")
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    page = render_statement_html(statement.lines, manifest=manifest)
    total = format_money_for_test(statement.total)
    assert f'<strong id="grand-total">{total}</strong>' in page
    assert "(agrees with the lines)" in page
    # the CSV a commissioner or auditor holds (amounts as text) renders the same total
    from_csv = pd.read_csv(directory / "statement.csv", dtype={"amount": str, "price": str})
    assert f'<strong id="grand-total">{total}</strong>' in render_statement_html(
        from_csv, manifest=manifest, figures={}
    )


def format_money_for_test(amount: Decimal) -> str:
    """Independent formatter: £ with thousands separators and pence (amount is pennies)."""
    sign = "−" if amount < 0 else ""
    pounds, pence = divmod(abs(int(amount * 100)), 100)
    return f"{sign}£{pounds:,}.{pence:02d}"


def test_write_statement_report_next_to_the_manifest(tmp_path: Path) -> None:
    from pbr.contracts import preset
    from pbr.payments import pay
    from pbr.report import statement_figures, write_statement_report

    assessment = pd.DataFrame(
        {
            "lot": ["CPA01", "CPA02", "CPA03"],
            "period": ["2015Q4"] * 3,
            "cohort_size": [1000, 1000, 800],
            "reoffenders": [450, 500, 430],
            "expected_reoffenders": [500.0, 500.0, 400.0],
            "expected_variance": [250.0, 250.0, 200.0],  # at most E(1 − E/N) = 200
            "baseline_binary": [0.5, 0.5, 0.5],
            "expected_rate": [0.5, 0.5, 0.5],
            "change_pp": [-5.0, 0.0, 3.75],
        }
    )
    measures = pd.DataFrame(
        {
            "lot": ["CPA01", "CPA02", "CPA03", "CPA01"],
            "period": ["2015Q4", "2015Q4", "2015Q4", "2011Q4"],
            "binary_rate": [0.45, 0.5, 0.5375, 0.5],
        }
    )
    statement = pay(preset("tr_crc"), assessment)
    directory = statement.write(tmp_path / "statement")
    figs = statement_figures(statement.lines, measures=measures, assessment=assessment)
    rates = "Proven reoffending rate by quarter, each lot against the others"
    assert list(figs) == [
        "Payment by lot",
        "Payment by component, all lots",
        "Funnel plot: change against the adjusted baseline",
        rates,
    ]
    # the rates plot shows the baseline quarter and the performance quarter, with a break
    rates_ax = figs[rates].axes[0]
    assert [t.get_text() for t in rates_ax.get_xticklabels()] == ["2011Q4", "2015Q4"]
    assert "//" in [t.get_text() for t in rates_ax.texts]
    path = write_statement_report(statement, directory, measures=measures, assessment=assessment)
    assert path == directory / "statement.html"
    page = path.read_text(encoding="utf-8")
    assert "<title>Payment statement: tr_crc</title>" in page
    assert "(agrees with the lines)" in page  # it read manifest.json
    assert page.count("<img ") == 4
    # written again: identical bytes
    again = write_statement_report(
        statement, directory, measures=measures, assessment=assessment, filename="again.html"
    )
    assert again.read_bytes() == path.read_bytes()
