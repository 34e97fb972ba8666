"""Linked-data views of the graph: one HTML page and RDF data per resource, shared by
``kg serve`` (answered per request) and ``kg publish`` (written once as a static site).

Resources live under two roots, each published at a fixed local path whatever the base
IRI of the data: ``/id/…`` for the data (default ``https://kg.jp-spending.example/id/``)
and ``/def/…`` for our ontology terms and code lists. A resource's page is the folder
``/id/project/2024-rs-005120/`` (``index.html``, with ``index.ttl`` beside it), so the
IRI itself dereferences on any static web server once the site is hosted at the base.
Links between pages are relative, so a site also works from a sub-folder or a file system.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Callable
from urllib.parse import quote, unquote

import pyoxigraph as ox
from stdnum.jp import cn as _stdnum_cn

from .assets import ontology_store
from . import charts, display
from .display import shorten
from .iris import DEFAULT_BASE, KG, NTA_PAGE, PREFIXES
from .queries import internal, select

RDF_TYPE = ox.NamedNode(str(PREFIXES["rdf"]) + "type")
#: the pages read the default graph: a store folder's named graphs repeat it per document
DEFAULT = ox.DefaultGraph()

#: media type → (pyoxigraph format, file suffix)
RDF_MEDIA = {
    "text/turtle": (ox.RdfFormat.TURTLE, "ttl"),
    "application/n-triples": (ox.RdfFormat.N_TRIPLES, "nt"),
    "application/ld+json": (ox.RdfFormat.JSON_LD, "jsonld"),
    "application/rdf+xml": (ox.RdfFormat.RDF_XML, "rdf"),
}

#: label properties, most preferred first
_LABELS = [str(PREFIXES["skos"]) + "prefLabel", str(PREFIXES["rdfs"]) + "label",
           str(PREFIXES["dcterms"]) + "title", str(PREFIXES["dcterms"]) + "identifier",
           str(KG) + "blockLetter"]
#: at most this many incoming links listed on a page (the count is always given)
MAX_INCOMING = 200


@lru_cache(maxsize=1)
def ontology_labels() -> dict[str, str]:
    """Japanese labels of our classes and properties (English when there is none)."""
    out: dict[str, str] = {}
    label = ox.NamedNode(str(PREFIXES["rdfs"]) + "label")
    for q in sorted(ontology_store().quads_for_pattern(None, label, None), key=str):
        iri = q.subject.value
        if q.object.language == "ja" or iri not in out:
            out[iri] = q.object.value
    return out


@dataclass
class Site:
    """The pages of one store. ``base`` is the data's base IRI (the ``/id/`` root)."""

    store: ox.Store
    base: str = DEFAULT_BASE
    title: str = "jp-spending-kg"
    endpoint: str | None = None  # path of a SPARQL endpoint to link to (kg serve)
    #: for a static site: page path → folder on disk (links then point where the files are)
    page_path: Callable[[str], str] | None = None
    #: a site of some classes only: the resources with pages and the classes with an index
    published: set[str] | None = None
    indexed: set[str] | None = None

    def __post_init__(self):
        if not self.base.endswith("/"):
            self.base += "/"
        self.roots = [("id/", self.base), ("def/", str(KG))]
        self._labels: dict[str, str] = {}
        self._exists: dict[str, bool] = {}
        self._classes: dict[str, bool] = {}
        self._urls: dict[str, str] = {}

    # ------------------------------------------------------------------ paths and IRIs

    def iri_for(self, local: str) -> str | None:
        """The IRI published at a local path (``id/project/x``, ``/resource/id/…``, with
        or without a trailing ``/`` or ``index.*``); None when outside both roots."""
        local = local.lstrip("/")
        if local.startswith("resource/"):
            local = local[len("resource/"):]
        for name in ("index.html", "index.ttl", "index.nt", "index.jsonld"):
            if local.endswith("/" + name):
                local = local[: -len(name)]
        local = local.rstrip("/")
        for prefix, root in self.roots:
            if local.startswith(prefix) and len(local) > len(prefix):
                iri = root + local[len(prefix):]
                try:
                    ox.NamedNode(iri)
                except ValueError:  # /id/%ZZ: not an IRI, so no resource of ours
                    return None
                return iri
        return None

    def path_for(self, iri: str) -> str | None:
        """``id/project/x`` for an IRI under a root (as in the IRI: percent-encoded)."""
        for prefix, root in self.roots:
            if iri.startswith(root) and len(iri) > len(root) and "#" not in iri and "?" not in iri:
                rest = iri[len(root):]
                if any(seg in ("", ".", "..") for seg in rest.split("/")):
                    return None  # a dot segment climbs a folder in any client: no page of ours
                return prefix + rest
        return None

    def href(self, iri: str, here: str) -> str | None:
        """A link from the page at folder ``here`` to ``iri``'s page: relative for ours, the IRI
        itself for others, the class index for a class of ours; None when ours has no page."""
        path = self.path_for(iri)
        if path is None:
            return iri
        if not self.exists(iri):
            if self._is_class(iri):
                return _relpath(f"class/{class_slug(iri)}", self.url_path(here) if here else ".") + "/"
            return None
        return _relpath(self.url_path(path), self.url_path(here) if here else ".") + "/"

    def url_path(self, path: str) -> str:
        """The URL path of a page folder: the page path itself, or for a static site the
        folder on disk, percent-encoded again."""
        if self.page_path is None:
            return path
        known = self._urls.get(path)
        if known is None:
            known = self._urls[path] = "/".join(quote(seg, safe="~-_.!$&'()*+,;=:@")
                                                for seg in self.page_path(path).split("/"))
        return known

    # ------------------------------------------------------------------ reading the store

    def _about(self, node: ox.NamedNode, predicate: ox.NamedNode | None = None) -> list[ox.Quad]:
        """Quads with ``node`` as subject: from the data, else (an ontology term) from the ontology."""
        quads = list(self.store.quads_for_pattern(node, predicate, None, DEFAULT))
        if not quads and node.value.startswith(str(KG)):
            quads = list(ontology_store().quads_for_pattern(node, predicate, None))
        return quads

    def exists(self, iri: str) -> bool:
        """Whether the resource has a page: an IRI under a root that the graph (or our
        ontology) says something about."""
        if self.path_for(iri) is None:
            return False
        if self.published is not None:
            return iri in self.published
        known = self._exists.get(iri)
        if known is None:
            known = self._exists[iri] = bool(self._about(ox.NamedNode(iri)))
        return known

    def label(self, iri: str) -> str:
        """The best label of a resource (Japanese first), else its short IRI."""
        if iri in self._labels:
            return self._labels[iri]
        node = ox.NamedNode(iri)
        best, rank = None, (len(_LABELS), 2)
        for i, prop in enumerate(_LABELS):
            for q in self._about(node, ox.NamedNode(prop)):
                o = q.object
                r = (i, 0 if getattr(o, "language", None) in ("ja", None) else 1)
                if r < rank or (r == rank and best is not None and o.value < best):
                    best, rank = o.value, r
            if best is not None and rank[1] == 0:
                break
        text = best if best is not None else ontology_labels().get(iri) or self._short(iri)
        self._labels[iri] = text
        return text

    def _short(self, iri: str) -> str:
        """An unlabelled resource of ours as its path under the root (``project/…/expenditure/J-1``)."""
        for _prefix, root in self.roots:
            if iri.startswith(root) and len(iri) > len(root):
                return unquote(iri[len(root):])
        return shorten(iri)

    def types(self, iri: str) -> list[str]:
        """Its classes, ours first (the first one names the page's kind)."""
        return sorted((q.object.value for q in self._about(ox.NamedNode(iri), RDF_TYPE)),
                      key=lambda t: (not t.startswith(str(KG)), t))

    def triples(self, iri: str) -> list[ox.Triple]:
        """The data of a page: every triple about the resource, and every triple pointing to it
        (but not a class's ``rdf:type`` links from its instances: the class index lists those)."""
        node = ox.NamedNode(iri)
        out = {ox.Triple(q.subject, q.predicate, q.object) for q in self._about(node)}
        out |= {ox.Triple(q.subject, q.predicate, q.object) for q in self.store.quads_for_pattern(None, None, node, DEFAULT)
                if q.predicate != RDF_TYPE}
        return sorted(out, key=str)

    def data(self, iri: str, media: str) -> bytes:
        fmt = RDF_MEDIA[media][0]
        if fmt == ox.RdfFormat.TURTLE:
            prefixes = {k: str(v) for k, v in PREFIXES.items()} | {"id": self.base}
            return ox.serialize(self.triples(iri), format=fmt, prefixes=prefixes)
        return ox.serialize(self.triples(iri), format=fmt)

    # ------------------------------------------------------------------ HTML

    def page(self, iri: str) -> str:
        """The HTML page of a resource (the caller checks :meth:`exists`)."""
        here = self.path_for(iri) or ""
        types = self.types(iri)
        kind = ", ".join(ontology_labels().get(t, shorten(t)) for t in types)
        title = self.label(iri)
        body: list[str] = []
        if str(KG.Corporation) in types:
            body.append(self._corporation(iri, here))
        if str(KG.Project) in types:
            body.append(self._project(iri, here))
        if str(KG.Ministry) in types:
            body.append(self._listing("事業 Projects", select(self.store, internal("page-ministry-projects"), ministry=iri),
                                      here, [("id", "事業番号"), ("name", "事業名"), ("year", "年度")]))
        if str(KG.Law) in types:
            body.append(self._listing("この法令に基づく事業 Projects under this law",
                                      select(self.store, internal("page-law-projects"), law=iri),
                                      here, [("id", "事業番号"), ("name", "事業名")]))
        if self._is_class(iri):  # an ontology class: its instances are indexed
            n = sum(1 for _ in self.store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(iri), DEFAULT))
            index = _relpath(f"class/{class_slug(iri)}", self.url_path(here) if here else ".")
            body.append(f'<section><h2>インスタンス Instances</h2><p><a href="{index}/">{n:,} '
                        f"{html.escape(title)}</a></p></section>")
        body.append(self._properties(iri, here))
        body.append(self._incoming(iri, here))
        if self.endpoint:  # served: every format, by ?format= (or by Accept)
            alt = "".join(f' <a href="?format={suffix}" type="{media}">{suffix}</a>' for media, (_, suffix) in RDF_MEDIA.items())
        else:  # published: the Turtle file beside the page
            alt = ' <a href="index.ttl" type="text/turtle">ttl</a>'

        crumbs = f'<a href="{_relpath(".", here or ".")}/">{html.escape(self.title)}</a>'
        indexed = [t for t in types if self._is_class(t)]
        if indexed:
            cls_path = _relpath(f"class/{class_slug(indexed[0])}", here or ".")
            crumbs += f' › <a href="{cls_path}/">{html.escape(kind)}</a>'
        elif kind:
            crumbs += f" › {html.escape(kind)}"
        return _document(
            f"{title} — {kind or 'resource'}",
            f"""{self._search_form(here)}<nav class="crumbs">{crumbs}</nav>
<h1>{html.escape(title)}</h1>
<p class="iri"><code>{html.escape(iri)}</code> · data:{alt}</p>
{''.join(body)}""")

    def _project(self, iri: str, here: str) -> str:
        parts = []
        facts = select(self.store, internal("page-project-facts"), project=iri)
        dl = []
        for key, name in (("id", "事業番号"), ("year", "レビュー年度"), ("ministry", "府省庁"), ("bureau", "局・庁"),
                          ("policy", "政策"), ("measure", "施策")):
            values = sorted({r[key] for r in facts if key in r}, key=str)
            if values:
                dl.append(f"<dt>{name}</dt><dd>{', '.join(self._cell(v, here) for v in values)}</dd>")
        laws = select(self.store, internal("page-project-laws"), project=iri)
        if laws:
            items = []
            for r in laws:
                where = "".join(f"{r[k].value}{suffix}" for k, suffix in (("article", "条"), ("paragraph", "項"), ("item", "号")) if k in r)
                name = self._cell(r["law"], here) if "law" in r else html.escape(r.get("text", ox.Literal("")).value)
                items.append(f"{name} {html.escape(where)}".strip())
            dl.append(f"<dt>根拠法令</dt><dd>{'<br>'.join(items)}</dd>")
        parts.append(f'<section><h2>事業 Project</h2><dl class="facts">{"".join(dl)}</dl></section>')
        texts = select(self.store, internal("page-project-texts"), project=iri)
        said = []
        for key, name in (("purpose", "事業目的 Purpose"), ("overview", "事業概要 Overview"),
                          ("issues", "現状・課題 Issues"), ("opinion", "外部有識者の所見 Outside expert's findings")):
            if texts and key in texts[0]:
                said.append(f'<h3>{name}</h3><p class="text">{html.escape(texts[0][key].value)}</p>')
        if said:
            parts.append(f'<section class="texts"><h2>目的・概要・所見 What the sheet says</h2>{"".join(said)}</section>')
        checks = select(self.store, internal("page-project-checks"), project=iri)
        if checks:
            parts.append(self._table("点検・改善 The ministry's own checks", checks,
                                     [("category", "観点"), ("item", "点検項目"), ("evaluation", "評価"),
                                      ("explanation", "説明")], here))
        budget = select(self.store, internal("page-project-budget"), project=iri)
        for r in budget:  # a request (要求額) is marked; an enacted budget is the plain row
            r["request"] = ox.Literal("要求" if r.get("request") is not None and r["request"].value == "true" else "")
        parts.append(self._table("予算・執行 Budget and execution (yen)", budget,
            [("fy", "年度"), ("request", "要求"), ("total", "予算額計"), ("executed", "執行額")], here, money={"total", "executed"}))
        chart = charts.budget_chart([(int(r["fy"].value), display.number(r.get("total")), display.number(r.get("executed")))
                                     for r in budget if "fy" in r and not r["request"].value])
        if chart:
            parts.append(f'<figure class="chart">{chart}<figcaption>予算額計と執行額（年度別） Budget and execution per fiscal year</figcaption></figure>')
        recipients = select(self.store, internal("page-project-recipients"), project=iri)
        parts.append(self._table("支出先 Recipients", recipients,
            [("block", "ブロック"), ("recipient", "支出先"), ("number", "法人番号"), ("method", "契約方式"),
             ("bidders", "入札者数"), ("amount", "金額")], here, money={"amount"}))
        flows = [(r["block"].value if "block" in r else "—", self.label(r["recipient"].value), display.number(r.get("amount")))
                 for r in recipients]
        blocks: dict[str, Decimal] = {}
        for b, _, a in flows:
            blocks[b] = blocks.get(b, Decimal(0)) + (a or 0)
        ministry = next((self.label(r["ministry"].value) for r in facts if "ministry" in r), "")
        chart = charts.sankey(ministry, sorted(blocks.items()), flows)
        if chart:
            parts.append(f'<figure class="chart">{chart}<figcaption>資金の流れ Fund flow: 府省庁 → ブロック → 支出先, '
                         "band widths in yen (the 8 largest recipients one by one, the others together)</figcaption></figure>")
        return "".join(parts)

    def _corporation(self, iri: str, here: str) -> str:
        names = select(self.store, internal("page-corporation-names"), corporation=iri)
        number = next(iter(self.store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(str(KG.corporateNumber)), None,
                                                        DEFAULT)), None)
        dl = []
        if number is not None:
            dl.append(f"<dt>法人番号</dt><dd>{html.escape(number.object.value)}</dd>")
        pref = [r["name"].value for r in names if r["kind"].value.endswith("prefLabel")]
        alts = [r["name"].value for r in names if r["kind"].value.endswith("altLabel")]
        if pref:
            dl.append(f"<dt>名称</dt><dd>{html.escape(pref[0])}</dd>")
        if alts:
            dl.append(f"<dt>別表記</dt><dd>{'<br>'.join(html.escape(a) for a in alts)}</dd>")
        # what the 法人番号 register says (nothing without register files), with its file and line
        for r in select(self.store, internal("page-corporation-register"), corporation=iri)[:1]:
            dl.append(f"<dt>登記上の名称</dt><dd>{html.escape(r['legalName'].value)}"
                      + (f" ({html.escape(r['kind'].value)})" if r.get("kind") else "") + "</dd>")
            if r.get("address"):
                dl.append(f"<dt>所在地</dt><dd>{html.escape(r['address'].value)}</dd>")
            if r.get("closedOn"):
                closed = f"{html.escape(r['closedOn'].value)}" + (f" {html.escape(r['reason'].value)}" if r.get("reason") else "")
                if r.get("successor"):
                    name = r["successorName"].value if r.get("successorName") else r["successor"].value.rsplit("/", 1)[-1]
                    closed += f" → 承継先 {self._link(r['successor'].value, name, here)}"
                dl.append(f"<dt>登記記録の閉鎖</dt><dd>{closed}</dd>")
            dl.append(f"<dt>法人番号公表情報</dt><dd>{html.escape(r['source'].value)}</dd>")
        if number is not None and _stdnum_cn.is_valid(number.object.value):
            page = NTA_PAGE.format(number=number.object.value)
            dl.append(f'<dt>公表サイト</dt><dd><a href="{html.escape(page)}">国税庁法人番号公表サイト</a></dd>')
        rows = select(self.store, internal("page-corporation-payments"), corporation=iri)
        for r in rows:  # what a reader checks first: one bidder, an award at 100 %, a unit error
            flags = []
            if r.get("bidders") is not None and r["bidders"].value == "1":
                flags.append("一者応札")
            rate = display.number(r.get("rate"))
            if rate is not None and rate >= 100:
                flags.append("落札率100%")
            if r.get("scaleFactor") is not None:
                flags.append(f"桁外れ: 事業の最大予算額の{display.number(r['scaleFactor']):,}倍 (out of scale, not in the total)")
            r["flag"] = ox.Literal(" ・ ".join(flags))
        # an out-of-scale row (many times its sheet's budget: a unit error) stays listed but out of the sums
        counted = [r for r in rows if r.get("scaleFactor") is None]
        left_out = [r for r in rows if r.get("scaleFactor") is not None]
        total = sum((display.number(r.get("amount")) or 0 for r in counted), Decimal(0))
        aside = (f"; {len(left_out)} out-of-scale rows of {display.yen(sum((display.number(r.get('amount')) or 0 for r in left_out), Decimal(0)))} 円 "
                 "left out: see docs/graph/truth.md \"Out-of-scale amounts\"") if left_out else ""
        dl.append(f"<dt>支出額計</dt><dd>{display.yen(total)} 円 ({len(rows)} rows, "
                  f"{len({r['project'].value for r in rows})} projects{html.escape(aside)})</dd>")
        # money paid is the 支出先 rows; multi-year contracts and 費目・使途 are shown beside it, never added
        by_year: dict[str, Decimal] = {}
        by_ministry: dict[str, Decimal] = {}
        for r in counted:
            amount = display.number(r.get("amount")) or Decimal(0)
            if "year" in r:
                by_year[r["year"].value] = by_year.get(r["year"].value, Decimal(0)) + amount
            if "ministry" in r:
                name = self.label(r["ministry"].value)
                by_ministry[name] = by_ministry.get(name, Decimal(0)) + amount
        pictures = [charts.bars(sorted(by_year.items()), "支出額（シート年度別） Paid per sheet year"),
                    charts.bars(sorted(by_ministry.items(), key=lambda kv: -kv[1])[:15], "支出額（府省庁別） Paid per ministry",
                                horizontal=True) if len(by_ministry) > 1 else ""]
        figures = "".join(f'<figure class="chart">{p}</figure>' for p in pictures if p)
        contracts = select(self.store, internal("page-corporation-contracts"), corporation=iri)
        items = select(self.store, internal("page-corporation-items"), corporation=iri)
        return (f'<section><h2>法人 Corporation</h2><dl class="facts">{"".join(dl)}</dl></section>' + figures
                + self._table("事業と契約 Projects and contracts (yen)", rows,
                              [("year", "年度"), ("id", "事業番号"), ("project", "事業"), ("ministry", "府省庁"),
                               ("block", "ブロック"), ("method", "契約方式"), ("bidders", "入札者数"), ("rate", "落札率(%)"),
                               ("flag", "注意"), ("amount", "金額")], here, money={"amount"})
                + self._table("国庫債務負担行為等による契約 Multi-year contracts (yen; commitments, not in the total)", contracts,
                              [("project", "事業"), ("summary", "契約概要"), ("method", "契約方式"), ("bidders", "入札者数"),
                               ("rate", "落札率(%)"), ("amount", "契約額")], here, money={"amount"})
                + self._table("費目・使途 Expense items (yen; a breakdown of the payments above)", items,
                              [("project", "事業"), ("block", "ブロック"), ("category", "費目"), ("use", "使途"),
                               ("amount", "金額")], here, money={"amount"}))

    def _listing(self, heading: str, rows: list[dict], here: str, columns) -> str:
        for r in rows:  # the first column links to the row's resource
            if "x" in r:
                r[columns[0][0]] = (r["x"], r.get(columns[0][0]))
        return self._table(heading, rows, columns, here)

    def _table(self, heading: str, rows: list[dict], columns, here: str, money=()) -> str:
        if not rows:
            return ""
        head = "".join(f"<th>{html.escape(name)}</th>" for _, name in columns)
        lines = []
        for r in rows:
            cells = []
            for key, _ in columns:
                v = r.get(key)
                if key in money:
                    cells.append(f'<td class="num">{display.yen(v)}</td>')
                else:
                    cells.append(f"<td>{self._cell(v, here)}</td>")
            opening = '<tr class="flag">' if r.get("flag") is not None and r["flag"].value else "<tr>"
            lines.append(f"{opening}{''.join(cells)}</tr>")
        return (f"<section><h2>{html.escape(heading)}</h2><table><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(lines)}</tbody></table></section>")

    def _cell(self, v, here: str) -> str:
        if v is None:
            return ""
        if isinstance(v, tuple):  # (resource, its text)
            node, text = v
            return self._link(node.value, text.value if text is not None else self.label(node.value), here)
        if isinstance(v, ox.NamedNode):
            return self._link(v.value, self.label(v.value), here)
        if isinstance(v, ox.BlankNode):
            return f"<code>_:{html.escape(v.value)}</code>"
        return html.escape(v.value)

    def _link(self, iri: str, text: str, here: str) -> str:
        href = self.href(iri, here)
        if href is None:
            return f'<span title="{html.escape(iri)}">{html.escape(text)}</span>'
        return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'

    def _is_class(self, iri: str) -> bool:
        """Whether ``iri`` is a class with an index page."""
        if self.indexed is not None:
            return iri in self.indexed
        known = self._classes.get(iri)
        if known is None:
            known = self._classes[iri] = next(iter(self.store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(iri), DEFAULT)), None) is not None
        return known

    def _properties(self, iri: str, here: str) -> str:
        quads = sorted(self._about(ox.NamedNode(iri)),
                       key=lambda q: (q.predicate.value != RDF_TYPE.value, q.predicate.value, str(q.object)))
        if not quads:
            return ""
        rows = []
        for q in quads:
            p = q.predicate.value
            name = ontology_labels().get(p)
            href = self.href(p, here) if p.startswith(str(KG)) else None
            pcell = (f'<a href="{html.escape(href)}" title="{html.escape(p)}">{html.escape(name or shorten(p))}</a>' if href
                     else f'<span title="{html.escape(p)}">{html.escape(name or shorten(p))}</span>')
            lang = getattr(q.object, "language", None)
            value = self._cell(q.object, here)
            if lang:
                value = f'<span lang="{html.escape(lang)}">{value}</span>'
            rows.append(f"<tr><th>{pcell}<br><small>{html.escape(shorten(p))}</small></th><td>{value}</td></tr>")
        return f'<section><h2>すべての属性 All statements</h2><table class="props">{"".join(rows)}</table></section>'

    def _incoming(self, iri: str, here: str) -> str:
        node = ox.NamedNode(iri)
        quads = []
        count = 0
        for q in self.store.quads_for_pattern(None, None, node, DEFAULT):
            count += 1
            if len(quads) < MAX_INCOMING * 4:
                quads.append(q)
        if not count:
            return ""
        quads.sort(key=lambda q: (q.predicate.value, str(q.subject)))
        rows = [f"<tr><td>{self._cell(q.subject, here)}</td><td><small>{html.escape(ontology_labels().get(q.predicate.value) or shorten(q.predicate.value))}</small></td></tr>"
                for q in quads[:MAX_INCOMING]]
        more = f"<p>{count - MAX_INCOMING:,} more not listed.</p>" if count > MAX_INCOMING else ""
        return (f"<section><h2>参照元 Referenced by ({count:,})</h2><table>{''.join(rows)}</table>{more}</section>")

    # ------------------------------------------------------------------ indexes

    def classes(self) -> list[tuple[str, int]]:
        """(class IRI, instances) of every class with instances (with an index), by class IRI."""
        rows = select(self.store, internal("page-classes"))
        return [(r["c"].value, int(r["n"].value)) for r in rows if isinstance(r["c"], ox.NamedNode)
                and (self.indexed is None or r["c"].value in self.indexed)]

    def instances(self, cls: str) -> list[str]:
        return sorted({q.subject.value for q in self.store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(cls), DEFAULT)
                       if isinstance(q.subject, ox.NamedNode)})

    #: instances listed on one page of a class index
    INDEX_PAGE = 500

    def members(self, cls: str) -> list[tuple[str, float | None]]:
        """(instance, amount or None) of a class, in index order: largest first where the
        build summed an amount (corporations, projects), then by name."""
        rows = select(self.store, internal("page-class-members"), cls=cls)
        return [(r["x"].value, float(r["amount"].value) if "amount" in r else None) for r in rows]

    def index_pages(self, members: list) -> int:
        """How many pages a class index of ``members`` has."""
        return max(1, -(-len(members) // self.INDEX_PAGE))

    def class_page(self, cls: str, page: int = 1, members: list | None = None) -> str:
        """Page ``page`` (from 1) of a class's index: its count, the members in index order
        with their amount where there is one, and links to the other pages (``?page=N``
        when served; ``N/`` folders in a published site)."""
        slug = class_slug(cls)
        members = self.members(cls) if members is None else members
        pages = self.index_pages(members)
        page = min(max(page, 1), pages)
        here = f"class/{slug}" if page == 1 or self.endpoint else f"class/{slug}/{page}"
        chunk = members[(page - 1) * self.INDEX_PAGE: page * self.INDEX_PAGE]
        with_amounts = any(a is not None for _, a in members)
        rows = []
        for m, amount in chunk:
            money = (f'<td class="num">{amount:,.0f}</td>' if amount is not None else "<td></td>") if with_amounts else ""
            rows.append(f"<tr><td>{self._link(m, self.label(m), here)}</td>{money}</tr>")
        name = ontology_labels().get(cls, shorten(cls))
        head = "<th>名称 Name</th>" + ("<th>金額 Yen</th>" if with_amounts else "")
        first = (page - 1) * self.INDEX_PAGE + 1
        span = f"{first:,}–{first + len(chunk) - 1:,} of {len(members):,}" if members else "none"
        nav = self._index_nav(slug, page, pages, here)
        return _document(f"{name} — {self.title}" + (f" ({page})" if page > 1 else ""),
                         f"""{self._search_form(here)}<nav class="crumbs"><a href="{_relpath(".", here)}/">{html.escape(self.title)}</a></nav>
<h1>{html.escape(name)} <small>({len(members):,})</small></h1>
<p class="iri"><code>{html.escape(cls)}</code></p>
<p>{span}{" · largest first" if with_amounts else ""}</p>{nav}
<table class="index"><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{nav}""")

    def _index_nav(self, slug: str, page: int, pages: int, here: str) -> str:
        if pages == 1:
            return ""

        def href(n: int) -> str:
            if self.endpoint:
                return f"?page={n}"
            target = f"class/{slug}" if n == 1 else f"class/{slug}/{n}"
            return _relpath(target, here) + "/"

        shown = sorted({1, pages, *range(max(1, page - 3), min(pages, page + 3) + 1)})
        parts, last = [], 0
        for n in shown:
            if n > last + 1:
                parts.append("…")
            parts.append(f"<b>{n}</b>" if n == page else f'<a href="{href(n)}">{n}</a>')
            last = n
        prev = f'<a href="{href(page - 1)}" rel="prev">‹ prev</a> ' if page > 1 else ""
        nxt = f' <a href="{href(page + 1)}" rel="next">next ›</a>' if page < pages else ""
        return f'<nav class="pages">{prev}{" ".join(parts)}{nxt}</nav>'

    def home(self, extra: str = "") -> str:
        items = "".join(
            f'<li><a href="class/{class_slug(c)}/">{html.escape(ontology_labels().get(c, shorten(c)))}</a> '
            f"<small>{shorten(c)} · {n:,}</small></li>" for c, n in self.classes())
        endpoint = (f'<p>SPARQL endpoint: <a href="{self.endpoint}"><code>{self.endpoint}</code></a> '
                    "(SPARQL 1.1 Protocol, GET or POST) · "
                    '<a href="/queries/">定型クエリ Canned queries</a> (forms, tables, CSV for Excel)</p>'
                    if self.endpoint else "")
        return _document(self.title, f"""{self._search_form("")}<h1>{html.escape(self.title)}</h1>
<p>行政事業レビューシートと事前分析表から作った、国の支出の知識グラフ。
A knowledge graph of Japanese government spending: projects, ministries, policies, laws, corporations and contracts.</p>
{endpoint}{extra}
<h2>クラス別の索引 Index by class</h2><ul class="index">{items}</ul>""")


    # ------------------------------------------------------------------ search

    def _search_form(self, here: str, value: str = "") -> str:
        """The search box of every page: ``/search`` when served, the site's ``search/`` page
        (which searches an index in the browser) when published."""
        if self.endpoint:
            action = "/search"
        else:
            action = _relpath("search", self.url_path(here) if here else ".") + "/"
        return (f'<form class="search" action="{action}" method="get" role="search">'
                f'<input name="q" value="{html.escape(value)}" placeholder="名称・法人番号・事業番号 Name, 法人番号 or 事業番号" '
                f'aria-label="search"> <button type="submit">検索 Search</button></form>')

    def search_page(self, text: str, hits: list) -> str:
        """The answer of ``/search?q=`` (kg serve): the hits ranked, linked to their pages."""
        here = ""  # /search sits at the root: links go from there
        if not text.strip():
            body = "<p>名称（表記ゆれも）、法人番号、事業番号で探せます。Search by name (any spelling), 法人番号 or 事業番号.</p>"
        elif not hits:
            body = f"<p>「{html.escape(text)}」に当たるものはありません。Nothing matches.</p>"
        else:
            rows = []
            for h in hits:
                types = self.types(h.iri)
                kind = ", ".join(ontology_labels().get(t, shorten(t)) for t in types if t.startswith(str(KG)))
                name = self.label(h.iri)
                also = f" <small>({html.escape(h.label)})</small>" if h.label and h.label != name else ""
                rows.append(f"<tr><td>{self._link(h.iri, name, here)}{also}</td><td>{html.escape(kind)}</td></tr>")
            more = " (the first 100)" if len(hits) >= 100 else ""
            body = (f"<p>{len(hits):,} result{'s' if len(hits) != 1 else ''}{more}</p><table><thead><tr><th>名称 Name</th><th>種類 Kind</th></tr></thead>"
                    f"<tbody>{''.join(rows)}</tbody></table>")
        return _document(f"検索 {text} — {self.title}", f"""{self._search_form(here, text)}<nav class="crumbs"><a href="/">{html.escape(self.title)}</a></nav>
<h1>検索 Search</h1>
{body}""")

    def search_index(self) -> list[list[str]]:
        """What the static site's search page searches in the browser: one entry per node of
        a searchable kind with a page — [path, name, kind, every spelling and number, normalised]."""
        from .search import KINDS, normal

        names: dict[str, set[str]] = {}
        for row in select(self.store, internal("search-index")):
            names.setdefault(row["s"].value, set()).add(row["text"].value)
        out = []
        labels = ontology_labels()
        for iri in sorted(names):
            path = self.path_for(iri)
            if path is None or not self.exists(iri):
                continue
            kinds = [t for t in self.types(iri) if t in KINDS]
            out.append([self.url_path(path) + "/", self.label(iri), labels.get(kinds[0], "") if kinds else "",
                        " ".join(sorted({normal(n) for n in names[iri]}))])
        return out


def _relpath(target: str, here: str) -> str:
    """``posixpath.relpath`` for clean relative paths from the site root (no ``.`` or
    ``..`` segments): a page renders hundreds of links, so this is on the hot path."""
    t = [] if target in ("", ".") else target.split("/")
    h = [] if here in ("", ".") else here.split("/")
    common = 0
    while common < min(len(t), len(h)) and t[common] == h[common]:
        common += 1
    parts = [".."] * (len(h) - common) + t[common:]
    return "/".join(parts) or "."


def class_slug(cls: str) -> str:
    """``kg-Project`` for a class IRI: a folder name for its index."""
    short = shorten(cls)
    return quote(short.replace(":", "-"), safe="-_.~") if short != cls else quote(cls, safe="")


def _document(title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif; margin: 1.5em auto; max-width: 72em; padding: 0 1em; color: #222; }}
a {{ color: #0645ad; }} h1 {{ font-size: 1.6em; }} h2 {{ font-size: 1.15em; border-bottom: 1px solid #ccc; margin-top: 1.6em; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border: 1px solid #ddd; padding: .25em .5em; text-align: left; vertical-align: top; }}
thead th {{ background: #f3f3f3; }} td.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
table.props th {{ width: 16em; font-weight: normal; background: #fafafa; }} .iri code {{ font-size: .85em; color: #555; word-break: break-all; }}
dl.facts {{ display: grid; grid-template-columns: 10em 1fr; gap: .2em 1em; }} dl.facts dt {{ color: #555; }} dl.facts dd {{ margin: 0; }}
.crumbs {{ font-size: .9em; }} ul.index {{ columns: 2; }} small {{ color: #666; }}
p.text {{ white-space: pre-wrap; max-width: 60em; }} figure.chart {{ margin: 1em 0; }} figure.chart svg {{ max-width: 100%; height: auto; }}
figcaption {{ font-size: .85em; color: #555; }} tr.flag td {{ background: #fff1dc; }} h3 {{ font-size: 1em; margin: 1em 0 .2em; }}
form.search {{ float: right; }} form.search input {{ width: 22em; }} nav.pages {{ margin: .6em 0; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""

