"""Reusable widgets: large buttons with a focus ring, body text, bullets, callouts, notice bar.

Their looks live in ``kv/widgets.kv``; here is only behaviour and the text helpers.
"""

from __future__ import annotations

import re

from kivy.app import App
from kivy.clock import Clock
from kivy.effects.scroll import ScrollEffect
from kivy.graphics import Color, Line, Rectangle
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView

from kiosk.access import perimeter_path
from kiosk.content import Text
from kiosk.highlight import SENTENCE_REF, WORD_REF, Range, escape, highlighted_markup

_MARKUP_TAG = re.compile(r"\[/?[a-z]+(=[^\]]*)?\]")


class KioskButton(ButtonBehavior, Label):
    """A large target: reachable by touch, keyboard focus, pointer dwell and switch scanning
    (kiosk/ui/hands_free.py)."""

    focused = BooleanProperty(False)
    """True while the keyboard focus (or scanning highlight) is on this button."""
    spoken_label = StringProperty("")
    """What a screen reader or scanning would say for this button; defaults to its text."""
    badge_room = NumericProperty(0)
    """Room kept at the left for the number badge while numbers are shown (kiosk.ui.numbers)."""
    staff = BooleanProperty(False)
    """On a staff panel: the clinic's default size (app.staff_px), whatever the visitor's
    text size (kv/kiosk_mode.kv StaffButton)."""
    min_height = NumericProperty(0)
    """At least this tall (a ButtonGrid makes a row's buttons one height); 0: the usual."""
    dwell_progress = NumericProperty(0.0)
    """0 to 1 while the pointer rests on this button; drawn as a ring filling round it."""
    dwell_ring = ListProperty([])
    """Points of the filled part of the dwell ring (empty when there is no dwell)."""
    dwell_track = ListProperty([])
    """Points of the whole dwell ring, drawn thin so the part still to fill shows."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.fbind("pos", self._draw_dwell)
        self.fbind("size", self._draw_dwell)

    def label_for_speech(self) -> str:
        """Plain words for this target, without markup."""
        return self.spoken_label or strip_markup(self.text)

    def on_dwell_progress(self, *_args) -> None:
        self._draw_dwell()

    def _draw_dwell(self, *_args) -> None:
        """The dwell ring: the whole outline thin (what is left to fill) and the part done
        thick in the focus colour, clockwise from the top. Drawn only on the button being
        dwelt on: kv Line rules on every button made each relayout several times slower."""
        if self.dwell_progress <= 0:
            if self.dwell_ring or self.dwell_track:
                self.dwell_ring, self.dwell_track = [], []
                self.canvas.after.remove_group("dwell")
            return
        app = App.get_running_app()
        ring = getattr(app, "ring_px", 8)
        box = (self.x - ring / 2, self.y - ring / 2, self.width + ring, self.height + ring)
        self.dwell_track = perimeter_path(*box, 1.0)
        self.dwell_ring = perimeter_path(*box, self.dwell_progress)
        self.canvas.after.remove_group("dwell")
        theme = app.theme
        self.canvas.after.add(Color(rgba=theme.muted_text, group="dwell"))
        self.canvas.after.add(Line(points=self.dwell_track, width=1.5, group="dwell"))
        if self.dwell_ring:
            self.canvas.after.add(Color(rgba=theme.focus, group="dwell"))
            self.canvas.after.add(Line(points=self.dwell_ring, width=ring * 0.75,
                                       joint="miter", cap="square", group="dwell"))


class BodyText(Label):
    """A paragraph of body text that wraps to its width and grows to its height."""


class Heading(Label):
    """A screen or section heading."""


class Highlightable:
    """A Label mixin that can mark the sentence being read and the word being heard.

    Kivy markup has no background colour, so the text carries ``[ref]`` zones and this
    draws a band behind the sentence and a box behind the word, under the text.
    """

    source = ObjectProperty(None, allownone=True)
    """The Text shown; set before use."""
    target = ObjectProperty(None, allownone=True)
    """Which utterance target this text is (see kiosk.speech.script)."""
    marked = ObjectProperty(None, allownone=True)
    """(sentence range, word range or None) currently shown, or None."""

    def show_reading(self, sentence: Range | None, word: Range | None = None) -> None:
        """Mark ``sentence`` and ``word`` (ranges of the plain text), or clear with None."""
        marked = (sentence, word) if sentence is not None else None
        if marked == self.marked:
            return
        self.marked = marked
        theme = App.get_running_app().theme
        colour = "".join(f"{round(c * 255):02x}" for c in theme.word_text[:3])
        self.text = highlighted_markup(self.source, sentence, word, colour)

    def sentence_box(self) -> tuple[float, float] | None:
        """(top, bottom) of the marked sentence as distances below this label's top."""
        zones = self.refs.get(SENTENCE_REF, []) + self.refs.get(WORD_REF, [])
        if not zones:
            return None
        offset = (self.height - self.texture_size[1]) / 2
        return min(z[1] for z in zones) + offset, max(z[3] for z in zones) + offset

    def on_refs(self, *_args) -> None:
        self._draw_marks()

    def on_pos(self, *_args) -> None:
        self._draw_marks()

    def _draw_marks(self) -> None:
        self.canvas.before.remove_group("reading")
        if not self.refs:
            return
        theme = App.get_running_app().theme
        left = self.center_x - self.texture_size[0] / 2
        top = self.center_y + self.texture_size[1] / 2
        sentence = self.refs.get(SENTENCE_REF, []) + self.refs.get(WORD_REF, [])
        for colour, zones in ((theme.reading, sentence), (theme.word, self.refs.get(WORD_REF))):
            self.canvas.before.add(Color(rgba=colour, group="reading"))
            for x1, y1, x2, y2 in zones or ():
                self.canvas.before.add(Rectangle(pos=(left + x1 - 3, top - y2),
                                                 size=(x2 - x1 + 6, y2 - y1), group="reading"))


