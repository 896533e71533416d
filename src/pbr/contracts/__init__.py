"""Payment-by-results contracts: declarative TOML, validated on load (docs/methodology.md#payments).

Layout: :mod:`~pbr.contracts._parse` (schema values and value parsers),
:mod:`~pbr.contracts.components` (priced components, limits, rounding),
:mod:`~pbr.contracts.model` (:class:`Contract`), :mod:`~pbr.contracts.presets`
(TOML files and shipped presets).

A :class:`Contract` is frozen data: the scheme, the lots and periods it covers,
the baseline it is paid against, the counting rules, the significance level,
and its priced components. Every money field is a :class:`decimal.Decimal`
parsed from the TOML text (numbers and strings alike go through ``str``, never
through float arithmetic). Any problem raises :class:`~pbr.errors.ContractError`
whose message starts with the key path, e.g.
``binary.price_per_reoffender_avoided: must be >= 0, got -1``.

TOML layout (every table optional unless the scheme needs it)::

    name = "my contract"
    scheme = "tr_crc"            # tr_crc | peterborough_sib | doncaster | custom
    lots = []                    # lot codes; empty = all lots in the table
    periods = []                 # period labels; empty = all periods in the table
    baseline = "2011"            # reference to the baseline paid against
    rules = ["moj_proven"]       # counting rule sets (docs/methodology.md#proven-reoffence)
    adjustment = "ogrs3"         # ogrs3 | model | none
    form = "difference"          # difference | ratio (adjusted-rate form)
    alpha = 0.05
    contract_year = "financial_year"   # year used by caps/collars: financial_year | calendar_year
    prices_are_illustrative = false

    [binary]                     # quarterly cohorts
    price_per_reoffender_avoided = "1000.00"
    deduction_price = "1000.00"
    termination_rate_pp = 5.0    # optional: flag when change_pp exceeds this
    termination_point = 0.60     # optional: flag when adjusted_rate exceeds this

    [frequency]                  # annual cohorts
    price_per_reoffence_avoided = "100.00"
    binary_hurdle = true
    require_significance = false
    measure = "per_reoffender"   # per_reoffender | per_offender

    [[fee_for_service]]          # tiered volume bands, no overlaps per unit
    name = "community_order_starts"
    unit = "start"
    price_per_unit = "250.00"
    min_volume = 0               # inclusive
    max_volume = 1000            # exclusive; omit for no upper bound

    [caps]
    pbr_income_per_lot_per_year = "1000000.00"
    total_pbr_income = "13000000.00"

    [collars]
    deductions_per_lot_per_year = "500000.00"

    [comparison]                 # peterborough_sib
    price_per_event_avoided = "1000.00"
    cohort_threshold = 0.10
    pooled_threshold = 0.075

    [target]                     # doncaster
    reduction_pp = 5.0
    repayment_share = 0.10

    [rounding]
    mode = "ROUND_HALF_UP"
    quantum = "0.01"

Examples
--------
>>> from pbr.contracts import Contract
>>> c = Contract.from_dict({"name": "demo", "scheme": "custom",
...                         "binary": {"price_per_reoffender_avoided": "1000",
...                                    "deduction_price": "500"}})
>>> c.binary.price_per_reoffender_avoided
Decimal('1000')
>>> Contract.from_dict(c.to_dict()) == c
True
"""

from __future__ import annotations

from pbr.contracts import _parse, components, model, presets
from pbr.contracts._parse import ADJUSTMENTS as ADJUSTMENTS
from pbr.contracts._parse import CONTRACT_YEARS as CONTRACT_YEARS
from pbr.contracts._parse import FORMS as FORMS
from pbr.contracts._parse import FREQUENCY_MEASURES as FREQUENCY_MEASURES
from pbr.contracts._parse import MONEY_CONTEXT as MONEY_CONTEXT
from pbr.contracts._parse import ROUNDING_MODES as ROUNDING_MODES
from pbr.contracts._parse import RULE_SETS as RULE_SETS
from pbr.contracts._parse import SCHEMES as SCHEMES
from pbr.contracts._parse import money_sum as money_sum
from pbr.contracts.components import BinaryComponent as BinaryComponent
from pbr.contracts.components import CapsSpec as CapsSpec
from pbr.contracts.components import CollarsSpec as CollarsSpec
from pbr.contracts.components import ComparisonComponent as ComparisonComponent
from pbr.contracts.components import FeeBand as FeeBand
from pbr.contracts.components import FrequencyComponent as FrequencyComponent
from pbr.contracts.components import Rounding as Rounding
from pbr.contracts.components import TargetComponent as TargetComponent
from pbr.contracts.model import Contract as Contract
from pbr.contracts.presets import available_presets as available_presets
from pbr.contracts.presets import load_contract as load_contract
from pbr.contracts.presets import preset as preset
from pbr.contracts.presets import preset_text as preset_text

__all__ = [*_parse.__all__, *components.__all__, *model.__all__, *presets.__all__]
