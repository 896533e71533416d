"""The payment engine: contract × assessment table → statement of payment lines.

Conventions: docs/methodology.md#payments.

Layout: :mod:`~pbr.payments.engine` (:func:`pay`), one module per scheme
registered by name in :mod:`~pbr.payments.registry` (``tr_crc``/``custom`` →
:mod:`~pbr.payments.binary` + :mod:`~pbr.payments.frequency`;
:mod:`~pbr.payments.peterborough`; :mod:`~pbr.payments.doncaster`),
:mod:`~pbr.payments.fees`, :mod:`~pbr.payments.limits` (caps and collars),
:mod:`~pbr.payments.lines` (line columns and the one rounding),
:mod:`~pbr.payments.statement` and its writers :mod:`~pbr.payments.writers`.
Reading files and driving the microdata path is :func:`pbr.pipeline.pay_from_files`.

The engine's input is an **assessment table**: aggregate rows, one per
``lot × period``, as produced by ``pbr.baseline.compare_to_baseline`` from
microdata or read from a published measures table. Columns used (per component):

``binary`` (quarterly rows, labels like ``2015Q4``)
    required ``lot, period, cohort_size`` (N), ``reoffenders`` (O),
    ``baseline_binary``; expected reoffenders from ``expected_reoffenders`` (E),
    else ``expected_rate × N``, else ``baseline_binary × N`` (unadjusted);
    optional ``expected_variance`` (V; missing → binomial approximation
    ``N e(1 − e)`` as in :func:`pbr.adjustment.binary_test`), ``reoffences``,
    ``status`` (``final``/``interim``; missing = final).
``frequency`` (annual rows: ``2015/16`` or ``2015``; or ``annual_table``)
    ``per_reoffender``: ``reoffences_per_reoffender`` (else ``reoffences /
    reoffenders``) and ``baseline_frequency``; ``per_offender``:
    ``reoffences_per_offender`` (else ``reoffences / cohort_size``) and
    ``baseline_reoffences_per_offender``. Significance (Welch,
    :func:`pbr.adjustment.frequency_test`) needs ``frequency_sd,
    baseline_frequency_sd, baseline_reoffenders``; without them it cannot be
    computed, which is an error only when the contract requires significance.
    The binary hurdle uses the same row's binary columns.

Statistics are always recomputed with the contract's ``alpha`` and ``form``
through :mod:`pbr.adjustment`; ``z``/``p_value``/``outcome`` columns in the
input are ignored.

Peterborough (``scheme = "peterborough_sib"``) table, one row per cohort:
``cohort``, ``treated_n``, ``treated_events`` or ``treated_events_per_100``,
``comparison_events_per_100`` or (``comparison_n`` and ``comparison_events``);
optional ``lot`` (default ``PETERBOROUGH``) and ``status``.

Doncaster (``scheme = "doncaster"``) table, one row per annual cohort:
``cohort``, ``core_contract_value`` and either ``cohort_rate`` and
``baseline_rate`` (proportions), or ``cohort_size``, ``reconvicted`` and
``baseline_rate``, or ``change_pp`` directly; optional ``lot`` (default
``DONCASTER``) and ``status``.

Money: every line's ``amount = price × units`` is computed in
:class:`~decimal.Decimal` and rounded **once** with the contract's rounding
(default ``ROUND_HALF_UP`` to the penny); totals are exact sums of rounded lines.
The units themselves are computed in Decimal from each input's printed value
(``Decimal(repr(x))``), never as a float difference: ``E − O`` for binary,
``baseline × O − R`` (or ``(baseline − observed) × O`` when only the rate is given)
for frequency, ``comparison events expected − treated events`` for Peterborough and
the volume in each band for fees; the float ``units`` column shows the same value.
All of it runs in :data:`pbr.contracts.MONEY_CONTEXT`, whatever the caller's
decimal context is.

Examples
--------
>>> import pandas as pd
>>> from pbr.contracts import preset
>>> from pbr.payments import pay
>>> t = pd.DataFrame({"lot": ["CPA01"], "period": ["2015Q4"], "cohort_size": [1000],
...                   "reoffenders": [450], "expected_reoffenders": [500.0],
...                   "expected_variance": [250.0], "baseline_binary": [0.5]})
>>> s = pay(preset("tr_crc"), t)
>>> line = s.lines.iloc[0]
>>> line["component"], line["outcome"], float(line["units"]), line["amount"]
('binary', 'significant_reduction', 50.0, Decimal('75000.00'))
"""

from __future__ import annotations

from pbr.payments import lines
from pbr.payments._periods import after_baseline_year
from pbr.payments.binary import binary_amount
from pbr.payments.engine import pay
from pbr.payments.lines import COMPONENTS as COMPONENTS
from pbr.payments.lines import DEDUCTIONS as DEDUCTIONS
from pbr.payments.lines import FLOAT_COLUMNS as FLOAT_COLUMNS
from pbr.payments.lines import LINE_COLUMNS as LINE_COLUMNS
from pbr.payments.lines import LINE_KINDS as LINE_KINDS
from pbr.payments.lines import MONEY_COLUMNS as MONEY_COLUMNS
from pbr.payments.lines import PBR_INCOME as PBR_INCOME
from pbr.payments.lines import sum_by as sum_by
from pbr.payments.registry import SCHEMES
from pbr.payments.statement import Statement, example_assessment
from pbr.payments.writers import OUTPUT_FILES, write_statement

__all__ = [
    *lines.__all__,
    "OUTPUT_FILES",
    "SCHEMES",
    "Statement",
    "after_baseline_year",
    "binary_amount",
    "example_assessment",
    "pay",
    "write_statement",
]
