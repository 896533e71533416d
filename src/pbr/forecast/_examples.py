"""Small forecasts and backtests for the docstring examples (generated data)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from pbr.forecast.backtest import backtest
from pbr.forecast.model import forecast
from pbr.forecast.project import Reference, Target
from pbr.forecast.result import Backtest, Forecast
from pbr.io import as_extracted
from pbr.sample import SampleData, generate

__all__ = ["example_backtest", "example_data", "example_forecast", "example_inputs"]


@functools.lru_cache(maxsize=2)
def example_data(seed: int) -> SampleData:
    """Two lots (CPA01, CPA02) of generated data at 5 % scale (cached per seed)."""
    return generate(seed=seed, scale=0.05, lots=["CPA01", "CPA02"])


@functools.lru_cache(maxsize=2)
def example_forecast(contract: str | None = "tr_crc") -> Forecast:
    """A small forecast for the examples: two lots of generated data cut at 2017-09-30."""
    s = example_data(5)
    off = as_extracted(s.offences, "offences", "2017-09-30")  # validated rows, cut
    return forecast(s.cohort, off, extract_date="2017-09-30", contract=contract, draws=40)


@functools.lru_cache(maxsize=1)
def example_backtest() -> Backtest:
    """A small backtest for the examples."""
    s = example_data(3)
    return backtest(s.cohort, s.offences, extract_date=s.extract_date, cutoffs=(6, 9), draws=30)


def example_inputs(elapsed: int, observed: Sequence[bool]) -> tuple[Reference, Target]:
    """Four reference members (proven on days 5 and 8, two never; 10-day windows) and targets.

    The targets, one lot-period, have ``elapsed`` days of their 10-day windows
    observed and the given observed outcomes.
    """
    z = np.zeros(4, dtype=np.int64)
    ref = Reference(proof=np.array([5, 8, -1, -1]), strata=z, window=np.full(4, 10), group=z)
    n = len(observed)
    tgt = Target(
        group=np.zeros(n, dtype=np.int64),
        strata=np.zeros(n, dtype=np.int64),
        elapsed=np.full(n, elapsed),
        window=np.full(n, 10),
        observed=np.array(observed, dtype=bool),
        n_groups=1,
    )
    return ref, tgt
