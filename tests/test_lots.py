"""The 21-lot registry (SPEC §2) and user-supplied registries."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pbr.errors import PbrError, ValidationError
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
    ("frame", "expected"),
    [
        (pd.DataFrame({"code": ["A"], "name": ["x"]}), [("-", "provider", "missing_column")]),
        (
            pd.DataFrame({"code": ["A", "A"], "name": ["x", "y"], "provider": ["p", "q"]}),
            [(2, "code", "duplicate_key")],
        ),
        (
            pd.DataFrame({"code": ["A", "B"], "name": ["x", "x"], "provider": ["p", "q"]}),
            [(2, "name", "duplicate_key")],
        ),
        (
            pd.DataFrame({"code": ["A", ""], "name": ["x", "y"], "provider": ["p", "q"]}),
            [(2, "code", "missing_value")],
        ),
        (  # the same lot after trimming and case: one lot, not two (paid twice)
            pd.DataFrame({"code": ["CPA01", " cpa01"], "name": ["x", "y"], "provider": ["p", "q"]}),
            [(2, "code", "duplicate_key")],
        ),
        (  # every failure at once
            pd.DataFrame({"code": ["A", "a", "B"], "name": ["x", " ", "X"], "provider": ["p"] * 3}),
            [
                (2, "code", "duplicate_key"),
                (2, "name", "missing_value"),
                (3, "name", "duplicate_key"),
            ],
        ),
    ],
)
def test_bad_registry_rejected_row_by_row(
    frame: pd.DataFrame, expected: list[tuple[object, str, str]]
) -> None:
    with pytest.raises(ValidationError) as err:
        LotRegistry(frame)
    f = err.value.failures
    got = [(r, c, reason.split(":")[0]) for r, c, reason in f[["row", "column", "reason"]].values]
    assert got == expected
    assert (f["table"] == "lots").all()


def test_missing_registry_file(tmp_path: Path) -> None:
    with pytest.raises(PbrError, match=r"lot table: file .*nope\.csv not found"):
        read_lots(tmp_path / "nope.csv")


def test_a_registry_file_that_is_not_utf8_names_the_byte(tmp_path: Path) -> None:
    p = tmp_path / "lots.csv"
    p.write_bytes("code,name,provider\nX1,Caf\u00e9,P\n".encode("cp1252"))
    with pytest.raises(
        PbrError, match=r"lots.csv is not UTF-8 text: byte 0xE9 at offset 25 \(line 2\)"
    ):
        read_lots(p)


def test_a_bad_registry_file_is_exit_2_with_the_failure_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pbr.cli import main

    p = tmp_path / "lots.csv"
    p.write_text("code,name,provider\nX1,North,P\nx1 ,South,P\n")
    argv = ["validate", "--cohort", "c.csv", "--offences", "o.csv", "--extract-date"]
    assert main([*argv, "2018-06-30", "--lots", str(p)]) == 2
    err = capsys.readouterr().err
    assert "lot table" in err and "duplicate_key" in err and "Traceback" not in err


def test_name_equal_to_another_lots_code_is_an_error() -> None:
    # lot B named "A" (the code of lot A) made the code "A" resolve to lot B silently
    t = pd.DataFrame({"code": ["A", "B"], "name": ["Area A", "A"], "provider": ["P", "Q"]})
    with pytest.raises(ValidationError, match="ambiguous_name: the code of lot A"):
        LotRegistry(t)
    # a lot whose name is its own code is unambiguous
    same = LotRegistry(pd.DataFrame({"code": ["A"], "name": ["A"], "provider": ["P"]}))
    assert same.resolve(["A"]).tolist() == ["A"]
