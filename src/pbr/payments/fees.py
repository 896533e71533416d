"""Fee-for-service: tiered volume bands paid per unit (docs/methodology.md, "Payment lines").

Each volume row (``lot, period, unit, volume``) is paid ``price_per_unit ×``
the part of the volume inside each band ``[min_volume, max_volume)`` of its
unit. Volumes follow the contract's lots; their periods are their own.

Examples
--------
>>> import pandas as pd
>>> from pbr.contracts import Contract, FeeBand
>>> from decimal import Decimal
>>> c = Contract(name="f", fee_for_service=(FeeBand("low", "start", Decimal("10"), 0, 5),
...                                         FeeBand("high", "start", Decimal("4"), 5)))
>>> v = pd.DataFrame({"lot": ["A"], "period": ["2015Q4"], "unit": ["start"], "volume": [8]})
>>> [ln["amount"] for ln in fee_lines(v, c)]
[Decimal('50.00'), Decimal('12.00')]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pbr.contracts import Contract
from pbr.errors import PbrError
from pbr.payments._table import _num, _require, _require_unique, _shown, _strings
from pbr.payments.lines import _ZERO, _dec, _money_line

__all__ = ["fee_lines"]


def fee_lines(volumes: pd.DataFrame, contract: Contract) -> list[dict[str, Any]]:
    """One line per volume row and band of its unit (the volume inside the band, priced).

    Examples
    --------
    >>> import pandas as pd
    >>> from decimal import Decimal
    >>> from pbr.contracts import Contract, FeeBand
    >>> c = Contract(name="f", fee_for_service=(FeeBand("all", "start", Decimal("2.5"), 0),))
    >>> v = pd.DataFrame({"lot": ["A"], "period": ["2015Q4"], "unit": ["start"], "volume": [3]})
    >>> fee_lines(v, c)[0]["amount"]
    Decimal('7.50')
    """
    what = "volumes table"
    _require(volumes, ("lot", "period", "unit", "volume"), what)
    if contract.lots:  # volumes follow the contract's lots; periods are the volumes' own
        volumes = volumes.loc[volumes["lot"].astype(str).isin(contract.lots).to_numpy()]
    row = volumes.index.to_numpy() + 1  # row numbers of the input table, for messages
    _require_unique(volumes, ("lot", "period", "unit"), what)
    vol = _num(volumes, "volume", what)
    if np.any(np.isnan(vol)) or np.any(vol < 0):
        i = int(np.flatnonzero(np.isnan(vol) | (vol < 0))[0])
        raise PbrError(
            f"{what}: row {row[i]}: volume must be >= 0, got {_shown(volumes, 'volume', i)}"
        )
    units_known = {b.unit for b in contract.fee_for_service}
    lots, periods, units = (_strings(volumes, c, "") for c in ("lot", "period", "unit"))
    out = []
    for i in range(len(volumes)):
        if units[i] not in units_known:
            raise PbrError(
                f"{what}: row {row[i]}: unit {units[i]!r} has no fee_for_service band "
                f"(contract units: {', '.join(sorted(units_known)) or 'none'})"
            )
        for band in contract.fee_for_service:
            if band.unit != units[i]:
                continue
            v = _dec(vol[i])
            hi = v if band.max_volume is None else min(v, _dec(band.max_volume))
            in_band = max(_ZERO, hi - _dec(band.min_volume))
            out.append(
                _money_line(
                    contract,
                    band.price_per_unit,
                    in_band,
                    lot=lots[i],
                    period=periods[i],
                    component="fee_for_service",
                    item=band.name,
                    note=f"{vol[i]:g} {band.unit}(s) in total",
                )
            )
    return out
