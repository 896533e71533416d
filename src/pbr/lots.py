"""The registry of contract package areas ("lots").

The default registry is the 21 Transforming Rehabilitation lots of docs/methodology.md#input-data,
shipped as packaged data (``pbr/data/lots.csv``: ``code,name,provider``).
A user-supplied table (another country, another contract) replaces it and
everything else works unchanged: pass ``lots=`` wherever a function takes it.

Examples
--------
>>> from pbr.lots import default_registry
>>> reg = default_registry()
>>> len(reg)
21
>>> reg.code_of("London")
'CPA15'
>>> reg.name_of("CPA01")
'Northumbria'
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pbr.errors import PbrError

__all__ = ["LotRegistry", "default_registry", "read_lots"]

_LOT_COLUMNS = ["code", "name", "provider"]


@dataclass(frozen=True)
class LotRegistry:
    """An immutable table of lots: ``code``, ``name``, ``provider``.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per lot with columns ``code``, ``name``, ``provider`` (extra
        columns are kept). Codes and names must be unique and non-empty, and
        no name may be another lot's code.

    Examples
    --------
    >>> import pandas as pd
    >>> reg = LotRegistry(pd.DataFrame({"code": ["A"], "name": ["Area A"], "provider": ["P"]}))
    >>> reg.resolve(["A", "Area A"]).tolist()
    ['A', 'A']
    """

    table: pd.DataFrame
    _by_key: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        missing = [c for c in _LOT_COLUMNS if c not in self.table.columns]
        if missing:
            raise PbrError(f"lot table is missing column(s): {', '.join(missing)}")
        t = self.table.copy()
        for c in _LOT_COLUMNS:
            t[c] = t[c].astype("string").str.strip()
        bad = t[_LOT_COLUMNS].isna().any(axis=1) | (t[_LOT_COLUMNS] == "").any(axis=1)
        if bad.any():
            rows = ", ".join(str(i + 1) for i in np.flatnonzero(bad.to_numpy()))
            raise PbrError(f"lot table has empty code/name/provider in row(s) {rows}")
        for c in ("code", "name"):
            dup = t[c][t[c].duplicated()]
            if len(dup):
                raise PbrError(f"lot table has duplicate {c}(s): {', '.join(map(str, dup))}")
        code_of = dict(zip(t["code"], t["code"], strict=True))
        clash = sorted(
            str(n) for n, c in zip(t["name"], t["code"], strict=True) if code_of.get(n, c) != c
        )
        if clash:
            raise PbrError(
                "lot table has name(s) equal to another lot's code (ambiguous): "
                + ", ".join(repr(n) for n in clash)
            )
        t = t.sort_values("code", kind="stable").reset_index(drop=True)
        object.__setattr__(self, "table", t)
        keys = dict(zip(t["code"], t["code"], strict=True))
        keys.update(zip(t["name"], t["code"], strict=True))
        object.__setattr__(self, "_by_key", keys)

    def __len__(self) -> int:
        return len(self.table)

    @property
    def codes(self) -> list[str]:
        """Lot codes in sorted order.

        Examples
        --------
        >>> default_registry().codes[:2]
        ['CPA01', 'CPA02']
        """
        return [str(c) for c in self.table["code"]]

    def code_of(self, key: str) -> str:
        """Return the code of a lot given its code or exact name.

        Raises
        ------
        PbrError
            If ``key`` is neither a code nor an exact name.

        Examples
        --------
        >>> default_registry().code_of("Wales")
        'CPA21'
        """
        try:
            return self._by_key[key]
        except KeyError:
            raise PbrError(f"unknown lot {key!r}") from None

    def name_of(self, code: str) -> str:
        """Return the name of a lot given its code.

        Examples
        --------
        >>> default_registry().name_of("CPA15")
        'London'
        """
        return self._field(code, "name")

    def provider_of(self, code: str) -> str:
        """Return the provider of a lot given its code.

        Examples
        --------
        >>> default_registry().provider_of("CPA15")
        'MTCnovo'
        """
        return self._field(code, "provider")

    def _field(self, code: str, column: str) -> str:
        row = self.table.loc[self.table["code"] == code, column]
        if row.empty:
            raise PbrError(f"unknown lot code {code!r}")
        return str(row.iloc[0])

    def resolve(self, keys: Any) -> pd.Series:
        """Map codes or exact names to codes, vectorised; unknown keys become ``<NA>``.

        Parameters
        ----------
        keys : array-like of str

        Returns
        -------
        pandas.Series of string dtype

        Examples
        --------
        >>> default_registry().resolve(["London", "CPA01", "Atlantis"]).tolist()
        ['CPA15', 'CPA01', <NA>]
        """
        s = pd.Series(keys, dtype="string")
        return s.str.strip().map(self._by_key).astype("string")

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the lot table.

        Examples
        --------
        >>> list(default_registry().to_frame().columns)
        ['code', 'name', 'provider']
        """
        return self.table.copy()

    def _repr_html_(self) -> str:
        return str(self.table.to_html(index=False))


def read_lots(source: str | Path | pd.DataFrame) -> LotRegistry:
    """Read a user-supplied lot table (CSV path or DataFrame) into a registry.

    Parameters
    ----------
    source : path or DataFrame
        A table with columns ``code, name, provider``.

    Examples
    --------
    >>> import pandas as pd
    >>> reg = read_lots(pd.DataFrame({"code": ["X1"], "name": ["X"], "provider": ["Y"]}))
    >>> reg.codes
    ['X1']
    """
    if isinstance(source, pd.DataFrame):
        return LotRegistry(source)
    try:
        df = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise PbrError(f"cannot read lot table {source}: {exc}") from exc
    return LotRegistry(df)


@functools.cache
def default_registry() -> LotRegistry:
    """The 21 Transforming Rehabilitation lots (docs/methodology.md#input-data), from packaged data.

    Examples
    --------
    >>> default_registry().provider_of("CPA02")
    'ARCC'
    """
    with resources.files("pbr.data").joinpath("lots.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    return LotRegistry(df)
