"""The boundary of a saved baseline's model description (``baseline.json``).

A risk model read back from disk must have finite coefficients: a ``NaN``
slope or intercept (``null`` in the JSON) used to predict ``E = 0`` for
everyone. Intercepts of separated levels (no variation in the outcome) are the
only ones allowed to be missing. The rule is listed in docs/methodology.md,
"Input data: reading and validation" (reason code ``non_finite_coefficient``).

Examples
--------
>>> check_model_description(  # doctest: +ELLIPSIS
...     {"beta": [0.5, None], "alpha": [1.0], "separated": [False],
...                          "level_rate": [0.4], "terms": ["a", "b"]}, "model")
Traceback (most recent call last):
...
pbr.errors.BaselineFormatError: non_finite_coefficient: model.beta[1] (term 'b') is null ...
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pbr.errors import BaselineFormatError

__all__ = ["check_model_description"]


def _finite(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def check_model_description(desc: Any, name: str) -> None:
    """Refuse a saved model whose slopes, or intercepts of unseparated levels, are not finite.

    Parameters
    ----------
    desc : mapping
        The model's entry of ``baseline.json``.
    name : str
        Its key (``model`` or ``count_model``), named in the error.

    Raises
    ------
    BaselineFormatError
        Naming the key, the index and the term or level.

    Examples
    --------
    >>> check_model_description({"beta": [0.5], "alpha": [None], "separated": [True],
    ...                          "level_rate": [0.0], "terms": ["a"]}, "model") is None
    True
    """
    if not isinstance(desc, Mapping):
        return  # the model parser names a garbled description
    terms = list(desc.get("terms") or [])
    levels = list(desc.get("levels") or [])
    separated = list(desc.get("separated") or [])
    for i, v in enumerate(desc.get("beta") or []):
        if not _finite(v):
            term = f" (term {terms[i]!r})" if i < len(terms) else ""
            raise BaselineFormatError(
                f"non_finite_coefficient: {name}.beta[{i}]{term} is null or not finite"
            )
    for key in ("alpha", "level_rate"):
        for i, v in enumerate(desc.get(key) or []):
            is_separated = i < len(separated) and bool(separated[i])
            if not _finite(v) and not (key == "alpha" and is_separated):
                level = f" (level {levels[i]!r})" if i < len(levels) else ""
                raise BaselineFormatError(
                    f"non_finite_coefficient: {name}.{key}[{i}]{level} is null or not finite"
                )
