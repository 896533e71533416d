"""Shared test helpers (not a test module): synthetic members, the headless browser."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pbr.risk.ogrs3 import score_cohort

GROUPS = ["violence", "theft_non_motor", "burglary_domestic", "drug_possession_supply", "robbery"]
EVENTS = ["release", "community_order", "suspended_sentence_order"]


def synthetic_members(
    n: int,
    seed: int,
    *,
    lots: Sequence[str],
    year: int = 2011,
    id_prefix: str = "P",
    shift: float = -0.3,
    slope: float = 0.8,
    lot_effects: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Cohort members with OGRS3 inputs and outcomes from a known model.

    ``reoffender ~ Bernoulli(logistic(shift + slope · logit(OGRS3 p_1yr) + lot_effects[lot]))``,
    ``reoffences = 1 + Poisson(1.5)`` for reoffenders; index dates uniform over
    ``year``; the true probabilities are in ``attrs["true_p"]``.
    """
    rng = np.random.default_rng(seed)
    idx = pd.Timestamp(f"{year}-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    dob = idx - pd.to_timedelta(rng.integers(19 * 366, 65 * 365, n), unit="D")
    first = dob + pd.to_timedelta(rng.integers(13 * 366, 18 * 365, n), unit="D")
    m = pd.DataFrame(
        {
            "offender_id": [f"{id_prefix}{i:06d}" for i in range(n)],
            "lot": rng.choice(list(lots), n),
            "index_date": idx,
            "event_type": rng.choice(EVENTS, n),
            "sex": rng.choice(["M", "F"], n, p=[0.85, 0.15]),
            "date_of_birth": dob,
            "offence_group": rng.choice(GROUPS, n),
            "sanctions": rng.integers(1, 40, n),
            "first_sanction_date": first,
        }
    )
    p1 = score_cohort(m).table["p_1yr"].to_numpy()
    eta = shift + slope * np.log(p1 / (1 - p1))
    if lot_effects:
        eta = eta + m["lot"].map(lot_effects).to_numpy(dtype=float)
    reo = rng.random(n) < 1 / (1 + np.exp(-eta))
    m["reoffender"] = reo
    m["reoffences"] = np.where(reo, 1 + rng.poisson(1.5, n), 0)
    m.attrs["true_p"] = 1 / (1 + np.exp(-eta))
    return m


# ------------------------------------------------------------------ real browser


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def require_chromium() -> str:
    """The browser's path; under CI a missing browser fails the test, locally it skips."""
    path = find_chromium()
    if path is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("chromium is required under CI: run scripts/ensure_chromium.sh")
        pytest.skip("chromium not installed (run scripts/ensure_chromium.sh); CI unset")
    return path


def chromium_args(profile: Path) -> list[str]:
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
    ]


def render_in_chromium(
    browser: str, page: Path, workdir: Path, *, width: int, height: int
) -> tuple[Path, str]:
    """Screenshot ``page`` and dump its DOM with headless chromium; assert both succeed.

    Returns the PNG path and the DOM text.
    """
    url = page.resolve().as_uri()
    shot = workdir / "screenshot.png"
    env = {**os.environ, "HOME": str(workdir)}
    runs = []
    for profile, extra in (
        ("profile1", [f"--screenshot={shot}", f"--window-size={width},{height}"]),
        ("profile2", ["--dump-dom"]),
    ):
        runs.append(
            subprocess.run(
                [browser, *chromium_args(workdir / profile), *extra, url],
                capture_output=True,
                text=True,
                timeout=120,
                env=env,
                check=False,
            )
        )
    for proc in runs:
        assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 10_000, runs[0].stderr[-2000:]
    return shot, runs[1].stdout


def sample_microdata_args() -> list[str]:
    """``--cohort F --offences F --extract-date D`` for the bundled sample files."""
    from pbr.sample import SAMPLE_EXTRACT_DATE, sample_paths

    files = sample_paths()
    return [
        "--cohort",
        str(files["cohort"]),
        "--offences",
        str(files["offences"]),
        "--extract-date",
        SAMPLE_EXTRACT_DATE.isoformat(),
    ]
