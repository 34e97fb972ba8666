"""Remote SPARQL servers: canned queries through SPARQLWrapper (``kg query --endpoint``)
and uploads through the SPARQL 1.1 Graph Store HTTP Protocol (``kg push``).

A push never leaves a partial graph behind. With a SPARQL Update endpoint (given, or
``…/update`` beside an Oxigraph ``…/store``) the data goes first into a fresh temporary
graph and then replaces the target with one ``MOVE`` — a single update, which a SPARQL 1.1
store applies whole or not at all — and a failed upload drops the temporary graph. With a
Graph Store endpoint only, the target is replaced by one ``PUT`` (atomic only where the
server applies a request in one transaction; the command says so). Transient failures
(connection errors, 429, 5xx) are retried with exponential backoff.
"""

from __future__ import annotations

import sys
import time
import uuid
from decimal import Decimal, InvalidOperation
from dataclasses import dataclass
from typing import Callable
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlsplit, urlunsplit

import pyoxigraph as ox

from .iris import XSD
from .queries import CannedQuery, Page, QueryError, QueryResult, bindings, query_text, without_comments
from .auth import Credentials, redact, scheme_of, session
from .errors import RemoteError  # raised here; every error class lives in kg/errors.py

TRANSIENT = {408, 425, 429, 500, 502, 503, 504}


# ----------------------------------------------------------------------------- queries


def _term(binding: dict | None):
    """A SPARQL 1.1 JSON results term as a pyoxigraph term."""
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if "xml:lang" in binding:
        return ox.Literal(value, language=binding["xml:lang"])
    datatype = binding.get("datatype", str(XSD.string))
    if datatype == BOOLEAN:  # Virtuoso writes an xsd:boolean as 1 or 0
        value = {"1": "true", "0": "false"}.get(value.strip(), value.strip())
    elif datatype == DECIMAL:  # exact, in the canonical form the embedded store writes
        value = canonical_decimal(value)
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


BOOLEAN, DECIMAL = str(XSD.boolean), str(XSD.decimal)


def canonical_decimal(value: str) -> str:
    """An xsd:decimal's lexical form as Oxigraph writes it (``1.50`` → ``1.5``, ``2.0`` → ``2``),
    read exactly (no float); a form that is not a decimal is returned as it is."""
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return value
    if not number.is_finite():
        return value
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def run_remote(endpoint: str, query: CannedQuery, values: dict[str, str] | None = None,
               page: Page | None = None, timeout: float = 60.0, graph: str | None = None,
               credentials: Credentials | None = None) -> QueryResult:
    """A canned query on any SPARQL 1.1 endpoint: the same text (parameters bound by VALUES)
    as on the embedded store, so the same answers, read typed whatever the engine writes
    (Virtuoso's booleans 1/0 as true/false, decimals in canonical form). ``graph``: the named
    graph the data was pushed into (sent as the protocol's ``default-graph-uri``);
    ``credentials`` (:func:`kg.auth.resolve`): sent as Basic or Digest, as the server asks."""
    from SPARQLWrapper import BASIC, DIGEST, JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    page = Page() if page is None else page
    params = bindings(query, values)
    client = SPARQLWrapper(endpoint, agent="jp-spending-kg")
    if credentials is not None:  # SPARQLWrapper sends one scheme: ask the server which
        scheme = challenge_scheme(endpoint, timeout) or "basic"
        client.setHTTPAuth(DIGEST if scheme == "digest" else BASIC)
        client.setCredentials(credentials.user, credentials.password)
    # comments left out: SPARQLWrapper guesses the query form from the first keyword in the
    # text, and a comment saying "move" made it send a SELECT as an update
    client.setQuery(without_comments(query_text(query, params, page)))
    client.setMethod(POST)  # canned queries are long
    if graph:
        client.addDefaultGraph(graph)
    client.setReturnFormat(JSON)
    client.setTimeout(int(timeout))
    try:
        data = client.queryAndConvert()
    except SPARQLWrapperException as exc:
        hint = _auth_hint(401, credentials) if type(exc).__name__ == "Unauthorized" else ""
        raise RemoteError(f"{redact(endpoint)}: the endpoint refused {query.name}: {str(exc).strip()}{hint}") from exc
    except HTTPError as exc:
        raise RemoteError(f"{redact(endpoint)}: HTTP {exc.code} {exc.reason} for {query.name}"
                          + _auth_hint(exc.code, credentials)) from exc
    except (URLError, OSError) as exc:
        raise RemoteError(f"{redact(endpoint)}: cannot reach the endpoint: {getattr(exc, 'reason', exc)}") from exc
    if not isinstance(data, dict) or "results" not in data:
        raise QueryError(f"{redact(endpoint)}: not a SPARQL JSON results document for {query.name}")
    columns = query.output_columns
    rows = [tuple(_term(b.get(c)) for c in columns) for b in data["results"]["bindings"]]
    return QueryResult(query, params, columns, rows, page)


