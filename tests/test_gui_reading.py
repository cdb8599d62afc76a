"""Reading aloud in the real app under Xvfb: real pyttsx3 speech into virtual speakers.

The virtual speakers (tests/audio_tools.py) stand in for a sound card: they take audio at
the pace a sound card would and keep it, so these tests check what a person would hear and
see at the same moment.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from audio_tools import is_silent, speech_onsets

from kiosk.speech.natural import NATURAL

pytestmark = pytest.mark.gui

FRUIT = "Apple, banana, cherry, damson, elderberry, fig, grape."
TWO_SECTIONS = f"""\
id: fruit
title: Fruit and vegetables
spoken_title: the fruit list
source:
  publisher: Test kitchen
sections:
- id: fruit
  title: Fruit
  blocks:
  - paragraph: {FRUIT}
- id: vegetables
  title: Vegetables
  blocks:
  - paragraph: Leeks are long. Onions are round.
  - list:
    - Carrots grow underground.
    - Peas grow in pods.
"""


def wait_until(pilot, predicate, timeout: float = 10.0, what: str = "") -> None:
    """Run frames until ``predicate()`` is true, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what or predicate}"
        pilot.frames(1)
        time.sleep(0.005)


def marked(pilot) -> tuple[str | None, str | None]:
    """(sentence, word) the Reader shows as being read, as plain text."""
    for label in pilot.app.manager.get_screen("reader").texts.values():
        if label.marked is not None:
            (s_start, s_end), word = label.marked
            text = label.source.full
            return text[s_start:s_end], text[word[0]:word[1]] if word else None
    return None, None


def released_at(button) -> list[float]:
    """A list that gets the moment ``button`` is released (when a press takes effect)."""
    moments: list[float] = []
    button.bind(on_release=lambda *_: moments.append(time.monotonic()))
    return moments


def open_fruit(pilot, tmp_path: Path, **settings) -> None:
    from kiosk.config import Settings

    (tmp_path / "fruit.yaml").write_text(TWO_SECTIONS, encoding="utf-8")
    pilot.reset(replace(Settings(), window_width=1920, window_height=1080,
                        content_dir=tmp_path, **settings))
    pilot.app.go("open_document", document_id="fruit")
    pilot.app.go("open_section", number=1)
    pilot.frames(3)


@pytest.fixture
def speakers(pilot):
    speakers = pilot.app.reading.player.sink
    speakers.take()
    return speakers


def test_read_aloud_speaks_and_marks_heading_then_sentence(pilot, speakers, tmp_path):
    open_fruit(pilot, tmp_path)
    assert pilot.labels()[0] == "Read aloud"
    pilot.tap("Read aloud")
    wait_until(pilot, lambda: marked(pilot)[0] == "Fruit", what="heading marked")
    assert pilot.button("Pause")
    wait_until(pilot, lambda: marked(pilot)[0] == FRUIT, what="sentence marked")
    wait_until(pilot, lambda: marked(pilot)[1] == "cherry", what="word cherry marked")
    pilot.screenshot("reader-reading")
    heard = b"".join(data for _at, data in speakers.take())
    assert not is_silent(heard), "no speech reached the speakers"


ONSETS = {
    "gmw/en-us": {},
    NATURAL: {"min_gap_ms": 150, "threshold": 50.0},
}
"""How each word's start is found in the sound: after a quiet gap, above a level. Piper's
voice has quiet gaps inside words too ("Ap-ple", the release of "grape") and soft starts
("fig"); its commas give gaps of 150 ms and more (one onset per word in 10 of 10 readings)."""


@pytest.mark.parametrize("voice", ["gmw/en-us", NATURAL])
def test_marked_word_is_the_word_being_heard(pilot, speakers, tmp_path, voice):
    """Sample the highlight while the sentence plays; check it against the audio heard."""
    open_fruit(pilot, tmp_path, read_on=False, voice=voice)
    pilot.tap("Read aloud")
    samples: list[tuple[float, str | None]] = []
    wait_until(pilot, lambda: marked(pilot)[0] == FRUIT, what="sentence marked")
    while marked(pilot)[0] == FRUIT:
        pilot.frames(1)
        samples.append((time.monotonic(), marked(pilot)[1]))
        time.sleep(0.01)
    time.sleep(0.2)
    blocks = speakers.take()
    heard = b"".join(data for _at, data in blocks)
    # Where each word starts in what was heard, from the sound itself: the heading is the
    # first sound, then each word of the sentence starts after the pause of a comma.
    starts = speech_onsets(heard, 22050, **ONSETS[voice])
    words = ["Fruit", *[w.strip(",.") for w in FRUIT.split()]]
    assert len(starts) == len(words), starts
    block_ms = 1000 * len(blocks[0][1]) / 2 / 22050
    latency = speakers.latency_ms / 1000
    checked = 0
    for at, word in samples:
        if word is None:
            continue
        position = sum(1 for t, _ in blocks if t <= at - latency) * block_ms
        near = {words[i] for i, start in enumerate(starts)
                for p in (position - 150, position, position + 150)
                if start <= p and (i + 1 == len(starts) or p < starts[i + 1])}
        assert word in near, f"at {position:.0f} ms heard {near}, marked {word}"
        checked += 1
    assert checked >= 20


