"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint and linked-data server.

* ``/sparql`` — SPARQL 1.1 Protocol: ``GET ?query=``, ``POST`` form (``query=``) or
  ``application/sparql-query`` body; ``default-graph-uri`` / ``named-graph-uri``.
  SELECT and ASK answer in JSON, XML, CSV or TSV, CONSTRUCT and DESCRIBE in Turtle,
  N-Triples, JSON-LD or RDF/XML, by ``Accept`` (or ``format=json|xml|csv|tsv|ttl|nt|jsonld|rdf``).
  Updates are refused (403): the endpoint is read-only.
* ``/id/…``, ``/def/…`` (and the same under ``/resource/``) — each resource's page: HTML
  for browsers, RDF by ``Accept`` (see :mod:`kg.pages`); ``/class/…/`` indexes; ``/`` home;
  ``/void.ttl`` the dataset description.

The HTTP side is uvicorn (asyncio: an idle or slow connection costs a socket, not a
process); everything that touches the store runs in a :class:`Pool` of worker processes
that keep it open (a store folder read-only in each, an in-memory graph shared by the
fork). A query that passes the time limit, or that allocates more than its worker may
(``RLIMIT_AS``), is stopped for real: the worker is killed (or dies), the client gets a
503 with the reason and a new worker takes the place. Answers are capped at
``max_results`` rows (or triples); a capped answer says so in the ``X-SPARQL-MaxRows``
header (as Virtuoso does). CORS is open (``Access-Control-Allow-Origin: *``) so browser
clients can query it. What is refused before any work: see :class:`Limits` and
:func:`check_query`.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import os
import re
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs, unquote

import pyoxigraph as ox
from rdflib import Variable
from rdflib.query import Result

from .pages import RDF_MEDIA, Site, class_slug
from .store import to_rdflib

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


# ----------------------------------------------------------------------------- requests


@dataclass
class Request:
    """What a worker needs of an HTTP request (the body already read and within limits)."""

    method: str
    path: str  # percent-encoded, as sent
    query_string: str
    headers: dict[str, str]  # names in lower case
    body: bytes = b""


@dataclass
class Context:
    """What every answer of one server shares."""

    limits: Limits
    base: str
    title: str
    own_url: str  # this server's public root: --public-url, else the address it listens on (never the Host header)
    index_page: int = 500  # instances on one page of a class index


def respond(req: Request, store: ox.Store, ctx: Context) -> Answer:
    """The answer to one request (run in a worker process, which the pool stops at the
    time limit); never raises."""
    try:
        path = req.path
        unquote(path, errors="strict")
        params = parse_qs(req.query_string, keep_blank_values=True, errors="strict", max_num_fields=100)
    except (ValueError, UnicodeDecodeError) as exc:
        return text_answer(400, f"bad request URL: {exc}")
    try:
        if path == "/sparql":
            return _sparql(req, params, store, ctx)
        if req.method != "GET":
            return text_answer(405, "only GET here; SPARQL queries go to /sparql")
        return _page(req, path, params, store, ctx)
    except Exception as exc:
        return text_answer(500, f"internal error: {type(exc).__name__}: {exc}")


def _sparql(req: Request, params: dict[str, list[str]], store: ox.Store, ctx: Context) -> Answer:
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


