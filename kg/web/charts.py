"""Pictures on the pages, drawn as SVG on the server with matplotlib (no JavaScript: they
show in the published site and in any browser): a project's budget and execution per
fiscal year, a corporation's payments per sheet year and per ministry, and a project's
fund flow (ministry → blocks → recipients) as a sankey whose band widths are yen.

Text stays text in the SVG (``svg.fonttype: none``), so the browser draws Japanese with the
page's fonts; amounts are shown in 百万円.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from decimal import Decimal
from functools import lru_cache

MILLION = Decimal(1_000_000)
BUDGET_COLOUR, EXECUTED_COLOUR, PAID_COLOUR = "#8fb3d9", "#2f6aa3", "#d9822b"


@lru_cache(maxsize=1)
def _matplotlib():
    import logging

    import matplotlib

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # a missing font is the browser's to fill
    matplotlib.rcParams.update({"svg.fonttype": "none", "font.size": FONT_PT,
                                "font.family": ["Noto Sans CJK JP", "DejaVu Sans"],
                                "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "kg"})
    return matplotlib


#: the pictures' text size (points); tick labels, titles and the sankey's labels are this or 8
FONT_PT = 9


def _text_inches(text: str, points: float = FONT_PT) -> float:
    """How wide ``text`` is drawn, in inches, over-estimated a little: a wide (CJK) character
    an em, any other 0.62 em. The margins are laid out from this, not measured from a first
    drawing (matplotlib's tight bounding box draws every picture twice: most of the time of
    ``kg publish``), so a picture costs one drawing and its size depends on its text alone."""
    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.62 for c in text)
    return ems * points / 72


def _figure(width: float, height: float):
    """A figure with one axes of ``width`` × ``height`` inches; :func:`_fit` puts the margins
    round it once the axes hold their data."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    _matplotlib()
    fig = Figure(figsize=(width + 1, height + 1))
    FigureCanvasSVG(fig)
    return fig, fig.add_axes((0.1, 0.1, width / (width + 1), height / (height + 1)))


def _fit(fig, ax, size: tuple[float, float], *, left: float = 0.0, right: float = 0.0, title: bool = False) -> None:
    """Margins round the axes of ``size`` inches from what is written there: the tick labels (measured by
    :func:`_text_inches`), the axis labels, the title; ``left``/``right``: more room asked."""
    line = FONT_PT * 1.3 / 72
    width, height = size
    if ax.axison:
        ys, xs = _tick_labels(ax.yaxis), _tick_labels(ax.xaxis)
        left += max((_text_inches(s) for s in ys), default=0) + TICKS + (LABEL if ax.get_ylabel() else 0)
        bottom = (line if xs else 0) + TICKS + (LABEL if ax.get_xlabel() else 0)
        right += _text_inches(xs[-1]) / 2 if xs and ax.get_xlabel() else 0  # a number under the right edge
        top = line if ys and ax.yaxis.get_major_formatter().get_offset() else 0
    else:
        bottom = top = 0
    left, bottom, right = left + EDGE, bottom + EDGE, right + EDGE
    top = max(top, TITLE if title else 0) + EDGE
    w, h = left + width + right, bottom + height + top
    fig.set_size_inches(w, h)
    ax.set_position((left / w, bottom / h, width / w, height / h))


def _tick_labels(axis) -> list[str]:
    """The labels an axis will draw (its locator and formatter run without a drawing)."""
    lo, hi = sorted(axis.get_view_interval())
    locs = [v for v in axis.get_majorticklocs() if lo <= v <= hi]
    return axis.get_major_formatter().format_ticks(locs) if locs else []


#: the room (inches) around an axes: ticks and their padding, an axis label, a title
TICKS, LABEL, TITLE, EDGE = 0.12, 0.22, 0.3, 0.08


def _svg(fig) -> str:
    buf = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs missing from the layout font: the browser draws them
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    return re.sub(r"^<\?xml[^>]*>\s*<!DOCTYPE[^>]*>\s*", "", text, flags=re.S)


def budget_chart(years: list[tuple[int, Decimal | None, Decimal | None]]) -> str:
    """Bars of 予算額計 and 執行額 (百万円) per fiscal year; '' when there is nothing to draw."""
    years = [(y, t, x) for y, t, x in years if (t or 0) or (x or 0)]
    if not years:
        return ""
    size = (max(2.8, 0.9 * len(years) + 0.8), 1.9)
    fig, ax = _figure(*size)
    xs = list(range(len(years)))
    ax.bar([x - 0.2 for x in xs], [float((t or 0) / MILLION) for _, t, _ in years], width=0.4,
           color=BUDGET_COLOUR, label="予算額計 budget")
    ax.bar([x + 0.2 for x in xs], [float((e or 0) / MILLION) for _, _, e in years], width=0.4,
           color=EXECUTED_COLOUR, label="執行額 executed")
    ax.set_xticks(xs, [str(y) for y, _, _ in years])
    ax.set_ylabel("百万円")
    ax.legend(frameon=False, fontsize=8)
    _fit(fig, ax, size)
    return _svg(fig)


