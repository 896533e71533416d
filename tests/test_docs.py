"""The documentation builds with warnings as errors and covers the CLI and the API."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def sphinx_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Build the HTML docs once with ``-W --keep-going`` (the whole site is written even
    when a warning makes the build fail, so the structure tests still run)."""
    out = tmp_path_factory.mktemp("html")
    doctrees = tmp_path_factory.mktemp("doctrees")
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": ""}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-b",
            "html",
            "-W",
            "--keep-going",
            "-q",
            "-E",
            "-d",
            str(doctrees),
            str(DOCS),
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    return out, proc


@pytest.fixture(scope="module")
def built_html(sphinx_run: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    out, proc = sphinx_run
    if not (out / "index.html").is_file():
        pytest.fail(f"sphinx wrote no site ({proc.returncode}):\n{proc.stderr}\n{proc.stdout}")
    return out


def test_docs_build_without_warnings(
    sphinx_run: tuple[Path, subprocess.CompletedProcess[str]], built_html: Path
) -> None:
    proc = sphinx_run[1]
    assert proc.returncode == 0, (
        f"sphinx -W failed ({proc.returncode}):\n{proc.stderr}\n{proc.stdout}"
    )
    for page in ("index", "api", "cli", "guide-commissioner", "guide-auditor", "guide-researcher"):
        assert (built_html / f"{page}.html").is_file(), page


def test_api_reference_documents_every_public_module(built_html: Path) -> None:
    sys.path.insert(0, str(DOCS))
    try:
        import conf  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(DOCS))
    html = (built_html / "api.html").read_text(encoding="utf-8")
    modules = conf.public_modules()
    assert "pbr.dates" in modules and "pbr.errors" in modules
    for name in modules:
        assert f'id="module-{name}"' in html, f"{name} missing from the API reference"
    # a documented function renders with its Examples section
    assert 'id="pbr.dates.add_months"' in html
    assert "Examples" in html


def test_methodology_pages_are_in_the_toctree(built_html: Path) -> None:
    pages = sorted((DOCS / "methodology").glob("*.md")) if (DOCS / "methodology").is_dir() else []
    if (DOCS / "methodology.md").is_file():
        pages.append(DOCS / "methodology.md")
    index = (built_html / "index.html").read_text(encoding="utf-8")
    for page in pages:
        rel = page.relative_to(DOCS).with_suffix(".html").as_posix()
        assert f'href="{rel}"' in index, f"{rel} not linked from the index"


def test_cli_reference_covers_every_subcommand() -> None:
    from pbr.cli import COMMANDS, build_parser

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert re.search(rf"^## `pbr {name}`", text, flags=re.M), f"pbr {name} not documented"
    # and every subcommand the parser actually registers is one of those
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) <= set(COMMANDS)  # type: ignore[arg-type]
