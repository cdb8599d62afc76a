"""Faults without a window: content edited while running, a speech engine that hangs and comes
back, a microphone that stops handing over sound and is opened again.
(What a person sees of each is in test_gui_faults.py.)"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from kiosk.content import load_library
from kiosk.content.watch import KeptLastGood, keep_last_good, snapshot
from kiosk.speech import synth
from kiosk.speech.synth import EngineHung, Synthesiser, SynthesisError
from kiosk.voice.listener import Listener, Processor
from kiosk.voice.recogniser import Recogniser, open_engine
from kiosk.voice.sources import FileMic

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    return folder


def test_the_snapshot_changes_when_a_document_is_added_edited_or_removed(content: Path):
    first = snapshot(content)
    assert first == snapshot(content)
    ninds = content / "ninds-als.yaml"
    ninds.write_text(ninds.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    edited = snapshot(content)
    assert edited != first
    (content / "new.yaml").write_text("id: new\n", encoding="utf-8")
    added = snapshot(content)
    assert added != edited
    (content / "new.yaml").unlink()
    assert snapshot(content) == edited
    shutil.rmtree(content)
    assert snapshot(content) is None


def test_a_broken_edit_keeps_the_last_good_version_and_says_so(content: Path):
    good = load_library(content)
    ninds = content / "ninds-als.yaml"
    ninds.write_text("id: ninds-als\ntitle: [unclosed\n", encoding="utf-8")
    kept = keep_last_good(good, load_library(content), content)
    assert [d.id for d in kept.documents] == ["ninds-als", "webmd-als"], "order kept"
    assert kept.get("ninds-als") is good.get("ninds-als")
    [error] = kept.errors
    assert isinstance(error, KeptLastGood)
    assert error.message.startswith("ninds-als.yaml, line 2")
    assert "the last good version is shown until this is fixed" in error.message


def test_a_deleted_document_goes_and_a_file_broken_from_the_start_stays_broken(content):
    (content / "broken.yaml").write_text("id: broken\ntitle: [\n", encoding="utf-8")
    first = load_library(content)
    assert len(first.errors) == 1
    (content / "webmd-als.yaml").unlink()
    again = keep_last_good(first, load_library(content), content)
    assert [d.id for d in again.documents] == ["ninds-als"]
    assert len(again.errors) == 1 and not isinstance(again.errors[0], KeptLastGood)


def test_a_vanished_folder_keeps_every_document(content: Path):
    good = load_library(content)
    shutil.rmtree(content)
    kept = keep_last_good(good, load_library(content), content)
    assert [d.id for d in kept.documents] == ["ninds-als", "webmd-als"]
    assert "does not exist" in kept.errors[0].message
    assert isinstance(kept.errors[0], KeptLastGood)
    content.mkdir()  # back, but empty: nothing to show is the truth now
    empty = keep_last_good(kept, load_library(content), content)
    assert empty.documents == [] and "no documents" in empty.errors[0].message


def test_a_hung_engine_is_abandoned_then_answers_again_when_it_returns(monkeypatch):
    engine = Synthesiser.shared()
    real = engine._synthesise
    release = threading.Event()

    def stuck(text, rate, voice):
        if text == "stuck":
            release.wait(10)
        return real(text, rate, voice)

    monkeypatch.setattr(synth, "SYNTHESIS_TIMEOUT_S", 0.3)
    monkeypatch.setattr(engine, "_synthesise", stuck)
    began = time.monotonic()
    with pytest.raises(EngineHung):
        engine.synthesise("stuck")
    assert time.monotonic() - began < 2
    with pytest.raises(EngineHung, match="not answering"):
        engine.synthesise("Hello there.")  # told at once, not after another wait
    release.set()
    deadline = time.monotonic() + 5
    while engine._hung:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert engine.synthesise("Hello there.").frames > 0


def test_an_engine_error_is_a_synthesis_error_with_the_reason(monkeypatch):
    engine = Synthesiser.shared()

    def crash(text, rate, voice):
        raise RuntimeError("driver crashed")

    monkeypatch.setattr(engine, "_synthesise", crash)
    with pytest.raises(SynthesisError, match="driver crashed") as caught:
        engine.synthesise("Anything.")
    assert not isinstance(caught.value, EngineHung)


def test_a_file_microphone_can_be_stopped_and_opened_again():
    frames: list[bytes] = []
    mic = FileMic([], speed=0, lead_s=0.0)
    mic.start(frames.append)
    time.sleep(0.05)
    mic.stop()
    count = len(frames)
    assert count > 0
    time.sleep(0.05)
    assert len(frames) == count, "no frames once stopped"
    mic.start(frames.append)
    time.sleep(0.05)
    assert len(frames) > count
    with pytest.raises(RuntimeError, match="already playing"):
        mic.start(frames.append)
    mic.stop()


def test_the_listener_sees_a_silent_microphone_and_listens_to_another():
    engine, _notes = open_engine("pocketsphinx")
    listener = Listener(Processor(Recogniser(engine)), FileMic([], speed=1.0),
                        lambda _event: None)
    listener.start()
    try:
        time.sleep(0.2)
        assert listener.frame_age() < 0.1, "frames every 30 ms"
        listener.stop_source()
        time.sleep(0.3)
        assert listener.frame_age() > 0.25 and not listener.running
        listener.replace_source(FileMic([], speed=1.0))
        time.sleep(0.2)
        assert listener.running and listener.frame_age() < 0.1
    finally:
        listener.stop()
