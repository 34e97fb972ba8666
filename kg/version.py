"""The package version (one place: the CLI, the API and the graph read it here)."""

__version__ = "0.1.0"
