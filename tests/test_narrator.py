"""The reading session without a window: real synthesis, a sink paced like a sound card.

The player and its sink run on a FakeClock that each test moves on, so a second of reading
takes no second of waiting; the real-time pacing is checked in test_player and the GUI tier.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from audio_tools import FakeClock, VirtualSpeakers, is_silent

from kiosk.content import load_library
from kiosk.speech.audio import ClockSink
from kiosk.speech.clip import Clip
from kiosk.speech.lexicon import load_lexicon
from kiosk.speech.narrator import (
    Narrator,
    NarratorEvent,
    State,
    Told,
    Voice,
    silent_clip,
    with_pause,
)
from kiosk.speech.player import Player
from kiosk.speech.script import HEADING, build_script
from kiosk.speech.synth import SynthesisError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def document():
    library = load_library(ROOT / "content")
    return next(d for d in library.documents if d.id == "ninds-als")


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()[0]


class Events:
    def __init__(self) -> None:
        self.seen: list[NarratorEvent] = []

    def __call__(self, event: NarratorEvent) -> None:
        self.seen.append(event)

    def told(self, problem: bool | None = None) -> list[str]:
        return [e.message for e in self.seen if isinstance(e, Told)
                and (problem is None or e.problem == problem)]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


FAST = Voice(rate=250)


def make(clock: FakeClock, synthesise, sink=None, voice=FAST):
    """A narrator whose player and sink (virtual speakers by default) run on ``clock``;
    ``synthesise`` is the real synthesiser's, or None for silent clips at reading pace."""
    sink = sink or VirtualSpeakers(clock)
    events = Events()
    narrator = Narrator(Player(sink, clock=clock), synthesise, events, voice)
    return narrator, sink, events


def test_without_sound_the_words_still_advance_at_reading_pace(document, lexicon, clock,
                                                               synthesiser):
    narrator, _sink, events = make(clock, synthesiser.synthesise, sink=ClockSink(clock=clock),
                                   voice=Voice(rate=150))
    script = build_script(document.entries[0], lexicon)
    narrator.load("s1", script)
    narrator.read()
    clock.run_until(lambda: narrator.status().index == 1, "the first sentence")
    first, at = narrator.status().word, narrator._player.position_ms
    clock.advance(1.0)
    later = narrator.status()
    assert later.index == 1 and later.word[0] > first[0], "the highlight did not move on"
    assert narrator._player.position_ms - at == pytest.approx(1000, abs=30), \
        "a second of reading did not move the place on by a second of speech"
    narrator.close()


def test_without_a_speech_engine_reading_still_goes_at_pace(document, lexicon, clock):
    narrator, sink, events = make(clock, None, voice=Voice(rate=250))
    script = build_script(document.entries[0], lexicon)
    narrator.load("s1", script)
    narrator.read(1)
    clock.run_until(lambda: narrator.status().word is not None, "the first word")
    start = narrator.status().word
    clock.advance(0.8)
    assert narrator.status().word != start
    assert all(is_silent(data) for _at, data in sink.take())
    narrator.close()


def test_a_sentence_the_engine_cannot_say_is_skipped_with_a_notice(document, lexicon, clock,
                                                                  synthesiser):
    real = synthesiser.synthesise
    script = build_script(document.entries[0], lexicon)

    def flaky(text, rate, voice, cancel=None):
        if text == script[1].spoken.text:
            raise SynthesisError("broken")
        return real(text, rate, voice, cancel)

    narrator, _sink, events = make(clock, flaky)
    narrator.load("s1", script)
    narrator.read(1)
    clock.run_until(lambda: narrator.status().index == 2, "the sentence after the broken one")
    assert any("could not be spoken" in message for message in events.told(problem=True))
    narrator.close()


def test_stop_is_silent_at_once_and_forgets_the_place(document, lexicon, clock, synthesiser):
    narrator, sink, _events = make(clock, synthesiser.synthesise)
    narrator.load("s1", build_script(document.entries[0], lexicon))
    narrator.read()
    clock.run_until(lambda: sink.last_sound_at() is not None, "sound")
    clock.advance(0.1)
    stopped = clock()
    narrator.stop()
    narrator.wait_idle()
    clock.advance(0.2)
    assert sink.last_sound_at() <= stopped, "sound went on after stop"
    status = narrator.status()
    assert (status.state, status.index, status.word) == (State.IDLE, None, None)
    narrator.close()


def test_a_speed_change_applies_from_the_next_sentence(document, lexicon, clock, synthesiser):
    narrator, _sink, _events = make(clock, synthesiser.synthesise, voice=Voice(rate=120))
    script = build_script(document.entries[0], lexicon)
    narrator.load("s1", script)
    narrator.read(1)
    clock.run_until(lambda: narrator.status().index == 1, "the first sentence")
    slow = narrator._player.clip.duration_ms
    narrator.change_rate(+5)  # 120 -> 220
    narrator.next_sentence()
    narrator.previous_sentence()  # the same sentence again, now faster
    narrator.wait_idle()
    clock.run_until(lambda: narrator.status().index == 1, "the sentence again")
    assert narrator.voice.rate == 220
    assert narrator._player.clip.duration_ms < slow * 0.75
    narrator.close()


