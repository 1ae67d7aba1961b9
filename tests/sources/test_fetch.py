import pytest

from enews_audio.errors import SourceError
from enews_audio.sources.fetch import (
    USER_AGENT,
    FetchSettings,
    FolderSite,
    Hosts,
    HttpSite,
    PageNotFoundError,
    decode_html,
)
from support.epaper_server import serving

GB_PAGE = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>'
GB_TEXT = "王堃在“𠮷祥茶社”喝茶"  # 堃 is GBK, not GB2312; 𠮷 is in GB18030 only


@pytest.fixture
def server(tmp_path):
    (tmp_path / "a.htm").write_bytes((GB_PAGE + GB_TEXT).encode("gb18030"))
    (tmp_path / "b.htm").write_text("<p>第二页</p>", encoding="utf-8")
    with serving(tmp_path) as running:
        yield running


def site(tmp_path, **changes) -> HttpSite:
    settings = {"cache_dir": tmp_path / "cache", "delay": 0, "backoff": 0, "timeout": 2.0, **changes}
    return HttpSite(FetchSettings(**settings))


def test_meta_charset_gb2312_decodes_as_gb18030():
    assert decode_html((GB_PAGE + GB_TEXT).encode("gb18030"), None, "x").endswith(GB_TEXT)


def test_header_charset_wins_over_meta():
    body = ('<meta charset="gbk"><p>' + GB_TEXT).encode("utf-8")
    assert decode_html(body, "utf-8", "x").endswith(GB_TEXT)


def test_undeclared_pages_try_utf8_then_gb18030():
    assert decode_html(GB_TEXT.encode("utf-8"), None, "x") == GB_TEXT
    assert decode_html(GB_TEXT.encode("gb18030"), None, "x") == GB_TEXT


def test_wrong_charset_is_a_malformed_page():
    with pytest.raises(SourceError, match=r"^page\.htm: not utf-8 text \(malformed page\)$"):
        decode_html(('<meta charset="utf-8">' + GB_TEXT * 20).encode("gb18030"), None, "page.htm")


def test_unknown_charset_is_named():
    with pytest.raises(SourceError, match="unknown charset 'x-martian'"):
        decode_html(b"<p>hi", "x-martian", "page.htm")


def test_fetches_with_user_agent_and_caches_dated_pages(server, tmp_path):
    client = site(tmp_path)
    first = client.get(server.url("a.htm"))
    assert first.text.endswith(GB_TEXT)
    assert client.get(server.url("a.htm")) == first
    assert server.count("a.htm") == 1  # the second came from the cache
    client.get(server.url("a.htm"), cache=False)
    assert server.count("a.htm") == 2
    assert server.agents == {USER_AGENT}
    assert "enews-audio" in USER_AGENT
    fresh = site(tmp_path)  # a rerun: a new client, the same cache folder
    assert fresh.get(server.url("a.htm")).body == first.body
    assert server.count("a.htm") == 2


def test_damaged_cache_entry_is_fetched_again(server, tmp_path):
    client = site(tmp_path)
    client.get(server.url("b.htm"))
    for entry in (tmp_path / "cache").iterdir():
        entry.write_bytes(b"not json\n")
    assert client.get(server.url("b.htm")).text == "<p>第二页</p>"
    assert server.count("b.htm") == 2


def test_waits_between_requests_to_one_host(server, tmp_path):
    client = site(tmp_path, delay=0.3, use_cache=False)
    client.get(server.url("a.htm"))
    client.get(server.url("b.htm"))
    assert server.times[1] - server.times[0] >= 0.29


def test_retries_a_server_error_then_succeeds(server, tmp_path):
    server.faults["/b.htm"] = "503-once"
    assert site(tmp_path, attempts=2).get(server.url("b.htm")).text == "<p>第二页</p>"
    assert server.count("b.htm") == 2


def test_gives_up_after_the_last_try(server, tmp_path):
    server.faults["/b.htm"] = "503"
    with pytest.raises(SourceError, match=r"b\.htm: server error \(HTTP 503\) \(3 tries\)$"):
        site(tmp_path).get(server.url("b.htm"))
    assert server.count("b.htm") == 3


