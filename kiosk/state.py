"""Navigation state and the actions that change it. No Kivy here: tested without a window.

A person's inputs become commands (kiosk/commands.py); those that move between screens,
documents and sections reach here as an ``Action`` applied by ``Navigator.apply``. The UI
only watches the resulting ``View`` and shows the notice, if any.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from kiosk.content import Document, Entry, Library


class Screen(StrEnum):
    """The screens of the kiosk."""

    HOME = "home"
    CONTENTS = "contents"
    READER = "reader"
    HELP = "help"
    SETTINGS = "settings"


class Intent(StrEnum):
    """A navigation step (the command core, kiosk/commands.py, turns commands into these)."""

    HOME = "home"
    CONTENTS = "contents"
    OPEN_DOCUMENT = "open_document"
    OPEN_SECTION = "open_section"
    NEXT = "next"
    PREVIOUS = "previous"
    HELP = "help"
    SETTINGS = "settings"
    BACK = "back"


@dataclass(frozen=True)
class Action:
    """One request to change what is shown."""

    intent: Intent
    """What was asked for."""
    document_id: str | None = None
    """For OPEN_DOCUMENT: which document."""
    section_id: str | None = None
    """For OPEN_SECTION: the section's id (takes precedence over number)."""
    number: int | None = None
    """For OPEN_SECTION: the section's number on the Contents screen."""


@dataclass(frozen=True)
class View:
    """What the screen should show now."""

    screen: Screen = Screen.HOME
    """Which screen is shown."""
    document_id: str | None = None
    """The open document, if any (kept while visiting Help or Settings)."""
    section_number: int | None = None
    """The open section's number (1-based, in reading order), if any."""
    notice: str = ""
    """A short message for the person, e.g. why an action did nothing; empty when none."""


class Navigator:
    """Holds the current View and applies Actions to it; observers hear every change."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.view = View()
        self._history: list[View] = []
        self._observers: list[Callable[[View], None]] = []

    # -- observation ---------------------------------------------------------------------

    def subscribe(self, observer: Callable[[View], None]) -> None:
        """Call ``observer(view)`` after every applied action, a reset and a new library
        (tests pass ``list.append``)."""
        self._observers.append(observer)

    @property
    def document(self) -> Document | None:
        """The open document, or None."""
        return self.library.get(self.view.document_id) if self.view.document_id else None

    @property
    def entry(self) -> Entry | None:
        """The open section's entry (number, depth, section), or None."""
        document, number = self.document, self.view.section_number
        if document is None or number is None or not 1 <= number <= len(document.entries):
            return None
        return document.entries[number - 1]

    # -- actions -------------------------------------------------------------------------

    def apply(self, action: Action) -> View:
        """Apply one action; returns (and publishes) the new View."""
        view = self._handlers[action.intent](self, action)
        moved = replace(view, notice="") != replace(self.view, notice="")
        if moved and action.intent is not Intent.BACK:
            self._history.append(replace(self.view, notice=""))
        self.view = view
        return self._publish()

    def came_from(self) -> str:
        """The screen before Help or Settings (where "what can I say" applies)."""
        for view in reversed(self._history):
            if view.screen not in (Screen.HELP, Screen.SETTINGS):
                return view.screen.value
        return Screen.HOME.value

    def reset(self) -> View:
        """Back to Home with nothing open, as for the next visitor."""
        self._history.clear()
        self.view = View()
        return self._publish()

    def _publish(self) -> View:
        for observer in self._observers:
            observer(self.view)
        return self.view

    def set_library(self, library: Library) -> View:
        """Swap in freshly loaded content; returns Home if the open document has gone.
        Observers hear of it even when the view stays the same: the open section's words
        may have changed (Read aloud builds its script anew)."""
        self.library = library
        if self.view.document_id and library.get(self.view.document_id) is None:
            return self.reset()
        if self.view.section_number and self.entry is None:
            return self.apply(Action(Intent.CONTENTS))
        self.view = replace(self.view, notice="")  # (said once already)
        return self._publish()

    def _home(self, action: Action) -> View:
        return View(Screen.HOME)

    def _open_document(self, action: Action) -> View:
        document = self.library.get(action.document_id or "")
        if document is None:
            return replace(self.view, notice="That document is not available.")
        return View(Screen.CONTENTS, document.id)

    def _contents(self, action: Action) -> View:
        if self.document is None:
            return replace(self.view, notice="Choose a document first.")
        number = self.view.section_number if self.entry is not None else None
        return View(Screen.CONTENTS, self.view.document_id, number)

    def _open_section(self, action: Action) -> View:
        document = self.document
        if document is None:
            return replace(self.view, notice="Choose a document first.")
        if action.section_id is not None:
            entry = document.entry(action.section_id)
            if entry is None:
                return replace(self.view, notice="That section is not in this document.")
            number = entry.number
        else:
            number = action.number or 0
            if not 1 <= number <= len(document.entries):
                return replace(
                    self.view,
                    notice=f"There is no section {number}. "
                    f"Sections go from 1 to {len(document.entries)}.",
                )
        return View(Screen.READER, document.id, number)

    def _step(self, delta: int) -> View:
        document = self.document
        if document is None:
            return replace(self.view, notice="Choose a document first.")
        current = self.view.section_number or 0
        if self.view.screen is not Screen.READER:  # start, or continue where reading was
            target = current or (1 if delta > 0 else len(document.entries))
            return View(Screen.READER, document.id, target)
        target = current + delta
        if target < 1:
            return replace(self.view, notice="This is the first section.")
        if target > len(document.entries):
            return replace(self.view, notice="This is the last section.")
        return View(Screen.READER, document.id, target)

    def _next(self, action: Action) -> View:
        return self._step(+1)

    def _previous(self, action: Action) -> View:
        return self._step(-1)

    def _help(self, action: Action) -> View:
        return replace(self.view, screen=Screen.HELP, notice="")

    def _settings(self, action: Action) -> View:
        return replace(self.view, screen=Screen.SETTINGS, notice="")

    def _back(self, action: Action) -> View:
        while self._history:
            previous = self._history.pop()
            if previous.document_id is None:
                return previous
            document = self.library.get(previous.document_id)
            if document and (previous.section_number or 0) <= len(document.entries):
                return previous  # still there after a content reload
        return View(Screen.HOME)

    _handlers: dict[Intent, Callable[[Navigator, Action], View]] = {
        Intent.HOME: _home,
        Intent.CONTENTS: _contents,
        Intent.OPEN_DOCUMENT: _open_document,
        Intent.OPEN_SECTION: _open_section,
        Intent.NEXT: _next,
        Intent.PREVIOUS: _previous,
        Intent.HELP: _help,
        Intent.SETTINGS: _settings,
        Intent.BACK: _back,
    }
