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
from kiosk.pin import MAX_DIGITS, MIN_DIGITS, hash_problem, shape_problem
from kiosk.rules import (
    AUDIO_OUTPUTS,
    DWELL_SECONDS,
    FLAG,
    LINE_SPACING,
    LISTENING_MODES,
    NUMBER,
    SCAN_SECONDS,
    SCANNING,
    SPEECH_RATE,
    TEXT,
    TEXT_SIZE,
    THEME,
    TYPEFACE,
    VOICE_ENGINES,
    VOLUME,
    WHOLE,
    Rule,
)


def setting(default: Any, rule: Rule) -> Any:
    """A Settings field with the rule its values must keep (kiosk/rules.py)."""
    return field(default=default, metadata={"rule": rule})


@dataclass(frozen=True)
class Settings:
    """Everything a clinic can configure; a visitor's changes are made on a copy."""

    content_dir: Path = setting(paths.CONTENT_DIR, Rule(TEXT))
    """Folder of YAML documents."""
    fullscreen: bool = setting(False, Rule(FLAG))
    """True on a kiosk: the window covers the screen."""
    window_width: int = setting(1600, Rule(WHOLE, low=640, high=7680))
    """Window width in pixels when not fullscreen."""
    window_height: int = setting(900, Rule(WHOLE, low=480, high=4320))
    """Window height in pixels when not fullscreen."""
    theme: str = setting("dark", THEME)
    """Colour theme: dark (high contrast, default), light or yellow (yellow on black)."""
    text_scale: float = setting(1.0, TEXT_SIZE)
    """Text size step, one of TEXT_SCALES."""
    typeface: str = setting("atkinson", TYPEFACE)
    """Typeface: atkinson (Atkinson Hyperlegible, default) or opendyslexic (OpenDyslexic)."""
    line_spacing: float = setting(1.45, LINE_SPACING)
    """Line height as a multiple of the text size, one of LINE_SPACINGS."""
    screen_width_mm: float = setting(527.0, Rule(NUMBER, low=100, high=3000))
    """Physical width of the display, used to keep touch targets at least 9 mm wide/high."""
    speech_rate: int = setting(150, SPEECH_RATE)
    """Reading speed in words per minute, 80 to 250."""
    volume: float = setting(0.8, VOLUME)
    """Loudness of reading, 0.2 to 1.0."""
    voice: str = setting("gmw/en-us", Rule(TEXT))
    """``natural`` (the Piper voice, kiosk/speech/natural.py) or an espeak-ng voice id
    (``espeak-ng --voices=en`` lists them); empty for espeak-ng's default."""
    step_mode: bool = setting(False, Rule(FLAG))
    """Pause after every sentence until told to continue."""
    read_on: bool = setting(True, Rule(FLAG))
    """At the end of a section, go on reading the next one."""
    follow_reading: bool = setting(True, Rule(FLAG))
    """Offer "Follow my reading" on the Reader: the kiosk listens to a person reading the
    section aloud and marks their place (it needs the microphone and the Whisper model)."""
    audio_output: str = setting("auto", Rule(TEXT, AUDIO_OUTPUTS))
    """auto (speakers if any, else silent), device (speakers only) or none (always silent)."""
    listening_mode: str = setting("always", Rule(TEXT, LISTENING_MODES))
    """Voice commands: always (listening all the time), push_to_talk (hold the T key, a
    switch or the on-screen button), wake_word (say "kiosk" first) or off."""
    voice_engine: str = setting("auto", Rule(TEXT, VOICE_ENGINES))
    """One of VOICE_ENGINES: auto (Whisper tiny.en, else Vosk when its model is in models/,
    else PocketSphinx), whisper, vosk or pocketsphinx."""
    microphone: str = setting("", Rule(TEXT))
    """Name (or part of it) of the microphone to use; empty for the system default."""
    dwell: bool = setting(True, Rule(FLAG))
    """Resting the pointer (mouse, head mouse, eye tracker) on a button chooses it."""
    dwell_seconds: float = setting(1.2, DWELL_SECONDS)
    """How long the pointer rests on a button to choose it, 0.5 to 3 seconds."""
    scanning: str = setting("off", Rule(TEXT, SCANNING))
    """Switch scanning: off, one_switch (a highlight steps through the buttons by itself; the
    switch chooses) or two_switch (one switch steps, the other chooses)."""
    scan_seconds: float = setting(1.5, SCAN_SECONDS)
    """How long the scanning highlight stays on each button, 0.5 to 5 seconds."""
    switch_keys: tuple[str, ...] = setting(("space", "enter"), Rule((list,)))
    """Keys a switch interface sends (names like space, enter, f8, or single letters). In
    two-switch scanning the first steps and the others choose."""
    show_numbers: bool = setting(False, Rule(FLAG))
    """Put a large number on every button (say, dwell on or scan to the number)."""
    kiosk_mode: bool = setting(False, Rule(FLAG))
    """Public kiosk: fullscreen, Escape/Alt+F4/close do not leave; the admin gesture and PIN
    open the admin screen."""
    admin_pin: str = setting("", Rule((str, int)))
    """The staff PIN of the admin screen, 4 to 8 digits, in plain text (kiosk/pin.py); in
    kiosk mode the admin screen stays locked without a usable one. ``admin_pin_hash`` is
    better."""
    admin_pin_hash: str = setting("", Rule(TEXT))
    """The staff PIN as a salted hash (``kiosk service install`` writes it); used instead of
    ``admin_pin`` when both are set."""
    idle_seconds: int = setting(90, Rule(WHOLE, low=0, high=86400))
    """Seconds with nothing happening (and nothing being read) before the kiosk asks "Are you
    still there?"; 0 never resets."""
    idle_notice_seconds: int = setting(20, Rule(WHOLE, low=20, high=600))
    """How long the "Are you still there?" notice waits (at least 20 seconds) before the
    kiosk resets for the next person."""
    log_dir: Path | None = setting(None, Rule(TEXT))
    """Folder of the kiosk's rotating log files; None for the user's log folder
    (platformdirs ``user_log_dir("als-kiosk")``)."""
    problems: tuple[str, ...] = field(default=(), compare=False)
    """What was wrong in the configuration file, in plain words (defaults were used)."""