def test_pause_resume_and_stop_silence_at_once(pilot, speakers, tmp_path):
    open_fruit(pilot, tmp_path)
    pilot.tap("Read aloud")
    wait_until(pilot, lambda: marked(pilot)[1] == "banana", what="banana")
    pressed = released_at(pilot.button("Pause"))
    pilot.tap("Pause")
    pilot.frames(3)
    time.sleep(0.3)
    last = speakers.last_sound_at()
    assert last is not None and last - pressed[0] < 0.1, "sound went on after Pause"
    word = marked(pilot)
    assert word[1] in ("banana", "cherry") and pilot.button("Resume")
    time.sleep(0.3)
    pilot.frames(3)
    assert marked(pilot) == word, "the place moved while paused"
    pilot.tap("Resume")
    wait_until(pilot, lambda: marked(pilot)[1] == "damson", what="reading on after Resume")
    pilot.open_more()  # Stop is among the other reading controls; reading goes on
    pressed = released_at(pilot.button("Stop"))
    pilot.tap("Stop")
    time.sleep(0.3)
    pilot.frames(3)
    assert speakers.last_sound_at() - pressed[0] < 0.1, "sound went on after Stop"
    assert marked(pilot) == (None, None)
    assert pilot.button("Read aloud")


def test_sentence_keys_skip_back_and_repeat(pilot, speakers, tmp_path):
    # the slowest speed: the first word's mark after Repeat lasts 0.75 s, which slow frames
    # on a busy machine still see (at 150 words a minute it was missed now and then)
    open_fruit(pilot, tmp_path, speech_rate=80)
    pilot.app.go("next")
    pilot.frames(3)
    pilot.tap("Read aloud")
    wait_until(pilot, lambda: marked(pilot)[0] == "Vegetables", what="heading")
    pilot.app._reading_key(".", [])
    wait_until(pilot, lambda: marked(pilot)[0] == "Leeks are long.", what="next sentence")
    pilot.app._reading_key(".", [])
    wait_until(pilot, lambda: marked(pilot)[0] == "Onions are round.", what="next sentence")
    pilot.app._reading_key(",", [])
    wait_until(pilot, lambda: marked(pilot)[0] == "Leeks are long.", what="previous sentence")
    pilot.tap("Repeat")
    wait_until(pilot, lambda: marked(pilot)[1] == "Leeks", what="repeat from the start")
    pilot.tap("Stop")


def test_reading_goes_on_into_the_next_section(pilot, speakers, tmp_path):
    open_fruit(pilot, tmp_path, speech_rate=250)
    pilot.tap("Read aloud")
    wait_until(pilot, lambda: pilot.view.section_number == 2, timeout=15, what="next section")
    wait_until(pilot, lambda: marked(pilot)[0] == "Vegetables", what="new heading read")
    wait_until(pilot, lambda: marked(pilot)[0] == "Carrots grow underground.", timeout=15,
               what="list item read")
    pilot.tap("Stop")


def test_touching_a_paragraph_reads_from_there(pilot, speakers, tmp_path):
    open_fruit(pilot, tmp_path)
    pilot.app.go("next")
    pilot.frames(3)
    item = pilot.app.manager.get_screen("reader").texts[(1, 1)]
    from kiosk_pilot import visible_rect
    from kivy.tests.common import UnitTestTouch

    x0, y0, x1, y1 = visible_rect(item)
    touch = UnitTestTouch((x0 + x1) / 2, (y0 + y1) / 2)
    touch.touch_down()
    pilot.frames(2)
    touch.touch_up()
    wait_until(pilot, lambda: marked(pilot)[0] == "Peas grow in pods.", what="read from touch")
    pilot.tap("Stop")


def test_speed_and_volume_buttons_change_what_is_heard(pilot, speakers, tmp_path):
    open_fruit(pilot, tmp_path)
    status = pilot.app.manager.get_screen("reader").ids.reading_status
    assert "Speed 150 words a minute" in status.text and "Volume 80%" in status.text
    pilot.tap("Faster")
    pilot.tap("Faster")
    pilot.tap("Quieter")
    wait_until(pilot, lambda: "Speed 190" in status.text and "Volume 60%" in status.text,
               what="status shows the new speed and volume")
    voice = pilot.app.reading.narrator.voice
    assert (voice.rate, voice.volume) == (190, 0.6)
    pilot.app.apply_clinic_defaults()  # the next visitor gets the clinic's speed and volume
    wait_until(pilot, lambda: "Speed 150" in status.text and "Volume 80%" in status.text,
               what="reset to clinic defaults")


