"""The priced components of a contract and its limits and rounding (frozen, validated).

Examples
--------
>>> from decimal import Decimal
>>> BinaryComponent(Decimal("1000"), Decimal("500")).deduction_price
Decimal('500')
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar, Self

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


# --------------------------------------------------------------------------- the field spec
#: Parses one TOML value: ``(value, key path) -> value`` (raising ContractError naming the key).
Parse = Callable[[Any, str], Any]


def _parse(parse: Parse) -> dict[str, Parse]:
    """Field metadata: how :meth:`_Table.from_dict` validates the field's TOML value."""
    return {"parse": parse}


def _optional(parse: Parse) -> Parse:
    """``parse``, except that an absent value (``None``) stays ``None``."""
    return lambda value, key: None if value is None else parse(value, key)


_optional_money = partial(_money, required=False)
_share = partial(_num, lo=0.0, hi=1.0)


@dataclass(frozen=True)
class _Table:
    """A contract table: its keys are its fields, and each field says how its value is parsed.

    A field's ``metadata["parse"]`` validates its TOML value; an absent key takes the
    field's default. :meth:`from_dict` checks the keys, parses each field (in order,
    :attr:`PARSE_FIRST` first), then runs :meth:`_check`; :meth:`to_dict` writes every
    field that is not ``None``, money (``Decimal``) as a string.
    """

    #: The table's name in a contract file (the key path of its errors).
    PREFIX: ClassVar[str] = ""
    #: Fields parsed before the others (so the error of a table with several bad values is
    #: the one this table has always reported first).
    PARSE_FIRST: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def _keys(cls) -> tuple[str, ...]:
        """The allowed keys, in order (the field names).

        Examples
        --------
        >>> Rounding._keys()
        ('mode', 'quantum')
        """
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_dict(cls, d: Any, prefix: str | None = None) -> Self:
        """Validate and build from a mapping (a TOML table).

        Parameters
        ----------
        d : mapping
        prefix : str, optional
            The key path named in errors (default: the table's name, :attr:`PREFIX`).

        Examples
        --------
        >>> BinaryComponent.from_dict(
        ...     {"price_per_reoffender_avoided": "10", "deduction_price": 5}).deduction_price
        Decimal('5')
        >>> Rounding.from_dict({"mode": "BANKERS"})
        Traceback (most recent call last):
        ...
        pbr.errors.ContractError: rounding.mode: unknown value 'BANKERS' (expected one of ...
        """
        prefix = cls.PREFIX if prefix is None else prefix
        d = _table(d, prefix)
        _check_keys(d, cls._keys(), prefix)
        values = {
            f.name: f.metadata["parse"](
                d.get(f.name, _MISSING if f.default is MISSING else f.default),
                f"{prefix}.{f.name}",
            )
            for f in sorted(fields(cls), key=lambda f: f.name not in cls.PARSE_FIRST)
        }
        build: Callable[..., Self] = cls
        out = build(**values)
        out._check(prefix)
        return out

    def _check(self, prefix: str) -> None:
        """Rules between fields (none by default); raise ContractError naming ``prefix``."""

    def to_dict(self) -> dict[str, Any]:
        """TOML-ready mapping (money as strings; absent optional fields left out).

        Examples
        --------
        >>> c = CapsSpec.from_dict({"total_pbr_income": "13000000"})
        >>> c.to_dict()
        {'total_pbr_income': '13000000'}
        >>> CapsSpec.from_dict(c.to_dict()) == c
        True
        """
        return {
            f.name: str(v) if isinstance(v, Decimal) else v
            for f in fields(self)
            if (v := getattr(self, f.name)) is not None
        }


def _at_most_one(value: Any, key: str) -> Decimal:
    share: Decimal = _money(value, key)
    if share > 1:
        raise ContractError(f"{key}: must be <= 1, got {share}")
    return share


def _quantum(value: Any, key: str) -> Decimal:
    q: Decimal = _money(value, key)
    exponent = q.as_tuple().exponent  # an int: the amount is finite
    if q <= 0 or (isinstance(exponent, int) and exponent < -2):
        raise ContractError(
            f"{key}: must be a positive amount with at most 2 "
            f"decimals (statements are in pence), got {q}"
        )
    return q


