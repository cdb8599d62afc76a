"""The five screens. Each fills its widgets from the navigation state; layout is in kv/."""

from __future__ import annotations

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import BooleanProperty, ListProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget
from kivy.utils import escape_markup

from kiosk.commands import Command, Do
from kiosk.content import BlockKind, Document, Entry, Library, Text
from kiosk.content.watch import KeptLastGood
from kiosk.rules import LINE_SPACING, TEXT_SIZE
from kiosk.speech.script import HEADING, target_texts
from kiosk.ui.help import Style, VoiceAvailability, help_blocks, voice_availability
from kiosk.ui.theme import MAX_LINE_CHARS, THEMES, TYPEFACE_NAMES
from kiosk.ui.widgets import (
    BodyText,
    BulletItem,
    ButtonGrid,
    Callout,
    Heading,
    Highlightable,
    KioskButton,
    MutedText,
    ReadingText,
    markup_for,
)

SCREEN_NAMES = {"home": "the Home screen", "contents": "the Contents screen",
                "reader": "the reading screen", "settings": "the Settings screen",
                "help": "this screen"}


class KioskScreen(Screen):
    """A screen filled from the app's navigation state by ``refresh``."""

    def refresh(self, app: App) -> None:
        """Rebuild what depends on the state (documents, section text, settings)."""

    def on_pre_enter(self, *_args) -> None:
        """Each visit to a screen starts at its top."""
        if "scroll" in self.ids:
            self.ids.scroll.scroll_y = 1.0


class HomeScreen(KioskScreen):
    """Each document as a large button, plus Help and Settings."""

    def refresh(self, app: App) -> None:
        library: Library = app.navigator.library
        box = self.ids.documents
        box.clear_widgets()
        for number, document in enumerate(library.documents, start=1):
            button = KioskButton(
                text=f"[b]{escape_markup(document.title)}[/b]\n"
                f"[size={int(app.small_px)}]{escape_markup(_source_line(document))}[/size]",
                spoken_label=f"{document.title}, {document.spoken_title}",
            )
            button.document_id = document.id
            button.item_number = number
            button.bind(on_release=lambda b: app.do(Command(Do.OPEN, document_id=b.document_id)))
            box.add_widget(button)
        self.ids.problems.text = _problems_text(library)


class ContentsScreen(KioskScreen):
    """A document's sections as large numbered buttons, nested ones indented."""

    def refresh(self, app: App) -> None:
        document: Document | None = app.navigator.document
        if document is None:
            return
        self.ids.title.text = escape_markup(document.title)
        self.ids.source.text = escape_markup(_source_line(document, full=True))
        box = self.ids.sections
        box.clear_widgets()
        for entry in document.entries:
            row = BoxLayout(size_hint_y=None, spacing=0)
            indent = Widget(size_hint_x=None, width=entry.depth * app.button_h * 0.6)
            button = KioskButton(
                text=f"{entry.number}.  {escape_markup(entry.section.title)}",
                halign="left",
                spoken_label=f"Section {entry.number}, {entry.section.title}",
            )
            button.section_number = button.item_number = entry.number
            button.bind(
                on_release=lambda b: app.do(Command(Do.OPEN, number=b.section_number)),
                height=lambda b, h, row=row: setattr(row, "height", h),
            )
            row.height = button.height
            row.add_widget(indent)
            row.add_widget(button)
            box.add_widget(row)
        current = app.navigator.view.section_number
        self.ids.start.text = f"Continue reading at {current}" if current else "Start reading"
        self.ids.scroll.scroll_y = 1.0
        if current:  # once laid out, bring the section being read into view
            row = box.children[len(box.children) - current]
            Clock.schedule_once(lambda _dt: self.ids.scroll.show(row), 0)


def notice_height(app: App, lines: int) -> float:
    """How tall the notice bar (kv/widgets.kv NoticeBar) is with ``lines`` lines of text."""
    from kivy.core.text import Label as CoreLabel

    line = CoreLabel(font_size=app.small_px, bold=True).get_extents("Hg")[1]
    return line * (1 + (lines - 1) * app.line_factor) + app.gap


SIDE_COLUMN_CHARS = 20
"""The Reader's controls stand beside the text only when the text keeps at least this many
characters a line (a narrow newspaper column); else they stand under it."""


class ReadingControls(ButtonGrid):
    """The Reader's four controls: Read aloud, Previous, Next and More."""


