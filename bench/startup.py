"""Cold start to the Home screen being drawn, and peak memory, against a bare Kivy window.

Targets (issue 2): under 3 s and under 250 MB on a 2-core machine. The baseline is an empty
Kivy app started the same way in the same run, so the kiosk's own cost is visible.
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
        Clock.schedule_once(lambda dt: (print("first-frame", flush=True), self.stop()), 0)
        return Label(text="bare Kivy")
Bare().run()
"""


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from launch until the first frame is reported, and peak RSS in MB."""
    started = time.perf_counter()
    process = psutil.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peak = 0
    first_frame = None
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    buffer = b""
    while process.poll() is None:
        try:
            peak = max(peak, process.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        chunk = process.stdout.read() or b""
        buffer += chunk
        if first_frame is None and b"first-frame" in buffer:
            first_frame = time.perf_counter() - started
        time.sleep(0.005)
    buffer += process.stdout.read() or b""
    if first_frame is None and b"first-frame" in buffer:
        first_frame = time.perf_counter() - started
    if process.returncode != 0 or first_frame is None:
        raise SystemExit(f"{command} failed (exit {process.returncode}): {buffer}")
    return first_frame, peak / 1e6


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
    bare = [sys.executable, "-c", BARE_KIVY]
    try:
        measure(bare, env)  # warm the disk cache once, as after a first boot
        rows = {}
        for name, command in (("bare Kivy window", bare), ("kiosk Home screen", kiosk)):
            samples = [measure(command, env) for _ in range(RUNS)]
            rows[name] = (statistics.median(s[0] for s in samples), max(s[1] for s in samples))
    finally:
        if xvfb is not None:
            xvfb.terminate()
        shutil.rmtree(kivy_home, ignore_errors=True)
    print(f"Cold start to first frame, median of {RUNS} runs; peak RSS (max)")
    print(f"{'what':<22}{'start (s)':>11}{'peak (MB)':>11}")
    for name, (seconds, mb) in rows.items():
        print(f"{name:<22}{seconds:>11.2f}{mb:>11.0f}")
    kiosk_s, kiosk_mb = rows["kiosk Home screen"]
    bare_s, bare_mb = rows["bare Kivy window"]
    print(f"kiosk overhead: +{kiosk_s - bare_s:.2f} s, +{kiosk_mb - bare_mb:.0f} MB "
          f"(ratio {kiosk_s / bare_s:.2f}x time)")
    print(f"targets: start < 3.00 s: {'met' if kiosk_s < 3 else 'MISSED'}; "
          f"memory < 250 MB: {'met' if kiosk_mb < 250 else 'MISSED'}")


if __name__ == "__main__":
    main()
