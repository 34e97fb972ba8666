"""Knowledge-graph builder for Japanese government spending documents."""

__version__ = "0.1.0"
