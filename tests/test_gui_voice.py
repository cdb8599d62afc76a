"""Voice commands end to end in the real app under Xvfb: espeak-ng speaks each command into
a file microphone (the same path as a real microphone), the default engine (Whisper tiny.en)
hears it, and the kiosk acts; recordings of real people (tests/data/voice) drive it too, and
one test swaps in the PocketSphinx fallback. Assertions are about what a person sees: the
screen, the caption, the reading.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from test_gui_reading import wait_until
from voice_tools import another_voice

pytestmark = pytest.mark.gui

VOICE = "en-us+klatt2"


@pytest.fixture(scope="module")
def said(tmp_path_factory):
    """said("next section") -> a WAV of espeak-ng saying it (made once per phrase)."""
    folder = tmp_path_factory.mktemp("said")
    made: dict[str, Path] = {}

    def make(text: str) -> Path:
        if text not in made:
            path = folder / f"{len(made):03d}.wav"
            subprocess.run(["espeak-ng", "-v", VOICE, "-s", "150", "-w", str(path), text],
                           check=True)
            made[text] = path
        return made[text]

    return make


def voice_ready(pilot) -> None:
    wait_until(pilot, lambda: pilot.app.voice.listener is not None, 20, "the voice engine")


def say(pilot, path: Path, expect=None, timeout: float = 15.0) -> None:
    """Play a WAV into the microphone; wait until it has been heard (and ``expect()``)."""
    mic = pilot.app.voice.source
    before = len(pilot.app.voice.heard)
    mic.play(path)
    wait_until(pilot, lambda: mic.finished.is_set(), timeout, f"{path.name} to be played")
    if expect is not None:
        wait_until(pilot, expect, 5, f"the kiosk to act on {path.name}")
    else:
        pilot.frames(10)
    return len(pilot.app.voice.heard) - before


def test_spoken_journey_home_document_section_read_stop(pilot, said):
    from kiosk.speech.narrator import State

    voice_ready(pilot)
    assert pilot.app.voice_state == "listening"
    assert pilot.screen == "home"

    say(pilot, said("open one"), lambda: pilot.screen == "contents")
    assert pilot.view.document_id == pilot.app.navigator.library.documents[0].id
    assert "Heard: \u201copen one\u201d" in pilot.app.heard_caption

    say(pilot, said("open three"), lambda: pilot.screen == "reader")
    assert pilot.view.section_number == 3

    say(pilot, said("next section"), lambda: pilot.view.section_number == 4)
    assert "Next section" in pilot.app.heard_caption

    narrator = pilot.app.reading.narrator
    say(pilot, said("read aloud"), lambda: narrator.status().state is State.READING)
    wait_until(pilot, lambda: pilot.app.voice_state == "reading", 3, "the barge-in state")

    say(pilot, said("stop"), lambda: narrator.status().state is State.IDLE)
    assert pilot.screen == "reader" and pilot.view.section_number == 4
    pilot.screenshot("voice-heard-stop")


def test_section_by_name_and_back_home(pilot, said):
    voice_ready(pilot)
    pilot.tap(pilot.buttons()[0])  # the first document's Contents
    pilot.frames(3)
    document = pilot.app.navigator.document
    entry = next(e for e in document.entries if "clinical trials" in e.section.aliases)
    say(pilot, said("go to clinical trials"), lambda: pilot.view.section_number == entry.number)
    # on the Reader a title alone is no command (only after "open" or "go to")
    stem = next(e for e in document.entries if e.section.title == "Stem cells")
    decoded = pilot.app.voice.utterances
    say(pilot, said("stem cells"))
    wait_until(pilot, lambda: pilot.app.voice.utterances > decoded, 5, "the title to be heard")
    pilot.frames(5)
    assert pilot.screen == "reader" and pilot.view.section_number == entry.number
    say(pilot, said("go to stem cells"), lambda: pilot.view.section_number == stem.number)
    say(pilot, said("go home"), lambda: pilot.screen == "home")


def test_a_title_alone_opens_its_section_from_contents(pilot, said):
    voice_ready(pilot)
    document = pilot.app.navigator.library.documents[0]
    pilot.app.go("open_document", document_id=document.id)
    pilot.frames(3)
    assert pilot.screen == "contents"
    entry = next(e for e in document.entries if "clinical trials" in e.section.aliases)
    say(pilot, said("clinical trials"), lambda: pilot.screen == "reader")
    assert pilot.view.section_number == entry.number


def test_while_reading_only_stop_and_pause_are_obeyed(pilot, said):
    from kiosk.speech.narrator import State

    voice_ready(pilot)
    pilot.app.go("open_document", document_id=pilot.app.navigator.library.documents[0].id)
    pilot.app.go("open_section", number=2)
    pilot.frames(3)
    narrator = pilot.app.reading.narrator
    pilot.app.reading.toggle()
    wait_until(pilot, lambda: pilot.app.voice_state == "reading", 5, "reading")
    say(pilot, said("next section"))
    assert pilot.view.section_number == 2, "a command other than stop/pause acted mid-reading"
    assert narrator.status().state is State.READING
    say(pilot, said("pause"), lambda: narrator.status().state is State.PAUSED)
    assert "Paused" in pilot.app.heard_caption
    pilot.app.reading.stop()


def test_help_lists_what_can_be_said_here(pilot, said):
    voice_ready(pilot)
    pilot.app.go("open_document", document_id=pilot.app.navigator.library.documents[0].id)
    pilot.app.go("open_section", number=1)
    pilot.frames(3)
    say(pilot, said("what can i say"), lambda: pilot.screen == "help")
    from kiosk.ui.widgets import strip_markup

    body = pilot.app.manager.get_screen("help").ids.body
    text = " ".join(strip_markup(w.text) for w in reversed(body.children))
    assert "What you can say on the reading screen" in text
    for phrase in ("next section", "read aloud", "stop", "table of contents", "slow down"):
        assert f"\u201c{phrase}\u201d" in text, phrase
    pilot.screenshot("voice-help")
    pilot.app.reading.stop()


def test_push_to_talk_hears_only_while_held(pilot, said):
    from kiosk.voice.listener import Mode

    voice_ready(pilot)
    pilot.app.voice.set_mode(Mode.PUSH_TO_TALK)
    pilot.frames(3)
    assert pilot.app.voice_state == "hold"
    from kivy.tests.common import UnitTestTouch

    talk = next(c for c in pilot.app.root.children if "talk" in c.ids).ids.talk
    assert talk.opacity == 1 and talk.width >= pilot.app.button_h
    assert say(pilot, said("what can i say")) == 0, "heard while the button was not held"
    assert pilot.screen == "home"
    touch = UnitTestTouch(*talk.to_window(*talk.center))
    touch.touch_down()
    pilot.frames(2)
    assert pilot.app.voice_state == "talking"
    say(pilot, said("what can i say"))
    touch.touch_up()
    wait_until(pilot, lambda: pilot.screen == "help", 5, "help after the button is let go")
    pilot.app.voice.set_mode(Mode.ALWAYS)


def test_the_kiosks_own_reading_heard_by_its_microphone_fires_nothing(pilot, tmp_path):
    """The kiosk reads a section aloud while its microphone hears that same reading (as in
    a room, the speakers next to the microphone): no command may fire, reading goes on."""
    import wave

    from kiosk.speech.narrator import State

    voice_ready(pilot)
    document = pilot.app.navigator.library.documents[0]
    rendered = tmp_path / "section.wav"
    subprocess.run([sys.executable, "-m", "kiosk", "speak", document.id, "2", "--out",
                    str(rendered)], check=True, capture_output=True)
    with wave.open(str(rendered)) as source:
        rate = source.getframerate()
        pcm = source.readframes(rate * ECHO_SECONDS)
    echo = tmp_path / "echo.wav"
    with wave.open(str(echo), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)

    pilot.app.go("open_document", document_id=document.id)
    pilot.app.go("open_section", number=2)
    pilot.frames(3)
    narrator = pilot.app.reading.narrator
    heard_before = len(pilot.app.voice.heard)
    decoded_before = pilot.app.voice.utterances
    pilot.app.reading.toggle()
    wait_until(pilot, lambda: narrator.status().state is State.READING, 5, "reading")
    mic = pilot.app.voice.source
    mic.play(echo)
    wait_until(pilot, lambda: mic.finished.is_set(), ECHO_SECONDS + 10, "the echo to play")
    # the last stretches of the echo may still be decoding when the file ends
    wait_until(pilot, lambda: pilot.app.voice.utterances - decoded_before >= 3, 10,
               "the echo to be decoded")
    assert len(pilot.app.voice.heard) == heard_before, [
        e.heard.text for e in pilot.app.voice.heard[heard_before:]]
    assert narrator.status().state is State.READING
    assert pilot.view.section_number == 2
    pilot.app.reading.stop()


ECHO_SECONDS = 25


def test_no_microphone_says_voice_is_unavailable_and_touch_still_works(pilot):
    from kiosk.voice.sources import DeviceMic

    voice_ready(pilot)
    app = pilot.app
    # a microphone device that does not exist: the real sounddevice path fails to open it
    with another_voice(pilot, DeviceMic("no such microphone")):
        wait_until(pilot, lambda: app.voice_state == "unavailable", 20, "voice unavailable")
        assert "Voice commands are not available" in app.notice.text
        assert "Touch, keys and switches still work" in app.notice.text
        assert app.voice_state_text == "Voice unavailable"
        pilot.tap("Help")
        assert pilot.screen == "help"


def test_a_recogniser_that_fails_to_load_is_shown_and_logged(pilot, monkeypatch, caplog):
    """Loading happens on a background thread after Home is shown; a failure there (a
    damaged model, too little memory, any engine) must reach the visitor and the log."""
    import kiosk.voice.recogniser as recogniser

    def damaged(kind="auto", models_dir=None):
        raise RuntimeError("the acoustic model is damaged")

    voice_ready(pilot)
    monkeypatch.setattr(recogniser, "open_engine", damaged)
    app = pilot.app
    with another_voice(pilot, app.voice.source):
        wait_until(pilot, lambda: app.voice_state == "unavailable", 10, "voice unavailable")
        assert app.voice_state_text == "Voice unavailable"
        assert "Voice commands are not available" in app.notice.text
        assert "acoustic model" not in app.notice.text, "visitors get plain words only"
        assert "Staff: run kiosk doctor" in app.notice.text
        assert "the acoustic model is damaged" in app.voice.problem  # kept for staff
        logged = [r for r in caplog.records if "loading the recogniser failed" in r.getMessage()]
        assert logged and logged[0].exc_info, "the failure and its traceback must be logged"
        pilot.tap("Help")
        assert pilot.screen == "help"


def test_a_hung_recogniser_is_reported_and_choices_made_meanwhile_hold(pilot, monkeypatch):
    """A recogniser that hangs while loading must not leave "Voice: starting" on screen for
    ever; and a listening mode chosen while it loads is the one used once it has loaded."""
    import threading

    import kiosk.ui.voice as ui_voice
    import kiosk.voice.recogniser as recogniser
    from kiosk.voice.modes import Mode

    voice_ready(pilot)
    real_open, release = recogniser.open_engine, threading.Event()

    def hung(kind="auto", models_dir=None):
        release.wait(30)
        return real_open(kind, models_dir)

    monkeypatch.setattr(recogniser, "open_engine", hung)
    monkeypatch.setattr(ui_voice, "LOAD_TIMEOUT_SECONDS", 1.0)
    app = pilot.app
    try:
        with another_voice(pilot, app.voice.source):
            assert app.voice_state == "loading"
            wait_until(pilot, lambda: app.voice_state == "unavailable", 10, "voice unavailable")
            assert "Voice commands are not available" in app.notice.text
            assert "still loading" in app.voice.problem
            app.voice.set_mode(Mode.OFF)  # the visitor turns voice off while it still loads
            assert app.voice_state == "off"
            release.set()  # it loads after all: voice starts, in the mode chosen meanwhile
            wait_until(pilot, lambda: app.voice.listener is not None, 20, "listener")
            assert app.voice.listener.processor.mode is Mode.OFF
            assert app.voice_state == "off"
    finally:
        release.set()


def test_level_meter_moves_with_speech_and_rests_in_silence(pilot, said):
    voice_ready(pilot)
    mic = pilot.app.voice.source
    levels = []
    mic.play(said("the weather is nice today and the coffee is hot"))
    while not mic.finished.is_set():
        pilot.frames(1)
        levels.append(pilot.app.voice_level)
    pilot.frames(10)
    assert max(levels) > 0.4
    assert pilot.app.voice_level < 0.1


PEOPLE = Path(__file__).resolve().parent / "data" / "voice"
"""Recordings of real people (credits in tests/data/voice/CREDITS)."""


@contextlib.contextmanager
def engine_in_use(pilot, name: str):
    """The session's listener decodes with engine ``name`` inside the block (swapped on the
    listener's own thread: one microphone, one listener), then with its usual one again."""
    from kiosk.voice.recogniser import Recogniser, open_engine

    processor = pilot.app.voice.listener.processor
    usual = processor.recogniser
    engine, _notes = open_engine(name)
    assert engine.name == name
    swapped = threading.Event()

    def use(recogniser) -> None:
        processor.recogniser = recogniser
        swapped.set()

    pilot.app.voice.listener.call(lambda: use(Recogniser(engine)))
    assert swapped.wait(10), f"the listener took the {name} engine"
    try:
        yield
    finally:
        swapped.clear()
        pilot.app.voice.listener.call(lambda: use(usual))
        swapped.wait(10)
        engine.close()


