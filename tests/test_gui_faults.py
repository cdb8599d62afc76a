"""Faults in the real app under Xvfb: what a person sees and hears when the microphone or
the speakers go away and come back, the speech engine fails or hangs on a sentence, the
content is edited while the kiosk runs, or a bug raises an error in the middle of a frame.

Only the hardware these machines lack is stood in for, at the edge: a microphone that can be
unplugged (a file microphone whose frames stop, and which will not open while unplugged)
and speakers that can vanish (virtual speakers that stop being audible, as a real device's
stream ends). Everything else is the real app, real synthesis and real recognition.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest
from test_gui_reading import wait_until
from test_gui_voice import VOICE, say, voice_ready

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[1]


class FlakyMic:
    """A microphone that can be busy, unplugged and plugged back, around a file microphone.

    Unplugged, no frames arrive (as when a USB microphone is pulled out) and it cannot be
    opened; busy, it cannot be opened either (another program has it)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.plugged = True
        self.busy = False
        self.opened = 0

    def start(self, sink) -> None:
        from kiosk.voice.sources import MicError

        if not self.plugged:
            raise MicError("No microphone could be opened (no device). Plug in a microphone, "
                           "or use touch, keys or a switch.")
        if self.busy:
            raise MicError("No microphone could be opened (Device unavailable: another "
                           "program is using it).")
        self.opened += 1
        self.inner.start(lambda frame: sink(frame) if self.plugged else None)

    def stop(self) -> None:
        self.inner.stop()

    def play(self, path: Path) -> None:
        self.inner.play(path)

    @property
    def finished(self):
        return self.inner.finished


def test_a_listening_thread_that_ended_is_started_again_without_blaming_the_microphone(
        pilot):
    from kiosk.ui.voice import MIC_LOST

    voice_ready(pilot)
    app = pilot.app
    listener = app.voice.listener
    listener._frames.put(None)  # the thread ends, as if something escaped its loop
    listener._thread.join(5)
    assert not listener.alive()
    pilot.frames(3)  # the app's tick sees it
    assert listener.alive()
    assert app.notice.text != MIC_LOST and app.voice.mic_ok
    heard = len(app.voice.heard)  # and it hears: a person's "yes" (tests/data/voice/CREDITS)
    say(pilot, ROOT / "tests" / "data" / "voice" / "sc_yes_553f1a79_nohash_0.wav",
        lambda: len(app.voice.heard) > heard)


def test_the_microphone_busy_unplugged_and_back_voice_returns_by_itself(pilot, tmp_path,
                                                                     monkeypatch):
    import kiosk.logs
    from kiosk.ui.voice import MIC_BACK, MIC_LOST, NO_MIC

    # each fault here lasts seconds apart, not the flapping of a microphone that opens but
    # hands over no sound (tests/test_logs.py), so every change is announced
    monkeypatch.setattr(kiosk.logs, "FAULT_SETTLE_SECONDS", 0.5)
    voice_ready(pilot)
    app = pilot.app
    original = app.voice.source
    flaky = FlakyMic(original)
    flaky.busy = True
    try:
        app.voice.replace_source(flaky)  # another program has the microphone
        pilot.frames(2)
        assert app.voice_state_text == "Voice unavailable"
        assert app.notice.text == NO_MIC  # plain words for visitors
        assert "another program is using it" in app.voice.problem  # the reason, for staff
        flaky.busy = False
        wait_until(pilot, lambda: app.voice_state in ("listening", "reading"), 8,
                   "the microphone freed")
        assert MIC_BACK in app.notice.text

        flaky.plugged = False  # pulled out mid-session
        wait_until(pilot, lambda: app.voice_state == "unavailable", 5, "the loss noticed")
        assert app.notice.text == MIC_LOST
        assert app.voice_state_text == "Voice unavailable"
        pilot.tap("Help")  # everything else still works
        assert pilot.screen == "help"
        pilot.frames(int(4 / 0.033))  # retries fail while it is out, quietly
        assert app.voice_state == "unavailable"

        flaky.plugged = True
        wait_until(pilot, lambda: app.voice_state in ("listening", "reading"), 8,
                   "the microphone back")
        assert app.notice.text == MIC_BACK
        assert flaky.opened == 2
        path = tmp_path / "home.wav"
        import subprocess

        subprocess.run(["espeak-ng", "-v", VOICE, "-s", "150", "-w", str(path), "go home"],
                       check=True)
        # the notice is said aloud (while the kiosk speaks it hears only stop and pause)
        wait_until(pilot, lambda: app.voice_state == "reading", 5, "the notice spoken")
        wait_until(pilot, lambda: app.voice_state == "listening", 10, "the notice said")
        say(pilot, path, expect=lambda: pilot.screen == "home")
        pilot.screenshot("fault-microphone-back")
    finally:
        app.voice.replace_source(original)
        wait_until(pilot, lambda: app.voice_state == "listening", 5, "the test microphone")


