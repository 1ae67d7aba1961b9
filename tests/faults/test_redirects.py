"""Redirects and meta refreshes off the paper's host, served for real on two loopback hosts: 127.0.0.1 is the
paper, 127.0.0.2 (Linux answers on all of 127.0.0.0/8) another host on the same machine, standing in for an
internal service a hijacked or misconfigured site points the build at."""

import shutil

import pytest

from enews_audio.errors import SourceError
from enews_audio.sources import load_issue
from enews_audio.sources.fetch import FetchSettings, Hosts, HttpSite
from support.epaper_server import serving_classic

CLASSIC = "classic/html/2025-06/21"
ENTRY = "classic/paperindex.htm"
ARTICLE = f"{CLASSIC}/content_101.htm"
SECRET = "内部服务的回答"  # what the other host would have given to be read out and published


def settings(tmp_path):
    return FetchSettings(cache_dir=tmp_path / "pages", delay=0, backoff=0, timeout=5.0, attempts=1)


@pytest.fixture
def site(tmp_path):
    """The classic fixture paper on 127.0.0.1."""
    with serving_classic(tmp_path / "site") as server:
        yield server


@pytest.fixture
def other(tmp_path):
    """Another host, 127.0.0.2, serving the same paper with one article's text changed."""
    with serving_classic(tmp_path / "other", host="127.0.0.2") as server:
        article = server.root / ARTICLE
        article.write_text(article.read_text(encoding="utf-8").replace("城南片区", SECRET), encoding="utf-8")
        yield server


def refused(source, fetch, **kwargs) -> str:
    with pytest.raises(SourceError) as caught:
        load_issue(source, fetch=fetch, **kwargs)
    message = str(caught.value)
    assert message.strip() and "\n" not in message
    return message


@pytest.mark.parametrize("path", [ARTICLE, f"{CLASSIC}/node_3.htm"], ids=["article", "page"])
def test_a_redirect_to_another_host_is_refused_naming_both(site, other, tmp_path, path):
    site.faults[f"/{path}"] = f"redirect:{other.url(path)}"
    message = refused(site.url(ENTRY), settings(tmp_path))
    assert message.startswith(f"{site.url(path)}: redirected to {other.url(path)}, ")
    assert "not the paper's host 127.0.0.1" in message and message.endswith("not followed")
    assert other.requests == []  # refused before any request


def test_a_redirect_after_a_redirect_is_checked_too(site, other, tmp_path):
    moved = f"{CLASSIC}/moved.htm"
    site.faults[f"/{ARTICLE}"] = f"redirect:/{moved}"  # the same host: followed
    site.faults[f"/{moved}"] = f"redirect:{other.url(ARTICLE)}"  # then off it: refused
    message = refused(site.url(ENTRY), settings(tmp_path))
    assert message.startswith(f"{site.url(ARTICLE)}: redirected to {other.url(ARTICLE)}, ")
    assert site.count("moved.htm") == 1 and other.requests == []


def test_a_redirect_within_the_host_is_followed(site, tmp_path):
    moved = site.root / CLASSIC / "moved" / "content_101.htm"
    moved.parent.mkdir()
    shutil.copy(site.root / ARTICLE, moved)
    site.faults[f"/{ARTICLE}"] = "redirect:moved/content_101.htm"  # relative, as servers often send it
    issue = load_issue(site.url(ENTRY), fetch=settings(tmp_path))
    assert any(a.title.startswith("城南片区") for p in issue.pages for a in p.articles)
    assert site.count("moved/content_101.htm") == 1


def test_a_meta_refresh_to_another_host_is_refused(site, other, tmp_path):
    entry = site.root / ENTRY
    target = other.url(f"{CLASSIC}/node_2.htm")
    entry.write_text(f'<meta http-equiv="refresh" content="0; URL={target}">', encoding="utf-8")
    message = refused(site.url(ENTRY), settings(tmp_path))
    assert message == (
        f"{site.url(ENTRY)}: refreshes to {target}, not the paper's host 127.0.0.1; not followed"
    )
    assert other.requests == []


def test_a_redirect_to_a_host_the_profile_names_is_followed(site, other, tmp_path):
    profiles = tmp_path / "profiles.toml"
    profiles.write_text(
        '[[profile]]\nname = "晨光"\nmatch = ["http://127.0.0.1:*/*", "http://127.0.0.2:*/*"]\n',
        encoding="utf-8",
    )
    site.faults[f"/{ARTICLE}"] = f"redirect:{other.url(ARTICLE)}"
    issue = load_issue(site.url(ENTRY), fetch=settings(tmp_path), profiles=profiles)
    assert any(a.title.startswith(SECRET) for p in issue.pages for a in p.articles)
    assert other.count("content_101.htm") == 1


def test_a_cached_page_that_came_from_another_host_is_not_used(site, other, tmp_path):
    # Cached by an earlier version that followed the redirect: asked again, the page is fetched again and
    # the redirect refused.
    site.faults[f"/{ARTICLE}"] = f"redirect:{other.url(ARTICLE)}"
    fetch = settings(tmp_path)
    HttpSite(fetch, hosts=Hosts(site.base, named=("127.0.0.2",))).get(site.url(ARTICLE))
    assert other.count("content_101.htm") == 1
    with pytest.raises(SourceError, match=r"redirected to .*not followed$"):
        HttpSite(fetch).get(site.url(ARTICLE))
    assert site.count("content_101.htm") == 2


def test_the_fetcher_alone_refuses_the_redirect(site, other, tmp_path):
    site.faults[f"/{ARTICLE}"] = f"redirect:{other.url(ARTICLE)}"
    with pytest.raises(SourceError, match=r"content_101\.htm: redirected to http://127\.0\.0\.2:\d+/"):
        HttpSite(settings(tmp_path)).get(site.url(ARTICLE))
    assert other.requests == []
