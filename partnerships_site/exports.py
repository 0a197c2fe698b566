"""CSV and Excel downloads: the helpers every export of the product goes through.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` (and, in some programs, a tab or
carriage return) as a formula, so text typed into the register could run as one when Democratic
Services or the public open a download ("CSV injection"). escape_cell() makes such text inert by
putting a single quote in front of it; numbers and dates stay as they are. A CSV file gives
dates as the council writes them, 26/11/2026, and times as 26/11/2026 14:05 in London.

Downloads are streamed: the heading row goes out at once, then the rows in batches as the
database hands them over from a server-side cursor (stream_rows()), so a download of
100,000 risks starts straight away and takes the same memory as one of ten. Excel files are zipped
as they are written, and stream the same way. The largest download, the council's risks, has
PostgreSQL write its rows as CSV or Excel (query_cells()): the same files, made faster.
"""

import csv
import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Excel reads a CSV file as UTF-8 only when it starts with a byte order mark.
UTF8_BOM = "\ufeff"

# Dates and times in a CSV file, as strftime() writes them, and dates as PostgreSQL's to_char().
CSV_DATE_FORMAT = "%d/%m/%Y"
CSV_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
SQL_DATE_FORMAT = "DD/MM/YYYY"

# Rows are read from the database this many at a time, and sent in pieces of about this size (in
# characters, or bytes): one piece per row would cost a write to the network for every row.
STREAM_CHUNK_ROWS = 2000
STREAM_CHUNK_SIZE = 64 * 1024


def escape_cell(value):
    """The value, with text that a spreadsheet would read as a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def download_filename(stem: str, extension: str, *, today: date | None = None) -> str:
    """A safe file name with today's date, such as partnership-register-2026-11-26.csv."""
    today = today or timezone.localdate()
    return f"{slugify(stem) or 'export'}-{today.isoformat()}.{extension}"


def _content_disposition(filename: str) -> str:
    # download_filename() gives only letters, digits, hyphens and a dot, so no quoting is needed.
    return f'attachment; filename="{filename}"'


def stream_rows(queryset, chunk_size=STREAM_CHUNK_ROWS):
    """Iterate over a queryset (or its values_list()) as PostgreSQL reads it.

    iterator() reads through a server-side cursor. Outside a transaction Django declares it
    WITH HOLD, and PostgreSQL then runs the whole query before handing over the first row; inside
    one, rows come as they are found. The transaction only reads, and ends with the download (or
    when the person gives up on it). Through a pooler in transaction mode (PgBouncer) the cursor
    is still safe, as it lives and dies inside this transaction.
    """
    with transaction.atomic():
        yield from queryset.iterator(chunk_size=chunk_size)


def _csv_text(value):
    """A value as csv.writer should write it (which writes numbers itself)."""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime(CSV_DATETIME_FORMAT)
    if isinstance(value, date):
        return value.strftime(CSV_DATE_FORMAT)
    return escape_cell(str(value))


# Cells of these exact types go to csv.writer unchanged: it writes None as an empty cell, and
# numbers as str() gives them.
_WRITTEN_AS_THEY_ARE = frozenset([int, float, Decimal, type(None)])


def _csv_heading(header):
    buffer = io.StringIO()
    csv.writer(buffer).writerow(map(_csv_text, header))
    return UTF8_BOM + buffer.getvalue()


