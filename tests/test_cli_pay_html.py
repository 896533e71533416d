"""`pbr pay --html` and the microdata payment path's treatment of the baseline year."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pbr.cli import main

from ._helpers import sample_microdata_args


@pytest.fixture(scope="module")
def baseline_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bl") / "baseline"
    code = main(
        [
            "baseline",
            *sample_microdata_args(),
            "--year",
            "2011",
            "--risk",
            "ogrs3",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return out


def _pay_microdata(baseline_dir: Path, out: Path, *options: str) -> int:
    """``pbr pay --contract tr_crc`` on the bundled sample microdata; the exit code."""
    return main(
        [
            "pay",
            "--contract",
            "tr_crc",
            *sample_microdata_args(),
            "--baseline",
            str(baseline_dir),
            *options,
            "--out",
            str(out),
        ]
    )


def test_pay_html_on_microdata(
    tmp_path: Path, baseline_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "st"
    assert _pay_microdata(baseline_dir, out, "--allow-interim", "--html") == 0
    assert f"wrote {out / 'statement.html'}" in capsys.readouterr().out
    page = (out / "statement.html").read_text(encoding="utf-8")
    assert "Payment statement" in page and "data:image/png;base64," in page
    lines = pd.read_csv(out / "statement.csv", dtype=str)
    # the baseline year's own cohorts are the baseline, never paid as performance
    assert not lines["period"].str.startswith("2011").any()
    # the interim quarter (2017Q1: window ends after the 2018-06-30 extract) is paid only
    # provisionally, and then every line is provisional
    assert "2017Q1" in set(lines["period"])
    assert (lines["provisional"].str.lower() == "true").all()


def test_pay_microdata_refuses_interim_without_opt_in(
    tmp_path: Path, baseline_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _pay_microdata(baseline_dir, tmp_path / "x") == 2
    err = capsys.readouterr().err
    assert "interim" in err and "2017Q1" in err
