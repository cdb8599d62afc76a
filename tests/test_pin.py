"""The staff PIN (issue 19): easy PINs refused, the hash, the configuration, `kiosk check`
and `kiosk service install`'s PIN step, without a window."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kiosk.__main__ import main
from kiosk.config import Settings, load_settings, write_setting
from kiosk.pin import StaffPin, hash_pin, matches, refused, trivial
from kiosk.service import staff_pin

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("pin", ["2580", "0852", "1111", "00000000", "1234", "4321", "7890",
                                 "8901", "12345678", "98765432", "1212", "373737"])
def test_easy_pins_are_refused(pin):
    assert trivial(pin) and refused(pin)
    assert StaffPin(pin).problem().startswith("The staff PIN is refused")
    assert not StaffPin(pin).check(pin), "a refused PIN opened the admin screen"


@pytest.mark.parametrize("pin", ["4817", "97531", "20461938", "1357"])
def test_other_pins_are_accepted(pin):
    assert refused(pin) == ""
    staff = StaffPin(pin)
    assert staff.problem() == "" and staff.check(pin) and not staff.check(pin[::-1])


@pytest.mark.parametrize("pin", ["", "12", "48a7", "123456789", "\u0664\u0668\u0661\u0667"])
def test_what_is_not_4_to_8_digits_is_no_pin(pin):
    assert "4 to 8 digits" in refused(pin)


def test_the_hash_is_salted_and_only_the_pin_matches_it():
    first, second = hash_pin("4817"), hash_pin("4817")
    assert first != second, "the same PIN must not give the same hash"
    assert matches("4817", first) and matches("4817", second)
    assert not matches("4818", first) and not matches("", first)
    assert not matches("4817", first.replace("pbkdf2", "md5"))
    staff = StaffPin("", first)
    assert staff.problem() == "" and staff.check("4817") and not staff.check("1234")
    assert StaffPin("97531", first).check("4817"), "the hash is used when both are set"


def test_no_pin_an_invalid_one_or_a_broken_hash_locks_the_admin_screen(tmp_path):
    assert Settings().admin_pin == "" and Settings().admin_pin_hash == ""
    assert "No staff PIN is set" in StaffPin.of(Settings()).problem()
    assert "kiosk service install" in StaffPin.of(Settings()).problem()
    config = tmp_path / "kiosk.yaml"
    config.write_text("admin_pin: 12\nadmin_pin_hash: md5$abc\n", encoding="utf-8")
    settings = load_settings(config)
    assert settings.admin_pin == "" and settings.admin_pin_hash == ""
    assert any("'admin_pin' must be 4 to 8 digits" in p for p in settings.problems)
    assert any("'admin_pin_hash' must be what `kiosk service install` writes" in p
               for p in settings.problems)
    assert StaffPin.of(settings).problem()


def test_kiosk_check_fails_in_kiosk_mode_without_a_usable_pin_with_the_same_words(
        tmp_path, capsys):
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"kiosk_mode: true\ncontent_dir: {ROOT / 'content'}\n"
                      "admin_pin: '1111'\n", encoding="utf-8")
    assert main(["check", "--config", str(config)]) == 1
    assert f"FAIL configuration: {StaffPin('1111').problem()}" in capsys.readouterr().out
    write_setting(config, "admin_pin_hash", hash_pin("4817"), replaces=("admin_pin",))
    assert main(["check", "--config", str(config)]) == 0
    config.write_text(f"content_dir: {ROOT / 'content'}\nadmin_pin: '4817'\n",
                      encoding="utf-8")
    assert main(["check", "--config", str(config)]) == 0
    assert "admin_pin_hash" in capsys.readouterr().out, "hashing a plain PIN is suggested"


CONFIG = """# Public kiosk: the staff PIN.
kiosk_mode: true
admin_pin: "2580"
# After idle_seconds ...
idle_seconds: 90
"""


def test_install_stores_a_given_pin_hashed_in_place_of_the_plain_one(tmp_path):
    config = tmp_path / "kiosk.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    out = io.StringIO()
    assert staff_pin(config, "1234", out=out) == 1
    assert "refused" in out.getvalue() and config.read_text(encoding="utf-8") == CONFIG
    assert staff_pin(config, "4817", out=io.StringIO()) == 0
    text = config.read_text(encoding="utf-8")
    assert "4817" not in text and "admin_pin:" not in text
    assert text.startswith("# Public kiosk: the staff PIN.\nkiosk_mode: true\nadmin_pin_hash: ")
    assert text.endswith("# After idle_seconds ...\nidle_seconds: 90\n")
    settings = load_settings(config)
    assert settings.problems == () and StaffPin.of(settings).check("4817")
    out = io.StringIO()  # run again without --pin and no terminal: the PIN set is kept
    assert staff_pin(config, None, out=out) == 0 and "keeping" in out.getvalue()


def test_install_asks_until_an_acceptable_pin_is_typed_twice(tmp_path):
    config = tmp_path / "kiosk.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    typed = iter(["1234", "4817", "4818", "4817", "4817"])
    prompts = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(typed)

    out = io.StringIO()
    assert staff_pin(config, None, ask=ask, out=out) == 0
    assert "straight line" in out.getvalue() and "differ" in out.getvalue()
    assert "Enter keeps" not in prompts[0], "2580 is no PIN to keep"
    assert StaffPin.of(load_settings(config)).check("4817")


def test_install_without_a_pin_and_without_a_terminal_stops_before_installing(tmp_path):
    config = tmp_path / "kiosk.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    out = io.StringIO()
    assert staff_pin(config, None, out=out) == 1
    assert "--pin" in out.getvalue() and "Nothing was installed" in out.getvalue()
    assert staff_pin(config, None, dry_run=True, out=io.StringIO()) == 0
    assert config.read_text(encoding="utf-8") == CONFIG