def _csv_pieces(header, rows):
    # The heading goes out before the rows' query runs, so the download starts at once.
    yield _csv_heading(header)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        # _csv_text() written out for the common cells (text, numbers and blanks): a function
        # call per cell is a good part of the time a large download takes.
        writer.writerow(
            [
                ("'" + value if value.startswith(FORMULA_TRIGGERS) else value)
                if value.__class__ is str
                else value
                if value.__class__ in _WRITTEN_AS_THEY_ARE
                else _csv_text(value)
                for value in row
            ]
        )
        if buffer.tell() >= STREAM_CHUNK_SIZE:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def csv_response(header, rows, *, filename: str) -> StreamingHttpResponse:
    """Stream rows (lists of values) as a UTF-8 CSV download that Excel opens correctly.

    rows may be a generator, read only as the download is sent. Every text cell goes through
    escape_cell(); yes-or-no values are written Yes and No, dates as 26/11/2026 and times as
    26/11/2026 14:05 in London.
    """
    response = StreamingHttpResponse(_csv_pieces(header, rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = _content_disposition(filename)
    return response


# Excel -----------------------------------------------------------------------------------------
#
# An Excel file is a zip of XML parts (ECMA-376, SpreadsheetML). The sheet is written here
# directly, as the CSV is, and zipped as it goes, so the download streams: openpyxl, even in its
# write-only mode, builds an object for every cell and managed about 4,500 rows of the risk
# export a second, against over 20,000 here. Tests read every file back with openpyxl.

_XLSX_STATIC_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    # Cell styles: 0 plain, 1 a date, 2 money, 3 a date and time.
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
        '<numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        "</fonts>"
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        "</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}

_XLSX_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)

# The heading row stays in view as the sheet scrolls.
_XLSX_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
    "</sheetView></sheetViews><sheetData>"
)
_XLSX_SHEET_END = "</sheetData></worksheet>"

# Excel counts days from 30 December 1899 (for every date after February 1900).
_EXCEL_EPOCH = date(1899, 12, 30)
_XLSX_ROWS_PER_WRITE = 500


# Text that needs care in a worksheet: characters to escape for XML or control characters to take
# out, or a start a spreadsheet would read as a formula. One search finds either.
_NEEDS_CELL_CARE = re.compile(
    "^[" + re.escape("".join(FORMULA_TRIGGERS)) + "]|[&<>\x00-\x08\x0b\x0c\x0e-\x1f]"
)


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xlsx_text_cell(reference, text):
    # Control characters cannot be stored in an Excel file; they carry no meaning in a cell.
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if not text:
        return ""  # Empty text is a blank cell, as in a CSV file.
    text = _xml_text(escape_cell(text))
    return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _xlsx_cell(reference, value):
    """One cell of SpreadsheetML: text (escaped), a number, money or a date, or nothing."""
    kind = value.__class__
    if kind is str:
        return _xlsx_text_cell(reference, value)
    if value is None:
        return ""
    if kind is bool:
        return _xlsx_text_cell(reference, "Yes" if value else "No")
    if kind is int or kind is float:
        return f'<c r="{reference}"><v>{value}</v></c>'
    if kind is Decimal:
        return f'<c r="{reference}" s="2"><v>{value}</v></c>'
    if kind is datetime:
        # Excel has no time zones: write the time as it was in London, without the offset.
        moment = timezone.localtime(value)
        serial = (moment.date() - _EXCEL_EPOCH).days + (
            moment.hour * 3600 + moment.minute * 60 + moment.second
        ) / 86400
        return f'<c r="{reference}" s="3"><v>{serial}</v></c>'
    if kind is date:
        return f'<c r="{reference}" s="1"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    return _xlsx_text_cell(reference, str(value))


class _ZipStream:
    """A write-only file for zipfile that gives back what was written since it last asked.

    It can tell its position but not seek, so zipfile writes each part's sizes after the part,
    and the file can be sent while it is being made.
    """

    def __init__(self):
        self.position = 0
        self.parts = []

    def write(self, data):
        self.parts.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self):
        return self.position

    def flush(self):
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def _xlsx_row(columns, number, values):
    cells = []
    for column, value in zip(columns, values, strict=False):
        # Plain text and whole numbers, most of any sheet, are written here directly.
        kind = value.__class__
        if kind is str and value and not _NEEDS_CELL_CARE.search(value):
            cells.append(
                f'<c r="{column}{number}" t="inlineStr">'
                f'<is><t xml:space="preserve">{value}</t></is></c>'
            )
        elif kind is int:
            cells.append(f'<c r="{column}{number}"><v>{value}</v></c>')
        else:
            cells.append(_xlsx_cell(f"{column}{number}", value))
    return f'<row r="{number}">{"".join(cells)}</row>'


