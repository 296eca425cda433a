"""A report's charts as PNG images, for documents that cannot run a script (the Word report): the
same data as the HTML report's ECharts (engine.figures), drawn with matplotlib.

Chinese needs a font that has it: the first of CJK_FONTS found on the machine is used for every
character DejaVu Sans lacks. Without one, :func:`can_draw` says so and the document leaves its
charts out with a sentence saying why, rather than printing boxes.
"""

from __future__ import annotations

import io
import logging
from functools import cache

import numpy as np

CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "SimHei", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Noto Sans SC", "AR PL UMing CN")
BAR, PEER, INTERVAL = "#2f6fb0", "#d9480f", "#9cc2e5"
WIDTH = 6.3  # inches: an A4 page's width between margins of 2.5 cm and a little
DPI = 140


@cache
def _families() -> tuple[str, ...]:
    from matplotlib import font_manager

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # its guesses at weights are not the reader's business
    manager = font_manager.fontManager
    if not any(name in CJK_FONTS for name in {f.name for f in manager.ttflist}):
        # matplotlib keeps the fonts it found in a cache of its own: one installed since then is not in it
        cached = {f.fname for f in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in cached:
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # a file FreeType cannot read
                    continue
    installed = {f.name for f in manager.ttflist}
    return ("DejaVu Sans", *(name for name in CJK_FONTS if name in installed))


def can_draw(texts) -> bool:
    """Whether the machine has a font for every character of ``texts`` (a CJK font where they hold Chinese)."""
    needs_cjk = any(any("\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\uffef" for ch in str(t)) for t in texts)
    return not needs_cjk or len(_families()) > 1


def _figure(height: float):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")
    return figure, figure.add_subplot()


def _png(figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _style(ax):
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        label.set_fontfamily(list(_families()))


def _text(**extra) -> dict:
    return {"fontfamily": list(_families()), **extra}


def ranking(rows: list[dict], colours: dict[str, str], digits: int, top: float) -> bytes:
    """Horizontal bars of the score, best first, coloured by grade, with the value at each bar's end."""
    figure, ax = _figure(0.5 + 0.2 * len(rows))
    values = [r["value"] if r["value"] is not None else 0 for r in rows]
    ax.barh(range(len(rows)), values, color=[colours.get(r["grade"], BAR) for r in rows], height=0.7)
    for y, r in enumerate(rows):
        if r["value"] is not None:
            ax.text(r["value"], y, f" {r['value']:.{digits}f}", va="center", fontsize=7)
    ax.set_yticks(range(len(rows)), [r["name"] for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, top * 1.1 if top > 0 else 1)
    _style(ax)
    return _png(figure)


def distributions(dims: list[dict]) -> bytes:
    """A box plot a dimension: lowest, quartiles, median and highest over all units."""
    figure, ax = _figure(0.6 + 0.45 * len(dims))
    stats = [{"whislo": d["min"], "q1": d["q1"], "med": d["median"], "q3": d["q3"], "whishi": d["max"], "fliers": []}
             for d in dims if d["n"]]
    ax.bxp(stats, orientation="horizontal", patch_artist=True, widths=0.5,
           boxprops={"facecolor": "#dcebfb", "edgecolor": BAR}, medianprops={"color": BAR})
    ax.set_yticks(range(1, len(stats) + 1), [d["label"] for d in dims if d["n"]])
    ax.invert_yaxis()
    _style(ax)
    return _png(figure)


def heat(rows: list[str], columns: list[str], values, low: float | None = None, high: float | None = None,
         cmap: str = "Blues", digits: int = 2, rotate: bool = False) -> bytes:
    """A heat map with each cell's value written in it (the dimensions by group, the correlations)."""
    matrix = np.array([[np.nan if v is None else v for v in row] for row in values], dtype=float)
    figure, ax = _figure(0.9 + 0.32 * len(rows) + (1.0 if rotate else 0))
    shown = ax.imshow(matrix, cmap=cmap, vmin=low, vmax=high, aspect="auto")
    span = (np.nanmax(matrix) - np.nanmin(matrix)) if np.isfinite(matrix).any() else 0
    middle = np.nanmin(matrix) + span / 2 if span else 0
    if len(columns) <= 16:
        for (y, x), v in np.ndenumerate(matrix):
            if not np.isnan(v):
                dark = (v > middle) if cmap == "Blues" else abs(v) > 0.6
                ax.text(x, y, f"{v:.{digits}f}", ha="center", va="center", fontsize=7, color="white" if dark else "#1d2733")
    ax.set_xticks(range(len(columns)), columns, rotation=45 if rotate else 0, ha="right" if rotate else "center")
    ax.set_yticks(range(len(rows)), rows)
    figure.colorbar(shown, ax=ax, shrink=0.8)
    _style(ax)
    return _png(figure)


def intervals(rows: list[dict], rank_word: str) -> bytes:
    """Each unit's 5%–95% rank interval as a bar, its median rank as a dot and its nominal rank as a diamond."""
    figure, ax = _figure(0.6 + 0.2 * len(rows))
    ys = range(len(rows))
    ax.hlines(ys, [r["low"] for r in rows], [r["high"] for r in rows], color=INTERVAL, linewidth=5)
    ax.plot([r["median"] for r in rows], ys, "o", color=BAR, markersize=4)
    ax.plot([r["nominal"] for r in rows], ys, "D", color=PEER, markersize=3)
    ax.set_yticks(list(ys), [r["name"] for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel(rank_word, **_text(fontsize=8))
    _style(ax)
    return _png(figure)


def profile(dimensions: list[dict], colour: str | None, top: float) -> bytes:
    """A unit's dimensions as bars with their values, its group's average as a tick on each."""
    figure, ax = _figure(0.35 + 0.3 * len(dimensions))
    figure.set_size_inches(WIDTH * 0.6, 0.35 + 0.3 * len(dimensions))
    ys = range(len(dimensions))
    ax.barh(ys, [d["value"] or 0 for d in dimensions], color=colour or BAR, height=0.6)
    numbers = ax.get_yaxis_transform()  # x in axes fractions: the numbers in a column right of the bars, clear of the ticks
    for y, d in zip(ys, dimensions):
        ax.text(1.01, y, d["shown"], va="center", fontsize=7, transform=numbers)
        if d["peers"] is not None:
            ax.plot([d["peers"]] * 2, [y - 0.4, y + 0.4], color=PEER, linewidth=2)
    ax.set_yticks(list(ys), [d["label"] for d in dimensions])
    ax.set_ylim(len(dimensions) - 0.5, -0.5)
    ax.set_xlim(0, top * 1.02 if top > 0 else 1)
    ax.xaxis.set_visible(False)
    _style(ax)
    return _png(figure)
