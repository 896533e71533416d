"""Column specifications of pbr's two input tables (docs/methodology.md#input-data).

These are the single source of truth for column names, types, defaults and
allowed values; :mod:`pbr.io` validates against them and :mod:`pbr.sample`
generates data that conforms to them.

In-memory form (what :func:`pbr.io.read_cohort` / :func:`pbr.io.read_offences`
return, and what every other function accepts):

* string columns: pandas ``string`` dtype; ``<NA>`` for missing;
* date columns: ``datetime64[s]``;
* ``em_only`` / ``breach``: ``bool`` (defaults filled in);
* ``sanctions``: nullable ``Int64``;
* ``supervisor`` defaults to ``"CRC"``; ``exclusion_reason`` empty → ``<NA>``;
* ``lot`` holds the lot **code** (names are resolved on load);
* extra columns are kept unchanged.

Examples
--------
>>> from pbr.schema import COHORT_COLUMNS, required_columns
>>> required_columns(COHORT_COLUMNS)
['offender_id', 'lot', 'index_date', 'event_type', 'sex', 'date_of_birth']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

__all__ = [
    "COHORT_COLUMNS",
    "DISPOSAL_TYPES",
    "ELIGIBLE_EVENT_TYPES",
    "EVENT_TYPES",
    "OFFENCE_COLUMNS",
    "OFFENCE_GROUPS",
    "SEXES",
    "SUPERVISORS",
    "ColumnSpec",
    "arrow_schema",
    "required_columns",
]

Kind = Literal["string", "date", "bool", "int"]


@dataclass(frozen=True)
class ColumnSpec:
    """One input column: its name, kind, whether required, and its default.

    Examples
    --------
    >>> ColumnSpec("sex", "string", True, allowed=("M", "F")).allowed
    ('M', 'F')
    """

    name: str
    kind: Kind
    required: bool
    default: object = None
    allowed: tuple[str, ...] | None = None


EVENT_TYPES = ("release", "community_order", "suspended_sentence_order", "caution", "other")
ELIGIBLE_EVENT_TYPES = ("release", "community_order", "suspended_sentence_order")
DISPOSAL_TYPES = ("conviction", "caution", "pnd", "other")
SEXES = ("M", "F")
SUPERVISORS = ("CRC", "NPS")

#: The 20 OGRS3 offence-group keys, in coefficient-table order (docs/methodology.md#ogrs3).
OFFENCE_GROUPS = (
    "violence",
    "robbery",
    "public_order",
    "sexual_not_child",
    "sexual_child",
    "soliciting_prostitution",
    "burglary_domestic",
    "burglary_other",
    "theft_non_motor",
    "handling",
    "fraud_forgery",
    "absconding_bail",
    "taking_driving_away",
    "theft_from_vehicles",
    "other_motoring",
    "drink_driving",
    "criminal_damage",
    "drug_import_export_production",
    "drug_possession_supply",
    "other",
)

#: The columns both tables have: the person's id and the OGRS3 offence group.
_OFFENDER_ID = ColumnSpec("offender_id", "string", True)
_OFFENCE_GROUP = ColumnSpec("offence_group", "string", False, allowed=OFFENCE_GROUPS)

COHORT_COLUMNS: tuple[ColumnSpec, ...] = (
    _OFFENDER_ID,
    ColumnSpec("lot", "string", True),
    ColumnSpec("index_date", "date", True),
    ColumnSpec("event_type", "string", True, allowed=EVENT_TYPES),
    ColumnSpec("sex", "string", True, allowed=SEXES),
    ColumnSpec("date_of_birth", "date", True),
    ColumnSpec("supervisor", "string", False, default="CRC", allowed=SUPERVISORS),
    ColumnSpec("em_only", "bool", False, default=False),
    ColumnSpec("exclusion_reason", "string", False),
    _OFFENCE_GROUP,
    ColumnSpec("sanctions", "int", False),
    ColumnSpec("first_sanction_date", "date", False),
)

OFFENCE_COLUMNS: tuple[ColumnSpec, ...] = (
    _OFFENDER_ID,
    ColumnSpec("offence_date", "date", True),
    ColumnSpec("disposal_date", "date", True),
    ColumnSpec("disposal_type", "string", True, allowed=DISPOSAL_TYPES),
    ColumnSpec("breach", "bool", False, default=False),
    _OFFENCE_GROUP,
    ColumnSpec("appearance_id", "string", False),
)

_ARROW = {"string": pa.string(), "date": pa.date32(), "bool": pa.bool_(), "int": pa.int64()}


def required_columns(spec: tuple[ColumnSpec, ...]) -> list[str]:
    """Names of the required columns of a table spec.

    Examples
    --------
    >>> required_columns(OFFENCE_COLUMNS)
    ['offender_id', 'offence_date', 'disposal_date', 'disposal_type']
    """
    return [c.name for c in spec if c.required]


def arrow_schema(spec: tuple[ColumnSpec, ...]) -> pa.Schema:
    """The explicit pyarrow schema used to write a table to Parquet.

    Examples
    --------
    >>> arrow_schema(OFFENCE_COLUMNS).field("offence_date").type
    DataType(date32[day])
    """
    return pa.schema([pa.field(c.name, _ARROW[c.kind], nullable=True) for c in spec])