def challenge_scheme(url: str, timeout: float = 60.0) -> str | None:
    """``basic`` or ``digest``: what ``url`` asks for in its ``WWW-Authenticate`` (None when
    it asks for nothing)."""
    import requests

    try:
        answer = requests.get(url, params={"query": "ASK {}"}, timeout=timeout,
                              headers={"User-Agent": "jp-spending-kg", "Accept": "application/sparql-results+json"})
    except requests.RequestException as exc:
        raise RemoteError(f"{redact(url)}: cannot reach the endpoint: {exc.__class__.__name__}") from None
    return scheme_of(answer.headers.get("WWW-Authenticate", "")) if answer.status_code == 401 else None


def _auth_hint(status: int, credentials: Credentials | None) -> str:
    if status == 401:
        return (f" (the server refused the password of {credentials})" if credentials is not None else
                " (the server asks for credentials: give --user NAME, or an entry for its host in ~/.netrc)")
    if status == 403 and credentials is not None:
        return f" ({credentials.user} may not do this on the server)"
    return ""


# ----------------------------------------------------------------------------- Graph Store Protocol


@dataclass
class Retry:
    attempts: int = 5  # tries per request, the first included
    backoff: float = 1.0  # seconds before the second try; doubled each time
    sleep: Callable[[float], None] = time.sleep


def _request(method: str, url: str, body: bytes | None, headers: dict[str, str], retry: Retry,
             log: Callable[[str], None], timeout: float, http=None) -> int:
    """One HTTP request through ``http`` (a :func:`kg.auth.session`, which keeps connections
    open and answers the server's challenge) with retries on transient failures; the final
    status, or RemoteError with the server's own message (never a password)."""
    import requests

    http = http if http is not None else session(None)
    delay = retry.backoff
    for attempt in range(1, retry.attempts + 1):
        try:
            resp = http.request(method, url, data=body, headers=headers, timeout=timeout)
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            problem = _reason(exc)
        else:
            if resp.status_code < 400:
                return resp.status_code
            detail = resp.text.strip()[:500]
            creds = getattr(http.auth, "creds", None)
            if resp.status_code not in TRANSIENT:
                raise RemoteError(f"{method} {redact(url)}: HTTP {resp.status_code} {resp.reason}"
                                  + _auth_hint(resp.status_code, creds) + (f": {detail}" if detail else ""))
            problem = f"HTTP {resp.status_code} {resp.reason}"
            wait = resp.headers.get("Retry-After")
            if wait and wait.isdigit():
                delay = max(delay, float(wait))
        if attempt == retry.attempts:
            raise RemoteError(f"{method} {redact(url)}: {problem}; gave up after {retry.attempts} tries")
        log(f"{method} {redact(url)}: {problem}; try {attempt + 1} of {retry.attempts} in {delay:g} s")
        retry.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def _reason(exc: Exception) -> str:
    """A connection error in a few words (requests nests urllib3's reasons several deep)."""
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out", "Connection reset",
                   "Remote end closed connection", "Connection aborted"):
        if marker in text:
            return marker[0].lower() + marker[1:]
    return exc.__class__.__name__


def _select(query_url: str, text: str, http=None, timeout: float = 600.0) -> dict:
    """A query of the program's own (what a graph holds) through ``http``: the JSON results."""
    import requests

    http = http if http is not None else session(None)
    try:
        resp = http.get(query_url, params={"query": text}, timeout=timeout,  # short: GET, as SPARQLWrapper
                        headers={"Accept": "application/sparql-results+json"})
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise RemoteError(f"{redact(query_url)}: cannot reach the endpoint: {_reason(exc)}") from None
    if resp.status_code >= 400:
        raise RemoteError(f"{redact(query_url)}: HTTP {resp.status_code} {resp.reason}"
                          + _auth_hint(resp.status_code, getattr(http.auth, "creds", None)) + f": {resp.text.strip()[:300]}")
    try:
        return resp.json()
    except ValueError:
        raise RemoteError(f"{redact(query_url)}: not a SPARQL JSON results document") from None


