"""Every pbr command rejects abbreviations and suggests the option or subcommand meant."""

from __future__ import annotations

import pytest

from pbr.cli import COMMANDS, build_parser, main


def _error(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    return capsys.readouterr().err


def test_every_parser_disallows_abbreviations() -> None:
    parser = build_parser()
    assert parser.allow_abbrev is False
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)
    assert all(p.allow_abbrev is False for p in sub.choices.values())


def test_abbreviated_option_is_rejected(capsys) -> None:
    full = ["--cohort", "c", "--offences", "o", "--extract-date", "2018-06-30", "--out", "m.csv"]
    err = _error(capsys, ["measures", "--per", "quarter", *full])
    assert "unrecognized arguments: --per quarter" in err
    assert "pbr measures" in err  # the subcommand's own usage


def test_typo_gets_a_suggestion(capsys) -> None:
    full = ["--cohort", "c", "--offences", "o", "--extract-date", "2018-06-30", "--out", "m.csv"]
    err = _error(capsys, ["measures", "--perod", "quarter", *full])
    assert "did you mean '--period'?" in err
    err = _error(capsys, ["verify", "d", "--dif"])
    assert "did you mean '--diff'?" in err


def test_unknown_subcommand_gets_a_suggestion(capsys) -> None:
    err = _error(capsys, ["paay"])
    assert "invalid choice: 'paay'" in err
    assert "did you mean 'pay'?" in err
