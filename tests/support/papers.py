"""Tiny issues and batch files for the tests of ``batch`` (``from papers import write_issue, papers_file``)."""

from __future__ import annotations

from pathlib import Path

from support.issue_toml import issue_toml

PAPERS = {  # folder -> (paper, date)
    "bay": ("海湾日报", "2026-01-02"),
    "river": ("江城日报", "2026-01-02"),
}


def articles(city: str, sentences: int = 0) -> tuple[dict, ...]:
    """Two short articles that say which paper they are in, so no clip is shared between papers; with
    ``sentences``, the first has that many more sentences."""
    more = [f"{city}第{n}条消息。" for n in range(1, sentences + 1)]
    return (
        {
            "title": f"{city}新桥通车",
            "paragraphs": [f"{city}城东新桥今天通车。", f"{city}市民步行即可过江。", *more],
        },
        {"title": f"{city}图书馆延时", "paragraphs": [f"{city}图书馆周末开到晚上九点。"]},
    )


def write_issue(root: Path, folder: str, paper: str, date: str, sentences: int = 0) -> Path:
    """An issue.toml of two pages in ``root/folder``."""
    (root / folder).mkdir(parents=True, exist_ok=True)
    city = paper[:2]
    pages = [("A01", "要闻", articles(city, sentences)), ("A02", "城事", articles(city)[:1])]
    (root / folder / "issue.toml").write_text(issue_toml(paper, date, pages), encoding="utf-8")
    return root / folder


def papers_file(root: Path, *tables: str, defaults: str = 'engine = "fake"') -> Path:
    """``root/papers.toml``: ``[defaults]`` then a ``[[paper]]`` per table (TOML lines)."""
    path = root / "papers.toml"
    text = f"[defaults]\n{defaults}\n" + "".join(f"[[paper]]\n{t}\n" for t in tables)
    path.write_text(text, encoding="utf-8")
    return path


def published(out: Path) -> list[Path]:
    """The files a build published under ``out``, relative to it (not the caches)."""
    return sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts)
