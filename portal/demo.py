"""The demo district: deterministic names, so `seed_demo` can run any number of times."""

DISTRICT = ("420199", "滨江区")

# (code, street name, [community names]); 7 streets, 60 communities (a few are villages 村).
STREETS = [
    (
        "001",
        "江滩街道",
        ["青年路", "沿江", "汉兴", "花桥", "永安", "解放", "新华", "澳门路", "大智"],
    ),
    ("002", "花楼街道", ["交通路", "前进", "民意", "三民", "友谊", "六渡桥", "保成", "兰陵"]),
    ("003", "民族街道", ["民生", "胜利", "水塔", "泰宁", "南京路", "鄱阳", "中山", "利济", "汉正"]),
    (
        "004",
        "新村街道",
        ["西马", "常青", "万松", "唐家墩", "新湾", "菱角湖", "红旗", "建设", "杨汊湖村"],
    ),
    ("005", "后湖街道", ["后湖", "百步亭", "幸福", "育才", "塔子湖", "丹水池", "惠民村", "金桥"]),
    (
        "006",
        "汉兴街道",
        ["常码头", "万达", "贺家墩", "红光", "顺道", "永红", "宝丰", "汉西", "双墩村"],
    ),
    ("007", "北湖街道", ["北湖", "西北湖", "航空路", "华安里", "铭新", "球场", "台北", "下荣村"]),
]
INNER_GRIDS_PER_COMMUNITY = 3
OUTER_GRIDS_PER_COMMUNITY = 1
COMPOUNDS = ["阳光花园", "锦绣小区", "和平里"]
BUILDINGS_PER_COMPOUND = 4

DEPARTMENTS = [
    ("housing", "区住房和城乡建设局"),
    ("civil", "区民政局"),
    ("market", "区市场监督管理局"),
    ("urban", "区城市管理执法局"),
    ("water", "区水务和湖泊局"),
    ("environment", "区生态环境分局"),
    ("police", "区公安分局"),
]

PASSWORD = "demo12345"  # noqa: S105 - printed demo logins, local demo data only

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"]


def person(i):
    """A deterministic Chinese name for demo account number i."""
    return SURNAMES[i % len(SURNAMES)], GIVEN[(i * 7) % len(GIVEN)]


def centre(community_code):
    """A deterministic map point for a demo community, on a grid around 30.60N 114.28E."""
    street, number = int(community_code[:3]), int(community_code[3:])
    return (round(30.55 + street * 0.012, 6), round(114.22 + number * 0.011, 6))


HALF_LAT, HALF_LONG = 0.0045, 0.005  # a community's rectangle around its centre (≈1 km × 1 km)
OUTER_STRIP = 0.002  # the outer grid: the strip along the community's southern road


def _rectangle(south, west, north, east):
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def community_boundary(community_code):
    """The demo community's boundary: a rectangle around its centre (GeoJSON, lon/lat)."""
    lat, long = centre(community_code)
    return _rectangle(lat - HALF_LAT, long - HALF_LONG, lat + HALF_LAT, long + HALF_LONG)


def grid_boundary(community_code, index, kind):
    """Inner grids split the community north of the outer strip into equal slices west to east;
    the outer grid (外网: roads and shop fronts) is the strip along its southern edge."""
    lat, long = centre(community_code)
    south, north = lat - HALF_LAT, lat + HALF_LAT
    if kind == "outer":
        return _rectangle(south, long - HALF_LONG, south + OUTER_STRIP, long + HALF_LONG)
    width = 2 * HALF_LONG / INNER_GRIDS_PER_COMMUNITY
    west = long - HALF_LONG + (index - 1) * width
    return _rectangle(south + OUTER_STRIP, west, north, west + width)


def bbox(geometry):
    xs = [p[0] for p in geometry["coordinates"][0]]
    ys = [p[1] for p in geometry["coordinates"][0]]
    return [min(xs), min(ys), max(xs), max(ys)]
