"""Argument definitions shared by the ``pbr`` subcommands (one definition, one help text).

Examples
--------
>>> import argparse
>>> p = argparse.ArgumentParser()
>>> add_microdata_args(p)
>>> add_rules_arg(p)
>>> add_out_arg(p)
>>> ns = p.parse_args(["--cohort", "c.csv", "--offences", "o.csv", "--extract-date",
...                    "2018-06-30", "--out", "d"])
>>> ns.cohort, ns.extract_date, ns.rules, ns.out
('c.csv', '2018-06-30', 'moj_proven', 'd')
"""

from __future__ import annotations

import argparse

from pbr.contracts import RULE_SETS

__all__ = ["add_microdata_args", "add_out_arg", "add_rules_arg"]


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
    for flag, metavar, text in (
        ("--cohort", "F", "cohort table (CSV or Parquet)"),
        ("--offences", "F", "proven offences table (CSV or Parquet)"),
        ("--extract-date", "D", "date the offence data was extracted, YYYY-MM-DD"),
    ):
        p.add_argument(flag, required=required, metavar=metavar, help=text)  # default None


def add_rules_arg(p: argparse.ArgumentParser) -> None:
    """Add ``--rules`` (the counting rule set, default ``moj_proven``).

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_rules_arg(p)
    >>> p.parse_args(["--rules", "convictions_only"]).rules
    'convictions_only'
    """
    p.add_argument("--rules", choices=RULE_SETS, default="moj_proven", help="counting rule set")


def add_out_arg(p: argparse.ArgumentParser, help: str = "output directory") -> None:
    """Add the required ``--out DIR``.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_out_arg(p)
    >>> p.parse_args(["--out", "statement"]).out
    'statement'
    """
    p.add_argument("--out", required=True, metavar="DIR", help=help)
