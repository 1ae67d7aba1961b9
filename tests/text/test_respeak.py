"""The clip store is keyed by the spoken text: a change to the number rules re-speaks only what it changed."""

import datetime as dt

import pytest

from enews_audio.model import Article, Issue, Page
from enews_audio.speech import Session, SpeechSettings
from enews_audio.speech.cache import clip_key
from enews_audio.speech.executor import LocalExecutor
from enews_audio.speech.fake import FakeEngine
from enews_audio.text import TextSettings, to_script
from enews_audio.text import normalize as rules
from enews_audio.text.codes import codes

ISSUE = Issue(
    "山城晚报",
    dt.date(2025, 12, 31),
    (
        Page(
            "A03",
            "城事",
            (
                Article(
                    title="市民来信",
                    paragraphs=("全年完成投资2亿元。", "手机尾号为5821的市民来电反映。", "气温8℃-14℃。"),
                ),
            ),
        ),
    ),
)


def _spoken() -> list[str]:
    return [u.spoken for page in to_script(ISSUE, TextSettings()).pages for u in page.utterances]


@pytest.fixture
def before_the_code_rule(monkeypatch):
    """The rules as they were before codes were read digit by digit (issue 19)."""

    def use(rule_list):
        monkeypatch.setattr(rules, "_RULES", rule_list)
        rules._normalize.cache_clear()

    yield lambda: use(tuple(rule for rule in rules._RULES if rule is not codes))
    rules._normalize.cache_clear()  # monkeypatch puts the rules back; the cache must not keep old readings


def test_a_rule_change_respeaks_only_the_sentence_it_changed(tmp_path, before_the_code_rule):
    now = _spoken()
    before_the_code_rule()
    then = _spoken()
    changed = [i for i, (a, b) in enumerate(zip(then, now, strict=True)) if a != b]
    assert len(changed) == 1
    assert then[changed[0]] == "手机尾号为五千八百二十一的市民来电反映。"
    assert now[changed[0]] == "手机尾号为五八二幺的市民来电反映。"

    engine = FakeEngine()
    keys_then = [clip_key(engine.identity, t) for t in then]
    keys_now = [clip_key(engine.identity, t) for t in now]
    assert [i for i, (a, b) in enumerate(zip(keys_then, keys_now, strict=True)) if a != b] == changed

    settings = SpeechSettings(tmp_path / "cache", backoff=0.0)
    with Session(engine, settings, LocalExecutor()) as session:
        session.synthesize(then)
    rebuild = FakeEngine()
    with Session(rebuild, settings, LocalExecutor()) as session:
        result = session.synthesize(now)
    assert rebuild.calls == [now[i] for i in changed]
    assert (result.made, result.reused) == (1, len(set(now)) - 1)
