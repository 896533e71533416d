"""The boundary of the aggregate (assessment) tables: one check, every failing row at once.

An aggregate table (``pbr pay --measures``: the tr_crc assessment table, the
Peterborough and Doncaster tables) is read from a file or taken as a DataFrame
and checked here, before any payment rule sees it. :func:`check_aggregate`
returns a normalised copy (labels trimmed and resolved, numbers parsed from
their printed text) or raises one :class:`pbr.errors.ValidationError` whose
failure table lists every bad cell, each reason starting with a stable code
(:class:`AggregateReason`). The rules and codes are listed in
docs/methodology.md, "Input data: reading and validation".

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"lot": [" cpa01"], "period": ["2015Q4"], "cohort_size": ["10"],
...                   "reoffenders": ["4"]})
>>> check_aggregate(t, scheme="tr_crc", registry=default_registry())["lot"].tolist()
['CPA01']
>>> t.loc[0, "reoffenders"] = "4.5"
>>> check_aggregate(t, scheme="tr_crc").reoffenders  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pbr.errors.ValidationError: assessment table is invalid: 1 failure(s)
...
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

from pbr.errors import ValidationError
from pbr.io._failures import _Failures, _message, _sorted_failures
from pbr.lots import LotRegistry, default_registry
from pbr.periods import period_kind

__all__ = [
    "COUNT_COLUMNS",
    "AggregateReason",
    "check_aggregate",
    "check_selection",
    "default_registry",
]


class AggregateReason(enum.StrEnum):
    """Stable reason codes of the aggregate-table rules (the first word of each reason).

    Examples
    --------
    >>> AggregateReason.UNKNOWN_LOT.value
    'unknown_lot'
    """

    MISSING_VALUE = "missing_value"
    UNKNOWN_LOT = "unknown_lot"
    LOT_CASE_CLASH = "lot_case_clash"
    BAD_PERIOD = "bad_period"
    BAD_STATUS = "bad_status"
    DUPLICATE_KEY = "duplicate_key"
    NOT_A_NUMBER = "not_a_number"
    NOT_A_COUNT = "not_a_count"
    OUT_OF_RANGE = "out_of_range"
    COUNT_EXCEEDS_COHORT = "count_exceeds_cohort"
    RATE_DISAGREES_WITH_COUNTS = "rate_disagrees_with_counts"
    VARIANCE_BOUND = "variance_bound"
    SELECTS_NOTHING = "selects_nothing"
    COUNT_BLANK_RATE_GIVEN = "count_blank_rate_given"


R = AggregateReason

#: Columns that hold counts of people or events: whole numbers >= 0.
COUNT_COLUMNS = (
    "cohort_size",
    "reoffenders",
    "reoffences",
    "baseline_reoffenders",
    "treated_n",
    "treated_events",
    "comparison_n",
    "comparison_events",
    "reconvicted",
)
#: Proportions in [0, 1].
_PROPORTIONS = ("baseline_binary", "expected_rate", "cohort_rate", "baseline_rate")
#: Reoffences per reoffender: each reoffender has at least one reoffence, so >= 1.
_PER_REOFFENDER = ("reoffences_per_reoffender", "baseline_frequency")
#: Other quantities that cannot be negative.
_NON_NEGATIVE = (
    "reoffences_per_offender",
    "baseline_reoffences_per_offender",
    "expected_reoffenders",
    "expected_variance",
    "frequency_sd",
    "baseline_frequency_sd",
    "treated_events_per_100",
    "comparison_events_per_100",
)
_SIGNED = ("change_pp",)
#: Columns whose cells may not be blank when the column is given (a blank would be paid as 0).
_NO_BLANKS = (
    "cohort_size",
    "reoffenders",
    "treated_n",
    "treated_events",
    "treated_events_per_100",
    "comparison_n",
    "comparison_events",
    "comparison_events_per_100",
)
_NUMERIC = COUNT_COLUMNS + _PROPORTIONS + _PER_REOFFENDER + _NON_NEGATIVE + _SIGNED
#: (rate column, numerator count, denominator count, scale): a rate printed beside its counts.
_RATE_OF_COUNTS = (
    ("reoffences_per_reoffender", "reoffences", "reoffenders", 1),
    ("reoffences_per_offender", "reoffences", "cohort_size", 1),
    ("expected_rate", "expected_reoffenders", "cohort_size", 1),
    ("cohort_rate", "reconvicted", "cohort_size", 1),
    ("treated_events_per_100", "treated_events", "treated_n", 100),
    ("comparison_events_per_100", "comparison_events", "comparison_n", 100),
)
#: Count column → its per-100 rate column: a blank count beside a given rate is refused.
_RATE_OF_COUNT = {"treated_events": "treated_events_per_100",
                  "comparison_events": "comparison_events_per_100"}  # fmt: skip
_STATUSES = ("final", "interim")
#: Relative slack for values computed in floating point (a rate from a count: ~1e-16).
_REL = Decimal("1e-9")
_PERIOD_SCHEMES = ("tr_crc", "custom")


def _cell_text(value: Any) -> str | None:
    """A cell as the text it was printed as (``None`` when missing)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return repr(value)
    text = str(value).strip()
    return text or None


