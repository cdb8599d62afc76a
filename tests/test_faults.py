"""Faults without a window: content edited while running, a speech engine that hangs and comes
back, a microphone that stops handing over sound and is opened again.
(What a person sees of each is in test_gui_faults.py.) At the end, in the real app (gui): a
fault retried every few seconds is logged when it starts and when it ends, and its notice
is in plain words."""

from __future__ import annotations

import logging
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


# ---- in the real app: a retried fault is logged twice, and visitors get plain words ---------

def fault_lines(caplog, what: str) -> list[tuple[str, str]]:
    """(level, message) of the kiosk's log records about ``what`` ("sound", "microphone"),
    and every warning whatever it says (a retry must not log one)."""
    return [(r.levelname, r.getMessage()) for r in caplog.records
            if r.name.startswith("kiosk.") and (r.getMessage().startswith(f"{what} ")
                                                 or r.levelno >= logging.WARNING)]


@pytest.mark.gui
def test_missing_speakers_are_logged_when_they_go_and_when_they_are_back(pilot, monkeypatch,
                                                                         caplog):
    """The speakers go; the kiosk looks for them on every check, through the real
    open_output on a machine with no sound card (PortAudio stood in for): one warning with
    the library's words, none per try, and the visitor's notice in plain words; then they
    come back: one line saying so."""
    import logging

    from audio_tools import VirtualSpeakers
    from test_gui_reading import wait_until
    from test_player import fake_sounddevice

    from kiosk.speech import audio
    from kiosk.ui import reading as reading_module

    monkeypatch.setattr(reading_module, "REOPEN_SECONDS", 0.0)  # look on every check (1 s)
    monkeypatch.setattr(audio, "load_sounddevice", lambda: fake_sounddevice([]))
    app = pilot.app
    reading = app.reading
    speakers = VirtualSpeakers()
    reading.use_output(speakers, None)
    back = VirtualSpeakers()
    back.name = "speakers (USB Audio)"
    try:
        with caplog.at_level(logging.INFO, logger="kiosk"):
            reading.reopen = lambda: audio.open_output("auto")
            speakers.audible = False
            speakers.failed = "The sound device stopped working."
            speakers.detail = "virtual speakers: the stream ended"
            wait_until(pilot, lambda: reading.sound_fault.retries >= 3, 10, "three more tries")
            assert app.notice.text.startswith("Sound is unavailable: The sound device stopped")
            assert "Error" not in app.notice.text and "stream" not in app.notice.text
            assert fault_lines(caplog, "sound") == [(
                "WARNING", "sound unavailable: the sound stopped: virtual speakers: the stream "
                "ended (trying again quietly; the log says when it works again)")]

            reading.reopen = lambda: (back, None)
            wait_until(pilot, lambda: not reading.sound_fault.active, 5, "sound back")
            pilot.frames(int(1.5 / 0.033))  # another check: nothing more to log
        lines = fault_lines(caplog, "sound")
        assert len(lines) == 2, lines
        level, message = lines[1]
        assert level == "INFO" and message.startswith("sound works again after ")
        assert message.endswith("retries): speakers (USB Audio)")
    finally:
        reading.reopen = None
        reading.use_output(VirtualSpeakers(), None)


class UnpluggedMic:
    """A microphone that is not plugged in until the test plugs it: until then, opening it
    is the real PortAudio failure (a device that does not exist); then a file microphone."""

    name = "test microphone"

    def __init__(self, inner) -> None:
        from kiosk.voice.sources import DeviceMic

        self.missing = DeviceMic("no such microphone")
        self.inner = inner
        self.plugged = False
        self.tries = 0

    def start(self, sink) -> None:
        self.tries += 1
        (self.inner if self.plugged else self.missing).start(sink)

    def stop(self) -> None:
        self.inner.stop()


@pytest.mark.gui
def test_no_microphone_at_start_is_said_plainly_and_logged_once(pilot, monkeypatch, caplog):
    """Started without a microphone: the visitor reads plain words (no PortAudio text), the
    log gets what PortAudio said once, not on each try every few seconds, and one line when
    the microphone works."""
    from test_gui_reading import wait_until
    from voice_tools import another_voice

    from kiosk.ui import voice as voice_module
    from kiosk.ui.voice import NO_MIC
    from kiosk.voice.sources import FileMic

    monkeypatch.setattr(voice_module, "MIC_RETRY_SECONDS", 0.2)
    app = pilot.app
    mic = UnpluggedMic(FileMic([], speed=1.0))
    with caplog.at_level(logging.INFO, logger="kiosk"), another_voice(pilot, mic):
        wait_until(pilot, lambda: app.voice_state == "unavailable", 20, "voice unavailable")
        assert app.notice.text == NO_MIC
        assert "(" not in app.notice.text and "device" not in app.notice.text.lower()
        pilot.screenshot("fault-no-microphone")
        wait_until(pilot, lambda: mic.tries >= 5, 5, "four more tries")
        lines = fault_lines(caplog, "microphone")
        assert len(lines) == 1, lines
        assert lines[0][0] == "WARNING"
        assert lines[0][1].startswith("microphone unavailable: No microphone could be "
                                      "opened (")

        mic.plugged = True
        wait_until(pilot, lambda: app.voice.mic_ok, 5, "the microphone plugged in")
        lines = fault_lines(caplog, "microphone")
    assert len(lines) == 2, lines
    assert lines[1][0] == "INFO" and lines[1][1].startswith("microphone works again after")
