"""Proven-reoffending measures per lot × period, and nationally (SPEC §4.1, §4.2).

With N = measurable cohort, O = reoffenders, R = proven reoffences (or
appearances for ``reconviction_events``) and ``r_i`` the count of member *i*:

* ``binary_rate`` = O / N, with a **Wilson** score interval at level 1 − α
  (z = Φ⁻¹(1 − α/2))::

      centre = (p + z²/2N) / (1 + z²/N)
      half   = z / (1 + z²/N) · sqrt(p(1 − p)/N + z²/4N²)

* ``reoffences_per_reoffender`` = R / O (the TR frequency measure; NaN when O = 0)
  with a normal (delta-method) interval R/O ± z·s_O/√O, where s_O is the sample
  standard deviation (ddof = 1) of ``r_i`` among the O reoffenders (NaN when O < 2);
* ``reoffences_per_offender`` = R / N with interval R/N ± z·s_N/√N, s_N the sample
  standard deviation of ``r_i`` over all N members (NaN when N < 2);
  ``reoffences_per_100`` = 100 R / N;
* ``days_to_first_reoffence`` = mean over reoffenders of (first counted offence
  date − index date), in days;
* ``status`` = ``"final"`` when every member's window end (d + follow-up +
  waiting months) is on or before the extract date, else ``"interim"`` (a
  lot × period without measurable members is ``"final"``: nothing is pending).

Examples
--------
>>> import pandas as pd
>>> cohort = pd.DataFrame({"offender_id": ["A", "B"], "lot": ["CPA01", "CPA01"],
...     "index_date": pd.to_datetime(["2015-01-05", "2015-02-10"]),
...     "event_type": ["release", "community_order"], "sex": ["M", "F"],
...     "date_of_birth": pd.to_datetime(["1980-01-01", "1990-06-30"])})
>>> offences = pd.DataFrame({"offender_id": ["A"], "offence_date": pd.to_datetime(["2015-03-01"]),
...     "disposal_date": pd.to_datetime(["2015-04-01"]), "disposal_type": ["conviction"]})
>>> m = compute_measures(cohort, offences, extract_date="2016-09-30")
>>> cols = ["lot", "period", "cohort_size", "reoffenders", "binary_rate", "status"]
>>> m.table[cols].values.tolist()
[['CPA01', '2015Q1', 2, 1, 0.5, 'final']]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from scipy.stats import norm

from pbr.cohort import (
    Cohort,
    _build_cohort,
    _sort_dictionary,
    _sorted_codes_fixed,
    _unsorted_codes_arrow,
    build_cohort,
)
from pbr.counting import (
    IdTable,
    check_months,
    check_rules,
    count_core,
    counting_disposals,
    encode_selected,
    outcome_frame,
    prepare_offences,
    window_ends,
)
from pbr.dates import PERIOD_KINDS, as_days
from pbr.errors import IgnoredOptionWarning, PbrError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["MEASURE_COLUMNS", "Measures", "compute_measures", "wilson_interval"]

#: The SPEC §10 columns, in order, that every measures table starts with.
MEASURE_COLUMNS: tuple[str, ...] = (
    "lot",
    "period",
    "eligible",
    "cohort_size",
    "reoffenders",
    "reoffences",
    "binary_rate",
    "reoffences_per_reoffender",
    "reoffences_per_offender",
    "binary_ci_low",
    "binary_ci_high",
    "status",
)
EXTRA_COLUMNS: tuple[str, ...] = (
    "reoffences_per_100",
    "frequency_ci_low",
    "frequency_ci_high",
    "per_offender_ci_low",
    "per_offender_ci_high",
    "days_to_first_reoffence",
    "follow_up_months",
    "waiting_months",
    "rules",
)

F64 = npt.NDArray[np.float64]
F = np.float64


def wilson_interval(successes: Any, n: Any, alpha: float = 0.05) -> tuple[F64, F64]:
    """Wilson score interval for a binomial proportion (vectorised).

    Parameters
    ----------
    successes, n : array-like of int
        Counts O and N; N = 0 gives NaN.
    alpha : float
        1 − confidence level.

    Returns
    -------
    (low, high) : numpy.ndarray of float64
        ``(p + z²/2N)/(1 + z²/N) ∓ z/(1 + z²/N)·sqrt(p(1−p)/N + z²/4N²)``.

    Examples
    --------
    >>> lo, hi = wilson_interval([5], [10])
    >>> round(float(lo[0]), 6), round(float(hi[0]), 6)
    (0.236593, 0.763407)
    """
    o = np.asarray(successes, dtype=np.float64)
    nn = np.asarray(n, dtype=np.float64)
    z = float(norm.ppf(1 - alpha / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = o / nn
        denom = 1 + z * z / nn
        centre = (p + z * z / (2 * nn)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn))
        low = np.where(nn > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(nn > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def _mean_interval(total: F64, sumsq: F64, n: F64, z: float) -> tuple[F64, F64]:
    """Normal interval for a mean from the sum and sum of squares (NaN for n < 2)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / n
        var = np.clip((sumsq - total * total / n) / (n - 1), 0.0, None)
        se = np.sqrt(var / n)
        low = np.where(n >= 2, mean - z * se, np.nan)
        high = np.where(n >= 2, mean + z * se, np.nan)
    return low, high


