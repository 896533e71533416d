"""``pbr forecast``: the table, the manifest and the page; ``--backtest`` prints the table."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pbr.cli import main
from pbr.sample import generate


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    d = tmp_path_factory.mktemp("fc")
    s = generate(seed=4, scale=0.05, lots=["CPA01", "CPA02"])
    cut = pd.Timestamp("2017-09-30")
    s.cohort.to_parquet(d / "cohort.parquet")
    s.offences[s.offences["disposal_date"] <= cut].to_parquet(d / "offences.parquet")
    return [
        "--cohort", str(d / "cohort.parquet"), "--offences", str(d / "offences.parquet"),
        "--extract-date", "2017-09-30",
    ]  # fmt: skip


@pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")
def test_forecast_writes_table_page_and_manifest(
    files: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["forecast", "--contract", "tr_crc", *files, "--draws", "40", "--seed", "3"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert "projected total payment £" in out
    a = tmp_path / "a"
    t = pd.read_csv(a / "forecast.csv")
    assert {"projected_rate", "rate_low95", "rate_high95", "expected_amount"} <= set(t.columns)
    assert set(t["status"]) == {"final", "interim"}
    page = (a / "forecast.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("data:image/png;base64,") == 2
    man = json.loads((a / "manifest.json").read_text(encoding="utf-8"))
    assert man["command"] == "forecast" and man["seeds"] == {"bootstrap": 3}
    assert set(man["outputs"]) == {"forecast", "page", "frequency"}
    years = pd.read_csv(a / "forecast_frequency.csv")
    assert {"lot", "period", "p_paid", "expected_amount", "amount_high95"} <= set(years.columns)
    assert "Frequency, by lot and contract year" in page
    # same inputs and seed: byte-identical outputs
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    for name in ("forecast.csv", "forecast.html", "forecast_frequency.csv"):
        assert (a / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")
def test_forecast_backtest_prints_the_table(
    files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["forecast", "--backtest", *files, "--draws", "30"]) == 0
    out = capsys.readouterr().out
    assert "cutoff_months" in out and "coverage95" in out


def test_forecast_bad_input_is_exit_2(files: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forecast", "--cohort", files[1]]) == 2
    assert "give all of --cohort" in capsys.readouterr().err
    assert main(["forecast", *files]) == 2
    assert "--out" in capsys.readouterr().err