def test_limits_are_said_plainly(clock):
    narrator, _sink, events = make(clock, None, voice=Voice(rate=240, volume=1.0))
    narrator.change_rate(+1)
    narrator.change_rate(+1)
    narrator.change_volume(+1)
    narrator.wait_idle()
    messages = events.told(problem=False)
    assert messages == ["Reading is already as fast as it goes.",
                        "The sound is already as loud as it goes."]
    assert narrator.voice.rate == 250
    narrator.close()


def test_quieter_stops_short_of_silence(clock):
    narrator, _sink, _events = make(clock, None, voice=Voice(volume=0.4))
    for _ in range(5):
        narrator.change_volume(-1)
    narrator.wait_idle()
    assert narrator.voice.volume == 0.2
    assert narrator._player.volume == 0.2
    narrator.close()


def test_read_from_a_paragraph_starts_at_its_first_sentence(document, lexicon, clock):
    narrator, _sink, _events = make(clock, None)
    script = build_script(document.entries[0], lexicon)
    narrator.load("s1", script)
    narrator.read_from((2, 0))
    clock.run_until(lambda: narrator.status().index is not None, "reading")
    utterance = script[narrator.status().index]
    assert utterance.target == (2, 0) and utterance.start == 0
    narrator.close()


def test_the_heading_comes_first_and_list_items_end_with_a_pause(document, lexicon):
    entry = next(e for e in document.entries if any(b.kind == "list" for b in e.section.blocks))
    script = build_script(entry, lexicon)
    assert script[0].target == HEADING and script[0].display == entry.section.title
    items = [u for u in script[1:] if entry.section.blocks[u.target[0]].kind == "list"]
    last_of_each = {u.target: u for u in items}.values()
    assert len(last_of_each) >= 2
    assert all(u.pause_ms >= 300 for u in last_of_each)


def test_pauses_and_silent_clips_have_the_length_asked_for():
    clip = Clip(bytes(2205 * 2))
    assert with_pause(clip, 500).duration_ms == pytest.approx(600, abs=1)
    silent = silent_clip("one two three", 120)
    assert [w.start_ms for w in silent.words] == [0, 500, 1000]
    assert silent.duration_ms == pytest.approx(2000, abs=5)


def test_moving_on_stops_the_next_sentence_being_prepared(document, lexicon, clock,
                                                          synthesiser):
    """The natural voice takes up to a second for a long sentence; while the narrator
    prepares the next one, a reader who moves to another section must not wait for it."""
    from kiosk.speech.natural import NATURAL

    real = synthesiser.synthesise
    first = build_script(document.entries[0], lexicon)
    other = build_script(document.entries[1], lexicon)
    longest = max(range(1, len(first)), key=lambda i: len(first[i].spoken.text))
    preparing = threading.Event()
    asked: list[tuple[str, object]] = []

    def watching(text, rate, voice, cancel=None):
        asked.append((text, cancel))
        if cancel is not None and text == first[longest].spoken.text:
            preparing.set()
        return real(text, rate, voice, cancel)

    narrator, _sink, events = make(clock, watching, voice=Voice(rate=150, voice=NATURAL))
    narrator.load("s1", first)
    narrator.read(longest - 1)  # the longest sentence is prepared while this one plays
    assert preparing.wait(10), "the next sentence was not prepared"
    narrator.load("s2", other)
    narrator.read()
    clock.run_until(lambda: narrator.status().key == "s2"
                    and narrator.status().state is State.READING, "the other section read")
    prepared = [cancel for text, cancel in asked if text == first[longest].spoken.text]
    assert prepared and prepared[0].cancelled, "the sentence no longer wanted was finished"
    assert events.told(problem=True) == [], "a cancelled sentence was reported as a fault"
    narrator.close()


def test_a_section_shown_has_its_heading_ready_before_read_is_pressed(document, lexicon, clock,
                                                                      synthesiser):
    asked: list[str] = []

    def watching(text, rate, voice, cancel=None):
        asked.append(text)
        return synthesiser.synthesise(text, rate, voice, cancel)

    narrator, _sink, _events = make(clock, watching)
    script = build_script(document.entries[0], lexicon)
    narrator.load("s1", script)
    assert narrator.wait_idle()
    assert asked == [script[0].spoken.text], "the heading was not prepared when shown"
    narrator.read()
    clock.run_until(lambda: narrator.status().state is State.READING, "reading")
    assert asked.count(script[0].spoken.text) == 1, "the heading was synthesised again"
    narrator.close()
