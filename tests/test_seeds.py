"""Exact figures from the five seed documents."""

from decimal import Decimal

import rdflib.namespace as rns
from rdflib import Literal

from kg.iris import KG, PREFIXES

PRE = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())


def q(graph, query, **bindings):
    return list(graph.query(PRE + "\n" + query, initBindings=bindings))


def project(graph, identifier):
    rows = q(graph, "SELECT ?p WHERE { ?p a kg:Project ; dcterms:identifier ?id }", id=Literal(identifier))
    assert len(rows) == 1, identifier
    return rows[0][0]


def corporations_of(graph, p):
    rows = q(graph, "SELECT DISTINCT ?c WHERE { ?e kg:project ?p ; kg:recipient ?c . ?c a kg:Corporation }", p=p)
    return {r[0] for r in rows}


def test_all_five_seeds_build_with_their_layouts(seed_build):
    layouts = sorted((p.rsplit("/", 1)[1][:3], lay) for p, lay in seed_build.layouts.items())
    assert layouts == [("000", "pdf-text"), ("001", "excel-cells"), ("002", "excel-cells"),
                       ("003", "pre-analysis"), ("004", "excel-cells")]
    assert not seed_build.failed
    assert [d for d in seed_build.diagnostics if d.severity == "error"] == []


def test_seed_002_organisation(graph):
    p = project(graph, "2021-総務-20-0094")
    rows = q(graph, """SELECT ?name ?min ?bureau ?div ?start ?end WHERE {
        ?p rdfs:label ?name ; kg:ministry/rdfs:label ?min ; kg:bureau/rdfs:label ?bureau ;
           kg:division/rdfs:label ?div ; kg:startFiscalYear ?start ; kg:endFiscalYear ?end }""", p=p)
    assert [tuple(map(str, r)) for r in rows] == [
        ("自治体AI共同開発推進事業", "総務省", "情報流通行政局", "地域通信振興課", "2020", "2020")
    ]


def test_seed_002_eleven_corporations_and_the_ntt_data_contract(graph):
    p = project(graph, "2021-総務-20-0094")
    assert len(corporations_of(graph, p)) == 11
    rows = q(graph, """SELECT ?amount ?method ?bidders ?rate ?name WHERE {
        ?e kg:project ?p ; kg:recipient ?c ; kg:amount ?amount ; kg:contractMethod ?m ;
           kg:bidderCount ?bidders ; kg:awardRatePercent ?rate .
        ?m skos:prefLabel ?method . FILTER(lang(?method) = "ja")
        ?c kg:corporateNumber "1010001143390" ; skos:prefLabel ?name }""", p=p)
    assert len(rows) == 1
    amount, method, bidders, rate, name = rows[0]
    assert amount.toPython() == Decimal(286_000_000)
    assert str(method) == "一般競争契約(総合評価)"
    assert bidders.toPython() == 2
    assert rate.toPython() == Decimal("99.7")
    assert str(name) == "株式会社エヌ・ティ・ティ・データ経営研究所"


def test_seed_002_budget_fy2020(graph):
    p = project(graph, "2021-総務-20-0094")
    rows = q(graph, """SELECT ?initial ?total ?executed ?rate WHERE {
        ?p kg:budgetRecord ?b . ?b kg:fiscalYear 2020 ; kg:isRequest false ; kg:initialBudget ?initial ;
        kg:budgetTotal ?total ; kg:executedAmount ?executed ; kg:executionRatePercent ?rate }""", p=p)
    assert [tuple(v.toPython() for v in r) for r in rows] == [
        (Decimal(296_000_000), Decimal(296_000_000), Decimal(286_000_000), Decimal(97))
    ]


def test_seed_002_laws_and_plans(graph):
    p = project(graph, "2021-総務-20-0094")
    laws = {str(r[0]) for r in q(graph, "SELECT ?l WHERE { ?p kg:legalBasis/kg:law/rdfs:label ?l }", p=p)}
    assert laws == {"総務省設置法", "官民データ活用推進基本法"}
    rows = q(graph, """SELECT ?art ?para ?item WHERE { ?p kg:legalBasis ?b . ?b kg:law/rdfs:label "総務省設置法"@ja ;
        kg:article ?art ; kg:paragraph ?para ; kg:item ?item }""", p=p)
    assert [tuple(map(str, r)) for r in rows] == [("4", "1", "70")]
    plans = {(str(n), str(d)) for n, d in q(graph, "SELECT ?n ?d WHERE { ?p kg:citesPlan ?pl . ?pl rdfs:label ?n ; kg:decisionDate ?d }", p=p)}
    assert ("デジタル・ガバメント実行計画", "2019-12-20") in plans
    assert len(plans) == 5
    date = q(graph, 'SELECT ?d WHERE { ?pl rdfs:label "デジタル・ガバメント実行計画"@ja ; kg:decisionDate ?d }')[0][0]
    assert date.datatype == rns.XSD.date


