"""The 21-lot registry (SPEC §2) and user-supplied registries."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pbr.errors import PbrError
from pbr.lots import LotRegistry, default_registry, read_lots

# SPEC §2 table: code, lot, provider (owner from Feb 2015).
SPEC_LOTS = [
    ("CPA01", "Northumbria", "Sodexo/Nacro"),
    ("CPA02", "Durham Tees Valley", "ARCC"),
    ("CPA03", "Cumbria & Lancashire", "Sodexo/Nacro"),
    ("CPA04", "Cheshire & Greater Manchester", "Purple Futures"),
    ("CPA05", "Merseyside", "Purple Futures"),
    ("CPA06", "West Yorkshire", "Purple Futures"),
    ("CPA07", "Humberside, Lincolnshire & North Yorkshire", "Purple Futures"),
    ("CPA08", "South Yorkshire", "Sodexo/Nacro"),
    (
        "CPA09",
        "Derbyshire, Leicestershire, Nottinghamshire & Rutland",
        "Reducing Reoffending Partnership",
    ),
    ("CPA10", "Staffordshire & West Midlands", "Reducing Reoffending Partnership"),
    ("CPA11", "Warwickshire & West Mercia", "EOS"),
    ("CPA12", "Bedfordshire, Northamptonshire, Cambridgeshire & Hertfordshire", "Sodexo/Nacro"),
    ("CPA13", "Norfolk & Suffolk", "Sodexo/Nacro"),
    ("CPA14", "Essex", "Sodexo/Nacro"),
    ("CPA15", "London", "MTCnovo"),
    ("CPA16", "Thames Valley", "MTCnovo"),
    ("CPA17", "Kent, Surrey & Sussex", "Seetec"),
    ("CPA18", "Hampshire & Isle of Wight", "Purple Futures"),
    ("CPA19", "Bristol, Gloucestershire, Somerset & Wiltshire", "Working Links"),
    ("CPA20", "Dorset, Devon & Cornwall", "Working Links"),
    ("CPA21", "Wales", "Working Links"),
]


def test_default_registry_is_the_spec_table() -> None:
    t = default_registry().to_frame()
    assert list(map(tuple, t[["code", "name", "provider"]].itertuples(index=False))) == SPEC_LOTS


@pytest.mark.parametrize(("code", "name", "provider"), SPEC_LOTS)
def test_lookup_by_code_and_exact_name(code: str, name: str, provider: str) -> None:
    reg = default_registry()
    assert reg.code_of(code) == code
    assert reg.code_of(name) == code
    assert reg.name_of(code) == name
    assert reg.provider_of(code) == provider


def test_unknown_keys() -> None:
    reg = default_registry()
    with pytest.raises(PbrError, match="unknown lot 'london'"):
        reg.code_of("london")  # exact names only
    with pytest.raises(PbrError):
        reg.name_of("CPA99")
    assert reg.resolve(["Wales", "nowhere", None]).isna().tolist() == [False, True, True]


def test_user_registry_replaces_default(tmp_path: Path) -> None:
    p = tmp_path / "lots.csv"
    p.write_text(
        "\ufeffcode,name,provider\nSC1,Glasgow,Public\nSC2,Edinburgh,Public\n", encoding="utf-8"
    )
    reg = read_lots(p)
    assert reg.codes == ["SC1", "SC2"]
    assert reg.resolve(["Edinburgh"]).tolist() == ["SC2"]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"code": ["A"], "name": ["x"]}), "missing column"),
        (
            pd.DataFrame({"code": ["A", "A"], "name": ["x", "y"], "provider": ["p", "q"]}),
            "duplicate code",
        ),
        (
            pd.DataFrame({"code": ["A", "B"], "name": ["x", "x"], "provider": ["p", "q"]}),
            "duplicate name",
        ),
        (
            pd.DataFrame({"code": ["A", ""], "name": ["x", "y"], "provider": ["p", "q"]}),
            "row\\(s\\) 2",
        ),
    ],
)
def test_bad_registry_rejected(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(PbrError, match=message):
        LotRegistry(frame)


def test_missing_registry_file(tmp_path: Path) -> None:
    with pytest.raises(PbrError, match="cannot read lot table"):
        read_lots(tmp_path / "nope.csv")


def test_name_equal_to_another_lots_code_is_an_error() -> None:
    # lot B named "A" (the code of lot A) made the code "A" resolve to lot B silently
    t = pd.DataFrame({"code": ["A", "B"], "name": ["Area A", "A"], "provider": ["P", "Q"]})
    with pytest.raises(PbrError, match="'A'"):
        LotRegistry(t)
    # a lot whose name is its own code is unambiguous
    same = LotRegistry(pd.DataFrame({"code": ["A"], "name": ["A"], "provider": ["P"]}))
    assert same.resolve(["A"]).tolist() == ["A"]