class ReadingText(ButtonBehavior, Highlightable, BodyText):
    """A paragraph in the Reader: shows reading marks; touching it reads from there."""


class ReadingHeading(Highlightable, Heading):
    """The Reader's section title, marked while it is read aloud."""


class MutedText(Label):
    """Secondary text: source lines, hints."""


def text_width(text: str, label: Label, font_px: float | None = None,
               font_name: str | None = None) -> float:
    """How wide ``text`` (plain, one line) is drawn in ``label``'s font (or ``font_name``)."""
    from kivy.core.text import Label as CoreLabel

    core = CoreLabel(font_size=font_px or label.font_size, font_name=font_name or label.font_name,
                     bold=label.bold)
    return core.get_extents(text)[0]


class FittingText(MutedText):
    """A status line given in several wordings, longest first: it shows the longest one
    that fits on one line, so it shortens its words rather than wrapping or being cut
    (only the shortest wording may wrap, between words)."""

    forms = ListProperty([])
    fitted_width = NumericProperty(0)
    """The width the longest wording needs on one line (for a line sized to its text)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.markup = False
        self.bind(forms=self._fit, width=self._fit, font_size=self._fit,
                  font_name=self._fit, padding=self._fit)
        # a typeface change swaps the default font's files, not font_name
        App.get_running_app().bind(typeface=Clock.create_trigger(self._fit))

    def _fit(self, *_args) -> None:
        forms = list(self.forms) or [""]
        widths = [text_width(form, self) for form in forms]
        room = self.width - self.padding[0] - self.padding[2]
        self.fitted_width = widths[0] + self.padding[0] + self.padding[2] + 2
        self.text = next((f for f, w in zip(forms, widths, strict=True) if w <= room), forms[-1])


class FitsWords:
    """A container of KioskButtons that sizes itself so none of them breaks a word: it
    refits when the text size, typeface, number badges, its width or a label change."""

    def __init__(self, **kwargs) -> None:
        self._refit = Clock.create_trigger(lambda _dt: self.fit_words())
        super().__init__(**kwargs)

    def on_kv_post(self, _base) -> None:
        app = App.get_running_app()
        app.bind(button_px=self._refit, typeface=self._refit, numbers_shown=self._refit,
                 gap=self._refit, button_h=self._refit)
        self._watched: set[int] = set()
        self.bind(width=self._refit, children=self._watch, parent=self._refit)
        self._watch()

    def _watch(self, *_args) -> None:
        for button in self.buttons():
            if id(button) not in self._watched:
                self._watched.add(id(button))
                button.bind(text=self._refit, texture_size=self._refit)
        self._refit()

    def refit(self) -> None:
        """Fit again at the next frame (something it depends on changed)."""
        self._refit()

    def buttons(self) -> list[KioskButton]:
        return [child for child in self.children if isinstance(child, KioskButton)]

    def fit_words(self) -> None:
        raise NotImplementedError


class ButtonGrid(FitsWords, GridLayout):
    """Large buttons in as many columns as fit without breaking a word of any label, all
    of one height: the columns depend only on the window, the text size and the typeface,
    never on what was pressed, so no button moves under the finger."""

    one_column = BooleanProperty(False)
    """One column as wide as its longest label (up to 30 % of the window), beside
    other content, instead of as many columns as fit in the given width."""

    other_labels = ListProperty([])
    """Labels the buttons take at other times ("Pause", "Back to text"): the column is
    wide enough for them too, so it never changes width when a button is pressed."""

    def on_one_column(self, *_args) -> None:
        self._refit()

    def on_other_labels(self, *_args) -> None:
        self._refit()

    def column_width(self) -> float:
        """How wide these buttons stand as one column: their longest label on one line
        when that takes at most 30 % of the window, else their longest word."""
        from kivy.core.window import Window

        buttons = self.buttons()
        if not buttons:
            return 0
        font_px = App.get_running_app().button_px
        labels = [strip_markup(b.text) for b in buttons] + list(self.other_labels)
        whole = max(text_width(label, buttons[0], font_px) for label in labels)
        return max(narrowest_button(buttons), min(whole + _label_room(), Window.width * 0.3))

    def fit_words(self) -> None:
        buttons = self.buttons()
        if not buttons:
            return
        app = App.get_running_app()
        if self.one_column:
            self.cols = 1
            self.width = self.column_width()
        elif self.width > 0:
            spacing = self.spacing[0]
            fit = int((self.width + spacing) // (narrowest_button(buttons) + spacing + 4))
            self.cols = max(1, min(len(buttons), fit))
        row = max([app.button_h] + [b.texture_size[1] + app.gap for b in buttons]
                  + [self._other_label_height(buttons[0])])
        for button in buttons:  # one height for all, through the button's own kv rule
            button.min_height = row

    def column_height(self) -> float:
        """How tall these buttons stand as one column (column_width wide)."""
        buttons = self.buttons()
        if not buttons:
            return 0
        app = App.get_running_app()
        width = self.column_width()
        row = max([app.button_h] + [self._label_height(text, buttons[0], width)
                                    for text in [b.text for b in buttons]
                                    + list(self.other_labels)])
        return row * len(buttons) + self.spacing[1] * (len(buttons) - 1)

    def _other_label_height(self, button: KioskButton) -> float:
        """How tall a button must be for the tallest of ``other_labels`` in its cell, so a
        row never grows when a label changes."""
        if not self.other_labels or self.width <= 0:
            return 0
        cell = (self.width - self.spacing[0] * (self.cols - 1)) / self.cols
        return max(self._label_height(text, button, cell) for text in self.other_labels)

    @staticmethod
    def _label_height(text: str, button: KioskButton, width: float) -> float:
        """How tall a button ``width`` wide must be to show ``text``."""
        app = App.get_running_app()
        probe = laid_out(text, width, font_size=app.button_px, font_name=button.font_name,
                         line_height=button.line_height, padding=button.padding)
        return probe.texture_size[1] + app.gap


def laid_out(text: str, width: float, **style) -> Label:
    """A label of ``text`` (markup) wrapped at ``width`` and laid out as Kivy would draw it,
    to measure before drawing: its texture_size and its lines."""
    probe = Label(text=text, markup=True, text_size=(max(1, width), None), **style)
    probe.texture_update()
    return probe


def narrowest_button(buttons: list[KioskButton]) -> float:
    """The narrowest width at which none of these buttons breaks a word of its label."""
    font_px = App.get_running_app().button_px  # the buttons' own size may not be set yet
    longest = max(text_width(word, button, font_px, font)
                  for button in buttons for word, font in words_and_fonts(button.text))
    return longest + _label_room()


_FONT_RUN = re.compile(r"\[font=([^\]]+)\](.*?)\[/font\]")


def words_and_fonts(text: str) -> list[tuple[str, str | None]]:
    """The words of a markup label with the font each is drawn in (None: the label's own;
    a [font=...] run names another, as the typeface buttons in Settings do)."""
    found: list[tuple[str, str | None]] = []
    position = 0
    for run in _FONT_RUN.finditer(text):
        found += [(word, None) for word in strip_markup(text[position:run.start()]).split()]
        found += [(word, run.group(1)) for word in strip_markup(run.group(2)).split()]
        position = run.end()
    found += [(word, None) for word in strip_markup(text[position:]).split()]
    return found or [("", None)]


def badge_side(button_px: float, button_height: float | None = None) -> int:
    """The side of a number badge (kiosk.ui.numbers) on a button with this label size."""
    side = button_px * 1.5
    return round(side if button_height is None else min(button_height - 12, side))


def badge_room(side: float) -> float:
    """The left padding a button's label needs beside a badge of this side."""
    return 8 + side + 10


