"""Validating a Parquet offences file row group by row group, selecting as it goes.

The validated path of :func:`pbr.compute_measures` on two files: the cohort is
read and validated whole (:func:`pbr.io.read_cohort`'s checks) while the
offences file is streamed one row group per core, each decoded in batches of
:data:`_BATCH` rows; the cohort is built (the caller's ``build``) while the
last row groups stream. Each row group gets every
row rule of docs/methodology.md#input-data (the same column checks as the
whole-table reader, :func:`pbr.io._checks._check_columns`), a 96-bit
fingerprint per row for the exact-duplicate warning, the offender lookup for
the before-age-10 warning, and the engine's selection of the rows that can
count. Only those selected rows, the fingerprints and a few counts are kept:
the 20-million-row offences table never sits in memory as a whole, and no
pandas objects are made for it.

What is reported is exactly what :func:`pbr.io.validate` reports:

* a file with **any** failing row, a missing required column, duplicate
  column names, an unusual extra column type, no row groups or an unreadable
  row group is handed to the whole-table reader, which builds the failure
  table (so every failure table is the one it builds, only for failing files);
* the warnings of a valid file are computed from the row groups with the same
  rules and the same counts and first rows: NA-like ``appearance_id`` values,
  exact duplicate rows (equal canonical values, missing equals missing), and
  offences dated before the offender's 10th birthday.

Two rows are taken as exact duplicates when their fingerprints agree: one
64-bit and one 32-bit hash, computed independently from each column's
canonical value (every byte of a string). Equal rows always agree; two
different rows agree with probability about ``2**-96`` per pair.

Examples
--------
>>> import pyarrow as pa, pyarrow.parquet as pq
>>> import numpy as np, warnings
>>> pa_c = pa.table({"offender_id": ["A"], "lot": ["CPA01"], "index_date": ["2011-01-01"],
...     "event_type": ["release"], "sex": ["M"], "date_of_birth": ["1980-01-01"]})
>>> pa_o = pa.table({"offender_id": ["A", "A", "A"], "offence_date": ["2011-03-01"] * 3,
...     "disposal_date": ["2011-04-01"] * 3, "disposal_type": ["caution"] * 3})
>>> pq.write_table(pa_c, "c.parquet"); pq.write_table(pa_o, "o.parquet", row_group_size=2)
>>> keep = lambda cohort: lambda kind, breach, off, disp: np.ones(len(off), bool)
>>> with warnings.catch_warnings(record=True) as seen:
...     warnings.simplefilter("always")
...     got = validate_streaming("c.parquet", "o.parquet", extract=np.datetime64("2012-01-01"),
...                              keep=keep, appearance=False)
>>> got.rows.code.tolist(), [str(w.message)[:39] for w in seen]
([0, 0, 0], ['offences: 2 row(s) are exact duplicates'])
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pbr._engine import IdCodes, OffenceRows
from pbr._engine.strings import fixed_keys
from pbr.io._checks import _check_columns, _cross_checks, _raise, _read
from pbr.io._failures import _Failures
from pbr.io._microdata_words import Unsupported, _fingerprint, _key_words
from pbr.io._readers import _dictionary_columns
from pbr.io._rules import _INDEX_COLUMN_RE, _SPECS, BoolArray, IntArray
from pbr.io._warnings import (
    _dup_note,
    _emit,
    _na_like_note,
    _People,
    _people,
    _person_warnings,
    _repeated_top,
    _young,
    _young_note,
)

__all__ = ["Validated", "validate_streaming"]

U64 = npt.NDArray[np.uint64]
I32 = npt.NDArray[np.int32]
#: ``keep(disposal_type, breach, offence_day, disposal_day)``: the rows that can count.
KeepRows = Callable[[pa.Array, BoolArray, I32, I32], BoolArray]

#: Rows per chunk of the per-row work (its numpy temporaries stay small).
_CHUNK = 1 << 17
#: Rows per decoded batch of a row group (the memory a worker holds at a time).
_BATCH = 1 << 18
#: Checked row groups that may wait for the cohort's people (their chunks held).
_HELD_GROUPS = 4
#: The duplicate step looks for repeated top words in 2**_PART_BITS parts.
_PART_BITS = 3


class _Fallback(Exception):
    """The file is read whole instead (invalid rows, or a shape the stream does not take)."""


@dataclass(frozen=True, eq=False)
class Validated:
    """Both tables validated: the cohort, its offender codes and the offence rows.

    Attributes
    ----------
    cohort : pandas.DataFrame or None
        The canonical cohort table (None once ``built`` was made from it and the
        offences were streamed).
    codes : IdCodes
        Its offender ids as codes (the universe the offence rows are coded in).
    rows : OffenceRows or None
        The selected offence rows (streamed), or None when the offences file was
        read whole: then ``offences`` holds the canonical table.
    offences : pandas.DataFrame or None
    built : object
        What the caller's ``build`` made of the cohort, if it was given.
    then : tuple or None
        ``(result,)`` of the caller's ``then(built, rows)`` when it ran (the
        offences were streamed), else None.
    """

    cohort: pd.DataFrame | None
    codes: IdCodes
    rows: OffenceRows | None
    offences: pd.DataFrame | None
    built: Any = None
    then: tuple[Any] | None = None


@dataclass
class _Group:
    """What one row group leaves behind."""

    rows: OffenceRows
    top: npt.NDArray[np.uint32]
    low: npt.NDArray[np.uint32]
    g: npt.NDArray[np.uint32]
    na_hits: int
    young: IntArray


@dataclass
class _Parts:
    """What the batches of one row group leave behind, gathered into a :class:`_Group`.

    ``held``: chunks checked before the cohort's people were known, selected
    once they are (at the end of the row group, in row order).
    """

    rows: list[OffenceRows] = field(default_factory=list)
    top: list[npt.NDArray[np.uint32]] = field(default_factory=list)
    low: list[npt.NDArray[np.uint32]] = field(default_factory=list)
    g: list[npt.NDArray[np.uint32]] = field(default_factory=list)
    young: list[IntArray] = field(default_factory=list)
    na_hits: int = 0
    held: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def group(self) -> _Group:
        def cat(parts: list[Any], dtype: Any) -> Any:
            return np.concatenate(parts) if parts else np.zeros(0, dtype)

        u32 = np.uint32
        top, low, g = cat(self.top, u32), cat(self.low, u32), cat(self.g, u32)
        young = cat(self.young, np.int64)
        return _Group(OffenceRows.concat(self.rows), top, low, g, self.na_hits, young)


class _Stream:
    """The streamed offences file (one row group per task, failures abort)."""

    def __init__(self, path: Path, extract: np.datetime64) -> None:
        self.path, self.extract = path, extract
        #: Set by the caller once the cohort is read: its people and the keep test
        #: (None: the cohort is invalid or empty, the stream stops).
        self.context: Future[tuple[_People, KeepRows] | None] = Future()
        try:
            pf = pq.ParquetFile(path)
            names = [n for n in pf.schema_arrow.names if not _INDEX_COLUMN_RE.match(n)]
            meta = pf.metadata
        except (pa.ArrowException, OSError):
            raise _Fallback from None
        spec = [c.name for c in _SPECS["offences"]]
        required = [c.name for c in _SPECS["offences"] if c.required]
        if len(set(names)) != len(names) or any(c not in names for c in required):
            raise _Fallback
        if meta.num_row_groups == 0:
            raise _Fallback
        self.names = names
        self.spec_names = [c for c in names if c in spec]
        self.extras = [c for c in names if c not in spec]
        self.dictionary = _dictionary_columns(path, "offences")
        sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        self.starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.failed = False
        #: Row groups checked before the cohort's people were known whose selection
        #: waits (at most :data:`_HELD_GROUPS` at a time: the workers go on meanwhile),
        #: and what they gave once selected.
        self.waiting: dict[int, _Parts] = {}
        self.finished: dict[int, _Group | None] = {}
        self.lock = threading.Lock()
        #: One slot per core: the row groups and the caller's cohort work share them
        #: (no more threads compute at once than there are cores).
        self.cores = threading.Semaphore(max(1, os.cpu_count() or 1))

    def group(self, i: int, appearance: bool) -> _Group | None:
        """Row group ``i`` checked and selected (None: it waits in :attr:`waiting`, or failed).

        A worker first selects the row groups left waiting, once the people are known.
        """
        with self.cores:
            return self._group(i, appearance)

    def _group(self, i: int, appearance: bool) -> _Group | None:
        if self.failed:
            return None
        self.finish_waiting(appearance)
        try:
            pf = pq.ParquetFile(self.path, read_dictionary=self.dictionary)
            start, out = int(self.starts[i]), _Parts()
            # the cohort's people, when read by now: one pass; otherwise the lookups wait
            ready = self.context.done()
            # decoded batch by batch: a row group's columns never sit in memory whole
            for batch in pf.iter_batches(
                _BATCH, row_groups=[i], columns=self.names, use_threads=False
            ):
                self._check(pa.Table.from_batches([batch]), start, appearance, ready, out)
                start += batch.num_rows
            if out.held and not self.context.done():
                with self.lock:
                    hold = len(self.waiting) < _HELD_GROUPS
                    if hold:  # the worker checks the next row group instead of waiting
                        self.waiting[i] = out
                if hold:
                    return None
            return self.finish(out, appearance)
        except (_Fallback, Unsupported, pa.ArrowException, OSError):
            self.failed = True
            return None

    def finish_waiting(self, appearance: bool, wait: bool = False) -> None:
        """Select the row groups left waiting, once the people are known (or ``wait``)."""
        if not (wait or self.context.done()):
            return
        with self.lock:
            items = list(self.waiting.items())
            self.waiting.clear()
        for j, out in items:
            self.finished[j] = self.finish(out, appearance)

    def finish(self, out: _Parts, appearance: bool) -> _Group | None:
        """Select the held chunks of a checked row group (waits for the cohort's people)."""
        try:
            for a, part in out.held:
                self._select(part, _keys(part["offender_id"]), appearance, a, out)
            out.held.clear()
            return out.group()
        except (_Fallback, Unsupported, pa.ArrowException, OSError):
            self.failed = True
            return None

    def _check(self, t: pa.Table, start: int, appearance: bool, ready: bool, out: _Parts) -> None:
        """Check and fingerprint one batch; select its rows now (``ready``) or hold them."""
        n = t.num_rows
        fails = _Failures("offences")
        columns = {c: _one_chunk(t.column(c)) for c in self.spec_names}
        cols = _check_columns(columns, n, "offences", self.extract, None, fails)
        _cross_checks("offences", cols.dates, self.extract, fails)
        if fails or self.failed:
            raise _Fallback
        values = {c: cols.values[c] for c in self.spec_names}  # absent ones are constant
        extras = [_one_chunk(t.column(x)) for x in self.extras]
        f = np.empty(n, dtype=np.uint64)
        g = np.empty(n, dtype=np.uint32)
        # small chunks: the numpy temporaries stay in cache and in reused memory
        for a in range(0, n, _CHUNK):
            b = min(n, a + _CHUNK)
            part = {c: _slice(v, a, b) for c, v in values.items()}
            keys = _keys(part["offender_id"])
            words = _key_words(keys) if keys is not None else None
            f[a:b], g[a:b] = _fingerprint(part, [x.slice(a, b - a) for x in extras], b - a, words)
            if ready:
                self._select(part, keys, appearance, start + a, out)
            else:
                out.held.append((start + a, part))
        out.na_hits += cols.na_hits.get("appearance_id", 0)
        out.top.append((f >> np.uint64(32)).astype(np.uint32))
        out.low.append(f.astype(np.uint32))
        out.g.append(g)

    def _select(
        self,
        part: dict[str, Any],
        keys: tuple[U64, U64, U64] | None,
        appearance: bool,
        start: int,
        out: _Parts,
    ) -> None:
        """Append the rows of one chunk that can count, and its rows dated before age 10."""
        context = self.context.result()  # the cohort's people (read meanwhile)
        if context is None:
            raise _Fallback
        people, keep = context
        if not people.lookup.fast:
            keys = None
        ids = part["offender_id"]
        n = len(ids)
        off = part["offence_date"].view(np.int64)
        disp = part["disposal_date"].view(np.int64)
        near = people.may_be_young(off, keys)  # only these can be before age 10
        breach = part.get("breach", np.zeros(n, dtype=bool))
        can = keep(part["disposal_type"], breach, off, disp)
        sel = near | can
        code = np.full(n, -1, dtype=np.int32)
        where = np.flatnonzero(sel)
        if keys is not None:
            code[where] = people.lookup.find(tuple(k[where] for k in keys))  # type: ignore[arg-type]
        else:
            code[where] = people.lookup.codes(ids, sel, threads=False)
        out.young.append(_young(people, code, off, np.flatnonzero(near)) + start)
        take = np.flatnonzero(can & (code >= 0))
        app = None
        if appearance:
            text = part.get("appearance_id", pa.nulls(n, pa.string()))
            app = pa.chunked_array([text], pa.string()).take(pa.array(take))
        out.rows.append(
            OffenceRows(code[take], off[take].astype(np.int32), disp[take].astype(np.int32), app)
        )

    def run(self, appearance: bool) -> list[_Group]:
        k = len(self.starts) - 1
        workers = max(1, min(os.cpu_count() or 1, k))
        with ThreadPoolExecutor(workers) as ex:
            got = list(ex.map(lambda i: self.group(i, appearance), range(k)))
        self.finish_waiting(appearance, wait=True)  # any still waiting (short streams)
        out = [x if x is not None else self.finished.get(i) for i, x in enumerate(got)]
        if self.failed or any(x is None for x in out):
            raise _Fallback
        return [x for x in out if x is not None]


def _one_chunk(col: pa.ChunkedArray) -> pa.Array:
    """The column as one array (a row group's column is usually one chunk already: no copy)."""
    return col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()


def _keys(ids: pa.Array) -> tuple[U64, U64, U64] | None:
    """Fixed keys of a chunk of ids (None: some id is missing or longer than 16 bytes)."""
    return None if ids.null_count else fixed_keys(ids, None)


def _slice(value: Any, a: int, b: int) -> Any:
    """Rows ``a:b`` of a checked column (arrow array, numpy array or (values, present))."""
    if isinstance(value, tuple):
        return tuple(v[a:b] for v in value)
    if isinstance(value, pa.Array):
        return value.slice(a, b - a)
    return value[a:b]


#: The fingerprints of one row group: (top 32 bits, low 32 bits, 32-bit second hash).
_Prints = tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32], npt.NDArray[np.uint32]]


