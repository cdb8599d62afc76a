"""Typed kiosk settings, loaded from the clinic's YAML file with defaults and clear errors.

A wrong value never stops the kiosk: the key falls back to its default and the problem is
reported in words that name the key and say what is allowed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from kiosk import paths

THEMES = ("dark", "light", "yellow")
TYPEFACES = ("atkinson", "opendyslexic")
LINE_SPACINGS = (1.3, 1.45, 1.7, 2.0)
"""Line height steps offered in Settings (multiples of the font size); 1.45 is the default."""
SCANNING = ("off", "one_switch", "two_switch")
AUDIO_OUTPUTS = ("auto", "device", "none")
LISTENING_MODES = ("always", "push_to_talk", "wake_word", "off")
VOICE_ENGINES = ("auto", "whisper", "vosk", "pocketsphinx")
"""``voice_engine`` and ``kiosk hear --engine``: auto takes Whisper when its model package is
installed, else Vosk with a model in models/, else PocketSphinx (``open_engine``)."""
TEXT_SCALES = (0.85, 1.0, 1.15, 1.3, 1.5, 1.75)
"""The text-size steps offered in Settings; 1.0 is the clinic default size."""


@dataclass(frozen=True)
class Settings:
    """Everything a clinic can configure; a visitor's changes are made on a copy."""

    content_dir: Path = paths.CONTENT_DIR
    """Folder of YAML documents."""
    fullscreen: bool = False
    """True on a kiosk: the window covers the screen."""
    window_width: int = 1600
    """Window width in pixels when not fullscreen."""
    window_height: int = 900
    """Window height in pixels when not fullscreen."""
    theme: str = "dark"
    """Colour theme: dark (high contrast, default), light or yellow (yellow on black)."""
    text_scale: float = 1.0
    """Text size step, one of TEXT_SCALES."""
    typeface: str = "atkinson"
    """Typeface: atkinson (Atkinson Hyperlegible, default) or opendyslexic (OpenDyslexic)."""
    line_spacing: float = 1.45
    """Line height as a multiple of the text size, one of LINE_SPACINGS."""
    screen_width_mm: float = 527.0
    """Physical width of the display, used to keep touch targets at least 9 mm wide/high."""
    speech_rate: int = 150
    """Reading speed in words per minute, 80 to 250."""
    volume: float = 0.8
    """Loudness of reading, 0.2 to 1.0."""
    voice: str = "gmw/en-us"
    """espeak-ng voice id (``espeak-ng --voices=en`` lists them); empty for the default."""
    step_mode: bool = False
    """Pause after every sentence until told to continue."""
    read_on: bool = True
    """At the end of a section, go on reading the next one."""
    audio_output: str = "auto"
    """auto (speakers if any, else silent), device (speakers only) or none (always silent)."""
    listening_mode: str = "always"
    """Voice commands: always (listening all the time), push_to_talk (hold the T key, a
    switch or the on-screen button), wake_word (say "kiosk" first) or off."""
    voice_engine: str = "auto"
    """One of VOICE_ENGINES: auto (Whisper tiny.en, else Vosk when its model is in models/,
    else PocketSphinx), whisper, vosk or pocketsphinx."""
    microphone: str = ""
    """Name (or part of it) of the microphone to use; empty for the system default."""
    dwell: bool = True
    """Resting the pointer (mouse, head mouse, eye tracker) on a button chooses it."""
    dwell_seconds: float = 1.2
    """How long the pointer rests on a button to choose it, 0.5 to 3 seconds."""
    scanning: str = "off"
    """Switch scanning: off, one_switch (a highlight steps through the buttons by itself; the
    switch chooses) or two_switch (one switch steps, the other chooses)."""
    scan_seconds: float = 1.5
    """How long the scanning highlight stays on each button, 0.5 to 5 seconds."""
    switch_keys: tuple[str, ...] = ("space", "enter")
    """Keys a switch interface sends (names like space, enter, f8, or single letters). In
    two-switch scanning the first steps and the others choose."""
    show_numbers: bool = False
    """Put a large number on every button (say, dwell on or scan to the number)."""
    kiosk_mode: bool = False
    """Public kiosk: fullscreen, Escape/Alt+F4/close do not leave; the admin gesture and PIN
    open the admin screen."""
    admin_pin: str = "2580"
    """PIN for the admin screen (digits). Change it for every installation."""
    idle_seconds: int = 90
    """Seconds with nothing happening (and nothing being read) before the kiosk asks "Are you
    still there?"; 0 never resets."""
    idle_notice_seconds: int = 20
    """How long the "Are you still there?" notice waits (at least 20 seconds) before the
    kiosk resets for the next person."""
    log_dir: Path | None = None
    """Folder of the kiosk's rotating log files; None for the user's log folder
    (platformdirs ``user_log_dir("als-kiosk")``)."""
    problems: tuple[str, ...] = field(default=(), compare=False)
    """What was wrong in the configuration file, in plain words (defaults were used)."""


