"""Feedback on long work: a bar padded by display width, step lines, shares of a long step on
a terminal only, files reported as they are done, and -q that prints the summary alone."""

from __future__ import annotations

import io
import time
import unicodedata
from pathlib import Path

from kg import cli
from kg.cli import Steps, _fit, _progress, main
from kg.pipeline import _in_processes

from .conftest import RS_FIXTURES


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_names_are_cut_and_padded_by_display_width():
    name = "5-1_RS_2024_支出先_支出情報.zip"
    assert width(_fit(name, 40)) == 40
    assert _fit(name, 15) == "5-1_RS_2024_支 "  # 支 takes two columns: 出 would make 16
    assert _fit(name, 16) == "5-1_RS_2024_支出"


def test_the_bar_rewrites_one_line_on_a_terminal_and_prints_lines_elsewhere(monkeypatch):
    term = Terminal()
    monkeypatch.setattr(cli.sys, "stderr", term)
    tick = _progress(2)
    tick(Path("1-1_RS_2024_基本情報_組織情報.zip"))
    tick(Path("5-1_RS_2024_支出先_支出情報.zip"))
    drawn = term.getvalue()
    assert drawn.count("\r") == 2 and drawn.endswith("\n") and drawn.count("\n") == 1
    first, second = drawn.split("\r")[1:]
    assert first.startswith("[" + "#" * 15 + "." * 15 + "] 1/2 1-1_RS_2024_基本情報_組織情報.zip")
    assert width(first) == width(second.rstrip("\n"))  # a shorter name leaves nothing of the longer one behind
    log = io.StringIO()
    monkeypatch.setattr(cli.sys, "stderr", log)
    tick = _progress(2)
    tick(Path("a.zip"))
    tick(Path("b.zip"))
    assert log.getvalue() == "[1/2] a.zip\n[2/2] b.zip\n"


def test_a_long_step_shows_its_share_on_a_terminal_only(monkeypatch):
    term = Terminal()
    monkeypatch.setattr(cli.sys, "stderr", term)
    steps = Steps()
    steps("loading 2,385 MiB of N-Quads into the store …")
    steps.share(256, 2385, "MiB")
    steps("optimizing the store …")  # a step cut short ends its share line first
    steps.share(3, 3, "files")
    assert term.getvalue() == ("loading 2,385 MiB of N-Quads into the store …\n"
                               "\r  [###...........................] 256/2,385 MiB\n"
                               "optimizing the store …\n"
                               "\r  [##############################] 3/3 files\n")
    log = io.StringIO()
    monkeypatch.setattr(cli.sys, "stderr", log)
    steps = Steps()
    steps("merging 15 files into N-Quads for the store …")
    steps.share(1, 15, "files")
    assert log.getvalue() == "merging 15 files into N-Quads for the store …\n"


def nap(path: Path) -> str:
    """Mapping stand-in: the larger the file, the longer it takes."""
    time.sleep(2.0 if path.stat().st_size > 1000 else 0.0)
    return path.name


def test_files_mapped_in_processes_are_reported_as_each_is_done(tmp_path):
    big, small = tmp_path / "5-1.zip", tmp_path / "1-1.zip"
    big.write_bytes(b"x" * 5000)
    small.write_bytes(b"x")
    told, said = [], []
    done = list(_in_processes([small, big], 2, nap, lambda p: (p,), told.append, said.append))
    assert said == ["mapping 2 files in 2 processes …"]
    assert told == [small, big]  # the small file is told while the big one is still mapped
    assert dict(done) == {small: "1-1.zip", big: "5-1.zip"}


def test_a_store_build_says_each_step_and_quiet_says_only_its_summary(tmp_path, capsys):
    rs = RS_FIXTURES / "2024"
    files = sorted(f"{f}" for f in rs.glob("*.zip"))
    assert main(["build", str(rs), "--store", str(tmp_path / "a.oxigraph"), "-j", "2"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "mapping 15 files in 2 processes …"
    assert [line.split("] ")[0] for line in err[1:16]] == [f"[{n}/15" for n in range(1, 16)]
    assert sorted(line.split("] ")[1] for line in err[1:16]) == files
    assert [line.split(" ")[0] for line in err[16:19]] == ["merging", "loading", "optimizing"]
    assert [line.split(": warning: ")[1] for line in err[19:22]] == [
        "法人番号: 法人番号 '123456789012' is not 13 digits; the recipient is kept without a number",
        "1 row repeats an earlier row exactly; kept once", "1 empty row skipped"]
    assert err[22].startswith("15 documents (0 failed), 1311 triples, 2 sheets (and 1 placeholder") and len(err) == 23
    assert main(["build", str(rs), "--store", str(tmp_path / "b.oxigraph"), "-j", "2", "-q"]) == 0
    quiet = capsys.readouterr().err.splitlines()  # the summary counts the warnings; --report lists them
    assert quiet == [err[22].replace("a.oxigraph", "b.oxigraph")] and "0 errors, 3 warnings" in quiet[0]
