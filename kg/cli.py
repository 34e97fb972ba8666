"""``kg`` command line: a thin layer over the library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .assets import EXAMPLES_DIR
from .build import FORMATS, build, format_for, write
from .diagnostics import summarise, write_report
from .files import replacing
from .read import InputError, expand

DEFAULT_GRAPH = Path("graph.nt")
BASE_IRI_HELP = "base IRI of the data (default: $KG_BASE_IRI or https://kg.jp-spending.example/id/)"


def _progress(total: int):
    """A progress line on stderr for multi-file builds (a bar on a terminal)."""
    state = {"n": 0}

    def tick(path: Path) -> None:
        state["n"] += 1
        n = state["n"]
        if total <= 1:
            return
        if sys.stderr.isatty():
            width = 30
            done = int(width * n / total)
            sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {n}/{total} {path.name[:40]:<40}")
            if n == total:
                sys.stderr.write("\n")
        else:
            sys.stderr.write(f"[{n}/{total}] {path}\n")
        sys.stderr.flush()

    return tick


def cmd_build(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths] or [EXAMPLES_DIR]
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        print(f"{p}: error: no such file or folder", file=sys.stderr)
    paths = [p for p in paths if p.exists()]
    if not paths:
        return 2
    try:
        fmt = format_for(args.output, args.format)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    files = expand(paths)
    result = build(
        paths,
        base_iri=args.base_iri,
        progress=None if args.quiet else _progress(len(files)),
        cache_dir=args.cache,
        workers=args.workers,
    )
    for line in summarise(result.diagnostics):
        print(line, file=sys.stderr)
    if args.report is not None:
        fmt_report = write_report(result.diagnostics, args.report)
        print(f"{len(result.diagnostics):,} diagnostics → {args.report} ({fmt_report})", file=sys.stderr)
    if str(args.output) == "-":
        write(result, fmt, sys.stdout.buffer)
    else:
        with replacing(args.output) as out:
            write(result, fmt, out)
    where = "stdout" if str(args.output) == "-" else str(args.output)
    print(f"{result.summary()} → {where} ({fmt})", file=sys.stderr)
    if result.documents == 0:
        return 2
    return 1 if result.failed or missing else 0


def _open(paths: list[str] | None, quiet: bool):
    """The graph named on the command line (graph files or sources), default ./graph.nt."""
    from .store import open_graph

    chosen = [Path(p) for p in paths] if paths else [DEFAULT_GRAPH]
    if not paths and not DEFAULT_GRAPH.exists():
        raise InputError(DEFAULT_GRAPH, "no graph here; run 'kg build' first or name a graph or sources")
    files = [p for p in chosen if p.exists()]
    return open_graph(chosen, progress=None if quiet else _progress(len(expand(files))))


def _open_reporting(paths: list[str] | None, quiet: bool):
    """``_open`` with its problems on stderr: the opened graph, or None when unusable (exit 2)."""
    try:
        opened = _open(paths, quiet)
    except InputError as exc:
        print(f"{exc}", file=sys.stderr)
        return None
    for d in opened.diagnostics:
        print(d, file=sys.stderr)
    return opened


def cmd_queries(args: argparse.Namespace) -> int:
    from .queries import QueryError, load_queries

    try:
        queries = load_queries()
    except QueryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for q in queries.values():
        print(f"{q.name}\n    {q.title}\n    {q.description}")
        for p in q.params:
            default = "required" if p.default is None else f"default {p.default!r}"
            print(f"    --param {p.name}=… ({p.type}, {default}): {p.description}")
        if q.page_size:
            print(f"    pages of {q.page_size:,} rows: --limit N, --offset N, --all")
        print()
    return 0


def _parse_params(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"--param {item!r}: expected KEY=VALUE")
        key, value = item.split("=", 1)
        out[key.strip()] = value
    return out


def cmd_query(args: argparse.Namespace) -> int:
    from .queries import OUTPUT_FORMATS, Page, QueryError, get_query, run

    try:
        query = get_query(args.name)
        values = _parse_params(args.param)
        for key in values:
            query.param(key)
        page = Page(args.limit, args.offset, args.all)
    except (QueryError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.endpoint:
        from .remote import RemoteError, run_remote

        if args.graph:
            print("error: give either --endpoint or --graph, not both", file=sys.stderr)
            return 2
        try:
            result = run_remote(args.endpoint, query, values, page, timeout=args.timeout)
        except (QueryError, RemoteError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        where = args.endpoint
    else:
        opened = _open_reporting(args.graph, args.quiet)
        if opened is None:
            return 2
        try:
            result = run(opened.store, query, values, page)
        except QueryError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        where = opened.description
    if args.format == "table":
        shown = ", ".join(f"{k}={v.value}" for k, v in result.params.items())
        print(f"{query.title}" + (f" — {shown}" if shown else ""))
        print()
    sys.stdout.write(OUTPUT_FORMATS[args.format](result))
    if not args.quiet:
        more = ""
        if result.may_continue:
            more = (f" (a page: --offset {page.offset + len(result.rows)} for the next"
                    + (", --all for every row" if query.page_size else "") + ")")
        print(f"{len(result.rows)} rows from {where}{more}", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .endpoint import Limits, serve, store_folder
    from .iris import IRIs

    if args.timeout <= 0 or args.max_results <= 0:
        print("error: --timeout and --max-results must be positive", file=sys.stderr)
        return 2
    try:
        folder = store_folder(Path(args.paths[0])) if len(args.paths) == 1 else None
    except InputError as exc:
        print(f"{exc}", file=sys.stderr)
        return 2
    if folder is not None:
        opener, description = folder
    else:  # graph files or sources, loaded once; forked children share the store
        opened = _open_reporting(args.paths, args.quiet)
        if opened is None:
            return 2
        opener, description = (lambda: opened.store), opened.description
    base = IRIs(args.base_iri).base

    def ready(url: str) -> None:
        print(f"Serving {description}\n  pages:  {url}\n  SPARQL: {url}sparql  (read-only; limit {args.timeout:g} s, "
              f"{args.max_results:,} rows)", flush=True)

    try:
        serve(opener, args.host, args.port, Limits(args.timeout, args.max_results), base, args.title, args.quiet, ready)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from .remote import RemoteError, Retry, push, update_endpoint_for

    if args.retries < 1 or args.backoff < 0:
        print("error: --retries must be at least 1 and --backoff not negative", file=sys.stderr)
        return 2
    opened = _open_reporting(args.paths, args.quiet)
    if opened is None:
        return 2
    import pyoxigraph as ox

    data = opened.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    triples = len(opened.store)
    log = (lambda m: None) if args.quiet else (lambda m: print(m, file=sys.stderr))
    try:
        pushed = push(data, triples, args.endpoint, args.graph, args.update, Retry(args.retries, args.backoff), log)
    except RemoteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("the graph on the server was not changed" if args.update or update_endpoint_for(args.endpoint)
              else "the server may hold a partial graph if it does not apply a PUT in one transaction", file=sys.stderr)
        return 1
    if not args.quiet:
        target = f"<{pushed.graph}>" if pushed.graph else "the default graph"
        how = "replaced in one update (MOVE)" if pushed.atomic else "replaced by one PUT"
        print(f"pushed {pushed.triples:,} triples to {target} at {args.endpoint}: {how}, {pushed.seconds:.1f} s",
              file=sys.stderr)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from .iris import IRIs, expand
    from .publish import DEFAULT_SOURCES, publish

    opened = _open_reporting(args.graph, args.quiet)
    if opened is None:
        return 2
    base = IRIs(args.base_iri).base

    def progress(done: int, total: int) -> None:
        print(f"[{done:,}/{total:,}] pages", file=sys.stderr, flush=True)

    only = None
    if args.only:
        try:
            only = [expand(c.strip()) for item in args.only for c in item.split(",") if c.strip()]
        except ValueError as exc:
            print(f"error: --only {args.only}: {exc} (e.g. kg:Project,kg:Corporation)", file=sys.stderr)
            return 2
    try:
        result = publish(opened.store, args.folder, base, args.title, args.license,
                         tuple(args.source) if args.source else DEFAULT_SOURCES, args.endpoint,
                         None if args.quiet else progress, only)
    except (FileExistsError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(result.summary(), file=sys.stderr)
    return 0


def _check_progress(done: int, total: int) -> None:
    """A counter of the constraints checked, on a terminal only (hundreds of lines otherwise)."""
    if sys.stderr.isatty():
        sys.stderr.write(f"\rconstraints checked: {done}/{total}" + ("\n" if done == total else ""))
        sys.stderr.flush()


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import OUTPUT_FORMATS, validate

    opened = _open_reporting(args.paths, args.quiet)
    if opened is None:
        return 2
    if not args.quiet:
        print(f"validating {opened.description} ({args.engine} engine) …", file=sys.stderr)
    if args.engine == "pyshacl":
        report = validate(opened.graph, opened.store, engine="pyshacl")
    else:
        report = validate(store=opened.store, workers=args.workers, progress=None if args.quiet else _check_progress)
    where = ", ".join(args.paths) if args.paths else str(DEFAULT_GRAPH)
    text = OUTPUT_FORMATS[args.format](report, source=where)
    if args.output and str(args.output) != "-":
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        if not args.quiet:
            print(OUTPUT_FORMATS["text"](report, source=where).splitlines()[-1] + f" → {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if opened.failed:
        return 2
    if not report.conforms or (args.strict and report.warnings):
        return 1
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .gephi import ExportError, network, summary, write

    opened = _open_reporting(args.graph, args.quiet)
    if opened is None:
        return 2
    try:
        g = network(opened.store, view=args.view, year=args.year, max_clique=args.max_clique)
        if g.number_of_nodes() == 0:
            raise ExportError(f"nothing to export from {opened.description}" + (f" for sheet year {args.year}" if args.year else ""))
        fmt = write(g, args.output)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(summary(g, args.output, fmt), file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kg", description="Knowledge graph of Japanese government spending.")
    parser.add_argument("--version", action="version", version=f"kg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser(
        "build",
        help="map review sheets and pre-analysis tables into one RDF graph",
        description="Map documents (files or folders; default: the bundled examples) into one RDF graph. "
        "Exit 0: all inputs built; 1: some inputs failed (reported, the rest built); 2: nothing built.",
    )
    b.add_argument("paths", nargs="*", help="input files or folders (default: examples/seeds)")
    b.add_argument("-o", "--output", type=Path, default=Path("graph.nt"), help="output file, '-' for stdout (default: graph.nt)")
    b.add_argument("-f", "--format", choices=sorted(FORMATS), help="output format (default: from the suffix, else nt)")
    b.add_argument("--base-iri", help=BASE_IRI_HELP)
    b.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    b.add_argument(
        "--cache", type=Path, metavar="DIR",
        help="keep each file's mapping here; a rebuild maps only files whose bytes (or the code) changed",
    )
    b.add_argument("-j", "--workers", type=int, default=1, help="map files in this many processes (default: 1)")
    b.add_argument("--report", type=Path, metavar="FILE",
                   help="write every diagnostic, one per occurrence, to FILE (.json: JSON, else CSV); "
                   "stderr shows each message once with its count")
    b.set_defaults(func=cmd_build)

    v = sub.add_parser(
        "validate",
        help="check a graph (or sources) against the SHACL shapes and print what is wrong",
        description="Validate a graph against shapes/ and print, for each problem, the record, the rule in plain words, "
        "the value and the source document and line. Exit 0: conforms (warnings allowed); 1: violations "
        "(or warnings with --strict); 2: unusable input.",
    )
    v.add_argument(
        "paths", nargs="*",
        help="graph files written by 'kg build' (.nt .ttl .nq .trig .jsonld) or source files/folders (default: ./graph.nt)",
    )
    v.add_argument("-f", "--format", choices=("text", "turtle", "json"), default="text", help="report format (default: text)")
    v.add_argument("-o", "--output", type=Path, help="write the report to this file (default: stdout)")
    v.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    v.add_argument(
        "--engine", choices=("fast", "pyshacl"), default="fast",
        help="fast: every constraint and rule as one query on the store (default); pyshacl: node by node, the reference way",
    )
    v.add_argument(
        "-j", "--workers", type=int, default=1,
        help="run the fast engine's queries in this many threads (default: 1)",
    )
    v.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    v.set_defaults(func=cmd_validate)

    ql = sub.add_parser("queries", help="list the canned queries with their parameters")
    ql.set_defaults(func=cmd_queries)

    q = sub.add_parser(
        "query",
        help="run a canned query on a built graph",
        description="Run a canned query (see 'kg queries') on a graph. Exit 0: answered; 2: bad query, parameter or graph.",
    )
    q.add_argument("name", help="query name (e.g. firms-in-several-projects) or a path to a .rq file")
    q.add_argument(
        "-g", "--graph", action="append",
        help="graph file written by 'kg build' (.nt .ttl .nq .trig .jsonld), or source files/folders to build; repeatable "
        "(default: ./graph.nt)",
    )
    q.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE", help="a query parameter; repeatable")
    q.add_argument("-f", "--format", choices=("table", "csv", "json"), default="table", help="output format (default: table)")
    q.add_argument("--limit", type=int, help="at most this many rows (a long listing answers one page unless "
                   "told otherwise: 'kg queries' gives its size)")
    q.add_argument("--offset", type=int, default=0, help="skip this many rows first (the next page)")
    q.add_argument("--all", action="store_true", help="every row, not a page (slower on a full year)")
    q.add_argument("--endpoint", metavar="URL",
                   help="run it on this SPARQL endpoint instead of a local graph (e.g. http://localhost:7878/query)")
    q.add_argument("--timeout", type=float, default=60, help="seconds to wait for a remote endpoint (default 60)")
    q.add_argument("-q", "--quiet", action="store_true", help="no progress or summary on stderr")
    q.set_defaults(func=cmd_query)

    sv = sub.add_parser(
        "serve",
        help="serve the graph: a read-only SPARQL endpoint and a page per resource",
        description="Serve a graph (files written by 'kg build', sources, or an Oxigraph store folder) over HTTP: "
        "/sparql answers the SPARQL 1.1 Protocol (JSON, XML, CSV, TSV; Turtle, N-Triples, JSON-LD, RDF/XML), "
        "/id/… and /def/… (also under /resource/) give each resource as HTML or RDF by Accept. Read-only; "
        "each query runs in its own process and is stopped at --timeout.",
    )
    sv.add_argument("paths", nargs="*", help="graph files, sources, or an Oxigraph store folder (default: ./graph.nt)")
    sv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    sv.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    sv.add_argument("--timeout", type=float, default=30, help="seconds a query may run (default 30)")
    sv.add_argument("--max-results", type=int, default=10_000, help="rows or triples in one answer (default 10000)")
    sv.add_argument("--base-iri", help=BASE_IRI_HELP)
    sv.add_argument("--title", default="jp-spending-kg", help="site title on the pages")
    sv.add_argument("-q", "--quiet", action="store_true", help="no request log")
    sv.set_defaults(func=cmd_serve)

    pu = sub.add_parser(
        "push",
        help="upload the graph to a SPARQL server (Graph Store Protocol), replacing a graph",
        description="Replace a graph on a SPARQL server with this graph, through the SPARQL 1.1 Graph Store HTTP "
        "Protocol. With an update endpoint (--update, or …/update beside an Oxigraph …/store) the data goes into a "
        "temporary graph first and replaces the target in one MOVE, so a failure never leaves a partial graph. "
        "Transient errors are retried with exponential backoff. Exit 0: pushed; 1: the server refused or was "
        "unreachable; 2: bad input.",
    )
    pu.add_argument("paths", nargs="*", help="graph files or sources (default: ./graph.nt)")
    pu.add_argument("--endpoint", required=True, metavar="URL",
                    help="Graph Store endpoint, e.g. http://localhost:7878/store (Oxigraph), http://host:3030/ds/data (Fuseki)")
    pu.add_argument("--graph", metavar="IRI", help="named graph to replace (default: the default graph)")
    pu.add_argument("--update", metavar="URL", help="SPARQL Update endpoint for the atomic replace (default: …/update beside …/store)")
    pu.add_argument("--retries", type=int, default=5, help="tries per request, the first included (default 5)")
    pu.add_argument("--backoff", type=float, default=1.0, help="seconds before the first retry, doubled each time (default 1)")
    pu.add_argument("-q", "--quiet", action="store_true", help="no progress or summary on stderr")
    pu.set_defaults(func=cmd_push)

    pb = sub.add_parser(
        "publish",
        help="write the graph as a static linked-data site (a page and a Turtle file per resource)",
        description="Write a static site: one HTML page and one Turtle file per resource at its IRI's path, an index "
        "per class, VoID/DCAT (void.ttl) with licence and sources, and a dump (dump/graph.nt.gz). Any static web "
        "server can host it. Exit 0: written; 2: bad graph or folder.",
    )
    pb.add_argument("folder", type=Path, help="output folder (new, empty, or a site written before)")
    pb.add_argument("-g", "--graph", action="append", help="graph file or sources (default: ./graph.nt); repeatable")
    pb.add_argument("--base-iri", help=BASE_IRI_HELP)
    pb.add_argument("--title", default="jp-spending-kg", help="site title")
    pb.add_argument("--license", default="https://creativecommons.org/licenses/by/4.0/", help="licence IRI of the dataset (default CC BY 4.0)")
    pb.add_argument("--source", action="append", metavar="URL", help="where the sources come from (default: https://rssystem.go.jp/); repeatable")
    pb.add_argument("--endpoint", metavar="URL", help="a public SPARQL endpoint of the same data, named in void.ttl")
    pb.add_argument("--only", action="append", metavar="CLASSES",
                    help="pages only for instances of these classes, e.g. kg:Project,kg:Corporation,kg:Ministry,kg:Law "
                    "(a national year has millions of resources); repeatable")
    pb.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    pb.set_defaults(func=cmd_publish)

    x = sub.add_parser(
        "export",
        help="export a network view of the graph for Gephi (GEXF) or other tools (GraphML)",
        description="Write the payment network as GEXF (Gephi: node types, Japanese labels, 法人番号, ministries, yen, "
        "a timeline by sheet year) or GraphML. Exit 0: written; 2: bad view, file type or graph.",
    )
    x.add_argument("target", choices=("gephi",), help="what to export for (gephi: GEXF or GraphML by the file suffix)")
    x.add_argument("-o", "--output", type=Path, required=True, help="FILE.gexf or FILE.graphml")
    x.add_argument(
        "--view", choices=("projects", "corporations", "full"), default="projects",
        help="projects: projects and the recipients they paid (default); corporations: corporations joined by the "
        "projects that paid both; full: projects, recipients, ministries, laws and measures",
    )
    x.add_argument("--year", type=int, help="only sheets of this year (a sheet of year N reports fiscal year N-1)")
    x.add_argument("--max-clique", type=int, default=100,
                   help="corporations view: leave out projects paying more corporations than this (default 100)")
    x.add_argument("-g", "--graph", action="append", help="graph file or sources (default: ./graph.nt); repeatable")
    x.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    x.set_defaults(func=cmd_export)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
