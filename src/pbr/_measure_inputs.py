"""Reading the measures' inputs: the cohort built and the offence rows that can count.

What :func:`pbr.measures.compute_measures` does before it counts
(docs/methodology.md#validation, §4–§5):

* two files, validated (the default): both tables cross the io boundary
  together, the offences streamed row group by row group
  (:mod:`pbr.io._microdata_stream`), the cohort built while they stream;
* frames, or files with ``validate=False``: the boundary (frames it already
  validated are not validated again, files are read directly with pyarrow),
  then, when the window bounds are known beforehand, the offences are read and
  selected on a background thread while the offender universe is made and the
  cohort built (each row group's lookup waits for the universe).

Either way the result is a built :class:`~pbr.cohort.Cohort` and the
:class:`~pbr._engine.OffenceRows` that can count, coded in the universe of its
offender codes.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

from pbr._engine import (
    IdCodes,
    IdLookup,
    OffenceRows,
    encode_ids,
    frame_from_arrow,
    is_parquet,
    map_row_groups,
    read_columns,
)
from pbr.cohort import Cohort, build_cohort
from pbr.counting import OFFENCE_COLUMNS, select_offences
from pbr.dates import as_days
from pbr.errors import IgnoredOptionWarning, PbrError
from pbr.io._read import checked_tables
from pbr.io._readers import _LOW_CARDINALITY
from pbr.rulesets import RuleSet

__all__ = ["cohort_and_offences"]

T = TypeVar("T")

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


def _is_path(x: Any) -> bool:
    return isinstance(x, str | os.PathLike)


def _read_fast(path: Any, wanted: Sequence[str]) -> Any:
    """The wanted columns of a Parquet or CSV file, without row-level validation."""
    try:
        return read_columns(path, wanted, dictionary=_LOW_CARDINALITY)
    except FileNotFoundError as exc:
        raise PbrError(f"no such file: {exc.args[0]}") from None


def _fast_cohort_frame(path: Any) -> pd.DataFrame:
    """The cohort file as pandas (no Python objects), lot names resolved to codes."""
    df = frame_from_arrow(_read_fast(path, _COHORT_COLS))
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


#: The offender universe to look offences up in, or a function that waits for it.
Lookup = IdLookup | Callable[[], IdLookup]


def _offence_reader(
    offences: Any, rules: RuleSet
) -> Callable[[Lookup, tuple[int, int, int]], OffenceRows]:
    """How to get the offence rows that can count, given the window bounds.

    Only unvalidated files arrive here as paths (validated ones are frames): Parquet
    files are streamed row group by row group on all cores (read, select, look up:
    the 20-million-row id column never sits in memory whole), CSV files are read
    whole; frames are used as they are. Each row group waits for the offender
    universe (``lookup``, when a function) only once it is read and its rows
    that can count are known.
    """
    if not (_is_path(offences) or isinstance(offences, pd.DataFrame)):
        raise PbrError(f"offences must be a DataFrame or a path, not {type(offences).__name__}")

    def read(lookup: Lookup, bounds: tuple[int, int, int]) -> OffenceRows:
        if isinstance(offences, pd.DataFrame):
            return select_offences(offences, rules, lookup, bounds)
        if is_parquet(offences):
            return OffenceRows.concat(
                map_row_groups(
                    offences,
                    OFFENCE_COLUMNS,
                    lambda t: select_offences(t, rules, lookup, bounds, threads=False),
                    dictionary=_LOW_CARDINALITY,
                )
            )
        return select_offences(_read_fast(offences, OFFENCE_COLUMNS), rules, lookup, bounds)

    return read


def _cohort_source(cohort: Any, period: str) -> Cohort | pd.DataFrame:
    """An already built Cohort (``period`` must agree), or the cohort events as a frame."""
    if isinstance(cohort, Cohort):
        if period != cohort.period_kind:
            warnings.warn(
                f"period={period!r} ignored: the Cohort was built with {cohort.period_kind!r}",
                IgnoredOptionWarning,
                stacklevel=4,
            )
        return cohort
    if isinstance(cohort, pd.DataFrame):
        return cohort
    if not _is_path(cohort):
        raise PbrError(
            f"cohort must be a DataFrame, a Cohort or a path, not {type(cohort).__name__}"
        )
    return _fast_cohort_frame(cohort)  # validated files arrive here as frames


def _bounds(source: Cohort | pd.DataFrame, rules: RuleSet) -> tuple[int, int, int] | None:
    """The window bounds of the offences that can count; None if unknown.

    For events: every event's index date; for a built Cohort: its members'.
    """
    if isinstance(source, Cohort):
        return rules.bounds(as_days(source.members["index_date"]).astype(np.int64))
    if "offender_id" not in source.columns or "index_date" not in source.columns:
        return None  # build_cohort names the missing column
    idx = as_days(source["index_date"])
    return rules.bounds(idx[~np.isnat(idx)].astype(np.int64))


def _universe(source: Cohort | pd.DataFrame) -> IdCodes:
    """Offender codes to look offences up against (the source has its offender ids).

    For events: every event's offender (the cohort is built from these codes);
    for a built Cohort: its members.
    """
    if isinstance(source, Cohort):
        return source.offender_codes or encode_ids(source.members["offender_id"])
    return encode_ids(source["offender_id"])


def cohort_and_offences(
    cohort: Any,
    offences: Any,
    *,
    ext: dt.date,
    rules: RuleSet,
    period: str,
    eligibility: Sequence[str] | None,
    dedupe: str,
    validate: bool,
    count: Callable[[Cohort, OffenceRows], T],
) -> tuple[Cohort, T]:
    """Read the inputs, build the cohort, select the offence rows that can count, count them.

    Returns the built cohort and ``count(cohort, rows)``. When the window
    bounds are known before the cohort is built (unvalidated offence files),
    the offences are read and selected on a background thread while the
    offender universe is made and the cohort built, and looked up once the
    universe exists (pyarrow and numpy release the GIL: both cores work); two
    validated files run ``count`` while the exact-duplicate warning is computed.
    """

    def build(frame: pd.DataFrame, codes: IdCodes | None) -> Cohort:
        return build_cohort(
            frame,
            period=period,  # type: ignore[arg-type]
            eligibility=eligibility,
            dedupe=dedupe,  # type: ignore[arg-type]
            offender_codes=codes,
            validate=False,  # the inputs crossed the io boundary above (or were opted out)
        )

    if validate and _is_path(cohort) and _is_path(offences):
        # two files: validated together, the offences streamed by row group
        return _validated_files(cohort, offences, ext, rules, build, count)
    # files and frames alike cross the io boundary (both at once: one error lists the bad
    # rows of both tables); frames it already validated are not validated again
    cohort, offences = checked_tables(cohort, offences, extract_date=ext, validate=validate)
    read_offences = _offence_reader(offences, rules)
    source = _cohort_source(cohort, period)
    bounds = _bounds(source, rules)
    background = bounds is not None and _is_path(offences) and not validate
    with ThreadPoolExecutor(1) as pool:
        pending: Future[OffenceRows] | None = None
        lookup: Future[IdLookup] = Future()
        if background and bounds is not None:
            # the row groups are read and selected meanwhile; their lookups wait for it
            pending = pool.submit(read_offences, lookup.result, bounds)
        try:
            codes = _universe(source) if bounds is not None else None
            if pending is not None and codes is not None:  # else _member_rows makes its own
                lookup.set_result(IdLookup(codes.universe))
            built = source if isinstance(source, Cohort) else build(source, codes)
        except BaseException as exc:
            if pending is not None:
                pending.cancel()  # a queued read never starts; a running one is awaited
                if not lookup.done():
                    lookup.set_exception(exc)  # a row group waiting for it stops
            raise
        rows = (
            pending.result() if pending is not None else _member_rows(built, rules, read_offences)
        )
    # the events, their codes and the lookup are not needed to count: their memory is free
    del cohort, source, codes, lookup
    return built, count(built, rows)


def _member_rows(
    built: Cohort, rules: RuleSet, read: Callable[[Lookup, tuple[int, int, int]], OffenceRows]
) -> OffenceRows:
    """The offence rows that can count, read once the cohort's members are known."""
    codes = built.offender_codes
    assert codes is not None  # build_cohort always encodes the offenders
    bounds = rules.bounds(as_days(built.members["index_date"]).astype(np.int64))
    return read(IdLookup(codes.universe), bounds)


