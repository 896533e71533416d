"""``pbr baseline`` command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pbr.baseline import load_baseline
from pbr.cli import main
from pbr.sample import generate


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    d = tmp_path_factory.mktemp("cli_baseline")
    s = generate(seed=3, scale=0.05)
    cohort, offences = d / "cohort.csv", d / "offences.csv"
    s.cohort.to_csv(cohort, index=False, date_format="%Y-%m-%d")
    s.offences.to_csv(offences, index=False, date_format="%Y-%m-%d")
    return cohort, offences, str(s.extract_date)


# the sample holds juveniles (excluded by the eligibility rules): pbr.io warns about them
pytestmark = pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")


def _argv(cohort: Path, offences: Path, ext: str, out: Path, *options: str) -> list[str]:
    """``pbr baseline`` arguments for the given files, options and output directory."""
    return [
        "baseline",
        "--cohort",
        str(cohort),
        "--offences",
        str(offences),
        "--extract-date",
        ext,
        *options,
        "--out",
        str(out),
    ]


@pytest.mark.parametrize("risk", ["ogrs3", "none"])
def test_baseline_command_writes_a_loadable_directory(
    files: tuple[Path, Path, str], tmp_path: Path, risk: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cohort, offences, ext = files
    out = tmp_path / "b"
    argv = _argv(cohort, offences, ext, out, "--year", "2011", "--risk", risk)
    assert main(argv) == 0
    assert "Baseline 2011" in capsys.readouterr().out
    meta = json.loads((out / "baseline.json").read_text())
    assert meta["format_version"] == 1
    assert meta["risk"] == (None if risk == "none" else risk)
    b = load_baseline(out)
    assert b.status == "final"
    assert len(set(b.rates["lot"])) == 21
    # the same command again gives byte-identical files
    out2 = tmp_path / "b2"
    assert main([*argv[:-1], str(out2)]) == 0
    for f in out.iterdir():
        assert f.read_bytes() == (out2 / f.name).read_bytes(), f.name


def test_bad_input_exits_2(
    files: tuple[Path, Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cohort, offences, ext = files
    code = main(_argv(tmp_path / "missing.csv", offences, ext, tmp_path / "b"))
    assert code == 2
    err = capsys.readouterr().err
    assert "missing.csv" in err and "Traceback" not in err
    code = main(_argv(cohort, offences, ext, tmp_path / "c", "--year", "1990"))
    assert code == 2
    assert "1990" in capsys.readouterr().err
