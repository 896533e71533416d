"""`pbr demo`: the whole job on the bundled sample, end to end (issue 2–7 demo contract)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from pbr.cli import main


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo")
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["demo", "--out", str(out)])
    assert code == 0
    return out, buf.getvalue()


def test_demo_writes_every_artefact(demo_run: tuple[Path, str]) -> None:
    out, text = demo_run
    for rel in [
        "measures.csv",
        "measures.manifest.json",
        "contract.toml",
        "baseline/baseline.json",
        "statement/statement.csv",
        "statement/statement.json",
        "statement/statement.parquet",
        "statement/manifest.json",
        "statement/statement.html",
    ]:
        assert (out / rel).is_file(), rel
    # it tells the user where the files are
    assert str(out / "statement" / "statement.html") in text


def test_demo_prints_each_step(demo_run: tuple[Path, str]) -> None:
    text = demo_run[1]
    for step in (
        "1. Validate",
        "2. Proven reoffending",
        "3. The 2011 baseline",
        "4. Each lot",
        "5. Payment",
        "6. HTML",
    ):
        assert step in text
    # the latest final quarter of the sample (extract date 2018-06-30: 2016Q4 + 18 months)
    assert "latest final quarter: 2016Q4" in text
    assert "interim (window not complete): 2017Q1" in text


def test_demo_statement_pays_only_final_performance_periods(
    demo_run: tuple[Path, str],
) -> None:
    out = demo_run[0]
    lines = pd.read_csv(out / "statement" / "statement.csv", dtype=str)
    assert set(lines["period"]) == {"2015Q4", "2016Q1", "2016Q2", "2016Q3", "2016Q4", "2015/16"}
    assert set(lines["component"]) >= {"binary", "frequency"}
    assert (lines["provisional"].str.lower() == "false").all()
    # total = exact sum of the rounded lines, and it is what the demo printed
    total = sum(Decimal(a) for a in lines["amount"])
    manifest = json.loads((out / "statement" / "manifest.json").read_text())
    assert Decimal(str(manifest["total"])) == total
    assert f"£{total:,}" in demo_run[1]


def test_demo_statement_verifies(
    demo_run: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", str(demo_run[0] / "statement")]) == 0
    assert "verified" in capsys.readouterr().out


def test_demo_html_is_self_contained(demo_run: tuple[Path, str]) -> None:
    page = (demo_run[0] / "statement" / "statement.html").read_text(encoding="utf-8")
    assert "<table" in page and "data:image/png;base64," in page
    assert "http://" not in page and "https://" not in page and "<script" not in page.lower()
    assert page.count("data:image/png;base64,") == 4  # by lot, waterfall, funnel, rates


def test_demo_html_renders_in_headless_chromium(demo_run: tuple[Path, str]) -> None:
    """Issue 7: the README demo's own statement opens and renders in a real browser."""
    import matplotlib.image as mpimg

    from ._helpers import render_in_chromium, require_chromium

    browser = require_chromium()
    out = demo_run[0]
    shot, dom_text = render_in_chromium(
        browser, out / "statement" / "statement.html", out, width=1280, height=1800
    )
    # the browser parsed the per-lot summary and every lot's line table
    lines = pd.read_csv(out / "statement" / "statement.csv", dtype=str)
    for lot in sorted(set(lines["lot"])):
        assert f"Lot {lot}" in dom_text
    total = sum(Decimal(a) for a in lines["amount"])
    assert f"£{total:,}".replace("£-", "−£") in dom_text or f"£{total:,}" in dom_text
    img = mpimg.imread(shot)
    grey = img[..., :3].mean(axis=2)
    assert img.shape[:2] == (1800, 1280)
    assert grey.std() > 0.05  # not blank
    dark = (grey[:900] < 0.35).mean()
    assert 0.005 < dark < 0.5  # text and table rules drawn in the top half