@dataclass(frozen=True)
class Measures:
    """Measures per lot × period and nationally, with exclusions and member outcomes.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (lot, period), sorted; columns :data:`MEASURE_COLUMNS`
        then the extras (``reoffences_per_100``, frequency and per-offender
        intervals, ``days_to_first_reoffence``, ``follow_up_months``,
        ``waiting_months``, ``rules``).
    national : pandas.DataFrame
        The same columns with ``lot == "ALL"``, one row per period.
    exclusions : pandas.DataFrame
        Rows excluded per lot × period × reason (see :class:`pbr.cohort.Cohort`).
    members : pandas.DataFrame
        Measurable members with ``reoffences``, ``reoffender``,
        ``first_reoffence_date`` and ``window_end``.
    extract_date : datetime.date
    period_kind, rules : str
    follow_up_months, waiting_months : int
    alpha : float

    Examples
    --------
    >>> import pandas as pd
    >>> cohort = pd.DataFrame({"offender_id": ["A"], "lot": ["CPA01"],
    ...     "index_date": pd.to_datetime(["2015-01-05"]), "event_type": ["release"],
    ...     "sex": ["M"], "date_of_birth": pd.to_datetime(["1980-01-01"])})
    >>> offences = cohort.iloc[:0][["offender_id"]].assign(offence_date=pd.NaT,
    ...     disposal_date=pd.NaT, disposal_type="conviction")
    >>> m = compute_measures(cohort, offences, extract_date="2016-07-04")
    >>> m.table.loc[0, "status"], m.latest_final_period()
    ('interim', None)
    """

    table: pd.DataFrame
    national: pd.DataFrame
    exclusions: pd.DataFrame
    members: pd.DataFrame
    extract_date: dt.date
    period_kind: str
    rules: str
    follow_up_months: int
    waiting_months: int
    alpha: float
    eligibility: tuple[str, ...] = ()
    dedupe: str = "quarter"

    def to_frame(self) -> pd.DataFrame:
        """The per-lot table (one row per lot × period).

        Examples
        --------
        >>> import pandas as pd
        >>> c = pd.DataFrame({"offender_id": ["A"], "lot": ["CPA01"],
        ...     "index_date": pd.to_datetime(["2015-01-05"]), "event_type": ["release"],
        ...     "sex": ["M"], "date_of_birth": pd.to_datetime(["1980-01-01"])})
        >>> o = pd.DataFrame({"offender_id": ["A"], "offence_date": pd.to_datetime(["2015-02-01"]),
        ...     "disposal_date": pd.to_datetime(["2015-03-01"]), "disposal_type": ["caution"]})
        >>> list(compute_measures(c, o, extract_date="2017-01-01").to_frame().columns[:4])
        ['lot', 'period', 'eligible', 'cohort_size']
        """
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """Key figures per lot × period followed by the national rows.

        Examples
        --------
        >>> import pandas as pd
        >>> c = pd.DataFrame({"offender_id": ["A"], "lot": ["CPA01"],
        ...     "index_date": pd.to_datetime(["2015-01-05"]), "event_type": ["release"],
        ...     "sex": ["M"], "date_of_birth": pd.to_datetime(["1980-01-01"])})
        >>> o = pd.DataFrame({"offender_id": ["A"], "offence_date": pd.to_datetime(["2015-02-01"]),
        ...     "disposal_date": pd.to_datetime(["2015-03-01"]), "disposal_type": ["caution"]})
        >>> compute_measures(c, o, extract_date="2017-01-01").summary()["lot"].tolist()
        ['CPA01', 'ALL']
        """
        cols = [
            "lot",
            "period",
            "cohort_size",
            "reoffenders",
            "reoffences",
            "binary_rate",
            "binary_ci_low",
            "binary_ci_high",
            "reoffences_per_reoffender",
            "status",
        ]
        return pd.concat([self.table[cols], self.national[cols]], ignore_index=True)

    def latest_final_period(self) -> str | None:
        """The latest period whose national measure is final (``None`` if none is).

        Examples
        --------
        >>> import pandas as pd
        >>> c = pd.DataFrame({"offender_id": ["A", "A"], "lot": ["CPA01"] * 2,
        ...     "index_date": pd.to_datetime(["2015-01-05", "2015-04-05"]),
        ...     "event_type": ["release"] * 2, "sex": ["M"] * 2,
        ...     "date_of_birth": pd.to_datetime(["1980-01-01"] * 2)})
        >>> o = c.iloc[:0][["offender_id"]].assign(offence_date=pd.NaT,
        ...     disposal_date=pd.NaT, disposal_type="conviction")
        >>> compute_measures(c, o, extract_date="2016-07-05").latest_final_period()
        '2015Q1'
        """
        final = self.national.loc[self.national["status"] == "final", "period"]
        return None if final.empty else str(final.iloc[-1])

    def plot(self, ax: Axes | None = None, lots: Sequence[str] | None = None) -> Axes:
        """Binary reoffending rate by period per lot, with Wilson intervals.

        Examples
        --------
        >>> import pandas as pd
        >>> c = pd.DataFrame({"offender_id": ["A"], "lot": ["CPA01"],
        ...     "index_date": pd.to_datetime(["2015-01-05"]), "event_type": ["release"],
        ...     "sex": ["M"], "date_of_birth": pd.to_datetime(["1980-01-01"])})
        >>> o = pd.DataFrame({"offender_id": ["A"], "offence_date": pd.to_datetime(["2015-02-01"]),
        ...     "disposal_date": pd.to_datetime(["2015-03-01"]), "disposal_type": ["caution"]})
        >>> ax = compute_measures(c, o, extract_date="2017-01-01").plot()
        >>> ax.get_ylabel()
        'binary reoffending rate'
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5))
        t = self.table
        periods = sorted(set(t["period"].astype(str)))
        pos = {p: i for i, p in enumerate(periods)}
        chosen = list(lots) if lots is not None else sorted(set(t["lot"].astype(str)))
        for lot in chosen:
            sub = t[t["lot"] == lot]
            if sub.empty:
                continue
            x = np.array([pos[str(p)] for p in sub["period"]])
            y = sub["binary_rate"].to_numpy(float)
            err = np.vstack(
                [
                    y - sub["binary_ci_low"].to_numpy(float),
                    sub["binary_ci_high"].to_numpy(float) - y,
                ]
            )
            ax.errorbar(x, y, yerr=err, marker="o", capsize=3, label=lot)
        ax.set_xticks(range(len(periods)))
        ax.set_xticklabels(periods, rotation=45, ha="right")
        ax.set_xlabel(self.period_kind.replace("_", " "))
        ax.set_ylabel("binary reoffending rate")
        ax.set_title(f"Proven reoffending ({self.rules}), {100 * (1 - self.alpha):g}% Wilson CI")
        if chosen:
            ax.legend(fontsize="small", ncol=2)
        return ax

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>Measures</b> ({self.rules}, {self.period_kind}, follow-up "
            f"{self.follow_up_months} + {self.waiting_months} months, extract "
            f"{self.extract_date.isoformat()}): {len(self.table)} lot × period rows, "
            f"{len(self.members)} members</p>"
        )
        return head + self.table.to_html(index=False) + self.national.to_html(index=False)


def _extract(extract_date: Any) -> dt.date:
    if extract_date is None:
        raise PbrError("extract_date is required (the date the offence data was taken)")
    try:
        day = as_days([extract_date])[0]
    except (ValueError, TypeError) as exc:
        raise PbrError(f"extract_date {extract_date!r} is not a date") from exc
    if np.isnat(day):
        raise PbrError(f"extract_date {extract_date!r} is not a date")
    out: dt.date = day.astype(object)
    return out


# ----------------------------------------------------------------------------- file input

#: Cohort columns the fast path (``validate=False``) reads: those the measures need.
_COHORT_COLS = (
    "offender_id",
    "lot",
    "index_date",
    "event_type",
    "sex",
    "date_of_birth",
    "supervisor",
    "em_only",
    "exclusion_reason",
)
_OFFENCE_COLS = (
    "offender_id",
    "offence_date",
    "disposal_date",
    "disposal_type",
    "breach",
    "appearance_id",
)


_LOW_CARDINALITY = frozenset(
    {"lot", "event_type", "sex", "supervisor", "exclusion_reason", "offence_group", "disposal_type"}
)


def _is_path(x: Any) -> bool:
    return isinstance(x, str | os.PathLike)


def _read_fast(path: Any, wanted: Sequence[str]) -> pa.Table:
    """Read only the wanted columns of a Parquet or CSV file (no row-level validation)."""
    p = Path(path)
    if not p.exists():
        raise PbrError(f"no such file: {p}")
    with open(p, "rb") as fh:
        magic = fh.read(4)
    if magic == b"PAR1":
        pf = pq.ParquetFile(p)
        names = [c for c in wanted if c in pf.schema_arrow.names]
        # low-cardinality text columns stay dictionary-encoded (no per-row strings)
        dict_cols = [c for c in names if c in _LOW_CARDINALITY]
        n_groups = pf.metadata.num_row_groups
        if n_groups <= 1:
            return pq.ParquetFile(p, read_dictionary=dict_cols).read(columns=names)

        # pyarrow decodes one column chunk per thread; reading row groups in parallel
        # uses every core on the few-column tables we need (order is kept)
        def read(groups: list[int]) -> pa.Table:
            f = pq.ParquetFile(p, read_dictionary=dict_cols)
            return f.read_row_groups(groups, columns=names, use_threads=False)

        workers = max(1, min(os.cpu_count() or 1, n_groups))
        n_blocks = min(n_groups, 2 * workers)
        blocks = [b.tolist() for b in np.array_split(np.arange(n_groups), n_blocks)]
        with ThreadPoolExecutor(workers) as ex:
            return pa.concat_tables(list(ex.map(read, blocks)))
    import pyarrow.csv as pacsv

    opts = pacsv.ConvertOptions(
        include_columns=None,
        strings_can_be_null=True,
        column_types={
            **{c: pa.string() for c in ("offender_id", "lot", "appearance_id", "exclusion_reason")},
            **{
                c: pa.date32()
                for c in (
                    "index_date",
                    "date_of_birth",
                    "first_sanction_date",
                    "offence_date",
                    "disposal_date",
                )
            },
        },
    )
    table = pacsv.read_csv(p, convert_options=opts)
    return table.select([c for c in wanted if c in table.column_names])


def _cohort_frame(table: pa.Table) -> pd.DataFrame:
    """Arrow cohort table -> pandas, without per-row Python objects (fast path).

    Text columns become pandas ``string`` (pyarrow-backed, zero copy), except the
    dictionary-encoded low-cardinality ones, which stay pandas categoricals.
    """
    cols: dict[str, Any] = {}
    for name in table.column_names:
        col = table[name].combine_chunks()  # one chunk: fast takes later on
        if pa.types.is_dictionary(col.type):
            cols[name] = pd.Series(col.to_pandas()).astype("category")
        elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            if not pa.types.is_string(col.type):
                col = col.cast(pa.string())
            cols[name] = pd.Series(pd.arrays.ArrowStringArray(col))
        elif pa.types.is_date(col.type) or pa.types.is_timestamp(col.type):
            days = np.asarray(col.cast(pa.date32()).cast(pa.int32()).to_numpy(), np.int64)
            nat = np.asarray(col.is_null().to_numpy(zero_copy_only=False), bool)
            arr = days.astype("datetime64[D]").astype("datetime64[s]")
            arr[nat] = np.datetime64("NaT")
            cols[name] = arr
        else:
            cols[name] = col.to_pandas()
    df = pd.DataFrame(cols)
    if "lot" in df.columns:
        from pbr.lots import default_registry

        lot = df["lot"].astype("category")
        cats = [str(c) for c in lot.cat.categories]
        known = set(default_registry().codes)
        if any(c not in known for c in cats):
            resolved = np.asarray(default_registry().resolve(pd.Series(cats)), dtype=object)
            codes = lot.cat.codes.to_numpy()
            values = resolved[np.maximum(codes, 0)]
            values[codes < 0] = None
            df["lot"] = pd.Series(values, dtype="string")
    return df


@dataclass
class _OffenceArrays:
    ids: Any
    off: npt.NDArray[np.integer[Any]]
    disp: npt.NDArray[np.integer[Any]]
    ok: npt.NDArray[np.bool_]
    appearance: Any


def _offence_arrays_from_table(table: pa.Table, rules: str) -> _OffenceArrays:
    for col in ("offender_id", "offence_date", "disposal_date", "disposal_type"):
        if col not in table.column_names:
            raise PbrError(f"offences table has no column {col!r}")

    def days(name: str) -> npt.NDArray[np.int32]:
        col = table[name]
        if col.null_count:
            raise PbrError(f"offences: {name} is missing in {col.null_count} row(s)")
        # int32 day numbers straight from the date32 buffers
        return np.asarray(col.cast(pa.date32()).cast(pa.int32()).to_numpy(), dtype=np.int32)

    allowed = pa.array(counting_disposals(rules))
    parts = []
    for chunk in table["disposal_type"].chunks:
        if pa.types.is_dictionary(chunk.type):  # test the few distinct values only
            in_dict = np.append(
                np.asarray(
                    pc.fill_null(pc.is_in(chunk.dictionary, value_set=allowed), False).to_numpy(
                        zero_copy_only=False
                    ),
                    dtype=bool,
                ),
                False,
            )
            idx = np.asarray(
                pc.fill_null(chunk.indices, -1).to_numpy(zero_copy_only=False), np.int64
            )
            parts.append(in_dict[idx])
        else:
            parts.append(
                np.asarray(
                    pc.fill_null(pc.is_in(chunk, value_set=allowed), False).to_numpy(
                        zero_copy_only=False
                    ),
                    dtype=bool,
                )
            )
    ok = np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
    if "breach" in table.column_names:
        br = pc.fill_null(table["breach"].cast(pa.bool_()), False)
        ok = ok & ~np.asarray(br.to_numpy(zero_copy_only=False), dtype=bool)
    app = table["appearance_id"] if "appearance_id" in table.column_names else None
    return _OffenceArrays(
        table["offender_id"], days("offence_date"), days("disposal_date"), ok, app
    )


def _offence_arrays_from_frame(df: pd.DataFrame, rules: str) -> _OffenceArrays:
    for col in ("offender_id", "offence_date", "disposal_date", "disposal_type"):
        if col not in df.columns:
            raise PbrError(f"offences table has no column {col!r}")

    def days(name: str) -> npt.NDArray[np.int64]:
        d = as_days(df[name])
        if np.isnat(d).any():
            bad = int(np.flatnonzero(np.isnat(d))[0]) + 1
            raise PbrError(f"offences row {bad}: {name} is missing")
        out: npt.NDArray[np.int64] = d.astype(np.int64)
        return out

    ok = df["disposal_type"].isin(counting_disposals(rules)).to_numpy(dtype=bool, na_value=False)
    if "breach" in df.columns:
        ok = ok & ~df["breach"].astype("boolean").fillna(False).to_numpy(dtype=bool, na_value=False)
    app = df["appearance_id"] if "appearance_id" in df.columns else None
    return _OffenceArrays(df["offender_id"], days("offence_date"), days("disposal_date"), ok, app)


# ----------------------------------------------------------------------------- the measures


_PAGES_LOCK = threading.Lock()
_PAGES_USERS = [0, True]  # [calls inside, numpy's setting before the first one]


@contextlib.contextmanager
def _small_pages() -> Iterator[None]:
    """Turn off numpy's ``madvise(MADV_HUGEPAGE)`` on new arrays while measures run.

    numpy asks the kernel for transparent huge pages for every large array; with
    the common ``defrag=madvise`` setting the kernel then compacts memory inside
    the page fault. The engine allocates many short-lived arrays of tens of
    megabytes, and on the national benchmark (a fresh process) this cost about
    1 s of system time per run (sys 1.5 s -> 0.6 s, wall 3.1 s -> 2.7 s with the
    hint off). The previous setting is restored when the last concurrent call
    returns; only the allocation hint changes, never a result. A no-op where numpy
    lacks the switch.
    """
    multiarray = getattr(getattr(np, "_core", None), "multiarray", None)
    switch = getattr(multiarray, "_set_madvise_hugepage", None)
    if switch is None:  # pragma: no cover - other numpy builds
        yield
        return
    with _PAGES_LOCK:
        if _PAGES_USERS[0] == 0:
            _PAGES_USERS[1] = bool(switch(False))
        _PAGES_USERS[0] = int(_PAGES_USERS[0]) + 1
    try:
        yield
    finally:
        with _PAGES_LOCK:
            _PAGES_USERS[0] = int(_PAGES_USERS[0]) - 1
            if _PAGES_USERS[0] == 0:
                switch(bool(_PAGES_USERS[1]))


#: Fast path: also filter and encode the offences in the background thread.
_PREPARE_IN_BACKGROUND = True


def _day_bounds(days: npt.NDArray[np.int64], fu: int, wait: int) -> tuple[int, int, int]:
    """(earliest index day, latest follow-up end, latest window end) over ``days``."""
    if len(days) == 0:
        return 0, -1, -1
    hi = np.array([days.max()], dtype=np.int64)
    end_fu, end_w = window_ends(hi, fu, wait)  # add_months is monotone
    return int(days.min()), int(end_fu[0]), int(end_w[0])


def _load_prepared(
    path: Any, rules: str, universe: pa.Array, bounds: tuple[int, int, int]
) -> tuple[_OffenceArrays, tuple[Any, Any, Any, Any]]:
    """Read the offences file and keep only rows that can count (fast path).

    Parquet files are streamed row group by row group on all cores: each group is
    read, filtered and its ids encoded, so the 20-million-row id column is never
    held in memory at once. Other files are read whole.
    """
    p = Path(path)
    if p.exists():
        with open(p, "rb") as fh:
            if fh.read(4) == b"PAR1":
                return _stream_prepared(p, rules, universe, bounds)
    oa = _offence_arrays_from_table(_read_fast(path, _OFFENCE_COLS), rules)
    prepared = prepare_offences(oa.ids, oa.off, oa.disp, oa.ok, universe, *bounds)
    if rules != "reconviction_events":  # the ids are no longer needed
        oa = _OffenceArrays(oa.ids[:0], oa.off[:0], oa.disp[:0], oa.ok[:0], None)
    return oa, prepared


def _stream_prepared(
    path: Path, rules: str, universe: pa.Array, bounds: tuple[int, int, int]
) -> tuple[_OffenceArrays, tuple[Any, Any, Any, Any]]:
    pf = pq.ParquetFile(path)
    names = [c for c in _OFFENCE_COLS if c in pf.schema_arrow.names]
    dict_cols = [c for c in names if c in _LOW_CARDINALITY]
    n_groups = pf.metadata.num_row_groups
    starts = np.cumsum([0] + [pf.metadata.row_group(g).num_rows for g in range(n_groups)])
    table = IdTable(universe)
    want_app = rules == "reconviction_events" and "appearance_id" in names

    def encoder(ids: Any, uni: pa.Array, sel: npt.NDArray[np.bool_]) -> Any:
        return encode_selected(ids, uni, sel, table=table, threads=False)

    def work(g: int) -> tuple[Any, Any, Any, Any, Any]:
        t = pq.ParquetFile(path, read_dictionary=dict_cols).read_row_group(
            g, columns=names, use_threads=False
        )
        oa = _offence_arrays_from_table(t, rules)
        code, off, disp, rows = prepare_offences(
            oa.ids, oa.off, oa.disp, oa.ok, universe, *bounds, encoder=encoder
        )
        app = oa.appearance.take(pa.array(rows)) if want_app else None
        return code, off, disp, rows + int(starts[g]), app

    workers = max(1, min(os.cpu_count() or 1, n_groups))
    with ThreadPoolExecutor(workers) as ex:
        parts = list(ex.map(work, range(n_groups)))
    if not parts:
        e = np.empty(0, dtype=np.int64)
        return _OffenceArrays(pa.chunked_array([], pa.string()), e, e, e.astype(bool), None), (
            e.astype(np.int32),
            e.astype(np.int32),
            e.astype(np.int32),
            e,
        )
    code = np.concatenate([x[0] for x in parts])
    off = np.concatenate([x[1] for x in parts])
    disp = np.concatenate([x[2] for x in parts])
    app = pa.chunked_array([x[4] for x in parts]) if want_app else None
    # the appearance ids kept are already aligned with the kept rows: renumber rows
    rows = (
        np.arange(len(code), dtype=np.int64) if want_app else np.concatenate([x[3] for x in parts])
    )
    e = np.empty(0, dtype=np.int32)
    oa = _OffenceArrays(pa.chunked_array([], pa.string()), e, e, e.astype(bool), app)
    return oa, (code, off, disp, rows)


def _built_cohort(
    cohort: Any,
    ext: dt.date,
    period: str,
    eligibility: Sequence[str] | None,
    dedupe: str,
    validate: bool,
) -> Cohort:
    if isinstance(cohort, Cohort):
        if period != cohort.period_kind:
            warnings.warn(
                f"period={period!r} ignored: the Cohort was built with {cohort.period_kind!r}",
                IgnoredOptionWarning,
                stacklevel=4,
            )
        return cohort
    if _is_path(cohort):
        if validate:
            from pbr.io import read_cohort

            frame = read_cohort(cohort, extract_date=ext)
        else:
            frame = _cohort_frame(_read_fast(cohort, _COHORT_COLS))
    elif isinstance(cohort, pd.DataFrame):
        frame = cohort
    else:
        raise PbrError(
            f"cohort must be a DataFrame, a Cohort or a path, not {type(cohort).__name__}"
        )
    return build_cohort(
        frame,
        period=period,  # type: ignore[arg-type]
        rules=eligibility,
        dedupe=dedupe,  # type: ignore[arg-type]
    )


def compute_measures(
    cohort: Any,
    offences: Any,
    *,
    extract_date: Any,
    period: str = "quarter",
    rules: str = "moj_proven",
    follow_up_months: int = 12,
    waiting_months: int = 6,
    eligibility: Sequence[str] | None = None,
    dedupe: str = "quarter",
    alpha: float = 0.05,
    lots: Sequence[str] | None = None,
    validate: bool = True,
) -> Measures:
    """Proven-reoffending measures per lot × period (SPEC §3, §4).

    Parameters
    ----------
    cohort : pandas.DataFrame, Cohort or path
        Cohort events (in-memory form), an already built :class:`~pbr.cohort.Cohort`,
        or a CSV/Parquet path.
    offences : pandas.DataFrame or path
        Proven offences.
    extract_date : date-like
        Date the offence data was taken (required): decides final vs interim.
    period : {"quarter", "financial_year", "calendar_year"}
    rules : {"moj_proven", "convictions_only", "reconviction_events"}
    follow_up_months, waiting_months : int
        Window lengths (default 12 + 6).
    eligibility : sequence of str, optional
        Eligibility rules (default all of :data:`pbr.cohort.ELIGIBILITY_RULES`).
    dedupe : {"quarter", "period"}
        First event per offender per quarter (default) or per period.
    alpha : float
        1 − confidence level of the intervals.
    lots : sequence of str, optional
        Lot codes to keep (default all).
    validate : bool
        For path inputs: read through :func:`pbr.io.read_cohort` /
        :func:`pbr.io.read_offences`, which validate every row (default). With
        ``validate=False`` the files are read directly with pyarrow (only the needed
        columns, row groups in parallel) and **no row-level validation** is done —
        the fast path for trusted extracts (used by the national benchmark).

    Returns
    -------
    Measures

    Examples
    --------
    >>> import pandas as pd
    >>> cohort = pd.DataFrame({"offender_id": ["A", "B", "C"], "lot": ["CPA01"] * 3,
    ...     "index_date": pd.to_datetime(["2015-01-05", "2015-02-10", "2015-03-01"]),
    ...     "event_type": ["release"] * 3, "sex": ["M"] * 3,
    ...     "date_of_birth": pd.to_datetime(["1980-01-01"] * 3)})
    >>> offences = pd.DataFrame({"offender_id": ["A", "A", "B"],
    ...     "offence_date": pd.to_datetime(["2015-03-01", "2015-04-01", "2016-02-11"]),
    ...     "disposal_date": pd.to_datetime(["2015-04-01", "2015-05-01", "2016-03-01"]),
    ...     "disposal_type": ["conviction", "caution", "conviction"]})
    >>> t = compute_measures(cohort, offences, extract_date="2016-09-01").table
    >>> t[["cohort_size", "reoffenders", "reoffences"]].values.tolist()
    [[3, 1, 2]]
    >>> float(t.loc[0, "reoffences_per_reoffender"])
    2.0
    """
    with _small_pages():  # see _small_pages: ~1 s of page-fault time on a fresh process
        ext = _extract(extract_date)
        check_rules(rules)
        fu, wait = check_months(follow_up_months, waiting_months)
        if not 0 < float(alpha) < 1:
            raise PbrError(f"alpha must be between 0 and 1, not {alpha!r}")
        if period not in PERIOD_KINDS:
            raise PbrError(f"unknown period {period!r}; expected one of {PERIOD_KINDS}")

        if not (_is_path(offences) or isinstance(offences, pd.DataFrame)):
            raise PbrError(f"offences must be a DataFrame or a path, not {type(offences).__name__}")
        if validate and _is_path(cohort) and _is_path(offences):
            # both files validated together: one error lists the bad rows of both tables
            from pbr.io import validate as validate_tables

            report = validate_tables(cohort, offences, extract_date=ext)
            cohort, offences = report.cohort, report.offences
        prepared = None
        pending: Future[Any] | None = None
        pool: ThreadPoolExecutor | None = None
        try:
            if _is_path(offences) and not validate:
                # fast path: read, filter and encode the offences in the background while
                # the cohort is built (pyarrow and numpy release the GIL: both cores work)
                pool = ThreadPoolExecutor(1)
                if _PREPARE_IN_BACKGROUND and (
                    _is_path(cohort) or isinstance(cohort, pd.DataFrame)
                ):
                    frame = (
                        _cohort_frame(_read_fast(cohort, _COHORT_COLS))
                        if _is_path(cohort)
                        else cohort
                    )
                    if "offender_id" not in frame.columns or "index_date" not in frame.columns:
                        raise PbrError("cohort table needs offender_id and index_date columns")
                    # hash the ids, start the offences against that (unsorted) universe,
                    # then sort it here while the offences stream
                    idx_d = as_days(frame["index_date"])
                    bounds = _day_bounds(idx_d[~np.isnat(idx_d)].astype(np.int64), fu, wait)
                    fixed = _sorted_codes_fixed(frame["offender_id"])
                    rank: npt.NDArray[np.int64] | None = None
                    if fixed is not None:  # short ids: one sort of exact keys, no hashing
                        offender_codes = fixed
                        universe = fixed[1]
                        pending = pool.submit(_load_prepared, offences, rules, universe, bounds)
                    else:
                        raw_idx, raw_universe = _unsorted_codes_arrow(frame["offender_id"])
                        pending = pool.submit(_load_prepared, offences, rules, raw_universe, bounds)
                        s_codes, universe, rank = _sort_dictionary(raw_idx, raw_universe)
                        offender_codes = (s_codes, universe)
                    built = _build_cohort(
                        frame,
                        period=period,
                        rules=eligibility,
                        dedupe=dedupe,
                        offender_codes=offender_codes,
                    )
                    prepared = pending.result()
                    if built._codes is None or built._codes[1] is not universe:  # pragma: no cover
                        raise AssertionError("offender universe mismatch")
                    oa = prepared[0]
                    code_u, p_off, p_disp, p_rows = prepared[1]
                    # offence codes from unsorted universe positions to sorted ones
                    if rank is not None:
                        code_u = rank[np.asarray(code_u, dtype=np.int64)]
                    prepared = (code_u, p_off, p_disp, p_rows)
                else:
                    pending = pool.submit(
                        lambda: _offence_arrays_from_table(
                            _read_fast(offences, _OFFENCE_COLS), rules
                        )
                    )
                    built = _built_cohort(cohort, ext, period, eligibility, dedupe, validate)
                    oa = pending.result()
            else:
                built = _built_cohort(cohort, ext, period, eligibility, dedupe, validate)
                if _is_path(offences):
                    from pbr.io import read_offences

                    frame_o = read_offences(offences, extract_date=ext)
                    oa = _offence_arrays_from_frame(frame_o, rules)
                else:
                    oa = _offence_arrays_from_frame(offences, rules)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

        members = built.members
        counts = built.summary()
        exclusions = built.exclusions
        codes = built._codes
        if lots is not None:
            keep = {str(x) for x in ([lots] if isinstance(lots, str) else lots)}
            in_lots = members["lot"].isin(keep).to_numpy(dtype=bool, na_value=False)
            members = members[in_lots].reset_index(drop=True)
            if codes is not None:
                codes = (np.asarray(codes[0])[in_lots], codes[1])
            counts = counts[counts["lot"].isin(keep)].reset_index(drop=True)
            exclusions = exclusions[exclusions["lot"].isin(keep)].reset_index(drop=True)

        m_day = as_days(members["index_date"]).astype(np.int64)
        reoff, first, end_w = count_core(
            members["offender_id"],
            m_day,
            oa.ids,
            oa.off,
            oa.disp,
            oa.ok,
            rules=rules,
            follow_up_months=fu,
            waiting_months=wait,
            appearance=oa.appearance,
            member_codes=codes,
            prepared=prepared,
        )
        outcome = outcome_frame(reoff, first, end_w, members.index)
        ext_day = int(np.datetime64(ext, "D").astype(np.int64))

        # group of each member = its row in `counts` (both sorted by lot, period)
        g = np.repeat(np.arange(len(counts)), counts["measurable"].to_numpy(np.int64))
        if len(g) != len(members):  # pragma: no cover - internal invariant
            raise AssertionError("members and lot × period counts disagree")
        table = _aggregate(
            counts[["lot", "period", "eligible"]].reset_index(drop=True),
            g,
            len(counts),
            reoff,
            first,
            m_day,
            end_w,
            ext_day,
            alpha,
        )
        # national: group by period
        pcodes, pnames = pd.factorize(counts["period"], sort=True)
        nat_keys = pd.DataFrame(
            {
                "lot": pd.array(["ALL"] * len(pnames), dtype="string"),
                "period": pd.array(np.asarray(pnames, dtype=object), dtype="string"),
                "eligible": np.bincount(
                    pcodes, weights=counts["eligible"].to_numpy(np.float64), minlength=len(pnames)
                ).astype(np.int64),
            }
        )
        national = _aggregate(
            nat_keys, pcodes[g], len(pnames), reoff, first, m_day, end_w, ext_day, alpha
        )
        for t in (table, national):
            t["follow_up_months"] = np.int64(fu)
            t["waiting_months"] = np.int64(wait)
            t["rules"] = pd.array([rules] * len(t), dtype="string")
        members_out = pd.concat([members, outcome], axis=1)
        return Measures(
            table=table,
            national=national,
            exclusions=exclusions,
            members=members_out,
            extract_date=ext,
            period_kind=built.period_kind,
            rules=rules,
            follow_up_months=fu,
            waiting_months=wait,
            alpha=float(alpha),
            eligibility=built.rules,
            dedupe=built.dedupe,
        )


def _aggregate(
    keys: pd.DataFrame,
    g: npt.NDArray[np.int64],
    n_groups: int,
    reoff: npt.NDArray[np.int64],
    first: npt.NDArray[np.int64],
    m_day: npt.NDArray[np.int64],
    end_w: npt.NDArray[np.int64],
    ext_day: int,
    alpha: float,
) -> pd.DataFrame:
    """Counts, rates, intervals and status per group."""
    g = np.asarray(g, dtype=np.int64)
    n = np.bincount(g, minlength=n_groups).astype(np.int64)
    is_re = reoff > 0
    o = np.bincount(g, weights=is_re, minlength=n_groups).astype(np.int64)
    r: F64 = np.asarray(np.bincount(g, weights=reoff.astype(np.float64), minlength=n_groups), F)
    r2: F64 = np.asarray(
        np.bincount(g, weights=reoff.astype(np.float64) ** 2, minlength=n_groups), F
    )
    days = np.where(is_re, first - m_day, 0).astype(np.float64)
    dsum = np.bincount(g, weights=days, minlength=n_groups)
    # members whose window is still open at the extract date
    pending = np.bincount(g, weights=end_w > ext_day, minlength=n_groups)
    z = float(norm.ppf(1 - alpha / 2))
    nf, of = n.astype(np.float64), o.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        binary = np.where(n > 0, of / nf, np.nan)
        per_re = np.where(o > 0, r / of, np.nan)
        per_off = np.where(n > 0, r / nf, np.nan)
        days_first = np.where(o > 0, dsum / of, np.nan)
    b_lo, b_hi = wilson_interval(o, n, alpha)
    f_lo, f_hi = _mean_interval(r, r2, of, z)
    p_lo, p_hi = _mean_interval(r, r2, nf, z)
    status = np.where(pending == 0, "final", "interim")
    out = keys.copy()
    out["cohort_size"] = n
    out["reoffenders"] = o
    out["reoffences"] = r.astype(np.int64)
    out["binary_rate"] = binary
    out["reoffences_per_reoffender"] = per_re
    out["reoffences_per_offender"] = per_off
    out["binary_ci_low"] = b_lo
    out["binary_ci_high"] = b_hi
    out["status"] = pd.array(status.astype(object), dtype="string")
    out["reoffences_per_100"] = 100.0 * per_off
    out["frequency_ci_low"] = f_lo
    out["frequency_ci_high"] = f_hi
    out["per_offender_ci_low"] = p_lo
    out["per_offender_ci_high"] = p_hi
    out["days_to_first_reoffence"] = days_first
    return out
