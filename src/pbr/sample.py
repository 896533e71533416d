"""Seeded synthetic sample data: cohorts and PNC-style offence histories for the 21 lots.

:func:`generate` builds a realistic but entirely **synthetic** data set: the
2011 baseline year plus the six quarterly performance cohorts October 2015 –
March 2017, with offence histories and follow-up offences whose magnitudes
follow the published record (reference/tr_pbr.md §5: all-lot 2011 binary rate
near 47 %, Northumbria highest near 55 %, about 4 reoffences per reoffender).
No real person is represented.

Outcome model. For every index event that starts a follow-up::

    p = logistic(a_lot + B · logit(OGRS3 p_1yr) + effect_lot · [performance period])

with ``B = 0.9``. The intercepts ``a_lot`` are calibrated so that the expected
2011 binary rate of each lot's PbR-measurable cohort equals a target rate
(:data:`LOT_PARAMETERS`); ``effect_lot`` is each lot's hidden **true provider
effect**, solved so that the expected rate of the lot's measurable performance
cohort moves by the stated number of percentage points. Reoffenders receive
``1 + NegBin`` proven reoffences dated inside ``(index, index + 12 months]``.

The bundled copy (``pbr/data/sample/``, read by :func:`load_sample`) is exactly
``generate()`` with the default seed and scale; ``pbr sample --out DIR``
regenerates it.

Examples
--------
>>> from pbr.sample import generate
>>> s = generate(seed=1, scale=0.02)
>>> sorted(s.cohort["lot"].unique())[:3]
['CPA01', 'CPA02', 'CPA03']
>>> bool((s.offences["disposal_date"] <= pd.Timestamp(s.extract_date)).all())
True
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pbr.dates import add_months, age_in_years
from pbr.errors import PbrError
from pbr.lots import default_registry
from pbr.periods import period_bounds, period_codes, period_labels
from pbr.risk.ogrs3 import ogrs3_probability
from pbr.schema import COHORT_COLUMNS, OFFENCE_COLUMNS, OFFENCE_GROUPS, arrow_schema

__all__ = [
    "DEFAULT_SEED",
    "GENERATOR_VERSION",
    "LOT_PARAMETERS",
    "OUTCOME_SLOPE",
    "SAMPLE_EXTRACT_DATE",
    "SampleData",
    "generate",
    "load_sample",
    "sample_paths",
]

#: Seed of the bundled sample (the first day of PbR measurement, 1 Oct 2015).
DEFAULT_SEED = 20151001
#: Version of the generating algorithm; bump whenever the output changes.
GENERATOR_VERSION = "3"
#: Extract date of the sample: 2016Q4 is the latest final quarter, 2017Q1 is interim.
SAMPLE_EXTRACT_DATE = dt.date(2018, 6, 30)
#: Slope ``B`` on ``logit(OGRS3 p_1yr)`` in the outcome model.
OUTCOME_SLOPE = 0.9

#: Per lot: (caseload share, 2011 binary target, reoffences per reoffender,
#: true provider effect in percentage points). Shares approximate the relative
#: CRC caseloads; the targets put the all-lot rate near 47 % and Northumbria
#: highest (55 %, 5.15 reoffences per reoffender, reference/tr_pbr.md §5.2).
LOT_PARAMETERS: dict[str, tuple[float, float, float, float]] = {
    "CPA01": (0.035, 0.552, 5.15, -4.0),  # Northumbria
    "CPA02": (0.025, 0.505, 4.40, -2.0),  # Durham Tees Valley
    "CPA03": (0.045, 0.499, 4.30, -7.0),  # Cumbria & Lancashire
    "CPA04": (0.075, 0.490, 4.30, -2.5),  # Cheshire & Greater Manchester
    "CPA05": (0.035, 0.505, 4.60, -3.5),  # Merseyside
    "CPA06": (0.050, 0.485, 4.20, -1.5),  # West Yorkshire
    "CPA07": (0.050, 0.465, 4.10, -2.0),  # Humberside, Lincolnshire & North Yorkshire
    "CPA08": (0.035, 0.490, 4.30, 0.0),  # South Yorkshire
    "CPA09": (0.065, 0.470, 4.10, -1.0),  # Derbyshire, Leicestershire, Notts & Rutland
    "CPA10": (0.090, 0.465, 4.20, -2.0),  # Staffordshire & West Midlands
    "CPA11": (0.027, 0.450, 3.90, 3.0),  # Warwickshire & West Mercia
    "CPA12": (0.050, 0.450, 4.00, -1.5),  # Beds, Northants, Cambs & Herts
    "CPA13": (0.027, 0.455, 4.00, -3.0),  # Norfolk & Suffolk
    "CPA14": (0.030, 0.450, 4.00, 0.0),  # Essex
    "CPA15": (0.120, 0.445, 4.00, -2.0),  # London
    "CPA16": (0.040, 0.440, 3.90, 0.0),  # Thames Valley
    "CPA17": (0.070, 0.450, 4.00, -1.0),  # Kent, Surrey & Sussex
    "CPA18": (0.038, 0.470, 4.10, -5.5),  # Hampshire & Isle of Wight
    "CPA19": (0.050, 0.470, 4.20, 2.0),  # Bristol, Gloucestershire, Somerset & Wiltshire
    "CPA20": (0.033, 0.460, 4.00, -2.5),  # Dorset, Devon & Cornwall
    "CPA21": (0.065, 0.480, 4.20, -1.5),  # Wales
}

# Periods: label and cohort rows at scale 1 (the baseline year, then performance quarters).
_PERIODS: tuple[tuple[str, int], ...] = (
    ("2011", 30_000),
    ("2015Q4", 7_500),
    ("2016Q1", 7_500),
    ("2016Q2", 7_500),
    ("2016Q3", 7_500),
    ("2016Q4", 7_500),
    ("2017Q1", 7_500),
)

# Index offence mix of a probation caseload (OGRS3 keys, in OFFENCE_GROUPS order).
_GROUP_SHARES = {
    "violence": 22.0,
    "robbery": 2.5,
    "public_order": 5.0,
    "sexual_not_child": 1.5,
    "sexual_child": 1.5,
    "soliciting_prostitution": 0.2,
    "burglary_domestic": 4.0,
    "burglary_other": 3.0,
    "theft_non_motor": 16.0,
    "handling": 2.0,
    "fraud_forgery": 4.0,
    "absconding_bail": 1.5,
    "taking_driving_away": 1.0,
    "theft_from_vehicles": 1.0,
    "other_motoring": 6.0,
    "drink_driving": 6.0,
    "criminal_damage": 4.0,
    "drug_import_export_production": 1.3,
    "drug_possession_supply": 9.0,
    "other": 8.5,
}
_GROUP_MIX = np.array([_GROUP_SHARES[g] for g in OFFENCE_GROUPS])
_GROUP_MIX = _GROUP_MIX / _GROUP_MIX.sum()
_NPS_PROB = np.full(len(OFFENCE_GROUPS), 0.14)
for _g, _p in {
    "violence": 0.28,
    "robbery": 0.5,
    "sexual_not_child": 0.92,
    "sexual_child": 0.95,
    "drug_import_export_production": 0.35,
}.items():
    _NPS_PROB[OFFENCE_GROUPS.index(_g)] = _p

_EVENT_TYPES = np.array(
    ["release", "community_order", "suspended_sentence_order", "caution", "other"]
)
_EVENT_MIX = np.array([0.27, 0.38, 0.22, 0.05, 0.08])
_DISPOSALS = np.array(["conviction", "caution", "pnd", "other"])
_CONVICTION, _CAUTION, _PND, _OTHER = 0, 1, 2, 3
_EXCLUSIONS = np.array(["deceased", "deported", "no_pnc_match"])
_CHECK_LETTERS = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _days(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


def _period_days(label: str) -> tuple[int, int]:
    """First and last day (day numbers, inclusive) of a period label."""
    start, end = period_bounds(label)
    return int(start.astype(np.int64)), int(end.astype(np.int64))


def _addm(days: IntArray, months: int) -> IntArray:
    out: IntArray = add_months(days.astype("datetime64[D]"), months).astype(np.int64)
    return out


def _logit(p: FloatArray) -> FloatArray:
    out: FloatArray = np.log(p / (1.0 - p))
    return out


def _logistic(z: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-z))
    return out


def _allocate(total: int, shares: FloatArray) -> IntArray:
    """Largest-remainder allocation of ``total`` rows to lots by share."""
    raw = total * shares / shares.sum()
    base = np.floor(raw).astype(np.int64)
    rest = total - int(base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    out: IntArray = base
    return out


def _solve_shift(
    lin: FloatArray, groups: IntArray, n_groups: int, target: FloatArray, base: FloatArray
) -> FloatArray:
    """Per group g, the shift s_g with mean(logistic(lin + base_g + s_g)) = target_g (Newton)."""
    counts = np.bincount(groups, minlength=n_groups).astype(float)
    shift = np.zeros(n_groups)
    safe = np.maximum(counts, 1.0)
    for _ in range(60):
        p = _logistic(lin + base[groups] + shift[groups])
        mean = np.bincount(groups, p, minlength=n_groups) / safe
        slope = np.bincount(groups, p * (1 - p), minlength=n_groups) / safe
        step = np.where(counts > 0, (mean - target) / np.maximum(slope, 1e-9), 0.0)
        shift -= np.clip(step, -2.0, 2.0)
        if np.max(np.abs(step)) < 1e-12:
            break
    return shift


@dataclass(frozen=True, eq=False)
class SampleData:
    """A synthetic sample: cohort and offence tables plus the hidden truth.

    Attributes
    ----------
    cohort : pandas.DataFrame
        One row per index event, columns of :data:`pbr.schema.COHORT_COLUMNS`
        in pbr's in-memory form, sorted by ``offender_id`` then ``index_date``.
    offences : pandas.DataFrame
        PNC-style proven offences (history and follow-up), columns of
        :data:`pbr.schema.OFFENCE_COLUMNS`, sorted by ``offender_id``,
        ``offence_date``, ``disposal_date``.
    extract_date : datetime.date
        The date the offence data were "taken" (:data:`SAMPLE_EXTRACT_DATE`).
    true_effects : pandas.DataFrame
        One row per lot: ``lot``, ``name``, ``baseline_target`` (the calibrated
        expected 2011 binary rate), ``effect_log_odds`` (the hidden provider
        effect added to the log-odds of reoffending in the performance period)
        and ``effect_pp`` (the same effect in percentage points of the lot's
        expected rate in the performance period).
    seed : int
        The seed of :func:`numpy.random.default_rng`.
    scale : float
        Size multiplier (1.0 = about 40 000 rows in 2011 and 10 000 a quarter).

    Examples
    --------
    >>> s = generate(seed=3, scale=0.02)
    >>> s.true_effects.set_index("lot").loc["CPA03", "effect_pp"]
    np.float64(-7.0)
    >>> s.summary().columns.tolist()
    ['lot', 'period', 'rows', 'offenders']
    """

    cohort: pd.DataFrame
    offences: pd.DataFrame
    extract_date: dt.date
    true_effects: pd.DataFrame
    seed: int
    scale: float = 1.0

    @property
    def table(self) -> pd.DataFrame:
        """The cohort table (alias of :attr:`cohort`).

        Examples
        --------
        >>> generate(seed=3, scale=0.01).table.columns[0]
        'offender_id'
        """
        return self.cohort

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the cohort table.

        Examples
        --------
        >>> len(generate(seed=3, scale=0.01).to_frame()) > 0
        True
        """
        return self.cohort.copy()

    def summary(self) -> pd.DataFrame:
        """Cohort rows and distinct offenders per lot and period.

        Periods are ``2011`` for the baseline year and quarters (``2015Q4`` …)
        afterwards.

        Examples
        --------
        >>> generate(seed=3, scale=0.01).summary()["period"].unique().tolist()[:2]
        ['2011', '2015Q4']
        """
        period = _sample_period(self.cohort["index_date"])
        frame = pd.DataFrame(
            {"lot": self.cohort["lot"].to_numpy(dtype=object), "period": period}
        ).assign(offender_id=self.cohort["offender_id"].to_numpy(dtype=object))
        out = (
            frame.groupby(["lot", "period"], sort=True)
            .agg(rows=("offender_id", "size"), offenders=("offender_id", "nunique"))
            .reset_index()
        )
        return out

    def truth(self) -> dict[str, Any]:
        """The JSON-serialisable truth record written to ``truth.json``.

        Examples
        --------
        >>> generate(seed=3, scale=0.01).truth()["extract_date"]
        '2018-06-30'
        """
        t = self.true_effects
        effects = {
            str(code): {
                "name": str(name),
                "baseline_target": round(float(target), 6),
                "effect_log_odds": round(float(log_odds), 9),
                "effect_pp": round(float(pp), 6),
            }
            for code, name, target, log_odds, pp in zip(
                t["lot"].tolist(),
                t["name"].tolist(),
                t["baseline_target"].to_numpy(dtype=float),
                t["effect_log_odds"].to_numpy(dtype=float),
                t["effect_pp"].to_numpy(dtype=float),
                strict=True,
            )
        }
        return {
            "description": "Synthetic data generated by pbr.sample.generate; no real person.",
            "extract_date": self.extract_date.isoformat(),
            "generator_version": GENERATOR_VERSION,
            "outcome_slope": OUTCOME_SLOPE,
            "scale": self.scale,
            "seed": self.seed,
            "true_effects": effects,
        }

    def write(self, directory: str | Path) -> list[Path]:
        """Write ``cohort.parquet``, ``offences.parquet`` and ``truth.json``.

        Files are deterministic: explicit Arrow schema
        (:func:`pbr.schema.arrow_schema`), no pandas metadata, zstd
        compression, sorted rows, JSON with sorted keys and no timestamps.
        The same sample written twice gives byte-identical files.

        Parameters
        ----------
        directory : str or Path
            Created if missing; existing files of the same names are replaced.

        Returns
        -------
        list of Path
            The three files written.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     [p.name for p in generate(seed=3, scale=0.01).write(d)]
        ['cohort.parquet', 'offences.parquet', 'truth.json']
        """
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / "cohort.parquet", out / "offences.parquet", out / "truth.json"]
        _write_parquet(self.cohort, COHORT_COLUMNS, paths[0])
        _write_parquet(self.offences, OFFENCE_COLUMNS, paths[1])
        text = json.dumps(self.truth(), indent=2, sort_keys=True) + "\n"
        paths[2].write_bytes(text.encode("utf-8"))
        return paths

    def plot(self, ax: Any = None) -> Any:
        """Bar chart of the hidden true provider effects (percentage points) by lot.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (default: a new figure).

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> ax = generate(seed=3, scale=0.01).plot()
        >>> ax.get_xlabel()
        'true provider effect (percentage points)'
        """
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(7, 6))
        t = self.true_effects.iloc[::-1]
        pp = t["effect_pp"].to_numpy(dtype=float)
        labels = [f"{c} {n}" for c, n in zip(t["lot"], t["name"], strict=True)]
        colours = np.where(pp < 0, "#1b7837", np.where(pp > 0, "#b2182b", "#999999"))
        ax.barh(labels, pp, color=colours)
        ax.axvline(0.0, color="black", linewidth=0.8)
        ax.set_xlabel("true provider effect (percentage points)")
        ax.set_title(f"Synthetic sample (seed {self.seed}): hidden effects, performance period")
        ax.tick_params(axis="y", labelsize=7)
        return ax

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>pbr synthetic sample</b> (seed {self.seed}, scale {self.scale}, "
            f"extract date {self.extract_date.isoformat()}): {len(self.cohort):,} cohort rows, "
            f"{len(self.offences):,} offence rows.</p>"
        )
        return head + str(self.true_effects.to_html(index=False))


