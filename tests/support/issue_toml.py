"""One builder for the issue.toml manifests the tests write (``from issue_toml import issue_toml``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

Article = Mapping[str, str | Sequence[str]]
ONE_ARTICLE: tuple[Article, ...] = ({"title": "标题", "paragraphs": ["第一段。"]},)


def issue_toml(
    paper: str = "海湾日报",
    date: str = "2026-01-02",
    pages: Sequence[tuple[str, str, Sequence[Article]]] = (("A01", "要闻", ONE_ARTICLE),),
) -> str:
    """An issue.toml: ``pages`` are (code, name, articles); an article's keys are written in their order.

    One key per line, tables without blank lines between them, so tests can name a line by its number.
    """
    lines = [f"paper = {_value(paper)}", f"date = {date}"]
    for code, name, articles in pages:
        lines += ["[[pages]]", f"code = {_value(code)}", f"name = {_value(name)}"]
        for article in articles:
            lines.append("[[pages.articles]]")
            lines += [f"{key} = {_value(value)}" for key, value in article.items()]
    return "\n".join(lines) + "\n"


def _value(value: str | Sequence[str]) -> str:
    """A TOML string or array of strings (JSON's escapes are TOML's for these)."""
    return json.dumps(value if isinstance(value, str) else list(value), ensure_ascii=False)
