"""Plain text: tab-separated cells, Markdown tables, or columns padded with spaces.

Text versions come from many tools: PDF extractors (tabs, or columns padded with spaces),
Markdown converters (``| a | b |`` rows under a ``|---|`` rule) and hand transcriptions
(values after the label separated by single spaces). Each cell keeps its line number (and
column for tab and Markdown rows) as its :class:`~crawler.parsing.layout.Source`.
"""

from __future__ import annotations

import re

from crawler.parsing.layout import Cell, Doc, Line, Source
from crawler.parsing.numbers import is_value_cell

_GAP = re.compile(r"\S+(?: \S+)*")  # runs separated by two or more spaces
_PADDED = re.compile(r"\S(?: {2,}|\u3000)\S")
_MD_ROW = re.compile(r"^\s*\|.*\|\s*$")
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_MARKUP = re.compile(r"<br\s*/?>|\*\*|__|`|^\s*#{1,6}\s+|^\s*>\s?")


def text_document(text: str) -> Doc:
    """Lines of cells: Markdown tables as grids, else tabs, else runs of 2+ spaces."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")
    if sum(1 for line in raw if _MD_ROW.match(line)) >= 3:
        return Doc([_markdown_line(line, n) for n, line in enumerate(raw, 1)], "grid")
    if any("\t" in line for line in raw):
        return Doc([_tab_line(line, n) for n, line in enumerate(raw, 1)], "tabs")
    if not any(_PADDED.search(line.strip()) for line in raw):
        # a transcription: "标签 3 0 - 5", one field per word after the label, as tab rows
        return Doc([_transcribed_line(line, n) for n, line in enumerate(raw, 1)], "tabs")
    return Doc([_spaced_line(line, n) for n, line in enumerate(raw, 1)], "geometry")


def _transcribed_line(line: str, number: int) -> Line:
    pieces = [p for _, p in _split_values(line.replace("\u3000", " ").strip())] if line.strip() else [""]
    cells = [Cell(p, i, i + 1, source=Source(line=number, column=i)) for i, p in enumerate(pieces)]
    return Line(cells, in_table=len(cells) > 1)


def _tab_line(line: str, number: int) -> Line:
    parts = line.split("\t")
    cells = [Cell(p.strip(), i, i + 1, source=Source(line=number, column=i)) for i, p in enumerate(parts)]
    return Line(cells, in_table=len(parts) > 1)


def _markdown_line(line: str, number: int) -> Line:
    """A Markdown table row as grid cells; the rule under the header row becomes a blank line."""
    if _MD_RULE.match(line) and "-" in line:
        return Line([Cell("", 0, 1)])
    if not _MD_ROW.match(line):
        return Line([Cell(_MD_MARKUP.sub("", line).strip(), 0, 1, source=Source(line=number))])  # prose
    parts = line.strip()[1:-1].split("|")
    cells = [
        Cell(_MD_MARKUP.sub("", p).strip(), i, i + 1, source=Source(line=number, column=i))
        for i, p in enumerate(parts)
    ]
    return Line(cells, in_table=len(cells) > 1)


def _width(text: str) -> int:
    return len(text)  # pdftotext -layout gives every character one column


def _spaced_line(line: str, number: int) -> Line:
    cells: list[Cell] = []
    for m in _GAP.finditer(line.replace("\u3000", "  ")):
        x0 = _width(line[: m.start()])
        for offset, piece in _split_values(m.group()):
            start = x0 + offset
            cells.append(Cell(piece, start, start + _width(piece), source=Source(line=number)))
    if not cells:
        return Line([Cell("", 0, 1)])
    return Line(cells, in_table=len(cells) > 1)


def _split_values(run: str) -> list[tuple[int, str]]:
    """A run of single-spaced words with its trailing values split off ("标签 3 0 -")."""
    words = [(m.start(), m.group()) for m in re.finditer(r"\S+", run)]
    if len(words) < 2:
        return [(0, run)]
    first_value = len(words)
    while first_value > 0 and is_value_cell(words[first_value - 1][1]):
        first_value -= 1
    if first_value == len(words) or (first_value == 0 and len(words) < 2):
        return [(0, run)]
    out: list[tuple[int, str]] = []
    if first_value > 0:
        out.append((0, run[: words[first_value - 1][0] + len(words[first_value - 1][1])]))
    out.extend(words[first_value:])
    return out
