"""One row per person, with covariates and outcomes, from the cohort and offence tables.

:func:`person_table` is the input a matched comparison needs. It reuses the
library's own rules — no second copy of them:

* :func:`pbr.build_cohort` — eligibility and one index event per person and
  quarter (methodology, "Cohorts and proven reoffending", §2–§4);
* :func:`pbr.counting.count_reoffending` — proven reoffences in the one-year window
  with the six-month waiting period, by the chosen rule set (§5–§6);
* :func:`pbr.risk.score_cohort` — OGRS3 and the age at the index date
  (methodology, "Baselines, risk models …", §2).

A person with several index events (in the chosen periods) is represented by
the **first** (earliest index date, then row order). With ``extract_date``,
people whose outcome window (``window_end``) ends after it are left out
(their outcome is not yet known); their number is in
``table.attrs["unmeasurable"]``.

Columns: ``offender_id, lot, period, index_date, sex, male, age, custody``
(index event a release from custody), ``sanctions, offence_group, ogrs3``
(OGRS3 two-year probability), ``reoffender`` (0/1), ``reoffences``,
``days_to_first_reoffence`` (from the index date to the first counted
offence; NaN for non-reoffenders) and, with ``treated=``, ``treated``.

Examples
--------
>>> import pbr
>>> s = pbr.datasets.load_sample()
>>> people = person_table(s.cohort, s.offences, periods=["2016Q1"],
...                       extract_date=s.extract_date)
>>> bool(people["offender_id"].is_unique)
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from pbr.cohort import build_cohort
from pbr.counting import count_reoffending
from pbr.errors import PbrError
from pbr.io import checked_tables
from pbr.risk.ogrs3 import score_cohort

__all__ = ["person_table"]


def person_table(
    cohort: pd.DataFrame,
    offences: pd.DataFrame,
    *,
    periods: Sequence[str] | None = None,
    period: str = "quarter",
    extract_date: dt.date | str | None = None,
    rules: str = "moj_proven",
    treated: Iterable[str] | None = None,
    validate: bool = True,
) -> pd.DataFrame:
    """Person-level covariates and outcomes (module notes).

    Parameters
    ----------
    cohort, offences : pandas.DataFrame
        Cohort events and proven offences in pbr's in-memory form.
    periods : sequence of str, optional
        Period labels to keep (e.g. ``["2016Q1", "2016Q2"]``); default all.
    period : {"quarter", "financial_year", "calendar_year"}
        Kind of the period labels.
    extract_date : date or str, optional
        Leave out people whose outcome window ends after it.
    rules : str
        Counting rule set (``pbr.rulesets.RULE_SETS``).
    treated : iterable of str, optional
        Offender ids of the treated people: adds a boolean ``treated`` column.
    validate : bool
        The tables cross the io boundary (:func:`pbr.io.checked_tables`), checked
        against ``extract_date`` (without one: today, so only future dates fail);
        not again when already validated. ``False`` is the explicit opt-out.

    Returns
    -------
    pandas.DataFrame
        One row per person, in order of first index date.

    Raises
    ------
    PbrError
        No person left, or a treated id that is not in the table.

    Examples
    --------
    >>> import pbr
    >>> s = pbr.datasets.load_sample()
    >>> p = person_table(s.cohort, s.offences, periods=["2016Q1"])
    >>> ids = p["offender_id"].iloc[:3].tolist()
    >>> int(person_table(s.cohort, s.offences, periods=["2016Q1"], treated=ids)["treated"].sum())
    3
    """
    checked_on = extract_date if extract_date is not None else dt.date.today().isoformat()
    cohort, offences = checked_tables(cohort, offences, extract_date=checked_on, validate=validate)
    # both tables crossed the io boundary just above (or were opted out): not validated again
    members = build_cohort(cohort, period=period, validate=False).members  # type: ignore[arg-type]
    if periods is not None:
        members = members[members["period"].isin(list(periods))]
    members = members.sort_values(["index_date", "row"], kind="stable")
    members = members.drop_duplicates("offender_id", keep="first").reset_index(drop=True)
    if members.empty:
        raise PbrError("no eligible index events in the chosen periods")
    out = count_reoffending(members, offences, rules=rules, validate=False)
    scores = score_cohort(members).table
    people = pd.DataFrame(
        {
            "offender_id": members["offender_id"].astype(str),
            "lot": members["lot"].astype(str),
            "period": members["period"].astype(str),
            "index_date": members["index_date"],
            "sex": members["sex"].astype(str),
            "male": (members["sex"] == "M").astype(int),
            "age": scores["age"].astype(float),
            "custody": (members["event_type"] == "release").astype(int),
            "sanctions": members["sanctions"].astype(float),
            "offence_group": members["offence_group"].astype(str),
            "ogrs3": scores["p_2yr"].astype(float),
            "reoffender": out["reoffender"].astype(int),
            "reoffences": out["reoffences"].astype(np.int64),
            "days_to_first_reoffence": (out["first_reoffence_date"] - members["index_date"])
            .dt.days.astype(float)
            .to_numpy(),
        }
    )
    n_unmeasurable = 0
    if extract_date is not None:
        end = pd.Timestamp(extract_date)
        ok = (out["window_end"] <= end).to_numpy()
        n_unmeasurable = int((~ok).sum())
        people = people[ok].reset_index(drop=True)
        if people.empty:
            raise PbrError(f"no person's outcome window ends by the extract date {end.date()}")
    if treated is not None:
        ids = {str(v) for v in treated}
        unknown = sorted(ids - set(people["offender_id"]))
        if unknown:
            raise PbrError(
                f"{len(unknown)} treated offender id(s) are not in the person table "
                f"(not eligible, outside the periods or not measurable): {unknown[:5]}"
            )
        people["treated"] = people["offender_id"].isin(ids)
    people.attrs["unmeasurable"] = n_unmeasurable
    return people
