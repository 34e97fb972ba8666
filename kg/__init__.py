"""Knowledge-graph builder for Japanese government spending documents.

The Python API (``kg.build``, ``kg.open``, ``kg.validate``, ``kg.info``, ``kg.queries``,
``kg.query``, ``kg.export``, ``kg.export_network``, ``kg.publish``, ``kg.push``,
``kg.serve``: one function per command) lives in :mod:`kg.api` and is loaded on first use,
so that ``import kg`` stays light. Errors are :mod:`kg.errors`, progress goes through
:mod:`kg.reporting`.
"""

from .version import __version__

_API = ("build", "open", "validate", "info", "queries", "query", "export", "export_network", "publish", "push",
        "serve", "Graph", "Rows")
__all__ = [*_API, "__version__"]


def __getattr__(name: str):
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
