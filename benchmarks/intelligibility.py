"""How well the offline voice is understood: toned-pinyin error of built episodes, and of the voice's own floor.

    pip install -e '.[bench]'
    python benchmarks/intelligibility.py [VARIANT ...] [--cache DIR] [--cut] [--show N]

Run by hand, not in CI (a first run synthesises ~15 minutes of speech: about 10 minutes on two idle cores).
The articles in ``benchmarks/articles/issue.toml`` are built into page episodes with ``pipeline.build`` and
the offline voice; each episode is transcribed whole by Whisper-base (``asr.py``) and every article sentence
(headlines, bylines, body, captions; never split into clauses) is matched to its best stretch of the
transcript (``pinyin_score.py``). The floor is the same sentences, each synthesised in one go straight from
the model (untrimmed, never encoded) and transcribed alone. ``--cut`` also transcribes each utterance cut from
the episode at its cue times: the episode's audio without Whisper's long-form decoding.

The model's raw output is cached by token ids under ``--cache`` (default ``~/.cache/enews-audio/bench``), so a
variant that changes only packing re-synthesises only the new clauses, and one that changes trimming, pauses,
loudness or the encoder re-synthesises nothing. Kokoro and Whisper are deterministic: load changes the time
taken, never the numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import miniaudio
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))  # asr.py and pinyin_score.py beside this file

import asr
from pinyin_score import Match, best_match, syllables, total_rate, written_to_spoken

from enews_audio import pinyin as reading
from enews_audio import pipeline
from enews_audio.audio import AudioSettings
from enews_audio.model import Part
from enews_audio.speech import Speaker
from enews_audio.speech.engine import Voice
from enews_audio.speech.executor import LocalExecutor
from enews_audio.speech.mp3 import SAMPLE_RATE
from enews_audio.speech.offline import OfflineEngine
from enews_audio.speech.phonemes import to_token_ids
from enews_audio.text import Pauses, TextSettings, load_lexicon, to_script

ARTICLES = Path(__file__).parent / "articles" / "issue.toml"
VOICE = "zf_xiaobei"
_ARTICLE_PARTS = (Part.HEADER, Part.BODY, Part.CAPTION)


@dataclass(frozen=True)
class Variant:
    """One way of building the episodes; fields left at None keep the project's defaults."""

    max_chars: int | None = None
    trim: tuple[float, float] | None = None  # (silence threshold, seconds kept) at each clip edge
    pauses: float | None = None  # scale every pause by this
    audio: dict = field(default_factory=dict)  # AudioSettings overrides
    sandhi: bool = True  # False: 一 and 不 keep pypinyin's tones, as before issue 12
    lead: str = ""  # phonemes put before every model call (a pause to start from)
    note: str = ""


VARIANTS = {
    "default": Variant(note="the project's defaults as they are now"),
    "old": Variant(max_chars=80, trim=(0.003, 0.05), note="defaults before issue 12"),
    **{
        f"max{n}": Variant(max_chars=n, note=f"clauses packed up to {n} characters")
        for n in (30, 40, 50, 60, 100)
    },
    "max999": Variant(max_chars=999, note="whole sentences, never packed"),
    "trim-keep150": Variant(trim=(0.003, 0.15), note="keep 150 ms of each clip's edge silence"),
    "trim-quiet": Variant(trim=(0.0005, 0.05), note="only trim below -66 dBFS"),
    "notrim": Variant(trim=(0.0, 0.0), note="keep the model's padding"),
    "lead-comma": Variant(
        lead=",", note="every model call starts with a pause mark (a run-up to syllable one)"
    ),
    "nosandhi": Variant(sandhi=False, note="一/不 with pypinyin's tones (no sandhi rules)"),
    "pauses2x": Variant(pauses=2.0, note="every pause twice as long"),
    "pauses0.5x": Variant(pauses=0.5, note="every pause half as long"),
    "raw-level": Variant(audio={"loudness": None}, note="no loudness gain, no limiter"),
    "128k": Variant(audio={"bitrate": 128}, note="episodes encoded at 128 kbit/s"),
    "32k": Variant(audio={"bitrate": 32}, note="episodes encoded at 32 kbit/s"),
}


