"""Benchmark: the 法人番号 register at national scale.

The real national 全件 file (``00_zenkoku_all_YYYYMMDD.zip``, 5.8 M corporations) is
not in ``../shared/data``; this script writes one of that size in its shape: every
corporation of the real 差分 extract (``nta/nta-diff-extract-payees.zip``, 18,577 of
them, their current record) among made-up corporations whose rows are real rows with
another 法人番号 (a valid check digit), prefecture and 更新年月日 — CP932, zipped with
its ``.asc`` member, as the NTA publishes it. Then, each in a fresh process (peak memory
is its own):

* the register stage as ``kg build`` runs it (:func:`kg.pipeline.map_register`): stream
  the file, keep the rows of the 法人番号 the sheets name (the real RS 2024 and JUDGIT!
  numbers: the 18,577), apply, emit;
* ``kg build tests/fixtures/rs-real ZIP -o graph.nt``: the whole command, end to end;
* baseline 1 — the least any reader pays: inflate the member and split it into lines;
* baseline 2 — the obvious reader: decode every row and split it with ``csv.reader``.

    .venv/bin/python benchmarks/nta_register.py [--rows 5800000] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from real_rs import PY, timed


def real_rows(extract: Path) -> list[list[str]]:
    """The current record of every corporation of the real 差分 extract."""
    latest: dict[str, list[str]] = {}
    with zipfile.ZipFile(extract) as z:
        for name in sorted(z.namelist()):
            data = z.read(name)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("cp932")
            for row in csv.reader(io.StringIO(text)):
                if len(row) == 30 and row[2] != "99":
                    latest[row[1]] = row
    return [latest[n] for n in sorted(latest)]


def write_national(path: Path, rows: int, templates: list[list[str]], seed: int = 7) -> int:
    """A 全件 file of ``rows`` rows: the templates themselves, and made-up corporations."""
    from stdnum.jp import cn

    rnd = random.Random(seed)
    real = {r[1] for r in templates}
    positions = set(rnd.sample(range(rows), len(templates)))
    it = iter(templates)
    serial = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open(path.with_suffix(".csv").name, "w", force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding="cp932", errors="replace", newline="")
            w = csv.writer(out, lineterminator="\r\n")
            for i in range(rows):
                if i in positions:
                    row = list(next(it))
                else:
                    row = list(rnd.choice(templates))
                    while True:
                        serial += 1
                        body = f"{serial:012d}"
                        number = str(cn.calc_check_digit(body)) + body
                        if number not in real:
                            break
                    row[1] = number
                    pref = rnd.randint(1, 47)
                    row[13] = f"{pref:02d}"
                    row[4] = f"20{rnd.randint(15, 26)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
                row[0] = str(i + 1)
                row[23] = "1"
                w.writerow(row)
            out.flush()
            out.detach()
        z.writestr(path.with_suffix(".asc").name, b"(signature)")
    return rows


STAGE = """import sys, time
from pathlib import Path
from kg.emit.sink import Emitted, CorporationNames
from kg.iris import IRIs
from kg.pipeline import map_register
wanted = [l.strip() for l in open(sys.argv[2]) if l.strip()]
part = Emitted(graphs={}, corporations={n: CorporationNames() for n in wanted}, unknown_codes=[])
emitted, summary, diagnostics = map_register([Path(sys.argv[1])], [part], IRIs())
print(summary.kept, summary.corporations, emitted.triples, len(diagnostics))"""

BASELINE_LINES = """import sys, zipfile
n = 0
with zipfile.ZipFile(sys.argv[1]) as z, z.open([m for m in z.namelist() if m.endswith('.csv')][0]) as f:
    for line in f:
        n += 1
print(n)"""

BASELINE_CSV = """import csv, io, sys, zipfile
n = 0
with zipfile.ZipFile(sys.argv[1]) as z, z.open([m for m in z.namelist() if m.endswith('.csv')][0]) as f:
    for row in csv.reader(io.TextIOWrapper(f, encoding='cp932', newline='')):
        n += len(row) == 30
print(n)"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=5_800_000)
    ap.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kg-nta-bench")
    args = ap.parse_args()
    extract = args.data / "nta" / "nta-diff-extract-payees.zip"
    if not extract.is_file():
        sys.exit(f"{extract} is not here: the benchmark needs the real register extract")
    args.work.mkdir(parents=True, exist_ok=True)
    national = args.work / f"00_zenkoku_all_20260331-{args.rows}.zip"
    templates = real_rows(extract)
    if not national.is_file():
        print(f"writing {national} ({args.rows:,} rows) …", flush=True)
        write_national(national, args.rows, templates)
    wanted = args.work / "wanted.txt"
    wanted.write_text("\n".join(r[1] for r in templates) + "\n", encoding="ascii")
    print(f"# {national.name}: {national.stat().st_size / 2**20:,.0f} MiB zipped, {args.rows:,} rows; "
          f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores")
    stage = timed([PY, "-c", STAGE, str(national), str(wanted)])
    build = timed([PY, "-m", "kg.cli", "build", str(HERE.parent / "tests" / "fixtures" / "rs-real"), str(national),
                   "-o", str(args.work / "graph.nt"), "-q"])
    lines = timed([PY, "-c", BASELINE_LINES, str(national)])
    reader = timed([PY, "-c", BASELINE_CSV, str(national)])
    kept, corporations, triples, _ = stage[2].stdout.split()
    print(f"{'stage':64} {'seconds':>8} {'rows/s':>11} {'peak RSS':>10}")
    for name, (s, mem, _) in (
        (f"register stage: keep {len(templates):,} corporations ({int(kept):,} rows, {int(triples):,} triples)", stage),
        ("kg build tests/fixtures/rs-real ZIP -o graph.nt (end to end)", build),
        ("baseline 1: inflate and split into lines", lines),
        ("baseline 2: decode and csv.reader every row", reader),
    ):
        print(f"{name:64} {s:8.1f} {args.rows / s:11,.0f} {mem / 2**30:8.2f} GiB")
    print(f"register stage = {stage[0] / lines[0]:.1f}x baseline 1, {stage[0] / reader[0]:.2f}x baseline 2")


if __name__ == "__main__":
    main()
