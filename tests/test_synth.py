"""Real synthesis with pyttsx3/espeak-ng: audio, speed, and word timings checked on the audio."""

from __future__ import annotations

import pytest
from audio_tools import speech_onsets

from kiosk.rules import SPEECH_RATE
from kiosk.speech.synth import Synthesiser

MIN_RATE, MAX_RATE = SPEECH_RATE.low, SPEECH_RATE.high

WORDS = "Apple, banana, cherry, damson, elderberry, fig, grape."
TOLERANCE_MS = 100
"""Word times must match the audio within this; the highlight budget is 150 ms."""


@pytest.fixture(scope="module")
def synth() -> Synthesiser:
    return Synthesiser.shared()


@pytest.mark.parametrize("rate", [MIN_RATE, 150, MAX_RATE])
def test_each_word_starts_where_its_sound_starts(synth, rate):
    clip = synth.synthesise(WORDS, rate)
    onsets = speech_onsets(clip.pcm, clip.rate)
    said = [WORDS[w.start:w.end] for w in clip.words]
    assert said == ["Apple", "banana", "cherry", "damson", "elderberry", "fig", "grape"]
    for word in clip.words:
        nearest = min(onsets, key=lambda onset: abs(onset - word.start_ms))
        assert abs(nearest - word.start_ms) <= TOLERANCE_MS, (WORDS[word.start:word.end], onsets)


def test_word_at_a_playback_position_is_the_word_being_spoken(synth):
    clip = synth.synthesise(WORDS, 150)
    onsets = speech_onsets(clip.pcm, clip.rate)
    # 150 ms after each audible onset, the word at that position must be the one starting there
    for onset in onsets[1:]:
        index = clip.word_at(onset + 150)
        assert index is not None
        assert abs(clip.words[index].start_ms - onset) <= TOLERANCE_MS


def test_faster_reading_is_shorter(synth):
    slow = synth.synthesise(WORDS, 100).duration_ms
    fast = synth.synthesise(WORDS, 200).duration_ms
    assert 1.6 < slow / fast < 2.4


def test_words_spelled_out_by_the_engine_still_get_a_position(synth):
    text = "The NIH and the FDA agree."
    clip = synth.synthesise(text, 150)
    said = [text[w.start:w.end] for w in clip.words]
    assert "NIH" in said and "FDA" in said
    assert [w.start_ms for w in clip.words] == sorted(w.start_ms for w in clip.words)


def test_clip_is_real_speech_of_plausible_length(synth):
    clip = synth.synthesise("Motor neurons control the muscles you move on purpose.", 150)
    assert clip.rate == 22050
    assert 2000 < clip.duration_ms < 6000
    assert len(speech_onsets(clip.pcm, clip.rate)) >= 1


def test_out_of_range_rates_are_clamped(synth):
    assert synth.synthesise("Hello there.", 10).duration_ms == pytest.approx(
        synth.synthesise("Hello there.", MIN_RATE).duration_ms, rel=0.05)


def test_english_voices_are_listed_us_first(synth):
    voices = synth.voices()
    assert voices[0].id.endswith("en-us")
    assert all("English" in v.name for v in voices)
    assert len(voices) >= 3


def test_an_unknown_voice_falls_back_to_the_default(synth):
    clip = synth.synthesise("Hello there.", 150, "xx/not-a-voice")
    assert clip.duration_ms > 300
