"""The figures behind docs/graph/truth.md "Answers fit to print", measured on a built store and checked
against the JUDGIT! JSON with an independent computation (``Decimal``, this file's own
reading of the sheets: no kg code but the store it queries).

    .venv/bin/kg build ../shared/data/judgit/judgit-data-20*.zip ../shared/data/rs2024 \\
        ../shared/data/nta --store ten.oxigraph -j 2
    .venv/bin/python benchmarks/truth.py ten.oxigraph [--judgit ../shared/data/judgit]

Prints, side by side with the JSON's own figures:

* float noise: amounts that are not whole yen as written, per year, and what kg rounded;
* out of scale: the distribution of a 支出先 row over its sheet's largest budget figure,
  the rows above 10x (and 100x) with their yen, the largest examples; kg's flags;
* recipients by kind (kg:recipientClass) over every row, and the contested numbers;
* the first 15 rows of ``top-recipients`` and of ``firms-in-several-projects``, each total
  recomputed from the JSON (a number's rows, out-of-scale rows out, rows kg kept apart
  under a contested number out): any difference is printed and the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import unicodedata
import zipfile
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kg

MILLION = Decimal(1_000_000)
BUDGET_KEYS = ("当初予算", "補正予算", "前年度から繰越し", "予算計", "執行額")
FACTOR = 10


def yen(value) -> Decimal | None:
    """百万円 as the JSON writes it → whole yen (half up), None when absent or absurd."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    if abs(value) >= Decimal(10) ** 12:
        return None
    return (Decimal(value) * MILLION).to_integral_value(rounding=ROUND_HALF_UP)


def number_of(raw) -> str | None:
    t = "".join(unicodedata.normalize("NFKC", str(raw or "")).split()).replace("-", "")
    return t if len(t) == 13 and t.isdigit() else None


def government(n: str) -> bool:
    return n[1:6] in ("00001", "00002")


def dummy(n: str) -> bool:
    base = n[1:]
    return len(set(base)) == 1 or base in "012345678901234567890" or base.endswith("0000000")


def read_sheets(folder: Path):
    """Every JUDGIT! sheet: (year, path, its largest budget figure in yen, its 支出先 rows
    as (index, name, number or None, yen, noisy))."""
    for zpath in sorted(folder.glob("judgit-data-20*.zip")):
        year = int(zpath.stem.rsplit("-", 1)[-1])
        with zipfile.ZipFile(zpath) as z:
            for name in sorted(n for n in z.namelist() if n.endswith(".json")):
                d = json.loads(z.read(name), parse_float=Decimal)
                figures = []
                for b in d.get("予算") or []:
                    if not isinstance(b, dict) or not isinstance(b.get("年度"), int):
                        continue
                    keys = ("要求額",) if "要求額" in b and b.get("予算計") is None and b.get("当初予算") is None else BUDGET_KEYS
                    figures += [v for v in (yen(b.get(k)) for k in keys) if v is not None and v > 0]
                rows = []
                for i, e in enumerate(d.get("支出先") or []):
                    if not isinstance(e, dict) or not str(e.get("支出先名") or "").strip():
                        continue
                    raw = e.get("支出額")
                    noisy = isinstance(raw, Decimal) and (raw * MILLION) != (raw * MILLION).to_integral_value()
                    rows.append((i, e["支出先名"], number_of(e.get("法人番号")), yen(raw), noisy))
                yield year, name, (max(figures) if figures else None), rows