def open_section(pilot, document: str = "ninds-als", number: int = 1) -> None:
    pilot.app.go("open_document", document_id=document)
    pilot.app.go("open_section", number=number)
    pilot.frames(3)
    assert pilot.screen == "reader"


def sound_in(speakers) -> bool:
    from audio_tools import is_silent

    return any(not is_silent(data) for _at, data in speakers.take())


def test_speakers_lost_while_reading_text_goes_on_and_sound_comes_back(pilot):
    from audio_tools import VirtualSpeakers

    from kiosk.speech.audio import NO_DEVICE, ClockSink
    from kiosk.speech.narrator import State
    from kiosk.ui.reading import SOUND_BACK

    class VanishingSpeakers(VirtualSpeakers):
        """Speakers whose device goes away: like DeviceSink, it then keeps time silently."""

        def vanish(self) -> None:
            self.audible = False
            self.failed = "The sound device stopped working."

        def _pull(self, fill) -> bool:
            if self.failed:
                fill(self.block_frames)  # heard by nobody
                return True
            return super()._pull(fill)

    app = pilot.app
    reading = app.reading
    speakers = VanishingSpeakers()
    reading.use_output(speakers, None)
    found = iter([(ClockSink(), NO_DEVICE), (ClockSink(), NO_DEVICE)])
    back = VirtualSpeakers()
    try:
        open_section(pilot)
        reading.toggle()
        wait_until(pilot, lambda: reading.narrator.status().state is State.READING, 5, "reading")
        wait_until(pilot, lambda: sound_in(speakers), 5, "sound from the speakers")

        reading.reopen = lambda: next(found, (back, None))
        speakers.vanish()
        wait_until(pilot, lambda: reading.no_sound is not None, 3, "the loss noticed")
        assert app.notice.text.startswith("Sound is unavailable: The sound device stopped")
        assert "still highlighted at reading pace" in app.notice.text
        assert app.reading_status.startswith("No sound")
        index = reading.narrator.status().index
        wait_until(pilot, lambda: reading.narrator.status().index > index, 12,
                   "the next sentence marked without sound")
        assert reading.narrator.status().state is State.READING
        pilot.screenshot("fault-speakers-lost")

        wait_until(pilot, lambda: reading.player.sink is back, 15, "the speakers back")
        assert reading.no_sound is None
        assert app.notice.text == SOUND_BACK
        assert not app.reading_status.startswith("No sound")
        wait_until(pilot, lambda: sound_in(back), 5, "sound from the speakers again")
        assert reading.narrator.status().state is State.READING
    finally:
        reading.stop()
        reading.reopen = None
        reading.use_output(VirtualSpeakers(), None)


def marked_indexes(pilot, until, timeout: float, what: str) -> tuple[set[int], list[str]]:
    """Sentences marked and notices shown while waiting for ``until()``."""
    indexes: set[int] = set()
    notices: list[str] = []
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        pilot.frames(1)
        index = pilot.app.reading.narrator.status().index
        if index is not None:
            indexes.add(index)
        if pilot.app.notice.text and pilot.app.notice.text not in notices:
            notices.append(pilot.app.notice.text)
        time.sleep(0.005)
    return indexes, notices


def engine_on_the_third_sentence(pilot):
    """The first section open at 250 words a minute: (the speech engine, its real synthesis
    step, the text of the section's third utterance)."""
    from kiosk.speech.synth import Synthesiser

    reading = pilot.app.reading
    open_section(pilot)
    engine = Synthesiser.shared()
    reading.narrator.set_voice(replace(reading.narrator.voice, rate=250))
    reading.narrator.wait_idle()
    return engine, engine._synthesise, reading.narrator.script[2].spoken.text


def test_a_sentence_the_speech_engine_fails_on_is_skipped_and_reading_goes_on(pilot,
                                                                              monkeypatch):
    from kiosk.speech.narrator import SENTENCE_SKIPPED

    reading = pilot.app.reading
    engine, real, bad = engine_on_the_third_sentence(pilot)

    def failing(text, rate, voice):
        if text == bad:
            raise RuntimeError("espeak-ng crashed on this sentence")
        return real(text, rate, voice)

    monkeypatch.setattr(engine, "_synthesise", failing)
    try:
        reading.narrator.read(1)
        indexes, notices = marked_indexes(
            pilot, lambda: (reading.narrator.status().index or 0) >= 4, 30, "sentence 4")
        assert 2 not in indexes and {1, 3} <= indexes
        assert SENTENCE_SKIPPED in notices
    finally:
        reading.stop()


