"""Write the three user notebooks (outputs stripped) with nbformat.

Run ``python notebooks/_build.py`` after editing a notebook's cells here; the
``.ipynb`` files are generated, so they stay clean in git (no outputs, no
execution counts, stable cell ids). ``tests/test_notebooks.py`` executes them.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = """\
import warnings
from pathlib import Path
import tempfile

import matplotlib.pyplot as plt
import pandas as pd

import pbr
from pbr.formatting import format_money
from pbr.report import plot_balance, plot_funnel, plot_payments, plot_rates, plot_waterfall

pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 30)
# The synthetic sample deliberately contains odd rows (people under 18, duplicate
# offences) so that validation has something to say; pbr warns about them once here.
sample = pbr.datasets.load_sample()
cohort, offences, extract_date = sample.cohort, sample.offences, sample.extract_date
print(f"{len(cohort):,} cohort events, {len(offences):,} offences, extract date {extract_date}")
OUT = Path(tempfile.mkdtemp(prefix="pbr-notebook-"))"""


def _nb(title: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    out = [new_markdown_cell(title)]
    for kind, src in cells:
        out.append(new_markdown_cell(src) if kind == "md" else new_code_cell(src))
    for i, cell in enumerate(out):
        cell["id"] = f"cell-{i:02d}"
    nb.cells = out
    return nb


#: Commissioner notebook, section 6: the forecast of interim cohorts (its own cell block).
FORECAST_CELLS: list[tuple[str, str]] = [
    (
        "md",
        "## 6. Before the cohorts are final: projected rate and payment\n\n"
        "As the data stood on 30 September 2017, four performance quarters were still "
        "interim. `pbr.forecast.forecast` projects each lot-period to its final rate and "
        "pays every projection through the contract (methodology: *Forecasting interim "
        "cohorts*); the backtest says how far to trust it.",
    ),
    (
        "code",
        """\
from pbr.forecast import forecast

early = offences[offences["disposal_date"] <= pd.Timestamp("2017-09-30")]
fc = forecast(cohort, early, extract_date="2017-09-30", contract="tr_crc", draws=200)
print(fc.payments.total.to_string(index=False))
fc.national[["period", "status", "observed_rate", "projected_rate", "rate_low95",
             "rate_high95"]]""",
    ),
    ("code", "ax = fc.plot(period=\"2017Q1\")"),
    ("code", "ax = fc.plot_payment()\nplt.close(\"all\")"),
]


COMMISSIONER = _nb(
    "# Commissioner: how is each lot doing, what will we pay, what would another design pay?\n\n"
    "Runs on the bundled synthetic sample (21 lots; the 2011 baseline year and the quarterly "
    "cohorts 2015Q4–2017Q1; extract date 2018-06-30). Replace `load_sample()` with "
    "`pbr.read_cohort` / `pbr.read_offences` for real extracts.",
    [
        ("code", SETUP),
        (
            "md",
            "## 1. Proven reoffending by lot and quarter\n\n"
            "One row per lot × quarter: cohort size N, reoffenders O, reoffences R, the "
            "rates with 95 % intervals and whether the measure is `final` or `interim`.",
        ),
        (
            "code",
            """\
measures = pbr.compute_measures(cohort, offences, extract_date=extract_date)
perf_measures = measures.table[measures.table["period"] >= "2015Q4"]
perf_measures[["lot", "period", "cohort_size", "reoffenders", "binary_rate",
               "binary_ci_low", "binary_ci_high", "status"]].head(8)""",
        ),
        ("md", "## 2. Against the 2011 baseline, adjusted for offender mix (OGRS3)"),
        (
            "code",
            """\