class BenchEngine(OfflineEngine):
    """The offline engine with its model output cached on disk by token ids, and trimming as a variant."""

    def __init__(
        self, cache: Path, trim: tuple[float, float] | None, overrides: dict[str, str], lead: str = ""
    ) -> None:
        super().__init__(Voice(VOICE), overrides=overrides)
        self._lead = [to_token_ids(lead)[0]] if lead else []
        if lead:
            self.identity += f"/lead-{lead}"
        self._raw_dir = cache / "model"
        self._raw_dir.mkdir(parents=True, exist_ok=True)
        self._trim_at = trim
        self.synthesis_seconds = 0.0
        if trim is not None:
            self.identity += f"/trim-{trim[0]}-{trim[1]}"

    def _model_audio(self, ids: list[int]) -> np.ndarray:
        ids = self._lead + ids
        key = hashlib.sha256(f"{VOICE}/{self._speed}/{ids}".encode()).hexdigest()
        path = self._raw_dir / f"{key}.npy"
        if path.is_file():
            return np.load(path)
        start = time.perf_counter()
        audio = super()._model_audio(ids)
        self.synthesis_seconds += time.perf_counter() - start
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, audio)
        os.replace(tmp, path)
        return audio

    def _trim(self, audio: np.ndarray) -> np.ndarray:
        if self._trim_at is None:
            return super()._trim(audio)
        threshold, keep = self._trim_at
        loud = np.flatnonzero(np.abs(audio) > threshold)
        if not loud.size or threshold == 0:
            return audio
        pad = int(keep * SAMPLE_RATE)
        return audio[max(0, loud[0] - pad) : loud[-1] + 1 + pad]


@dataclass(frozen=True)
class Sentence:
    page: str
    article: str
    spoken: str
    reference: tuple[str, ...]


def references(lexicon) -> list[Sentence]:  # type: ignore[no-untyped-def]
    """Every article sentence as the voice is meant to say it (whole sentences: packing is a variant)."""
    issue = pipeline.load(ARTICLES, pipeline.ReadSettings())
    script = to_script(issue, TextSettings(max_chars=10_000, lexicon=lexicon))
    return [
        Sentence(p.page.code, p.page.articles[u.article].title, u.spoken, tuple(syllables(u.spoken)))
        for p in script.pages
        for u in p.utterances
        if u.part in _ARTICLE_PARTS and u.article is not None
    ]


def score_floor(sentences: list[Sentence], engine: BenchEngine, cache: Path) -> list[Match]:
    out = []
    for s in sentences:
        audio = engine.render(s.spoken, trim=False)
        heard = asr.transcribe(asr.to_16k(audio, SAMPLE_RATE), cache)
        out.append(best_match(s.reference, syllables(written_to_spoken(heard))))
    return out


def _decode(path: Path) -> np.ndarray:
    sound = miniaudio.decode_file(
        str(path), output_format=miniaudio.SampleFormat.FLOAT32, nchannels=1, sample_rate=SAMPLE_RATE
    )
    return np.frombuffer(sound.samples, dtype=np.float32)


@contextlib.contextmanager
def _sandhi(on: bool) -> Iterator[None]:
    """Switch the offline voice's 一/不 rules off for one build (the readings module looks them up by name)."""
    saved = reading.sandhi
    if not on:
        reading.sandhi = lambda chars, syllables, word_ends=frozenset(): list(syllables)
    try:
        yield
    finally:
        reading.sandhi = saved