def _graph_url(store_url: str, graph: str | None) -> str:
    parts = urlsplit(store_url)
    query = "default" if graph is None else "graph=" + quote(graph, safe="")
    query = f"{parts.query}&{query}" if parts.query else query
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _beside(store_url: str, name: str) -> str | None:
    """``…/NAME`` beside an Oxigraph-style ``…/store``; None for other servers."""
    parts = urlsplit(store_url)
    if parts.path.rstrip("/").endswith("/store"):
        path = parts.path.rstrip("/")[: -len("store")] + name
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return None


def update_endpoint_for(store_url: str) -> str | None:
    """``…/update`` beside an Oxigraph-style ``…/store``; None otherwise."""
    return _beside(store_url, "update")


#: the names of the temporary graphs a push uploads into (so that cleanup() finds leftovers)
TEMP_PREFIX = "urn:jp-spending-kg:push:"


def cleanup(store_url: str, update_url: str | None = None, log: Callable[[str], None] = lambda m: None,
            retry: Retry | None = None, timeout: float = 600.0, credentials: Credentials | None = None,
            query_url: str | None = None) -> list[str]:
    """Drop the temporary graphs that failed pushes left on a server (``kg push --cleanup``):
    those named ``urn:jp-spending-kg:push:…``; returns their names."""
    update_url = update_url or update_endpoint_for(store_url)
    query_url = query_url or query_endpoint_for(store_url) or update_url
    if query_url is None or update_url is None:
        raise RemoteError(f"{redact(store_url)}: cleanup needs an update endpoint (--update URL, or …/update "
                          "beside an Oxigraph-style …/store)")
    http = session(credentials, probe=store_url)
    data = _select(query_url, f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
                              f'FILTER(STRSTARTS(STR(?g), "{TEMP_PREFIX}")) }}', http, timeout)
    found = sorted(b["g"]["value"] for b in data["results"]["bindings"])
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for g in found:
        _request("POST", update_url, ("update=" + quote(f"DROP SILENT GRAPH <{g}>", safe="")).encode(), form,
                 retry or Retry(), log, timeout, http)
        log(f"dropped the temporary graph <{g}>")
    return found


def query_endpoint_for(store_url: str) -> str | None:
    """``…/query`` beside an Oxigraph-style ``…/store``: where a push checks what the server holds."""
    return _beside(store_url, "query")


@dataclass
class Pushed:
    triples: int
    graph: str | None
    atomic: bool
    seconds: float


#: the size of one upload: a national year (about 1 GB of N-Triples) goes up in parts, each
#: retried on its own, so that a lost answer never sends again what the server accepted
PART_BYTES = 32 * 1024 * 1024


def parts(data: bytes, size: int = PART_BYTES) -> list[memoryview]:
    """``data`` (N-Triples) cut at line ends into parts of at most about ``size`` bytes."""
    view, out, start = memoryview(data), [], 0
    while start < len(data):
        end = min(start + size, len(data))
        if end < len(data):
            cut = data.rfind(b"\n", start, end)
            end = cut + 1 if cut >= start else data.index(b"\n", end) + 1 if b"\n" in data[end:] else len(data)
        out.append(view[start:end])
        start = end
    return out


