"""The priced components of a contract and its limits and rounding (frozen, validated).

Examples
--------
>>> from decimal import Decimal
>>> BinaryComponent(Decimal("1000"), Decimal("500")).deduction_price
Decimal('500')
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pbr.contracts._parse import (
    _MISSING,
    FREQUENCY_MEASURES,
    MONEY_CONTEXT,
    ROUNDING_MODES,
    _bool,
    _check_keys,
    _money,
    _num,
    _str,
    _table,
)
from pbr.errors import ContractError

__all__ = [
    "BinaryComponent",
    "CapsSpec",
    "CollarsSpec",
    "ComparisonComponent",
    "FeeBand",
    "FrequencyComponent",
    "Rounding",
    "TargetComponent",
]


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
