"""The one result protocol (docs/api.md, "The result protocol"), for every result class.

Each public result class is built twice from a small part of the bundled sample
(three lots) or from a tiny example: ``result`` and ``other`` (a different result
of the same class). Every test is parametrised over :data:`BUILDERS`;
:func:`test_every_result_class_is_tested` fails when a new :class:`pbr.results.Result`
subclass appears in pbr without a builder here.
"""

from __future__ import annotations

import ast
import copy
import html
import importlib
import inspect
import pkgutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex

import pbr
from pbr.baseline import Assessment, Baseline, build_baseline, compare_to_baseline
from pbr.cohort import Cohort, build_cohort
from pbr.contracts import preset
from pbr.decompose import Decomposition, decompose_change
from pbr.errors import SuspiciousDataWarning
from pbr.forecast import Backtest, Forecast
from pbr.forecast._examples import example_backtest, example_forecast
from pbr.io import ValidationReport, checked_tables, validate
from pbr.matching import MatchResult, match
from pbr.matching.result import example_data
from pbr.measures import Measures, compute_measures
from pbr.payments import Statement, example_assessment, pay
from pbr.pipeline import pay_from_files
from pbr.pipeline.verify import VerifyResult, verify
from pbr.report.style import INK
from pbr.results import Result, Summary
from pbr.risk import RiskModel
from pbr.sample import SAMPLE_EXTRACT_DATE, SampleData, generate, load_sample
from pbr.simulate import PaymentSimulation, simulate_payments
from pbr.whatif import WhatIf, what_if

EXTRACT = SAMPLE_EXTRACT_DATE.isoformat()
LOTS = ["CPA01", "CPA02", "CPA03"]


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cohort rows of three lots of the bundled sample and those people's offences."""
    sample = load_sample()
    cohort = sample.cohort[sample.cohort["lot"].isin(LOTS)].reset_index(drop=True)
    people = set(cohort["offender_id"])
    offences = sample.offences[sample.offences["offender_id"].isin(people)]
    # a subset is a new table: validated once here (the sample's juveniles and duplicate
    # offences, there on purpose, are warned about), then used as validated everywhere
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuspiciousDataWarning)
        checked: tuple[pd.DataFrame, pd.DataFrame] = checked_tables(
            cohort, offences.reset_index(drop=True), extract_date=EXTRACT
        )
    return checked


@pytest.fixture(scope="module")
def baselines(tables: tuple[pd.DataFrame, pd.DataFrame]) -> tuple[Baseline, Baseline]:
    cohort, offences = tables
    ogrs3 = build_baseline(cohort, offences, extract_date=EXTRACT, year=2011, risk="ogrs3")
    model = build_baseline(cohort, offences, extract_date=EXTRACT, year=2011, risk="model")
    return ogrs3, model


@pytest.fixture(scope="module")
def assessments(
    tables: tuple[pd.DataFrame, pd.DataFrame], baselines: tuple[Baseline, Baseline]
) -> tuple[Assessment, Assessment]:
    cohort, offences = tables
    base = baselines[0]
    a = compare_to_baseline(cohort, offences, base, extract_date=EXTRACT)
    b = compare_to_baseline(cohort, offences, base, extract_date=EXTRACT, alpha=0.1)
    return a, b


def _cohorts(t: tuple[pd.DataFrame, pd.DataFrame], **_: Any) -> tuple[Result, Result]:
    cohort, _offences = t
    return build_cohort(cohort), build_cohort(cohort, period="financial_year")


def _measures(t: tuple[pd.DataFrame, pd.DataFrame], **_: Any) -> tuple[Result, Result]:
    cohort, offences = t
    quarterly = compute_measures(cohort, offences, extract_date=EXTRACT)
    annual = compute_measures(cohort, offences, extract_date=EXTRACT, period="financial_year")
    return quarterly, annual


def _baselines(_t: Any, *, baselines: tuple[Baseline, Baseline], **_: Any) -> tuple[Any, Any]:
    return baselines


def _assessments(_t: Any, *, assessments: tuple[Assessment, Assessment], **_: Any) -> Any:
    return assessments


def _risk_models(_t: Any, *, baselines: tuple[Baseline, Baseline], **_: Any) -> Any:
    return baselines[0].model, baselines[1].model


