"""A clinic is told which documents it may not show on a public kiosk without permission.

The shipped WebMD article records only its copyright (no licence to show it in public is
known), so `kiosk check` reminds a clinic in kiosk mode; the NINDS fact sheet is public
domain and needs no reminder. A home install (not kiosk mode) is not reminded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.content.model import Source
from kiosk.pin import hash_pin

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("licence", "public"),
    [
        ("U.S. government work, public domain", True),
        ("CC BY 4.0", True),
        ("Creative Commons Attribution-ShareAlike", True),
        ("CC0", True),
        ("Shown with WebMD's written permission (letter of 3 May 2026)", True),
        ("Permission granted by WebMD, email of 3 May 2026", True),
        ("© WebMD", False),
        ("Shown with no permission", False),
        ("© WebMD; not shown with permission", False),
        ("Permission pending", False),
        ("All rights reserved", False),
        ("", False),
    ],
)
def test_only_public_domain_open_licences_or_a_recorded_permission_allow_public_display(
    licence: str, public: bool
):
    assert Source(publisher="P", licence=licence).may_be_shown_in_public is public


def check(tmp_path: Path, kiosk_mode: bool) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "kiosk.yaml"
    config.write_text(
        f"content_dir: {ROOT / 'content'}\nkiosk_mode: {str(kiosk_mode).lower()}\n"
        f"admin_pin_hash: '{hash_pin('4817')}'\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "check", "--config", str(config)],
        capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=60,
    )


def test_kiosk_mode_check_reminds_that_webmd_needs_permission(tmp_path: Path):
    result = check(tmp_path, kiosk_mode=True)
    notes = [line for line in result.stdout.splitlines() if line.startswith("note")]
    assert len(notes) == 1, result.stdout
    assert "webmd-als" in notes[0] and "WebMD's permission" in notes[0]
    assert "ninds-als" not in notes[0]


def test_a_home_install_is_not_reminded(tmp_path: Path):
    result = check(tmp_path, kiosk_mode=False)
    assert "note" not in result.stdout, result.stdout
