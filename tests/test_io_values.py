"""Single values at the io boundary: contract money strings, ISO extract dates, saved models."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from pbr.baseline import Baseline, load_baseline
from pbr.cli import main
from pbr.contracts import Contract
from pbr.errors import BaselineFormatError, ContractError, PbrError
from pbr.io._values import parse_iso_date, parse_money
from pbr.sample import sample_paths

from ._helpers import synthetic_members

_TOML = """
name = "t"
[binary]
price_per_reoffender_avoided = {price}
deduction_price = "1000"
"""


@pytest.mark.parametrize("text", ['"1500,50"', '"£1500"', '"1,500"', '"1e3"', '" "', '"1500.5.0"'])
def test_contract_money_must_be_a_plain_decimal_string(text: str) -> None:
    # "1500,50" used to be read as 150050 (every comma stripped)
    with pytest.raises(ContractError, match=r"binary\.price_per_reoffender_avoided: not a decimal"):
        Contract.from_toml(_TOML.format(price=text))


@pytest.mark.parametrize(("text", "value"), [('"1500.50"', "1500.50"), ("1500", "1500")])
def test_plain_money_is_read_exactly(text: str, value: str) -> None:
    c = Contract.from_toml(_TOML.format(price=text))
    assert c.binary is not None and c.binary.price_per_reoffender_avoided == Decimal(value)
    assert parse_money(0.1, "k") == Decimal("0.1")


@pytest.mark.parametrize("bad", ["12/01/2018", "June 30 2018", "20180630", "2018-02-30", ""])
def test_extract_date_is_iso_only(bad: str) -> None:
    with pytest.raises(PbrError, match="extract_date"):
        parse_iso_date(bad, "extract_date")


@pytest.mark.parametrize("bad", ["12/01/2018", "June 30 2018", "20180630"])
def test_measures_refuses_an_ambiguous_extract_date_with_exit_2(
    tmp_path: Path, bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # the fast path (--no-validate) used to accept these and turn interim periods final
    p = sample_paths()
    argv = ["measures", "--cohort", str(p["cohort"]), "--offences", str(p["offences"])]
    argv += ["--extract-date", bad, "--no-validate", "--out", str(tmp_path / "m.csv")]
    assert main(argv) == 2
    assert "ISO date" in capsys.readouterr().err
    assert not (tmp_path / "m.csv").exists()


def test_manifest_records_the_normalised_extract_date(tmp_path: Path) -> None:
    from pbr.pipeline import measures_from_files

    p = sample_paths()
    run = measures_from_files(
        p["cohort"],
        p["offences"],
        tmp_path / "m.csv",
        extract_date=" 2018-06-30 ",
        period="calendar_year",
        validate=False,
    )
    meta = json.loads(run.manifest.read_text())
    assert meta["parameters"]["extract_date"] == "2018-06-30"


def _members() -> pd.DataFrame:
    return synthetic_members(3000, 5, lots=["CPA01", "CPA02"], year=2011, id_prefix="m-")


@pytest.mark.parametrize(("key", "index"), [("beta", 0), ("alpha", 0), ("level_rate", 1)])
def test_saved_baseline_with_a_nan_coefficient_is_an_error_at_load(
    tmp_path: Path, key: str, index: int
) -> None:
    # a null slope used to load and predict E = 0 for everyone
    d = Baseline.from_members(_members(), risk="model").save(tmp_path / "b")
    meta = json.loads((d / "baseline.json").read_text())
    meta["model"][key][index] = None
    (d / "baseline.json").write_text(json.dumps(meta))
    with pytest.raises(
        BaselineFormatError, match=rf"non_finite_coefficient: model\.{key}\[{index}\]"
    ):
        load_baseline(d)
