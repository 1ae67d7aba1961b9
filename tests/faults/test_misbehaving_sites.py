"""E-paper sites misbehaving, each served for real on loopback: every fault ends in one clear line."""

import shutil

import pytest

from enews_audio.errors import EnewsError, SourceError
from enews_audio.sources import load_issue
from enews_audio.sources.fetch import FetchSettings, HttpSite
from support.epaper_server import EPAPER, serving_classic

CLASSIC = "classic/html/2025-06/21"
ENTRY = "classic/paperindex.htm"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)


def settings(tmp_path, **changes):
    values = {
        "cache_dir": tmp_path / "pages",
        "delay": 0,
        "backoff": 0,
        "timeout": 5.0,
        "attempts": 1,
        **changes,
    }
    return FetchSettings(**values)


def one_line_error(source, fetch, error=SourceError):
    with pytest.raises(error) as caught:
        load_issue(source, fetch=fetch)
    message = str(caught.value)
    assert message.strip() and "\n" not in message
    return message


@pytest.fixture
def site(tmp_path):
    """The classic fixture paper, copied so a test may change its pages, served on 127.0.0.1."""
    with serving_classic(tmp_path / "site") as server:
        yield server


def test_a_redirect_loop_is_one_line(site, tmp_path):
    site.faults[f"/{CLASSIC}/node_3.htm"] = "loop"
    message = one_line_error(site.url(ENTRY), settings(tmp_path))
    assert "node_3.htm" in message and "redirect" in message
    assert site.count("node_3.htm") <= 11  # gave up after at most 10 redirects


def test_a_meta_refresh_loop_is_one_line(site, tmp_path):
    entry = site.root / ENTRY
    entry.write_text('<meta http-equiv="refresh" content="0; URL=paperindex.htm">', encoding="utf-8")
    message = one_line_error(site.url(ENTRY), settings(tmp_path))
    assert "redirects without reaching an e-paper page" in message
    assert site.count("paperindex.htm") <= 6


def test_a_page_that_never_ends_is_cut_at_the_size_limit(site, tmp_path):
    site.faults[f"/{CLASSIC}/content_101.htm"] = "endless"
    message = one_line_error(site.url(ENTRY), settings(tmp_path, max_bytes=200_000))
    assert message.endswith("content_101.htm: larger than the 200000 bytes limit for one page")


def test_a_page_that_trickles_in_is_given_up_after_the_overall_timeout(site, tmp_path):
    # One byte every 20 ms: each read is quick, so only a limit on the whole page can stop it; the page
    # would be whole after some 40 s, so getting it at all means there was no such limit.
    site.faults[f"/{CLASSIC}/content_101.htm"] = "trickle"
    site.trickle_seconds = 0.02
    message = one_line_error(site.url(ENTRY), settings(tmp_path, timeout=1.0))
    assert message.endswith("content_101.htm: not all of the page within 1 s")


def test_links_to_other_hosts_are_never_followed(site, tmp_path):
    other = site.base.replace("127.0.0.1", "localhost")  # the same server under another host name
    page = site.root / CLASSIC / "node_2.htm"
    html = page.read_text(encoding="utf-8")
    html = html.replace('href="node_3.htm">A02版', f'href="{other}/{CLASSIC}/node_3.htm">A02版')
    html = html.replace('href="content_101.htm"', f'href="{other}/{CLASSIC}/content_101.htm"')
    html = html.replace('href="content_101.htm?div=0"', f'href="{other}/{CLASSIC}/content_101.htm?div=0"')
    page.write_text(html, encoding="utf-8")

    issue = load_issue(site.url(ENTRY), fetch=settings(tmp_path))
    assert not any(host.startswith("localhost") for host in site.hosts), site.hosts
    assert site.count("content_101.htm") == 0 and site.count("node_3.htm") == 0
    pages = {page.code: [a.title for a in page.articles] for page in issue.pages}
    assert "A02" not in pages  # its only link pointed to the other host
    assert "夜间公交线路增至八条" in pages["A01"]  # the page itself is read, less the article elsewhere
    assert not any(title.startswith("城南片区") for title in pages["A01"])


@pytest.mark.parametrize(
    ("kind", "body", "says"),
    [
        ("application/pdf", PDF, "served as application/pdf"),
        ("image/png", None, "served as image/png"),  # the HTML itself, but labelled as an image
        ("application/octet-stream", PDF, "a PDF document"),
        ("text/html", PNG, "a PNG image"),
    ],
)
def test_a_page_served_as_something_else_is_one_line(site, tmp_path, kind, body, says):
    path = f"{CLASSIC}/content_101.htm"
    if body is not None:
        (site.root / path).write_bytes(body)
    site.faults[f"/{path}"] = f"as:{kind}"
    message = one_line_error(site.url(ENTRY), settings(tmp_path))
    assert "content_101.htm" in message and says in message and "not a web page" in message


def test_html_served_as_octet_stream_is_still_read(site, tmp_path):
    site.faults[f"/{CLASSIC}/content_101.htm"] = "as:application/octet-stream"
    issue = load_issue(site.url(ENTRY), fetch=settings(tmp_path))
    assert any("城南片区" in a.title for p in issue.pages for a in p.articles)


def test_a_saved_page_that_is_a_pdf_is_one_line(tmp_path):
    saved = tmp_path / "saved"
    shutil.copytree(EPAPER / "classic", saved)
    (saved / "html/2025-06/21/content_101.htm").write_bytes(PDF)
    message = one_line_error(saved, None, EnewsError)
    assert "content_101.htm" in message and "a PDF document, not a web page" in message


def test_the_fetcher_alone_tells_the_same(site, tmp_path):
    site.faults[f"/{CLASSIC}/node_3.htm"] = "loop"
    with pytest.raises(SourceError, match=r"node_3\.htm: too many redirects \(a loop\?\)$"):
        HttpSite(settings(tmp_path)).get(site.url(f"{CLASSIC}/node_3.htm"))