def _xlsx_columns(count):
    return [get_column_letter(number) for number in range(1, count + 1)]


def _xlsx_rows(header, rows):
    """The rows after the heading, as SpreadsheetML in pieces of _XLSX_ROWS_PER_WRITE rows."""
    columns = _xlsx_columns(len(header))
    batch = []
    for number, values in enumerate(rows, start=2):
        batch.append(_xlsx_row(columns, number, values))
        if len(batch) == _XLSX_ROWS_PER_WRITE:
            yield "".join(batch).encode()
            batch.clear()
    yield "".join(batch).encode()


def _xlsx_pieces(header, sheet_rows, sheet_title):
    """The workbook's bytes as they are zipped: sheet_rows gives the rows after the heading as
    SpreadsheetML, in pieces."""
    stream = _ZipStream()
    heading = _xlsx_row(_xlsx_columns(len(header)), 1, header)
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as xlsx:
        for name, xml in _XLSX_STATIC_PARTS.items():
            xlsx.writestr(name, xml)
        xlsx.writestr("xl/workbook.xml", _XLSX_WORKBOOK.format(title=_xml_text(sheet_title[:31])))
        with xlsx.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((_XLSX_SHEET_START + heading).encode())
            # The heading goes out before the rows are read, so the download starts at once.
            yield stream.take()
            for rows in sheet_rows:
                sheet.write(rows)
                if zipped := stream.take():
                    yield zipped
            sheet.write(_XLSX_SHEET_END.encode())
    yield stream.take()


