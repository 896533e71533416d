"""cProfile of one ``pbr measures`` CLI run; prints the top entries by cumulative and own time.

Usage::

    .venv/bin/python benchmarks/profile_measures.py --shape extract --events 2000000 \\
        [--no-validate] [--pbr-src DIR] [--top 30]

Runs ``python -m cProfile -o … -m pbr measures …`` in a fresh process (``PYTHONPATH`` =
``--pbr-src``) on the files of ``shapes.py``, then prints the ``pstats`` listing sorted by
cumulative time and by own time (``tottime``). The full listing is saved to
``benchmarks/_data/profile-<shape>-<events>-<mode>-<tag>.txt`` (the raw stats next to it,
``.prof``). cProfile sees the main thread only: work done in pbr's background threads
(the offence stream) shows up as the main thread waiting on it.
"""

from __future__ import annotations

import argparse
import io
import pstats
import sys
from pathlib import Path

import shapes
from _harness import machine, run_measured, src_commit

HERE = Path(__file__).resolve().parent
REPO_SRC = HERE.parent / "src"


def threaded_child(prof: str, argv: list[str]) -> None:
    """Run ``python -m pbr argv`` with a cProfile profiler in every thread."""
    import cProfile
    import runpy
    import threading

    others: list[cProfile.Profile] = []

    def start(frame: object, event: str, arg: object) -> None:
        p = cProfile.Profile()
        others.append(p)
        p.enable()  # replaces this hook in the new thread

    threading.setprofile(start)  # type: ignore[arg-type]
    main_prof = cProfile.Profile()
    sys.argv = ["pbr", *argv]
    main_prof.enable()
    try:
        runpy.run_module("pbr", run_name="__main__")
    except SystemExit as e:
        if e.code not in (0, None):
            raise
    finally:
        main_prof.disable()
        threading.setprofile(None)  # type: ignore[arg-type]
    main_prof.dump_stats(prof)
    if others:
        for p in others:
            p.disable()
        pstats.Stats(*others).dump_stats(prof + ".threads")


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--threaded-child":
        threaded_child(sys.argv[2], sys.argv[3:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=["project", "extract"], default="extract")
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--no-validate", action="store_true")
    ap.add_argument("--pbr-src", type=Path, default=REPO_SRC)
    ap.add_argument("--tag", default="")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--threads", action="store_true", help="profile every thread")
    args = ap.parse_args()
    src = args.pbr_src.resolve()
    data, meta = shapes.ensure(args.shape, args.events)
    mode = "novalidate" if args.no_validate else "validated"
    tag = args.tag or src.parent.name
    threads = "-threads" if args.threads else ""
    stem = HERE / "_data" / f"profile-{args.shape}-{args.events}-{mode}{threads}-{tag}"
    prof = stem.with_suffix(".prof")
    if args.threads:
        argv = [sys.executable, __file__, "--threaded-child", str(prof), "measures"]
    else:
        argv = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "pbr", "measures"]
    argv += ["--cohort", str(data / "cohort.parquet"), "--offences", str(data / "offences.parquet")]
    argv += ["--extract-date", meta["extract_date"], "--period", "quarter"]
    csv_out = data / f"_profile_{mode}.csv"
    for old in (csv_out, csv_out.with_suffix(".manifest.json")):
        old.unlink(missing_ok=True)  # pbr never replaces an output without --force
    argv += ["--out", str(csv_out)]
    if args.no_validate:
        argv.append("--no-validate")
    m0 = machine()
    r = run_measured(argv, env={"PYTHONPATH": str(src)})
    if r["rc"] != 0:
        print(r["stderr_tail"], file=sys.stderr)
        return 1
    buf = io.StringIO()
    buf.write(f"{args.shape} {args.events:,} events, pbr measures ({mode}), pbr from {src}")
    buf.write(f" at {src_commit(src)}\n")
    buf.write(f"wall {r['wall']:.2f} s under cProfile, peak {r['peak_kb'] / 1024:.0f} MB\n")
    buf.write(f"before: {m0['uptime']}\nafter:  {machine()['uptime']}\n")
    st = pstats.Stats(str(prof), stream=buf)
    st.strip_dirs()
    buf.write("\n=== by cumulative time\n")
    st.sort_stats("cumulative").print_stats(args.top)
    buf.write("\n=== by own time (tottime)\n")
    st.sort_stats("tottime").print_stats(args.top)
    other = Path(str(prof) + ".threads")
    if args.threads and other.exists():
        buf.write("\n=== background threads combined, by cumulative time\n")
        so = pstats.Stats(str(other), stream=buf)
        so.strip_dirs()
        so.sort_stats("cumulative").print_stats(args.top)
        buf.write("\n=== background threads combined, by own time (tottime)\n")
        so.sort_stats("tottime").print_stats(args.top)
    text = buf.getvalue()
    stem.with_suffix(".txt").write_text(text)
    print(text)
    print("->", stem.with_suffix(".txt"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
