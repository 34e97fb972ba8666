"""事前分析表 (seed 003): measure, goals → review numbers, means with their budgets."""

from decimal import Decimal

from rdflib import URIRef

from kg.iris import KG, IRIs
from kg.mappers import preanalysis
from kg.normalize import ProjectNumber, ministry
from kg.read import read_document

from .conftest import seed_file
from .test_seeds import q

MEASURE = URIRef("https://kg.jp-spending.example/id/measure/code/%E6%96%87R2-9-1")


def records():
    [pa], diags = preanalysis.map_document(read_document(seed_file("003")))
    return pa, diags


def test_measure_header():
    pa, _ = records()
    assert (pa.code, pa.name, pa.ministry.name, pa.year) == ("文R2-9-1", "未来社会を見据えた先端基盤技術の強化", "文部科学省", 2020)
    assert (pa.bureau, pa.official) == ("研究振興局", "参事官(情報担当) 橋爪 淳")
    assert pa.overview.startswith("我が国の未来社会における経済成長とイノベーションの創出")
    # 施策の予算額・執行額 (千円): FY2019 30,230,300 (executed 30,205,833), FY2020 26,644,134
    assert [(b.fiscal_year, b.total, b.executed, b.initial) for b in pa.budgets] == [
        (2019, Decimal("30230300000"), Decimal("30205833000"), None),
        (2020, None, None, Decimal("26644134000")),
    ]


def test_goals_and_their_review_numbers():
    pa, _ = records()
    assert [(g.number, g.review_numbers) for g in pa.goals] == [
        (1, ["0225", "0175", "0226"]),
        (2, ["0227", "0230", "0231"]),
        (3, ["0220", "0221", "0223", "0177", "0178", "0228", "0229"]),
        (4, ["0224"]),
        (5, ["0222"]),
    ]


def test_review_numbers_are_placeholder_projects_a_sheet_merges_into(graph):
    rows = q(graph, """SELECT ?p ?year ?serial ?min WHERE { ?g kg:goalNumber 1 ; kg:relatedProject ?p .
        ?p kg:sheetYear ?year ; kg:serialNumber ?serial ; kg:ministry/rdfs:label ?min } ORDER BY ?serial""")
    assert [(r[1].toPython(), str(r[2]), str(r[3])) for r in rows] == [
        (2020, "0175", "文部科学省"), (2020, "0225", "文部科学省"), (2020, "0226", "文部科学省")
    ]
    # the node a FY2020 文科 sheet numbered 0225 would get, whatever its start-year code
    sheet = IRIs().project(ProjectNumber(2020, ministry("文部科学省"), "新02", "0225"))
    assert sheet in {r[0] for r in rows}


def test_means_with_start_year_and_budgets_in_yen():
    pa, diags = records()
    assert len(pa.means) == 15
    aip = pa.means[0]
    assert aip.name == ("AIP:人工知能/ビッグデータ/IoT/サイバーセキュリティ統合プロジェクト"
                        "(次世代人工知能技術等研究開発拠点形成事業費補助金)")
    assert aip.start_year == 2016  # 平成28年度
    # 令和元年度予算額 3,055.1 百万円 (執行額 3,055.1), 令和2年度当初予算額 3,249 百万円
    assert [(b.fiscal_year, b.total, b.executed, b.initial) for b in aip.budgets] == [
        (2019, Decimal("3055100000"), Decimal("3055100000"), None),
        (2020, None, None, Decimal("3249000000")),
    ]
    assert [(m.name, m.start_year) for m in pa.means[1:]] == [
        ("国立研究開発法人科学技術振興機構運営費交付金に必要な経費", 2003),
        ("Society5.0実現化研究拠点支援事業", 2018),
        ("ナノテクノロジー・材料科学技術の戦略的研究開発・基盤整備", 2009),
        ("国立研究開発法人物質・材料研究機構運営費交付金に必要な経費", 2001),
        ("国立研究開発法人物質・材料研究機構施設整備に必要な経費", 2001),
        ("光・量子飛躍フラッグシッププログラム(Q-LEAP)", 2018),
        ("先端基盤技術研究開発推進経費", 2011),
        ("先端加速器共通基盤技術研究開発費補助金", 2018),
        ("国立研究開発法人理化学研究所運営費交付金に必要な経費", 2003),
        ("国立研究開発法人理化学研究所施設整備に必要な経費", 2003),
        ("国立研究開発法人量子科学技術研究開発機構運営費交付金に必要な経費", 2016),
        ("国立研究開発法人量子科学技術研究開発機構施設整備に必要な経費", 2016),
        ("数学アドバンストイノベーションプラットフォーム", 2017),
        ("ムーンショット型研究開発プログラム", 2018),
    ]
    jst = pa.means[1]
    assert jst.part_of_larger  # 100,723.4の内数
    assert [(b.total, b.initial) for b in jst.budgets] == [(Decimal("100723400000"), None), (None, Decimal("100272000000"))]
    society = pa.means[2]
    assert [(b.fiscal_year, b.total) for b in society.budgets] == [(2019, Decimal("700800000"))]  # FY2020 "―"
    # the FY2020 figure of 数学… (31.6) is placed far from its name by pdftotext: reported, not guessed
    assert [str(d).split(": ", 1)[1] for d in diags] == [
        "warning: 達成手段 数学アドバンストイノベーションプラットフォーム: no FY2020 budget next to it (the PDF text moved it); left out"
    ]


def test_means_in_the_graph(graph):
    rows = q(graph, """SELECT ?name ?start ?fy ?total ?executed ?initial WHERE {
        ?m kg:code "文R2-9-1" ; kg:means ?x . ?x rdfs:label ?name ; kg:startFiscalYear ?start ; kg:budgetRecord ?b .
        ?b kg:fiscalYear ?fy . OPTIONAL { ?b kg:budgetTotal ?total } OPTIONAL { ?b kg:executedAmount ?executed }
        OPTIONAL { ?b kg:initialBudget ?initial }
        FILTER(STRSTARTS(STR(?name), "AIP")) } ORDER BY ?fy""")
    assert [tuple(None if v is None else v.toPython() for v in r[1:]) for r in rows] == [
        (2016, 2019, Decimal("3055100000"), Decimal("3055100000"), None),
        (2016, 2020, None, None, Decimal("3249000000")),
    ]
    assert len(set(graph.objects(MEASURE, KG.means))) == 15
