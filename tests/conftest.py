from pathlib import Path

import pytest

from kg.build import EXAMPLES_DIR, build


@pytest.fixture(scope="session")
def seeds() -> Path:
    return EXAMPLES_DIR


@pytest.fixture(scope="session")
def seed_build(seeds):
    result = build([seeds])
    assert result.documents == 5, [str(d) for d in result.diagnostics]
    return result


@pytest.fixture(scope="session")
def graph(seed_build):
    return seed_build.graph


RS_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rs"


@pytest.fixture(scope="session")
def rs_build():
    """The hand-written RS CSV fixtures (zipped as shipped) built with the legacy seeds."""
    result = build([EXAMPLES_DIR, RS_FIXTURES])
    assert result.documents == 5 + 19, [str(d) for d in result.diagnostics]
    return result


@pytest.fixture(scope="session")
def rs_graph(rs_build):
    return rs_build.graph


def seed_file(name_prefix: str) -> Path:
    return next(EXAMPLES_DIR.glob(f"{name_prefix}_*.txt"))
