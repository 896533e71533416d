"""The :class:`Contract`: frozen, validated, round-tripping through dict and canonical TOML.

Examples
--------
>>> c = Contract.from_dict({"name": "demo", "scheme": "custom",
...                         "binary": {"price_per_reoffender_avoided": "1000",
...                                    "deduction_price": "500"}})
>>> Contract.from_toml(c.to_toml()) == c
True
"""

from __future__ import annotations

import html
import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pbr.contracts._parse import (
    ADJUSTMENTS,
    CONTRACT_YEARS,
    FORMS,
    RULE_SETS,
    SCHEMES,
    _bool,
    _check_keys,
    _num,
    _str,
    _strs,
    _table,
)
from pbr.contracts.components import (
    BinaryComponent,
    CapsSpec,
    CollarsSpec,
    ComparisonComponent,
    FeeBand,
    FrequencyComponent,
    Rounding,
    TargetComponent,
)
from pbr.errors import ContractError

__all__ = ["Contract"]

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
    """A validated payment-by-results contract (docs/methodology.md#payments).

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
        >>> from pbr.contracts import preset
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
        >>> from pbr.contracts import preset
        >>> c = preset("doncaster")
        >>> Contract.from_toml(c.to_toml()) == c
        True
        """
        return _dump_toml(self.to_dict())

    def summary(self) -> str:
        """A readable multi-line description of the contract's terms.

        Examples
        --------
        >>> from pbr.contracts import preset
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
