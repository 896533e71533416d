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

from pbr.cli._args import add_microdata_args, add_options, add_out_arg, from_args
from pbr.cli._progress import add_progress_args, progress_of

__all__ = ["arguments", "run"]


def arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``pbr pay``.

    Examples
    --------
    >>> from pbr.cli import build_parser
    >>> a = build_parser().parse_args(["pay", "--contract", "tr_crc", "--measures", "m.csv",
    ...                           "--out", "st"])
    >>> a.contract, a.measures, a.cohort, a.allow_interim
    ('tr_crc', 'm.csv', None, False)
    """
    add_options(p, "--contract", required=True)
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
    add_progress_args(p)


def run(args: argparse.Namespace) -> int:
    """Run ``pbr pay``; returns the exit code."""
    from pbr.pipeline import pay_from_files, write_pay

    inputs = ("measures", "annual_measures", "cohort", "offences", "baseline", "volumes")
    statement = pay_from_files(
        args.contract,
        **from_args(args, *inputs, "extract_date", "allow_interim"),
        progress=progress_of(args),
    )
    out, html = write_pay(statement, args.out, html=args.html, force=args.force, xlsx=args.xlsx)
    print(statement.summary())
    print(f"wrote {out}/statement.csv, statement.json, statement.parquet, manifest.json")
    if html is not None:
        print(f"wrote {html}")
    if args.xlsx:
        print(f"wrote {out / 'statement.xlsx'}")
    return 0