_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "content_dir": (str,),
    "fullscreen": (bool,),
    "window_width": (int,),
    "window_height": (int,),
    "theme": (str,),
    "text_scale": (int, float),
    "screen_width_mm": (int, float),
    "speech_rate": (int,),
    "volume": (int, float),
    "voice": (str,),
    "step_mode": (bool,),
    "read_on": (bool,),
    "audio_output": (str,),
    "listening_mode": (str,),
    "voice_engine": (str,),
    "microphone": (str,),
    "typeface": (str,),
    "line_spacing": (int, float),
    "dwell": (bool,),
    "dwell_seconds": (int, float),
    "scanning": (str,),
    "scan_seconds": (int, float),
    "switch_keys": (list,),
    "show_numbers": (bool,),
    "kiosk_mode": (bool,),
    "admin_pin": (str, int),
    "idle_seconds": (int,),
    "idle_notice_seconds": (int,),
    "log_dir": (str,),
}


def config_path(explicit: Path | None = None) -> Path | None:
    """The configuration file to use: --config, then $KIOSK_CONFIG, then config/kiosk.yaml."""
    if explicit is not None:
        return explicit
    env = os.environ.get("KIOSK_CONFIG")
    if env:
        return Path(env)
    return paths.DEFAULT_CONFIG if paths.DEFAULT_CONFIG.exists() else None


def load_settings(path: Path | None = None) -> Settings:
    """Settings from ``path`` (see config_path); never raises for bad content."""
    path = config_path(path)
    if path is None:
        return Settings()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return Settings(problems=(f"{path}: the configuration file does not exist; "
                                  "using the built-in defaults",))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        return Settings(problems=(f"{path}: cannot read the configuration ({error}); "
                                  "using the built-in defaults",))
    if not isinstance(data, dict):
        return Settings(problems=(f"{path}: the configuration must be a mapping of keys to "
                                  "values; using the built-in defaults",))
    return settings_from_data(data, base_dir=path.parent, name=str(path))


