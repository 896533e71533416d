"""``pbr --help`` and ``pbr CMD --help`` build the parser without the commands' implementations.

Each command module holds its argparse code at top level and imports its
implementation inside ``run``; ``pbr.pipeline`` imports its names on first use.
So a fresh interpreter that builds the parser (or parses ``pbr measures``
arguments) loads no pandas, no scipy/statsmodels/matplotlib/openpyxl and none of
the heavy pbr subpackages, and a ``pbr measures`` run loads only the measuring
stack. The choices the parser shows without importing the library (rule sets,
periods, the sample seed) are checked against the library's own. No timings
here: they are in benchmarks/README.md (benchmarks/startup.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from pbr.cli import COMMANDS, main

SRC = str(Path(__file__).resolve().parents[1] / "src")
#: Third-party packages no parser build may import (top-level names).
HEAVY = {"pandas", "numpy", "pyarrow", "scipy", "statsmodels", "matplotlib", "openpyxl", "patsy"}
#: pbr subpackages holding the commands' implementations.
HEAVY_PBR = {
    "pbr.report",
    "pbr.contracts",
    "pbr.payments",
    "pbr.pipeline",
    "pbr.pipeline.pay",
    "pbr.matching",
    "pbr.forecast",
    "pbr.baseline",
    "pbr.risk",
    "pbr.io",
    "pbr.measures",
    "pbr.sample",
}
#: What a ``pbr measures`` run without ``--xlsx`` must not import.
NOT_FOR_MEASURES = {"scipy", "statsmodels", "matplotlib", "openpyxl", "patsy"}
NOT_FOR_MEASURES_PBR = {"pbr.report", "pbr.contracts", "pbr.payments", "pbr.pipeline.pay"}


def _modules_after(code: str) -> set[str]:
    """``sys.modules`` of a fresh interpreter after running ``code`` (written to a file)."""
    with tempfile.TemporaryDirectory() as d:
        dump = Path(d) / "modules.txt"
        probe = f"import sys\n{code}\nopen({str(dump)!r}, 'w').write(' '.join(sys.modules))"
        env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
        env.pop("PBR_DEBUG", None)
        r = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False
        )
        assert r.returncode == 0, r.stderr
        return set(dump.read_text().split())


def _heavy(modules: set[str], third_party: set[str], own: set[str]) -> list[str]:
    return sorted({m.split(".")[0] for m in modules} & third_party | modules & own)


def _main(argv: list[str]) -> str:
    """Code calling ``pbr.cli.main(argv)`` that tolerates the ``SystemExit`` of ``--help``."""
    return (
        "from pbr.cli import main\n"
        f"try:\n    code = main({argv!r})\nexcept SystemExit as e:\n    code = e.code\n"
        "assert code == 0, code"
    )


@pytest.mark.parametrize(
    "argv", [["--help"], *([name, "--help"] for name in COMMANDS)], ids=" ".join
)
def test_help_imports_no_implementation(argv: list[str]) -> None:
    loaded = _modules_after(_main(argv))
    assert "pbr.cli" in loaded  # the probe did build the parser
    assert not _heavy(loaded, HEAVY, HEAVY_PBR), _heavy(loaded, HEAVY, HEAVY_PBR)


def test_parsing_measures_arguments_imports_no_implementation() -> None:
    code = (
        "from pbr.cli import build_parser\n"
        "a = build_parser().parse_args(['measures', '--cohort', 'c.csv', '--offences', 'o.csv',"
        " '--extract-date', '2018-06-30', '--period', 'financial_year', '--rules',"
        " 'convictions_only', '--xlsx', '--out', 'm.csv'])\n"
        "assert a.func.__module__ == 'pbr.cli.measures'\n"
        "assert a.xlsx and a.rules == 'convictions_only'"
    )
    loaded = _modules_after(code)
    assert not _heavy(loaded, HEAVY, HEAVY_PBR), _heavy(loaded, HEAVY, HEAVY_PBR)


@pytest.fixture(scope="module")
def small_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pbr.pipeline.sample import write_sample

    out = tmp_path_factory.mktemp("sample") / "s"
    write_sample(out, scale=0.01, lots=["CPA01", "CPA02"])
    return out


def _measures_argv(sample: Path, out: Path, *extra: str) -> list[str]:
    return [
        "measures",
        "--cohort",
        str(sample / "cohort.parquet"),
        "--offences",
        str(sample / "offences.parquet"),
        "--extract-date",
        "2018-06-30",
        "--out",
        str(out),
        "--no-progress",
        *extra,
    ]


def test_a_measures_run_imports_only_the_measuring_stack(
    small_sample: Path, tmp_path: Path
) -> None:
    out = tmp_path / "m.csv"
    loaded = _modules_after(_main(_measures_argv(small_sample, out)))
    assert out.is_file()  # it did run
    assert {"pbr.measures", "pbr.pipeline.measures"} <= loaded
    bad = _heavy(loaded, NOT_FOR_MEASURES, NOT_FOR_MEASURES_PBR)
    assert not bad, bad


def test_measures_xlsx_imports_the_workbook_writer_when_asked(
    small_sample: Path, tmp_path: Path
) -> None:
    out = tmp_path / "m.csv"
    loaded = _modules_after(_main(_measures_argv(small_sample, out, "--xlsx")))
    assert out.with_suffix(".xlsx").is_file()
    assert "openpyxl" in {m.split(".")[0] for m in loaded}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_subcommand_help_works(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([name, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: pbr {name} ")
    assert " ".join(COMMANDS[name][1].split()[:4]) in " ".join(out.split())
    assert "--help" in out


def test_the_parsers_choices_are_the_librarys() -> None:
    from pbr.cli import _args
    from pbr.contracts import RULE_SETS
    from pbr.periods import PERIOD_KINDS
    from pbr.rulesets import RULE_SET_NAMES
    from pbr.sample import DEFAULT_SEED

    assert _args.RULE_SETS == tuple(RULE_SET_NAMES) == tuple(RULE_SETS)
    assert tuple(PERIOD_KINDS) == _args.PERIOD_KINDS
    assert _args.SAMPLE_SEED == DEFAULT_SEED


def test_pipeline_names_are_the_functions_whatever_was_imported_first() -> None:
    code = (
        "import types\nimport pbr.pipeline.verify as first\n"  # the submodule before the name
        "import pbr.audit\n"
        "from pbr.pipeline import verify, VerifyResult\n"
        "import pbr\n"
        "assert callable(verify) and not isinstance(verify, types.ModuleType), verify\n"
        "assert verify is pbr.verify is sys.modules['pbr.pipeline.verify'].verify\n"
        "assert VerifyResult is sys.modules['pbr.pipeline.verify'].VerifyResult\n"
        "assert sorted(dir(pbr.pipeline)) == sorted(pbr.pipeline.__all__)"
    )
    _modules_after(code)


def test_pipeline_measures_name_imports_no_payment_stack() -> None:
    loaded = _modules_after("from pbr.pipeline import measures_from_files, write_measures")
    assert not loaded & NOT_FOR_MEASURES_PBR, sorted(loaded & NOT_FOR_MEASURES_PBR)
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        import pbr.pipeline

        _ = pbr.pipeline.no_such_name  # type: ignore[attr-defined]
