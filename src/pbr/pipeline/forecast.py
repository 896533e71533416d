"""Forecasting from files: read the microdata, project, write the outputs and manifest.

:func:`forecast_from_files` is what ``pbr forecast --out DIR`` runs; it writes
``forecast.csv`` (one row per lot × quarter), ``forecast.html``,
``manifest.json`` and, when the contract pays frequency, ``forecast_frequency.csv``
(one row per lot × contract year) safely (:func:`pbr._staging.safe_directory`).
:func:`backtest_from_files` is ``pbr forecast --backtest`` (the bundled sample
by default). Method: docs/methodology.md, "Forecasting interim cohorts".

Examples
--------
>>> import tempfile, pathlib
>>> from pbr.sample import sample_paths
>>> p = sample_paths()
>>> f, out = forecast_from_files(p["cohort"], p["offences"],
...                              pathlib.Path(tempfile.mkdtemp()) / "fc",
...                              extract_date="2018-06-30", draws=20)  # doctest: +SKIP
>>> sorted(x.name for x in out.iterdir())  # doctest: +SKIP
['forecast.csv', 'forecast.html', 'manifest.json']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pbr._staging import check_out, safe_directory
from pbr.contracts import available_presets
from pbr.errors import PbrError
from pbr.io import checked_tables
from pbr.provenance import run_manifest, write_outputs

if TYPE_CHECKING:
    from pbr.forecast import Forecast
    from pbr.forecast.result import Backtest

__all__ = ["backtest_from_files", "forecast_from_files", "read_microdata"]


def read_microdata(
    cohort: str | Path | None, offences: str | Path | None, extract_date: Any
) -> tuple[Any, Any]:
    """Both microdata files through the io boundary at once (one error for both tables).

    All three must be given (a partial set is a :class:`~pbr.errors.PbrError`).

    Examples
    --------
    >>> read_microdata("c.csv", None, "2018-06-30")
    Traceback (most recent call last):
    ...
    pbr.errors.PbrError: give all of --cohort, --offences and --extract-date (or none)
    """
    _all_or_none(cohort, offences, extract_date)
    if cohort is None or offences is None:
        raise PbrError("give all of --cohort, --offences and --extract-date (or none)")
    return checked_tables(cohort, offences, extract_date=extract_date)


def _all_or_none(*given: Any) -> None:
    if any(v is not None for v in given) and not all(v is not None for v in given):
        raise PbrError("give all of --cohort, --offences and --extract-date (or none)")


def _projection(
    *,
    reference: str | Sequence[str] | None = None,
    strata: int = 5,
    draws: int = 1000,
    seed: int = 0,
    progress: bool | None = None,
) -> dict[str, Any]:
    """The projection options of forecast and backtest (``reference``: a comma list or a word)."""
    if isinstance(reference, str) and reference not in ("baseline", "latest"):
        reference = [t.strip() for t in reference.split(",") if t.strip()]
    # validate=False: the two files were validated just before (read_microdata)
    return {"reference": reference, "strata": strata, "draws": draws, "seed": seed,
            "validate": False, "progress": progress}  # fmt: skip


def backtest_from_files(
    cohort: str | Path | None = None,
    offences: str | Path | None = None,
    *,
    extract_date: Any = None,
    **options: Any,
) -> Backtest:
    """Backtest the forecast on two files (default: the bundled sample), as ``--backtest`` does.

    ``options`` are the projection options of :func:`forecast_from_files` (``reference``,
    ``strata``, ``draws``, ``seed``, ``progress``).

    Examples
    --------
    >>> backtest_from_files("c.csv")
    Traceback (most recent call last):
    ...
    pbr.errors.PbrError: give all of --cohort, --offences and --extract-date (or none)
    """
    from pbr.forecast import backtest

    if cohort is None and offences is None and extract_date is None:
        from pbr.sample import SAMPLE_EXTRACT_DATE, sample_paths

        paths = sample_paths()
        cohort, offences = paths["cohort"], paths["offences"]
        extract_date = SAMPLE_EXTRACT_DATE.isoformat()
    co, of = read_microdata(cohort, offences, extract_date)
    return backtest(co, of, extract_date=extract_date, **_projection(**options))


def forecast_from_files(
    cohort: str | Path | None,
    offences: str | Path | None,
    out: str | Path | None,
    *,
    extract_date: Any,
    contract: str | Path | None = None,
    reference: str | Sequence[str] | None = None,
    strata: int = 5,
    draws: int = 1000,
    seed: int = 0,
    force: bool = False,
    progress: bool | None = None,
) -> tuple[Forecast, Path]:
    """Forecast from two files and write the outputs and manifest into ``out`` (module notes).

    ``out`` is refused before any work when it is or contains an input (a
    contract file included) or exists non-empty without ``force``.

    Returns
    -------
    (Forecast, pathlib.Path)
        The forecast and the directory written.

    Examples
    --------
    >>> forecast_from_files("c.csv", "o.csv", None, extract_date="2018-06-30")
    Traceback (most recent call last):
    ...
    pbr.errors.PbrError: pbr forecast needs --cohort, --offences, --extract-date and --out
    """
    from pbr.forecast import forecast
    from pbr.forecast.page import render_forecast_html

    _all_or_none(cohort, offences, extract_date)
    if cohort is None or offences is None or out is None:
        raise PbrError("pbr forecast needs --cohort, --offences, --extract-date and --out")
    inputs: dict[str, str | Path] = {"cohort": cohort, "offences": offences}
    if contract is not None and str(contract) not in available_presets():
        inputs["contract"] = contract  # a contract file is an input: hashed
    check_out(out, inputs.values(), force=force)
    co, of = read_microdata(cohort, offences, extract_date)
    options = _projection(
        reference=reference, strata=strata, draws=draws, seed=seed, progress=progress
    )
    f = forecast(co, of, extract_date=extract_date, contract=contract, **options)
    text = f.with_payments().to_csv(index=False, float_format="%.10g", lineterminator="\n")
    page = render_forecast_html(f).encode("utf-8")
    files = {"forecast.csv": text.encode("utf-8"), "forecast.html": page}
    names = {"forecast": "forecast.csv", "page": "forecast.html"}  # manifest name → file
    years = None if f.payments is None else f.payments.by_year
    if years is not None and len(years):  # the contract's frequency component
        names["frequency"] = "forecast_frequency.csv"
        by_year = years.to_csv(index=False, float_format="%.10g", lineterminator="\n")
        files["forecast_frequency.csv"] = by_year.encode("utf-8")
    target = Path(out)
    manifest = run_manifest(
        target.resolve(),
        command="forecast",
        inputs=inputs,
        parameters={
            "extract_date": str(extract_date),
            "contract": None if contract is None else str(contract),
            "reference": list(f.reference),
            "rules": f.rules,
            "strata": f.strata,
            "draws": f.draws,
        },
        outputs={name: files[file] for name, file in names.items()},
        seeds={"bootstrap": f.seed},
    )
    with safe_directory(target, inputs.values(), force=force) as tmp:
        write_outputs({tmp / n: b for n, b in files.items()}, manifest, tmp / "manifest.json")
    return f, target
