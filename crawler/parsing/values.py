"""Placing a row's cells into the table's columns.

The layout decides where it can: an exact grid, a tab row with one field per column, or
measured x positions matched to the column centres. A row that lost cells is placed by the
checks that tie its values together (e.g. 总计 = the sum of the applicant columns): a
position is filled only when every placement that satisfies the checks gives it the same
value; anything else stays ``None`` and the caller records a warning.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from crawler.parsing.layout import Cell, Mode, key
from crawler.parsing.numbers import Number, is_blank, is_value_cell, to_number

#: (indices of the parts, index of their total) within one row.
Constraint = tuple[tuple[int, ...], int]

_MAX_PLACEMENTS = 5000


@dataclass
class Placed:
    """A row's values by column and, when cells were lost, what could not be placed.

    ``cells`` holds the source cell of each value (None where nothing was placed), so the
    record can say where every number came from.
    """

    values: list[Number | None]
    lost: str | None = None  # a warning fragment when the row did not fill the columns
    cells: list[Cell | None] = field(default_factory=list)


def _placed(cells: Sequence[Cell | None], lost: str | None = None) -> Placed:
    values = [None if c is None else to_number(c.text) for c in cells]
    return Placed(values, lost, [c if v is not None else None for c, v in zip(cells, values, strict=True)])


def split_label(cells: Sequence[Cell]) -> tuple[list[Cell], list[Cell]]:
    """Label cells (text, carried rowspan labels) and the value cells after the last label."""
    last = -1
    for i, cell in enumerate(cells):
        if cell.carried or not is_value_cell(cell.text):
            last = i
    return list(cells[: last + 1]), [c for c in cells[last + 1 :] if not c.carried]


def has_number(cells: Sequence[Cell]) -> bool:
    return any(to_number(c.text) is not None for c in cells)


def place(
    data: Sequence[Cell],
    n: int,
    mode: Mode,
    centers: Sequence[float] | None = None,
    constraints: Sequence[Constraint] = (),
) -> Placed:
    """The ``n`` column values of a row from its value cells."""
    cells = list(data)
    if mode == "geometry":
        cells = [c for c in cells if not is_blank(c.text)]
        if centers is not None and len(centers) == n:
            mapped = _by_centers(cells, centers, snap_right=False)
            if mapped is not None:
                return _placed(mapped)
        if len(cells) == n:
            return _placed(cells)
        if not cells:
            return _placed([None] * n)
        return _lost(cells, n, constraints)
    if not has_number(cells):
        return _placed([None] * n)
    if len(cells) == n:
        return _placed(cells)
    if mode == "tabs" and len(cells) > n:
        # extractors shift fields: trust header positions, else the last n non-trailing fields
        if centers is not None and len(centers) == n:
            mapped = _by_centers(cells, centers, snap_right=True)
            if mapped is not None:
                return _placed(mapped)
        while len(cells) > n and not cells[-1].text.strip():
            cells.pop()
        return _placed(cells[-n:])
    if len(cells) > n:
        if centers is not None and len(centers) == n:
            mapped = _by_centers(cells, centers, snap_right=mode == "tabs")
            if mapped is not None:
                return _placed(mapped)
        if mode == "grid" and all(is_blank(c.text) for c in cells[n:]):
            return _placed(cells[:n])
        return _placed(cells[-n:])
    return _lost(cells, n, constraints)


def _by_centers(
    cells: Sequence[Cell], centers: Sequence[float], *, snap_right: bool
) -> list[Cell | None] | None:
    """Each non-blank cell to its nearest column centre; None when that is ambiguous."""
    n = len(centers)
    spacing = min((b - a for a, b in itertools.pairwise(sorted(centers))), default=1e9)
    tolerance = max(spacing * 0.6, 0.5)
    out: list[Cell | None] = [None] * n
    taken: set[int] = set()
    for cell in cells:
        if is_blank(cell.text):
            continue
        x = cell.center
        j = min(range(n), key=lambda k: abs(centers[k] - x))
        if abs(centers[j] - x) > tolerance and not (snap_right and x > max(centers)):
            return None
        if j in taken:
            return None
        taken.add(j)
        out[j] = cell
    return out


def _lost(cells: Sequence[Cell], n: int, constraints: Sequence[Constraint]) -> Placed:
    """Place the cells of a short row only where the checks leave a single answer."""
    present = [to_number(c.text) for c in cells]
    k = len(present)
    note = f"{k} of {n} cells"
    if k > n or not constraints or _combinations(n, k) > _MAX_PLACEMENTS:
        return _placed([None] * n, note + "; values not placed")
    agreed: list[Cell | None] | None = None
    known: list[bool] = [True] * n
    for positions in itertools.combinations(range(n), k):
        row: list[Number | None] = [None] * n
        sources: list[Cell | None] = [None] * n
        filled = [False] * n
        for pos, value, cell in zip(positions, present, cells, strict=True):
            row[pos] = value
            sources[pos] = cell
            filled[pos] = True
        if not _consistent(row, filled, constraints):
            continue
        if agreed is None:
            agreed, known = list(sources), list(filled)
            continue
        for i in range(n):
            same = agreed[i] is not None and sources[i] is not None and \
                to_number(agreed[i].text) == to_number(sources[i].text)  # type: ignore[union-attr]
            if not (known[i] and filled[i] and same):
                known[i] = False
    if agreed is None:
        return _placed([None] * n, note + "; no placement satisfies the checks, values not placed")
    chosen = [agreed[i] if known[i] else None for i in range(n)]
    placed = sum(known)
    return _placed(chosen, note + f"; {placed} placed by the checks, the rest left blank")


def _combinations(n: int, k: int) -> int:
    from math import comb

    return comb(n, k) if 0 <= k <= n else 0


def _consistent(
    row: Sequence[Number | None], filled: Sequence[bool], constraints: Sequence[Constraint]
) -> bool:
    for parts, total in constraints:
        known_sum = sum((row[i] or 0) for i in parts if filled[i])
        unknown = any(not filled[i] for i in parts)
        if not filled[total]:
            continue
        target = row[total] or 0
        if unknown:
            if known_sum > target:
                return False
        elif known_sum != target:
            return False
    return True


def is_header_fragment(text: str, labels: Sequence[str]) -> bool:
    """A header cell naming a column, possibly only the first line of a wrapped label."""
    k = key(text)
    return len(k) >= 2 and any(label.startswith(k) for label in labels)


def column_centers(
    header_cells: Sequence[Cell], full_rows: Sequence[Sequence[Cell]], n: int, mode: Mode
) -> list[float] | None:
    """Column centres from header labels (in x order) or from rows that fill every column."""
    from_header = sorted(c.center for c in header_cells)
    header = from_header if len(from_header) == n else None
    rows = [r for r in full_rows if len(r) == n]
    measured = [statistics.median(r[i].center for r in rows) for i in range(n)] if rows else None
    if mode == "geometry":
        return measured or header
    return header or measured
