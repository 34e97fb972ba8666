"""The README and the documentation site cannot drift: the command reference is what
--help says, the canned-query and diagnostics references are what the .rq headers and the
shapes say, the layouts table and input suffixes are the code's, every module is on the
layout page, every section the code cites exists, and every code block a user can run is
run here (```sh blocks line by line in a fresh folder, ```python blocks as they are;
blocks that need a server or downloads are ```text). Pages: README.md, docs/**/*.md and
benchmarks/README.md.

    .venv/bin/python -m pytest tests/test_readme.py --update-golden   # rewrite the generated references
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from kg import mappers
from kg.cli import reference
from kg.read import INPUT_SUFFIXES

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.rglob("*.md")), ROOT / "benchmarks" / "README.md"]
CLI_PAGE = DOCS / "reference" / "cli.md"
INPUTS_PAGE = DOCS / "inputs" / "index.md"
LAYOUT_PAGE = DOCS / "contributing" / "index.md"
BEGIN, END = "<!-- {}: begin -->", "<!-- {}: end -->"


def _name(page: Path) -> str:
    return str(page.relative_to(ROOT))


def _blocks(kind: str, page: Path) -> list[str]:
    return re.findall(rf"^```{kind}\n(.*?)^```$", page.read_text(encoding="utf-8"), re.M | re.S)


def _generated(request, page: Path, marker: str, want: str) -> None:
    """The text between a page's markers is ``want``; --update-golden writes it there."""
    text = page.read_text(encoding="utf-8")
    begin, end = BEGIN.format(marker), END.format(marker)
    assert begin in text and end in text, f"{_name(page)} lacks its {marker} markers"
    head, rest = text.split(begin, 1)
    current, tail = rest.split(end, 1)
    want = "\n" + want + "\n"
    if request.config.getoption("--update-golden"):
        page.write_text(head + begin + want + end + tail, encoding="utf-8")
        return
    assert current == want, f"{_name(page)}: the {marker} differs from the code: run pytest tests/test_readme.py --update-golden"


def test_command_reference_is_what_help_says(request):
    _generated(request, CLI_PAGE, "command reference", reference())


def queries_reference() -> str:
    """Every canned query from its .rq header: title, description, parameters with their
    types and defaults, the page size."""
    from kg.queries import load_queries

    out = []
    for name, q in sorted(load_queries().items()):
        out += [f"## `{name}`", "", f"**{q.title}**", "", q.description.strip(), ""]
        if q.params:
            out += ["| parameter | type | default | meaning |", "| --- | --- | --- | --- |"]
            for p in q.params:
                default = "(required)" if p.default is None else f"`{p.default}`"
                out.append(f"| `{p.name}` | {p.type} | {default} | {p.description.replace('|', '/')} |")
            out.append("")
        if q.page_size:
            out += [f"Answers in pages of {q.page_size:,} rows (`--offset`, `--limit`, `--all`).", ""]
        out += [f"Source: `queries/{q.path.name}`.", ""]
    return "\n".join(out).rstrip()


def test_canned_query_reference_is_what_the_headers_say(request):
    _generated(request, DOCS / "reference" / "queries.md", "queries", queries_reference())