def test_timeout_is_one_line(server, tmp_path):
    server.faults["/b.htm"] = "slow"
    server.slow_seconds = 1.0  # the page would come, after 1 s: only the timeout makes this fail
    with pytest.raises(SourceError, match=r"b\.htm: no answer within 0\.2 s \(2 tries\)$"):
        site(tmp_path, timeout=0.2, attempts=2).get(server.url("b.htm"))
    assert server.count("b.htm") == 2


@pytest.mark.parametrize("fault", ["big", "big-chunked"])
def test_size_limit(server, tmp_path, fault):
    server.faults["/b.htm"] = fault
    with pytest.raises(SourceError, match=r"b\.htm: larger than the 10000 bytes limit for one page$"):
        site(tmp_path, max_bytes=10_000).get(server.url("b.htm"))


def test_not_found_is_its_own_error(server, tmp_path):
    with pytest.raises(PageNotFoundError, match=r"nothing\.htm: not found \(HTTP 404\)$"):
        site(tmp_path).get(server.url("nothing.htm"))


def test_only_http_urls(tmp_path):
    with pytest.raises(SourceError, match="only http and https"):
        site(tmp_path).get("ftp://127.0.0.1/a.htm")


def test_folder_site_stays_inside_its_folder(tmp_path):
    (tmp_path / "saved").mkdir()
    (tmp_path / "saved" / "a.htm").write_text("<p>一</p>", encoding="utf-8")
    (tmp_path / "secret.htm").write_text("<p>二</p>", encoding="utf-8")
    folder = FolderSite(tmp_path / "saved")
    assert folder.get((tmp_path / "saved" / "a.htm").as_uri()).text == "<p>一</p>"
    with pytest.raises(SourceError, match="not a file in the saved e-paper folder"):
        folder.get((tmp_path / "saved" / ".." / "secret.htm").as_uri())
    with pytest.raises(PageNotFoundError):
        folder.get((tmp_path / "saved" / "b.htm").as_uri())


def test_settings_are_checked():
    with pytest.raises(ValueError):
        FetchSettings(attempts=0)
    assert FetchSettings().cache.parts[-3:] == (".cache", "enews-audio", "pages")


# Where pages may come from (each redirect is checked against this; tests/faults/test_redirects.py serves them)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://epaper.example.cn/html/2025-06/21/node_2.htm", None),  # the paper's own host
        ("http://epaper.example.cn:8080/x.htm", None),  # any port and scheme of it
        ("https://cdn.example.cn/x.htm", None),  # named by the profile
        ("https://www.example.com/x.htm", "not the paper's host epaper.example.cn"),
        ("http://169.254.169.254/latest/meta-data/", "not the paper's host epaper.example.cn"),
        ("file:///etc/passwd", "not an http or https address"),
        ("http://[::1/x.htm", "not a valid address"),
    ],
)
def test_hosts_the_paper_and_its_profile_name(url, why):
    hosts = Hosts("https://epaper.example.cn/paperindex.htm", named=("*.example.cn",))
    assert hosts.refusal(url) == why


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # link-local: a cloud's metadata service
        "http://10.0.0.8/x.htm",
        "http://192.168.1.1/x.htm",
        "http://127.0.0.1:8080/x.htm",
        "http://[::1]/x.htm",
        "http://[::ffff:127.0.0.1]/x.htm",
        "http://localhost/x.htm",  # a name is resolved (here by /etc/hosts) and its addresses checked
    ],
)
def test_a_named_host_at_a_private_address_is_refused_for_a_public_paper(url):
    hosts = Hosts("http://93.184.216.34/paperindex.htm", named=("*",))  # a public address; any named host
    assert hosts.refusal(url) == "a private, loopback or link-local address"


def test_a_paper_at_a_private_address_may_go_to_named_private_ones():
    hosts = Hosts("http://127.0.0.1:8000/paperindex.htm", named=("127.0.0.2", "10.*"))
    assert hosts.refusal("http://127.0.0.2:9000/x.htm") is None
    assert hosts.refusal("http://10.1.2.3/x.htm") is None
    assert hosts.refusal("http://127.0.0.3/x.htm") == "not the paper's host 127.0.0.1"
