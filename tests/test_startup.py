"""Start-up stays light: ``import pbr`` and ``pbr --help`` import no scipy, statsmodels or
matplotlib (they are imported inside the functions that need them), and the stored 95 %
normal quantile that spares compute_measures the scipy import is scipy's own value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")
HEAVY = ("scipy", "statsmodels", "matplotlib", "patsy")


def _loaded_after(code: str) -> set[str]:
    probe = (
        f"{code}\nimport sys\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)"
    )
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    r = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    return set(r.stderr.split())


def test_import_pbr_loads_no_heavy_package() -> None:
    loaded = _loaded_after("import pbr")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    # nor pandas: the public names are imported on first use
    assert "pandas" not in loaded


@pytest.mark.parametrize("argv", [["--help"], ["measures", "--help"], ["validate", "--help"]])
def test_cli_help_loads_no_heavy_package(argv: list[str]) -> None:
    code = (
        "import sys\nfrom pbr.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass"
    )
    loaded = _loaded_after(code)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_public_names_resolve_lazily() -> None:
    import pbr

    for name in pbr.__all__:
        assert getattr(pbr, name) is not None
    assert set(pbr.__all__) <= set(dir(pbr))
    assert pbr.io.read_cohort is pbr.read_cohort  # a subpackage without an explicit import
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = pbr.no_such_name  # type: ignore[attr-defined]


def test_stored_95_percent_quantile_is_scipys() -> None:
    from scipy.stats import norm

    from pbr.measures import _normal_quantile

    assert _normal_quantile(0.975) == float(norm.ppf(0.975))
    assert _normal_quantile(0.95) == float(norm.ppf(0.95))
