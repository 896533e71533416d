"""Baselines (SPEC §5) and adjustment of performance cohorts against them.

A :class:`Baseline` is the performance of a historical cohort (default:
calendar year 2011) per lot × quarter of year (``2011Q1`` … ``2011Q4``) and
per lot for the whole year, plus a risk model that gives, for any offender,
the probability of proven reoffending expected under baseline performance.

Per lot × quarter of year and per lot × year (members with an index date in
the baseline year; ``N`` measurable cohort, ``O`` reoffenders, ``R``
reoffences)::

    baseline_binary       = O / N
    baseline_frequency    = R / O                 (reoffences per reoffender)
    baseline_frequency_sd = sample SD (ddof = 1) of the reoffence counts of the O reoffenders

Risk models (``risk=``): ``"ogrs3"`` — OGRS3 recalibrated on the baseline
(:func:`pbr.risk.recalibration.recalibrate_ogrs3`); ``"model"`` — a logistic
GLM fitted on the baseline (:func:`pbr.risk.model.fit_risk_model`); ``None`` —
no model (unadjusted comparison). Both models have one intercept per lot ×
quarter of year, so a cohort compared with a baseline built from itself
gives ``E = O`` exactly.

Adjustment (:func:`assess_members`, :func:`compare_to_baseline`): each
performance cohort member gets ``p_i`` from the baseline's model, scored with
the intercept of its lot and **its own quarter of year** (2016Q1 → 2011Q1).
Per lot × period, ``E = Σ p_i`` and ``V = Σ p_i (1 − p_i)`` go to
:func:`pbr.adjustment.binary_test`. The reported ``baseline_binary`` is the
lot × matching quarter-of-year rate for quarterly cohorts and the lot's
annual rate for annual cohorts (financial or calendar year). Without a model
(``risk=False`` or a baseline built with ``risk=None``), ``p_i`` is that
reported baseline rate for everyone (unadjusted). The frequency measure is
compared unadjusted with the matching baseline frequency by Welch's t-test
(:func:`pbr.adjustment.frequency_test`).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from pbr.baseline import Baseline, assess_members
>>> m = pd.DataFrame({"lot": ["CPA01"] * 4, "index_date": pd.to_datetime(["2011-01-05"] * 4),
...                   "reoffender": [True, False, True, False], "reoffences": [2, 0, 1, 0]})
>>> b = Baseline.from_members(m, risk=None)
>>> b.rates[["period", "cohort_size", "reoffenders", "baseline_binary"]].to_numpy().tolist()
[['2011', 4, 2, 0.5], ['2011Q1', 4, 2, 0.5]]
>>> a = assess_members(m.assign(period="2011Q1"), b)
>>> a.table[["lot", "period", "expected_reoffenders", "change_pp", "outcome"]].to_numpy().tolist()
[['CPA01', '2011Q1', 2.0, 0.0, 'no_significant_change']]
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pbr.adjustment import binary_test, frequency_test
from pbr.dates import as_days
from pbr.errors import BaselineFormatError, IgnoredOptionWarning, PbrError
from pbr.periods import (
    PERIOD_KINDS,
    QUARTER_NAMES,
    is_period,
    period_label,
    period_labels,
    quarter_of_label,
    quarter_of_year,
)
from pbr.risk.model import RiskModel, fit_count_model, fit_risk_model
from pbr.risk.recalibration import recalibrate_ogrs3

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "ASSESSMENT_COLUMNS",
    "FORMAT_VERSION",
    "RATE_COLUMNS",
    "Assessment",
    "Baseline",
    "assess_members",
    "build_baseline",
    "compare_to_baseline",
    "load_baseline",
]

#: Version of the on-disk baseline format written by :meth:`Baseline.save`.
FORMAT_VERSION = 1

#: Columns of :attr:`Baseline.rates`.
RATE_COLUMNS = (
    "lot",
    "period",
    "quarter_of_year",
    "cohort_size",
    "reoffenders",
    "reoffences",
    "baseline_binary",
    "baseline_frequency",
    "baseline_frequency_sd",
)

#: Columns of :attr:`Assessment.table`, in order (what the payment engine reads).
ASSESSMENT_COLUMNS = (
    "lot",
    "period",
    "status",
    "cohort_size",
    "reoffenders",
    "reoffences",
    "expected_reoffenders",
    "expected_variance",
    "baseline_binary",
    "expected_rate",
    "adjusted_rate",
    "change_pp",
    "z",
    "p_value",
    "outcome",
    "frequency",
    "frequency_sd",
    "baseline_frequency",
    "baseline_frequency_sd",
    "baseline_reoffenders",
    "frequency_change",
    "frequency_t",
    "frequency_p_value",
    "frequency_outcome",
)

RiskName = Literal["ogrs3", "model"] | None

_RATE_SCHEMA = pa.schema(
    [
        ("lot", pa.string()),
        ("period", pa.string()),
        ("quarter_of_year", pa.string()),
        ("cohort_size", pa.int64()),
        ("reoffenders", pa.int64()),
        ("reoffences", pa.int64()),
        ("baseline_binary", pa.float64()),
        ("baseline_frequency", pa.float64()),
        ("baseline_frequency_sd", pa.float64()),
    ]
)
_CALIBRATION_SCHEMA = pa.schema(
    [
        ("decile", pa.int64()),
        ("n", pa.int64()),
        ("expected", pa.float64()),
        ("observed", pa.float64()),
        ("mean_predicted", pa.float64()),
        ("observed_rate", pa.float64()),
        ("difference", pa.float64()),
    ]
)


# --------------------------------------------------------------------------- helpers
def _require(members: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    if not isinstance(members, pd.DataFrame):
        raise PbrError(f"{what} must be a pandas DataFrame, got {type(members).__name__}")
    missing = [c for c in columns if c not in members.columns]
    if missing:
        raise PbrError(f"{what} lacks column(s) {', '.join(missing)}")


def _no_missing(members: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    for c in columns:
        na = members[c].isna().to_numpy()
        if na.any():
            rows = ", ".join(str(i) for i in np.flatnonzero(na)[:20] + 1)
            raise PbrError(f"{what}: {c} is missing in row(s) {rows}")


def _outcomes(
    members: pd.DataFrame, what: str
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    _require(members, ("lot", "index_date", "reoffender", "reoffences"), what)
    _no_missing(members, ("lot", "index_date", "reoffender", "reoffences"), what)
    try:
        reo = np.asarray(pd.to_numeric(members["reoffences"]), dtype=np.int64)
        flag = np.asarray(members["reoffender"].astype(bool), dtype=bool)
    except (TypeError, ValueError) as exc:
        raise PbrError(f"{what}: reoffender/reoffences are not numeric: {exc}") from exc
    bad = (reo < 0) | (flag != (reo > 0))
    if bad.any():
        rows = ", ".join(str(i) for i in np.flatnonzero(bad)[:20] + 1)
        raise PbrError(
            f"{what}: reoffender must equal reoffences > 0 (and reoffences >= 0); rows {rows}"
        )
    return flag, reo


def _years(index_date: Any) -> npt.NDArray[np.int64]:
    out: npt.NDArray[np.int64] = as_days(index_date).astype("datetime64[Y]").astype(np.int64) + 1970
    return out


def _group_stats(
    keys: pd.DataFrame, flag: npt.NDArray[np.bool_], reo: npt.NDArray[np.int64]
) -> pd.DataFrame:
    """N, O, R, frequency mean and SD per key combination (sorted)."""
    df = keys.copy()
    df["cohort_size"] = 1
    df["reoffenders"] = flag.astype(np.int64)
    df["reoffences"] = reo
    df["sq"] = np.where(flag, reo.astype(np.int64) ** 2, 0)
    g = df.groupby(list(keys.columns), sort=True).sum().reset_index()
    o = g["reoffenders"].to_numpy(dtype=float)
    r = g["reoffences"].to_numpy(dtype=float)
    sq = g["sq"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(o > 0, r / np.where(o > 0, o, 1), np.nan)
        var = np.where(o > 1, (sq - o * mean**2) / np.where(o > 1, o - 1, 1), np.nan)
    g["frequency"] = mean
    g["frequency_sd"] = np.sqrt(np.clip(var, 0, None))
    return g.drop(columns="sq")


def _example_members() -> pd.DataFrame:
    """Two CPA01 members in 2011Q4, one reoffender (2 reoffences): docstring examples."""
    return pd.DataFrame(
        {
            "lot": ["CPA01", "CPA01"],
            "index_date": pd.to_datetime(["2011-12-01", "2011-12-01"]),
            "reoffender": [True, False],
            "reoffences": [2, 0],
        }
    )


_QUARTER_NAMES = np.array(QUARTER_NAMES, dtype=object)


def _is_quarter(labels: Any) -> npt.NDArray[np.bool_]:
    return is_period([str(v) for v in labels], "quarter")


# --------------------------------------------------------------------------- Baseline
@dataclass(frozen=True, eq=False)
class Baseline:
    """A baseline: per lot × quarter-of-year and per lot × year rates, plus a risk model.

    Build with :func:`build_baseline` (microdata) or :meth:`from_members`
    (a members-with-outcomes table); save with :meth:`save`, reload with
    :func:`load_baseline`.

    Attributes
    ----------
    year : int
        Baseline calendar year.
    rules : str
        Counting rule set the outcomes were counted with.
    risk : {"ogrs3", "model"} or None
    rates : pandas.DataFrame
        Columns :data:`RATE_COLUMNS`; ``period`` is ``"2011Q1"`` … ``"2011Q4"``
        (``quarter_of_year`` ``Q1`` … ``Q4``) or ``"2011"`` (``quarter_of_year = "year"``).
    model : RiskModel or None
        The binary risk model.
    count_model : RiskModel or None
        Optional Poisson model of reoffences per reoffender.
    status : str
        ``final``, ``interim`` or ``unknown`` (whether every baseline window
        had closed by the extract date).
    extract_date : str or None
    pbr_version : str

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"lot": ["CPA02"] * 3, "index_date": pd.to_datetime(["2011-07-01"] * 3),
    ...                   "reoffender": [True, False, False], "reoffences": [3, 0, 0]})
    >>> b = Baseline.from_members(m, risk=None)
    >>> float(b.rate("CPA02", "Q3")), float(b.rate("CPA02"))
    (0.3333333333333333, 0.3333333333333333)
    """

    year: int
    rules: str
    risk: RiskName
    rates: pd.DataFrame = field(repr=False)
    model: RiskModel | None = field(default=None, repr=False)
    count_model: RiskModel | None = field(default=None, repr=False)
    status: str = "unknown"
    extract_date: str | None = None
    pbr_version: str = ""

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_members(
        cls,
        members: pd.DataFrame,
        *,
        year: int = 2011,
        risk: RiskName | str = "ogrs3",
        rules: str = "moj_proven",
        lots: Any = None,
        extract_date: Any = None,
        count_model: bool = False,
    ) -> Baseline:
        """Build a baseline from cohort members with outcomes.

        Parameters
        ----------
        members : pandas.DataFrame
            One row per measurable index event: ``lot``, ``index_date``,
            ``reoffender`` (bool), ``reoffences`` (int), and the risk-model
            inputs (OGRS3 inputs; ``event_type`` for ``risk="model"``).
            Rows whose ``index_date`` is outside ``year`` are not part of the
            baseline (they belong to other periods).
        year : int
            Baseline calendar year.
        risk : {"ogrs3", "model", None, "none"}
        rules : str
            Name of the counting rule set (recorded).
        lots : list of str, optional
            Restrict to these lot codes (each must have baseline members).
        extract_date : date-like, optional
            Recorded; with a ``window_end`` column it decides ``status``.
        count_model : bool
            Also fit the Poisson frequency model (:func:`pbr.risk.model.fit_count_model`).

        Returns
        -------
        Baseline

        Raises
        ------
        PbrError
            Missing columns, no members in the year, an unknown ``risk`` or lot.

        Examples
        --------
        >>> import pandas as pd
        >>> m = pd.DataFrame({"lot": ["CPA01", "CPA01"], "index_date": pd.to_datetime(["2011-01-01",
        ...     "2012-01-01"]), "reoffender": [True, False], "reoffences": [1, 0]})
        >>> Baseline.from_members(m, risk=None).rates["cohort_size"].tolist()
        [1, 1]
        """
        from pbr import __version__

        risk_name: RiskName
        if risk is None or risk == "none":
            risk_name = None
        elif risk in ("ogrs3", "model"):
            risk_name = risk  # type: ignore[assignment]
        else:
            raise PbrError(f"risk must be 'ogrs3', 'model' or None, got {risk!r}")
        flag, reo = _outcomes(members, "baseline members")
        in_year = _years(members["index_date"]) == int(year)
        if lots is not None:
            wanted = [str(x) for x in ([lots] if isinstance(lots, str) else lots)]
            present = set(members.loc[in_year, "lot"].astype(str))
            absent = [x for x in wanted if x not in present]
            if absent:
                raise PbrError(f"no baseline members in {year} for lot(s) {', '.join(absent)}")
            in_year &= members["lot"].astype(str).isin(wanted).to_numpy()
        if not in_year.any():
            raise PbrError(f"no cohort members with an index date in the baseline year {year}")
        sub = members.loc[in_year].reset_index(drop=True)
        flag, reo = flag[in_year], reo[in_year]
        lot = sub["lot"].astype(str).to_numpy(dtype=object)
        q = quarter_of_year(sub["index_date"], name="index_date")
        quarterly = _group_stats(
            pd.DataFrame({"lot": lot, "quarter_of_year": _QUARTER_NAMES[q - 1]}),
            flag,
            reo,
        )
        quarterly["period"] = pd.Series(
            [
                period_label(4 * int(year) + QUARTER_NAMES.index(x), "quarter")
                for x in quarterly["quarter_of_year"]
            ],
            index=quarterly.index,
            dtype=object,
        )
        yearly = _group_stats(pd.DataFrame({"lot": lot}), flag, reo)
        yearly["period"] = period_label(int(year), "calendar_year")
        yearly["quarter_of_year"] = "year"
        rates = pd.concat([quarterly, yearly], ignore_index=True)
        rates["baseline_binary"] = rates["reoffenders"] / rates["cohort_size"]
        rates = rates.rename(
            columns={"frequency": "baseline_frequency", "frequency_sd": "baseline_frequency_sd"}
        )
        rates = _canonical_rates(rates)
        status = "unknown"
        ext = None
        if extract_date is not None:
            ext_day = as_days([extract_date])[0]
            ext = str(ext_day)
            if "window_end" in sub.columns:
                status = (
                    "final" if bool((as_days(sub["window_end"]) <= ext_day).all()) else "interim"
                )
        if status == "unknown" and "status" in sub.columns:
            status = "interim" if (sub["status"].astype(str) == "interim").any() else "final"
        model: RiskModel | None = None
        if risk_name == "ogrs3":
            model = recalibrate_ogrs3(sub.assign(reoffender=flag))
        elif risk_name == "model":
            model = fit_risk_model(sub.assign(reoffender=flag))
        cmodel = (
            fit_count_model(sub.assign(reoffender=flag, reoffences=reo)) if count_model else None
        )
        return cls(
            year=int(year),
            rules=str(rules),
            risk=risk_name,
            rates=rates,
            model=model,
            count_model=cmodel,
            status=status,
            extract_date=ext,
            pbr_version=__version__,
        )

    # ------------------------------------------------------------------ lookups
    def rate(self, lot: str, quarter_of_year: str = "year") -> float:
        """Baseline binary rate of a lot for a quarter of year (``"Q1"``…) or the year.

        Parameters
        ----------
        lot : str
        quarter_of_year : str
            ``"Q1"`` … ``"Q4"`` or ``"year"``.

        Returns
        -------
        float

        Examples
        --------
        >>> Baseline.from_members(_example_members(), risk=None).rate("CPA01", "Q4")
        0.5
        """
        row = self._lookup(np.array([lot], dtype=object), np.array([quarter_of_year], dtype=object))
        return float(row["baseline_binary"].iloc[0])

    def _lookup(self, lots: Any, quarters: Any) -> pd.DataFrame:
        keys = pd.DataFrame(
            {
                "lot": np.asarray(lots, dtype=object).astype(str),
                "quarter_of_year": np.asarray(quarters, dtype=object).astype(str),
            }
        )
        r = self.rates.astype({"lot": object, "quarter_of_year": object})
        out = keys.merge(r, on=["lot", "quarter_of_year"], how="left", sort=False)
        missing = out["cohort_size"].isna().to_numpy()
        if missing.any():
            pairs = sorted({f"{a} {b}" for a, b in keys.loc[missing].itertuples(index=False)})
            raise PbrError(
                f"the {self.year} baseline has no members for lot/quarter {', '.join(pairs[:20])}"
            )
        return out

    @property
    def table(self) -> pd.DataFrame:
        """The rates table (alias of :attr:`rates`)."""
        return self.rates

    def to_frame(self) -> pd.DataFrame:
        """Copy of the rates table.

        Examples
        --------
        >>> b = Baseline.from_members(_example_members(), risk=None)
        >>> list(b.to_frame().columns) == list(RATE_COLUMNS)
        True
        """
        return self.rates.copy()

    def summary(self) -> str:
        """Text summary: year, rules, status, lots, annual rates and the model.

        Examples
        --------
        >>> b = Baseline.from_members(_example_members(), risk=None)
        >>> print(b.summary().splitlines()[0])
        Baseline 2011 (rules moj_proven, risk none, status unknown): 1 lot(s), N = 2, O = 1
        """
        yr = self.rates[self.rates["quarter_of_year"] == "year"]
        head = (
            f"Baseline {self.year} (rules {self.rules}, risk {self.risk or 'none'}, "
            f"status {self.status}): {len(yr)} lot(s), N = {int(yr['cohort_size'].sum())}, "
            f"O = {int(yr['reoffenders'].sum())}"
        )
        parts = [head, yr.drop(columns=["quarter_of_year"]).to_string(index=False)]
        if self.model is not None:
            parts.append(self.model.summary())
        if self.count_model is not None:
            parts.append(self.count_model.summary())
        return "\n\n".join(parts)

    def _repr_html_(self) -> str:
        return f"<pre>{self.summary()}</pre>"

    def plot(self, ax: Axes | None = None) -> Axes:
        """Bar chart of each lot's annual baseline binary rate.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> Baseline.from_members(_example_members(), risk=None).plot().get_ylabel()
        'baseline binary rate'
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 3.5))
        yr = self.rates[self.rates["quarter_of_year"] == "year"]
        ax.bar(yr["lot"].astype(str), yr["baseline_binary"].to_numpy(dtype=float))
        ax.set_ylabel("baseline binary rate")
        ax.set_title(f"{self.year} baseline by lot")
        ax.tick_params(axis="x", labelrotation=90)
        return ax

    # ------------------------------------------------------------------ prediction
    def expected_probability(
        self, members: pd.DataFrame, *, annual: bool = False, risk: bool = True
    ) -> npt.NDArray[np.float64]:
        """``p_i`` under baseline performance for each member.

        With a model (and ``risk=True``): the model's prediction with the
        level of the member's lot and own quarter of year. Otherwise the lot's
        baseline rate: its matching quarter-of-year rate, or its annual rate
        when ``annual=True``.

        Parameters
        ----------
        members : pandas.DataFrame
        annual : bool
        risk : bool

        Returns
        -------
        numpy.ndarray of float

        Examples
        --------
        >>> m = _example_members()
        >>> Baseline.from_members(m, risk=None).expected_probability(m).tolist()
        [0.5, 0.5]
        """
        _require(members, ("lot", "index_date"), "members")
        if risk and self.model is not None:
            return self.model.predict(members)
        quarters = (
            np.full(len(members), "year", dtype=object)
            if annual
            else _QUARTER_NAMES[quarter_of_year(members["index_date"], name="index_date") - 1]
        )
        looked = self._lookup(members["lot"].astype(str).to_numpy(dtype=object), quarters)
        return looked["baseline_binary"].to_numpy(dtype=float)

    # ------------------------------------------------------------------ persistence
    def save(self, directory: str | Path) -> Path:
        """Write the baseline to ``directory`` (created if needed).

        Files: ``baseline.json`` (metadata, model coefficients and fit
        statistics; sorted keys, indented), ``rates.parquet`` and, per model,
        ``<name>_calibration.parquet``. Saving the same baseline twice gives
        byte-identical files.

        Parameters
        ----------
        directory : str or pathlib.Path

        Returns
        -------
        pathlib.Path
            The directory.

        Examples
        --------
        >>> import tempfile
        >>> d = Baseline.from_members(_example_members(), risk=None).save(tempfile.mkdtemp())
        >>> sorted(p.name for p in d.iterdir())
        ['baseline.json', 'rates.parquet']
        """
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        meta: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "kind": "pbr.baseline",
            "pbr_version": self.pbr_version,
            "year": self.year,
            "rules": self.rules,
            "risk": self.risk,
            "status": self.status,
            "extract_date": self.extract_date,
            "model": self.model.to_dict() if self.model is not None else None,
            "count_model": self.count_model.to_dict() if self.count_model is not None else None,
        }
        text = json.dumps(meta, indent=2, sort_keys=True, allow_nan=False) + "\n"
        (d / "baseline.json").write_text(text, encoding="utf-8")
        _write_parquet(self.rates, _RATE_SCHEMA, d / "rates.parquet")
        for name, m in (("model", self.model), ("count_model", self.count_model)):
            path = d / f"{name}_calibration.parquet"
            if m is not None:
                _write_parquet(m.calibration, _CALIBRATION_SCHEMA, path)
        return d


