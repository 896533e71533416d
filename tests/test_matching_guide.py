"""The researcher guide's code runs end to end on the bundled sample."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide-researcher.md"


def test_guide_code_runs_end_to_end():
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 6
    ns: dict[str, object] = {}
    try:
        for block in blocks:
            exec(compile(block, str(GUIDE), "exec"), ns)
    finally:
        plt.close("all")
    people = ns["people"]
    assert isinstance(people, pd.DataFrame) and people["offender_id"].is_unique
    result = ns["result"]
    assert result.n_matched_treated >= 60
    assert "offence_group=violence" in set(result.balance["covariate"])
    # the columns listed in the guide are the real ones
    listed = re.search(r"# \['offender_id'.*?\]", GUIDE.read_text(encoding="utf-8"), re.S)
    assert listed is not None
    names = re.findall(r"'([a-z_0-9]+)'", listed.group(0))
    assert names == people.columns.tolist()[: len(names)]
