"""The resident pages: file a case (no login), track it by its code, rate the result."""

import io
import math
import re
import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from grievances import services
from grievances.forms import intake_lookup_clear
from grievances.models import Case, CaseEvent, CasePhoto, Category, Level, Rating, Status
from grievances.models.cases import CODE_ALPHABET
from tests.factories import CompoundFactory
from tests.grievances.factories import CategoryFactory

NEW = "/cases/new/"


@pytest.fixture(autouse=True)
def fresh_caches():
    """Rate-limit counters and the per-process lookup must not leak between tests."""
    cache.clear()
    intake_lookup_clear()
    yield
    intake_lookup_clear()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # The staff fixtures hash four passwords: the fast hasher keeps these tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def category(db):
    return CategoryFactory(name="楼道照明")


@pytest.fixture
def community(two_streets):
    return two_streets["communities"][0]


@pytest.fixture
def grid_worker(staff):
    worker = staff["grid"]
    worker.last_name, worker.first_name = "王", "小明"
    worker.save()
    return worker


def image_file(name="photo.jpg", fmt="JPEG", size=(40, 30)):
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def form_data(category, community, /, **overrides):
    data = {
        "category": category.pk,
        "description": "3栋2单元楼道灯坏了一个星期，晚上很黑",
        "street": community.street_id,
        "community": community.pk,
        "compound": "",
        "address": "3栋2单元",
        "lat": "",
        "long": "",
        "reporter_name": "张三",
        "reporter_phone": "13812345678",
        "may_contact": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_form_page_lists_active_categories_in_order_and_places(client, community):
    CategoryFactory(code="b", name="垃圾清运", order=2)
    CategoryFactory(code="a", name="楼道照明", order=1)
    CategoryFactory(code="x", name="已停用分类", is_active=False)
    response = client.get(NEW)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("楼道照明") < html.index("垃圾清运")
    assert "已停用分类" not in html
    assert "我要反映" in html and "同意工作人员与我联系" in html
    # Without JavaScript the communities are grouped by street.
    assert f'<optgroup label="{community.street.name}">' in html
    assert f'data-parent="{community.street_id}"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_valid_submission_saves_the_case_and_shows_its_code(
    client, category, community, grid_worker, django_capture_on_commit_callbacks
):
    compound = CompoundFactory(community=community, grid=grid_worker.grid)
    data = form_data(category, community, compound=compound.pk, lat="30.5912345678", long="114.3")
    data["photos"] = [image_file("a.jpg"), image_file("b.png", "PNG")]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("grievances:case_submitted", args=[case.code])
    assert (case.community, case.street, case.compound) == (community, community.street, compound)
    assert case.reporter_phone == "13812345678" and case.may_contact
    assert str(case.lat) == "30.591235" and case.channel == "web"
    assert CasePhoto.objects.filter(case=case).count() == 2
    assert all(p.image.name.endswith((".jpg", ".png")) for p in case.photos.all())
    # Routing ran on commit (inline Celery): the grid worker has it.
    case.refresh_from_db()
    assert (case.status, case.assignee) == (Status.ASSIGNED, grid_worker)

    page = client.get(response.url)
    assert page.status_code == 200
    assert case.code in page.content.decode() and "请保存查询码" in page.content.decode()


def test_valid_submission_costs_one_insert_and_no_lookup_queries(
    client, category, community, django_assert_num_queries
):
    client.get(NEW)  # the per-process lookup is loaded by the form page (once a minute)
    # SAVEPOINT, INSERT case, RELEASE: nothing else (no category/community lookups, no session).
    with django_assert_num_queries(3) as ctx:
        response = client.post(NEW, form_data(category, community))
    assert response.status_code == 302
    assert sum("INSERT" in q["sql"] for q in ctx.captured_queries) == 1


def test_form_page_needs_no_query_once_the_lookup_is_loaded(
    client, category, community, django_assert_num_queries
):
    client.get(NEW)
    with django_assert_num_queries(0):
        assert client.get(NEW).status_code == 200


def test_without_javascript_the_street_may_be_left_empty(client, category, community):
    response = client.post(NEW, form_data(category, community, street=""))
    assert response.status_code == 302
    assert Case.objects.get().street == community.street


