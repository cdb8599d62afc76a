"""Follow my reading in the real app under Xvfb: "follow me" is said into the file
microphone, a person (an espeak-ng voice the kiosk does not read with) reads the section
aloud into it, and the Reader marks their sentence with the read-aloud bands; while it
follows, only commands after "kiosk" count. Assertions are about what a person sees."""

from __future__ import annotations

import gc

import pytest
from test_gui_reading import marked, wait_until
from test_gui_voice import said, say, voice_ready  # noqa: F401 - said is a fixture
from voice_tools import (
    READER_VOICE,
    samples,
    section_reading,
    silence,
    spoken,
    write_wav,
)

from kiosk.commands import Do
from kiosk.voice.sources import read_wav

pytestmark = pytest.mark.gui

SECTION = 5
"""NINDS "Diagnosing ALS": short first sentences, none with "stop" or "pause"."""


def reader_at(pilot, number: int) -> None:
    pilot.app.go("open_document", document_id="ninds-als")
    pilot.app.go("open_section", number=number)
    pilot.frames(3)


def test_the_reader_marks_the_sentence_being_read_aloud_and_hears_only_kiosk_commands(
        pilot, said, tts):  # noqa: F811
    from kiosk.speech.narrator import State

    voice_ready(pilot)
    reader_at(pilot, SECTION)
    app = pilot.app
    entry = app.navigator.entry
    reading, _starts = section_reading(tts, entry, 3, name="follow-gui.wav")
    # then, as a caregiver would: a "stop" read from a text (no command), and "kiosk" and
    # "stop" (a command)
    pcm = read_wav(reading) + b"".join(
        spoken(word, tts, READER_VOICE, 160) + silence(gap)
        for word, gap in (("Stop.", 1500), ("Kiosk.", 700), ("Stop.", 1500)))
    reading = write_wav(tts / "follow-gui-then-stop.wav", samples(pcm), 16_000)

    say(pilot, said("follow me"), lambda: app.following.active)
    assert app.read_label == "Stop following"
    assert app.reading_status == "Following your reading"
    assert app.voice_state == "following"
    wait_until(pilot, lambda: marked(pilot)[0] == entry.section.title, 5,
               "following to start at the heading")
    narrator = app.reading.narrator  # "Following your reading. For a command, say kiosk."
    wait_until(pilot, lambda: narrator.status().state is State.IDLE, 10, "the notice")
    texts = app.manager.get_screen("reader").texts
    first, second, third = (texts[u.target].source.full[u.start:u.end]
                            for u in narrator.script[1:4])

    sentences = []
    heard = len(app.voice.heard)
    mic = app.voice.source
    mic.play(reading)
    while not mic.finished.is_set():
        pilot.frames(1)
        sentence = marked(pilot)[0]
        if sentence and (not sentences or sentences[-1] != sentence):
            sentences.append(sentence)
            if sentence == second:
                pilot.frames(10)  # (the word box moves on meanwhile)
                pilot.screenshot("reader-following")
    # sentence by sentence, never back; when speech goes on after the second sentence (the
    # "stop" read from a text) the place may go on to the third and wait there for words
    assert sentences[:3] == [entry.section.title, first, second], sentences
    assert sentences[3:] in ([], [third]), sentences

    wait_until(pilot, lambda: not app.following.active, 5, "kiosk, stop to end following")
    assert [e.heard.meaning.do for e in app.voice.heard[heard:]] == [Do.WAKE, Do.STOP], \
        "the \u201cstop\u201d read from the text was taken as a command"
    assert pilot.screen == "reader" and app.read_label == "Read aloud"
    assert marked(pilot) == (None, None)
    assert "Stopped following" in app.notice.text
    wait_until(pilot, lambda: app.voice_state == "listening", 5, "normal listening")


def test_following_turns_to_the_next_section_and_ends_when_told(pilot):
    from kiosk.follow import FollowEnded, Moved, Track

    voice_ready(pilot)
    reader_at(pilot, SECTION)
    app = pilot.app
    app.do("follow")
    assert app.following.active
    title = app.navigator.entry.section.title  # (the microphone is silent from here on)
    wait_until(pilot, lambda: marked(pilot)[0] == title, 5, "following to start")
    # where the listening thread says the reader has got to: the next section's first
    # sentence (the alignment that finds it is tested in tests/test_follow.py)
    track = Track.of(app.navigator.document, app.reading.lexicon, SECTION - 1)
    index, place = next((i, p) for i, p in enumerate(track.places)
                        if p.entry == SECTION and p.sentence == 1)
    app.following.event(Moved(index, place, 5))
    pilot.frames(3)
    assert pilot.view.section_number == SECTION + 1
    assert app.following.active
    sentence, word = marked(pilot)
    assert sentence and word and sentence.startswith(word)

    app.following.event(FollowEnded("Follow my reading has ended: nobody has read aloud "
                                    "for 30 seconds."))
    pilot.frames(2)
    assert not app.following.active and app.read_label == "Read aloud"
    assert "nobody has read aloud" in app.notice.text

    app.do("follow")
    app.do("home")  # leaving the Reader ends it
    assert not app.following.active


def test_a_clinic_that_turns_it_off_shows_no_button_and_says_why(pilot):
    from dataclasses import replace

    voice_ready(pilot)
    reader_at(pilot, SECTION)
    app = pilot.app
    screen = app.manager.get_screen("reader")

    def panel_labels() -> list[str]:
        screen.show_more(True)
        pilot.frames(2)
        panel = screen.ids.stage.children[0].ids.panel_scroll.children[0]
        labels = [button.text for button in panel.children]
        screen.show_more(False)
        return labels

    assert "Follow my reading" in panel_labels()
    app.settings = replace(app.settings, follow_reading=False)
    assert "Follow my reading" not in panel_labels()
    app.do("follow")
    assert not app.following.active
    assert "turned off" in app.notice.text
    gc.collect()  # (the panel's ids hold weak proxies: the button must outlive them)
    app.settings = replace(app.settings, follow_reading=True)
    assert "Follow my reading" in panel_labels()
