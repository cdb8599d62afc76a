"""Listening: microphone frames in, commands out (no Kivy here).

:class:`Processor` is the whole path from 30 ms frames to judged utterances, without
threads: end-pointing, the listening modes, the barge-in grammar while the kiosk speaks and
the guard against its own voice. ``kiosk hear`` and the benchmark push file audio through
it; :class:`Listener` runs it on a thread fed by a microphone or a file microphone and tells
the app what was heard; while a person reading aloud is followed (:meth:`Listener.follow`),
each frame also goes to the follow-along session (kiosk/voice/dictation.py). No audio is
kept once an utterance is decoded, and the log holds intent names only.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from kiosk.commands import Command, Do
from kiosk.follow import FollowEnded, FollowEvent
from kiosk.voice.dictation import Following
from kiosk.voice.endpoint import Audio, Ended, Endpointer, Started, frame_level
from kiosk.voice.grammar import CommandSet, Context, Grammar, grammar_for, load_commands
from kiosk.voice.modes import Mode
from kiosk.voice.pronounce import words_of
from kiosk.voice.recogniser import Heard, Recogniser

log = logging.getLogger(__name__)

WAKE_SECONDS = 6.0
"""After the wake word alone, commands are heard without it for this long."""


@dataclass(frozen=True)
class Event:
    """One judged utterance, with when its speech ended (monotonic seconds)."""

    heard: Heard
    speech_end: float
    """When the last voiced frame arrived, by the frame clock (for latency)."""


class Processor:
    """Frames in, judged utterances out; one thread at a time."""

    def __init__(self, recogniser: Recogniser, commands: CommandSet | None = None,
                 endpointer: Endpointer | None = None, mode: Mode = Mode.ALWAYS) -> None:
        self.recogniser = recogniser
        self.commands = commands or load_commands()
        self.endpointer = endpointer or Endpointer()
        self.mode = mode
        self.context = Context()
        self.talking = False
        """Push-to-talk: the talk key, switch or button is held."""
        self.own_words: Callable[[], str] = lambda: ""
        """The words the kiosk is saying or has just said (own-voice guard)."""
        self.level_db = -100.0
        self._awake_until = 0.0
        self._in_utterance = False
        self._frame_clock = 0.0
        self._voiced_at = 0.0
        self._grammar_key: tuple | None = None
        self.following = False
        """A reader is being followed (kiosk.voice.dictation): commands only after the wake
        word (or while the talk key is held), so the words they read ("stop") are not taken
        as commands."""

    # -- configuration -------------------------------------------------------------------

    def set_context(self, context: Context) -> None:
        """Where the person is; the grammar follows from the next utterance on."""
        self.context = context

    def grammar(self) -> Grammar:
        """The grammar that applies now (used by Help too)."""
        return grammar_for(self._effective_context(), self.commands)

    def _effective_context(self) -> Context:
        # (following with push-to-talk: holding the key already says a command comes)
        wake = self.mode is Mode.WAKE_WORD or (self.following and self.mode is not
                                               Mode.PUSH_TO_TALK)
        wake = wake and self._frame_clock >= self._awake_until
        return replace(self.context, wake=wake and not self.context.reading)

    def _use_current_grammar(self) -> None:
        context = self._effective_context()
        key = (context.screen, id(context.document), context.numbers, context.reading,
               context.wake, context.targets)
        if key != self._grammar_key:
            self.recogniser.use(grammar_for(context, self.commands))
            self._grammar_key = key

    # -- frames --------------------------------------------------------------------------

    def push(self, frame: bytes, now: float | None = None) -> list[Event]:
        """Process one 30 ms frame; returns the utterances it completed."""
        self._frame_clock = time.monotonic() if now is None else now
        self.level_db = frame_level(frame)
        if self.mode is Mode.OFF or (self.mode is Mode.PUSH_TO_TALK and not self.talking
                                     and not self._in_utterance):
            self.abandon()
            self.endpointer.observe(self.level_db)
            return []
        events: list[Event] = []
        before = self.endpointer.in_speech
        for event in self.endpointer.push(frame, self.level_db):
            events.extend(self._handle(event))
        if self.endpointer.in_speech and self.endpointer.voiced:
            self._voiced_at = self._frame_clock
        if self.mode is Mode.PUSH_TO_TALK and before and not self.talking:
            for event in self.endpointer.cut():
                events.extend(self._handle(event))
        return events

    def abandon(self) -> None:
        """Drop any utterance in progress without acting on it."""
        self.endpointer.reset()
        if self._in_utterance:
            self._in_utterance = False
            try:
                self.recogniser.finish(None)
            except Exception:  # noqa: BLE001 - the engine is restarted with the next one
                log.warning("voice: could not close an abandoned utterance")

    def release(self) -> list[Event]:
        """Push-to-talk released: end the utterance now."""
        self.talking = False
        events: list[Event] = []
        for event in self.endpointer.cut():
            events.extend(self._handle(event))
        return events

    def _handle(self, event) -> list[Event]:
        if isinstance(event, Started):
            self._use_current_grammar()
            self.recogniser.start(event.pcm)
            self._in_utterance = True
            self._voiced_at = self._frame_clock
            return []
        if isinstance(event, Audio):
            if self._in_utterance and not self.endpointer.too_long:
                self.recogniser.feed(event.pcm)
            return []
        if isinstance(event, Ended):
            self._in_utterance = False
            heard = self.recogniser.finish(event.speech_ms)
            if event.too_long:
                heard = Heard(heard.text, None, heard.ms, "the speech went on too long")
            heard = self._after(heard)
            return [Event(heard, self._voiced_at)]
        return []

    def _after(self, heard: Heard) -> Heard:
        """Wake word and own-voice checks on an accepted phrase."""
        meaning = heard.meaning
        if meaning is None:
            return heard
        if self.context.reading and self._own_voice(heard.text):
            log.info("ignored the kiosk's own voice")
            return Heard(heard.text, None, heard.ms, "the kiosk's own voice")
        if meaning.do is Do.WAKE:
            self._awake_until = self._frame_clock + WAKE_SECONDS
            return heard
        if self.mode is Mode.WAKE_WORD or self.following:
            self._awake_until = 0.0
        return heard

    def _own_voice(self, text: str) -> bool:
        """The phrase's words are all in what the kiosk is saying right now."""
        spoken = set(words_of(self.own_words() or ""))
        return bool(spoken) and all(word in spoken for word in text.split())


