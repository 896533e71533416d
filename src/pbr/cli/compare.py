"""``pbr compare``: matched cohort comparison (SPEC §8, §10).

Writes ``balance.csv``, ``pairs.csv``, ``outcomes.csv`` (when ``--outcome``
is given) and ``summary.txt`` into ``--out``.

Examples
--------
>>> import argparse
>>> p = argparse.ArgumentParser()
>>> sub = p.add_subparsers()
>>> register(sub)
>>> args = p.parse_args(["compare", "--data", "d.csv", "--treatment", "t", "--covariates",
...                      "a,b", "--out", "o"])
>>> args.covariates, args.k, args.caliper
('a,b', 1, '0.2')
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
        description="Propensity-score matching on the logit of the score; writes balance.csv, "
        "pairs.csv, outcomes.csv and summary.txt.",
    )
    p.add_argument("--data", required=True, help="CSV or Parquet, one row per person")
    p.add_argument("--treatment", required=True, help="boolean or 0/1 treatment column")
    p.add_argument("--covariates", required=True, help="comma-separated covariate columns")
    p.add_argument("--outcome", default=None, help="comma-separated outcome columns")
    p.add_argument("--exact", default=None, help="comma-separated exact-match columns")
    p.add_argument("--k", type=int, default=1, help="comparison people per treated (1:k)")
    p.add_argument("--replace", action="store_true", help="match with replacement")
    p.add_argument("--caliper", default="0.2", help="caliper in SDs of the logit score, or 'none'")
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
    from pbr.compare import match

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
        k=args.k,
        replace=args.replace,
        caliper=caliper,
        exact=_cols(args.exact) or None,
        random_state=args.seed,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    m.balance.to_csv(out / "balance.csv", index=False)
    m.pairs.to_csv(out / "pairs.csv", index=False)
    outcomes = _cols(args.outcome)
    if outcomes:
        m.outcomes(*outcomes, min_treated=args.min_treated).to_csv(
            out / "outcomes.csv", index=False
        )
    (out / "summary.txt").write_text(m.summary() + "\n", encoding="utf-8")
    print(m.summary())
    return 0
