"""Streaming writers of the export tables: CSV, JSONL, Parquet and XLSX.

Text cells that a spreadsheet would run as a formula are neutralised
(:mod:`crawler.exports.cells`): CSV cells get a leading apostrophe, XLSX writes text as text.

Each writer takes reports one at a time (:meth:`TableWriter.add`) and keeps at most a batch
of rows in memory. ``PATH`` gets the wide per-report table; tables ``values``, ``checks``,
``sections``, ``statistics`` (pre-2019 reports) and the ``codebook`` go beside it as ``STEM.NAME.EXT`` (CSV, Parquet), or as
sheets (XLSX). JSONL is one nested object per report.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

from crawler.exports.cells import neutralize
from crawler.exports.codebook import CODEBOOK_COLUMNS, codebook_rows
from crawler.exports.columns import TABLES, Column
from crawler.exports.naming import header, renamed
from crawler.exports.query import ExportedReport
from crawler.exports.rows import (
    check_rows,
    json_default,
    json_object,
    section_rows,
    statistics_rows,
    value_rows,
    wide_row,
)

FORMATS = ("csv", "jsonl", "parquet", "xlsx")
#: Rows per sheet in Excel (1,048,576 minus the header); more go to "values (2)"…
XLSX_MAX_ROWS = 1_048_575
#: Cells per Parquet row group (and at most buffered per table): 262 wide rows, 9362 values rows.
PARQUET_GROUP_CELLS = 16_384
#: …or once its buffered text reaches this many characters (the sections table holds long text).
PARQUET_GROUP_TEXT = 256_000


class TableWriter(Protocol):
    """Writes reports to one export format; ``paths`` are the files it writes."""

    paths: list[Path]

    def add(self, report: ExportedReport) -> None: ...

    def close(self) -> None: ...


def table_paths(out: Path) -> dict[str, Path]:
    """Where the tables go for ``--out out``: reports at ``out``, the others beside it."""
    return {name: out if name == "reports" else out.with_name(f"{out.stem}.{name}{out.suffix}")
            for name in TABLES}


def codebook_path(out: Path) -> Path:
    """Where the codebook goes for ``--out out``: ``STEM.codebook.EXT``."""
    return out.with_name(f"{out.stem}.codebook{out.suffix}")


def _rows(report: ExportedReport) -> dict[str, Iterator[Any] | list[list[Any]]]:
    return {"reports": [wide_row(report)], "values": value_rows(report), "checks": check_rows(report),
            "sections": section_rows(report), "statistics": statistics_rows(report)}


def _csv_text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralize(value)


class CsvTables:
    """The tables and the codebook as CSV, UTF-8 with a byte-order mark (Excel reads the Chinese)."""

    def __init__(self, out: Path, names: str = "default") -> None:
        self.paths = [*table_paths(out).values(), codebook_path(out)]
        self._handles: list[IO[str]] = []
        self._writers: dict[str, Any] = {}
        for name, path in table_paths(out).items():
            handle = path.open("w", encoding="utf-8-sig", newline="")
            self._handles.append(handle)
            writer = csv.writer(handle)
            writer.writerow(header(name, TABLES[name], names))
            self._writers[name] = writer
        with codebook_path(out).open("w", encoding="utf-8-sig", newline="") as handle:
            codebook = csv.writer(handle)
            codebook.writerow([c.name for c in CODEBOOK_COLUMNS])
            codebook.writerows(codebook_rows())

    def add(self, report: ExportedReport) -> None:
        self._writers["reports"].writerow([_csv_text(v) for v in wide_row(report)])
        self._writers["values"].writerows(  # numbers and text; None is ""
            [neutralize(v) for v in row] for row in value_rows(report))
        self._writers["checks"].writerows(
            [_csv_text(v) for v in row] for row in check_rows(report))
        self._writers["sections"].writerows(
            [neutralize(v) for v in row] for row in section_rows(report))
        self._writers["statistics"].writerows(
            [neutralize(v) for v in row] for row in statistics_rows(report))

    def close(self) -> None:
        for handle in self._handles:
            handle.close()


class JsonlTable:
    """One JSON object per line and report: the fields, documents, captures, versions, parse."""

    def __init__(self, out: Path, names: str = "default") -> None:
        self.paths = [out]
        self._handle = out.open("w", encoding="utf-8")

    def add(self, report: ExportedReport) -> None:
        self._handle.write(json.dumps(json_object(report), ensure_ascii=False,
                                      default=json_default) + "\n")

    def close(self) -> None:
        self._handle.close()


def arrow_schema(columns: tuple[Column, ...]) -> Any:
    """The Arrow schema of an export table (Table Schema types mapped to Arrow types)."""
    import pyarrow as pa

    types = {"integer": pa.int64(), "number": pa.float64(), "string": pa.string(),
             "boolean": pa.bool_(), "date": pa.date32(), "datetime": pa.timestamp("us", tz="UTC")}
    return pa.schema([pa.field(c.name, types[c.type], nullable=True,
                               metadata={"description": c.description}) for c in columns])


class ParquetTables:
    """The tables and the codebook as Parquet with typed columns; rows are buffered
    column-wise, a row group each :data:`PARQUET_GROUP_CELLS` cells."""

    def __init__(self, out: Path, names: str = "default") -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.paths = [*table_paths(out).values(), codebook_path(out)]
        self._schemas = {name: arrow_schema(renamed(name, cols, names)) for name, cols in TABLES.items()}
        codebook = list(zip(*codebook_rows(), strict=True))
        pq.write_table(pa.table([pa.array(column, pa.string()) for column in codebook],
                                schema=arrow_schema(CODEBOOK_COLUMNS)), str(codebook_path(out)))
        self._writers = {name: pq.ParquetWriter(str(path), self._schemas[name], compression="zstd")
                         for name, path in table_paths(out).items()}
        self._columns: dict[str, list[list[Any]]] = {
            name: [[] for _ in cols] for name, cols in TABLES.items()}
        self._text: dict[str, int] = dict.fromkeys(TABLES, 0)

    def add(self, report: ExportedReport) -> None:
        for name, rows in _rows(report).items():
            columns = self._columns[name]
            for row in rows:
                for column, value in zip(columns, row, strict=True):
                    column.append(value)
                    if isinstance(value, str):
                        self._text[name] += len(value)
            if (len(columns[0]) * len(columns) >= PARQUET_GROUP_CELLS
                    or self._text[name] >= PARQUET_GROUP_TEXT):
                self._flush(name)

    def _flush(self, name: str) -> None:
        import pyarrow as pa

        columns = self._columns[name]
        if not columns[0]:
            return
        schema = self._schemas[name]
        arrays = [pa.array(values, type=schema.field(i).type) for i, values in enumerate(columns)]
        self._writers[name].write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
        for values in columns:
            values.clear()
        self._text[name] = 0

    def close(self) -> None:
        for name, writer in self._writers.items():
            self._flush(name)
            writer.close()


def _excel_value(value: Any) -> Any:
    if isinstance(value, datetime):  # Excel has no time zones: UTC, as the header says
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _excel_row(sheet: Any, row: Any) -> list[Any]:
    """Cells of one row; text is always a string cell, never a formula (``=…`` included)."""
    from openpyxl.cell import WriteOnlyCell

    cells: list[Any] = []
    for value in row:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # openpyxl would make "=…" a formula
            cells.append(cell)
        else:
            cells.append(_excel_value(value))
    return cells



#: Column widths (characters) for columns of long text; others fit their header.
XLSX_WIDTHS = {"agency": 28, "title": 48, "source_url": 48, "text": 80, "heading": 24,
               "description": 60, "row_zh": 36, "column_zh": 24, "section_zh": 30, "name": 44,
               "cell_key": 44}


def xlsx_width(name: str) -> float:
    """A column's width in Excel characters: long-text columns wider, others their header."""
    return XLSX_WIDTHS.get(name, min(max(len(name) + 2, 10), 40))


