"""The small top level: pipeline verbs and result types; everything else has a home."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

import pbr

MOVED = sorted(pbr._MOVED)


def test_top_level_is_small_and_every_name_resolves() -> None:
    assert len(pbr.__all__) <= 26
    for name in pbr.__all__:
        assert getattr(pbr, name) is not None, name
    assert set(pbr.__all__) == {"__version__", *pbr._SUBMODULES, *pbr._PUBLIC}


@pytest.mark.parametrize("name", MOVED)
def test_moved_name_warns_and_is_the_new_object(name: str) -> None:
    module, attr = pbr._MOVED[name]
    with pytest.warns(DeprecationWarning, match=rf"{module}\.{attr}"):
        old = getattr(pbr, name)
    import importlib

    assert old is getattr(importlib.import_module(module), attr)


def test_public_names_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in pbr.__all__:
            getattr(pbr, name)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = pbr.no_such_name  # type: ignore[attr-defined]


def test_import_pbr_loads_no_heavy_library() -> None:
    code = (
        "import sys, pbr; heavy = [m for m in ('scipy', 'statsmodels', 'matplotlib') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_submodules_load_on_attribute_access() -> None:
    code = "import pbr; print(pbr.rulesets.RULE_SETS['moj_proven'].follow_up_months)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "12"