def _decimal(text: str) -> Decimal | None:
    """A plain decimal number (``12``, ``-0.5``, ``1e3``); ``None`` if it is not one."""
    try:
        d = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def _half_unit(text: str) -> Decimal:
    """Half a unit in the last printed digit of ``text`` (its printed rounding)."""
    d = Decimal(text)
    exponent = d.as_tuple().exponent
    assert isinstance(exponent, int)
    return Decimal(5).scaleb(exponent - 1)


class _Checker:
    def __init__(self, table: pd.DataFrame, what: str) -> None:
        self.t = table
        self.what = what
        self.fails = _Failures(what.split(" table")[0] if " table" in what else what)
        self.texts: dict[str, list[str | None]] = {}
        self.values: dict[str, list[Decimal | None]] = {}

    def fail(
        self, rows: Iterable[int], column: str, values: Iterable[Any], code: R, text: str
    ) -> None:
        rows = list(rows)
        self.fails.add(
            np.asarray(rows, dtype=np.int64),
            column,
            ["<missing>" if v is None else str(v) for v in values],
            f"{code.value}: {text}",
        )

    # ---------------------------------------------------------------- numbers
    def numbers(self) -> None:
        for col in _NUMERIC:
            if col not in self.t.columns:
                continue
            texts = [_cell_text(v) for v in self.t[col]]
            values = [None if s is None else _decimal(s) for s in texts]
            bad = [i for i, (s, v) in enumerate(zip(texts, values, strict=True)) if s and v is None]
            self.fail(
                bad, col, [texts[i] for i in bad], R.NOT_A_NUMBER, "not a finite decimal number"
            )
            for i in bad:
                texts[i] = None
            if col in _NO_BLANKS:
                blank = [i for i, v in enumerate(texts) if v is None and i not in set(bad)]
                rate = _RATE_OF_COUNT.get(col)
                rated: set[int] = set()
                if rate is not None and rate in self.t.columns:
                    rated = {i for i in blank if _cell_text(self.t[rate].iloc[i]) is not None}
                    self.fail(
                        sorted(rated),
                        col,
                        [None] * len(rated),
                        R.COUNT_BLANK_RATE_GIVEN,
                        f"{col} is blank but {rate} is given: counts win over rates and a "
                        "count is never derived from a rounded rate; give the count (or leave "
                        f"the whole {col} column out to pay on the rate)",
                    )
                blank = [i for i in blank if i not in rated]
                self.fail(blank, col, [None] * len(blank), R.MISSING_VALUE, f"{col} is required")
            self.texts[col], self.values[col] = texts, values
            self._range(col, values)

    def _range(self, col: str, values: list[Decimal | None]) -> None:
        def check(ok: Any, code: R, text: str) -> None:
            bad = [i for i, v in enumerate(values) if v is not None and not ok(v)]
            self.fail(bad, col, [self.texts[col][i] for i in bad], code, text)

        if col in COUNT_COLUMNS:
            check(
                lambda v: v >= 0 and v == v.to_integral_value(),
                R.NOT_A_COUNT,
                "must be a whole number >= 0",
            )
        elif col in _PROPORTIONS:
            check(lambda v: 0 <= v <= 1, R.OUT_OF_RANGE, "must be a proportion in [0, 1]")
        elif col in _PER_REOFFENDER:
            check(lambda v: v >= 1, R.OUT_OF_RANGE, "reoffences per reoffender must be >= 1")
        elif col in _NON_NEGATIVE:
            check(lambda v: v >= 0, R.OUT_OF_RANGE, "must be >= 0")

    def value(self, col: str, i: int) -> Decimal | None:
        return self.values[col][i] if col in self.values else None

    def relations(self) -> None:
        n_rows = len(self.t)
        for count, total in (
            ("reoffenders", "cohort_size"),
            ("reconvicted", "cohort_size"),
            ("expected_reoffenders", "cohort_size"),
        ):
            if count not in self.values or total not in self.values:
                continue
            bad = [
                i
                for i in range(n_rows)
                if (c := self.value(count, i)) is not None
                and (n := self.value(total, i)) is not None
                and c > n
            ]
            shown = [self.texts[count][i] for i in bad]
            self.fail(bad, count, shown, R.COUNT_EXCEEDS_COHORT, f"greater than {total}")
        for rate, num, den, scale in _RATE_OF_COUNTS:
            if rate not in self.values or num not in self.values or den not in self.values:
                continue
            bad = []
            for i in range(n_rows):
                r, a, b = self.value(rate, i), self.value(num, i), self.value(den, i)
                if r is None or a is None or b is None or b <= 0:
                    continue
                exact = scale * a / b
                text = self.texts[rate][i]
                assert text is not None
                if abs(r - exact) > _half_unit(text) + abs(exact) * _REL:
                    bad.append(i)
            self.fail(
                bad,
                rate,
                [self.texts[rate][i] for i in bad],
                R.RATE_DISAGREES_WITH_COUNTS,
                f"disagrees with {num}/{den} beyond its printed rounding (the counts are paid)",
            )
        self._variance()

    def _variance(self) -> None:
        if "expected_variance" not in self.values or "cohort_size" not in self.values:
            return
        bad = []
        for i in range(len(self.t)):
            v, n = self.value("expected_variance", i), self.value("cohort_size", i)
            e = self.value("expected_reoffenders", i)
            if e is None and (rate := self.value("expected_rate", i)) is not None and n is not None:
                e = rate * n
            if v is None or n is None or e is None or n <= 0 or not (0 <= e <= n):
                continue
            text = self.texts["expected_variance"][i]
            assert text is not None
            bound = e * (1 - e / n)
            if v > bound * (1 + _REL) + _half_unit(text):
                bad.append(i)
        self.fail(
            bad,
            "expected_variance",
            [self.texts["expected_variance"][i] for i in bad],
            R.VARIANCE_BOUND,
            "larger than E(1 - E/N), the largest variance of a count of E expected in N",
        )

    # ---------------------------------------------------------------- labels
    def labels(
        self, scheme: str, registry: LotRegistry | None, default_lot: str
    ) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        n_rows = len(self.t)
        keyed = scheme in _PERIOD_SCHEMES
        for col in ("lot", "period", "cohort", "status"):
            if col not in self.t.columns:
                continue
            texts = [_cell_text(v) for v in self.t[col]]
            required = col == "cohort" or (keyed and col in ("lot", "period"))
            if required:
                bad = [i for i, s in enumerate(texts) if s is None]
                self.fail(bad, col, [None] * len(bad), R.MISSING_VALUE, f"{col} is required")
            out[col] = ["" if s is None else s for s in texts]
        if "lot" in out:
            out["lot"] = self._lots(out["lot"], registry, default_lot if not keyed else "")
        if keyed and "period" in out:
            bad = [i for i, s in enumerate(out["period"]) if s and period_kind(s) is None]
            self.fail(
                bad,
                "period",
                [out["period"][i] for i in bad],
                R.BAD_PERIOD,
                "not a period label (expected e.g. 2015Q4, 2015/16 or 2011)",
            )
        if "status" in out:
            out["status"] = [s.lower() for s in out["status"]]
            bad = [i for i, s in enumerate(out["status"]) if s and s not in _STATUSES]
            self.fail(
                bad,
                "status",
                [out["status"][i] for i in bad],
                R.BAD_STATUS,
                "expected final or interim",
            )
        key_cols = ("lot", "period") if keyed else ("lot", "cohort")
        present = [c for c in key_cols if c in out]
        if present and n_rows:
            keys = list(zip(*(out[c] for c in present), strict=True))
            seen: dict[tuple[str, ...], list[int]] = {}
            for i, k in enumerate(keys):
                seen.setdefault(k, []).append(i)
            dup = sorted(i for rows in seen.values() if len(rows) > 1 for i in rows)
            self.fail(
                dup,
                present[-1],
                [" ".join(keys[i]) for i in dup],
                R.DUPLICATE_KEY,
                f"{' × '.join(present)} appears in more than one row (after trimming and "
                "resolving labels); each is paid once",
            )
        return out

    def _lots(self, lots: list[str], registry: LotRegistry | None, default: str) -> list[str]:
        if registry is not None:
            by_upper = {c.upper(): c for c in registry.codes}
            resolved = []
            bad = []
            for i, s in enumerate(lots):
                if not s:
                    resolved.append(default)
                    continue
                code = registry.resolve([s]).iloc[0]
                if code is pd.NA:
                    code = by_upper.get(s.upper())
                if code is None:
                    bad.append(i)
                    resolved.append(s)
                else:
                    resolved.append(str(code))
            self.fail(
                bad,
                "lot",
                [lots[i] for i in bad],
                R.UNKNOWN_LOT,
                "not a lot code or name of the lot registry",
            )
            return resolved
        first: dict[str, str] = {}
        bad = []
        for i, s in enumerate(lots):
            if s and first.setdefault(s.upper(), s) != s:
                bad.append(i)
        self.fail(
            bad,
            "lot",
            [lots[i] for i in bad],
            R.LOT_CASE_CLASH,
            "differs only in upper/lower case from another lot label of the table",
        )
        return [s or default for s in lots]

    def raise_if_failed(self) -> None:
        if self.fails:
            failures = _sorted_failures(self.fails.parts)
            raise ValidationError(_message(failures, f"{self.what} is invalid"), failures)


