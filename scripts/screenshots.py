"""Retake the README's screenshots from the running app (via the GUI tests under Xvfb)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
DOCS = ROOT / "docs" / "screenshots"
WANTED = (
    "home", "contents-keyboard-focus", "reader", "reader-notice", "help", "settings",
    "settings-light-larger", "home-broken-document", "reader-reading",
    "reader-scrolled-to-reading", "settings-reading", "voice-heard-stop", "voice-help",
    "numbers-contents", "dwell-ring", "scanning", "settings-yellow", "reader-opendyslexic",
    "idle-notice", "attract", "admin-pin", "admin", "fault-content-last-good",
    "fault-speakers-lost", "help-voice-off", "reader-following",
    *(f"theme-{theme}-{screen}" for theme in ("dark", "light", "yellow")
      for screen in ("home", "contents", "reader", "help", "settings")),
    *(f"size-{size}-{screen}"
      for size in ("smallest", "default", "largest", "portrait-default", "portrait-largest")
      for screen in ("reader", "more", "home", "settings")),
)


def main() -> int:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "tests/test_gui_navigation.py",
         "tests/test_gui_reading.py", "tests/test_gui_voice.py", "tests/test_gui_numbers.py",
         "tests/test_gui_access.py", "tests/test_gui_settings.py",
         "tests/test_gui_kiosk_mode.py", "tests/test_gui_faults.py", "tests/test_gui_help.py",
         "tests/test_gui_reader_layout.py", "tests/test_gui_follow.py"],
        cwd=ROOT,
    )
    if result.returncode != 0:
        return result.returncode
    DOCS.mkdir(parents=True, exist_ok=True)
    for name in WANTED:
        shutil.copyfile(ARTIFACTS / f"{name}.png", DOCS / f"{name}.png")
        print(f"docs/screenshots/{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