class Listener:
    """Runs a Processor on its own thread, fed by a microphone or a file microphone."""

    def __init__(self, processor: Processor, source, on_event: Callable[[Event], None],
                 on_problem: Callable[[str], None] | None = None) -> None:
        self.processor = processor
        self.source = source
        self.on_event = on_event
        self.on_problem = on_problem or (lambda _text: None)
        self.running = False
        """The source is open and handing over frames."""
        self.last_frame_at = time.monotonic()
        self._frames: queue.Queue[bytes | None] = queue.Queue(maxsize=400)
        self._actions: queue.Queue[Callable[[], None]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._tell: Callable[[FollowEvent], None] = lambda _event: None
        """Where the follow-along session's events go (called on the listener thread)."""
        self.hush: Callable[[], bool] = lambda: False
        """The kiosk itself is speaking now (its words are not the reader's)."""
        self._following: Following | None = None

    @property
    def level_db(self) -> float:
        return self.processor.level_db

    def start(self) -> None:
        """Begin listening; raises MicError when the source cannot be opened (the thread
        still runs, so :meth:`start_source` can try again later)."""
        self.start_source()

    def start_source(self) -> None:
        """Open the microphone (again), and start the listening thread if it is not running
        (first start, or after it ended); raises MicError when the source cannot be opened
        (the thread still runs, so this can be tried again later)."""
        self.revive()
        self.source.start(self._frame_in)
        self.last_frame_at = time.monotonic()
        self.running = True

    def stop_source(self) -> None:
        """Close the microphone (it stopped answering); any utterance in progress is dropped."""
        self.running = False
        try:
            self.source.stop()
        except Exception:  # noqa: BLE001 - closing a vanished device
            log.warning("voice: the microphone could not be closed cleanly")
        self.call(self.processor.abandon)

    def replace_source(self, source) -> None:
        """Listen to another microphone; raises MicError when it cannot be opened."""
        self.stop_source()
        self.source = source
        self.start_source()

    def alive(self) -> bool:
        """The listening thread is running."""
        return self._thread is not None and self._thread.is_alive()

    def revive(self) -> bool:
        """Start the listening thread if it is not running (first start, or after it ended);
        frames that waited for a thread that had ended are dropped, not decoded late. True
        when a thread was started."""
        if self.alive():
            return False
        if self._thread is not None:
            while not self._frames.empty():
                self._frames.get_nowait()
        self._thread = threading.Thread(target=self._run, name="listener", daemon=True)
        self._thread.start()
        return True

    def frame_age(self) -> float:
        """Seconds since the source last handed over a frame (a microphone sends one every
        30 ms, silence included, so a long gap means it has gone); infinite when the
        listening thread has ended, so the app's watchdog never takes a microphone that
        nobody hears for a working one."""
        if not self.alive():
            return math.inf
        return time.monotonic() - self.last_frame_at

    def stop(self) -> None:
        self.stop_source()
        if self.alive():  # (a thread that ended takes no more frames: never wait for it)
            try:
                self._frames.put(None, timeout=2)
            except queue.Full:
                log.warning("voice: the listening thread did not take its last frames")
            self._thread.join(timeout=2)

    def call(self, action: Callable[[], None]) -> None:
        """Run ``action`` on the listener thread before the next frame (grammar, modes)."""
        self._actions.put(action)

    def set_context(self, context: Context) -> None:
        self.call(lambda: self.processor.set_context(context))

    def set_mode(self, mode: Mode) -> None:
        def change() -> None:
            self.processor.mode = mode
            self.processor.abandon()
        self.call(change)

    def follow(self, opening: Callable[[Processor], Following] | None,
               tell: Callable[[FollowEvent], None] = lambda _event: None) -> None:
        """Follow a person reading aloud: ``opening`` makes the session on the listener
        thread (building the document's words and, when the recogniser cannot write down
        free speech, loading Whisper take a moment) and its events go to ``tell`` (on the
        listener thread); None stops following. A session that cannot start is told as
        :class:`FollowEnded`."""
        def change() -> None:
            self._following = None
            self.processor.following = False
            if opening is None:
                return
            self._tell = tell
            try:
                self._following = opening(self.processor)
            except Exception as error:  # noqa: BLE001 - commands go on without it
                log.exception("voice: following could not start")
                tell(FollowEnded(f"Follow my reading could not start: {error}"))
                return
            self.processor.following = True
        self.call(change)

    @property
    def following(self) -> bool:
        """A follow-along session is running (read on the listener thread's terms)."""
        return self._following is not None

    def talk(self, pressed: bool) -> None:
        """Push-to-talk key, switch or button pressed or released."""
        def change() -> None:
            if pressed:
                self.processor.talking = True
            else:
                for event in self.processor.release():
                    self._deliver(event)
        self.call(change)

    def _frame_in(self, frame: bytes) -> None:
        self.last_frame_at = time.monotonic()
        if getattr(self.source, "speed", 1.0) == 0:  # a file as fast as possible: lose none
            self._frames.put(frame)
            return
        try:
            self._frames.put_nowait(frame)
        except queue.Full:  # a live microphone and the decoder fell behind: drop, not lag
            pass

    def _run(self) -> None:
        try:
            self._loop()
        except BaseException as error:  # noqa: BLE001 - say so, never end silently
            log.exception("voice: the listening thread stopped")
            self.on_problem(f"Voice commands stopped ({type(error).__name__}).")

    def _loop(self) -> None:
        while True:
            self._run_actions()
            frame = self._frames.get()
            if frame is None:
                return
            self._run_actions()
            try:
                events = self.processor.push(frame)
            except Exception as error:  # noqa: BLE001 - keep listening after a bad utterance
                self._failed(error)
                continue
            for event in events:
                self._deliver(event)
            if self._following is not None:
                self._follow(frame)

    def _follow(self, frame: bytes) -> None:
        """The frame to the follow-along session; it ends after a long silence, or when it
        fails (said, and commands go on)."""
        try:
            event = self._following.push(frame, self.processor.level_db, self.hush())
        except Exception as error:  # noqa: BLE001 - never a silent stop
            log.exception("voice: following failed")
            event = FollowEnded(f"Follow my reading had a problem ({type(error).__name__}) "
                                "and has stopped.")
        if isinstance(event, FollowEnded):
            self._following = None
            self.processor.following = False
        if event is not None:
            self._tell(event)

    def _run_actions(self) -> None:
        """The queued actions (grammar, modes, push-to-talk release); one that fails is
        reported like a bad utterance and listening goes on."""
        while not self._actions.empty():
            action = self._actions.get_nowait()
            try:
                action()
            except Exception as error:  # noqa: BLE001 - e.g. the engine failing on release
                self._failed(error, "a change of grammar, mode or push-to-talk failed")

    def _failed(self, error: Exception, what: str = "an utterance could not be decoded") -> None:
        log.exception("voice: %s", what)
        self.on_problem(f"Voice commands had a problem ({type(error).__name__}).")
        try:
            self.processor.abandon()
        except Exception:  # noqa: BLE001 - abandon already logs what it cannot close
            log.warning("voice: the utterance could not be dropped")

    def _deliver(self, event: Event) -> None:
        meaning: Command | None = event.heard.meaning
        log.info("voice: %s", meaning.do.value if meaning else "rejected")
        self.on_event(event)
