"""Boundaries: GeoJSON import (all or nothing, clear errors), export, warnings, the admin upload."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.utils import translation

from portal.boundaries import BoundaryImportError, boundaries_export, boundaries_import
from portal.models import Community, Grid, User
from tests.boundary_map import build_mapped, collection, feature, rect
from tests.factories import make_staff


@pytest.fixture
def mapped(roles):
    return build_mapped()


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English (their msgids); one test reads the Chinese."""
    with translation.override("en"):
        yield


def saved_boundaries():
    return sorted(
        (type(n).__name__, n.code, json.dumps(n.boundary))
        for model in (Community, Grid)
        for n in model.objects.all()
    )


def refused(m, data):
    before = saved_boundaries()
    with pytest.raises(BoundaryImportError) as exc, TestCase.captureOnCommitCallbacks(execute=True):
        boundaries_import(data=data, user=None, district=m["district"])
    assert saved_boundaries() == before, "nothing is half-imported"
    return " ".join(exc.value.messages)


def test_an_import_sets_each_named_boundary_and_its_box(mapped):
    a1 = Grid.objects.get(code="A1")
    assert a1.boundary["type"] == "Polygon"
    assert a1.bbox == [114.295, 30.597, 114.3, 30.605]
    assert (mapped["result"].communities, mapped["result"].grids) == (2, 5)
    # B's grids cover only its northern half (on purpose): reported, but imported.
    assert mapped["result"].warnings == [
        "The grids of community B leave 50% of it uncovered (a gap)."
    ]


def test_broken_json_is_refused_with_its_line_and_nothing_saved(mapped):
    message = refused(mapped, '{"type": "FeatureCollection", "features": [')
    assert "JSON" in message and "line 1" in message


def test_json_that_is_not_a_feature_collection_is_refused(mapped):
    assert "FeatureCollection" in refused(mapped, '{"type": "Point", "coordinates": [1, 2]}')


def test_swapped_latitude_and_longitude_are_named_as_such(mapped):
    swapped = {
        "type": "Polygon",
        "coordinates": [
            [[y, x] for x, y in rect(30.597, 114.295, 30.605, 114.300)["coordinates"][0]]
        ],
    }
    message = refused(mapped, collection(feature(swapped, grid="A1")))
    assert "Feature 1 (grid A1)" in message and "wrong order" in message


def test_projected_coordinates_are_named_as_not_wgs84(mapped):
    metres = rect(3385000, 540000, 3386000, 541000)
    message = refused(mapped, collection(feature(metres, grid="A1")))
    assert "WGS-84" in message and "projection" in message


def test_a_self_intersecting_ring_is_refused_and_the_good_rows_are_not_saved(mapped):
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [
                [114.295, 30.597],
                [114.3, 30.605],
                [114.3, 30.597],
                [114.295, 30.605],
                [114.295, 30.597],
            ]
        ],
    }
    good = feature(rect(30.597, 114.296, 30.605, 114.300), grid="A1")
    message = refused(mapped, collection(good, feature(bowtie, grid="A2")))
    assert "Feature 2 (grid A2)" in message and "Self-intersection" in message
    assert Grid.objects.get(code="A1").bbox[0] == 114.295  # the good row was not saved either


def test_every_bad_row_is_listed_at_once(mapped):
    message = refused(
        mapped,
        collection(
            feature(rect(30.597, 114.295, 30.605, 114.300), grid="NOPE"),
            feature(None, grid="A2"),
            feature(rect(30.597, 114.295, 30.605, 114.300), name="no code"),
        ),
    )
    assert "Feature 1 (grid NOPE)" in message and "Feature 2 (grid A2)" in message
    assert "Feature 3" in message


def test_errors_read_in_chinese_by_default(mapped):
    with translation.override("zh-hans"):
        message = refused(mapped, "not json")
        swapped = {
            "type": "Polygon",
            "coordinates": [
                [[30.597, 114.295], [30.597, 114.3], [30.605, 114.3], [30.597, 114.295]]
            ],
        }
        order = refused(mapped, collection(feature(swapped, grid="A1")))
    assert message == "文件不是有效的 JSON（第 1 行第 1 列）：请导出为 GeoJSON。"
    assert order.startswith("第 1 个要素（网格 A1）：") and "经纬度顺序可能写反了" in order