def bucket(ratio: Decimal) -> int:
    return math.floor(math.log10(float(ratio)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", type=Path, help="the ten-year store folder (kg build … --store)")
    ap.add_argument("--judgit", type=Path, default=ROOT.parent / "shared" / "data" / "judgit")
    args = ap.parse_args()
    start = time.perf_counter()
    noise = Counter()
    ratios: Counter = Counter()
    flagged: list[tuple] = []
    unjudged = 0
    by_number: dict[str, list[tuple]] = defaultdict(list)  # number → (path, index, yen, out of scale)
    kinds: Counter = Counter()
    for year, path, scale, rows in read_sheets(args.judgit):
        for i, name, number, amount, noisy in rows:
            noise[year] += noisy
            out = False
            if amount is not None and amount > 0:
                if scale:
                    r = amount / scale
                    ratios[bucket(r)] += 1
                    out = amount > FACTOR * scale
                    if out:
                        flagged.append((r, year, path, i, name, amount, scale))
                else:
                    unjudged += 1
            kinds["no number" if number is None else "dummy form" if dummy(number)
                  else "government" if government(number) else "numbered"] += 1
            if number is not None:
                by_number[number].append((path, i, amount or Decimal(0), out))
    print(f"# JUDGIT! JSON read in {time.perf_counter() - start:.1f} s: {sum(kinds.values()):,} 支出先 rows")
    print("\n## float noise (支出額 not whole yen as written)")
    for y in sorted(noise):
        print(f"  {y}: {noise[y]:,}")
    print(f"  all: {sum(noise.values()):,}")

    print("\n## a 支出先 row over its sheet's largest budget figure")
    for b in sorted(ratios):
        print(f"  10^{b:>3} ≤ ratio < 10^{b + 1:<3} {ratios[b]:>9,}")
    print(f"  rows with an amount above 0 on a sheet with no budget figure above 0 (not judged): {unjudged:,}")
    above = [f for f in flagged]
    above100 = [f for f in flagged if f[0] > 100]
    print(f"  above {FACTOR}x: {len(above):,} rows, {sum(f[5] for f in above):,} yen; "
          f"above 100x: {len(above100):,} rows, {sum(f[5] for f in above100):,} yen")
    for r, _year, path, i, name, amount, scale in sorted(flagged, reverse=True)[:8]:
        print(f"    {r:>12,.1f}x  {path} /支出先/{i}  {name}  {amount:,} yen (sheet's largest figure {scale:,} yen)")

    g = kg.open(args.store)

    def q(text):
        return kg.query(g, sparql="PREFIX kg: <https://kg.jp-spending.example/def/>\n" + text, all=True)

    kg_flagged = q("SELECT (COUNT(?e) AS ?n) (SUM(?a) AS ?y) WHERE { ?e a kg:Expenditure ; kg:outOfScale true ; kg:amount ?a }")[0]
    kg_all_flagged = q("SELECT ?t (COUNT(?e) AS ?n) (SUM(?a) AS ?y) WHERE { ?e kg:outOfScale true ; a ?t ; kg:amount ?a } GROUP BY ?t")
    rounded = q("SELECT (COUNT(?w) AS ?n) WHERE { ?w a kg:AmountAsWritten }")[0]["n"]
    print(f"\n  kg: {kg_flagged['n']:,} 支出先 rows out of scale, {kg_flagged['y'] or 0:,} yen "
          f"(JSON: {len(above):,}, {sum(f[5] for f in above):,}); by class: "
          + ", ".join(f"{r['t'].rsplit('/', 1)[-1]} {r['n']:,} ({r['y']:,} yen)" for r in kg_all_flagged))
    print(f"  kg: {rounded:,} amounts rounded to whole yen (kg:AmountAsWritten), budgets included")
    bad = int(kg_flagged["n"] != len(above) or (kg_flagged["y"] or 0) != sum(f[5] for f in above))

    print("\n## recipients by kind (kg:recipientClass), every row")
    for r in q("SELECT ?c ?t (COUNT(?e) AS ?n) WHERE { ?e kg:recipientClass ?c ; a ?t FILTER(STRSTARTS(STR(?t), STR(kg:))) }"
               " GROUP BY ?c ?t ORDER BY ?t DESC(?n)"):
        print(f"  {r['t'].rsplit('/', 1)[-1]:<12} {r['c'].rsplit('/', 1)[-1]:<12} {r['n']:>9,}")
    print("  JSON 支出先 rows: " + ", ".join(f"{k} {v:,}" for k, v in kinds.most_common()))
    contested = q("""SELECT (COUNT(DISTINCT ?corp) AS ?numbers) (COUNT(?r) AS ?rows) WHERE { ?r kg:contestedNumber ?corp }""")[0]
    kept = q("""SELECT (SUM(?a) AS ?y) WHERE { ?r kg:contestedNumber ?c . ?e kg:recipient ?r ; a kg:Expenditure ; kg:amount ?a }""")[0]
    unheld = q("""SELECT (COUNT(?c) AS ?n) WHERE { ?c a kg:Corporation ;
                  kg:recipientClass <https://kg.jp-spending.example/def/code/recipient-class/contested> }""")[0]["n"]
    print(f"  contested: {contested['numbers']:,} numbers ({unheld:,} held by nobody), {contested['rows']:,} rows kept apart, "
          f"{kept['y'] or 0:,} yen of 支出先 rows")

    # kept-apart yen per number (to take out of the JSON's sums)
    apart: dict[str, Decimal] = defaultdict(Decimal)
    for r in q("""SELECT ?n (SUM(?a) AS ?y) WHERE { ?r kg:contestedNumber ?c . ?c kg:corporateNumber ?n .
                  ?e kg:recipient ?r ; a kg:Expenditure . OPTIONAL { ?e kg:amount ?a0 } BIND(COALESCE(?a0, 0) AS ?a) } GROUP BY ?n"""):
        apart[r["n"]] = Decimal(r["y"] or 0)

    def independent(number: str) -> Decimal:
        return sum((a for _, _, a, out in by_number.get(number, ()) if not out), Decimal(0)) - apart.get(number, Decimal(0))

    print("\n## top-recipients, first 15 (kind corporation, out-of-scale rows out)")
    print(f"  {'法人番号':<13}  {'corporation':<36} {'kg totalYen':>22} {'JSON':>22}  out of scale")
    for r in kg.query(g, "top-recipients", limit=15):
        want = independent(r["corporateNumber"])
        mark = "" if want == r["totalYen"] else "   << differs"
        bad |= bool(mark)
        print(f"  {r['corporateNumber']:<13}  {r['corporation'][:36]:<36} {r['totalYen']:>22,} {want:>22,}  "
              f"{r['outOfScaleRows']:,} rows {r['outOfScaleYen']:,} yen{mark}")
    before = kg.query(g, "top-recipients", limit=15, outOfScale="include", kind="*")
    print("  with out-of-scale rows and government bodies (outOfScale=include, kind=*): "
          + "; ".join(f"{r['corporation'][:16]} {r['totalYen']:,}" for r in list(before)[:5]))

    print("\n## firms-in-several-projects (topic AI), first 10 corporations")
    rows = kg.query(g, "firms-in-several-projects", all=True)
    firms: dict[str, dict] = {}
    for r in rows:
        firms.setdefault(r["corporateNumber"], r)
    print(f"  {len(rows):,} rows, {len(firms):,} corporations; by total yen:")
    for n, r in list(firms.items())[:10]:
        print(f"  {n}  {r['corporation'][:30]:<30} {r['projects']:>4} {r['totalYen']:>20,}")
    print("  by number of sheets:")
    for n, r in sorted(firms.items(), key=lambda kv: (-kv[1]["projects"], -kv[1]["totalYen"]))[:10]:
        print(f"  {n}  {r['corporation'][:30]:<30} {r['projects']:>4} {r['totalYen']:>20,}")
    print(f"\n# {time.perf_counter() - start:.1f} s in all; " + ("every figure agrees with the JSON" if not bad else "DIFFERENCES above"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
