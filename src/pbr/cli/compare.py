"""``pbr compare``: matched cohort comparison (methodology, "Comparisons …", §1).

Writes ``balance.csv``, ``pairs.csv``, ``outcomes.csv`` and ``summary.txt``
(the match summary followed by the outcome table) into ``--out``. Outcomes:
the columns of ``--outcome``; without it, the JDL measures when the data has
a ``reoffender`` column (as :func:`pbr.matching.person_table` writes it).

Examples
--------
>>> import argparse
>>> p = argparse.ArgumentParser()
>>> sub = p.add_subparsers()
>>> register(sub)
>>> args = p.parse_args(["compare", "--data", "d.csv", "--treatment", "t", "--covariates",
...                      "a,b", "--out", "o"])
>>> args.covariates, args.ratio, args.caliper, args.distance, args.m_order
('a,b', 1, '0.2', 'logit', None)
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from pbr.cli._args import add_out_arg
from pbr.errors import PbrError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``compare`` subcommand to ``subparsers`` (module docstring: an example)."""
    p = subparsers.add_parser(
        "compare",
        help="propensity-score matched comparison (Justice Data Lab style)",
        description="Nearest-neighbour matching with MatchIt's options; writes balance.csv, "
        "pairs.csv, outcomes.csv and summary.txt.",
    )
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
    p.add_argument("--seed", type=int, default=0, help="tie-breaking seed")
    p.add_argument(
        "--min-treated", type=int, default=60, help="JDL minimum matched treated (default 60)"
    )
    add_out_arg(p)
    p.set_defaults(func=run)


def _read(path: str) -> pd.DataFrame:
    f = Path(path)
    if not f.exists():
        raise PbrError(f"data file {path!r} does not exist")
    if f.suffix.lower() in (".parquet", ".pq"):
        return pd.read_parquet(f)
    return pd.read_csv(f)


def _cols(text: str | None) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()] if text else []


def run(args: argparse.Namespace) -> int:
    """Run ``pbr compare``; returns the exit code (0).

    Examples
    --------
    >>> import argparse
    >>> callable(run)
    True
    """
    from pbr.matching import match

    data = _read(args.data)
    if args.caliper.lower() == "none":
        caliper: float | None = None
    else:
        try:
            caliper = float(args.caliper)
        except ValueError:
            raise PbrError(f"--caliper must be a number or 'none', got {args.caliper!r}") from None
    m = match(
        data,
        treatment=args.treatment,
        covariates=_cols(args.covariates),
        distance=args.distance,
        m_order=args.m_order,
        ratio=args.ratio,
        replace=args.replace,
        caliper=caliper,
        std_caliper=not args.raw_caliper,
        caliper_sd=args.caliper_sd,
        exact=_cols(args.exact) or None,
        estimand=args.estimand,
        s_d_denom=args.s_d_denom,
        separation=args.separation,
        ties=args.ties,
        random_state=args.seed,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    m.balance.to_csv(out / "balance.csv", index=False)
    m.pairs.to_csv(out / "pairs.csv", index=False)
    outcomes = _cols(args.outcome)
    text = str(m.summary())
    table = None
    if outcomes:
        table = m.outcomes(*outcomes, se=args.se, min_treated=args.min_treated)
    elif "reoffender" in data.columns:
        table = m.estimate(
            frequency="reoffences" if "reoffences" in data.columns else None,
            days="days_to_first_reoffence" if "days_to_first_reoffence" in data.columns else None,
            se=args.se,
            min_treated=args.min_treated,
        )
    if table is not None:
        table.to_csv(out / "outcomes.csv", index=False)
        cols = ["measure", "treated_mean", "comparison_mean", "difference", "ci_low", "ci_high"]
        shown = table[[*cols, "p_value", "se_method"]].copy()
        text += "\n\nOutcomes (treated − matched comparison, 95 % CI):\n" + shown.to_string(
            index=False, float_format=lambda v: f"{v:.4f}"
        )
    (out / "summary.txt").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0
