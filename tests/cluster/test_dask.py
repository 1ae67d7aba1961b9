"""`enews-audio batch --cluster`: the voice runs on Dask workers (a LocalCluster of processes on 127.0.0.1),
the clips meet in the clip store, and a worker killed mid-build loses nothing."""

from __future__ import annotations

import os
import resource
import signal
import threading
import time

import miniaudio
import pytest

from cli.conftest import cli
from enews_audio import pipeline, speech
from enews_audio.pipeline import batch
from enews_audio.speech import dask as on_dask
from enews_audio.speech.cache import ClipCache
from enews_audio.speech.dask import DaskExecutor
from enews_audio.speech.fake import FakeEngine, FakeSpec
from enews_audio.speech.worker import engines_kept
from support.fake_edge import FakeEdge, closed_address
from support.papers import PAPERS, papers_file, published, write_issue
from support.s3_server import objects
from support.workers import signature, slow_and_signed


def warm_engines(client) -> dict[str, list[str]]:
    """The identities of the engines each worker process keeps."""
    return client.run(engines_kept)


def cpu_seconds(client) -> tuple[float, float]:
    """CPU seconds used so far by this process and by all the workers together."""
    mine = resource.getrusage(resource.RUSAGE_SELF)
    theirs = client.run(lambda: tuple(resource.getrusage(resource.RUSAGE_SELF)[:2]))
    return mine.ru_utime + mine.ru_stime, sum(user + system for user, system in theirs.values())


def made_here(monkeypatch) -> list[FakeEngine]:
    """The fake engines this process makes from now on (the speaker's, on the client)."""
    made = []
    build = FakeSpec.build

    def recorded(spec, threads):
        made.append(build(spec, threads))
        return made[-1]

    monkeypatch.setattr(FakeSpec, "build", recorded)
    return made


