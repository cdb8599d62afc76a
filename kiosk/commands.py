"""Commands: every way of asking the kiosk for something ends here (no Kivy).

Voice (the grammar's phrases mean a :class:`Command`), keys (:data:`READER_KEYS`), the
buttons of the .kv files, dwell and switch scanning (which press those buttons), number
badges and the soak walk all produce a Command. :meth:`Visit.apply` carries it out on the
visitor's navigation and returns an :class:`Outcome`: what was done, in a few words, and
what else should happen (what the narrator should do, a scroll, a text-size step, an
answer, words to say). ``KioskApp.do`` (kiosk/ui/app.py) hands the command in and performs
the outcome; the UI only draws.

Adding a command: a member of :class:`Do` with its words in :data:`LABELS`, its rule in
:meth:`Visit.apply` unless it is a plain navigation or reading step (:data:`NAVIGATION`,
:data:`READING`), and its phrases in kiosk/voice/commands.yaml if it can be said.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from kiosk.speech.narrator import State
from kiosk.state import Action, Intent, Navigator, Screen


class Do(StrEnum):
    """Everything a person can ask for, whichever way they ask."""

    READ = "read"
    """Start reading aloud, or go on (voice "read aloud")."""
    RESUME = "resume"
    PAUSE = "pause"
    TOGGLE = "toggle"
    """The Read aloud / Pause / Resume button (key R)."""
    STOP = "stop"
    REPEAT = "repeat"
    NEXT_SENTENCE = "next_sentence"
    PREVIOUS_SENTENCE = "previous_sentence"
    FASTER = "faster"
    SLOWER = "slower"
    LOUDER = "louder"
    QUIETER = "quieter"
    NEXT = "next"
    """The next section (from Contents: the first, or the one after the last read)."""
    PREVIOUS = "previous"
    """The section before (on the Reader); back to the screen before, elsewhere."""
    BACK = "back"
    HOME = "home"
    CONTENTS = "contents"
    HELP = "help"
    SETTINGS = "settings"
    OPEN = "open"
    """A document (``document_id``, or ``number`` on Home) or a section (``section_id`` or
    ``number``)."""
    ABSENT = "absent"
    """A number said after "open" that the screen does not show: answered, never turned
    into another number."""
    BIGGER = "bigger"
    SMALLER = "smaller"
    SCROLL_DOWN = "scroll_down"
    SCROLL_UP = "scroll_up"
    SHOW_NUMBERS = "show_numbers"
    HIDE_NUMBERS = "hide_numbers"
    PRESS = "press"
    """Press the button that shows ``number`` while numbers are shown."""
    YES = "yes"
    NO = "no"
    WAKE = "wake"
    """The wake word alone: listen for a command without it for a few seconds."""
    FOLLOW = "follow"
    """Follow my reading: mark the place of a person reading the section aloud."""


LABELS: dict[Do, str] = {
    Do.READ: "Read aloud", Do.RESUME: "Resume", Do.PAUSE: "Pause", Do.TOGGLE: "Read or pause",
    Do.STOP: "Stop reading", Do.REPEAT: "Repeat the sentence",
    Do.NEXT_SENTENCE: "Next sentence", Do.PREVIOUS_SENTENCE: "Sentence before",
    Do.FASTER: "Read faster", Do.SLOWER: "Read slower", Do.LOUDER: "Louder",
    Do.QUIETER: "Quieter", Do.NEXT: "Next section", Do.PREVIOUS: "Go back", Do.BACK: "Back",
    Do.HOME: "Home", Do.CONTENTS: "Contents", Do.HELP: "Help", Do.SETTINGS: "Settings",
    Do.OPEN: "Open", Do.ABSENT: "No such number", Do.BIGGER: "Bigger text",
    Do.SMALLER: "Smaller text", Do.SCROLL_DOWN: "Scroll down", Do.SCROLL_UP: "Scroll up",
    Do.SHOW_NUMBERS: "Show numbers", Do.HIDE_NUMBERS: "Hide numbers", Do.PRESS: "Choose",
    Do.YES: "Yes", Do.NO: "No", Do.WAKE: "Wake", Do.FOLLOW: "Follow my reading",
}
"""What each command does, in words for the voice caption and Help."""


@dataclass(frozen=True)
class Command:
    """One request, however it was made."""

    do: Do
    """What is asked for (a plain string is turned into a :class:`Do`; ValueError when it
    names no command)."""
    number: int | None = None
    """For OPEN: the number said or chosen (a numbered item on the screen); for PRESS and
    ABSENT: the number."""
    section_id: str | None = None
    """For OPEN by title or alias: the section's id."""
    title: str | None = None
    """For OPEN by title or alias: the section's title."""
    document_id: str | None = None
    """For OPEN from Home's buttons: the document's id."""

    def __post_init__(self) -> None:
        if not isinstance(self.do, Do):
            object.__setattr__(self, "do", Do(self.do))

    def describe(self) -> str:
        """What the kiosk does, in a few words: "Next section", "Open 3", "Open Stem cells"."""
        if self.do is Do.OPEN:
            return f"Open {self.title}" if self.title else f"Open {self.number}"
        if self.do is Do.PRESS:
            return f"Choose {self.number}"
        if self.do is Do.ABSENT:
            return f"There is no {self.number} on this screen"
        return LABELS[self.do]


