"""CSV and Excel downloads: the helpers every export of the product goes through.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` (and, in some programs, a tab or
carriage return) as a formula, so text typed into the register could run as one when Democratic
Services or the public open a download ("CSV injection"). escape_cell() makes such text inert by
putting a single quote in front of it; numbers and dates stay as they are.
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Excel reads a CSV file as UTF-8 only when it starts with a byte order mark.
UTF8_BOM = "\ufeff"

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "dd/mm/yyyy"


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


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(escape_cell(value))


class _Echo:
    """A file-like object whose write() hands back what it was given, for streaming CSV."""

    def write(self, value):
        return value


def csv_response(header, rows, *, filename: str) -> StreamingHttpResponse:
    """Stream rows (lists of values) as a UTF-8 CSV download that Excel opens correctly.

    Every text cell goes through escape_cell(); dates are written as 2026-11-26.
    """
    writer = csv.writer(_Echo())

    def lines():
        yield UTF8_BOM + writer.writerow([_csv_text(value) for value in header])
        for row in rows:
            yield writer.writerow([_csv_text(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = _content_disposition(filename)
    return response


def _xlsx_cell(sheet, value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        # Excel has no time zones: write the time as it was in London, without the offset.
        cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
        cell.number_format = f"{DATE_FORMAT} hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = MONEY_FORMAT
        return cell
    if isinstance(value, int | float):
        return value
    # Control characters cannot be stored in an Excel file; they carry no meaning in a cell.
    return escape_cell(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def xlsx_response(header, rows, *, filename: str, sheet_title: str) -> HttpResponse:
    """Rows (lists of values) as an Excel workbook download, built in openpyxl's write-only mode.

    Text is escaped with escape_cell(); numbers, money and dates are real Excel values.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A2"
    sheet.append([_xlsx_cell(sheet, value) for value in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _content_disposition(filename)
    return response
