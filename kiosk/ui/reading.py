"""Reading aloud in the app: connects the Narrator to the Reader screen and its buttons.

The narrator works on its own thread; everything here runs on the UI thread. Its events
arrive through ``Clock.schedule_once`` and the highlight follows the audio by asking the
narrator where it is, twenty times a second.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace

from kivy.clock import Clock

from kiosk.commands import Do
from kiosk.config import Settings
from kiosk.content import Entry
from kiosk.follow import Place
from kiosk.logs import FaultLog
from kiosk.speech.audio import STILL_HIGHLIGHTED, Sink, open_output
from kiosk.speech.clinic import clinic_voice, lexicon_path
from kiosk.speech.lexicon import Lexicon, load_lexicon
from kiosk.speech.narrator import (
    Narrator,
    NarratorEvent,
    ScriptEnded,
    State,
    StateChanged,
    Status,
    Told,
    VoiceChanged,
)
from kiosk.speech.natural import NATURAL, NaturalVoice
from kiosk.speech.normalise import normalise
from kiosk.speech.player import Player
from kiosk.speech.script import HEADING, Utterance, build_script
from kiosk.speech.synth import Synthesiser, SynthesisError, VoiceInfo
from kiosk.state import Screen, View

log = logging.getLogger(__name__)

READ_LABELS = {
    State.IDLE: "Read aloud",
    State.READING: "Pause",
    State.PAUSED: "Resume",
    State.WAITING: "Continue",
}
STOP_FOLLOWING = "Stop following"
"""The Read button's words while the kiosk follows a person reading aloud."""
FOLLOWING_FORMS = ["Following your reading", "Following you", "Following"]
"""The Reader's status line while it follows a person reading, longest first."""
OUTPUTS = {"auto": "auto", "device": "device", "none": "null"}
OUTPUT_CHECK_SECONDS = 1.0
"""How often the speakers are checked."""
REOPEN_SECONDS = 3.0
"""How often missing speakers are looked for again."""
SOUND_BACK = "Sound is back."
SAMPLE = "This is how the kiosk reads aloud. You can make it slower, faster, quieter or louder."