def rule_of(name: str) -> Rule:
    """The rule a setting's values must keep (KeyError for a name that is no setting)."""
    return RULES[name]


RULES: dict[str, Rule] = {f.name: f.metadata["rule"] for f in fields(Settings)
                          if "rule" in f.metadata}
"""Every setting a clinic can write, and its rule."""


def config_path(explicit: Path | None = None) -> Path | None:
    """The configuration file to use: --config, then $KIOSK_CONFIG, then config/kiosk.yaml."""
    if explicit is not None:
        return explicit
    env = os.environ.get("KIOSK_CONFIG")
    if env:
        return Path(env)
    return paths.DEFAULT_CONFIG if paths.DEFAULT_CONFIG.exists() else None


def write_setting(path: Path, key: str, value: str, replaces: tuple[str, ...] = ()) -> None:
    """Set ``key: "value"`` in the configuration file at ``path``, keeping its comments and
    other lines: the key's line (or the first line of a key in ``replaces``, which are
    removed) is rewritten in place, else the key is added at the end; the file is created
    if missing. ``value`` must need no escaping (digits, letters and ``$``)."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    keys = (key, *replaces)
    line = f'{key}: "{value}"'
    kept, placed = [], False
    for text in lines:
        name = text.split(":", 1)[0].strip() if not text.startswith((" ", "\t", "#")) else ""
        if name in keys:
            if not placed:
                kept.append(line)
                placed = True
            continue
        kept.append(text)
    if not placed:
        kept.append(line)
    paths.write_atomically(path, "\n".join(kept) + "\n")


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
    """Validate a mapping of settings against their rules; bad keys keep their defaults and
    are reported in words that name the key and say what is allowed."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        rule = RULES.get(key)
        if rule is None:
            problems.append(f"{name}: unknown key '{key}'; known keys: {', '.join(sorted(RULES))}")
            continue
        if not rule.takes(value):
            kinds = " or ".join(t.__name__ for t in rule.kinds)
            problems.append(f"{name}: '{key}' must be {kinds}, not {value!r}; using the default")
            continue
        wrong = rule.problem(value)
        if wrong is not None:
            default = getattr(Settings, key)
            problems.append(f"{name}: '{key}' must be {wrong}; using {default}")
            continue
        values[key] = value
    if "content_dir" in values:
        values["content_dir"] = (base_dir / values["content_dir"]).resolve()
    if "log_dir" in values:
        log_dir = values.pop("log_dir").strip()
        if log_dir:
            values["log_dir"] = (base_dir / Path(log_dir).expanduser()).resolve()
    if "switch_keys" in values:
        keys, problem = _switch_keys(values.pop("switch_keys"), name)
        if keys:
            values["switch_keys"] = keys
        if problem:
            problems.append(problem)
    if "admin_pin" in values:
        pin = str(values.pop("admin_pin")).strip()
        if not pin or not shape_problem(pin):  # (empty: not set)
            values["admin_pin"] = pin
        else:
            problems.append(f"{name}: 'admin_pin' must be {MIN_DIGITS} to {MAX_DIGITS} digits; "
                            "the admin screen stays locked until it is")
    if "admin_pin_hash" in values:
        hashed = values.pop("admin_pin_hash").strip()
        if hashed and hash_problem(hashed):
            problems.append(f"{name}: {hash_problem(hashed)}; the admin screen stays locked "
                            "until it is")
        elif hashed:
            values["admin_pin_hash"] = hashed
    return replace(Settings(**values), problems=tuple(problems))


def _switch_keys(keys: list, name: str) -> tuple[tuple[str, ...], str]:
    """The switch key names the kiosk knows, and what was wrong with the others."""
    from kiosk.keys import key_codes

    if not keys or not all(isinstance(k, str) and k.strip() for k in keys):
        return (), (f"{name}: 'switch_keys' must be a list of key names such as "
                    "[space, enter]; using space and enter")
    known = tuple(k.strip().lower() for k in keys if key_codes(k))
    unknown = [k for k in keys if not key_codes(k)]
    if not unknown:
        return known, ""
    return known, (f"{name}: 'switch_keys' has key names the kiosk does not know: "
                   f"{', '.join(map(repr, unknown))}; use space, enter, tab, f1 to f12, "
                   "numpad0 to numpad9, or a single letter or digit"
                   + ("; using the others" if known else "; using space and enter"))


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
