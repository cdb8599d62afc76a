"""Speech synthesis with pyttsx3's espeak-ng driver, one sentence at a time, into memory.

pyttsx3 2.99 on Linux cannot be used as a player: ``say()`` renders a whole utterance and
hands it to an ``aplay`` process that cannot be interrupted, and its word events fire while
synthesising, not while playing. So the kiosk asks pyttsx3 to *save* each sentence (to an
in-memory buffer, never a file) and keeps the word timings that espeak-ng reports with the
audio (``audio_position`` of each word event, in milliseconds from the start of the
sentence). The Player then plays the clip and the timings say which word is being heard.

espeak-ng allows one synthesis at a time per process and can be initialised only once, so
there is a single Synthesiser, working on its own thread.
"""

from __future__ import annotations

import io
import logging
import queue
import threading
import time
import wave
from dataclasses import dataclass

from kiosk.rules import SPEECH_RATE
from kiosk.speech.clip import SAMPLE_RATE, Cancel, Cancelled, Clip, WordTiming
from kiosk.speech.natural import NATURAL, NATURAL_NAME, NaturalVoice

log = logging.getLogger(__name__)

DEFAULT_RATE = 150
"""Words per minute when none is given (the speaking rates offered: rules.SPEECH_RATE)."""
SYNTHESIS_TIMEOUT_S = 5.0
"""A sentence that takes longer than this to synthesise is abandoned (espeak hung)."""


class SynthesisError(RuntimeError):
    """A sentence could not be synthesised; the message is in plain words."""


class EngineHung(SynthesisError):
    """The speech engine is stuck on an earlier sentence; it may answer again later."""


@dataclass(frozen=True)
class VoiceInfo:
    """An installed voice that can read English."""

    id: str
    """espeak-ng's identifier, e.g. ``gmw/en-us``."""
    name: str
    """Its name for people, e.g. "English (America)"."""


