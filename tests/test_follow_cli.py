"""`kiosk follow`, run as a person would, on a recording of a section read aloud by an
espeak-ng voice the kiosk does not read with (made at test time)."""

from __future__ import annotations

import json
import subprocess

import pytest
from voice_tools import PYTHON, ROOT, section_reading

from kiosk.content import load_library

DOCUMENT, SECTION = "ninds-als", 3
"""The third section ("Who is more likely to get ALS?")."""
SENTENCES = 4


def kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(PYTHON), "-m", "kiosk", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=180)


@pytest.fixture(scope="module")
def reading(tts):
    """A recording of the section's heading and first sentences, and when each begins."""
    library = load_library(ROOT / "content")
    entry = next(d for d in library.documents if d.id == DOCUMENT).entries[SECTION - 1]
    path, starts = section_reading(tts, entry, SENTENCES)
    return entry.section.id, path, starts


def test_the_place_follows_the_reader_sentence_by_sentence(reading):
    section, path, starts = reading
    done = kiosk("follow", DOCUMENT, section, str(path))  # (the section by its id)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert lines and all(set(line) == {"t", "section", "sentence", "word"} for line in lines)
    assert (lines[0]["sentence"], lines[0]["word"]) == (0, 0), "following starts at the heading"
    lines = lines[1:]
    assert all(line["section"] == section for line in lines)
    times = [line["t"] for line in lines]
    assert times == sorted(times)
    sentences = [line["sentence"] for line in lines]
    assert sentences == sorted(sentences), "the place went back"
    assert set(sentences) >= set(range(1, SENTENCES)), "a sentence was never marked"
    for line in lines:  # never ahead of the reader (by more than a word or two), and at
        begun = starts[line["sentence"]]  # most 2.5 s behind a sentence's start
        assert line["t"] >= begun - 0.5, line
    for n in range(1, SENTENCES):
        first = min(line["t"] for line in lines if line["sentence"] == n)
        assert first - starts[n] <= 2.5, f"sentence {n} marked {first - starts[n]:.1f} s late"


def test_mistakes_are_explained(reading):
    _section, path, _starts = reading
    unknown = kiosk("follow", "no-such-document", str(path))
    assert unknown.returncode == 2 and "ninds-als" in unknown.stderr
    bad = kiosk("follow", DOCUMENT, "99", str(path))
    assert bad.returncode == 2 and "a number from 1 to" in bad.stderr
    missing = kiosk("follow", DOCUMENT, "1", str(path.with_name("nothing.wav")))
    assert missing.returncode == 1 and "nothing.wav" in missing.stderr