class XlsxWorkbook:
    """One workbook with sheets reports, values, checks, sections, statistics and codebook, streamed
    (openpyxl write-only); each sheet has a frozen header row, a filter and column widths."""

    def __init__(self, out: Path, names: str = "default") -> None:
        from openpyxl import Workbook

        self.paths = [out]
        self._out = out
        self._names = names
        self._book = Workbook(write_only=True)
        self._sheets: dict[str, Any] = {}
        self._rows: dict[str, int] = {}
        self._parts: dict[str, int] = {}
        self._done: list[tuple[Any, int, int]] = []  # (sheet, columns, rows) to give filters
        for name in TABLES:
            self._new_sheet(name)

    def _sheet(self, title: str, header_names: list[str]) -> Any:
        from openpyxl.utils import get_column_letter

        sheet = self._book.create_sheet(title)
        sheet.freeze_panes = "A2"  # before the first row: write-only sheets write views first
        for i, name in enumerate(header_names, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = xlsx_width(name)
        sheet.append(header_names)
        return sheet

    def _new_sheet(self, name: str) -> None:
        if name in self._sheets:
            self._done.append((self._sheets[name], len(TABLES[name]), self._rows[name]))
        part = self._parts.get(name, 0) + 1
        self._parts[name] = part
        self._sheets[name] = self._sheet(name if part == 1 else f"{name} ({part})",
                                         header(name, TABLES[name], self._names))
        self._rows[name] = 0

    def add(self, report: ExportedReport) -> None:
        for name, rows in _rows(report).items():
            for row in rows:
                if self._rows[name] >= XLSX_MAX_ROWS:
                    self._new_sheet(name)
                sheet = self._sheets[name]
                sheet.append(_excel_row(sheet, row))
                self._rows[name] += 1

    def close(self) -> None:
        from openpyxl.utils import get_column_letter

        self._done += [(self._sheets[name], len(TABLES[name]), self._rows[name]) for name in TABLES]
        codebook = self._sheet("codebook", [c.name for c in CODEBOOK_COLUMNS])
        rows = codebook_rows()
        for row in rows:
            codebook.append(list(row))
        self._done.append((codebook, len(CODEBOOK_COLUMNS), len(rows)))
        for sheet, width, count in self._done:  # written with the sheet's tail, at save
            sheet.auto_filter.ref = f"A1:{get_column_letter(width)}{count + 1}"
        self._book.save(str(self._out))


def open_writer(fmt: str, out: Path, names: str = "default") -> TableWriter:
    """The writer for ``fmt`` (one of :data:`FORMATS`) writing to ``out``, columns named in
    style ``names`` (``crawler.exports.naming``)."""
    makers: dict[str, Any] = {"csv": CsvTables, "jsonl": JsonlTable, "parquet": ParquetTables,
                              "xlsx": XlsxWorkbook}
    if fmt not in makers:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    writer: TableWriter = makers[fmt](out, names)
    return writer
