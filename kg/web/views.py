"""One view per kind of page: each reads what its page shows from the :class:`~kg.web.site.Site`
(or the store) and draws it with a template of ``kg/web/templates`` (autoescaped: no HTML is
built here). ``kg serve`` routes requests to them (:data:`kg.web.app.ROUTES`); ``kg publish``
calls them for every page it writes.

==================  ==========================  ==========================
view                template                    page
==================  ==========================  ==========================
:func:`resource_page` ``resource.html``, ``sections.html``  a resource (project, corporation, ministry, law, class, term)
:func:`class_index` ``class_index.html``        a page of a class's index
:func:`home`        ``home.html``               the home page
:func:`search_page` ``search.html``             ``/search?q=`` (served)
:func:`static_search_page` ``static_search.html`` ``search/`` (published)
:func:`sparql_page` ``sparql.html``             the SPARQL form and an answer as a table
:func:`query_list`  ``queries.html``            ``/queries/``
:func:`query_page`  ``query.html``              ``/queries/NAME``
:func:`not_found`   ``not_found.html``          404
:func:`limit_page`  ``limit.html``              503: a limit met, and what to do
==================  ==========================  ==========================
"""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
from stdnum.jp import cn as _stdnum_cn

from .. import display
from ..display import shorten
from ..iris import KG, NTA_PAGE
from ..queries import internal, plain, select
from . import charts
from .render import render, safe
from .site import MAX_INCOMING, RDF_MEDIA, RDF_TYPE, DEFAULT, Site, _relpath, class_slug, ontology_labels, page_path


class Pages(Site):
    """A :class:`~kg.web.site.Site` that draws its pages: what ``kg serve`` and ``kg publish`` use."""

    def page(self, iri: str) -> str:
        """The HTML page of a resource (the caller checks :meth:`exists`)."""
        return resource_page(self, iri)

    def class_page(self, cls: str, page: int = 1, members: list | None = None) -> str:
        """Page ``page`` (from 1) of a class's index (``?page=N`` when served; ``N/`` folders
        in a published site)."""
        return class_index(self, cls, page, members)

    def home(self, downloads: bool = False) -> str:
        """The home page; ``downloads``: with links to the dump and void.ttl (a published site)."""
        return home(self, downloads)

    def search_page(self, text: str, hits: list) -> str:
        """The answer of ``/search?q=`` (kg serve): the hits ranked, linked to their pages."""
        return search_page(self, text, hits)


def _sections():
    from .render import environment

    return environment().get_template("sections.html").module


# ----------------------------------------------------------------------------- a resource


def resource_page(site: Site, iri: str) -> str:
    """The page of a resource: its kind's sections, every statement and what points to it."""
    here = site.path_for(iri) or ""
    types = site.types(iri)
    kind = ", ".join(ontology_labels().get(t, shorten(t)) for t in types)
    title = site.label(iri)
    parts = _sections()
    sections = []
    if str(KG.Corporation) in types:
        sections.append(_corporation(site, iri, here, parts))
    if str(KG.Project) in types:
        sections.append(_project(site, iri, here, parts))
    if str(KG.Ministry) in types:
        sections.append(_listing(site, parts, "事業 Projects", select(site.store, internal("page-ministry-projects"), ministry=iri),
                                 here, [("id", "事業番号"), ("name", "事業名"), ("year", "年度")]))
    if str(KG.Law) in types:
        sections.append(_listing(site, parts, "この法令に基づく事業 Projects under this law",
                                 select(site.store, internal("page-law-projects"), law=iri),
                                 here, [("id", "事業番号"), ("name", "事業名")]))
    if site.is_class(iri):  # an ontology class: its instances are indexed
        n = sum(1 for _ in site.store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(iri), DEFAULT))
        index = _relpath(f"class/{class_slug(iri)}", site.url_path(here) if here else ".")
        sections.append(parts.instances(index, n, title))
    sections.append(_properties(site, iri, here, parts))
    sections.append(_incoming(site, iri, here, parts))
    if site.endpoint:  # served: every format, by ?format= (or by Accept)
        formats = [(f"?format={suffix}", media, suffix) for media, (_, suffix) in RDF_MEDIA.items()]
    else:  # published: the Turtle file beside the page
        formats = [("index.ttl", "text/turtle", "ttl")]
    indexed = [t for t in types if site.is_class(t)]
    return render("resource.html", title=f"{title} — {kind or 'resource'}", search_action=site.search_action(here),
                  home=_relpath(".", here or "."), site_title=site.title,
                  class_index=_relpath(f"class/{class_slug(indexed[0])}", here or ".") if indexed else None,
                  kind=kind, heading=title, iri=iri, formats=formats, sections=sections)