def test_seed_002_graffer_is_one_node_with_both_names(graph):
    rows = q(graph, """SELECT ?pref ?alt WHERE { ?c kg:corporateNumber "9010401132779" ;
        skos:prefLabel ?pref ; skos:altLabel ?alt }""")
    assert {(str(a), str(b)) for a, b in rows} == {("株式会社グラファール", "株式会社グラファー")}
    assert len(q(graph, 'SELECT ?c WHERE { ?c kg:corporateNumber "9010401132779" }')) == 1


def test_seed_004_rows_and_corporations(graph):
    p = project(graph, "2022-総務-21-0059")
    assert len(q(graph, "SELECT ?e WHERE { ?e kg:project ?p }", p=p)) == 35
    assert len(corporations_of(graph, p)) == 28
    nec = q(graph, """SELECT ?amount ?name WHERE { ?e kg:project ?p ; kg:amount ?amount ; kg:recipient ?c .
        ?c kg:corporateNumber "7010601022674" ; skos:prefLabel ?name }""", p=p)
    assert [(r[0].toPython(), str(r[1])) for r in nec] == [(Decimal(45_000_000), "NECソリューションイノベータ株式会社")]
    hitachi = q(graph, """SELECT ?amount ?bidders ?rate WHERE { ?e kg:project ?p ; kg:amount ?amount ;
        kg:bidderCount ?bidders ; kg:awardRatePercent ?rate ; kg:recipient/skos:prefLabel "株式会社日立製作所"@ja }""", p=p)
    assert [tuple(v.toPython() for v in r) for r in hitachi] == [(Decimal(108_900_000), 1, Decimal(100))]


def test_seed_004_block_name_spellings_are_alt_labels(graph):
    alts = {str(r[0]) for r in q(graph, 'SELECT ?a WHERE { ?c kg:corporateNumber "7010001008844" ; skos:altLabel ?a }')}
    assert alts == {"(株)日立製作所"}
    nict = q(graph, 'SELECT ?p WHERE { ?c kg:corporateNumber "7012405000492" ; skos:prefLabel ?p }')
    assert str(nict[0][0]) == "国立研究開発法人情報通信研究機構"


def test_seed_000_supplementary_sheet(graph):
    p = project(graph, "2022-総務-新22-0011")
    rows = q(graph, """SELECT ?name ?min ?start ?end ?kind WHERE { ?p rdfs:label ?name ; kg:ministry/rdfs:label ?min ;
        kg:startFiscalYear ?start ; kg:endFiscalYear ?end ; kg:sheetKind ?kind }""", p=p)
    assert [tuple(map(str, r)) for r in rows] == [
        ("安全なデータ連携による最適化AI技術の研究開発", "総務省", "2022", "2025", "第2次補正予算")
    ]
    supp = q(graph, """SELECT ?s ?t WHERE { ?p kg:budgetRecord ?b . ?b kg:fiscalYear 2022 ;
        kg:supplementaryBudget ?s ; kg:budgetTotal ?t }""", p=p)
    assert [tuple(v.toPython() for v in r) for r in supp] == [(Decimal(1_000_000_000), Decimal(1_000_000_000))]
    basis = q(graph, """SELECT ?law ?text WHERE { ?p kg:legalBasis ?b . ?b kg:law/rdfs:label ?law ; kg:provisionText ?text }""", p=p)
    assert [tuple(map(str, r)) for r in basis] == [("総務省設置法", "第4条第1項第70号")]


def test_seed_000_fund_flow_blocks(graph):
    p = project(graph, "2022-総務-新22-0011")
    rows = q(graph, """SELECT ?letter ?name ?amount ?method WHERE { ?p kg:fundFlowBlock ?b . ?b kg:blockLetter ?letter ;
        rdfs:label ?name ; kg:amount ?amount ; kg:contractMethod/skos:prefLabel ?method FILTER(lang(?method)="ja") }
        ORDER BY ?letter""", p=p)
    assert [(str(a), str(b), c.toPython(), str(d)) for a, b, c, d in rows] == [
        ("A", "民間企業、国立研究開発法人等", Decimal(996_000_000), "随意契約(企画競争)"),
        ("B", "監査法人等", Decimal(3_000_000), "一般競争契約(最低価格)"),
    ]