def test_on_the_cluster_the_workers_speak_and_the_output_is_the_local_build(tmp_path, cluster, monkeypatch):
    for folder, (paper, date) in PAPERS.items():
        write_issue(tmp_path, folder, paper, date)
    papers = papers_file(tmp_path, 'source = "bay"', 'source = "river"\neditions = ["slow"]')
    local = cli("batch", papers, "-o", tmp_path / "local")
    assert local.exit_code == 0, local.output

    engines = made_here(monkeypatch)
    remote = cli("batch", papers, "-o", tmp_path / "remote", "--cluster", cluster.scheduler_address)
    assert remote.exit_code == 0, remote.output
    assert "speaking on the cluster at tcp://127.0.0.1:" in remote.stderr
    assert engines and all(engine.calls == [] for engine in engines)  # the client spoke nothing
    assert len(list((tmp_path / "remote" / ".cache" / "clips").rglob("*.clip"))) > 10  # the workers did

    assert published(tmp_path / "remote") == published(tmp_path / "local")
    assert any(name.name == "a01.slow.mp3" for name in published(tmp_path / "remote"))  # spoken there too
    for name in published(tmp_path / "local"):
        if name.suffix in {".mp3", ".vtt"} or name.name.endswith(".chapters.json"):
            assert (tmp_path / "remote" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    with distributed_client(cluster) as client:
        warm = warm_engines(client)
    assert any(warm.values())
    assert all(len(kept) == len(set(kept)) for kept in warm.values())  # one engine per voice, not per task


def test_workers_and_client_share_an_s3_clip_store(tmp_path, cluster, s3):
    write_issue(tmp_path, "river", *PAPERS["river"])
    papers = papers_file(tmp_path, 'source = "river"')
    address, store = cluster.scheduler_address, "s3://clips/cluster"
    first = cli("batch", papers, "-o", tmp_path / "out", "--cluster", address, "--clip-store", store)
    assert first.exit_code == 0, first.output
    made = objects(s3)
    assert len(made) > 5 and all(key.startswith("cluster/") for key in made)
    assert not (tmp_path / "out" / ".cache" / "clips").exists()
    assert {p.name for p in published(tmp_path / "out")} >= {"a01.mp3", "a02.mp3", "feed.xml"}
    again = cli("batch", papers, "-o", tmp_path / "again", "--cluster", address, "--clip-store", store)
    assert again.exit_code == 0, again.output
    assert objects(s3) == made  # all reused: nothing made again, nothing rewritten


def test_a_worker_killed_mid_build_loses_nothing_and_its_replacement_gets_work(
    tmp_path, cluster, monkeypatch
):
    paper, date = PAPERS["bay"]
    write_issue(tmp_path, "bay", paper, date, sentences=40)
    out, store = tmp_path / "out", tmp_path / "out" / ".cache" / "clips"
    monkeypatch.setattr(speech, "select_engine", lambda *a, **k: FakeEngine(slow_and_signed))
    loaded = batch.load_batch(papers_file(tmp_path, 'source = "bay"'), out)
    executor = DaskExecutor.connect(cluster.scheduler_address)
    before = executor.client.run(os.getpid)
    finished: list[batch.BatchReport] = []
    build = threading.Thread(target=lambda: finished.append(run(loaded, executor)))
    try:
        build.start()
        began = time.monotonic()
        while len(list(store.rglob("*.clip"))) < 6:
            assert build.is_alive() and time.monotonic() - began < 60, "no clips made in time"
            time.sleep(0.02)
        os.kill(next(iter(before.values())), signal.SIGKILL)  # mid-task: each worker runs two at a time
        build.join(timeout=120)
        after = executor.client.run(os.getpid)
    finally:
        executor.close()
    (report,) = finished
    (result,) = report.papers
    assert report.ok, result.error or result.report.failures
    assert len(result.report.episodes) == 2
    cache = ClipCache(store)
    clips = [cache.get(entry.stem) for entry in store.rglob("*.clip")]  # all of this build's
    assert len(clips) == result.report.made + result.report.reused >= 40 and all(clips)
    joined = set(after.values()) - set(before.values())
    assert len(joined) == 1  # the killed worker's replacement
    assert joined & {signature(clip) for clip in clips}  # ... which made clips of this build
    assert {p.name for p in published(out)} >= {"feed.xml", "a01.mp3", "a02.mp3", "build.json"}


def test_edge_connections_are_capped_per_worker_by_the_edge_resource(tmp_path, cluster, edge_url):
    """Two workers with two threads each, one ``edge`` unit each: never more than two requests at once."""
    paper, date = PAPERS["river"]
    write_issue(tmp_path, "river", paper, date, sentences=8)
    with CountingEdge(first_byte=0.2) as fake:
        edge_url(fake.url)
        papers = papers_file(tmp_path, 'source = "river"', defaults='engine = "edge"')
        result = cli("batch", papers, "-o", tmp_path / "out", "--cluster", cluster.scheduler_address)
    assert result.exit_code == 0, result.output
    assert len(fake.requests) > 10
    assert fake.peak == 2


def test_an_unreachable_scheduler_is_one_line_and_exit_2_not_a_hang(tmp_path, monkeypatch):
    write_issue(tmp_path, "bay", *PAPERS["bay"])
    monkeypatch.setattr(on_dask, "CONNECT_TIMEOUT", 1.0)
    nowhere = closed_address("tcp")
    result = cli(
        "batch", papers_file(tmp_path, 'source = "bay"'), "-o", tmp_path / "out", "--cluster", nowhere
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"error: --cluster {nowhere}: no scheduler answered within 1 s"
    ]
    assert not (tmp_path / "out").exists()


@pytest.mark.kokoro
def test_the_offline_voice_speaks_on_two_workers(tmp_path, cluster):
    texts = ["今天晴。", "明天有小雨。", "气温十度。"]
    engine = speech.select_engine("offline")
    settings = speech.SpeechSettings(tmp_path / "clips")
    executor = DaskExecutor.connect(cluster.scheduler_address)
    try:
        here, there = cpu_seconds(executor.client)
        with speech.Session(engine, settings, executor) as session:
            result = session.synthesize(texts)
        warm = warm_engines(executor.client)
        here_after, there_after = cpu_seconds(executor.client)
    finally:
        executor.close()
    assert result.made == 3 and not result.failures
    # The voice ran on the workers: this process (client and, in a LocalCluster, the scheduler) barely worked.
    assert here_after - here < (there_after - there) / 3, (here_after - here, there_after - there)
    for text in texts:
        decoded = miniaudio.decode(result.clips[text].audio, nchannels=1)
        assert decoded.duration > 0.4 and max(decoded.samples) > 1000, text  # speech, not silence
    assert engine._session is None  # the client never loaded the model
    assert any(engine.identity in kept for kept in warm.values())


class CountingEdge(FakeEdge):
    """The fake edge service, counting the requests it serves at the same time."""

    in_flight = peak = 0

    async def _handle(self, request):
        self.in_flight += 1  # on the fake's one event loop: no lock needed
        self.peak = max(self.peak, self.in_flight)
        try:
            return await super()._handle(request)
        finally:
            self.in_flight -= 1


def distributed_client(cluster):
    from distributed import Client

    return Client(cluster.scheduler_address, set_as_default=False)


def run(loaded: batch.Batch, executor: DaskExecutor) -> pipeline.BatchReport:
    with speech.Speaker(executor=executor) as speaker:
        return pipeline.run(loaded.entries, speaker)


WARM = "fake/warm-test"


def test_workers_warm_the_voice_when_asked_and_a_worker_that_joins_later_warms_it_too(cluster):
    executor = DaskExecutor.connect(cluster.scheduler_address)
    try:
        executor.warm(FakeEngine(identity=WARM))
        before = executor.client.run(os.getpid)
        assert _settles(lambda: all(WARM in kept for kept in warm_engines(executor.client).values()))
        os.kill(next(iter(before.values())), signal.SIGKILL)  # its nanny starts a new worker, which joins
        assert _settles(lambda: len(set(executor.client.run(os.getpid).values()) - set(before.values())) == 1)
        joined = {a: pid for a, pid in executor.client.run(os.getpid).items() if pid not in before.values()}
        assert joined and _settles(lambda: all(WARM in warm_engines(executor.client)[a] for a in joined))
    finally:
        executor.close()


def _settles(check, seconds: float = 60.0) -> bool:
    """Whether ``check()`` comes true within ``seconds`` (a guard against a hang, not a timing); asking a
    cluster whose worker is restarting may fail, and is asked again."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if check():
                return True
        except (OSError, KeyError):  # CommClosedError is an OSError; a worker gone between two questions
            pass
        time.sleep(0.1)
    return False
