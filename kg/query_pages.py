"""Canned queries as web pages (``kg serve`` ``/queries/``): a form per query with its
parameters, the answer as an HTML table (sortable by a click on a heading, in pages), and
the same answer as CSV for Excel (UTF-8 with a BOM, Japanese headings on request) and as
JSON.

Column names are the queries' (``corporateNumber``); :data:`COLUMN_LABELS` gives each its
Japanese heading, shown above the name on the page and used in CSV with ``headers=ja``.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

import pyoxigraph as ox

from . import display
from .queries import (CannedQuery, Page, QueryError, QueryResult, check_values, load_queries, plain, run, to_csv,
                      to_json)

#: the Japanese heading of every output column of the canned queries (a test checks that
#: none is missing)
COLUMN_LABELS = {
    "ministry": "府省庁", "fiscalYear": "年度", "projects": "事業数", "budgetTotalYen": "予算額計(円)",
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
    "lastYear": "最後の年度",
}

_SORT_SCRIPT = """<script>
for (const table of document.querySelectorAll("table.sortable")) {
  table.querySelectorAll("th").forEach((th, i) => th.addEventListener("click", () => {
    const body = table.tBodies[0], down = th.dataset.dir !== "down";
    th.dataset.dir = down ? "down" : "up";
    const key = tr => { const c = tr.cells[i]; const n = c.dataset.n; return n !== undefined ? parseFloat(n) : c.textContent; };
    const rows = [...body.rows].sort((a, b) => { const x = key(a), y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (down ? -1 : 1); });
    rows.forEach(r => body.appendChild(r));
  }));
}
</script>"""


def csv_for_excel(result: QueryResult, japanese: bool = False) -> bytes:
    """The answer as CSV that Excel opens right on Japanese Windows: UTF-8 with a BOM;
    headings in Japanese with ``japanese``."""
    text = to_csv(result)
    if japanese:
        head, _, rest = text.partition("\n")
        text = ",".join(COLUMN_LABELS.get(c, c) for c in result.columns) + "\n" + rest
    return ("\ufeff" + text).encode("utf-8")


def listing_page(title: str) -> str:
    from .pages import _document

    items = "".join(f'<tr><td><a href="/queries/{html.escape(name)}">{html.escape(q.title)}</a></td>'
                    f"<td>{html.escape(q.description)}</td></tr>" for name, q in load_queries().items())
    return _document(f"Queries — {title}", f"""<nav class="crumbs"><a href="/">{html.escape(title)}</a></nav>
<h1>定型クエリ Canned queries</h1>
<p>Each answers one question over the whole graph; the same text runs from <code>kg query NAME</code> and on any SPARQL endpoint.</p>
<table><thead><tr><th>Query</th><th>What it answers</th></tr></thead><tbody>{items}</tbody></table>""")


def answer(store: ox.Store, name: str, args: dict[str, list[str]], title: str, base: str) -> tuple[int, str, bytes]:
    """(status, media type, body) of ``/queries/NAME`` with its arguments: parameters by
    name, ``offset``, ``format`` (html, csv, json) and ``headers=ja`` for CSV."""
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
            return 200, "text/csv; charset=utf-8", csv_for_excel(result, (args.get("headers") or [""])[0] == "ja")
        return 200, "application/json", to_json(result).encode("utf-8")
    return (400 if error else 200), "text/html; charset=utf-8", _html(query, values, result, error, title, base).encode("utf-8")


def _html(query: CannedQuery, values: dict[str, str], result: QueryResult | None, error: str | None,
          title: str, base: str) -> str:
    from .pages import _document

    fields = "".join(
        f'<label>{html.escape(p.name)} <small>({html.escape(p.type)})</small> '
        f'<input name="{html.escape(p.name)}" value="{html.escape(values.get(p.name, p.default or ""))}"></label> '
        for p in query.params)
    body = [f"""<nav class="crumbs"><a href="/">{html.escape(title)}</a> › <a href="/queries/">Queries</a></nav>
<h1>{html.escape(query.title)}</h1><p>{html.escape(query.description)}</p>
<form method="get" class="query">{fields}<button type="submit">実行 Run</button></form>"""]
    if error:
        body.append(f'<p class="error">{html.escape(error)}</p>')
    if result is not None:
        here = {**values, **({"offset": str(result.page.offset)} if result.page.offset else {})}
        links = (f'<a href="?{urlencode({**here, "format": "csv", "headers": "ja"})}">CSV (Excel, 日本語見出し)</a> · '
                 f'<a href="?{urlencode({**here, "format": "csv"})}">CSV</a> · '
                 f'<a href="?{urlencode({**here, "format": "json"})}">JSON</a>')
        size = result.page.size(result.query)
        first = result.page.offset + 1
        span = f"rows {first:,}–{result.page.offset + len(result.rows):,}" if result.rows else "no rows"
        nav = []
        if result.page.offset and size:
            nav.append(f'<a href="?{urlencode({**values, "offset": max(0, result.page.offset - size)})}" rel="prev">‹ prev</a>')
        if result.may_continue:
            nav.append(f'<a href="?{urlencode({**values, "offset": result.page.offset + size})}" rel="next">next ›</a>')
        head = "".join(f"<th>{html.escape(COLUMN_LABELS.get(c, c))}<br><small>{html.escape(c)}</small></th>"
                       for c in result.columns)
        rows = "".join("<tr>" + "".join(html_cell(t, base, c) for t, c in zip(row, result.columns)) + "</tr>"
                       for row in result.rows)
        body.append(f"""<p>{span} · {links} {' '.join(nav)}</p>
<table class="sortable"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>
<p>{' '.join(nav)}</p>{_SORT_SCRIPT}""")
    return _document(f"{query.title} — {title}", "\n".join(body))


def html_cell(t, base: str, column: str = "", sort_key: bool = True) -> str:
    """A table cell for an answer's term: our IRIs linked to their pages (``/id/…``), numbers
    right-aligned with thousands separators (not years, ranks or article numbers) and, with
    ``sort_key``, their value for the sorting script."""
    if t is None:
        return "<td></td>"
    if isinstance(t, ox.NamedNode):
        href = "/id/" + t.value[len(base):] if t.value.startswith(base) else t.value
        return f'<td><a href="{html.escape(href)}">{html.escape(t.value)}</a></td>'
    if isinstance(t, ox.Literal) and t.datatype.value.rsplit("#", 1)[-1] in ("integer", "decimal", "double"):
        n = display.number(t)
        if n is not None:
            shown = str(n) if "Year" in column or column in ("rank", "article", "paragraph", "item") else f"{n:,}"
            return f'<td class="num" data-n="{n}">{shown}</td>' if sort_key else f'<td class="num">{shown}</td>'
    return f"<td>{html.escape(plain(t))}</td>"
