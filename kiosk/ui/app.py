"""The Kivy App: wires the navigation state to the screens, sizes, theme and keyboard.

Every command (navigation, reading, display, numbers, answers) ends in one call,
:meth:`KioskApp.do`, with a :class:`~kiosk.commands.Command`: kv buttons ``app.do(Do.NEXT)``,
the Reader's keys, the focus ring, voice, and dwell and scanning through the buttons. The
command core (kiosk/commands.py) decides what it means, the Navigator's observers put the
resulting View on screen (``show``), and ``do`` performs the rest of the outcome. The
Settings rows change a visitor's settings through :meth:`KioskApp.set_setting` and
:meth:`KioskApp.step_setting` (rules in kiosk/rules.py). Only this thread touches widgets.
"""

from __future__ import annotations

import gc
import logging
from functools import lru_cache
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.core.text import Label as CoreLabel
from kivy.core.window import Window
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.commands import READER_KEYS, Command, Do, Outcome, Visit
from kiosk.config import Settings, rule_of
from kiosk.content import load_library
from kiosk.content.watch import keep_last_good, snapshot
from kiosk.speech.audio import Sink
from kiosk.speech.narrator import State
from kiosk.state import Action, Intent, Navigator, View
from kiosk.ui import theme as sizes
from kiosk.ui.focus import FocusRing
from kiosk.ui.following import STOPPED, FollowController
from kiosk.ui.guard import ReturnHome
from kiosk.ui.guard import install as install_guard
from kiosk.ui.hands_free import HandsFree
from kiosk.ui.kiosk_mode import KioskMode
from kiosk.ui.memory import release_freed_memory
from kiosk.ui.numbers import NumberBadges
from kiosk.ui.reading import ReadingController
from kiosk.ui.screens import SCREENS, KioskScreen
from kiosk.ui.startup import AfterFirstFrame
from kiosk.ui.voice import VoiceController
from kiosk.ui.widgets import NoticeBar

log = logging.getLogger(__name__)

KV_DIR = Path(__file__).parent / "kv"
KV_FILES = ("widgets.kv", "home.kv", "contents.kv", "reader.kv", "help.kv", "settings.kv",
            "voice.kv")
NOTICE_SECONDS = 6.0
TICK_SECONDS = 0.05
"""The app's one tick, 20 times a second: the highlight catches up with the audio (the sync
target is 150 ms), the pointer is sampled and the dwell ring and scan highlight move, the
voice controller follows reading and the microphone, kiosk mode updates the idle time,
countdown, admin hold and fade (:meth:`KioskApp._tick`)."""
BADGES_EVERY = 4
"""Number badges follow buttons that appeared, moved or went away every this-many ticks."""
VISITOR_SETTINGS = {
    "theme": "theme_name", "text_scale": "text_scale", "typeface": "typeface",
    "line_spacing": "line_spacing", "dwell": "dwell_on", "dwell_seconds": "dwell_seconds",
    "scanning": "scanning", "scan_seconds": "scan_seconds", "show_numbers": "numbers_shown",
}
"""The settings a visitor may change for themselves (a Settings field, its rule in
kiosk/rules.py), each with the App property that holds the visitor's choice; the clinic's
value comes back for the next visitor (apply_clinic_defaults)."""
CONTENT_CHECK_SECONDS = 3.0
"""How often the content folder is looked at for edited documents."""
TRIM_AFTER_SECONDS = 1.5
"""Freed memory is given back this long after the text was last drawn again."""
"""How often the content folder is looked at for edited documents."""
TALK_KEY = ord("t")
"""Hold to talk in push-to-talk mode (a switch can send this key too)."""


OPENDYSLEXIC_DIRS = (
    Path(__file__).resolve().parents[2] / "assets" / "fonts",
    Path("/usr/share/fonts/opentype/opendyslexic"),  # Debian/Ubuntu: fonts-opendyslexic
    Path("/usr/local/share/fonts/opendyslexic"),
)
"""Where OpenDyslexic's files are looked for, in this order."""


