"""Payment-by-results contracts: declarative TOML, validated on load (SPEC §7).

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
    rules = ["moj_proven"]       # counting rule sets (SPEC §4)
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

import dataclasses
import decimal
import html
import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from pbr.counting import RULE_SET_NAMES as RULE_SETS
from pbr.errors import ContractError

__all__ = [
    "MONEY_CONTEXT",
    "RULE_SETS",
    "SCHEMES",
    "BinaryComponent",
    "CapsSpec",
    "CollarsSpec",
    "ComparisonComponent",
    "Contract",
    "FeeBand",
    "FrequencyComponent",
    "Rounding",
    "TargetComponent",
    "available_presets",
    "load_contract",
    "money_sum",
    "preset",
    "preset_text",
]

SCHEMES = ("tr_crc", "peterborough_sib", "doncaster", "custom")
ADJUSTMENTS = ("ogrs3", "model", "none")
FORMS = ("difference", "ratio")
CONTRACT_YEARS = ("financial_year", "calendar_year")
FREQUENCY_MEASURES = ("per_reoffender", "per_offender")
ROUNDING_MODES = (
    "ROUND_HALF_UP",
    "ROUND_HALF_EVEN",
    "ROUND_HALF_DOWN",
    "ROUND_UP",
    "ROUND_DOWN",
    "ROUND_CEILING",
    "ROUND_FLOOR",
)

_MISSING: Any = object()

#: The decimal context every money calculation runs in, whatever the caller's context is:
#: 60 significant digits (a price with 4 decimals times units with 17 significant digits is
#: exact), and any invalid operation, division by zero or overflow is an error. Rounding to
#: the penny is then done once, explicitly, by :meth:`Rounding.apply`.
MONEY_CONTEXT = decimal.Context(
    prec=60,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-999999,
    Emax=999999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


def money_sum(amounts: Any) -> Decimal:
    """Exact sum of Decimal amounts in :data:`MONEY_CONTEXT` (``0.00`` when empty).

    The caller's decimal context (e.g. a lowered ``prec`` in a notebook) does not
    change the result.

    Examples
    --------
    >>> import decimal
    >>> with decimal.localcontext() as ctx:
    ...     ctx.prec = 2
    ...     money_sum([Decimal("12500.01"), Decimal("0.01")])
    Decimal('12500.02')
    >>> money_sum([])
    Decimal('0.00')
    """
    with decimal.localcontext(MONEY_CONTEXT):
        return sum(amounts, Decimal("0.00"))


# --------------------------------------------------------------------------- parsing helpers


def _money(
    value: Any, key: str, *, required: bool = True, minimum: Decimal | None = Decimal(0)
) -> Any:
    if value is _MISSING or value is None:
        if required:
            raise ContractError(f"{key}: missing (a price is required)")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ContractError(f"{key}: expected a number or a decimal string, got {value!r}")
    try:
        d = Decimal(str(value).strip().replace(",", "").lstrip("£"))
    except decimal.InvalidOperation:
        raise ContractError(f"{key}: not a decimal amount: {value!r}") from None
    if not d.is_finite():
        raise ContractError(f"{key}: must be finite, got {value!r}")
    if minimum is not None and d < minimum:
        raise ContractError(f"{key}: must be >= {minimum}, got {value}")
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        raise ContractError(f"{key}: at most 4 decimal places, got {value}")
    if not d.is_zero() and d.adjusted() >= 14:  # statements store prices as decimal128(18, 4)
        raise ContractError(f"{key}: at most 14 digits before the decimal point, got {value}")
    return d


def _num(
    value: Any,
    key: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    open_lo: bool = False,
    open_hi: bool = False,
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ContractError(f"{key}: expected a number, got {value!r}")
    v = float(value)
    if v != v:
        raise ContractError(f"{key}: must not be NaN")
    if lo is not None and (v < lo or (open_lo and v == lo)):
        raise ContractError(f"{key}: must be {'>' if open_lo else '>='} {lo}, got {value}")
    if hi is not None and (v > hi or (open_hi and v == hi)):
        raise ContractError(f"{key}: must be {'<' if open_hi else '<='} {hi}, got {value}")
    return v


def _bool(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise ContractError(f"{key}: expected true or false, got {value!r}")
    return value


def _str(value: Any, key: str, choices: tuple[str, ...] | None = None) -> str:
    if not isinstance(value, str):
        raise ContractError(f"{key}: expected a string, got {value!r}")
    if choices is not None and value not in choices:
        raise ContractError(
            f"{key}: unknown value {value!r} (expected one of {', '.join(choices)})"
        )
    return value


def _strs(value: Any, key: str, choices: tuple[str, ...] | None = None) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ContractError(f"{key}: expected a list of strings, got {value!r}")
    return tuple(_str(v, f"{key}[{i}]", choices) for i, v in enumerate(value))


def _table(value: Any, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ContractError(f"{key}: expected a table, got {value!r}")
    return value


def _check_keys(d: Mapping[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
    for k in d:
        if k not in allowed:
            path = f"{prefix}.{k}" if prefix else str(k)
            raise ContractError(f"{path}: unknown key (allowed: {', '.join(allowed)})")


def _money_str(d: Decimal | None) -> str | None:
    return None if d is None else str(d)


# --------------------------------------------------------------------------- components


@dataclass(frozen=True)
class BinaryComponent:
    """Quarterly binary payment: paid per reoffender avoided on a significant reduction.

    ``amount = price_per_reoffender_avoided × (E − O)`` on a significant
    reduction, ``−deduction_price × (O − E)`` on a significant increase, else 0.
    The termination flag is raised when ``change_pp > termination_rate_pp`` or
    ``adjusted_rate > termination_point`` (either may be omitted).

    Examples
    --------
    >>> from decimal import Decimal
    >>> BinaryComponent(Decimal("1000"), Decimal("800")).deduction_price
    Decimal('800')
    """

    price_per_reoffender_avoided: Decimal
    deduction_price: Decimal
    termination_rate_pp: float | None = None
    termination_point: float | None = None

    KEYS = (
        "price_per_reoffender_avoided",
        "deduction_price",
        "termination_rate_pp",
        "termination_point",
    )

    @classmethod
    def from_dict(cls, d: Any, prefix: str = "binary") -> BinaryComponent:
        """Validate and build from a mapping (TOML table).

        Examples
        --------
        >>> BinaryComponent.from_dict(
        ...     {"price_per_reoffender_avoided": "10", "deduction_price": 5}).deduction_price
        Decimal('5')
        """
        d = _table(d, prefix)
        _check_keys(d, cls.KEYS, prefix)
        trp = d.get("termination_rate_pp")
        tp = d.get("termination_point")
        return cls(
            price_per_reoffender_avoided=_money(
                d.get("price_per_reoffender_avoided", _MISSING),
                f"{prefix}.price_per_reoffender_avoided",
            ),
            deduction_price=_money(d.get("deduction_price", _MISSING), f"{prefix}.deduction_price"),
            termination_rate_pp=None if trp is None else _num(trp, f"{prefix}.termination_rate_pp"),
            termination_point=None
            if tp is None
            else _num(tp, f"{prefix}.termination_point", lo=0.0, hi=1.0),
        )

    def to_dict(self) -> dict[str, Any]:
        """TOML-ready mapping (money as strings).

        Examples
        --------
        >>> c = BinaryComponent.from_dict(
        ...     {"price_per_reoffender_avoided": "10", "deduction_price": 5})
        >>> BinaryComponent.from_dict(c.to_dict()) == c
        True
        """
        out: dict[str, Any] = {
            "price_per_reoffender_avoided": str(self.price_per_reoffender_avoided),
            "deduction_price": str(self.deduction_price),
        }
        if self.termination_rate_pp is not None:
            out["termination_rate_pp"] = self.termination_rate_pp
        if self.termination_point is not None:
            out["termination_point"] = self.termination_point
        return out


@dataclass(frozen=True)
class FrequencyComponent:
    """Annual frequency payment per reoffence avoided.

    ``avoided = (baseline − observed) × O`` (``per_reoffender``: reoffences per
    reoffender, O = reoffenders) or ``× N`` (``per_offender``);
    ``amount = price_per_reoffence_avoided × max(0, avoided)``, paid only when
    the binary hurdle was met that year (if ``binary_hurdle``) and only when the
    change is significant (if ``require_significance``).

    Examples
    --------
    >>> from decimal import Decimal
    >>> FrequencyComponent(Decimal("50")).measure
    'per_reoffender'
    """

    price_per_reoffence_avoided: Decimal
    binary_hurdle: bool = True
    require_significance: bool = False
    measure: str = "per_reoffender"

    KEYS = ("price_per_reoffence_avoided", "binary_hurdle", "require_significance", "measure")

    @classmethod
    def from_dict(cls, d: Any, prefix: str = "frequency") -> FrequencyComponent:
        """Validate and build from a mapping (TOML table).

        Examples
        --------
        >>> FrequencyComponent.from_dict({"price_per_reoffence_avoided": "2.50"}).measure
        'per_reoffender'
        """
        d = _table(d, prefix)
        _check_keys(d, cls.KEYS, prefix)
        out = cls(
            price_per_reoffence_avoided=_money(
                d.get("price_per_reoffence_avoided", _MISSING),
                f"{prefix}.price_per_reoffence_avoided",
            ),
            binary_hurdle=_bool(d.get("binary_hurdle", True), f"{prefix}.binary_hurdle"),
            require_significance=_bool(
                d.get("require_significance", False), f"{prefix}.require_significance"
            ),
            measure=_str(
                d.get("measure", "per_reoffender"), f"{prefix}.measure", FREQUENCY_MEASURES
            ),
        )
        if out.require_significance and out.measure != "per_reoffender":
            raise ContractError(
                f"{prefix}.require_significance: the frequency test (Welch, on reoffences per "
                f"reoffender) is not defined for measure {out.measure}"
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """TOML-ready mapping (money as strings).

        Examples
        --------
        >>> c = FrequencyComponent.from_dict({"price_per_reoffence_avoided": "2.50"})
        >>> FrequencyComponent.from_dict(c.to_dict()) == c
        True
        """
        return {
            "price_per_reoffence_avoided": str(self.price_per_reoffence_avoided),
            "binary_hurdle": self.binary_hurdle,
            "require_significance": self.require_significance,
            "measure": self.measure,
        }


@dataclass(frozen=True)
class FeeBand:
    """One fee-for-service band: ``price_per_unit`` for volume in ``[min_volume, max_volume)``.

    Bands of the same ``unit`` are tiers: a volume ``v`` puts
    ``max(0, min(v, max_volume) − min_volume)`` units in each band. Tiers of one
    unit must not overlap.

    Examples
    --------
    >>> from decimal import Decimal
    >>> FeeBand("licence_releases", "release", Decimal("120.00")).max_volume is None
    True
    """

    name: str
    unit: str
    price_per_unit: Decimal
    min_volume: float = 0.0
    max_volume: float | None = None

    KEYS = ("name", "unit", "price_per_unit", "min_volume", "max_volume")

    @classmethod
    def from_dict(cls, d: Any, prefix: str = "fee_for_service") -> FeeBand:
        """Validate and build from a mapping (TOML array-of-tables element).

        Examples
        --------
        >>> FeeBand.from_dict({"name": "starts", "price_per_unit": "100"}).unit
        'starts'
        """
        d = _table(d, prefix)
        _check_keys(d, cls.KEYS, prefix)
        if "name" not in d:
            raise ContractError(f"{prefix}.name: missing")
        lo = _num(d.get("min_volume", 0), f"{prefix}.min_volume", lo=0.0)
        hi_raw = d.get("max_volume")
        hi = None if hi_raw is None else _num(hi_raw, f"{prefix}.max_volume", lo=lo, open_lo=True)
        return cls(
            name=_str(d["name"], f"{prefix}.name"),
            unit=_str(d.get("unit", d["name"]), f"{prefix}.unit"),
            price_per_unit=_money(d.get("price_per_unit", _MISSING), f"{prefix}.price_per_unit"),
            min_volume=lo,
            max_volume=hi,
        )

    def to_dict(self) -> dict[str, Any]:
        """TOML-ready mapping (money as strings).

        Examples
        --------
        >>> c = FeeBand.from_dict({"name": "starts", "price_per_unit": "100"})
        >>> FeeBand.from_dict(c.to_dict()) == c
        True
        """
        out: dict[str, Any] = {
            "name": self.name,
            "unit": self.unit,
            "price_per_unit": str(self.price_per_unit),
            "min_volume": self.min_volume,
        }
        if self.max_volume is not None:
            out["max_volume"] = self.max_volume
        return out


@dataclass(frozen=True)
class CapsSpec:
    """Caps on PbR income: per lot per contract year, and over the whole statement.

    Examples
    --------
    >>> CapsSpec().pbr_income_per_lot_per_year is None
    True
    """

    pbr_income_per_lot_per_year: Decimal | None = None
    total_pbr_income: Decimal | None = None

    KEYS = ("pbr_income_per_lot_per_year", "total_pbr_income")

    @classmethod
    def from_dict(cls, d: Any, prefix: str = "caps") -> CapsSpec:
        """Validate and build from a mapping (TOML table).

        Examples
        --------
        >>> CapsSpec.from_dict({"total_pbr_income": "13000000"}).total_pbr_income
        Decimal('13000000')
        """
        d = _table(d, prefix)
        _check_keys(d, cls.KEYS, prefix)
        return cls(*(_money(d.get(k), f"{prefix}.{k}", required=False) for k in cls.KEYS))

    def to_dict(self) -> dict[str, Any]:
        """TOML-ready mapping (money as strings).

        Examples
        --------
        >>> c = CapsSpec.from_dict({"total_pbr_income": "13000000"})
        >>> CapsSpec.from_dict(c.to_dict()) == c
        True
        """
        return {k: str(v) for k in self.KEYS if (v := getattr(self, k)) is not None}


@dataclass(frozen=True)
class CollarsSpec:
    """Collar on deductions (a positive amount: the most that can be deducted per lot per year).

    Examples
    --------
    >>> from decimal import Decimal
    >>> CollarsSpec(Decimal("5000")).deductions_per_lot_per_year
    Decimal('5000')
    """

    deductions_per_lot_per_year: Decimal | None = None

    KEYS = ("deductions_per_lot_per_year",)

    @classmethod
    def from_dict(cls, d: Any, prefix: str = "collars") -> CollarsSpec:
        """Validate and build from a mapping (TOML table).

        Examples
        --------
        >>> CollarsSpec.from_dict({"deductions_per_lot_per_year": 500}).deductions_per_lot_per_year
        Decimal('500')
        """
        d = _table(d, prefix)
        _check_keys(d, cls.KEYS, prefix)
        return cls(
            _money(
                d.get("deductions_per_lot_per_year"),
                f"{prefix}.deductions_per_lot_per_year",
                required=False,
            )
        )

    def to_dict(self) -> dict[str, Any]:
        """TOML-ready mapping (money as strings).

        Examples
        --------
        >>> c = CollarsSpec.from_dict({"deductions_per_lot_per_year": 500})
        >>> CollarsSpec.from_dict(c.to_dict()) == c
        True
        """
        return {k: str(v) for k in self.KEYS if (v := getattr(self, k)) is not None}


@dataclass(frozen=True)
class ComparisonComponent:
    """Peterborough-style outcome payment against a matched comparison group.

    ``relative_reduction = 1 − treated_per_100 / comparison_per_100``; a cohort
    pays when it is ``>= cohort_threshold``; the pooled cohorts pay when the
    pooled reduction is ``>= pooled_threshold``;
    ``amount = price_per_event_avoided × (comparison_per_100 − treated_per_100) / 100 × treated_n``.

    Examples
    --------
    >>> from decimal import Decimal
    >>> ComparisonComponent(Decimal("1000")).cohort_threshold
    0.1
    """

    price_per_event_avoided: Decimal
    cohort_threshold: float = 0.10
    pooled_threshold: float = 0.075

    KEYS = ("price_per_event_avoided", "cohort_threshold", "pooled_threshold")

    @classmethod
    def from_dict(cls, d: Any, prefix: str = "comparison") -> ComparisonComponent:
        """Validate and build from a mapping (TOML table).

        Examples
        --------
        >>> ComparisonComponent.from_dict({"price_per_event_avoided": "3000"}).pooled_threshold
        0.075
        """
        d = _table(d, prefix)
        _check_keys(d, cls.KEYS, prefix)
        return cls(
            price_per_event_avoided=_money(
                d.get("price_per_event_avoided", _MISSING), f"{prefix}.price_per_event_avoided"
            ),
            cohort_threshold=_num(
                d.get("cohort_threshold", 0.10), f"{prefix}.cohort_threshold", lo=0.0, hi=1.0
            ),
            pooled_threshold=_num(
                d.get("pooled_threshold", 0.075), f"{prefix}.pooled_threshold", lo=0.0, hi=1.0
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """TOML-ready mapping (money as strings).

        Examples
        --------
        >>> c = ComparisonComponent.from_dict({"price_per_event_avoided": "3000"})
        >>> ComparisonComponent.from_dict(c.to_dict()) == c
        True
        """
        return {
            "price_per_event_avoided": str(self.price_per_event_avoided),
            "cohort_threshold": self.cohort_threshold,
            "pooled_threshold": self.pooled_threshold,
        }


@dataclass(frozen=True)
class TargetComponent:
    """Doncaster-style target: a reduction of ``reduction_pp`` points or repay a share.

    Target met when ``change_pp <= −reduction_pp`` (rounded to 10 decimals);
    otherwise ``amount = −repayment_share × core_contract_value``.

    Examples
    --------
    >>> TargetComponent().repayment_share
    Decimal('0.10')
    """

    reduction_pp: float = 5.0
    repayment_share: Decimal = Decimal("0.10")

    KEYS = ("reduction_pp", "repayment_share")

    @classmethod
    def from_dict(cls, d: Any, prefix: str = "target") -> TargetComponent:
        """Validate and build from a mapping (TOML table).

        Examples
        --------
        >>> TargetComponent.from_dict({"reduction_pp": 5}).reduction_pp
        5.0
        """
        d = _table(d, prefix)
        _check_keys(d, cls.KEYS, prefix)
        share = _money(d.get("repayment_share", "0.10"), f"{prefix}.repayment_share")
        if share > 1:
            raise ContractError(f"{prefix}.repayment_share: must be <= 1, got {share}")
        return cls(
            reduction_pp=_num(d.get("reduction_pp", 5.0), f"{prefix}.reduction_pp", lo=0.0),
            repayment_share=share,
        )

    def to_dict(self) -> dict[str, Any]:
        """TOML-ready mapping.

        Examples
        --------
        >>> c = TargetComponent.from_dict({"reduction_pp": 5})
        >>> TargetComponent.from_dict(c.to_dict()) == c
        True
        """
        return {"reduction_pp": self.reduction_pp, "repayment_share": str(self.repayment_share)}


@dataclass(frozen=True)
class Rounding:
    """How each line is rounded, once: to a whole number of ``quantum`` with ``mode``.

    ``rounded = round_mode(amount / quantum) × quantum`` (for ``quantum = 0.01`` this is
    ``amount.quantize(Decimal("0.01"), rounding=mode)``), expressed in pence.

    Examples
    --------
    >>> from decimal import Decimal
    >>> Rounding().apply(Decimal("2.345"))
    Decimal('2.35')
    """

    mode: str = "ROUND_HALF_UP"
    quantum: Decimal = Decimal("0.01")

    KEYS = ("mode", "quantum")

    @classmethod
    def from_dict(cls, d: Any, prefix: str = "rounding") -> Rounding:
        """Validate and build from a mapping (TOML table).

        Examples
        --------
        >>> Rounding.from_dict({"mode": "ROUND_HALF_EVEN"}).mode
        'ROUND_HALF_EVEN'
        """
        d = _table(d, prefix)
        _check_keys(d, cls.KEYS, prefix)
        q = _money(d.get("quantum", "0.01"), f"{prefix}.quantum")
        if q <= 0 or q.as_tuple().exponent < -2:
            raise ContractError(
                f"{prefix}.quantum: must be a positive amount with at most 2 "
                f"decimals (statements are in pence), got {q}"
            )
        return cls(
            mode=_str(d.get("mode", "ROUND_HALF_UP"), f"{prefix}.mode", ROUNDING_MODES), quantum=q
        )

    def apply(self, amount: Decimal) -> Decimal:
        """Round ``amount`` once to the quantum, then express it in pence (2 dp).

        Examples
        --------
        >>> from decimal import Decimal
        >>> Rounding().apply(Decimal("-0.005"))
        Decimal('-0.01')
        """
        with decimal.localcontext(MONEY_CONTEXT):
            # whole quanta, rounded once: works for any quantum (0.01, 0.05, 1, 10), where
            # Decimal.quantize alone would use only the quantum's exponent
            steps = (amount / self.quantum).quantize(
                Decimal(1), rounding=getattr(decimal, self.mode)
            )
            return (steps * self.quantum).quantize(Decimal("0.01"))

    def to_dict(self) -> dict[str, Any]:
        """TOML-ready mapping.

        Examples
        --------
        >>> c = Rounding.from_dict({"mode": "ROUND_HALF_EVEN"})
        >>> Rounding.from_dict(c.to_dict()) == c
        True
        """
        return {"mode": self.mode, "quantum": str(self.quantum)}


# --------------------------------------------------------------------------- contract

_TOP_KEYS = (
    "name",
    "description",
    "scheme",
    "lots",
    "periods",
    "baseline",
    "rules",
    "adjustment",
    "form",
    "alpha",
    "contract_year",
    "prices_are_illustrative",
    "binary",
    "frequency",
    "fee_for_service",
    "caps",
    "collars",
    "comparison",
    "target",
    "rounding",
)


@dataclass(frozen=True)
class Contract:
    """A validated payment-by-results contract (SPEC §7).

    Build one from TOML with :func:`load_contract`, from a shipped preset with
    :func:`preset`, or in Python with ``Contract(...)`` / :meth:`from_dict`.
    Instances are immutable and compare by value.

    Parameters
    ----------
    name : str
    scheme : {"tr_crc", "peterborough_sib", "doncaster", "custom"}
    lots, periods : tuple of str
        Lot codes and period labels covered; empty means all in the input.
    baseline : str
        Reference to the baseline paid against (e.g. ``"2011"``).
    rules : tuple of str
        Counting rule sets (``moj_proven``, ``convictions_only``, ``reconviction_events``).
    adjustment, form : str
        Offender-mix adjustment (``ogrs3``/``model``/``none``) and adjusted-rate form.
    alpha : float
        Two-sided significance level, ``0 < alpha < 1``.
    contract_year : {"financial_year", "calendar_year"}
        The year over which caps and collars apply.
    binary, frequency, comparison, target : component or None
    fee_for_service : tuple of FeeBand
    caps, collars, rounding : CapsSpec, CollarsSpec, Rounding

    Examples
    --------
    >>> from decimal import Decimal
    >>> c = Contract(name="x", scheme="custom",
    ...              binary=BinaryComponent(Decimal("100"), Decimal("100")))
    >>> c.alpha, c.rounding.mode
    (0.05, 'ROUND_HALF_UP')
    >>> print(c.summary().splitlines()[0])
    Contract 'x' (scheme custom)
    """

    name: str
    scheme: str = "custom"
    description: str = ""
    lots: tuple[str, ...] = ()
    periods: tuple[str, ...] = ()
    baseline: str = "2011"
    rules: tuple[str, ...] = ("moj_proven",)
    adjustment: str = "ogrs3"
    form: str = "difference"
    alpha: float = 0.05
    contract_year: str = "financial_year"
    prices_are_illustrative: bool = False
    binary: BinaryComponent | None = None
    frequency: FrequencyComponent | None = None
    fee_for_service: tuple[FeeBand, ...] = ()
    caps: CapsSpec = field(default_factory=CapsSpec)
    collars: CollarsSpec = field(default_factory=CollarsSpec)
    comparison: ComparisonComponent | None = None
    target: TargetComponent | None = None
    rounding: Rounding = field(default_factory=Rounding)

    def __post_init__(self) -> None:
        # Re-validate through the dict form so that Python-built contracts get the same checks.
        _validate(self)

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Contract:
        """Validate a mapping (parsed TOML) and build a contract.

        Raises
        ------
        ContractError
            Naming the offending key path.

        Examples
        --------
        >>> Contract.from_dict({"name": "n", "alpha": 2})
        Traceback (most recent call last):
        ...
        pbr.errors.ContractError: alpha: must be < 1.0, got 2
        """
        d = _table(d, "contract")
        _check_keys(d, _TOP_KEYS, "")
        name = _str(d.get("name", "contract"), "name")
        scheme = _str(d.get("scheme", "custom"), "scheme", SCHEMES)
        fees_raw = d.get("fee_for_service", [])
        if not isinstance(fees_raw, list):
            raise ContractError(f"fee_for_service: expected an array of tables, got {fees_raw!r}")
        fees = tuple(FeeBand.from_dict(b, f"fee_for_service[{i}]") for i, b in enumerate(fees_raw))
        return cls(
            name=name,
            scheme=scheme,
            description=_str(d.get("description", ""), "description"),
            lots=_strs(d.get("lots", []), "lots"),
            periods=_strs(d.get("periods", []), "periods"),
            baseline=_str(
                str(d["baseline"])
                if isinstance(d.get("baseline"), int) and not isinstance(d.get("baseline"), bool)
                else d.get("baseline", "2011"),
                "baseline",
            ),
            rules=_strs(d.get("rules", ["moj_proven"]), "rules", RULE_SETS),
            adjustment=_str(d.get("adjustment", "ogrs3"), "adjustment", ADJUSTMENTS),
            form=_str(d.get("form", "difference"), "form", FORMS),
            alpha=_num(d.get("alpha", 0.05), "alpha", lo=0.0, hi=1.0, open_lo=True, open_hi=True),
            contract_year=_str(
                d.get("contract_year", "financial_year"), "contract_year", CONTRACT_YEARS
            ),
            prices_are_illustrative=_bool(
                d.get("prices_are_illustrative", False), "prices_are_illustrative"
            ),
            binary=None if "binary" not in d else BinaryComponent.from_dict(d["binary"]),
            frequency=None
            if "frequency" not in d
            else FrequencyComponent.from_dict(d["frequency"]),
            fee_for_service=fees,
            caps=CapsSpec.from_dict(d.get("caps", {})),
            collars=CollarsSpec.from_dict(d.get("collars", {})),
            comparison=None
            if "comparison" not in d
            else ComparisonComponent.from_dict(d["comparison"]),
            target=None if "target" not in d else TargetComponent.from_dict(d["target"]),
            rounding=Rounding.from_dict(d.get("rounding", {})),
        )

    @classmethod
    def from_toml(cls, text: str, *, source: str = "<string>") -> Contract:
        r"""Parse TOML text and validate it.

        Examples
        --------
        >>> Contract.from_toml('name = "t"\nscheme = "custom"').name
        't'
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ContractError(f"{source}: not valid TOML: {exc}") from None
        return cls.from_dict(data)

    # ---------------------------------------------------------------- export
    def to_dict(self) -> dict[str, Any]:
        """A plain mapping that :meth:`from_dict` turns back into an equal contract.

        Examples
        --------
        >>> preset("tr_crc").to_dict()["binary"]["deduction_price"]
        '1500.00'
        """
        out: dict[str, Any] = {
            "name": self.name,
            "scheme": self.scheme,
            "description": self.description,
            "lots": list(self.lots),
            "periods": list(self.periods),
            "baseline": self.baseline,
            "rules": list(self.rules),
            "adjustment": self.adjustment,
            "form": self.form,
            "alpha": self.alpha,
            "contract_year": self.contract_year,
            "prices_are_illustrative": self.prices_are_illustrative,
        }
        if self.binary is not None:
            out["binary"] = self.binary.to_dict()
        if self.frequency is not None:
            out["frequency"] = self.frequency.to_dict()
        if self.fee_for_service:
            out["fee_for_service"] = [b.to_dict() for b in self.fee_for_service]
        if caps := self.caps.to_dict():
            out["caps"] = caps
        if collars := self.collars.to_dict():
            out["collars"] = collars
        if self.comparison is not None:
            out["comparison"] = self.comparison.to_dict()
        if self.target is not None:
            out["target"] = self.target.to_dict()
        out["rounding"] = self.rounding.to_dict()
        return out

    def to_toml(self) -> str:
        """Canonical TOML text (money as quoted decimal strings); round-trips exactly.

        Examples
        --------
        >>> c = preset("doncaster")
        >>> Contract.from_toml(c.to_toml()) == c
        True
        """
        return _dump_toml(self.to_dict())

    def summary(self) -> str:
        """A readable multi-line description of the contract's terms.

        Examples
        --------
        >>> print(preset("doncaster").summary().splitlines()[0])
        Contract 'doncaster' (scheme doncaster)
        """
        lines = [f"Contract {self.name!r} (scheme {self.scheme})"]
        if self.description:
            lines.append(f"  {self.description}")
        if self.prices_are_illustrative:
            lines.append("  NOTE: prices are illustrative, not real contract prices")
        lines.append(
            f"  lots: {', '.join(self.lots) or 'all'}; periods: {', '.join(self.periods) or 'all'}"
        )
        lines.append(
            f"  baseline {self.baseline}; rules {', '.join(self.rules)}; adjustment "
            f"{self.adjustment} ({self.form}); alpha {self.alpha}"
        )
        if self.binary:
            b = self.binary
            lines.append(
                f"  binary: £{b.price_per_reoffender_avoided} per reoffender avoided; "
                f"deduction £{b.deduction_price} per extra reoffender"
                + (
                    f"; termination at +{b.termination_rate_pp} pp"
                    if b.termination_rate_pp is not None
                    else ""
                )
                + (
                    f"; termination point {b.termination_point}"
                    if b.termination_point is not None
                    else ""
                )
            )
        if self.frequency:
            f = self.frequency
            lines.append(
                f"  frequency ({f.measure}): £{f.price_per_reoffence_avoided} per reoffence "
                f"avoided; binary hurdle {f.binary_hurdle}; significance required "
                f"{f.require_significance}"
            )
        for band in self.fee_for_service:
            hi = "∞" if band.max_volume is None else f"{band.max_volume:g}"
            lines.append(
                f"  fee {band.name}: £{band.price_per_unit} per {band.unit} "
                f"[{band.min_volume:g}, {hi})"
            )
        if self.comparison:
            c = self.comparison
            lines.append(
                f"  comparison: £{c.price_per_event_avoided} per event avoided; cohort "
                f"threshold {c.cohort_threshold:.1%}, pooled {c.pooled_threshold:.1%}"
            )
        if self.target:
            lines.append(
                f"  target: {self.target.reduction_pp} pp reduction or repay "
                f"{self.target.repayment_share} of core contract value"
            )
        if self.caps.pbr_income_per_lot_per_year is not None:
            lines.append(
                f"  cap: £{self.caps.pbr_income_per_lot_per_year} PbR income per lot per "
                f"{self.contract_year}"
            )
        if self.caps.total_pbr_income is not None:
            lines.append(f"  cap: £{self.caps.total_pbr_income} total PbR income")
        if self.collars.deductions_per_lot_per_year is not None:
            lines.append(
                f"  collar: £{self.collars.deductions_per_lot_per_year} deductions per lot "
                f"per {self.contract_year}"
            )
        lines.append(f"  rounding: {self.rounding.mode} to {self.rounding.quantum}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


def _validate(c: Contract) -> None:
    """Cross-field checks shared by every construction path."""
    if not isinstance(c.name, str) or not c.name:
        raise ContractError("name: must be a non-empty string")
    _str(c.scheme, "scheme", SCHEMES)
    for r in c.rules:
        _str(r, "rules", RULE_SETS)
    _str(c.adjustment, "adjustment", ADJUSTMENTS)
    _str(c.form, "form", FORMS)
    _str(c.contract_year, "contract_year", CONTRACT_YEARS)
    _num(c.alpha, "alpha", lo=0.0, hi=1.0, open_lo=True, open_hi=True)
    for key, comp in (
        ("binary", c.binary),
        ("frequency", c.frequency),
        ("caps", c.caps),
        ("collars", c.collars),
        ("comparison", c.comparison),
        ("target", c.target),
        ("rounding", c.rounding),
    ):
        if comp is not None:
            # round-trip each component through its validator: catches bad Python-built values
            type(comp).from_dict(comp.to_dict(), key)
    by_unit: dict[str, list[tuple[int, FeeBand]]] = {}
    for i, band in enumerate(c.fee_for_service):
        FeeBand.from_dict(band.to_dict(), f"fee_for_service[{i}]")
        by_unit.setdefault(band.unit, []).append((i, band))
    names = [b.name for b in c.fee_for_service]
    for i, n in enumerate(names):
        if names.index(n) != i:
            raise ContractError(f"fee_for_service[{i}].name: duplicate band name {n!r}")
    for unit, bands in by_unit.items():
        ordered = sorted(bands, key=lambda ib: ib[1].min_volume)
        for (_, prev), (j, cur) in itertools.pairwise(ordered):
            prev_hi = float("inf") if prev.max_volume is None else prev.max_volume
            if cur.min_volume < prev_hi:
                raise ContractError(
                    f"fee_for_service[{j}].min_volume: band {cur.name!r} overlaps band "
                    f"{prev.name!r} for unit {unit!r} ({cur.min_volume:g} < {prev_hi:g})"
                )
    if c.scheme == "peterborough_sib" and c.comparison is None:
        raise ContractError("comparison: missing (required by scheme peterborough_sib)")
    if c.scheme == "doncaster" and c.target is None:
        raise ContractError("target: missing (required by scheme doncaster)")
    if c.scheme == "tr_crc" and c.binary is None:
        raise ContractError("binary: missing (required by scheme tr_crc)")


# --------------------------------------------------------------------------- TOML writer


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} as TOML")