def _sample_period(index_date: pd.Series) -> npt.NDArray[np.str_]:
    """The sample's period of each index date: the year up to 2011, then quarters."""
    d = index_date.to_numpy().astype("datetime64[D]")
    years = period_codes(d, "calendar_year")
    out: npt.NDArray[np.str_] = np.where(
        years <= 2011, period_labels(d, "calendar_year"), period_labels(d, "quarter")
    )
    return out


def _write_parquet(frame: pd.DataFrame, spec: Any, path: Path) -> None:
    schema = arrow_schema(spec)
    arrays = []
    for field in schema:
        col = frame[field.name]
        if pa.types.is_date32(field.type):
            days = col.to_numpy().astype("datetime64[D]")
            arrays.append(pa.array(days, type=pa.date32()))
        elif pa.types.is_boolean(field.type):
            arrays.append(pa.array(col.to_numpy(dtype=bool), type=pa.bool_()))
        elif pa.types.is_integer(field.type):
            arrays.append(pa.array(col.astype("Int64"), type=pa.int64(), from_pandas=True))
        else:
            arrays.append(pa.array(col.to_numpy(dtype=object), type=pa.string(), from_pandas=True))
    table = pa.Table.from_arrays(arrays, schema=schema).replace_schema_metadata(None)
    # delta encodings: rows are sorted by offender then date, so ids share prefixes and
    # dates within an offender increase; this halves the file size
    encoding = {
        f.name: "DELTA_BINARY_PACKED" if pa.types.is_date32(f.type) else "DELTA_BYTE_ARRAY"
        for f in schema
        if pa.types.is_date32(f.type) or f.name in ("offender_id", "appearance_id")
    }
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=9,
        use_dictionary=[f.name for f in schema if f.name not in encoding],
        column_encoding=encoding,
        write_statistics=True,
        row_group_size=1 << 20,
        store_schema=False,
    )


