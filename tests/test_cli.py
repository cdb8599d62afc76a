"""The command line a clinic uses: check, import, and starting the kiosk for real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


def kiosk(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        capture_output=True, text=True, cwd=ROOT, env=env or dict(os.environ), timeout=timeout,
    )


def test_check_passes_on_the_shipped_content():
    result = kiosk("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   ninds-als" in result.stdout and "ok   webmd-als" in result.stdout
    assert "2 document(s) loaded, 0 problem(s)." in result.stdout


def test_check_lists_every_broken_file_and_exits_non_zero(tmp_path: Path):
    (tmp_path / "good.yaml").write_text(
        (ROOT / "content" / "ninds-als.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "syntax.yaml").write_text("id: a\ntitle: [oops\n", encoding="utf-8")
    (tmp_path / "untitled.yaml").write_text(
        "id: b\ntitle: B\nsource: {publisher: P}\nsections:\n"
        "  - id: s\n    blocks: [{paragraph: x}]\n",
        encoding="utf-8",
    )
    result = kiosk("check", "--content", str(tmp_path))
    assert result.returncode == 1
    assert "FAIL content: syntax.yaml, line 2" in result.stdout
    untitled = "FAIL content: untitled.yaml, line 5, at sections[0]: 'title' is missing"
    assert untitled in result.stdout
    assert "1 document(s) loaded, 2 problem(s)." in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_check_reports_a_bad_configuration_key(tmp_path: Path):
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"content_dir: {ROOT / 'content'}\ntheme: purple\n", encoding="utf-8")
    result = kiosk("check", "--config", str(config))
    assert result.returncode == 1
    assert "'theme' must be one of dark, light" in result.stdout


def test_import_writes_a_draft_that_loads(tmp_path: Path):
    out = tmp_path / "draft.yaml"
    result = kiosk("import", str(SEEDS / "003_19481e39e76d0d4f.txt"), "--id", "ninds-draft",
                   "--out", str(out))
    assert result.returncode == 0, result.stderr
    check = kiosk("check", "--content", str(tmp_path))
    assert check.returncode == 0, check.stdout
    assert "ninds-draft" in check.stdout


def test_import_of_a_missing_file_says_so(tmp_path: Path):
    result = kiosk("import", str(tmp_path / "nope.txt"), "--id", "x")
    assert result.returncode == 1
    assert "nope.txt: cannot read the file" in result.stderr


@pytest.mark.gui
def test_the_kiosk_starts_and_draws_home_even_with_a_broken_config(virtual_display, tmp_path):
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"content_dir: {ROOT / 'content'}\nfullscreen: maybe\nloudness: 11\n",
                      encoding="utf-8")
    env = dict(os.environ, KIVY_HOME=str(tmp_path / "kivy"), DISPLAY=virtual_display)
    result = kiosk("run", "--config", str(config), "--quit-after-draw", env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "screen=home" in result.stdout
    assert "'fullscreen' must be bool" in result.stderr
    assert "unknown key 'loudness'" in result.stderr


def test_check_reports_a_broken_pronunciation_lexicon(tmp_path: Path):
    for name in ("ninds-als.yaml", "webmd-als.yaml"):
        (tmp_path / name).write_text((ROOT / "content" / name).read_text(encoding="utf-8"),
                                     encoding="utf-8")
    (tmp_path / "_pronunciation.yaml").write_text("words:\n  ALS: [a, l]\n  SOD1: S O D 1\n",
                                                  encoding="utf-8")
    result = kiosk("check", "--content", str(tmp_path))
    assert result.returncode == 1
    assert "pronunciation:" in result.stdout and "line 2" in result.stdout
    assert "2 document(s) loaded, 1 problem(s)." in result.stdout
