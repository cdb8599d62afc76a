"""Reusable widgets: large buttons with a focus ring, body text, bullets, callouts, notice bar.

Their looks live in ``kv/widgets.kv``; here is only behaviour and the text helpers.
"""

from __future__ import annotations

import re

from kivy.effects.scroll import ScrollEffect
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.utils import escape_markup

from kiosk.content import Text

_MARKUP_TAG = re.compile(r"\[/?[a-z]+(=[^\]]*)?\]")


class KioskButton(ButtonBehavior, Label):
    """A large target: reachable by touch, keyboard focus and (later) dwell and switch."""

    focused = BooleanProperty(False)
    """True while the keyboard focus (or scanning highlight) is on this button."""
    spoken_label = StringProperty("")
    """What a screen reader or scanning would say for this button; defaults to its text."""

    def label_for_speech(self) -> str:
        """Plain words for this target, without markup."""
        return self.spoken_label or strip_markup(self.text)


class BodyText(Label):
    """A paragraph of body text that wraps to its width and grows to its height."""


class Heading(Label):
    """A screen or section heading."""


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
