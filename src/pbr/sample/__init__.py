"""Seeded synthetic sample data: cohorts and PNC-style offence histories for the 21 lots.

:func:`generate` builds a realistic but entirely **synthetic** data set: the
2011 baseline year plus the six quarterly performance cohorts October 2015 –
March 2017, with offence histories and follow-up offences whose magnitudes
follow the published record (docs/methodology.md#sample-data: all-lot 2011 binary rate
near 47 %, Northumbria highest near 55 %, about 4 reoffences per reoffender).
No real person is represented.

Outcome model. For every index event that starts a follow-up::

    p = logistic(a_lot + B · logit(OGRS3 p_1yr) + effect_lot · [performance period])

with ``B = 0.9``. The intercepts ``a_lot`` are calibrated so that the expected
2011 binary rate of each lot's PbR-measurable cohort equals a target rate
(:data:`LOT_PARAMETERS`); ``effect_lot`` is each lot's hidden **true provider
effect**, solved so that the expected rate of the lot's measurable performance
cohort moves by the stated number of percentage points. Reoffenders receive
``1 + NegBin`` proven reoffences dated inside ``(index, index + 12 months]``.

The bundled copy (``pbr/data/sample/``, read by :func:`load_sample`) is exactly
``generate()`` with the default seed and scale; ``pbr sample --out DIR``
regenerates it.

Examples
--------
>>> import pandas as pd
>>> from pbr.sample import generate
>>> s = generate(seed=1, scale=0.02)
>>> sorted(s.cohort["lot"].unique())[:3]
['CPA01', 'CPA02', 'CPA03']
>>> bool((s.offences["disposal_date"] <= pd.Timestamp(s.extract_date)).all())
True
"""

from pbr.sample._data import SampleData, load_sample, sample_paths
from pbr.sample._generator import generate
from pbr.sample._parameters import (
    DEFAULT_SEED,
    GENERATOR_VERSION,
    LOT_PARAMETERS,
    OUTCOME_SLOPE,
    SAMPLE_EXTRACT_DATE,
)

__all__ = [
    "DEFAULT_SEED",
    "GENERATOR_VERSION",
    "LOT_PARAMETERS",
    "OUTCOME_SLOPE",
    "SAMPLE_EXTRACT_DATE",
    "SampleData",
    "generate",
    "load_sample",
    "sample_paths",
]
