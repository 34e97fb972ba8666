"""``kg`` command line: a thin layer over the library."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import api
from .version import __version__
from .api import DEFAULT_GRAPH
from .auth import redact
from .assets import EXAMPLES_DIR, ontology_version
from .diagnostics import summarise, write_report
from .errors import ExitCode, KgError, PathError, Stopped, UsageError
from .nt import FORMATS, format_for
from .read import expand

def version() -> str:
    """``kg 0.1.0 (ontology 1.1)``: the package and the ontology, as the graph records them."""
    return f"kg {__version__} (ontology {ontology_version()})"


#: an example for every --help (they are run by tests/test_readme.py)
EXAMPLES = {
    None: """examples:
  kg build -o graph.nt                       # the bundled examples → graph.nt
  kg validate graph.nt                       # what is wrong, with file and line
  kg query firms-in-several-projects        # a canned query (kg queries lists them)""",
    "build": """examples:
  kg build -o graph.nt                       # the bundled examples
  kg build ~/rs2024/ sheets/ --store year.oxigraph -j 2 --report diagnostics.csv
  kg build ~/rs2024/ sheets/ --store year.oxigraph --cache .kg-cache   # again: only what changed
  kg build ~/rs2024/ ~/nta/00_zenkoku_all_20260331.zip -o graph.nt    # with the 法人番号 register""",
    "validate": """examples:
  kg validate graph.nt
  kg validate -g graph.nt -f json -o report.json""",
    "info": """examples:
  kg info year.oxigraph""",
    "queries": """examples:
  kg queries""",
    "query": """examples:
  kg query firms-in-several-projects -p topic=AI
  kg query corporation-profile -p corporateNumber=7010601022674 -f csv
  kg query --sparql 'SELECT ?p WHERE { ?p a <https://kg.jp-spending.example/def/Project> } LIMIT 5'
  kg query top-recipients --endpoint http://localhost:7878/query --graph https://example.org/spending""",
    "serve": """examples:
  kg serve graph.nt --port 8000""",
    "push": """examples:
  kg push graph.nt --endpoint http://localhost:7878/store --graph https://example.org/spending
  kg push year.oxigraph --endpoint http://localhost:7878/store          # a release; again: only what changed
  kg push year.oxigraph --endpoint http://host:8890/sparql-graph-crud-auth --update http://host:8890/sparql-auth --user dba
  kg push --cleanup --endpoint http://localhost:7878/store     # after a push that failed half-way""",
    "publish": """examples:
  kg publish site/ -g graph.nt --only kg:Project,kg:Corporation""",
    "export": """examples:
  kg export gephi -g graph.nt -o projects.gexf
  kg export gephi -g graph.nt -o firms.graphml --view corporations""",
}

GRAPH_HELP = ("the graph: files written by 'kg build' (.nt .ttl .nq .trig .jsonld .rdf, gzipped or not), an Oxigraph "
        "store folder, or source files/folders to build (default: ./graph.nt); repeatable")
BASE_IRI_HELP = "base IRI of the data (default: $KG_BASE_IRI or https://kg.jp-spending.example/id/)"


def _fit(text: str, width: int) -> str:
    """``text`` cut and padded to ``width`` terminal columns (a kanji takes two)."""
    import unicodedata

    out, used = [], 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out) + " " * (width - used)


def _bar(done: int, total: int, width: int = 30) -> str:
    """``[#####.....]``: how much of ``total`` is done, in ``width`` columns."""
    filled = int(width * min(done, total) / total)
    return f"[{'#' * filled}{'.' * (width - filled)}]"


def _progress(total: int):
    """A progress line on stderr for multi-file builds (a bar on a terminal, padded by display
    width so that Japanese names leave nothing behind; a line per file otherwise)."""
    state = {"n": 0}

    def tick(path: Path) -> None:
        state["n"] += 1
        n = state["n"]
        if total <= 1:
            return
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{_bar(n, total)} {n}/{total} {_fit(path.name, 40)}")
            if n == total:
                sys.stderr.write("\n")
        else:
            sys.stderr.write(f"[{n}/{total}] {path}\n")
        sys.stderr.flush()

    return tick


