"""Errors and warnings raised by pbr.

Every error pbr raises on bad input is a :class:`PbrError`, which is a
``ValueError`` so that existing ``except ValueError`` handlers keep working.
Input validation collects **every** failing row before raising one
:class:`ValidationError` whose :attr:`~ValidationError.failures` table lists
(table, row, column, value, reason) for each failure, pandera-style.

Examples
--------
>>> import pandas as pd
>>> from pbr.errors import ValidationError
>>> failures = pd.DataFrame(
...     {"table": ["cohort"], "row": [3], "column": ["sex"], "value": ["X"],
...      "reason": ["unknown sex (expected M or F)"]})
>>> err = ValidationError("cohort table is invalid", failures)
>>> isinstance(err, ValueError)
True
>>> print(err.failures.iloc[0]["reason"])
unknown sex (expected M or F)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a type only: ``import pbr.errors`` stays free of pandas
    import pandas as pd

__all__ = [
    "BaselineFormatError",
    "ContractError",
    "IgnoredOptionWarning",
    "InterimMeasureError",
    "ManifestError",
    "ModelError",
    "PbrError",
    "PbrWarning",
    "SuspiciousDataWarning",
    "ValidationError",
    "VerificationError",
]

FAILURE_COLUMNS = ["table", "row", "column", "value", "reason"]


class PbrError(ValueError):
    """Base class of every error pbr raises on bad input or bad parameters.

    Examples
    --------
    >>> from pbr.errors import PbrError
    >>> try:
    ...     raise PbrError("extract_date is required")
    ... except ValueError as exc:
    ...     print(exc)
    extract_date is required
    """


class ValidationError(PbrError):
    """One or more rows of an input table failed validation.

    Parameters
    ----------
    message : str
        A one-line summary (which table, how many failures).
    failures : pandas.DataFrame
        One row per failure with columns ``table, row, column, value, reason``.
        ``row`` is the 1-based data row number as a user sees it in the file
        (header excluded); ``-`` where the failure concerns a whole column.

    Attributes
    ----------
    failures : pandas.DataFrame
        The failure table, sorted by table, row and column.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"table": ["offences"], "row": [1], "column": ["disposal_date"],
    ...                   "value": ["2015-01-01"], "reason": ["disposal_date before offence_date"]})
    >>> e = ValidationError("offences table is invalid", f)
    >>> len(e.failures)
    1
    """

    max_rows_shown = 50

    def __init__(self, message: str, failures: pd.DataFrame) -> None:
        self.summary_line = message
        self.failures = failures.reindex(columns=FAILURE_COLUMNS).reset_index(drop=True)
        super().__init__(self._render())

    def _render(self) -> str:
        n = len(self.failures)
        head = self.failures.head(self.max_rows_shown).astype(str)
        table = head.to_string(index=False)
        more = ""
        if n > self.max_rows_shown:
            more = (
                f"\n... and {n - self.max_rows_shown} more "
                "(the full list is in the error's .failures table)"
            )
        return f"{self.summary_line}: {n} failure(s)\n{table}{more}"

    def _repr_html_(self) -> str:
        return (
            f"<p><b>{self.summary_line}</b>: {len(self.failures)} failure(s)</p>"
            + self.failures.to_html(index=False)
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.summary_line, self.failures))


class ContractError(PbrError):
    """A contract file or contract definition is invalid; the message names the key.

    Examples
    --------
    >>> raise ContractError("binary.price_per_reoffender_avoided: must be >= 0, got -1")
    Traceback (most recent call last):
    ...
    pbr.errors.ContractError: binary.price_per_reoffender_avoided: must be >= 0, got -1
    """


class BaselineFormatError(PbrError):
    """A saved baseline directory is missing, corrupt or of another format version.

    Examples
    --------
    >>> import tempfile
    >>> from pbr.baseline import load_baseline
    >>> load_baseline(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pbr.errors.BaselineFormatError: ...baseline.json not found: not a pbr baseline directory
    """


class InterimMeasureError(PbrError):
    """A payment was asked for on interim measures without ``allow_interim=True``.

    Examples
    --------
    >>> from pbr.contracts import preset
    >>> from pbr.payments import example_assessment, pay
    >>> table = example_assessment(400, lot="CPA01").assign(status="interim")
    >>> try:
    ...     pay(preset("tr_crc"), table)
    ... except InterimMeasureError as err:
    ...     print(str(err).split(";")[0])
    1 row(s) are interim measures (CPA01 2015Q4)
    """


class ModelError(PbrError):
    """A risk or propensity model cannot be computed for the given rows.

    Examples
    --------
    >>> issubclass(ModelError, PbrError)  # bad input (exit 2 on the command line)
    True
    """


class VerificationError(PbrError):
    """An audit directory cannot be verified (missing manifest or inputs).

    Examples
    --------
    >>> import tempfile
    >>> from pbr.pipeline import verify
    >>> try:
    ...     verify(tempfile.mkdtemp())  # a folder without a manifest
    ... except VerificationError as err:
    ...     print(str(err).endswith("manifest.json not found"))
    True
    """


class ManifestError(ValidationError, VerificationError):
    """A manifest that is not valid JSON or not a valid manifest: its failures as a table.

    Both a :class:`ValidationError` (the ``pbr`` CLI prints the table, exit 2)
    and a :class:`VerificationError`.

    Examples
    --------
    >>> from pbr.provenance import check_manifest
    >>> try:
    ...     check_manifest({"format": "pbr-manifest/9"}, "m.json")
    ... except VerificationError as err:
    ...     print(err.failures["reason"].str.split(":").str[0].tolist()[-2:])
    ['missing_field', 'unknown_version']
    """


class PbrWarning(UserWarning):
    """Base class of pbr's warnings.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("x", PbrWarning)
    >>> w[0].category.__name__
    'PbrWarning'
    """


class SuspiciousDataWarning(PbrWarning):
    """Data that is legal but suspicious (duplicate rows, implausible ages, ...).

    Examples
    --------
    >>> issubclass(SuspiciousDataWarning, UserWarning)
    True
    """


class IgnoredOptionWarning(PbrWarning):
    """An option was given that does not apply to the chosen method and was ignored.

    Examples
    --------
    >>> issubclass(IgnoredOptionWarning, PbrWarning)
    True
    """
