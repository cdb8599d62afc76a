"""Numbered targets: "show numbers" puts a large number on every button a person can act on.

Saying the number, dwelling on its button or scanning to it all do the same as touching the
button. Numbered list items keep their own numbers (document 2 on Home, section 7 on
Contents wears 7), so "seven" and "open seven" agree; the other buttons take the numbers
after the list, in reading order.
"""

from __future__ import annotations

from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, InstructionGroup, Line, Rectangle

from kiosk.ui.focus import actionable
from kiosk.ui.widgets import KioskButton, badge_room, badge_side

GROUP = "number-badge"


def item_number(button: KioskButton) -> int | None:
    """The number a list item already shows (a document on Home, a section on Contents)."""
    number = getattr(button, "item_number", None)
    return number if isinstance(number, int) and number > 0 else None


def numbered(buttons: list[KioskButton]) -> list[tuple[int, KioskButton]]:
    """(number, button) for every button: list items keep their numbers, the others follow
    the highest of them in reading order. Sorted by number."""
    taken = {}
    for button in buttons:
        number = item_number(button)
        if number is not None and number not in taken:
            taken[number] = button
    after = max(taken, default=0)
    result = list(taken.items())
    for button in buttons:
        if button not in taken.values():
            after += 1
            result.append((after, button))
    return sorted(result, key=lambda pair: pair[0])


class NumberBadges:
    """Draws the numbers while ``app.numbers_shown`` and presses a button by its number."""

    def __init__(self, app) -> None:
        self.app = app
        self.targets: list[tuple[int, KioskButton]] = []
        """The numbered buttons now on screen (empty while numbers are hidden)."""
        self._drawn: dict[KioskButton, tuple] = {}
        self._textures: dict[tuple[str, int], object] = {}
        app.bind(numbers_shown=lambda *_a: self.update(), theme=lambda *_a: self._redraw_all(),
                 button_px=lambda *_a: self._redraw_all(),
                 typeface=lambda *_a: self._redraw_all())

    @property
    def count(self) -> int:
        """How many numbers are shown (0 while hidden)."""
        return len(self.targets)

    def update(self) -> None:
        """Number the buttons on screen now; draw, move or remove badges as needed."""
        app = self.app
        targets = numbered(actionable(app.root)) if app.numbers_shown and app.root else []
        changed = [n for n, _b in targets] != [n for n, _b in self.targets] or any(
            a is not b for (_n, a), (_m, b) in zip(targets, self.targets, strict=False))
        self.targets = targets
        wanted = {button: number for number, button in targets}
        for button in list(self._drawn):
            if button not in wanted:
                self._remove(button)
        for button, number in wanted.items():
            key = (number, tuple(button.pos), tuple(button.size))
            if self._drawn.get(button) != key:
                self._draw(button, number, key)
        if changed and app.voice is not None:
            app.voice.targets_changed()

    def press(self, number: int) -> KioskButton | None:
        """Act on the button wearing ``number``, as a touch would; None if there is none."""
        self.update()
        for shown, button in self.targets:
            if shown == number:
                button.dispatch("on_press")
                button.dispatch("on_release")
                return button
        return None

    # -- drawing -------------------------------------------------------------------------

    def _redraw_all(self) -> None:
        self._textures.clear()
        for button in list(self._drawn):
            self._remove(button)
        self.update()

    def _remove(self, button: KioskButton) -> None:
        button.canvas.after.remove_group(GROUP)
        if hasattr(button, "badge_room"):
            button.badge_room = 0
        self._drawn.pop(button, None)

    def _texture(self, text: str, size: int):
        key = (text, size)
        if key not in self._textures:
            label = CoreLabel(text=text, font_size=size, bold=True)
            label.refresh()
            self._textures[key] = label.texture
        return self._textures[key]

    def _draw(self, button: KioskButton, number: int, key: tuple) -> None:
        """A square badge in the button's left edge: the theme's notice colours (7:1 or
        more), outlined in the text colour so it stands out on any button face."""
        button.canvas.after.remove_group(GROUP)
        theme = self.app.theme
        size = badge_side(self.app.button_px, button.height)
        texture = self._texture(str(number), round(size * 0.62))
        x, y = button.x + 8, button.center_y - size / 2
        group = InstructionGroup(group=GROUP)
        group.add(Color(rgba=theme.notice, group=GROUP))
        group.add(Rectangle(pos=(x, y), size=(size, size), group=GROUP))
        group.add(Color(rgba=theme.notice_text, group=GROUP))
        group.add(Line(rectangle=(x, y, size, size), width=2, group=GROUP))
        tw, th = texture.size
        group.add(Rectangle(texture=texture, pos=(x + (size - tw) / 2, y + (size - th) / 2),
                            size=(tw, th), group=GROUP))
        button.canvas.after.add(group)
        if hasattr(button, "badge_room"):
            button.badge_room = badge_room(size)
        self._drawn[button] = key
