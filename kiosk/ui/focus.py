"""Keyboard focus: a thick ring moved over the buttons of the current screen.

Tab and the arrow keys move it in reading order, Enter or Space presses the framed button,
Page Up/Down scroll, Home goes home and Escape goes back. No fine motor control is needed.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.commands import Do
from kiosk.keys import (
    KEY_DOWN,
    KEY_ENTER,
    KEY_ESCAPE,
    KEY_HOME,
    KEY_LEFT,
    KEY_NUMPAD_ENTER,
    KEY_PAGE_DOWN,
    KEY_PAGE_UP,
    KEY_RIGHT,
    KEY_SPACE,
    KEY_TAB,
    KEY_UP,
)
from kiosk.ui.widgets import KioskButton, KioskScroll


def actionable(root: Widget) -> list[KioskButton]:
    """Every button a person can act on under ``root``, in reading order (top to bottom)."""
    return [w for w in root.walk(restrict=True) if isinstance(w, KioskButton) and usable(w)]


def window_rect(widget: Widget) -> tuple[float, float, float, float]:
    """The widget's rectangle in window coordinates (x0, y0, x1, y1)."""
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def visible_rect(widget: Widget, in_window: bool = True
                 ) -> tuple[float, float, float, float] | None:
    """The part of ``widget`` a person can see and touch, in window coordinates: clipped by
    every scroll area around it and (``in_window``) by the window; None when none of it
    shows."""
    from kivy.core.window import Window

    x0, y0, x1, y1 = window_rect(widget)
    if in_window:
        x0, y0 = max(x0, 0), max(y0, 0)
        x1, y1 = min(x1, Window.width), min(y1, Window.height)
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, ScrollView):
            px0, py0, px1, py1 = window_rect(parent)
            x0, y0, x1, y1 = max(x0, px0), max(y0, py0), min(x1, px1), min(y1, py1)
        parent = parent.parent
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None


def usable(widget: Widget) -> bool:
    """Not disabled and not transparent, nor any of its ancestors."""
    while widget is not None:
        if getattr(widget, "disabled", False) or getattr(widget, "opacity", 1) == 0:
            return False
        widget = widget.parent if widget.parent is not widget else None
    return True


class FocusRing:
    """Which button has the keyboard focus on the current screen, and the keys that move it."""

    def __init__(self, current_root: Callable[[], Widget], on_command: Callable[[Do], None]):
        self._current_root = current_root
        self._on_command = on_command
        self.focused: KioskButton | None = None

    def targets(self) -> list[KioskButton]:
        """The buttons the focus can visit now."""
        return actionable(self._current_root())

    def clear(self) -> None:
        """Remove the ring (e.g. when the screen changes)."""
        if self.focused is not None:
            self.focused.focused = False
        self.focused = None

    def move(self, step: int) -> KioskButton | None:
        """Move the ring ``step`` buttons on (wrapping round) and scroll it into view."""
        targets = self.targets()
        if not targets:
            self.clear()
            return None
        if self.focused in targets:
            index = (targets.index(self.focused) + step) % len(targets)
        else:
            index = 0 if step > 0 else len(targets) - 1
        self.focus(targets[index])
        return self.focused

    def focus(self, button: KioskButton) -> None:
        """Put the ring on ``button``."""
        self.clear()
        self.focused = button
        button.focused = True
        scroll = enclosing(button)
        if scroll is not None:
            scroll.show(button)

    def press(self) -> bool:
        """Press the framed button as a touch would; False when nothing is framed."""
        button = self.focused
        if button is None or button not in self.targets():
            return False
        button.dispatch("on_press")
        button.dispatch("on_release")
        return True

    def on_key(self, key: int, modifiers: list[str]) -> bool:
        """Handle one key press; True when the key was used."""
        if key == KEY_TAB:
            self.move(-1 if "shift" in modifiers else +1)
        elif key in (KEY_DOWN, KEY_RIGHT):
            self.move(+1)
        elif key in (KEY_UP, KEY_LEFT):
            self.move(-1)
        elif key in (KEY_ENTER, KEY_NUMPAD_ENTER, KEY_SPACE):
            if not self.press():
                self.move(+1)
        elif key in (KEY_PAGE_DOWN, KEY_PAGE_UP):
            self._page(+1 if key == KEY_PAGE_DOWN else -1)
        elif key == KEY_HOME:
            self._on_command(Do.HOME)
        elif key == KEY_ESCAPE:
            self._on_command(Do.BACK)
        else:
            return False
        return True

    def _page(self, direction: int) -> None:
        root = self._current_root()
        scrolls = [w for w in root.walk(restrict=True) if isinstance(w, KioskScroll)]
        if scrolls:
            scrolls[0].page(direction)


def enclosing(widget: Widget, kind: type[Widget] = KioskScroll) -> Widget | None:
    """The nearest ancestor of ``widget`` of this kind (a scroll area), or None."""
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, kind):
            return parent
        parent = parent.parent
    return None