def check_aggregate(
    table: pd.DataFrame,
    *,
    scheme: str,
    registry: LotRegistry | None = None,
    what: str = "assessment table",
) -> pd.DataFrame:
    """Check and normalise an aggregate table; raise one ValidationError listing every failure.

    Labels (``lot``, ``period``, ``cohort``, ``status``) are trimmed; lots are
    resolved to codes through ``registry`` (a code, an exact name or a code in
    another case), or, without one, refused when two labels differ only in
    case; tr_crc/custom periods must be period labels (:func:`pbr.periods.parse_period`);
    each key (lot × period, or lot × cohort) appears once after normalisation.
    Numbers are read from their printed text: counts are whole numbers >= 0 and
    no larger than the cohort, proportions lie in [0, 1], reoffences per
    reoffender are >= 1, a rate printed beside its counts agrees with them to
    its printed rounding, and ``expected_variance <= E(1 − E/N)``.

    Parameters
    ----------
    table : pandas.DataFrame
        The table as read (cells as text or numbers); its index is ignored and
        rows are reported 1-based in table order.
    scheme : str
        The contract's scheme (``tr_crc``, ``custom``, ``peterborough_sib``, ``doncaster``).
    registry : LotRegistry, optional
        Lot labels must be lots of this registry.
    what : str
        The table's name in messages.

    Returns
    -------
    pandas.DataFrame
        A copy with trimmed/resolved labels and the numeric columns as float64
        (each the exact value of its printed text when that has at most 15
        significant digits), with a fresh RangeIndex.

    Raises
    ------
    pbr.errors.ValidationError
        One row per failure; ``reason`` starts with an :class:`AggregateReason` code.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"lot": ["A", "a"], "period": ["2015Q4", "2016Q1"],
    ...                   "cohort_size": [10, 10], "reoffenders": [4, 4]})
    >>> try:
    ...     check_aggregate(t, scheme="tr_crc")
    ... except ValidationError as e:
    ...     print(e.failures.loc[0, "reason"].split(":")[0])
    lot_case_clash
    """
    t = table.reset_index(drop=True)
    ch = _Checker(t, what)
    default_lot = {"peterborough_sib": "PETERBOROUGH", "doncaster": "DONCASTER"}.get(scheme, "")
    labels = ch.labels(scheme, registry, default_lot)
    ch.numbers()
    ch.relations()
    ch.raise_if_failed()
    out = t.copy()
    for col, values in labels.items():
        out[col] = pd.Series(values, dtype=object)
    for col, parsed in ch.values.items():
        out[col] = np.array([np.nan if v is None else float(v) for v in parsed], dtype=float)
    return out


