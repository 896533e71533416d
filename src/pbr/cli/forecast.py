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
from pathlib import Path
from typing import Any

from pbr.cli._args import add_microdata_args
from pbr.cli._progress import add_progress_args, progress_of
from pbr.errors import PbrError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``forecast`` subcommand to ``subparsers``.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> a = parser.parse_args(["forecast", "--backtest"])
    >>> a.backtest, a.draws, a.seed
    (True, 1000, 0)
    """
    p = subparsers.add_parser(
        "forecast",
        help="project interim cohorts to their final rate and payment (or --backtest)",
        description="Project interim lot-periods to their final binary rate and, with a "
        "contract, the distribution of their payment; writes forecast.csv, forecast.html and "
        "manifest.json to --out. With --backtest, print the backtest table instead.",
    )
    add_microdata_args(p, required=False)
    p.add_argument("--contract", default=None, help="contract TOML file or preset name")
    p.add_argument("--out", default=None, metavar="DIR", help="output directory")
    p.add_argument("--backtest", action="store_true", help="print the backtest table")
    p.add_argument("--draws", type=int, default=1000, help="bootstrap replicates (1000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (0)")
    p.add_argument("--strata", type=int, default=5, help="OGRS3 risk strata (5)")
    p.add_argument(
        "--reference",
        default=None,
        help="reference quarters: 'baseline', 'latest' or comma-separated labels",
    )
    add_progress_args(p)
    p.set_defaults(func=run)


def _reference(text: str | None) -> Any:
    if text is None or text in ("baseline", "latest"):
        return text
    return [t.strip() for t in text.split(",") if t.strip()]


def _model_options(args: argparse.Namespace) -> dict[str, Any]:
    """The options the forecast and the backtest share: reference, strata, draws, seed, bar.

    Examples
    --------
    >>> ns = argparse.Namespace(reference="latest", strata=5, draws=10, seed=1, no_progress=True)
    >>> _model_options(ns)
    {'reference': 'latest', 'strata': 5, 'draws': 10, 'seed': 1, 'progress': False}
    """
    return {
        "reference": _reference(args.reference),
        "strata": args.strata,
        "draws": args.draws,
        "seed": args.seed,
        "progress": progress_of(args),
    }


def run(args: argparse.Namespace) -> int:
    """Run ``pbr forecast``; returns the exit code.

    Examples
    --------
    >>> run  # doctest: +ELLIPSIS
    <function run at ...>
    """
    from pbr.io import read_cohort, read_offences

    given = [args.cohort, args.offences, args.extract_date]
    if any(v is not None for v in given) and not all(v is not None for v in given):
        raise PbrError("give all of --cohort, --offences and --extract-date (or none)")
    if args.backtest:
        from pbr.forecast import backtest

        if args.cohort is None:
            from pbr.sample import SAMPLE_EXTRACT_DATE, sample_paths

            paths = sample_paths()
            cohort_p, offences_p = paths["cohort"], paths["offences"]
            ext: Any = SAMPLE_EXTRACT_DATE.isoformat()
        else:
            cohort_p, offences_p, ext = args.cohort, args.offences, args.extract_date
        co = read_cohort(cohort_p, extract_date=ext)
        of = read_offences(offences_p, extract_date=ext)
        bt = backtest(co, of, extract_date=ext, **_model_options(args))
        print(bt.summary())
        return 0
    if args.cohort is None or args.out is None:
        raise PbrError("pbr forecast needs --cohort, --offences, --extract-date and --out")
    from pbr.audit import write_run_manifest
    from pbr.forecast import forecast
    from pbr.forecast.page import render_forecast_html

    co = read_cohort(args.cohort, extract_date=args.extract_date)
    of = read_offences(args.offences, extract_date=args.extract_date)
    f = forecast(
        co, of, extract_date=args.extract_date, contract=args.contract, **_model_options(args)
    )
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PbrError(f"{out}: cannot create the output folder: {exc.strerror}") from None
    csv = out / "forecast.csv"
    f.with_payments().to_csv(csv, index=False, float_format="%.10g", lineterminator="\n")
    page = out / "forecast.html"
    page.write_text(render_forecast_html(f), encoding="utf-8")
    outputs = {"forecast": csv, "page": page}
    years = None if f.payments is None else f.payments.by_year
    if years is not None and len(years):  # the contract's frequency component
        outputs["frequency"] = out / "forecast_frequency.csv"
        years.to_csv(outputs["frequency"], index=False, float_format="%.10g", lineterminator="\n")
    manifest = write_run_manifest(
        out / "manifest.json",
        command="forecast",
        inputs={"cohort": args.cohort, "offences": args.offences},
        parameters={
            "extract_date": str(args.extract_date),
            "contract": args.contract,
            "reference": list(f.reference),
            "rules": f.rules,
            "strata": f.strata,
            "draws": f.draws,
        },
        outputs=outputs,
        seeds={"bootstrap": f.seed},
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
    print(f"wrote {csv}, {page}, {manifest}")
    return 0
