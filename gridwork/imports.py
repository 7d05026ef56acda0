"""Excel import and export of the household register (communities start from spreadsheets).

Import: one row per resident; rows with the same household number are one household (the
household's columns are read from its first row). A household number already registered in the
community is updated and its residents replaced by the file's. The file is read twice, streamed
(openpyxl read-only): first every row is checked (a dry run stops there and lists the errors,
in Chinese, by row), then, only when no row has an error, everything is written in one
transaction in chunks: nothing is half-imported.

Export: one row per household (and per resident for the community and its grids). Above the
community it is de-identified: no names, phones, ID numbers, units or doors.
"""

import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from gridwork import people, schedule
from gridwork.models import CareTag, Colour, ColourChange, Household, Person, VisitPolicy
from members.phones import PHONE_RE
from portal.idnumbers import resident_id_ok
from portal.models import Building, Compound, Grid

COLUMNS = [
    ("number", "户编号"),
    ("grid", "网格编码"),
    ("compound", "小区"),
    ("building", "楼栋"),
    ("unit", "单元"),
    ("door", "门牌"),
    ("address", "地址（无小区时填写）"),
    ("colour", "颜色（红/黄/蓝）"),
    ("colour_reason", "定色原因"),
    ("name", "姓名"),
    ("relation", "与户主关系"),
    ("birth_year", "出生年份"),
    ("phone", "手机号"),
    ("id_number", "身份证号"),
    ("care_tags", "关爱标签（用、分隔）"),
]
COLOURS = {"红": Colour.RED, "黄": Colour.YELLOW, "蓝": Colour.BLUE}
COLOUR_NAMES = {v: k for k, v in COLOURS.items()}
RELATIONS = {
    "户主": "head",
    "配偶": "spouse",
    "子女": "child",
    "父母": "parent",
    "孙辈": "grandchild",
    "租户": "tenant",
    "其他": "other",
}
TAGS = {
    "独居老人": CareTag.ALONE_ELDERLY,
    "残疾": CareTag.DISABLED,
    "低保/特困": CareTag.HARDSHIP,
    "低保": CareTag.HARDSHIP,
    "特困": CareTag.HARDSHIP,
    "重病": CareTag.SERIOUS_ILLNESS,
    "留守儿童": CareTag.LEFT_BEHIND_CHILD,
    "租户": CareTag.TENANT,
}
CHUNK = 2000
MAX_ERRORS = 200


def template_workbook():
    """The documented template: headers, one example row, and a sheet that explains them."""
    book = Workbook()
    sheet = book.active
    sheet.title = "住户"
    sheet.append([title for _, title in COLUMNS])
    sheet.append(
        [
            "HH0001",
            "G01",
            "幸福小区",
            "3栋",
            "2",
            "301",
            "",
            "红",
            "独居老人",
            "王秀英",
            "户主",
            1941,
            "13811112222",
            "",
            "独居老人",
        ]
    )
    notes = book.create_sheet("说明")
    for line in (
        "每行一名住户成员；同一户编号的多行属于同一户：其后各行的户信息（网格、小区、楼栋、单元、门牌、地址、颜色）须与第一行相同或留空，不同即报错。",
        "户编号在本社区内唯一；已存在的户编号将被更新，其成员以本表为准。",
        "网格编码填写本社区网格的编码；有小区的填小区、楼栋（须已在系统中登记），否则填地址。",
        "颜色填红、黄或蓝；红、黄须填写定色原因。",
        "身份证号只保存后4位和加密摘要；手机号为11位手机号码。",
        "关爱标签：" + "、".join(TAGS),
    ):
        notes.append([line])
    return book


@dataclass
class Result:
    rows: int = 0
    households: int = 0
    created: int = 0
    updated: int = 0
    people: int = 0
    errors: list = field(default_factory=list)  # (row number, message)
    dry_run: bool = True

    @property
    def ok(self):
        return not self.errors


