r"""Reading a text input as UTF-8, or a clear error naming the file and the first bad byte.

Every CSV table that can reach a payment (aggregate tables, volumes, the lot
registry) is read through :func:`read_utf8` (docs/methodology.md#validation):
gzip is recognised by its magic bytes whatever the suffix, a UTF-8 byte-order
mark is dropped, and bytes that are not UTF-8 (e.g. a Windows-1252 ``£``) are a
:class:`~pbr.errors.PbrError` naming the file, the byte offset, the line and
the byte — never a guess at another encoding, never pandas' decoder message.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = p.write_bytes(b"lot,price\nCPA01,\xa31500\n")
>>> read_utf8(p, "measures")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pbr.errors.PbrError: measures: .../t.csv is not UTF-8 text: byte 0xA3 at offset 16 (line 2) ...
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from pbr.errors import PbrError

__all__ = ["read_utf8"]


def read_utf8(path: str | Path, what: str) -> str:
    r"""The text of ``path`` (gzip or plain, UTF-8 with or without BOM); see the module notes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_bytes("\ufefflot\nCPA01\n".encode())
    >>> read_utf8(p, "table")
    'lot\nCPA01\n'
    """
    p = Path(path)
    try:
        data = p.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
    except FileNotFoundError:
        raise PbrError(f"{what}: file {p} not found") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise PbrError(f"{what}: cannot read {p}: {exc}") from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PbrError(
            f"{what}: {p} is not UTF-8 text: byte 0x{data[exc.start]:02X} at offset "
            f"{exc.start} (line {line}) is not valid UTF-8; save the file as UTF-8 "
            "(Excel: 'CSV UTF-8')"
        ) from None
