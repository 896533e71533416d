"""Fitted baseline risk models (docs/methodology.md#fitted-model) and the shared GLM solver.

Every pbr risk model has the same shape: a generalised linear model with
**one free intercept per level** (a level is a lot × quarter-of-year cell of
the baseline year, e.g. ``CPA04:Q2``) plus slopes on covariates::

    η_i = α[level(i)] + x_i · β
    binary  (Binomial, logit link):  p_i = 1 / (1 + exp(−η_i))
    counts  (Poisson, log link):     μ_i = exp(η_i)

Because the links are canonical, the maximum-likelihood score equation for
each level intercept is ``Σ_{i in level} (y_i − p_i) = 0``: on the data it was
fitted to, the model's expected count equals the observed count **exactly**
in every lot × quarter-of-year cell, hence also for every lot's whole year.
That is why a cohort adjusted against a baseline built from itself shows
``E = O`` and no change (docs/methodology.md#adjustment).

Covariates of ``risk="model"`` (:func:`fit_risk_model`):

* ``age_sex[...]`` — indicator of each sex × OGRS3 age band (age in whole
  years at the index date; bands 18–20, 21–24, 25–29, 30–34, 35–39, 40–49, 50+
  for adults); the most frequent cell is the reference;
* ``copas`` — the OGRS3 Copas rate ``ln(sanctions / (10 + age − age at first sanction))``;
* ``log_sanctions`` — ``ln(sanctions)``;
* ``offence_group[...]`` — index offence group indicators (reference: most frequent);
* ``event_type[...]`` — index event type indicators (reference: most frequent);
* the level intercepts (lot × quarter-of-year fixed effects).

The fit is Newton–Raphson (= IRLS for canonical links) written directly on
numpy arrays: the level block of the Hessian is diagonal and is accumulated
with :func:`numpy.bincount`, so 500 000 rows fit in about a second. The
estimates equal statsmodels' ``GLM(..., family=Binomial())`` fit with the
same design (the test suite checks this). Standard errors are the square
roots of the diagonal of the inverse observed information.

Levels whose outcome is all 0 (or all 1) have an infinite MLE intercept:
their rows are left out of the fit, the level's prediction is its observed
rate (0 or 1) and the intercept is reported as missing with
``separated = True``.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from pbr.risk.model import fit_glm
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(size=(2000, 1))
>>> lev = rng.integers(0, 2, size=2000)
>>> y = (rng.random(2000) < 1 / (1 + np.exp(-(0.5 * x[:, 0] - 0.2)))).astype(float)
>>> fit = fit_glm(y, x, lev, 2)
>>> [abs(float(s)) < 1e-9 for s in np.bincount(lev, y - fit.fitted(x, lev))]
[True, True]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pbr.errors import ModelError, PbrError
from pbr.periods import quarter_of_year
from pbr.results import Result, Summary
from pbr.risk._design import (
    MODEL_COVARIATES,
    _choose_categories,
    _example_members,  # noqa: F401  - used by the docstring examples
    _level_factor,
    _model_design,
    _model_raw,
    _ogrs3_design,
    _recode,
    level_keys,
)
from pbr.risk._glm import Family, FloatArray, GLMFit, IntArray, _predict, fit_glm

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "MODEL_COVARIATES",
    "GLMFit",
    "RiskModel",
    "calibration_table",
    "fit_count_model",
    "fit_glm",
    "fit_risk_model",
    "level_keys",
    "quarter_of_year",
]


# --------------------------------------------------------------------------- model object
def _num(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def _unnum(v: Any) -> float:
    return math.nan if v is None else float(v)


@dataclass(frozen=True, eq=False)
class RiskModel(Result):
    """A fitted risk model: level intercepts (lot × quarter-of-year) plus slopes.

    ``kind`` is ``"ogrs3_recalibrated"`` (slope on ``logit(OGRS3 p_1yr)``; see
    :mod:`pbr.risk.recalibration`), ``"glm"`` (``risk="model"``) or
    ``"count_poisson"`` (Poisson model of extra reoffences per reoffender,
    predicting ``1 + μ`` reoffences per reoffender).

    A pbr result (``docs/api.md``, "The result protocol"): :attr:`table` is the
    coefficient table; :meth:`summary` shows the fit statistics and the slopes;
    :meth:`plot` draws the slopes with 95 % intervals.

    Attributes
    ----------
    kind : str
    family : {"binomial", "poisson"}
    levels : tuple of str
        Level keys ``LOT:Qq``.
    alpha, alpha_se : tuple of float
        Level intercepts and SEs (NaN where ``separated``).
    separated : tuple of bool
    level_rate : tuple of float
        Observed mean outcome per level in the fitting data.
    terms : tuple of str
        Covariate names.
    beta, beta_se : tuple of float
    categories : dict
        Categories of each categorical covariate (reference first).
    statistics : dict
        ``n``, ``n_params``, ``deviance``, ``aic``, ``log_likelihood``, ``iterations``;
        for count models also ``dispersion`` (Pearson X² / (n − p); the standard
        errors are Poisson ones, × √dispersion gives quasi-Poisson ones).
    calibration : pandas.DataFrame
        Predicted vs observed by risk decile on the fitting data.

    Examples
    --------
    >>> model = fit_risk_model(_example_members())
    >>> model.kind, model.levels[:2]
    ('glm', ('CPA01:Q1', 'CPA01:Q2'))
    """

    kind: str
    family: Family
    levels: tuple[str, ...]
    alpha: tuple[float, ...]
    alpha_se: tuple[float, ...]
    separated: tuple[bool, ...]
    level_rate: tuple[float, ...]
    terms: tuple[str, ...]
    beta: tuple[float, ...]
    beta_se: tuple[float, ...]
    categories: dict[str, tuple[str, ...]]
    statistics: dict[str, float]
    calibration: pd.DataFrame = field(repr=False, compare=False)

    # -- prediction
    def _design(self, members: pd.DataFrame) -> tuple[list[tuple[IntArray, int]], FloatArray]:
        if self.kind == "ogrs3_recalibrated":
            return [], _ogrs3_design(members)
        blocks, x, _ = _model_design(_model_raw(members), self.categories)
        return blocks, x

    def predict(self, members: pd.DataFrame) -> FloatArray:
        """Predicted probability (binary) or expected count for each row.

        For ``count_poisson`` models the prediction is the expected number of
        reoffences of a reoffender, ``1 + μ``.

        Parameters
        ----------
        members : pandas.DataFrame
            Cohort rows with ``lot``, ``index_date`` and the model's inputs.

        Returns
        -------
        numpy.ndarray of float

        Raises
        ------
        ModelError
            A row's lot × quarter-of-year is not in the baseline, or an input
            cannot be scored.

        Examples
        --------
        >>> m = _example_members()
        >>> p = fit_risk_model(m).predict(m)
        >>> bool(abs(p.sum() - m["reoffender"].sum()) < 1e-6)
        True
        """
        codes = _recode(
            _level_factor(members),
            self.levels,
            "no baseline level for lot × quarter-of-year",
            "(the baseline has no members there)",
        )
        blocks, x = self._design(members)
        mu = _predict(
            self.family,
            np.asarray(self.alpha),
            np.asarray(self.beta),
            np.asarray(self.separated, dtype=bool),
            np.asarray(self.level_rate),
            x,
            codes,
            blocks,
        )
        return mu + 1.0 if self.kind == "count_poisson" else mu

    # -- presentation
    @property
    def coefficients(self) -> pd.DataFrame:
        """Coefficient table: term, estimate, std_error, z, p_value, separated."""
        from scipy import stats

        terms = [*self.terms, *(f"level[{lv}]" for lv in self.levels)]
        est = np.array([*self.beta, *self.alpha], dtype=float)
        se = np.array([*self.beta_se, *self.alpha_se], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = est / se
        return pd.DataFrame(
            {
                "term": terms,
                "estimate": est,
                "std_error": se,
                "z": z,
                "p_value": 2 * stats.norm.sf(np.abs(z)),
                "separated": [False] * len(self.terms) + list(self.separated),
            }
        )

    @property
    def table(self) -> pd.DataFrame:
        """The coefficient table (:attr:`coefficients`: slopes, then level intercepts).

        Examples
        --------
        >>> fit_risk_model(_example_members()).table.columns[:3].tolist()
        ['term', 'estimate', 'std_error']
        """
        return self.coefficients

    def summary(self) -> Summary:
        """Fit statistics (the title) and the slope coefficients.

        Examples
        --------
        >>> print(fit_risk_model(_example_members()).summary().title[:45])
        glm (binomial) — n = 400, parameters = 25, ...
        """
        st = self.statistics
        head = (
            f"{self.kind} ({self.family}) — n = {int(st['n'])}, parameters = "
            f"{int(st['n_params'])}, deviance = {st['deviance']:.3f}, AIC = {st['aic']:.3f}, "
            f"levels = {len(self.levels)} ({sum(self.separated)} separated)"
        )
        if "dispersion" in st:
            head += (
                f", dispersion = {st['dispersion']:.3f} (Poisson standard errors; "
                "× √dispersion for quasi-Poisson)"
            )
        coef = self.coefficients.head(len(self.terms))
        return Summary(head, coef.drop(columns="separated"))

    def plot(self, ax: Axes | None = None) -> Axes:
        """The slopes with 95 % intervals (:func:`pbr.report.result_plots.plot_coefficients`).

        Examples
        --------
        >>> model = fit_risk_model(_example_members())
        >>> [t.get_text() for t in model.plot().get_yticklabels()] == list(model.terms)
        True
        """
        from pbr.report.result_plots import plot_coefficients

        return plot_coefficients(self.coefficients, ax=ax)

    # -- serialisation
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (non-finite numbers as ``None``).

        Examples
        --------
        >>> d = fit_risk_model(_example_members()).to_dict()
        >>> d["kind"], d["terms"][-2:]
        ('glm', ['copas', 'log_sanctions'])
        """
        return {
            "kind": self.kind,
            "family": self.family,
            "levels": list(self.levels),
            "alpha": [_num(v) for v in self.alpha],
            "alpha_se": [_num(v) for v in self.alpha_se],
            "separated": list(self.separated),
            "level_rate": [_num(v) for v in self.level_rate],
            "terms": list(self.terms),
            "beta": [_num(v) for v in self.beta],
            "beta_se": [_num(v) for v in self.beta_se],
            "categories": {k: list(v) for k, v in self.categories.items()},
            "statistics": {k: _num(v) for k, v in self.statistics.items()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], calibration: pd.DataFrame | None = None) -> RiskModel:
        """Rebuild a model from :meth:`to_dict` output.

        Examples
        --------
        >>> m = _example_members()
        >>> model = fit_risk_model(m)
        >>> again = RiskModel.from_dict(model.to_dict())
        >>> bool((again.predict(m) == model.predict(m)).all())
        True
        """
        try:
            model = cls(
                kind=str(d["kind"]),
                family=d["family"],
                levels=tuple(str(v) for v in d["levels"]),
                alpha=tuple(_unnum(v) for v in d["alpha"]),
                alpha_se=tuple(_unnum(v) for v in d["alpha_se"]),
                separated=tuple(bool(v) for v in d["separated"]),
                level_rate=tuple(_unnum(v) for v in d["level_rate"]),
                terms=tuple(str(v) for v in d["terms"]),
                beta=tuple(_unnum(v) for v in d["beta"]),
                beta_se=tuple(_unnum(v) for v in d["beta_se"]),
                categories={k: tuple(v) for k, v in d["categories"].items()},
                statistics={k: _unnum(v) for k, v in d["statistics"].items()},
                calibration=calibration if calibration is not None else pd.DataFrame(),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PbrError(f"invalid risk model description: {exc}") from exc
        model._check_consistent()
        return model

    def _check_consistent(self) -> None:
        """Raise PbrError when the parts of a (loaded) description do not fit together."""
        families = {"ogrs3_recalibrated": "binomial", "glm": "binomial", "count_poisson": "poisson"}
        problems = []
        if self.kind not in families:
            problems.append(f"kind {self.kind!r} is not one of {sorted(families)}")
        elif self.family != families[self.kind]:
            problems.append(f"family {self.family!r} does not fit kind {self.kind!r}")
        n_lev = len(self.levels)
        for name in ("alpha", "alpha_se", "separated", "level_rate"):
            if len(getattr(self, name)) != n_lev:
                problems.append(f"{name} has {len(getattr(self, name))} values for {n_lev} levels")
        for name in ("beta", "beta_se"):
            if len(getattr(self, name)) != len(self.terms):
                problems.append(
                    f"{name} has {len(getattr(self, name))} values for {len(self.terms)} terms"
                )
        if self.kind in ("glm", "count_poisson"):
            width = sum(len(self.categories.get(c, ())) - 1 for c in MODEL_COVARIATES) + 2
            if width != len(self.terms):
                problems.append(f"categories give {width} terms, terms has {len(self.terms)}")
        elif self.kind == "ogrs3_recalibrated" and len(self.terms) != 1:
            problems.append(f"an OGRS3 recalibration has 1 term, got {len(self.terms)}")
        if problems:
            raise PbrError("invalid risk model description: " + "; ".join(problems))


def calibration_table(predicted: Any, observed: Any, *, groups: int = 10) -> pd.DataFrame:
    """Predicted vs observed outcome by risk group (deciles by default).

    Rows are ranked by predicted value (stable: ties keep input order) and cut
    into ``groups`` groups of as-equal-as-possible size: row of rank ``r``
    (0-based) goes to group ``floor(r · groups / n) + 1``.

    Parameters
    ----------
    predicted, observed : array-like of float
    groups : int

    Returns
    -------
    pandas.DataFrame
        ``decile, n, expected, observed, mean_predicted, observed_rate, difference``
        (``difference = observed_rate − mean_predicted``).

    Examples
    --------
    >>> t = calibration_table([0.1, 0.2, 0.3, 0.4], [0, 0, 1, 1], groups=2)
    >>> t[["decile", "n", "expected", "observed"]].to_numpy().tolist()
    [[1.0, 2.0, 0.30000000000000004, 0.0], [2.0, 2.0, 0.7, 2.0]]
    """
    p = np.asarray(predicted, dtype=float)
    o = np.asarray(observed, dtype=float)
    n = p.shape[0]
    order = np.argsort(p, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    g = rank * groups // max(n, 1)
    cnt = np.bincount(g, minlength=groups)
    e = np.bincount(g, p, minlength=groups)
    ob = np.bincount(g, o, minlength=groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = pd.DataFrame(
            {
                "decile": np.arange(1, groups + 1),
                "n": cnt,
                "expected": e,
                "observed": ob,
                "mean_predicted": e / cnt,
                "observed_rate": ob / cnt,
            }
        )
    t["difference"] = t["observed_rate"] - t["mean_predicted"]
    return t[t["n"] > 0].reset_index(drop=True)


def _outcome(members: pd.DataFrame, column: str) -> FloatArray:
    if column not in members.columns:
        raise ModelError(f"risk model needs outcome column {column!r}")
    s = members[column]
    if s.isna().any():
        bad = np.flatnonzero(s.isna().to_numpy())[:20] + 1
        raise ModelError(f"{column} is missing in row(s) {', '.join(map(str, bad))}")
    return np.asarray(pd.to_numeric(s.astype("float64") if s.dtype == bool else s), dtype=float)


def _build(
    kind: str,
    family: Family,
    members: pd.DataFrame,
    y: FloatArray,
    x: FloatArray,
    terms: list[str],
    categories: dict[str, tuple[str, ...]],
    blocks: list[tuple[IntArray, int]] | None = None,
) -> RiskModel:
    lf = _level_factor(members)
    levels = tuple(sorted(lf[1]))
    codes = _recode(lf, levels, "level", "unknown")
    fit = fit_glm(y, x, codes, len(levels), categorical=blocks, family=family)
    pred = fit.fitted(x, codes, blocks)
    calib = calibration_table(pred, y)
    statistics = {
        "n": float(fit.n),
        "n_params": float(fit.n_params),
        "deviance": fit.deviance,
        "aic": fit.aic,
        "log_likelihood": fit.loglik,
        "iterations": float(fit.iterations),
    }
    if family == "poisson":
        # Pearson dispersion X² / (n − p) over the rows with μ > 0 (separated levels:
        # μ = y = 0). Poisson SEs assume 1; quasi-Poisson SEs are × √dispersion.
        pos = pred > 0
        x2 = float((((y - pred) ** 2)[pos] / pred[pos]).sum())
        dof = int(pos.sum()) - fit.n_params
        statistics["dispersion"] = x2 / dof if dof > 0 else math.nan
    return RiskModel(
        kind=kind,
        family=family,
        levels=levels,
        alpha=tuple(float(v) for v in fit.alpha),
        alpha_se=tuple(float(v) for v in fit.alpha_se),
        separated=tuple(bool(v) for v in fit.separated),
        level_rate=tuple(float(v) for v in fit.level_rate),
        terms=tuple(terms),
        beta=tuple(float(v) for v in fit.beta),
        beta_se=tuple(float(v) for v in fit.beta_se),
        categories=categories,
        statistics=statistics,
        calibration=calib,
    )


def _fit_model_covariates(
    kind: str, family: Family, members: pd.DataFrame, y: FloatArray
) -> RiskModel:
    """Fit ``y`` on the :data:`MODEL_COVARIATES` design (categories from ``members``)."""
    raw = _model_raw(members)
    cats = {c: _choose_categories(raw[c]) for c in MODEL_COVARIATES}
    blocks, x, terms = _model_design(raw, cats)
    return _build(kind, family, members, y, x, terms, cats, blocks)


def fit_risk_model(members: pd.DataFrame) -> RiskModel:
    """Fit ``risk="model"``: logistic GLM of ``reoffender`` on the baseline cohort.

    Covariates: sex × age band, Copas rate, log sanctions, offence group,
    event type, and one intercept per lot × quarter-of-year (see module notes).

    Parameters
    ----------
    members : pandas.DataFrame
        Baseline cohort members with outcome column ``reoffender`` (bool / 0-1)
        and the cohort columns ``lot, index_date, sex, date_of_birth,
        offence_group, sanctions, first_sanction_date, event_type``.

    Returns
    -------
    RiskModel

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> n = 400; rng = np.random.default_rng(1)
    >>> m = pd.DataFrame({"lot": "CPA01", "index_date": pd.Timestamp("2011-03-01"),
    ...     "sex": rng.choice(["M", "F"], n), "date_of_birth": pd.Timestamp("1980-01-01"),
    ...     "offence_group": rng.choice(["violence", "robbery"], n),
    ...     "sanctions": rng.integers(1, 20, n), "first_sanction_date": pd.Timestamp("2000-01-01"),
    ...     "event_type": "release", "reoffender": rng.random(n) < 0.4})
    >>> model = fit_risk_model(m)
    >>> round(float(model.predict(m).sum()), 6) == float(m["reoffender"].sum())
    True
    """
    return _fit_model_covariates("glm", "binomial", members, _outcome(members, "reoffender"))


def fit_count_model(members: pd.DataFrame) -> RiskModel:
    """Poisson model of reoffences per reoffender (docs/methodology.md#adjustment).

    Fitted on reoffenders only: ``reoffences − 1 ~ Poisson(μ)``,
    ``log μ = α[lot × quarter-of-year] + x β`` with the covariates of
    :func:`fit_risk_model`; the prediction for a reoffender is ``1 + μ``.
    The level intercepts make the expected reoffences equal the observed
    ones in every level of the fitting data.

    Parameters
    ----------
    members : pandas.DataFrame
        As for :func:`fit_risk_model`, plus ``reoffences``.

    Returns
    -------
    RiskModel

    Examples
    --------
    >>> m = _example_members()
    >>> cm = fit_count_model(m)
    >>> r = m[m["reoffender"]]
    >>> bool(abs(cm.predict(r).sum() - r["reoffences"].sum()) < 1e-6)
    True
    """
    r = _outcome(members, "reoffender") > 0
    sub = members.loc[r].reset_index(drop=True)
    if len(sub) == 0:
        raise ModelError("no reoffenders in the baseline: cannot fit a count model")
    y = _outcome(sub, "reoffences") - 1.0
    if (y < 0).any():
        raise ModelError("a reoffender has fewer than one reoffence")
    return _fit_model_covariates("count_poisson", "poisson", sub, y)
