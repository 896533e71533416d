"""``pbr sample``: regenerate the synthetic sample data (cohort, offences, truth).

Usage::

    pbr sample --out DIR [--force] [--seed N] [--scale X] [--lot CODE ...]

Writes ``DIR/cohort.parquet``, ``DIR/offences.parquet`` and ``DIR/truth.json``
(byte-identical for the same arguments). The bundled sample is regenerated with::

    pbr sample --out data/sample --force && pbr sample --out src/pbr/data/sample --force
"""

from __future__ import annotations

import argparse

from pbr.cli._args import SAMPLE_SEED, add_out_arg

__all__ = ["arguments", "run"]


def arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``pbr sample`` (the defaults give the bundled sample)."""
    add_out_arg(p)
    p.add_argument(
        "--seed", type=int, default=SAMPLE_SEED, help=f"random seed (default {SAMPLE_SEED})"
    )
    p.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="size multiplier (1.0 = 30 000 rows in 2011 and 7 500 a quarter)",
    )
    p.add_argument(
        "--lot",
        action="append",
        dest="lots",
        metavar="LOT",
        help="generate only this lot (code or name); repeatable (default: all 21)",
    )


def run(args: argparse.Namespace) -> int:
    """Generate the sample and write it; return the exit code.

    Examples
    --------
    >>> import argparse, tempfile
    >>> ns = argparse.Namespace(seed=1, scale=0.01, lots=None, force=False)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     run(argparse.Namespace(out=d, **vars(ns)))  # doctest: +ELLIPSIS
    wrote ...
    0
    """
    from pbr.pipeline.sample import write_sample

    sample, paths = write_sample(
        args.out, seed=args.seed, scale=args.scale, lots=args.lots, force=args.force
    )
    print(
        f"wrote {len(sample.cohort):,} cohort rows and {len(sample.offences):,} offence rows "
        f"(seed {sample.seed}, scale {sample.scale}) to " + ", ".join(str(p) for p in paths)
    )
    return 0
