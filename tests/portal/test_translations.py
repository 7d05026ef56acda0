"""The UI is Chinese first: no message may fall back to its English source in the catalogue."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries():
    """(flags, msgid, msgstr) of each live entry; obsolete (#~) ones are skipped."""
    for block in CATALOGUE.read_text(encoding="utf-8").split("\n\n")[1:]:
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        text = "\n".join(line for line in lines if not line.startswith("#"))
        parts = re.split(r"^msgstr(?:\[0\])? ", text, maxsplit=1, flags=re.M)
        if len(parts) == 2:
            yield flags, _joined(parts[0]), _joined(parts[1].split("\nmsgstr[")[0])


def _joined(part):
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', part))


def test_every_message_has_a_chinese_translation():
    untranslated = [mid for _, mid, mstr in entries() if mid and not mstr]
    fuzzy = [mid for flags, mid, _ in entries() if "fuzzy" in flags]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy  # fuzzy entries are not compiled: the page would show English


def test_compiled_catalogue_is_in_use():
    with translation.override("zh-hans"):
        assert translation.gettext("Canteens") == "小哥食堂"
        assert translation.gettext("extra questions") == "补充问题"
