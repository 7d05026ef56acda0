"""The fixed catalogues: facilities (Wuhan's "七个一" first, then what other cities add) and
services. Loaded by a data migration; staff may rename or reorder, not the codes."""

FACILITIES = [
    # (code, name, icon, one of the "七个一")
    ("indoor", "室内歇脚", "🏠", True),
    ("seats", "桌椅", "🪑", True),
    ("microwave", "微波炉", "🍱", True),
    ("water", "饮水机", "🚰", True),
    ("aircon", "冷暖空调", "❄️", True),
    ("fridge", "冰箱", "🧊", True),
    ("firstaid", "急救药箱", "⛑️", True),
    ("charging", "手机/电动车充电", "🔌", False),
    ("toilet", "卫生间", "🚻", False),
    ("wifi", "无线网络", "📶", False),
    ("lockers", "储物柜", "🔐", False),
    ("umbrellas", "爱心雨伞", "☂️", False),
    ("repair", "维修工具", "🔧", False),
]

SERVICES = [
    ("training", "技能培训"),
    ("jobs", "就业推荐"),
    ("legal", "法律咨询"),
    ("health", "健康咨询"),
]