def xlsx_response(header, rows, *, filename: str, sheet_title: str) -> StreamingHttpResponse:
    """Stream rows (lists of values) as an Excel workbook with one sheet.

    Text is escaped with escape_cell(); numbers, money and dates are real Excel values (dates
    shown as 26/11/2026); yes-or-no values are written Yes and No.
    """
    response = StreamingHttpResponse(
        _xlsx_pieces(header, _xlsx_rows(header, rows), sheet_title), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = _content_disposition(filename)
    return response


# Downloads written by PostgreSQL ---------------------------------------------------------------
#
# The largest download, the council's risks, has PostgreSQL write its rows (COPY ... TO STDOUT)
# and Python only pass them on: building each row in Python held it to about 35,000 rows a second
# as CSV, and 13,000 to 30,000 (by the machine) as Excel. The query gives each cell as an SqlCell,
# its SQL and its kind; query_cells() with csv_columns() or xlsx_row() makes from them the cells
# that csv_response() or xlsx_response() would have made of the same values in Python. COPY takes
# no parameters, so values are written into the query as literals, quoted by psycopg.

TEXT, NUMBER, DATE = "text", "number", "date"


class SqlCell(NamedTuple):
    """A cell of a download as SQL: text, a whole number or a date, or NULL for a blank."""

    kind: str
    sql: str


def compose_sql(sql, params) -> str:
    """sql with its parameters written in as literals, quoted by psycopg as Django quotes them."""
    return connection.ops.compose_sql(sql, params)


def sql_literal(value) -> str:
    """A value as an SQL literal, quoted by psycopg."""
    return compose_sql("%s", [value])


def sql_choice(column: str, choices, *, otherwise: str) -> SqlCell:
    """The label of a choice column's value, or the SQL `otherwise` for a value that is not one
    of the choices."""
    labels = " ".join(
        f"WHEN {sql_literal(value)} THEN {sql_literal(str(label))}" for value, label in choices
    )
    return SqlCell(TEXT, f"CASE {column} {labels} ELSE {otherwise} END")


def sql_yes_no(condition: str) -> SqlCell:
    return SqlCell(TEXT, f"CASE WHEN {condition} THEN 'Yes' ELSE 'No' END")


def query_cells(cells, source: str, position: str, formatted) -> str:
    """A query of the rows of source, in the order of their position (SQL numbering them from
    1), whose columns are formatted(cells), with each cell worked out once.

    PostgreSQL must plan the subquery that works out the cells on its own (OFFSET 0): otherwise it
    would write each cell's SQL into the formatting round it, which names a cell up to four
    times, and work it out each time.
    """
    values = ", ".join(f"{cell.sql} AS c{number}" for number, cell in enumerate(cells))
    named = [SqlCell(cell.kind, f"cell.c{number}") for number, cell in enumerate(cells)]
    # Every name is the caller's or written here; values are literals quoted by psycopg.
    return f"""
        SELECT {formatted(named)}
        FROM (SELECT {values}, {position} AS position FROM {source} OFFSET 0) AS cell
        ORDER BY cell.position
    """  # noqa: S608


def _copy_rows(query, options=""):
    """The rows of a query as COPY writes them, each ending in a line feed, one at a time as
    PostgreSQL sends them (a COPY sends each row as one message, which psycopg hands over
    alone)."""
    with transaction.atomic(), connection.cursor() as cursor:
        # The query has its values written into it, so it runs where it cannot write whatever
        # it says. Rolling back rather than committing also ends the setting inside an outer
        # transaction (a test's, say), where a released savepoint would leave it on.
        cursor.execute("SET TRANSACTION READ ONLY")
        transaction.set_rollback(True)
        with cursor.copy(f"COPY ({query}) TO STDOUT{options}") as copy:
            yield from copy


# CSV: COPY quotes a cell exactly when csv.writer does, so columns that give each cell as
# _csv_text() would write it make the same file.

# The first character's code: comparing left(text, 1) instead cost PostgreSQL a quarter of a
# second more for 100,000 risks.
_FORMULA_TRIGGER_CODES = [ord(trigger) for trigger in FORMULA_TRIGGERS]


def _sql_csv_text(text: str) -> str:
    """A text cell, escaped as escape_cell() escapes it, and empty text written as a blank, as
    csv.writer writes it (COPY would write two quotes)."""
    codes = ", ".join(map(str, _FORMULA_TRIGGER_CODES))
    return f"CASE WHEN ascii({text}) IN ({codes}) THEN '''' || {text} ELSE NULLIF({text}, '') END"


def _sql_csv_cell(cell: SqlCell) -> str:
    if cell.kind == TEXT:
        return _sql_csv_text(cell.sql)
    if cell.kind == DATE:
        return f"to_char({cell.sql}, {sql_literal(SQL_DATE_FORMAT)})"
    return cell.sql


def csv_columns(cells) -> str:
    """The columns of a row of CSV, for query_cells()."""
    return ", ".join(_sql_csv_cell(cell) for cell in cells)


def _copied_csv_pieces(header, query):
    # The heading goes out before the query runs, so the download starts at once.
    yield _csv_heading(header)
    rows = []
    size = 0
    for row in _copy_rows(query, " WITH (FORMAT csv)"):
        # csv.writer ends a row (as RFC 4180 does, and as the heading ends) with a carriage
        # return and a line feed, where COPY writes a line feed alone.
        rows.append(row[:-1])
        size += len(row)
        if size >= STREAM_CHUNK_SIZE:
            yield b"\r\n".join(rows) + b"\r\n"
            rows.clear()
            size = 0
    if rows:
        yield b"\r\n".join(rows) + b"\r\n"


def csv_query_response(header, query: str, *, filename: str) -> StreamingHttpResponse:
    """Stream the rows of query_cells(..., csv_columns) as csv_response() would, with
    PostgreSQL writing them."""
    response = StreamingHttpResponse(
        _copied_csv_pieces(header, query), content_type=CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = _content_disposition(filename)
    return response


# Excel: each row of the query is a row of the sheet in SpreadsheetML, as _xlsx_row() writes it.
# COPY's text format writes a row as it is but for a backslash, a tab, a line feed, a carriage
# return and three control characters, which it writes as \\, \t and so on. Text cells write the
# first four as XML character references (a carriage return as the line feed that an XML reader
# makes of one in xlsx_response()'s file). Control characters, which a sheet cannot hold, are
# taken out as the rows go by (_copied_xlsx_rows()): PostgreSQL's translate() took them out at a
# tenth of the speed.

# The characters that _xlsx_text_cell() takes out (openpyxl's ILLEGAL_CHARACTERS_RE) but NUL,
# which PostgreSQL's text cannot hold, and how COPY writes three of them.
_CONTROL_CHARACTERS = "".join(
    character for character in map(chr, range(1, 32)) if ILLEGAL_CHARACTERS_RE.match(character)
)
# What is taken out of COPY's rows: the control characters, and the line feed after each row.
_DROPPED_BYTES = _CONTROL_CHARACTERS.encode() + b"\n"
_COPY_ESCAPED_CONTROL_CHARACTERS = re.compile(rb"\\[bvf]")
_SQL_XML_REPLACEMENTS = [
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ("\\", "&#92;"),
    ("\t", "&#9;"),
    ("\r\n", "\n"),
    ("\r", "\n"),
    ("\n", "&#10;"),
]


def _sql_xlsx_cell(cell: SqlCell, reference: str) -> str:
    """One cell of a row, or NULL for a blank; reference is SQL for the cell's reference."""
    if cell.kind == NUMBER:
        return f"""'<c r="' || {reference} || '"><v>' || {cell.sql} || '</v></c>'"""
    if cell.kind == DATE:
        days = f"({cell.sql} - {sql_literal(_EXCEL_EPOCH)}::date)"
        return f"""'<c r="' || {reference} || '" s="1"><v>' || {days} || '</v></c>'"""
    # As _xlsx_text_cell(): escape_cell() of the text without its control characters, then XML's
    # escaping; a blank where no other character is left (ascii('') is 0). The CASE works out
    # the first of the other characters once.
    first = f"ascii(ltrim({cell.sql}, {sql_literal(_CONTROL_CHARACTERS)}))"
    formulas = " ".join(f"WHEN {code} THEN '''' || {cell.sql}" for code in _FORMULA_TRIGGER_CODES)
    text = f"CASE {first} WHEN 0 THEN NULL {formulas} ELSE {cell.sql} END"
    for character, replacement in _SQL_XML_REPLACEMENTS:
        text = f"replace({text}, {sql_literal(character)}, {sql_literal(replacement)})"
    return (
        f"""'<c r="' || {reference} || '" t="inlineStr"><is><t xml:space="preserve">' """
        f"""|| {text} || '</t></is></c>'"""
    )


def xlsx_row(cells) -> str:
    """A row of the sheet, for query_cells(): the row at position 1 is the sheet's second row,
    after the heading."""
    number = "(cell.position + 1)"
    row = ", ".join(
        _sql_xlsx_cell(cell, f"'{column}' || {number}")
        for column, cell in zip(_xlsx_columns(len(cells)), cells, strict=True)
    )
    return f"""'<row r="' || {number} || '">' || concat({row}) || '</row>'"""


def _sheet_xml(copied: bytes) -> bytes:
    """Rows as COPY wrote them, without the line feed after each and the control characters."""
    # Text cells write every backslash of their own as &#92;: any left is COPY's.
    if b"\\" in copied:
        copied = _COPY_ESCAPED_CONTROL_CHARACTERS.sub(b"", copied)
    return copied.translate(None, _DROPPED_BYTES)


def _copied_xlsx_rows(query):
    """The rows of the sheet in pieces of about STREAM_CHUNK_SIZE bytes, as PostgreSQL writes
    them."""
    rows = []
    size = 0
    for row in _copy_rows(query):
        rows.append(row)
        size += len(row)
        if size >= STREAM_CHUNK_SIZE:
            yield _sheet_xml(b"".join(rows))
            rows.clear()
            size = 0
    yield _sheet_xml(b"".join(rows))


def xlsx_query_response(header, query: str, *, filename: str, sheet_title: str):
    """Stream the rows of query_cells(..., xlsx_row) as xlsx_response() would, with PostgreSQL
    writing them."""
    response = StreamingHttpResponse(
        _xlsx_pieces(header, _copied_xlsx_rows(query), sheet_title),
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Content-Disposition"] = _content_disposition(filename)
    return response
