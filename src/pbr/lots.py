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
import io
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pbr._encoding import read_utf8
from pbr.errors import PbrError, ValidationError

__all__ = ["LotRegistry", "check_lot_table", "default_registry", "read_lots"]

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
        t = check_lot_table(self.table)
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
        """Return the provider of a lot given its code (a name is not accepted: see code_of).

        Raises
        ------
        PbrError
            If ``code`` is not a lot code.

        Examples
        --------
        >>> reg = default_registry()
        >>> reg.provider_of("CPA15"), reg.provider_of(reg.code_of("London"))
        ('MTCnovo', 'MTCnovo')
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


def check_lot_table(table: pd.DataFrame, label: str = "DataFrame") -> pd.DataFrame:
    """Check a lot table row by row; return it trimmed (docs/methodology.md#validation).

    Every failure at once, in one :class:`~pbr.errors.ValidationError` (table
    ``lots``), each reason starting with its code: ``missing_column`` (``code``,
    ``name`` or ``provider`` absent), ``missing_value`` (a blank cell),
    ``duplicate_key`` (a code or name that repeats another row's after trimming and
    ignoring case: ``CPA01``, ``cpa01 `` are one lot, not two), ``ambiguous_name``
    (a name that is another lot's code).

    Examples
    --------
    >>> t = pd.DataFrame({"code": ["A1", "a1 "], "name": ["North", ""], "provider": ["P", "P"]})
    >>> try:
    ...     check_lot_table(t)
    ... except ValueError as err:
    ...     print(err.failures[["row", "column", "value"]].values.tolist())
    [[2, 'code', 'a1 '], [2, 'name', '']]
    """
    rows: list[tuple[Any, str, str, str]] = []
    missing = [c for c in _LOT_COLUMNS if c not in table.columns]
    for c in missing:
        rows.append(
            ("-", c, "<missing>", "missing_column: the lot table needs code, name, provider")
        )
    t = table.copy()
    for c in (c for c in _LOT_COLUMNS if c not in missing):
        t[c] = t[c].astype("string").str.strip()
        for k in np.flatnonzero((t[c].isna() | (t[c] == "")).to_numpy(dtype=bool)):
            rows.append((int(k) + 1, c, "", f"missing_value: blank {c}"))
    first: dict[tuple[str, str], int] = {}
    for c in (c for c in ("code", "name") if c not in missing):
        for i, v in enumerate(t[c]):
            if pd.isna(v) or v == "":
                continue
            key = (c, str(v).casefold())
            if key in first:
                rows.append(
                    (i + 1, c, str(table[c].iloc[i]),
                     f"duplicate_key: the {c} of row {first[key]} after trimming and case"),
                )  # fmt: skip
            else:
                first[key] = i + 1
    if not missing:
        codes = {str(c).casefold(): str(c) for c in t["code"] if not pd.isna(c)}
        for i, (n, c) in enumerate(zip(t["name"], t["code"], strict=True)):
            other = codes.get(str(n).casefold()) if not pd.isna(n) else None
            if other is not None and other != c:
                rows.append((i + 1, "name", str(n), f"ambiguous_name: the code of lot {other}"))
    if rows:
        failures = pd.DataFrame(rows, columns=["row", "column", "value", "reason"])
        failures.insert(0, "table", "lots")
        rank = {c: i for i, c in enumerate(_LOT_COLUMNS)}
        order = np.lexsort(
            (
                failures["column"].map(rank).to_numpy(),
                failures["row"].map(lambda r: 0 if r == "-" else int(r)).to_numpy(),
            )
        )
        failures = failures.iloc[order]
        raise ValidationError(f"lot table ({label}) is invalid", failures)
    return t


def read_lots(source: str | Path | pd.DataFrame) -> LotRegistry:
    """Read a user-supplied lot table (CSV path or DataFrame) into a registry.

    The table is checked by :func:`check_lot_table` (a row-level
    :class:`~pbr.errors.ValidationError`); a file must be UTF-8 text.

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
        return LotRegistry(check_lot_table(source))
    text = read_utf8(source, "lot table")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise PbrError(f"cannot read lot table {source}: {exc}") from None
    return LotRegistry(check_lot_table(df, str(source)))


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