def test_seed_001_mext_sheet(graph):
    p = project(graph, "2023-文科-新24-0017")
    rows = q(graph, """SELECT ?min ?bureau ?start ?end WHERE { ?p kg:ministry/rdfs:label ?min ;
        kg:bureau/rdfs:label ?bureau ; kg:startFiscalYear ?start ; kg:endFiscalYear ?end }""", p=p)
    assert [tuple(map(str, r)) for r in rows] == [("文部科学省", "研究振興局", "2023", "2028")]
    total = q(graph, "SELECT ?t WHERE { ?p kg:budgetRecord ?b . ?b kg:fiscalYear 2023 ; kg:isRequest false ; kg:budgetTotal ?t }", p=p)
    assert [r[0].toPython() for r in total] == [Decimal(4_242_000_000)]
    request = q(graph, "SELECT ?t WHERE { ?p kg:budgetRecord ?b . ?b kg:fiscalYear 2024 ; kg:isRequest true ; kg:budgetTotal ?t }", p=p)
    assert [r[0].toPython() for r in request] == [Decimal(2_987_000_000)]


def test_corporations_shared_by_002_and_004(graph):
    a = corporations_of(graph, project(graph, "2021-総務-20-0094"))
    b = corporations_of(graph, project(graph, "2022-総務-21-0059"))
    shared = {str(r[0]) + " " + str(r[1]) for c in a & b
              for r in q(graph, "SELECT ?n ?l WHERE { ?c kg:corporateNumber ?n ; skos:prefLabel ?l }", c=c)}
    assert shared == {"6010001030403 株式会社三菱総合研究所", "7010601022674 NECソリューションイノベータ株式会社"}


def test_seed_003_measure_goals(graph):
    rows = q(graph, """SELECT ?n ?serial WHERE { ?m kg:code "文R2-9-1" ; kg:goal ?g . ?g kg:goalNumber ?n ;
        kg:relatedProject/kg:serialNumber ?serial }""")
    goal1 = {str(s) for n, s in rows if n.toPython() == 1}
    assert goal1 == {"0225", "0175", "0226"}
    name = q(graph, 'SELECT ?l ?min WHERE { ?m kg:code "文R2-9-1" ; rdfs:label ?l ; kg:ministry/rdfs:label ?min }')
    assert [tuple(map(str, r)) for r in name] == [("未来社会を見据えた先端基盤技術の強化", "文部科学省")]


def test_every_amount_is_decimal_yen_and_no_blank_nodes(graph):
    from rdflib import BNode

    for prop in (KG.amount, KG.budgetTotal, KG.executedAmount, KG.initialBudget):
        for o in graph.objects(None, prop):
            assert o.datatype == rns.XSD.decimal
    assert not any(isinstance(t, BNode) for triple in graph for t in triple)


def test_seed_004_past_sheets(graph):
    p = project(graph, "2022-総務-21-0059")
    rows = q(graph, "SELECT ?id ?year WHERE { ?p kg:pastSheet ?past . ?past dcterms:identifier ?id ; kg:sheetYear ?year } ORDER BY ?year", p=p)
    assert [(str(a), b.toPython()) for a, b in rows] == [("2020-総務-新03-0005", 2020), ("2021-総務-20-0063", 2021)]


def test_policies_and_measures_are_shared_nodes(graph):
    rows = q(graph, """SELECT ?id ?policy ?pcode ?measure ?mcode WHERE { ?p dcterms:identifier ?id ;
        kg:policy ?pol ; kg:measure ?mea . ?pol rdfs:label ?policy ; kg:code ?pcode .
        ?mea rdfs:label ?measure ; kg:code ?mcode ; kg:policy ?pol } ORDER BY ?id""")
    assert [tuple(map(str, r)) for r in rows] == [
        ("2021-総務-20-0094", "情報通信(ICT政策)", "V", "情報通信技術高度利活用の推進", "2"),
        ("2022-総務-21-0059", "情報通信(ICT政策)", "V", "情報通信技術の研究開発・標準化の推進", "1"),
        ("2022-総務-新22-0011", "情報通信(ICT政策)", "V", "情報通信技術の研究開発・標準化の推進", "1"),
        ("2023-文科-新24-0017", "知のフロンティアを開拓し価値創造の源泉となる研究力の強化", "8",
         "オープンサイエンスとデータ駆動型研究等の推進", "8-3"),
    ]
    assert len(q(graph, "SELECT DISTINCT ?pol WHERE { ?p kg:policy ?pol }")) == 2
