"""Clinic settings: a wrong value is reported by name and its default is used instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import paths
from kiosk.config import Settings, config_path, load_settings
from kiosk.rules import TEXT_SCALES, THEMES

DEFAULTS = Settings()


def write_config(folder: Path, text: str) -> Path:
    path = folder / "kiosk.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def no_config_from_environment(monkeypatch):
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)


def test_no_file_anywhere_gives_defaults_without_problems(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "DEFAULT_CONFIG", tmp_path / "absent.yaml")
    settings = load_settings()
    assert settings == DEFAULTS
    assert settings.problems == ()
    assert (settings.theme, settings.text_scale, settings.fullscreen) == ("dark", 1.0, False)


def test_named_file_that_does_not_exist_says_so_and_uses_defaults(tmp_path):
    settings = load_settings(tmp_path / "absent.yaml")
    assert settings == DEFAULTS
    (problem,) = settings.problems
    assert "absent.yaml" in problem
    assert "does not exist" in problem


def test_empty_file_gives_defaults_without_problems(tmp_path):
    settings = load_settings(write_config(tmp_path, "# nothing set\n"))
    assert settings == DEFAULTS
    assert settings.problems == ()


def test_shipped_config_loads_without_problems():
    settings = load_settings(paths.DEFAULT_CONFIG)
    assert settings.problems == ()
    assert settings.content_dir == paths.CONTENT_DIR
    assert settings.theme in THEMES
    assert settings.text_scale in TEXT_SCALES


def test_values_in_the_file_are_used(tmp_path):
    text = (
        "fullscreen: true\nwindow_width: 1920\nwindow_height: 1080\n"
        "theme: light\ntext_scale: 1.5\nscreen_width_mm: 600.5\n"
    )
    settings = load_settings(write_config(tmp_path, text))
    assert settings.problems == ()
    assert settings == Settings(
        content_dir=DEFAULTS.content_dir,
        fullscreen=True,
        window_width=1920,
        window_height=1080,
        theme="light",
        text_scale=1.5,
        screen_width_mm=600.5,
    )


@pytest.mark.parametrize(
    ("line", "key", "expected"),
    [
        ("window_width: wide", "window_width", "must be int"),
        ("window_width: 1600.5", "window_width", "must be int"),
        ("fullscreen: 'yes'", "fullscreen", "must be bool"),
        ("fullscreen: 1", "fullscreen", "must be bool"),
        ("text_scale: true", "text_scale", "must be int or float"),
        ("content_dir: 42", "content_dir", "must be str"),
        ("theme: 3", "theme", "must be str"),
        ("window_height: 100", "window_height", "between 480 and 4320"),
        ("window_width: 99999", "window_width", "between 640 and 7680"),
        ("screen_width_mm: 5", "screen_width_mm", "between 100 and 3000"),
        ("theme: blue", "theme", "one of dark, light"),
        ("text_scale: 3", "text_scale", "one of 0.85, 1.0, 1.15, 1.3, 1.5, 1.75"),
    ],
)
def test_bad_value_is_named_and_the_default_kept(tmp_path, line, key, expected):
    settings = load_settings(write_config(tmp_path, f"theme: light\n{line}\n"))
    (problem,) = settings.problems
    assert f"'{key}'" in problem
    assert expected in problem
    assert "kiosk.yaml" in problem
    assert getattr(settings, key) == getattr(DEFAULTS, key)
    if key != "theme":
        assert settings.theme == "light"  # the good keys still apply


def test_unknown_key_is_named_with_the_known_keys(tmp_path):
    settings = load_settings(write_config(tmp_path, "colour: pink\ntheme: light\n"))
    (problem,) = settings.problems
    assert "unknown key 'colour'" in problem
    assert "known keys: admin_pin, admin_pin_hash, audio_output, content_dir, dwell, " \
           "dwell_seconds, follow_reading, fullscreen, idle_notice_seconds" in problem
    assert settings.theme == "light"


def test_each_bad_key_gets_its_own_problem(tmp_path):
    settings = load_settings(write_config(tmp_path, "theme: blue\nwindow_width: x\nnope: 1\n"))
    assert len(settings.problems) == 3
    assert settings == DEFAULTS


def test_yaml_syntax_error_gives_one_problem_and_defaults(tmp_path):
    settings = load_settings(write_config(tmp_path, "theme: light\n  fullscreen: [true\n"))
    assert settings == DEFAULTS
    (problem,) = settings.problems
    assert "kiosk.yaml" in problem
    assert "cannot read the configuration" in problem
    assert "built-in defaults" in problem


@pytest.mark.parametrize("text", ["- theme\n- light\n", "just words\n"])
def test_file_that_is_not_a_mapping_gives_one_problem_and_defaults(tmp_path, text):
    settings = load_settings(write_config(tmp_path, text))
    assert settings == DEFAULTS
    (problem,) = settings.problems
    assert "must be a mapping of keys to values" in problem


def test_kiosk_config_environment_variable_is_honoured(tmp_path, monkeypatch):
    path = write_config(tmp_path, "theme: light\n")
    monkeypatch.setenv("KIOSK_CONFIG", str(path))
    assert config_path() == path
    assert load_settings().theme == "light"


def test_explicit_path_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_CONFIG", str(write_config(tmp_path, "theme: light\n")))
    explicit = tmp_path / "other.yaml"
    explicit.write_text("theme: dark\n", encoding="utf-8")
    assert load_settings(explicit).theme == "dark"


def test_content_dir_is_relative_to_the_config_file(tmp_path, monkeypatch):
    folder = tmp_path / "clinic" / "config"
    folder.mkdir(parents=True)
    path = write_config(folder, "content_dir: ../documents\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings(path).content_dir == (tmp_path / "clinic" / "documents").resolve()


def test_absolute_content_dir_is_kept(tmp_path):
    target = tmp_path / "elsewhere"
    path = write_config(tmp_path, f"content_dir: '{target}'\n")
    assert load_settings(path).content_dir == target.resolve()


def test_reading_settings_are_read_and_checked(tmp_path):
    settings = load_settings(write_config(tmp_path, (
        "speech_rate: 180\nvolume: 0.6\nvoice: gmw/en\nstep_mode: true\nread_on: false\n"
        "audio_output: none\n")))
    assert settings.problems == ()
    assert (settings.speech_rate, settings.volume, settings.voice) == (180, 0.6, "gmw/en")
    assert (settings.step_mode, settings.read_on, settings.audio_output) == (True, False, "none")


@pytest.mark.parametrize("line, key, words", [
    ("speech_rate: 400", "speech_rate", "between 80 and 250"),
    ("speech_rate: fast", "speech_rate", "must be int"),
    ("volume: 0", "volume", "between 0.2 and 1.0"),
    ("step_mode: sometimes", "step_mode", "must be bool"),
    ("audio_output: bluetooth", "audio_output", "one of auto, device, none"),
])
def test_a_bad_reading_setting_is_named_and_its_default_used(tmp_path, line, key, words):
    settings = load_settings(write_config(tmp_path, line + "\n"))
    (problem,) = settings.problems
    assert f"'{key}'" in problem and words in problem
    assert getattr(settings, key) == getattr(DEFAULTS, key)


def test_the_shipped_configuration_matches_the_defaults():
    shipped = load_settings(paths.DEFAULT_CONFIG)
    assert shipped.problems == ()
    for key in ("speech_rate", "volume", "voice", "step_mode", "read_on", "audio_output"):
        assert getattr(shipped, key) == getattr(DEFAULTS, key), key


def test_listening_mode_and_engine_are_checked(tmp_path):
    settings = load_settings(write_config(
        tmp_path, "listening_mode: shout\nvoice_engine: deepspeech\nmicrophone: USB\n"))
    assert settings.listening_mode == "always" and settings.voice_engine == "auto"
    assert settings.microphone == "USB"
    assert any("'listening_mode' must be one of always, push_to_talk, wake_word, off" in p
               for p in settings.problems)
    assert any("'voice_engine' must be one of auto, whisper, vosk, pocketsphinx" in p
               for p in settings.problems)


@pytest.mark.parametrize("text, key", [
    ("typeface: comic\n", "typeface"),
    ("line_spacing: 3\n", "line_spacing"),
    ("dwell_seconds: 0.1\n", "dwell_seconds"),
    ("scanning: sometimes\n", "scanning"),
    ("scan_seconds: 9\n", "scan_seconds"),
    ("switch_keys: []\n", "switch_keys"),
    ("admin_pin: 12\n", "admin_pin"),
    ("idle_notice_seconds: 5\n", "idle_notice_seconds"),
])
def test_access_and_kiosk_keys_are_checked(tmp_path, text, key):
    settings = load_settings(write_config(tmp_path, text))
    (problem,) = settings.problems
    assert f"'{key}'" in problem
    assert getattr(settings, key) == getattr(Settings(), key)


def test_access_and_kiosk_keys_are_read(tmp_path):
    settings = load_settings(write_config(tmp_path, (
        "theme: yellow\ntypeface: opendyslexic\nline_spacing: 2.0\ndwell_seconds: 2\n"
        "scanning: two_switch\nswitch_keys: [F8, Enter]\nadmin_pin: 97531\n"
        "idle_seconds: 0\n")))
    assert settings.problems == ()
    assert (settings.theme, settings.typeface, settings.line_spacing) == ("yellow",
                                                                          "opendyslexic", 2.0)
    assert settings.switch_keys == ("f8", "enter")
    assert settings.admin_pin == "97531"
    assert settings.idle_seconds == 0


def test_unknown_switch_key_names_are_named_and_the_known_ones_kept(tmp_path):
    settings = load_settings(write_config(tmp_path, "switch_keys: [F8, spacebar, q]\n"))
    (problem,) = settings.problems
    assert "'spacebar'" in problem and "single letter" in problem
    assert settings.switch_keys == ("f8", "q")
    settings = load_settings(write_config(tmp_path, "switch_keys: [foot pedal]\n"))
    (problem,) = settings.problems
    assert "'foot pedal'" in problem and "using space and enter" in problem
    assert settings.switch_keys == ("space", "enter")


def test_log_dir_is_relative_to_the_config_file_and_empty_means_the_default(tmp_path):
    settings = load_settings(write_config(tmp_path, "log_dir: logs\n"))
    assert settings.problems == ()
    assert settings.log_dir == (tmp_path / "logs").resolve()
    assert load_settings(write_config(tmp_path, "log_dir: /var/log/kiosk\n")).log_dir == Path(
        "/var/log/kiosk")
    assert load_settings(write_config(tmp_path, 'log_dir: ""\n')).log_dir is None
    assert load_settings(paths.DEFAULT_CONFIG).log_dir is None
    settings = load_settings(write_config(tmp_path, "log_dir: 3\n"))
    (problem,) = settings.problems
    assert "'log_dir' must be str" in problem and settings.log_dir is None



# ---- the voice must be one that is installed -------------------------------------------------

VOICES = {"gmw/en-us": "English (America)", "gmw/en": "English (Great Britain)"}
"""Installed English voices as the speech engine lists them (id to name)."""


def test_an_unknown_voice_is_named_with_the_installed_ones_and_the_default_used(tmp_path):
    from kiosk.config import check_voice

    path = write_config(tmp_path, "voice: klingon\n")
    settings = check_voice(load_settings(path), VOICES, str(path))
    assert settings.voice == "gmw/en-us"
    (problem,) = settings.problems
    assert problem.startswith(f"{path}: 'voice' is 'klingon', which is not an installed "
                              "English voice")
    assert "gmw/en-us (English (America)), gmw/en (English (Great Britain))" in problem
    assert problem.endswith("Using gmw/en-us")


def test_an_installed_voice_is_kept_whatever_its_case(tmp_path):
    from kiosk.config import check_voice

    settings = check_voice(load_settings(write_config(tmp_path, "voice: GMW/EN\n")), VOICES)
    assert (settings.voice, settings.problems) == ("gmw/en", ())


def test_without_the_default_voice_an_unknown_one_falls_back_to_the_engines_own(tmp_path):
    from kiosk.config import check_voice

    british = {"gmw/en": "English (Great Britain)"}
    settings = check_voice(load_settings(write_config(tmp_path, "voice: klingon\n")), british)
    assert settings.voice == ""
    assert settings.problems[0].endswith("Using the speech engine default voice")
    # the default itself missing is no one's mistake: espeak-ng's own voice, quietly
    settings = check_voice(DEFAULTS, british)
    assert (settings.voice, settings.problems) == ("", ())


def test_voices_are_not_checked_when_the_speech_engine_lists_none(tmp_path):
    from kiosk.config import check_voice

    settings = load_settings(write_config(tmp_path, "voice: klingon\n"))
    assert check_voice(settings, {}) == settings


def test_the_shipped_voice_is_installed():
    """The real engine's list: what the kiosk and `kiosk check` check against."""
    from kiosk.config import check_voice
    from kiosk.speech.voices import installed_voices

    voices = installed_voices()
    assert "gmw/en-us" in voices and voices["gmw/en-us"] == "English (America)"
    settings = check_voice(load_settings(paths.DEFAULT_CONFIG), voices)
    assert settings.problems == () and settings.voice == "gmw/en-us"
