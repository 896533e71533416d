"""Sample data sets shipped with pbr (synthetic; see docs/methodology.md#sample-data).

* :func:`load_sample` — the bundled synthetic sample (21 lots, 2011 and
  2015Q4–2017Q1): cohort, offences, extract date and the hidden true effects.
* :func:`sample_paths` — the paths of the bundled Parquet files (for the
  command line and the file-level pipeline).
* :func:`generate_sample` — regenerate a sample of any size with a seed.

Examples
--------
>>> from pbr.datasets import load_sample
>>> s = load_sample()
>>> s.extract_date.isoformat(), s.cohort["lot"].nunique()
('2018-06-30', 21)
"""

from __future__ import annotations

from pbr.sample import DEFAULT_SEED, SAMPLE_EXTRACT_DATE, SampleData, load_sample, sample_paths
from pbr.sample import generate as generate_sample

__all__ = [
    "DEFAULT_SEED",
    "SAMPLE_EXTRACT_DATE",
    "SampleData",
    "generate_sample",
    "load_sample",
    "sample_paths",
]
