"""The Jinja2 environment every page is drawn with (``kg serve`` and ``kg publish`` alike).

Autoescaping is on for every template: a value is escaped unless it is markup a template
made (a macro's output, a chart's SVG marked safe by the view that drew it). Values are
escaped as :func:`html.escape` does (``"`` → ``&quot;``, ``'`` → ``&#x27;``), the escaping
the pages have always had, so that a published site stays byte-identical across versions;
MarkupSafe's own would write ``&#34;`` and ``&#39;``.
"""

from __future__ import annotations

import html
from functools import lru_cache

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .. import display


#: rows drawn in one table of a page (the section says how many more there are, and where)
MAX_TABLE_ROWS = 1000


def _finalize(value):
    """Every ``{{ value }}``: markup as it is, text escaped as html.escape does, None as nothing."""
    if value is None:
        return ""
    if isinstance(value, Markup) or hasattr(value, "__html__"):
        return value
    return Markup(html.escape(value if isinstance(value, str) else str(value)))


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader("kg.web", "templates"), autoescape=True, finalize=_finalize,
                      keep_trailing_newline=True, undefined=StrictUndefined)
    env.globals.update(yen=display.yen, shorten=display.shorten, max_rows=MAX_TABLE_ROWS)
    env.tests.update(pair=lambda v: isinstance(v, tuple), iri=lambda v: isinstance(v, ox.NamedNode),
                     blank=lambda v: isinstance(v, ox.BlankNode))
    return env


def render(template: str, **values) -> str:
    """The page or fragment ``template`` (a file in ``kg/web/templates``) drawn with ``values``."""
    return environment().get_template(template).render(**values)


def safe(markup: str) -> Markup:
    """Markup kg drew itself (an SVG chart, a fragment rendered by another template)."""
    return Markup(markup)
