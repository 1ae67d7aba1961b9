import datetime as dt

from enews_audio.model import Article, Issue, Page
from enews_audio.text import Finding, TextSettings, format_findings, format_script, to_script

ISSUE = Issue(
    "山城晚报",
    dt.date(2025, 12, 31),
    (Page("A04", "聚焦", (Article(title="加装电梯", paragraphs=("已建成887台。",)),)),),
)


def test_script_shows_pages_and_numbered_utterances():
    shown = format_script(to_script(ISSUE, TextSettings()), spoken=False)
    assert "== A04版 聚焦" in shown
    assert "已建成887台。" in shown
    assert "八百八十七" not in shown
    assert "[body 1]" in shown


def test_spoken_text_is_shown_on_request():
    shown = format_script(to_script(ISSUE, TextSettings()), spoken=True)
    assert "→ 已建成八百八十七台。" in shown


def test_findings_are_grouped_by_word_with_every_place():
    findings = [
        Finding("A02", "新规", 5, "银行", "polyphone", "word reading yin2 hang2"),
        Finding("A02", "新规", 9, "银行", "polyphone", "word reading yin2 hang2"),
        Finding("A03", "科技", 2, "APP", "latin", "spelled"),
    ]
    lines = format_findings(findings).splitlines()
    assert len(lines) == 2
    assert "银行" in lines[0] and "#5" in lines[0] and "#9" in lines[0]
    assert lines[1].startswith("latin")
    assert format_findings([]) == ""
