"""`enews-audio script`: what would be said, page by page, proof-read before any speech."""

from __future__ import annotations

import datetime as dt

from enews_audio.sources import load_issue

from .conftest import SAMPLE, cli, one_line_error, refused

WEEKDAYS = "一二三四五六日"


def _sections(output: str) -> dict[str, str]:
    """``script`` output per page header line ("== A01版 要闻 (16 utterances) =="), keyed by page code."""
    sections: dict[str, str] = {}
    code = None
    for line in output.splitlines():
        if line.startswith("== "):
            code = line.removeprefix("== ").split("版")[0]
            sections[code] = ""
        elif code is not None:
            sections[code] += line + "\n"
    return sections


def _long_date(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def test_script_shows_each_page_opening_announcements_and_headlines():
    issue = load_issue(SAMPLE)
    result = cli("script", SAMPLE)
    assert result.exit_code == 0, result.output
    sections = _sections(result.stdout)
    assert list(sections) == [page.code for page in issue.pages]
    weekday = f"星期{WEEKDAYS[issue.date.weekday()]}"
    assert (_long_date(issue.date), weekday) == ("2025年12月31日", "星期三")  # the sample's own date
    for page in issue.pages:
        shown = sections[page.code]
        opening = shown.splitlines()[0]
        assert issue.paper in opening and _long_date(issue.date) in opening and weekday in opening
        assert f"{page.code}版" in shown
        assert len(page.articles) == 2
        assert "第一篇，共两篇" in shown and "第二篇，共两篇" in shown
        for article in page.articles:
            assert article.title in shown
    assert "→" not in result.stdout  # the spoken form only with --spoken


def test_script_spoken_shows_numbers_and_page_codes_as_read_aloud():
    issue = load_issue(SAMPLE)
    printed = "\n".join(p for page in issue.pages for a in page.articles for p in a.paragraphs)
    assert "128.6亿元" in printed
    result = cli("script", SAMPLE, "--spoken")
    assert result.exit_code == 0, result.output
    spoken = [line.split("→", 1)[1].strip() for line in result.stdout.splitlines() if "→" in line]
    assert any("一百二十八点六亿元" in line for line in spoken)
    assert not any("128.6" in line for line in spoken)
    for page in issue.pages:
        read_code = page.code[0] + "".join("零一二三四五六七八九"[int(d)] for d in page.code[1:])
        assert any(line.startswith(f"{read_code}版") for line in spoken), read_code
    plain = cli("script", SAMPLE)
    assert "一百二十八点六亿元" not in plain.stdout


def test_a_user_script_file_changes_one_template_and_keeps_the_rest(tmp_path):
    mine = tmp_path / "script.toml"
    mine.write_text('[page]\nclosing = "{name}版面到此结束，{paper}明天见。"\n', encoding="utf-8")
    issue = load_issue(SAMPLE)
    default = cli("script", SAMPLE)
    result = cli("script", SAMPLE, "--script", mine)
    assert result.exit_code == 0, result.output
    sections = _sections(result.stdout)
    for page in issue.pages:
        assert f"{page.name}版面到此结束，{issue.paper}明天见。" in sections[page.code]
    assert "播报完毕" in default.stdout and "播报完毕" not in result.stdout
    unchanged = [line for line in default.stdout.splitlines() if "播报完毕" not in line]
    assert unchanged == [line for line in result.stdout.splitlines() if "明天见" not in line]


def test_a_user_lexicon_changes_what_is_said_not_what_is_shown(tmp_path):
    lexicon = tmp_path / "mine.toml"
    lexicon.write_text('[substitutions]\n"江滨路" = "江边路"\n', encoding="utf-8")
    result = cli("script", SAMPLE, "--spoken", "--lexicon", lexicon)
    assert result.exit_code == 0, result.output
    shown = [line for line in result.stdout.splitlines() if "→" not in line]
    spoken = [line for line in result.stdout.splitlines() if "→" in line]
    assert any("江滨路" in line for line in shown)
    assert any("江边路" in line for line in spoken) and not any("江滨路" in line for line in spoken)


def test_a_bad_script_file_is_one_line_naming_it(tmp_path):
    mine = tmp_path / "my-script.toml"
    mine.write_text('[page]\nending = "完"\n', encoding="utf-8")
    one_line_error(cli("script", SAMPLE, "--script", mine), 1, "my-script.toml", "page.ending")


def test_a_date_that_is_not_the_issues_is_refused(tmp_path):
    result = cli("script", SAMPLE, "--date", "2020-01-01")
    refused(result, "--date")
    assert "2025-12-31" in result.stderr