def _page(req: Request, path: str, params: dict[str, list[str]], store: ox.Store, ctx: Context) -> Answer:
    site = Site(store, base=ctx.base, title=ctx.title, endpoint="/sparql")
    site.INDEX_PAGE = ctx.index_page
    fmt = (params.get("format") or [None])[0]
    if path in ("/", "/index.html"):
        return Answer(200, "text/html; charset=utf-8", site.home().encode("utf-8"))
    if path in ("/queries", "/queries/"):
        from .query_pages import listing_page

        return Answer(200, "text/html; charset=utf-8", listing_page(ctx.title).encode("utf-8"))
    if path.startswith("/queries/"):
        from .query_pages import answer

        status, media, body = answer(store, path[len("/queries/"):].strip("/"), params, ctx.title, ctx.base, ctx.own_url)
        return Answer(status, media, body)
    if path in ("/search", "/search/"):
        from .search import search

        text = (params.get("q") or [""])[0][:200]
        return Answer(200, "text/html; charset=utf-8", site.search_page(text, search(store, text)).encode("utf-8"))
    if path == "/void.ttl":
        from .static_site import void_turtle

        return Answer(200, "text/turtle", void_turtle(site, endpoint=ctx.own_url + "sparql", dump=None))
    if path.startswith("/class/"):
        slug = path[len("/class/"):].strip("/")
        for cls, _ in site.classes():
            if class_slug(cls) == slug:
                if not path.endswith("/"):
                    return Answer(301, "", b"", {"Location": path + "/"})
                try:
                    page = int((params.get("page") or ["1"])[0][:9])
                except ValueError:
                    return text_answer(400, "page= takes a page number")
                return Answer(200, "text/html; charset=utf-8", site.class_page(cls, page).encode("utf-8"))
        return _not_found(path)
    iri = site.iri_for(path)
    if iri is None or not site.exists(iri):
        return _not_found(path)
    wanted = FORMAT_PARAM.get(fmt.lower()) if fmt else None
    media = wanted or negotiate(req.headers.get("accept"), ["text/html", *RDF_MEDIA], _GRAPH_ALIASES)
    if media is None:
        return text_answer(406, "not acceptable: a resource answers in text/html, " + ", ".join(RDF_MEDIA))
    headers = {"Vary": "Accept"}
    if media == "text/html":
        if not path.endswith("/"):  # pages are folders: relative links need the slash
            return Answer(301, "", b"", {"Location": path + "/"})
        return Answer(200, "text/html; charset=utf-8", site.page(iri).encode("utf-8"), headers)
    return Answer(200, media, site.data(iri, media), headers)


# ----------------------------------------------------------------------------- workers


def _work(conn, open_store: Callable[[], ox.Store], ctx: Context, memory: int | None) -> None:
    """A worker process: the store opened once, then one request at a time from ``conn``."""
    import resource
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    store = open_store()
    bool(store.query("ASK { ?s ?p ?o }"))  # the first query of a process pays a warm-up: not a client's
    if memory:
        used = _address_space()
        resource.setrlimit(resource.RLIMIT_AS, (used + memory, used + memory))
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(respond(req, store, ctx))


def _address_space() -> int:
    try:
        for line in open("/proc/self/status", encoding="ascii"):
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Pool:
    """Worker processes that keep the store open and answer requests one at a time each. A
    request that passes the time limit, or a worker that dies (past its memory limit), gets
    a 503 and the worker is replaced: the query is stopped for real, the others go on."""

    def __init__(self, open_store: Callable[[], ox.Store], ctx: Context, size: int, memory: int | None):
        import multiprocessing

        self._mp = multiprocessing.get_context("fork")  # the workers share an in-memory store
        self.open_store, self.ctx, self.size, self.memory = open_store, ctx, size, memory
        self.idle: asyncio.Queue | None = None
        self.workers: list = []

    def _spawn(self):
        parent, child = self._mp.Pipe()
        proc = self._mp.Process(target=_work, args=(child, self.open_store, self.ctx, self.memory), daemon=True)
        proc.start()
        child.close()
        self.workers.append(proc)
        return proc, parent

    def start(self) -> None:
        self.idle = asyncio.Queue()
        for _ in range(self.size):
            self.idle.put_nowait(self._spawn())

    def _replace(self, worker) -> None:
        proc, conn = worker
        proc.kill()
        proc.join(5)
        conn.close()
        self.workers.remove(proc)
        self.idle.put_nowait(self._spawn())

    async def run(self, req: Request) -> Answer:
        """The answer within the time limit, the wait for a free worker included."""
        limit = self.ctx.limits.timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        try:
            worker = await asyncio.wait_for(self.idle.get(), limit)
        except asyncio.TimeoutError:
            return text_answer(503, f"busy: no worker was free within the endpoint's limit of {limit:g} s; try again")
        proc, conn = worker
        fd = conn.fileno()
        ready = loop.create_future()
        try:
            os.set_blocking(fd, True)  # uvloop leaves a polled descriptor non-blocking: a long message would stop half-way
            conn.send(req)
            loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
            await asyncio.wait_for(ready, max(deadline - loop.time(), 0.001))
            loop.remove_reader(fd)
            os.set_blocking(fd, True)
            answer = conn.recv()
        except asyncio.TimeoutError:
            loop.remove_reader(conn.fileno())
            self._replace(worker)
            return text_answer(503, f"query stopped: it ran longer than the endpoint's limit of {self.ctx.limits.timeout:g} s")
        except (EOFError, OSError):
            loop.remove_reader(conn.fileno())
            self._replace(worker)
            return text_answer(503, "query stopped: it needed more memory than the endpoint allows each request")
        except BaseException:  # the client went away mid-query: the worker may still be busy
            loop.remove_reader(conn.fileno())
            self._replace(worker)
            raise
        loop.remove_reader(conn.fileno())
        self.idle.put_nowait(worker)
        return answer

    def close(self) -> None:
        for proc in self.workers:
            proc.kill()