def test_a_hung_speech_engine_is_abandoned_text_goes_on_and_speech_returns(pilot,
                                                                           monkeypatch):
    from audio_tools import is_silent

    from kiosk.speech import synth
    from kiosk.speech.narrator import SPEECH_BACK, SPEECH_DOWN

    app = pilot.app
    reading = app.reading
    speakers = reading.player.sink
    engine, real, stuck = engine_on_the_third_sentence(pilot)

    def hanging(text, rate, voice):
        if text == stuck:
            time.sleep(1.5)  # far longer than the time limit below
        return real(text, rate, voice)

    monkeypatch.setattr(synth, "SYNTHESIS_TIMEOUT_S", 0.6)
    monkeypatch.setattr(engine, "_synthesise", hanging)
    try:
        reading.narrator.read(1)
        wait_until(pilot, lambda: reading.narrator.status().index == 2, 30, "sentence 2")
        assert reading.narrator.speech_down
        # (the notice is shown on the frame after the narrator moved on)
        wait_until(pilot, lambda: app.notice.text == SPEECH_DOWN, 3, "the notice")
        speakers.take()
        began = time.monotonic()
        while time.monotonic() - began < 1.0:  # its 19 words last 4.6 s at 250 a minute
            pilot.frames(1)
        assert reading.narrator.status().index == 2, "the silent sentence is marked at pace"
        assert all(is_silent(data) for _at, data in speakers.take())
        # once the stuck sentence returns, the next sentence is spoken again (the notice
        # arrives on the next frame, after the narrator has moved on)
        notices = marked_indexes(pilot, lambda: not reading.narrator.speech_down, 30,
                                 "speech back")[1]
        wait_until(pilot, lambda: SPEECH_BACK in [*notices, app.notice.text], 5,
                   "the notice that speech is back")
        assert reading.narrator.status().index >= 3
        wait_until(pilot, lambda: sound_in(speakers), 5, "sound again")
    finally:
        reading.stop()
        monkeypatch.undo()
        reading.narrator.wait_idle()
        wait_until(pilot, lambda: not engine._hung, 5, "the engine free again")


def test_content_edited_while_running_is_loaded_and_a_mistake_keeps_the_last_good(
        pilot, tmp_path):
    from kiosk.config import Settings
    from kiosk.speech.narrator import State

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    pilot.reset(replace(Settings(), window_width=1920, window_height=1080, idle_seconds=0,
                        content_dir=content))
    app = pilot.app
    ninds = content / "ninds-als.yaml"
    text = ninds.read_text(encoding="utf-8")
    title = "title: Amyotrophic Lateral Sclerosis (ALS)"
    assert title in text
    assert "Amyotrophic Lateral Sclerosis (ALS)" in " ".join(pilot.labels())

    ninds.write_text(text.replace(title, "title: ALS, updated by the clinic"), encoding="utf-8")
    wait_until(pilot, lambda: "ALS, updated by the clinic" in " ".join(pilot.labels()), 8,
               "the edited title on Home")

    ninds.write_text("id: ninds-als\nsections: [\n", encoding="utf-8")  # a slip while editing
    webmd = content / "webmd-als.yaml"
    webmd.write_text("id: webmd-als\ntitle: [unclosed\n", encoding="utf-8")
    home = app.manager.get_screen("home")
    wait_until(pilot, lambda: "last good version" in home.ids.problems.text, 8, "the report")
    labels = " ".join(pilot.labels())
    assert "ALS, updated by the clinic" in labels, "the last good version is still offered"
    assert len(app.navigator.library.documents) == 2
    assert "could not be shown" not in home.ids.problems.text
    pilot.screenshot("fault-content-last-good")

    shutil.rmtree(content)  # the folder goes away (a drive unplugged)
    pilot.frames(int(4 / 0.033))
    assert len(app.navigator.library.documents) == 2
    assert "does not exist" in home.ids.problems.text

    content.mkdir()
    (content / "ninds-als.yaml").write_text(text, encoding="utf-8")
    wait_until(pilot, lambda: [d.id for d in app.navigator.library.documents] == ["ninds-als"],
               8, "the folder back with one document")
    assert home.ids.problems.text == ""

    # while a section is read aloud a change waits until the reading stops
    open_section(pilot)
    app.reading.toggle()
    wait_until(pilot, lambda: app.reading.narrator.status().state is State.READING, 5, "reading")
    (content / "ninds-als.yaml").write_text(text.replace(title, "title: Changed mid-reading"),
                                            encoding="utf-8")
    pilot.frames(int(4 / 0.033))
    assert app.navigator.document.title == "Amyotrophic Lateral Sclerosis (ALS)"
    assert app.reading.narrator.status().state is State.READING
    app.reading.stop()
    wait_until(pilot, lambda: app.navigator.document.title == "Changed mid-reading", 8,
               "the change after the reading stopped")
    assert pilot.screen == "reader"

    # an edit to the open section reaches Read aloud: it reads the new words
    section = app.navigator.entry.section
    edited = text.replace(title, "title: Changed mid-reading")
    assert edited.count(f"title: {section.title}\n") == 1
    (content / "ninds-als.yaml").write_text(
        edited.replace(f"title: {section.title}\n", "title: Edited by the clinic\n"),
        encoding="utf-8")
    wait_until(pilot, lambda: app.navigator.entry.section.title == "Edited by the clinic", 8,
               "the edited section")
    pilot.frames(3)
    assert pilot.screen == "reader"
    script = app.reading.narrator.script
    assert script and "Edited by the clinic" in script[0].spoken.text


