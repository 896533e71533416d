"""A self-contained HTML page of a forecast: headline, plots, tables (no scripts, no network).

Deterministic: the same forecast gives the same bytes (PNGs via
:func:`pbr.report.html.figure_to_data_uri`, no timestamps).

Examples
--------
>>> from pbr.sample import generate
>>> from pbr.forecast import forecast
>>> s = generate(seed=5, scale=0.05, lots=["CPA01"])
>>> f = forecast(s.cohort, s.offences, extract_date=s.extract_date, draws=20)
>>> render_forecast_html(f).startswith("<!DOCTYPE html>")
True
"""

from __future__ import annotations

import html
from decimal import Decimal

import pandas as pd

from pbr.forecast.result import Forecast
from pbr.report.style import format_money

__all__ = ["render_forecast_html"]

_CSS = (
    "body{font-family:sans-serif;color:#222;margin:2em;max-width:70em}"
    "table{border-collapse:collapse;font-size:0.85em;margin:1em 0;display:block;"
    "overflow-x:auto}"
    "td,th{border:1px solid #ccc;padding:0.2em 0.5em;text-align:right}"
    "th{background:#f3f3f3}td:first-child,td:nth-child(2){text-align:left}"
)


def _cell(v: object) -> str:
    if isinstance(v, Decimal):
        return html.escape(format_money(v))
    if isinstance(v, float):
        return f"{v:.4f}"
    return html.escape(str(v))


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_forecast_html(f: Forecast) -> str:
    """The forecast as one HTML page (plots embedded as PNG data URIs).

    Examples
    --------
    >>> from pbr.forecast._examples import example_forecast as _example_forecast
    >>> "Projected total payment" in render_forecast_html(_example_forecast())
    True
    """
    import matplotlib.pyplot as plt

    from pbr.report.html import figure_to_data_uri

    figs = []
    for draw in (f.plot, f.plot_payment) if f.payments is not None else (f.plot,):
        fig = draw().get_figure(root=True)
        assert fig is not None
        figs.append(figure_to_data_uri(fig))
        plt.close(fig)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>pbr forecast {f.extract_date.isoformat()}</title><style>{_CSS}</style></head>",
        "<body><h1>Forecast of interim cohorts</h1>",
        f"<p>Extract date {f.extract_date.isoformat()}; curves learnt from the final quarters "
        f"{html.escape(', '.join(f.reference))}; {f.strata} risk strata; {f.draws} bootstrap "
        f"replicates (seed {f.seed}). Intervals carry binomial variation, the uncertainty of "
        "the cohort's level and of the reference curves (methodology, "
        "“Forecasting interim cohorts”).</p>",
    ]
    if f.payments is not None and f.contract is not None:
        tot = f.payments.total.iloc[0]
        parts.append(
            f"<p><b>Projected total payment ({html.escape(f.contract.name)}): "
            f"{format_money(tot['expected_amount'])}</b>; 80 % interval "
            f"{format_money(tot['amount_low80'])} to {format_money(tot['amount_high80'])}, "
            f"95 % interval {format_money(tot['amount_low95'])} to "
            f"{format_money(tot['amount_high95'])}.</p>"
        )
    parts += [f"<img alt='forecast plot' src='{uri}'>" for uri in figs]
    parts.append("<h2>National</h2>" + _table(f.national))
    if f.payments is not None:
        parts.append("<h2>Payment by lot</h2>" + _table(f.payments.by_lot))
        years = f.payments.by_year
        if years is not None and len(years):
            parts.append("<h2>Frequency, by lot and contract year</h2>" + _table(years))
    parts.append("<h2>Lot × quarter</h2>" + _table(f.with_payments()))
    parts.append("</body></html>\n")
    return "".join(parts)
