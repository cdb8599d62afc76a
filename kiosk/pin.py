"""The staff PIN of a public kiosk (no Kivy here).

In kiosk mode the staff corner opens the admin screen (Exit, Reload content, microphone)
after a PIN. A kiosk must never run with a PIN a visitor could guess:
:meth:`StaffPin.problem` says what is wrong with the configured one (none, the old default,
not 4 to 8 digits, or a trivial one such as 1111, 1234 or 2580), in the same words on the
screen, aloud, in ``kiosk check`` and in ``kiosk doctor``. ``kiosk service install`` asks
for a PIN and stores only a salted hash of it (``admin_pin_hash``, :func:`hash_pin`); a
plain ``admin_pin`` still works.
No digit of any PIN is ever logged or shown.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

OLD_DEFAULT = "2580"
"""The PIN every kiosk had before a staff PIN was required: never accepted."""
MIN_DIGITS, MAX_DIGITS = 4, 8
ITERATIONS = 200_000
"""PBKDF2-SHA256 rounds: about 40 ms to check one PIN here, so trying all 10,000 4-digit
PINs against a copied configuration file's hash takes minutes, not a moment (the PIN pad's
lockout guards the kiosk itself)."""
SCHEME = "pbkdf2_sha256"
_HASH = re.compile(rf"^{SCHEME}\$(\d+)\$([0-9a-f]{{32}})\$([0-9a-f]{{64}})$")
KEYPAD_LINES = ("2580",)
"""Straight lines of four keys on a phone keypad (the column down the middle), either way;
rows and the other columns are three keys, and runs like 123 are straight runs anyway."""
HASH_IT = ("admin_pin keeps the staff PIN as plain digits in the configuration file; "
           "`kiosk service install --pin` stores it as a salted hash (admin_pin_hash) "
           "instead.")
HOW_TO_SET = ("Staff: run `kiosk service install` (it asks for a PIN and stores it hashed), "
              "or set admin_pin in the configuration, then restart the kiosk.")


def trivial(pin: str) -> str:
    """Why ``pin`` (digits) is too easy to guess, or "" when it is not."""
    if pin == OLD_DEFAULT:
        return "it is the old default PIN"
    if len(set(pin)) == 1:
        return "it is one digit repeated"
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    if steps in ({1}, {9}):
        return "its digits run in a straight line (like 1234 or 9876)"
    if any(pin in line or pin in line[::-1] for line in KEYPAD_LINES):
        return "it is a straight line on the keypad (like 2580)"
    if len(set(pin)) == 2 and pin == (pin[:2] * MAX_DIGITS)[:len(pin)]:
        return "it is two digits repeated (like 1212)"
    return ""


def shape_problem(pin: str) -> str:
    """Why ``pin`` is not a PIN at all (4 to 8 digits), or ""."""
    if not (pin.isdigit() and pin.isascii() and MIN_DIGITS <= len(pin) <= MAX_DIGITS):
        return f"a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits"
    return ""


def refused(pin: str) -> str:
    """Why ``pin`` cannot be a staff PIN, or "" when it can."""
    return shape_problem(pin) or trivial(pin)


def hash_pin(pin: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """The PIN as ``pbkdf2_sha256$ROUNDS$SALT$HASH`` (a new random salt unless given)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return f"{SCHEME}${iterations}${salt.hex()}${digest.hex()}"


def hash_problem(value: str) -> str:
    """Why ``value`` is not a hash :func:`hash_pin` makes, or ""."""
    if not _HASH.match(value):
        return (f"'admin_pin_hash' must be what `kiosk service install` writes "
                f"({SCHEME}$ROUNDS$SALT$HASH)")
    return ""


def matches(entered: str, stored_hash: str) -> bool:
    """The digits entered are the PIN of ``stored_hash`` (in constant time)."""
    found = _HASH.match(stored_hash)
    if found is None or not entered:
        return False
    rounds, salt, digest = int(found[1]), bytes.fromhex(found[2]), found[3]
    tried = hashlib.pbkdf2_hmac("sha256", entered.encode(), salt, rounds).hex()
    return hmac.compare_digest(tried, digest)


class StaffPin:
    """The configured staff PIN: whether it may open the admin screen, and checking one."""

    def __init__(self, plain: str = "", hashed: str = "") -> None:
        self.plain = plain
        self.hashed = hashed

    @classmethod
    def of(cls, settings) -> StaffPin:
        return cls(settings.admin_pin, settings.admin_pin_hash)

    def problem(self) -> str:
        """Why this PIN must not open the admin screen of a public kiosk, with what to do,
        in words for the screen, the voice, ``kiosk check`` and ``kiosk doctor``; "" when it
        may."""
        if self.hashed:
            return "" if not hash_problem(self.hashed) else (
                f"No staff PIN is set: {hash_problem(self.hashed)}. {HOW_TO_SET}")
        if not self.plain:
            return f"No staff PIN is set, so the admin screen stays locked. {HOW_TO_SET}"
        why = refused(self.plain)
        if why:
            return (f"The staff PIN is refused ({why}), so the admin screen stays locked. "
                    f"{HOW_TO_SET}")
        return ""

    def check(self, entered: str) -> bool:
        """``entered`` is the staff PIN (never true while :meth:`problem` says why not)."""
        if self.problem():
            return False
        if self.hashed:
            return matches(entered, self.hashed)
        return hmac.compare_digest(entered.encode(), self.plain.encode())