READING = frozenset({Do.TOGGLE, Do.STOP, Do.REPEAT, Do.NEXT_SENTENCE, Do.PREVIOUS_SENTENCE,
                     Do.FASTER, Do.SLOWER, Do.LOUDER, Do.QUIETER})
"""Commands that are one narrator step, whatever the state (``Outcome.reading``)."""

NAVIGATION: dict[Do, Intent] = {
    Do.NEXT: Intent.NEXT, Do.BACK: Intent.BACK, Do.HOME: Intent.HOME,
    Do.CONTENTS: Intent.CONTENTS, Do.HELP: Intent.HELP, Do.SETTINGS: Intent.SETTINGS,
}
"""Commands that are one navigation step."""

FOLLOW_STOPS = frozenset({Do.TOGGLE, Do.STOP, Do.PAUSE})
"""Commands that end following a reader (the Read button says "Stop following" then)."""
FOLLOW_ENDS = frozenset({Do.READ, Do.RESUME, Do.REPEAT, Do.NEXT_SENTENCE,
                         Do.PREVIOUS_SENTENCE})
"""Commands that end following a reader and have the kiosk read (from the reader's
sentence: ``KioskApp``)."""
OPEN_A_SECTION = "Open a section, then choose Follow my reading."

READER_KEYS: dict[str, Do] = {
    "r": Do.TOGGLE, "s": Do.STOP, "a": Do.REPEAT, ".": Do.NEXT_SENTENCE,
    ",": Do.PREVIOUS_SENTENCE, "-": Do.SLOWER, "+": Do.FASTER, "=": Do.FASTER,
}
"""Letters the Reader answers to: R read/pause, S stop, A again, period/comma next/previous
sentence, minus/plus slower/faster (= is + without Shift)."""


@dataclass(frozen=True)
class Outcome:
    """What applying a command did, and what else the app should do."""

    done: str
    """What was done, in a few words (the voice caption: "Reading", "Opened ALS Facts")."""
    reading: Do | None = None
    """A step for the narrator (one of READING)."""
    scroll: int = 0
    """Page the current screen's text down (+1) or up (-1)."""
    text_size: int = 0
    """Make text a step larger (+1) or smaller (-1)."""
    numbers_shown: bool | None = None
    """Show or hide the number badges."""
    press: int | None = None
    """Press the button that shows this number."""
    answer: Do | None = None
    """YES or NO: an answer to "Are you still there?", if it is being asked."""
    say: str = ""
    """Words to say aloud."""
    follow: bool | None = None
    """Start following a person reading aloud (True) or stop (False)."""