def _canonical_rates(rates: pd.DataFrame) -> pd.DataFrame:
    r = rates.reindex(columns=list(RATE_COLUMNS)).copy()
    for c in ("lot", "period", "quarter_of_year"):
        r[c] = r[c].astype(str)
    for c in ("cohort_size", "reoffenders", "reoffences"):
        r[c] = r[c].astype(np.int64)
    for c in ("baseline_binary", "baseline_frequency", "baseline_frequency_sd"):
        r[c] = r[c].astype(float)
    return r.sort_values(["lot", "period"], kind="stable").reset_index(drop=True)


def _write_parquet(df: pd.DataFrame, schema: pa.Schema, path: Path) -> None:
    arrays = []
    for f in schema:
        col = df[f.name]
        if pa.types.is_string(f.type):
            arrays.append(pa.array(col.astype(str).tolist(), type=f.type))
        else:
            arrays.append(pa.array(col.to_numpy(), type=f.type, from_pandas=True))
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), path, compression="zstd")


def _read_parquet(path: Path, schema: pa.Schema) -> pd.DataFrame:
    try:
        t = pq.read_table(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise BaselineFormatError(f"cannot read {path}: {exc}") from exc
    if t.schema.names != schema.names:
        raise BaselineFormatError(f"{path} has columns {t.schema.names}, expected {schema.names}")
    data = {}
    for f in schema:
        col = t.column(f.name)
        if pa.types.is_string(f.type):
            data[f.name] = np.asarray(col.to_pylist(), dtype=object).astype(str)
        else:
            data[f.name] = col.to_numpy()
    return pd.DataFrame(data)


def load_baseline(directory: str | Path) -> Baseline:
    """Load a baseline written by :meth:`Baseline.save`.

    Parameters
    ----------
    directory : str or pathlib.Path

    Returns
    -------
    Baseline
        Identical in content to the saved one (comparisons against it give
        identical results).

    Raises
    ------
    BaselineFormatError
        Missing or corrupt files, or a ``format_version`` other than
        :data:`FORMAT_VERSION`.

    Examples
    --------
    >>> import tempfile
    >>> d = Baseline.from_members(_example_members(), risk=None).save(tempfile.mkdtemp())
    >>> load_baseline(d).rate("CPA01")
    0.5
    """
    d = Path(directory)
    meta_path = d / "baseline.json"
    if not meta_path.is_file():
        raise BaselineFormatError(f"{meta_path} not found: not a pbr baseline directory")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineFormatError(f"{meta_path} is not valid JSON: {exc}") from exc
    if not isinstance(meta, dict) or meta.get("kind") != "pbr.baseline":
        raise BaselineFormatError(f"{meta_path} does not describe a pbr baseline")
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise BaselineFormatError(
            f"{meta_path} has format_version {version!r}; this pbr reads format_version "
            f"{FORMAT_VERSION} only (written by pbr {meta.get('pbr_version', '?')}); "
            "rebuild the baseline with this version of pbr"
        )
    rates = _canonical_rates(_read_parquet(d / "rates.parquet", _RATE_SCHEMA))
    models: dict[str, RiskModel | None] = {}
    try:
        for name in ("model", "count_model"):
            desc = meta.get(name)
            if desc is None:
                models[name] = None
                continue
            calib = _read_parquet(d / f"{name}_calibration.parquet", _CALIBRATION_SCHEMA)
            models[name] = RiskModel.from_dict(desc, calib)
        risk = meta["risk"]
        if risk not in ("ogrs3", "model", None):
            raise BaselineFormatError(f"{meta_path}: unknown risk {risk!r}")
        return Baseline(
            year=int(meta["year"]),
            rules=str(meta["rules"]),
            risk=risk,
            rates=rates,
            model=models["model"],
            count_model=models["count_model"],
            status=str(meta["status"]),
            extract_date=meta["extract_date"],
            pbr_version=str(meta["pbr_version"]),
        )
    except (KeyError, TypeError) as exc:
        raise BaselineFormatError(f"{meta_path} lacks or garbles key {exc}") from exc
    except BaselineFormatError:
        raise
    except PbrError as exc:
        raise BaselineFormatError(f"{meta_path}: {exc}") from exc


def build_baseline(
    cohort: pd.DataFrame,
    offences: pd.DataFrame,
    *,
    extract_date: Any,
    year: int = 2011,
    risk: RiskName | str = "ogrs3",
    rules: str = "moj_proven",
    lots: Any = None,
    count_model: bool = False,
) -> Baseline:
    """Build a baseline from a cohort table and proven offences (SPEC §5).

    Counts proven reoffending with :func:`pbr.measures.compute_measures`
    (quarterly cohorts, rule set ``rules``) and passes the members with
    outcomes to :meth:`Baseline.from_members`.

    Parameters
    ----------
    cohort, offences : pandas.DataFrame
        Tables in pbr's in-memory form (:mod:`pbr.schema`).
    extract_date : date-like
    year : int
    risk : {"ogrs3", "model", None, "none"}
    rules : str
    lots : list of str, optional
    count_model : bool

    Returns
    -------
    Baseline

    Examples
    --------
    >>> from pbr.sample import generate
    >>> s = generate(seed=1, scale=0.05, lots=["CPA01"])
    >>> b = build_baseline(s.cohort, s.offences, extract_date=s.extract_date)
    >>> b.rates["period"].tolist(), b.status, b.risk
    (['2011', '2011Q1', '2011Q2', '2011Q3', '2011Q4'], 'final', 'ogrs3')
    """
    from pbr.measures import compute_measures  # type: ignore[import-not-found,unused-ignore]

    m = compute_measures(cohort, offences, extract_date=extract_date, period="quarter", rules=rules)
    return Baseline.from_members(
        m.members,
        year=year,
        risk=risk,
        rules=rules,
        lots=lots,
        extract_date=extract_date,
        count_model=count_model,
    )


# --------------------------------------------------------------------------- Assessment
@dataclass(frozen=True, eq=False)
class Assessment:
    """Performance cohorts adjusted against a baseline, per lot × period.

    Attributes
    ----------
    table : pandas.DataFrame
        Columns :data:`ASSESSMENT_COLUMNS` (then ``expected_frequency`` and
        ``adjusted_frequency`` when the baseline has a count model), sorted by
        lot and period.
    baseline_year : int
    period : str
    alpha : float
    form : str
    risk : str
        ``ogrs3``, ``model`` or ``none`` (unadjusted).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"lot": ["CPA01"] * 4, "index_date": pd.to_datetime(["2011-01-05"] * 4),
    ...                   "reoffender": [True, False, True, False], "reoffences": [2, 0, 1, 0]})
    >>> a = assess_members(m.assign(period="2011Q1"), Baseline.from_members(m, risk=None))
    >>> a.table["outcome"].tolist()
    ['no_significant_change']
    """

    table: pd.DataFrame
    baseline_year: int
    period: str
    alpha: float
    form: str
    risk: str

    def to_frame(self) -> pd.DataFrame:
        """Copy of :attr:`table`.

        Examples
        --------
        >>> import pandas as pd
        >>> Assessment(pd.DataFrame({"lot": ["CPA01"]}), 2011, "quarter", 0.05, "difference",
        ...            "none").to_frame().shape
        (1, 1)
        """
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """Per period: lots, N, O, E and the number of lots with each outcome.

        Examples
        --------
        >>> m = _example_members()
        >>> s = assess_members(m, Baseline.from_members(m, risk=None)).summary()
        >>> s[["period", "lots", "no_significant_change"]].to_numpy().tolist()
        [['2011Q4', 1, 1]]
        """
        t = self.table
        g = t.groupby("period", sort=True)
        out = pd.DataFrame(
            {
                "lots": g.size(),
                "cohort_size": g["cohort_size"].sum(),
                "reoffenders": g["reoffenders"].sum(),
                "expected_reoffenders": g["expected_reoffenders"].sum(),
            }
        )
        for o in ("significant_reduction", "no_significant_change", "significant_increase"):
            out[o] = (t["outcome"] == o).groupby(t["period"], sort=True).sum().astype(np.int64)
        return out.reset_index()

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>Assessment against the {self.baseline_year} baseline</b> "
            f"(risk {self.risk}, {self.period} cohorts, α = {self.alpha}, {self.form} form)</p>"
        )
        return head + self.table.to_html(index=False)

    def plot(self, ax: Axes | None = None, *, period: str | None = None) -> Axes:
        """Funnel plot: each lot's ``change_pp`` against its cohort size.

        Control limits around 0 are ``±100 · z · sqrt(e (1 − e) / N)`` with
        ``e = ΣE / ΣN`` over the plotted rows, at ``z = z_{α/2}`` (solid) and
        ``z = 3`` (dashed).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
        period : str, optional
            Plot only this period (default: every row).

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> m = _example_members()
        >>> a = assess_members(m, Baseline.from_members(m, risk=None))
        >>> a.plot().get_xlabel()
        'cohort size (N)'
        """
        import matplotlib.pyplot as plt
        from scipy import stats

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4.5))
        t = self.table if period is None else self.table[self.table["period"] == period]
        n = t["cohort_size"].to_numpy(dtype=float)
        y = t["change_pp"].to_numpy(dtype=float)
        total_n = float(n.sum())
        e = float(t["expected_reoffenders"].sum()) / total_n if total_n > 0 else math.nan
        if len(t) and math.isfinite(e) and n.max() > 0:
            grid = np.linspace(max(1.0, float(n[n > 0].min()) * 0.8), float(n.max()) * 1.1, 200)
            sd = 100.0 * np.sqrt(e * (1 - e) / grid)
            zc = float(stats.norm.isf(self.alpha / 2))
            for mult, style, label in (
                (zc, "-", f"{100 * (1 - self.alpha):g}% limits"),
                (3.0, "--", "3 SD limits"),
            ):
                ax.plot(grid, mult * sd, style, color="grey", lw=1, label=label)
                ax.plot(grid, -mult * sd, style, color="grey", lw=1)
        colours = {
            "significant_reduction": "tab:green",
            "significant_increase": "tab:red",
            "no_significant_change": "tab:blue",
        }
        for outcome, colour in colours.items():
            sel = (t["outcome"] == outcome).to_numpy()
            if sel.any():
                ax.scatter(n[sel], y[sel], color=colour, s=18, label=outcome.replace("_", " "))
        for lot, xi, yi in zip(t["lot"], n, y, strict=True):
            ax.annotate(str(lot), (xi, yi), fontsize=6, xytext=(2, 2), textcoords="offset points")
        ax.axhline(0.0, color="black", lw=0.8)
        ax.set_xlabel("cohort size (N)")
        ax.set_ylabel("change against adjusted baseline (pp)")
        ax.set_title(f"Funnel plot vs {self.baseline_year} baseline (risk {self.risk})")
        ax.legend(fontsize=7)
        return ax


