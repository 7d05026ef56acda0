"""Excel export of the dashboard figures: one sheet per panel, the filter in the file name and
in each sheet's header. The tables come from the panels, so the export shows what the page shows."""

import io
import re

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMATS = {"pct": "0.0%", "change": "+0.0%;-0.0%;0.0%", "hours": "0.0", "int": "0"}
HEAD_FILL = PatternFill("solid", fgColor="F6E7E9")


def filter_label(node_name, start, end):
    return _("%(node)s, %(start)s to %(end)s") % {
        "node": node_name,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }


def file_name(node_name, start, end):
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", node_name)
    return f"{safe}_{start.isoformat()}_{end.isoformat()}.xlsx"


def sheet_title(title, used):
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name, unique per book."""
    base = re.sub(r"[\[\]:*?/\\]", " ", str(title))[:28]
    name, n = base, 2
    while name in used:
        name, n = f"{base[:25]} ({n})", n + 1
    used.add(name)
    return name


def workbook(panels, ctx, *, node_name, start, end, generated_at):
    """The export as bytes."""
    book = Workbook()
    book.remove(book.active)
    used = set()
    label = filter_label(node_name, start, end)
    for panel in panels:
        sheet = book.create_sheet(sheet_title(panel.title, used))
        sheet.append([str(panel.title)])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([label])
        sheet.append(
            [_("generated at %(time)s") % {"time": generated_at.strftime("%Y-%m-%d %H:%M")}]
        )
        widths = {}
        for table in panel.tables(ctx):
            sheet.append([])
            sheet.append([str(table.title)])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
            sheet.append([str(c.title) for c in table.columns])
            for i in range(1, len(table.columns) + 1):
                cell = sheet.cell(sheet.max_row, i)
                cell.font, cell.fill = Font(bold=True), HEAD_FILL
                cell.alignment = Alignment(wrap_text=True)
            for row in table.rows:
                sheet.append(
                    [v if isinstance(v, int | float) or v is None else str(v) for v in row]
                )
                for i, column in enumerate(table.columns, start=1):
                    if column.kind in FORMATS:
                        sheet.cell(sheet.max_row, i).number_format = FORMATS[column.kind]
            for i, column in enumerate(table.columns, start=1):
                longest = max(
                    [len(str(column.title))] + [len(str(r[i - 1] or "")) for r in table.rows]
                )
                widths[i] = max(widths.get(i, 8), min(40, longest * 2 + 2))
        for i, width in widths.items():
            sheet.column_dimensions[get_column_letter(i)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
