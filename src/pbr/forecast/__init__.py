"""Commissioners' forecast: project interim cohorts to their final outcome and payment.

See ``docs/methodology.md``, section "Forecasting interim cohorts", for the
method and its assumptions.
"""

from pbr.forecast.backtest import CUTOFFS, backtest
from pbr.forecast.result import Backtest

__all__ = ["CUTOFFS", "Backtest", "backtest"]