def test_overlapping_siblings_and_a_gap_are_warnings_not_errors(mapped):
    result = boundaries_import(
        data=collection(
            feature(rect(30.597, 114.295, 30.605, 114.302), grid="A1"),  # over A2 by 2/5
            feature(rect(30.597, 114.301, 30.603, 114.305), grid="A2"),  # leaves a gap
        ),
        user=None,
        district=mapped["district"],
    )
    text = " ".join(result.warnings)
    assert "A1 and A2 overlap" in text and "uncovered" in text
    assert Grid.objects.get(code="A1").bbox[2] == 114.302


def test_export_then_import_gives_back_the_same_boundaries(mapped):
    exported = boundaries_export(user=None, district=mapped["district"])
    assert len(exported["features"]) == 7
    before = saved_boundaries()
    Grid.objects.update(boundary=None)
    Community.objects.update(boundary=None)
    boundaries_import(data=json.dumps(exported), user=None, district=mapped["district"])
    assert saved_boundaries() == before


def test_the_commands_import_and_export_a_file(mapped, tmp_path, capsys):
    path = tmp_path / "out.geojson"
    call_command("export_boundaries", "-o", str(path))
    assert json.loads(path.read_text())["features"]
    call_command("import_boundaries", str(path))
    bad = tmp_path / "bad.geojson"
    bad.write_text("{oops")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_boundaries", str(bad))


def test_staff_import_only_inside_their_area(mapped):
    community_staff = make_staff(User.Role.COMMUNITY_STAFF, mapped["a"], "c-a")
    data = collection(feature(rect(30.620, 114.295, 30.625, 114.300), grid="B1"))
    with pytest.raises(BoundaryImportError, match="no such code in your area"):
        boundaries_import(data=data, user=community_staff, district=mapped["district"])
    codes = {
        f["properties"].get("grid")
        for f in boundaries_export(user=community_staff, district=mapped["district"])["features"]
    }
    assert codes == {None, "A1", "A2", "A9"}


def test_the_admin_upload_reports_errors_and_imports_a_good_file(mapped, client, verified_login):
    official = make_staff(User.Role.DISTRICT_OFFICIAL, mapped["district"], "official")
    verified_login(client, official)
    url = "/admin/portal/grid/boundaries/"
    page = client.get(url)
    assert page.status_code == 200
    bad = client.post(url, {"file": _upload("bad.geojson", b"{oops")})
    assert bad.status_code == 200 and "JSON" in bad.content.decode()
    good = collection(feature(rect(30.597, 114.295, 30.605, 114.301), grid="A1"))
    done = client.post(url, {"file": _upload("good.geojson", good.encode())}, follow=True)
    assert done.status_code == 200
    assert Grid.objects.get(code="A1").bbox[2] == 114.301
    exported = client.get(url + "export/")
    assert exported["Content-Type"].startswith("application/geo+json")
    assert len(json.loads(exported.content)["features"]) == 7


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/geo+json")


def test_the_demo_grids_tile_their_community_without_gaps_or_overlaps():
    from shapely import union_all
    from shapely.geometry import shape

    from portal import demo

    for code in ("00101", "00709"):
        community = shape(demo.community_boundary(code))
        kinds = ["inner"] * demo.INNER_GRIDS_PER_COMMUNITY + ["outer"]
        grids = [shape(demo.grid_boundary(code, i, k)) for i, k in enumerate(kinds, start=1)]
        assert all(g.is_valid for g in grids)
        assert union_all(grids).symmetric_difference(community).area < 1e-12
        assert sum(g.area for g in grids) - community.area < 1e-12
        lat, long = demo.centre(code)
        assert community.contains(shape({"type": "Point", "coordinates": [long, lat]}))
