"""Sign-in codes and member codes, as the rules in members/services.py state them."""

from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from members import services
from members.models import CONSENT_VERSION, Consent, Member, MemberCode, SignInCode
from members.services import CodeRejected, TooManyRequests
from tests.members.conftest import last_code

PHONE = "13812340000"


def request_code(sms, phone=PHONE, ip=""):
    services.signin_code_request(phone=phone, ip=ip)
    return last_code(sms, phone)


def age_codes(phone, seconds):
    """As if `seconds` had passed since the codes of `phone` were sent."""
    for row in SignInCode.objects.filter(phone=phone):
        row.created_at -= timedelta(seconds=seconds)
        row.expires_at -= timedelta(seconds=seconds)
        row.save()


def test_a_new_number_becomes_a_member_with_its_consent_recorded(db, sms):
    code = request_code(sms)
    member = services.signin_code_confirm(phone=PHONE, code=code, agreed=True)
    assert member.phone == PHONE and member.display_name == "用户0000"
    assert not member.user.is_staff and not member.user.has_usable_password()
    consent = Consent.objects.get(member=member)
    assert (consent.version, consent.channel) == (CONSENT_VERSION, Consent.Channel.ONLINE)
    assert consent.given_at is not None


def test_a_known_number_signs_in_to_the_same_member(db, sms):
    first = services.signin_code_confirm(phone=PHONE, code=request_code(sms), agreed=True)
    age_codes(PHONE, 61)
    again = services.signin_code_confirm(phone=PHONE, code=request_code(sms), agreed=True)
    assert again.pk == first.pk
    assert Member.objects.count() == 1 and Consent.objects.count() == 1


def test_the_code_is_stored_only_as_a_keyed_hash(db, sms):
    code = request_code(sms)
    row = SignInCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at - row.created_at == timedelta(minutes=5)


def test_a_code_expires_after_five_minutes(db, sms):
    code = request_code(sms)
    age_codes(PHONE, 5 * 60 + 1)
    with pytest.raises(CodeRejected, match="已失效"):
        services.signin_code_confirm(phone=PHONE, code=code, agreed=True)
    assert not Member.objects.exists()


def test_a_code_works_once(db, sms):
    code = request_code(sms)
    services.signin_code_confirm(phone=PHONE, code=code, agreed=True)
    with pytest.raises(CodeRejected, match="已失效"):
        services.signin_code_confirm(phone=PHONE, code=code, agreed=True)


def test_five_wrong_tries_lock_the_code_even_for_the_right_one(db, sms):
    code = request_code(sms)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    messages = []
    for _ in range(5):
        with pytest.raises(CodeRejected) as exc:
            services.signin_code_confirm(phone=PHONE, code=wrong, agreed=True)
        messages.append(exc.value.messages[0])
    assert "还可以再试 4 次" in messages[0]
    assert "错误次数过多" in messages[-1]
    with pytest.raises(CodeRejected):
        services.signin_code_confirm(phone=PHONE, code=code, agreed=True)
    assert not Member.objects.exists()


def test_a_new_code_waits_a_minute_after_the_last(db, sms):
    request_code(sms)
    with pytest.raises(TooManyRequests) as exc:
        services.signin_code_request(phone=PHONE)
    assert 0 < exc.value.wait <= 60 and "秒后" in exc.value.message
    age_codes(PHONE, 61)
    services.signin_code_request(phone=PHONE)
    assert len(sms) == 2


def test_a_newer_code_replaces_the_older_one(db, sms):
    old = request_code(sms)
    age_codes(PHONE, 61)
    new = request_code(sms)
    if old != new:
        with pytest.raises(CodeRejected):
            services.signin_code_confirm(phone=PHONE, code=old, agreed=True)
    assert services.signin_code_confirm(phone=PHONE, code=new, agreed=True)


def test_a_phone_gets_five_codes_an_hour(db, sms):
    for _ in range(5):
        request_code(sms)
        age_codes(PHONE, 61)
    with pytest.raises(TooManyRequests, match="过多"):
        services.signin_code_request(phone=PHONE)
    age_codes(PHONE, 3600)
    request_code(sms)  # an hour on, the number may ask again


def test_a_network_gets_a_limited_number_of_codes(db, sms, settings):
    settings.MEMBER_CODE_RATE_PER_IP = "3/h"
    for i in range(3):
        services.signin_code_request(phone=f"1381234000{i}", ip="10.0.0.9")
    with pytest.raises(TooManyRequests):
        services.signin_code_request(phone="13812340009", ip="10.0.0.9")
    services.signin_code_request(phone="13812340009", ip="10.0.0.10")  # another network


@pytest.mark.parametrize(
    "raw", ["12345", "23812345678", "+1 650 555 0100", "1381234567x", "", "138123456789"]
)
def test_numbers_that_are_not_mainland_mobiles_are_refused(db, sms, raw):
    with pytest.raises(ValidationError) as exc:
        services.signin_code_request(phone=raw)
    assert "11位" in exc.value.message_dict["phone"][0]
    assert sms == []


def test_typed_formats_of_one_number_are_the_same_number(db, sms):
    services.signin_code_request(phone="+86 138-1234-0000")
    assert sms[0][0] == PHONE


