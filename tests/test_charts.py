"""The pictures on the pages (kg/web/charts.py): SVG drawn on the server, text kept as text."""

import re
from decimal import Decimal

import pytest

from kg.web.charts import bars, budget_chart, sankey
from kg.web.views import Pages as Site
from kg.store import load_graph_files

ID = "https://kg.jp-spending.example/id/"


@pytest.fixture(scope="module")
def site(seed_nt):
    return Site(load_graph_files([seed_nt]))


def texts(svg: str) -> list[str]:
    return [t for t in re.findall(r"<text[^>]*>([^<]+)</text>", svg)]


def test_the_fund_flow_is_a_sankey_with_every_block_and_the_largest_recipients(site):
    page = site.page(ID + "project/2022-soumu-0059")
    figures = re.findall(r'<figure class="chart">(.*?)</figure>', page, re.S)
    flow = next(f for f in figures if "資金の流れ" in f)
    labels = texts(flow)
    assert "総務省" in labels and "資金の流れ 1,088.2 百万円" in labels  # the sum of the 支出先 rows (fund-flow)
    assert {"A", "B", "C", "D", "E", "F", "G", "H", "I", "J"} <= set(labels)
    assert "国立研究開発法人情報通信研究機構" in labels and "その他 others" in labels
    assert flow.lstrip().startswith("<svg") and "<script" not in flow
    budget = next(f for f in figures if "Budget and execution per fiscal year" in f)
    assert {"2021", "2022", "予算額計 budget", "執行額 executed"} <= set(texts(budget))


def test_a_corporation_has_its_payments_per_year(site):
    page = site.page(ID + "corporation/6010001030403")
    figures = re.findall(r'<figure class="chart">(.*?)</figure>', page, re.S)
    assert len(figures) == 1 and {"2021", "2022"} <= set(texts(figures[0]))


def test_nothing_to_draw_draws_nothing():
    assert budget_chart([]) == "" and budget_chart([(2020, Decimal(0), None)]) == ""
    assert bars([], "x") == "" and sankey("総務省", [], []) == ""


def test_the_same_data_gives_the_same_bytes():
    args = [(2020, Decimal(296_000_000), Decimal(286_000_000)), (2021, Decimal(700_000_000), None)]
    assert budget_chart(args) == budget_chart(args)