def check_selection(
    table: pd.DataFrame,
    lots: tuple[str, ...],
    periods: tuple[str, ...],
    registry: LotRegistry | None = None,
    what: str = "assessment table",
) -> pd.DataFrame:
    """Keep the rows of the contract's ``lots`` and ``periods``; selecting nothing is an error.

    Contract lots are resolved through ``registry`` like the table's labels.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"lot": ["CPA01"], "period": ["2015Q4"]})
    >>> len(check_selection(t, ("CPA01",), ()))
    1
    >>> check_selection(t, ("CPA02",), ())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pbr.errors.ValidationError: contract is invalid: 1 failure(s)
    ...
    """
    keep = np.ones(len(table), dtype=bool)
    ch = _Checker(table, "contract")
    for key, wanted in (("lot", lots), ("period", periods)):
        if not wanted or key not in table.columns:
            continue
        chosen = list(wanted)
        if key == "lot" and registry is not None:
            by_upper = {c.upper(): c for c in registry.codes}
            chosen = [
                str(c)
                if (c := registry.resolve([s]).iloc[0]) is not pd.NA
                else by_upper.get(s.upper(), s)
                for s in wanted
            ]
        hit = table[key].astype(str).isin(chosen).to_numpy()
        if len(table) and not hit.any():
            ch.fail(
                [-1],
                f"{key}s",
                [", ".join(wanted)],
                R.SELECTS_NOTHING,
                f"the contract's {key}s match no row of the {what}",
            )
        keep &= hit
    ch.raise_if_failed()
    return table.loc[keep]
