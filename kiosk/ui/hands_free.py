"""Hands-free input in the window: pointer dwell and switch scanning.

The rules live in ``kiosk/access.py`` (no Kivy). Here they meet the window:

- Dwell follows ``Window.mouse_pos``, so a mouse, a head mouse or an eye tracker that moves
  the pointer all work. The KioskButton under the pointer (on the screen or in the bars
  around it; scrolled-out, hidden and disabled buttons do not count) shows a ring filling
  round it, and is pressed when the dwell completes, as a touch would press it. When the
  kiosk starts, after a selection, a touch or a new screen, the pointer must move before a
  dwell starts, so a button that appears under a resting pointer is never chosen by itself
  (``PointerDwell`` in ``access.py``).
- Scanning (``app.scanning`` one_switch or two_switch) moves the keyboard focus ring through
  the same buttons as Tab, in reading order, and says each button's label. Switch keys
  (``settings.switch_keys``) and the large on-screen switch along the bottom press it. After
  a selection or a screen change it starts again at the first button.

``now`` is replaceable: tests set a fake clock and call ``tick()`` themselves.
"""

from __future__ import annotations

import time
from pathlib import Path

from kivy.core.window import Window
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import NumericProperty, ObjectProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.access import MOVE_TO_WAKE_PX, DwellTracker, Point, PointerDwell, Scanner
from kiosk.keys import key_codes, switch_number
from kiosk.speech.narrator import State
from kiosk.ui import theme as sizes
from kiosk.ui.focus import actionable, visible_rect
from kiosk.ui.widgets import KioskButton

KV_FILE = Path(__file__).parent / "kv" / "access.kv"
ANNOUNCE_AFTER_SECONDS = 0.4
"""After a selection or a new screen, the first label waits this long, so speech the action
started (Read aloud, a sample, spoken help) begins first and is not talked over."""
LABEL_WAIT_SECONDS = 8.0
"""The highlight waits for its label to be spoken, but never longer than this past its pace
(speech that never ends must not stop scanning)."""


class SwitchArea(ButtonBehavior, Label):
    """A large on-screen switch: pressing it does what switch ``which`` does."""

    which = NumericProperty(0)
    hands_free = ObjectProperty(None, allownone=True)

    def on_press(self) -> None:
        if self.hands_free is not None:
            self.hands_free.switch(int(self.which))


class SwitchBar(BoxLayout):
    """The strip holding the on-screen switch (two while two-switch scanning)."""

    hands_free = ObjectProperty(None, allownone=True)

    def on_hands_free(self, _bar, hands_free) -> None:
        for area in (self.ids.first, self.ids.second):
            area.hands_free = hands_free