def _status_per_group(
    members: pd.DataFrame,
    keys: pd.DataFrame,
    order: npt.NDArray[np.int64],
    extract_date: Any,
    status: pd.DataFrame | None,
) -> pd.Series:
    groups = keys.drop_duplicates().sort_values(["lot", "period"]).reset_index(drop=True)
    if status is not None:
        s = status[["lot", "period", "status"]].astype({"lot": str, "period": str, "status": str})
        out = groups.merge(s, on=["lot", "period"], how="left")["status"]
        return out.fillna("unknown")
    if "window_end" in members.columns and extract_date is not None:
        ext = as_days([extract_date])[0]
        interim = as_days(members["window_end"]) > ext
    elif "status" in members.columns:
        interim = (members["status"].astype(str) == "interim").to_numpy()
    else:
        return pd.Series(["unknown"] * len(groups))
    k = keys.assign(interim=np.asarray(interim, dtype=np.int64)[order])
    g = k.groupby(["lot", "period"], sort=True)["interim"].max().reset_index()
    return pd.Series(np.where(g["interim"].to_numpy() > 0, "interim", "final"))


def assess_members(
    members: pd.DataFrame,
    baseline: Baseline,
    *,
    period: str = "quarter",
    alpha: float = 0.05,
    form: Literal["difference", "ratio"] = "difference",
    risk: bool = True,
    extract_date: Any = None,
    status: pd.DataFrame | None = None,
) -> Assessment:
    """Adjust performance cohort members against a baseline (SPEC §5.1, §5.2).

    Parameters
    ----------
    members : pandas.DataFrame
        One row per measurable index event with ``lot``, ``index_date``,
        ``reoffender``, ``reoffences``, the risk-model inputs and ``period``
        (computed from ``index_date`` with ``period`` when absent).
    baseline : Baseline
    period : {"quarter", "financial_year", "calendar_year"}
        Kind of cohort; quarterly cohorts are compared with the lot's
        matching quarter of year, annual ones with the lot's year.
    alpha : float
    form : {"difference", "ratio"}
    risk : bool
        Use the baseline's risk model and count model (where it has them);
        ``False`` = unadjusted. A count model adjusts the frequency measure
        (columns ``expected_frequency``, ``adjusted_frequency``) even when the
        baseline has no binary risk model.
    extract_date : date-like, optional
        With a ``window_end`` column, decides each row's ``status`` (without
        one, and without ``status``, it is ignored with an
        :class:`~pbr.errors.IgnoredOptionWarning`).
    status : pandas.DataFrame, optional
        ``lot, period, status`` from a measures table (takes precedence).

    Returns
    -------
    Assessment

    Examples
    --------
    >>> import pandas as pd
    >>> base = pd.DataFrame({"lot": ["CPA01"] * 4, "index_date": pd.to_datetime(["2011-04-01"] * 4),
    ...                      "reoffender": [True, True, False, False], "reoffences": [1, 3, 0, 0]})
    >>> perf = base.assign(index_date=pd.Timestamp("2016-05-01"), reoffender=False, reoffences=0)
    >>> t = assess_members(perf, Baseline.from_members(base, risk=None)).table
    >>> t[["period", "baseline_binary", "expected_reoffenders", "change_pp"]].to_numpy().tolist()
    [['2016Q2', 0.5, 2.0, -50.0]]
    """
    if period not in PERIOD_KINDS:
        raise PbrError(f"period must be quarter, financial_year or calendar_year, got {period!r}")
    if not isinstance(baseline, Baseline):
        raise PbrError(f"baseline must be a pbr Baseline, got {type(baseline).__name__}")
    flag, reo = _outcomes(members, "performance members")
    if len(members) == 0:
        raise PbrError("no performance cohort members to assess")
    if "period" in members.columns:
        _no_missing(members, ("period",), "performance members")
        labels = members["period"].astype(str).to_numpy(dtype=object)
    else:
        labels = period_labels(members["index_date"], period).astype(object)
    if extract_date is not None and status is None and "window_end" not in members.columns:
        warnings.warn(
            "extract_date is ignored: the members have no window_end column (and no status "
            "table was given), so each row's status is 'unknown'",
            IgnoredOptionWarning,
            stacklevel=2,
        )
    quarterly = period == "quarter"
    if quarterly and not _is_quarter(labels).all():
        raise PbrError("period='quarter' but the members' period labels are not quarters (YYYYQn)")
    use_model = bool(risk) and baseline.model is not None
    p = baseline.expected_probability(members, annual=not quarterly, risk=use_model)
    lot = members["lot"].astype(str).to_numpy(dtype=object)
    # canonical row order, so that permuting the input cannot change any sum
    order = np.lexsort((reo, p, labels.astype(str), lot.astype(str)))
    keys = pd.DataFrame({"lot": lot[order], "period": labels[order]})
    stats_ = _group_stats(keys, flag[order], reo[order])
    ev = pd.DataFrame(
        {
            "lot": keys["lot"],
            "period": keys["period"],
            "e": p[order],
            "v": p[order] * (1 - p[order]),
        }
    )
    if baseline.count_model is not None and risk:
        mask = flag[order]
        f_exp = np.zeros(len(members))
        f_exp[mask] = baseline.count_model.predict(members.iloc[order[mask]])
        ev["fe"] = f_exp
    sums = ev.groupby(["lot", "period"], sort=True).sum().reset_index()
    stats_ = stats_.merge(sums, on=["lot", "period"], how="left")
    qcol = (
        np.array(
            [QUARTER_NAMES[quarter_of_label(str(x)) - 1] for x in stats_["period"]], dtype=object
        )
        if quarterly
        else np.full(len(stats_), "year", dtype=object)
    )
    base = baseline._lookup(stats_["lot"].to_numpy(dtype=object), qcol)
    n = stats_["cohort_size"].to_numpy(dtype=np.int64)
    o = stats_["reoffenders"].to_numpy(dtype=np.int64)
    e = stats_["e"].to_numpy(dtype=float)
    v = stats_["v"].to_numpy(dtype=float)
    b = base["baseline_binary"].to_numpy(dtype=float)
    bt = binary_test(o, e, n, b, variance=v, alpha=alpha, form=form)
    ft = frequency_test(
        stats_["frequency"],
        stats_["frequency_sd"],
        o,
        base["baseline_frequency"],
        base["baseline_frequency_sd"],
        base["reoffenders"],
        alpha=alpha,
    )
    table = pd.DataFrame(
        {
            "lot": stats_["lot"].astype(str),
            "period": stats_["period"].astype(str),
            "status": _status_per_group(members, keys, order, extract_date, status).to_numpy(),
            "cohort_size": n,
            "reoffenders": o,
            "reoffences": stats_["reoffences"].to_numpy(dtype=np.int64),
            "expected_reoffenders": e,
            "expected_variance": v,
            "baseline_binary": b,
            "expected_rate": bt["expected_rate"].to_numpy(),
            "adjusted_rate": bt["adjusted_rate"].to_numpy(),
            "change_pp": bt["change_pp"].to_numpy(),
            "z": bt["z"].to_numpy(),
            "p_value": bt["p_value"].to_numpy(),
            "outcome": bt["outcome"].to_numpy(),
            "frequency": stats_["frequency"].to_numpy(dtype=float),
            "frequency_sd": stats_["frequency_sd"].to_numpy(dtype=float),
            "baseline_frequency": base["baseline_frequency"].to_numpy(dtype=float),
            "baseline_frequency_sd": base["baseline_frequency_sd"].to_numpy(dtype=float),
            "baseline_reoffenders": base["reoffenders"].to_numpy(dtype=np.int64),
            "frequency_change": ft["frequency_change"].to_numpy(),
            "frequency_t": ft["frequency_t"].to_numpy(),
            "frequency_p_value": ft["frequency_p_value"].to_numpy(),
            "frequency_outcome": ft["frequency_outcome"].to_numpy(),
        }
    )
    if "fe" in stats_.columns:
        with np.errstate(divide="ignore", invalid="ignore"):
            ef = np.where(o > 0, stats_["fe"].to_numpy(dtype=float) / np.where(o > 0, o, 1), np.nan)
        table["expected_frequency"] = ef
        table["adjusted_frequency"] = table["baseline_frequency"] + table["frequency"] - ef
    return Assessment(
        table=table,
        baseline_year=baseline.year,
        period=period,
        alpha=alpha,
        form=form,
        risk=(baseline.risk or "none") if use_model else "none",
    )


