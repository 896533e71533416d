"""Commissioners' forecast: project interim cohorts to their final outcome and payment.

One idea per module: :mod:`~pbr.forecast.exposure` (follow-up and proof time per
member), :mod:`~pbr.forecast.curve` (reference curves and the conditional
probability of a reoffence to come), :mod:`~pbr.forecast.project` (the
replicates), :mod:`~pbr.forecast.payment` (the payment distribution through
:func:`pbr.pay`), :mod:`~pbr.forecast.backtest` and :mod:`~pbr.forecast.result`.
Method and assumptions: ``docs/methodology.md``, "Forecasting interim cohorts".

Examples
--------
>>> from pbr.sample import generate
>>> s = generate(seed=5, scale=0.05, lots=["CPA01"])
>>> f = forecast(s.cohort, s.offences, extract_date=s.extract_date, contract="tr_crc", draws=50)
>>> row = f.table.iloc[-1]
>>> row["status"], bool(row["rate_low95"] <= row["projected_rate"] <= row["rate_high95"])
('interim', True)
"""

from pbr.forecast.backtest import CUTOFFS, backtest
from pbr.forecast.model import forecast
from pbr.forecast.result import Backtest, Forecast

__all__ = ["CUTOFFS", "Backtest", "Forecast", "backtest", "forecast"]