def typeface_files(typeface: str) -> tuple[str, str, str, str] | None:
    """Regular, italic, bold and bold-italic font files of a typeface (rules.TYPEFACES),
    or None when they are not installed."""
    if typeface == "atkinson":
        import fontpkg_atkinson_hyperlegible as atkinson

        folders, stem = (Path(atkinson.__file__).parent / "files",), "AtkinsonHyperlegible"
    elif typeface == "opendyslexic":
        folders, stem = OPENDYSLEXIC_DIRS, "OpenDyslexic"
    else:
        return None
    for folder in folders:
        for ext in ("otf", "ttf"):
            files = tuple(str(folder / f"{stem}-{style}.{ext}")
                          for style in ("Regular", "Italic", "Bold", "BoldItalic"))
            if all(Path(f).is_file() for f in files):
                return files  # type: ignore[return-value]
    return None


def register_fonts() -> set[str]:
    """Register every installed typeface under its own name (e.g. "OpenDyslexic") and make
    Atkinson Hyperlegible the default one; returns the installed typefaces."""
    installed = set()
    for typeface, name in sizes.TYPEFACE_NAMES.items():
        files = typeface_files(typeface)
        if files is not None:
            LabelBase.register(name, *files)
            installed.add(typeface)
    use_typeface_font("atkinson")
    return installed


def use_typeface_font(typeface: str) -> bool:
    """Make ``typeface`` the font of every label (Kivy's default font name); False when its
    files are missing (the font is then unchanged)."""
    files = typeface_files(typeface)
    if files is None:
        return False
    LabelBase.register(DEFAULT_FONT, *files)
    return True


@lru_cache(maxsize=64)
def _average_char_px(font_px: int, typeface: str) -> float:
    """Average width of a character of English body text in ``typeface`` (measured in the
    font registered under its name; the default font when it is not installed)."""
    name = sizes.TYPEFACE_NAMES.get(typeface, DEFAULT_FONT)
    if name not in LabelBase._fonts:
        name = DEFAULT_FONT
    width, _height = CoreLabel(font_size=font_px, font_name=name).get_extents(sizes.SAMPLE_TEXT)
    return width / len(sizes.SAMPLE_TEXT)


@lru_cache(maxsize=8)
def _natural_line_px(typeface: str) -> float:
    """Height of one line of text at 100 px in ``typeface`` as the font itself spaces it
    (OpenDyslexic's is about 1.4 times Atkinson Hyperlegible's)."""
    name = sizes.TYPEFACE_NAMES.get(typeface, DEFAULT_FONT)
    if name not in LabelBase._fonts:
        name = DEFAULT_FONT
    return CoreLabel(font_size=100, font_name=name).get_extents(sizes.SAMPLE_TEXT)[1]


