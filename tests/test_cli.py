"""The CLI shell: exit codes and the never-a-traceback contract (SPEC §10)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pbr.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("pbr ")


def test_no_command_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_console_script_module_entry() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "pbr", "--help"], capture_output=True, text=True, check=False
    )
    assert r.returncode == 0
    assert "demo" in r.stdout and "validate" in r.stdout