def test_new_categories_show_once_the_lookup_is_re_read(client, category, monkeypatch):
    from grievances import forms

    client.get(NEW)
    CategoryFactory(name="新增分类")
    assert "新增分类" not in client.get(NEW).content.decode()  # within the minute: cached
    monkeypatch.setattr(forms, "LOOKUP_TTL", 0)
    assert "新增分类" in client.get(NEW).content.decode()


def test_phone_with_spaces_and_country_code_is_normalised(client, category, community):
    client.post(NEW, form_data(category, community, reporter_phone="+86 138 1234 5678"))
    assert Case.objects.get().reporter_phone == "13812345678"


def test_no_phone_means_no_contact_and_no_consent_needed(client, category, community):
    response = client.post(
        NEW, form_data(category, community, reporter_phone="", reporter_name="", may_contact=None)
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.reporter_phone, case.may_contact) == ("", False)


def assert_rejected(response, field, message):
    assert response.status_code == 400
    assert not Case.objects.exists() and not CasePhoto.objects.exists()
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"description": ""}, "description", "必填"),
        ({"description": "   \n  "}, "description", ""),
        ({"description": "长" * 2001}, "description", "2000"),
        ({"reporter_phone": "12345678901"}, "reporter_phone", "11位手机号码"),
        ({"reporter_phone": "1381234567"}, "reporter_phone", "11位手机号码"),
        ({"community": "999999"}, "community", "有效的选项"),
        ({"community": "abc"}, "community", ""),
        ({"category": "999999"}, "category", "有效的选项"),
        ({"may_contact": None}, "may_contact", "勾选同意"),
        ({"lat": "95", "long": "114"}, "lat", ""),
    ],
)
def test_bad_input_gives_a_field_error_and_saves_nothing(
    client, category, community, overrides, field, message
):
    response = client.post(NEW, form_data(category, community, **overrides))
    assert_rejected(response, field, message)


def test_community_of_another_street_is_refused(client, category, two_streets):
    other = two_streets["communities"][2]
    data = form_data(category, two_streets["communities"][0], community=other.pk)
    assert_rejected(client.post(NEW, data), "community", "所选街道")


def test_compound_of_another_community_is_refused(client, category, two_streets):
    elsewhere = CompoundFactory(community=two_streets["communities"][1])
    data = form_data(category, two_streets["communities"][0], compound=elsewhere.pk)
    assert_rejected(client.post(NEW, data), "compound", "所选社区")


def test_inactive_category_is_refused(client, community):
    stopped = CategoryFactory(is_active=False)
    assert_rejected(client.post(NEW, form_data(stopped, community)), "category", "有效的选项")


def test_ten_megabyte_image_is_refused(client, category, community):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff\xe0" + b"0" * (10 * 1024 * 1024))
    data = form_data(category, community, photos=big)
    assert_rejected(client.post(NEW, data), "photos", "超过 5 MB")


def test_fake_image_bytes_named_jpg_are_refused(client, category, community):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 this is not a picture", "image/jpeg")
    data = form_data(category, community, photos=fake)
    assert_rejected(client.post(NEW, data), "photos", "不是有效的图片")


def test_real_image_of_a_refused_format_is_refused(client, category, community):
    gif = image_file("anim.gif", "GIF")
    data = form_data(category, community, photos=gif)
    assert_rejected(client.post(NEW, data), "photos", "JPEG、PNG 或 WebP")


def test_refused_form_asks_to_choose_photos_again(client, category, community):
    data = form_data(category, community, description="", photos=image_file())
    assert "请重新选择" in client.post(NEW, data).content.decode()


def test_more_than_three_photos_are_refused(client, category, community):
    data = form_data(category, community, photos=[image_file(f"{i}.jpg") for i in range(4)])
    assert_rejected(client.post(NEW, data), "photos", "最多只能上传 3 张")


