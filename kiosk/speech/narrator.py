"""The reading session: reads a section's script aloud, sentence by sentence, off the UI thread.

Commands (read, pause, stop, next sentence, faster, ...) may come from any thread; they are
queued and carried out in order on the narrator's own worker thread, which synthesises each
sentence (keeping at most the next one ready) and hands it to the Player. The UI asks
``status()`` a few times a second to highlight the sentence and the word being heard, and
gets ``listener`` calls (from the worker thread) with a typed :data:`NarratorEvent` when
something it must act on happens.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from kiosk.rules import SPEECH_RATE, VOLUME
from kiosk.speech.clip import BYTES_PER_FRAME, SAMPLE_RATE, Cancel, Clip, WordTiming
from kiosk.speech.player import Player
from kiosk.speech.script import Utterance, first_in_target
from kiosk.speech.synth import DEFAULT_RATE, EngineHung

log = logging.getLogger(__name__)

SENTENCE_SKIPPED = "One sentence could not be spoken. Reading goes on with the next."
SPEECH_DOWN = ("The speech engine stopped answering, so the text is marked at reading pace "
               "without sound until it works again.")
SPEECH_BACK = "Speech works again."


class Synthesise(Protocol):
    """Synthesiser.synthesise: a sentence at a rate with a voice; ``cancel`` may stop it."""

    def __call__(self, text: str, rate: int, voice: str | None,
                 cancel: Cancel | None = None) -> Clip: ...


Script = tuple[Utterance, ...]


class State(StrEnum):
    """What the narrator is doing."""

    IDLE = "idle"
    READING = "reading"
    PAUSED = "paused"
    WAITING = "waiting"
    """Step mode: a sentence has been read; waiting to be told to continue."""


@dataclass(frozen=True)
class Voice:
    """How the text is spoken; the clinic's defaults come from the configuration."""

    rate: int = DEFAULT_RATE
    """Words per minute (rules.SPEECH_RATE)."""
    volume: float = 0.8
    """0.2 (quiet) to 1.0 (loudest)."""
    voice: str | None = None
    """espeak-ng voice id; None for the engine's default."""
    step_mode: bool = False
    """Pause after every sentence until told to continue (for caregivers)."""


@dataclass(frozen=True)
class Status:
    """A snapshot for the screen."""

    state: State
    index: int | None
    """The utterance being read (or last read), or None before reading starts."""
    word: tuple[int, int] | None
    """The word being heard, as a range of the utterance's target display text."""
    key: object
    """Identifies the loaded script (e.g. document and section), so stale status is ignored."""


@dataclass(frozen=True)
class StateChanged:
    """Reading started, paused, resumed, stopped or is waiting (step mode)."""

    state: State
    index: int | None
    """The utterance being read (or last read), or None."""


@dataclass(frozen=True)
class ScriptEnded:
    """The last utterance of the script with this ``key`` has been read."""

    key: object


@dataclass(frozen=True)
class VoiceChanged:
    """Speed, volume, voice or step mode changed."""

    voice: Voice


@dataclass(frozen=True)
class Told:
    """Something the person should be told in plain words (``problem``: something went
    wrong, e.g. a sentence could not be spoken; otherwise a notice such as "This is the
    first sentence.")."""

    message: str
    problem: bool = False


NarratorEvent = StateChanged | ScriptEnded | VoiceChanged | Told
Listener = Callable[[NarratorEvent], None]


