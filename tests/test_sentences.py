"""Sentence ranges: what the Reader highlights and speaks one at a time."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from kiosk.content.loader import load_library
from kiosk.paths import CONTENT_DIR
from kiosk.speech import sentences
from kiosk.speech.sentences import split_sentences


def sentences_of(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Dr. Smith saw the patient. He said rest helps.",
            ["Dr. Smith saw the patient.", "He said rest helps."],
        ),
        (
            "Some drugs, e.g. riluzole, help. Others, i.e. the rest, do not.",
            ["Some drugs, e.g. riluzole, help.", "Others, i.e. the rest, do not."],
        ),
        (
            "The U.S. Food and Drug Administration (FDA) approved it. It helps.",
            ["The U.S. Food and Drug Administration (FDA) approved it.", "It helps."],
        ),
        (
            "People with ALS in the U.S. It establishes facts.",
            ["People with ALS in the U.S.", "It establishes facts."],
        ),
        ("Cats, dogs, etc. are pets. Birds too.", ["Cats, dogs, etc. are pets.", "Birds too."]),
        ("Rest vs. exercise is a choice. Ask.", ["Rest vs. exercise is a choice.", "Ask."]),
        ("Born Jan. 5, 1869 in Ohio. Died later.", ["Born Jan. 5, 1869 in Ohio.", "Died later."]),
        ("He met J. R. R. Tolkien. Then left.", ["He met J. R. R. Tolkien.", "Then left."]),
        ("It costs 2.5 dollars. It is 0.5 mg.", ["It costs 2.5 dollars.", "It is 0.5 mg."]),
        ("See No. 3 on the list. It is short.", ["See No. 3 on the list.", "It is short."]),
        ("Is there a cure? No. Not yet.", ["Is there a cure?", "No.", "Not yet."]),
        (
            "She said “I’m fine.” She didn’t agree.",
            ["She said “I’m fine.”", "She didn’t agree."],
        ),
        ('He asked, "Why?" Then he left.', ['He asked, "Why?"', "Then he left."]),
        ("1. First item 2. Second item", ["1. First item", "2. Second item"]),
        (
            "Riluzole. (Exservan, Rilutek, Tiglutik kit). You take this drug by mouth.",
            ["Riluzole.", "(Exservan, Rilutek, Tiglutik kit).", "You take this drug by mouth."],
        ),
        ("It works!! Really?! Yes.", ["It works!!", "Really?!", "Yes."]),
        ("Muscle cramps", ["Muscle cramps"]),
        ("  Padded.   Twice.  ", ["Padded.", "Twice."]),
        ("Call 1-800-352-9424. Ask.", ["Call 1-800-352-9424.", "Ask."]),
        ("", []),
        ("   \n ", []),
    ],
    ids=[
        "title",
        "e.g.-i.e.",
        "U.S.-inside",
        "U.S.-at-end",
        "etc.",
        "vs.",
        "month",
        "initials",
        "decimals",
        "numbered",
        "answer-No",
        "curly-quotes",
        "question-in-quotes",
        "numbered-list",
        "parenthesis",
        "exclamations",
        "no-stop",
        "padding",
        "phone",
        "empty",
        "blank",
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert sentences_of(text) == expected


def assert_covers_exactly(text: str, ranges: list[tuple[int, int]]) -> None:
    """In order, not overlapping, trimmed, non-empty, and every non-space character inside."""
    position = 0
    for start, end in ranges:
        assert position <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert text[position:start].strip() == "", f"left out: {text[position:start]!r}"
        position = end
    assert text[position:].strip() == "", f"left out: {text[position:]!r}"


def shipped_texts() -> Iterator[str]:
    library = load_library(CONTENT_DIR)
    for document in library.documents:
        yield from (document.source.licence, document.source.attribution)
        for entry in document.entries:
            yield entry.section.title
            for block in entry.section.blocks:
                yield from (text.full for text in block.texts())


def test_every_shipped_paragraph_is_covered_exactly() -> None:
    texts = [t for t in shipped_texts() if t]
    assert len(texts) > 250
    count = 0
    for text in texts:
        ranges = split_sentences(text)
        assert_covers_exactly(text, ranges)
        count += len(ranges)
    assert count > 400


def test_shipped_sentences_that_must_stay_whole() -> None:
    found = {s for t in shipped_texts() for s in sentences_of(t)}
    assert "Publication No. 25-NS-916." in found
    assert "U.S. government work, public domain" in found
    assert (
        "The U.S. Food and Drug Administration (FDA) has approved several drugs for ALS that "
        "may prolong survival, reduce the rate of decline, or help manage symptoms."
    ) in found
    assert "Is there a cure for ALS?" in found


def fake_segmenter(monkeypatch: pytest.MonkeyPatch, spans: list[tuple[str, int, int]]) -> None:
    """Make pysbd answer with these (possibly wrong) sentences and offsets."""
    answer = [SimpleNamespace(sent=s, start=a, end=b) for s, a, b in spans]
    monkeypatch.setattr(sentences, "_segment", lambda text: answer)


def test_wrong_offsets_from_pysbd_are_repaired(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "1) The first item. 2) The second item."
    fake_segmenter(monkeypatch, [("1) The first item. ", 0, 19), ("2) The second item.", 0, 19)])
    assert sentences_of(text) == ["1) The first item.", "2) The second item."]


def test_dropped_and_overlapping_text_from_pysbd_is_still_covered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "Stop here .... Then go on. And end."
    fake_segmenter(
        monkeypatch,
        [("Stop here .", 0, 11), ("...", 10, 13), ("Then go on.", 15, 26), ("Gone!", 0, 5)],
    )
    ranges = split_sentences(text)
    assert_covers_exactly(text, ranges)
    assert [text[a:b] for a, b in ranges] == ["Stop here .... Then go on.", "And end."]


def test_a_cut_inside_a_word_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Amyotrophic lateral sclerosis."
    fake_segmenter(monkeypatch, [("Amyotro", 0, 7), ("phic lateral sclerosis.", 7, 30)])
    assert sentences_of(text) == [text]


def test_pysbd_shifting_dots_keeps_every_character() -> None:
    text = "reste .... Logiquement, it goes on."
    ranges = split_sentences(text)
    assert_covers_exactly(text, ranges)