class KioskApp(App):
    """The reading kiosk."""

    title = "ALS information kiosk"
    theme = ObjectProperty(sizes.DARK, rebind=True)
    """The colour theme; rebind so kv rules like `app.theme.text` follow a change."""
    theme_name = StringProperty("dark")
    text_scale = NumericProperty(1.0)
    body_px = NumericProperty(sizes.BODY_FONT_PX)
    small_px = NumericProperty(sizes.BODY_FONT_PX * 0.8)
    heading_px = NumericProperty(sizes.HEADING_FONT_PX)
    button_px = NumericProperty(sizes.BUTTON_FONT_PX)
    button_h = NumericProperty(sizes.BUTTON_HEIGHT_PX)
    staff_px = NumericProperty(sizes.BODY_FONT_PX)
    """Text and button-label size on the staff panels (PIN pad, administration): the
    clinic's default size, whatever text size the visitor chose, so they always fit."""
    staff_button_h = NumericProperty(sizes.BUTTON_HEIGHT_PX)
    gap = NumericProperty(sizes.GAP_PX)
    ring_px = NumericProperty(sizes.FOCUS_RING_PX)
    line_spacing = NumericProperty(sizes.LINE_SPACING)
    text_width = NumericProperty(1200)
    """Width of the reading column: about MAX_LINE_CHARS characters of body text."""
    portrait = BooleanProperty(False)
    """The window is taller than wide: scroll buttons go under their scroll area."""
    line_factor = NumericProperty(1.0)
    """Multiplies every line height so lines are as far apart in the chosen typeface as in
    Atkinson Hyperlegible (fonts space their own lines differently; the spacing chosen in
    Settings is meant as that distance, whatever the typeface)."""
    typeface_width = NumericProperty(1.0)
    """How much wider text is in the chosen typeface than in Atkinson Hyperlegible (1.0;
    OpenDyslexic about 1.2): widths sized for a label multiply by it."""
    column_width = NumericProperty(sizes.COLUMN_WIDTH_PX)
    """Width of the button column on Home and Settings."""
    read_label = StringProperty("Read aloud")
    """The Read button's words: Read aloud, Pause, Resume or Continue."""
    reading_status = StringProperty("")
    reading_status_forms = ListProperty([])
    """The reading status in shorter and shorter wordings (the Reader shows the longest
    that fits on one line); ``reading_status`` is the longest."""
    """Speed and volume of reading (and whether there is sound), shown in the Reader."""
    heard_caption = StringProperty("")
    """The last voice command heard and what was done, for a few seconds."""
    voice_state = StringProperty("loading")
    """loading, listening, reading, hold, talking, wake, off or unavailable."""
    voice_state_text = StringProperty("")
    """The listening indicator's words."""
    voice_level = NumericProperty(0.0)
    """Microphone level for the meter, 0 to 1."""
    listening_mode_text = StringProperty("")
    """The listening mode in words (Settings)."""
    typeface = StringProperty("atkinson")
    """atkinson or opendyslexic (rules.TYPEFACES)."""
    dwell_on = BooleanProperty(True)
    """Resting the pointer on a button chooses it."""
    dwell_seconds = NumericProperty(1.2)
    """How long the pointer rests on a button to choose it."""
    scanning = StringProperty("off")
    """Switch scanning: off, one_switch or two_switch (rules.SCANNING)."""
    scan_seconds = NumericProperty(1.5)
    """How long the scanning highlight stays on each button."""
    numbers_shown = BooleanProperty(False)
    """A large number on every button, to say, dwell on or scan to."""

    def __init__(self, settings: Settings, audio_sink: Sink | None = None,
                 mic_source=None, **kwargs) -> None:
        """``audio_sink`` replaces the speakers (tests record what would be heard);
        ``mic_source`` replaces the microphone (a FileMic plays WAV files as if spoken)."""
        super().__init__(**kwargs)
        self.settings = settings
        self._audio_sink = audio_sink
        self._mic_source = mic_source
        self.voice: VoiceController | None = None
        self.number_badges: NumberBadges | None = None
        self.hands_free: HandsFree | None = None
        """Pointer dwell and switch scanning."""
        self.kiosk: KioskMode | None = None
        """Kiosk mode: idle reset, attract screen, admin gesture and PIN, lockdown."""
        self.following: FollowController | None = None
        """Follow my reading (kiosk/ui/following.py)."""
        self.guard: ReturnHome | None = None
        """Catches unexpected errors in the UI: logged, and the visitor goes Home."""
        self._content_folder = settings.content_dir
        self._trim_memory = None
        self._content_snapshot = snapshot(settings.content_dir)
        self._content_event = None
        self._tick_event = None
        self._ticks = 0
        self.navigator = Navigator(load_library(settings.content_dir))
        self.visit = Visit(self.navigator)
        """Commands applied to this visitor's navigation (kiosk/commands.py)."""
        self.focus_ring = FocusRing(self._current_screen, self.do)
        self.notice: NoticeBar | None = None
        self.manager: ScreenManager | None = None
        self.reading: ReadingController | None = None
        self._notice_event = None
        self.installed_typefaces: set[str] = set()
        """Typefaces whose font files were found (known once the app is built)."""
        self.first_frame: AfterFirstFrame | None = None
        """Runs start-up work Home does not need (loading voice) once Home is shown."""
        self.apply_clinic_defaults()

    # -- building ------------------------------------------------------------------------

    def load_config(self):  # noqa: D102 - Kivy hook: keep Kivy's own settings off the disk
        from kivy.config import ConfigParser

        self.config = ConfigParser(name=f"kiosk-{id(self)}")
        return self.config

    def open_settings(self, *largs) -> bool:  # Kivy's F1 panel is not for visitors
        return False

    def build(self):
        self.guard = install_guard(self)
        self._trim_memory = Clock.create_trigger(release_freed_memory, TRIM_AFTER_SECONDS)
        self.installed_typefaces = register_fonts()
        font_problem = self._apply_typeface()
        for name in KV_FILES:
            Builder.load_file(str(KV_DIR / name))
        root = BoxLayout(orientation="vertical")
        self.notice = NoticeBar()
        self.manager = ScreenManager(transition=NoTransition())
        self.first_frame = AfterFirstFrame(Window, Clock)
        root.add_widget(self.notice)
        root.add_widget(self.manager)
        root.add_widget(Factory.VoiceBar())
        self.hands_free = HandsFree(self)
        root.add_widget(self.hands_free.switch_bar)  # the on-screen switch, while scanning
        Window.bind(size=self._update_sizes, on_key_down=self._on_key_down,
                    on_key_up=self._on_key_up)
        self._use_theme(self.theme_name)
        self._update_sizes()
        self.reading = ReadingController(self, self.settings, self._audio_sink)
        self.voice = VoiceController(self, self._mic_source)
        self.following = FollowController(self)
        self.number_badges = NumberBadges(self)
        self.kiosk = KioskMode(self)
        self.navigator.subscribe(self.show)
        self.show(self.navigator.view)
        self._content_event = Clock.schedule_interval(self._watch_content,
                                                      CONTENT_CHECK_SECONDS)
        self._tick_event = Clock.schedule_interval(self._tick, TICK_SECONDS)
        for problem in (*self.settings.problems, *self.reading.problems):
            self.say_notice(problem)
        if font_problem:
            self.say_notice(font_problem)
        return root

    def on_stop(self) -> None:
        for event in (self._content_event, self._tick_event):
            if event is not None:
                event.cancel()
        if self.hands_free is not None:
            self.hands_free.close()
        if self.kiosk is not None:
            self.kiosk.close()
        if self.voice is not None:
            self.voice.close()
        if self.reading is not None:
            self.reading.close()

    # -- actions from kv and keys --------------------------------------------------------

    def do(self, command: Command | Do) -> str:
        """Carry out a command, however it was given; returns what was done, in a few
        words (the voice caption)."""
        if not isinstance(command, Command):
            command = Command(command)
        state = self.reading.narrator.status().state if self.reading else State.IDLE
        following = self.following is not None and self.following.active
        return self._perform(self.visit.apply(command, state, following))

    def _perform(self, outcome: Outcome) -> str:
        """What a command's outcome asks of the screen, the narrator and kiosk mode."""
        done = outcome.done
        if outcome.follow is not None and self.following is not None:
            if outcome.follow:
                self.following.start()
            else:
                place = self.following.stop(why="" if outcome.reading else STOPPED)
                if place is not None and outcome.reading is Do.TOGGLE:  # read on from
                    self.reading.read_sentence(place.sentence)  # where the reader was
                    return done
        if outcome.reading is not None and self.reading is not None:
            self.reading.step(outcome.reading)
        if outcome.scroll:
            screen = self.manager.current_screen if self.manager else None
            if screen is not None and "scroll" in screen.ids:
                screen.ids.scroll.page(outcome.scroll)
        if outcome.text_size:
            self.step_setting("text_scale", outcome.text_size)
        if outcome.numbers_shown is not None:
            self.set_setting("show_numbers", outcome.numbers_shown)
        if outcome.press is not None and self.number_badges is not None:
            button = self.number_badges.press(outcome.press)
            done = (f"No button {outcome.press}" if button is None
                    else f"Chose {outcome.press}, {button.label_for_speech()}")
        if outcome.answer is not None and self.kiosk is not None:
            done = self.kiosk.answer(outcome.answer) or done
        if outcome.say and self.reading is not None:
            self.reading.say_text(outcome.say)
        return done

    def go(self, intent: str, **details) -> View:
        """Apply a navigation intent by name, e.g. ``go("open_section", number=3)``: for
        tests and scripts that set up a screen. A person's commands go through :meth:`do`."""
        return self.navigator.apply(Action(Intent(intent), **details))

    def show(self, view: View) -> None:
        """Put a View on screen: switch screens, refill the new one, show any notice."""
        if self.manager is None:
            return
        screen = self._screen(view.screen.value)
        changed = self.manager.current != screen.name
        screen.refresh(self)
        if changed:
            self.manager.current = screen.name
            self.focus_ring.clear()
        if self.reading is not None:
            self.reading.view_changed(view)
        if self.voice is not None:
            self.voice.view_changed(view)
        if view.notice:
            self.say_notice(view.notice)
        elif changed:
            self.clear_notice()
        if self.following is not None:
            self.following.view_changed(view)  # (after: leaving says it has stopped)

    def say_notice(self, text: str, speak: bool = False) -> None:
        """Show a short message in plain words for a few seconds; with ``speak``, say it too
        unless a document is being read (it is not cut short for a notice)."""
        if self.notice is None:
            return
        if speak and self.reading is not None:
            self.reading.say_aside(text)
        self.notice.text = text
        self.notice.shown = True
        if self._notice_event is not None:
            self._notice_event.cancel()
        self._notice_event = Clock.schedule_once(lambda _dt: self.clear_notice(), NOTICE_SECONDS)

    def clear_notice(self) -> None:
        if self.notice is not None:
            self.notice.shown = False
            self.notice.text = ""

    def step_setting(self, name: str, steps: int) -> None:
        """A visitor's setting (VISITOR_SETTINGS) a step up or down, as its rule allows; at
        either end the visitor is told so."""
        value = rule_of(name).stepped(getattr(self, VISITOR_SETTINGS[name]), steps)
        if value is None:
            self.say_notice(rule_of(name).at_end(steps))
            return
        self.set_setting(name, value)

    def set_setting(self, name: str, value) -> None:
        """Set a visitor's setting (VISITOR_SETTINGS) and draw the screen again."""
        if name == "theme":
            self._use_theme(value)
        else:
            setattr(self, VISITOR_SETTINGS[name], value)
        if name == "text_scale":
            self._update_sizes()
        if name != "show_numbers" or (self.manager and self.manager.current == "settings"):
            self._refresh_current()  # (badges follow the property; a screen drawn again
            #                           would lose its scroll position and the Reader's More)

    def apply_clinic_defaults(self) -> None:
        """Every visitor setting (VISITOR_SETTINGS), reading speed and volume back to the
        clinic's configuration."""
        settings = self.settings
        self._use_theme(settings.theme)
        for name, prop in VISITOR_SETTINGS.items():
            if name != "theme":
                setattr(self, prop, getattr(settings, name))
        if self.following is not None:
            self.following.stop(why="")
        if self.reading is not None:
            self.reading.reset()
        if self.voice is not None:
            self.voice.reset()
        if self.hands_free is not None:
            self.hands_free.reset()
        if self.manager is not None:
            self._update_sizes()

    def reload_content(self) -> None:
        """Load the content folder again; the open document stays if it still exists, and a
        document whose file is broken now keeps its last good version."""
        folder = self.settings.content_dir
        self._content_snapshot = snapshot(folder)
        library = load_library(folder)
        if folder == self._content_folder:  # (not when the configuration names another)
            library = keep_last_good(self.navigator.library, library, folder)
        self._content_folder = folder
        self.navigator.set_library(library)  # (shows the view again: every screen refills)

    def _tick(self, _dt: float) -> None:
        """One tick for every controller that follows time, in a fixed order: the reading
        highlight first (the voice controller asks the narrator what is being read)."""
        self._ticks += 1
        calls = [self.reading.poll, self.voice.poll, self.hands_free.tick, self.kiosk.tick]
        if self._ticks % BADGES_EVERY == 0:
            calls.append(self.number_badges.update)
        failed: Exception | None = None
        for call in calls:  # one that fails does not hold up the others (idle reset above all)
            try:
                call()
            except Exception as error:  # noqa: BLE001 - raised again below, for the guard
                failed = failed or error
        if failed is not None:
            raise failed

    def _watch_content(self, _dt: float) -> None:
        """A document file was added, changed or removed: load it (not in the middle of
        reading a section aloud; it is looked at again once the reading stops)."""
        if snapshot(self.settings.content_dir) == self._content_snapshot:
            return
        if self.reading is not None and self.reading.narrator.status().state is State.READING:
            return
        log.info("the content folder changed; loading it again")
        self.reload_content()

    # -- internals -----------------------------------------------------------------------

    def _use_theme(self, name: str) -> None:
        self.theme_name = name
        # Every widget's colours follow the theme through kv bindings. A widget a screen
        # threw away, collected by the cyclic garbage collector in the middle of the
        # theme's dispatch, raised ReferenceError from its binding (once in a test-suite
        # run of the soak walk, on a reset for the next person), which stops the dispatch
        # with half the kiosk in the old colours: collect before it, and not during it.
        # (An unchanged theme dispatches nothing: no collection at start or on a reset.)
        theme = sizes.THEMES[name]
        if theme != self.theme:
            collecting = gc.isenabled()
            gc.collect()
            gc.disable()
            try:
                self.theme = theme
            finally:
                if collecting:
                    gc.enable()
        if self.manager is not None:  # the window exists once the app is built
            Window.clearcolor = self.theme.background

    def on_typeface(self, _app, _typeface: str) -> None:
        if self.manager is not None:
            problem = self._apply_typeface()
            if problem:
                self.say_notice(problem)

    def _apply_typeface(self) -> str | None:
        """Draw every label in ``self.typeface``; when its font files are missing, use
        Atkinson Hyperlegible instead and return a notice saying so."""
        if not use_typeface_font(self.typeface):
            name = sizes.TYPEFACE_NAMES.get(self.typeface, self.typeface)
            problem = (f"The {name} typeface is not installed on this kiosk, so "
                       f"{sizes.TYPEFACE_NAMES['atkinson']} is used.")
            if self.manager is not None:
                self.typeface = "atkinson"  # on_typeface draws the text again
                return problem
            self.typeface = "atkinson"
            use_typeface_font("atkinson")
            return problem
        if self.manager is not None:
            self._update_sizes()
            self._redraw_text()
        return None

    def _redraw_text(self) -> None:
        """Render every label again, on every screen (after the default font changed)."""
        tops = [*self.manager.screens, self.root or self.manager]
        seen = set()
        for top in tops:
            for widget in top.walk():
                if isinstance(widget, Label) and id(widget) not in seen:
                    seen.add(id(widget))
                    widget.texture_update()

    def _current_screen(self) -> KioskScreen:
        shown = self.kiosk.focus_root() if self.kiosk is not None else None
        return shown if shown is not None else self.manager.current_screen

    def _screen(self, name: str) -> KioskScreen:
        """The screen called ``name``, built the first time it is needed."""
        if not self.manager.has_screen(name):
            self.manager.add_widget(SCREENS[name]())
        return self.manager.get_screen(name)

    def _refresh_current(self) -> None:
        if self.manager is not None:
            self.manager.current_screen.refresh(self)

    def _on_key_down(self, _window, key, _scancode, codepoint, modifiers) -> bool:
        modifiers = list(modifiers or [])
        if self.kiosk is not None and self.kiosk.on_key(key, codepoint, modifiers):
            return True
        if key == TALK_KEY and self.voice is not None and self.voice.mode == "push_to_talk":
            self.voice.talk(True)
            return True
        if self.hands_free is not None and self.hands_free.on_key(key):
            return True  # a switch key while scanning (before the focus ring's Space/Enter)
        if self._reading_key(codepoint, modifiers):
            return True
        return self.focus_ring.on_key(key, modifiers)

    def _on_key_up(self, _window, key, *_args) -> bool:
        if key == TALK_KEY and self.voice is not None and self.voice.mode == "push_to_talk":
            self.voice.talk(False)
            return True
        return False

    def _reading_key(self, codepoint: str | None, modifiers: list[str]) -> bool:
        """Reader shortcuts (kiosk.commands.READER_KEYS)."""
        if (self.reading is None or self.manager is None or self.manager.current != "reader"
                or not codepoint or {"ctrl", "alt", "meta"} & set(modifiers)):
            return False
        do = READER_KEYS.get(codepoint.lower())
        if do is None:
            return False
        self.do(do)
        return True

    def _update_sizes(self, *_args) -> None:
        if self._trim_memory is not None:
            self._trim_memory()  # the text is drawn again: give the old textures back
        scale = sizes.scale_for(*Window.size)
        self.portrait = Window.height > Window.width
        text = scale * self.text_scale
        self.body_px = round(sizes.BODY_FONT_PX * text)
        self.small_px = round(sizes.BODY_FONT_PX * 0.8 * text)
        self.heading_px = round(sizes.HEADING_FONT_PX * text)
        self.button_px = round(sizes.BUTTON_FONT_PX * scale
                               * min(self.text_scale, sizes.BUTTON_TEXT_SCALE_MAX))
        self.button_h = round(max(sizes.BUTTON_HEIGHT_PX * scale, self.button_px * 2.2))
        self.gap = round(sizes.GAP_PX * scale)
        self.staff_px = round(sizes.BODY_FONT_PX * scale)
        self.staff_button_h = round(sizes.BUTTON_HEIGHT_PX * scale)
        self.ring_px = max(4, round(sizes.FOCUS_RING_PX * scale))
        char_px = _average_char_px(self.body_px, self.typeface)
        self.text_width = round(sizes.MAX_LINE_CHARS * char_px)
        self.typeface_width = char_px / _average_char_px(self.body_px, "atkinson")
        self.line_factor = _natural_line_px("atkinson") / _natural_line_px(self.typeface)
        self.column_width = round(sizes.COLUMN_WIDTH_PX * scale)
