"""Canned queries as web pages (``kg serve`` ``/queries/``): a form per query with its
parameters, the answer as an HTML table (sortable by a click on a heading, in pages), and
the same answer as CSV for Excel (UTF-8 with a BOM, Japanese headings on request) and as
JSON.

Column names are the queries' (``corporateNumber``); :data:`COLUMN_LABELS` gives each its
Japanese heading, shown above the name on the page and used in CSV with ``headers=ja``.

Links back: on the page, our IRIs and 法人番号 link to their pages; in the CSV, each column
of IRIs or 法人番号 is followed by a ``…Page`` column holding the page's full address on
this server (``kg serve --public-url``), so a spreadsheet row leads back to the page.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import pyoxigraph as ox

from .site import page_path
from ..queries import CannedQuery, Page, QueryError, QueryResult, check_values, load_queries, plain, run, to_json

#: the Japanese heading of every output column of the canned queries (a test checks that
#: none is missing)
COLUMN_LABELS = {
    "ministry": "府省庁", "fiscalYear": "年度", "projects": "事業数", "sheetYears": "シート年度数",
    "rowsYen": "支出先の合計(円)", "entryYen": "再委託等を除く合計(円)", "passedOnYen": "再委託等で受けた額(円)",
    "rowsPerExecution": "支出先の合計÷執行額", "fundFlowStated": "資金の流れの記載",
    "budgetTotalYen": "予算額計(円)",
    "executedYen": "執行額(円)", "executionRatePercent": "執行率(%)", "corporation": "法人名",
    "otherNames": "別表記", "totalYen": "支出額計(円)", "project": "事業番号", "projectName": "事業名",
    "block": "ブロック", "nameAsWritten": "シート上の名称", "contractMethod": "契約方式", "bidders": "入札者数",
    "awardRatePercent": "落札率(%)", "amountYen": "金額(円)", "source": "出典", "changeDate": "変更日",
    "process": "処理区分", "name": "名称", "formerName": "変更前の名称", "address": "所在地", "closedOn": "閉鎖日",
    "successor": "承継先", "latest": "最新履歴", "updateDate": "更新日", "correction": "訂正",
    "corporateNumber": "法人番号", "blockName": "ブロック名", "role": "役割", "blockAmountYen": "ブロック金額(円)",
    "rank": "順位", "recipient": "支出先", "sheetYear": "シート年度", "sheets": "シート数",
    "withPastSheet": "過去シートあり", "listedPastSheet": "関連する過去のシート", "formerNumber": "旧事業番号",
    "pastSheetInGraph": "過去シートがグラフにある", "preferred": "代表名称", "spellings": "表記数",
    "variant": "表記", "isPreferred": "代表か", "records": "行数", "documents": "文書数",
    "highAwardRate": "高落札率", "reason": "理由", "successorNumber": "承継先法人番号",
    "paidAfterClosure": "閉鎖後の支出", "sheetSource": "シートの出典", "sheet": "シート", "sheetName": "シート名",
    "reportedIn": "報告シート", "provision": "条項", "article": "条", "paragraph": "項", "item": "号",
    "plan": "計画", "decisionDate": "決定日", "decidedBy": "決定主体", "nameOnSheet": "シート上の名称",
    "registerName": "登記上の名称", "registerSource": "登記の出典", "rows": "行数", "firstYear": "最初の年度",
    "lastYear": "最後の年度", "outOfScaleRows": "桁外れの行数", "outOfScaleYen": "桁外れの金額(円)",
    "scaleFactor": "予算に対する倍率", "holder": "番号を保持する組織", "keptApartYen": "切り離した金額(円)",
    "yen": "金額(円)", "sources": "出典", "firstSource": "最初の出典", "rowKind": "行の種類",
}

#: columns whose values are 法人番号: their cells link to the corporation's page
NUMBER_COLUMNS = ("corporateNumber", "successorNumber")
#: columns whose values are 事業番号 (dcterms:identifier of a project): they link to its page
PROJECT_COLUMNS = ("project", "sheet", "reportedIn", "listedPastSheet")


class Links:
    """The page of each cell of an answer that names a resource: an IRI's own page, a
    法人番号's corporation, a 事業番号's project (looked up in the store once per answer)."""

    def __init__(self, store: ox.Store, result: QueryResult, base: str):
        from rdflib.namespace import DCTERMS

        from ..iris import KG, IRIs

        self.base, self._iris = base, IRIs(base)
        cols = result.columns
        self.linked = [c in NUMBER_COLUMNS or c in PROJECT_COLUMNS or any(isinstance(r[i], ox.NamedNode) for r in result.rows)
                       for i, c in enumerate(cols)]
        ids = sorted({r[i].value for r in result.rows for i, c in enumerate(cols)
                      if c in PROJECT_COLUMNS and isinstance(r[i], ox.Literal)})
        self.projects: dict[str, str] = {}
        if ids:
            values = " ".join(str(ox.Literal(i)) for i in ids)
            q = (f"SELECT ?id (MIN(?p) AS ?project) WHERE {{ VALUES ?id {{ {values} }} "
                 f"?p <{DCTERMS.identifier}> ?id ; a <{KG.Project}> }} GROUP BY ?id")
            self.projects = {s["id"].value: s["project"].value for s in store.query(q) if s["project"] is not None}

    def path(self, t, column: str) -> str | None:
        """The page of ``t`` in ``column`` (a path on this server or a full address), or None."""
        if isinstance(t, ox.NamedNode):
            return page_path(t.value, self.base)
        if not isinstance(t, ox.Literal):
            return None
        if column in NUMBER_COLUMNS and len(t.value) == 13 and t.value.isdigit():
            return page_path(str(self._iris.corporation(t.value)), self.base)
        if column in PROJECT_COLUMNS and t.value in self.projects:
            return page_path(self.projects[t.value], self.base)
        return None


def csv_for_excel(result: QueryResult, links: Links, root: str, japanese: bool = False) -> bytes:
    """The answer as CSV that Excel opens right on Japanese Windows: UTF-8 with a BOM;
    headings in Japanese with ``japanese``. Each column naming resources (IRIs, 法人番号,
    事業番号) is followed by ``COLUMNPage`` (Japanese: …のページ), the full address of the
    row's page under ``root`` (this server's public address)."""
    heads = []
    for c, link in zip(result.columns, links.linked, strict=False):
        heads.append(COLUMN_LABELS.get(c, c) if japanese else c)
        if link:
            heads.append(f"{COLUMN_LABELS.get(c, c)}のページ" if japanese else f"{c}Page")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(heads)
    for row in result.rows:
        cells = []
        for t, c, link in zip(row, result.columns, links.linked, strict=False):
            cells.append(plain(t))
            if link:
                path = links.path(t, c) or ""
                cells.append(root.rstrip("/") + path if path.startswith("/") else path)
        w.writerow(cells)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def listing_page(title: str) -> str:
    from .views import query_list

    return query_list(title, load_queries())


def answer(store: ox.Store, name: str, args: dict[str, list[str]], title: str, base: str,
           root: str) -> tuple[int, str, bytes]:
    """(status, media type, body) of ``/queries/NAME`` with its arguments: parameters by
    name, ``offset``, ``format`` (html, csv, json) and ``headers=ja`` for CSV; ``root`` is
    this server's public address, for the links in the CSV."""
    queries = load_queries()
    if name not in queries:
        return 404, "text/plain; charset=utf-8", f"no canned query {name!r}\n".encode("utf-8")
    query = queries[name]
    fmt = (args.get("format") or ["html"])[0]
    values = {p.name: args[p.name][0] for p in query.params if args.get(p.name) and args[p.name][0].strip()}
    error = None
    result = None
    try:
        offset = int((args.get("offset") or ["0"])[0][:9] or 0)
        result = run(store, query, check_values(store, query, values), Page(offset=offset))
    except (QueryError, ValueError) as exc:
        error = str(exc)
    if fmt in ("csv", "json"):
        if error:
            return 400, "text/plain; charset=utf-8", (error + "\n").encode("utf-8")
        if fmt == "csv":
            japanese = (args.get("headers") or [""])[0] == "ja"
            return 200, "text/csv; charset=utf-8", csv_for_excel(result, Links(store, result, base), root, japanese)
        return 200, "application/json", to_json(result).encode("utf-8")
    links = Links(store, result, base) if result is not None else None
    return (400 if error else 200), "text/html; charset=utf-8", _html(query, values, result, error, title, links).encode("utf-8")


def _html(query: CannedQuery, values: dict[str, str], result: QueryResult | None, error: str | None,
          title: str, linker: Links | None) -> str:
    from .views import query_page

    downloads, prev, nxt, span = [], None, None, ""
    if result is not None:
        here = {**values, **({"offset": str(result.page.offset)} if result.page.offset else {})}
        downloads = [urlencode({**here, "format": "csv", "headers": "ja"}), urlencode({**here, "format": "csv"}),
                     urlencode({**here, "format": "json"})]
        size = result.page.size(result.query)
        first = result.page.offset + 1
        span = f"rows {first:,}–{result.page.offset + len(result.rows):,}" if result.rows else "no rows"
        if result.page.offset and size:
            prev = urlencode({**values, "offset": max(0, result.page.offset - size)})
        if result.may_continue:
            nxt = urlencode({**values, "offset": result.page.offset + size})
    return query_page(title, query, values, result, error, linker, downloads, prev, nxt, span, COLUMN_LABELS)