def test_a_new_number_without_consent_is_not_registered(db, sms):
    code = request_code(sms)
    with pytest.raises(ValidationError) as exc:
        services.signin_code_confirm(phone=PHONE, code=code, agreed=False)
    assert "agree" in exc.value.message_dict
    assert not Member.objects.exists()


# Member codes -----------------------------------------------------------------------------------


def test_a_member_code_resolves_once_to_a_masked_name(member, staff):
    member.display_name = "赵大伯"
    member.save()
    row, payload = services.member_code_issue(member=member)
    found = services.member_code_resolve(code=payload, by=staff["grid"], purpose="canteen")
    assert found.member == member and found.masked_name == "赵**"
    assert member.phone not in repr(found)
    with pytest.raises(ValidationError, match="已使用或已过期"):  # a replay
        services.member_code_resolve(code=payload, by=staff["grid"])
    with pytest.raises(ValidationError):  # the digits of the same code: used too
        services.member_code_resolve(code=row.digits, by=staff["grid"])


def test_the_typed_digits_work_like_the_qr(member, staff):
    row, _ = services.member_code_issue(member=member)
    assert services.member_code_resolve(code=row.digits, by=staff["community"]).member == member


def test_a_member_code_stops_working_after_a_minute(member, staff, monkeypatch):
    row, payload = services.member_code_issue(member=member)
    later = signing.time.time() + 61
    monkeypatch.setattr(signing.time, "time", lambda: later)
    with pytest.raises(ValidationError, match="过期"):
        services.member_code_resolve(code=payload, by=staff["grid"])
    MemberCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="过期"):
        services.member_code_resolve(code=row.digits, by=staff["grid"])


def test_a_forged_qr_is_refused(member, staff):
    row, payload = services.member_code_issue(member=member)
    forged = payload.replace(row.digits, f"{(int(row.digits) + 1) % 10**8:08d}")
    with pytest.raises(ValidationError, match="不是会员码"):
        services.member_code_resolve(code=forged, by=staff["grid"])


def test_only_staff_resolve_member_codes(member):
    row, payload = services.member_code_issue(member=member)
    with pytest.raises(PermissionDenied):
        services.member_code_resolve(code=payload, by=member.user)


def test_apps_add_eligibility_to_the_resolved_member(member, staff, monkeypatch):
    from members import registry

    part = registry.MemberPart(
        key="test-part", title="t", eligibility=lambda m: {"test_flag": m.pk == member.pk}
    )
    monkeypatch.setattr(registry, "PARTS", [*registry.PARTS, part])
    _, payload = services.member_code_issue(member=member)
    found = services.member_code_resolve(code=payload, by=staff["grid"])
    assert found.eligibility["test_flag"] is True


# Proxy registration (代办) ------------------------------------------------------------------------


def test_staff_register_a_member_on_paper_in_their_area(staff, two_streets):
    community = two_streets["communities"][0]
    member = services.member_register_by_proxy(
        by=staff["community"],
        phone="13700001111",
        display_name="孙奶奶",
        home_community=community,
        paper_ref="DB-2026-0007",
        birth_year=1941,
    )
    consent = member.consents.get()
    assert (consent.channel, consent.paper_ref, consent.recorded_by) == (
        Consent.Channel.PAPER,
        "DB-2026-0007",
        staff["community"],
    )
    assert member.registered_by == staff["community"]
    assert Member.objects.for_user(staff["community"]).filter(pk=member.pk).exists()


def test_staff_cannot_register_someone_in_another_area(staff, two_streets):
    with pytest.raises(PermissionDenied):
        services.member_register_by_proxy(
            by=staff["community"],
            phone="13700001111",
            display_name="孙奶奶",
            home_community=two_streets["communities"][2],
            paper_ref="DB-1",
        )


def test_proxy_registration_needs_the_paper_form_number(staff, two_streets):
    with pytest.raises(ValidationError) as exc:
        services.member_register_by_proxy(
            by=staff["community"],
            phone="13700001111",
            display_name="孙奶奶",
            home_community=two_streets["communities"][0],
            paper_ref=" ",
        )
    assert "paper_ref" in exc.value.message_dict


# Scope --------------------------------------------------------------------------------------------


def test_staff_see_members_who_live_or_were_served_in_their_area(staff, two_streets, member):
    a1, a2, b1 = (two_streets["communities"][i] for i in (0, 1, 2))
    services.member_update_profile(member=member, display_name="甲", home_community=b1)
    seen = {k: Member.objects.for_user(u).filter(pk=member.pk).exists() for k, u in staff.items()}
    assert seen == {"district": True, "street": False, "community": False, "grid": False}
    services.member_mark_served(
        member=member, community_id=a1.pk, street_id=a1.street_id, district_id=a1.district_id
    )
    assert Member.objects.for_user(staff["community"]).filter(pk=member.pk).exists()
    assert Member.objects.for_user(staff["street"]).filter(pk=member.pk).exists()
    assert a2  # a community of street A that never served them


def test_production_warns_when_sign_in_codes_would_go_to_the_log(settings):
    from members.checks import sign_in_codes_need_a_real_sms_backend

    settings.NOTIFY_BACKEND = "portal.notify.LogBackend"
    assert [w.id for w in sign_in_codes_need_a_real_sms_backend(None)] == ["members.W001"]
    settings.NOTIFY_BACKEND = "portal.notify.SmsGatewayBackend"
    assert sign_in_codes_need_a_real_sms_backend(None) == []