@dataclass(frozen=True)
class BinaryComponent(_Table):
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

    price_per_reoffender_avoided: Decimal = field(metadata=_parse(_money))
    deduction_price: Decimal = field(metadata=_parse(_money))
    termination_rate_pp: float | None = field(default=None, metadata=_parse(_optional(_num)))
    termination_point: float | None = field(default=None, metadata=_parse(_optional(_share)))

    PREFIX = "binary"


@dataclass(frozen=True)
class FrequencyComponent(_Table):
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

    price_per_reoffence_avoided: Decimal = field(metadata=_parse(_money))
    binary_hurdle: bool = field(default=True, metadata=_parse(_bool))
    require_significance: bool = field(default=False, metadata=_parse(_bool))
    measure: str = field(
        default="per_reoffender", metadata=_parse(partial(_str, choices=FREQUENCY_MEASURES))
    )

    PREFIX = "frequency"

    def _check(self, prefix: str) -> None:
        if self.require_significance and self.measure != "per_reoffender":
            raise ContractError(
                f"{prefix}.require_significance: the frequency test (Welch, on reoffences per "
                f"reoffender) is not defined for measure {self.measure}"
            )


@dataclass(frozen=True)
class FeeBand(_Table):
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

    PREFIX = "fee_for_service"

    @classmethod
    def from_dict(cls, d: Any, prefix: str | None = None) -> Self:
        """Validate and build from a mapping (TOML array-of-tables element).

        Examples
        --------
        >>> FeeBand.from_dict({"name": "starts", "price_per_unit": "100"}).unit
        'starts'
        """
        prefix = cls.PREFIX if prefix is None else prefix
        d = _table(d, prefix)
        _check_keys(d, cls._keys(), prefix)
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


@dataclass(frozen=True)
class CapsSpec(_Table):
    """Caps on PbR income: per lot per contract year, and over the whole statement.

    Examples
    --------
    >>> CapsSpec().pbr_income_per_lot_per_year is None
    True
    """

    pbr_income_per_lot_per_year: Decimal | None = field(
        default=None, metadata=_parse(_optional_money)
    )
    total_pbr_income: Decimal | None = field(default=None, metadata=_parse(_optional_money))

    PREFIX = "caps"


@dataclass(frozen=True)
class CollarsSpec(_Table):
    """Collar on deductions (a positive amount: the most that can be deducted per lot per year).

    Examples
    --------
    >>> from decimal import Decimal
    >>> CollarsSpec(Decimal("5000")).deductions_per_lot_per_year
    Decimal('5000')
    """

    deductions_per_lot_per_year: Decimal | None = field(
        default=None, metadata=_parse(_optional_money)
    )

    PREFIX = "collars"


@dataclass(frozen=True)
class ComparisonComponent(_Table):
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

    price_per_event_avoided: Decimal = field(metadata=_parse(_money))
    cohort_threshold: float = field(default=0.10, metadata=_parse(_share))
    pooled_threshold: float = field(default=0.075, metadata=_parse(_share))

    PREFIX = "comparison"


@dataclass(frozen=True)
class TargetComponent(_Table):
    """Doncaster-style target: a reduction of ``reduction_pp`` points or repay a share.

    Target met when ``change_pp <= −reduction_pp`` (rounded to 10 decimals);
    otherwise ``amount = −repayment_share × core_contract_value``.

    Examples
    --------
    >>> TargetComponent().repayment_share
    Decimal('0.10')
    """

    reduction_pp: float = field(default=5.0, metadata=_parse(partial(_num, lo=0.0)))
    repayment_share: Decimal = field(default=Decimal("0.10"), metadata=_parse(_at_most_one))

    PREFIX = "target"
    PARSE_FIRST = ("repayment_share",)


@dataclass(frozen=True)
class Rounding(_Table):
    """How each line is rounded, once: to a whole number of ``quantum`` with ``mode``.

    ``rounded = round_mode(amount / quantum) × quantum`` (for ``quantum = 0.01`` this is
    ``amount.quantize(Decimal("0.01"), rounding=mode)``), expressed in pence.

    Examples
    --------
    >>> from decimal import Decimal
    >>> Rounding().apply(Decimal("2.345"))
    Decimal('2.35')
    """

    mode: str = field(
        default="ROUND_HALF_UP", metadata=_parse(partial(_str, choices=ROUNDING_MODES))
    )
    quantum: Decimal = field(default=Decimal("0.01"), metadata=_parse(_quantum))

    PREFIX = "rounding"
    PARSE_FIRST = ("quantum",)

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