class HandsFree:
    """Dwell and switch scanning for one app. Created in ``KioskApp.build``; ``app.hands_free``."""

    def __init__(self, app) -> None:
        self.app = app
        self.now = time.monotonic
        """The clock (seconds); tests replace it with a fake and call ``tick()``."""
        self.pointer = PointerDwell(DwellTracker(app.dwell_seconds), MOVE_TO_WAKE_PX)
        """Dwell, and whether the pointer has moved since it last had to."""
        self.dwell = self.pointer.tracker
        self.scanner = Scanner(app.scan_seconds, app.scanning)
        if str(KV_FILE) not in Builder.files:
            Builder.load_file(str(KV_FILE))
        self.switch_bar: SwitchBar = Factory.SwitchBar()
        """The on-screen switch; the app puts it along the bottom of the window."""
        self.switch_bar.hands_free = self
        self.highlight: KioskButton | None = None
        """The button the scanning highlight is on (it wears the focus ring)."""
        self.labels_said: list[str] = []
        """The labels scanning has said, latest last (the last few; for tests and logs)."""
        self._ringed: set[KioskButton] = set()
        self._pointer_seen = False
        """The window has reported where the pointer is (until then its position is 0, 0)."""
        self._screen: object = None
        self._restart_scan = True
        self._announce: KioskButton | None = None
        self._announce_at = 0.0
        self._label_key: object = None
        self._moved_at = 0.0
        self._keys_down: set[int] = set()
        Window.bind(on_touch_down=self._on_touch_down, on_key_up=self._on_key_up,
                    mouse_pos=self._on_mouse_pos, size=lambda *_args: self.await_pointer())
        self.await_pointer()
        app.bind(scanning=self._on_scanning, dwell_on=self._on_dwell_on)

    # -- the clock -----------------------------------------------------------------------

    def tick(self) -> None:
        """Sample the pointer and advance the dwell and the scan to ``now()``."""
        app = self.app
        if app.manager is None or app.root is None:
            return
        now = self.now()
        screen = (app.manager.current, id(self._root()))
        if screen != self._screen:  # a new screen (or a kiosk-mode panel) came up
            self._screen = screen
            self._hold_pointer()
            self._restart_scan = True
        self._tick_dwell(now)
        self._tick_scan(now)

    # -- dwell ---------------------------------------------------------------------------

    def button_at(self, pos: tuple[float, float]) -> KioskButton | None:
        """The usable KioskButton a person sees at window position ``pos``, or None."""
        x, y = pos
        for button in actionable(self._root()):
            rect = visible_rect(button)
            if rect is not None and rect[0] <= x < rect[2] and rect[1] <= y < rect[3]:
                return button
        return None

    def _tick_dwell(self, now: float) -> None:
        self.dwell.seconds = self.app.dwell_seconds
        pointer = self._pointer_at() if self.app.dwell_on else None
        selected = self.pointer.update(pointer, self.button_at, now,
                                       sizes.scale_for(*Window.size))
        self._draw_rings(now)
        if selected is not None:
            self.select(selected, now)

    def _draw_rings(self, now: float) -> None:
        shown = self.dwell.shown(now) if self.app.dwell_on else {}
        for button in self._ringed - set(shown):
            button.dwell_progress = 0.0
        for button, progress in shown.items():
            button.dwell_progress = progress
        self._ringed = set(shown)

    def _pointer_at(self) -> Point | None:
        """Where the pointer is in the window, or None before the window has said."""
        return tuple(Window.mouse_pos) if self._pointer_seen else None

    def _on_mouse_pos(self, _window, _pos) -> None:
        self._pointer_seen = True

    def _hold_pointer(self) -> None:
        """No dwell until the pointer moves from where it is now."""
        self.pointer.hold(self._pointer_at())

    def await_pointer(self) -> None:
        """No dwell until the window says where the pointer is and it moves from there: when
        the kiosk starts (the window opens under a resting pointer) and when the window
        changes size (positions in it shift while the pointer stays still)."""
        self._pointer_seen = False
        self.pointer.hold(None)

    def _on_touch_down(self, _window, touch) -> None:
        """A touch (or click) chooses by itself: nothing under the pointer is then chosen by
        resting on it, until the pointer moves."""
        under = self.button_at(tuple(Window.mouse_pos)) if self.app.root is not None else None
        if under is not None:
            self.dwell.block(under)
        self._hold_pointer()

    def _on_dwell_on(self, _app, on: bool) -> None:
        if not on:
            self.dwell.reset()
            self._draw_rings(self.now())

    # -- scanning ------------------------------------------------------------------------

    def switch(self, which: int = 0) -> bool:
        """A switch press (a switch key or the on-screen switch): select the highlighted
        button, or with two switches, switch 0 moves the highlight on. False when scanning
        is off."""
        if self.app.scanning == "off" or self.app.manager is None:
            return False
        now = self.now()
        self.scanner.mode = self.app.scanning
        if self._sync_targets(now):
            return True  # the screen had just changed: this press only starts the scan
        selected = self.scanner.switch(now, which)
        if selected is None:
            self._show_highlight(now)
        else:
            self.select(selected, now)
        return True

    def on_key(self, key: int) -> bool:
        """A key went down (before the focus ring sees it); True when it was a switch."""
        if self.app.scanning == "off":
            return False
        which = switch_number(key, self.app.settings.switch_keys)
        if which is None:
            return False
        if key not in self._keys_down:  # a held switch repeats: it counts once
            self._keys_down.add(key)
            self.switch(which)
        return True

    def _on_key_up(self, _window, key, *_args) -> None:
        self._keys_down.discard(key)

    def _tick_scan(self, now: float) -> None:
        mode = self.app.scanning
        if mode == "off":
            if self.highlight is not None or self.scanner.targets:
                self._stop_scan()
            return
        self.scanner.mode, self.scanner.pace = mode, self.app.scan_seconds
        if not self._sync_targets(now):
            if self.scanner.tick(now, ready=not self._label_pending(now)) is not None \
                    or self.scanner.current is not self.highlight:
                self._show_highlight(now)
        if self._announce is not None and now + 1e-6 >= self._announce_at:
            self._say(self._announce)

    def _sync_targets(self, now: float) -> bool:
        """Give the scanner the buttons on screen; True when it started again."""
        targets = self.app.focus_ring.targets()
        restarted = self.scanner.set_targets(targets, now)
        if self._restart_scan and not restarted:
            self.scanner.restart(now)
            restarted = True
        self._restart_scan = False
        if restarted:
            self._show_highlight(now, after=ANNOUNCE_AFTER_SECONDS)
        return restarted

    def _show_highlight(self, now: float, after: float = 0.0) -> None:
        """Put the focus ring on the scanner's target (scrolled into view) and say it."""
        button = self.scanner.current
        ring = self.app.focus_ring
        if button is None:
            if ring.focused is self.highlight:
                ring.clear()
        else:
            ring.focus(button)
        self.highlight = button
        self._moved_at = now
        self._announce = button
        self._announce_at = max(now + after, self._announce_at)

    def _stop_scan(self) -> None:
        if self.highlight is not None and self.app.focus_ring.focused is self.highlight:
            self.app.focus_ring.clear()
        self.highlight = None
        self._announce = None
        self.scanner.clear()
        self._restart_scan = True

    def _say(self, button: KioskButton) -> None:
        """Say a button's label, unless other speech (a document being read, paused or
        waiting; spoken help) would be cut off by it."""
        self._announce = None
        reading = self.app.reading
        if reading is None or button is not self.highlight:
            return
        status = reading.narrator.status()
        ours = self._label_key is not None and status.key == self._label_key
        if status.state is not State.IDLE and not ours:
            return
        label = button.label_for_speech()
        if hasattr(reading, "announce"):  # keeps the Reader's section as it is
            self._label_key = reading.announce(label)
        else:
            reading.say_text(label)
            self._label_key = reading.key
        self.labels_said = [*self.labels_said[-19:], label]

    def _label_pending(self, now: float) -> bool:
        """The highlight should wait: its label is still to be said, or being said (but
        not for ever)."""
        if now - self._moved_at > self.scanner.pace + LABEL_WAIT_SECONDS:
            return False
        return self._announce is not None or self.speaking_label()

    def speaking_label(self) -> bool:
        """True while a label scanning asked for is being said."""
        reading = self.app.reading
        if reading is None or self._label_key is None:
            return False
        status = reading.narrator.status()
        return status.key == self._label_key and status.state is State.READING

    def _on_scanning(self, _app, mode: str) -> None:
        if mode == "off":
            self._stop_scan()
        else:
            self._restart_scan = True

    # -- both ----------------------------------------------------------------------------

    def select(self, button: KioskButton, now: float | None = None) -> None:
        """Press ``button`` as a touch would; scanning then starts again at the first."""
        now = self.now() if now is None else now
        button.dispatch("on_press")
        button.dispatch("on_release")
        self._restart_scan = True
        if self.app.scanning != "off" and self.app.manager is not None:
            self._announce = None
            self._announce_at = now + ANNOUNCE_AFTER_SECONDS

    def reset(self) -> None:
        """For the next visitor: no dwell, no scan highlight, the real clock."""
        self.now = time.monotonic
        self.pointer.reset(self._pointer_at())
        self._draw_rings(self.now())
        self._stop_scan()
        self._keys_down.clear()
        self._label_key = None
        self._announce_at = 0.0
        self.labels_said = []

    def close(self) -> None:
        """Nothing to stop: the app's tick calls :meth:`tick`."""

    def _root(self):
        """Where dwell looks for buttons: a kiosk-mode panel when one is shown (it covers
        the screen), else the whole window's content (the screen and the bars around it)."""
        kiosk = self.app.kiosk
        panel = kiosk.focus_root() if kiosk is not None else None
        return panel if panel is not None else self.app.root


__all__ = ["HandsFree", "SwitchArea", "SwitchBar", "key_codes", "visible_rect"]
