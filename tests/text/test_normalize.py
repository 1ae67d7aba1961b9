import pytest

from enews_audio.text.normalize import normalize


@pytest.mark.parametrize(
    ("display", "spoken"),
    [
        ("完成年度投资1696.8亿元", "完成年度投资一千六百九十六点八亿元"),
        ("完成率59.1%", "完成率百分之五十九点一"),
        ("新培育农创客2万人", "新培育农创客两万人"),
        ("全面贯彻省委“132”总体部署", "全面贯彻省委“一三二”总体部署"),
        ("2025年12月31日", "二零二五年十二月三十一日"),
        ("A04版", "A零四版"),
    ],
)
def test_numbers_are_read_out(display, spoken):
    assert normalize(display) == spoken
