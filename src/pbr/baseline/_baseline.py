"""The :class:`Baseline` object: building it, saving it and loading it back.

See the :mod:`pbr.baseline` docstring for the rates it holds and
docs/methodology.md, "On disk", for the directory format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr._progress import bar
from pbr.baseline._common import (
    _QUARTER_NAMES,
    RATE_COLUMNS,  # noqa: F401  - used by the docstring examples
    RiskName,
    _example_members,  # noqa: F401  - used by the docstring examples
    _group_stats,
    _outcomes,
    _require,
    _years,
)
from pbr.baseline._storage import (
    _CALIBRATION_SCHEMA,
    _RATE_SCHEMA,
    FORMAT_VERSION,
    _canonical_rates,
    _read_parquet,
    _write_parquet,
)
from pbr.dates import as_days
from pbr.errors import BaselineFormatError, PbrError
from pbr.formatting import format_count
from pbr.io._saved import check_model_description
from pbr.io._values import parse_iso_date
from pbr.periods import (
    QUARTER_NAMES,
    period_label,
    quarter_of_year,
)
from pbr.results import Result, Summary
from pbr.risk.model import RiskModel, fit_count_model, fit_risk_model
from pbr.risk.recalibration import recalibrate_ogrs3

if TYPE_CHECKING:
    from matplotlib.axes import Axes


# --------------------------------------------------------------------------- Baseline
@dataclass(frozen=True, eq=False)
class Baseline(Result):
    """A baseline: per lot × quarter-of-year and per lot × year rates, plus a risk model.

    A pbr result (``docs/api.md``, "The result protocol"): :attr:`table` is the
    rates table; :meth:`summary` shows each lot's annual rate (and the risk
    models); :meth:`plot` draws the annual rates.

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
        from pbr.provenance import __version__

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
            ext_day = np.datetime64(parse_iso_date(extract_date, "extract_date"), "D")  # ISO only
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
        """The rates table (the same frame as :attr:`rates`).

        Examples
        --------
        >>> b = Baseline.from_members(_example_members(), risk=None)
        >>> list(b.table.columns) == list(RATE_COLUMNS)
        True
        """
        return self.rates

    def summary(self) -> Summary:
        """Year, rules, status, each lot's annual rates and the risk models.

        Examples
        --------
        >>> b = Baseline.from_members(_example_members(), risk=None)
        >>> print(b.summary().as_text().splitlines()[0])
        Baseline 2011 (rules moj_proven, risk none, status unknown)
        >>> b.summary().figures
        {'lots': '1', 'N': '2', 'O': '1'}
        """
        yr = self.rates[self.rates["quarter_of_year"] == "year"]
        models = [m for m in (self.model, self.count_model) if m is not None]
        return Summary(
            f"Baseline {self.year} (rules {self.rules}, risk {self.risk or 'none'}, "
            f"status {self.status})",
            yr.drop(columns=["quarter_of_year"]).reset_index(drop=True),
            figures={
                "lots": format_count(len(yr)),
                "N": format_count(yr["cohort_size"].sum()),
                "O": format_count(yr["reoffenders"].sum()),
            },
            notes=[m.summary().as_text() for m in models],
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Each lot's annual baseline rate (:func:`pbr.report.result_plots.plot_baseline_rates`).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> Baseline.from_members(_example_members(), risk=None).plot().get_ylabel()
        'baseline reoffenders / cohort (%)'
        """
        from pbr.report.result_plots import plot_baseline_rates

        return plot_baseline_rates(self.rates, ax=ax)

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
            check_model_description(desc, name)  # the io boundary: finite coefficients
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
    cohort: Any,
    offences: Any,
    *,
    extract_date: Any,
    year: int = 2011,
    risk: RiskName | str = "ogrs3",
    rules: str = "moj_proven",
    lots: Any = None,
    count_model: bool = False,
    validate: bool = True,
    progress: bool | None = None,
) -> Baseline:
    """Build a baseline from a cohort table and proven offences (docs/methodology.md#baselines).

    Counts proven reoffending with :func:`pbr.measures.compute_measures`
    (quarterly cohorts, rule set ``rules``) and passes the members with
    outcomes to :meth:`Baseline.from_members`.

    Parameters
    ----------
    cohort, offences : pandas.DataFrame or path
        The two tables; validated through the io boundary as files are
        (:func:`pbr.io.checked_tables`; not again when already validated).
    extract_date : date-like
    year : int
    risk : {"ogrs3", "model", None, "none"}
    rules : str
    lots : list of str, optional
    count_model : bool
    validate : bool
        ``False``: the explicit opt-out of row-level validation (trusted tables).
    progress : bool or None
        A two-step bar (counting, then the risk-model fit): ``None`` (default) on a
        terminal or in a notebook only, ``True`` always, ``False`` never
        (:mod:`pbr._progress`); the baseline is the same either way.

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

    fits = {"ogrs3": "recalibrating OGRS3", "model": "fitting the risk model"}
    fit = fits.get(str(risk), "rates")
    with bar(2, progress=progress, desc="baseline: counting") as steps:
        m = compute_measures(
            cohort,
            offences,
            extract_date=extract_date,
            period="quarter",
            rules=rules,
            validate=validate,
        )
        steps.update()
        steps.set_description(f"baseline: {fit}" + (" + count model" if count_model else ""))
        baseline = Baseline.from_members(
            m.members,
            year=year,
            risk=risk,
            rules=rules,
            lots=lots,
            extract_date=extract_date,
            count_model=count_model,
        )
        steps.update()
    return baseline
