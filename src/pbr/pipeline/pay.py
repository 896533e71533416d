"""Paying from files: read the tables, drive the microdata path, record the inputs.

:func:`pay_from_files` is what ``pbr pay`` runs: it reads an aggregate table
(or cohort and offence microdata with a saved baseline), pays it with
:func:`pbr.payments.pay` and records every input and parameter for the
statement's manifest; :func:`pbr.payments.write_statement` then writes the
statement and its manifest.

Examples
--------
>>> import tempfile, pathlib
>>> from pbr.payments import example_assessment
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> example_assessment(400, lot="CPA01").to_csv(d / "m.csv", index=False)
>>> pay_from_files("tr_crc", measures=d / "m.csv").total
Decimal('150000.00')
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from pbr import baseline as baseline_mod
from pbr import io as io_mod
from pbr._encoding import read_utf8
from pbr._progress import bar
from pbr._staging import safe_directory
from pbr.contracts import Contract, available_presets, load_contract, preset
from pbr.errors import IgnoredOptionWarning, PbrError
from pbr.io._values import parse_iso_date
from pbr.lots import default_registry
from pbr.payments import Statement, after_baseline_year, pay, write_statement
from pbr.provenance import add_output, sha256_file

__all__ = ["pay_from_files", "read_table", "write_pay"]

_STRING_COLUMNS = ("lot", "period", "status", "cohort", "unit", "core_contract_value")


def read_table(path: str | Path, what: str = "table") -> pd.DataFrame:
    r"""Read an aggregate CSV or Parquet table (lot/period/cohort/status kept as text).

    ``core_contract_value`` is kept as text so that it becomes a Decimal exactly.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("lot,period,cohort_size\nA,2015Q4,10\n")
    >>> read_table(p)["period"].tolist()
    ['2015Q4']
    """
    p = Path(path)
    if not p.is_file():
        raise PbrError(f"{what}: file {p} not found")
    try:
        if p.suffix.lower() in (".parquet", ".pq"):
            t = pd.read_parquet(p)
            for c in _STRING_COLUMNS:
                if c in t.columns:
                    t[c] = (
                        t[c]
                        .astype(object)
                        .where(t[c].notna(), None)
                        .map(lambda v: v if v is None else str(v))
                    )
            return t
        # every cell as its printed text: the io boundary parses numbers exactly; UTF-8
        # only (gzip whatever the suffix), else an error naming the file and first bad byte
        text = read_utf8(p, what)
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=True)
    except PbrError:
        raise
    except (OSError, ValueError, EOFError) as exc:
        raise PbrError(f"{what}: cannot read {p}: {exc}") from None


def _check_baseline_matches(contract: Contract, bl: Any, path: str | Path) -> None:
    """The saved baseline must be the one the contract pays against (adjustment, rules, year)."""
    checks = [
        ("adjustment", contract.adjustment, bl.risk or "none", "risk model"),
        ("rules", contract.rules[0], bl.rules, "counting rules"),
    ]
    if contract.baseline.isdigit():
        checks.append(("baseline", contract.baseline, str(bl.year), "year"))
    for key, wanted, actual, what in checks:
        if wanted != actual:
            raise PbrError(
                f"{key}: the contract says {wanted!r} but the baseline {path} has {what} "
                f"{actual!r}; build the baseline to match the contract or use a matching contract"
            )


def pay_from_files(
    contract: str | Path | Contract,
    *,
    measures: str | Path | None = None,
    annual_measures: str | Path | None = None,
    cohort: str | Path | None = None,
    offences: str | Path | None = None,
    baseline: str | Path | None = None,
    extract_date: str | None = None,
    volumes: str | Path | None = None,
    allow_interim: bool = False,
    progress: bool | None = None,
) -> Statement:
    """Pay from files, recording every input for the audit manifest (what ``pbr pay`` runs).

    Parameters
    ----------
    contract : str, Path or Contract
        A preset name (``tr_crc``), a TOML path, or a Contract.
    measures : path, optional
        Aggregate assessment table (CSV/Parquet), or the Peterborough/Doncaster table.
    annual_measures : path, optional
        Annual rows for the frequency component.
    cohort, offences, baseline, extract_date : optional
        The microdata path: ``pbr.io.read_cohort/read_offences``,
        ``pbr.baseline.load_baseline`` and ``compare_to_baseline`` (quarterly for
        binary, ``contract_year`` periods for frequency). Periods that start
        in or before the baseline year are the baseline itself and are not paid.
    volumes : path, optional
        Fee-for-service volumes (``lot, period, unit, volume``).
    allow_interim : bool
    progress : bool or None
        On the microdata path, a bar over its steps (reading, assessing the
        quarters, the contract years): ``None`` (default) on a terminal or in a
        notebook only, ``True`` always, ``False`` never (:mod:`pbr._progress`).
        Not recorded: it changes nothing in the statement.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"cohort": ["1"], "cohort_rate": [0.40], "baseline_rate": [0.457],
    ...               "core_contract_value": ["1000000.00"]}).to_csv(d / "don.csv", index=False)
    >>> pay_from_files("doncaster", measures=d / "don.csv").total
    Decimal('0.00')
    """
    if extract_date is not None:  # recorded normalised (ISO only)
        extract_date = parse_iso_date(extract_date, "extract_date")
    source: dict[str, str]
    if isinstance(contract, Contract):
        c, source = contract, {"inline": "python"}
    elif isinstance(contract, str) and contract in available_presets():
        c, source = preset(contract), {"preset": contract}
    else:
        c, source = load_contract(contract), {"path": str(contract)}
    if (measures is None) == (cohort is None and offences is None):
        raise PbrError("give either measures (an aggregate table) or cohort + offences (microdata)")
    inputs: dict[str, Any] = {
        "measures": measures,
        "annual_measures": annual_measures,
        "cohort": cohort,
        "offences": offences,
        "baseline": baseline,
        "volumes": volumes,
    }
    unused = ("baseline",) if measures is not None else ("annual_measures",)
    for name in unused:
        if inputs[name] is not None:
            path = "measures" if measures is not None else "cohort + offences"
            warnings.warn(
                f"{name} {inputs[name]} is ignored: the {path} path does not use it "
                "(it is not recorded in the manifest)",
                IgnoredOptionWarning,
                stacklevel=2,
            )
            inputs[name] = None
    baseline, annual_measures = inputs["baseline"], inputs["annual_measures"]
    annual: Any = None
    if measures is not None:
        table: Any = read_table(measures, "measures")
        if annual_measures is not None:
            annual = read_table(annual_measures, "annual measures")
    else:
        if cohort is None or offences is None or baseline is None or extract_date is None:
            raise PbrError("the microdata path needs cohort, offences, baseline and extract_date")
        periods = ["quarter", *([c.contract_year] if c.frequency is not None else [])]
        with bar(1 + len(periods), progress=progress, desc="pay: reading the files") as steps:
            # both files through the io boundary at once (one error lists both tables' rows)
            co, of = io_mod.checked_tables(cohort, offences, extract_date=extract_date)
            form: Literal["difference", "ratio"] = "ratio" if c.form == "ratio" else "difference"
            bl = baseline_mod.load_baseline(baseline)
            _check_baseline_matches(c, bl, baseline)
            # the contract's test and counting rules; the tables were validated just above
            terms: dict[str, Any] = {"alpha": c.alpha, "form": form, "rules": c.rules[0]}
            assessed = []
            for kind in periods:  # quarterly for binary, contract years for frequency
                steps.update()
                steps.set_description(f"pay: assessing each lot's {kind} periods")
                a = baseline_mod.compare_to_baseline(
                    co, of, bl, extract_date=extract_date, period=kind, validate=False, **terms
                )
                assessed.append(after_baseline_year(a.table, bl.year))
            steps.update()
        table = assessed[0]
        annual = assessed[1] if len(assessed) > 1 else None
    vol = read_table(volumes, "volumes") if volumes is not None else None
    s = pay(
        c,
        table,
        volumes=vol,
        allow_interim=allow_interim,
        annual_table=annual,
        lots=default_registry() if c.scheme in ("tr_crc", "custom") else None,
    )
    provenance = {
        "command": "pay" if not isinstance(contract, Contract) else None,
        "contract": source,
        "inputs": {k: str(v) for k, v in inputs.items() if v is not None},
        "parameters": {
            "extract_date": None if extract_date is None else str(extract_date),
            "allow_interim": allow_interim,
        },
    }
    return Statement(
        contract=s.contract, lines=s.lines, provisional=s.provisional, provenance=provenance
    )


def write_pay(
    statement: Statement,
    directory: str | Path,
    *,
    html: bool = False,
    force: bool = False,
    xlsx: bool = False,
    **plots: Any,
) -> tuple[Path, Path | None]:
    """Write a statement and its manifest (and with ``html`` its page), as ``pbr pay --out`` does.

    The statement files and ``manifest.json`` are written by
    :func:`pbr.payments.write_statement`; ``statement.html`` then by
    :func:`pbr.report.write_statement_report`, with the optional ``plots``
    (its ``measures``, ``assessment`` and ``baseline``), and added to the manifest's
    hashed outputs; with ``xlsx``, ``statement.xlsx`` (which records the SHA-256
    of ``statement.csv``), added to the hashed outputs too.
    Everything is written in a staging folder beside
    ``directory`` and renamed into place when complete (:mod:`pbr._staging`);
    a ``directory`` that is or contains an input is refused, and so is an
    existing non-empty one unless ``force``.

    Returns
    -------
    (pathlib.Path, pathlib.Path or None)
        The statement directory and the HTML page (None without ``html``).

    Examples
    --------
    >>> import tempfile
    >>> from pbr.contracts import preset
    >>> from pbr.payments import example_assessment
    >>> d, page = write_pay(pay(preset("tr_crc"), example_assessment()), tempfile.mkdtemp())
    >>> sorted(p.name for p in d.iterdir()), page
    (['manifest.json', 'statement.csv', 'statement.json', 'statement.parquet'], None)
    """
    out = Path(directory)
    with safe_directory(out, _input_paths(statement), force=force) as tmp:
        write_statement(statement, tmp)
        if html:
            from pbr.report import write_statement_report  # matplotlib: only for a page

            page = write_statement_report(statement, tmp, **plots)
            add_output(tmp / "manifest.json", page.name)
        if xlsx:  # it records the lines' hash and is hashed in the manifest (verify checks it)
            lines_file = ("statement.csv", sha256_file(tmp / "statement.csv"))
            statement.to_excel(tmp / "statement.xlsx", lines_file=lines_file)
            add_output(tmp / "manifest.json", "statement.xlsx")
    return out, (out / "statement.html" if html else None)


def _input_paths(statement: Statement) -> list[Path]:
    """Every input file a statement's provenance records (for the --out check)."""
    prov = statement.provenance or {}
    paths = [Path(str(p)) for p in prov.get("inputs", {}).values() if p is not None]
    source = prov.get("contract")
    if isinstance(source, dict) and "path" in source:
        paths.append(Path(str(source["path"])))
    return paths
