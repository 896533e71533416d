"""The package's data flows one way: no import cycle inside src/pbr, lazy imports included.

Every ``import`` statement of every module under ``src/pbr`` is read with ``ast``
(at any depth: function-level "lazy" imports count, ``if TYPE_CHECKING:`` blocks
do not, since they never run). ``from pbr import x`` is an edge to ``pbr.x`` when
``x`` is a submodule, else to the package ``pbr`` itself (its ``__init__``).
The implicit import of a parent package is not an edge.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "pbr"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:  # the else branch does run
                    visit(other)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append(child)
            visit(child)

    visit(tree)
    return found


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def import_graph() -> dict[str, set[str]]:
    """Module → the pbr modules it imports (see the module notes for the rules)."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in _import_nodes(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                source = _resolve(name, node, is_package)
                targets = []
                for alias in node.names:
                    sub = f"{source}.{alias.name}"
                    targets.append(sub if sub in modules else source)
            for target in targets:
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_graph_sees_every_module_and_lazy_imports() -> None:
    graph = import_graph()
    assert "pbr.provenance" in graph and "pbr.payments.engine" in graph
    # a function-level import is an edge: the CLI imports the pipeline inside run()
    assert "pbr.pipeline" in graph["pbr.cli.measures"]
    # ``from pbr.payments import pay`` is an edge to the package, a submodule import to it
    assert "pbr.payments" in graph["pbr.pipeline.pay"]
    assert "pbr.payments.binary" in graph["pbr.simulate"]


def test_no_import_cycle_in_src_pbr() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_provenance_is_a_leaf() -> None:
    assert import_graph()["pbr.provenance"] <= {"pbr.errors"}


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("pbr.payments", "pbr.pipeline"),
        ("pbr.payments", "pbr.audit"),
        ("pbr.contracts", "pbr.payments"),
        ("pbr.measures", "pbr.payments"),
        ("pbr.io", "pbr.pipeline"),
        ("pbr.report", "pbr.pipeline"),
        ("pbr.provenance", "pbr.payments"),
    ],
)
def test_data_flows_one_way(lower: str, upper: str) -> None:
    # no module of the lower layer imports (even lazily) a module of the upper layer
    graph = import_graph()
    bad = sorted(
        (m, t)
        for m, targets in graph.items()
        if m == lower or m.startswith(lower + ".")
        for t in targets
        if t == upper or t.startswith(upper + ".")
    )
    assert not bad, f"{lower} imports {upper}: {bad}"


def test_report_draws_plain_tables_and_imports_no_domain_module() -> None:
    # every result's plot() calls pbr.report lazily (docs/api.md, "The result protocol"),
    # so pbr.report must stay below the domain: it knows tables, periods and money formats
    graph = import_graph()
    used = set().union(*(t for m, t in graph.items() if m.startswith("pbr.report")))
    outside = {t for t in used if not t.startswith("pbr.report")}
    assert outside <= {"pbr.errors", "pbr.periods", "pbr.formatting"}, outside


def test_find_cycle_detects_a_cycle_and_accepts_a_tree() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None