class Visit:
    """One visitor's session as far as commands go: the navigation they are in. Apply a
    command and get what should happen; tested without a window (tests/test_commands.py)."""

    def __init__(self, navigator: Navigator) -> None:
        self.navigator = navigator

    def apply(self, command: Command, reading: State = State.IDLE,
              following: bool = False) -> Outcome:
        """Carry out ``command`` (navigation is applied here, and the navigator's observers
        draw it); ``reading`` is what the narrator is doing now, ``following`` whether a
        person reading aloud is being followed."""
        do = command.do
        if do is Do.FOLLOW:
            if self.navigator.view.screen is not Screen.READER:
                return Outcome("Open a section first", say=OPEN_A_SECTION)
            return Outcome("Following your reading", follow=True)
        if following and do in FOLLOW_STOPS:
            return Outcome("Stopped following", follow=False)
        if following and do in FOLLOW_ENDS:  # the kiosk reads instead
            return replace(self.apply(command, reading), follow=False)
        if do in READING:
            return Outcome("Stopped" if do is Do.STOP else command.describe(), reading=do)
        if do in (Do.READ, Do.RESUME):
            go_on = reading in (State.IDLE, State.PAUSED, State.WAITING)
            return Outcome("Reading" if reading is State.IDLE else "Reading on",
                           reading=Do.TOGGLE if go_on else None)
        if do is Do.PAUSE:
            return Outcome("Paused",
                           reading=Do.TOGGLE if reading is State.READING else None)
        if do is Do.PREVIOUS:
            on_reader = self.navigator.view.screen is Screen.READER
            self.navigator.apply(Action(Intent.PREVIOUS if on_reader else Intent.BACK))
            return Outcome(command.describe() if on_reader else "Back")
        if do in NAVIGATION:
            self.navigator.apply(Action(NAVIGATION[do]))
            return Outcome(command.describe())
        if do is Do.OPEN:
            return self._open(command)
        if do is Do.ABSENT:
            return Outcome(command.describe(), say=command.describe() + ".")
        if do in (Do.BIGGER, Do.SMALLER):
            return Outcome(command.describe(), text_size=+1 if do is Do.BIGGER else -1)
        if do in (Do.SCROLL_DOWN, Do.SCROLL_UP):
            return Outcome(command.describe(), scroll=+1 if do is Do.SCROLL_DOWN else -1)
        if do in (Do.SHOW_NUMBERS, Do.HIDE_NUMBERS):
            shown = do is Do.SHOW_NUMBERS
            return Outcome("Numbers shown" if shown else "Numbers hidden", numbers_shown=shown)
        if do is Do.PRESS:
            return Outcome(command.describe(), press=command.number)
        if do in (Do.YES, Do.NO):
            return Outcome("nothing to answer", answer=do)
        return Outcome(command.describe())  # WAKE: nothing to do but listen

    def _open(self, command: Command) -> Outcome:
        navigator = self.navigator
        if command.document_id is not None:
            navigator.apply(Action(Intent.OPEN_DOCUMENT, document_id=command.document_id))
            document = navigator.library.get(command.document_id)
            return Outcome(f"Opened {document.title}" if document else "No such document")
        if command.section_id is not None:
            navigator.apply(Action(Intent.OPEN_SECTION, section_id=command.section_id))
            return Outcome(f"Section {command.number}, {command.title}")
        if navigator.view.screen is Screen.HOME:
            documents = navigator.library.documents
            if command.number and command.number <= len(documents):
                document = documents[command.number - 1]
                navigator.apply(Action(Intent.OPEN_DOCUMENT, document_id=document.id))
                return Outcome(f"Opened {document.title}")
            return Outcome("No such document")
        navigator.apply(Action(Intent.OPEN_SECTION, number=command.number))
        return Outcome(f"Section {command.number}")
