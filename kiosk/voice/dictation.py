"""Hearing someone read aloud, for follow-along (no Kivy here).

Microphone frames go into a rolling window; every ``STEP_S`` of audio in which speech was
heard, Whisper writes down the last ``WINDOW_S`` (:meth:`WhisperEngine.dictate`), and the
words go to :class:`kiosk.follow.Follower`, which finds them in the text. Windows overlap, so
a word cut at one window's start is whole in the next. Nothing is kept but the window.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import numpy as np

from kiosk.follow import (
    FollowEnded,
    Follower,
    FollowEvent,
    Moved,
    Track,
    echoes,
    words_of,
)
from kiosk.voice.endpoint import FRAME_MS, Endpointer

WINDOW_S = 5.0
"""Seconds of audio transcribed each time."""
STEP_S = 0.5
"""How often (seconds of audio) the window is transcribed while speech is heard: every
0.5 s marks the sentence right 94.0 % of the time in bench/follow.py at 0.26 of a core,
every 1 s 91.5 % at 0.14."""
NO_SPEECH_MAX = 0.8
"""A window Whisper finds this likely to be no speech is not used."""
SILENCE_S = 30.0
"""After this long without speech, following ends by itself (the reader has stopped)."""
SILENT_END = ("Follow my reading has ended: nobody has read aloud for "
              f"{SILENCE_S:g} seconds.")


class Dictation:
    """Frames in; the reader's new place when it moves (by a transcription of the window
    every step, or at the reader's pace between them)."""

    def __init__(self, dictate: Callable[[np.ndarray, str], tuple[str, float]],
                 follower: Follower) -> None:
        self._dictate = dictate
        self.follower = follower
        self._frames: deque[bytes] = deque(maxlen=round(WINDOW_S * 1000 / FRAME_MS))
        self._voiced: deque[bool] = deque(maxlen=round(STEP_S * 1000 / FRAME_MS))
        self._since = 0
        self._step = round(STEP_S * 1000 / FRAME_MS)
        self.audio_s = 0.0
        """Seconds of audio pushed so far (the recording's clock)."""

    def push(self, frame: bytes, voiced: bool) -> Moved | None:
        """One 30 ms frame and whether the speech detector heard speech in it."""
        first = self.audio_s == 0.0
        self._frames.append(frame)
        self._voiced.append(voiced)
        self.audio_s += FRAME_MS / 1000
        self._since += 1
        if first:  # following starts on the heading of the section shown
            return Moved(self.follower.index, self.follower.place, 0)
        if self._since < self._step:
            return self.follower.tick(FRAME_MS / 1000, voiced)
        self._since = 0
        if sum(self._voiced) < 3:  # nobody spoke in the last step: nothing new to place
            return None
        pcm = b"".join(self._frames)
        samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768
        # Whisper's previous text is what was read before the window began: given the words
        # in the window too, it wrote only the ones after them, often too few to place
        follower = self.follower
        before = follower.track.before(follower.confirmed - round(follower.pace * WINDOW_S))
        text, no_speech = self._dictate(samples, before)
        heard = words_of(text)
        if no_speech > NO_SPEECH_MAX or echoes(heard, before):
            return None
        return self.follower.hear(heard)


def speech_detector() -> Endpointer:
    """Whether a frame is speech, for following: Silero VAD (webrtc's flag in pink noise
    marked the sentence right 79 % of the time in bench/follow.py, Silero's 94 %)."""
    return Endpointer(detector="silero")


class Following:
    """One follow-along session, on the listener thread: the microphone's frames in,
    :class:`~kiosk.follow.Moved` as the reader's place moves, :class:`FollowEnded` after
    ``SILENCE_S`` without speech (on the frames' own clock: no wall clock)."""

    def __init__(self, dictate: Callable[[np.ndarray, str], tuple[str, float]], track: Track,
                 detector: Endpointer | None = None) -> None:
        self.dictation = Dictation(dictate, Follower(track))
        self._speech = detector or speech_detector()
        self.quiet_s = 0.0
        """Seconds of audio since speech was last heard."""

    def push(self, frame: bytes, level_db: float, hush: bool = False) -> FollowEvent | None:
        """One 30 ms frame; ``hush``: the kiosk itself is speaking (a notice), so the frame
        is not the reader and is left out."""
        if hush:
            return None
        voiced = self._speech.is_voiced(frame, level_db)
        self.quiet_s = 0.0 if voiced else self.quiet_s + FRAME_MS / 1000
        if self.quiet_s >= SILENCE_S:
            return FollowEnded(SILENT_END)
        return self.dictation.push(frame, voiced)