baseline = pbr.build_baseline(cohort, offences, extract_date=extract_date, year=2011)
ax = plot_rates(measures.table, baseline.table)  # one panel per lot, the others in grey""",
        ),
        (
            "md",
            "The trend: each panel is one lot (in colour, with its 95 % interval) against the "
            "other 20 in grey; the break `//` separates the 2011 baseline year from the "
            "performance quarters, and the dotted line is the lot's baseline for that "
            "quarter of the year. One lot can also be drawn alone against the rest:",
        ),
        ("code", 'ax = plot_rates(measures.table, baseline.table, highlight="CPA11")'),
        (
            "code",
            """\
assessment = pbr.compare_to_baseline(cohort, offences, baseline, extract_date=extract_date)
a = assessment.table
quarterly = a[(a["period"] >= "2015Q4") & (a["status"] == "final")]
quarterly["outcome"].value_counts()""",
        ),
        (
            "md",
            "The funnel plot **is** the payment test: each point is a performance lot × "
            "quarter at its effective cohort size, and the dashed limits are the test's own "
            "(two-sided, the contract's α), so a point outside them is exactly a quarter "
            "that is paid for (below) or deducted for (above); only those are labelled.",
        ),
        ("code", 'ax = plot_funnel(quarterly, alpha=pbr.preset("tr_crc").alpha)'),
        (
            "md",
            "## 3. What will we pay? (`tr_crc` preset, illustrative prices)\n\n"
            "This statement pays the **binary** component on **final** quarters and the "
            "**frequency** component on **final** financial years (interim periods are not "
            "paid), so its total differs from the README tour's, which pays binary only.",
        ),
        (
            "code",
            """\
annual = pbr.compare_to_baseline(cohort, offences, baseline, extract_date=extract_date,
                                 period="financial_year").table
annual_final = annual[(annual["period"] >= "2015/16") & (annual["status"] == "final")]
contract = pbr.preset("tr_crc")
statement = pbr.pay(contract, quarterly, annual_table=annual_final)
print(statement.summary().title)
statement.totals_by_lot().head(10)""",
        ),
        (
            "md",
            "The league table of lots: what each lot is paid (or has deducted), largest on "
            "top; then how the components add up to the total.",
        ),
        ("code", "ax = plot_payments(statement.lines)"),
        ("code", "ax = plot_waterfall(statement.lines)"),
        (
            "md",
            "### Interim against final\n\n"
            "2017Q1 is still interim at this extract date (its reoffending window has not "
            "closed). Paying it now gives a provisional statement; the difference is what "
            "may still change when the quarter becomes final.",
        ),
        (
            "code",
            """\
with_interim = a[(a["period"] >= "2015Q4")]
provisional = pbr.pay(contract, with_interim, annual_table=annual_final, allow_interim=True)
print(f"final only:   {format_money(statement.total)}")
print(f"with interim: {format_money(provisional.total)} (provisional)")
(provisional.totals_by_lot().merge(statement.totals_by_lot(), on="lot",
                                   suffixes=("_with_interim", "_final"))
 .assign(difference=lambda t: t["total_with_interim"] - t["total_final"])
 .sort_values("difference").head(6))""",
        ),
        (
            "md",
            "## 4. What would another design have paid?\n\n"
            "The same history under a contract with a 10 % significance level instead of 5 %.",
        ),
        (
            "code",
            """\
from pbr.whatif import what_if

alternative = pbr.preset("tr_crc", alpha=0.10)
w = what_if(quarterly, contract, alternative, annual_table=annual_final)
print(f"difference over all lots: {format_money(w.total_difference)}")
w.table.sort_values("difference").head(8)""",
        ),
        (
            "md",
            "## 5. The statement to send\n\n"
            "`Statement.write` saves the lines and the audit manifest; the HTML statement is "
            "one self-contained file (no network needed) for email.",
        ),
        (
            "code",
            """\
import json
from pbr.report import write_statement_html

directory = statement.write(OUT / "statement")
manifest = json.loads((directory / "manifest.json").read_text())
page = write_statement_html(
    statement.lines, directory / "statement.html", manifest=manifest, contract=contract,
    figures={"Funnel plot": plot_funnel(quarterly, alpha=contract.alpha).figure,
             "Payment by component": plot_waterfall(statement.lines).figure})
book = statement.to_excel(directory / "statement.xlsx")  # the same, as a spreadsheet
print(page, f"{page.stat().st_size:,} bytes;", book.name)
plt.close("all")""",
        ),
        *FORECAST_CELLS,
    ],
)

