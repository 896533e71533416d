"""``pbr pay`` and ``pbr verify`` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pbr.cli import main

MEASURES = pd.DataFrame(
    {
        "lot": ["CPA02", "CPA01"],
        "period": ["2015Q4", "2015Q4"],
        "cohort_size": [1000, 800],
        "reoffenders": [450, 430],
        "expected_reoffenders": [500.0, 400.0],
        "expected_variance": [250.0, 200.0],
        "baseline_binary": [0.5, 0.5],
        "status": ["final", "interim"],
    }
)


def _pay_tr_crc(measures: Path, out: Path, *options: str) -> int:
    """``pbr pay --contract tr_crc --measures F [options] --out DIR``; the exit code."""
    return main(
        ["pay", "--contract", "tr_crc", "--measures", str(measures), *options, "--out", str(out)]
    )


@pytest.fixture
def measures(tmp_path: Path) -> Path:
    p = tmp_path / "measures.csv"
    MEASURES.to_csv(p, index=False)
    return p


def test_pay_preset_with_allow_interim_then_verify(
    measures: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert _pay_tr_crc(measures, out, "--allow-interim") == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "statement.csv",
        "statement.json",
        "statement.parquet",
    ]
    j = json.loads((out / "statement.json").read_text())
    # CPA02: 50 avoided × £1500 (illustrative) = £75,000; CPA01: 30 extra × £1500 = -£45,000
    assert j["total"] == "30000.00" and j["provisional"] is True
    assert "PROVISIONAL" in capsys.readouterr().out
    assert main(["verify", str(out)]) == 0


def test_interim_refused_without_flag(
    measures: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _pay_tr_crc(measures, tmp_path / "o") == 2
    assert "CPA01 2015Q4" in capsys.readouterr().err


def test_bad_contract_exit_2_names_key(
    measures: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = tmp_path / "c.toml"
    c.write_text('name = "x"\n[binary]\nprice_per_reoffender_avoided = -1\ndeduction_price = 1\n')
    code = main(
        ["pay", "--contract", str(c), "--measures", str(measures), "--out", str(tmp_path / "o")]
    )
    assert code == 2
    assert "binary.price_per_reoffender_avoided" in capsys.readouterr().err


def test_verify_tampered_input_exit_1(
    measures: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert _pay_tr_crc(measures, out, "--allow-interim") == 0
    data = bytearray(measures.read_bytes())
    data[data.index(b"450")] = ord("5")  # one byte: 450 → 550
    measures.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["verify", str(out)]) == 1
    text = capsys.readouterr().out
    assert "input changed: measures" in text
    assert "CPA02,2015Q4" not in text  # a changed input is not parsed, nor its rows shown


def test_verify_without_manifest_exit_2(tmp_path: Path) -> None:
    assert main(["verify", str(tmp_path)]) == 2


def test_doncaster_preset_from_cli(tmp_path: Path) -> None:
    t = tmp_path / "don.csv"
    pd.DataFrame(
        {
            "cohort": ["1", "2"],
            "change_pp": [-5.7, -3.3],
            "core_contract_value": ["2500000.00", "2500000.00"],
        }
    ).to_csv(t, index=False)
    out = tmp_path / "out"
    assert main(["pay", "--contract", "doncaster", "--measures", str(t), "--out", str(out)]) == 0
    assert json.loads((out / "statement.json").read_text())["total"] == "-250000.00"


def test_neither_measures_nor_microdata(tmp_path: Path) -> None:
    assert main(["pay", "--contract", "tr_crc", "--out", str(tmp_path / "o")]) == 2


@pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")
def test_microdata_path(tmp_path: Path) -> None:
    from pbr.baseline import build_baseline
    from pbr.sample import generate

    s = generate(3, scale=0.02, lots=["CPA01", "CPA02"])
    s.write(tmp_path / "data")
    b = build_baseline(s.cohort, s.offences, extract_date=s.extract_date)
    b.save(tmp_path / "baseline")
    out = tmp_path / "out"
    args = [
        "pay",
        "--contract",
        "tr_crc",
        "--cohort",
        str(tmp_path / "data/cohort.parquet"),
        "--offences",
        str(tmp_path / "data/offences.parquet"),
        "--extract-date",
        str(s.extract_date),
        "--baseline",
        str(tmp_path / "baseline"),
        "--allow-interim",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    lines = pd.read_csv(out / "statement.csv")
    assert {"binary"} <= set(lines["component"])
    assert set(lines["lot"]) <= {"CPA01", "CPA02"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"cohort", "offences", "baseline"} <= set(manifest["inputs"])
    assert manifest["extract_date"] == str(s.extract_date)
    assert main(["verify", str(out)]) == 0


@pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")
def test_microdata_tampered_baseline_file_named(tmp_path: Path) -> None:
    from pbr.baseline import build_baseline
    from pbr.pipeline import pay_from_files, verify
    from pbr.sample import generate

    s = generate(5, scale=0.02, lots=["CPA03"])
    s.write(tmp_path / "data")
    build_baseline(s.cohort, s.offences, extract_date=s.extract_date).save(tmp_path / "bl")
    out = pay_from_files(
        "tr_crc",
        cohort=tmp_path / "data/cohort.parquet",
        offences=tmp_path / "data/offences.parquet",
        baseline=tmp_path / "bl",
        extract_date=str(s.extract_date),
        allow_interim=True,
    ).write(tmp_path / "out")
    assert verify(out).identical
    baseline_file = sorted(p for p in (tmp_path / "bl").iterdir() if p.is_file())[0]
    for target, name in [
        (baseline_file, f"baseline/{baseline_file.name}"),
        (tmp_path / "data/cohort.parquet", "cohort"),
        (tmp_path / "data/offences.parquet", "offences"),
    ]:
        original = target.read_bytes()
        data = bytearray(original)
        data[len(data) // 2] ^= 0x01
        target.write_bytes(bytes(data))
        r = verify(out)
        assert not r.identical
        assert r.changed_inputs["input"].tolist() == [name]
        assert f"input changed: {name}" in str(r.summary())
        target.write_bytes(original)
    assert verify(out).identical


@pytest.mark.filterwarnings("ignore::pbr.errors.SuspiciousDataWarning")
def test_microdata_baseline_must_match_the_contract(tmp_path: Path) -> None:
    # The contract fixes the adjustment, the counting rules and the baseline year; paying
    # against a baseline built otherwise (e.g. unadjusted for an OGRS3 contract) is an error
    # naming the mismatched key, never a silently different statement.
    from pbr.baseline import build_baseline
    from pbr.contracts import preset
    from pbr.errors import PbrError
    from pbr.pipeline import pay_from_files
    from pbr.sample import generate

    s = generate(5, scale=0.02, lots=["CPA03"])
    s.write(tmp_path / "data")
    build_baseline(s.cohort, s.offences, extract_date=s.extract_date, risk=None).save(
        tmp_path / "bl"
    )
    kw = {
        "cohort": tmp_path / "data/cohort.parquet",
        "offences": tmp_path / "data/offences.parquet",
        "baseline": tmp_path / "bl",
        "extract_date": str(s.extract_date),
        "allow_interim": True,
    }
    with pytest.raises(PbrError, match=r"adjustment: the contract says 'ogrs3'.*'none'"):
        pay_from_files("tr_crc", **kw)
    unadjusted = preset("tr_crc", adjustment="none")
    assert len(pay_from_files(unadjusted, **kw).lines) > 0
    with pytest.raises(PbrError, match=r"rules: the contract says 'convictions_only'"):
        pay_from_files(preset("tr_crc", adjustment="none", rules=("convictions_only",)), **kw)
    with pytest.raises(PbrError, match=r"baseline: the contract says '2012'.*2011"):
        pay_from_files(preset("tr_crc", adjustment="none", baseline="2012"), **kw)