def test_step_mode_waits_after_each_sentence(pilot, speakers, tmp_path):
    open_fruit(pilot, tmp_path, step_mode=True)
    pilot.tap("Read aloud")
    wait_until(pilot, lambda: pilot.app.read_label == "Continue", what="waiting after heading")
    assert marked(pilot)[0] == "Fruit"
    time.sleep(0.3)
    pilot.frames(2)
    assert marked(pilot)[0] == "Fruit", "step mode went on by itself"
    pilot.tap("Continue")
    wait_until(pilot, lambda: marked(pilot)[0] == FRUIT, what="next sentence after Continue")
    pilot.tap("Stop")


def test_leaving_the_reader_stops_reading(pilot, speakers, tmp_path):
    open_fruit(pilot, tmp_path)
    pilot.tap("Read aloud")
    wait_until(pilot, lambda: marked(pilot)[0] is not None, what="reading")
    pilot.tap("Home")
    time.sleep(0.3)
    pilot.frames(2)
    assert pilot.app.reading.narrator.status().state == "idle"
    assert speakers.last_sound_at() < time.monotonic() - 0.15


def test_settings_change_speed_voice_and_step_mode_for_this_visitor(pilot, speakers, tmp_path):
    open_fruit(pilot, tmp_path)
    pilot.app.go("settings")
    pilot.frames(3)
    screen = pilot.app.manager.current_screen
    assert screen.ids.speed_label.text == "Reading speed: 150 words a minute"
    assert screen.ids.voice_label.text == "Voice: English (America)"
    pilot.tap_after_scrolling("Read faster")
    wait_until(pilot, lambda: "170 words" in screen.ids.speed_label.text, what="speed shown")
    pilot.tap_after_scrolling("Next voice")  # the natural voice (Piper) comes next
    wait_until(pilot, lambda: screen.ids.voice_label.text == "Voice: Natural English voice (Joe)",
               what="the natural voice chosen")
    wait_until(pilot, lambda: speakers.last_sound_at() is not None, what="the voice is heard")
    pilot.tap_after_scrolling("Stop after each sentence")
    wait_until(pilot, lambda: pilot.app.reading.narrator.voice.step_mode, what="step mode")
    wait_until(pilot, lambda: pilot.button("Read on without stopping"), what="label flips")
    pilot.screenshot("settings-reading")
    pilot.app.go("back")
    pilot.frames(3)
    assert pilot.screen == "reader"
    pilot.tap("Read aloud")
    wait_until(pilot, lambda: pilot.app.read_label == "Continue", what="step mode in reader")
    pilot.app.apply_clinic_defaults()
    pilot.frames(3)
    voice = pilot.app.reading.narrator.voice
    wait_until(pilot, lambda: pilot.app.reading.narrator.voice.rate == 150, what="reset")
    voice = pilot.app.reading.narrator.voice
    assert (voice.voice, voice.step_mode) == ("gmw/en-us", False)


def test_next_section_while_reading_goes_on_reading_there(pilot, speakers, tmp_path):
    open_fruit(pilot, tmp_path)
    pilot.tap("Read aloud")
    wait_until(pilot, lambda: marked(pilot)[0] == "Fruit", what="reading")
    pilot.tap("Next section")
    wait_until(pilot, lambda: marked(pilot)[0] == "Vegetables", what="reading the next section")
    assert pilot.view.section_number == 2
    pilot.tap("Stop")


def test_the_sentence_being_read_is_scrolled_into_view(pilot, speakers):
    from kiosk_pilot import visible_rect

    pilot.app.go("open_document", document_id="ninds-als")
    pilot.app.go("open_section", number=2)  # long: text, a list of risk factors, more text
    pilot.frames(3)
    screen = pilot.app.manager.get_screen("reader")
    assert screen.ids.scroll.overflow() > 0, "the section fits; pick a longer one"
    last = max(screen.texts)
    pilot.app.reading.read_from(last)
    wait_until(pilot, lambda: screen.texts[last].marked is not None, what="last paragraph read")
    wait_until(pilot, lambda: screen.texts[last].sentence_box() is not None, what="marks drawn")
    pilot.frames(5)
    label = screen.texts[last]
    top, bottom = label.sentence_box()
    area = visible_rect(label)
    assert area is not None, "the paragraph being read is out of view"
    label_top = label.to_window(label.x, label.top)[1]
    assert area[1] <= label_top - bottom and label_top - top <= area[3], "sentence not in view"
    pilot.screenshot("reader-scrolled-to-reading")
    pilot.tap("Stop")


def test_without_sound_the_screen_says_so(pilot, speakers, tmp_path):
    from kiosk.speech.audio import NO_DEVICE

    reading = pilot.app.reading
    open_fruit(pilot, tmp_path)
    reading.no_sound = NO_DEVICE  # as open_output reports on a machine with no speakers
    try:
        reading._update_labels(reading.narrator.status().state)
        pilot.tap("Read aloud")
        assert pilot.app.notice.text == NO_DEVICE
        assert pilot.app.reading_status.startswith("No sound")
        wait_until(pilot, lambda: marked(pilot)[0] == "Fruit", what="still highlighted")
    finally:
        reading.no_sound = None
        reading.stop()
        reading._update_labels(reading.narrator.status().state)
