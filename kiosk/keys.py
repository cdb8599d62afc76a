"""Keyboard key codes, in one place (no Kivy here): the codes Kivy reports for the keys
the kiosk answers to, and the names a clinic may give switch keys in the configuration."""

from __future__ import annotations

KEY_BACKSPACE, KEY_TAB, KEY_ENTER, KEY_ESCAPE, KEY_SPACE = 8, 9, 13, 27, 32
KEY_UP, KEY_DOWN, KEY_RIGHT, KEY_LEFT = 273, 274, 275, 276
KEY_HOME, KEY_PAGE_UP, KEY_PAGE_DOWN = 278, 280, 281
KEY_NUMPAD_ENTER, KEY_F4 = 271, 285

_NAMED_KEYS: dict[str, tuple[int, ...]] = {
    "space": (KEY_SPACE,), "enter": (KEY_ENTER, KEY_NUMPAD_ENTER),
    "return": (KEY_ENTER, KEY_NUMPAD_ENTER), "tab": (KEY_TAB,), "backspace": (KEY_BACKSPACE,),
    "up": (KEY_UP,), "down": (KEY_DOWN,), "right": (KEY_RIGHT,), "left": (KEY_LEFT,),
    "insert": (277,), "home": (KEY_HOME,), "end": (279,), "pageup": (KEY_PAGE_UP,),
    "pagedown": (KEY_PAGE_DOWN,), "numpadenter": (KEY_NUMPAD_ENTER,),
    **{f"f{n}": (281 + n,) for n in range(1, 13)},
    **{f"numpad{n}": (256 + n,) for n in range(10)},
}


def key_codes(name: str) -> tuple[int, ...]:
    """Kivy key codes for a switch key name from the configuration ("space", "enter", "f5",
    "a", "1"); empty when the name is not known."""
    name = name.strip().lower()
    if name in _NAMED_KEYS:
        return _NAMED_KEYS[name]
    if len(name) == 1 and name.isprintable():
        return (ord(name),)
    return ()


def switch_number(key: int, names: tuple[str, ...] | list[str]) -> int | None:
    """Which switch ``key`` is: 0 for the first configured key, 1 for any other (the
    "select" switch in two-switch scanning); None when it is not a switch key."""
    for position, name in enumerate(names):
        if key in key_codes(name):
            return 0 if position == 0 else 1
    return None
