"""Demo members with fixed numbers: sign in at /accounts/login/, the code is in the log."""

from django.db import transaction

from members import services
from members.models import CONSENT_VERSION, Consent, Member

# (phone, display name, birth year, community code, registered by that community's staff)
MEMBERS = [
    ("13800000001", "张秀英", 1948, "00101", True),  # elderly, registered on paper (代办)
    ("13800000002", "李师傅", 1990, "00101", False),  # a courier
    ("13800000003", "王晓", 1996, "00102", False),  # a volunteer
]


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def seed_residents(communities):
    """One member who signed up online in each community, so the staff lists have rows."""
    phones = {c.code: f"1390010{i:04d}" for i, c in enumerate(communities, start=1)}
    taken = set(Member.objects.filter(phone__in=phones.values()).values_list("phone", flat=True))
    added = 0
    for i, community in enumerate(communities):
        phone = phones[community.code]
        if phone in taken:
            continue
        with transaction.atomic():
            member = services._member_create(
                phone=phone,
                display_name=f"{SURNAMES[i % len(SURNAMES)]}{'先生' if i % 2 else '女士'}",
                home_community=community,
                birth_year=1950 + (i * 7) % 50,
            )
            Consent.objects.create(
                member=member,
                document=Consent.Document.TERMS,
                version=CONSENT_VERSION,
                channel=Consent.Channel.ONLINE,
            )
        added += 1
    return added


def seed(stdout):
    from portal.models import Community, User

    communities = {c.code: c for c in Community.objects.filter(code__in=[m[3] for m in MEMBERS])}
    if len(communities) < len({m[3] for m in MEMBERS}):
        return  # not the demo district (a test database with its own hierarchy)
    added = 0
    for phone, name, year, code, by_proxy in MEMBERS:
        if Member.objects.filter(phone=phone).exists():
            continue
        community = communities[code]
        with transaction.atomic():
            if by_proxy:
                staff = User.objects.get(username=f"c{code}")
                services.member_register_by_proxy(
                    by=staff,
                    phone=phone,
                    display_name=name,
                    home_community=community,
                    paper_ref=f"DB-{code}-0001",
                    birth_year=year,
                )
            else:
                member = services._member_create(
                    phone=phone, display_name=name, home_community=community, birth_year=year
                )
                Consent.objects.create(
                    member=member,
                    document=Consent.Document.TERMS,
                    version=CONSENT_VERSION,
                    channel=Consent.Channel.ONLINE,
                )
        added += 1
    added += seed_residents(Community.objects.order_by("code"))
    stdout.write(f"Demo members: {added} added, {Member.objects.count()} in all")
    stdout.write(
        "Demo member logins (open /accounts/login/, type the number; the 6-digit code is printed "
        "in the server's log as 'notify <number>: ...'):"
    )
    for phone, name, _year, _code, by_proxy in MEMBERS:
        note = "registered by staff on paper" if by_proxy else "signed up online"
        stdout.write(f"  {phone}  {name} ({note})")
