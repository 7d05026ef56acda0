"""A merchant's monthly statement (vouchers honoured in a month) as Excel: one builder for the
staff's link and the shop's own counter."""

import io
from datetime import date, datetime, time

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from points import selectors


def month_of(value, today=None):
    """(first day, first day of the next month) of `?month=YYYY-MM`; this month when absent.
    A malformed month raises ValueError (the views answer 400, never another month's figures)."""
    if value in (None, ""):
        today = today or timezone.localdate()
        first = date(today.year, today.month, 1)
    else:
        year, sep, month = value.partition("-")
        if not (sep and len(year) == 4 and year.isdigit() and month.isdigit() and len(month) <= 2):
            raise ValueError(value)
        first = date(int(year), int(month), 1)
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, after


def previous_month(today=None):
    today = today or timezone.localdate()
    last = date(today.year, today.month, 1).toordinal() - 1
    return date.fromordinal(last).strftime("%Y-%m")


def bad_month():
    return HttpResponse(
        _("The month must be written as YYYY-MM, for example 2026-03."),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def statement_response(merchant, month):
    """The .xlsx of `merchant`'s vouchers honoured in `month` (a `?month=` value), or a 400
    with the reason when the month is malformed."""
    try:
        first, after = month_of(month)
    except ValueError:
        return bad_month()
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, time.min), tz)
    end = timezone.make_aware(datetime.combine(after, time.min), tz)
    book = Workbook()
    sheet = book.active
    sheet.title = first.strftime("%Y-%m")
    sheet.append([merchant.name, first.strftime("%Y-%m")])
    sheet.append([_("used at"), _("voucher"), _("reward"), _("points"), _("by")])
    rows = selectors.merchant_month(merchant, start, end)
    total = 0
    for use in rows:
        v = use.voucher
        sheet.append(
            [
                timezone.localtime(use.used_at).strftime("%Y-%m-%d %H:%M"),
                v.code,
                v.reward.title,
                v.price,
                use.by.get_username(),
            ]
        )
        total += v.price
    sheet.append([_("total"), len(rows), "", total, ""])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="merchant-{merchant.pk}-{first:%Y-%m}.xlsx"'
    )
    return response
