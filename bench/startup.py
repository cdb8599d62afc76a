"""Cold start to the Home screen being shown, and peak memory, against a bare Kivy window;
and the time until voice commands work.

Targets (issues 2, 13 and 14): Home shown within 3 s and under 250 MB on a 2-core machine,
the listener ready to act on a command within 3 s of start, and the listener adding at most
150 MB (issue 14; the kiosk loads the recogniser only after Home is shown, so this is the
voice run's memory when voice is ready minus the Home run's when Home is shown: both the
peak, which includes the model's loading, and the resident memory at that moment). The
baseline is an empty Kivy app started the same way in the same run, so the kiosk's own cost
is visible. The voice run listens to a silent WAV file (``--mic-file``), as this machine may
have no microphone; the recogniser (the configured engine: ``auto`` is Whisper tiny.en when
installed), its models and the listener are the real ones.
Run: make bench   (starts its own Xvfb when there is no DISPLAY)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5
BARE_KIVY = """
import os, time
os.environ.setdefault("KIVY_NO_ARGS", "1")
from kivy.config import Config
Config.set("graphics", "width", "1600"); Config.set("graphics", "height", "900")
from kivy.app import App
from kivy.clock import Clock
from kivy.uix.label import Label
class Bare(App):
    def load_kv(self, filename=None):
        return False
    def build(self):
        from kivy.core.window import Window
        def shown(*_args):
            Window.unbind(on_flip=shown)
            print("first-frame", flush=True)
            Clock.schedule_once(lambda dt: self.stop(), 0)
        Window.bind(on_flip=shown)
        return Label(text="bare Kivy")
Bare().run()
"""
MARKERS = (b"first-frame", b"voice-ready")
"""What the programs print: the first frame shown (kiosk ``--quit-after-draw``, the bare
window) and the listener ready (kiosk ``--quit-after-voice``)."""


def measure(command: list[str], env: dict[str, str]) -> dict[str, tuple[float, float, float]]:
    """For each marker printed: seconds from launch until it was seen, the peak RSS in MB
    until then and the RSS in MB when it was seen; "exit" for the whole run."""
    started = time.perf_counter()
    process = psutil.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peak = rss = 0
    seen: dict[str, tuple[float, float, float]] = {}
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    buffer = b""

    def look() -> None:
        for marker in MARKERS:
            if marker.decode() not in seen and marker in buffer:
                seen[marker.decode()] = (time.perf_counter() - started, peak / 1e6, rss / 1e6)

    while process.poll() is None:
        try:
            rss = process.memory_info().rss
            peak = max(peak, rss)
        except psutil.NoSuchProcess:
            break
        buffer += process.stdout.read() or b""
        look()
        time.sleep(0.005)
    buffer += process.stdout.read() or b""
    look()
    seen["exit"] = (time.perf_counter() - started, peak / 1e6, rss / 1e6)
    if process.returncode != 0 or "first-frame" not in seen:
        raise SystemExit(f"{command} failed (exit {process.returncode}): {buffer}")
    return seen


def silent_wav(path: Path) -> Path:
    """Two seconds of silence, 16 kHz mono: the voice run's microphone."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16_000)
        wav.writeframes(bytes(2 * 16_000 * 2))
    return path


def main() -> None:
    env = dict(os.environ)
    kivy_home = tempfile.mkdtemp(prefix="bench-kivy-")
    env["KIVY_HOME"] = kivy_home
    env["KIVY_NO_CONSOLELOG"] = "1"
    xvfb = None
    if not env.get("DISPLAY"):
        xvfb = subprocess.Popen(["Xvfb", ":97", "-screen", "0", "1920x1080x24", "-nolisten",
                                 "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        env["DISPLAY"] = ":97"
        time.sleep(1.0)
    kiosk = [sys.executable, "-m", "kiosk", "run", "--quit-after-draw"]
    voice = [sys.executable, "-m", "kiosk", "run", "--quit-after-voice", "--mic-file",
             str(silent_wav(Path(kivy_home) / "silence.wav"))]
    bare = [sys.executable, "-c", BARE_KIVY]
    try:
        measure(bare, env)  # warm the disk cache once, as after a first boot
        runs = {}
        for name, command in (("bare Kivy window", bare), ("kiosk Home screen", kiosk),
                              ("kiosk until voice ready", voice)):
            runs[name] = [measure(command, env) for _ in range(RUNS)]
    finally:
        if xvfb is not None:
            xvfb.terminate()
        shutil.rmtree(kivy_home, ignore_errors=True)
    for name, samples in runs.items():
        if name.endswith("voice ready") and any("voice-ready" not in s for s in samples):
            raise SystemExit("voice was not ready in every run: is the recogniser installed?")

    def median_s(name: str, marker: str) -> float:
        return statistics.median(s[marker][0] for s in runs[name])

    def peak_mb(name: str, marker: str) -> float:
        return max(s[marker][1] for s in runs[name])

    def rss_mb(name: str, marker: str) -> float:
        """Median of the runs' resident memory when the marker was seen."""
        return statistics.median(s[marker][2] for s in runs[name])

    print(f"Cold start, median of {RUNS} runs; peak RSS (max of the runs) until then and "
          "over the whole run")
    print(f"{'what':<25}{'Home shown (s)':>15}{'voice ready (s)':>16}{'peak then (MB)':>15}"
          f"{'peak (MB)':>11}")
    for name in runs:
        marker = "voice-ready" if name.endswith("voice ready") else "first-frame"
        voice_s = f"{median_s(name, marker):.2f}" if marker == "voice-ready" else "-"
        print(f"{name:<25}{median_s(name, 'first-frame'):>15.2f}{voice_s:>16}"
              f"{peak_mb(name, marker):>15.0f}{peak_mb(name, 'exit'):>11.0f}")
    kiosk_s, kiosk_mb = median_s("kiosk Home screen", "first-frame"), peak_mb(
        "kiosk Home screen", "exit")
    bare_s, bare_mb = median_s("bare Kivy window", "first-frame"), peak_mb(
        "bare Kivy window", "exit")
    voice_s = median_s("kiosk until voice ready", "voice-ready")
    home_mb = peak_mb("kiosk Home screen", "first-frame")
    listener_mb = peak_mb("kiosk until voice ready", "voice-ready") - home_mb
    home_rss = rss_mb("kiosk Home screen", "first-frame")
    listener_rss = rss_mb("kiosk until voice ready", "voice-ready") - home_rss
    print(f"kiosk overhead: +{kiosk_s - bare_s:.2f} s, +{kiosk_mb - bare_mb:.0f} MB "
          f"(ratio {kiosk_s / bare_s:.2f}x time)")
    print(f"listener adds: +{listener_mb:.0f} MB at peak (peak until voice ready, minus peak "
          f"until Home shown: {home_mb:.0f} MB); +{listener_rss:.0f} MB resident once loaded "
          f"(RSS at voice ready, minus RSS at Home shown: {home_rss:.0f} MB; medians)")
    print(f"targets: start < 3.00 s: {'met' if kiosk_s < 3 else 'MISSED'}; "
          f"memory < 250 MB: {'met' if kiosk_mb < 250 else 'MISSED'}; "
          f"voice ready < 3.00 s: {'met' if voice_s < 3 else 'MISSED'}; "
          f"listener <= 150 MB: {'met' if listener_mb <= 150 else 'MISSED'} at peak, "
          f"{'met' if listener_rss <= 150 else 'MISSED'} resident")


if __name__ == "__main__":
    main()