def diagnostics_reference() -> str:
    """Every rule of shapes/rules.ttl with its severity, target and message, and the
    number of core shapes and constraints."""
    from rdflib import Graph, Namespace, RDF

    from kg.assets import SHAPES_DIR

    sh = Namespace("http://www.w3.org/ns/shacl#")
    rules = Graph().parse(SHAPES_DIR / "rules.ttl")
    core = Graph().parse(SHAPES_DIR / "core.ttl")
    out = ["| shape | severity | applies to | message |", "| --- | --- | --- | --- |"]
    for shape in sorted(rules.subjects(RDF.type, sh.NodeShape), key=str):
        severity = str(rules.value(shape, sh.severity) or sh.Violation).rsplit("#", 1)[1]
        target = rules.value(shape, sh.targetClass) or rules.value(shape, sh.targetObjectsOf) or rules.value(shape, sh.targetSubjectsOf)
        target = str(target).rsplit("/", 1)[-1] if target is not None else "—"
        constraint = rules.value(shape, sh.sparql)
        message = str(rules.value(constraint, sh.message) or rules.value(shape, sh.message) or "").replace("|", "/")
        out.append(f"| `{str(shape).rsplit('/', 1)[1]}` | {severity} | `{target}` | {message} |")
    nodes = sorted(core.subjects(RDF.type, sh.NodeShape), key=str)
    props = sum(1 for _ in core.objects(None, sh.property))
    out += ["", f"`shapes/core.ttl` holds {len(nodes)} node shapes with {props} property shapes: "
            "one node shape per class of the ontology (cardinalities, datatypes, ranges, patterns), "
            "each property shape with its own `sh:message`."]
    return "\n".join(out)


def test_diagnostics_reference_is_what_the_shapes_say(request):
    _generated(request, DOCS / "reference" / "diagnostics.md", "shapes", diagnostics_reference())


def test_layouts_and_input_suffixes_are_the_codes():
    text = INPUTS_PAGE.read_text(encoding="utf-8")
    for m in mappers.MAPPERS + mappers.STREAMED:
        assert f"| `{m.NAME}` |" in text, f"layout {m.NAME} missing from the table of {_name(INPUTS_PAGE)}"
    line = next(line for line in text.splitlines() if "folders are searched for" in line)
    para = text[text.index(line):text.index(line) + 200]
    assert all(f"`{s}`" in para for s in INPUT_SUFFIXES), para


def test_every_module_is_on_the_layout_page():
    """The layout page names every module of kg/ (a package by its folder), and names no
    module that is gone."""
    text = LAYOUT_PAGE.read_text(encoding="utf-8")
    block = re.search(r"^## Layout of the repository\n.*?^```\n(.*?)^```$", text, re.M | re.S).group(1)
    named = set()
    folder = ""
    for line in block.splitlines():
        m = re.match(r"^(\s*)(\S+)", line)
        if not m:
            continue
        token = m.group(2)
        if not m.group(1) and token.endswith("/"):
            folder = token
        for t in re.findall(r"[\w/]+\.py|[\w/]+/", line.split("  ")[0] + " " + line):
            if t.startswith("kg/"):
                named.add(t)
            elif m.group(1) and folder.startswith("kg/") and t == token:
                named.add(folder + t)
    modules = set()
    for f in (ROOT / "kg").rglob("*.py"):
        rel = f.relative_to(ROOT).as_posix()
        if f.name == "__init__.py":
            continue
        modules.add(rel)
    missing = sorted(m for m in modules if m not in named)
    assert not missing, f"modules missing from {_name(LAYOUT_PAGE)}: {missing}"
    gone = sorted(n for n in named if not (ROOT / n).exists())
    assert not gone, f"{_name(LAYOUT_PAGE)} names what does not exist: {gone}"


