"""``kg`` command line: a thin layer over the library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .build import EXAMPLES_DIR, FORMATS, build, format_for, serialize
from .read import expand


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
    result = build(paths, base_iri=args.base_iri, progress=None if args.quiet else _progress(len(files)))
    for d in result.diagnostics:
        print(d, file=sys.stderr)
    data = serialize(result.graph, fmt)
    if str(args.output) == "-":
        sys.stdout.buffer.write(data)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_bytes(data)
    where = "stdout" if str(args.output) == "-" else str(args.output)
    print(f"{result.summary()} → {where} ({fmt})", file=sys.stderr)
    if result.documents == 0:
        return 2
    return 1 if result.failed or missing else 0


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
    b.set_defaults(func=cmd_build)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
