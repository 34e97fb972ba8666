"""``kg`` command line: a thin layer over the library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .build import EXAMPLES_DIR, FORMATS, build, format_for, replacing, write
from .read import InputError, expand

DEFAULT_GRAPH = Path("graph.nt")


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
    for d in result.diagnostics:
        print(d, file=sys.stderr)
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
        raise InputError(DEFAULT_GRAPH, "no graph here; run 'kg build' first or name a graph or sources with --graph")
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
            print(f"    --param {p.name}=… ({p.type}, default {p.default!r}): {p.description}")
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
    from .queries import OUTPUT_FORMATS, QueryError, get_query, run

    try:
        query = get_query(args.name)
        values = _parse_params(args.param)
        for key in values:
            query.param(key)
    except (QueryError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    opened = _open_reporting(args.graph, args.quiet)
    if opened is None:
        return 2
    try:
        result = run(opened.store, query, values, limit=args.limit)
    except QueryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.format == "table":
        shown = ", ".join(f"{k}={v.value}" for k, v in result.params.items())
        print(f"{query.title}" + (f" — {shown}" if shown else ""))
        print()
    sys.stdout.write(OUTPUT_FORMATS[args.format](result))
    if not args.quiet:
        print(f"{len(result.rows)} rows from {opened.description}", file=sys.stderr)
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
    b.add_argument("--base-iri", help="base IRI of the data (default: $KG_BASE_IRI or https://kg.jp-spending.example/id/)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    b.add_argument(
        "--cache", type=Path, metavar="DIR",
        help="keep each file's mapping here; a rebuild maps only files whose bytes (or the code) changed",
    )
    b.add_argument("-j", "--workers", type=int, default=1, help="map files in this many processes (default: 1)")
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
    q.add_argument("--limit", type=int, help="at most this many rows")
    q.add_argument("-q", "--quiet", action="store_true", help="no progress or summary on stderr")
    q.set_defaults(func=cmd_query)

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
