"""The monthly subsidy statement as an Excel file: meals by tier × subsidy per meal, the
totals, and where it came from (the canteen, the month, when it was made)."""

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from dashboards.export import HEAD_FILL

MONEY = "0.00"


def statement_workbook(statement):
    book = Workbook()
    sheet = book.active
    sheet.title = _("Subsidy statement")[:31]
    c = statement.canteen
    sheet.append([_("Elderly meal subsidy statement")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("canteen"), c.name])
    sheet.append([_("operator"), c.operator])
    sheet.append([_("month"), statement.first.strftime("%Y-%m")])
    sheet.append([_("period"), f"{statement.first.isoformat()} – {statement.last.isoformat()}"])
    sheet.append([_("generated at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    sheet.append([])
    head = [
        _("tier"),
        _("meals"),
        _("of which delivered to the home"),
        _("subsidy per meal (yuan)"),
        _("subsidy (yuan)"),
        _("saved by diners (yuan)"),
    ]
    sheet.append([str(h) for h in head])
    for i in range(1, len(head) + 1):
        cell = sheet.cell(sheet.max_row, i)
        cell.font, cell.fill = Font(bold=True), HEAD_FILL
    for r in statement.rows:
        sheet.append(
            [str(r["label"]), r["meals"], r["delivered"], r["rate"], r["amount"], r["saved"]]
        )
        for col in (4, 5, 6):
            sheet.cell(sheet.max_row, col).number_format = MONEY
    sheet.append([_("total"), statement.meals, None, None, statement.subsidy, statement.saved])
    for col in (5, 6):
        sheet.cell(sheet.max_row, col).number_format = MONEY
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    for letter, width in zip("ABCDEF", (28, 10, 16, 16, 14, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def statement_response(statement):
    response = HttpResponse(
        statement_workbook(statement),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"subsidy_{statement.canteen.pk}_{statement.first:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
