"""Benchmark: the real RS 2024 files (``../shared/data/rs2024``, 13 of the 15 zips as
distributed) built end to end, with raw pyoxigraph loading the same triples side by side.

Each stage runs in a fresh process so that its peak memory is its own:

* ``kg build`` — read, map, merge and write sorted N-Triples (``-j`` workers);
* ``kg validate`` — every shape on the built graph (fast engine);
* baseline — ``pyoxigraph.Store().bulk_load`` of the written N-Triples, nothing else.

Prints seconds, peak resident memory, triples, diagnostics (distinct / all) and the
findings by rule; the ratio is the build's time over the baseline's.

    .venv/bin/python benchmarks/real_rs.py [--data ../shared/data/rs2024] [-j 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
sys.path.insert(0, str(ROOT))

from kg.display import shorten


def timed(cmd: list[str]) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall seconds, peak RSS in bytes of that one child (with the workers it waited for, as
    ``wait4`` reports them), and its result."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(cmd, proc.returncode, out.read(), err.read())
    if result.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return seconds, usage.ru_maxrss * 1024, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "rs2024")
    ap.add_argument("-j", "--workers", type=int, default=2)
    args = ap.parse_args()
    if not args.data.is_dir():
        sys.exit(f"{args.data}: no such folder (the real RS 2024 zips)")
    print(f"# real RS 2024 files: {args.data} ({len(list(args.data.glob('*.zip')))} zips), "
          f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        out, report = Path(tmp) / "rs2024.nt", Path(tmp) / "report.json"
        baseline = [PY, "-c", "import pyoxigraph as ox, sys; s = ox.Store(); "
                    "s.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES); print(len(s))"]
        # the baseline needs the file: build first, then measure each in its own process
        b_s, b_mem, b = timed([PY, "-m", "kg.cli", "build", str(args.data), "-o", str(out), "-j", str(args.workers),
                               "-q", "--report", str(report)])
        l_s, l_mem, loaded = timed(baseline + [str(out)])
        v_s, v_mem, v = timed([PY, "-m", "kg.cli", "validate", str(out), "-q", "-f", "json"])
        triples = int(loaded.stdout.strip())
        diagnostics = json.loads(report.read_text(encoding="utf-8"))
        notes = [d for d in diagnostics if d["severity"] == "info"]  # listed by --report, not printed
        diagnostics = [d for d in diagnostics if d["severity"] != "info"]
        distinct = len({(d["severity"], d["message"]) for d in diagnostics})
        findings = json.loads(v.stdout)
    rows = [("kg build (map, merge, write sorted N-Triples)", b_s, b_mem),
            ("kg validate (fast engine)", v_s, v_mem),
            ("baseline: pyoxigraph bulk_load of the same file", l_s, l_mem)]
    print(f"{'stage':50} {'seconds':>8} {'peak RSS':>10}")
    for name, s, mem in rows:
        print(f"{name:50} {s:8.1f} {mem / 2**30:8.2f} GiB")
    print(f"triples: {triples:,}; diagnostics: {len(diagnostics):,} ({distinct:,} distinct lines on stderr), "
          f"{len(notes):,} notes (laws cited by name only with no 法令ID)")
    print(f"build / baseline load: {b_s / l_s:.1f}x")
    by_rule = Counter((f["severity"], f.get("shape") or f.get("path") or "?") for f in findings["results"])
    print("findings by rule:")
    for (severity, rule), n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:6,}  {severity:9} {shorten(rule)}")


if __name__ == "__main__":
    main()