def _validated_files(
    cohort: Any,
    offences: Any,
    ext: dt.date,
    rules: RuleSet,
    build: Callable[[pd.DataFrame, IdCodes | None], Cohort],
    count: Callable[[Cohort, OffenceRows], T],
) -> tuple[Cohort, T]:
    """Both files validated together (one error lists the bad rows of both tables).

    The offences are validated and selected row group by row group
    (:mod:`pbr.io._microdata_stream`); what is reported is what
    :func:`pbr.io.validate` reports.
    """
    from pbr.io._microdata_stream import validate_streaming

    def keep(columns: Mapping[str, Any]) -> Callable[[Any, Any, Any, Any], Any]:
        bounds = rules.bounds(as_days(columns["index_date"]).astype(np.int64))

        def rows(kind: Any, breach: Any, off: Any, disp: Any) -> Any:
            return rules.can_count(kind, pa.array(breach)) & rules.in_window(off, disp, *bounds)

        return rows

    got = validate_streaming(
        cohort,
        offences,
        extract=np.datetime64(ext, "D"),
        keep=keep,
        appearance=rules.needs_appearance,
        build=build,  # while the offences stream
        then=count,  # while the duplicate warning is computed
    )
    built = got.built
    if built is None:  # an empty cohort: built here (it names what is missing)
        assert got.cohort is not None
        built = build(got.cohort, got.codes)
    if got.then is not None:
        return built, got.then[0]
    if got.rows is not None:
        return built, count(built, got.rows)
    frame = got.offences
    assert frame is not None

    def select(lookup: Lookup, bounds: tuple[int, int, int]) -> OffenceRows:
        return select_offences(frame, rules, lookup, bounds)

    return built, count(built, _member_rows(built, rules, select))
