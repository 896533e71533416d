"""Progress bars (pbr._progress): silent off a terminal, shown when forced or on a terminal,
silenced by ``progress=False`` / ``--no-progress``, a clean text bar in a notebook kernel
without ipywidgets, and never a change to any result."""

from __future__ import annotations

import sys
import types
import warnings

import pandas as pd
import pytest

import pbr
from pbr._progress import bar, enabled, track
from pbr.cli import main
from pbr.io import as_extracted
from pbr.sample import generate
from pbr.simulate import simulate_payments

COHORTS = pd.DataFrame({"lot": ["A", "A", "B"], "cohort_size": [300, 320, 500],
                        "baseline_rate": [0.45, 0.45, 0.5]})  # fmt: skip


def _simulate(progress: bool | None) -> pbr.simulate.PaymentSimulation:
    return simulate_payments(COHORTS, [0.0, 2.0, 4.0], alpha=0.05, price=1000,
                             deduction_price=500, n_sims=400, progress=progress)  # fmt: skip


def test_silent_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert not sys.stderr.isatty()  # pytest captures stderr
    _simulate(None)
    assert capsys.readouterr().err == ""


def test_shown_when_forced_and_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _simulate(True)
    assert "payment simulations" in capsys.readouterr().err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert enabled(None)
    _simulate(None)
    assert "payment simulations" in capsys.readouterr().err


def test_progress_false_silences_even_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    _simulate(False)
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("TQDM_DISABLE", "1")  # tqdm's own switch silences the default
    assert not enabled(None) and enabled(True)


def test_results_are_identical_with_and_without_progress(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _simulate(True) == _simulate(False)
    s = generate(seed=2, scale=0.05, lots=["CPA01", "CPA02"])
    kw = {"extract_date": s.extract_date, "year": 2011}
    b_on = pbr.build_baseline(s.cohort, s.offences, progress=True, **kw)
    b_off = pbr.build_baseline(s.cohort, s.offences, progress=False, **kw)
    assert b_on.rates.equals(b_off.rates)
    assert b_on.model is not None and b_off.model is not None
    assert b_on.model.table.equals(b_off.model.table)
    err = capsys.readouterr().err
    assert "payment simulations" in err and "recalibrating OGRS3" in err


def test_forecast_and_backtest_bars_and_same_draws(capsys: pytest.CaptureFixture[str]) -> None:
    from pbr.forecast import backtest, forecast

    s = generate(seed=5, scale=0.05, lots=["CPA01"])
    early = as_extracted(s.offences, "offences", "2017-09-30")  # still validated
    kw = {"extract_date": "2017-09-30", "draws": 40}
    f_on = forecast(s.cohort, early, progress=True, **kw)
    assert "forecast replicates" in capsys.readouterr().err
    f_off = forecast(s.cohort, early, progress=False, **kw)
    assert capsys.readouterr().err == ""
    assert f_on.table.equals(f_off.table)
    bt = backtest(s.cohort, s.offences, extract_date=s.extract_date, cutoffs=(6, 9), draws=20,
                  progress=True)  # fmt: skip
    assert "backtest cut-offs" in capsys.readouterr().err
    assert bt.table["cutoff_months"].tolist() == [6, 9]


def test_a_notebook_kernel_without_ipywidgets_gets_a_text_bar_and_no_warning(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    if importlib.util.find_spec("ipywidgets") is not None:  # pragma: no cover
        pytest.fail("this test needs an environment without ipywidgets (as the project's)")

    class ZMQInteractiveShell:  # what IPython.get_ipython() returns in a Jupyter kernel
        pass

    fake = types.ModuleType("IPython")
    fake.get_ipython = ZMQInteractiveShell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", fake)
    monkeypatch.setitem(sys.modules, "ipykernel.zmqshell", types.ModuleType("ipykernel.zmqshell"))
    for key in [k for k in __import__("os").environ if k == "QT_API" or k.startswith("SPYDER")]:
        monkeypatch.delenv(key)
    assert enabled(None)  # a notebook shows bars although its stderr is not a terminal
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert list(track(range(3), progress=None, desc="in a notebook")) == [0, 1, 2]
    assert caught == []  # no TqdmWarning "IProgress not found"
    assert "in a notebook" in capsys.readouterr().err
    assert "tqdm.notebook" not in sys.modules or sys.modules["tqdm.notebook"].IProgress is None


def test_no_process_wide_state_changes() -> None:
    filters = list(warnings.filters)
    with bar(2, progress=True, desc="x") as b:
        b.update(2)
    list(track(range(2), progress=True, desc="y"))
    assert warnings.filters == filters


def test_cli_no_progress_and_quiet_silence_a_terminal(
    tmp_path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ._helpers import sample_microdata_args

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["measures", *sample_microdata_args(), "--period", "calendar_year",
                     "--out", str(tmp_path / "a.csv")]) == 0  # fmt: skip
        shown = capsys.readouterr().err
        for flag in ("--no-progress", "--quiet"):  # one output each: none is replaced
            assert main(["measures", *sample_microdata_args(), "--period", "calendar_year",
                         "--out", str(tmp_path / f"b{flag}.csv"), flag]) == 0  # fmt: skip
            quiet = capsys.readouterr().err
            assert "reading and counting" not in quiet and "lot × period rows" not in quiet
            same = (tmp_path / "a.csv").read_bytes() == (tmp_path / f"b{flag}.csv").read_bytes()
            assert same
    assert "reading and counting" in shown and "lot × period rows" in shown
