"""``pbr pay``: a payment statement with its audit manifest (docs/methodology.md#payments).

``pbr pay --contract F.toml|PRESET (--measures F | --cohort F --offences F --extract-date D
--baseline DIR) [--annual-measures F] [--volumes F] [--allow-interim] [--html] --out DIR``
writes ``statement.csv``, ``statement.json``, ``statement.parquet`` and ``manifest.json``
(and with ``--html`` a self-contained ``statement.html`` with its plots).
Exit 0 on success; 2 on bad input (invalid contract, missing columns, interim
measures without ``--allow-interim``); 1 otherwise.
"""

from __future__ import annotations

import argparse
from typing import Any

from pbr.cli._args import add_microdata_args, add_out_arg
from pbr.cli._progress import add_progress_args, progress_of
from pbr.pipeline import pay_from_files, write_pay

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``pay`` subcommand to ``subparsers``.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> a = parser.parse_args(["pay", "--contract", "tr_crc", "--measures", "m.csv",
    ...                        "--out", "st"])
    >>> a.contract, a.measures, a.cohort, a.allow_interim
    ('tr_crc', 'm.csv', None, False)
    """
    p = subparsers.add_parser(
        "pay",
        help="compute a payment statement from a contract",
        description="Compute a payment statement (statement.csv/.json/.parquet + manifest.json) "
        "from a contract (TOML file or preset name: tr_crc, peterborough_sib, doncaster) and "
        "either an aggregate measures/assessment table or microdata plus a saved baseline.",
    )
    p.add_argument("--contract", required=True, help="contract TOML file or preset name")
    p.add_argument("--measures", default=None, help="aggregate assessment table (CSV/Parquet)")
    p.add_argument(
        "--annual-measures", default=None, help="annual rows for the frequency component"
    )
    add_microdata_args(p, required=False)
    p.add_argument("--baseline", default=None, help="saved baseline directory")
    p.add_argument(
        "--volumes", default=None, help="fee-for-service volumes: lot,period,unit,volume"
    )
    p.add_argument(
        "--allow-interim", action="store_true", help="pay on interim measures (provisional)"
    )
    p.add_argument(
        "--html",
        action="store_true",
        help="also write statement.html: a self-contained page with the plots and manifest",
    )
    p.add_argument(
        "--xlsx",
        action="store_true",
        help="also write statement.xlsx: the statement in the layout of MoJ's CRC tables",
    )
    add_out_arg(p)
    p.add_argument(
        "--force", action="store_true", help="replace an existing non-empty --out (atomically)"
    )
    add_progress_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``pbr pay``; returns the exit code.

    Examples
    --------
    >>> run  # doctest: +ELLIPSIS
    <function run at ...>
    """
    statement = pay_from_files(
        args.contract,
        measures=args.measures,
        annual_measures=args.annual_measures,
        cohort=args.cohort,
        offences=args.offences,
        baseline=args.baseline,
        extract_date=args.extract_date,
        volumes=args.volumes,
        allow_interim=args.allow_interim,
        progress=progress_of(args),
    )
    out, html = write_pay(statement, args.out, html=args.html, force=args.force)
    print(statement.summary())
    print(f"wrote {out}/statement.csv, statement.json, statement.parquet, manifest.json")
    if html is not None:
        print(f"wrote {html}")
    if getattr(args, "xlsx", False):
        from pbr.provenance import sha256_file

        book = statement.to_excel(
            out / "statement.xlsx", manifest_sha256=sha256_file(out / "manifest.json")
        )
        print(f"wrote {book}")
    return 0