class Steps:
    """The command line's :class:`~kg.reporting.Reporter`: step lines on stderr
    (``steps(message)``). On a terminal a long step also shows how far it has got
    (``steps.share(done, total, unit)``, rewritten in place); elsewhere (a log, a pipe) the
    line of the step is enough, so a share prints nothing, unless ``log_shares`` (``kg
    publish``: a line per thousand pages). ``steps.item(path)`` tells one of ``items``
    inputs done: a bar on a terminal, a line per input elsewhere."""

    def __init__(self, items: int = 0, log_shares: bool = False) -> None:
        self.tty = sys.stderr.isatty()
        self._open = False  # a share line is on the terminal, not yet ended
        self._tick = _progress(items)
        self._log_shares = log_shares

    def __call__(self, message: str) -> None:
        self._end()
        print(message, file=sys.stderr, flush=True)
        _pause_after(message)

    def share(self, done: int, total: int, unit: str = "") -> None:
        if not self.tty and self._log_shares:
            line = f"[{done:,}/{total:,}]{' ' + unit if unit else ''}"
            print(line, file=sys.stderr, flush=True)
            _pause_after(line)
            return
        if not self.tty or total <= 0:
            return
        sys.stderr.write(f"\r  {_bar(done, total)} {done:,}/{total:,}{' ' + unit if unit else ''}")
        sys.stderr.flush()
        self._open = done < total
        if not self._open:
            sys.stderr.write("\n")

    def item(self, path) -> None:
        self._tick(Path(path))
        _pause_after(f"[{path}")

    def _end(self) -> None:
        if self._open:
            sys.stderr.write("\n")
            self._open = False


def _pause_after(line: str) -> None:
    """For the tests that stop a command at a chosen step with a real signal: with
    ``KG_PAUSE_AFTER=TEXT``, the command waits ``KG_PAUSE_SECONDS`` (default 30) after the
    first step line that starts with TEXT (an input done: ``[`` and its path)."""
    import os

    wanted = os.environ.get("KG_PAUSE_AFTER")
    if wanted and line.startswith(wanted):
        import time

        os.environ.pop("KG_PAUSE_AFTER")
        time.sleep(float(os.environ.get("KG_PAUSE_SECONDS", "30")))


def _reporter(quiet: bool, items: int = 0, log_shares: bool = False) -> Steps | None:
    return None if quiet else Steps(items, log_shares)


def _default(function, name: str):
    """The default of one of an API function's options: declared there, read here."""
    import inspect

    return inspect.signature(function).parameters[name].default


def cmd_build(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths] or [EXAMPLES_DIR]
    missing = [p for p in paths if not p.exists()]
    for p in missing:  # reported, and the others are built (exit 1)
        print(PathError(p, "no such file or folder").for_people(), file=sys.stderr)
    paths = [p for p in paths if p.exists()]
    if not paths:
        return ExitCode.UNUSABLE
    output = args.output if args.output is not None or args.store is not None else DEFAULT_GRAPH
    try:
        fmt = format_for(output, args.format)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    graph = api.build(paths, output=output, format=fmt, store=args.store, base_iri=args.base_iri,
                      workers=args.workers, cache=args.cache, all_corporations=args.all_corporations,
                      reporter=_reporter(args.quiet, len(expand(paths, []))))
    lines = summarise(graph.diagnostics)
    for line in lines if not args.quiet else [line for line in lines if ": error: " in line]:
        print(line, file=sys.stderr)
    if args.report is not None:
        fmt_report = write_report(graph.diagnostics + graph.notes, args.report)
        print(f"{len(graph.diagnostics) + len(graph.notes):,} diagnostics → {args.report} ({fmt_report})", file=sys.stderr)
    where = [w for w in ("stdout" if str(output) == "-" else (f"{output} ({fmt})" if output else None),
                         f"{args.store} (Oxigraph store)" if args.store else None) if w]
    if graph.documents == 0:
        left = " and ".join(str(w) for w in (None if str(output) == "-" else output, args.store) if w)
        said = "nothing built" in graph.description
        print(graph.description + ("" if said else f"; nothing built{f', {left} left as it was' if left else ''}"),
              file=sys.stderr)
        return ExitCode.UNUSABLE
    print(f"{graph.description} → {' and '.join(where)}", file=sys.stderr)
    return ExitCode.PARTIAL if graph.failed or missing else ExitCode.OK


def _open_reporting(paths: list[str] | None, quiet: bool):
    """The graph named on the command line (graph files, a store folder or sources; default
    ./graph.nt), its problems on stderr; an InputError when unusable (exit 2)."""
    files = [Path(p) for p in paths or [] if Path(p).exists()]
    if not quiet and any(p.is_file() and p.stat().st_size > 50 * 2**20 for p in files):
        print(f"loading {', '.join(map(str, files))} …", file=sys.stderr, flush=True)
    opened = api.open(paths or None, reporter=_reporter(quiet, len(expand(files, []))))
    for line in summarise(opened.diagnostics):
        print(line, file=sys.stderr)
    return opened


