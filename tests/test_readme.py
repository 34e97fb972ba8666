"""The README cannot drift: its command reference is what --help says, its layouts table
and input suffixes are the code's, and every code block a user can run is run here
(```sh blocks line by line in a fresh folder, ```python blocks as they are; blocks that
need a server or downloads are ```text).

    .venv/bin/python -m pytest tests/test_readme.py --update-golden   # rewrite the reference
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

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- command reference: begin -->", "<!-- command reference: end -->"


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"^```{kind}\n(.*?)^```$", README.read_text(encoding="utf-8"), re.M | re.S)


def test_command_reference_is_what_help_says(request):
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN, 1)
    current, tail = rest.split(END, 1)
    want = "\n" + reference() + "\n"
    if request.config.getoption("--update-golden"):
        README.write_text(head + BEGIN + want + END + tail, encoding="utf-8")
        return
    assert current == want, "the README's command reference differs from --help: run pytest tests/test_readme.py --update-golden"


def test_layouts_and_input_suffixes_are_the_codes():
    text = README.read_text(encoding="utf-8")
    for m in mappers.MAPPERS + mappers.STREAMED:
        assert f"| `{m.NAME}` |" in text, f"layout {m.NAME} missing from the README's table"
    line = next(line for line in text.splitlines() if "folders are searched for" in line)
    para = text[text.index(line):text.index(line) + 200]
    assert all(f"`{s}`" in para for s in INPUT_SUFFIXES), para


def _run(line: str, cwd: Path) -> subprocess.CompletedProcess:
    args = shlex.split(line, comments=True)
    if args and args[0].endswith("/kg"):
        args[0] = "kg"
    assert args[0] == "kg", f"a README ```sh line that is not a kg command: {line!r}"
    env = dict(os.environ, COLUMNS="100")
    return subprocess.run([sys.executable, "-m", "kg.cli", *args[1:]], cwd=cwd, capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, seed_nt):
    d = tmp_path_factory.mktemp("readme")
    (d / "graph.nt").write_bytes(seed_nt.read_bytes())
    examples = Path(__file__).resolve().parent.parent / "examples"
    (d / "examples").symlink_to(examples)
    return d


SH_BLOCKS = _blocks("sh")[1:]  # the first is the install-and-run block: .ci/run runs it


@pytest.mark.parametrize("block", SH_BLOCKS, ids=[b.splitlines()[0][:50] for b in SH_BLOCKS])
def test_every_sh_block_runs(block, workdir):
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        done = _run(line, workdir)
        assert done.returncode in (0, 1), f"{line}\n{done.stderr[-2000:]}"
        if " validate " not in f" {line} ":
            assert done.returncode == 0, f"{line}\n{done.stderr[-2000:]}"


def test_every_python_block_runs(workdir, monkeypatch):
    blocks = _blocks("python")
    assert blocks
    monkeypatch.chdir(workdir)
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {})


def test_first_command_output_is_what_the_readme_shows(tmp_path):
    """The output the README shows under its two commands, as the first command prints it
    (progress lines left out)."""
    def kg(*args):
        return subprocess.run([sys.executable, "-m", "kg.cli", *args], cwd=tmp_path, capture_output=True, text=True)

    build, check, ask = kg("build", "-o", "graph.nt"), kg("validate", "graph.nt"), kg("query", "firms-in-several-projects")
    printed = [line for line in build.stderr.splitlines() if not line.startswith("[")]
    printed = [line.replace(str(Path(__file__).resolve().parent.parent) + "/", "") for line in printed]
    shown = "\n".join(printed) + "\n" + check.stdout + ask.stdout
    text = README.read_text(encoding="utf-8")
    block = re.search(r"^```\n(examples/seeds/.*?)^```$", text, re.M | re.S).group(1)
    assert block == shown
