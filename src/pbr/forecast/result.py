"""Result objects of the forecast and the backtest (the pbr result protocol).

Both follow the protocol of :class:`pbr.measures.Measures` and
:class:`pbr.payments.Statement`: ``.table``, ``to_frame()``, ``summary()``,
``plot(ax=None)``, ``_repr_html_()`` and ``==`` (frames compared with
:meth:`pandas.DataFrame.equals`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from pbr.contracts import Contract
from pbr.formatting import format_money
from pbr.results import Result, Summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from pbr.forecast.payment import PaymentDraws

__all__ = ["Backtest", "Forecast", "count_interval", "count_quantiles", "interval_columns"]


def count_quantiles(
    counts: npt.NDArray[np.int64], probs: Sequence[float]
) -> npt.NDArray[np.float64]:
    """Continuity-corrected quantiles of integer replicates, per column (rows = draws).

    Each replicate value *k* is spread uniformly over ``[k − ½, k + ½]`` and the
    quantiles of that continuous distribution are returned; a column whose
    replicates are all equal returns that value for every probability (a count
    that is already final has a zero-width interval).

    Examples
    --------
    >>> import numpy as np
    >>> count_quantiles(np.array([[0], [0], [1], [1]]), [0.25, 0.5, 0.9]).ravel().tolist()
    [0.0, 0.5, 1.3]
    >>> count_quantiles(np.array([[3], [3]]), [0.1, 0.9]).ravel().tolist()
    [3.0, 3.0]
    """
    x = np.asarray(counts, dtype=np.int64)
    out = np.empty((len(probs), x.shape[1]), dtype=np.float64)
    for j in range(x.shape[1]):
        vals, n = np.unique(x[:, j], return_counts=True)
        if len(vals) == 1:
            out[:, j] = float(vals[0])
            continue
        cum = np.cumsum(n) / n.sum()
        before = cum - n / n.sum()
        for i, q in enumerate(probs):
            k = min(int(np.searchsorted(cum, q, side="left")), len(vals) - 1)
            out[i, j] = vals[k] - 0.5 + (q - before[k]) / (cum[k] - before[k])
    return out


def count_interval(
    counts: npt.NDArray[np.int64], level: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Interval of probability ``level`` from integer replicates, per column (rows = draws).

    Equal tails (continuity-corrected quantiles ``(1 − level)/2`` and
    ``(1 + level)/2``, :func:`count_quantiles`), except where the smallest
    replicate value — the floor of the predictive distribution, e.g. the
    reoffenders already observed when none is still to come — carries at least
    ``(1 − level)/2`` of the replicates: no lower tail can be cut off there, so
    the interval is ``[floor, quantile(level)]``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[0]] * 70 + [[1]] * 25 + [[2]] * 5)
    >>> lo, hi = count_interval(x, 0.95)
    >>> float(lo[0]), round(float(hi[0]), 3)  # one-sided: P(0) = 0.7 > 0.025
    (0.0, 1.5)
    """
    x = np.asarray(counts, dtype=np.int64)
    tail = (1.0 - level) / 2
    q = count_quantiles(x, [tail, 1.0 - tail, level])
    floor = x.min(axis=0)
    p_floor = (x == floor).mean(axis=0)
    one_sided = p_floor >= tail
    lo = np.where(one_sided, floor.astype(np.float64), q[0])
    hi = np.where(one_sided, q[2], q[1])
    return lo, hi


def interval_columns(
    counts: npt.NDArray[np.int64], size: npt.NDArray[np.int64]
) -> dict[str, npt.NDArray[np.float64]]:
    """80 % and 95 % intervals of the rate ``count / size`` (:func:`count_interval`).

    Examples
    --------
    >>> import numpy as np
    >>> iv = interval_columns(np.arange(0, 100).reshape(100, 1), np.array([100]))
    >>> [round(float(iv[k][0]), 3) for k in ("low95", "low80", "high80", "high95")]
    [0.02, 0.095, 0.895, 0.97]
    """
    n = np.asarray(size, dtype=np.float64)
    out = {}
    for pct, level in (("80", 0.80), ("95", 0.95)):
        lo, hi = count_interval(counts, level)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"low{pct}"] = np.clip(lo / n, 0.0, 1.0)
            out[f"high{pct}"] = np.clip(hi / n, 0.0, 1.0)
    return out


