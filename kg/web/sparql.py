"""The SPARQL 1.1 Protocol of ``kg serve`` (``/sparql``): what is refused before any work
(:class:`Limits`, :func:`check_query`), content negotiation, the dataset a query runs on,
and the answers in every results format; a browser gets the query form and an HTML table
(:func:`html_results`, drawn by :func:`kg.web.views.sparql_page`).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import pyoxigraph as ox
from rdflib import Variable
from rdflib.query import Result

from ..store import to_rdflib
from .site import RDF_MEDIA

#: SELECT/ASK result media types → serializer name
RESULT_MEDIA = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
_RESULT_ALIASES = {"application/json": "application/sparql-results+json",
                   "application/xml": "application/sparql-results+xml", "text/xml": "application/sparql-results+xml"}
_GRAPH_ALIASES = {"text/plain": "application/n-triples", "application/json": "application/ld+json"}
FORMAT_PARAM = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values", "ttl": "text/turtle",
                "turtle": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
                "rdf": "application/rdf+xml", "html": "text/html"}


@dataclass
class Limits:
    timeout: float = 30.0  # seconds a query may run
    max_results: int = 10_000  # rows or triples in one answer
    max_body: int = 256 * 1024  # bytes of a request body (a query, a form)
    max_query: int = 64 * 1024  # characters of a query
    max_nesting: int = 64  # depth of brackets in a query (the parser recurses: 100,000 crashed it)
    allow_service: bool = False  # SERVICE makes the server fetch any URL (SSRF): refused unless allowed
    idle: float = 10.0  # seconds a connection may stay silent before it is closed


#: what a query's text holds that is not its structure: strings (long and short), IRIs, comments
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\s]*>"
    r"|#[^\n]*"
)
_SERVICE = re.compile(r"\bSERVICE\b", re.I)


def check_query(query: str, limits: Limits) -> Answer | None:
    """A refusal for a query the endpoint will not run, before it reaches the parser: too
    long, nested too deep, or federated (``SERVICE``) when that is not allowed."""
    if len(query) > limits.max_query:
        return text_answer(413, f"the query is {len(query):,} characters long; this endpoint takes at most {limits.max_query:,}")
    structure = _OPAQUE.sub(" ", query)
    depth = deepest = 0
    for ch in structure:
        if ch in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")}]":
            depth -= 1
    if deepest > limits.max_nesting:
        return text_answer(400, f"the query nests {deepest} brackets deep; this endpoint takes at most {limits.max_nesting}")
    if not limits.allow_service and _SERVICE.search(structure):
        return text_answer(403, "SERVICE (a federated query) is refused: this endpoint does not fetch other URLs")
    return None


def negotiate(accept: str | None, offers: list[str], aliases: dict[str, str] | None = None) -> str | None:
    """The offer the ``Accept`` header prefers (q-values, wildcards); the first offer when
    the header is absent; None when nothing offered is acceptable."""
    if not accept:
        return offers[0]
    aliases = aliases or {}
    best, best_q, best_rank = None, 0.0, 99
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media, q = fields[0].lower(), 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        media = aliases.get(media, media)
        if media == "*/*" or media.endswith("/*"):
            prefix = media[:-1]
            candidates = [o for o in offers if media == "*/*" or o.startswith(prefix)]
            rank_bonus = 0.001  # an exact type beats a wildcard of the same q
        else:
            candidates = [media] if media in offers else []
            rank_bonus = 0.002
        for c in candidates:
            score = q + rank_bonus
            if q > 0 and (score > best_q or (score == best_q and offers.index(c) < best_rank)):
                best, best_q, best_rank = c, score, offers.index(c)
    return best


# ----------------------------------------------------------------------------- answers


@dataclass
class Answer:
    status: int
    media: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def text_answer(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


#: what to do when a request meets a limit, for a client that reads text
_ADVICE = ("narrow the query (a FILTER, a smaller LIMIT or page), run it on the store without a time limit "
           "(kg query NAME -g STORE --all, or kg query --sparql '...' -g STORE), or send it to /sparql with a LIMIT")


def limit_answer(path: str, accept: str | None, heading: str, message: str, title: str = "jp-spending-kg") -> Answer:
    """A 503 that says which limit the request met and what to do instead: a page for a
    reader (a page was asked for, or a browser asked /sparql), text for a SPARQL client."""
    browser = path != "/sparql" or negotiate(accept, ["application/sparql-results+json", "text/html"]) == "text/html"
    if not browser:
        return text_answer(503, f"{message}; {_ADVICE}")
    from .views import limit_page

    return Answer(503, "text/html; charset=utf-8", limit_page(title, heading, message, path).encode("utf-8"))


def _tsv(variables: list[str], rows: list[tuple]) -> bytes:
    """SPARQL 1.1 TSV: terms in their Turtle/N-Triples form, unbound as empty."""
    out = io.StringIO()
    out.write("\t".join("?" + v for v in variables) + "\n")
    for row in rows:
        out.write("\t".join("" if t is None else str(t) for t in row) + "\n")
    return out.getvalue().encode("utf-8")


def _select_body(variables: list[str], rows: list[tuple], fmt: str) -> bytes:
    if fmt == "tsv":
        return _tsv(variables, rows)
    result = Result("SELECT")
    result.vars = [Variable(v) for v in variables]
    result.bindings = [{Variable(v): to_rdflib(t) for v, t in zip(variables, row, strict=False) if t is not None} for row in rows]
    out = io.BytesIO()
    result.serialize(out, encoding="utf-8", format=fmt)
    return out.getvalue()


def _ask_body(value: bool, fmt: str) -> bytes:
    if fmt in ("csv", "tsv"):
        return b"true\n" if value else b"false\n"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    result = Result("ASK")
    result.askAnswer = value
    out = io.BytesIO()
    result.serialize(out, encoding="utf-8", format=fmt)
    return out.getvalue()


def _dataset(default_graphs: list[str] | None, named_graphs: list[str] | None) -> dict:
    """The dataset a query runs on, as ``store.query`` takes it: the protocol's
    ``default-graph-uri``/``named-graph-uri``, else the store's default graph as the default
    graph and its named graphs as the named graphs (``GRAPH ?g``), as SPARQL defines them.
    Every graph kg serves holds the whole build in its default graph (a store folder also
    keeps each document's copy in a named graph), so reading the union instead would count
    every triple twice. ValueError for a value that is not an IRI."""
    kwargs: dict = {"default_graph": [ox.NamedNode(g) for g in default_graphs]} if default_graphs else {}
    if named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    return kwargs


def evaluate(store: ox.Store, query: str, accept: str | None, limits: Limits,
             default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
             format_param: str | None = None) -> Answer:
    """Run one query and serialise its answer (no time limit here: the :class:`Pool` stops
    a worker that passes it)."""
    try:
        kwargs = _dataset(default_graphs, named_graphs)
    except ValueError as exc:
        return text_answer(400, f"default-graph-uri / named-graph-uri is not an IRI: {exc}")
    try:
        result = store.query(query, **kwargs)
    except SyntaxError as exc:
        return text_answer(400, f"SPARQL syntax error: {exc}")
    except (ValueError, OSError, RuntimeError) as exc:
        return text_answer(400, f"query failed: {exc}")
    wanted = FORMAT_PARAM.get(format_param.lower()) if format_param else None
    cap = limits.max_results
    headers: dict[str, str] = {}
    try:
        if isinstance(result, ox.QueryTriples):
            media = wanted if wanted in RDF_MEDIA else negotiate(accept, list(RDF_MEDIA), _GRAPH_ALIASES)
            if media is None:
                return text_answer(406, "not acceptable: a graph answers in " + ", ".join(RDF_MEDIA))
            triples = []
            for t in result:
                if len(triples) == cap:
                    headers["X-SPARQL-MaxRows"] = str(cap)
                    break
                triples.append(t)
            return Answer(200, media, ox.serialize(triples, format=RDF_MEDIA[media][0]), headers)
        media = wanted if wanted in RESULT_MEDIA else negotiate(accept, list(RESULT_MEDIA), _RESULT_ALIASES)
        if media is None:
            return text_answer(406, "not acceptable: results come in " + ", ".join(RESULT_MEDIA))
        fmt = RESULT_MEDIA[media]
        if isinstance(result, ox.QueryBoolean):
            return Answer(200, media, _ask_body(bool(result), fmt))
        variables = [v.value for v in result.variables]
        rows = []
        for solution in result:
            if len(rows) == cap:
                headers["X-SPARQL-MaxRows"] = str(cap)
                break
            rows.append(tuple(solution[v] for v in variables))
        return Answer(200, media + ("; charset=utf-8" if media.startswith("text/") else ""),
                      _select_body(variables, rows, fmt), headers)
    except (SyntaxError, ValueError, OSError, RuntimeError) as exc:  # raised while iterating
        return text_answer(500, f"query evaluation failed: {exc}")



_EXAMPLE_QUERY = """PREFIX kg: <https://kg.jp-spending.example/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?project ?name WHERE { ?project a kg:Project ; rdfs:label ?name } LIMIT 20"""


def _query_form(title: str, query: str = _EXAMPLE_QUERY, **answer) -> str:
    """The SPARQL page for a browser: the query in a form, an answer under it."""
    from .views import sparql_page

    return sparql_page(title, query, **answer)


def html_results(store: ox.Store, query: str, ctx, default_graphs: list[str] | None,
                 named_graphs: list[str] | None) -> Answer:
    """A SELECT or ASK answer as an HTML table under the query form (what a browser asked
    for): our IRIs link to their pages, numbers are right-aligned."""
    try:
        result = store.query(query, **_dataset(default_graphs, named_graphs))
    except (SyntaxError, ValueError, OSError, RuntimeError) as exc:
        return Answer(400, "text/html; charset=utf-8", _query_form(ctx.title, query, error=str(exc)).encode("utf-8"))
    if isinstance(result, ox.QueryTriples):  # a graph: Turtle is its readable form
        triples = [t for _, t in zip(range(ctx.limits.max_results), result, strict=False)]
        return Answer(200, "text/turtle; charset=utf-8", ox.serialize(triples, format=ox.RdfFormat.TURTLE))
    if isinstance(result, ox.QueryBoolean):
        return Answer(200, "text/html; charset=utf-8", _query_form(ctx.title, query, ask=bool(result)).encode("utf-8"))
    variables = [v.value for v in result.variables]
    rows, capped = [], False
    for solution in result:
        if len(rows) == ctx.limits.max_results:
            capped = True
            break
        rows.append([solution[v] for v in variables])
    page = _query_form(ctx.title, query, base=ctx.base, variables=variables, rows=rows,
                       capped=ctx.limits.max_results if capped else 0)
    return Answer(200, "text/html; charset=utf-8", page.encode("utf-8"),
                  {"X-SPARQL-MaxRows": str(ctx.limits.max_results)} if capped else {})


def answer_sparql(req, params: dict[str, list[str]], store: ox.Store, ctx) -> Answer:
    """``/sparql``: a query by GET, a form POST or a body; updates refused (read-only)."""
    query = None
    if req.method == "POST":
        ctype = req.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/sparql-update":
            return text_answer(403, "this endpoint is read-only: SPARQL Update is not accepted")
        if ctype == "application/sparql-query":
            query = req.body.decode("utf-8", errors="replace")
        elif ctype in ("application/x-www-form-urlencoded", ""):
            try:
                form = parse_qs(req.body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=100)
            except ValueError as exc:
                return text_answer(400, f"bad form: {exc}")
            if "update" in form:
                return text_answer(403, "this endpoint is read-only: SPARQL Update is not accepted")
            for k, v in form.items():
                params.setdefault(k, []).extend(v)
        else:
            return text_answer(415, f"unsupported Content-Type {ctype!r}: send application/sparql-query "
                                    "or an application/x-www-form-urlencoded form with query=")
    if "update" in params:
        return text_answer(403, "this endpoint is read-only: SPARQL Update is not accepted")
    queries = params.get("query", [])
    if query is None and len(queries) > 1:
        return text_answer(400, "give one query parameter, not several")
    if query is None and queries:
        query = queries[0]
    accept = req.headers.get("accept")
    if not query:
        if negotiate(accept, ["application/sparql-results+json", "text/html"]) == "text/html":  # a browser
            return Answer(200, "text/html; charset=utf-8", _query_form(ctx.title).encode("utf-8"))
        return text_answer(400, "no query: pass query= (GET or form POST) or POST application/sparql-query")
    refused = check_query(query, ctx.limits)
    if refused is not None:
        return refused
    fmt = (params.get("format") or [None])[0]
    if (fmt or "").lower() == "html" or (
            not fmt and negotiate(accept, [*RESULT_MEDIA, "text/html"], _RESULT_ALIASES) == "text/html"):
        return html_results(store, query, ctx, params.get("default-graph-uri"), params.get("named-graph-uri"))
    return evaluate(store, query, accept, ctx.limits, params.get("default-graph-uri"), params.get("named-graph-uri"),
                    (params.get("format") or [None])[0])


