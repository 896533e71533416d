"""``pbr verify`` answers first: verdict, change of total, lines and hashes; raw diff capped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import pbr
from pbr.cli import main
from pbr.payments import example_assessment
from pbr.pipeline import pay_from_files


def _statement(tmp_path: Path, rows: int = 1) -> tuple[Path, Path]:
    table = pd.concat(
        [
            example_assessment(
                450, lot=f"CPA{i % 21 + 1:02d}", period=("2015Q4", "2016Q1")[i // 21]
            )
            for i in range(rows)
        ],
        ignore_index=True,
    )
    table.to_csv(tmp_path / "m.csv", index=False)
    contract = tmp_path / "contract.toml"
    contract.write_text(pbr.preset("tr_crc").to_toml(), encoding="utf-8")
    out = pay_from_files(contract, measures=tmp_path / "m.csv").write(tmp_path / "out")
    return out, contract


def test_verify_identical_says_so_first(tmp_path, capsys) -> None:
    out, _ = _statement(tmp_path)
    assert main(["verify", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("verified:")


def test_verify_price_change_verdict_first(tmp_path, capsys) -> None:
    out, contract = _statement(tmp_path)
    # E − O = 500 − 450 = 50 avoided: £75,000.00 at £1,500 each, £80,000.00 at £1,600
    contract.write_text(
        contract.read_text(encoding="utf-8").replace('"1500.00"', '"1600.00"', 1),
        encoding="utf-8",
    )
    assert main(["verify", str(out)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "NOT VERIFIED: the re-run does not reproduce the statement"
    assert lines[1] == "total: £75,000.00 → £80,000.00 (change +£5,000.00)"
    assert lines[2] == "lines changed: 1 of 1"
    assert lines[3] == "the contract differs by hash"
    assert any(x.startswith("outputs that differ:") and "statement.csv" in x for x in lines[3:7])
    assert not any(".failures" in x for x in lines)


def test_verify_caps_the_raw_diff_and_diff_shows_all(tmp_path, capsys) -> None:
    out, contract = _statement(tmp_path, rows=30)
    contract.write_text(
        contract.read_text(encoding="utf-8").replace('"1500.00"', '"1600.00"', 1),
        encoding="utf-8",
    )
    assert main(["verify", str(out)]) == 1
    capped = capsys.readouterr().out.splitlines()
    assert capped[2] == "lines changed: 30 of 30"
    assert "pbr verify --diff shows them all" in capped[-1]
    assert main(["verify", "--diff", str(out)]) == 1
    full = capsys.readouterr().out.splitlines()
    assert len(full) > len(capped)
    assert not any("--diff shows" in x for x in full)


@pytest.mark.parametrize("abbrev", ["--dif", "--d"])
def test_verify_rejects_abbreviations(tmp_path, capsys, abbrev) -> None:
    out, _ = _statement(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["verify", abbrev, str(out)])
    assert exc.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err
