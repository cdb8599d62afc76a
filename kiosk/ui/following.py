"""Follow my reading in the app: a person reads the section aloud and the Reader marks
their sentence and word with the read-aloud bands, keeps them in view and turns to the next
section when they get there.

The listening thread does the hearing (kiosk.voice.dictation.Following: Whisper writes down
the last few seconds, kiosk.follow finds the words in the text); this controller starts and
ends it and shows what it finds, on the UI thread. While it follows, voice commands need
the wake word ("kiosk", then "stop"), so the words read aloud are never taken as commands;
touch, dwell, switches and keys work as ever. It ends when asked (the Read button, which
says "Stop following", "kiosk" then "stop", a touch on the text), when the person leaves
the Reader, after 30 seconds in which nobody reads, and for the next visitor.
"""

from __future__ import annotations

import logging

from kiosk.follow import FollowEnded, FollowEvent, Moved, Place, Track
from kiosk.state import Action, Intent, Screen, View
from kiosk.voice.modes import Mode

log = logging.getLogger(__name__)

STARTED = "Following your reading. For a command, say \u201ckiosk\u201d first."
ALREADY = "Already following your reading."
STOPPED = "Stopped following your reading."
TURNED_OFF = "Follow my reading is turned off on this kiosk."
NEEDS_VOICE = ("Follow my reading listens through the microphone, and voice is not working "
               "now: {why}")
VOICE_OFF = "Follow my reading listens through the microphone: turn voice on in Settings."


class FollowController:
    """Starts and ends following, and shows the reader's place."""

    def __init__(self, app) -> None:
        self.app = app
        self.active = False
        self.place: Place | None = None
        """Where the reader is, once heard (None: at the heading, not heard yet)."""
        self._section: str | None = None
        """The section being followed (a section the person opens is followed afresh)."""
        self._session = 0
        """Counts the sessions started, so a late event of an earlier one is ignored."""

    def start(self) -> None:
        """Follow the person reading the section shown (said aloud, or why not)."""
        app = self.app
        if self.active:
            app.say_notice(ALREADY, speak=True)
            return
        problem = self._why_not()
        if problem:
            app.say_notice(problem, speak=True)
            return
        screen = app.manager.current_screen if app.manager else None
        if screen is not None and hasattr(screen, "show_more"):
            screen.show_more(False)  # the text, not the panel the button was on
        app.reading.stop()
        self.active = True
        self._begin()
        log.info("follow: started")
        app.say_notice(STARTED, speak=True)

    def _why_not(self) -> str:
        app = self.app
        if not app.settings.follow_reading:
            return TURNED_OFF
        voice = app.voice
        if voice is None or voice.mode is Mode.OFF:
            return VOICE_OFF
        if voice.listener is None or not voice.mic_ok:
            return NEEDS_VOICE.format(why=voice.problem or "it is still starting.")
        return ""

    def _begin(self) -> None:
        """Follow from the section shown."""
        navigator = self.app.navigator
        document, entry = navigator.document, navigator.entry
        lexicon = self.app.reading.lexicon
        first = document.entries.index(entry)
        self._section = entry.section.id
        self.place = None
        self.app.reading.show_followed(None, following=True)
        self._session += 1
        session = self._session
        self.app.voice.follow(lambda: Track.of(document, lexicon, first),
                              lambda event: self.event(event, session))

    def stop(self, why: str = STOPPED, aloud: bool = True) -> Place | None:
        """Stop following; ``why`` is shown (and said, with ``aloud``). Returns where the
        reader had got to, if they were heard."""
        if not self.active:
            return None
        self.active = False
        place, self.place = self.place, None
        self.app.voice.follow(None)
        self.app.reading.show_followed(None, following=False)
        log.info("follow: stopped")
        if why:
            self.app.say_notice(why, speak=aloud)
        return place

    def event(self, event: FollowEvent, session: int | None = None) -> None:
        """From the listening thread (on the UI thread): the reader moved, or following
        ended by itself; ``session``: which session said so (None: the current one)."""
        if not self.active or session not in (None, self._session):
            return
        match event:
            case FollowEnded(why=why):
                self.stop(why)
            case Moved(place=place):
                self._moved(place)

    def _moved(self, place: Place) -> None:
        app = self.app
        self.place = place
        if app.kiosk is not None:
            app.kiosk.activity()  # someone is reading: not an empty kiosk
        if place.section != self._section:  # the reader went on to the next section
            self._section = place.section
            app.navigator.apply(Action(Intent.OPEN_SECTION, section_id=place.section))
        app.reading.show_followed(place, following=True)

    def view_changed(self, view: View) -> None:
        """Leaving the Reader ends following; a section the person opens is followed from
        its heading."""
        if not self.active:
            return
        if view.screen is not Screen.READER:
            self.stop()
            return
        entry = self.app.navigator.entry
        if entry is not None and entry.section.id != self._section:
            self._begin()