def _decompositions(_t: Any, *, assessments: tuple[Assessment, Assessment], **_: Any) -> Any:
    table = assessments[0].table
    return decompose_change(table), decompose_change(table[table["lot"] == LOTS[0]])


def _statements(_t: Any, **_: Any) -> tuple[Result, Result]:
    return pay(preset("tr_crc"), example_assessment(450)), pay(
        preset("tr_crc"), example_assessment(550)
    )


def _what_ifs(_t: Any, **_: Any) -> tuple[Result, Result]:
    a, b = preset("tr_crc"), preset("tr_crc", alpha=0.1)
    return what_if(example_assessment(480), a, b), what_if(example_assessment(450), a, b)


def _simulations(_t: Any, *, assessments: tuple[Assessment, Assessment], **_: Any) -> Any:
    t = assessments[0].table
    cohorts = pd.DataFrame(
        {
            "lot": t["lot"].unique(),
            "cohort_size": t.groupby("lot", sort=True)["cohort_size"].mean().round().to_numpy(),
            "baseline_rate": t.groupby("lot", sort=True)["baseline_binary"].mean().to_numpy(),
        }
    )
    kw: dict[str, Any] = {"alpha": 0.05, "price": 100, "deduction_price": 100, "n_sims": 200}
    return (
        simulate_payments(cohorts, effects_pp=[0.0, 3.0], **kw),
        simulate_payments(cohorts, effects_pp=[0.0, 3.0], random_state=1, **kw),
    )


def _samples(_t: Any, **_: Any) -> tuple[Result, Result]:
    return generate(seed=3, scale=0.01), generate(seed=4, scale=0.01)


def _validation_reports(t: tuple[pd.DataFrame, pd.DataFrame], **_: Any) -> Any:
    cohort, offences = t
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuspiciousDataWarning)  # the sample has juveniles
        return (
            validate(cohort, offences, extract_date=EXTRACT),
            validate(cohort.iloc[:100], offences, extract_date=EXTRACT),
        )


def _verify_results(_t: Any, *, tmp: Path, **_: Any) -> tuple[Result, Result]:
    example_assessment(400, lot="CPA01").to_csv(tmp / "m.csv", index=False)
    out = pay_from_files("tr_crc", measures=tmp / "m.csv").write(tmp / "out")
    same = verify(out)
    example_assessment(560, lot="CPA01").to_csv(tmp / "m.csv", index=False)  # the input changes
    return same, verify(out)


def _match_results(_t: Any, **_: Any) -> tuple[Result, Result]:
    data = example_data()
    return (
        match(data, treatment="t", covariates=["x"]),
        match(data, treatment="t", covariates=["x"], ratio=2),
    )


def _forecasts(_t: Any, **_: Any) -> tuple[Result, Result]:
    return example_forecast(), example_forecast(None)


def _backtests(_t: Any, **_: Any) -> tuple[Result, Result]:
    from pbr.forecast import backtest
    from pbr.sample import generate

    s = generate(seed=3, scale=0.05, lots=["CPA01", "CPA02"])
    other = backtest(s.cohort, s.offences, extract_date=s.extract_date, cutoffs=(6,), draws=20)
    return example_backtest(), other


#: Every public result class and how to build two different results of it.
BUILDERS: dict[type[Result], Callable[..., tuple[Any, Any]]] = {
    Cohort: _cohorts,
    Measures: _measures,
    Baseline: _baselines,
    Assessment: _assessments,
    RiskModel: _risk_models,
    Decomposition: _decompositions,
    Statement: _statements,
    WhatIf: _what_ifs,
    PaymentSimulation: _simulations,
    SampleData: _samples,
    ValidationReport: _validation_reports,
    VerifyResult: _verify_results,
    MatchResult: _match_results,
    Forecast: _forecasts,
    Backtest: _backtests,
}

#: Result-like classes (a ``summary`` and a ``plot`` or ``to_frame``) that are not Results yet.
NOT_RESULTS: set[str] = set()

CLASSES = list(BUILDERS)


