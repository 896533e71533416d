"""Small forecasts and backtests for the docstring examples (generated data)."""

from __future__ import annotations

import functools

from pbr.forecast.backtest import backtest
from pbr.forecast.model import forecast
from pbr.forecast.result import Backtest, Forecast
from pbr.io import as_extracted
from pbr.sample import generate

__all__ = ["example_backtest", "example_forecast"]


@functools.lru_cache(maxsize=2)
def example_forecast(contract: str | None = "tr_crc") -> Forecast:
    """A small forecast for the examples: two lots of generated data cut at 2017-09-30."""
    s = generate(seed=5, scale=0.05, lots=["CPA01", "CPA02"])
    off = as_extracted(s.offences, "offences", "2017-09-30")  # validated rows, cut
    return forecast(s.cohort, off, extract_date="2017-09-30", contract=contract, draws=40)


@functools.lru_cache(maxsize=1)
def example_backtest() -> Backtest:
    """A small backtest for the examples."""
    s = generate(seed=3, scale=0.05, lots=["CPA01", "CPA02"])
    return backtest(s.cohort, s.offences, extract_date=s.extract_date, cutoffs=(6, 9), draws=30)