def cmd_info(args: argparse.Namespace) -> int:
    about = api.info(args.folder)
    if args.json:
        import json

        print(json.dumps(about, ensure_ascii=False, indent=2))
        return ExitCode.OK
    print(f"{about['folder']}: built {about.get('date', '?')} by kg {about.get('software', '?')} "
          f"(ontology {about.get('ontology', '?')})")
    print(f"  {int(about.get('triples', 0)):,} triples in the default graph; {about['graphs']:,} named graphs; "
          f"{about['quads']:,} quads in all")
    n = about["placeholders"]
    print(f"  {about['sheets']:,} sheets, {n:,} placeholder{'s' * (n != 1)} (sheets the inputs name but do not hold), "
          f"{about['corporations']:,} corporations, {about['expenditures']:,} 支出先 rows")
    for i in about["inputs"]:
        print(f"  input {i['title']}  {int(i['bytes']):,} bytes  sha256 {i['sha256']}")
    return ExitCode.OK


def cmd_queries(args: argparse.Namespace) -> int:
    for q in api.queries().values():
        print(f"{q.name}\n    {q.title}\n    {q.description}")
        for p in q.params:
            default = "required" if p.default is None else f"default {p.default!r}"
            print(f"    --param {p.name}=… ({p.type}, {default}): {p.description}")
        if q.page_size:
            print(f"    pages of {q.page_size:,} rows: --limit N, --offset N, --all")
        print()
    return ExitCode.OK


#: names a -p KEY=VALUE may take for an option of kg query (or of kg.query), with what to use
#: instead; VALUE stands for the value given
QUERY_OPTIONS = {"all": "--all", "endpoint": "--endpoint VALUE", "format": "--format VALUE", "graph": "--graph VALUE",
                 "limit": "--limit VALUE", "name": "the query name as the first argument", "offset": "--offset VALUE",
                 "param": "-p KEY=VALUE", "params": "-p KEY=VALUE", "quiet": "--quiet",
                 "remote_graph": "--graph IRI (with --endpoint)", "sparql": "--sparql VALUE", "timeout": "--timeout VALUE",
                 "user": "--user NAME", "password_env": "--password-env VAR", "insecure_auth": "--insecure-auth"}


