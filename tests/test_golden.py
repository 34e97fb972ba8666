"""Golden files: the exact bytes the build writes for each bundled seed, for the RS CSV
fixtures, and for both together (N-Quads: named graphs and the cross-file merge).

A refactor must leave every byte as it was. When a change is *meant* to change the graph,
regenerate them and read the diff before committing it::

    .venv/bin/python -m pytest tests/test_golden.py --update-golden
    git diff --stat tests/golden
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from kg.pipeline import EXAMPLES_DIR, build
from kg.emit import sorted_nquads

from .conftest import RS_FIXTURES

GOLDEN = Path(__file__).resolve().parent / "golden"

CASES = {
    **{f"seed-{p.name.split('_')[0]}.nt": ([p], "nt") for p in sorted(EXAMPLES_DIR.glob("*.txt"))},
    "rs-fixtures.nt": ([RS_FIXTURES], "nt"),
    "seeds-and-rs-fixtures.nq": ([EXAMPLES_DIR, RS_FIXTURES], "nquads"),
}


def _bytes(paths: list[Path], fmt: str) -> bytes:
    result = build(paths)
    assert not result.failed, result.failed
    return result.ntriples() if fmt == "nt" else sorted_nquads(result.graphs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name, request, monkeypatch):
    monkeypatch.delenv("KG_BASE_IRI", raising=False)
    paths, fmt = CASES[name]
    got = _bytes(paths, fmt)
    path = GOLDEN / name
    if request.config.getoption("--update-golden"):
        path.write_bytes(got)
        return
    assert path.exists(), f"{path} is missing: run pytest tests/test_golden.py --update-golden"
    want = path.read_bytes()
    if got != want:
        diff = difflib.unified_diff(
            want.decode().splitlines(), got.decode().splitlines(), f"golden/{name}", "built now", lineterm="", n=0
        )
        shown = "\n".join(list(diff)[:40])
        pytest.fail(f"the build of {name} changed ({len(got):,} bytes now, {len(want):,} in the golden file):\n{shown}")


def test_every_seed_has_a_golden_file():
    assert len([n for n in CASES if n.startswith("seed-")]) == 5
