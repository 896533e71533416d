"""``pbr compare``: matched cohort comparison (methodology, "Comparisons …", §1).

Writes ``balance.csv``, ``pairs.csv``, ``outcomes.csv``, ``summary.txt`` and
``manifest.json`` into ``--out`` (:mod:`pbr.pipeline.compare` has the details).

Examples
--------
>>> from pbr.cli import build_parser
>>> args = build_parser().parse_args(["compare", "--data", "d.csv", "--treatment", "t",
...                              "--covariates", "a,b", "--out", "o"])
>>> args.covariates, args.ratio, args.caliper, args.distance, args.m_order
('a,b', 1, '0.2', 'logit', None)
"""

from __future__ import annotations

import argparse

from pbr.cli._args import add_options, add_out_arg, from_args
from pbr.errors import PbrError

__all__ = ["arguments", "run"]


def arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``pbr compare``."""
    p.add_argument("--data", required=True, help="CSV or Parquet, one row per person")
    p.add_argument("--treatment", required=True, help="boolean or 0/1 treatment column")
    p.add_argument("--covariates", required=True, help="comma-separated covariate columns")
    p.add_argument("--outcome", default=None, help="comma-separated outcome columns")
    p.add_argument("--exact", default=None, help="comma-separated exact-match columns")
    p.add_argument(
        "--distance", default="logit", help="logit (default) | ps | mahalanobis | a score column"
    )
    p.add_argument(
        "--m-order",
        default=None,
        choices=["closest", "largest", "smallest", "random", "data"],
        help="match order (default closest; data for mahalanobis)",
    )
    p.add_argument(
        "--ratio", "--k", type=int, default=1, dest="ratio", help="matches per treated (1:k)"
    )
    p.add_argument("--replace", action="store_true", help="match with replacement")
    p.add_argument("--caliper", default="0.2", help="caliper (SDs of the distance), or 'none'")
    p.add_argument("--raw-caliper", action="store_true", help="caliper in distance units, not SDs")
    p.add_argument(
        "--caliper-sd",
        default="pooled",
        choices=["pooled", "sample"],
        help="SD of the caliper: pooled within groups (default) or over everyone (MatchIt)",
    )
    p.add_argument("--estimand", default="ATT", choices=["ATT", "ATC"], help="focal group")
    p.add_argument(
        "--s-d-denom", default=None, choices=["treated", "control", "pooled"], help="SMD SD"
    )
    p.add_argument(
        "--separation",
        default="error",
        choices=["error", "drop", "penalise"],
        help="remedy for a separated propensity model",
    )
    p.add_argument(
        "--se",
        default="auto",
        choices=["auto", "cluster", "robust", "welch"],
        help="standard errors of the outcome differences",
    )
    p.add_argument("--ties", default="rank", choices=["rank", "data"], help="tie-breaking")
    add_options(p, "--seed", help="tie-breaking seed (0)")
    p.add_argument(
        "--min-treated", type=int, default=60, help="JDL minimum matched treated (default 60)"
    )
    add_out_arg(p)


def _cols(text: str | None) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()] if text else []


def run(args: argparse.Namespace) -> int:
    """Run ``pbr compare`` (:func:`pbr.pipeline.compare.compare_from_file`); returns 0."""
    from pbr.pipeline.compare import compare_from_file

    if args.caliper.lower() == "none":
        caliper: float | None = None
    else:
        try:
            caliper = float(args.caliper)
        except ValueError:
            raise PbrError(f"--caliper must be a number or 'none', got {args.caliper!r}") from None
    direct = ["treatment", "se", "min_treated", "force", "distance", "m_order", "ratio"]
    direct += ["replace", "caliper_sd", "estimand", "s_d_denom", "separation", "ties"]
    text = compare_from_file(
        args.data,
        args.out,
        covariates=_cols(args.covariates),
        outcomes=_cols(args.outcome),
        caliper=caliper,
        std_caliper=not args.raw_caliper,
        exact=_cols(args.exact) or None,
        random_state=args.seed,
        **from_args(args, *direct),
    )
    print(text)
    return 0