def test_a_reload_that_leaves_the_open_section_as_it_was_keeps_the_reading_where_it_is(
        pilot):
    """Reloading the content (a staff Reload, another document edited) must not throw away
    a paused reading, nor say an old notice again."""
    from kiosk.speech.narrator import State

    app = pilot.app
    open_section(pilot, number=2)
    app.reading.toggle()
    wait_until(pilot, lambda: app.reading.narrator.status().state is State.READING, 5,
               "reading")
    wait_until(pilot, lambda: (app.reading.narrator.status().index or 0) >= 1, 15,
               "the first sentence after the heading")
    app.reading.toggle()
    wait_until(pilot, lambda: app.reading.narrator.status().state is State.PAUSED, 5, "paused")
    where = app.reading.narrator.status().index
    app.say_notice("An old notice.")
    app.clear_notice()
    app.reload_content()
    pilot.frames(5)
    status = app.reading.narrator.status()
    assert (status.state, status.index) == (State.PAUSED, where)
    assert app.notice.text == ""
    app.reading.stop()


def guarded_frames(pilot, count: int) -> None:
    """Frames as Kivy's own main loop runs them: an exception goes to the ExceptionManager."""
    from kivy.base import EventLoop, ExceptionManager

    for _ in range(count):
        try:
            EventLoop.idle()
        except BaseException as error:  # noqa: BLE001 - exactly what EventLoop.mainloop does
            if ExceptionManager.handle_exception(error) == ExceptionManager.RAISE:
                raise


def test_an_unexpected_error_takes_the_visitor_home_and_the_kiosk_carries_on(pilot, caplog):
    from kivy.clock import Clock

    from kiosk.ui.guard import RECOVERED

    app = pilot.app
    open_section(pilot)
    app.reading.toggle()
    errors = app.guard.errors

    def broken(_dt):
        raise ZeroDivisionError("a bug in a scheduled callback")

    Clock.schedule_once(broken, 0)
    with caplog.at_level("ERROR", logger="kiosk.ui.guard"):
        guarded_frames(pilot, 5)
    assert app.guard.errors == errors + 1
    assert pilot.screen == "home"
    assert app.notice.text == RECOVERED
    assert app.reading.narrator.status().state.value == "idle"
    assert any("ZeroDivisionError" in (r.exc_text or "") for r in caplog.records)
    pilot.tap(pilot.buttons()[0])  # and it still works
    assert pilot.screen == "contents"


def test_an_error_storm_ends_the_app_so_the_service_restarts_it(pilot):
    from kivy.base import ExceptionManager

    from kiosk.ui.guard import STORM_ERRORS, ReturnHome

    clock = [100.0]
    handler = ReturnHome(pilot.app, now=lambda: clock[0])
    answers = []
    for _ in range(STORM_ERRORS + 1):
        clock[0] += 0.1
        answers.append(handler.handle_exception(RuntimeError("again")))
    assert answers[:-1] == [ExceptionManager.PASS] * STORM_ERRORS
    assert answers[-1] == ExceptionManager.RAISE
    slow = ReturnHome(pilot.app, now=lambda: clock[0])
    for _ in range(STORM_ERRORS * 2):
        clock[0] += 1.0  # one a second is not a storm
        assert slow.handle_exception(RuntimeError("now and then")) == ExceptionManager.PASS
    pilot.frames(3)
