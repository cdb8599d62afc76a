"""``kiosk hear``: WAV files through the app's own listening path, one JSON line each.

Each file goes frame by frame through the same Processor as the microphone (end-pointing,
grammar of the screen, rejection); the model loads once for the whole batch.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from kiosk.voice.endpoint import FRAME_BYTES
from kiosk.voice.engine import SAMPLE_RATE
from kiosk.voice.grammar import Context, screen_context
from kiosk.voice.listener import Event, Processor
from kiosk.voice.recogniser import Recogniser, open_engine
from kiosk.voice.sources import read_wav

TAIL_SILENCE_S = 0.6
"""Silence added after each file so that speech ending at the very end still ends."""
LEAD_SILENCE_S = 0.4
"""Silence before each file, as a microphone hears the room before anyone speaks (the
end-pointer learns the noise floor from it)."""


def context_for(library, document_id: str | None, screen: str | None = None,
                reading: bool = False) -> Context:
    """The Reader of a document (first section), or Home without one."""
    count = len(library.documents)
    if document_id is None:
        return screen_context(screen or "home", None, count, reading)
    document = next((d for d in library.documents if d.id == document_id), None)
    if document is None:
        known = ", ".join(d.id for d in library.documents) or "none"
        raise ValueError(f"no document with id '{document_id}' (known: {known})")
    return screen_context(screen or "reader", document, count, reading)


def _silence(seconds: float) -> bytes:
    return bytes(int(seconds * SAMPLE_RATE) * 2)


def events_in(processor: Processor, pcm: bytes) -> list[Event]:
    """Every utterance the processor finds in a stretch of 16 kHz audio."""
    pcm = _silence(LEAD_SILENCE_S) + pcm + _silence(TAIL_SILENCE_S)
    events: list[Event] = []
    clock = 0.0
    for start in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES):
        clock += 0.03
        events.extend(processor.push(pcm[start:start + FRAME_BYTES], now=clock))
    return events


def result_for(path: Path, events: list[Event]) -> dict:
    """The JSON object for one file: the first accepted command, else what was heard."""
    chosen = next((e for e in events if e.heard.meaning is not None), None)
    heard = chosen.heard if chosen else None
    if heard is None:
        texts = [e.heard.text for e in events if e.heard.text]
        meaning = None
        text = " / ".join(texts)
        ms = sum(e.heard.ms for e in events)
    else:
        meaning, text, ms = heard.meaning, heard.text, heard.ms
    return {
        "file": str(path),
        "heard": text,
        "intent": meaning.do.value if meaning else None,
        "section": meaning.title if meaning else None,
        "number": meaning.number if meaning else None,
        "rejected": None if meaning else "; ".join(
            dict.fromkeys(e.heard.reason for e in events if e.heard.reason)) or "nothing heard",
        "ms": round(ms, 1),
    }


def run_hear(files: list[Path], document_id: str | None, engine_kind: str, content_dir: Path,
             screen: str | None = None, reading: bool = False, plain: bool = False,
             out: TextIO | None = None) -> int:
    """The ``kiosk hear`` command; returns the exit code."""
    from kiosk.content import load_library

    out = out or sys.stdout
    library = load_library(content_dir)
    try:
        context = context_for(library, document_id, screen, reading)
    except ValueError as error:
        print(f"kiosk hear: {error}", file=sys.stderr)
        return 2
    engine, notes = open_engine(engine_kind)
    for note in notes:
        print(f"kiosk hear: {note}", file=sys.stderr)
    processor = Processor(Recogniser(engine, plain=plain))
    processor.set_context(context)
    status = 0
    for path in files:
        try:
            pcm = read_wav(path)
        except ValueError as error:
            print(f"kiosk hear: {error}", file=sys.stderr)
            status = 1
            continue
        processor.endpointer.reset()
        print(json.dumps(result_for(path, events_in(processor, pcm))), file=out, flush=True)
    return status
