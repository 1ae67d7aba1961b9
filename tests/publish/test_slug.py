import re

import pytest

from enews_audio.publish import paper_slug

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
NAMES = [
    "山城晚报",
    "21世纪经济报道",
    "China Daily 中国日报",
    "IT时报",
    "Le Monde·中文版",
    "新华每日电讯（网络版）",
    "★☆",
]


@pytest.mark.parametrize("name", NAMES)
def test_slug_is_ascii_and_url_safe(name):
    slug = paper_slug(name)
    assert SLUG.match(slug), slug
    assert paper_slug(name) == slug


def test_chinese_name_is_its_pinyin():
    assert paper_slug("山城晚报") == "shanchengwanbao"
    assert paper_slug("绿城晚报") == "lvchengwanbao"  # ü has no ASCII letter; pypinyin writes v


def test_latin_letters_and_numbers_are_kept_as_words():
    assert paper_slug("China Daily 中国日报") == "china-daily-zhongguoribao"
    assert paper_slug("IT时报") == "it-shibao"
    assert paper_slug("21世纪经济报道").startswith("21-")


def test_full_width_and_accented_letters_fold_to_ascii():
    assert paper_slug("ＩＴ时报") == paper_slug("IT时报")
    assert paper_slug("Café日报") == "cafe-ribao"


def test_names_without_letters_get_a_stable_distinct_slug():
    assert paper_slug("★☆") != paper_slug("☆★")
    assert paper_slug("★☆").startswith("paper-")


def test_distinct_papers_get_distinct_slugs():
    slugs = [paper_slug(name) for name in NAMES]
    assert len(set(slugs)) == len(slugs)
