"""Drive the real kiosk window as a person would: touches, key presses, screenshots."""

from __future__ import annotations

from pathlib import Path

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.graphics.opengl import GL_RGB, GL_UNSIGNED_BYTE, glReadPixels
from kivy.tests.common import UnitTestTouch

from kiosk.ui.focus import actionable, visible_rect, window_rect  # noqa: F401 - for tests
from kiosk.ui.widgets import KioskButton, strip_markup

KEYS = {
    "tab": 9, "enter": 13, "space": 32, "escape": 27, "up": 273, "down": 274, "right": 275,
    "left": 276, "home": 278, "pageup": 280, "pagedown": 281,
}


def pixel(x: float, y: float) -> tuple[int, int, int]:
    """The colour the window shows at (x, y), window coordinates from the bottom left."""
    return tuple(glReadPixels(int(x), int(y), 1, 1, GL_RGB, GL_UNSIGNED_BYTE)[:3])


def rgb(colour) -> tuple[int, int, int]:
    """A theme colour (floats 0-1) as the 0-255 values read back from the screen."""
    return tuple(round(c * 255) for c in colour[:3])


def close_to(a, b, tolerance: int) -> bool:
    """Two colours are the same within ``tolerance`` on every channel."""
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


class Pilot:
    """A person at the kiosk, for tests: sees the screen, touches buttons, presses keys."""

    def __init__(self, app, artifacts: Path) -> None:
        self.app = app
        self.artifacts = artifacts

    def reset(self, settings) -> None:
        """Clinic defaults, given settings, content reloaded, Home shown."""
        self.app.settings = settings
        self.app.apply_clinic_defaults()
        self.app.reload_content()
        self.app.navigator.reset()
        self.app.clear_notice()
        self.app.focus_ring.clear()
        self.app.kiosk.restart()  # real clock, idle time from now, nothing shown
        self.frames(3)

    def frames(self, count: int = 3) -> None:
        """Let the app run ``count`` frames (layout, drawing, scheduled callbacks)."""
        for _ in range(count):
            EventLoop.idle()

    @property
    def screen(self) -> str:
        return self.app.manager.current

    @property
    def view(self):
        return self.app.navigator.view

    def buttons(self) -> list[KioskButton]:
        """The actionable buttons on the current screen, in reading order."""
        return actionable(self.app.manager.current_screen)

    def labels(self) -> list[str]:
        return [strip_markup(b.text) for b in self.buttons()]

    def button(self, label: str) -> KioskButton:
        """The button whose visible text (or the label it speaks) starts with ``label``."""
        for button in self.buttons():
            if (strip_markup(button.text).startswith(label)
                    or button.label_for_speech().startswith(label)):
                return button
        raise AssertionError(f"no button '{label}' on {self.screen}; buttons: {self.labels()}")

    def tap(self, target: KioskButton | str) -> None:
        """Touch the centre of the visible part of a button (found by its label) and lift.
        On the Reader, a control that is behind "More" is reached as a person would: "More"
        first."""
        if isinstance(target, str) and self.screen == "reader" and not any(
                strip_markup(b.text).startswith(target) or b.label_for_speech().startswith(target)
                for b in self.buttons()):
            self.open_more()
        button = self.button(target) if isinstance(target, str) else target
        area = visible_rect(button)
        assert area is not None, f"'{strip_markup(button.text)}' is scrolled out of view"
        touch = UnitTestTouch((area[0] + area[2]) / 2, (area[1] + area[3]) / 2)
        touch.touch_down()
        self.frames(2)
        touch.touch_up()
        self.frames(3)

    def open_more(self) -> None:
        """On the Reader, press "More" (unless its panel is open) to show the other reading
        controls: Stop, Repeat, Slower, Faster, Quieter, Louder, Home."""
        if not getattr(self.app.manager.current_screen, "more_shown", True):
            self.tap("More")

    def tap_at(self, x: float, y: float) -> None:
        """Touch the window at (x, y), window coordinates from the bottom left, and lift,
        whatever is there (as a person pressing the same spot again would)."""
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.frames(2)
        touch.touch_up()
        self.frames(3)

    def tap_after_scrolling(self, label: str) -> None:
        """Press Scroll down until the button is fully in view, as a person would, then tap it."""
        button = self.button(label)
        for _ in range(20):
            area = visible_rect(button)
            if area is not None and area[3] - area[1] >= button.height - 1:
                break
            self.tap("Scroll down")
        self.tap(button)

    def key(self, name: str, *modifiers: str) -> None:
        """Press and release a key, as the keyboard would."""
        code = KEYS[name]
        Window.dispatch("on_key_down", code, 0, None, list(modifiers))
        Window.dispatch("on_key_up", code, 0)
        self.frames(3)

    def focused_label(self) -> str | None:
        button = self.app.focus_ring.focused
        return strip_markup(button.text) if button is not None else None

    def screenshot(self, name: str) -> Path:
        """Save what the window shows now as tests/artifacts/NAME.png."""
        self.frames(3)
        self.artifacts.mkdir(parents=True, exist_ok=True)
        path = self.artifacts / f"{name}.png"
        width, height = Window.size
        data = glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE)
        Window._win.save_bytes_in_png(str(path), data, width, height)
        return path
