import pytest

from enews_audio.text.punctuation import repair_punctuation


@pytest.mark.parametrize(
    ("raw", "repaired"),
    [
        ("今年以来,省工作专班全面贯彻部署,创新谋划", "今年以来，省工作专班全面贯彻部署，创新谋划"),
        ("他说:好!", "他说：好！"),
        ("真的吗?", "真的吗？"),
        ("分类制定中心镇(重点村)配置标准", "分类制定中心镇（重点村）配置标准"),
        ("一是推进试点;二是强化供给", "一是推进试点；二是强化供给"),
        ("时间:20:00开始", "时间：20:00开始"),
        ("日期:06-21", "日期：06-21"),
        ('全面落实"132"总体部署', "全面落实“132”总体部署"),
        ("他说:\"今年的目标是'稳中求进'。\"", "他说：“今年的目标是‘稳中求进’。”"),
        ('推行"1+X"证书,"居住证+积分"管理', "推行“1+X”证书，“居住证+积分”管理"),
    ],
)
def test_ascii_marks_in_chinese_become_full_width(raw, repaired):
    assert repair_punctuation(raw) == repaired


@pytest.mark.parametrize(
    "kept",
    [
        "人口1,000人",
        "会议于20:00开始",
        "增长3.5%",
        "见 https://a.b/c?x=1,2",
        "在 Python (3.11) 中",
        'the "smart city" plan',
        "it's Xi'an's turn",
    ],
)
def test_numbers_times_urls_and_latin_are_left_alone(kept):
    assert repair_punctuation(kept) == kept


def test_spaces_are_tidied():
    assert repair_punctuation("  第一段\u00a0\u00a0文字\u3000 ") == "第一段 文字"