class ReadingPanel(ButtonGrid):
    """The other reading controls, shown by "More" where the text was."""


class ReaderScreen(KioskScreen):
    """One section's text, title first, in a scrolling column that fills the screen, with
    four controls beside it (or under it: ``side_controls``); "More" swaps the text for the
    other reading controls."""

    more_shown = BooleanProperty(False)
    side_controls = BooleanProperty(True)
    """The controls stand in a column beside the text (a landscape window) rather than in
    a row under it, so the text keeps the height it needs at large sizes."""
    where_forms = ListProperty([])
    """Where the visitor is, longest wording first (kiosk.ui.widgets.FittingText)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._panel: Widget | None = None
        self._follow_button: Widget | None = None
        self._text: list[Widget] = []
        self.texts: dict[tuple[int, int], Highlightable] = {}
        """Each piece of display text of the section, keyed like Utterance.target."""
        self.entry: Entry | None = None
        self.generation = 0
        """Counts rebuilds of the text widgets, so reading marks are drawn on the new ones."""

    def on_kv_post(self, _base) -> None:
        place = Clock.create_trigger(lambda _dt: self.place_controls())
        App.get_running_app().bind(button_px=place, text_width=place, numbers_shown=place,
                                   gap=place, typeface=place)
        self.bind(size=place)
        # what the choice measures settles over the first frames (labels get their text)
        self.ids.where.bind(height=place)
        self.ids.reading_status.bind(height=place)
        self.ids.controls.bind(minimum_height=place)
        self._place = place
        place()

    def on_pre_enter(self, *args) -> None:
        super().on_pre_enter(*args)
        self._place()

    def place_controls(self) -> None:
        """Beside the text in a landscape window, as long as the text keeps a column of
        at least SIDE_COLUMN_CHARS characters; else under the text. This depends only on
        the window, the text size, the typeface and the number badges."""
        app = App.get_running_app()
        char_px = app.text_width / MAX_LINE_CHARS
        room = (self.width - app.gap * 6 - self.ids.controls.column_width()
                - self.ids.scroll_buttons.column_width())
        # the height under the status line, whether or not a notice is shown above; a
        # notice of two lines may come (it takes the status line's room, which it hides)
        notice = app.notice.height if app.notice is not None else 0
        status = max(self.ids.where.height, self.ids.reading_status.height,
                     notice_height(app, lines=2))
        tall = self.height + notice - status - app.gap * 2
        self.side_controls = (self.width > self.height * 1.2
                              and room >= SIDE_COLUMN_CHARS * char_px
                              and self.ids.controls.column_height() <= tall)

    def refresh(self, app: App) -> None:
        document: Document | None = app.navigator.document
        entry: Entry | None = app.navigator.entry
        if document is None or entry is None:
            return
        self.show_more(False)
        section = f"Section {entry.number} of {len(document.entries)}"
        where = section
        if entry.parent is not None:
            where += f"  ·  part of “{entry.parent.title}”"
        name = document.spoken_title[:1].upper() + document.spoken_title[1:]
        self.where_forms = [f"{name}  ·  {where}", f"{name}  ·  {section}", where, section]
        title = self.ids.title
        title.source, title.target, title.marked = Text(entry.section.title), HEADING, None
        title.text = escape_markup(entry.section.title)
        body = self.ids.body
        body.clear_widgets()
        widgets, texts = section_widgets(entry)
        for widget in widgets:
            body.add_widget(widget)
        self.texts = {HEADING: title, **texts}
        for label in texts.values():
            label.bind(on_release=lambda lb: app.reading.read_from(lb.target))
        self.entry = entry
        self.generation += 1
        self.ids.scroll.scroll_y = 1.0

    def show_more(self, shown: bool) -> None:
        """Show the other reading controls in place of the text (or the text again)."""
        if shown == self.more_shown:
            return
        stage = self.ids.stage
        if self._panel is None:
            self._panel = Factory.ReadingPanelArea()
            self._text = [self.ids.scroll, self.ids.scroll_buttons]
        stage.clear_widgets()
        for widget in [self._panel] if shown else self._text:
            stage.add_widget(widget)
        if shown:
            self._offer_follow(App.get_running_app().settings.follow_reading)
        self.more_shown = shown

    def _offer_follow(self, offered: bool) -> None:
        """"Follow my reading" is on the panel only where the clinic offers it."""
        panel = self._panel.ids.panel_scroll.children[0]
        if self._follow_button is None:  # (ids hold weak proxies: keep the button itself)
            self._follow_button = panel.ids.follow.__self__
        button = self._follow_button
        if offered and button.parent is None:
            panel.add_widget(button)
        elif not offered and button.parent is not None:
            panel.remove_widget(button)

    def on_leave(self, *_args) -> None:
        self.show_more(False)


def section_widgets(entry: Entry) -> tuple[list[Widget], dict[tuple[int, int], Highlightable]]:
    """The widgets for a section's own blocks, and its readable texts by utterance target.

    A section with no text of its own says so and lists its subsections.
    """
    widgets: list[Widget] = []
    texts: dict[tuple[int, int], Highlightable] = {}
    for target, text in target_texts(entry).items():
        if target == HEADING:
            continue
        kind = entry.section.blocks[target[0]].kind if entry.section.blocks else None
        if kind is BlockKind.LIST:
            widget = BulletItem(text=markup_for(text))
            label = widget.ids.item_text
        elif kind is BlockKind.CALLOUT:
            widget = Callout(text=markup_for(text))
            label = widget.ids.callout_text
        else:
            widget = label = ReadingText(text=markup_for(text))
        label.source, label.target = text, target
        texts[target] = label
        widgets.append(widget)
    if not entry.section.blocks and entry.section.sections:
        widgets.extend(
            BulletItem(text=escape_markup(sub.title)) for sub in entry.section.sections
        )
    return widgets, texts


class HelpScreen(KioskScreen):
    """How to use the kiosk, in plain words, and what can be said on the screen the person
    came from (generated from that screen's voice grammar); the ways that work now come
    first (``kiosk/ui/help.py``)."""

    _watching = False
    _shown_voice = None

    def refresh(self, app: App) -> None:
        if not self._watching:  # voice can start or stop while Help is shown
            self._watching = True
            app.bind(voice_state=lambda *_args: self._voice_changed(app))
        body = self.ids.body
        body.clear_widgets()
        came_from = app.navigator.came_from()
        listening = app.voice
        voice = self._shown_voice = _voice_availability(app)
        commands = listening.help_lines(came_from) if listening is not None else []
        blocks = help_blocks(voice, SCREEN_NAMES.get(came_from, "this screen"), commands,
                             app.listening_mode_text)
        drawn = {Style.HEADING: Heading, Style.BODY: BodyText, Style.MUTED: MutedText}
        for block in blocks:
            body.add_widget(drawn[block.style](text=block.text))

    def _voice_changed(self, app: App) -> None:
        """Help is shown and voice started or stopped working: say so (not on every change
        of the listening indicator, which would scroll the text back to the top)."""
        if (self.manager is not None and self.manager.current == self.name
                and _voice_availability(app) != self._shown_voice):
            self.refresh(app)


def _voice_availability(app: App) -> VoiceAvailability:
    listening = app.voice
    return voice_availability(app.voice_state if listening is not None else "loading",
                              listening is not None and listening.listener is not None)


class SettingsScreen(KioskScreen):
    """Every choice a visitor can make: colours, text, reading aloud, listening, dwell,
    scanning and numbers. Each row says the current choice in words; the chosen button of a
    set says "(chosen)". A visitor's choices last until the kiosk is reset."""

    def refresh(self, app: App) -> None:
        self._refresh_display(app)
        self._refresh_reading(app)
        self._refresh_hands_free(app)

    def _refresh_display(self, app: App) -> None:
        theme = THEMES.get(app.theme_name)
        self.ids.theme_label.text = f"Colours: {theme.name if theme else app.theme_name}"
        for name, label in (("dark", "Dark"), ("light", "Light"), ("yellow", "Yellow on black")):
            self.ids[f"theme_{name}"].text = _choice(label, app.theme_name == name)
        step = TEXT_SIZE.position(app.text_scale) + 1
        self.ids.size_label.text = f"Text size: step {step} of {len(TEXT_SIZE.choices)}"
        face = TYPEFACE_NAMES.get(app.typeface, app.typeface)
        self.ids.typeface_label.text = f"Typeface: {face}"
        for typeface, name in TYPEFACE_NAMES.items():
            installed = typeface in app.installed_typefaces
            shown = f"[font={name}]{name}[/font]" if installed else name
            self.ids[f"typeface_{typeface}"].text = (
                _choice(shown, app.typeface == typeface) if installed
                else f"{name}\n(not installed)")
        index = LINE_SPACING.position(app.line_spacing)
        self.ids.spacing_label.text = (f"Space between lines: {LINE_SPACING_WORDS[index]} "
                                       f"(step {index + 1} of {len(LINE_SPACING.choices)})")

    def _refresh_reading(self, app: App) -> None:
        voice = app.reading.narrator.voice
        self.ids.speed_label.text = f"Reading speed: {voice.rate} words a minute"
        self.ids.volume_label.text = f"Volume: {round(voice.volume * 100)}%"
        self.ids.voice_label.text = f"Voice: {escape_markup(app.reading.voice_name())}"
        self.ids.step_label.text = (
            "Reading one sentence at a time: the kiosk waits after each sentence until you "
            "choose Continue." if voice.step_mode else "Reading goes on from sentence to sentence."
        )
        self.ids.step_mode.text = ("Read on without stopping" if voice.step_mode
                                   else "Stop after each sentence")

    def _refresh_hands_free(self, app: App) -> None:
        dwell = _seconds(app.dwell_seconds)
        self.ids.dwell_label.text = (
            f"Pointer dwell is on: rest the pointer (a mouse, head mouse or eye tracker) on a "
            f"button for {dwell} to choose it." if app.dwell_on else
            "Pointer dwell is off: resting the pointer on a button does not choose it.")
        self.ids.dwell.text = "Turn pointer dwell off" if app.dwell_on else "Turn pointer dwell on"
        self.ids.dwell_time_label.text = f"Dwell time: {dwell}"
        self.ids.scanning_label.text = "Switch scanning: " + {
            "off": "off.",
            "one_switch": "one switch. A frame moves from button to button by itself; press "
                          "the switch to choose the framed button.",
            "two_switch": "two switches. The first switch moves the frame to the next button; "
                          "the second chooses it.",
        }.get(app.scanning, app.scanning)
        for mode, label in (("off", "Scanning off"), ("one_switch", "One switch"),
                            ("two_switch", "Two switches")):
            self.ids[f"scanning_{mode}"].text = _choice(label, app.scanning == mode)
        self.ids.scan_pace_label.text = (
            f"Scanning pace: the frame stays {_seconds(app.scan_seconds)} on each button")
        self.ids.numbers_label.text = (
            "Numbers on buttons: shown. Say, dwell on or scan to a number to choose its button."
            if app.numbers_shown else "Numbers on buttons: hidden")
        self.ids.numbers.text = "Hide numbers" if app.numbers_shown else "Show numbers"


LINE_SPACING_WORDS = ("close", "normal", "wide", "widest")
"""The line spacing steps (rules.LINE_SPACING's choices) in words."""


def _choice(label: str, chosen: bool) -> str:
    """A button of a set of choices: the chosen one in bold and marked "(chosen)"."""
    return f"[b]{label}[/b]\n(chosen)" if chosen else label


def _seconds(value: float) -> str:
    """1.2 -> '1.2 seconds', 1.0 -> '1 second'."""
    return f"{value:g} second" + ("" if value == 1 else "s")


def _source_line(document: Document, full: bool = False) -> str:
    source = document.source
    parts = [source.publisher, source.date]
    if full:
        parts += [source.licence, source.attribution]
    return "  ·  ".join(p for p in parts if p)


def _problems_text(library: Library) -> str:
    if not library.errors:
        return ""
    missing = sum(not isinstance(e, KeptLastGood) for e in library.errors)
    if not library.documents:
        lead = "No documents can be shown right now. Please ask a member of staff."
    elif missing:
        lead = f"{missing} document{'s' if missing > 1 else ''} could not be shown."
    else:
        lead = "A document has a mistake, so its last good version is shown."
    details = "\n".join(escape_markup(e.message) for e in library.errors[:3])
    more = f"\n… and {len(library.errors) - 3} more" if len(library.errors) > 3 else ""
    return f"[b]{lead}[/b] Staff: run “kiosk check” for details.\n{details}{more}"


SCREENS: dict[str, type[KioskScreen]] = {
    "home": HomeScreen, "contents": ContentsScreen, "reader": ReaderScreen,
    "help": HelpScreen, "settings": SettingsScreen,
}
"""Each screen's class by its name (state.Screen). Only Home is built at start; the others
when first shown (building them all, at start, cost memory and time before Home showed)."""
