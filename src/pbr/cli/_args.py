"""Argument definitions shared by the ``pbr`` subcommands (one definition, one help text).

Every option used by more than one subcommand is defined once in :data:`OPTIONS`
and added with :func:`add_options`; :func:`add_microdata_args` and
:func:`add_out_arg` add the usual groups; :func:`from_args` forwards parsed options.

Examples
--------
>>> import argparse
>>> p = argparse.ArgumentParser()
>>> add_microdata_args(p)
>>> add_options(p, "--rules")
>>> add_out_arg(p)
>>> ns = p.parse_args(["--cohort", "c.csv", "--offences", "o.csv", "--extract-date",
...                    "2018-06-30", "--out", "d"])
>>> ns.cohort, ns.extract_date, ns.rules, ns.out, ns.force
('c.csv', '2018-06-30', 'moj_proven', 'd', False)
"""

from __future__ import annotations

import argparse
from typing import Any

from pbr._names import DEFAULT_SEED, PERIOD_KINDS, RULE_SET_NAMES

__all__ = [
    "OPTIONS",
    "PERIOD_KINDS",
    "RULE_SETS",
    "SAMPLE_SEED",
    "add_microdata_args",
    "add_options",
    "add_out_arg",
    "from_args",
]

# The choices and defaults the options show come from pbr._names (standard library only),
# where the library takes them from too: building the parser imports no pandas.
RULE_SETS = RULE_SET_NAMES
SAMPLE_SEED = DEFAULT_SEED

#: Options shared by several subcommands: flag → ``add_argument`` keyword arguments.
OPTIONS: dict[str, dict[str, Any]] = {
    "--cohort": {"metavar": "F", "help": "cohort table (CSV or Parquet)"},
    "--offences": {"metavar": "F", "help": "proven offences table (CSV or Parquet)"},
    "--extract-date": {"metavar": "D", "help": "date the offence data was extracted, YYYY-MM-DD"},
    "--rules": {"choices": RULE_SETS, "default": "moj_proven", "help": "counting rule set"},
    "--contract": {"help": "contract TOML file or preset name"},
    "--seed": {"type": int, "default": 0, "help": "random seed (0)"},
    "--force": {
        "action": "store_true",
        "help": "replace an existing non-empty --out (atomically: staged, then renamed)",
    },
}


def add_options(p: argparse.ArgumentParser, *flags: str, **changes: Any) -> None:
    """Add the shared options ``flags`` (:data:`OPTIONS`); ``changes`` override every one.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_options(p, "--contract", "--seed", default=None)
    >>> vars(p.parse_args(["--contract", "tr_crc"]))
    {'contract': 'tr_crc', 'seed': None}
    """
    for flag in flags:
        p.add_argument(flag, **{**OPTIONS[flag], **changes})


def add_microdata_args(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    """Add ``--cohort F --offences F --extract-date D`` (docs/methodology.md#input-data).

    With ``required=False`` (``pbr pay``, where an aggregate table may be given
    instead) each defaults to ``None``.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_microdata_args(p, required=False)
    >>> p.parse_args([]).cohort is None
    True
    """
    add_options(p, "--cohort", "--offences", "--extract-date", required=required)


def add_out_arg(
    p: argparse.ArgumentParser,
    help: str = "output directory",
    *,
    metavar: str = "DIR",
    required: bool = True,
    default: str | None = None,
) -> None:
    """Add ``--out`` and ``--force``: every command that writes writes safely (pbr._staging).

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_out_arg(p, required=False)
    >>> p.parse_args(["--force"]).out, p.parse_args(["--force"]).force
    (None, True)
    """
    p.add_argument("--out", required=required, metavar=metavar, default=default, help=help)
    add_options(p, "--force")


def from_args(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The parsed options ``names`` as keyword arguments (the CLI only forwards them).

    Examples
    --------
    >>> import argparse
    >>> from_args(argparse.Namespace(seed=3, draws=9, out="x"), "seed", "draws")
    {'seed': 3, 'draws': 9}
    """
    return {n: getattr(args, n) for n in names}