AUDITOR = _nb(
    "# Auditor: re-run a statement from its manifest, and trace a line to its counts\n\n"
    "First we play the commissioner and produce a statement from files (so the manifest "
    "records every input with its SHA-256); then we audit it.",
    [
        ("code", SETUP),
        (
            "code",
            """\
import hashlib, json, shutil

# the commissioner's side: inputs as files, a frozen baseline, a statement
src = Path(pbr.__file__).parent / "data" / "sample"
for name in ("cohort.parquet", "offences.parquet"):
    shutil.copy(src / name, OUT / name)
pbr.build_baseline(cohort, offences, extract_date=extract_date, year=2011).save(OUT / "baseline")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", pbr.errors.SuspiciousDataWarning)  # already shown above
    statement = pbr.pay_from_files("tr_crc", cohort=OUT / "cohort.parquet",
                                   offences=OUT / "offences.parquet",
                                   baseline=OUT / "baseline", extract_date="2018-06-30",
                                   allow_interim=True)
directory = statement.write(OUT / "statement")
sorted(p.name for p in directory.iterdir())""",
        ),
        (
            "md",
            "This statement pays the **binary** component on quarters and the **frequency** "
            "component on financial years after the baseline year, **final and interim** "
            "(`allow_interim=True`: interim lines are provisional), so its total is higher than "
            "the demo's and the commissioner's (final periods only) and the README tour's "
            "(binary only, final quarters).",
        ),
        ("md", "## 1. What the manifest records"),
        (
            "code",
            """\
manifest = json.loads((directory / "manifest.json").read_text())
print("pbr", manifest["pbr_version"], "python", manifest["python"], "total", manifest["total"])
pd.DataFrame([{"input": k, "path": v.get("path"), "sha256": v.get("sha256", v.get("kind"))}
              for k, v in manifest["inputs"].items()])""",
        ),
        (
            "code",
            """\
# check one hash by hand
recorded = manifest["inputs"]["cohort"]["sha256"]
actual = hashlib.sha256((OUT / "cohort.parquet").read_bytes()).hexdigest()
recorded == actual""",
        ),
        (
            "md",
            "## 2. Re-run and verify\n\n`pbr.verify` (or `pbr verify DIR`) re-hashes every "
            "input, re-runs the payment with the recorded parameters and compares every "
            "output byte for byte.",
        ),
        (
            "code",
            """\
with warnings.catch_warnings():
    warnings.simplefilter("ignore", pbr.errors.SuspiciousDataWarning)
    result = pbr.verify(directory)
print(result.summary())
assert result.identical""",
        ),
        ("md", "A single changed byte in an input is detected:"),
        (
            "code",
            """\
path = OUT / "offences.parquet"
original = path.read_bytes()
path.write_bytes(original[:100] + bytes([original[100] ^ 1]) + original[101:])
try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pbr.errors.SuspiciousDataWarning)
        tampered = pbr.verify(directory)
finally:
    path.write_bytes(original)
print(tampered.summary())
assert not tampered.identical""",
        ),
        (
            "md",
            "## 3. Trace one line to its counts\n\n"
            "A `binary` line pays `price × (E − O)` on a significant reduction. Take the "
            "largest binary payment and recompute it from its own columns.",
        ),
        (
            "code",
            """\
from decimal import ROUND_HALF_UP, Decimal

lines = statement.lines
binary = lines[lines["component"] == "binary"]
line = binary.loc[binary["amount"].map(Decimal).idxmax()]
line[["lot", "period", "cohort_size", "reoffenders", "expected_reoffenders",
      "z", "p_value", "outcome", "price", "units", "amount"]]""",
        ),
        (
            "code",
            """\
units = Decimal(repr(float(line["expected_reoffenders"] - line["reoffenders"])))
recomputed = (line["price"] * units).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
print(f"price {line['price']} x (E - O) {units:.4f} = {recomputed}; statement: {line['amount']}")
assert abs(recomputed - line["amount"]) <= Decimal("0.01")""",
        ),
        (
            "md",
            "Now recount O and N for that lot and quarter from the microdata, with the "
            "cohort rules and the counting rules directly:",
        ),
        (
            "code",
            """\
built = pbr.build_cohort(cohort)
members = built.members[(built.members["lot"] == line["lot"])
                        & (built.members["period"] == line["period"])]
counted = pbr.counting.count_reoffending(members, offences)
N, O = len(members), int(counted["reoffender"].sum())
print(f"{line['lot']} {line['period']}: N = {N} (line: {line['cohort_size']:.0f}), "
      f"O = {O} (line: {line['reoffenders']:.0f})")
assert (N, O) == (int(line["cohort_size"]), int(line["reoffenders"]))""",
        ),
        (
            "md",
            "The lot's whole payment, component by component (caps and collars would be "
            "their own bars):",
        ),
        ("code", 'ax = plot_waterfall(statement.lines, lot=line["lot"])'),
    ],
)