def test_stored_photos_carry_no_location_and_are_upright(client, category, community):
    """A phone photo's EXIF says where it was taken (often at home): it is never stored."""
    exif = Image.Exif()
    exif[0x0110] = "Resident's Phone"  # model
    exif[0x0112] = 6  # orientation: rotate 90° to view
    exif.get_ifd(0x8825)[2] = (39.0, 54.0, 27.0)  # GPS latitude
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, "JPEG", exif=exif)
    upload = SimpleUploadedFile("IMG_0001.jpg", buf.getvalue(), content_type="image/jpeg")

    assert client.post(NEW, form_data(category, community, photos=upload)).status_code == 302
    stored = Case.objects.get().photos.get().image
    with Image.open(stored.path) as image:
        assert not image.getexif()
        assert "exif" not in image.info
        assert image.size == (30, 40)  # turned upright before the tag was dropped
    assert "IMG_0001" not in stored.name


def test_huge_photos_are_scaled_down(client, category, community):
    data = form_data(category, community, photos=image_file(size=(6000, 3000)))
    assert client.post(NEW, data).status_code == 302
    with Image.open(Case.objects.get().photos.get().image.path) as image:
        assert image.size == (2560, 1280)


def test_webp_photo_is_accepted(client, category, community):
    data = form_data(category, community, photos=image_file("p.webp", "WEBP"))
    assert client.post(NEW, data).status_code == 302
    assert Case.objects.get().photos.get().image.name.endswith(".webp")