class Synthesiser:
    """pyttsx3 (espeak-ng driver) rendering text to in-memory clips with word timings.

    All engine work happens in order on one "speech-engine" thread, which callers wait on
    with a time limit, so a hung engine cannot freeze reading (see _wait_until_idle).
    """

    _instance: Synthesiser | None = None
    _instance_lock = threading.Lock()

    @classmethod
    def shared(cls) -> Synthesiser:
        """The process's synthesiser (espeak-ng can be initialised only once)."""
        with cls._instance_lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def __init__(self) -> None:
        self.on_fallback = lambda _problem: None
        """Told once when the natural voice cannot read and espeak-ng reads instead; the app
        shows it (ReadingController)."""
        self._fallback_told: str | None = None
        self._jobs: queue.Queue = queue.Queue()
        self._hung = False
        self._lock = threading.Lock()
        ready: queue.Queue = queue.Queue()
        thread = threading.Thread(target=self._serve, args=(ready,), name="speech-engine",
                                  daemon=True)
        thread.start()
        error = ready.get()
        if error is not None:
            raise error

    def voices(self) -> list[VoiceInfo]:
        """Installed voices that speak English, US first, with the natural voice (Piper),
        when it is installed, second: one press of Settings' Next voice from the default."""
        found = self._call(self._voices)
        if NaturalVoice.installed():
            found.insert(min(1, len(found)), VoiceInfo(NATURAL, NATURAL_NAME))
        return found

    def synthesise(self, text: str, rate: int = DEFAULT_RATE, voice: str | None = None,
                   cancel: Cancel | None = None) -> Clip:
        """Render ``text`` at ``rate`` words per minute with ``voice`` (None: engine default).

        Raises SynthesisError if the engine fails or takes longer than SYNTHESIS_TIMEOUT_S,
        and Cancelled when ``cancel`` stopped it (the natural voice stops at once; espeak-ng,
        a few ms a sentence, is not stopped once it has begun).
        """
        rate = max(SPEECH_RATE.low, min(SPEECH_RATE.high, int(rate)))
        if not text.strip():
            return Clip(b"")
        if cancel is not None and cancel.cancelled:
            raise Cancelled("no longer wanted")
        if voice == NATURAL:
            natural = NaturalVoice.shared()
            try:
                return natural.synthesise(text, rate, cancel)
            except Cancelled:
                raise
            except Exception as error:  # noqa: BLE001 - espeak-ng reads instead, and says so
                if natural.problem is None:
                    natural.problem = (f"The natural voice failed ({type(error).__name__}); "
                                       "espeak-ng reads instead.")
                    log.warning("natural voice: %s", error)
                if self._fallback_told != natural.problem:  # once, not every sentence
                    self._fallback_told = natural.problem
                    self.on_fallback(natural.problem)
                voice = None
        return self._call(lambda: self._synthesise(text, rate, voice))

    # -- the engine thread ---------------------------------------------------------------

    def _call(self, job):
        with self._lock:  # one caller at a time, so a late answer is never taken for another
            if self._hung:
                raise EngineHung("the speech engine is not answering")
            answer: queue.Queue = queue.Queue()
            self._jobs.put((job, answer))
            try:
                ok, value = answer.get(timeout=SYNTHESIS_TIMEOUT_S)
            except queue.Empty:
                # The job is abandoned (espeak-ng cannot be restarted in-process); until it
                # returns, callers are told at once instead of waiting again.
                self._hung = True
                raise EngineHung("the speech engine did not finish a sentence in time"
                                 ) from None
        if not ok:
            raise value
        return value

    def _serve(self, ready: queue.Queue) -> None:
        try:
            self._start_engine()
        except Exception as error:  # no libespeak-ng, no voices: the caller decides
            ready.put(SynthesisError(f"the speech engine could not start ({error})"))
            return
        ready.put(None)
        while True:
            job, answer = self._jobs.get()
            try:
                answer.put((True, job()))
            except SynthesisError as error:
                answer.put((False, error))
            except Exception as error:
                log.exception("speech engine failed")
                answer.put((False, SynthesisError(f"the speech engine failed ({error})")))
            self._hung = False  # it answers again (an abandoned job's answer goes unread)

    def _start_engine(self) -> None:
        import pyttsx3
        from pyttsx3.drivers import _espeak
        from pyttsx3.drivers import espeak as espeak_driver

        # The driver prints "Audio saved to ..." after every save; send it to the log.
        espeak_driver.print = lambda *args, **_kw: log.debug(" ".join(map(str, args)))
        self._espeak = _espeak
        self._engine = pyttsx3.init("espeak")
        self._driver = self._engine.proxy._driver
        self._done = threading.Event()
        self._words: list[tuple[int, int, int]] = []
        self._engine.connect("finished-utterance", self._finished)
        # Wrap the driver's synthesis callback to keep each word's audio position too.
        self._espeak.SetSynthCallback(self._on_synth)
        self._voice: str | None = None
        self._default_voice: str | None = self._engine.getProperty("voice")
        self._rate: int | None = None
        self._set("volume", 1.0)  # loudness is the player's job

    def _finished(self, completed: bool = True, **_kwargs) -> None:
        if completed:
            self._done.set()

    def _wait_until_idle(self, after_sentence: bool = False) -> None:
        """Wait for espeak-ng's own thread and pyttsx3's busy flag to settle.

        pyttsx3 runs espeak-ng asynchronously: ``runAndWait`` returns before a saved sentence
        is finished, and when it starts it cancels whatever espeak still has queued. A speed
        change sent while espeak was busy was lost that way (about one sentence in ten came
        out at the previous speed), so every step waits for espeak to be idle first.
        """
        deadline = time.monotonic() + SYNTHESIS_TIMEOUT_S
        while self._espeak.IsPlaying() or (after_sentence and self._engine.proxy.isBusy()):
            if time.monotonic() > deadline:
                raise SynthesisError("the speech engine stayed busy")
            time.sleep(0.0005)

    def _set(self, name: str, value) -> None:
        self._wait_until_idle()
        self._driver.setProperty(name, value)  # at once, not queued behind the busy flag
        self._wait_until_idle()

    def _voices(self) -> list[VoiceInfo]:
        found = [
            VoiceInfo(v.id, v.name)
            for v in self._engine.getProperty("voices")
            if any(str(lang).startswith("en") for lang in (v.languages or []))
        ]
        return sorted(found, key=lambda v: (not v.id.endswith("/en-us"), v.name))

    def _synthesise(self, text: str, rate: int, voice: str | None) -> Clip:
        voice = voice or self._default_voice
        if voice and voice != self._voice:
            self._voice = voice  # an unknown voice is reported once; espeak keeps its voice
            try:
                self._set("voice", voice)
            except (ValueError, OSError) as error:
                log.warning("voice %s unavailable: %s", voice, error)
        if rate != self._rate:
            self._set("rate", rate)
            self._rate = rate
        self._wait_until_idle()
        buffer = io.BytesIO()
        self._words = []
        self._done.clear()
        self._engine.save_to_file(text, buffer)
        self._engine.runAndWait()  # returns once synthesis has started
        if not self._done.wait(SYNTHESIS_TIMEOUT_S):
            raise SynthesisError("the speech engine did not finish a sentence in time")
        self._wait_until_idle(after_sentence=True)
        return Clip(_pcm_of(buffer), SAMPLE_RATE, _word_timings(text, self._words))

    def _on_synth(self, wav, numsamples, events):
        i = 0
        while events[i].type != self._espeak.EVENT_LIST_TERMINATED:
            event = events[i]
            if event.type == self._espeak.EVENT_WORD and event.text_position > 0:
                self._words.append((event.audio_position, event.text_position - 1, event.length))
            i += 1
        return self._driver._onSynth(wav, numsamples, events)


def _pcm_of(buffer: io.BytesIO) -> bytes:
    if not buffer.getvalue():
        raise SynthesisError("the speech engine produced no audio")
    buffer.seek(0)
    with wave.open(buffer, "rb") as wav:
        return wav.readframes(wav.getnframes())


def _word_timings(text: str, events: list[tuple[int, int, int]]) -> tuple[WordTiming, ...]:
    """Word events to timings; a zero length (a spelled-out word) extends to the word's end."""
    timings: list[WordTiming] = []
    for audio_ms, start, length in events:
        if start >= len(text) or not text[start].isalnum():
            continue
        end = start + length if length > 0 else _word_end(text, start)
        if timings and timings[-1].start == start:
            continue
        if timings and audio_ms < timings[-1].start_ms:
            audio_ms = timings[-1].start_ms
        timings.append(WordTiming(int(audio_ms), start, min(end, len(text))))
    return tuple(timings)


def _word_end(text: str, start: int) -> int:
    end = start
    while end < len(text) and not text[end].isspace():
        end += 1
    while end > start + 1 and not text[end - 1].isalnum():
        end -= 1
    return end