class _Places:
    """The community's grids, compounds, buildings and household numbers, read once."""

    def __init__(self, community):
        self.community = community
        self.grids = {g.code: g for g in Grid.objects.filter(community=community)}
        self.compounds = dict(
            Compound.objects.filter(community=community).values_list("name", "id")
        )
        self.buildings = {
            (c, n): pk
            for c, n, pk in Building.objects.filter(community=community).values_list(
                "compound__name", "name", "id"
            )
        }
        self.existing = dict(
            Household.objects.filter(community=community).values_list("number", "id")
        )


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows(file, sized=None):
    """(row number, {column: text}) of the first sheet's non-empty rows, streamed. `sized` is
    told the sheet's row count as the file declares it (None when it declares none)."""
    book = load_workbook(file, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        if sized is not None:
            sized(max(sheet.max_row - 1, 0) if sheet.max_row else None)
        for n, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            cells = [_text(v) for v in (values or ())][: len(COLUMNS)]
            if not any(cells):
                continue
            cells += [""] * (len(COLUMNS) - len(cells))
            yield n, dict(zip((k for k, _ in COLUMNS), cells, strict=True))
    finally:
        book.close()


# The household's own columns: a household's later rows (its other people) leave them blank or
# repeat its first row; a different value means two households share a number.
HOUSEHOLD_FIELDS = ("grid", "compound", "building", "unit", "door", "address", "colour")


def _household_value(key, text):
    return COLOURS.get(text or "蓝", text) if key == "colour" else text


def _conflicts(n, row, first):
    """Errors of a household's later row whose household columns differ from its first row."""
    first_n, first_row = first
    titles = dict(COLUMNS)
    return [
        _(
            "row %(n)d: household %(number)s is already on row %(first)d with another "
            "%(field)s (“%(was)s”, here “%(now)s”)"
        )
        % {
            "n": n,
            "number": row["number"],
            "first": first_n,
            "field": titles[key],
            "was": first_row[key] or ("蓝" if key == "colour" else ""),
            "now": row[key],
        }
        for key in HOUSEHOLD_FIELDS
        if row[key] and _household_value(key, row[key]) != _household_value(key, first_row[key])
    ]


def _check(n, row, places, seen, result):
    """Errors of one row (Chinese, with its row number); the parsed row when it is good."""
    errs = []
    number = row["number"]
    if not number:
        errs.append(_("row %(n)d: the household number is missing") % {"n": n})
    first = number not in seen
    parsed = {"number": number, "first": first}
    if first:
        grid = places.grids.get(row["grid"])
        if grid is None:
            errs.append(
                _("row %(n)d: unknown grid code “%(code)s”") % {"n": n, "code": row["grid"]}
            )
        parsed["grid"] = grid
        compound_id = building_id = None
        if row["compound"]:
            compound_id = places.compounds.get(row["compound"])
            if compound_id is None:
                errs.append(
                    _("row %(n)d: unknown compound “%(name)s”") % {"n": n, "name": row["compound"]}
                )
            elif row["building"]:
                building_id = places.buildings.get((row["compound"], row["building"]))
                if building_id is None:
                    errs.append(
                        _("row %(n)d: unknown building “%(name)s” in “%(compound)s”")
                        % {"n": n, "name": row["building"], "compound": row["compound"]}
                    )
        elif not row["address"]:
            errs.append(_("row %(n)d: give a compound or an address") % {"n": n})
        parsed.update(compound_id=compound_id, building_id=building_id)
        colour = COLOURS.get(row["colour"] or "蓝")
        if colour is None:
            errs.append(_("row %(n)d: the colour must be 红, 黄 or 蓝") % {"n": n})
        elif colour != Colour.BLUE and not row["colour_reason"]:
            errs.append(_("row %(n)d: a red or yellow household needs a reason") % {"n": n})
        parsed["colour"] = colour
    else:
        errs += _conflicts(n, row, seen[number])
    if row["name"]:
        relation = RELATIONS.get(row["relation"] or "户主")
        if relation is None:
            errs.append(_("row %(n)d: unknown relation “%(r)s”") % {"n": n, "r": row["relation"]})
        year = None
        if row["birth_year"]:
            try:
                year = int(row["birth_year"])
            except ValueError:
                year = 0
            if not 1900 <= year <= timezone.localdate().year:
                errs.append(_("row %(n)d: the birth year is not a year") % {"n": n})
        phone = row["phone"].replace(" ", "").replace("-", "")
        if phone and not PHONE_RE.fullmatch(phone):
            errs.append(_("row %(n)d: the phone is not an 11-digit mobile number") % {"n": n})
        last4 = hashed = ""
        if row["id_number"]:
            number_id = "".join(row["id_number"].split()).upper()
            if not resident_id_ok(number_id):
                errs.append(_("row %(n)d: the ID number is not valid") % {"n": n})
            else:
                last4, hashed = number_id[-4:], people.id_hash(number_id)
        tags = []
        for t in filter(None, (x.strip() for x in row["care_tags"].replace(",", "、").split("、"))):
            if t not in TAGS:
                errs.append(_("row %(n)d: unknown care tag “%(t)s”") % {"n": n, "t": t})
            else:
                tags.append(str(TAGS[t]))
        parsed["person"] = {
            "name": row["name"][:40],
            "relation": relation,
            "birth_year": year,
            "phone": phone,
            "id_last4": last4,
            "id_hash": hashed,
            "care_tags": list(dict.fromkeys(tags)),
        }
    if number and first:
        seen[number] = (n, {k: row[k] for k in HOUSEHOLD_FIELDS})
    if errs:
        result.errors.extend((n, e) for e in errs)
    return None if errs else parsed


class Progress:
    """What an import tells whoever watches it (the job row, a terminal): the declared size,
    then the rows checked and written so far, every PROGRESS_EVERY rows and at the end of each
    pass. This one tells nobody."""

    def sized(self, rows):
        pass

    def checked(self, rows):
        pass

    def written(self, rows):
        pass


PROGRESS_EVERY = 2000


def households_import(*, by, community, file, dry_run=True, progress=None):
    """Check (and unless `dry_run`, write) a register spreadsheet for one community."""
    scope = by.scope
    if not (scope.sees_all or (scope.level == "community" and by.community_id == community.pk)):
        raise PermissionDenied(_("Only the community's staff import its register."))
    progress = progress or Progress()
    result = Result(dry_run=dry_run)
    places = _Places(community)
    seen = {}
    for n, row in _rows(file, progress.sized):
        result.rows += 1
        _check(n, row, places, seen, result)
        if len(result.errors) >= MAX_ERRORS:
            break
        if result.rows % PROGRESS_EVERY == 0:
            progress.checked(result.rows)
    progress.checked(result.rows)
    if not result.errors:
        progress.sized(result.rows)  # the exact count, for the writing pass
    result.households = len(seen)
    if dry_run or result.errors:
        return result
    file.seek(0)
    with transaction.atomic():
        _write(by, community, file, places, result, progress)
    return result


def _write(by, community, file, places, result, progress):
    policies = {p.colour: p for p in VisitPolicy.objects.all()}
    today, now = schedule.today(), timezone.now()
    seen, chunk = {}, []
    ids = dict(places.existing)

    def flush():
        new = [h for h, _ in chunk if h.pk is None]
        old = [h for h, _ in chunk if h.pk is not None]
        Household.objects.bulk_create(new, batch_size=CHUNK)
        Household.objects.bulk_update(
            old,
            [
                "grid",
                "street_id",
                "compound",
                "building",
                "unit",
                "door",
                "address",
                "colour",
                "colour_reason",
                "next_due_on",
            ],
            batch_size=CHUNK,
        )
        Person.objects.filter(household_id__in=[h.pk for h in old]).delete()
        persons, changes = [], []
        for h, rows in chunk:
            ids[h.number] = h.pk
            persons += [Person(household_id=h.pk, **p) for p in rows]
            if getattr(h, "_colour_changed", False):
                changes.append(
                    ColourChange(
                        household_id=h.pk,
                        from_colour=h._from,
                        to_colour=h.colour,
                        reason=h.colour_reason or _("imported"),
                        by=by,
                    )
                )
        Person.objects.bulk_create(persons, batch_size=CHUNK)
        ColourChange.objects.bulk_create(changes, batch_size=CHUNK)
        recoloured = [h.pk for h in old if h._colour_changed]
        Household.objects.filter(pk__in=recoloured).update(colour_set_by=by, colour_set_at=now)
        result.people += len(persons)
        chunk.clear()

    current = None
    # The schedule of the households already registered, read once (never a query per row).
    existing = {
        number: (colour, last_on, visits, one_off, due)
        for number, colour, last_on, visits, one_off, due in Household.objects.filter(
            community=community
        ).values_list(
            "number",
            "colour",
            "last_qualifying_visit_on",
            "period_visits",
            "one_off_due_on",
            "next_due_on",
        )
    }
    for written, (n, row) in enumerate(_rows(file), start=1):
        if written % PROGRESS_EVERY == 0:
            progress.written(written)
        parsed = _check(n, row, places, seen, result)
        if parsed is None:  # the first pass found none; the file changed under us
            raise PermissionDenied(_("The file changed while it was imported."))
        if parsed["first"]:
            if len(chunk) >= CHUNK:
                flush()
            grid = parsed["grid"]
            h = Household(
                pk=ids.get(parsed["number"]),
                number=parsed["number"],
                grid=grid,
                community_id=community.pk,
                street_id=grid.street_id,
                district_id=grid.district_id,
                compound_id=parsed["compound_id"],
                building_id=parsed["building_id"],
                unit=row["unit"][:10],
                door=row["door"][:10],
                address=row["address"][:200] if not parsed["compound_id"] else "",
                colour=parsed["colour"],
                colour_reason=row["colour_reason"][:200],
                colour_set_by=by,
                colour_set_at=now,
            )
            before, *schedule_fields = existing.get(h.number) or (None, None, 0, None, None)
            (
                h.last_qualifying_visit_on,
                h.period_visits,
                h.one_off_due_on,
                h.next_due_on,
            ) = schedule_fields
            h._colour_changed, h._from = before != h.colour, before or ""
            if h.pk is None:
                result.created += 1
            else:
                result.updated += 1
            if h._colour_changed:
                # The visit schedule's rule, from the visits made (none for a new household).
                h.next_due_on = schedule.household_next_due(policies.get(h.colour), h, on=today)
            current = (h, [])
            chunk.append(current)
        if "person" in parsed:
            # A household's later rows can follow other households: find its chunk entry.
            target = current if current[0].number == parsed["number"] else None
            if target is None:
                target = next((c for c in chunk if c[0].number == parsed["number"]), None)
            if target is not None:
                target[1].append(parsed["person"])
            else:
                Person.objects.create(household_id=ids[parsed["number"]], **parsed["person"])
                result.people += 1
    flush()
    progress.written(result.rows)


# Export ------------------------------------------------------------------------------------------

EXPORT_BATCH = 2000


def export_rows(user):
    """The rows a user may take away: de-identified above the community."""
    scope = user.scope
    full = scope.sees_all or scope.level in people.PEOPLE_LEVELS
    head = ["户编号" if full else "序号", "网格", "小区/地址", "楼栋"]
    head += ["单元", "门牌"] if full else []
    head += ["颜色", "定色原因" if full else "", "最近有效走访", "下次应访", "成员数", "关爱标签"]
    if full:
        head += ["姓名", "与户主关系", "出生年份", "手机号", "身份证号后4位"]
    yield [h for h in head if h]
    relations = {v: k for k, v in RELATIONS.items()}
    tag_names = {str(v): k for k, v in TAGS.items() if k != "低保" and k != "特困"}
    qs = (
        Household.objects.for_user(user)
        .select_related("grid", "compound", "building")
        .order_by("id")
    )
    last_id, serial = 0, 0
    while True:
        batch = list(qs.filter(id__gt=last_id)[:EXPORT_BATCH])
        if not batch:
            break
        last_id = batch[-1].pk
        folks = {}
        for p in Person.objects.filter(household__in=batch).order_by("id"):
            folks.setdefault(p.household_id, []).append(p)
        for h in batch:
            serial += 1
            members = folks.get(h.pk, [])
            tags = sorted({tag_names.get(t, t) for p in members for t in p.care_tags})
            base = [
                h.number if full else serial,
                h.grid.name,
                h.compound.name if h.compound_id else ("" if not full else h.address),
                h.building.name if h.building_id else "",
            ]
            base += [h.unit, h.door] if full else []
            base += [COLOUR_NAMES.get(h.colour, h.colour)]
            base += [h.colour_reason] if full else []
            base += [h.last_qualifying_visit_on, h.next_due_on, len(members), "、".join(tags)]
            if not full:
                yield base
                continue
            for p in members or [None]:
                yield base + (
                    [
                        p.name,
                        relations.get(p.relation, p.relation),
                        p.birth_year,
                        p.phone,
                        p.id_last4,
                    ]
                    if p
                    else ["", "", "", "", ""]
                )


def export_workbook(user):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("住户")
    for row in export_rows(user):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bench(community, n_rows, log):
    """bench/gridwork.py: write an n-row file for `community`, import it, report rows/s and the
    peak memory of this process."""
    import resource
    import tempfile
    import time

    from portal.models import User

    grid = Grid.objects.filter(community=community).order_by("id").first()
    compound = Compound.objects.filter(community=community).order_by("id").first()
    building = Building.objects.filter(compound=compound).order_by("id").first()
    by = User.objects.filter(community=community, role="community_staff").first()
    if by is None:
        by = User.objects.create_user(
            username=f"bench-c{community.pk}",
            role="community_staff",
            district_id=community.district_id,
            street_id=community.street_id,
            community=community,
        )
    rows = (
        [
            # Two residents a household: its rows agree on the dwelling and the colour.
            f"IMP{i // 2:07d}",
            grid.code,
            compound.name,
            building.name,
            str(i // 2 % 4 + 1),
            str(i // 2 % 30 + 101),
            "",
            "红" if i // 2 % 5 == 0 else "蓝",
            "独居" if i // 2 % 5 == 0 else "",
            f"住户{i}",
            "户主" if i % 2 == 0 else "配偶",
            1950 + i % 60,
            f"139{i:08d}",
            "",
            "独居老人" if i % 10 == 0 else "",
        ]
        for i in range(n_rows)
    )
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        _write_shared_strings_xlsx(tmp.name, [t for _, t in COLUMNS], rows, n_rows)
        # Through the task path: the upload stored as a job, the worker's task body run here
        # (dry run, then "import for real" from the stored file), progress on the job row.
        from django.core.files import File

        from gridwork import import_jobs

        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with open(tmp.name, "rb") as f:
            dry = import_jobs.import_job_start(
                by=by,
                community=community,
                upload=File(f, name="bench.xlsx"),
                dry_run=True,
                enqueue=False,
            )
        t = time.perf_counter()
        import_jobs.import_job_run(dry.pk)
        dry_s = time.perf_counter() - t
        dry.refresh_from_db()
        real = import_jobs.import_job_confirm(by=by, job=dry)
        t = time.perf_counter()
        import_jobs.import_job_run(real.pk)
        real_s = time.perf_counter() - t
        real.refresh_from_db()
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        real.file.delete(save=False)
    return {
        "rows": n_rows,
        "state": real.state,
        "errors": len(real.errors),
        "households_created": real.result.get("created"),
        "people": real.result.get("people"),
        "dry_run_rows_per_s": round(n_rows / dry_s),
        "import_rows_per_s": round(n_rows / real_s),
        "import_seconds": round(real_s, 1),
        "peak_rss_mb": round(rss1 / 1024, 1),
        "peak_rss_growth_mb": round((rss1 - rss0) / 1024, 1),
        "dry_run_errors": len(dry.errors),
    }


def _write_shared_strings_xlsx(path, head, rows, size=None):
    """A minimal workbook the way Excel and WPS save one (text in the shared-strings table),
    written streaming; openpyxl's write-only mode writes inline strings instead, which its
    reader parses several times slower than any file a community would upload."""
    import zipfile
    from xml.sax.saxutils import escape

    strings, index = [], {}

    def sid(text):
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return index[text]

    def col(n):
        name = ""
        while n >= 0:
            name = chr(65 + n % 26) + name
            n = n // 26 - 1
        return name

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main">'
            )
            if size is not None:  # as Excel writes it: the job knows its size from the start
                f.write(f'<dimension ref="A1:{col(len(head) - 1)}{size + 1}"/>'.encode())
            f.write(b"<sheetData>")
            for r, values in enumerate(_chain(head, rows), start=1):
                cells = []
                for c, v in enumerate(values):
                    ref = f"{col(c)}{r}"
                    if isinstance(v, int):
                        cells.append(f'<c r="{ref}"><v>{v}</v></c>')
                    elif v != "":
                        cells.append(f'<c r="{ref}" t="s"><v>{sid(v)}</v></c>')
                f.write(f'<row r="{r}">{"".join(cells)}</row>'.encode())
            f.write(b"</sheetData></worksheet>")
        sst = "".join(f"<si><t>{escape(t)}</t></si>" for t in strings)
        z.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">'
            f"{sst}</sst>",
        )
        main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
        ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship '
            f'Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="住户" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )


def _chain(head, rows):
    yield head
    yield from rows
