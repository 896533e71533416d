"""Safe outputs of every command that writes (issue 11, "Safe outputs"; pay: test_safe_outputs).

For baseline, measures, forecast, compare, sample and demo: an existing
non-empty ``--out`` is refused (exit 2, untouched) unless ``--force``, which
replaces it; an ``--out`` that is or contains an input is refused before
anything is written; a run interrupted before the final rename leaves the old
``--out`` as it was and no staging folder behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pbr._staging
from pbr.cli import main
from pbr.sample import generate

pytestmark = pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("inputs")
    s = generate(seed=11, scale=0.03, lots=["CPA01"])
    s.cohort.to_parquet(d / "cohort.parquet")
    s.offences.to_parquet(d / "offences.parquet")
    rng = np.random.default_rng(0)
    x = rng.normal(size=400)
    people = pd.DataFrame({"x": x, "t": rng.random(400) < 1 / (1 + np.exp(-x))})
    people["reoffender"] = (rng.random(400) < 0.4).astype(int)
    people.to_csv(d / "people.csv", index=False)
    return {"cohort": d / "cohort.parquet", "offences": d / "offences.parquet",
            "people": d / "people.csv", "dir": d}  # fmt: skip


def _micro(data: dict[str, Path]) -> list[str]:
    return ["--cohort", str(data["cohort"]), "--offences", str(data["offences"]),
            "--extract-date", "2018-06-30"]  # fmt: skip


#: command → (argv without --out, given the inputs; what --out is: a folder or a CSV file)
COMMANDS: dict[str, Callable[[dict[str, Path]], list[str]]] = {
    "baseline": lambda d: ["baseline", *_micro(d), "--risk", "none"],
    "measures": lambda d: ["measures", *_micro(d)],
    "forecast": lambda d: ["forecast", *_micro(d), "--draws", "5"],
    "compare": lambda d: [
        "compare",
        "--data",
        str(d["people"]),
        "--treatment",
        "t",
        "--covariates",
        "x",
        "--caliper",
        "none",
        "--min-treated",
        "1",
    ],
    "sample": lambda d: ["sample", "--scale", "0.01", "--lot", "CPA01"],
}


def _out(command: str, root: Path) -> Path:
    return root / ("m.csv" if command == "measures" else "out")


def _existing(command: str, out: Path) -> Path:
    """An earlier output at ``out``: the file that must survive a refused run."""
    if command == "measures":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("old run\n")
        return out
    out.mkdir(parents=True)
    (out / "stale.txt").write_text("old run\n")
    return out / "stale.txt"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_existing_out_is_refused_unless_force_which_replaces_it(
    command: str, data: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _out(command, tmp_path)
    old = _existing(command, out)
    argv = [*COMMANDS[command](data), "--out", str(out)]
    assert main(argv) == 2
    assert "already exists" in capsys.readouterr().err
    assert old.read_text() == "old run\n"
    assert main([*argv, "--force"]) == 0
    if command == "measures":
        assert out.read_text().startswith("lot,period,")
        assert json.loads(out.with_name("m.manifest.json").read_text())["command"] == "measures"
    else:
        assert not old.exists()
        assert any(out.iterdir())
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - {"sample"}))
def test_out_that_is_or_contains_an_input_is_refused_before_writing(
    command: str, data: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p.name: p.read_bytes() for p in data["dir"].iterdir() if p.is_file()}
    target = data["dir"] if command != "measures" else data["cohort"]
    assert main([*COMMANDS[command](data), "--out", str(target), "--force"]) == 2
    err = capsys.readouterr().err
    assert "the input" in err and ("contains" in err or " is the input" in err)
    after = {p.name: p.read_bytes() for p in data["dir"].iterdir() if p.is_file()}
    assert after == before
    assert [p.name for p in data["dir"].iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_interrupted_run_leaves_the_old_out_and_no_staging_folder(
    command: str, data: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kw: object) -> None:
        raise KeyboardInterrupt  # e.g. SIGINT just before the rename

    monkeypatch.setattr(pbr._staging, "_commit", interrupted)
    monkeypatch.setattr(pbr._staging, "_commit_files", interrupted)
    out = _out(command, tmp_path)
    old = _existing(command, out)
    assert main([*COMMANDS[command](data), "--out", str(out), "--force"]) == 1
    assert old.read_text() == "old run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_forecast_manifest_hashes_a_contract_file_input(
    data: dict[str, Path], tmp_path: Path
) -> None:
    from pbr.contracts import preset_text

    contract = tmp_path / "c.toml"
    contract.write_text(preset_text("tr_crc"))
    out = tmp_path / "fc"
    argv = ["forecast", *_micro(data), "--draws", "5", "--contract", str(contract)]
    assert main([*argv, "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["inputs"]) == {"cohort", "offences", "contract"}
    assert main([*argv, "--out", str(tmp_path)]) == 2  # contains the contract


def test_compare_writes_a_manifest_of_its_outputs(data: dict[str, Path], tmp_path: Path) -> None:
    from pbr.provenance import sha256_file

    out = tmp_path / "cmp"
    assert main([*COMMANDS["compare"](data), "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    files = sorted(p.name for p in out.iterdir() if p.name != "manifest.json")
    assert sorted(manifest["outputs"]) == files
    assert all(manifest["outputs"][n] == sha256_file(out / n) for n in files)
    assert manifest["inputs"]["data"]["sha256"] == sha256_file(data["people"])


def test_demo_refuses_a_non_empty_out_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    assert main(["demo", "--out", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