# ----------------------------------------------------------------------------- HTTP


_CORS = [(b"access-control-allow-origin", b"*"),
         (b"access-control-expose-headers", b"X-SPARQL-MaxRows, Content-Type")]


class App:
    """The ASGI application: HTTP in the server process (limits on what is read, CORS),
    everything that touches the store in the :class:`Pool`."""

    def __init__(self, pool: Pool, limits: Limits):
        self.pool, self.limits = pool, limits

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self.pool.start()
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.pool.close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        method = scope["method"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if method == "OPTIONS":  # CORS preflight
            await self._send(send, Answer(204, "", b"", {
                "Access-Control-Allow-Methods": "GET, POST, HEAD, OPTIONS",
                "Access-Control-Allow-Headers": "Accept, Content-Type", "Access-Control-Max-Age": "86400"}))
            return
        if method not in ("GET", "HEAD", "POST"):
            await self._send(send, text_answer(405, "only GET, HEAD, POST and OPTIONS"))
            return
        body = b""
        if method == "POST":
            raw_length = headers.get("content-length", "0").strip()
            if not raw_length.isdigit():
                await self._send(send, text_answer(411 if "transfer-encoding" in headers else 400,
                                                   f"Content-Length {raw_length[:20]!r} is not a number of bytes"))
                return
            if int(raw_length) > self.limits.max_body:
                await self._send(send, text_answer(
                    413, f"the request body is {int(raw_length):,} bytes; this endpoint takes at most {self.limits.max_body:,}"))
                return
            try:
                body = await asyncio.wait_for(self._body(receive), self.limits.idle)
            except asyncio.TimeoutError:
                await self._send(send, text_answer(408, f"the request body did not arrive within {self.limits.idle:g} s"))
                return
            if body is None:
                await self._send(send, text_answer(413, f"the request body is over {self.limits.max_body:,} bytes"))
                return
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        req = Request(method if method != "HEAD" else "GET", raw_path.decode("latin-1").split("?", 1)[0],
                      scope.get("query_string", b"").decode("latin-1"),
                      {k: v for k, v in headers.items() if k in ("accept", "content-type")}, body)
        answer = await self.pool.run(req)
        await self._send(send, answer, head_only=method == "HEAD")

    async def _body(self, receive) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    @staticmethod
    async def _send(send, answer: Answer, head_only: bool = False) -> None:
        headers = list(_CORS)
        if answer.media:
            headers.append((b"content-type", answer.media.encode("latin-1")))
        headers.append((b"content-length", str(len(answer.body)).encode()))
        for k, v in answer.headers.items():
            headers.append((k.lower().encode("latin-1"), v.encode("latin-1")))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head_only else answer.body})


def _not_found(path: str) -> Answer:
    return Answer(404, "text/html; charset=utf-8", f"""<!DOCTYPE html><html lang="ja"><meta charset="utf-8">
<title>404 — not in this graph</title><h1>見つかりません Not found</h1>
<p><code>{html.escape(path)}</code> names no resource of this graph.</p><p><a href="/">Home</a></p></html>""".encode("utf-8"))


_EXAMPLE_QUERY = """PREFIX kg: <https://kg.jp-spending.example/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?project ?name WHERE { ?project a kg:Project ; rdfs:label ?name } LIMIT 20"""


