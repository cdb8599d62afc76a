"""Voice commands in the app: starts the listener, keeps its grammar in step with the screen
and the reading, shows what was heard, and carries out each command on the UI thread.

Only accepted commands are shown ("Heard: next section"); other speech in the room is never
shown, spoken or logged. The recogniser, whichever engine it is, and the audio libraries are
loaded on a background thread once Home is on the screen, so they cost the first frame
neither time nor memory (bench/startup.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from kivy.clock import Clock

from kiosk.commands import Command, Do
from kiosk.logs import FaultLog
from kiosk.speech.narrator import State
from kiosk.state import View
from kiosk.voice.grammar import Context, grammar_for, load_commands, screen_context
from kiosk.voice.modes import MODE_LABELS, Mode

if TYPE_CHECKING:  # loaded with the recogniser, after the first frame
    from kiosk.follow import FollowEvent, Track
    from kiosk.voice.listener import Event, Listener

log = logging.getLogger(__name__)

CAPTION_SECONDS = 4.0
LEVEL_FLOOR_DB = -60.0
MIC_SILENT_SECONDS = 2.0
"""A microphone hands over a frame every 30 ms; none for this long means it has gone."""
MIC_RETRY_SECONDS = 3.0
"""How often a missing microphone is looked for again."""
MIC_LOST = ("The microphone stopped working. Voice commands will come back by themselves "
            "when it works again. Touch, keys and switches still work.")
MIC_BACK = "The microphone works again: voice commands are back."
NO_MIC = ("Voice commands are not available: no microphone could be opened. Touch, keys and "
          "switches still work; voice starts by itself once a microphone works. "
          "Staff: run kiosk doctor.")
"""Said at start without a microphone; what PortAudio said goes to the log, not the screen."""
NO_RECOGNISER = ("Voice commands are not available on this kiosk. Touch, keys and switches "
                 "still work. Staff: run kiosk doctor.")
"""Said when the recogniser cannot be loaded; its error goes to the log and kiosk doctor."""
LOAD_TIMEOUT_SECONDS = 20.0
"""Loading the recogniser takes about a second; this long means it has hung."""
STATE_TEXT = {
    "loading": "Voice: starting\u2026",
    "listening": "Listening",
    "reading": "Listening for \u201cstop\u201d or \u201cpause\u201d",
    "hold": "Hold to talk",
    "talking": "Listening \u2014 speak now",
    "wake": "Say \u201ckiosk\u201d, then a command",
    "following": "Say \u201ckiosk\u201d, then a command",
    "off": "Voice off",
    "unavailable": "Voice unavailable",
}


class VoiceController:
    """Owns the listener for the app."""

    def __init__(self, app, source=None) -> None:
        """``source``: where audio comes from (default: the microphone)."""
        self.app = app
        self.mode = Mode(app.settings.listening_mode)
        self.listener: Listener | None = None
        self.source = source
        self.problem = ""
        self.heard: list[Event] = []
        """Accepted commands so far (tests read it; cleared on reset)."""
        self.utterances = 0
        """How many utterances were decoded, accepted or not (a count; no words kept)."""
        self._reading = False
        self._talking = False
        self._following = False
        self._caption_event = None
        self._closed = False
        self.mic_ok = False
        """The microphone is open and handing over sound."""
        self._retry_event = None
        self.mic_fault = FaultLog(log, "microphone")
        """Logs a missing microphone once when it goes and once when it is back."""
        self._loading = False
        self._set_state("loading" if self.mode is not Mode.OFF else "off")
        if self.mode is not Mode.OFF:
            app.first_frame.call(self.start)

    # -- starting ------------------------------------------------------------------------

    def start(self) -> None:
        """Load the engine on a background thread (about half a second), then listen."""
        if self._closed or self._loading or self.listener is not None:
            return
        self._loading = True
        threading.Thread(target=self._load, name="voice-load", daemon=True).start()
        Clock.schedule_once(self._overdue, LOAD_TIMEOUT_SECONDS)

    def _load(self) -> None:
        """On the loading thread: the engine the settings ask for, the listener and the
        microphone. Any failure is logged and shown as "Voice commands are not available"."""
        try:
            from kiosk.voice.engine import EngineError
            from kiosk.voice.listener import Listener, Processor
            from kiosk.voice.recogniser import Recogniser, open_engine
            from kiosk.voice.sources import DeviceMic

            try:
                engine, notes = open_engine(self.app.settings.voice_engine)
            except EngineError as error:  # says what to fix: no traceback needed
                log.warning("voice unavailable: %s", error)
                self._schedule_unavailable(str(error))
                return
            for note in notes:
                log.info("voice: %s", note)
            processor = Processor(Recogniser(engine), mode=self.mode)
            source = self.source or DeviceMic(self.app.settings.microphone or None)
            listener = Listener(processor, source, self._from_listener, self._problem)
            Clock.schedule_once(lambda _dt: self._started(listener), 0)
        except Exception as error:  # noqa: BLE001 - voice must never stop the kiosk
            log.exception("voice unavailable: loading the recogniser failed")
            self._schedule_unavailable(f"the speech recogniser could not be loaded ({error}).")

    def _schedule_unavailable(self, message: str) -> None:
        """From the loading thread: say on the UI thread that voice is unavailable."""
        Clock.schedule_once(lambda _dt: self._unavailable(message), 0)

    def _started(self, listener: Listener) -> None:
        from kiosk.voice.sources import MicError

        self._loading = False
        if self._closed:
            return
        self.listener = listener
        listener.processor.own_words = self._own_words
        listener.hush = self._kiosk_speaking
        listener.processor.mode = self.mode  # (changed in Settings while it loaded)
        if self.source is not None:
            listener.source = self.source  # (chosen by staff while it loaded)
        self._update_context()
        try:
            listener.start()
        except MicError as error:
            self.mic_fault.failed(str(error))
            self._mic_down(str(error), NO_MIC)
            return
        self._mic_up()

    def _mic_up(self) -> None:
        """The microphone hands over sound: stop looking for it."""
        if self._retry_event is not None:
            self._retry_event.cancel()
            self._retry_event = None
        self.mic_ok = True
        self.problem = ""
        self._set_state(self._listening_state())

    def _mic_down(self, problem: str, notice: str, aloud: bool = True) -> None:
        """No microphone (at start, unplugged, or busy): show it in plain words (``notice``;
        aloud unless it failed again just after coming back, so a flapping microphone is
        not announced every few seconds), keep the ``problem`` for staff, and keep looking
        for it."""
        self.mic_ok = False
        self.problem = problem
        if self.app.following is not None:
            self.app.following.stop(why="")  # (the notice says why)
        self._set_state("unavailable")
        self.app.say_notice(notice, speak=aloud)
        if self._retry_event is None:
            self._retry_event = Clock.schedule_interval(self._retry_mic, MIC_RETRY_SECONDS)

    def _retry_mic(self, _dt: float) -> None:
        from kiosk.voice.sources import MicError

        if self.listener is None or self._closed:
            return
        if self.mic_ok:  # (opened meanwhile, e.g. by replace_source)
            self._mic_up()
            return
        try:
            self.listener.start_source()
        except MicError as error:
            self.mic_fault.failed(str(error))  # (counted; logged only when it started)
            return  # still not there; the next try is in MIC_RETRY_SECONDS
        told = self.mic_fault.recovered()
        self._mic_up()
        # (said aloud unless it keeps coming back and going again)
        self.app.say_notice(MIC_BACK, speak=told)

    def replace_source(self, source) -> None:
        """Listen to another microphone from now on (the admin's choice, tests)."""
        self.source = source
        if self.listener is None:
            return
        from kiosk.voice.sources import MicError

        try:
            self.listener.replace_source(source)
        except MicError as error:
            self.mic_fault.failed(str(error))
            self._mic_down(str(error), NO_MIC)
            return
        self.mic_fault.recovered(getattr(source, "name", ""))
        self._mic_up()

    def _unavailable(self, message: str) -> None:
        """The recogniser could not be loaded: visitors get plain words (NO_RECOGNISER),
        staff the ``message`` in the log, ``problem`` and kiosk doctor."""
        self._loading = False
        if self._closed:
            return
        self.listener = None
        self.problem = message
        self._set_state("unavailable")
        self.app.say_notice(NO_RECOGNISER)

    def _overdue(self, _dt: float) -> None:
        """Loading has taken far too long (a hung engine): say voice is unavailable rather
        than "starting" for ever. If it finishes after all, voice starts then."""
        if self._loading and not self._closed:
            log.error("voice unavailable: the recogniser was still loading after %g s",
                      LOAD_TIMEOUT_SECONDS)
            self._unavailable(f"the speech recogniser was still loading after "
                              f"{LOAD_TIMEOUT_SECONDS:g} s.")

    def close(self) -> None:
        self._closed = True
        if self._retry_event is not None:
            self._retry_event.cancel()
        if self.listener is not None:
            self.listener.stop()
            self.listener = None

    # -- state from the app --------------------------------------------------------------

    def view_changed(self, _view: View) -> None:
        self._update_context()

    def context(self, screen: str | None = None) -> Context:
        """What can be said now (or, not reading, on ``screen``) depends on this."""
        navigator = self.app.navigator
        reading = self._reading if screen is None else False
        badges = self.app.number_badges
        targets = badges.count if badges is not None and screen is None else 0
        return screen_context(screen or navigator.view.screen.value, navigator.document,
                              len(navigator.library.documents), reading, targets)

    def targets_changed(self) -> None:
        """Numbers were shown, hidden or moved to other buttons: listen for the new ones."""
        self._update_context()

    def help_lines(self, screen: str | None = None) -> list[tuple[str, list[str]]]:
        """What can be said on ``screen`` (default: the current one), from its grammar."""
        return grammar_for(self.context(screen), load_commands()).help_lines()

    def set_mode(self, mode: Mode) -> None:
        """Change the listening mode (Settings)."""
        self.mode = mode
        if self.listener is not None:
            self.listener.set_mode(mode)
            self._set_state(self._listening_state())
        elif mode is not Mode.OFF and not self.problem:
            self._set_state("loading")
            self.start()
        else:
            self._set_state("off" if mode is Mode.OFF else "unavailable")

    def next_mode(self) -> Mode:
        modes = list(Mode)
        self.set_mode(modes[(modes.index(self.mode) + 1) % len(modes)])
        return self.mode

    def follow(self, track_of: Callable[[], Track] | None,
               tell: Callable[[FollowEvent], None] = lambda _event: None) -> None:
        """Follow a person reading the words of ``track_of()`` aloud (the listener thread
        builds them), telling ``tell`` on the UI thread where they are; or stop (None).
        While following, commands need the wake word."""
        self._following = track_of is not None
        if self.listener is None:
            return
        if track_of is None:
            self.listener.follow(None)
        else:
            from kiosk.voice.dictation import session_for

            def hop(event: FollowEvent) -> None:  # (on the listener thread)
                Clock.schedule_once(lambda _dt: None if self._closed else tell(event), 0)

            self.listener.follow(lambda processor: session_for(track_of, processor.recogniser),
                                 hop)
        self._set_state(self._listening_state())

    def talk(self, pressed: bool) -> None:
        """Push-to-talk: the talk key or button pressed (True) or released (False)."""
        if self.mode is not Mode.PUSH_TO_TALK or self.listener is None:
            return
        self._talking = pressed
        self.listener.talk(pressed)
        self._set_state(self._listening_state())

    def reset(self) -> None:
        """For the next visitor: the clinic's listening mode, no caption, nothing kept."""
        self.heard.clear()
        self.app.heard_caption = ""
        if self.mode.value != self.app.settings.listening_mode:
            self.set_mode(Mode(self.app.settings.listening_mode))

    # -- from the listener ---------------------------------------------------------------

    def _from_listener(self, event: Event) -> None:
        self.utterances += 1
        if event.heard.meaning is None:
            return
        Clock.schedule_once(lambda _dt: self._act(event), 0)

    def _problem(self, message: str) -> None:
        Clock.schedule_once(lambda _dt: self.app.say_notice(message), 0)

    def _act(self, event: Event) -> None:
        if self._closed:
            return
        if self.app.kiosk is not None and not self.app.kiosk.voice_activity():
            return
        meaning = event.heard.meaning
        self.heard.append(event)
        if meaning.do is Do.WAKE:
            self._caption(f"Heard: \u201c{event.heard.text}\u201d \u2014 say a command")
            return
        done = self.carry_out(meaning)
        self._caption(f"Heard: \u201c{_said(event.heard.text)}\u201d \u2014 {done}")

    def carry_out(self, command: Command) -> str:
        """Do what was asked (through the app's one command path); returns what was done,
        in a few words, for the caption. Help said by voice also says what can be said."""
        lines = self.help_lines() if command.do is Do.HELP else []  # (where it was said)
        done = self.app.do(command)
        if lines and self.app.reading is not None:
            self.app.reading.say_text("You can say: " + "; ".join(
                phrases[0] for _label, phrases in lines[:12]) + ".")
        return done

    # -- display -------------------------------------------------------------------------

    def _caption(self, text: str) -> None:
        self.app.heard_caption = text
        if self._caption_event is not None:
            self._caption_event.cancel()
        self._caption_event = Clock.schedule_once(self._clear_caption, CAPTION_SECONDS)

    def _clear_caption(self, _dt: float) -> None:
        self.app.heard_caption = ""

    def _set_state(self, state: str) -> None:
        self.app.voice_state = state
        self.app.voice_state_text = STATE_TEXT[state]
        self.app.listening_mode_text = MODE_LABELS[self.mode]

    def _listening_state(self) -> str:
        if self.listener is None or not self.mic_ok:
            return "unavailable" if self.problem else "loading"
        if self.mode is Mode.OFF:
            return "off"
        if self._following and self.mode is not Mode.PUSH_TO_TALK:
            return "following"
        if self._reading:
            return "reading"
        if self.mode is Mode.PUSH_TO_TALK:
            return "talking" if self._talking else "hold"
        if self.mode is Mode.WAKE_WORD:
            return "wake"
        return "listening"

    def _kiosk_speaking(self) -> bool:
        """The kiosk is saying something (on the listener thread: the narrator's
        thread-safe status); a reader being followed does not hear it as their words."""
        reading = self.app.reading
        return reading is not None and reading.narrator.status().state is State.READING

    def _own_words(self) -> str:
        """The sentence the kiosk is saying and the one before (called on the listener
        thread; reads the narrator's thread-safe status)."""
        reading = self.app.reading
        if reading is None:
            return ""
        status = reading.narrator.status()
        script = reading.narrator.script
        if status.index is None or not script:
            return ""
        first = max(0, status.index - 1)
        return " ".join(u.spoken.text for u in script[first:status.index + 1])

    def poll(self) -> None:
        """Called by the app's tick: follow reading aloud, watch the microphone, move the
        level meter."""
        speaking = self._kiosk_speaking()
        if speaking != self._reading:
            self._reading = speaking
            self._update_context()
            if self.listener is not None:
                self._set_state(self._listening_state())
        if self.mic_ok and self.listener.revive():  # (it said why it stopped)
            log.error("voice: the listening thread had ended; it was started again")
        if self.mic_ok and self.listener.frame_age() > MIC_SILENT_SECONDS:
            told = self.mic_fault.failed(
                f"no sound from it for {self.listener.frame_age():.1f} s")
            self.listener.stop_source()
            self._mic_down("the microphone hands over no sound", MIC_LOST, aloud=told)
        if self.mic_ok and self.mode is not Mode.OFF:
            level = (self.listener.level_db - LEVEL_FLOOR_DB) / -LEVEL_FLOOR_DB
            self.app.voice_level = max(0.0, min(1.0, level))
        else:
            self.app.voice_level = 0.0

    def _update_context(self) -> None:
        if self.listener is not None:
            self.listener.set_context(self.context())


def _said(text: str) -> str:
    """The heard words, wake word left out."""
    words = text.split()
    if words and words[0] == load_commands().wake_word:
        words = words[1:]
    return " ".join("I" if word == "i" else word for word in words)