def _dump_toml(d: Mapping[str, Any]) -> str:
    scalars = [
        (k, v)
        for k, v in d.items()
        if not isinstance(v, dict) and not (isinstance(v, list) and v and isinstance(v[0], dict))
    ]
    tables = [(k, v) for k, v in d.items() if isinstance(v, dict)]
    arrays = [(k, v) for k, v in d.items() if isinstance(v, list) and v and isinstance(v[0], dict)]
    out = [f"{k} = {_toml_value(v)}" for k, v in scalars]
    for k, v in tables:
        out.append(f"\n[{k}]")
        out.extend(f"{kk} = {_toml_value(vv)}" for kk, vv in v.items())
    for k, items in arrays:
        for item in items:
            out.append(f"\n[[{k}]]")
            out.extend(f"{kk} = {_toml_value(vv)}" for kk, vv in item.items())
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- loading


def load_contract(path: str | Path) -> Contract:
    r"""Read and validate a contract TOML file.

    Parameters
    ----------
    path : str or Path

    Raises
    ------
    ContractError
        File missing, not TOML, or invalid (message names the key).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.toml"
    >>> _ = p.write_text('name = "c"\n[binary]\nprice_per_reoffender_avoided = -1\n'
    ...                  'deduction_price = 1\n')
    >>> load_contract(p)
    Traceback (most recent call last):
    ...
    pbr.errors.ContractError: binary.price_per_reoffender_avoided: must be >= 0, got -1
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContractError(f"{p}: cannot read contract: {exc.strerror}") from None
    return Contract.from_toml(text, source=str(p))


def available_presets() -> tuple[str, ...]:
    """Names of the contract presets shipped with pbr.

    Examples
    --------
    >>> available_presets()
    ('doncaster', 'peterborough_sib', 'tr_crc')
    """
    folder = resources.files("pbr.data") / "contracts"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


def preset_text(name: str) -> str:
    """The TOML text of a shipped preset (for hashing and audit).

    Examples
    --------
    >>> "prices_are_illustrative = true" in preset_text("tr_crc")
    True
    """
    if name not in available_presets():
        raise ContractError(
            f"preset: unknown preset {name!r} (available: {', '.join(available_presets())})"
        )
    return (resources.files("pbr.data") / "contracts" / f"{name}.toml").read_text(encoding="utf-8")


def preset(name: str, **overrides: Any) -> Contract:
    """A shipped contract preset (``tr_crc``, ``peterborough_sib``, ``doncaster``).

    Parameters
    ----------
    name : str
    **overrides
        Top-level fields to replace (``dataclasses.replace``), e.g. ``alpha=0.1``.

    Examples
    --------
    >>> c = preset("tr_crc")
    >>> c.scheme, c.prices_are_illustrative, c.alpha
    ('tr_crc', True, 0.05)
    >>> preset("tr_crc", alpha=0.1).alpha
    0.1
    """
    c = Contract.from_toml(preset_text(name), source=f"preset {name}")
    return dataclasses.replace(c, **overrides) if overrides else c
