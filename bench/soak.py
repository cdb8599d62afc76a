"""Soak: 20,000 random actions against the real app, reporting memory growth and slow frames.

The walk is the soak test's (tests/soak_walk.py): voice commands, touches, dwell, switch
scanning, keys, reading controls, settings changes and resets for the next person, on the real
app in a 1920x1080 window under Xvfb, with real speech into a silent clock (the path the kiosk
takes with no sound card). Targets (issue 6): memory growth under 10 % after warm-up, and
every slow frame reported. In the same run it measures the frame time of Home left idle, as
the baseline a frame costs when nothing happens.

Run: make soak, or .venv/bin/python bench/soak.py [--steps N] [--warm-up N]   (starts its
own Xvfb when there is no DISPLAY; about 45 minutes for 20,000 steps on 2 cores). The test
suite keeps a 400-step walk (tests/test_gui_soak.py) with the same checks after every step.
"""

from __future__ import annotations

import argparse
import gc
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
sys.path.insert(0, str(ROOT / "tests"))
SLOW_MS = 100
"""A frame slower than this is reported (a 10 fps stutter)."""
VERY_SLOW_MS = 500
CHUNK = 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--warm-up", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    xvfb = None
    if not os.environ.get("DISPLAY"):  # a free display number, chosen by Xvfb itself
        read_fd, write_fd = os.pipe()
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                                 "1920x1080x24", "-nolisten", "tcp"], pass_fds=(write_fd,),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            os.environ["DISPLAY"] = f":{pipe.readline().strip()}"
    kivy_home = tempfile.mkdtemp(prefix="kiosk-soak-")
    os.environ["KIVY_HOME"] = kivy_home
    try:
        return soak(args.steps, args.warm_up, args.seed)
    finally:
        shutil.rmtree(kivy_home, ignore_errors=True)
        if xvfb is not None:
            xvfb.terminate()


def soak(steps: int, warm_up: int, seed: int) -> int:
    from kiosk.config import Settings
    from kiosk.ui import prepare_kivy

    settings = Settings(window_width=1920, window_height=1080, idle_seconds=0)
    prepare_kivy(settings.window_width, settings.window_height, fullscreen=False)
    from kiosk_pilot import Pilot
    from kivy.base import EventLoop, runTouchApp, stopTouchApp
    from soak_walk import StuckError, Walk

    from kiosk.speech.audio import ClockSink
    from kiosk.ui.app import KioskApp
    from kiosk.voice.sources import FileMic

    app = KioskApp(settings, audio_sink=ClockSink(), mic_source=FileMic([], speed=1.0))
    app._run_prepare()
    runTouchApp(embedded=True)
    pilot = Pilot(app, ROOT / "tests" / "artifacts")
    process = psutil.Process()

    def frame_ms(count: int) -> list[float]:
        times = []
        for _ in range(count):
            began = time.perf_counter()
            EventLoop.idle()
            times.append((time.perf_counter() - began) * 1000)
        return times

    pilot.frames(30)
    idle = frame_ms(300)
    walk = Walk(pilot, seed=seed)
    memory: list[tuple[int, float]] = [(0, rss_mb(process))]
    began = time.monotonic()
    failure = None
    try:
        done = 0
        while done < steps:
            count = min(CHUNK, steps - done)
            walk.run(count)
            done += count
            gc.collect()
            memory.append((done, rss_mb(process)))
            print(f"  {done:6d} steps  {memory[-1][1]:6.1f} MB  "
                  f"{time.monotonic() - began:6.0f} s", flush=True)
    except StuckError as error:
        failure = str(error)
    finally:
        app.stop()
        stopTouchApp()
    report(walk, idle, memory, warm_up, time.monotonic() - began, failure)
    return 1 if failure else 0


def rss_mb(process: psutil.Process) -> float:
    return process.memory_info().rss / 1e6


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(walk, idle: list[float], memory: list[tuple[int, float]], warm_up: int,
           seconds: float, failure: str | None) -> None:
    frames = walk.report.frame_ms
    print()
    print(f"soak: {walk.report.steps} steps in {seconds / 60:.1f} min "
          f"({', '.join(f'{k} {v}' for k, v in sorted(walk.report.kinds.items()))}); "
          f"screens {', '.join(sorted(walk.report.screens))}; "
          f"{walk.report.liveness_checks} not-stuck checks")
    if failure:
        print(f"FAILED: {failure}")
    print()
    print("| frames | count | median | p95 | p99 | max | > 100 ms | > 500 ms |")
    print("|---|---|---|---|---|---|---|---|")
    for name, values in (("Home left idle (baseline)", idle), ("during the walk", frames)):
        slow = sum(v > SLOW_MS for v in values)
        very = sum(v > VERY_SLOW_MS for v in values)
        print(f"| {name} | {len(values)} | {statistics.median(values):.0f} ms | "
              f"{percentile(values, 0.95):.0f} ms | {percentile(values, 0.99):.0f} ms | "
              f"{max(values):.0f} ms | {slow} ({100 * slow / len(values):.1f} %) | {very} |")
    print()
    after = next(((n, mb) for n, mb in memory if n >= warm_up), memory[-1])
    end = memory[-1]
    growth = 100 * (end[1] - after[1]) / after[1]
    print(f"memory (RSS after gc): start {memory[0][1]:.0f} MB, after warm-up ({after[0]} "
          f"steps) {after[1]:.0f} MB, end ({end[0]} steps) {end[1]:.0f} MB: growth after "
          f"warm-up {growth:+.1f} % (target under 10 %: {'ok' if growth < 10 else 'MISSED'})")
    print("by step: " + ", ".join(f"{n}: {mb:.0f}" for n, mb in memory))


if __name__ == "__main__":
    sys.exit(main())
