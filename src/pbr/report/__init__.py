"""Reports: plots on plain DataFrames and the self-contained HTML payment statement.

The functions here work on DataFrames with documented columns (the ``.table`` of
pbr's result objects, or files written by the ``pbr`` command), so a commissioner
or auditor holding only published tables can draw the same charts.

Examples
--------
>>> import pandas as pd
>>> from pbr.report import plot_balance
>>> ax = plot_balance(pd.DataFrame({"covariate": ["age"], "smd_before": [30.0],
...                                 "smd_after": [2.0]}))
>>> ax.get_xlabel()
'standardised mean difference (%)'
"""

from pbr.report.html import (
    figure_to_data_uri,
    render_statement_html,
    statement_figures,
    write_statement_html,
    write_statement_report,
)
from pbr.report.plots import (
    plot_balance,
    plot_funnel,
    plot_payments,
    plot_rates,
    plot_waterfall,
    waterfall_steps,
)
from pbr.report.xlsx import measures_to_excel, statement_to_excel

__all__ = [
    "figure_to_data_uri",
    "measures_to_excel",
    "plot_balance",
    "plot_funnel",
    "plot_payments",
    "plot_rates",
    "plot_waterfall",
    "render_statement_html",
    "statement_figures",
    "statement_to_excel",
    "waterfall_steps",
    "write_statement_html",
    "write_statement_report",
]
