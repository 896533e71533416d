"""Input checks and design matrices for matched comparisons.

One idea: turn a person-level table into the numeric arrays the propensity
model, the matcher and the balance table use (methodology, "Comparisons …",
§1 Matched comparison, *Propensity model*).

Conventions
-----------
* Numeric and boolean columns enter as they are (booleans as 0/1).
* Text/categorical columns are one-hot encoded: the **model** gets one 0/1
  column ``"<col>=<level>"`` per level except the first in sorted order (the
  reference level, as R's ``glm`` does); the **balance table** gets every
  level, reference included (as MatchIt's ``summary()`` does).
* A missing value in a covariate, the treatment or an ``exact`` column is a
  :class:`~pbr.errors.PbrError` naming the first row; nothing is dropped
  silently.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"age": [20, 30], "race": ["white", "black"]})
>>> list(model_columns(df, ["age", "race"]).columns)
['age', 'race=white']
>>> list(balance_columns(df, ["age", "race"]).columns)
['age', 'race=black', 'race=white']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr._types import BoolArray, FloatArray
from pbr.errors import PbrError

__all__ = [
    "balance_columns",
    "check_columns",
    "is_categorical",
    "levels_of",
    "model_columns",
    "strata_codes",
    "treatment_vector",
]


def check_columns(data: pd.DataFrame, columns: Sequence[str], what: str = "column") -> None:
    """Raise a :class:`PbrError` for a column that is absent or has missing values.

    Examples
    --------
    >>> import pandas as pd
    >>> check_columns(pd.DataFrame({"a": [1.0]}), ["a"])
    >>> check_columns(pd.DataFrame({"a": [1.0, None]}), ["a"])
    Traceback (most recent call last):
    ...
    pbr.errors.PbrError: column 'a' has 1 missing value(s); first at row 1 (index 1)
    """
    for col in columns:
        if col not in data.columns:
            raise PbrError(f"{what} {col!r} is not in the data")
        na = data[col].isna().to_numpy()
        if na.any():
            row = int(np.flatnonzero(na)[0])
            raise PbrError(
                f"column {col!r} has {int(na.sum())} missing value(s); first at row "
                f"{row} (index {data.index[row]!r})"
            )


def treatment_vector(data: pd.DataFrame, treatment: str) -> BoolArray:
    """The treatment column as booleans (boolean or 0/1 input).

    Examples
    --------
    >>> import pandas as pd
    >>> treatment_vector(pd.DataFrame({"t": [1, 0]}), "t").tolist()
    [True, False]
    """
    check_columns(data, [treatment], what="treatment column")
    s = data[treatment]
    if pd.api.types.is_bool_dtype(s):
        return np.asarray(s, dtype=bool)
    values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isin(values, [0.0, 1.0])
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise PbrError(
            f"treatment column {treatment!r} must be boolean or 0/1; row {row} has {s.iloc[row]!r}"
        )
    out: BoolArray = values == 1.0
    return out


def is_categorical(s: pd.Series) -> bool:
    """True for text/categorical columns (one-hot encoded), false for numbers/booleans.

    Examples
    --------
    >>> import pandas as pd
    >>> is_categorical(pd.Series(["a"])), is_categorical(pd.Series([1.0]))
    (True, False)
    """
    return not (pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s))


def _encode(data: pd.DataFrame, covariates: Sequence[str], *, all_levels: bool) -> pd.DataFrame:
    names: list[str] = []
    parts: list[FloatArray | tuple[npt.NDArray[np.intp], int]] = []
    for col in covariates:
        s = data[col]
        if not is_categorical(s):
            names.append(col)
            parts.append(np.asarray(s.astype(float), dtype=float))
            continue
        codes, levels = pd.factorize(s.astype(str), sort=True)
        for i, level in enumerate(levels):
            if all_levels or i > 0:
                names.append(f"{col}={level}")
                parts.append((codes, i))
    out = np.empty((len(data), len(names)), order="F")  # one block, filled column by column
    for j, part in enumerate(parts):
        if isinstance(part, tuple):
            np.equal(part[0], part[1], out=out[:, j], casting="unsafe")
        else:
            out[:, j] = part
    return pd.DataFrame(out, index=data.index, columns=names, copy=False)


def levels_of(data: pd.DataFrame, covariates: Sequence[str]) -> dict[str, list[str]]:
    """Sorted levels of each text covariate.

    Examples
    --------
    >>> import pandas as pd
    >>> levels_of(pd.DataFrame({"g": ["b", "a", "b"], "x": [1, 2, 3]}), ["g", "x"])
    {'g': ['a', 'b']}
    """
    return {
        c: [str(v) for v in pd.factorize(data[c].astype(str), sort=True)[1]]
        for c in covariates
        if is_categorical(data[c])
    }


def model_columns(data: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """Design matrix of the propensity model (reference level of each text column dropped).

    Examples
    --------
    >>> import pandas as pd
    >>> model_columns(pd.DataFrame({"g": ["b", "a", "c"]}), ["g"]).to_numpy().tolist()
    [[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]
    """
    return _encode(data, covariates, all_levels=False)


def balance_columns(data: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """Columns of the balance table: numbers as they are, **every** level of text columns.

    Examples
    --------
    >>> import pandas as pd
    >>> list(balance_columns(pd.DataFrame({"g": ["b", "a"]}), ["g"]).columns)
    ['g=a', 'g=b']
    """
    return _encode(data, covariates, all_levels=True)


def strata_codes(data: pd.DataFrame, exact: Sequence[str]) -> npt.NDArray[np.int64]:
    """Integer stratum of each row for exact matching (0 for everyone when ``exact`` is empty).

    Examples
    --------
    >>> import pandas as pd
    >>> strata_codes(pd.DataFrame({"s": ["b", "a", "b"]}), ["s"]).tolist()
    [1, 0, 1]
    """
    if not exact:
        return np.zeros(len(data), dtype=np.int64)
    # one sorted code per column, combined as a tuple of codes (no per-row Python work)
    parts = [pd.factorize(data[c].astype(str), sort=True) for c in exact]
    code = np.zeros(len(data), dtype=np.int64)
    for values, levels in parts:  # mixed radix: keeps the lexicographic order of the levels
        code = code * len(levels) + values.astype(np.int64)
    return np.unique(code, return_inverse=True)[1].reshape(-1).astype(np.int64)
