"""The command line a clinic uses: check, import, and starting the kiosk for real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "content" / "sources"


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
    result = kiosk("import", str(SOURCES / "ninds-als.txt"), "--id", "ninds-draft",
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
    config.write_text(f"content_dir: {ROOT / 'content'}\nfullscreen: maybe\nloudness: 11\n"
                      f"voice: klingon\nlog_dir: {tmp_path / 'logs'}\n", encoding="utf-8")
    env = dict(os.environ, KIVY_HOME=str(tmp_path / "kivy"), DISPLAY=virtual_display)
    result = kiosk("run", "--config", str(config), "--quit-after-draw", env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "screen=home" in result.stdout
    assert "'fullscreen' must be bool" in result.stderr
    assert "unknown key 'loudness'" in result.stderr
    assert "'voice' is 'klingon', which is not an installed English voice" in result.stderr
    assert "Using gmw/en-us" in result.stderr
    # each message is printed once, in the kiosk's format (not again by Python's default
    # handler, which a library's logging call used to install), and Kivy's INFO is not shown
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == len(set(lines)), result.stderr
    assert not [line for line in lines if line.startswith(("INFO:", "WARNING:"))], lines


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


def test_check_refuses_a_voice_that_is_not_installed(tmp_path: Path):
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"content_dir: {ROOT / 'content'}\nvoice: klingon\n", encoding="utf-8")
    result = kiosk("check", "--config", str(config))
    assert result.returncode == 1
    assert (f"FAIL configuration: {config}: 'voice' is 'klingon', which is not an installed "
            "English voice") in result.stdout
    assert "gmw/en-us (English (America))" in result.stdout


# ---- help ----------------------------------------------------------------------------------

VERBS = ("run", "import", "speak", "hear", "models", "service", "check", "doctor")


def description(help_text: str) -> str:
    """The paragraph between a help's usage lines and its arguments ("" when there is none)."""
    paragraph = help_text.split("\n\n")[1].strip()
    return "" if paragraph.startswith(("options:", "positional arguments:")) else paragraph


@pytest.mark.parametrize("command", [["-m", "kiosk"], ["main.py"]])
def test_the_help_lists_every_verb_with_a_line_of_its_own(command):
    result = subprocess.run([sys.executable, *command, "--help"], capture_output=True,
                            text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0
    listed = {line.split()[0] for line in result.stdout.splitlines()
              if line.startswith("    ") and len(line.split()) > 1}
    assert set(VERBS) <= listed, result.stdout
    assert "--mic-file" not in result.stdout  # the verbs, not the run verb's own help
    assert "VERB --help" in result.stdout


@pytest.mark.parametrize("verb", VERBS)
def test_each_verb_describes_itself_in_its_help(verb):
    result = kiosk(verb, "--help")
    assert result.returncode == 0
    assert len(description(result.stdout)) > 40, result.stdout


def test_the_help_says_what_check_returns_and_what_hear_and_import_take():
    check = " ".join(kiosk("check", "--help").stdout.split())
    assert "Exits 0 when all is well and 1 when anything is wrong" in check
    hear = " ".join(kiosk("hear", "--help").stdout.split())
    assert "FILE.wav recordings of spoken commands: 16-bit PCM WAV" in hear
    assert "--engine {auto," in hear and "the recogniser: auto" in hear
    imp = " ".join(kiosk("import", "--help").stdout.split())
    assert "--id ID the new document's id: lowercase letters, digits and hyphens" in imp
    assert "not the id of another document" in imp


def test_options_without_a_verb_are_the_run_verbs():
    result = kiosk("--windowed", "--help")
    assert result.returncode == 0
    assert "--mic-file" in result.stdout and description(result.stdout).startswith(
        "Start the kiosk")


@pytest.mark.parametrize("on_path", [False, True])
def test_the_no_display_hint_names_the_command_as_it_can_be_typed(tmp_path, on_path):
    """After `make run` the kiosk is .venv/bin/kiosk, not on PATH: the hint says so."""
    script = Path(sys.executable).parent / "kiosk"
    folders = [str(script.parent)] if on_path else []
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PATH=os.pathsep.join([*folders, "/usr/bin", "/bin"]), KIVY_WINDOW="none-here",
               KIVY_HOME=str(tmp_path / "kivy"))
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"content_dir: {ROOT / 'content'}\nlog_dir: {tmp_path}\n",
                      encoding="utf-8")
    result = subprocess.run([str(script), "run", "--config", str(config)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr[-2000:]
    typed = "kiosk" if on_path else os.path.relpath(script, ROOT)
    assert f"xvfb-run -a {typed} run" in result.stderr
    assert "cannot open the display" in result.stderr
