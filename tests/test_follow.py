"""Follow-along's core without audio: the words heard, as Whisper would write them, found in
the real documents' text (kiosk/follow.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.content import load_library
from kiosk.follow import Follower, Track, words_of
from kiosk.speech.lexicon import load_lexicon

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def track() -> Track:
    library = load_library(ROOT / "content")
    document = next(d for d in library.documents if d.id == "ninds-als")
    return Track.of(document, load_lexicon()[0], first=2)


def sentence_words(track: Track, entry: int, sentence: int) -> list[str]:
    return [w for w, p in zip(track.words, track.places, strict=True)
            if (p.entry, p.sentence) == (entry, sentence)]


def windows(words: list[str], size: int = 12, step: int = 3):
    """What Whisper writes of the last few seconds, once a second: overlapping runs."""
    for end in range(step, len(words) + step, step):
        yield words[max(0, end - size):end]


def read(follower: Follower, words: list[str]):
    """Feed ``words`` as overlapping windows; the places reached, in order."""
    places = []
    for window in windows(words):
        moved = follower.hear(window)
        if moved is not None:
            places.append(moved.place)
    return places


def test_words_are_compared_as_said():
    assert words_of("ALS (amyotrophic lateral sclerosis), A.L.S. or A L S.") == [
        "als", "amyotrophic", "lateral", "sclerosis", "als", "or", "als"]
    assert words_of("I have a cat, and a dog.") == ["i", "have", "a", "cat", "and", "a", "dog"]
    assert words_of("Up to 95% of people, 800-352-9424") == [
        "up", "to", "95", "of", "people", "800", "352", "9424"]


def test_the_track_starts_at_the_chosen_section_with_its_heading(track):
    library = load_library(ROOT / "content")
    document = next(d for d in library.documents if d.id == "ninds-als")
    first = track.places[0]
    assert (first.entry, first.sentence, first.word) == (2, 0, 0)
    assert sentence_words(track, 2, 0) == words_of(document.entries[2].section.title)
    assert len(track.words) == len(track.places) > 2000
    assert track.places[-1].entry == len(document.entries) - 1


def test_reading_straight_through_moves_the_place_word_by_word(track):
    follower = Follower(track)
    words = [w for n in range(4) for w in sentence_words(track, 2, n)]
    places = read(follower, words)
    assert places, "nothing was followed"
    assert [(p.entry, p.sentence) for p in places] == sorted((p.entry, p.sentence)
                                                             for p in places)
    last = places[-1]
    assert (last.entry, last.sentence) == (2, 3)
    assert last.word == len(sentence_words(track, 2, 3)) - 1


def test_misheard_words_do_not_lose_the_place(track):
    follower = Follower(track)
    words = [w for n in range(3) for w in sentence_words(track, 2, n)]
    garbled = [("familiar" if w == "familial" else "owls" if w == "als" else w) for w in words]
    garbled = [w for k, w in enumerate(garbled) if k % 7 != 3]  # a word lost now and then
    places = read(follower, garbled)
    assert (places[-1].entry, places[-1].sentence) == (2, 2)


def test_a_skipped_sentence_is_caught_up_with(track):
    follower = Follower(track)
    read(follower, [w for n in range(2) for w in sentence_words(track, 2, n)])
    later = [w for n in range(3, 5) for w in sentence_words(track, 2, n)]
    places = read(follower, later)
    assert (places[-1].entry, places[-1].sentence) == (2, 4)
    first_in_later = next(p for p in places)
    assert first_in_later.sentence == 3, "the place did not go straight to the sentence read"


def test_a_remark_that_is_not_in_the_text_leaves_the_place_where_it_was(track):
    follower = Follower(track)
    read(follower, [w for n in range(2) for w in sentence_words(track, 2, n)])
    before = follower.place
    remark = words_of("hang on let me find my glasses right where was i")
    assert read(follower, remark) == []
    assert follower.place == before
    places = read(follower, sentence_words(track, 2, 2))
    assert places[-1].sentence == 2


def test_a_repeated_phrase_does_not_send_the_place_back(track):
    follower = Follower(track)
    words = [w for n in range(3) for w in sentence_words(track, 2, n)]
    read(follower, words)
    before = follower.index
    again = words[-3:]  # the last three words said again
    read(follower, again)
    assert follower.index >= before - 3


def test_reading_on_into_the_next_section_turns_the_page(track):
    follower = Follower(track)
    entry = track.places[0].entry
    last_sentence = max(p.sentence for p in track.places if p.entry == entry)
    words = [w for n in range(last_sentence - 1, last_sentence + 1)
             for w in sentence_words(track, entry, n)]
    words += [w for n in range(0, 2) for w in sentence_words(track, entry + 1, n)]
    places = read(follower, words)
    assert places[-1].entry == entry + 1


def test_a_jump_far_away_needs_strong_evidence(track):
    follower = Follower(track)
    read(follower, sentence_words(track, 2, 1))
    before = follower.index
    far = sentence_words(track, 9, 2)
    assert follower.hear(far[:3]) is None or follower.index == before
    moved = follower.hear(far[:8])
    assert moved is not None and (moved.place.entry, moved.place.sentence) == (9, 2)


def test_between_transcriptions_the_place_moves_at_the_readers_pace_while_they_speak(track):
    follower = Follower(track)
    sentence = sentence_words(track, 2, 1)
    follower.hear(sentence[:6])
    confirmed = follower.index
    for _ in range(10):  # one second of silence: the place waits
        assert follower.tick(0.1, voiced=False) is None
    assert follower.index == confirmed
    moves = [follower.tick(0.1, voiced=True) for _ in range(20)]  # two seconds of speech
    assert follower.index == confirmed + 3, "paced further than 3 words past the words heard"
    assert [m.index for m in moves if m] == [confirmed + 1, confirmed + 2, confirmed + 3]


def test_a_pause_at_a_sentences_end_then_speech_goes_on_to_the_next_sentence(track):
    follower = Follower(track)
    first = sentence_words(track, 2, 1)
    follower.hear(first[-6:])
    assert (follower.place.sentence, follower.place.word) == (1, len(first) - 1)
    for _ in range(10):  # (pacing never crosses the sentence's end)
        follower.tick(0.1, voiced=True)
    assert follower.place.sentence == 1
    follower.tick(0.3, voiced=False)
    moved = follower.tick(0.03, voiced=True)
    assert moved is not None and (moved.place.sentence, moved.place.word) == (2, 0)


def test_going_on_that_no_words_confirm_waits_there_and_never_goes_back(track):
    follower = Follower(track)
    first = sentence_words(track, 2, 1)
    follower.hear(first[-6:])
    follower.tick(0.3, voiced=False)
    follower.tick(0.03, voiced=True)
    assert (follower.place.sentence, follower.place.word) == (2, 0)
    remark = words_of("hang on let me find my glasses")
    follower.hear(remark)
    for _ in range(25):  # 2.5 s of a remark that is not in the text
        assert follower.tick(0.1, voiced=True) is None
    follower.tick(0.5, voiced=False)
    assert follower.tick(0.03, voiced=True) is None, "guessed again before words were heard"
    follower.hear(first[-4:])  # the end of the sentence before, heard late
    assert (follower.place.sentence, follower.place.word) == (2, 0), "the place went back"
    follower.hear(sentence_words(track, 2, 2)[:5])
    assert (follower.place.sentence, follower.place.word) == (2, 4)


def test_reading_a_passage_again_goes_back_to_it(track):
    follower = Follower(track)
    read(follower, [w for n in range(1, 4) for w in sentence_words(track, 2, n)])
    assert follower.place.sentence == 3
    again = sentence_words(track, 2, 1)
    places = read(follower, again[:10])
    assert places and places[-1].sentence == 1


def test_the_heading_read_then_a_pause_goes_on_to_the_first_sentence(track):
    follower = Follower(track)
    assert follower.place.sentence == 0  # following starts on the heading
    follower.tick(0.3, voiced=False)
    assert follower.tick(0.03, voiced=True) is None, "no heading was heard before the pause"
    for _ in range(8):  # the heading said, before Whisper has words enough to place it
        assert follower.tick(0.1, voiced=True) is None
    follower.tick(0.3, voiced=False)
    moved = follower.tick(0.03, voiced=True)
    assert moved is not None and (moved.place.sentence, moved.place.word) == (1, 0)
    for _ in range(25):  # it is not the first sentence after all: no more guesses
        follower.tick(0.1, voiced=True)
    follower.tick(0.3, voiced=False)
    assert follower.tick(0.03, voiced=True) is None
    assert (follower.place.sentence, follower.place.word) == (1, 0)


def test_whisper_repeating_its_prompt_is_not_taken_for_reading(track):
    from kiosk.follow import echoes

    assert track.before(-3) == "", "before the first word there is no text to prompt with"
    prompt = track.before(40)
    said_again = words_of(" ".join(prompt.split()[-8:]))
    assert echoes(said_again, prompt)
    assert echoes(said_again[:3] + said_again[4:], prompt), "a word misheard"
    assert not echoes(words_of("stop"), prompt)
    assert not echoes(sentence_words(track, 2, 3), prompt)