def _parse_params(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise UsageError(f"--param {item!r}: expected KEY=VALUE")
        key, value = item.split("=", 1)
        key = key.strip()
        if not key:
            raise UsageError(f"--param {item!r}: no parameter name before '='")
        if key in out and out[key] != value:
            raise UsageError(f"--param {key} is given twice ({out[key]!r} and {value!r}); give it once")
        out[key] = value
    return out


def _check_param_names(query, values: dict[str, str]) -> None:
    """A -p name that is an option of kg query, not a parameter of the query, is refused with
    the option to use instead (``-p limit=5`` → ``--limit 5``); other unknown names list the
    query's parameters (QueryError)."""
    known = {p.name for p in query.params}
    for key, value in values.items():
        if key not in known and key in QUERY_OPTIONS:
            raise UsageError(f"-p {key}=…: {key!r} is an option of kg query, not a parameter of {query.name} "
                             f"(use {QUERY_OPTIONS[key].replace('VALUE', value)}; "
                             f"{query.name}'s parameters: {', '.join(sorted(known)) or 'none'})")
        query.param(key)  # an unknown name: the error lists the query's parameters


def _query_name(args: argparse.Namespace) -> str:
    """The query asked for: a canned name, a .rq file, ``-`` (the text on stdin) or --sparql TEXT."""
    from .queries import adhoc_query

    if args.sparql is not None:
        if args.name:
            raise UsageError("give either a query name or --sparql, not both")
        return adhoc_query(args.sparql, "sparql")
    if args.name == "-":
        return adhoc_query(sys.stdin.read(), "stdin")
    if not args.name:
        raise UsageError("name a query (kg queries lists them), a .rq file, '-' for stdin, or --sparql TEXT")
    return args.name


def _auth_options(p: argparse.ArgumentParser) -> None:
    """--user, --password-env, --insecure-auth: credentials for a protected server (kg/auth.py)."""
    from .auth import PASSWORD_ENV

    p.add_argument("--user", metavar="NAME",
                   help=f"user name on the server; the password from ${PASSWORD_ENV} (or --password-env) or a prompt "
                        "(default: the host's entry in ~/.netrc, or $NETRC's file, if any); sent as HTTP Basic or "
                        "Digest, whichever the server asks for")
    p.add_argument("--password-env", metavar="VAR", help=f"the environment variable holding the password of --user "
                                                         f"(default {PASSWORD_ENV})")
    p.add_argument("--insecure-auth", action="store_true",
                   help="allow a password over plain http to another machine (refused otherwise: use https)")


def cmd_query(args: argparse.Namespace) -> int:
    from .queries import OUTPUT_FORMATS, get_query

    name = _query_name(args)
    values = _parse_params(args.param)
    opened = None
    if args.endpoint is None and (args.user or args.password_env or args.insecure_auth):
        raise UsageError("--user, --password-env and --insecure-auth are for a remote server: give --endpoint URL")
    if args.endpoint is None:
        opened = _open_reporting(args.graph, args.quiet)
    elif args.graph and len(args.graph) > 1:
        raise UsageError("with --endpoint, --graph names one graph IRI on the server")
    query = get_query(name)
    _check_param_names(query, values)
    rows = api.query(opened, query, endpoint=args.endpoint, limit=args.limit, offset=args.offset, all=args.all,
                     timeout=args.timeout, remote_graph=args.graph[0] if args.endpoint and args.graph else None,
                     user=args.user, password_env=args.password_env, insecure_auth=args.insecure_auth,
                     params=values)
    result = rows.result
    if args.format == "table":
        shown = ", ".join(f"{k}={v.value}" for k, v in result.params.items())
        print(f"{result.query.title}" + (f" — {shown}" if shown else ""))
        print()
    sys.stdout.write(OUTPUT_FORMATS[args.format](result))
    if not args.quiet:
        more = ""
        if result.may_continue:
            more = (f" (a page: --offset {result.page.offset + len(result.rows)} for the next"
                    + (", --all for every row" if result.query.page_size else "") + ")")
        where = args.endpoint + (f" <{args.graph[0]}>" if args.graph else "") if args.endpoint else opened.description
        print(f"{len(result.rows)} rows from {where}{more}", file=sys.stderr)
    return ExitCode.OK


def cmd_serve(args: argparse.Namespace) -> int:
    opened = None

    def ready(url: str) -> None:
        print(f"Serving {opened.description}\n  pages:  {url}\n  SPARQL: {url}sparql  (read-only; limit {args.timeout:g} s, "
              f"{args.max_results:,} rows)", flush=True)

    options = dict(host=args.host, port=args.port, timeout=args.timeout, max_results=args.max_results,
                   base_iri=args.base_iri, title=args.title, quiet=args.quiet, ready=ready,
                   allow_service=args.allow_service, workers=args.workers, memory_limit_mb=args.memory_limit,
                   index_page=args.index_page, public_url=args.public_url)
    api.check_serve_options(**options)  # before the graph is opened: a bad option costs no load
    opened = _open_reporting(args.paths + (args.graph or []), args.quiet)
    try:
        api.serve(opened, **options)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from exc
    return ExitCode.OK


def cmd_push(args: argparse.Namespace) -> int:
    reporter = _reporter(args.quiet) or (lambda m: None)
    options = dict(graph_iri=args.graph, update=args.update, retries=args.retries, backoff=args.backoff,
                   part_mib=args.part_size, user=args.user, password_env=args.password_env,
                   insecure_auth=args.insecure_auth, reporter=reporter)
    if args.cleanup:
        dropped = api.push(None, args.endpoint, cleanup=True, **options)
        if not args.quiet:
            print(f"{len(dropped)} temporary graphs and parts dropped at {redact(args.endpoint)}", file=sys.stderr)
        return ExitCode.OK
    api.check_push_options(args.retries, args.backoff, args.part_size)  # before the graph is opened
    opened = _open_reporting(args.paths, args.quiet)
    pushed = api.push(opened, args.endpoint, full=args.full, **options)
    if not args.quiet and hasattr(pushed, "sent"):  # a store folder, graph by graph
        target = f"<{args.graph}>" if args.graph else "the default graph"
        print(f"pushed {len(pushed.sent):,} of {pushed.graphs:,} documents ({pushed.triples:,} triples; {pushed.unchanged:,} "
              f"unchanged" + (f", {len(pushed.dropped):,} taken out" if pushed.dropped else "") +
              ("" if pushed.first else f"; {pushed.compared:,} subjects compared") +
              f") to {target} at {redact(args.endpoint)}, {pushed.seconds:.1f} s", file=sys.stderr)
    elif not args.quiet:
        target = f"<{pushed.graph}>" if pushed.graph else "the default graph"
        how = "replaced in one update (MOVE)" if pushed.atomic else "replaced by one PUT"
        print(f"pushed {pushed.triples:,} triples to {target} at {redact(args.endpoint)}: {how}, {pushed.seconds:.1f} s",
              file=sys.stderr)
    return ExitCode.OK


def cmd_publish(args: argparse.Namespace) -> int:
    opened = _open_reporting(args.graph, args.quiet)
    only = [c.strip() for item in args.only or [] for c in item.split(",") if c.strip()]
    try:
        result = api.publish(opened, args.folder, base_iri=args.base_iri, title=args.title, license=args.license,
                             sources=args.source, endpoint=args.endpoint, only=only or None,
                             reporter=_reporter(args.quiet, log_shares=True))
    except UsageError:
        raise
    except ValueError as exc:
        raise UsageError(f"--only {args.only}: {exc} (e.g. kg:Project,kg:Corporation)") from exc
    except OSError as exc:  # FileExistsError included: a folder that is not a site
        raise UsageError(str(exc)) from exc
    if not args.quiet:
        print(result.summary(), file=sys.stderr)
    return ExitCode.OK


def cmd_validate(args: argparse.Namespace) -> int:
    from .validation import OUTPUT_FORMATS

    paths = args.paths + (args.graph or [])
    opened = _open_reporting(paths, args.quiet)
    reporter = _reporter(args.quiet)
    if reporter is not None:
        reporter(f"validating {opened.description} ({args.engine} engine) …")
    report = api.validate(opened, engine=args.engine, workers=args.workers, reporter=reporter)
    where = ", ".join(paths) if paths else str(DEFAULT_GRAPH)
    text = OUTPUT_FORMATS[args.format](report, source=where)
    if args.output and str(args.output) != "-":
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        if not args.quiet:
            print(OUTPUT_FORMATS["text"](report, source=where).splitlines()[-1] + f" → {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if opened.failed:
        return ExitCode.UNUSABLE
    if not report.conforms or (args.strict and report.warnings):
        return ExitCode.PARTIAL
    return ExitCode.OK


def cmd_export(args: argparse.Namespace) -> int:
    opened = _open_reporting(args.graph, args.quiet)
    exported = api.export(opened, args.output, target=args.target, view=args.view, year=args.year,
                          max_clique=args.max_clique, reporter=_reporter(args.quiet))
    if not args.quiet:
        print(exported.summary(), file=sys.stderr)
    return ExitCode.OK


def reference() -> str:
    """The command reference (docs/reference/cli.md): each command's usage and options, as ``--help`` says
    them (``tests/test_readme.py`` checks that the page holds exactly this text)."""
    import os

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps at the terminal's width: fix it
    try:
        parser = _parser()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        out = []
        for name, p in sub.choices.items():
            text = p.format_help()
            text = text.split("\nexamples:\n", 1)[0].rstrip()
            out.append(f"### `kg {name}`\n\n```text\n{text}\n```\n")
        return "\n".join(out)
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def _on_sigterm(signum, frame):
    raise Stopped(signum)


def _stopped(command: str, exc: BaseException) -> int:
    """SIGINT or SIGTERM: one line, the children stopped, exit 130 or 143 at once. Every
    ``finally`` on the way here has removed the temporary files and folders; threads still
    inside a query of the store are not waited for."""
    import multiprocessing
    import os
    import threading

    term = isinstance(exc, Stopped)
    code = ExitCode.TERMINATED if term else ExitCode.INTERRUPTED
    print(f"kg {command}: stopped by {'SIGTERM' if term else 'SIGINT'}; its temporary files are removed and "
          "the previous output is left as it was", file=sys.stderr, flush=True)
    children = multiprocessing.active_children()
    for child in children:  # worker processes of a build: they would finish their file first
        child.kill()
    for child in children:
        child.join(2)
    if threading.active_count() > 1:  # a validation thread in a query: not waited for
        sys.stdout.flush()
        os._exit(int(code))
    return int(code)


def main(argv: list[str] | None = None) -> int:
    import signal
    import threading

    # SIGPIPE stays ignored (Python's default): with the signal's own default, a server that
    # closes the connection during an upload (Virtuoso refusing a push before reading it) would
    # end the process silently; `kg query … | head` is handled below instead
    previous = None
    if threading.current_thread() is threading.main_thread():  # SIGTERM unwinds as Ctrl-C does
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _main(argv)
    except BrokenPipeError:
        if not _stdout_closed():
            raise
        return ExitCode.OK  # `kg query … | head`: the reader has what it wanted; no traceback
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _stdout_closed() -> bool:
    """Whether standard output's reader has gone (then it is pointed at /dev/null, so that
    the interpreter's last flush does not fail again)."""
    try:
        sys.stdout.flush()
        return False
    except BrokenPipeError:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return True


def _main(argv: list[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:  # `kg` alone: what it can do
        parser.print_help()
        return 0
    for name in ("output", "report"):  # a file to write: a folder there fails now, not after the work
        target = getattr(args, name, None)
        if target is not None and str(target) != "-" and Path(target).expanduser().is_dir():
            option = "-o" if name == "output" else "--report"
            also = " (--store writes a store folder)" if args.command == "build" and name == "output" else ""
            print(f"{target}: error: is a folder: {option} writes a file{also}", file=sys.stderr)
            return ExitCode.UNUSABLE
    try:
        return int(args.func(args))
    except KgError as exc:  # everything kg refuses: one line (or two) on stderr, its exit status
        print(exc.for_people(), file=sys.stderr)
        return int(exc.exit_code)
    except (KeyboardInterrupt, Stopped) as exc:  # Ctrl-C or SIGTERM: no traceback for a normal event
        return _stopped(args.command, exc)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg", description="Knowledge graph of Japanese government spending.", epilog=EXAMPLES[None],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    b = sub.add_parser(
        "build", epilog=EXAMPLES["build"], formatter_class=argparse.RawDescriptionHelpFormatter,
        help="map review sheets and pre-analysis tables into one RDF graph",
        description="Map documents (files or folders; default: the bundled examples) into one RDF graph. "
        "Exit 0: all inputs built; 1: some inputs failed (reported, the rest built); 2: nothing built.",
    )
    b.add_argument("paths", nargs="*", help="input files or folders (default: examples/seeds)")
    b.add_argument("-o", "--output", type=Path, help="output file, '-' for stdout (default: graph.nt, unless --store)")
    b.add_argument("--store", type=Path, metavar="DIR",
                   help="write an Oxigraph store folder (one named graph per document, its build described inside: "
                   "kg info DIR); every command opens it read-only with -g DIR; with --cache, a rebuild replaces only "
                   "what changed")
    b.add_argument("-f", "--format", choices=sorted(FORMATS), help="output format (default: from the suffix, else nt)")
    b.add_argument("--base-iri", help=BASE_IRI_HELP)
    b.add_argument("-q", "--quiet", action="store_true", help="no progress and no warnings on stderr: errors and the one-line summary (which counts the warnings) stay; --report lists every diagnostic")
    b.add_argument(
        "--cache", type=Path, metavar="DIR",
        help="keep each file's mapping here; a rebuild maps only files whose bytes (or the code) changed",
    )
    b.add_argument("-j", "--workers", type=int, default=_default(api.build, "workers"),
                   help="map files in this many processes (default: %(default)s)")
    b.add_argument("--all-corporations", action="store_true",
                   help="with 法人番号 register files (全件/差分 CSV, told by content): keep every corporation in them, "
                   "not only those the other inputs name")
    b.add_argument("--report", type=Path, metavar="FILE",
                   help="write every diagnostic, one per occurrence, to FILE (.json: JSON, else CSV); "
                   "stderr shows each message once with its count")
    b.set_defaults(func=cmd_build)

    v = sub.add_parser(
        "validate", epilog=EXAMPLES["validate"], formatter_class=argparse.RawDescriptionHelpFormatter,
        help="check a graph (or sources) against the SHACL shapes and print what is wrong",
        description="Validate a graph against shapes/ and print, for each problem, the record, the rule in plain words, "
        "the value and the source document and line. Exit 0: conforms (warnings allowed); 1: violations "
        "(or warnings with --strict); 2: unusable input.",
    )
    v.add_argument("paths", nargs="*", help="the graph, as with -g")
    v.add_argument("-g", "--graph", action="append", help=GRAPH_HELP)
    v.add_argument("-f", "--format", choices=("text", "turtle", "json"), default="text", help="report format (default: %(default)s)")
    v.add_argument("-o", "--output", type=Path, help="write the report to this file (default: stdout)")
    v.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    v.add_argument(
        "--engine", choices=("fast", "pyshacl"), default=_default(api.validate, "engine"),
        help="fast: every constraint and rule as one query on the store (default); pyshacl: node by node, the reference way",
    )
    v.add_argument(
        "-j", "--workers", type=int, default=_default(api.validate, "workers"),
        help="run the fast engine's queries in this many threads (default: %(default)s)",
    )
    v.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    v.set_defaults(func=cmd_validate)

    inf = sub.add_parser("info", help="what an Oxigraph store folder holds: build date, versions, inputs, counts",
                         epilog=EXAMPLES["info"], formatter_class=argparse.RawDescriptionHelpFormatter)
    inf.add_argument("folder", type=Path, help="a store folder written by kg build --store")
    inf.add_argument("--json", action="store_true", help="as JSON")
    inf.set_defaults(func=cmd_info)

    ql = sub.add_parser("queries", help="list the canned queries with their parameters", epilog=EXAMPLES["queries"],
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    ql.set_defaults(func=cmd_queries)

    q = sub.add_parser(
        "query", epilog=EXAMPLES["query"], formatter_class=argparse.RawDescriptionHelpFormatter,
        help="run a canned query on a built graph",
        description="Run a canned query (see 'kg queries') on a graph. Exit 0: answered; 2: bad query, parameter or graph.",
    )
    q.add_argument("name", nargs="?", help="query name (e.g. firms-in-several-projects), a path to a .rq file "
                   "(the header is optional), or - to read the SPARQL from stdin")
    q.add_argument("--sparql", metavar="TEXT", help="an ad-hoc SELECT query instead of a name")
    q.add_argument("-g", "--graph", action="append",
                   help=GRAPH_HELP + "; with --endpoint: the IRI of the named graph on the server")
    q.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE", help="a query parameter; repeatable")
    q.add_argument("-f", "--format", choices=("table", "csv", "json"), default="table", help="output format (default: table)")
    q.add_argument("--limit", type=int, help="at most this many rows (a long listing answers one page unless "
                   "told otherwise: 'kg queries' gives its size)")
    q.add_argument("--offset", type=int, default=_default(api.query, "offset"), help="skip this many rows first (the next page)")
    q.add_argument("--all", action="store_true", help="every row, not a page (slower on a full year)")
    q.add_argument("--endpoint", metavar="URL",
                   help="run it on this SPARQL endpoint instead of a local graph (e.g. http://localhost:7878/query)")
    _auth_options(q)
    q.add_argument("--timeout", type=float, default=_default(api.query, "timeout"),
                   help="seconds to wait for a remote endpoint (default %(default)s)")
    q.add_argument("-q", "--quiet", action="store_true", help="no progress or summary on stderr")
    q.set_defaults(func=cmd_query)

    sv = sub.add_parser(
        "serve", epilog=EXAMPLES["serve"], formatter_class=argparse.RawDescriptionHelpFormatter,
        help="serve the graph: a read-only SPARQL endpoint and a page per resource",
        description="Serve a graph (files written by 'kg build', sources, or an Oxigraph store folder) over HTTP: "
        "/sparql answers the SPARQL 1.1 Protocol (JSON, XML, CSV, TSV; Turtle, N-Triples, JSON-LD, RDF/XML), "
        "/id/… and /def/… (also under /resource/) give each resource as HTML or RDF by Accept. Read-only; "
        "queries run in worker processes that keep the store open, each stopped at --timeout and --memory-limit; "
        "request bodies over 256 kB, queries nested over 64 brackets and SERVICE are refused, and a silent "
        "connection is closed after 10 s.",
    )
    sv.add_argument("paths", nargs="*", help="the graph, as with -g")
    sv.add_argument("-g", "--graph", action="append", help=GRAPH_HELP)
    sv.add_argument("--host", default=_default(api.serve, "host"), help="address to listen on (default %(default)s; 0.0.0.0 for all)")
    sv.add_argument("--port", type=int, default=_default(api.serve, "port"), help="port (default %(default)s; 0 picks a free one)")
    sv.add_argument("--timeout", type=float, default=_default(api.serve, "timeout"), help="seconds a query may run (default %(default)s)")
    sv.add_argument("--max-results", type=int, default=_default(api.serve, "max_results"),
                    help="rows or triples in one answer (default %(default)s)")
    sv.add_argument("--base-iri", help=BASE_IRI_HELP)
    sv.add_argument("--title", default=_default(api.serve, "title"), help="site title on the pages")
    sv.add_argument("--workers", type=int, help="processes that keep the store open and answer queries "
                    "(default: one per core)")
    sv.add_argument("--memory-limit", type=int, default=_default(api.serve, "memory_limit_mb"), metavar="MB",
                    help="memory one request may take in its worker; past it the query is stopped with 503 "
                    "(default %(default)s; 0: no limit)")
    sv.add_argument("--public-url", metavar="URL",
                    help="the address users reach this server at, e.g. behind a proxy (https://spending.example.org/); "
                    "used in the links of CSV downloads and in /void.ttl (default: the address it listens on)")
    sv.add_argument("--index-page", type=int, default=_default(api.serve, "index_page"), metavar="N",
                    help="instances on one page of a class index (default %(default)s)")
    sv.add_argument("--allow-service", action="store_true",
                    help="run federated queries (SERVICE), which make this server fetch the URLs clients name; "
                    "refused by default")
    sv.add_argument("-q", "--quiet", action="store_true", help="no request log")
    sv.set_defaults(func=cmd_serve)

    pu = sub.add_parser(
        "push", epilog=EXAMPLES["push"], formatter_class=argparse.RawDescriptionHelpFormatter,
        help="upload the graph to a SPARQL server (Graph Store Protocol), replacing a graph",
        description="Replace a graph on a SPARQL server with this graph, through the SPARQL 1.1 Graph Store HTTP "
        "Protocol. With an update endpoint (--update, or …/update beside an Oxigraph …/store) the data goes into a "
        "temporary graph first and replaces the target in one MOVE, so a failure never leaves a partial graph. "
        "A store folder (kg build --store) goes up as a release: the whole graph into the target and a part per "
        "document beside it; a later push sends only the documents whose content changed, each swapped in one "
        "update, and takes out those no longer in the build. "
        "Transient errors are retried with exponential backoff. Exit 0: pushed; 1: the server refused or was "
        "unreachable; 2: bad input.",
    )
    pu.add_argument("paths", nargs="*", help="graph files or sources (default: ./graph.nt)")
    pu.add_argument("--endpoint", required=True, metavar="URL",
                    help="Graph Store endpoint, e.g. http://localhost:7878/store (Oxigraph), http://host:3030/ds/data (Fuseki)")
    pu.add_argument("--graph", metavar="IRI", help="named graph to replace (default: the default graph)")
    pu.add_argument("--update", metavar="URL", help="SPARQL Update endpoint for the atomic replace (default: …/update beside …/store)")
    pu.add_argument("--retries", type=int, default=_default(api.push, "retries"),
                    help="tries per request, the first included (default %(default)s)")
    pu.add_argument("--cleanup", action="store_true",
                    help="drop the temporary graphs that failed pushes left on the server, and push nothing")
    pu.add_argument("--part-size", type=float, default=_default(api.push, "part_mib"), metavar="MiB",
                    help="upload in parts of this size, each a request of its own (default %(default)s; "
                    "less for a server or proxy with a smaller body limit)")
    pu.add_argument("--backoff", type=float, default=_default(api.push, "backoff"),
                    help="seconds before the first retry, doubled each time (default %(default)s)")
    pu.add_argument("-q", "--quiet", action="store_true", help="no progress or summary on stderr")
    pu.add_argument("--full", action="store_true",
                    help="a store folder: load everything again, as a first push does, whatever the server's manifest says")
    _auth_options(pu)
    pu.set_defaults(func=cmd_push)

    pb = sub.add_parser(
        "publish", epilog=EXAMPLES["publish"], formatter_class=argparse.RawDescriptionHelpFormatter,
        help="write the graph as a static linked-data site (a page and a Turtle file per resource)",
        description="Write a static site: one HTML page and one Turtle file per resource at its IRI's path, an index "
        "per class, VoID/DCAT (void.ttl) with licence and sources, and a dump (dump/graph.nt.gz). Any static web "
        "server can host it. Exit 0: written; 2: bad graph or folder.",
    )
    pb.add_argument("folder", type=Path, help="output folder (new, empty, or a site written before)")
    pb.add_argument("-g", "--graph", action="append", help=GRAPH_HELP)
    pb.add_argument("--base-iri", help=BASE_IRI_HELP)
    pb.add_argument("--title", default=_default(api.publish, "title"), help="site title")
    from .web.publish import DEFAULT_LICENSE, DEFAULT_SOURCES

    pb.add_argument("--license", default=DEFAULT_LICENSE, help="licence IRI of the dataset (default CC BY 4.0)")
    pb.add_argument("--source", action="append", metavar="URL",
                    help=f"where the sources come from (default: {', '.join(DEFAULT_SOURCES)}); repeatable")
    pb.add_argument("--endpoint", metavar="URL", help="a public SPARQL endpoint of the same data, named in void.ttl")
    pb.add_argument("--only", action="append", metavar="CLASSES",
                    help="pages only for instances of these classes, e.g. kg:Project,kg:Corporation,kg:Ministry,kg:Law "
                    "(a national year has millions of resources); repeatable")
    pb.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    pb.set_defaults(func=cmd_publish)

    x = sub.add_parser(
        "export", epilog=EXAMPLES["export"], formatter_class=argparse.RawDescriptionHelpFormatter,
        help="export a network view of the graph for Gephi (GEXF) or other tools (GraphML)",
        description="Write the payment network as GEXF 1.3 (Gephi: directed payments weighted by log10 yen with the yen "
        "beside, node kinds, Japanese labels, 法人番号, ministries, a timeline by fiscal year) or GraphML. "
        "Exit 0: written; 2: bad view, file type or graph.",
    )
    x.add_argument("target", choices=("gephi",), help="what to export for (gephi: GEXF or GraphML by the file suffix)")
    x.add_argument("-o", "--output", type=Path, required=True, help="FILE.gexf or FILE.graphml")
    x.add_argument(
        "--view", choices=("projects", "corporations", "full"), default=_default(api.export, "view"),
        help="projects: projects and the recipients they paid (default); corporations: corporations joined by the "
        "projects that paid both; full: projects, recipients, ministries, laws and measures",
    )
    x.add_argument("--year", type=int, help="only sheets of this year (a sheet of year N reports fiscal year N-1)")
    x.add_argument("--max-clique", type=int, default=_default(api.export, "max_clique"),
                   help="corporations view: leave out projects paying more corporations than this (default %(default)s)")
    x.add_argument("-g", "--graph", action="append", help=GRAPH_HELP)
    x.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    x.set_defaults(func=cmd_export)
    return parser


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
