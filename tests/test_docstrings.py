"""Every public pbr name has a numpydoc docstring with a runnable Examples section.

Two checks:

* ``test_public_api_has_numpydoc_examples`` walks ``pbr.__all__`` and the ``__all__``
  of every public module (modules without ``__all__``: the public functions and
  classes they define), plus the public methods of every public class, and
  requires a docstring that numpydoc parses without warnings, with a summary line
  and an ``Examples`` section containing at least one ``>>>`` example.
  Properties need a docstring (no Examples required).
* ``test_module_doctests`` runs the doctests of every pbr module (one test per
  module) with ``NORMALIZE_WHITESPACE | ELLIPSIS``, in a temporary directory,
  with the Agg backend and warnings as errors.

Both failure messages list every offender, so one run shows the whole backlog.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import io
import pkgutil
import types
import warnings
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest
from numpydoc.docscrape import NumpyDocString

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import pbr

SRC = Path(pbr.__file__).resolve().parent

# The command-line modules are documented in docs/cli.md (argparse help), not by
# numpydoc examples of their register/run plumbing.
SYMBOL_CHECK_EXEMPT_PREFIXES = ("pbr.cli", "pbr.__main__")


def _module_names(with_examples: bool = False) -> list[str]:
    """Every pbr module found on disk (no import needed at collection time).

    ``with_examples``: only the modules whose source has a ``>>>`` line (those with
    doctests; the API check requires examples wherever they are due).
    """
    names = []
    for path in sorted(SRC.rglob("*.py")):
        if with_examples and ">>>" not in path.read_text(encoding="utf-8"):
            continue
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts)
        if name != "pbr.__main__":  # importing it would run the CLI
            names.append(name)
    return names


def _is_public_module(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split(".")[1:])


def _public_modules() -> list[types.ModuleType]:
    mods = [importlib.import_module("pbr")]
    for info in pkgutil.walk_packages(pbr.__path__, prefix="pbr."):
        if not _is_public_module(info.name) or info.name.startswith(SYMBOL_CHECK_EXEMPT_PREFIXES):
            continue
        mods.append(importlib.import_module(info.name))
    return mods


def _public_names(mod: types.ModuleType) -> list[str]:
    exported = getattr(mod, "__all__", None)
    if exported is not None:
        return list(exported)
    return [
        name
        for name, obj in vars(mod).items()
        if not name.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and getattr(obj, "__module__", None) == mod.__name__
    ]


def _is_pbr_object(obj: object) -> bool:
    return str(getattr(obj, "__module__", "") or "").startswith("pbr")


def test_wrapped_functions_are_checked_too() -> None:
    # pbr.lots.default_registry is a functools.cache wrapper, not a plain function
    names = {qual for qual, _, _ in _iter_api()}
    assert "pbr.lots.default_registry" in names


def _iter_api() -> Iterator[tuple[str, object, str]]:
    """Yield (qualified name, object, kind) for every public pbr function/class/method."""
    seen: set[int] = set()
    for mod in _public_modules():
        for name in _public_names(mod):
            if not hasattr(mod, name):
                yield f"{mod.__name__}.{name}", None, "missing"
                continue
            obj = inspect.unwrap(getattr(mod, name))  # functools.cache & co. wrap functions
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or not _is_pbr_object(obj):
                continue  # constants, re-exported third-party objects
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            qual = f"{obj.__module__}.{obj.__qualname__}"
            yield qual, obj, "class" if inspect.isclass(obj) else "function"
            if inspect.isclass(obj):
                yield from _iter_members(obj, qual)


def _iter_members(cls: type, qual: str) -> Iterator[tuple[str, object, str]]:
    for attr, raw in vars(cls).items():
        if attr.startswith("_"):
            continue
        if isinstance(raw, property):
            yield f"{qual}.{attr}", raw, "property"
        elif isinstance(raw, (staticmethod, classmethod)):
            yield f"{qual}.{attr}", raw.__func__, "method"
        elif inspect.isfunction(inspect.unwrap(raw)):
            yield f"{qual}.{attr}", inspect.unwrap(raw), "method"


def _docstring_problems(obj: object, kind: str) -> list[str]:
    doc = inspect.getdoc(obj) if kind != "property" else getattr(obj, "__doc__", None)
    if not doc or not doc.strip():
        return ["no docstring"]
    if kind == "property":
        return []
    problems: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            parsed = NumpyDocString(doc)
        except Exception as exc:  # numpydoc raises ParseError/ValueError on bad sections
            return [f"numpydoc cannot parse it: {exc}"]
    problems.extend(f"numpydoc warning: {w.message}" for w in caught)
    if not "".join(parsed["Summary"]).strip():
        problems.append("no summary line")
    examples = "\n".join(parsed["Examples"])
    if not examples.strip():
        problems.append("no Examples section")
    elif ">>>" not in examples:
        problems.append("Examples section has no >>> example")
    return problems


def test_public_api_has_numpydoc_examples() -> None:
    offenders = []
    checked = 0
    for qual, obj, kind in _iter_api():
        if kind == "missing":
            offenders.append(f"{qual}: listed in __all__ but not defined")
            continue
        checked += 1
        offenders.extend(f"{qual} ({kind}): {p}" for p in _docstring_problems(obj, kind))
    assert checked > 0
    assert not offenders, f"{len(offenders)} docstring offender(s):\n" + "\n".join(offenders)


# ---------------------------------------------------------------------------------------
# self-tests of the checker, so a broken checker cannot pass everything silently


def _good() -> None:
    """Do nothing.

    Examples
    --------
    >>> _good()
    """


def _no_examples() -> None:
    """Do nothing.

    Parameters
    ----------
    None
    """


def _prose_examples() -> None:
    """Do nothing.

    Examples
    --------
    Call it and nothing happens.
    """


def test_checker_accepts_good_and_flags_bad_docstrings() -> None:
    assert _docstring_problems(_good, "function") == []
    assert _docstring_problems(_no_examples, "function") == ["no Examples section"]
    assert _docstring_problems(_prose_examples, "function") == [
        "Examples section has no >>> example"
    ]
    assert _docstring_problems(lambda: None, "function") == ["no docstring"]


def test_checker_walks_class_methods() -> None:
    class Thing:
        """A thing.

        Examples
        --------
        >>> Thing()  # doctest: +SKIP
        """

        def public(self) -> None:
            pass

        def _private(self) -> None:
            pass

        @property
        def size(self) -> int:
            """Size."""
            return 1

    members = {name.rsplit(".", 1)[-1]: kind for name, _, kind in _iter_members(Thing, "T")}
    assert members == {"public": "method", "size": "property"}


# ---------------------------------------------------------------------------------------
# doctests

OPTIONFLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


@pytest.mark.parametrize("modname", _module_names(with_examples=True))
def test_module_doctests(modname: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    mod = importlib.import_module(modname)
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = finder.find(mod, modname, globs=dict(vars(mod)))
    tests = [t for t in tests if t.examples]
    assert tests, f"{modname} has '>>>' lines but no doctest that runs"
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=OPTIONFLAGS)
    try:
        for test in sorted(tests, key=lambda t: t.name):
            runner.run(test, out=out.write)
    finally:
        plt.close("all")
    result = runner.summarize(verbose=False)
    assert result.attempted > 0, f"{modname}: every doctest example is skipped"
    assert result.failed == 0, (
        f"{result.failed} of {result.attempted} doctest example(s) failed in {modname}:\n"
        + out.getvalue()
    )