def score_episodes(
    sentences: list[Sentence], variant: Variant, cache: Path, lexicon, cut: bool
) -> tuple[list[Match], list[Match] | None, dict]:  # type: ignore[no-untyped-def]
    text = TextSettings(lexicon=lexicon)
    if variant.pauses:
        p, k = text.pauses, variant.pauses
        scaled = Pauses(
            sentence=p.sentence * k, paragraph=p.paragraph * k, heading=p.heading * k, article=p.article * k
        )
        text = replace(text, pauses=scaled)
    if variant.max_chars:
        text = replace(text, max_chars=variant.max_chars)
    engine = BenchEngine(cache, variant.trim, dict(lexicon.pinyin), variant.lead)
    if not variant.sandhi:
        engine.identity += "/nosandhi"  # clips are cached by spoken text, which sandhi does not change
    times: dict = {}
    with tempfile.TemporaryDirectory(prefix="intelligibility-") as out:
        settings = pipeline.BuildSettings(
            Path(out),
            engine.spec,
            read=pipeline.ReadSettings(text=text),
            audio=AudioSettings(**variant.audio),
            cache_dir=cache / "clips",
        )
        start = time.perf_counter()
        # In this process, not the voice workers: they would build a plain OfflineEngine from its spec,
        # without this engine's model cache, trim and lead variants or the sandhi switch above.
        with _sandhi(variant.sandhi), Speaker(executor=LocalExecutor(), engines=[engine]) as speaker:
            report = pipeline.build(ARTICLES, settings, speaker)
        assert report.ok, report.failures[:3]  # a failed clip would score as a silent, perfect page
        times["build_s"] = round(time.perf_counter() - start, 1)
        times["synthesis_s"] = round(engine.synthesis_seconds, 1)
        times["audio_min"] = round(sum(e.duration for e in report.episodes) / 60, 2)
        start = time.perf_counter()
        whole: list[Match] = []
        pieces: list[Match] = []
        for episode in report.episodes:
            pcm = _decode(report.issue_dir / episode.path)
            page = [s for s in sentences if s.page == episode.page.code]
            heard = syllables(written_to_spoken(asr.transcribe(asr.to_16k(pcm, SAMPLE_RATE), cache)))
            whole += [best_match(s.reference, heard) for s in page]
            if cut:
                margin = int(0.1 * SAMPLE_RATE)
                texts = [
                    asr.transcribe(
                        asr.to_16k(
                            pcm[
                                max(0, int(c.start * SAMPLE_RATE) - margin) : int(c.end * SAMPLE_RATE)
                                + margin
                            ],
                            SAMPLE_RATE,
                        ),
                        cache,
                    )
                    for c in episode.cues
                ]
                heard_cut = syllables(written_to_spoken("，".join(texts)))
                pieces += [best_match(s.reference, heard_cut) for s in page]
        times["asr_s"] = round(time.perf_counter() - start, 1)
    return whole, (pieces if cut else None), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="*", default=["default"], help=f"any of: {', '.join(VARIANTS)}")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "enews-audio" / "bench")
    parser.add_argument("--cut", action="store_true", help="also score utterances cut out of the episodes")
    parser.add_argument(
        "--show", type=int, default=8, help="sentences to show where episode and floor differ"
    )
    args = parser.parse_args()
    unknown = [v for v in args.variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant {unknown[0]} (known: {', '.join(VARIANTS)})")

    lexicon = load_lexicon("offline", VOICE)
    sentences = references(lexicon)
    chars = sum(len(s.spoken) for s in sentences)
    print(
        f"{len(sentences)} sentences, {chars} spoken characters, {sum(len(s.reference) for s in sentences)} syllables"
    )
    start = time.perf_counter()
    floor_engine = BenchEngine(args.cache, None, dict(lexicon.pinyin))
    floor = score_floor(sentences, floor_engine, args.cache)
    print(f"floor: {100 * total_rate(floor):.2f} % ({time.perf_counter() - start:.0f} s)")

    results = args.cache / "results"
    results.mkdir(parents=True, exist_ok=True)
    for name in args.variants:
        variant = VARIANTS[name]
        whole, cut, times = score_episodes(sentences, variant, args.cache, lexicon, args.cut)
        line = f"{name}: whole episodes {100 * total_rate(whole):.2f} %"
        line += f" (gap {100 * (total_rate(whole) - total_rate(floor)):+.2f})"
        if cut is not None:
            line += f", cut at cues {100 * total_rate(cut):.2f} %"
        print(f"{line}  {times}  — {variant.note}")
        worst = sorted(range(len(sentences)), key=lambda i: floor[i].errors - whole[i].errors)[: args.show]
        for i in worst:
            if whole[i].errors > floor[i].errors:
                print(f"   +{whole[i].errors - floor[i].errors} {sentences[i].spoken}")
                print(f"      heard: {' '.join(whole[i].heard)}")
        record = {
            "variant": name,
            **asdict(variant),
            **times,
            "floor": total_rate(floor),
            "whole": total_rate(whole),
            "cut": total_rate(cut) if cut is not None else None,
            "sentences": [
                {
                    "page": s.page,
                    "spoken": s.spoken,
                    "floor": f.errors,
                    "whole": w.errors,
                    "syllables": w.length,
                    "heard_whole": " ".join(w.heard),
                    "heard_floor": " ".join(f.heard),
                }
                for s, f, w in zip(sentences, floor, whole, strict=True)
            ],
        }
        (results / f"{name}.json").write_text(
            json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
