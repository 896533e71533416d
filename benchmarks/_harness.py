"""Shared pieces of the benchmarks: the DuckDB peer query and the measured subprocess.

* :data:`DUCKDB_SQL` — the cohort and counting job (docs/methodology.md#cohorts and
  #proven-reoffence: eligibility, first event per offender per quarter, exclusion
  reasons, the 12 + 6 month window), as ONE DuckDB SQL query over two
  Parquet files; one row per lot × quarter with cohort size, reoffenders, reoffences.
* :func:`run_measured` — runs a command in a fresh process and returns its wall time
  (process start to exit) and its peak RSS (``ru_maxrss`` of the child from ``wait4``,
  the same figure as the child's ``VmHWM``).
* :func:`peak_kb` — this process's own ``VmHWM`` (used inside a child).
* :func:`machine` — load average, ``uptime`` and available memory, recorded with
  every figure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DUCKDB_SQL = """
WITH c AS (
    SELECT offender_id, lot::VARCHAR AS lot, index_date, exclusion_reason,
           file_row_number AS rn,
           year(index_date) * 4 + (month(index_date) - 1) // 3 AS q
    FROM read_parquet('{cohort}', file_row_number = true)
    WHERE date_of_birth + INTERVAL 18 YEAR <= index_date
      AND coalesce(supervisor::VARCHAR, 'CRC') = 'CRC'
      AND event_type::VARCHAR IN ('release', 'community_order', 'suspended_sentence_order')
      AND NOT coalesce(em_only, false)
), d AS (
    SELECT *, row_number() OVER (PARTITION BY offender_id, q ORDER BY index_date, rn) AS k
    FROM c
), m AS (
    SELECT rn, offender_id, lot, q, index_date FROM d
    WHERE k = 1 AND (exclusion_reason IS NULL OR exclusion_reason = '')
), o AS (
    SELECT offender_id, offence_date, disposal_date
    FROM read_parquet('{offences}')
    WHERE disposal_type::VARCHAR IN ('conviction', 'caution') AND NOT coalesce(breach, false)
), per AS (
    SELECT m.rn, any_value(m.lot) AS lot, any_value(m.q) AS q, count(o.offence_date) AS r
    FROM m LEFT JOIN o
      ON o.offender_id = m.offender_id
     AND o.offence_date > m.index_date
     AND o.offence_date <= m.index_date + INTERVAL 12 MONTH
     AND o.disposal_date <= m.index_date + INTERVAL 18 MONTH
    GROUP BY m.rn
)
SELECT lot, (q // 4)::VARCHAR || 'Q' || (q % 4 + 1)::VARCHAR AS period,
       count(*) AS cohort_size, count(*) FILTER (WHERE r > 0) AS reoffenders,
       sum(r) AS reoffences
FROM per GROUP BY ALL ORDER BY lot, period
"""


def duckdb_rows(cohort: str | Path, offences: str | Path) -> list[list[Any]]:
    """Run :data:`DUCKDB_SQL` and return ``[lot, period, cohort_size, reoffenders, reoffences]``."""
    import duckdb

    con = duckdb.connect()
    res = con.sql(DUCKDB_SQL.format(cohort=cohort, offences=offences)).fetchall()
    return [[str(a), str(b), int(c), int(d), int(e)] for a, b, c, d, e in res]


def peak_kb() -> int:
    """This process's peak resident set size (``VmHWM``), in KiB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _launch(out: str, argv: list[str]) -> int:
    """Inside the launcher: run ``argv``, write wall time and its ``wait4`` rusage to ``out``."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert p.stderr is not None
    err = p.stderr.read()  # drained while the child runs (a full pipe would block it)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = rc = os.waitstatus_to_exitcode(status)
    res = {
        "wall": wall,
        "peak_kb": int(usage.ru_maxrss),
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
        "rc": rc,
        "stderr_tail": err.decode(errors="replace")[-4000:],
    }
    Path(out).write_text(json.dumps(res))
    return 0


def run_measured(argv: list[str], *, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``argv`` in a fresh process; wall time (start to exit) and peak RSS of the child.

    The peak is ``ru_maxrss`` from ``os.wait4`` on the child (KiB on Linux): the child's
    high-water mark, interpreter and imports included. Linux carries the RSS high-water
    mark of the forking process into the child's ``ru_maxrss`` (the pre-``exec`` memory
    image counts), so the child is started by a small launcher process (this module run
    as a script), not by the possibly large benchmark process itself; the wall time is
    taken in the launcher around the child alone.
    """
    full_env = {**os.environ, "PYTHONHASHSEED": "0", **(env or {})}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r.json"
        subprocess.run(
            [sys.executable, __file__, "--launch", str(out), *argv], env=full_env, check=True
        )
        res: dict[str, Any] = json.loads(out.read_text())
    return res


def machine() -> dict[str, Any]:
    """Load average, ``uptime`` output and available memory (GiB) right now."""
    up = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    avail = 0
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemAvailable:"):
                avail = int(line.split()[1])
    return {
        "load": list(os.getloadavg()),
        "uptime": up,
        "mem_available_gb": round(avail / 1024**2, 1),
        "cpus": os.cpu_count(),
        "utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
    }


def src_commit(src: str | Path) -> str:
    """Last commit that touched the pbr source tree ``src`` (+ ``-dirty`` if it has changes)."""
    try:
        git = ["git", "-C", str(src)]
        h = subprocess.run(
            [*git, "log", "-1", "--format=%h %cd", "--date=iso", "--", "."],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--", "."], capture_output=True, text=True
        ).stdout.strip()
        return h + (" -dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def median(xs: list[float]) -> float:
    """Median (mean of the middle two for an even count)."""
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--launch":
        sys.exit(_launch(sys.argv[2], sys.argv[3:]))
    sys.exit("usage: _harness.py --launch OUT.json ARGV...")