@pytest.fixture(scope="module")
def built(
    tables: tuple[pd.DataFrame, pd.DataFrame],
    baselines: tuple[Baseline, Baseline],
    assessments: tuple[Assessment, Assessment],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[type[Result], tuple[Any, Any]]:
    out = {}
    for cls, build in BUILDERS.items():
        tmp = tmp_path_factory.mktemp(cls.__name__)
        out[cls] = build(tables, baselines=baselines, assessments=assessments, tmp=tmp)
    return out


@pytest.fixture(params=CLASSES, ids=[c.__name__ for c in CLASSES])
def pair(request: pytest.FixtureRequest, built: dict[type[Result], tuple[Any, Any]]) -> Any:
    cls = request.param
    result, other = built[cls]
    assert type(result) is cls and type(other) is cls
    return result, other


def _walk_result_classes() -> set[type]:
    found: set[type] = set()
    for info in pkgutil.walk_packages(pbr.__path__, "pbr."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__.startswith("pbr.") and not obj.__name__.startswith("_"):
                found.add(obj)
    return found


def test_every_result_class_is_tested() -> None:
    classes = _walk_result_classes()
    results = {c for c in classes if issubclass(c, Result) and c is not Result}
    assert results == set(BUILDERS), "a Result subclass without a protocol builder (or gone)"
    looks_like = {
        f"{c.__module__}.{c.__qualname__}"
        for c in classes - results - {Result}
        if callable(getattr(c, "summary", None))
        and (callable(getattr(c, "plot", None)) or callable(getattr(c, "to_frame", None)))
    }
    # equality, not a subset: an entry that no longer applies must be removed
    assert looks_like == NOT_RESULTS, "a result-like class that does not subclass Result"


def _top_level_imports(path: Path) -> set[str]:
    """Modules imported by the statements at module level (``if TYPE_CHECKING`` excluded)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
def test_plotting_is_imported_only_when_drawing(cls: type) -> None:
    # start-up time: a result's module imports matplotlib and pbr.report inside plot() only
    path = Path(inspect.getfile(cls))
    heavy = {m for m in _top_level_imports(path) if m.startswith(("matplotlib", "pbr.report"))}
    assert not heavy, f"{path.name} imports {heavy} at module level"


def test_is_a_result_with_a_table(pair: tuple[Any, Any]) -> None:
    result, _ = pair
    assert isinstance(result, Result)
    assert isinstance(result.table, pd.DataFrame)


def test_to_frame_is_a_copy_of_the_table(pair: tuple[Any, Any]) -> None:
    result, _ = pair
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert frame.equals(result.table)
    assert frame is not result.table
    frame["__probe__"] = 1
    assert "__probe__" not in result.table.columns


def test_summary_is_one_summary_type(pair: tuple[Any, Any]) -> None:
    result, _ = pair
    s = result.summary()
    assert isinstance(s, Summary)
    assert s.title
    assert str(s).startswith(s.title)
    assert isinstance(s.frame, pd.DataFrame)
    assert s == result.summary()


def test_repr_html_names_the_title(pair: tuple[Any, Any]) -> None:
    result, _ = pair
    page = result._repr_html_()
    assert page.startswith("<div") and html.escape(result.summary().title) in page


def _house_styled(ax: Axes) -> bool:
    """The mark of :func:`pbr.report.style.style_axes`: open top/right, ink-coloured axes."""
    return (
        not ax.spines["top"].get_visible()
        and not ax.spines["right"].get_visible()
        and to_hex(ax.spines["left"].get_edgecolor()) == INK.lower()
        and to_hex(ax.spines["bottom"].get_edgecolor()) == INK.lower()
    )


def test_plot_draws_in_the_house_style(pair: tuple[Any, Any]) -> None:
    result, _ = pair
    ax = result.plot()
    try:
        assert isinstance(ax, Axes)
        assert _house_styled(ax)
        assert ax.has_data()
    finally:
        plt.close(ax.figure)
    fig, given = plt.subplots()
    try:
        assert result.plot(ax=given) is given
        assert _house_styled(given)
    finally:
        plt.close(fig)


def test_value_equality(pair: tuple[Any, Any]) -> None:
    result, other = pair
    assert (result == copy.deepcopy(result)) is True
    assert (result == other) is False
    assert (result != other) is True
    assert (result == "not a result") is False


def test_not_hashable(pair: tuple[Any, Any]) -> None:
    result, _ = pair
    with pytest.raises(TypeError):
        hash(result)


def test_unstyled_axes_fail_the_style_check() -> None:
    # the check above is not vacuous: a plain matplotlib Axes does not pass it
    fig, ax = plt.subplots()
    try:
        assert not _house_styled(ax)
    finally:
        plt.close(fig)