@dataclass(frozen=True, eq=False)
class Forecast(Result):
    """Projected final measures (and payment) of every lot-period outside the reference.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per lot × quarter: ``status`` (final/interim at the extract
        date), ``cohort_size``, ``observed_reoffenders``, ``observed_rate``,
        ``open_members`` (windows still open), ``projected_reoffenders`` and
        ``projected_rate`` (replicate means), ``projected_sd``, ``rate_low80``,
        ``rate_high80``, ``rate_low95``, ``rate_high95``, ``level`` (mean drawn
        θ), ``observed_reoffences``, ``projected_reoffences`` and
        ``projected_per_reoffender`` (replicate means of R,
        :mod:`pbr.forecast.counts`; not for ``reconviction_events``) and, with a
        contract, ``baseline_binary`` and ``expected_rate``.
    national : pandas.DataFrame
        The same per quarter with ``lot == "ALL"`` (replicates summed over lots).
    payments : PaymentDraws or None
        The projected payment distribution (with a contract).
    assessment : pandas.DataFrame or None
        The assessment rows paid (as at the extract date).
    contract : Contract or None
    extract_date : datetime.date
    reference : tuple of str
        The final quarters the curves were learnt from.
    rules : str
    strata, draws, seed : int
    tau2 : float
        Variance of the level prior (from the reference, before the projected groups).

    Examples
    --------
    >>> from pbr.forecast._examples import example_forecast as _example_forecast
    >>> f = _example_forecast()
    >>> f.table[["period", "status"]].drop_duplicates().to_numpy().tolist()[-2:]
    [['2016Q4', 'interim'], ['2017Q1', 'interim']]
    >>> f == _example_forecast()
    True
    """

    table: pd.DataFrame
    national: pd.DataFrame
    payments: PaymentDraws | None
    assessment: pd.DataFrame | None
    contract: Contract | None
    extract_date: dt.date
    reference: tuple[str, ...]
    rules: str
    strata: int
    draws: int
    seed: int
    tau2: float

    def with_payments(self) -> pd.DataFrame:
        """A copy of :attr:`table` with the payment columns per lot-period (given a contract).

        Examples
        --------
        >>> from pbr.forecast._examples import example_forecast as _example_forecast
        >>> "expected_amount" in _example_forecast().with_payments().columns
        True
        """
        out = self.table.copy()
        if self.payments is not None:
            out = out.merge(self.payments.by_period, on=["lot", "period"], how="left")
        return out

    def summary(self) -> Summary:
        """Key figures per lot × quarter followed by the national rows (a Summary).

        Examples
        --------
        >>> from pbr.forecast._examples import example_forecast as _example_forecast
        >>> _example_forecast().summary().frame["lot"].iloc[-1]
        'ALL'
        """
        cols = [
            "lot",
            "period",
            "status",
            "cohort_size",
            "observed_rate",
            "projected_rate",
            "rate_low95",
            "rate_high95",
        ]
        frame = pd.concat([self.table[cols], self.national[cols]], ignore_index=True)
        figures = {
            "extract date": self.extract_date.isoformat(),
            "reference cohorts": ", ".join(self.reference),
            "replicates": f"{self.draws} (seed {self.seed})",
        }
        if self.payments is not None:
            total = self.payments.total
            if "expected_amount" in total.columns and len(total):
                figures["expected total payment"] = format_money(total["expected_amount"].iloc[0])
        return Summary(f"Forecast of interim cohorts ({self.rules})", frame, figures=figures)

    def latest_period(self) -> str:
        """The latest projected quarter.

        Examples
        --------
        >>> from pbr.forecast._examples import example_forecast as _example_forecast
        >>> _example_forecast().latest_period()
        '2017Q1'
        """
        return str(sorted(self.table["period"].astype(str))[-1])

    def plot(self, ax: Axes | None = None, *, period: str | None = None) -> Axes:
        """Projected binary rate per lot for one quarter (default: the latest).

        Solid bar: the rate already observed; light bar: the projected part still
        to come; thick and thin whiskers: the 80 % and 95 % intervals; black tick:
        the baseline (the expected rate when a contract was given, else none).

        Examples
        --------
        >>> from pbr.forecast._examples import example_forecast as _example_forecast
        >>> _example_forecast().plot().get_ylabel()
        'binary reoffending rate'
        """
        from pbr.report.style import INK, PALETTE, new_axes, style_axes

        ax = new_axes(ax, figsize=(9.0, 4.5))
        p = period or self.latest_period()
        t = self.table[self.table["period"].astype(str) == p].reset_index(drop=True)
        x = np.arange(len(t))
        obs = t["observed_rate"].to_numpy(float)
        proj = t["projected_rate"].to_numpy(float)
        ax.bar(x, obs, color=PALETTE[0], label="observed by the extract date")
        ax.bar(
            x,
            np.maximum(proj - obs, 0),
            bottom=obs,
            color=PALETTE[4],
            alpha=0.8,
            label="projected still to come",
        )
        for lo, hi, lw, lab in (
            ("rate_low95", "rate_high95", 1.0, "95 % interval"),
            ("rate_low80", "rate_high80", 3.5, "80 % interval"),
        ):
            ax.vlines(x, t[lo].to_numpy(float), t[hi].to_numpy(float), color=INK, lw=lw, label=lab)
        if "expected_rate" in t.columns:
            ax.scatter(
                x,
                t["expected_rate"].to_numpy(float),
                marker="_",
                s=300,
                color="black",
                zorder=3,
                label="baseline (expected rate)",
            )
        ax.set_xticks(x, t["lot"].astype(str).tolist(), rotation=90 if len(t) > 8 else 0)
        ax.set_ylabel("binary reoffending rate")
        top = max(0.05, float(np.nanmax(t["rate_high95"].to_numpy(float))))
        ax.set_ylim(0, top * 1.3)
        ax.legend(fontsize="small", ncol=3, loc="upper left")
        style_axes(ax, title=f"Projected final rate, {p} (extract {self.extract_date.isoformat()})")
        return ax

    def plot_payment(self, ax: Axes | None = None) -> Axes:
        """Fan chart of the projected total payment per quarter (80 % and 95 % bands).

        Examples
        --------
        >>> from pbr.forecast._examples import example_forecast as _example_forecast
        >>> _example_forecast().plot_payment().get_ylabel()
        'projected payment, all lots'
        """
        from pbr.report.style import INK, PALETTE, new_axes, style_axes

        ax = new_axes(ax)
        if self.payments is None:
            style_axes(ax, title="No contract: no projected payment")
            return ax
        t = self.payments.period_totals
        x = np.arange(len(t))
        # plotting only: money stays Decimal everywhere else
        f = {
            c.removeprefix("amount_"): np.array([float(v) for v in t[c]])
            for c in (
                "amount_low95",
                "amount_low80",
                "expected_amount",
                "amount_high80",
                "amount_high95",
            )
        }
        ax.fill_between(
            x, f["low95"], f["high95"], color=PALETTE[4], alpha=0.35, label="95 % interval"
        )
        ax.fill_between(
            x, f["low80"], f["high80"], color=PALETTE[0], alpha=0.45, label="80 % interval"
        )
        ax.plot(x, f["expected_amount"], color=INK, marker="o", label="expected")
        ax.axhline(0, color=INK, lw=0.8)
        ax.set_xticks(x, t["period"].astype(str).tolist())
        from matplotlib.ticker import FuncFormatter

        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_money(f"{v:.0f}")[:-3]))
        ax.set_ylabel("projected payment, all lots")
        tot = self.payments.total.iloc[0]
        ax.legend(fontsize="small", loc="best")
        style_axes(
            ax,
            title=f"Projected payment: total {format_money(tot['expected_amount'])} "
            f"(95 %: {format_money(tot['amount_low95'])} to {format_money(tot['amount_high95'])})",
        )
        return ax


