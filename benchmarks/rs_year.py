"""Writes a full-size synthetic RS year: the 15 zipped CSV files of the 行政事業レビュー
見える化サイト, in the exact format of ``tests/fixtures/rs`` (same headers, UTF-8 with BOM,
CRLF, one CSV per zip), with the scale and the quirks of the real 2024 download
(docs: "Scale and data quality of the real files"):

- 5,700 projects under the real ministries; one sheet row per project in 1-2.
- 5-1: about 3.5 blocks per project, about 3.8 recipients per block, about 1.3 further
  contract rows per recipient (the real year: 19,783 block rows, 74,760 recipient rows,
  98,599 contract rows, 991 empty rows, about 440 exact duplicates);
  amounts log-normal in yen, block totals the sum of their recipients.
- Recipients drawn from a pool with a long tail (Zipf), so that large firms recur in
  hundreds of projects; about a quarter of the distinct names have no 法人番号
  (individuals, foreign firms, placeholders, the bundled ``その他``); a few numbers are
  broken as in the real data (12 digits, wrong check digit, one number under two names).
- 5-2 one edge per block (the ministry pays the first blocks, others are re-delegated),
  5-3 費目・使途 for the larger recipients, 5-4 about 4,000 multi-year contracts, and the
  1-x, 2-x, 3-x, 4-1, 6-1 files with per-project rows in realistic numbers.

Everything is drawn from ``random.Random(seed)``: the same arguments write the same bytes.

    .venv/bin/python benchmarks/rs_year.py -o /tmp/rs-2024 [--projects 5700] [--year 2024] [--seed 1]
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import random
import sys
import time
from collections import Counter
from pathlib import Path

from stdnum.jp import cn

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("write_fixtures", ROOT / "tests" / "fixtures" / "rs" / "write_fixtures.py")
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)

MINISTRIES = [  # (name, 建制順, share of projects, bureaus)
    ("内閣官房", 3, 0.02, ["内閣官房副長官補", "内閣サイバーセキュリティセンター"]),
    ("内閣府", 7, 0.06, ["政策統括官（科学技術・イノベーション担当）", "大臣官房", "地方創生推進事務局"]),
    ("警察庁", 11, 0.02, ["長官官房", "生活安全局"]),
    ("金融庁", 14, 0.01, ["総合政策局"]),
    ("消費者庁", 15, 0.01, ["消費者政策課"]),
    ("こども家庭庁", 16, 0.03, ["成育局", "支援局"]),
    ("デジタル庁", 17, 0.02, ["国民向けサービスグループ", "省庁業務サービスグループ"]),
    ("復興庁", 18, 0.01, ["統括官付"]),
    ("総務省", 19, 0.06, ["自治行政局", "情報流通行政局", "総合通信基盤局", "統計局"]),
    ("法務省", 20, 0.03, ["矯正局", "出入国在留管理庁"]),
    ("外務省", 21, 0.05, ["国際協力局", "総合外交政策局"]),
    ("財務省", 22, 0.03, ["大臣官房", "国税庁"]),
    ("文部科学省", 24, 0.12, ["研究振興局", "初等中等教育局", "高等教育局", "スポーツ庁", "文化庁"]),
    ("厚生労働省", 25, 0.14, ["医政局", "健康・生活衛生局", "職業安定局", "老健局", "社会・援護局"]),
    ("農林水産省", 26, 0.10, ["農村振興局", "林野庁", "水産庁", "消費・安全局"]),
    ("経済産業省", 27, 0.08, ["商務情報政策局", "産業技術環境局", "資源エネルギー庁", "中小企業庁"]),
    ("国土交通省", 28, 0.12, ["道路局", "水管理・国土保全局", "鉄道局", "観光庁", "気象庁"]),
    ("環境省", 29, 0.05, ["地球環境局", "自然環境局", "環境再生・資源循環局"]),
    ("防衛省", 30, 0.04, ["防衛装備庁", "整備計画局"]),
]
TOPICS = ["AI", "デジタル", "地域", "防災", "医療", "教育", "農業", "観光", "研究", "人材育成", "脱炭素", "水素", "半導体", "量子",
          "サイバーセキュリティ", "子育て", "介護", "交通", "港湾", "森林", "海洋", "宇宙", "文化財", "スポーツ", "国際協力", "雇用",
          "中小企業", "統計", "情報通信", "エネルギー", "食品安全", "感染症", "地方創生", "住宅", "道路", "河川", "気象"]
ACTIONS = ["推進", "基盤整備", "支援", "実証", "高度化", "強化", "調査研究", "普及啓発", "開発", "安全対策", "利活用促進", "体制整備"]
PREFIXES = ["株式会社", "", "", "一般社団法人", "公益財団法人", "国立大学法人", "学校法人", "特定非営利活動法人"]
STEMS = ["日本", "東京", "大阪", "北海道", "九州", "中部", "東北", "未来", "総合", "先端", "国際", "共同", "中央", "みらい", "アジア",
         "環境", "情報", "技術", "研究", "開発", "システム", "ソリューションズ", "コンサルティング", "エンジニアリング", "データ",
         "テクノロジー", "ネットワーク", "サービス", "建設", "電機", "通信", "計画", "設計", "医療", "教育", "農業", "水産"]
SUFFIXES = {"株式会社": "", "": "株式会社", "一般社団法人": "協会", "公益財団法人": "財団", "国立大学法人": "大学",
            "学校法人": "学園", "特定非営利活動法人": "ネット"}
KIND_CODES = {"株式会社": "301", "": "301", "一般社団法人": "399", "公益財団法人": "399", "国立大学法人": "399",
              "学校法人": "399", "特定非営利活動法人": "399"}
PREFECTURES = ["東京都千代田区", "東京都港区", "東京都江東区", "大阪府大阪市", "愛知県名古屋市", "福岡県福岡市", "北海道札幌市",
               "宮城県仙台市", "広島県広島市", "茨城県つくば市", "神奈川県横浜市", "京都府京都市"]
METHODS = [("一般競争契約（最低価格）", 0.30), ("一般競争契約（総合評価）", 0.18), ("随意契約（企画競争）", 0.14),
           ("随意契約（競争性なし）", 0.12), ("随意契約（公募）", 0.04), ("随意契約（少額）", 0.03), ("指名競争契約", 0.02),
           ("補助金等交付", 0.12), ("その他", 0.05)]
ROLES = ["事業の実施", "システムの設計・開発", "調査・分析", "補助事業の実施", "運用保守", "普及啓発", "再委託先", "事務局業務", "研究開発"]
EXPENSES = [("人件費", "事業従事者の人件費"), ("外注費", "システム開発の外注"), ("旅費", "現地調査の旅費"), ("消耗品費", "事務用品"),
            ("委託費", "再委託"), ("賃借料", "会場借料"), ("一般管理費", "一般管理費"), ("謝金", "有識者謝金")]
LAWS = [(f"{k}法", f"令和{n % 6 + 1}年法律第{n}号", f"50{n % 6 + 1}AC0000{n:06d}") for n, k in enumerate(
    [t + a for t in TOPICS for a in ("基本", "推進", "振興", "整備", "対策")], start=11)]
PLANS = [f"{t}に関する{a}計画" for t in TOPICS for a in ("基本", "重点", "実行", "推進")]


def _choice(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


def _count(rng: random.Random, mean: float, sigma: float, low: int, high: int) -> int:
    """A log-normal count with the given mean (most values small, a long tail)."""
    mu = math.log(mean) - sigma * sigma / 2
    return max(low, min(high, round(rng.lognormvariate(mu, sigma))))


def _yen(rng: random.Random, median: float, sigma: float = 1.6) -> int:
    return max(10_000, int(rng.lognormvariate(math.log(median), sigma)) // 1000 * 1000)


class Pool:
    """Recipients with a long tail: a few firms win in hundreds of projects."""

    def __init__(self, rng: random.Random, size: int, unnumbered_share: float):
        self.rng = rng
        self.entries = []
        numbers = set()
        for i in range(size):
            if rng.random() < unnumbered_share:
                name = rng.choice(["個人", "A社", "○○", "海外法人"]) if rng.random() < 0.05 else \
                    f"{rng.choice(STEMS)}{rng.choice(STEMS)}{rng.choice(['協議会', '実行委員会', '組合', '商店', 'Inc.', '研究会'])}{i}"
                self.entries.append((name, "", rng.choice(PREFECTURES), ""))
                continue
            prefix = rng.choice(PREFIXES)
            name = f"{prefix}{rng.choice(STEMS)}{rng.choice(STEMS)}{SUFFIXES[prefix]}{i}"
            while True:
                body = f"{rng.randrange(10**11, 10**12):012d}"
                number = cn.calc_check_digit(body) + body
                if number not in numbers:
                    numbers.add(number)
                    break
            self.entries.append((name, number, rng.choice(PREFECTURES), KIND_CODES[prefix]))
        # local governments and national organs: real shares of recipients
        for i, pref in enumerate(PREFECTURES[:10]):
            body = f"{800000 + i:06d}{rng.randrange(10**5, 10**6):06d}"
            self.entries.insert(3 * i, (pref.split("都")[0].split("府")[0].split("県")[0] + "市", cn.calc_check_digit(body) + body, pref, "201"))
        self.weights = [1.0 / (r + 10) ** 0.8 for r in range(len(self.entries))]
        self.cum = []
        total = 0.0
        for w in self.weights:
            total += w
            self.cum.append(total)

    def draw(self) -> tuple[str, str, str, str]:
        return self.entries[self._index(self.rng.random() * self.cum[-1])]

    def _index(self, x: float) -> int:
        lo, hi = 0, len(self.cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cum[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return lo


def _flawed_number(rng: random.Random, number: str) -> str:
    """A 法人番号 as the real files sometimes carry it: 12 digits, or a wrong check digit."""
    if rng.random() < 0.5:
        return number[1:]
    return str((int(number[0]) + 1) % 10) + number[1:]


def generate(year: int = 2024, projects: int = 5700, seed: int = 1) -> tuple[dict[str, tuple[list[str], list[list[str]]]], Counter]:
    rng = random.Random(seed)
    pool = Pool(rng, 52_000, 0.27)
    rows: dict[str, list[list[str]]] = {name: [] for name in fixtures.FILES}
    stats: Counter = Counter()
    weights = [m[2] for m in MINISTRIES]
    fy = year - 1  # the sheet of year N reports execution of N−1
    names = {}
    for i in range(projects):
        ministry, order, _share, bureaus = rng.choices(MINISTRIES, weights)[0]
        pid = f"{rng.randrange(1, 10):01d}{i:05d}"
        bureau = rng.choice(bureaus)
        division = f"{rng.choice(TOPICS)}{rng.choice(['課', '室', '推進室', '企画課'])}"
        name = f"{rng.choice(TOPICS)}{rng.choice(['', rng.choice(TOPICS)])}{rng.choice(ACTIONS)}事業"
        names[pid] = name
        head = ["事業", str(year), pid, name, str(order), ministry, ministry, bureau, "", division, "", "", ""]
        _basic(rng, rows, head, year, i)
        _budget(rng, rows, head, fy)
        _effects(rng, rows, head, fy)
        _payees(rng, rows, head, ministry, pool, stats)
        if rng.random() < 0.3:
            rows["6-1_RS_2024_その他備考"].append(head + [f"{rng.choice(TOPICS)}分の経費を含む。"])
        if rng.random() < 0.2:
            other = rng.choice(list(names))
            rows["1-5_RS_2024_基本情報_関連事業"].append(head + ["1", other, names[other], rng.choice(["その他関連元", "関連先"])])
    _quirks(rng, rows, stats, projects)
    listed = {(r[18], r[19].strip()) for r in rows["5-1_RS_2024_支出先_支出情報"] if r[18]}
    stats["distinct recipient names"] = len({name for name, _ in listed})
    stats["names without 法人番号"] = len({name for name, number in listed if not number})
    stats["distinct 法人番号"] = len({number for _, number in listed if number})
    out = {}
    for name, (header, _) in fixtures.FILES.items():
        out[name.replace("2024", str(year))] = (header, rows[name])
        stats[f"rows {name.split('_')[0]}"] = len(rows[name])
    return out, stats


def _basic(rng, rows, head, year, i):
    rows["1-1_RS_2024_基本情報_組織情報"].append(
        head + ["1"] + [""] * 7 + [f"{head[9]}長 {rng.choice(['山田', '佐藤', '鈴木', '高橋', '田中'])} {rng.choice(['太郎', '花子', '一郎', '直子'])}"])
    if rng.random() < 0.2:
        other = rng.choice(MINISTRIES)
        rows["1-1_RS_2024_基本情報_組織情報"].append(head + ["2", other[0], rng.choice(other[3]), "", "", "", "", "", ""])
    start = rng.randrange(1990, year + 1)
    ended = rng.random() < 0.3
    topic = head[3]
    rows["1-2_RS_2024_基本情報_事業概要等"].append(head + [
        f"{topic}により、国民生活の向上と経済社会の発展に寄与することを目的とする。" * rng.randint(1, 3),
        f"{topic}の現状には課題が多く、対応が急がれている。",
        f"{topic}として、調査、実証、普及啓発、補助等を実施する。" * rng.randint(1, 4),
        f"https://www.example.go.jp/{head[2]}.html" if rng.random() < 0.4 else "",
        rng.choice(["一般事業", "一般事業", "一般事業", "公共事業", "研究開発事業"]), str(start), "FALSE",
        str(rng.randrange(year, year + 6)) if ended else "", "FALSE" if ended else "TRUE",
        rng.choice(["その他の事項経費", "科学技術振興費", "公共事業関係費", "社会保障関係費"]), "",
        *rng.choice([["TRUE", "FALSE"], ["FALSE", "TRUE"], ["TRUE", "TRUE"]]), "FALSE", "FALSE", "FALSE", "FALSE",
        "", str(i + 1),
    ])
    for n in range(1, rng.choice([1, 1, 2, 3]) + 1):
        law = rng.choice(LAWS) if rng.random() < 0.8 else None
        plan = rng.choice(PLANS) if rng.random() < 0.4 else None
        rows["1-3_RS_2024_基本情報_政策・施策、法令等"].append(head + [
            str(n), head[5], *rng.choice(_measures(head[5])),
            "", str(n) if law else "", *(law if law else ("", "", "")),
            f"第{rng.randint(1, 40)}条" if law else "", str(rng.randint(1, 3)) if law and rng.random() < 0.5 else "", "",
            str(n) if plan else "", plan or "", "",
        ])
    if rng.random() < 0.3:
        rows["1-4_RS_2024_基本情報_補助率等"].append(head + ["1", rng.choice(["都道府県", "市町村", "民間事業者"]),
                                                   rng.choice(["1/2", "2/3", "定額", "10/10"]), "", ""])


_MEASURES: dict[str, list[tuple[str, str]]] = {}


def _measures(ministry: str) -> list[tuple[str, str]]:
    """(政策, 施策) pairs of a ministry: each 施策 under one 政策, as in the real tables."""
    if ministry not in _MEASURES:
        rng = random.Random(ministry)
        topics = rng.sample(TOPICS, 6)
        _MEASURES[ministry] = [
            (f"{i}.{topic}の推進", f"{i}-{j}.{topic}{rng.choice(ACTIONS)}の{ACTIONS[j]}")
            for i, topic in enumerate(topics, 1) for j in range(1, rng.randint(2, 6))
        ]
    return _MEASURES[ministry]


def _budget(rng, rows, head, fy):
    base = _yen(rng, 300_000_000, 1.5)
    for y in (fy - 2, fy - 1, fy, fy + 1):
        initial = int(base * rng.uniform(0.8, 1.2)) // 1000 * 1000
        supplementary = int(initial * 0.2) // 1000 * 1000 if rng.random() < 0.2 else 0
        total = initial + supplementary
        if y <= fy:
            spent = int(total * rng.uniform(0.6, 1.0)) // 1000 * 1000
            rate = f"{spent / total:.2f}"
            rows["2-1_RS_2024_予算・執行_サマリ"].append(head + [str(y), f"{initial}.0" if rng.random() < 0.3 else str(initial),
                                                         str(supplementary), "0", "", str(total), f"{spent} " if rng.random() < 0.05 else str(spent),
                                                         rate, "0", "", "", "", "", "", ""] + [""] * 16)
            rows["2-1_RS_2024_予算・執行_サマリ"].append(head + [str(y)] + [""] * 11 + ["一般会計", "一般会計", "", str(initial), str(supplementary),
                                                                          "", "", "", "", "0", "", "", "", "", str(total), str(spent), "", "", ""])
        else:
            rows["2-1_RS_2024_予算・執行_サマリ"].append(head + [str(y), str(initial), "", "", "", str(initial), "", "", "",
                                                         str(int(initial * 1.1) // 1000 * 1000), "要求増", "", "", "", ""] + [""] * 16)
            for item in range(rng.randint(1, 4)):
                rows["2-2_RS_2024_予算・執行_予算種別・歳出予算項目"].append(head + [
                    str(y), "一般会計", "一般会計", "", "当初予算", head[5], f"{head[5][:-1]}本省", f"{head[3][:6]}費",
                    rng.choice(["委託費", "補助金", "庁費", "謝金"]) + str(item), "", str(initial // (item + 2)), str(initial // (item + 2)), ""])


def _effects(rng, rows, head, fy):
    for n in range(1, rng.choice([1, 2, 2, 3]) + 1):
        for kind, period in (("アクティビティ", ""), ("アウトカム", "短期")):
            for what in ("実績値", "目標値"):
                values = [str(rng.randint(1, 500)) if (what == "実績値") == (y <= fy) else "" for y in (fy - 2, fy - 1, fy, fy + 1)]
                rows["3-1_RS_2024_効果発現経路_目標・実績"].append(head + [
                    "", str(n), kind, period, "定量" if kind == "アウトカム" else "", f"{head[3]}の{kind}{n}",
                    f"指標{n}", rng.choice(["件", "団体", "%", "人"]), "上向き", "各府省調べ", what, *values])
        rows["3-2_RS_2024_効果発現経路_目標のつながり"].append(head + [
            str(n), "アクティビティ", "", f"{head[3]}のアクティビティ{n}", f"指標{n}", str(n), "アウトカム", "短期",
            f"{head[3]}のアウトカム{n}", f"指標{n}", "活動が成果につながる", ""])
    rows["4-1_RS_2024_点検・評価"].append(head + [
        "事業は概ね適切に実施されている。", rng.choice(["現状通り", "事業内容の改善", "縮減"]), "", str(fy - rng.randint(0, 3)),
        "", rng.choice(["現状通り", "事業内容の改善"]), "執行等改善", str(-rng.randint(0, 50) * 1_000_000) if rng.random() < 0.3 else ""])


def _payees(rng, rows, head, ministry, pool, stats):
    blocks = _count(rng, 3.42, 0.75, 1, 60)
    letters = [chr(ord("A") + b) if b < 26 else f"A{chr(ord('A') + b - 26)}" for b in range(blocks)]
    r51 = rows["5-1_RS_2024_支出先_支出情報"]
    for b, letter in enumerate(letters):
        n = _count(rng, 3.3, 0.9, 1, 300)
        recipients = [pool.draw() for _ in range(n)]
        amounts = [_yen(rng, 12_000_000, 1.7) for _ in recipients]
        bundle = rng.random() < 0.12  # the bundled その他 recipient, listing names inside it
        block_total = sum(amounts) + (sum(amounts) // 10 if bundle else 0)
        r51.append(head + [letter, rng.choice(["民間企業", "委託先", "補助事業者", "地方公共団体", "研究機関"]), str(n + bundle),
                           rng.choice(ROLES), str(block_total)] + [""] * 14)
        stats["block rows"] += 1
        for (name, number, place, kind), total in zip(recipients, amounts, strict=False):
            shown = number
            if number and rng.random() < 0.004:
                shown = _flawed_number(rng, number)
                stats["flawed numbers"] += 1
            if shown and rng.random() < 0.05:
                shown += " "  # the trailing space of the real files
            method = _choice(rng, METHODS)
            extra = 0 if rng.random() < 0.57 else _count(rng, 3.3, 0.8, 1, 40)
            parts = [total] if not extra else _split(rng, total, extra + 1)
            bidders = "" if method in ("補助金等交付", "その他") else str(max(1, min(12, round(rng.expovariate(0.45)))))
            rate = "" if not bidders else (f"{rng.uniform(0.6, 1.0):.3f}" if rng.random() < 0.5 else f"{rng.uniform(60, 100):.1f}")
            summary = f"{head[3]}に係る{rng.choice(ROLES)}"
            r51.append(head + ["", "", "", "", "", name, shown, place, kind, "FALSE", f"{total}.0" if rng.random() < 0.2 else str(total),
                               summary, str(parts[0]), method, "", bidders, rate, "", ""])
            stats["recipient rows"] += 1
            for k, part in enumerate(parts[1:], 2):
                r51.append(head + [letter if rng.random() < 0.5 else "", "", "", "", "", name, shown, "", "", "", "",
                                   f"{summary} 第{k}期", f"{part} " if rng.random() < 0.03 else str(part), method, "", bidders, rate, "", ""])
                stats["contract rows"] += 1
            if total > 30_000_000 and rng.random() < 0.5:
                left = total
                for cat, use in rng.sample(EXPENSES, rng.randint(2, 4)):
                    part = left // 2 if left > 2000 else left
                    left -= part
                    rows["5-3_RS_2024_支出先_費目・使途"].append(head + [letter, name, number, summary, cat, use, str(part)])
            if total > 30_000_000 and rng.random() < 0.2:
                rows["5-4_RS_2024_支出先_国庫債務負担行為等による契約"].append(head + [
                    letter, name, number, place, kind, f"{summary}（複数年度）", "", str(total * rng.randint(2, 4)), method, "",
                    bidders, rate, "", ""])
        if bundle:
            r51.append(head + ["", "", "", "", "", "その他", "", "", "", "TRUE", str(sum(amounts) // 10)] + [""] * 8)
            stats["recipient rows"] += 1
            for _ in range(rng.randint(1, 3)):
                name, number, place, kind = pool.draw()
                r51.append(head + ["", "", "", "", "", name, number, place, kind, "TRUE", "0"] + [""] * 8)
                stats["listed inside その他"] += 1
        paid_by = "" if b == 0 or rng.random() < 0.5 else rng.choice(letters[:b])
        rows["5-2_RS_2024_支出先_支出ブロックのつながり"].append(head + [
            paid_by, "", "" if paid_by else ministry, letter, "", "再委託" if paid_by else "", "", "", ""])


def _split(rng, total: int, n: int) -> list[int]:
    cuts = sorted(rng.randrange(1, max(2, total // 1000)) * 1000 for _ in range(n - 1))
    parts = [b - a for a, b in zip([0] + cuts, cuts + [total], strict=False)]
    return [p for p in parts if p > 0] or [total]


def _quirks(rng, rows, stats, projects):
    """Exact duplicate rows and empty rows in 5-1, in the real year's numbers (440, 991 for 5,700)."""
    r51 = rows["5-1_RS_2024_支出先_支出情報"]
    width = len(fixtures.FILES["5-1_RS_2024_支出先_支出情報"][0])
    duplicates, empty = round(440 * projects / 5700), round(991 * projects / 5700)
    for _ in range(duplicates):
        i = rng.randrange(len(r51))
        r51.insert(i + 1, list(r51[i]))
    for _ in range(empty):
        r51.insert(rng.randrange(len(r51)), [""] * width)
    stats["duplicate rows"], stats["empty rows"] = duplicates, empty


def write(folder: Path, files) -> None:
    fixtures.write(folder, files)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", type=Path, required=True, help="folder for the 15 zips")
    ap.add_argument("--projects", type=int, default=5700)
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    t0 = time.perf_counter()
    files, stats = generate(args.year, args.projects, args.seed)
    write(args.output, files)
    for key in sorted(stats):
        print(f"{key:28} {stats[key]:>9,}")
    size = sum(f.stat().st_size for f in args.output.glob("*.zip"))
    print(f"wrote 15 zips ({size / 1e6:.1f} MB) to {args.output} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
