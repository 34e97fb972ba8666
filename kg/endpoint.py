"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint and linked-data server.

* ``/sparql`` — SPARQL 1.1 Protocol: ``GET ?query=``, ``POST`` form (``query=``) or
  ``application/sparql-query`` body; ``default-graph-uri`` / ``named-graph-uri``.
  SELECT and ASK answer in JSON, XML, CSV or TSV, CONSTRUCT and DESCRIBE in Turtle,
  N-Triples, JSON-LD or RDF/XML, by ``Accept`` (or ``format=json|xml|csv|tsv|ttl|nt|jsonld|rdf``).
  Updates are refused (403): the endpoint is read-only.
* ``/id/…``, ``/def/…`` (and the same under ``/resource/``) — each resource's page: HTML
  for browsers, RDF by ``Accept`` (see :mod:`kg.pages`); ``/class/…/`` indexes; ``/`` home;
  ``/void.ttl`` the dataset description.

Every request is handled in a forked child of the server (``ForkingMixIn``), so a query
that passes the time limit is stopped for real: the child answers 503 and exits, and the
query dies with it. Answers are capped at ``max_results`` rows (or triples); a capped
answer says so in the ``X-SPARQL-MaxRows`` header (as Virtuoso does). CORS is open
(``Access-Control-Allow-Origin: *``) so browser clients can query it.
"""

from __future__ import annotations

import html
import io
import json
import re
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ForkingMixIn
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit

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
    result.bindings = [{Variable(v): to_rdflib(t) for v, t in zip(variables, row) if t is not None} for row in rows]
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


def evaluate(store: ox.Store, query: str, accept: str | None, limits: Limits,
             default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
             format_param: str | None = None) -> Answer:
    """Run one query and serialise its answer (no time limit here: see :func:`with_timeout`)."""
    kwargs = {}
    try:
        if default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
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


def with_timeout(work: Callable[[], Answer], seconds: float) -> Answer:
    """``work()`` in a thread (pyoxigraph releases the GIL while it evaluates); 503 when it
    passes ``seconds``. The caller is a forked child that exits afterwards, which stops it."""
    box: list[Answer] = []
    thread = threading.Thread(target=lambda: box.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    if box:
        return box[0]
    return text_answer(503, f"query stopped: it ran longer than the endpoint's limit of {seconds:g} s")


# ----------------------------------------------------------------------------- server


class Server(ForkingMixIn, HTTPServer):
    block_on_close = False
    max_children = 64
    request_queue_size = 128  # the listen backlog (socketserver's default holds 5)

    def __init__(self, address, open_store: Callable[[], ox.Store], limits: Limits, base: str, title: str,
                 quiet: bool = False):
        self.open_store = open_store
        self.limits = limits
        self.base = base
        self.title = title
        self.quiet = quiet
        super().__init__(address, Handler)


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.0"
    server_version = "kg-serve"

    def setup(self):
        self.timeout = self.server.limits.idle  # a silent or slow client is dropped, not waited for
        super().setup()

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (TimeoutError, ConnectionError):
            self.close_connection = True

    def log_message(self, fmt, *args):  # one line per request on stderr, unless --quiet
        if not self.server.quiet:
            sys.stderr.write(f"{self.address_string()} {fmt % args}\n")

    # -- plumbing

    def _send(self, answer: Answer, head_only: bool = False) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.media)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "X-SPARQL-MaxRows, Content-Type")
        for k, v in answer.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if not head_only:
            self.wfile.write(answer.body)

    def _site(self) -> Site:
        return Site(self.server.open_store(), base=self.server.base, title=self.server.title, endpoint="/sparql")

    def do_OPTIONS(self):  # CORS preflight
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Accept, Content-Type")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):
        self._dispatch("GET", head_only=True)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method: str, head_only: bool = False) -> None:
        try:
            url = urlsplit(self.path)
            params = parse_qs(url.query, keep_blank_values=True, errors="strict", max_num_fields=100)
            unquote(url.path, errors="strict")
        except (ValueError, UnicodeDecodeError) as exc:
            self._send(text_answer(400, f"bad request URL: {exc}"), head_only)
            return
        try:
            if url.path == "/sparql":
                answer = self._sparql(method, params)
            elif method != "GET":
                answer = text_answer(405, "only GET here; SPARQL queries go to /sparql")
            else:
                answer = self._page(url.path, params)
        except BrokenPipeError:
            return
        except Exception as exc:  # noqa: BLE001 - a server answers 500 rather than dying
            answer = text_answer(500, f"internal error: {type(exc).__name__}: {exc}")
        if answer.status == 301:
            self.send_response(301)
            self.send_header("Location", answer.headers["Location"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send(answer, head_only)

    # -- SPARQL protocol

    def _sparql(self, method: str, params: dict[str, list[str]]) -> Answer:
        query = None
        limits = self.server.limits
        if method == "POST":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            raw_length = (self.headers.get("Content-Length") or "0").strip()
            if not raw_length.isdigit():
                self.close_connection = True
                return text_answer(400, f"Content-Length {raw_length[:20]!r} is not a number of bytes")
            length = int(raw_length)
            if length > limits.max_body:
                self.close_connection = True  # the body is not read
                return text_answer(413, f"the request body is {length:,} bytes; this endpoint takes at most {limits.max_body:,}")
            body = self.rfile.read(length) if length else b""
            if ctype == "application/sparql-update":
                return text_answer(403, "this endpoint is read-only: SPARQL Update is not accepted")
            if ctype == "application/sparql-query":
                query = body.decode("utf-8", errors="replace")
            elif ctype in ("application/x-www-form-urlencoded", ""):
                try:
                    form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=100)
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
        if not query:
            accept = self.headers.get("Accept")
            if negotiate(accept, ["application/sparql-results+json", "text/html"]) == "text/html":  # a browser
                return Answer(200, "text/html; charset=utf-8", _query_form(self.server.title).encode("utf-8"))
            return text_answer(400, "no query: pass query= (GET or form POST) or POST application/sparql-query")
        refused = check_query(query, limits)
        if refused is not None:
            return refused
        store = self.server.open_store()
        return with_timeout(
            lambda: evaluate(store, query, self.headers.get("Accept"), limits,
                             params.get("default-graph-uri"), params.get("named-graph-uri"),
                             (params.get("format") or [None])[0]),
            limits.timeout)

    # -- linked data

    def _page(self, path: str, params: dict[str, list[str]]) -> Answer:
        site = self._site()
        fmt = (params.get("format") or [None])[0]
        if path in ("/", "/index.html"):
            return Answer(200, "text/html; charset=utf-8", site.home().encode("utf-8"))
        if path == "/void.ttl":
            from .static_site import void_turtle

            return Answer(200, "text/turtle", void_turtle(site, endpoint=self._own_url("/sparql"), dump=None))
        if path.startswith("/class/"):
            slug = path[len("/class/"):].strip("/")
            for cls, _ in site.classes():
                if class_slug(cls) == slug:
                    if not path.endswith("/"):
                        return Answer(301, "", b"", {"Location": path + "/"})
                    return Answer(200, "text/html; charset=utf-8", site.class_page(cls).encode("utf-8"))
            return _not_found(path)
        iri = site.iri_for(path)
        if iri is None or not site.exists(iri):
            return _not_found(path)
        wanted = FORMAT_PARAM.get(fmt.lower()) if fmt else None
        media = wanted or negotiate(self.headers.get("Accept"), ["text/html", *RDF_MEDIA], _GRAPH_ALIASES)
        if media is None:
            return text_answer(406, "not acceptable: a resource answers in text/html, " + ", ".join(RDF_MEDIA))
        headers = {"Vary": "Accept"}
        if media == "text/html":
            if not path.endswith("/"):  # pages are folders: relative links need the slash
                return Answer(301, "", b"", {"Location": path + "/"})
            return Answer(200, "text/html; charset=utf-8", site.page(iri).encode("utf-8"), headers)
        return Answer(200, media, site.data(iri, media), headers)

    def _own_url(self, path: str) -> str:
        """This server's URL, from the address it listens on: the ``Host`` header is the
        client's to write and never goes into data."""
        host, port = self.server.server_address[:2]
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}{path}"


