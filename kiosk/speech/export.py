"""Audio to take home: a section or a whole document rendered to a WAV file, with timings.

``kiosk speak`` uses this. The JSON file written beside the WAV lists every sentence and
word with its start time, so the audio can be followed along in print or checked by tests.
The audio is the same as the kiosk reads: same lexicon, pauses, voice and speed.
"""

from __future__ import annotations

import json
import os
import wave
from collections.abc import Callable
from pathlib import Path

from kiosk.content import Document, Entry
from kiosk.speech.clip import BYTES_PER_FRAME, SAMPLE_RATE
from kiosk.speech.lexicon import Lexicon
from kiosk.speech.narrator import Voice, with_pause
from kiosk.speech.script import build_script
from kiosk.speech.synth import Synthesiser


class ExportError(ValueError):
    """A bad document or section id (the message lists the valid ones), or a file that
    cannot be written (the message says what to change)."""


def check_destination(out: Path) -> None:
    """Refuse, before any speech is made, a file ``write`` cannot write as asked: a name
    not ending in .wav (the audio is WAV, never under another name), a folder that does not
    exist (it is not made silently: a mistyped folder would hide the file)."""
    if out.suffix.lower() != ".wav":
        raise ExportError(f"{out}: the audio is written as WAV, so the file name must end in "
                          f".wav (for example {out.with_suffix('.wav').name}); convert the WAV "
                          "afterwards for another format")
    if out.is_dir():
        raise ExportError(f"{out} is a folder; give a file name ending in .wav")
    folder = out.parent
    if not folder.exists():
        raise ExportError(f"{out}: the folder {folder} does not exist; create it first "
                          f"(mkdir -p {folder}) or choose another folder")
    if not folder.is_dir():
        raise ExportError(f"{out}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise ExportError(f"{out}: this user may not write there; choose a folder of your own "
                          "(for example your home folder)")


def choose_entries(document: Document, section: str | None) -> list[Entry]:
    """All sections, or the one named by id or number (with its subsections)."""
    if section is None:
        return list(document.entries)
    entry = document.entry(section)
    if entry is None and section.isdigit() and 1 <= int(section) <= len(document.entries):
        entry = document.entries[int(section) - 1]
    if entry is None:
        raise ExportError(
            f"'{section}' is not a section of {document.id}. Use a section number from 1 to "
            f"{len(document.entries)} or one of these ids: {', '.join(document.section_ids())}"
        )
    last = entry.number
    while last < len(document.entries) and document.entries[last].depth > entry.depth:
        last += 1
    return list(document.entries[entry.number - 1:last])


def render(document: Document, entries: list[Entry], lexicon: Lexicon, voice: Voice,
           synthesiser: Synthesiser, progress: Callable[[int, int], None] | None = None,
           ) -> tuple[bytes, dict]:
    """The speech of ``entries`` as 16-bit mono PCM, and its timings as a JSON-ready dict."""
    pcm = bytearray()
    sentences: list[dict] = []
    for n, entry in enumerate(entries):
        for utterance in build_script(entry, lexicon):
            clip = synthesiser.synthesise(utterance.spoken.text, voice.rate, voice.voice)
            start_ms = _ms(len(pcm))
            words = []
            for word in clip.words:
                a, b = utterance.spoken.display_range(word.start, word.end)
                words.append({"start_ms": round(start_ms + word.start_ms),
                              "text": utterance.display[a:b]})
            sentences.append({
                "section": entry.section.id,
                "start_ms": round(start_ms),
                "end_ms": round(start_ms + clip.duration_ms),
                "text": utterance.display,
                "spoken": utterance.spoken.text,
                "words": words,
            })
            pcm += with_pause(clip, utterance.pause_ms).pcm
        if progress is not None:
            progress(n + 1, len(entries))
    timings = {
        "document": document.id,
        "title": document.title,
        "sections": [e.section.id for e in entries],
        "voice": voice.voice,
        "rate_wpm": voice.rate,
        "sample_rate": SAMPLE_RATE,
        "duration_ms": round(_ms(len(pcm))),
        "sentences": sentences,
    }
    return bytes(pcm), timings


def write(pcm: bytes, timings: dict, out: Path) -> Path:
    """Write the WAV to ``out`` and the timings to the same name with ``.json`` (the
    folder must exist: see check_destination)."""
    with wave.open(str(out), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(BYTES_PER_FRAME)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm)
    timings_path = out.with_suffix(".json")
    timings_path.write_text(json.dumps({**timings, "wav": out.name}, indent=1,
                                       ensure_ascii=False), encoding="utf-8")
    return timings_path


def _ms(byte_count: int) -> float:
    return 1000.0 * byte_count / BYTES_PER_FRAME / SAMPLE_RATE