def _headings(page: Path) -> list[str]:
    text = re.sub(r"^```.*?^```$", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    return [h.strip().strip("`") for h in re.findall(r"^#{1,6} (.*)$", text, re.M)]


CITATION = re.compile(r'((?:docs/[\w/.-]+|benchmarks/README)\.md)(?:(?:\s|#)+"([^"]+?)")?', re.S)


def test_every_section_the_code_cites_exists():
    """A citation in code, shapes, queries or the ontology is a page path, optionally
    followed by a heading in quotes (``docs/graph/truth.md "Who was paid"``); the page and
    the heading exist. No citation of a README section is left."""
    sources = [f for d in ("kg", "shapes", "queries", "ontology", "benchmarks", "tests")
               for f in (ROOT / d).rglob("*") if f.suffix in (".py", ".ttl", ".rq") and "node_modules" not in f.parts]
    cited = 0
    for f in sources:
        text = f.read_text(encoding="utf-8")
        stale = re.findall(r'README(?:\'s)? \\?"[^"]+"', text)
        assert not stale, f"{f.relative_to(ROOT)} cites README sections: {stale}"
        for m in CITATION.finditer(text):
            page = ROOT / m.group(1)
            assert page.is_file(), f"{f.relative_to(ROOT)} cites {m.group(1)}, which does not exist"
            if m.group(2):
                want = re.sub(r"\s+", " ", m.group(2).replace("\\", "")).strip()
                assert any(h.startswith(want) for h in _headings(page)), \
                    f"{f.relative_to(ROOT)} cites {m.group(1)} \"{want}\": no such heading"
            cited += 1
    assert cited >= 20


def _run(line: str, cwd: Path) -> subprocess.CompletedProcess:
    args = shlex.split(line, comments=True)
    if args and args[0].endswith("/kg"):
        args[0] = "kg"
    assert args[0] == "kg", f"a ```sh line that is not a kg command: {line!r}"
    env = dict(os.environ, COLUMNS="100")
    return subprocess.run([sys.executable, "-m", "kg.cli", *args[1:]], cwd=cwd, capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, seed_nt):
    d = tmp_path_factory.mktemp("readme")
    (d / "graph.nt").write_bytes(seed_nt.read_bytes())
    (d / "examples").symlink_to(ROOT / "examples")
    return d


# the install-and-run blocks (README, getting started) are what .ci/run runs
SH_BLOCKS = [(page, b) for page in PAGES for b in _blocks("sh", page) if "pip install" not in b]


@pytest.mark.parametrize("page, block", SH_BLOCKS, ids=[f"{_name(p)}:{b.splitlines()[0][:40]}" for p, b in SH_BLOCKS])
def test_every_sh_block_runs(page, block, workdir):
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        done = _run(line, workdir)
        assert done.returncode in (0, 1), f"{_name(page)}: {line}\n{done.stderr[-2000:]}"
        if " validate " not in f" {line} ":
            assert done.returncode == 0, f"{_name(page)}: {line}\n{done.stderr[-2000:]}"


def test_every_python_block_runs(workdir, monkeypatch):
    pages = [p for p in PAGES if _blocks("python", p)]
    assert pages
    monkeypatch.chdir(workdir)
    for page in pages:
        for code in _blocks("python", page):
            exec(compile(code, _name(page), "exec"), {})


def test_first_command_output_is_what_the_readme_shows(tmp_path):
    """The output the README (and the getting-started page) shows under the two commands,
    as the first command prints it (progress lines left out)."""
    def kg(*args):
        return subprocess.run([sys.executable, "-m", "kg.cli", *args], cwd=tmp_path, capture_output=True, text=True)

    build, check, ask = kg("build", "-o", "graph.nt"), kg("validate", "graph.nt"), kg("query", "firms-in-several-projects")
    printed = [line for line in build.stderr.splitlines() if not line.startswith("[")]
    printed = [line.replace(str(ROOT) + "/", "") for line in printed]
    shown = "\n".join(printed) + "\n" + check.stdout + ask.stdout
    for page in (README, DOCS / "getting-started.md"):
        text = page.read_text(encoding="utf-8")
        block = re.search(r"^```\n(examples/seeds/.*?)^```$", text, re.M | re.S).group(1)
        assert block == shown, _name(page)


def test_the_two_commands_open_the_readme():
    """The README starts with the two commands (.ci/run runs the first, then the second)."""
    lines = README.read_text(encoding="utf-8").splitlines()
    assert lines[2] == "```sh" and lines[5] == "```"
    assert "pip install" in lines[3] and "kg build" in lines[3] and lines[4].startswith(".venv/bin/python -m pytest")
    assert 100 <= len(lines) <= 150, f"the README has {len(lines)} lines"


def test_exit_codes_on_the_diagnostics_page_are_the_codes(request):
    from kg.errors import exit_codes_reference

    _generated(request, DOCS / "reference" / "diagnostics.md", "exit codes", exit_codes_reference())