def follow_recording(pcm: bytes, follower: Follower,
                     dictate) -> list[tuple[float, Moved]]:
    """A 16 kHz recording through the follow-along path, as the microphone would bring it:
    each move of the reader's place, with when (seconds of audio), in order."""
    from kiosk.voice.endpoint import FRAME_BYTES, frame_level

    endpointer = speech_detector()
    dictation = Dictation(dictate, follower)
    moves: list[tuple[float, Moved]] = []
    for start in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES):
        frame = pcm[start:start + FRAME_BYTES]
        voiced = endpointer.is_voiced(frame, frame_level(frame))  # (no utterances needed)
        moved = dictation.push(frame, voiced)
        if moved is not None:
            moves.append((dictation.audio_s, moved))
    return moves


def run_follow(document_id: str, section: str | None, path, settings, out=None) -> int:
    """``kiosk follow``: one JSON line each time the reader's place moves; the exit code."""
    import json
    import sys
    from pathlib import Path

    from kiosk.content import load_library
    from kiosk.follow import Track
    from kiosk.speech.clinic import lexicon_path
    from kiosk.speech.lexicon import load_lexicon
    from kiosk.voice.engine import EngineError
    from kiosk.voice.sources import read_wav
    from kiosk.voice.whisper_engine import WhisperEngine

    out = out or sys.stdout
    library = load_library(Path(settings.content_dir))
    document = next((d for d in library.documents if d.id == document_id), None)
    if document is None:
        known = ", ".join(d.id for d in library.documents) or "none"
        print(f"kiosk follow: no document with id '{document_id}' (known: {known})",
              file=sys.stderr)
        return 2
    first = 0
    if section is not None:
        ids = [e.section.id for e in document.entries]
        if section.isdigit() and 1 <= int(section) <= len(ids):
            first = int(section) - 1
        elif section in ids:
            first = ids.index(section)
        else:
            print(f"kiosk follow: '{document_id}' has no section '{section}' (a number from 1 "
                  f"to {len(ids)}, or one of: {', '.join(ids)})", file=sys.stderr)
            return 2
    try:
        pcm = read_wav(Path(path))
    except ValueError as error:
        print(f"kiosk follow: {error}", file=sys.stderr)
        return 1
    try:
        engine = WhisperEngine()
    except EngineError as error:
        print(f"kiosk follow: following needs the Whisper model: {error}", file=sys.stderr)
        return 1
    lexicon, _problems = load_lexicon(lexicon_path(settings))
    follower = Follower(Track.of(document, lexicon, first))
    for at, moved in follow_recording(pcm, follower, engine.dictate):
        place = moved.place
        print(json.dumps({"t": round(at, 2), "section": place.section,
                          "sentence": place.sentence, "word": place.word}),
              file=out, flush=True)
    return 0


_whisper_for_following = None
"""Whisper, loaded for following when the recogniser for commands is another engine."""


def session_for(track_of: Callable[[], Track], recogniser) -> Following:
    """A follow-along session for the listener thread: the words of ``track_of()`` and the
    recogniser's own engine if it can write down free speech (Whisper), else Whisper loaded
    for it once (EngineError, which says what to install, when it cannot be)."""
    global _whisper_for_following
    dictate = getattr(recogniser.engine, "dictate", None)
    if dictate is None:
        if _whisper_for_following is None:
            from kiosk.voice.whisper_engine import WhisperEngine

            _whisper_for_following = WhisperEngine()
        dictate = _whisper_for_following.dictate
    return Following(dictate, track_of())
