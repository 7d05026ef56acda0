"""`collectstatic` (run by `docker compose up` and `make serve`) refuses a file that points to a
missing file: no static file may name a source map we do not ship."""

import re
from pathlib import Path

from django.conf import settings

SOURCE_MAP = re.compile(r"[#@]\s*sourceMappingURL=(\S+?)\s*(?:\*/)?$", re.M)


def test_every_source_map_named_in_our_static_files_is_shipped():
    root = Path(settings.BASE_DIR)
    files = [
        path
        for path in root.glob("**/static/**/*")
        if path.suffix in {".js", ".css"}
        and ".venv" not in path.parts
        and "staticfiles" not in path.parts
    ]
    assert files
    missing = [
        f"{path.relative_to(root)} → {name}"
        for path in files
        for name in SOURCE_MAP.findall(path.read_text(errors="replace"))
        if not name.startswith("data:") and not (path.parent / name).exists()
    ]
    assert missing == []
