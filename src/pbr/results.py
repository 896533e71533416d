"""The one protocol every pbr result follows, and the one :class:`Summary` type.

A *result* is what a pbr verb returns (:class:`~pbr.measures.Measures`,
:class:`~pbr.payments.Statement`, :class:`~pbr.baseline.Assessment`, …). Every
result has the same five faces, in the style of lifelines' fitters and
statsmodels' results (see ``docs/api.md``, "The result protocol"):

``.table``
    The main table, a :class:`pandas.DataFrame` (one row per lot × period,
    per line, per covariate, …).
``to_frame()``
    A copy of ``.table``: safe to modify.
``summary()``
    A :class:`Summary`: a title, a few key figures and a small table. It prints
    as text (``str``), renders in notebooks (``_repr_html_``) and exposes its
    table as ``.frame``.
``plot(ax=None)``
    Draws the result's standard chart through :mod:`pbr.report` in the house
    style and returns the :class:`matplotlib.axes.Axes`.
``_repr_html_()`` and ``==``
    Rich display in notebooks; value equality that compares tables by content
    (two results computed from the same inputs are ``==``; a result is never
    hashable, since it holds mutable tables).

This module is a leaf: it imports nothing from pbr, and nothing heavier than
pandas (matplotlib is imported by :mod:`pbr.report` only when a plot is drawn).

Examples
--------
>>> import pandas as pd
>>> s = Summary("Measures", pd.DataFrame({"lot": ["A"], "rate": [0.5]}),
...             figures={"periods": "2"})
>>> print(s)
Measures
  periods: 2
lot  rate
  A   0.5
>>> s == Summary("Measures", pd.DataFrame({"lot": ["A"], "rate": [0.5]}), figures={"periods": "2"})
True
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["Result", "Summary", "values_equal"]


def values_equal(a: Any, b: Any) -> bool:
    """Value equality that understands DataFrames, arrays, NaN and nested containers.

    Two tables are equal when :meth:`pandas.DataFrame.equals` says so (same
    shape, index, columns, dtypes and values; NaNs in the same places). Floats
    are equal when ``==`` or both NaN; ``Decimal`` compares exactly.

    Parameters
    ----------
    a, b : object
        Values to compare.

    Returns
    -------
    bool

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"x": [1.0, float("nan")]})
    >>> values_equal(a, a.copy()), a.equals(a.copy())
    (True, True)
    >>> values_equal({"a": [1, 2]}, {"a": [1, 3]})
    False
    """
    if isinstance(a, pd.DataFrame | pd.Series | pd.Index) or isinstance(
        b, pd.DataFrame | pd.Series | pd.Index
    ):
        return type(a) is type(b) and bool(a.equals(b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        x, y = np.asarray(a), np.asarray(b)
        if x.shape != y.shape or x.dtype.kind != y.dtype.kind:
            return False
        if x.dtype.kind in "fc":
            return bool(np.array_equal(x, y, equal_nan=True))
        return bool(np.array_equal(x, y))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b  # exact; NaN Decimals never occur in pbr results
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        if type(a) is not type(b):
            return False
        return all(
            values_equal(getattr(a, f.name), getattr(b, f.name))
            for f in dataclasses.fields(a)
            if f.compare
        )
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


class Summary:
    """A result's summary: a title, key figures, a table and notes.

    The one summary type of every pbr result (``result.summary()``), after
    statsmodels' ``Summary``: it prints as plain text, renders as HTML in a
    notebook, and keeps its table as a DataFrame for further use.

    Parameters
    ----------
    title : str
        One line naming the result ("Payment statement — tr_crc").
    frame : pandas.DataFrame
        The summary table (a few rows: per lot, per component, per covariate);
        a table without rows is not printed.
    figures : Mapping of str to str, optional
        Key figures shown above the table, already formatted
        (``{"total": "£304,804.06"}``); insertion order is kept.
    notes : Sequence of str, optional
        Lines shown under the table (conventions, warnings).

    Attributes
    ----------
    title : str
    frame : pandas.DataFrame
    figures : dict of str to str
    notes : tuple of str

    Examples
    --------
    >>> import pandas as pd
    >>> s = Summary("Example", pd.DataFrame({"n": [3]}), notes=["counts are people"])
    >>> s.frame["n"].tolist()
    [3]
    >>> "<table" in s._repr_html_()
    True
    """

    __hash__ = None  # type: ignore[assignment]  # holds a DataFrame

    def __init__(
        self,
        title: str,
        frame: pd.DataFrame,
        *,
        figures: Mapping[str, str] | None = None,
        notes: Sequence[str] = (),
    ) -> None:
        self.title = str(title)
        self.frame = frame
        self.figures: dict[str, str] = {str(k): str(v) for k, v in (figures or {}).items()}
        self.notes: tuple[str, ...] = tuple(str(n) for n in notes)

    def as_text(self) -> str:
        """The summary as plain text (what ``print`` shows).

        Examples
        --------
        >>> import pandas as pd
        >>> Summary("T", pd.DataFrame({"a": [1]})).as_text().splitlines()[0]
        'T'
        """
        parts = [self.title]
        parts += [f"  {k}: {v}" for k, v in self.figures.items()]
        if self._has_rows():
            parts.append(self.frame.to_string(index=False))
        parts += list(self.notes)
        return "\n".join(parts)

    def as_html(self) -> str:
        """The summary as an HTML fragment (what a notebook shows).

        Examples
        --------
        >>> import pandas as pd
        >>> Summary("T", pd.DataFrame({"a": [1]})).as_html().startswith("<div")
        True
        """
        esc = html.escape
        rows = "".join(
            f"<tr><th style='text-align:left'>{esc(k)}</th><td>{esc(v)}</td></tr>"
            for k, v in self.figures.items()
        )
        figs = f"<table>{rows}</table>" if rows else ""
        table = self.frame.to_html(index=False, border=0) if self._has_rows() else ""
        notes = "".join(f"<p><small>{esc(n)}</small></p>" for n in self.notes)
        return f"<div class='pbr-summary'><h4>{esc(self.title)}</h4>{figs}{table}{notes}</div>"

    def _has_rows(self) -> bool:
        # an empty table (no rows or no columns) is not printed
        return bool(len(self.frame.index) and len(self.frame.columns))

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Summary):
            return NotImplemented
        return (
            self.title == other.title
            and self.figures == other.figures
            and self.notes == other.notes
            and values_equal(self.frame, other.frame)
        )


class Result:
    """Base class of every pbr result (see the module docstring for the protocol).

    Subclasses are dataclasses declared with ``eq=False`` (so this class's
    frame-aware ``==`` is used), provide ``table`` (a field or a property),
    :meth:`summary` and :meth:`plot`. ``to_frame`` and ``_repr_html_`` have
    defaults here; equality compares every dataclass field with
    :func:`values_equal`.

    Examples
    --------
    >>> import dataclasses, pandas as pd
    >>> @dataclasses.dataclass(frozen=True, eq=False)
    ... class Tally(Result):
    ...     table: pd.DataFrame
    ...     def summary(self) -> Summary:
    ...         return Summary("Tally", self.table)
    >>> a = Tally(pd.DataFrame({"n": [1]}))
    >>> a == Tally(pd.DataFrame({"n": [1]})), a == Tally(pd.DataFrame({"n": [2]}))
    (True, False)
    """

    __hash__ = None  # type: ignore[assignment]  # holds DataFrames: not hashable

    if TYPE_CHECKING:
        # a dataclass field or a property of each subclass; declared for type checkers
        # only (a property here would shadow the subclasses' dataclass fields)
        @property
        def table(self) -> pd.DataFrame:
            """The result's main table."""

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table` (safe to modify).

        Examples
        --------
        >>> from pbr.payments._examples import example_statement
        >>> s = example_statement()
        >>> s.to_frame() is s.table, s.to_frame().equals(s.table)
        (False, True)
        """
        return self.table.copy()

    def summary(self) -> Summary:
        """Title, key figures and a small table (a :class:`Summary`).

        Examples
        --------
        >>> from pbr.payments._examples import example_statement
        >>> s = example_statement().summary()
        >>> s.title, s.figures["total"]
        ("Statement for contract 'tr_crc' (scheme tr_crc)", '£75,000.00')
        """
        raise NotImplementedError(f"{type(self).__name__}.summary")

    def plot(self, ax: Axes | None = None) -> Axes:
        """Draw the result's standard chart (house style) and return the Axes.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (returned); a new figure otherwise.

        Examples
        --------
        >>> from pbr.payments._examples import example_statement
        >>> ax = example_statement().plot()
        >>> ax.spines["top"].get_visible()  # the house style (pbr.report.style.style_axes)
        False
        """
        raise NotImplementedError(f"{type(self).__name__}.plot")

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return values_equal(self, other) if dataclasses.is_dataclass(self) else self is other