def _read_parquet(path: Any, spec: Any) -> pd.DataFrame:
    with path.open("rb") as fh:
        table = pq.read_table(fh, schema=arrow_schema(spec))
    return _frame_from_arrow(table)


def _frame_from_arrow(table: pa.Table) -> pd.DataFrame:
    cols: dict[str, Any] = {}
    for field in table.schema:
        arr = table.column(field.name)
        if pa.types.is_date32(field.type):
            cols[field.name] = pd.Series(
                arr.to_numpy(zero_copy_only=False).astype("datetime64[s]"), name=field.name
            )
        elif pa.types.is_boolean(field.type):
            cols[field.name] = pd.Series(arr.to_numpy(zero_copy_only=False).astype(bool))
        elif pa.types.is_integer(field.type):
            cols[field.name] = pd.Series(pd.array(arr.to_pylist(), dtype="Int64"))
        else:
            cols[field.name] = pd.Series(_strings(arr.combine_chunks()))
    return pd.DataFrame(cols)


def load_sample() -> SampleData:
    """Load the bundled synthetic sample (``generate()`` with the defaults).

    The files ship inside the package (``pbr/data/sample/``) so this works
    from an installed wheel; they are byte-identical to what
    ``pbr sample --out DIR`` writes with the default seed and scale.

    Returns
    -------
    SampleData

    Examples
    --------
    >>> s = load_sample()
    >>> s.seed, s.extract_date.isoformat()
    (20151001, '2018-06-30')
    >>> s.true_effects.set_index("lot").loc["CPA01", "name"]
    'Northumbria'
    """
    root = resources.files("pbr.data").joinpath("sample")
    try:
        cohort = _read_parquet(root.joinpath("cohort.parquet"), COHORT_COLUMNS)
        offences = _read_parquet(root.joinpath("offences.parquet"), OFFENCE_COLUMNS)
        truth = json.loads(root.joinpath("truth.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:  # pragma: no cover - broken installation
        raise PbrError(
            f"bundled sample data not found ({exc}); regenerate with "
            "`pbr sample --out src/pbr/data/sample`"
        ) from None
    effects = pd.DataFrame(
        [
            {
                "lot": code,
                "name": v["name"],
                "baseline_target": float(v["baseline_target"]),
                "effect_log_odds": float(v["effect_log_odds"]),
                "effect_pp": float(v["effect_pp"]),
            }
            for code, v in sorted(truth["true_effects"].items())
        ]
    )
    effects["lot"] = effects["lot"].astype("string")
    effects["name"] = effects["name"].astype("string")
    return SampleData(
        cohort=cohort,
        offences=offences,
        extract_date=dt.date.fromisoformat(truth["extract_date"]),
        true_effects=effects,
        seed=int(truth["seed"]),
        scale=float(truth["scale"]),
    )


def sample_paths() -> dict[str, Path]:
    """File paths of the bundled sample: ``cohort``, ``offences`` and ``truth``.

    For tools that read files (``pbr validate``, :func:`pbr.io.read_cohort`,
    manifests that hash their inputs). The files are those :func:`load_sample`
    reads.

    Returns
    -------
    dict of str to Path
        Keys ``"cohort"`` (``cohort.parquet``), ``"offences"``
        (``offences.parquet``) and ``"truth"`` (``truth.json``).

    Raises
    ------
    PbrError
        If the package is not installed on a file system (e.g. imported from
        a zip file) or the files are missing; :func:`load_sample` still works
        from a zip.

    Examples
    --------
    >>> paths = sample_paths()
    >>> sorted(paths), paths["cohort"].name
    (['cohort', 'offences', 'truth'], 'cohort.parquet')
    """
    root = resources.files("pbr.data").joinpath("sample")
    out: dict[str, Path] = {}
    for key, name in (
        ("cohort", "cohort.parquet"),
        ("offences", "offences.parquet"),
        ("truth", "truth.json"),
    ):
        path = root.joinpath(name)
        if not isinstance(path, Path) or not path.is_file():
            raise PbrError(
                f"bundled sample file {name} is not available as a file ({path}); "
                "use load_sample() or regenerate with `pbr sample --out DIR`"
            )
        out[key] = path
    return out


def _select_lots(lots: Sequence[str] | None) -> list[str]:
    reg = default_registry()
    if lots is None:
        return reg.codes
    if isinstance(lots, str):
        lots = [lots]
    codes = sorted({reg.code_of(str(k)) for k in lots})
    if not codes:
        raise PbrError("lots must name at least one lot")
    return codes


def generate(
    seed: int = DEFAULT_SEED, scale: float = 1.0, *, lots: Sequence[str] | None = None
) -> SampleData:
    """Generate a seeded synthetic sample of cohorts and offence histories.

    Parameters
    ----------
    seed : int, default 20151001
        Seed of :func:`numpy.random.default_rng`. The same seed, scale and
        lots always give identical frames (and byte-identical files).
    scale : float, default 1.0
        Size multiplier: 1.0 gives about 40 000 cohort rows in 2011 and
        10 000 in each quarter 2015Q4 … 2017Q1 (plus ~3 % second events).
    lots : sequence of str, optional
        Lot codes or names to generate (default: all 21). Each lot keeps the
        size it has in the full sample; the random draws differ from the full
        sample's.

    Returns
    -------
    SampleData

    Notes
    -----
    Proportions (of cohort rows): juveniles (15–17) ~3 %, cautions ~5 %,
    ``other`` events ~8 %, NPS ~20 %, EM-only ~2 %, second events of the same
    offender in the same quarter ~3 %, offenders in two performance quarters
    and two 2011 quarters a few %, exclusion reasons (deceased, deported,
    no PNC match) ~2 %. Offences that must not count are included on
    purpose: history before the index date, the index offence itself (a
    caution on the index day for caution events), PNDs, ``other`` disposals,
    breaches, offences after the 12-month window and offences proven after
    the 18-month cut. See the "Synthetic sample data" section of ``docs/methodology.md``.

    Examples
    --------
    >>> a = generate(seed=7, scale=0.02)
    >>> b = generate(seed=7, scale=0.02)
    >>> a.cohort.equals(b.cohort) and a.offences.equals(b.offences)
    True
    """
    if not np.isfinite(scale) or scale <= 0:
        raise PbrError(f"scale must be a positive number, got {scale!r}")
    seed = int(seed)
    if seed < 0:
        raise PbrError(f"seed must be a non-negative integer, got {seed}")
    codes = _select_lots(lots)
    return _Generator(np.random.default_rng(seed), seed, float(scale), codes).run()


class _Generator:
    """The generation pipeline; all steps are vectorised over rows."""

    def __init__(self, rng: np.random.Generator, seed: int, scale: float, codes: list[str]):
        self.rng = rng
        self.seed = seed
        self.scale = scale
        self.codes = codes
        self.extract = _days(SAMPLE_EXTRACT_DATE.isoformat())

    # ------------------------------------------------------------------ cohort
    def _primary_rows(self) -> pd.DataFrame:
        rng = self.rng
        all_codes = list(LOT_PARAMETERS)
        shares = np.array([LOT_PARAMETERS[c][0] for c in all_codes])
        keep = np.array([all_codes.index(c) for c in self.codes])
        period_idx, lot_idx, dates = [], [], []
        for k, (label, n) in enumerate(_PERIODS):
            sizes = _allocate(max(1, round(n * self.scale)), shares)[keep]
            lot_rows = np.repeat(np.arange(len(keep)), sizes)
            s, e = _period_days(label)
            period_idx.append(np.full(len(lot_rows), k))
            lot_idx.append(lot_rows)
            dates.append(rng.integers(s, e + 1, len(lot_rows)))
        n_rows = sum(len(x) for x in lot_idx)
        if n_rows == 0:
            raise PbrError("scale is too small: no cohort rows would be generated")
        ev = pd.DataFrame(
            {
                "period": np.concatenate(period_idx),
                "lot": np.concatenate(lot_idx),
                "d": np.concatenate(dates),
            }
        )
        n = len(ev)
        perf = ev["period"].to_numpy() > 0
        juvenile = rng.random(n) < 0.03
        adult_age = 18 + np.floor(rng.gamma(2.0, np.where(perf, 7.5, 7.0)))
        age = np.where(juvenile, rng.integers(15, 18, n), np.minimum(adult_age, 85))
        d = ev["d"].to_numpy()
        ev["dob"] = d - np.floor(age * 365.25 + rng.random(n) * 364).astype(np.int64)
        ev["female"] = rng.random(n) < np.where(juvenile, 0.15, 0.13)
        ev["group"] = rng.choice(len(OFFENCE_GROUPS), n, p=_GROUP_MIX)
        ev["etype"] = rng.choice(len(_EVENT_TYPES), n, p=_EVENT_MIX)
        ev["nps"] = rng.random(n) < _NPS_PROB[ev["group"].to_numpy()]
        community = np.isin(ev["etype"].to_numpy(), [1, 2])
        ev["em_only"] = community & (rng.random(n) < 0.033)
        ev["person"] = np.arange(n)
        ev["origin"] = (
            0  # 0 = person's first event, 1 = repeat in a later quarter, 2 = same quarter
        )
        ev["src"] = -1  # row this event was derived from
        return ev

    def _link_repeats(self, ev: pd.DataFrame) -> pd.DataFrame:
        """Make some later-quarter events belong to offenders already seen earlier."""
        rng = self.rng
        period = ev["period"].to_numpy()
        d = ev["d"].to_numpy()
        # 2016Q4/2017Q1 events of offenders seen in 2015Q4/2016Q1, at least 13 months
        # later, so that neither event's offences fall in the other's window
        b = np.flatnonzero(np.isin(period, [5, 6]) & (rng.random(len(ev)) < 0.15))
        a = rng.permutation(np.flatnonzero(np.isin(period, [1, 2])))[: len(b)]
        b = b[: len(a)]
        ok = d[b] >= _addm(d[a], 13)
        b, a = b[ok], a[ok]
        for col in ("person", "dob", "female", "lot", "nps"):
            ev.loc[b, col] = ev[col].to_numpy()[a]
        # a later order for the same person: the new event is a court order (no long sentence)
        et = ev["etype"].to_numpy().copy()
        et[b] = np.where(rng.random(len(b)) < 0.6, 1, 2)
        ev["etype"] = et
        ev.loc[b, "em_only"] = False
        ev.loc[b, "origin"] = 1
        ev.loc[b, "src"] = a
        return ev

    def _second_events(self, ev: pd.DataFrame) -> pd.DataFrame:
        """Add a later event of the same offender in the same quarter (~3 %)."""
        rng = self.rng
        d = ev["d"].to_numpy()
        adult = ((d - ev["dob"].to_numpy()) / 365.25) >= 18.01
        eligible = (
            adult
            & ~ev["nps"].to_numpy()
            & np.isin(ev["etype"].to_numpy(), [0, 1, 2])
            & ~ev["em_only"].to_numpy()
        )
        month = d.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        qstart_month = month - month % 3
        qend = (qstart_month + 3).astype("datetime64[M]").astype("datetime64[D]").astype(
            np.int64
        ) - 1
        pick = np.flatnonzero(eligible & (d < qend) & (rng.random(len(ev)) < 0.045))
        new = ev.iloc[pick].copy()
        new["d"] = d[pick] + rng.integers(1, np.maximum(qend[pick] - d[pick], 1) + 1)
        new["etype"] = rng.choice(5, len(pick), p=[0.05, 0.55, 0.30, 0.02, 0.08])
        new["group"] = rng.choice(len(OFFENCE_GROUPS), len(pick), p=_GROUP_MIX)
        new["em_only"] = False
        new["origin"] = 2
        new["src"] = pick
        return pd.concat([ev, new], ignore_index=True)

    def _history_attributes(self, ev: pd.DataFrame) -> pd.DataFrame:
        """Index offence, first sanction date and sanction count of every event."""
        rng = self.rng
        n = len(ev)
        d = ev["d"].to_numpy()
        dob = ev["dob"].to_numpy()
        etype = ev["etype"].to_numpy()
        perf = ev["period"].to_numpy() > 0
        origin = ev["origin"].to_numpy()
        src = ev["src"].to_numpy()
        age10 = _addm(dob, 120)
        served = 20 + np.floor(rng.gamma(1.5, 80.0, n)).astype(np.int64)
        idx_disp = np.where(etype == 0, d - served, d)
        idx_disp = np.maximum(idx_disp, age10 + 1)
        lag = 7 + np.floor(rng.gamma(1.5, 40.0, n)).astype(np.int64)
        idx_off = np.where(etype == 3, d, idx_disp - lag)
        # repeats: offence shortly before the new order (after the earlier window)
        idx_off = np.where(origin == 1, idx_disp - rng.integers(1, 29, n), idx_off)
        idx_off = np.maximum(idx_off, age10)
        # second events in a quarter: offence committed before the first event
        first_d = np.where(origin == 2, d[np.maximum(src, 0)], d)
        idx_off = np.where(origin == 2, first_d - rng.integers(0, 61, n), idx_off)
        idx_off = np.minimum(idx_off, idx_disp)

        juvenile = (d - dob) / 365.25 < 18
        first_timer = rng.random(n) < np.where(juvenile, 0.35, 0.15)
        age_first_years = 10 + rng.gamma(1.6, 3.5, n)
        first_date = dob + np.floor(age_first_years * 365.25).astype(np.int64)
        first_date = np.clip(first_date, age10, idx_disp - 1)
        years = (idx_disp - first_date) / 365.25
        lam = rng.gamma(1.5, np.where(perf, 0.40, 0.36) / 1.5)
        sanctions = 2 + rng.poisson(lam * years)
        sanctions = np.minimum(sanctions, 150)
        sanctions = np.where(first_timer, 1, sanctions)
        first_date = np.where(first_timer, idx_disp, first_date)
        # derived events inherit the person's record (origin 1 from 0; origin 2 from 0 or 1)
        for o in (1, 2):
            m = np.flatnonzero(origin == o)
            s = src[m]
            first_date[m] = first_date[s]
            sanctions[m] = sanctions[s] + 1 + rng.poisson(1.5 if o == 1 else 0.3, len(m))
        ev["idx_disp"] = idx_disp
        ev["idx_off"] = idx_off
        ev["first_date"] = np.minimum(first_date, d)
        ev["sanctions"] = np.minimum(sanctions, 200)
        return ev

    def _exclusions(self, ev: pd.DataFrame) -> pd.DataFrame:
        rng = self.rng
        single = ev.groupby("person")["person"].transform("size").to_numpy() == 1
        u = rng.random(len(ev))
        reason = np.full(len(ev), -1)
        reason[single & (u < 0.006)] = 0
        reason[single & (u >= 0.006) & (u < 0.012)] = 1
        reason[single & (u >= 0.012) & (u < 0.020)] = 2
        ev["excl"] = reason
        return ev

    # --------------------------------------------------------------- outcomes
    def _draw(self, ev: pd.DataFrame, lin: FloatArray) -> BoolArray:
        """Draw reoffending: logistic(a_lot + B·logit(OGRS3) + effect_lot·[performance])."""
        lot = ev["lot"].to_numpy()
        perf = ev["period"].to_numpy() > 0
        z = lin + self.intercept[lot] + np.where(perf, self.effect[lot], 0.0)
        out: BoolArray = self.rng.random(len(ev)) < _logistic(z)
        return out

    def _risk(self, ev: pd.DataFrame) -> tuple[FloatArray, IntArray]:
        """``B·logit(OGRS3 p_1yr)`` and the age at the index date of every event."""
        d = ev["d"].to_numpy()
        dob = ev["dob"].to_numpy()
        dob_days = dob.astype("datetime64[D]")
        age = age_in_years(dob_days, d.astype("datetime64[D]"))
        age_first = age_in_years(dob_days, ev["first_date"].to_numpy().astype("datetime64[D]"))
        sex = np.where(ev["female"].to_numpy(), "F", "M")
        group = np.array(OFFENCE_GROUPS, dtype=object)[ev["group"].to_numpy()]
        p1, _ = ogrs3_probability(sex, age, group, ev["sanctions"].to_numpy(), age_first)
        lin: FloatArray = OUTCOME_SLOPE * _logit(np.clip(p1, 1e-6, 1 - 1e-6))
        return lin, age

    def _outcomes(self, ev: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        lin, age = self._risk(ev)
        lot = ev["lot"].to_numpy()
        perf = ev["period"].to_numpy() > 0
        measurable = (
            (age >= 18)
            & ~ev["nps"].to_numpy()
            & np.isin(ev["etype"].to_numpy(), [0, 1, 2])
            & ~ev["em_only"].to_numpy()
            & (ev["excl"].to_numpy() < 0)
            & (ev["origin"].to_numpy() != 2)
        )
        n_lots = len(self.codes)
        params = np.array([LOT_PARAMETERS[c] for c in self.codes])
        target, freq, eff_pp = params[:, 1], params[:, 2], params[:, 3]
        zero = np.zeros(n_lots)
        base = measurable & ~perf
        intercept = _solve_shift(lin[base], lot[base], n_lots, target, zero)
        # effect: shift so that the expected performance rate moves by eff_pp points
        pm = measurable & perf
        counts = np.maximum(np.bincount(lot[pm], minlength=n_lots), 1)
        no_eff = np.bincount(lot[pm], _logistic(lin[pm] + intercept[lot[pm]]), n_lots) / counts
        effect = _solve_shift(lin[pm], lot[pm], n_lots, no_eff + eff_pp / 100.0, intercept)
        self.intercept, self.effect, self.freq = intercept, effect, freq
        ev["reoffends"] = self._draw(ev, lin)
        ev["measurable"] = measurable
        reg = default_registry()
        truth = pd.DataFrame(
            {
                "lot": pd.array(self.codes, dtype="string"),
                "name": pd.array([reg.name_of(c) for c in self.codes], dtype="string"),
                "baseline_target": target,
                "effect_log_odds": effect,
                "effect_pp": eff_pp,
            }
        )
        ev["freq"] = freq[lot]
        return ev, truth

    # --------------------------------------------------------------- offences
    def _pick_parents(self, ev: pd.DataFrame) -> BoolArray:
        """Measurable single-event reoffenders whose last reoffence starts a new order."""
        single = ev.groupby("person")["person"].transform("size").to_numpy() == 1
        out: BoolArray = (
            ev["measurable"].to_numpy(dtype=bool)
            & ev["reoffends"].to_numpy(dtype=bool)
            & single
            & (self.rng.random(len(ev)) < 0.10)
        )
        return out

    def _children(
        self, ev: pd.DataFrame, src: IntArray, date: IntArray, off: IntArray, group: IntArray
    ) -> pd.DataFrame:
        """New court orders that start on the disposal date of a parent's last reoffence.

        The child's index offence is that reoffence (already in the offence table), so the
        parent's reoffending is not changed; the parent's reoffences all precede the child's
        index date, so none of them counts for the child. Children outside the sample's
        periods are dropped.
        """
        rng = self.rng
        period = np.full(len(date), -1)
        for k, (label, _n) in enumerate(_PERIODS):
            s, e = _period_days(label)
            period[(date >= s) & (date <= e)] = k
        keep = period >= 0
        src, date, off, group, period = src[keep], date[keep], off[keep], group[keep], period[keep]
        n = len(src)
        new = ev.iloc[src].copy()
        new["period"] = period
        new["d"] = date
        new["etype"] = np.where(rng.random(n) < 0.6, 1, 2)
        new["em_only"] = False
        new["group"] = group
        new["origin"] = 3
        new["src"] = src
        new["idx_disp"] = date
        new["idx_off"] = off
        sanctions = ev["sanctions"].to_numpy()[src] + 1 + rng.poisson(0.5, n)
        new["sanctions"] = np.minimum(sanctions, 200)
        new["excl"] = -1
        new["parent"] = False
        new["measurable"] = False
        lin, _ = self._risk(new)
        new["reoffends"] = self._draw(new, lin)
        new["freq"] = self.freq[new["lot"].to_numpy()]
        return pd.concat([ev, new], ignore_index=True)

    def _reoffences(
        self, ev: pd.DataFrame, r: IntArray
    ) -> tuple[dict[str, Any], IntArray, IntArray, IntArray, IntArray]:
        """Proven reoffences of the events ``r``; and the last one of each parent event."""
        rng = self.rng
        d_all = ev["d"].to_numpy()
        cut_all = _addm(d_all, 18)
        parent = ev["parent"].to_numpy(dtype=bool)
        mu = np.maximum((ev["freq"].to_numpy()[r] / 1.04 - 1.0) / 0.95, 0.05)
        shape = 1.5
        k = 1 + rng.negative_binomial(shape, shape / (shape + mu))
        row = np.repeat(r, k)
        d, end, cut = d_all[row], _addm(d_all[row], 12), cut_all[row]
        width = end - d
        off = d + 1 + np.floor(width * rng.random(len(row)) ** 1.4).astype(np.int64)
        off = np.minimum(off, end)
        order = np.lexsort((off, row))
        row, d, end, cut, off = row[order], d[order], end[order], cut[order], off[order]
        first = np.r_[True, row[1:] != row[:-1]]
        late = ~first & (rng.random(len(row)) < 0.05) & ~parent[row]
        lag = 1 + np.floor(rng.gamma(1.3, 45.0, len(row))).astype(np.int64)
        disp = np.where(late, cut + 1 + np.floor(rng.gamma(1.5, 60.0, len(row))), off + lag)
        disp = np.where(late, disp, np.minimum(disp, cut)).astype(np.int64)
        dtype = np.where(rng.random(len(row)) < 0.12, _CAUTION, _CONVICTION)
        # a parent's reoffences are convictions: the last one starts the follow-on order
        dtype = np.where(parent[row], _CONVICTION, dtype)
        conv = (dtype == _CONVICTION) & ~late
        share = conv & np.r_[False, conv[:-1]] & ~first & (rng.random(len(row)) < 0.3)
        cluster = np.cumsum(~share) - 1
        starts_idx = np.flatnonzero(~share)
        cluster_disp = np.maximum.reduceat(disp, starts_idx)
        disp = cluster_disp[cluster]
        dup = rng.random(len(row)) < 0.04
        rep = 1 + dup.astype(np.int64)
        groups = rng.choice(len(OFFENCE_GROUPS), len(row), p=_GROUP_MIX)
        piece = self._piece(
            ev,
            np.repeat(row, rep),
            np.repeat(off, rep),
            np.repeat(disp, rep),
            np.repeat(dtype, rep),
            False,
            np.repeat(groups, rep),
            app=np.repeat(np.where(dtype == _CONVICTION, cluster, -1), rep),
        )
        # the last-proven reoffence of each parent event
        idx = np.flatnonzero(parent[row])
        idx = idx[np.lexsort((disp[idx], row[idx]))]
        last = idx[np.r_[row[idx][1:] != row[idx][:-1], True]] if len(idx) else idx
        return piece, row[last], disp[last], off[last], groups[last]

    def _noncounting(self, ev: pd.DataFrame) -> list[dict[str, Any]]:
        """Follow-up rows that must not count (PNDs, other, breaches, after the window...)."""
        rng = self.rng
        pieces: list[dict[str, Any]] = []
        active = (ev["origin"].to_numpy() != 2) & (ev["excl"].to_numpy() < 0)
        d_all = ev["d"].to_numpy()
        end_all = _addm(d_all, 12)
        cut_all = _addm(d_all, 18)
        n = len(ev)

        def in_window(rows: IntArray) -> IntArray:
            w = end_all[rows] - d_all[rows]
            out: IntArray = d_all[rows] + 1 + np.floor(w * rng.random(len(rows))).astype(np.int64)
            return np.minimum(out, end_all[rows])

        etype = ev["etype"].to_numpy()
        # penalty notices for disorder and 'other' disposals inside the window
        for dtyp, share_ in ((_PND, 0.06), (_OTHER, 0.03)):
            rows = np.flatnonzero(active & (rng.random(n) < share_))
            o = in_window(rows)
            pieces.append(
                self._piece(ev, rows, o, o + rng.integers(0, 31, len(rows)), dtyp, False, None)
            )
        # breaches of the order or licence (convictions, but not new offences)
        rows = np.flatnonzero(active & np.isin(etype, [0, 1, 2]) & (rng.random(n) < 0.10))
        o = in_window(rows)
        pieces.append(
            self._piece(
                ev, rows, o, o + 1 + rng.integers(0, 60, len(rows)), _CONVICTION, True, None
            )
        )
        # offences committed after the 12-month window (within the next month)
        # (not for parents: it would fall in the child's window)
        rows = np.flatnonzero(active & ~ev["parent"].to_numpy(dtype=bool) & (rng.random(n) < 0.08))
        o = (
            end_all[rows]
            + 1
            + np.floor((_addm(d_all[rows], 13) - end_all[rows] - 1) * rng.random(len(rows))).astype(
                np.int64
            )
        )
        pieces.append(
            self._piece(
                ev, rows, o, o + 1 + rng.integers(0, 120, len(rows)), _CONVICTION, False, None
            )
        )
        # non-reoffenders whose in-window offence was proven only after the 18-month cut
        rows = np.flatnonzero(active & ~ev["reoffends"].to_numpy() & (rng.random(n) < 0.02))
        o = in_window(rows)
        pieces.append(
            self._piece(
                ev,
                rows,
                o,
                cut_all[rows] + 1 + rng.integers(0, 120, len(rows)),
                _CONVICTION,
                False,
                None,
            )
        )
        # a caution on the index day itself for some court-order/release events
        rows = np.flatnonzero(active & np.isin(etype, [0, 1, 2]) & (rng.random(n) < 0.015))
        pieces.append(self._piece(ev, rows, d_all[rows], d_all[rows], _CAUTION, False, None))
        return pieces

    def _history(self, ev: pd.DataFrame) -> list[dict[str, Any]]:
        rng = self.rng
        pieces: list[dict[str, Any]] = []
        has_pnc = ev["excl"].to_numpy() != 2
        etype = ev["etype"].to_numpy()
        # the index offence itself (the current sanction); a child's is its parent's reoffence
        rows = np.flatnonzero(has_pnc & (ev["origin"].to_numpy() != 3))
        idx_type = np.where(etype[rows] == 3, _CAUTION, _CONVICTION)
        pieces.append(
            self._piece(
                ev,
                rows,
                ev["idx_off"].to_numpy()[rows],
                ev["idx_disp"].to_numpy()[rows],
                idx_type,
                False,
                ev["group"].to_numpy()[rows],
                app=np.where(idx_type == _CONVICTION, np.arange(len(rows)), -1),
            )
        )
        # earlier sanction occasions: sanctions - 1 of them, before the person's first event
        first_ev = has_pnc & (ev["origin"].to_numpy() == 0)
        rows = np.flatnonzero(first_ev)
        n_occ = ev["sanctions"].to_numpy()[rows] - 1
        row = np.repeat(rows, n_occ)
        first_date = ev["first_date"].to_numpy()[row]
        idx_disp = ev["idx_disp"].to_numpy()[row]
        span = np.maximum(idx_disp - first_date - 1, 0)
        disp = first_date + 1 + np.floor(span * rng.random(len(row))).astype(np.int64)
        disp = np.minimum(disp, idx_disp)
        occ_first = np.r_[True, row[1:] != row[:-1]] if len(row) else np.zeros(0, bool)
        disp = np.where(occ_first, first_date, disp)
        age10 = _addm(ev["dob"].to_numpy()[row], 120)
        off = np.maximum(disp - np.floor(rng.gamma(1.2, 30.0, len(row))).astype(np.int64), age10)
        off = np.minimum(off, disp)
        dtype = np.where(rng.random(len(row)) < 0.22, _CAUTION, _CONVICTION)
        extra = (dtype == _CONVICTION) & (rng.random(len(row)) < 0.12)
        rep = 1 + extra.astype(np.int64)
        off2 = np.repeat(off, rep)
        second = np.zeros(len(off2), bool)
        second[np.cumsum(rep)[extra] - 1] = True
        off2 = np.where(
            second, np.maximum(off2 - rng.integers(0, 30, len(off2)), np.repeat(age10, rep)), off2
        )
        app = np.where(dtype == _CONVICTION, np.arange(len(row)), -1)
        pieces.append(
            self._piece(
                ev,
                np.repeat(row, rep),
                off2,
                np.repeat(disp, rep),
                np.repeat(dtype, rep),
                False,
                None,
                app=np.repeat(app, rep),
            )
        )
        # historical penalty notices and breaches (not sanctions in OGRS3 terms)
        n_r = len(rows)
        for dtyp, breach, share_ in ((_PND, False, 0.15), (_CONVICTION, True, 0.10)):
            sel = rows[rng.random(n_r) < share_]
            lo = np.maximum(ev["first_date"].to_numpy()[sel], _addm(ev["dob"].to_numpy()[sel], 120))
            hi = ev["idx_disp"].to_numpy()[sel]
            o = lo + np.floor(np.maximum(hi - lo - 1, 0) * rng.random(len(sel))).astype(np.int64)
            pieces.append(self._piece(ev, sel, o, np.minimum(o + 14, hi), dtyp, breach, None))
        return pieces

    def _piece(
        self,
        ev: pd.DataFrame,
        rows: IntArray,
        off: Any,
        disp: Any,
        dtype: Any,
        breach: bool,
        group: Any,
        *,
        app: IntArray | None = None,
    ) -> dict[str, Any]:
        n = len(rows)
        if group is None:
            group = self.rng.choice(len(OFFENCE_GROUPS), n, p=_GROUP_MIX)
        if app is None:
            app = np.where(np.asarray(dtype) == _CONVICTION, np.arange(n), -1)
            app = np.broadcast_to(app, (n,))
        return {
            "person": ev["person"].to_numpy()[rows],
            "off": np.broadcast_to(np.asarray(off, dtype=np.int64), (n,)),
            "disp": np.broadcast_to(np.asarray(disp, dtype=np.int64), (n,)),
            "dtype": np.broadcast_to(np.asarray(dtype, dtype=np.int64), (n,)),
            "breach": np.full(n, breach),
            "group": np.asarray(group, dtype=np.int64),
            "app": np.asarray(app, dtype=np.int64),
        }

    # ------------------------------------------------------------------- run
    def run(self) -> SampleData:
        ev = self._primary_rows()
        ev = self._link_repeats(ev)
        ev = self._second_events(ev)
        ev = self._history_attributes(ev)
        ev = self._exclusions(ev)
        ev, truth = self._outcomes(ev)
        ev["parent"] = self._pick_parents(ev)
        active = (ev["origin"].to_numpy() != 2) & (ev["excl"].to_numpy() < 0)
        first = self._reoffences(ev, np.flatnonzero(active & ev["reoffends"].to_numpy()))
        n_before = len(ev)
        ev = self._children(ev, *first[1:])
        kids = np.arange(n_before, len(ev))
        second = self._reoffences(ev, kids[ev["reoffends"].to_numpy(dtype=bool)[kids]])
        pieces = [*self._history(ev), first[0], second[0], *self._noncounting(ev)]
        ids = self._offender_ids(int(ev["person"].max()) + 1)
        cohort = self._cohort_frame(ev, ids)
        offences = self._offence_frame(pieces, ids)
        return SampleData(
            cohort=cohort,
            offences=offences,
            extract_date=SAMPLE_EXTRACT_DATE,
            true_effects=truth,
            seed=self.seed,
            scale=self.scale,
        )

    def _offender_ids(self, n_persons: int) -> npt.NDArray[np.str_]:
        if n_persons >= 9_000_000:
            raise PbrError("scale too large: at most 9 000 000 distinct offenders")
        nums = self.rng.choice(9_999_999, n_persons, replace=False) + 1
        digits = np.char.zfill(nums.astype(str), 7)
        letters = _CHECK_LETTERS[nums % len(_CHECK_LETTERS)]
        out: npt.NDArray[np.str_] = np.char.add(np.char.add("PNC", digits), letters)
        return out

    def _cohort_frame(self, ev: pd.DataFrame, ids: npt.NDArray[np.str_]) -> pd.DataFrame:
        person = ev["person"].to_numpy()
        frame = pd.DataFrame(
            {
                "offender_id": _strings(ids).take(person),
                "lot": _take(self.codes, ev["lot"].to_numpy()),
                "index_date": _to_dates(ev["d"].to_numpy()),
                "event_type": _take(_EVENT_TYPES, ev["etype"].to_numpy()),
                "sex": _take(["M", "F"], ev["female"].to_numpy().astype(np.int64)),
                "date_of_birth": _to_dates(ev["dob"].to_numpy()),
                "supervisor": _take(["CRC", "NPS"], ev["nps"].to_numpy().astype(np.int64)),
                "em_only": ev["em_only"].to_numpy(dtype=bool),
                "exclusion_reason": _take(_EXCLUSIONS, ev["excl"].to_numpy()),
                "offence_group": _take(OFFENCE_GROUPS, ev["group"].to_numpy()),
                "sanctions": pd.array(ev["sanctions"].to_numpy(dtype=np.int64), dtype="Int64"),
                "first_sanction_date": _to_dates(ev["first_date"].to_numpy()),
            }
        )
        rank = _rank(ids)
        order = np.lexsort(
            (ev["group"].to_numpy(), ev["etype"].to_numpy(), ev["d"].to_numpy(), rank[person])
        )
        return frame.iloc[order].reset_index(drop=True)

    def _offence_frame(
        self, pieces: list[dict[str, Any]], ids: npt.NDArray[np.str_]
    ) -> pd.DataFrame:
        cols = {k: np.concatenate([p[k] for p in pieces]) for k in pieces[0]}
        # appearance keys unique across pieces
        app = cols["app"].copy()
        offset = 0
        pos = 0
        for p in pieces:
            m = len(p["app"])
            seg = app[pos : pos + m]
            seg[seg >= 0] += offset
            if m:
                offset += max(int(p["app"].max()), -1) + 1
            pos += m
        keep = (cols["disp"] <= self.extract) & (cols["off"] <= cols["disp"])
        cols = {k: v[keep] for k, v in cols.items()}
        app = app[keep]
        prank = _rank(ids)[cols["person"]]
        order = _sort_order(
            [prank, cols["off"], cols["disp"], cols["dtype"], cols["breach"], cols["group"], app]
        )
        cols = {k: v[order] for k, v in cols.items()}
        app = app[order]
        # number appearances in order of first occurrence: APP00000001, ...
        conv = app >= 0
        keys = app[conv]
        at = np.arange(len(keys))
        first = np.zeros(offset + 1, np.int64)
        first[keys[::-1]] = at[::-1]  # repeated indices: the last assignment (first row) wins
        is_first = first[keys] == at
        serial = pa.array(np.cumsum(is_first)[first[keys]])
        labels = pc.binary_join_element_wise(
            "APP", pc.utf8_lpad(pc.cast(serial, pa.string()), 8, "0"), ""
        )
        app_id = _strings(labels).take(np.where(conv, np.cumsum(conv) - 1, -1), allow_fill=True)
        return pd.DataFrame(
            {
                "offender_id": _strings(ids).take(cols["person"]),
                "offence_date": _to_dates(cols["off"]),
                "disposal_date": _to_dates(cols["disp"]),
                "disposal_type": _take(_DISPOSALS, cols["dtype"]),
                "breach": cols["breach"].astype(bool),
                "offence_group": _take(OFFENCE_GROUPS, cols["group"]),
                "appearance_id": app_id,
            }
        )


def _strings(values: Any) -> Any:
    """A pandas ``string`` array built through Arrow (fast for large arrays)."""
    arr = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    return pd.arrays.ArrowStringArray(arr)


def _take(categories: Any, codes: IntArray) -> Any:
    """Strings ``categories[codes]`` as a ``string`` array; code -1 gives ``<NA>``."""
    cats = pd.array([str(c) for c in categories], dtype="string")
    return cats.take(np.asarray(codes, dtype=np.int64), allow_fill=True)


def _sort_order(keys: list[Any]) -> IntArray:
    """Row order sorting by ``keys`` (most significant first), ties kept in input order.

    Non-negative integer keys are packed into as few int64 words as possible
    (much faster than a many-key ``np.lexsort``); the order is the same.
    """
    words: list[IntArray] = []
    word: IntArray | None = None
    used = 0
    for raw in keys:
        k = np.asarray(raw).astype(np.int64)
        lo = int(k.min()) if len(k) else 0
        k = k - lo
        bits = max(int(k.max()).bit_length() if len(k) else 1, 1)
        if word is None or used + bits > 62:
            if word is not None:
                words.append(word)
            word, used = k, bits
        else:
            word = (word << bits) | k
            used += bits
    if word is not None:
        words.append(word)
    if not words:
        return np.zeros(0, np.int64)
    out: IntArray = np.lexsort(words[::-1]).astype(np.int64)
    return out


def _rank(ids: npt.NDArray[np.str_]) -> IntArray:
    rank = np.empty(len(ids), np.int64)
    rank[np.argsort(ids, kind="stable")] = np.arange(len(ids))
    return rank


def _to_dates(days: IntArray) -> pd.Series:
    return pd.Series(
        np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[s]")
    )