def _project(site: Site, iri: str, here: str, parts) -> str:
    store = site.store
    facts = select(store, internal("page-project-facts"), project=iri)
    shown = []
    for key, name in (("id", "事業番号"), ("year", "レビュー年度"), ("ministry", "府省庁"), ("bureau", "局・庁"),
                      ("policy", "政策"), ("measure", "施策")):
        values = sorted({r[key] for r in facts if key in r}, key=str)
        if values:
            shown.append((name, values))
    laws = []
    for r in select(store, internal("page-project-laws"), project=iri):
        where = "".join(f"{r[k].value}{suffix}" for k, suffix in (("article", "条"), ("paragraph", "項"), ("item", "号")) if k in r)
        text = r.get("text", ox.Literal("")).value
        laws.append((r.get("law"), (f"{text} {where}" if where else text).strip(), where))
    texts = select(store, internal("page-project-texts"), project=iri)
    said = [(key, texts[0][key].value) for key in ("purpose", "overview", "issues", "opinion") if texts and key in texts[0]]
    checks = select(store, internal("page-project-checks"), project=iri)
    budget = select(store, internal("page-project-budget"), project=iri)
    for r in budget:  # a request (要求額) is marked; an enacted budget is the plain row
        r["request"] = ox.Literal("要求" if r.get("request") is not None and r["request"].value == "true" else "")
    budget_chart = charts.budget_chart([(int(r["fy"].value), display.number(r.get("total")), display.number(r.get("executed")))
                                        for r in budget if "fy" in r and not r["request"].value])
    recipients = select(store, internal("page-project-recipients"), project=iri)
    flows = [(r["block"].value if "block" in r else "—", site.label(r["recipient"].value), display.number(r.get("amount")))
             for r in recipients]
    blocks: dict[str, Decimal] = {}
    for b, _, a in flows:
        blocks[b] = blocks.get(b, Decimal(0)) + (a or 0)
    ministry = next((site.label(r["ministry"].value) for r in facts if "ministry" in r), "")
    sankey = charts.sankey(ministry, sorted(blocks.items()), flows)
    return parts.project(site, here, shown, laws, said, checks, budget, safe(budget_chart) if budget_chart else None,
                         recipients, safe(sankey) if sankey else None)


def _corporation(site: Site, iri: str, here: str, parts) -> str:
    store = site.store
    names = select(store, internal("page-corporation-names"), corporation=iri)
    found = next(iter(store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(str(KG.corporateNumber)), None, DEFAULT)), None)
    number = found.object.value if found is not None else None
    pref = [r["name"].value for r in names if r["kind"].value.endswith("prefLabel")]
    alts = [r["name"].value for r in names if r["kind"].value.endswith("altLabel")]
    register = None
    for r in select(store, internal("page-corporation-register"), corporation=iri)[:1]:
        # what the 法人番号 register says (nothing without register files), with its file and line
        def value(key, r=r):
            return r[key].value if r.get(key) is not None else None

        register = {k: value(k) for k in ("legalName", "kind", "address", "closedOn", "reason", "successor", "source")}
        if r.get("closedOn") is not None and r.get("successor") is not None:
            register["successorName"] = (r["successorName"].value if r.get("successorName")
                                         else r["successor"].value.rsplit("/", 1)[-1])
        else:
            register["successor"] = None
    nta_page = NTA_PAGE.format(number=number) if number is not None and _stdnum_cn.is_valid(number) else None
    rows = select(store, internal("page-corporation-payments"), corporation=iri)
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
    # money paid is the 支出先 rows; multi-year contracts and 費目・使途 are shown beside it, never added
    by_year: dict[str, Decimal] = {}
    by_ministry: dict[str, Decimal] = {}
    for r in counted:
        amount = display.number(r.get("amount")) or Decimal(0)
        if "year" in r:
            by_year[r["year"].value] = by_year.get(r["year"].value, Decimal(0)) + amount
        if "ministry" in r:
            name = site.label(r["ministry"].value)
            by_ministry[name] = by_ministry.get(name, Decimal(0)) + amount
    pictures = [charts.bars(sorted(by_year.items()), "支出額（シート年度別） Paid per sheet year"),
                charts.bars(sorted(by_ministry.items(), key=lambda kv: -kv[1])[:15], "支出額（府省庁別） Paid per ministry",
                            horizontal=True) if len(by_ministry) > 1 else ""]
    contracts = select(store, internal("page-corporation-contracts"), corporation=iri)
    items = select(store, internal("page-corporation-items"), corporation=iri)
    return parts.corporation(site, here, number, pref[0] if pref else None, alts, register, nta_page, display.yen(total),
                             len(rows), len({r["project"].value for r in rows}), aside,
                             [safe(p) for p in pictures if p], rows, contracts, items)