def test_real_people_drive_the_reader_through_the_default_whisper_engine(pilot):
    """The default engine (Whisper) in the real app, on recordings of real people: "three"
    opens section 3, "down" scrolls, another word ("happy") does nothing, and "stop" stops
    the reading."""
    from kiosk.speech.narrator import State

    voice_ready(pilot)
    app = pilot.app
    assert app.voice.listener.processor.recogniser.engine.name == "whisper"
    app.go("open_document", document_id=app.navigator.library.documents[0].id)
    app.go("open_section", number=1)
    pilot.frames(3)
    assert pilot.screen == "reader"

    say(pilot, PEOPLE / "fsdd_three_3_lucas_38.wav", lambda: pilot.view.section_number == 3)
    scroll = app.manager.current_screen.ids.scroll
    assert scroll.scroll_y == 1.0
    say(pilot, PEOPLE / "sc_down_95ba4996_nohash_1.wav", lambda: scroll.scroll_y < 1.0)

    heard, decoded = len(app.voice.heard), app.voice.utterances
    say(pilot, PEOPLE / "sc_happy_happy_8494fba8_nohash_0.wav")
    wait_until(pilot, lambda: app.voice.utterances > decoded, 5, "the other word decoded")
    pilot.frames(5)
    assert len(app.voice.heard) == heard and pilot.view.section_number == 3

    narrator = app.reading.narrator
    pilot.tap("Read aloud")
    try:
        wait_until(pilot, lambda: narrator.status().state is State.READING, 5, "reading")
        say(pilot, PEOPLE / "sc_stop_ffb86d3c_nohash_3.wav",
            lambda: narrator.status().state is State.IDLE)
        assert "Stopped" in app.heard_caption
    finally:
        app.reading.stop()


def test_pocketsphinx_still_drives_the_kiosk_when_whisper_is_missing(pilot, said):
    """The built-in fallback engine in the real app: a drug name said alone on Contents
    opens its section (PocketSphinx knows "riluzole"; Whisper tiny.en does not), and
    "go home" goes home."""
    voice_ready(pilot)
    document = pilot.app.navigator.library.documents[0]
    with engine_in_use(pilot, "pocketsphinx"):
        pilot.app.go("open_document", document_id=document.id)
        pilot.frames(3)
        entry = next(e for e in document.entries if "riluzole" in e.section.aliases)
        say(pilot, said("riluzole"), lambda: pilot.screen == "reader")
        assert pilot.view.section_number == entry.number
        say(pilot, said("go home"), lambda: pilot.screen == "home")
