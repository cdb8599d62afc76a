"""Reusable widgets: large buttons with a focus ring, body text, bullets, callouts, notice bar.

Their looks live in ``kv/widgets.kv``; here is only behaviour and the text helpers.
"""

from __future__ import annotations

import re

from kivy.app import App
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
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.utils import escape_markup

from kiosk.content import Text
from kiosk.ui.access import perimeter_path
from kiosk.ui.highlight import SENTENCE_REF, WORD_REF, Range, highlighted_markup

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


class BulletItem(BoxLayout):
    """One bullet of a list: a bullet mark and a wrapped text beside it (hanging indent)."""

    text = StringProperty("")


class Callout(BoxLayout):
    """A boxed note set apart from the body text."""

    text = StringProperty("")


class NoticeBar(Label):
    """The strip that says why an action did nothing, or what went wrong, in plain words."""

    shown = BooleanProperty(False)


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


class ScrollButtons(BoxLayout):
    """Large Scroll up / Scroll down buttons beside a KioskScroll, shown only when needed."""

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


def markup_for(text: Text) -> str:
    """Kivy markup for a run of text: bold lead-in, escaped body."""
    body = escape_markup(text.text)
    return f"[b]{escape_markup(text.lead)}[/b] {body}" if text.lead else body


def strip_markup(text: str) -> str:
    """The plain words of a Kivy markup string."""
    plain = _MARKUP_TAG.sub("", text)
    return plain.replace("&bl;", "[").replace("&br;", "]").replace("&amp;", "&")
