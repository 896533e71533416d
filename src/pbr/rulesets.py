"""Counting rule sets: what counts as a proven reoffence (docs/methodology.md, §5 and §6).

A :class:`RuleSet` is the whole definition of "a proven reoffence of a member
with index date *d*", in one object:

* the **window** — with calendar-month arithmetic (:func:`add_months_days`,
  month-end clipping, both ends inclusive)::

      d < offence_date <= d + follow_up months           # strictly after d
      disposal_date    <= d + (follow_up + waiting) months

  :meth:`RuleSet.in_window` is the one window test; every counting path (the
  pandas path, the file paths, the engine's join and its pre-filters) calls it;
* **can this row count** (:meth:`RuleSet.can_count`) — the disposal type is one
  the rule set counts and the row is not a breach (missing means false);
* the **unit** — ``"offence"`` counts every qualifying offence row, duplicates
  included; ``"appearance"`` counts distinct court appearances
  (:meth:`RuleSet.distinct_keys`).

:data:`RULE_SETS` maps the names to the rule sets. Adding a rule set is one
entry there; changing the window is one edit of :meth:`RuleSet.in_window`.

Examples
--------
>>> RULE_SETS["convictions_only"].disposals
('conviction',)
>>> list(RULE_SETS)
['moj_proven', 'convictions_only', 'reconviction_events']
>>> rule_set("moj_proven").with_window(6, 3).waiting_months
3
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pbr._engine import as_strings, member_of, table_map, true_mask
from pbr._names import RULE_SET_NAMES
from pbr._types import BoolArray as Bools
from pbr._types import IntArray as I64
from pbr.dates import add_months
from pbr.errors import PbrError

__all__ = [
    "RULE_SETS",
    "RULE_SET_NAMES",
    "RuleSet",
    "add_months_days",
    "check_months",
    "rule_set",
]

Unit = Literal["offence", "appearance"]


def add_months_days(days: Any, months: int) -> I64:
    """:func:`pbr.dates.add_months` on day numbers (days since 1970-01-01).

    Evaluated once per distinct day of the input range (a lookup table).

    Examples
    --------
    >>> import numpy as np
    >>> d = np.array(["2016-02-29", "2015-08-31"], "datetime64[D]").astype(np.int64)
    >>> add_months_days(d, 18).astype("datetime64[D]").astype(str).tolist()
    ['2017-08-29', '2017-02-28']
    """

    def fn(r: I64) -> I64:
        out: I64 = add_months(r.astype("datetime64[D]"), months).astype(np.int64)
        return out

    return table_map(days, fn)


def check_months(follow_up_months: Any, waiting_months: Any) -> tuple[int, int]:
    """Validate the window lengths: whole months, follow-up >= 1, waiting >= 0.

    Examples
    --------
    >>> check_months(12, 0)
    (12, 0)
    """
    for name, v, lo in (
        ("follow_up_months", follow_up_months, 1),
        ("waiting_months", waiting_months, 0),
    ):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or int(v) < lo:
            raise PbrError(f"{name} must be a whole number of months >= {lo}, not {v!r}")
    return int(follow_up_months), int(waiting_months)


@dataclass(frozen=True)
class RuleSet:
    """A counting rule set: counted disposals, unit, breach rule and window.

    Attributes
    ----------
    name : str
    disposals : tuple of str
        Disposal types that can prove a reoffence.
    unit : {"offence", "appearance"}
        Count qualifying offence rows, or distinct court appearances.
    breaches_count : bool
        Whether breach rows can count (no published rule set counts them).
    follow_up_months, waiting_months : int
        Window lengths (defaults 12 and 6; interim measures use shorter ones).

    Examples
    --------
    >>> r = RULE_SETS["reconviction_events"]
    >>> r.unit, r.follow_up_months, r.waiting_months
    ('appearance', 12, 6)
    """

    name: str
    disposals: tuple[str, ...]
    unit: Unit = "offence"
    breaches_count: bool = False
    follow_up_months: int = 12
    waiting_months: int = 6

    def __post_init__(self) -> None:
        check_months(self.follow_up_months, self.waiting_months)
        if self.unit not in ("offence", "appearance"):
            raise PbrError(f"unknown counting unit {self.unit!r}; expected offence or appearance")

    def with_window(self, follow_up_months: Any, waiting_months: Any) -> RuleSet:
        """The same rules with other window lengths (validated).

        Examples
        --------
        >>> RULE_SETS["moj_proven"].with_window(3, 0).follow_up_months
        3
        """
        fu, wait = check_months(follow_up_months, waiting_months)
        return dataclasses.replace(self, follow_up_months=fu, waiting_months=wait)

    @staticmethod
    def in_window(
        offence_day: Any, disposal_day: Any, index_day: Any, follow_up_end: Any, window_end: Any
    ) -> Any:
        """THE window test: offence strictly after the index day, within both window ends.

        ``index_day < offence_day <= follow_up_end`` and ``disposal_day <=
        window_end``, elementwise on day numbers (arrays or scalars). Every path
        calls it: the offence pre-filter, the engine's per-offender bounds and its
        member × offence join. It must stay monotone in the member's days (a row
        inside some window is inside the offender's earliest index day and latest
        window ends). Changing the window is an edit of this method (or of a
        subclass's).

        Examples
        --------
        >>> import numpy as np
        >>> RuleSet.in_window(np.array([10, 11, 20]), np.array([12, 12, 20]), 10, 20, 25).tolist()
        [False, True, True]
        """
        hit = offence_day > index_day
        hit &= offence_day <= follow_up_end
        hit &= disposal_day <= window_end
        return hit

    @property
    def needs_appearance(self) -> bool:
        """True when counting reads ``appearance_id`` (the appearance unit)."""
        return self.unit == "appearance"

    def can_count(self, disposal_type: Any, breach: Any = None) -> Bools:
        """Rows that can count: disposal type counted and (unless breaches count) not a breach.

        ``disposal_type`` and ``breach`` are pandas or arrow columns; a missing
        ``breach`` column or value means false.

        Examples
        --------
        >>> import pandas as pd
        >>> RULE_SETS["moj_proven"].can_count(pd.Series(["caution", "pnd", "conviction"]),
        ...     pd.Series([False, False, True])).tolist()
        [True, False, False]
        """
        ok = member_of(disposal_type, self.disposals)
        if breach is not None and not self.breaches_count:
            ok = ok & ~true_mask(breach)
        return ok

    def window_ends(self, index_days: Any) -> tuple[I64, I64]:
        """Day numbers of ``d + follow_up`` and ``d + follow_up + waiting`` months.

        Examples
        --------
        >>> import numpy as np
        >>> d = np.array(["2015-08-31"], "datetime64[D]").astype(np.int64)
        >>> fu, w = RULE_SETS["moj_proven"].window_ends(d)
        >>> str(fu[0].astype("datetime64[D]")), str(w[0].astype("datetime64[D]"))
        ('2016-08-31', '2017-02-28')
        """
        end_fu = add_months_days(index_days, self.follow_up_months)
        end_w = add_months_days(index_days, self.follow_up_months + self.waiting_months)
        return end_fu, end_w

    def bounds(self, index_days: I64) -> tuple[int, int, int]:
        """(earliest index day, latest follow-up end, latest window end) over ``index_days``.

        Any row inside some window is inside these bounds (:meth:`in_window`).

        Examples
        --------
        >>> import numpy as np
        >>> RULE_SETS["moj_proven"].with_window(1, 0).bounds(np.array([0, 31]))
        (0, 59, 59)
        """
        if len(index_days) == 0:
            return 0, -1, -1
        hi = np.array([np.max(index_days)], dtype=np.int64)
        end_fu, end_w = self.window_ends(hi)  # add_months is monotone
        return int(np.min(index_days)), int(end_fu[0]), int(end_w[0])

    def distinct_keys(self, appearance: Any, disposal_day: Any) -> I64 | None:
        """What is counted once per member: None (every row) or a key per row.

        For the appearance unit: the ``appearance_id`` (trimmed; blank is
        missing) where present, otherwise the disposal day. Rows with an id and
        rows without one never share a key.

        Examples
        --------
        >>> import numpy as np
        >>> k = RULE_SETS["reconviction_events"].distinct_keys(
        ...     ["X", " X ", None, None], np.array([1, 2, 3, 3]))
        >>> bool(k[0] == k[1]), bool(k[2] == k[3]), bool(k[1] == k[2])
        (True, True, False)
        >>> RULE_SETS["moj_proven"].distinct_keys(None, np.array([1])) is None
        True
        """
        if self.unit == "offence":
            return None
        disp = np.asarray(disposal_day, dtype=np.int64)
        base = np.int64(1) << np.int64(40)
        if appearance is None:
            out: I64 = disp + base
            return out
        ids = pc.utf8_trim_whitespace(as_strings(appearance))
        ids = pc.if_else(pc.equal(ids, ""), pa.scalar(None, pa.string()), ids)
        enc = ids.combine_chunks().dictionary_encode()
        codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), np.int64)
        out = np.where(codes >= 0, codes, disp + base)
        return out


_MOJ, _CONVICTIONS, _EVENTS = RULE_SET_NAMES  # the names are defined once, in pbr._names
#: The named counting rule sets (docs/methodology.md §6); iterating gives the names.
RULE_SETS: Mapping[str, RuleSet] = MappingProxyType(
    {
        r.name: r
        for r in (
            RuleSet(_MOJ, ("conviction", "caution")),
            RuleSet(_CONVICTIONS, ("conviction",)),
            RuleSet(_EVENTS, ("conviction",), unit="appearance"),
        )
    }
)


def rule_set(rules: str | RuleSet) -> RuleSet:
    """The :class:`RuleSet` named ``rules`` (a RuleSet is returned as is).

    Examples
    --------
    >>> rule_set("convictions_only").name
    'convictions_only'
    """
    if isinstance(rules, RuleSet):
        return rules
    if not isinstance(rules, str) or rules not in RULE_SETS:
        raise PbrError(f"unknown rule set {rules!r}; expected one of {RULE_SET_NAMES}")
    return RULE_SETS[rules]
