"""A claimer fulfils a micro-wish with a note and an optional photo: the photo is checked and
redrawn without EXIF, staff of the wish's area see it to confirm, and the public wish list shows
it only once confirmed, without who fulfilled it."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from points import services
from points.member_part import erase
from points.models import WishClaim
from portal.models import User
from tests.factories import make_staff
from tests.points.conftest import make_member
from tests.points.test_wishes import published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def phone_photo(name="IMG_0001.jpg"):
    """A JPEG as a phone writes it: with the maker and where it was taken in its EXIF."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (39.0, 54.0, 27.0)  # GPS latitude
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(buf, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def claim(community, community_staff):
    wish = published(community, community_staff)
    helper = make_member("13900000077", "王志愿", community)
    return services.wish_claim(wish=wish, member=helper)


def fulfil(client, claim, **data):
    client.force_login(claim.member.user)
    return client.post(f"/volunteers/wishes/claims/{claim.pk}/fulfil/", data)


def test_a_fulfilment_photo_is_kept_without_its_exif_and_shown_to_staff_to_confirm(
    client, claim, community_staff
):
    response = fulfil(client, claim, note="收音机已送到", photo=phone_photo())
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == WishClaim.Status.FULFILLED and claim.photo
    assert "IMG_0001" not in claim.photo.name  # a random name, never the phone's
    with Image.open(claim.photo.path) as saved:
        assert not saved.getexif()
    client.force_login(community_staff)
    page = client.get("/staff/points/wishes/").content.decode()
    assert f"/staff/points/claims/{claim.pk}/photo/" in page
    photo = client.get(f"/staff/points/claims/{claim.pk}/photo/")
    assert photo.status_code == 200 and photo["Cache-Control"].startswith("private")


def test_staff_of_another_community_do_not_get_the_photo(client, claim, two_streets):
    fulfil(client, claim, note="已送到", photo=phone_photo())
    other = make_staff(User.Role.COMMUNITY_STAFF, two_streets["communities"][2], "c-b1-photo")
    client.force_login(other)
    assert client.get(f"/staff/points/claims/{claim.pk}/photo/").status_code == 404


def test_the_public_sees_the_photo_only_once_confirmed_and_not_who_fulfilled_it(
    client, claim, community_staff
):
    fulfil(client, claim, note="已送到", photo=phone_photo())
    client.logout()
    url = f"/volunteers/wishes/{claim.wish_id}/photos/{claim.pk}/"
    assert url not in client.get("/volunteers/wishes/").content.decode()
    assert client.get(url).status_code == 404
    services.wish_claim_confirm(claim=claim, by=community_staff)
    page = client.get("/volunteers/wishes/").content.decode()
    assert url in page
    assert "王志愿" not in page and "13900000077" not in page and "张秀英" not in page
    assert client.get(url).status_code == 200


def test_a_file_that_is_not_a_photo_is_refused_with_the_reason_and_nothing_changes(client, claim):
    fake = SimpleUploadedFile("radio.jpg", b"not really a jpeg", content_type="image/jpeg")
    response = fulfil(client, claim, note="已送到", photo=fake)
    assert response.status_code == 400
    assert "不是有效的图片" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == WishClaim.Status.ACTIVE and not claim.photo


def test_a_photo_is_optional_but_the_note_is_not(client, claim):
    response = fulfil(client, claim, note="")
    assert response.status_code == 400
    assert fulfil(client, claim, note="已送到").status_code == 302
    claim.refresh_from_db()
    assert claim.status == WishClaim.Status.FULFILLED and not claim.photo


def test_deleting_the_claimers_account_erases_the_photo(
    client, claim, django_capture_on_commit_callbacks
):
    fulfil(client, claim, note="已送到", photo=phone_photo())
    claim.refresh_from_db()
    path = claim.photo.path
    with django_capture_on_commit_callbacks(execute=True):
        erase(claim.member)
    claim.refresh_from_db()
    assert not claim.photo
    assert not os.path.exists(path)
