"""Progress bars for pbr's long steps: tqdm's ``auto`` choice, off when nobody is watching.

Every function that can take more than a few seconds (baseline fits, payment
simulations, forecast replicates and back-test cut-offs, the ``pbr`` commands
over national files) takes ``progress``:

* ``None`` (the default): a bar when someone is watching, that is when
  ``sys.stderr`` is a terminal or the code runs in a Jupyter kernel; silent
  otherwise (scripts, pipes, CI, logs);
* ``True``: always a bar (on ``sys.stderr``);
* ``False``: never.

tqdm's own ``TQDM_DISABLE=1`` environment variable silences the default
(``None``) bars too, e.g. for a whole notebook.
The bar is what :mod:`tqdm.auto` would pick (the ecosystem's convention): a
widget in a notebook that has ipywidgets, else tqdm's text bar, so a notebook
without ipywidgets gets a clean text bar and no ``TqdmWarning``. Bars are
transient (``leave=False``) and never touch the computation: results are the
same with and without them. Nothing process-wide is changed (no warning
filters, no tqdm class attributes).

Examples
--------
>>> [x * 2 for x in track(range(3), progress=False, desc="doubling")]
[0, 2, 4]
>>> with bar(2, progress=False, desc="steps") as b:
...     b.disable
True
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sized
from typing import Any, TypeVar

__all__ = ["bar", "enabled", "track"]

T = TypeVar("T")


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (the test of :mod:`tqdm.autonotebook`, without its import).

    Examples
    --------
    >>> _in_notebook()  # a doctest is not a kernel
    False
    """
    if "ipykernel.zmqshell" not in sys.modules:
        return False
    if any(k == "QT_API" or k.startswith("SPYDER") for k in os.environ):
        return False  # qtconsole / spyder: a console, as tqdm.autonotebook decides
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def enabled(progress: bool | None) -> bool:
    """Whether a bar is drawn for ``progress`` (see the module notes).

    Examples
    --------
    >>> enabled(False), enabled(True)
    (False, True)
    >>> enabled(None)  # under a doctest stderr is not a terminal
    False
    """
    if progress is not None:
        return bool(progress)
    if os.environ.get("TQDM_DISABLE", "").strip().lower() in ("1", "true", "yes"):
        return False
    stream = sys.stderr
    return bool(stream is not None and stream.isatty()) or _in_notebook()


def _bar_class() -> Any:
    """The widget bar in a kernel with ipywidgets, else the text bar (what ``tqdm.auto`` picks).

    Without ipywidgets :mod:`tqdm.notebook` is never imported, so tqdm's
    "IProgress not found" warning cannot be raised.
    """
    import importlib.util

    if _in_notebook() and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.notebook import IProgress
        from tqdm.notebook import tqdm as notebook_bar

        if IProgress is not None:
            return notebook_bar
    from tqdm.std import tqdm as text_bar

    return text_bar


def bar(total: int | None, *, progress: bool | None, desc: str, unit: str = "step") -> Any:
    """A tqdm bar of ``total`` steps (disabled unless :func:`enabled`); a context manager.

    Call ``.update()`` after each step, ``.set_description(text)`` to name the next.

    Examples
    --------
    >>> with bar(3, progress=False, desc="fit") as b:
    ...     b.update()
    ...     b.disable, b.total
    (True, 3)
    """
    from tqdm.std import tqdm as text_bar

    on = enabled(progress)
    cls = _bar_class() if on else text_bar
    return cls(total=total, desc=desc, unit=unit, disable=not on, leave=False, file=sys.stderr)


def track(
    iterable: Iterable[T],
    *,
    progress: bool | None,
    desc: str,
    total: int | None = None,
    unit: str = "it",
) -> Iterator[T]:
    """Iterate over ``iterable`` with a bar (see :func:`bar`); the items are unchanged.

    Examples
    --------
    >>> list(track("ab", progress=False, desc="letters"))
    ['a', 'b']
    """
    if not enabled(progress):
        yield from iterable
        return
    if total is None and isinstance(iterable, Sized):
        total = len(iterable)
    with bar(total, progress=True, desc=desc, unit=unit) as b:
        for item in iterable:
            yield item
            b.update()