def _duplicates(groups: list[_Prints]) -> tuple[int, int]:
    """(number of rows equal to an earlier row, first such row index), from the fingerprints.

    Rows whose top 32 fingerprint bits repeat are the candidates; among them, rows
    with an earlier row of the same 64 + 32 fingerprint bits are the duplicates.
    """
    sizes = np.array([len(x[0]) for x in groups], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    # one part of the top words at a time (equal words share their top bits): the
    # temporaries are a part's, not the whole file's
    shift = np.uint32(32 - _PART_BITS)
    part = [(x[0] >> shift).astype(np.uint8) for x in groups]
    found: list[IntArray] = []
    for p in range(1 << _PART_BITS):
        rows = [np.flatnonzero(q == p) for q in part]
        top = np.concatenate([x[0][r] for x, r in zip(groups, rows, strict=True)])
        at = np.concatenate([r + starts[i] for i, r in enumerate(rows)])
        found.append(at[_repeated_top(top)])
    del part
    cand = np.sort(np.concatenate(found))
    if len(cand) == 0:
        return 0, -1
    key = np.empty((3, len(cand)), dtype=np.uint32)
    which = np.searchsorted(starts, cand, side="right") - 1
    for i, (top_i, low, g) in enumerate(groups):
        here = np.flatnonzero(which == i)
        local = cand[here] - starts[i]
        key[0, here] = top_i[local]
        key[1, here] = low[local]
        key[2, here] = g[local]
    order = np.lexsort((cand, key[2], key[1], key[0]))
    k = key[:, order]
    same = (k[:, 1:] == k[:, :-1]).all(axis=0)
    dup = cand[order][1:][same]
    return len(dup), int(dup.min()) if len(dup) else -1


def validate_streaming(
    cohort: Any,
    offences: Any,
    *,
    extract: np.datetime64,
    keep: Callable[[Mapping[str, Any]], KeepRows],
    appearance: bool,
    build: Callable[[pd.DataFrame, IdCodes], Any] | None = None,
    then: Callable[[Any, OffenceRows], Any] | None = None,
) -> Validated:
    """Validate both files, streaming the offences (see the module docstring).

    The order of the work (both cores busy): the offence row groups are checked
    and fingerprinted while the cohort is read; the cohort's people (the lookup
    the row groups wait for) are made as soon as its rows pass the checks,
    before its frame and warnings; up to :data:`_HELD_GROUPS` checked row
    groups wait for them with their chunks held while the workers check the
    next ones; then ``build`` runs on the valid cohort while the remaining row
    groups stream. The cohort's read and build hold one core's slot and the
    row groups share the others (no more threads compute at once than there
    are cores: the work the row groups wait for runs at a whole core's speed).

    Parameters
    ----------
    cohort, offences : path
        The two files.
    extract : numpy.datetime64
        The extract date.
    keep : callable
        Given the valid cohort's checked columns (``index_date`` as
        ``datetime64[D]``), returns the ``keep(disposal_type, breach,
        offence_day, disposal_day)`` mask function of the rows that can count.
    appearance : bool
        Keep the selected rows' ``appearance_id``.
    build : callable, optional
        ``build(cohort_frame, codes)``, run on the valid cohort while the
        offences stream (its result is :attr:`Validated.built`, and the frame
        is then dropped). An exception it raises is raised only when both
        tables are valid: a validation error always comes first.
    then : callable, optional
        ``then(built, rows)``, run on the streamed offence rows while the
        exact-duplicate warning is computed on a second thread (its result is
        :attr:`Validated.then`; it does not run when the offences file was read
        whole, nor when ``build`` raised). An exception it raises is raised
        after the warnings.

    Returns
    -------
    Validated

    Raises
    ------
    pbr.errors.ValidationError
        Exactly as :func:`pbr.io.validate`.
    """
    stream: _Stream | None = None
    if Path(offences).is_file():
        try:
            stream = _Stream(Path(offences), extract)
        except _Fallback:
            stream = None
    groups: list[_Group] | None = None
    found: list[tuple[_People, list[str]]] = []
    built: Any = None
    failed: BaseException | None = None

    def checked(values: dict[str, Any]) -> None:
        """The cohort's rows passed: its people, and the row groups' lookups may start."""
        if len(values["offender_id"]) == 0:
            return
        found.append(_people(values))
        if stream is not None:
            stream.context.set_result((found[0][0], keep(values)))

    with ThreadPoolExecutor(1) as background:
        # this thread takes one core's slot before the row groups start (they share
        # the others): the cohort's read and build, which the row groups wait for,
        # run at a whole core's speed
        if stream is not None:
            stream.cores.acquire()
        try:
            # the offences are checked and fingerprinted meanwhile; their lookups wait
            pending = background.submit(stream.run, appearance) if stream is not None else None
            try:
                c = _read(cohort, "cohort", extract, None, checked)
            finally:
                if stream is not None and not stream.context.done():
                    stream.context.set_result(None)
            if build is not None and c.frame is not None and found:
                try:
                    built = build(c.frame, found[0][0].codes)
                except Exception as exc:  # reported after the offences are validated
                    failed = exc
                else:
                    c = replace(c, frame=None)  # its memory is free for the offences
        finally:
            if stream is not None:
                stream.cores.release()
        if pending is not None:
            try:
                groups = pending.result()
            except _Fallback:
                groups = None
    if groups is not None and found:  # both valid (the frame is gone once built)
        people, cohort_notes = found[0]
        hits = sum(x.na_hits for x in groups)
        young = np.concatenate([x.young for x in groups])
        prints = [(x.top, x.low, x.g) for x in groups]
        rows = OffenceRows.concat([x.rows for x in groups])
        del groups
        used: tuple[Any] | None = None
        with ThreadPoolExecutor(1) as background:
            # the duplicate warning on one core while the caller's next step uses the other
            dups = background.submit(_duplicates, prints)
            if then is not None and failed is None:
                try:
                    used = (then(built, rows),)
                except Exception as exc:  # reported after the warnings
                    failed = exc
            count, first = dups.result()
        notes = list(c.notes)
        if hits:
            notes.append(_na_like_note("offences", "appearance_id", hits))
        if count:
            notes.append(_dup_note("offences", count, first))
        notes.extend(cohort_notes)
        if len(young):
            notes.append(_young_note(len(young), int(young[0])))
        _emit(notes)
        if failed is not None:
            raise failed
        return Validated(c.frame, people.codes, rows, None, built, used)
    if c.frame is None and not c.failures:  # built, then the stream fell back: read again
        c = _read(cohort, "cohort", extract, None)
    o = _read(offences, "offences", extract, None)
    _raise([c, o])
    assert c.frame is not None and o.frame is not None
    people, _ = found[0] if found else _people(c.frame)
    _emit(c.notes + o.notes + _person_warnings(c.frame, o.frame))
    if failed is not None:
        raise failed
    return Validated(c.frame, people.codes, None, o.frame, built)
