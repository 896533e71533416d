"""The argument parser of every ``pbr`` command: no abbreviations, close-match suggestions.

An option must be spelled in full (``--per`` is not ``--period``: a script that
works today keeps meaning the same when an option is added tomorrow), and a
misspelt option or subcommand gets a suggestion.

Examples
--------
>>> p = Parser(prog="demo")
>>> _ = p.add_argument("--period")
>>> p.suggestion("--perod")
"did you mean '--period'?"
"""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

__all__ = ["Parser", "suggest"]


def suggest(word: str, choices: Iterable[str]) -> str:
    """``"did you mean 'x'?"`` for the closest of ``choices``, or ``""``.

    Examples
    --------
    >>> suggest("paay", ["pay", "verify"]), suggest("zzz", ["pay"])
    ("did you mean 'pay'?", '')
    """
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


class Parser(argparse.ArgumentParser):
    """:class:`argparse.ArgumentParser` with ``allow_abbrev=False`` and suggestions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def suggestion(self, word: str) -> str:
        """The suggestion for an unknown option ``word`` of this parser."""
        return suggest(word.split("=", 1)[0], self._option_string_actions)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> argparse.Namespace:
        """Parse; an unknown option is reported by the subcommand that owns it, with a hint."""
        ns: argparse.Namespace
        ns, extras = self.parse_known_args(args, namespace)
        if extras:
            owner: Parser = self
            for action in self._actions:
                if isinstance(action, argparse._SubParsersAction):
                    chosen = getattr(ns, action.dest or "", None)
                    if chosen in action.choices:
                        owner = action.choices[chosen]
            hints = [owner.suggestion(x) for x in extras if x.startswith("-")]
            hint = "; ".join(h for h in hints if h)
            owner.error(
                f"unrecognized arguments: {' '.join(extras)}" + (f" ({hint})" if hint else "")
            )
        return ns

    def error(self, message: str) -> NoReturn:
        """Print usage and ``message`` (with a suggestion for an invalid subcommand), exit 2."""
        m = re.match(r"argument (\S+): invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if m and "did you mean" not in message:
            choices = re.findall(r"'([^']*)'", m[3]) or [c.strip() for c in m[3].split(",")]
            hint = suggest(m[2], choices)
            if hint:
                message = f"{message}; {hint}"
        super().error(message)
