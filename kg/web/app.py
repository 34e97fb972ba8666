"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint and linked-data server.

* ``/sparql`` — SPARQL 1.1 Protocol: ``GET ?query=``, ``POST`` form (``query=``) or
  ``application/sparql-query`` body; ``default-graph-uri`` / ``named-graph-uri``.
  SELECT and ASK answer in JSON, XML, CSV or TSV, CONSTRUCT and DESCRIBE in Turtle,
  N-Triples, JSON-LD or RDF/XML, by ``Accept`` (or ``format=json|xml|csv|tsv|ttl|nt|jsonld|rdf``).
  Updates are refused (403): the endpoint is read-only.
* ``/id/…``, ``/def/…`` (and the same under ``/resource/``) — each resource's page: HTML
  for browsers, RDF by ``Accept`` (see :mod:`kg.web.views`); ``/class/…/`` indexes; ``/`` home;
  ``/search``, ``/queries/``; ``/void.ttl`` the dataset description. :data:`ROUTES` is the
  table of what answers which path.

The HTTP side is uvicorn (asyncio: an idle or slow connection costs a socket, not a
process); everything that touches the store runs in a :class:`~kg.web.workers.Pool` of worker processes
that keep it open (a store folder read-only in each, an in-memory graph shared by the
fork). A query that passes the time limit, or that allocates more than its worker may
(``RLIMIT_AS``), is stopped for real: the worker is killed (or dies), the client gets a
503 with the reason and a new worker takes the place. Answers are capped at
``max_results`` rows (or triples); a capped answer says so in the ``X-SPARQL-MaxRows``
header (as Virtuoso does). CORS is open (``Access-Control-Allow-Origin: *``) so browser
clients can query it. What is refused before any work: see :class:`~kg.web.sparql.Limits`
and :func:`~kg.web.sparql.check_query`.
"""

from __future__ import annotations

import asyncio
import os
from typing import Callable
from urllib.parse import parse_qs, unquote

import pyoxigraph as ox

from .site import INDEX_PAGE_SIZE, RDF_MEDIA, class_slug
from .sparql import _GRAPH_ALIASES, FORMAT_PARAM, Answer, Limits, answer_sparql, negotiate, text_answer
from .views import Pages
from .workers import Context, Pool, Request

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
        for match, view, methods in ROUTES:
            if match(path):
                if req.method not in methods:
                    return text_answer(405, "only GET here; SPARQL queries go to /sparql")
                return view(req, path, params, store, ctx)
        return text_answer(405, "only GET here; SPARQL queries go to /sparql")  # not reached: resources match all
    except Exception as exc:
        return text_answer(500, f"internal error: {type(exc).__name__}: {exc}")


def _site(ctx: Context, store: ox.Store) -> Pages:
    site = Pages(store, base=ctx.base, title=ctx.title, endpoint="/sparql")
    site.INDEX_PAGE = ctx.index_page
    return site


def _html(body: str, status: int = 200, headers: dict | None = None) -> Answer:
    return Answer(status, "text/html; charset=utf-8", body.encode("utf-8"), headers or {})


def _home(req, path, params, store, ctx) -> Answer:
    return _html(_site(ctx, store).home())


def _queries(req, path, params, store, ctx) -> Answer:
    from .query_pages import listing_page

    return _html(listing_page(ctx.title))


def _query(req, path, params, store, ctx) -> Answer:
    from .query_pages import answer

    status, media, body = answer(store, path[len("/queries/"):].strip("/"), params, ctx.title, ctx.base, ctx.own_url)
    return Answer(status, media, body)


def _search(req, path, params, store, ctx) -> Answer:
    from .search import search

    text = (params.get("q") or [""])[0][:200]
    return _html(_site(ctx, store).search_page(text, search(store, text, base=ctx.base)))


def _void(req, path, params, store, ctx) -> Answer:
    from .publish import void_turtle

    return Answer(200, "text/turtle", void_turtle(_site(ctx, store), endpoint=ctx.own_url + "sparql", dump=None))


def _class_index(req, path, params, store, ctx) -> Answer:
    site = _site(ctx, store)
    slug = path[len("/class/"):].strip("/")
    for cls, _ in site.classes():
        if class_slug(cls) == slug:
            if not path.endswith("/"):
                return Answer(301, "", b"", {"Location": path + "/"})
            try:
                page = int((params.get("page") or ["1"])[0][:9])
            except ValueError:
                return text_answer(400, "page= takes a page number")
            return _html(site.class_page(cls, page))
    return _not_found(path)


def _resource(req, path, params, store, ctx) -> Answer:
    site = _site(ctx, store)
    iri = site.iri_for(path)
    if iri is None or not site.exists(iri):
        return _not_found(path)
    fmt = (params.get("format") or [None])[0]
    wanted = FORMAT_PARAM.get(fmt.lower()) if fmt else None
    media = wanted or negotiate(req.headers.get("accept"), ["text/html", *RDF_MEDIA], _GRAPH_ALIASES)
    if media is None:
        return text_answer(406, "not acceptable: a resource answers in text/html, " + ", ".join(RDF_MEDIA))
    headers = {"Vary": "Accept"}
    if media == "text/html":
        if not path.endswith("/"):  # pages are folders: relative links need the slash
            return Answer(301, "", b"", {"Location": path + "/"})
        return _html(site.page(iri), headers=headers)
    return Answer(200, media, site.data(iri, media), headers)


def _sparql(req, path, params, store, ctx) -> Answer:
    return answer_sparql(req, params, store, ctx)


_GET, _ANY = ("GET",), ("GET", "POST")

#: what answers which path, in order: (does it match, the view, the methods it takes)
ROUTES: list[tuple[Callable[[str], bool], Callable[..., Answer], tuple[str, ...]]] = [
    (lambda p: p == "/sparql", _sparql, _ANY),                                # SPARQL 1.1 Protocol
    (lambda p: p in ("/", "/index.html"), _home, _GET),                       # the home page
    (lambda p: p in ("/queries", "/queries/"), _queries, _GET),               # the canned queries
    (lambda p: p.startswith("/queries/"), _query, _GET),                      # one canned query: form, table, CSV, JSON
    (lambda p: p in ("/search", "/search/"), _search, _GET),                  # search by name or number
    (lambda p: p == "/void.ttl", _void, _GET),                                # VoID / DCAT
    (lambda p: p.startswith("/class/"), _class_index, _GET),                  # class indexes
    (lambda p: True, _resource, _GET),                                        # /id/…, /def/…, /resource/…: a resource or 404
]


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
    from .views import not_found

    return _html(not_found(path), 404)


def serve(open_store: Callable[[], ox.Store], host: str, port: int, limits: Limits, base: str,
          title: str = "jp-spending-kg", quiet: bool = False, ready: Callable[[str], None] | None = None,
          workers: int | None = None, memory: int | None = 2 * 1024**3, index_page: int = INDEX_PAGE_SIZE,
          public_url: str | None = None) -> None:
    """Serve until interrupted (uvicorn: HTTP in one process, ``workers`` processes that keep
    the store open answer the requests). ``ready`` gets the root URL once the socket
    listens; ``memory`` is what each worker may allocate for one request (None: no limit);
    ``public_url`` is where users reach the server (behind a proxy), for the full links the
    server writes (CSV, VoID); default: the address it listens on."""
    import socket

    import uvicorn

    from .site import ontology_labels

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
    pool = Pool(open_store, ctx, workers or os.cpu_count() or 2, memory, respond)
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
