"""A matched comparison from a file: match, estimate, write the tables and manifest.

:func:`compare_from_file` is what ``pbr compare`` runs (methodology,
"Comparisons …", §1). It writes ``balance.csv``, ``pairs.csv``, ``outcomes.csv``
(when there are outcomes), ``summary.txt`` (the match summary followed by the
outcome table) and ``manifest.json`` (the data file's hash, every option, the
outputs' hashes) safely (:func:`pbr._staging.safe_directory`). Outcomes: the
columns of ``outcome``; without it, the JDL measures when the data has a
``reoffender`` column (as :func:`pbr.matching.person_table` writes it).

Examples
--------
>>> import tempfile, pathlib
>>> callable(compare_from_file)
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from pbr._staging import check_out, safe_directory
from pbr.errors import PbrError
from pbr.provenance import run_manifest, write_outputs

__all__ = ["compare_from_file", "read_person_data"]


def read_person_data(path: str | Path) -> pd.DataFrame:
    """Read the one-row-per-person table (CSV or Parquet) of a comparison.

    Examples
    --------
    >>> read_person_data("missing.csv")
    Traceback (most recent call last):
    ...
    pbr.errors.PbrError: data file 'missing.csv' does not exist
    """
    f = Path(path)
    if not f.is_file():
        raise PbrError(f"data file {str(path)!r} does not exist")
    try:
        if f.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(f)
        return pd.read_csv(f)
    except UnicodeDecodeError as exc:
        raise PbrError(
            f"{f}: not UTF-8 text (first bad byte at offset {exc.start}); save it as UTF-8"
        ) from None
    except (OSError, ValueError) as exc:
        raise PbrError(f"data file {f}: cannot read: {exc}") from None


def _csv(frame: pd.DataFrame) -> bytes:
    text: str = frame.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def compare_from_file(
    data: str | Path,
    out: str | Path,
    *,
    treatment: str,
    covariates: Sequence[str],
    outcomes: Sequence[str] = (),
    se: str = "auto",
    min_treated: int = 60,
    force: bool = False,
    **match_options: Any,
) -> str:
    """Match, estimate and write the comparison into ``out``; returns the summary text.

    Parameters
    ----------
    data : path
        One row per person (CSV or Parquet).
    out : path
        The output directory: refused before any work when it is or contains
        ``data``, or exists non-empty without ``force``.
    treatment, covariates, **match_options
        As :func:`pbr.matching.match`.
    outcomes : sequence of str
        Outcome columns (default: the JDL measures when there is ``reoffender``).
    se, min_treated
        As :meth:`pbr.matching.Matched.outcomes`.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np, pandas as pd
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> rng = np.random.default_rng(0)
    >>> pd.DataFrame({"x": rng.normal(size=300), "t": rng.random(300) < 0.4}).to_csv(
    ...     d / "people.csv", index=False)
    >>> _ = compare_from_file(d / "people.csv", d / "out", treatment="t", covariates=["x"])
    >>> sorted(p.name for p in (d / "out").iterdir())
    ['balance.csv', 'manifest.json', 'pairs.csv', 'summary.txt']
    """
    from pbr.matching import match

    check_out(out, [data], force=force)
    frame = read_person_data(data)
    m = match(frame, treatment=treatment, covariates=list(covariates), **match_options)
    files = {"balance.csv": _csv(m.balance), "pairs.csv": _csv(m.pairs)}
    text = str(m.summary())
    table = None
    if outcomes:
        table = m.outcomes(*outcomes, se=se, min_treated=min_treated)
    elif "reoffender" in frame.columns:
        table = m.estimate(
            frequency="reoffences" if "reoffences" in frame.columns else None,
            days="days_to_first_reoffence" if "days_to_first_reoffence" in frame.columns else None,
            se=se,
            min_treated=min_treated,
        )
    if table is not None:
        files["outcomes.csv"] = _csv(table)
        cols = ["measure", "treated_mean", "comparison_mean", "difference", "ci_low", "ci_high"]
        shown = table[[*cols, "p_value", "se_method"]].copy()
        text += "\n\nOutcomes (treated − matched comparison, 95 % CI):\n" + shown.to_string(
            index=False, float_format=lambda v: f"{v:.4f}"
        )
    files["summary.txt"] = (text + "\n").encode("utf-8")
    parameters: Mapping[str, Any] = {
        "treatment": treatment,
        "covariates": list(covariates),
        "outcomes": list(outcomes),
        "se": se,
        "min_treated": min_treated,
        **match_options,
    }
    target = Path(out)
    manifest = run_manifest(
        target.resolve(),
        command="compare",
        inputs={"data": data},
        parameters=parameters,
        outputs=files,
        seeds={"ties": int(match_options.get("random_state", 0))},
    )
    with safe_directory(target, [data], force=force) as tmp:
        write_outputs({tmp / n: b for n, b in files.items()}, manifest, tmp / "manifest.json")
    return text
