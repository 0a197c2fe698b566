"""CSV and Excel downloads: the helpers every export of the product goes through.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` (and, in some programs, a tab or
carriage return) as a formula, so text typed into the register could run as one when Democratic
Services or the public open a download ("CSV injection"). escape_cell() makes such text inert by
putting a single quote in front of it; numbers and dates stay as they are. A CSV file gives
dates as the council writes them, 26/11/2026, and times as 26/11/2026 14:05 in London.

Downloads are streamed: the heading row goes out at once, then the rows in batches as the
database hands them over from a server-side cursor (stream_rows(), stream_sql()), so a download of
100,000 risks starts straight away and takes the same memory as one of ten. Excel files are zipped
as they are written, and stream the same way. The largest CSV download, the council's risks, has
PostgreSQL write its rows (csv_query_response()): the same file, made faster.
"""

import csv
import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

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


def stream_sql(sql, params, chunk_size=STREAM_CHUNK_ROWS):
    """Rows (tuples) of a query, read as stream_rows() reads a queryset."""
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(chunk_size)
            if not rows:
                break
            yield from rows
            # Let this batch go before the next is fetched, so only one is ever held.
            del rows


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


# CSV written by PostgreSQL ---------------------------------------------------------------------
#
# csv_query_response() has PostgreSQL write the rows (COPY ... TO STDOUT) and Python only pass
# them on: building each row in Python held the risk download to about 35,000 rows a second.
# COPY quotes a cell exactly when csv.writer does, so a query whose every column gives the cell
# as _csv_text() would write it (through the helpers below) makes the same file. COPY takes no
# parameters, so values are written into the query as literals, quoted by psycopg.


def compose_sql(sql, params) -> str:
    """sql with its parameters written in as literals, quoted by psycopg as Django quotes them."""
    return connection.ops.compose_sql(sql, params)


def sql_literal(value) -> str:
    """A value as an SQL literal, quoted by psycopg."""
    return compose_sql("%s", [value])


def sql_text_cell(column: str) -> str:
    """SQL for a text column's cell: escaped as escape_cell() escapes it, and empty text written
    as a blank, as csv.writer writes it (COPY would write two quotes)."""
    # The first character's code: comparing left(column, 1) as text instead cost PostgreSQL a
    # quarter of a second more for 100,000 risks.
    triggers = ", ".join(sql_literal(ord(trigger)) for trigger in FORMULA_TRIGGERS)
    return (
        f"CASE WHEN ascii({column}) IN ({triggers}) THEN '''' || {column} "
        f"ELSE NULLIF({column}, '') END"
    )


def sql_choice_cell(column: str, choices, *, otherwise: str) -> str:
    """SQL for the cell of a choice column: its value's label, or the SQL `otherwise` for a
    value that is not one of the choices."""
    labels = " ".join(
        f"WHEN {sql_literal(value)} THEN {sql_literal(escape_cell(str(label)))}"
        for value, label in choices
    )
    return f"CASE {column} {labels} ELSE {otherwise} END"


def sql_date_cell(column: str) -> str:
    return f"to_char({column}, {sql_literal(SQL_DATE_FORMAT)})"


def sql_yes_no_cell(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 'Yes' ELSE 'No' END"


def _copy_rows(query):
    """The rows of a query in CSV, each ending in a line feed, one at a time as PostgreSQL
    sends them (a COPY sends each row as one message, which psycopg hands over alone)."""
    with transaction.atomic(), connection.cursor() as cursor:
        # The query has its values written into it, so it runs where it cannot write whatever
        # it says. Rolling back rather than committing also ends the setting inside an outer
        # transaction (a test's, say), where a released savepoint would leave it on.
        cursor.execute("SET TRANSACTION READ ONLY")
        transaction.set_rollback(True)
        with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
            yield from copy


def _copied_csv_pieces(header, query):
    # The heading goes out before the query runs, so the download starts at once.
    yield _csv_heading(header)
    rows = []
    size = 0
    for row in _copy_rows(query):
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
    """Stream the rows of an SQL query as csv_response() would, with PostgreSQL writing them.

    query is a SELECT with its values written in (compose_sql()), each of whose columns is a
    cell as csv_response() would write it (see sql_text_cell() and the helpers after it).
    """
    response = StreamingHttpResponse(
        _copied_csv_pieces(header, query), content_type=CSV_CONTENT_TYPE
    )
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
    text = _xml_text(escape_cell(ILLEGAL_CHARACTERS_RE.sub("", text)))
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


def _xlsx_pieces(header, rows, sheet_title):
    stream = _ZipStream()
    columns = [get_column_letter(number) for number in range(1, len(header) + 1)]

    def sheet_row(number, values):
        cells = []
        for column, value in zip(columns, values, strict=False):
            # Plain text and whole numbers, most of any sheet, are written here directly.
            kind = value.__class__
            if kind is str and not _NEEDS_CELL_CARE.search(value):
                cells.append(
                    f'<c r="{column}{number}" t="inlineStr">'
                    f'<is><t xml:space="preserve">{value}</t></is></c>'
                )
            elif kind is int:
                cells.append(f'<c r="{column}{number}"><v>{value}</v></c>')
            else:
                cells.append(_xlsx_cell(f"{column}{number}", value))
        return f'<row r="{number}">{"".join(cells)}</row>'

    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as xlsx:
        for name, xml in _XLSX_STATIC_PARTS.items():
            xlsx.writestr(name, xml)
        xlsx.writestr("xl/workbook.xml", _XLSX_WORKBOOK.format(title=_xml_text(sheet_title[:31])))
        with xlsx.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((_XLSX_SHEET_START + sheet_row(1, header)).encode())
            yield stream.take()
            batch = []
            for number, values in enumerate(rows, start=2):
                batch.append(sheet_row(number, values))
                if len(batch) == _XLSX_ROWS_PER_WRITE:
                    sheet.write("".join(batch).encode())
                    batch.clear()
                    if piece := stream.take():
                        yield piece
            sheet.write(("".join(batch) + _XLSX_SHEET_END).encode())
    yield stream.take()


def xlsx_response(header, rows, *, filename: str, sheet_title: str) -> StreamingHttpResponse:
    """Stream rows (lists of values) as an Excel workbook with one sheet.

    Text is escaped with escape_cell(); numbers, money and dates are real Excel values (dates
    shown as 26/11/2026); yes-or-no values are written Yes and No.
    """
    response = StreamingHttpResponse(
        _xlsx_pieces(header, rows, sheet_title), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = _content_disposition(filename)
    return response
