"""The user notebooks run top to bottom on the bundled sample and are committed clean
(no outputs), exactly as ``notebooks/_build.py`` writes them. (Their run time, within a
minute each, is measured by ``benchmarks/wall_clock.py``, not asserted here.)"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["commissioner.ipynb", "auditor.ipynb", "researcher.ipynb"]


def _kernel_name() -> str:
    """A kernel that runs *this* interpreter (so pbr and ipykernel are importable).

    ``python3`` from the current environment when its kernelspec points at this
    interpreter or at plain ``python``; otherwise a spec is installed into a temporary
    directory by the caller (see ``_kernel_env``)."""
    return "python3"


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment whose JUPYTER_PATH provides a ``python3`` kernel for sys.executable.

    Works in a fresh venv: nothing needs ``ipykernel install`` beforehand."""
    pytest.importorskip("ipykernel")
    kdir = tmp_path_factory.mktemp("jupyter") / "kernels" / "python3"
    kdir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (pbr tests)",
        "language": "python",
    }
    (kdir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return {"JUPYTER_PATH": str(kdir.parent.parent)}


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_clean(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: outputs not stripped"
            assert cell.execution_count is None, f"{name}: execution count not stripped"
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_notebooks_match_their_generator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        import _build  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(NOTEBOOKS))
    monkeypatch.setattr(_build, "HERE", tmp_path)
    _build.main()
    for name in NAMES:
        assert (tmp_path / name).read_bytes() == (NOTEBOOKS / name).read_bytes(), (
            f"{name} differs from notebooks/_build.py: run `python notebooks/_build.py`"
        )


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom(
    name: str, kernel_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in kernel_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.setenv("PYTHONWARNINGS", "")  # the kernel is not the test process
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        kernel_name=_kernel_name(),
        timeout=120,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors
    # progress bars in a kernel without ipywidgets: a text bar, never tqdm's IProgress warning
    streams = "".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "stream"
    )
    assert "TqdmWarning" not in streams and "IProgress" not in streams
    # something was shown: at least one figure or table in the notebook
    kinds = {
        key
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        for key in out.get("data", {})
    }
    assert "image/png" in kinds and "text/html" in kinds, kinds
    assert os.environ.get("JUPYTER_PATH") == kernel_env["JUPYTER_PATH"]