def _label_room() -> float:
    """Width a KioskButton needs beside its words: its padding, and a number badge's room
    when numbers are shown (kv/widgets.kv, kiosk/ui/numbers.py)."""
    app = App.get_running_app()
    badge = badge_room(badge_side(app.button_px)) if app.numbers_shown else 0
    return app.gap * 1.2 + badge + 16


class BulletItem(BoxLayout):
    """One bullet of a list: a bullet mark and a wrapped text beside it (hanging indent)."""

    text = StringProperty("")


class Callout(BoxLayout):
    """A boxed note set apart from the body text."""

    text = StringProperty("")


class NoticeBar(Label):
    """The strip that says why an action did nothing, or what went wrong, in plain words.

    At the largest text sizes a long notice takes a slightly smaller size (down to the
    default size's) to keep to two lines, so it never pushes the Reader's controls off the
    screen (ReaderScreen.place_controls keeps room for two lines)."""

    shown = BooleanProperty(False)
    fit_px = NumericProperty(0)
    """The font size the notice is drawn at (kv/widgets.kv)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._refit = Clock.create_trigger(lambda _dt: self.fit())
        self.bind(text=self._refit, width=self._refit)
        App.get_running_app().bind(small_px=self._refit, typeface=self._refit)

    def fit(self) -> None:
        from kivy.core.window import Window

        from kiosk.ui.theme import BODY_FONT_PX, scale_for

        app = App.get_running_app()
        smallest = min(app.small_px, round(BODY_FONT_PX * 0.8 * scale_for(*Window.size)))
        size = app.small_px
        while size > smallest and self._lines_at(size) > 2:
            size = max(smallest, size - 2)
        self.fit_px = size

    def _lines_at(self, font_px: float) -> int:
        probe = laid_out(self.text, self.width - App.get_running_app().gap * 2, bold=True,
                         font_size=font_px)
        return len(probe._label._cached_lines) if probe._label else 1


class KioskScroll(ScrollView):
    """A scroll area without bounce or fling animation (no fast motion), stepped by page."""

    effect_cls = ScrollEffect

    def overflow(self) -> float:
        """How many pixels of content lie outside the view (0 when it all fits)."""
        content = self.children[0] if self.children else None
        return max(0.0, content.height - self.height) if content else 0.0

    def page(self, direction: int) -> None:
        """Move one page (85% of the view) down (+1) or up (-1), at once and without motion."""
        overflow = self.overflow()
        if overflow:
            step = self.height * 0.85 / overflow
            self.scroll_y = min(1.0, max(0.0, self.scroll_y - direction * step))

    def show(self, widget) -> None:
        """Scroll just enough, without animation, that ``widget`` is fully in view."""
        if self.overflow():
            self.scroll_to(widget, padding=20, animate=False)


    def show_span(self, widget, top: float, bottom: float, margin: float = 40) -> None:
        """Scroll, without animation, so the part of ``widget`` from ``top`` to ``bottom``
        pixels below its top is in view (its top, if it is taller than the view)."""
        overflow = self.overflow()
        if not overflow:
            return
        content = self.children[0]
        span_top = widget.top - content.y - top  # in content coordinates, from its bottom
        span_bottom = widget.top - content.y - bottom
        view_bottom = self.scroll_y * overflow
        view_top = view_bottom + self.height
        if span_top > view_top - margin or span_top - span_bottom > self.height - 2 * margin:
            view_bottom = span_top + margin - self.height
        elif span_bottom < view_bottom + margin:
            view_bottom = span_bottom - margin
        else:
            return
        self.scroll_y = min(1.0, max(0.0, view_bottom / overflow))


class ScrollArea(BoxLayout):
    """A KioskScroll and its ScrollButtons (kv/widgets.kv), the buttons beside it or
    ``under`` it: under when ``prefer_under`` (each use says when: a portrait window), or
    when the area is too short for Up above Down (very large text with a notice shown)."""

    prefer_under = BooleanProperty(False)
    under = BooleanProperty(False)

    def __init__(self, **kwargs) -> None:
        self._decide = Clock.create_trigger(lambda _dt: self.decide())
        super().__init__(**kwargs)
        self.bind(height=self._decide, prefer_under=self._decide)

    def decide(self) -> None:
        buttons = [b for child in self.children if isinstance(child, ScrollButtons)
                   for b in child.buttons()]
        column = sum(b.height for b in buttons) + self.spacing * 2
        self.under = self.prefer_under or self.height < column

    def on_under(self, *_args) -> None:
        for child in self.children:
            if isinstance(child, ScrollButtons):
                child.refit()


class ScrollButtons(FitsWords, BoxLayout):
    """Large Up / Down buttons (said "Scroll up" / "Scroll down") beside a KioskScroll, shown
    only when needed."""

    scroll = ObjectProperty(None, allownone=True)
    needed = BooleanProperty(False)

    def on_scroll(self, _instance, scroll: KioskScroll | None) -> None:
        if scroll is not None:
            scroll.bind(size=self._update, children=self._update)
            for child in scroll.children:
                child.bind(height=self._update)

    def _update(self, *_args) -> None:
        scroll = self.scroll
        if scroll is not None:
            for child in scroll.children:
                child.unbind(height=self._update)
                child.bind(height=self._update)
            self.needed = scroll.overflow() > 1

    def page(self, direction: int) -> None:
        if self.scroll is not None:
            self.scroll.page(direction)

    def column_width(self) -> float:
        """How wide these buttons stand beside the scroll area."""
        buttons = self.buttons()
        return narrowest_button(buttons) if buttons else 0

    def fit_words(self) -> None:
        """Beside the scroll area, as narrow as the labels allow, so the text keeps its
        room; under it (a portrait window), as tall as the buttons."""
        buttons = self.buttons()
        if not buttons:
            return
        if getattr(self.parent, "under", False):
            self.orientation, self.size_hint = "horizontal", (1, None)
            self.height = max(button.height for button in buttons)
        else:
            self.orientation, self.size_hint = "vertical", (None, 1)
            self.width = self.column_width()


def markup_for(text: Text) -> str:
    """Kivy markup for a run of text: bold lead-in, escaped body."""
    body = escape(text.text)
    return f"[b]{escape(text.lead)}[/b] {body}" if text.lead else body


def strip_markup(text: str) -> str:
    """The plain words of a Kivy markup string."""
    plain = _MARKUP_TAG.sub("", text)
    return plain.replace("&bl;", "[").replace("&br;", "]").replace("&amp;", "&")
