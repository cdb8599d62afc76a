"""Kiosk mode in the window: the idle notice and reset, the attract screen, the hidden admin
gesture, the PIN pad and the admin screen, and the lockdown (close and Alt+F4 ignored).

The logic lives in ``kiosk/idle.py`` (no Kivy). Here a full-window layer is added to the
Window above the app's root, so it covers the screens, the notice bar and the voice bar.
While nothing of it is shown it lets every touch through; while the notice or the attract
screen is shown a touch only answers it; while the PIN pad or the admin screen is shown it
is modal. Idle time counts from real input: touches (this layer sees each one first), keys
(``KioskApp._on_key_down`` asks ``on_key`` first), pointer movement (``Window.mouse_pos``)
and voice commands (``VoiceController._act`` calls ``voice_activity``).

``now`` is replaceable: tests set a fake clock and call ``tick()`` themselves.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import replace
from pathlib import Path

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label

from kiosk.commands import Do
from kiosk.idle import (
    ADMIN_CORNER_PX,
    Change,
    CornerHold,
    IdleWatcher,
    Phase,
    PinEntry,
    PinResult,
    countdown_words,
)
from kiosk.keys import (
    KEY_BACKSPACE,
    KEY_DOWN,
    KEY_ENTER,
    KEY_ESCAPE,
    KEY_F4,
    KEY_LEFT,
    KEY_NUMPAD_ENTER,
    KEY_RIGHT,
    KEY_SPACE,
    KEY_TAB,
    KEY_UP,
)
from kiosk.pin import StaffPin
from kiosk.speech.narrator import State
from kiosk.ui import theme as sizes

log = logging.getLogger(__name__)

KV_FILE = Path(__file__).parent / "kv" / "kiosk_mode.kv"
FADE_SECONDS = 2.5
"""The attract screen fades in this slowly (the only motion in kiosk mode)."""
POINTER_MOVE_PX = 12
"""Pointer movement smaller than this (a jittery eye tracker at rest) is not activity."""
FOCUS_KEYS = {KEY_TAB, KEY_ENTER, KEY_SPACE, KEY_NUMPAD_ENTER, KEY_UP, KEY_DOWN, KEY_RIGHT,
              KEY_LEFT}
"""Tab, Enter, Space, arrows: they move and press the focus ring on the PIN pad and the
admin screen; other keys are kept from the screen underneath."""

NOTICE_SPOKEN = "Are you still there? Say yes, or touch the screen, within {seconds} seconds."
ATTRACT_SPOKEN = "Touch the screen or say a command to begin."
PIN_PROMPT = "Enter the PIN, then choose OK."
WRONG_PIN = "That PIN is not right. Try again, or choose Cancel."
EMPTY_PIN = "Enter the PIN first, then choose OK."
LOCKED_PIN = "Too many wrong PINs. Wait {seconds} seconds, then try again."
TEST_AUDIO = "This is a test of the kiosk's sound. If you can hear this, reading aloud works."


def input_devices() -> list[str]:
    """Names of the microphones PortAudio can see (empty when none or no PortAudio)."""
    try:
        import sounddevice

        devices = sounddevice.query_devices()
    except Exception as error:  # noqa: BLE001 - no PortAudio, no devices: say none
        log.info("cannot list microphones: %s", error)
        return []
    names = []
    for device in devices:
        name = str(device.get("name", "")).strip()
        if device.get("max_input_channels", 0) > 0 and name and name not in names:
            names.append(name)
    return names


class KioskLayer(FloatLayout):
    """The full-window layer above the app: which part is shown and what it says."""

    kiosk = ObjectProperty(None)
    shown = StringProperty("")
    """The part shown: asking, attract, pin, admin, or "" (none: touches pass through)."""
    countdown = StringProperty("")
    """Under the notice: "Starting again for the next person in 20 seconds."."""
    attract_opacity = NumericProperty(0.0)
    """The attract screen fades in from 0 to 1 over FADE_SECONDS."""
    pin_dots = StringProperty("")
    """One dot per digit typed; the digits are never shown."""
    pin_message = StringProperty(PIN_PROMPT)
    admin_status = StringProperty("")
    """What the last admin action did, in words."""

    def on_touch_down(self, touch) -> bool:
        return self.kiosk.touch_down(touch)

    def on_touch_move(self, touch) -> bool:
        return self.kiosk.touch_move(touch)

    def on_touch_up(self, touch) -> bool:
        return self.kiosk.touch_up(touch)


class KioskMode:
    """Kiosk mode for one app. Created in ``KioskApp.build``; ``app.kiosk``."""

    def __init__(self, app) -> None:
        self.app = app
        self.now = time.monotonic
        """The clock (seconds); tests replace it with a fake and call ``tick()``."""
        settings = app.settings
        self.watcher = IdleWatcher(0, settings.idle_notice_seconds, self.now())
        self.hold = CornerHold()
        self.pin = PinEntry(StaffPin.of(settings).check)
        self.panel = ""
        """The open panel: "pin" (the PIN pad), "admin" (the admin screen) or "" (none)."""
        self.exiting = False
        """True once the admin chose Exit: the window may close."""
        self.resets = 0
        """How many times the kiosk reset itself for the next person."""
        self._own_speech = None
        self._pointer: tuple[float, float] | None = None
        self._heard_while_asking = False
        if str(KV_FILE) not in Builder.files:
            Builder.load_file(str(KV_FILE))
        self.layer = KioskLayer(kiosk=self)
        self.parts = {"asking": Factory.IdleNotice(), "attract": Factory.AttractScreen(),
                      "pin": Factory.PinPad(), "admin": Factory.AdminPanel()}
        """The layer's parts by name; the layer holds only the one shown."""
        parts, layer = self.parts, self.layer
        layer.bind(countdown=parts["asking"].setter("countdown"),
                   attract_opacity=parts["attract"].setter("opacity"),
                   pin_dots=parts["pin"].setter("dots"),
                   pin_message=parts["pin"].setter("message"),
                   admin_status=parts["admin"].setter("status"))
        parts["pin"].message = layer.pin_message
        Window.bind(on_request_close=self._on_request_close, mouse_pos=self._on_mouse_pos)
        app.bind(on_start=self._add_layer, typeface=self._redraw_later)

    # -- state -------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        """Idle reset runs in kiosk mode with a non-zero idle time."""
        settings = self.app.settings
        return bool(settings.kiosk_mode and settings.idle_seconds > 0)

    @property
    def phase(self) -> Phase:
        return self.watcher.phase

    def focus_root(self):
        """The part of the layer that is shown (the focus ring, dwell and scanning work on
        it instead of the screen underneath), or None."""
        shown = self.layer.shown
        return self.parts[shown] if shown else None

    def restart(self) -> None:
        """Nothing shown, the idle time counting from now on the real clock (Pilot.reset)."""
        self.now = time.monotonic
        self.watcher.restart(self.now())
        self.hold.cancel()
        self.pin = PinEntry(StaffPin.of(self.app.settings).check)
        self.panel = ""
        self.exiting = False
        self.resets = 0
        self._own_speech = None
        self._heard_while_asking = False
        self.layer.pin_dots = ""
        self.layer.pin_message = PIN_PROMPT
        self.layer.admin_status = ""
        self._update(self.now())

    def close(self) -> None:
        """Nothing to stop: the app's tick calls :meth:`tick`."""

    # -- time ------------------------------------------------------------------------------

    def tick(self) -> Change | None:
        """Advance the idle watcher, the admin hold, the countdown and the fade to now."""
        now = self.now()
        settings = self.app.settings
        self.watcher.configure(settings.idle_seconds if self.enabled else 0,
                               settings.idle_notice_seconds)
        change = self.watcher.tick(now, self._visitor_reading())
        if change is not None:
            self._carry_out(change)
        if self.hold.due(now):
            self.open_pin_pad()
        self._update(now)
        return change

    def _visitor_reading(self) -> bool:
        """The kiosk reads a document's section aloud (not paused). Short texts it says
        (this notice, spoken help, a voice sample, scanning's button labels) do not count:
        switch scanning says a label every few seconds even with nobody there."""
        reading = self.app.reading
        if reading is None:
            return False
        status = reading.narrator.status()
        key = reading.key
        return (status.state is State.READING and status.key == key
                and isinstance(key, tuple) and key[0] not in ("sample", "announcement"))

    # -- input ---------------------------------------------------------------------------

    def activity(self) -> Change | None:
        """Someone did something: touch, key, pointer, voice, or "Yes, I am still here"."""
        change = self.watcher.activity(self.now())
        if change is not None:
            self._carry_out(change)
            self._update(self.now())
        return change

    def voice_activity(self) -> bool:
        """A voice command was heard (called before it is carried out); False when it must
        not be carried out (the PIN pad or the admin screen is open)."""
        self._heard_while_asking = self.watcher.phase is Phase.ASKING
        self.activity()
        return not self.panel

    def answer(self, reply: Do) -> str | None:
        """An answer to the notice (Do.YES or Do.NO): yes carries on, no resets at once.
        Returns what was done, for the caption; None when nothing was being asked."""
        asking = self._heard_while_asking or self.watcher.phase is Phase.ASKING
        self._heard_while_asking = False
        if not asking:
            return None
        if reply == Do.YES:
            self.activity()
            return "Carrying on"
        self._carry_out(self.watcher.reset(self.now()))
        self._update(self.now())
        return "Starting again for the next person"

    def on_key(self, key: int, codepoint: str | None, modifiers: list[str]) -> bool:
        """A key was pressed (before the app handles it); True when it was used here."""
        if key == KEY_F4 and "alt" in modifiers and self.app.settings.kiosk_mode:
            return True  # Alt+F4 never closes the kiosk
        if self.activity() is not None:
            return True  # the key answered the notice or woke the attract screen
        if not self.panel:
            return False
        if key == KEY_ESCAPE:
            self.close_panel()
        elif self.panel == "pin" and codepoint and codepoint.isdigit():
            self.pin_digit(codepoint)
        elif self.panel == "pin" and key == KEY_BACKSPACE:
            self.pin_delete()
        elif (self.panel == "pin" and key in (KEY_ENTER, KEY_NUMPAD_ENTER)
              and self.app.focus_ring.focused is None):
            self.pin_ok()
        elif key in FOCUS_KEYS:
            return False  # the focus ring moves over the panel's buttons
        return True

    def touch_down(self, touch) -> bool:
        now = self.now()
        change = self.activity()
        if self.panel not in ("pin", "admin"):
            scale = sizes.scale_for(*Window.size)
            self.hold.corner_px = ADMIN_CORNER_PX * scale
            self.hold.down(touch, touch.x, Window.height - touch.y, now)
        if change is not None:
            return True  # the touch answered the notice or woke the attract screen
        return self._to_panel("on_touch_down", touch)

    def touch_move(self, touch) -> bool:
        self.hold.move(touch, touch.x, Window.height - touch.y)
        if self.activity() is not None:
            return True
        return self._to_panel("on_touch_move", touch)

    def touch_up(self, touch) -> bool:
        self.hold.up(touch)
        return self._to_panel("on_touch_up", touch)

    def _to_panel(self, event: str, touch) -> bool:
        shown = self.layer.shown
        if shown in ("pin", "admin"):
            self.parts[shown].dispatch(event, touch)
        return bool(shown)

    def _on_mouse_pos(self, _window, pos) -> None:
        if self._pointer is not None and math.dist(self._pointer, pos) < POINTER_MOVE_PX:
            return
        first = self._pointer is None
        self._pointer = tuple(pos)
        if not first:
            self.activity()

    def _on_request_close(self, *_args, **_kwargs) -> bool:
        """The window's close button, Alt+F4 (through the window manager) or a quit
        request: ignored in kiosk mode unless the admin chose Exit."""
        return bool(self.app.settings.kiosk_mode and not self.exiting)

    # -- the idle cycle ----------------------------------------------------------------------

    def _carry_out(self, change: Change) -> None:
        if change is Change.ASK:
            self._say(NOTICE_SPOKEN.format(seconds=self.app.settings.idle_notice_seconds))
        elif change is Change.RESET:
            self.reset_for_next_person()
            self._say(ATTRACT_SPOKEN)
        else:  # CONTINUE or WAKE: stop the kiosk's own words, the person is here
            self._hush()

    def reset_for_next_person(self) -> None:
        """Nothing of the last visitor is left: speech stopped, Home, the clinic's settings,
        no notice, caption, heard commands, focus or scroll position."""
        app = self.app
        self.resets += 1
        self.panel = ""
        self.pin.clear()
        self.hold.cancel()
        app.apply_clinic_defaults()  # also stops speech, clears the caption and heard list
        app.navigator.reset()
        app.clear_notice()
        app.focus_ring.clear()
        if app.manager is not None:
            for screen in app.manager.screens:
                if "scroll" in screen.ids:
                    screen.ids.scroll.scroll_y = 1.0
        self.layer.admin_status = ""

    def _say(self, text: str) -> None:
        """Say a notice aloud. In the Reader it is said over the section (announce), so
        the section keeps its marks, its Read button and its place in the narrator."""
        if self.app.reading is not None:
            self._own_speech = self.app.reading.announce(text)

    def _hush(self) -> None:
        """Stop the kiosk's own notice or invitation if it is still being said (the
        person is here), and make sure Read aloud reads the section, not the notice."""
        reading = self.app.reading
        own, self._own_speech = self._own_speech, None
        if reading is None or own is None:
            return
        status = reading.narrator.status()
        if status.key == own and status.state is not State.IDLE:
            reading.stop()
        if reading.key == own:  # said as a sample: give the Reader its section back
            reading.view_changed(self.app.navigator.view)

    # -- the PIN pad and the admin screen -----------------------------------------------

    def open_pin_pad(self) -> None:
        """The staff corner was held: the PIN pad, unless no usable staff PIN is set (then
        the admin screen stays locked, and the corner says why and how to set one)."""
        staff = StaffPin.of(self.app.settings)
        problem = staff.problem()
        if problem:
            log.warning("admin: the staff corner was held; the admin screen stays locked, as "
                        "no usable staff PIN is set (kiosk check says why)")
            self.app.say_notice(problem, speak=True)
            return
        self.panel = "pin"
        self.pin.is_pin = staff.check
        self.pin.clear()
        self.layer.pin_dots = ""
        self.layer.pin_message = PIN_PROMPT
        self._update(self.now())
        self._say(f"Staff only. {PIN_PROMPT}")

    def pin_digit(self, digit: str) -> None:
        self.pin.press(digit)
        self.layer.pin_dots = self.pin.shown()

    def pin_delete(self) -> None:
        self.pin.delete()
        self.layer.pin_dots = self.pin.shown()

    def pin_ok(self) -> None:
        now = self.now()
        result = self.pin.check(now)
        self.layer.pin_dots = ""
        if result is PinResult.RIGHT:
            log.info("admin: the admin screen was opened")
            self.panel = "admin"
            self.layer.admin_status = "Choose what to do. Close goes back to the kiosk."
            self._update(now)
            self._say("Admin screen.")
            return
        if result is PinResult.EMPTY:
            message = EMPTY_PIN
        elif result is PinResult.WRONG and not self.pin.locked_for(now):
            log.warning("admin: a wrong PIN was entered (%d in a row)", self.pin.wrong)
            message = WRONG_PIN
        else:
            if result is PinResult.WRONG:
                log.warning("admin: a wrong PIN was entered (%d in a row); the PIN pad "
                            "refuses PINs for %g seconds", self.pin.tries,
                            self.pin.lock_seconds)
            message = LOCKED_PIN.format(seconds=math.ceil(self.pin.locked_for(now)))
        self.layer.pin_message = message
        self._say(message)

    def close_panel(self) -> None:
        """Cancel on the PIN pad, Close on the admin screen: back to the kiosk as it was."""
        self.panel = ""
        self.pin.clear()
        self.layer.pin_dots = ""
        self._hush()
        self._update(self.now())

    def reload_content(self) -> str:
        log.info("admin: reload content")
        self.app.reload_content()
        library = self.app.navigator.library
        count = len(library.documents)
        status = f"Content reloaded: {count} document{'s' if count != 1 else ''}."
        if library.errors:
            status += (f" {len(library.errors)} file(s) have problems; run kiosk check to see "
                       "them.")
        return self._admin_says(status)

    def test_audio(self) -> str:
        log.info("admin: test audio")
        reading = self.app.reading
        silent = reading.no_sound if reading is not None else "Speech is not available."
        self._say(TEST_AUDIO)
        status = "Playing a test sentence."
        if silent:
            status += f" {silent}"
        self.layer.admin_status = status
        return status

    def choose_microphone(self) -> str:
        """List the microphones; each press chooses the next one (until the kiosk
        restarts: the configuration's ``microphone`` key keeps a choice)."""
        names = input_devices()
        if not names:
            return self._admin_says("No microphone was found. Voice commands need one; "
                                    "touch, keys and switches still work.")
        current = self.app.settings.microphone
        index = names.index(current) if current in names else -1
        name = names[(index + 1) % len(names)]
        log.info("admin: microphone %d of %d chosen", names.index(name) + 1, len(names))
        self._use_microphone(name)
        listed = "; ".join(f"{n}{' (chosen)' if n == name else ''}" for n in names)
        self.layer.admin_status = (f"Microphone {names.index(name) + 1} of {len(names)}: "
                                   f"{name}. Microphones: {listed}. To keep it, set microphone "
                                   "in the configuration file.")
        self._say(f"Microphone {names.index(name) + 1} of {len(names)}: {name}.")
        return self.layer.admin_status

    def _use_microphone(self, name: str) -> None:
        from kiosk.ui.voice import VoiceController

        app = self.app
        app.settings = replace(app.settings, microphone=name)
        if app.voice is not None:
            app.voice.close()
        app.voice = VoiceController(app)

    def exit_kiosk(self) -> None:
        """The admin's Exit: the only way out of kiosk mode."""
        log.info("admin: exit")
        self.exiting = True
        self.app.stop()

    def _admin_says(self, status: str) -> str:
        self.layer.admin_status = status
        self._say(status)
        return status

    # -- display ---------------------------------------------------------------------------

    def _update(self, now: float) -> None:
        phase = self.watcher.phase
        shown = {Phase.ASKING: "asking", Phase.ATTRACT: "attract"}.get(phase, self.panel)
        layer = self.layer
        if shown != layer.shown:
            layer.shown = shown
            layer.clear_widgets()
            if shown:
                layer.add_widget(self.parts[shown])
            self.app.focus_ring.clear()
        if phase is Phase.ASKING:
            layer.countdown = countdown_words(self.watcher.seconds_left(now))
        layer.attract_opacity = (min(1.0, self.watcher.seconds_in_phase(now) / FADE_SECONDS)
                                 if phase is Phase.ATTRACT else 0.0)
        if self.panel == "pin" and self.pin.locked_for(now):
            layer.pin_message = LOCKED_PIN.format(seconds=math.ceil(self.pin.locked_for(now)))

    def _add_layer(self, *_args) -> None:
        if self.layer.parent is None:
            Window.add_widget(self.layer)

    def _redraw_later(self, *_args) -> None:
        """After the typeface changed, draw this layer's text in it too."""
        def redraw(_dt: float) -> None:
            for part in self.parts.values():
                for widget in part.walk(restrict=True):
                    if isinstance(widget, Label):
                        widget.texture_update()

        Clock.schedule_once(redraw, 0)