def _query_form(title: str, query: str = _EXAMPLE_QUERY, answer: str = "") -> str:
    """The SPARQL page for a browser: the query in a form (again under its answer, to edit
    and run once more), answering an HTML table by default."""
    from .pages import _document

    options = "".join(f"<option{' selected' if f == 'html' else ''}>{f}</option>"
                      for f in ("html", "json", "xml", "csv", "tsv"))
    return _document(f"SPARQL — {title}", f"""<nav class="crumbs"><a href="/">{html.escape(title)}</a></nav>
<h1>SPARQL</h1>
<form method="post" action="/sparql" class="sparql">
<textarea name="query" rows="12" style="width:100%;font-family:monospace">{html.escape(query)}</textarea><br>
answer as <select name="format">{options}</select> <button type="submit">Run 実行</button>
<small>read-only; SELECT and ASK as a table, CONSTRUCT and DESCRIBE as Turtle</small></form>
{answer}""")


def html_results(store: ox.Store, query: str, ctx: Context, default_graphs: list[str] | None,
                 named_graphs: list[str] | None) -> Answer:
    """A SELECT or ASK answer as an HTML table under the query form (what a browser asked
    for): our IRIs link to their pages, numbers are right-aligned."""
    try:
        result = store.query(query, **_dataset(default_graphs, named_graphs))
    except (SyntaxError, ValueError, OSError, RuntimeError) as exc:
        return Answer(400, "text/html; charset=utf-8", _query_form(ctx.title, query, f'<p class="error">{html.escape(str(exc))}</p>').encode("utf-8"))
    if isinstance(result, ox.QueryTriples):  # a graph: Turtle is its readable form
        triples = [t for _, t in zip(range(ctx.limits.max_results), result, strict=False)]
        return Answer(200, "text/turtle; charset=utf-8", ox.serialize(triples, format=ox.RdfFormat.TURTLE))
    if isinstance(result, ox.QueryBoolean):
        answer = f"<p>ASK: <b>{'true' if bool(result) else 'false'}</b></p>"
        return Answer(200, "text/html; charset=utf-8", _query_form(ctx.title, query, answer).encode("utf-8"))
    variables = [v.value for v in result.variables]
    rows, capped = [], False
    for solution in result:
        if len(rows) == ctx.limits.max_results:
            capped = True
            break
        rows.append([solution[v] for v in variables])

    head = "".join(f"<th>{html.escape(v)}</th>" for v in variables)
    from .query_pages import html_cell

    body = "".join("<tr>" + "".join(html_cell(t, ctx.base, sort_key=False) for t in row) + "</tr>" for row in rows)
    note = f" (cut at {ctx.limits.max_results:,})" if capped else ""
    answer = f"<p>{len(rows):,} rows{note}</p><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return Answer(200, "text/html; charset=utf-8", _query_form(ctx.title, query, answer).encode("utf-8"),
                  {"X-SPARQL-MaxRows": str(ctx.limits.max_results)} if capped else {})


def serve(open_store: Callable[[], ox.Store], host: str, port: int, limits: Limits, base: str,
          title: str = "jp-spending-kg", quiet: bool = False, ready: Callable[[str], None] | None = None,
          workers: int | None = None, memory: int | None = 2 * 1024**3, index_page: int = 500,
          public_url: str | None = None) -> None:
    """Serve until interrupted (uvicorn: HTTP in one process, ``workers`` processes that keep
    the store open answer the requests). ``ready`` gets the root URL once the socket
    listens; ``memory`` is what each worker may allocate for one request (None: no limit);
    ``public_url`` is where users reach the server (behind a proxy), for the full links the
    server writes (CSV, VoID); default: the address it listens on."""
    import socket

    import uvicorn

    from .pages import ontology_labels

    ontology_labels()  # the ontology is read once here, not in every worker
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(1024)
    bound = sock.getsockname()[1]
    url = f"http://{host if ':' not in host else '[' + host + ']'}:{bound}/"
    ctx = Context(limits, base, title, public_url or url, index_page)
    pool = Pool(open_store, ctx, workers or os.cpu_count() or 2, memory)
    config = uvicorn.Config(App(pool, limits), log_level="warning" if quiet else "info", access_log=not quiet,
                            timeout_keep_alive=int(limits.idle), lifespan="on", backlog=1024,
                            limit_concurrency=4096, server_header=False)
    server = uvicorn.Server(config)
    if ready:
        ready(url)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        pool.close()
        sock.close()
