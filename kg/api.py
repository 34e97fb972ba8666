"""The Python API: every ``kg`` command is one function here, of the same name (``kg info``
is :func:`info`, ``kg push --cleanup`` is ``push(cleanup=True)``), and the command line reads
each option's default from the function's signature, so a default is written once::

    import kg
    graph = kg.build()                                  # the bundled examples; or kg.build(["~/rs2024", "sheets/"])
    report = kg.validate(graph)                         # report.conforms, report.findings
    rows = kg.query(graph, "firms-in-several-projects", topic="AI")   # a list of dicts, typed values
    kg.export_network(graph, "projects.gexf")
    kg.publish(graph, "site/")

A graph (:class:`~kg.store.Graph`) comes from :func:`build` or :func:`open` (graph files,
gzipped or not, sources, or an Oxigraph store folder); every other function takes one, or
anything :func:`open` takes. Rows are plain dicts whose values are Python values (``int``,
``Decimal`` for yen, ``bool``, ``str`` for text and IRIs), so ``pandas.DataFrame(rows)`` or
``polars.DataFrame(rows)`` makes a table of them without either being a dependency here.

What kg refuses raises a :class:`kg.errors.KgError` (its ``exit_code`` is the command's exit
status); what a long function is doing goes to a :class:`kg.reporting.Reporter`
(``reporter=``; silent by default).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from .assets import EXAMPLES_DIR
from .errors import InputError, PathError, PushError, RemoteError, UsageError
from .reporting import Reporter
from .store import Graph
from .web.site import INDEX_PAGE_SIZE

if TYPE_CHECKING:
    from .queries import CannedQuery

#: where the commands look for a graph when none is named
DEFAULT_GRAPH = Path("graph.nt")

GraphLike = Graph | str | Path | Iterable[str | Path]


def build(paths: Iterable[str | Path] | str | Path | None = None, *, output: str | Path | None = None,
          format: str | None = None, store: str | Path | None = None, base_iri: str | None = None,
          workers: int = 1, cache: str | Path | None = None, all_corporations: bool = False,
          reporter: Reporter | None = None) -> Graph:
    """Map documents (files or folders; default: the bundled examples) into one graph.
    With ``output``, also write it there (format from ``format`` or the suffix; sorted
    N-Triples by default: the same inputs give the same bytes). With ``store``, write an
    Oxigraph store folder (one named graph per document; with ``cache``, a rebuild into
    it replaces only what changed) and return the graph read from it. Unusable inputs
    are in ``graph.failed`` and ``graph.diagnostics``; the others are built. ``reporter``
    hears each step and each input as it is mapped. 法人番号 register files among the inputs add what
    the register says of the corporations the other inputs name (of every corporation in
    them with ``all_corporations``)."""
    from .files import replacing
    from .pipeline import build as run_build
    from .nt import format_for
    from .pipeline import write
    from .read import expand

    steps, progress = reporter, (reporter.item if reporter is not None else None)
    chosen = [Path(p).expanduser() for p in _as_list(paths)] or [EXAMPLES_DIR]
    fmt = format_for(Path(output) if output is not None else None, format)  # a bad format fails before the work
    if output is not None and str(output) != "-" and Path(output).expanduser().is_dir():
        raise PathError(output, "is a folder: -o writes a graph file (--store writes a store folder)")
    if store is not None:  # and so does a --store that names what is not a store (before minutes of work)
        from .store_folder import check_target

        check_target(Path(store).expanduser())
    if store is not None and output is None and cache is None:
        # straight into the store: the build's lines are never all in memory (benchmarks/README.md "Scale")
        from .pipeline import build_into_store
        from .store_folder import write_store_streamed

        def into_store(write):
            return write_store_streamed(Path(store), write, expand(chosen, []), base_iri, steps)

        result, written = build_into_store(chosen, Path(store), into_store, base_iri=base_iri, progress=progress,
                                           workers=workers, steps=steps, all_corporations=all_corporations)
        if written is None:
            return Graph(description=f"{result.summary()}; nothing built, so {store} is left as it was",
                         diagnostics=result.diagnostics, notes=result.notes, failed=result.failed, documents=0)
        return Graph(description=f"{result.summary()}; store {store}: {written.triples:,} triples, "
                     f"{written.replaced:,} of {written.graphs:,} named graphs written",
                     diagnostics=result.diagnostics, notes=result.notes, failed=result.failed, folder=Path(store),
                     documents=result.documents)
    result = run_build(chosen, base_iri=base_iri, progress=progress,
                       cache_dir=Path(cache) if cache is not None else None, workers=workers, steps=steps,
                       all_corporations=all_corporations)
    graph = Graph(description=result.summary(), diagnostics=result.diagnostics, notes=result.notes, failed=result.failed, result=result,
                  documents=result.documents)
    if output is not None and result.documents > 0:  # a build of nothing leaves the old output alone
        if steps and str(output) != "-" and result.triples > 500_000:
            steps(f"writing {output} …")
        if str(output) == "-":
            write(result, fmt, sys.stdout.buffer)
        else:
            with replacing(Path(output)) as out:
                write(result, fmt, out)
    if store is not None and result.documents > 0:  # the build's lines go to Oxigraph, freed as they load
        from .store_folder import write_store

        result.__dict__.pop("lines", None)  # the cached union would keep every line alive
        written = write_store(result.graphs, Path(store), expand(chosen, []), base_iri,
                              incremental=cache is not None, progress=steps, consume=cache is None)
        graph = Graph(description=f"{graph.description}; store {store}: {written.triples:,} triples, "
                      f"{written.replaced:,} of {written.graphs:,} named graphs written",
                      diagnostics=result.diagnostics, notes=result.notes, failed=result.failed, folder=Path(store),
                      documents=result.documents)
    return graph


def open(paths: GraphLike | None = None, *, base_iri: str | None = None,
         reporter: Reporter | None = None) -> Graph:
    """A graph from graph files (``.nt .ttl .nq .trig .jsonld .rdf``, gzipped or not), an
    Oxigraph store folder (read-only), or sources (built as :func:`build` does); default
    ``./graph.nt``. A :class:`~kg.store.Graph` is returned as it is. ``reporter`` hears each
    source as it is built."""
    from .store import open_graph

    if isinstance(paths, Graph):
        return paths
    chosen = [Path(p).expanduser() for p in _as_list(paths)]
    if not chosen:
        if not DEFAULT_GRAPH.exists():
            raise InputError(DEFAULT_GRAPH, "no graph here; run 'kg build' first or name a graph or sources")
        chosen = [DEFAULT_GRAPH]
    return open_graph(chosen, base_iri=base_iri, progress=reporter.item if reporter is not None else None)


def validate(graph: GraphLike | None = None, *, engine: str = "fast", workers: int = 1,
             reporter: Reporter | None = None):
    """Check the graph against ``shapes/``: a :class:`~kg.validation.Report` (``conforms``,
    ``findings``, each with its record, rule, value and source file:line). ``engine``:
    ``fast`` (every constraint as one query on the store) or ``pyshacl`` (node by node, the
    reference); ``workers`` threads run the fast engine's queries; ``reporter`` hears how
    many constraints are checked."""
    from .validation import validate as run_validate

    if engine not in ("fast", "pyshacl"):
        raise UsageError(f"unknown engine {engine!r}: fast or pyshacl")
    progress = None if reporter is None else (lambda done, total: reporter.share(done, total, "constraints checked"))
    g = open(graph)
    if engine == "pyshacl":
        return run_validate(g.graph, g.store, engine="pyshacl")
    return run_validate(store=g.store, engine=engine, workers=workers, progress=progress)


def query(graph: GraphLike | None = None, name: "str | CannedQuery" = "", *, endpoint: str | None = None,
          limit: int | None = None, offset: int = 0, all: bool = False,
          timeout: float = 60, remote_graph: str | None = None, sparql: str | None = None,
          user: str | None = None, password_env: str | None = None, insecure_auth: bool = False,
          params: "Mapping[str, object] | None" = None, **more_params: object):
    """Answer a canned query (``queries/NAME.rq``, or a path to a ``.rq`` file) on the graph,
    or ad-hoc SPARQL (``sparql="SELECT …"``), or on a remote SPARQL endpoint with ``endpoint``
    (``remote_graph``: the named graph the data was pushed into): a :class:`Rows` list of
    dicts with Python values: every amount in the graph is whole yen, so a column of yen is
    a column of ``int`` (exact, and numeric for a DataFrame); a column holding any fraction
    (an award rate of 98.5 %) stays ``Decimal``, exact. A long listing answers one page
    (``limit``/``offset`` move it, ``all`` lifts it). The query's parameters come as keywords
    (``topic="AI"``) or in ``params`` (any name, also one spelt like an option of this
    function); on a local graph their values are checked against it (an unknown topic lists
    the known ones). A protected endpoint is reached with ``user`` (the password from the
    environment variable ``password_env``, default ``KG_PASSWORD``, or a prompt) or with the
    entry for its host in ``~/.netrc`` (:func:`kg.auth.resolve`; ``insecure_auth`` lets a
    password go over plain http to another machine)."""
    from .queries import Page, adhoc_query, check_values, get_query, run

    q = adhoc_query(sparql, "sparql") if sparql is not None else get_query(name)
    page = Page(limit, offset, all)
    values = {k: str(v) for k, v in {**(params or {}), **more_params}.items()}
    for key in values:
        q.param(key)  # an unknown parameter is an error
    if endpoint is not None:
        from .auth import resolve
        from .remote import run_remote

        creds = resolve(endpoint, user, password_env, insecure=insecure_auth)
        result = run_remote(endpoint, q, values, page, timeout=timeout, graph=remote_graph, credentials=creds)
    else:
        store = open(graph).store
        result = run(store, q, check_values(store, q, values), page)
    return Rows(result)


class Rows(list):
    """The rows of a query as dicts of Python values; ``columns`` in order, and ``result``
    (the typed RDF terms, title and parameters) for output in the formats of ``kg query``."""

    def __init__(self, result):
        from .queries import json_value

        rows = [[_python(t, json_value) for t in row] for row in result.rows]
        for i in range(len(result.columns)):  # a column of whole decimals (yen) is a column of ints
            column = [row[i] for row in rows if isinstance(row[i], Decimal)]
            if column and all(v == v.to_integral_value() for v in column):
                for row in rows:
                    if isinstance(row[i], Decimal):
                        row[i] = int(row[i])
        super().__init__(dict(zip(result.columns, row, strict=False)) for row in rows)
        self.columns = list(result.columns)
        self.result = result


def _python(term, json_value):
    """A term as a Python value: decimals exact (``Decimal``; :class:`Rows` makes a column of
    whole ones ``int``), integers, booleans, text and IRIs as str."""
    if term is not None and getattr(term, "datatype", None) is not None and term.datatype.value.endswith("#decimal"):
        return Decimal(term.value)
    return json_value(term)


def queries() -> "dict[str, CannedQuery]":
    """The canned queries (``queries/*.rq``) by name, each with its title, description,
    parameters (name, type, default) and page size (``kg queries``)."""
    from .queries import load_queries

    return load_queries()


def info(folder: str | Path) -> dict:
    """What an Oxigraph store folder holds, as its build recorded it (``kg info``): build
    date, package and ontology versions, each input with its SHA-256 and size, counts."""
    from .store import is_store_folder
    from .store_folder import info as read_info

    folder = Path(folder).expanduser()
    if not is_store_folder(folder):
        raise PathError(folder, "not an Oxigraph store folder (kg build --store writes one)")
    return read_info(folder)


def export_network(graph: GraphLike | None = None, output: str | Path | None = None, *, view: str = "projects",
                   year: int | None = None, max_clique: int = 100, reporter: Reporter | None = None):
    """The payment network as a networkx graph (views ``projects``, ``corporations``,
    ``full``); with ``output``, also written as GEXF or GraphML by its suffix. ``reporter``
    hears each step."""
    from .gephi import network, write

    g = network(open(graph).store, view=view, year=year, max_clique=max_clique, say=reporter)
    if output is not None:
        if reporter is not None:
            reporter(f"writing {output} …")
        write(g, Path(output))
    return g


def export(graph: GraphLike | None = None, output: str | Path | None = None, *, target: str = "gephi",
           view: str = "projects", year: int | None = None, max_clique: int = 100,
           reporter: Reporter | None = None) -> "Exported":
    """``kg export gephi``: write the payment network to ``output`` (GEXF 1.3 or GraphML by
    its suffix) and return it with its summary; an empty network is an
    :class:`~kg.errors.ExportError` (nothing is written)."""
    from .errors import ExportError
    from .gephi import write

    if target != "gephi":
        raise UsageError(f"unknown export target {target!r}: gephi")
    if output is None:
        raise UsageError("name the file to write (-o FILE.gexf or FILE.graphml)")
    g = open(graph)
    network = export_network(g, view=view, year=year, max_clique=max_clique, reporter=reporter)
    if network.number_of_nodes() == 0:
        raise ExportError(f"nothing to export from {g.description}" + (f" for sheet year {year}" if year else ""))
    if reporter is not None:
        reporter(f"writing {output} …")
    fmt = write(network, Path(output))
    return Exported(network, Path(output), fmt)


class Exported:
    """What :func:`export` wrote: ``network`` (networkx), ``path``, ``format``; ``summary()``
    says it in one line (nodes by kind, edges)."""

    def __init__(self, network, path: Path, format: str):
        self.network, self.path, self.format = network, path, format

    def summary(self) -> str:
        from .gephi import summary

        return summary(self.network, self.path, self.format)


def publish(graph: GraphLike | None, folder: str | Path, *, base_iri: str | None = None,
            title: str = "jp-spending-kg", license: str | None = None,
            sources: Iterable[str] | None = None, endpoint: str | None = None,
            only: Iterable[str] | None = None, reporter: Reporter | None = None):
    """Write the graph as a static linked-data site into ``folder`` (swapped in whole);
    ``only`` names the classes (``kg:Project``) whose instances get pages; ``reporter``
    hears how many pages are written."""
    from .iris import IRIs, expand
    from .web.publish import DEFAULT_LICENSE, DEFAULT_SOURCES
    from .web.publish import publish as run_publish

    classes = [expand(c) for c in only] if only else None
    progress = None if reporter is None else (lambda done, total: reporter.share(done, total, "pages"))
    return run_publish(open(graph).store, Path(folder), IRIs(base_iri).base, title, license or DEFAULT_LICENSE,
                       tuple(sources) if sources else DEFAULT_SOURCES, endpoint, progress, classes)


def push(graph: GraphLike | None, endpoint: str, *, graph_iri: str | None = None, update: str | None = None,
         retries: int = 5, backoff: float = 1, part_mib: float = 32, cleanup: bool = False,
         user: str | None = None, password_env: str | None = None, insecure_auth: bool = False,
         full: bool = False, base_iri: str | None = None, reporter: Reporter | None = None):
    """Replace a graph on a SPARQL server (Graph Store Protocol ``endpoint``; with an update
    endpoint, uploaded into a temporary graph and moved over the target in one update):
    a :class:`~kg.remote.Pushed`. A store folder goes up as a release into the target
    (``graph_iri``, or the default graph) with a part per document beside it; a later push
    sends only the documents whose fingerprint differs from the server's manifest (all of
    them with ``full``), each swapped in one update, and takes out those no longer in the
    build: a :class:`~kg.push.Released` (``kg/push.py``). The data goes up in parts of ``part_mib`` MiB, each a
    request of its own, retried on its own. With ``cleanup``, push nothing and drop the temporary
    graphs failed pushes left on the server instead: the list of their names. A failure is
    a :class:`~kg.errors.PushError` whose ``note`` says what the server holds now. Credentials
    as for :func:`query`: ``user`` and ``password_env``, or ``~/.netrc``; sent as Basic or
    Digest, whichever the server asks for, never over plain http to another machine unless
    ``insecure_auth``."""
    from .auth import check_sendable, resolve
    from .remote import Retry, update_endpoint_for
    from .remote import cleanup as run_cleanup
    from .remote import push as run_push

    check_push_options(retries, backoff, part_mib)
    say = reporter if reporter is not None else (lambda m: print(m, file=sys.stderr))
    creds = resolve(endpoint, user, password_env, insecure=insecure_auth)
    if update is not None:  # the same password goes there too
        check_sendable(update, creds, insecure_auth)
    if cleanup:
        from .push import cleanup_parts

        try:
            return (run_cleanup(endpoint, update, log=say, retry=Retry(retries, backoff), credentials=creds)
                    + cleanup_parts(endpoint, update, graph=graph_iri, base_iri=base_iri, credentials=creds, log=say,
                                    retry=Retry(retries, backoff)))
        except RemoteError as exc:
            raise PushError(str(exc)) from exc
    import pyoxigraph as ox

    g = open(graph)
    if g.folder is not None:
        from .push import push_release

        try:
            return push_release(g.store, endpoint, update, graph=graph_iri, base_iri=base_iri, retry=Retry(retries, backoff),
                                log=say, part_bytes=max(1, int(part_mib * 2**20)), credentials=creds, full=full)
        except RemoteError as exc:
            raise PushError(str(exc), "each document is the old one or the new one in the target, never a part of it (a "
                            "first push excepted, which loads as a bulk loader does); the manifest is the old one, so the "
                            "next push does again what this one did not finish") from exc
    if full:
        raise UsageError("--full is for a store folder (kg build --store), pushed graph by graph")
    data = g.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    try:
        return run_push(data, len(g.store), endpoint, graph_iri, update, Retry(retries, backoff), say,
                        part_bytes=max(1, int(part_mib * 2**20)), credentials=creds)
    except PushError:
        raise
    except RemoteError as exc:
        raise PushError(str(exc), "the graph on the server was not changed" if update or update_endpoint_for(endpoint)
                        else "the server may hold a partial graph if it does not apply a PUT in one transaction") from exc


def serve(graph: GraphLike | None = None, *, host: str = "127.0.0.1", port: int = 8000, timeout: float = 30,
          max_results: int = 10_000, base_iri: str | None = None, title: str = "jp-spending-kg",
          quiet: bool = False, ready: Callable[[str], None] | None = None, allow_service: bool = False,
          workers: int | None = None, memory_limit_mb: int | None = 2048, index_page: int = INDEX_PAGE_SIZE,
          public_url: str | None = None) -> None:
    """Serve the graph until interrupted: a read-only SPARQL 1.1 endpoint at ``/sparql`` and
    a page per resource. ``ready`` is called with the root URL once it listens. Federated
    queries (``SERVICE``) are refused unless ``allow_service``: they make the server fetch
    any URL a client names, internal ones included. ``workers`` processes (default: one per
    core) keep the store open; each may allocate ``memory_limit_mb`` for one request (None:
    no limit). ``public_url`` is the address users reach the server at (behind a proxy),
    used in the full links it writes (CSV downloads, VoID); default: where it listens."""
    from .web.app import serve as run_serve
    from .web.sparql import Limits
    from .iris import IRIs

    root = check_serve_options(timeout=timeout, max_results=max_results, workers=workers,
                               memory_limit_mb=memory_limit_mb, index_page=index_page, public_url=public_url)
    g = open(graph)
    limits = Limits(timeout, max_results, allow_service=allow_service)
    run_serve(g.opener(), host, port, limits, IRIs(base_iri).base, title, quiet, ready, workers,
              memory_limit_mb * 1024**2 if memory_limit_mb else None, index_page, root)


def check_serve_options(*, timeout: float = 30, max_results: int = 10_000, workers: int | None = None,
                        memory_limit_mb: int | None = 2048, index_page: int = INDEX_PAGE_SIZE, public_url: str | None = None,
                        **_others) -> str | None:
    """:func:`serve`'s options checked (a :class:`~kg.errors.UsageError` names the bad one),
    before any graph is opened; returns the public root URL (or None)."""
    if (timeout <= 0 or max_results <= 0 or (workers is not None and workers < 1)
            or (memory_limit_mb is not None and memory_limit_mb < 0) or index_page < 1):
        raise UsageError("--timeout, --max-results, --workers and --index-page must be positive (--memory-limit 0: none)")
    return None if public_url is None else public_root(public_url)


def check_push_options(retries: int, backoff: float, part_mib: float = 32) -> None:
    """:func:`push`'s retry options checked (a :class:`~kg.errors.UsageError`)."""
    if retries < 1 or backoff < 0:
        raise UsageError("--retries must be at least 1 and --backoff not negative")
    if part_mib <= 0:
        raise UsageError("--part-size must be positive")


def public_root(url: str) -> str:
    """``url`` as a server's public root (ending in ``/``); a UsageError unless http(s) without query or fragment."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise UsageError(f"--public-url: the public URL must be an http(s) address without query or fragment, not {url!r}")
    return url if url.endswith("/") else url + "/"


def _as_list(paths) -> list:
    if paths is None:
        return []
    if isinstance(paths, (str, Path)):
        return [paths]
    return list(paths)