def _not_found(path: str) -> Answer:
    return Answer(404, "text/html; charset=utf-8", f"""<!DOCTYPE html><html lang="ja"><meta charset="utf-8">
<title>404 — not in this graph</title><h1>見つかりません Not found</h1>
<p><code>{html.escape(path)}</code> names no resource of this graph.</p><p><a href="/">Home</a></p></html>""".encode("utf-8"))


def _query_form(title: str) -> str:
    return f"""<!DOCTYPE html><html lang="ja"><meta charset="utf-8"><title>SPARQL — {html.escape(title)}</title>
<h1>SPARQL</h1><form method="post" action="/sparql">
<textarea name="query" rows="14" cols="100">PREFIX kg: &lt;https://kg.jp-spending.example/def/&gt;
PREFIX rdfs: &lt;http://www.w3.org/2000/01/rdf-schema#&gt;
SELECT ?project ?name WHERE {{ ?project a kg:Project ; rdfs:label ?name }} LIMIT 20</textarea><br>
<select name="format"><option>json</option><option>xml</option><option>csv</option><option>tsv</option></select>
<button type="submit">Run</button></form><p><a href="/">Home</a></p></html>"""


def serve(open_store: Callable[[], ox.Store], host: str, port: int, limits: Limits, base: str,
          title: str = "jp-spending-kg", quiet: bool = False, ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted. ``ready`` gets the root URL once the socket listens."""
    from .pages import ontology_labels

    ontology_labels()  # the ontology is read once here, not in every forked child
    server = Server((host, port), open_store, limits, base, title, quiet)
    url = f"http://{host if ':' not in host else '[' + host + ']'}:{server.server_address[1]}/"
    if ready:
        ready(url)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
