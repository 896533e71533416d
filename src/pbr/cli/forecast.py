"""``pbr forecast``: project interim cohorts to their final rate and payment; or backtest.

``pbr forecast --contract C --cohort F --offences F --extract-date D --out DIR``
writes ``forecast.csv`` (one row per lot × quarter), ``forecast.html``,
``manifest.json`` and, when the contract pays frequency, ``forecast_frequency.csv``
(one row per lot × contract year). ``pbr forecast --backtest [--cohort F --offences F
--extract-date D]`` prints the backtest table (default data: the bundled sample).
Method: ``docs/methodology.md``, "Forecasting interim cohorts".
"""

from __future__ import annotations

import argparse

from pbr.cli._args import add_microdata_args, add_options, add_out_arg, from_args
from pbr.cli._progress import add_progress_args, progress_of

__all__ = ["arguments", "run"]


def arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``pbr forecast``.

    Examples
    --------
    >>> from pbr.cli import build_parser
    >>> a = build_parser().parse_args(["forecast", "--backtest"])
    >>> a.backtest, a.draws, a.seed
    (True, 1000, 0)
    """
    add_microdata_args(p, required=False)
    add_options(p, "--contract")
    add_out_arg(p, required=False)
    p.add_argument("--backtest", action="store_true", help="print the backtest table")
    p.add_argument("--draws", type=int, default=1000, help="bootstrap replicates (1000)")
    add_options(p, "--seed")
    p.add_argument("--strata", type=int, default=5, help="OGRS3 risk strata (5)")
    p.add_argument(
        "--reference",
        default=None,
        help="reference quarters: 'baseline', 'latest' or comma-separated labels",
    )
    add_progress_args(p)


def run(args: argparse.Namespace) -> int:
    """Run ``pbr forecast`` (:mod:`pbr.pipeline.forecast`); returns the exit code."""
    from pbr.pipeline.forecast import backtest_from_files, forecast_from_files

    options = from_args(args, "extract_date", "reference", "strata", "draws", "seed")
    options["progress"] = progress_of(args)
    if args.backtest:
        print(backtest_from_files(args.cohort, args.offences, **options).summary())
        return 0
    f, out = forecast_from_files(
        args.cohort, args.offences, args.out, **from_args(args, "contract", "force"), **options
    )
    nat = f.national.iloc[-1]
    print(
        f"pbr forecast: {nat['period']} national rate observed {nat['observed_rate']:.4f}, "
        f"projected {nat['projected_rate']:.4f} (95 %: {nat['rate_low95']:.4f}–"
        f"{nat['rate_high95']:.4f})"
    )
    if f.payments is not None:
        tot = f.payments.total.iloc[0]
        print(
            f"projected total payment £{tot['expected_amount']} "
            f"(95 %: £{tot['amount_low95']} to £{tot['amount_high95']})"
        )
    print("wrote " + ", ".join(str(out / n) for n in sorted(p.name for p in out.iterdir())))
    return 0