def push(data: bytes, triples: int, store_url: str, graph: str | None = None, update_url: str | None = None,
         retry: Retry | None = None, log: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
         timeout: float = 600.0, part_bytes: int = PART_BYTES, credentials: Credentials | None = None,
         query_url: str | None = None) -> Pushed:
    """Replace ``graph`` (None: the default graph) at a Graph Store endpoint with ``data``
    (N-Triples). With an update endpoint the data goes into a temporary graph in parts of
    ``part_bytes`` (the first by ``PUT``, the others by ``POST``, which adds: a part retried
    after a lost answer adds nothing twice, a graph being a set), each retried on its own,
    then one ``MOVE`` replaces the target. ``credentials`` go with every request (Basic or
    Digest, as the server asks); what the server holds is checked at ``query_url`` (default:
    ``…/query`` beside ``…/store``, else the update endpoint, which Virtuoso also queries)."""
    retry = retry or Retry()
    start = time.perf_counter()
    http = session(credentials, probe=store_url)
    headers = {"Content-Type": "application/n-triples"}
    update_url = update_url or update_endpoint_for(store_url)
    if update_url is None:
        _request("PUT", _graph_url(store_url, graph), data, headers, retry, log, timeout, http)
        return Pushed(triples, graph, False, time.perf_counter() - start)
    temp = f"{TEMP_PREFIX}{uuid.uuid4()}"  # a graph nobody else uses, found again by cleanup()
    target = "DEFAULT" if graph is None else f"GRAPH <{graph}>"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    query_url = query_url or query_endpoint_for(store_url) or update_url

    def update(text: str, retry: Retry) -> None:
        _request("POST", update_url, ("update=" + quote(text, safe="")).encode(), form, retry, log, timeout, http)

    try:
        chunks = parts(data, part_bytes) or [memoryview(b"")]
        sent = 0
        for i, chunk in enumerate(chunks):
            _request("PUT" if i == 0 else "POST", _graph_url(store_url, temp), bytes(chunk), headers, retry, log, timeout,
                     http)
            sent += len(chunk)
            if len(chunks) > 1:
                log(f"uploaded part {i + 1} of {len(chunks)} ({sent / 2**20:,.0f} of {len(data) / 2**20:,.0f} MiB, "
                    f"{time.perf_counter() - start:,.0f} s)")
        if len(chunks) > 1:
            log(f"replacing the target with the uploaded graph in one MOVE ({triples:,} triples; the server applies "
                "it in one transaction, which takes minutes on a national year) …")
        _swap(update, temp, target, graph, triples, query_url, retry, log, http)
    except BaseException:
        try:  # the temporary graph must not outlive a failed push
            update(f"DROP SILENT GRAPH <{temp}>", Retry(attempts=3, backoff=retry.backoff, sleep=retry.sleep))
        except RemoteError as exc:
            log(f"could not drop the temporary graph <{temp}>: {exc}")
        raise
    if query_url is not None:  # success is what the server holds, not what it answered
        held = count_remote(query_url, graph, http)
        if held != triples:
            raise RemoteError(f"after the swap the target holds {held:,} triples, not the {triples:,} pushed")
    return Pushed(triples, graph, True, time.perf_counter() - start)


def _swap(update, temp: str, target: str, graph: str | None, triples: int, query_url: str | None,
          retry: Retry, log: Callable[[str], None], http=None) -> None:
    """``MOVE`` the uploaded graph over the target, safe to retry: never ``SILENT`` (a MOVE from
    a graph that is gone would empty the target), and after a failed or lost answer the
    server's state is looked at before trying again — the temporary graph gone and the
    target holding what was pushed means the move was applied."""
    delay = retry.backoff
    for attempt in range(1, retry.attempts + 1):
        try:
            update(f"MOVE GRAPH <{temp}> TO {target}", Retry(attempts=1, backoff=0, sleep=retry.sleep))
            return
        except RemoteError as exc:
            if query_url is None:  # the state cannot be looked at: a second MOVE is not safe
                raise
            if not graph_exists(query_url, temp, http):
                held = count_remote(query_url, graph, http)
                if held == triples:
                    log(f"the swap was applied although its answer was lost ({exc})")
                    return
                raise RemoteError(f"the swap failed ({exc}) and the temporary graph is gone: the target holds "
                                  f"{held:,} triples, {triples:,} were pushed") from exc
            if attempt == retry.attempts:
                raise RemoteError(f"{exc}; the swap gave up after {retry.attempts} tries") from exc
            log(f"swap: {exc}; the target is unchanged; try {attempt + 1} of {retry.attempts} in {delay:g} s")
            retry.sleep(delay)
            delay *= 2


def graph_exists(query_url: str, graph: str, http=None) -> bool:
    return bool(_select(query_url, f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", http)["boolean"])


def count_remote(query_url: str, graph: str | None = None, http=None) -> int:
    """Triples in a graph of a remote endpoint (for reports and tests): the default graph
    (None) or a named graph."""
    where = "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    data = _select(query_url, f"SELECT (COUNT(*) AS ?n) WHERE {where}", http)
    return int(data["results"]["bindings"][0]["n"]["value"])
