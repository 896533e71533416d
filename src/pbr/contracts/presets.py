"""Loading contracts: TOML files and the presets shipped with pbr.

Examples
--------
>>> preset("tr_crc").scheme
'tr_crc'
"""

from __future__ import annotations

import dataclasses
from importlib import resources
from pathlib import Path
from typing import Any

from pbr.contracts.model import Contract
from pbr.errors import ContractError

__all__ = ["available_presets", "load_contract", "preset", "preset_text"]

# --------------------------------------------------------------------------- loading


def load_contract(path: str | Path) -> Contract:
    r"""Read and validate a contract TOML file.

    Parameters
    ----------
    path : str or Path

    Raises
    ------
    ContractError
        File missing, not TOML, or invalid (message names the key).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.toml"
    >>> _ = p.write_text('name = "c"\n[binary]\nprice_per_reoffender_avoided = -1\n'
    ...                  'deduction_price = 1\n')
    >>> load_contract(p)
    Traceback (most recent call last):
    ...
    pbr.errors.ContractError: binary.price_per_reoffender_avoided: must be >= 0, got -1
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContractError(f"{p}: cannot read contract: {exc.strerror}") from None
    return Contract.from_toml(text, source=str(p))


def available_presets() -> tuple[str, ...]:
    """Names of the contract presets shipped with pbr.

    Examples
    --------
    >>> available_presets()
    ('doncaster', 'peterborough_sib', 'tr_crc')
    """
    folder = resources.files("pbr.data") / "contracts"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


def preset_text(name: str) -> str:
    """The TOML text of a shipped preset (for hashing and audit).

    Examples
    --------
    >>> "prices_are_illustrative = true" in preset_text("tr_crc")
    True
    """
    if name not in available_presets():
        raise ContractError(
            f"preset: unknown preset {name!r} (available: {', '.join(available_presets())})"
        )
    return (resources.files("pbr.data") / "contracts" / f"{name}.toml").read_text(encoding="utf-8")


def preset(name: str, **overrides: Any) -> Contract:
    """A shipped contract preset (``tr_crc``, ``peterborough_sib``, ``doncaster``).

    Parameters
    ----------
    name : str
    **overrides
        Top-level fields to replace (``dataclasses.replace``), e.g. ``alpha=0.1``.

    Examples
    --------
    >>> c = preset("tr_crc")
    >>> c.scheme, c.prices_are_illustrative, c.alpha
    ('tr_crc', True, 0.05)
    >>> preset("tr_crc", alpha=0.1).alpha
    0.1
    """
    c = Contract.from_toml(preset_text(name), source=f"preset {name}")
    return dataclasses.replace(c, **overrides) if overrides else c