def test_script_in_the_text_is_kept_as_text_and_escaped_on_output(client, category, community):
    script = "<script>alert('x')</script>灯坏了"
    # Rejected for another reason: the form comes back with the text escaped, not run.
    response = client.post(NEW, form_data(category, community, description=script, lat="1"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;灯坏了" in html
    # Accepted: stored exactly as typed (plain text), never as markup.
    client.post(NEW, form_data(category, community, description=script))
    assert Case.objects.get().description == script


def test_extra_questions_of_the_chosen_category_are_asked_and_kept(client, community):
    category = CategoryFactory(
        questions=[
            {"code": "floor", "label": "楼层", "datatype": "number", "required": True},
            {
                "code": "kind",
                "label": "灯的类型",
                "datatype": "singlevaluelist",
                "values": [{"key": "sensor", "name": "声控灯"}, {"key": "plain", "name": "普通灯"}],
            },
        ]
    )
    other = CategoryFactory(
        questions=[{"code": "size", "label": "面积", "datatype": "number", "required": True}]
    )
    html = client.get(NEW).content.decode()
    assert "楼层" in html and "声控灯" in html and f'data-category="{category.pk}"' in html

    missing = client.post(NEW, form_data(category, community))
    assert_rejected(missing, f"q{category.pk}_floor", "请回答")

    # The other category's (required, garbage) answer is ignored, not an error.
    data = form_data(category, community)
    data |= {f"q{category.pk}_floor": "3", f"q{category.pk}_kind": "sensor"}
    data[f"q{other.pk}_size"] = "not a number"
    assert client.post(NEW, data).status_code == 302
    assert Case.objects.get().attributes == {"floor": 3, "kind": "sensor"}


def test_rate_limit_per_ip(client, category, community, settings):
    settings.INTAKE_RATE_PER_IP = "2/h"
    for i in range(2):
        data = form_data(category, community, reporter_phone=f"1381234567{i}")
        assert client.post(NEW, data).status_code == 302
    response = client.post(NEW, form_data(category, community, reporter_phone="13900000000"))
    assert response.status_code == 429
    assert "提交次数过多" in response.content.decode()
    assert Case.objects.count() == 2
    # Another network is not affected.
    other = client.post(NEW, form_data(category, community), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_rate_limit_per_phone_across_networks(client, category, community, settings):
    settings.INTAKE_RATE_PER_PHONE = "1/m"
    data = form_data(category, community)
    assert client.post(NEW, data, REMOTE_ADDR="10.0.0.1").status_code == 302
    assert client.post(NEW, data, REMOTE_ADDR="10.0.0.2").status_code == 429
    assert Case.objects.count() == 1


def test_invalid_submissions_do_not_use_up_the_rate_limit(client, category, community, settings):
    settings.INTAKE_RATE_PER_IP = "1/h"
    for _ in range(3):
        client.post(NEW, form_data(category, community, description=""))
    assert client.post(NEW, form_data(category, community)).status_code == 302


def test_behind_a_proxy_the_limit_is_per_resident_not_per_proxy(
    client, category, community, settings
):
    settings.INTAKE_RATE_PER_IP, settings.TRUSTED_PROXIES = "1/h", 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = client.post(
        NEW, form_data(category, community), HTTP_X_FORWARDED_FOR="1.2.3.4", **proxy
    )
    other = client.post(
        NEW, form_data(category, community), HTTP_X_FORWARDED_FOR="5.6.7.8", **proxy
    )
    assert (first.status_code, other.status_code) == (302, 302)
    # A forged left-hand entry does not give the same resident a fresh counter.
    forged = client.post(
        NEW, form_data(category, community), HTTP_X_FORWARDED_FOR="9.9.9.9, 1.2.3.4", **proxy
    )
    assert forged.status_code == 429


def test_submissions_succeed_quickly_when_the_rate_limit_store_is_down(
    client, category, community, settings, monkeypatch
):
    """The broker's Redis also holds the counters: when it is down, residents still file cases
    (unlimited for a while), quickly, rather than get an error page."""
    from portal import ratelimit

    monkeypatch.setattr(ratelimit, "_down_until", 0.0)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
    }
    settings.INTAKE_RATE_PER_IP = "1/h"
    started = time.monotonic()
    codes = [client.post(NEW, form_data(category, community)).status_code for _ in range(5)]
    assert codes == [302] * 5
    assert Case.objects.count() == 5
    assert time.monotonic() - started < 3


def test_parse_rate():
    from portal.ratelimit import parse_rate

    assert parse_rate("20/h") == (20, 3600)
    assert parse_rate("5/m") == (5, 60)


# Tracking -----------------------------------------------------------------------------------------


@pytest.fixture
def routed_case(client, category, community, grid_worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(NEW, form_data(category, community, reporter_name="张三丰"))
    return Case.objects.get()


def test_track_form_finds_a_case_whatever_the_letter_case(client, routed_case):
    typed = f" {routed_case.code.lower()[:5]}-{routed_case.code.lower()[5:]} "
    response = client.get("/cases/track/", {"code": typed})
    assert response.status_code == 302
    assert response.url == f"/cases/{routed_case.code}/"
    assert client.get(f"/cases/{routed_case.code.lower()}/").status_code == 302


def test_track_form_says_when_a_code_is_unknown_or_malformed(client, db):
    unknown = client.get("/cases/track/", {"code": "ABCDEFGHJK"})
    assert unknown.status_code == 404 and "没有找到" in unknown.content.decode()
    malformed = client.get("/cases/track/", {"code": "12"})
    assert malformed.status_code == 400 and "查询码由" in malformed.content.decode()


def test_unknown_code_page_is_a_chinese_404(client, db):
    response = client.get("/cases/ABCDEFGHJK/")
    assert response.status_code == 404
    assert "未找到该诉求" in response.content.decode()
    assert client.get("/cases/ABCDEFGHJK/submitted/").status_code == 404


def test_tracking_page_shows_progress_and_handler_masked_but_no_personal_data(
    client, routed_case, grid_worker, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the case with its places, then its steps
        response = client.get(f"/cases/{routed_case.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert "楼道照明" in html and "已分派，等待受理" in html
    assert f"已分派至 {grid_worker.grid.name}（内网）" in html
    assert "网格员 王**" in html
    for secret in ("张三丰", "13812345678", "5678", "小明", grid_worker.username):
        assert secret not in html


def test_timeline_tells_each_step_in_plain_chinese(client, routed_case, grid_worker, staff):
    services.case_report_up(case=routed_case, by=grid_worker, reason="需要社区协调物业")
    routed_case.refresh_from_db()
    services.case_resolve(case=routed_case, by=staff["community"], note="已协调物业更换灯泡")
    html = client.get(f"/cases/{routed_case.code}/").content.decode()
    community = routed_case.community.name
    assert f"本级无法解决，已上报至 {community}（需要社区协调物业）" in html
    assert "已办结：已协调物业更换灯泡" in html
    assert "已办结，请您评价" in html and 'id="rate-form"' in html


def test_escalation_step_reads_as_automatic(client, routed_case):
    CaseEvent.objects.create(
        case=routed_case,
        kind=CaseEvent.Kind.ESCALATED,
        from_level=Level.GRID,
        to_level=Level.COMMUNITY,
    )
    html = client.get(f"/cases/{routed_case.code}/").content.decode()
    assert f"超时未办结，自动上报至 {routed_case.community.name}" in html


def test_tracking_codes_are_not_guessable(client, category, community):
    codes = set()
    for i in range(5):
        client.post(NEW, form_data(category, community, reporter_phone=f"1390000000{i}"))
    codes = set(Case.objects.values_list("code", flat=True))
    assert len(codes) == 5
    for code in codes:
        assert len(code) == 10 and set(code) <= set(CODE_ALPHABET)
    # 31 symbols (no 0/O, 1/I/L) over 10 places: about 49 bits, 8 × 10^14 codes.
    assert 10 * math.log2(len(CODE_ALPHABET)) > 48
    assert not any(re.fullmatch(r"\d+", c) for c in codes)


# Rating -------------------------------------------------------------------------------------------


@pytest.fixture
def resolved_case(routed_case, grid_worker):
    return services.case_resolve(case=routed_case, by=grid_worker, note="已更换灯泡")


def test_resident_rates_a_resolved_case_once(client, resolved_case):
    url = f"/cases/{resolved_case.code}/rate/"
    response = client.post(url, {"rating": Rating.SATISFIED, "comment": "<b>很快</b>"})
    assert response.status_code == 302
    resolved_case.refresh_from_db()
    assert (resolved_case.status, resolved_case.rating) == (Status.CLOSED, Rating.SATISFIED)
    html = client.get(f"/cases/{resolved_case.code}/").content.decode()
    assert "您的评价" in html and "满意" in html and "&lt;b&gt;很快&lt;/b&gt;" in html
    assert 'id="rate-form"' not in html

    again = client.post(url, {"rating": Rating.UNSATISFIED})
    assert again.status_code == 400 and "目前不能评价" in again.content.decode()
    resolved_case.refresh_from_db()
    assert resolved_case.rating == Rating.SATISFIED


def test_unsatisfied_reopens_once_and_the_page_says_so(client, resolved_case, grid_worker):
    client.post(f"/cases/{resolved_case.code}/rate/", {"rating": Rating.UNSATISFIED})
    resolved_case.refresh_from_db()
    assert resolved_case.reopened and resolved_case.status == Status.ASSIGNED
    html = client.get(f"/cases/{resolved_case.code}/").content.decode()
    assert "案件已重新办理" in html and "根据您的评价已重新办理" in html
    assert 'id="rate-form"' not in html

    services.case_resolve(case=resolved_case, by=grid_worker, note="再次更换，已确认正常")
    html = client.get(f"/cases/{resolved_case.code}/").content.decode()
    assert "本次评价后将归档" in html
    client.post(f"/cases/{resolved_case.code}/rate/", {"rating": Rating.UNSATISFIED})
    resolved_case.refresh_from_db()
    assert resolved_case.status == Status.CLOSED


def test_open_case_cannot_be_rated(client, routed_case):
    response = client.post(f"/cases/{routed_case.code}/rate/", {"rating": Rating.SATISFIED})
    assert response.status_code == 400
    routed_case.refresh_from_db()
    assert routed_case.rating == ""


def test_rating_needs_a_choice(client, resolved_case):
    response = client.post(f"/cases/{resolved_case.code}/rate/", {"rating": "great"})
    assert response.status_code == 400
    assert "rating" in response.context["rating_form"].errors


def test_categories_outside_the_wall_go_to_the_street_without_a_worker_name(
    client, community, django_capture_on_commit_callbacks
):
    street_matter = CategoryFactory(wall=Category.Wall.OUTSIDE)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(NEW, form_data(street_matter, community))
    case = Case.objects.get()
    html = client.get(f"/cases/{case.code}/").content.decode()
    assert f"已分派至 {community.street.name}" in html


def test_the_form_tells_residents_what_others_can_see(client, community, category):
    CategoryFactory(name="道路破损", public_details=True)
    page = client.get(NEW).content.decode()
    assert "他人只能看到您诉求的类别、状态、所在社区和日期" in page
    assert "您的姓名和电话从不公开" in page
    assert "道路破损（描述公开）" in page and "楼道照明（描述公开）" not in page