class Narrator:
    """Reads one script (a section) at a time through a Player."""

    def __init__(self, player: Player, synthesise: Synthesise | None,
                 listener: Listener | None = None, voice: Voice = Voice()) -> None:
        self._player = player
        self._synthesise = synthesise
        self._listener: Listener = listener or (lambda _event: None)
        self._voice = voice
        player.volume = voice.volume
        self._script: tuple[Utterance, ...] = ()
        self._key: object = None
        self._state = State.IDLE
        self._index: int | None = None
        self._clip: Clip | None = None
        self._cache: dict[int, Clip] = {}
        self._look_ahead: tuple[int, Cancel] | None = None
        """The sentence being prepared ahead of its turn, and what stops its synthesis."""
        self._token = 0
        self.speech_down = False
        """The engine is stuck: sentences are marked without sound until it answers."""
        self._lock = threading.Lock()
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="narrator", daemon=True)
        self._thread.start()

    # -- commands (any thread) -----------------------------------------------------------

    def load(self, key: object, script: Script | Callable[[], Script]) -> None:
        """Make ``script`` the one to read (it may be a function that builds it, which then
        runs on the worker thread); stops any reading of a script with another key."""
        self._cancel_look_ahead()
        self._queue.put(lambda: self._load(key, script))

    def read(self, index: int | None = None) -> None:
        """Read from ``index`` (default: the start) to the end of the script."""
        self._cancel_look_ahead(keep=index or 0)
        self._queue.put(lambda: self._start(index or 0))

    def read_from(self, target: tuple[int, int]) -> None:
        """Read from the first sentence of a piece of text (e.g. the paragraph touched)."""
        self._cancel_look_ahead()
        self._queue.put(lambda: self._start(first_in_target(self._script, target)))

    def toggle(self) -> None:
        """The Read/Pause button: read, pause, or carry on, depending on the state."""
        if self._state is State.READING:
            self._player.pause()  # at once, not after queued work
        self._queue.put(self._toggle)

    def pause(self) -> None:
        """Silence now, keeping the place; Resume goes on from the same word."""
        if self._state is State.READING:
            self._player.pause()  # at once, not after queued work
        self._queue.put(self._pause)

    def resume(self) -> None:
        self._queue.put(self._resume)

    def stop(self) -> None:
        """Silence now; the next Read starts from the beginning of the section."""
        self._player.stop()  # at once, not after queued work
        self._cancel_look_ahead()
        self._queue.put(self._stop)

    def next_sentence(self) -> None:
        self._queue.put(lambda: self._skip(+1))

    def previous_sentence(self) -> None:
        self._cancel_look_ahead()
        self._queue.put(lambda: self._skip(-1))

    def repeat(self) -> None:
        """Say the current (or last) sentence again from its start."""
        self._cancel_look_ahead()
        self._queue.put(lambda: self._skip(0))

    def change_rate(self, steps: int) -> None:
        """Faster (+1) or slower (-1), from the next sentence."""
        self._cancel_look_ahead()
        self._queue.put(lambda: self._change_rate(steps))

    def change_volume(self, steps: int) -> None:
        """Louder (+1) or quieter (-1), at once."""
        self._queue.put(lambda: self._change_volume(steps))

    def set_voice(self, voice: Voice) -> None:
        """New rate, volume, voice or step mode (e.g. the clinic defaults after a reset)."""
        if (voice.rate, voice.voice) != (self._voice.rate, self._voice.voice):
            self._cancel_look_ahead()
        self._queue.put(lambda: self._set_voice(voice))

    def status(self) -> Status:
        """Where reading is now; safe to call from any thread."""
        with self._lock:
            state, index, clip, key = self._state, self._index, self._clip, self._key
            script = self._script
        word = None
        if state in (State.READING, State.PAUSED) and clip is not None and index is not None:
            if self._player.clip is clip:
                found = clip.word_at(self._player.position_ms)
                if found is not None:
                    word = _display_word(script[index], clip.words[found])
        return Status(state, index, word, key)

    @property
    def voice(self) -> Voice:
        return self._voice

    @property
    def script(self) -> tuple[Utterance, ...]:
        return self._script

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until queued commands are done (for tests and the CLI)."""
        done = threading.Event()
        self._queue.put(done.set)
        return done.wait(timeout)

    def close(self) -> None:
        self._player.stop()
        self._cancel_look_ahead()
        self._queue.put(None)
        self._thread.join(timeout=2)

    # -- the worker ----------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            command = self._queue.get()
            if command is None:
                return
            try:
                command()
            except Exception:  # a bug must not end reading for the rest of the day
                log.exception("narrator command failed")
                self._emit(Told("Reading stopped because of an error.", problem=True))
                self._set(State.IDLE)

    def _load(self, key: object, script: Script | Callable[[], Script]) -> None:
        if key == self._key:
            return
        if callable(script):
            script = script()
        self._player.stop()
        self._token += 1
        self._cache.clear()
        with self._lock:
            self._script, self._key = script, key
            self._index, self._clip = None, None
        self._set(State.IDLE)
        self._prefetch(0)

    def _start(self, index: int) -> None:
        """Play utterance ``index`` now. A sentence the engine fails on is skipped; while the
        engine is stuck, sentences are marked at reading pace without sound."""
        while 0 <= index < len(self._script):
            try:
                clip = self._clip_for(index)
            except EngineHung as error:
                log.warning("sentence %s marked without sound: %s", index, error)
                if not self.speech_down:
                    self.speech_down = True
                    self._emit(Told(SPEECH_DOWN, problem=True))
                clip = with_pause(silent_clip(self._script[index].spoken.text, self._voice.rate),
                                  self._script[index].pause_ms)
                break
            except Exception as error:  # noqa: BLE001 - any engine failure skips one sentence
                log.warning("sentence %s not spoken: %s", index, error)
                self._emit(Told(SENTENCE_SKIPPED, problem=True))
                index += 1
                continue
            if self.speech_down and self._synthesise is not None:
                self.speech_down = False
                self._emit(Told(SPEECH_BACK))
            break
        else:
            self._finish_script()
            return
        self._token += 1
        token = self._token
        with self._lock:
            self._index, self._clip = index, clip
            self._state = State.READING
        self._player.play(clip, on_finished=lambda: self._queue.put(lambda: self._ended(token)))
        self._emit(StateChanged(State.READING, index))
        self._prefetch(index + 1)

    def _ended(self, token: int) -> None:
        if token != self._token or self._state is not State.READING:
            return
        index = self._index if self._index is not None else -1
        if index + 1 >= len(self._script):
            self._finish_script()
        elif self._voice.step_mode:
            self._set(State.WAITING)
        else:
            self._start(index + 1)

    def _finish_script(self) -> None:
        self._set(State.IDLE)
        with self._lock:
            self._index = None
        self._emit(ScriptEnded(self._key))

    def _toggle(self) -> None:
        if self._state is State.READING:
            self._pause()
        elif self._state is State.IDLE:
            self._start(self._index or 0)
        else:
            self._resume()

    def _pause(self) -> None:
        if self._state is State.READING:
            self._player.pause()
            self._set(State.PAUSED)

    def _resume(self) -> None:
        if self._state is State.PAUSED:
            self._player.resume()
            self._set(State.READING)
        elif self._state is State.WAITING:
            self._start((self._index or 0) + 1)
        elif self._state is State.IDLE:
            self._start(self._index or 0)

    def _stop(self) -> None:
        self._player.stop()
        self._token += 1
        with self._lock:
            self._index, self._clip = None, None
        self._set(State.IDLE)

    def _skip(self, offset: int) -> None:
        if not self._script:
            return
        current = self._index if self._index is not None else (0 if offset <= 0 else -1)
        target = current + offset
        if target >= len(self._script):
            self._player.stop()
            self._token += 1
            self._finish_script()
            return
        if target < 0:
            self._emit(Told("This is the first sentence."))
            target = 0
        self._start(target)

    def _change_rate(self, steps: int) -> None:
        rate = SPEECH_RATE.stepped(self._voice.rate, steps)
        if rate is None:
            self._emit(Told(SPEECH_RATE.at_end(steps)))
            return
        self._set_voice(replace(self._voice, rate=rate))

    def _change_volume(self, steps: int) -> None:
        volume = VOLUME.stepped(self._voice.volume, steps)
        if volume is None:
            self._emit(Told(VOLUME.at_end(steps)))
            return
        self._set_voice(replace(self._voice, volume=volume))

    def _set_voice(self, voice: Voice) -> None:
        if (voice.rate, voice.voice) != (self._voice.rate, self._voice.voice):
            self._cache = {i: c for i, c in self._cache.items() if i == self._index}
        self._voice = voice
        self._player.volume = voice.volume
        if not voice.step_mode and self._state is State.WAITING:
            self._resume()
        self._emit(VoiceChanged(voice))

    def _clip_for(self, index: int) -> Clip:
        clip = self._cache.get(index)
        if clip is None:
            utterance = self._script[index]
            clip = self._render(utterance)
            self._cache[index] = clip
        self._cache = {i: c for i, c in self._cache.items() if index <= i <= index + 1}
        return clip

    def _cancel_look_ahead(self, keep: int | None = None) -> None:
        """Stop preparing a sentence ahead of its turn (any thread), unless it is sentence
        ``keep``: the reader asked for something else, which must not wait for it (the
        natural voice takes up to a second for a long sentence)."""
        with self._lock:
            look_ahead = self._look_ahead
        if look_ahead is not None and look_ahead[0] != keep:
            look_ahead[1].cancel()

    def _prefetch(self, index: int) -> None:
        """Synthesise sentence ``index`` before its turn: the next one while one plays, and
        the heading when a section is shown (so Read sounds at once)."""
        if index < len(self._script) and index not in self._cache:
            cancel = Cancel()
            with self._lock:
                self._look_ahead = (index, cancel)
            try:
                self._cache[index] = self._render(self._script[index], cancel)
            except Exception:  # noqa: BLE001 - reported when its turn comes (or not wanted)
                pass
            finally:
                with self._lock:
                    self._look_ahead = None

    def _render(self, utterance: Utterance, cancel: Cancel | None = None) -> Clip:
        if self._synthesise is None:
            clip = silent_clip(utterance.spoken.text, self._voice.rate)
        else:
            clip = self._synthesise(utterance.spoken.text, self._voice.rate, self._voice.voice,
                                    cancel=cancel)
        return with_pause(clip, utterance.pause_ms)

    def _set(self, state: State) -> None:
        with self._lock:
            self._state = state
        self._emit(StateChanged(state, self._index))

    def _emit(self, event: NarratorEvent) -> None:
        try:
            self._listener(event)
        except Exception:
            log.exception("narrator listener failed")


def _display_word(utterance: Utterance, word: WordTiming) -> tuple[int, int]:
    start, end = utterance.spoken.display_range(word.start, word.end)
    return utterance.start + start, utterance.start + end


def with_pause(clip: Clip, pause_ms: int) -> Clip:
    """``clip`` followed by ``pause_ms`` of silence."""
    if pause_ms <= 0:
        return clip
    silence = bytes(int(clip.rate * pause_ms / 1000) * BYTES_PER_FRAME)
    return replace(clip, pcm=clip.pcm + silence)


def silent_clip(text: str, rate: int) -> Clip:
    """Silence as long as ``text`` would take at ``rate``, with evenly spaced word times.

    Used when no speech engine works: the Reader still highlights at reading pace.
    """
    words: list[WordTiming] = []
    position = 0
    ms_per_word = 60000 / max(SPEECH_RATE.low, rate)
    for n, word in enumerate(text.split()):
        start = text.index(word, position)
        position = start + len(word)
        words.append(WordTiming(int(n * ms_per_word), start, position))
    frames = int((len(words) + 1) * ms_per_word * SAMPLE_RATE / 1000)
    return Clip(bytes(frames * BYTES_PER_FRAME), words=tuple(words))