def _listing(site: Site, parts, heading: str, rows: list[dict], here: str, columns) -> str:
    for r in rows:  # the first column links to the row's resource
        if "x" in r:
            r[columns[0][0]] = (r["x"], r.get(columns[0][0]))
    from .render import environment

    return environment().get_template("macros.html").module.table(site, heading, rows, columns, here)


def _properties(site: Site, iri: str, here: str, parts) -> str:
    quads = sorted(site.about(iri), key=lambda q: (q.predicate.value != RDF_TYPE.value, q.predicate.value, str(q.object)))
    statements = []
    for q in quads:
        p = q.predicate.value
        name = ontology_labels().get(p) or shorten(p)
        href = site.href(p, here) if p.startswith(str(KG)) else None
        statements.append((p, name, href, q.object, getattr(q.object, "language", None)))
    return parts.properties(site, here, statements)


def _incoming(site: Site, iri: str, here: str, parts) -> str:
    node = ox.NamedNode(iri)
    quads = []
    count = 0
    for q in site.store.quads_for_pattern(None, None, node, DEFAULT):
        count += 1
        if len(quads) < MAX_INCOMING * 4:
            quads.append(q)
    quads.sort(key=lambda q: (q.predicate.value, str(q.subject)))
    links = [(q.subject, ontology_labels().get(q.predicate.value) or shorten(q.predicate.value)) for q in quads[:MAX_INCOMING]]
    return parts.incoming(site, here, links, count, count - MAX_INCOMING if count > MAX_INCOMING else 0)


# ----------------------------------------------------------------------------- indexes, home, search


