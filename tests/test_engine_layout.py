"""The engine seam: speed code in pbr._engine, rules in the domain modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pbr
from pbr.rulesets import RULE_SET_NAMES

SRC = Path(pbr.__file__).resolve().parent
ENGINE = sorted((SRC / "_engine").glob("*.py"))
RULE_MODULES = ["counting.py", "cohort.py", "measures.py", "rulesets.py"]


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _imports(tree: ast.Module) -> list[tuple[str, list[str]]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out.extend((a.name, []) for a in node.names)
    return out


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: p.name)
def test_engine_knows_no_domain_module(path: Path) -> None:
    # the engine sits below the rules: it imports nothing of pbr outside itself
    for module, _ in _imports(_tree(path)):
        assert not module.startswith("pbr") or module.startswith("pbr._engine"), module


@pytest.mark.parametrize("name", RULE_MODULES)
def test_rule_modules_import_no_private_helper_of_another_module(name: str) -> None:
    # the speed helpers they share are the engine's plain calls, not each other's _helpers
    offenders = []
    for module, names in _imports(_tree(SRC / name)):
        if module.startswith("pbr") and not module.startswith("pbr._engine"):
            offenders += [f"{module}.{n}" for n in names if n.startswith("_")]
    assert offenders == []


@pytest.mark.parametrize("name", RULE_MODULES)
def test_rule_modules_read_no_private_attribute_of_another_object(name: str) -> None:
    bad = []
    for node in ast.walk(_tree(SRC / name)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
        ):
            bad.append(f"line {node.lineno}: .{node.attr}")
    assert bad == []


def test_rule_set_names_are_compared_only_in_the_rule_set_module() -> None:
    bad = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "rulesets.py":
            continue
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
                names = [o.value for o in operands if isinstance(o, ast.Constant)]
                if any(n in RULE_SET_NAMES for n in names):
                    bad.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert bad == []


@pytest.mark.parametrize("path", [*ENGINE, *(SRC / m for m in RULE_MODULES)], ids=str)
def test_modules_stay_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) < 800
