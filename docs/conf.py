"""Sphinx configuration for the pbr documentation.

The API reference (``api.md``) is generated at build time: the marker line
``<!-- pbr-api-modules -->`` is replaced by one ``automodule`` block per public
pbr module, so a module added to the package appears without editing the docs.
Each object is documented once, under the public module that defines it (or the
first public module that exports it, for names defined in private modules).

Build with ``python -m sphinx -b html -W --keep-going docs docs/_build/html``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import pbr  # noqa: E402

project = "pbr"
author = "pbr developers"
copyright = "2026, pbr developers"
release = pbr.__version__
version = pbr.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**/.ipynb_checkpoints"]

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

DOCS = Path(__file__).resolve().parent

autodoc_member_order = "bysource"
autodoc_typehints = "none"  # numpydoc Parameters sections carry the types
autodoc_default_options = {"show-inheritance": False}

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

html_theme = "alabaster"
html_title = f"pbr {release}"
html_static_path: list[str] = []

API_MARKER = "<!-- pbr-api-modules -->"
DOC_EXEMPT_PREFIXES = ("pbr.cli", "pbr.__main__")


def _is_public(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split(".")[1:])


def public_modules() -> list[str]:
    """Every public pbr module, packages before their children, sorted."""
    names = ["pbr"]
    for info in pkgutil.walk_packages(pbr.__path__, prefix="pbr."):
        if _is_public(info.name) and not info.name.startswith(DOC_EXEMPT_PREFIXES):
            names.append(info.name)
    return sorted(names)


def _exported(mod: Any) -> list[str]:
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [
            n
            for n, obj in vars(mod).items()
            if not n.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == mod.__name__
        ]
    return list(names)


def api_rst() -> str:
    """ReStructuredText for the API reference: one automodule per public module."""
    modules = public_modules()
    mods = {name: importlib.import_module(name) for name in modules}
    owner: dict[int, str] = {}
    # First pass: objects are owned by the public module that defines them.
    for name, mod in mods.items():
        for attr in _exported(mod):
            obj = getattr(mod, attr, None)
            if getattr(obj, "__module__", None) == name:
                owner.setdefault(id(obj), name)
    # Second pass: objects defined in private modules go to the deepest public
    # module exporting them (e.g. ``pbr.report`` rather than ``pbr``).
    for name in sorted(mods, key=lambda n: (-n.count("."), n)):
        for attr in _exported(mods[name]):
            obj = getattr(mods[name], attr, None)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and str(
                getattr(obj, "__module__", "")
            ).startswith("pbr"):
                owner.setdefault(id(obj), name)
    blocks = []
    for name in modules:
        mod = mods[name]
        title = f"``{name}``"
        block = [title, "-" * len(title), "", f".. automodule:: {name}", ""]
        for attr in _exported(mod):
            obj = getattr(mod, attr, None)
            if owner.get(id(obj)) != name:
                continue
            if inspect.isclass(obj) and issubclass(obj, BaseException):
                block += [f".. autoexception:: {name}.{attr}", ""]
            elif inspect.isclass(obj):
                block += [f".. autoclass:: {name}.{attr}", "   :members:", ""]
            else:
                block += [f".. autofunction:: {name}.{attr}", ""]
        blocks.append("\n".join(block))
    return "\n\n".join(blocks) + "\n"


METHODOLOGY_MARKER = "<!-- pbr-methodology-toctree -->"


def methodology_docs() -> list[str]:
    """Docnames of the methodology pages: ``methodology.md`` and/or ``methodology/*.md``."""
    names = ["methodology"] if (DOCS / "methodology.md").is_file() else []
    folder = DOCS / "methodology"
    if folder.is_dir():
        names += [f"methodology/{p.stem}" for p in sorted(folder.glob("*.md"))]
    return names


def methodology_toctree() -> str:
    """The index's methodology toctree (nothing when no methodology page exists yet)."""
    names = methodology_docs()
    if not names:
        return ""
    return "```{toctree}\n:maxdepth: 1\n:caption: Methodology\n\n" + "\n".join(names) + "\n```\n"


def _fill_generated(app: Any, docname: str, source: list[str]) -> None:
    if docname == "api" and API_MARKER in source[0]:
        source[0] = source[0].replace(API_MARKER, "```{eval-rst}\n" + api_rst() + "```\n")
    if docname == "index" and METHODOLOGY_MARKER in source[0]:
        source[0] = source[0].replace(METHODOLOGY_MARKER, methodology_toctree())


def _always_reread(
    app: Any, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    # Their generated content depends on files other than their own source (the
    # package, docs/methodology/), so an incremental build must re-read them too.
    return [name for name in ("index", "api") if name in env.found_docs]


def setup(app: Any) -> dict[str, Any]:
    """Register the generators of the API reference and the methodology toctree."""
    app.connect("source-read", _fill_generated)
    app.connect("env-get-outdated", _always_reread)
    return {"parallel_read_safe": True}