class ReadingController:
    """Owns the narrator for the app and shows its progress on the Reader screen."""

    def __init__(self, app, settings: Settings, sink: Sink | None = None) -> None:
        self.app = app
        self.problems: list[str] = []
        """What is wrong with speech, in plain words (shown once the window is up)."""
        self.lexicon, lexicon_problems = self._load_lexicon(settings)
        self.problems += lexicon_problems
        self.reopen: Callable[[], tuple[Sink, str | None]] | None = None
        """Opens the speakers again when they are missing or went away (None: never; the
        given sink is all there is, as in tests and with ``audio_output: none``)."""
        if sink is None:
            kind = OUTPUTS[settings.audio_output]
            sink, self.no_sound = open_output(kind)
            if kind != "null":
                self.reopen = lambda: open_output(kind)
        else:
            self.no_sound = None if sink.audible else f"Sound goes to {sink.name}."
        self.player = Player(sink)
        self._next_reopen = 0.0
        self.sound_fault = FaultLog(log, "sound")
        """Logs missing speakers once when they go and once when they are back."""
        if self.reopen is not None and self.no_sound is not None:
            self.sound_fault.failed(sink.detail or self.no_sound)
        synthesise = None
        try:
            synthesiser = Synthesiser.shared()
            synthesise = synthesiser.synthesise
            synthesiser.on_fallback = lambda problem: Clock.schedule_once(
                lambda _dt: self.app.say_notice(problem), 0)
            if settings.voice == NATURAL:  # load it now, not when Read is pressed
                threading.Thread(target=self._warm_natural_voice, name="natural-voice",
                                 daemon=True).start()
        except Exception as error:  # no espeak-ng library, or it failed to start
            log.warning("speech synthesis unavailable: %s", error)
            self.problems.append("Speech is unavailable on this computer: the text will be "
                                 "highlighted at reading pace. Staff: install espeak-ng.")
        self.narrator = Narrator(self.player, synthesise, self._from_narrator,
                                 clinic_voice(settings))
        self.key: object = None
        self._shown: tuple | None = None
        self._marked = None
        self._marked_generation: tuple[object, int] | None = None
        """The Reader screen and text generation ``_marked`` belongs to."""
        self._scroll_pending = False
        self._told_no_sound = False
        self._synthesise = synthesise
        self._voices: list[VoiceInfo] | None = None
        self._samples = 0
        self._announcing: object = None
        """The key of a short announcement being said over the Reader's section, or None."""
        self.following = False
        """A person reading aloud is being followed (kiosk/ui/following.py)."""
        self.followed: Place | None = None
        """Where they are (marked instead of the narrator's place), once heard."""
        self._output_event = Clock.schedule_interval(self._watch_output, OUTPUT_CHECK_SECONDS)
        self._update_labels(State.IDLE)

    # -- from the screen -----------------------------------------------------------------

    def view_changed(self, view: View) -> None:
        """Load the section shown in the Reader; keep reading across sections; stop elsewhere."""
        if view.screen is not Screen.READER:
            if self.key is not None:
                self.narrator.stop()
                self.key = None
            self._announcing = None
            return
        document, entry = self.app.navigator.document, self.app.navigator.entry
        # The entry compares by content: an edit of this section loads it again, a reload of
        # the content folder that leaves it as it was keeps the reading where it is.
        key = (document.id, entry.section.id, entry)
        self._shown = None
        if key == self.key:
            return
        self._announcing = None
        reading_a_section = self.key is not None and self.key[0] != "sample"
        status = self.narrator.status()  # (not an announcement said over the section)
        active = reading_a_section and status.key == self.key and status.state in (
            State.READING, State.WAITING)
        self.key = key
        self.narrator.load(key, lambda: build_script(entry, self.lexicon))
        if active:
            self.narrator.read(0)

    def toggle(self) -> None:
        """Read aloud / Pause / Resume / Continue."""
        self._tell_if_silent()
        self._section_back()
        self.narrator.toggle()

    def read_from(self, target) -> None:
        """Read from the start of the paragraph or item touched (which ends following a
        person reading)."""
        if target is not None:
            if self.app.following is not None:
                self.app.following.stop()
            self._tell_if_silent()
            self._section_back()
            self.narrator.read_from(target)

    def stop(self) -> None:
        self.narrator.stop()

    def read_sentence(self, index: int) -> None:
        """Read aloud from sentence ``index`` of the section (where a reader left off)."""
        self._tell_if_silent()
        self._section_back()
        self.narrator.read(index)

    def show_followed(self, place: Place | None, following: bool) -> None:
        """Mark where a person reading aloud is (None: nowhere yet), or, not ``following``,
        go back to marking the kiosk's own reading."""
        self.followed = place if following else None
        if following != self.following:
            self.following = following
            self._update_labels(self.narrator.status().state)
        self._shown = None

    def repeat(self) -> None:
        self._section_back()
        self.narrator.repeat()

    def next_sentence(self) -> None:
        self._section_back()
        self.narrator.next_sentence()

    def previous_sentence(self) -> None:
        self._section_back()
        self.narrator.previous_sentence()

    def change_rate(self, steps: int) -> None:
        self.narrator.change_rate(steps)

    def change_volume(self, steps: int) -> None:
        self.narrator.change_volume(steps)

    def step(self, do: Do) -> None:
        """One narrator step asked for by a command (kiosk.commands.READING)."""
        {Do.TOGGLE: self.toggle, Do.STOP: self.stop, Do.REPEAT: self.repeat,
         Do.NEXT_SENTENCE: self.next_sentence, Do.PREVIOUS_SENTENCE: self.previous_sentence,
         Do.FASTER: lambda: self.change_rate(+1), Do.SLOWER: lambda: self.change_rate(-1),
         Do.LOUDER: lambda: self.change_volume(+1),
         Do.QUIETER: lambda: self.change_volume(-1)}[do]()

    def voices(self) -> list[VoiceInfo]:
        """The English voices that can be chosen (empty when there is no speech engine)."""
        if self._voices is None:
            try:
                self._voices = Synthesiser.shared().voices() if self._synthesise else []
            except SynthesisError as error:
                log.warning("cannot list voices: %s", error)
                self._voices = []
        return self._voices

    def voice_name(self) -> str:
        """The chosen voice in words, e.g. "English (America)"."""
        chosen = self.narrator.voice.voice
        return next((v.name for v in self.voices() if v.id == chosen),
                    chosen or "the speech engine's default")

    def next_voice(self) -> None:
        """Choose the next installed English voice, and let it be heard."""
        voices = self.voices()
        if not voices:
            self.app.say_notice("No other voices are installed.")
            return
        ids = [v.id for v in voices]
        current = self.narrator.voice.voice
        following = ids[(ids.index(current) + 1) % len(ids)] if current in ids else ids[0]
        self.narrator.set_voice(replace(self.narrator.voice, voice=following))
        self.say_sample()

    def toggle_step_mode(self) -> None:
        """Pause after every sentence, or read on."""
        voice = self.narrator.voice
        self.narrator.set_voice(replace(voice, step_mode=not voice.step_mode))

    def say_sample(self) -> None:
        """Read a short sentence with the current voice, speed and volume."""
        self.say_text(SAMPLE)

    def say_text(self, text: str) -> None:
        """Say a short text that is not part of a document (a sample, spoken help)."""
        self._tell_if_silent()
        self._samples += 1
        sample = Utterance(0, HEADING, 0, len(text), normalise(text, self.lexicon))
        self.key = ("sample", self._samples)
        self._announcing = None
        self.narrator.load(self.key, (sample,))
        self.narrator.read(0)

    def announce(self, text: str) -> object:
        """Say a short text (a switch-scanning label). In the Reader the section stays as it
        is: no marks, the Read button keeps its words, and Read still starts the section
        (any reading command cuts the announcement short). Returns the narrator key it is
        said under."""
        if self.key is None or self.key[0] == "sample" or self.app.navigator.entry is None:
            self.say_text(text)
            return self.key
        self._samples += 1
        self._announcing = ("announcement", self._samples)
        spoken = Utterance(0, HEADING, 0, len(text), normalise(text, self.lexicon))
        self.narrator.load(self._announcing, (spoken,))
        self.narrator.read(0)
        return self._announcing

    def say_aside(self, text: str) -> None:
        """Say a notice (the microphone stopped, sound is back) unless a section is being
        read or is paused: the reading is not cut short for it."""
        state = self.narrator.status().state
        if state is not State.IDLE and self._announcing is None and self.key is not None \
                and self.key[0] != "sample":
            return
        self.announce(text)

    def _section_back(self) -> None:
        """After (or during) an announcement, load the Reader's section again."""
        if self._announcing is None:
            return
        self._announcing = None
        entry = self.app.navigator.entry
        if entry is not None and self.key is not None and self.key[0] != "sample":
            self.narrator.load(self.key, lambda: build_script(entry, self.lexicon))

    def reset(self) -> None:
        """Stop, and go back to the clinic's voice, speed and volume (for the next visitor)."""
        self.narrator.stop()
        self.narrator.set_voice(clinic_voice(self.app.settings))
        self._told_no_sound = False

    def use_output(self, sink: Sink, reason: str | None) -> None:
        """Play through ``sink`` from now on; ``reason`` says why there is no sound, or None
        when it is heard. The reading goes on where it was."""
        self.player.use_sink(sink)
        was_silent, self.no_sound = self.no_sound, reason
        self._told_no_sound = reason is not None
        self._update_labels(self.narrator.status().state)
        if reason is not None:
            self.app.say_notice(reason)
        elif was_silent:  # said aloud, unless the speakers keep coming back and failing
            flapping = self.sound_fault.active and not self.sound_fault.recovered(sink.name)
            self.app.say_notice(SOUND_BACK, speak=not flapping)

    def _watch_output(self, _dt: float) -> None:
        """The speakers went away: say so (the text goes on being marked at reading pace).
        No speakers: look for them again every few seconds."""
        sink = self.player.sink
        if sink.failed and not self.no_sound:
            self.sound_fault.failed(f"the sound stopped: {sink.detail or sink.failed}")
            self.no_sound = f"Sound is unavailable: {sink.failed} {STILL_HIGHLIGHTED}"
            self._told_no_sound = True
            self._update_labels(self.narrator.status().state)
            self.app.say_notice(self.no_sound)
        if not self.no_sound or self.reopen is None:
            return
        now = Clock.get_boottime()
        if now < self._next_reopen:
            return
        self._next_reopen = now + REOPEN_SECONDS
        try:
            found, reason = self.reopen()
        except Exception:  # noqa: BLE001 - looking for a device must never stop the kiosk
            log.exception("looking for the speakers failed")
            return
        if reason is None and found.audible:
            self.use_output(found, None)
        else:
            self.sound_fault.failed(found.detail or reason or "no sound")  # (counted only)
            found.close()

    def close(self) -> None:
        self._output_event.cancel()
        self.narrator.close()
        self.player.close()

    # -- internals -----------------------------------------------------------------------

    @staticmethod
    def _load_lexicon(settings: Settings) -> tuple[Lexicon, list[str]]:
        path = lexicon_path(settings)
        if not path.exists():
            return Lexicon.empty(), []
        return load_lexicon(path)

    @staticmethod
    def _warm_natural_voice() -> None:
        try:
            NaturalVoice.shared().load()
        except RuntimeError:
            pass  # (its problem is told when it is first asked to read)

    def _tell_if_silent(self) -> None:
        if self.no_sound and not self._told_no_sound:
            self._told_no_sound = True
            self.app.say_notice(self.no_sound)

    def _from_narrator(self, event: NarratorEvent) -> None:
        """Called on the narrator's thread: hop to the UI thread."""
        Clock.schedule_once(lambda _dt: self._handle(event), 0)

    def _handle(self, event: NarratorEvent) -> None:
        match event:
            case StateChanged(state=state):
                self._update_labels(State.IDLE if self._announcing is not None else state)
            case ScriptEnded(key=key) if self._announcing is not None \
                    and key == self._announcing:
                self._section_back()
            case ScriptEnded(key=key) if key == self.key and not (
                    isinstance(self.key, tuple) and self.key[0] == "sample"):
                self._section_ended()  # (a said text, e.g. the idle notice, is no section)
            case VoiceChanged():
                self._update_labels(self.narrator.status().state)
                if self.app.manager is not None and self.app.manager.current == "settings":
                    self.app.manager.current_screen.refresh(self.app)
            case Told(message=message):
                self.app.say_notice(message)

    def _section_ended(self) -> None:
        navigator = self.app.navigator
        entries = navigator.document.entries if navigator.document else ()
        entry: Entry | None = navigator.entry
        if entry is not None and entry.number < len(entries) and self.app.settings.read_on:
            self.app.do(Do.NEXT)
            self.narrator.read(0)
        else:
            self.app.say_notice("That is the end of this document." if entry is not None and
                                entry.number == len(entries) else "That is the end of the section.")

    def _update_labels(self, state: State) -> None:
        voice = self.narrator.voice
        if self.following:
            self.app.read_label = STOP_FOLLOWING
            self.app.reading_status_forms = FOLLOWING_FORMS
            self.app.reading_status = FOLLOWING_FORMS[0]
            return
        self.app.read_label = READ_LABELS[state]
        forms = status_forms(voice.rate, round(voice.volume * 100), self.no_sound)
        self.app.reading_status_forms = forms
        self.app.reading_status = forms[0]

    def poll(self) -> None:
        """Called by the app's tick: mark the sentence and word being heard."""
        screen = self.app.manager.current_screen if self.app.manager else None
        if screen is None or screen.name != Screen.READER.value:
            return
        if self.following:
            place = self.followed
            if place is not None and (screen.entry is None
                                      or screen.entry.section.id != place.section):
                place = None  # (the section it is in is not drawn yet)
            shown = ("following", place, screen.generation)
            if shown != self._shown:
                if place is None:
                    self._mark(screen, None, None, None)
                else:
                    self._mark(screen, screen.texts.get(place.target), place.sentence_span,
                               (place.start, place.end))
                self._shown = shown
        else:
            status = self.narrator.status()
            if status.key != self.key:
                status = Status(State.IDLE, None, None, self.key)
            shown = (status.key, status.index, status.word, screen.generation)
            if shown != self._shown:
                self._show(screen, status)
                self._shown = shown
        if self._scroll_pending:
            self._scroll_to_mark(screen)

    def _show(self, screen, status: Status) -> None:
        """Mark the narrator's sentence and word."""
        script = self.narrator.script
        if status.index is not None and status.index < len(script):
            utterance = script[status.index]
            self._mark(screen, screen.texts.get(utterance.target),
                       (utterance.start, utterance.end), status.word)
        else:
            self._mark(screen, None, None, None)

    def _mark(self, screen, label, sentence: tuple[int, int] | None,
              word: tuple[int, int] | None) -> None:
        """Mark ``sentence`` and ``word`` of ``label`` (None: nothing marked), clearing the
        label marked before; a new sentence is scrolled into view."""
        if self._marked_generation != (screen, screen.generation):
            self._marked = None  # the text was rebuilt: the old labels are gone (maybe freed)
        self._marked_generation = (screen, screen.generation)
        if self._marked is not None and self._marked is not label:
            self._marked.show_reading(None)
        if label is not None:
            if label is not self._marked or label.marked is None or label.marked[0] != sentence:
                self._scroll_pending = True  # a new sentence: bring it into view
            label.show_reading(sentence, word)
        self._marked = label

    def _scroll_to_mark(self, screen) -> None:
        label = self._marked
        if label is None:
            self._scroll_pending = False
            return
        box = label.sentence_box()
        if box is None:
            return  # drawn on the next frame
        self._scroll_pending = False
        if label is screen.ids.title:
            screen.ids.scroll.scroll_y = 1.0
        else:
            screen.ids.scroll.show_span(label, *box)


def status_forms(rate: int, volume: int, no_sound: bool) -> list[str]:
    """The Reader's status line, longest wording first, down to one that fits a narrow
    window at the largest text size."""
    forms = [f"Speed {rate} words a minute  ·  Volume {volume}%",
             f"{rate} words a minute  ·  Volume {volume}%",
             f"Speed {rate}  ·  Volume {volume}%",
             f"{rate} wpm  ·  {volume}%"]
    if no_sound:
        return (["No sound: the text is highlighted at reading pace  ·  " + forms[0]]
                + [f"No sound  ·  {form}" for form in forms])
    return forms
