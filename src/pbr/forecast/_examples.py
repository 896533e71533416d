"""Small forecasts and backtests for the docstring examples (generated data)."""

from __future__ import annotations

import functools

import pandas as pd

from pbr.forecast.backtest import backtest
from pbr.forecast.model import forecast
from pbr.forecast.result import Backtest, Forecast
from pbr.sample import generate

__all__ = ["example_backtest", "example_forecast"]


@functools.lru_cache(maxsize=2)
def example_forecast(contract: str | None = "tr_crc") -> Forecast:
    """A small forecast for the examples: two lots of generated data cut at 2017-09-30."""
    s = generate(seed=5, scale=0.05, lots=["CPA01", "CPA02"])
    off = s.offences[s.offences["disposal_date"] <= pd.Timestamp("2017-09-30")]
    # rows of the generated sample (valid as a whole: tests/test_sample.py), cut at the date;
    # validating the cut again would only repeat the sample's deliberate warnings
    return forecast(
        s.cohort, off, extract_date="2017-09-30", contract=contract, draws=40, validate=False
    )


@functools.lru_cache(maxsize=1)
def example_backtest() -> Backtest:
    """A small backtest for the examples."""
    s = generate(seed=3, scale=0.05, lots=["CPA01", "CPA02"])
    return backtest(s.cohort, s.offences, extract_date=s.extract_date, cutoffs=(6, 9), draws=30)
