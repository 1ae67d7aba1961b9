"""Benchmark the text front-end on a synthetic issue: to_script and lint, library loading included.

    python benchmarks/frontend.py [--chars 60000] [--pages 8]

The issue is made from invented news paragraphs (numbers, dates, ranges, codes, quotes, long clauses) repeated
with varying numbers until it holds --chars characters. Each step runs in a fresh interpreter state: the first
to_script pays for importing and loading jieba and wetext, which is what a build pays.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

PARAGRAPHS = (
    "今年以来,市乡村振兴工作专班全面贯彻省委“{a}”总体部署,{b}个重大项目完成年度投资{c}.{d}亿元、完成率{e}.1%,"
    "新建项目开工率87.{d}%。",
    "据统计,1—{m}月全市农村居民人均可支配收入达{d}.5万元,同比增长{e}.2%;城乡居民收入倍差缩小到1.{d}。",
    "市气象台预计,{m}月{n}日夜间到次日白天最低气温-{d}℃,最高气温{e}℃,请市民拨打12345热线或0571-8700{a}咨询。",
    "G60科创走廊新增5G基站{b}个,“1+X”证书试点覆盖{e}所学校,居住证+积分管理惠及{c}万名新市民。",
    "统筹推进强村富民乡村集成改革和农业转移人口市民化集成改革深化拓展新时代美丽乡村建设和县域城乡融合发展"
    "试点持续扩大优质公共服务供给覆盖面并加快构建城乡一体的现代产业体系和基础设施网络。",
    '他说:"以前下楼要歇三回,现在一按按钮就到了。"会议于{h}:30开始,约有{b}人参加,其中95后占1/3。',
    "①加快发展现代农业②强化要素保障③深化体制改革,力争{m}～{n}年内实现农业增加值翻番。",
)


def make_issue(chars: int, pages: int):  # type: ignore[no-untyped-def]
    from enews_audio.model import Article, Issue, Page

    paragraphs, total, i = [], 0, 0
    while total < chars:
        template = PARAGRAPHS[i % len(PARAGRAPHS)]
        text = template.format(
            a=100 + i, b=10 + i, c=1000 + 7 * i, d=i % 10, e=10 + i % 89,
            m=1 + i % 12, n=1 + i % 28, h=8 + i % 12,
        )  # fmt: skip
        paragraphs.append(text)
        total += len(text)
        i += 1
    per_article = 6
    articles = [
        Article(title=f"城乡融合发展报道之{k + 1}", paragraphs=tuple(paragraphs[k : k + per_article]))
        for k in range(0, len(paragraphs), per_article)
    ]
    per_page = -(-len(articles) // pages)
    page_list = tuple(
        Page(f"A{p + 1:02d}", "要闻", tuple(articles[p * per_page : (p + 1) * per_page]))
        for p in range(pages)
    )
    return Issue("山城晚报", dt.date(2025, 12, 31), page_list), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=60_000)
    parser.add_argument("--pages", type=int, default=8)
    args = parser.parse_args()

    start, cpu = time.perf_counter(), time.process_time()
    from enews_audio import text

    issue, chars = make_issue(args.chars, args.pages)
    lexicon = text.load_lexicon("offline", "zf_xiaobei")
    imported = time.perf_counter()
    script = text.to_script(issue, text.TextSettings(lexicon=lexicon))
    scripted, scripted_cpu = time.perf_counter(), time.process_time()
    findings = text.lint(issue, text.TextSettings(lexicon=lexicon))
    linted = time.perf_counter()

    utterances = sum(len(p.utterances) for p in script.pages)
    spoken = sum(len(u.spoken) for p in script.pages for u in p.utterances)
    first = scripted - start
    print(
        f"issue: {chars} characters, {len(issue.pages)} pages, {utterances} utterances ({spoken} spoken chars)"
    )
    print(f"import + lexicon: {imported - start:.2f} s")
    print(f"to_script (first run, loads jieba and wetext): {scripted - imported:.2f} s")
    print(
        f"total to a script: {first:.2f} s = {chars / first:,.0f} characters/s (CPU {scripted_cpu - cpu:.2f} s)"
    )
    print(f"lint: {linted - scripted:.2f} s, {len(findings)} findings")
    from enews_audio.text.normalize import _wetext

    info = _wetext.cache_info()
    print(f"wetext clause cache: {info.misses} distinct clauses normalised, {info.hits} repeats")


if __name__ == "__main__":
    main()