RESEARCHER = _nb(
    "# Researcher: cohorts, OGRS3 and a matched comparison\n\n"
    "Build a cohort, score it with OGRS3, and compare a (synthetic) treated group with a "
    "propensity-matched comparison group, Justice Data Lab style. This notebook pays "
    "**no component and no status**: it measures outcomes and effects only (the demo, the "
    "commissioner and the auditor notebooks pay).",
    [
        ("code", SETUP),
        (
            "md",
            "## 1. The cohort\n\nEligibility rules, the first event per person and "
            "period, and every exclusion counted (nothing is dropped silently).",
        ),
        (
            "code",
            """\
built = pbr.build_cohort(cohort)
print(f"{len(built.members):,} measurable index events")
built.exclusions.groupby("reason")["count"].sum()""",
        ),
        ("md", "## 2. Outcomes and OGRS3"),
        (
            "code",
            """\
members = built.members[built.members["period"].between("2016Q1", "2016Q4")].copy()
members = members.reset_index(drop=True)
outcome = pbr.counting.count_reoffending(members, offences)
scores = pbr.risk.score_cohort(members).table
members["reoffended"] = outcome["reoffender"].astype(int)
members["reoffences"] = outcome["reoffences"]
members["ogrs3"] = scores["p_2yr"]
members["age"] = scores["age"]
members["male"] = (members["sex"] == "M").astype(int)
members["custody"] = (members["event_type"] == "release").astype(int)
print(f"{len(members):,} people; proven reoffending rate {members['reoffended'].mean():.1%}")""",
        ),
        (
            "code",
            """\
# OGRS3 discrimination by decile (predicted two-year probability vs observed one-year rate)
members["decile"] = pd.qcut(members["ogrs3"], 10, labels=False, duplicates="drop")
by_decile = members.groupby("decile")
by_decile.agg(ogrs3=("ogrs3", "mean"), observed=("reoffended", "mean")).round(3)""",
        ),
        (
            "md",
            "## 3. A matched comparison\n\n"
            "A synthetic programme recruits higher-risk people (selection on OGRS3 and "
            "custody) and has **no true effect**. The naive comparison makes it look "
            "harmful; matching on the propensity score, exactly within lot (lots differ in "
            "their providers' true effects), removes the selection bias.",
        ),
        (
            "code",
            """\
import numpy as np
from pbr.analysis import match

rng = np.random.default_rng(2016)
pool = members.copy()
logit = -4.5 + 3.0 * pool["ogrs3"] + 0.8 * pool["custody"]
pool["treated"] = rng.random(len(pool)) < 1 / (1 + np.exp(-logit))
naive = pool.groupby("treated")["reoffended"].mean()
print(f"{int(pool['treated'].sum())} treated, {int((~pool['treated']).sum())} in the pool; "
      f"naive difference {100 * (naive[True] - naive[False]):+.1f} pp")
result = match(pool, treatment="treated", covariates=["ogrs3", "age", "male", "custody"],
               exact=["lot"], k=1, replace=False, caliper=0.2, random_state=0)
print(result.summary())""",
        ),
        (
            "code",
            """\
result.balance[["covariate", "smd_before_pct", "smd_after_pct",
                "var_ratio_before", "var_ratio_after"]].round(2)""",
        ),
        ("code", "ax = plot_balance(result.balance)"),
        (
            "code",
            """\
result.outcomes("reoffended", "reoffences")""",
        ),
    ],
)

NOTEBOOKS = {
    "commissioner.ipynb": COMMISSIONER,
    "auditor.ipynb": AUDITOR,
    "researcher.ipynb": RESEARCHER,
}


def main() -> None:
    """Write every notebook next to this script."""
    for name, nb in NOTEBOOKS.items():
        nbformat.validate(nb)
        nbformat.write(nb, HERE / name)


if __name__ == "__main__":
    main()
