"""The four standard tables laid out as grids of merged cells, as the official forms draw them.

The words come from :mod:`crawler.reports.form`.

Every renderer (HTML, text, PDF, DOCX) draws the same :class:`Grid`, so the layouts agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.reports.form import (
    AD_BLOCKS,
    AD_LABEL_HEADER,
    AD_ROW_LABELS,
    APPLICANTS_HEADER,
    APPLICATION_NOTE,
    APPLICATION_ROW_LABELS,
    LITIGATION_GROUP_HEADERS,
    LITIGATION_HEADER,
    NATURAL_PERSON,
    ORGANISATION_LABELS,
    ORGANISATION_LABELS_VARIANT,
    ORGANISATIONS_HEADER,
    RESULTS_HEADER,
    REVIEW_HEADER,
    REVIEW_LABELS,
    TOTAL,
    format_number,
    result_groups,
)
from crawler.reports.schema import (
    APPLICANT_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    active_disclosure_layout,
    application_rows,
)
from crawler.testbed.reportgen.model import GeneratedReport


@dataclass(frozen=True)
class Cell:
    """One drawn cell: its text and how many grid rows/columns it covers."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    value: bool = False
    narrow: bool = False  # a column header in a narrow column: real layouts wrap it


@dataclass(frozen=True)
class Grid:
    """A table as rows of cells (HTML order: covered positions are omitted)."""

    ncols: int
    rows: list[list[Cell]]

    def placed(self) -> list[tuple[int, int, Cell]]:
        """Each cell with its top-left (row, column) position in the full grid."""
        taken: set[tuple[int, int]] = set()
        out: list[tuple[int, int, Cell]] = []
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                out.append((r, c, cell))
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, c + dc))
                c += cell.colspan
        return out


# --- section 二 -------------------------------------------------------------------------

def active_disclosure_grid(report: GeneratedReport) -> Grid:
    """Section 二: four columns, a full-width heading row per 第二十条 item."""
    labels = AD_ROW_LABELS[report.template]
    layout = active_disclosure_layout(report.template)
    rows: list[list[Cell]] = []
    for heading, field_labels, keys in AD_BLOCKS[report.template]:
        rows.append([Cell(heading, colspan=4, header=True)])
        rows.append(_spread([Cell(AD_LABEL_HEADER, header=True)], field_labels, header=True))
        for key in keys:
            values = [format_number(report.active_disclosure[key][f]) for f in layout[key]]
            rows.append(_spread([Cell(labels[key], header=True)], values, header=False))
    return Grid(4, rows)


def _spread(first: list[Cell], texts: tuple[str, ...] | list[str], *, header: bool) -> list[Cell]:
    """Fill the three columns after the label; the last cell stretches to the edge."""
    cells = list(first)
    for i, text in enumerate(texts):
        span = 3 - len(texts) + 1 if i == len(texts) - 1 else 1
        cells.append(Cell(text, colspan=span, header=header, value=not header))
    return cells


# --- section 三 -------------------------------------------------------------------------

def applicant_labels(report: GeneratedReport) -> tuple[str, ...]:
    """The five 法人或其他组织 column labels (some agencies write 社会组织)."""
    return ORGANISATION_LABELS_VARIANT if report.layout_seed % 3 == 1 else ORGANISATION_LABELS


def applications_grid(report: GeneratedReport) -> Grid:
    """Section 三: 3 label columns + 7 applicant columns, merged as in the official form."""
    rows: list[list[Cell]] = [
        [
            Cell(APPLICATION_NOTE, rowspan=3, colspan=3, header=True),
            Cell(APPLICANTS_HEADER, colspan=7, header=True),
        ],
        [
            Cell(NATURAL_PERSON, rowspan=2, header=True),
            Cell(ORGANISATIONS_HEADER, colspan=5, header=True),
            Cell(TOTAL, rowspan=2, header=True),
        ],
        [Cell(label, header=True, narrow=True) for label in applicant_labels(report)],
    ]
    assert set(application_rows(report.template)) == set(report.applications)
    rows.append(
        [
            Cell(APPLICATION_ROW_LABELS["new_received"], colspan=3, header=True),
            *_values(report, "new_received"),
        ]
    )
    rows.append(
        [
            Cell(APPLICATION_ROW_LABELS["carried_over"], colspan=3, header=True),
            *_values(report, "carried_over"),
        ]
    )
    groups = result_groups(report.template)
    n_result_rows = sum(len(items) for _, items in groups) + 1
    first = True
    for group_label, items in groups:
        for i, (key, item_label) in enumerate(items):
            row: list[Cell] = []
            if first:
                row.append(Cell(RESULTS_HEADER, rowspan=n_result_rows, header=True))
                first = False
            if not item_label:
                row.append(Cell(group_label, colspan=2, header=True))
            else:
                if i == 0:
                    row.append(Cell(group_label, rowspan=len(items), header=True))
                row.append(Cell(item_label, header=True))
            rows.append(row + _values(report, key))
    rows.append([Cell(APPLICATION_ROW_LABELS["total"], colspan=2, header=True), *_values(report, "total")])
    rows.append(
        [
            Cell(APPLICATION_ROW_LABELS["carried_forward"], colspan=3, header=True),
            *_values(report, "carried_forward"),
        ]
    )
    return Grid(10, rows)


def _values(report: GeneratedReport, key: str) -> list[Cell]:
    return [Cell(format_number(report.applications[key][c]), value=True) for c in APPLICANT_COLUMNS]


# --- section 四 -------------------------------------------------------------------------

def review_grid(report: GeneratedReport) -> Grid:
    """Section 四: 行政复议 (5 columns) and 行政诉讼 (2 x 5 columns), one row of values."""
    rows: list[list[Cell]] = [
        [Cell(REVIEW_HEADER, colspan=5, header=True), Cell(LITIGATION_HEADER, colspan=10, header=True)],
        [
            *(Cell(label, rowspan=2, header=True, narrow=True) for label in REVIEW_LABELS),
            Cell(LITIGATION_GROUP_HEADERS[0], colspan=5, header=True),
            Cell(LITIGATION_GROUP_HEADERS[1], colspan=5, header=True),
        ],
        [Cell(label, header=True, narrow=True) for _ in range(2) for label in REVIEW_LABELS],
        [
            Cell(format_number(report.review_litigation[g][c]), value=True)
            for g in REVIEW_GROUPS
            for c in REVIEW_COLUMNS
        ],
    ]
    return Grid(15, rows)


def all_grids(report: GeneratedReport) -> dict[str, Grid]:
    """The three tables keyed by section number (二, 三, 四)."""
    return {
        "二": active_disclosure_grid(report),
        "三": applications_grid(report),
        "四": review_grid(report),
    }