def class_index(site: Site, cls: str, page: int = 1, members: list | None = None) -> str:
    """Page ``page`` (from 1) of a class's index: its count, the members in index order with
    their amount where there is one, and links to the other pages (``?page=N`` when served;
    ``N/`` folders in a published site)."""
    slug = class_slug(cls)
    size = site.INDEX_PAGE
    if members is None and site.ranked(cls):  # a large class of a store: its page is looked up by position
        total = site.class_size(cls)
        pages = max(1, -(-total // size))
        page = min(max(page, 1), pages)
        chunk = site.ranked_members(cls, (page - 1) * size + 1, min(page * size, total))
        with_amounts = any(a is not None for _, a in site.ranked_members(cls, 1, 1))  # the largest first
    else:
        members = site.members(cls) if members is None else members
        total, pages = len(members), site.index_pages(members)
        page = min(max(page, 1), pages)
        chunk = members[(page - 1) * size: page * size]
        with_amounts = any(a is not None for _, a in members)
    here = f"class/{slug}" if page == 1 or site.endpoint else f"class/{slug}/{page}"
    name = ontology_labels().get(cls, shorten(cls))
    first = (page - 1) * size + 1
    span = f"{first:,}–{first + len(chunk) - 1:,} of {total:,}" if total else "none"

    def href(n: int) -> str:
        if site.endpoint:
            return f"?page={n}"
        return _relpath(f"class/{slug}" if n == 1 else f"class/{slug}/{n}", here) + "/"

    nav, prev, nxt = [], None, None
    if pages > 1:
        last = 0
        for n in sorted({1, pages, *range(max(1, page - 3), min(pages, page + 3) + 1)}):
            if n > last + 1:
                nav.append((None, None))
            nav.append((n, None if n == page else href(n)))
            last = n
        prev = href(page - 1) if page > 1 else None
        nxt = href(page + 1) if page < pages else None
    return render("class_index.html", title=f"{name} — {site.title}" + (f" ({page})" if page > 1 else ""),
                  search_action=site.search_action(here), home=_relpath(".", here), site_title=site.title, name=name,
                  total=total, cls=cls, span=span, with_amounts=with_amounts, nav=nav, page=page, prev=prev,
                  next=nxt, site=site, here=here, members=[(m, site.label(m), amount) for m, amount in chunk])


def home(site: Site, downloads: bool = False) -> str:
    """The home page: the endpoint when served, the downloads when published, the index by class."""
    classes = [(class_slug(c), ontology_labels().get(c, shorten(c)), shorten(c), n) for c, n in site.classes()]
    return render("home.html", title=site.title, search_action=site.search_action(""), site_title=site.title,
                  endpoint=site.endpoint, downloads=downloads, classes=classes)


def search_page(site: Site, text: str, hits: list) -> str:
    """The answer of ``/search?q=`` (kg serve): the hits ranked, linked to their pages."""
    shown = []
    for h in hits:
        name = site.label(h.iri)
        kind = ", ".join(ontology_labels().get(t, shorten(t)) for t in site.types(h.iri) if t.startswith(str(KG)))
        shown.append((h.iri, name, h.label if h.label and h.label != name else "", kind))
    return render("search.html", title=f"検索 {text} — {site.title}", search_action=site.search_action(""), text=text,
                  site_title=site.title, hits=shown, site=site)


def static_search_page(site: Site) -> str:
    """The published site's search: ``index.json`` searched in the browser."""
    return render("static_search.html", title=f"検索 Search — {site.title}", site_title=site.title)


def not_found(path: str) -> str:
    return render("not_found.html", path=path)


def limit_page(title: str, heading: str, message: str, path: str) -> str:
    """What a reader sees when a request met a limit of the server: which, and what to do."""
    return render("limit.html", title=f"{heading} — {title}", site_title=title, heading=heading, message=message,
                  path=path)


# ----------------------------------------------------------------------------- SPARQL and canned queries


def sparql_page(title: str, query: str, base: str = "", error: str | None = None, ask: bool | None = None,
                variables: list[str] | None = None, rows: list | None = None, capped: int = 0) -> str:
    """The SPARQL form, with an answer under it: an error, an ASK's truth, or a table."""
    cells = [[cell_parts(t, base) for t in row] for row in rows or []]
    return render("sparql.html", title=f"SPARQL — {title}", site_title=title, query=query, error=error,
                  ask=ask, variables=variables, rows=cells, capped=capped)


def query_list(title: str, queries: dict) -> str:
    return render("queries.html", title=f"Queries — {title}", site_title=title, queries=list(queries.items()))


def query_page(title: str, query, values: dict, result, error: str | None, linker, downloads: list[str],
               prev: str | None, next: str | None, span: str, labels: dict) -> str:
    cells = [] if result is None else [[cell_parts(t, linker.base, c, href=linker.path(t, c))
                                          for t, c in zip(row, result.columns, strict=False)] for row in result.rows]
    return render("query.html", title=f"{query.title} — {title}", site_title=title, query=query, values=values,
                  result=result, cells=cells, error=error, downloads=downloads, prev=prev, next=next, span=span,
                  labels=labels)


# ----------------------------------------------------------------------------- cells of an answer


class CellParts:
    """What a cell of an answer shows (``kg/web/templates/answer.html`` draws it): a link
    (``href``, ``text``), a number (``n``, ``shown``) or text."""

    def __init__(self, text: str = "", href: str | None = None, n=None, shown: str | None = None):
        self.text, self.href, self.n, self.shown = text, href, n, shown


def cell_parts(t, base: str, column: str = "", href: str | None = None) -> CellParts | None:
    """A term of an answer for its cell: our IRIs linked to their pages (``/id/…``), other
    terms to ``href`` when given, numbers with thousands separators (not years, ranks or
    article numbers)."""
    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return CellParts(t.value, page_path(t.value, base))
    if href:
        return CellParts(plain(t), href)
    if isinstance(t, ox.Literal) and t.datatype.value.rsplit("#", 1)[-1] in ("integer", "decimal", "double"):
        n = display.number(t)
        if n is not None:
            shown = str(n) if "Year" in column or column in ("rank", "article", "paragraph", "item") else f"{n:,}"
            return CellParts(n=n, shown=shown)
    return CellParts(plain(t))
