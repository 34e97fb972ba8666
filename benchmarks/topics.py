"""How many sheets a topic selects per year, matched as letters and as words: an independent
count from the source files, beside what a built store says.

    .venv/bin/python benchmarks/topics.py ../shared/data/judgit ../shared/data/rs2024 [--store DIR]

Reads every JUDGIT! JSON sheet (事業名, 事業目的, 事業概要) and every RS CSV row (事業名 in
any file, 事業の目的 and 事業の概要 in 1-2) itself, with NFKC as the only normalisation, and
the topic's keywords from ``ontology/topics.ttl`` with rdflib; kg's own matcher is not used.
"As letters" is the rule before issue 33 (a keyword anywhere in the text); "as words" is the
rule now (a keyword that begins or ends with a Latin letter does not count inside a longer
Latin word). Prints sheets per year under both rules, the longer words that gave the false
hits with how many sheets each, and with ``--store`` the sheets per year the store tags
``kg:onTopic`` (which must equal the "as words" column for the years it holds; exit 1 if not).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

from rdflib import Graph, Literal, URIRef

ROOT = Path(__file__).resolve().parent.parent
KG = "https://kg.jp-spending.example/def/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
LATIN = "A-Za-zＡ-Ｚａ-ｚ"


def keywords(topic: str) -> list[str]:
    g = Graph().parse(ROOT / "ontology" / "topics.ttl")
    concept = next(s for s in g.subjects(URIRef(SKOS + "notation"), Literal(topic)))
    return sorted(str(k) for k in g.objects(concept, URIRef(KG + "keyword")))


def nfkc(text) -> str:
    return unicodedata.normalize("NFKC", str(text)) if text else ""


def judgit_sheets(folder: Path):
    """(year, sheet name, [texts]) of every JUDGIT! sheet."""
    for path in sorted(folder.glob("judgit-data-*.zip")):
        with zipfile.ZipFile(path) as z:
            for name in sorted(z.namelist()):
                if not name.endswith(".json"):
                    continue
                data = json.loads(z.read(name))
                if not isinstance(data, dict) or not isinstance(data.get("公開年度"), int):
                    continue
                yield data["公開年度"], name, [nfkc(data.get(k)) for k in ("事業名", "事業目的", "事業概要")]


def rs_sheets(folder: Path):
    """(year, 予算事業ID, [texts]) of every RS project, its texts gathered over the files."""
    texts: dict[tuple[int, str], list[str]] = defaultdict(list)
    for path in sorted(folder.glob("*.zip")):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if not name.endswith(".csv"):
                    continue
                rows = csv.DictReader(io.StringIO(z.read(name).decode("utf-8-sig")))
                for row in rows:
                    if not row.get("予算事業ID") or not (row.get("事業年度") or "").isdigit():
                        continue
                    key = (int(row["事業年度"]), row["予算事業ID"])
                    texts[key] += [nfkc(row.get(k)) for k in ("事業名", "事業の目的", "事業の概要") if row.get(k)]
    for (year, pid), t in sorted(texts.items()):
        yield year, pid, t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path, help="folders of JUDGIT! zips and of RS zips")
    ap.add_argument("--topic", default="AI")
    ap.add_argument("--store", type=Path, help="a store folder built from (some of) the same files")
    args = ap.parse_args()
    words = keywords(args.topic)
    letters = re.compile("|".join(map(re.escape, words)))
    latin = re.compile(f"[{LATIN}]")

    def as_word(w: str) -> str:
        return ((f"(?<![{LATIN}])" if latin.match(w[0]) else "") + re.escape(w)
                + (f"(?![{LATIN}])" if latin.match(w[-1]) else ""))

    word = re.compile("|".join(map(as_word, words)))
    longer = re.compile(f"[{LATIN}]*(?:{'|'.join(map(re.escape, words))})[{LATIN}]*")
    before, after, total = Counter(), Counter(), Counter()
    false_words: Counter = Counter()
    examples: dict[str, str] = {}
    for folder in args.folders:
        sheets = rs_sheets(folder) if any(folder.glob("*_RS_*.zip")) else judgit_sheets(folder)
        for year, name, texts in sheets:
            total[year] += 1
            hit_letters = any(letters.search(t) for t in texts)
            hit_word = any(word.search(t) for t in texts)
            before[year] += hit_letters
            after[year] += hit_word
            if hit_letters and not hit_word:
                found = sorted({m.group(0) for t in texts for m in longer.finditer(t) if m.group(0) not in words})
                for w in found:
                    false_words[w] += 1
                    examples.setdefault(w, name)
    print(f"topic {args.topic}: keywords {', '.join(words)}")
    print(f"{'sheet year':>10} {'sheets':>7} {'as letters':>10} {'as words':>9} {'false hits':>10}")
    for year in sorted(total):
        print(f"{year:>10} {total[year]:>7,} {before[year]:>10,} {after[year]:>9,} {before[year] - after[year]:>10,}")
    print(f"{'all':>10} {sum(total.values()):>7,} {sum(before.values()):>10,} {sum(after.values()):>9,} "
          f"{sum(before.values()) - sum(after.values()):>10,}")
    print("\nlonger words that matched as letters (sheets; first example):")
    for w, n in false_words.most_common():
        print(f"  {w:<16} {n:>4}  {examples[w]}")
    if args.store:
        import pyoxigraph as ox

        store = ox.Store.read_only(str(args.store))
        q = (f"PREFIX kg: <{KG}> PREFIX skos: <{SKOS}> SELECT ?y (COUNT(DISTINCT ?p) AS ?n) WHERE {{ "
             f"?c skos:notation {json.dumps(args.topic)} . ?p kg:onTopic ?c ; kg:sheetYear ?y "
             "FILTER NOT EXISTS { ?p a kg:SheetPlaceholder } } GROUP BY ?y ORDER BY ?y")
        differ = 0
        print(f"\n{args.store}: sheets tagged kg:onTopic")
        for row in store.query(q):
            y, n = int(row["y"].value), int(row["n"].value)
            mark = "" if n == after[y] else f"  (the files say {after[y]} as words, {before[y]} as letters)"
            differ += bool(mark)
            print(f"  {y}: {n:,}{mark}")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