def compare_to_baseline(
    cohort: pd.DataFrame,
    offences: pd.DataFrame,
    baseline: Baseline,
    *,
    extract_date: Any,
    period: str = "quarter",
    alpha: float = 0.05,
    form: Literal["difference", "ratio"] = "difference",
    risk: bool = True,
    rules: str | None = None,
) -> Assessment:
    """Count reoffending of a performance cohort and adjust it against a baseline.

    Calls :func:`pbr.measures.compute_measures` (rule set ``rules``, default
    the baseline's) and :func:`assess_members`; ``status`` comes from the
    measures table (final/interim).

    Parameters
    ----------
    cohort, offences : pandas.DataFrame
    baseline : Baseline
    extract_date : date-like
    period : {"quarter", "financial_year", "calendar_year"}
    alpha : float
    form : {"difference", "ratio"}
    risk : bool
    rules : str, optional

    Returns
    -------
    Assessment

    Examples
    --------
    >>> from pbr.sample import generate
    >>> s = generate(seed=1, scale=0.05, lots=["CPA01"])
    >>> b = build_baseline(s.cohort, s.offences, extract_date=s.extract_date)
    >>> a = compare_to_baseline(s.cohort, s.offences, b, extract_date=s.extract_date)
    >>> a.table[["period", "status"]].tail(2).to_numpy().tolist()
    [['2016Q4', 'final'], ['2017Q1', 'interim']]
    """
    from pbr.measures import compute_measures  # type: ignore[import-not-found,unused-ignore]

    m = compute_measures(
        cohort, offences, extract_date=extract_date, period=period, rules=rules or baseline.rules
    )
    return assess_members(
        m.members.reset_index(drop=True),
        baseline,
        period=period,
        alpha=alpha,
        form=form,
        risk=risk,
        status=m.table[["lot", "period", "status"]],
    )