def bars(values: list[tuple[str, Decimal]], title: str, horizontal: bool = False) -> str:
    """One bar (百万円) per label: a corporation's payments per year or per ministry."""
    values = [(k, v) for k, v in values if v]
    if not values:
        return ""
    if horizontal:
        size = (3.6, 0.35 * len(values) + 0.1)
        fig, ax = _figure(*size)
        ax.barh([k for k, _ in values][::-1], [float(v / MILLION) for _, v in values][::-1], color=PAID_COLOUR)
        ax.set_xlabel("百万円")
    else:
        size = (max(2.8, 0.7 * len(values) + 0.8), 1.9)
        fig, ax = _figure(*size)
        ax.bar([k for k, _ in values], [float(v / MILLION) for _, v in values], color=PAID_COLOUR)
        ax.set_ylabel("百万円")
    ax.set_title(title, fontsize=9, loc="left", y=1.0)  # placed, not searched for
    _fit(fig, ax, size, title=True, right=max(0.0, _text_inches(title) - size[0]))
    return _svg(fig)


def sankey(ministry: str, blocks: list[tuple[str, Decimal]], flows: list[tuple[str, str, Decimal]],
           recipients_shown: int = 8) -> str:
    """The fund flow as the RS site draws it: the ministry on the left, the blocks (A, B …)
    in the middle, the recipients on the right; every band as wide as its yen. ``blocks``:
    (block, amount); ``flows``: (block, recipient, amount). The largest recipients are
    drawn one by one, the rest of each block as one band."""
    blocks = [(b, a) for b, a in blocks if a and a > 0]
    flows = [(b, r, a) for b, r, a in flows if a and a > 0]
    if not blocks:
        return ""
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path as MPath

    top = sorted({r for _, r, _ in flows}, key=lambda r: -sum(a for _, rr, a in flows if rr == r))[:recipients_shown]
    merged: dict[tuple[str, str], Decimal] = {}
    for b, r, a in flows:
        key = (b, r if r in top else "その他 others")
        merged[key] = merged.get(key, Decimal(0)) + a
    right = sorted({r for _, r in merged}, key=lambda r: (r not in top, top.index(r) if r in top else 0, r))
    total = sum(a for _, a in blocks)
    right_total = sum(merged.values()) or total
    gap = 0.015
    height = 1 + gap * max(len(blocks), len(right))
    size = (6.4, max(2.2, 0.28 * max(len(blocks), len(right)) + 0.4))
    fig, ax = _figure(*size)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, height)
    ax.axis("off")

    def stack(items, whole):
        out, y = {}, height
        for name, amount in items:
            h = float(amount / whole)
            out[name] = [y - h, y]
            y -= h + gap
        return out

    left = {ministry: [height - 1, height]}
    mid = stack(blocks, total)
    rgt = stack([(r, sum(a for (_, rr), a in merged.items() if rr == r)) for r in right], right_total)
    x0, x1, x2, w = 0.16, 0.5, 0.84, 0.02

    def band(xa, ya, xb, yb, colour):
        (a0, a1), (b0, b1) = ya, yb
        verts = [(xa, a1), ((xa + xb) / 2, a1), ((xa + xb) / 2, b1), (xb, b1), (xb, b0),
                 ((xa + xb) / 2, b0), ((xa + xb) / 2, a0), (xa, a0), (xa, a1)]
        codes = [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.LINETO,
                 MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.CLOSEPOLY]
        ax.add_patch(PathPatch(MPath(verts, codes), facecolor=colour, edgecolor="none", alpha=0.45))

    cursor = height
    for b, amount in blocks:  # ministry → each block
        h = float(amount / total)
        band(x0 + w, [cursor - h, cursor], x1, mid[b], BUDGET_COLOUR)
        cursor -= h
    out_cursor = {b: mid[b][1] for b in mid}
    in_cursor = {r: rgt[r][1] for r in rgt}
    for (b, r), amount in sorted(merged.items(), key=lambda kv: (list(mid).index(kv[0][0]), right.index(kv[0][1]))):
        if b not in mid:
            continue
        block_amount = dict(blocks)[b]
        hb = float(amount / block_amount) * (mid[b][1] - mid[b][0])
        hr = float(amount / right_total)
        band(x1 + w, [out_cursor[b] - hb, out_cursor[b]], x2, [in_cursor[r] - hr, in_cursor[r]], EXECUTED_COLOUR)
        out_cursor[b] -= hb
        in_cursor[r] -= hr
    for x, nodes, align, dx in ((x0, left, "right", -0.01), (x1, mid, "center", 0.01), (x2, rgt, "left", 0.03)):
        for name, (y0, y1) in nodes.items():
            ax.add_patch(Rectangle((x, y0), w, y1 - y0, color="#444"))
            if align == "center":
                ax.text(x + w + dx, (y0 + y1) / 2, name, va="center", ha="left", fontsize=8)
            else:
                ax.text(x + dx if align == "right" else x + dx, (y0 + y1) / 2, name, va="center", ha=align, fontsize=8)
    ax.set_title(f"資金の流れ {float(total / MILLION):,.1f} 百万円", fontsize=9, loc="left", y=1.0)
    # the labels beside the ministry and the recipients reach out of the axes
    outside_left = _text_inches(ministry, 8) - (x0 - 0.01) * size[0]
    outside_right = max(_text_inches(r, 8) for r in rgt) - (1 - x2 - 0.03) * size[0]
    _fit(fig, ax, size, left=max(0.0, outside_left), right=max(0.0, outside_right), title=True)
    return _svg(fig)