def settings_from_data(data: dict[str, Any], base_dir: Path, name: str = "config") -> Settings:
    """Validate a mapping of settings; bad keys keep their defaults and are reported."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    known = {f.name for f in fields(Settings)} - {"problems"}
    for key, value in data.items():
        if key not in known:
            problems.append(f"{name}: unknown key '{key}'; known keys: {', '.join(sorted(known))}")
            continue
        allowed = _FIELD_TYPES[key]
        if not isinstance(value, allowed) or (bool not in allowed and isinstance(value, bool)):
            kinds = " or ".join(t.__name__ for t in allowed)
            problems.append(f"{name}: '{key}' must be {kinds}, not {value!r}; using the default")
            continue
        values[key] = value
    if "content_dir" in values:
        values["content_dir"] = (base_dir / values["content_dir"]).resolve()
    if "log_dir" in values:
        log_dir = values.pop("log_dir").strip()
        if log_dir:
            values["log_dir"] = (base_dir / Path(log_dir).expanduser()).resolve()
    if values.get("theme", "dark") not in THEMES:
        problems.append(f"{name}: 'theme' must be one of {', '.join(THEMES)}; using dark")
        values.pop("theme")
    if "line_spacing" in values and float(values["line_spacing"]) not in LINE_SPACINGS:
        problems.append(f"{name}: 'line_spacing' must be one of "
                        f"{', '.join(map(str, LINE_SPACINGS))}; using 1.45")
        values.pop("line_spacing")
    if "switch_keys" in values:
        from kiosk.keys import key_codes

        keys = values.pop("switch_keys")
        if keys and all(isinstance(k, str) and k.strip() for k in keys):
            known = tuple(k.strip().lower() for k in keys if key_codes(k))
            unknown = [k for k in keys if not key_codes(k)]
            if unknown:
                problems.append(
                    f"{name}: 'switch_keys' has key names the kiosk does not know: "
                    f"{', '.join(map(repr, unknown))}; use space, enter, tab, f1 to f12, "
                    "numpad0 to numpad9, or a single letter or digit"
                    + ("; using the others" if known else "; using space and enter"))
            if known:
                values["switch_keys"] = known
        else:
            problems.append(f"{name}: 'switch_keys' must be a list of key names such as "
                            "[space, enter]; using space and enter")
    if "admin_pin" in values:
        pin = str(values.pop("admin_pin"))
        if pin.isdigit() and 4 <= len(pin) <= 8:
            values["admin_pin"] = pin
        else:
            problems.append(f"{name}: 'admin_pin' must be 4 to 8 digits; using the default "
                            "PIN (change it)")
    if "text_scale" in values and float(values["text_scale"]) not in TEXT_SCALES:
        problems.append(
            f"{name}: 'text_scale' must be one of {', '.join(map(str, TEXT_SCALES))}; using 1.0"
        )
        values.pop("text_scale")
    if values.get("audio_output", "auto") not in AUDIO_OUTPUTS:
        problems.append(f"{name}: 'audio_output' must be one of {', '.join(AUDIO_OUTPUTS)}; "
                        "using auto")
        values.pop("audio_output")
    for key, allowed in (("listening_mode", LISTENING_MODES), ("voice_engine", VOICE_ENGINES),
                         ("typeface", TYPEFACES), ("scanning", SCANNING)):
        if key in values and values[key] not in allowed:
            problems.append(f"{name}: '{key}' must be one of {', '.join(allowed)}; "
                            f"using {getattr(Settings, key)}")
            values.pop(key)
    for key, low, high in (("window_width", 640, 7680), ("window_height", 480, 4320),
                           ("screen_width_mm", 100, 3000), ("speech_rate", 80, 250),
                           ("volume", 0.2, 1.0), ("dwell_seconds", 0.5, 3.0),
                           ("scan_seconds", 0.5, 5.0), ("idle_seconds", 0, 86400),
                           ("idle_notice_seconds", 20, 600)):
        if key in values and not low <= values[key] <= high:
            problems.append(f"{name}: '{key}' must be between {low} and {high}; using the default")
            values.pop(key)
    return replace(Settings(**values), problems=tuple(problems))


def check_voice(settings: Settings, voices: Mapping[str, str], name: str = "config") -> Settings:
    """``settings`` with its voice checked against ``voices`` (installed English voices, id to
    name; see kiosk.speech.voices): an unknown voice is reported, naming the key and the
    installed voices, and the default voice (or espeak-ng's own) is used. With no voices
    listed (no speech engine) nothing can be checked and ``settings`` is returned as it is."""
    from kiosk.speech.voices import VoiceNotInstalled, describe, require_voice

    if not settings.voice or not voices:
        return settings
    fallback = Settings.voice if Settings.voice in voices else ""
    try:
        return replace(settings, voice=require_voice(settings.voice, voices))
    except VoiceNotInstalled:
        if settings.voice == Settings.voice:  # the default itself is missing: no one wrote it
            return replace(settings, voice=fallback)
        problem = (f"{name}: 'voice' is '{settings.voice}', which is not an installed English "
                   f"voice; use one of: {describe(voices)}. Using "
                   f"{fallback or 'the speech engine default voice'}")
        return replace(settings, voice=fallback, problems=(*settings.problems, problem))