@dataclass(frozen=True, eq=False)
class Backtest(Result):
    """Backtest figures per cut-off (``table``) and per lot-period (``details``).

    ``table`` columns: ``cutoff_months``, ``lot_periods``, ``bias_pp`` (mean of
    projected − final rate, percentage points), ``bias_se_pp`` (its standard error,
    shared covariance included), ``rmse_pp``,
    ``coverage80``, ``coverage95`` (shares of lot-periods whose interval holds
    the final rate), ``mean_width95_pp`` and ``reoffences_bias_pct`` (mean relative
    error of the projected reoffences R, per cent; NaN for ``reconviction_events``).

    Examples
    --------
    >>> from pbr.forecast._examples import example_backtest as _example_backtest
    >>> bt = _example_backtest()
    >>> bt.table["cutoff_months"].tolist(), bt == _example_backtest()
    ([6, 9], True)
    """

    table: pd.DataFrame
    details: pd.DataFrame
    reference: tuple[str, ...]
    draws: int
    seed: int

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`.

        Examples
        --------
        >>> from pbr.forecast._examples import example_backtest as _example_backtest
        >>> _example_backtest().to_frame().columns[:2].tolist()
        ['cutoff_months', 'lot_periods']
        """
        return self.table.copy()

    def summary(self) -> Summary:
        """The table as aligned text (what ``pbr forecast --backtest`` prints), as a Summary.

        Examples
        --------
        >>> from pbr.forecast._examples import example_backtest as _example_backtest
        >>> print(str(_example_backtest().summary()).splitlines()[1].split()[:3])
        ['cutoff_months', 'lot_periods', 'bias_pp']
        """
        t = self.table.copy()
        for c in ("coverage80", "coverage95"):
            t[c] = (100 * t[c]).map(lambda v: f"{v:.1f} %")
        for c in ("bias_pp", "bias_se_pp", "rmse_pp", "mean_width95_pp", "reoffences_bias_pct"):
            t[c] = t[c].map(lambda v: f"{v:.2f}")
        head = (
            f"Backtest: reference {', '.join(self.reference)}; {self.draws} replicates, "
            f"seed {self.seed}"
        )
        return Summary(head, t)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Coverage of the 80 % and 95 % intervals by cut-off, with the nominal levels.

        Examples
        --------
        >>> from pbr.forecast._examples import example_backtest as _example_backtest
        >>> _example_backtest().plot().get_xlabel()
        "cut-off (months after the quarter's end)"
        """
        from pbr.report.style import PALETTE, new_axes, style_axes

        ax = new_axes(ax)
        t = self.table
        for i, (c, nominal) in enumerate((("coverage80", 0.80), ("coverage95", 0.95))):
            ax.plot(
                t["cutoff_months"],
                t[c],
                color=PALETTE[i],
                marker="os"[i],
                label=f"{int(nominal * 100)} % interval",
            )
            ax.axhline(nominal, color=PALETTE[i], ls="--", lw=0.8)
        ax.set_xlabel("cut-off (months after the quarter's end)")
        ax.set_ylabel("share of lot-periods covered")
        ax.set_ylim(0.5, 1.02)
        ax.legend(fontsize="small")
        style_axes(ax, title="Backtest: interval coverage of the final binary rate")
        return ax
