"""The read-aloud pipeline against the espeak-ng command line, measured in the same run.

Targets (the speech issue), with the same voice and speed as the clinic configuration:

1. Read command to the first audio sample under 300 ms for every section, the longest too.
   Every section of the shipped documents is read two ways: already open (script loaded,
   as when the Reader shows it, then ``read()``) and cold (``load`` and ``read`` together).
   The time runs from the command to the moment the sink pulls the first block holding
   audible sound (a sample louder than 50 of 32767). The machine has no sound card, so the
   sink is a ClockSink paced like one, with ``_pull`` timestamping every block. Baseline:
   ``espeak-ng --stdout "<heading>"`` from launch to the first audible bytes on its pipe
   (after the 44-byte WAV header), for the same first utterances (the headings).
2. Stop or pause to silence under 100 ms. One second into a long sentence, ``stop()`` (then,
   separately, ``pause()``); the time from the call to the last audible block pulled (0 when
   that was pulled before the call), plus the sink latency (one block) while that block is
   heard. pyttsx3's own ``say()`` plays through an ``aplay`` process that cannot be
   interrupted, so for it the time is *computed*: the rest of the sentence at that moment.
3. Synthesis at least 20x faster than real time for the whole WebMD document (NINDS too):
   build every section's script and synthesise every utterance; audio seconds per wall
   second. Baseline: ``espeak-ng -w out.wav -f text`` over the same spoken text.

Every run plays in real time but stops right after the first audible block, so the whole
benchmark takes about two minutes. No audio is kept; temporary files are deleted.
Exit code 0 even when a target is missed: it is a report (FAIL is printed loudly).
Run: make bench   (or .venv/bin/python bench/speech.py [--voice natural])
"""

from __future__ import annotations

import itertools
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from array import array
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from kiosk.config import load_settings
from kiosk.content import Document, Entry, load_library
from kiosk.speech.audio import BLOCK_FRAMES, ClockSink
from kiosk.speech.clinic import clinic_voice, lexicon_path
from kiosk.speech.clip import SAMPLE_RATE
from kiosk.speech.lexicon import Lexicon, load_lexicon
from kiosk.speech.narrator import Narrator, Voice
from kiosk.speech.player import Player
from kiosk.speech.script import HEADING, Utterance, build_script
from kiosk.speech.synth import Synthesiser

DOCUMENTS = ("ninds-als", "webmd-als")
ROUNDS = 3
"""Times every section is read each way for target 1."""
STOP_RUNS = 20
"""Long sentences stopped (and, separately, paused) for target 2."""
SPEED_RUNS = 3
"""Whole-document synthesis runs for target 3 (the median is reported)."""
LOUD = 50
"""A block is audible when a sample is louder than this (of 32767)."""
WAV_HEADER = 44
SETTLE_S = 0.05
PLAY_BEFORE_STOP_S = 1.0
FIRST_AUDIO_TARGET_MS = 300.0
SILENCE_TARGET_MS = 100.0
SPEED_TARGET = 20.0
BLOCK_MS = 1000 * BLOCK_FRAMES / SAMPLE_RATE


def audible(pcm: bytes | bytearray | memoryview) -> bool:
    """True when some 16-bit sample of ``pcm`` is louder than LOUD."""
    samples = array("h", bytes(pcm[: len(pcm) // 2 * 2]))
    return bool(samples) and (max(samples) > LOUD or min(samples) < -LOUD)


class TimedSink(ClockSink):
    """A ClockSink (paced like a sound card) that notes when each audible block is pulled."""

    def __init__(self) -> None:
        super().__init__()
        self.name = "timed clock sink"
        self.heard = threading.Event()
        """Set when an audible block is pulled after the last reset()."""
        self._loud: list[float] = []
        self._lock = threading.Lock()

    def _pull(self, fill) -> bool:
        try:
            data = fill(self.block_frames)
        except Exception:
            logging.exception("the audio source failed")
            self.failed = "The speech player stopped working."
            return False
        now = time.perf_counter()
        if data is not None and audible(data):
            with self._lock:
                self._loud.append(now)
            self.heard.set()
        return True

    def reset(self) -> None:
        with self._lock:
            self._loud = []
        self.heard.clear()

    def first_sound(self) -> float | None:
        with self._lock:
            return self._loud[0] if self._loud else None

    def last_sound(self) -> float | None:
        with self._lock:
            return self._loud[-1] if self._loud else None


# -- espeak-ng command line ------------------------------------------------------------------


def cli_first_sound(text: str, voice: str, rate: int) -> float:
    """Seconds from launching ``espeak-ng --stdout`` to the first audible bytes on its pipe."""
    started = time.perf_counter()
    process = subprocess.Popen(["espeak-ng", "-v", voice, "-s", str(rate), "--stdout", text],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    fd = process.stdout.fileno()
    received = bytearray()
    checked = WAV_HEADER
    try:
        while True:
            chunk = os.read(fd, 65536)
            now = time.perf_counter()
            if not chunk:
                raise SystemExit(f"espeak-ng produced no audible sound for {text!r}")
            received += chunk
            end = checked + (len(received) - checked) // 2 * 2
            if end > checked and audible(memoryview(received)[checked:end]):
                return now - started
            checked = max(checked, end)
    finally:
        process.kill()
        process.wait()
        process.stdout.close()


def cli_synthesis(text_file: Path, wav_file: Path, voice: str, rate: int) -> tuple[float, float]:
    """Audio seconds and wall seconds of ``espeak-ng -w wav_file -f text_file``."""
    started = time.perf_counter()
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(wav_file),
                    "-f", str(text_file)], check=True, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    with wave.open(str(wav_file), "rb") as wav:
        audio = wav.getnframes() / wav.getframerate()
    wav_file.unlink()
    return audio, wall


# -- the kiosk ---------------------------------------------------------------------------------


class Bench:
    """One narrator, player and timed sink, as the Reader uses them."""

    def __init__(self, voice: Voice, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.sink = TimedSink()
        self.player = Player(self.sink)
        self.narrator = Narrator(self.player, Synthesiser.shared().synthesise, None, voice)
        self._keys = itertools.count()

    def key(self) -> tuple[str, int]:
        """A key never used before, so every load is a fresh section (no cached clips)."""
        return ("bench", next(self._keys))

    def settle(self) -> None:
        self.narrator.wait_idle()
        time.sleep(SETTLE_S)
        self.sink.reset()

    def first_sound(self, command: Callable[[], None]) -> float:
        """Seconds from ``command`` to the first audible block; then stops reading."""
        self.settle()
        started = time.perf_counter()
        command()
        if not self.sink.heard.wait(10.0):
            raise SystemExit("no sound within 10 s")
        heard = self.sink.first_sound()
        self.narrator.stop()
        self.narrator.wait_idle()
        assert heard is not None
        return heard - started

    def open_then_read(self, entry: Entry) -> float:
        self.narrator.load(self.key(), lambda: build_script(entry, self.lexicon))
        return self.first_sound(lambda: self.narrator.read(0))

    def cold_read(self, entry: Entry) -> float:
        key = self.key()

        def load_and_read() -> None:
            self.narrator.load(key, lambda: build_script(entry, self.lexicon))
            self.narrator.read(0)

        return self.first_sound(load_and_read)

    def silence_after(self, script: tuple[Utterance, ...], index: int,
                      how: str) -> tuple[float, float, bool]:
        """Seconds from stop()/pause() to silence, the sentence's unheard rest then, and
        whether it was sounding (an audible block in the two blocks before the call)."""
        self.narrator.load(self.key(), script)
        self.settle()
        self.narrator.read(index)
        if not self.sink.heard.wait(10.0):
            raise SystemExit("no sound within 10 s")
        time.sleep(PLAY_BEFORE_STOP_S)
        clip, position_ms = self.player.clip, self.player.position_ms
        before = self.sink.last_sound()
        called = time.perf_counter()
        getattr(self.narrator, how)()
        time.sleep(0.25)
        last = self.sink.last_sound()
        self.narrator.stop()
        self.narrator.wait_idle()
        assert clip is not None and last is not None and before is not None
        silence = max(0.0, last - called) + self.sink.latency_ms / 1000
        speech_ms = clip.duration_ms - script[index].pause_ms
        sounding = called - before < 2 * BLOCK_MS / 1000
        return silence, max(0.0, speech_ms - position_ms) / 1000, sounding

    def close(self) -> None:
        self.narrator.close()
        self.player.close()


def kiosk_synthesis(document: Document, lexicon: Lexicon,
                    voice: Voice) -> tuple[float, float, float]:
    """Audio seconds and wall seconds to build and synthesise every utterance of ``document``,
    and the wall seconds of building the scripts alone."""
    synthesise = Synthesiser.shared().synthesise
    started = time.perf_counter()
    building = 0.0
    audio_ms = 0.0
    for entry in document.entries:
        built = time.perf_counter()
        script = build_script(entry, lexicon)
        building += time.perf_counter() - built
        for utterance in script:
            audio_ms += synthesise(utterance.spoken.text, voice.rate, voice.voice).duration_ms
    return audio_ms / 1000, time.perf_counter() - started, building


# -- report ------------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def median_run(runs: list[tuple[float, ...]]) -> tuple[float, ...]:
    """The median of each column (audio, wall, ...) over the runs."""
    return tuple(statistics.median(column) for column in zip(*runs, strict=True))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL  <<<<<<<<<<"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main() -> None:
    settings = load_settings()
    voice = clinic_voice(settings)
    cli_voice = (voice.voice or "en").rsplit("/", 1)[-1]
    if "--voice" in sys.argv:  # e.g. --voice natural: the kiosk reads with that voice; the
        wanted = sys.argv[sys.argv.index("--voice") + 1]  # espeak-ng CLI keeps the clinic's
        voice = replace(voice, voice=wanted)
    lexicon, problems = load_lexicon(lexicon_path(settings))
    for problem in problems:
        print(f"lexicon: {problem}", file=sys.stderr)
    library = load_library(Path(settings.content_dir))
    documents = [d for name in DOCUMENTS for d in library.documents if d.id == name]
    if len(documents) != len(DOCUMENTS):
        raise SystemExit(f"expected the documents {DOCUMENTS} in {settings.content_dir}")
    espeak_version = subprocess.run(["espeak-ng", "--version"], capture_output=True,
                                    text=True, check=True).stdout.strip()
    failures: list[str] = []
    begun = time.perf_counter()

    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{espeak_version}")
    print(f"voice: {voice.voice} at {voice.rate} wpm, volume {voice.volume} "
          f"(espeak-ng CLI: -v {cli_voice} -s {voice.rate}); output: ClockSink "
          f"(no sound card), {BLOCK_MS:.0f} ms blocks")

    Synthesiser.shared().synthesise("The kiosk is ready.", voice.rate, voice.voice)  # as at start
    cli_first_sound("The kiosk is ready.", cli_voice, voice.rate)  # warm the disk cache once
    bench = Bench(voice, lexicon)
    try:
        # 1. Read command to the first audible block ------------------------------------
        sections = [(d, e) for d in documents for e in d.entries]
        headings = {(d.id, e.section.id): build_script(e, lexicon)[0] for d, e in sections}
        assert all(u.target == HEADING for u in headings.values())
        samples: dict[str, list[tuple[float, str]]] = {"open": [], "cold": [], "cli": []}
        for _ in range(ROUNDS):
            for document, entry in sections:
                name = f"{document.id} #{entry.number} {entry.section.id}"
                samples["cold"].append((bench.cold_read(entry), name))
                samples["open"].append((bench.open_then_read(entry), name))
                text = headings[(document.id, entry.section.id)].spoken.text
                samples["cli"].append((cli_first_sound(text, cli_voice, voice.rate), name))

        # 2. Stop / pause to silence --------------------------------------------------------
        scripts = [build_script(e, lexicon) for _, e in sections]
        long_ones = [(s, u.index) for s in scripts for u in s
                     if u.target != HEADING and len(u.spoken.text) >= 100]
        step = max(1, len(long_ones) // STOP_RUNS)
        chosen = long_ones[::step][:STOP_RUNS]
        stops = [bench.silence_after(s, i, "stop") for s, i in chosen]
        pauses = [bench.silence_after(s, i, "pause") for s, i in chosen]
    finally:
        bench.close()

    # 3. Synthesis speed ------------------------------------------------------------------------
    speed: dict[str, tuple[int, dict[str, tuple[float, ...]]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-speech-") as folder:
        for document in reversed(documents):  # WebMD (the target) first
            texts = [u.spoken.text for e in document.entries for u in build_script(e, lexicon)]
            text_file = Path(folder) / f"{document.id}.txt"
            text_file.write_text("\n\n".join(texts) + "\n", encoding="utf-8")
            kiosk_runs = []
            cli_runs = []
            for _ in range(SPEED_RUNS):
                kiosk_runs.append(kiosk_synthesis(document, lexicon, voice))
                cli_runs.append(cli_synthesis(text_file, Path(folder) / "out.wav", cli_voice,
                                              voice.rate))
            speed[document.id] = (len(texts), {"kiosk": median_run(kiosk_runs),
                                               "cli": median_run(cli_runs)})

    # Report ------------------------------------------------------------------------------------
    print()
    print(f"1. Read command to first audible block: every section of {', '.join(DOCUMENTS)} "
          f"({len(sections)} sections x {ROUNDS} rounds)")
    print(f"{'what':<34}{'n':>4}{'median':>9}{'p95':>9}{'max':>9}   target     result")
    labels = {"open": "kiosk, section open, read()", "cold": "kiosk, cold: load() + read()",
              "cli": "espeak-ng --stdout (heading)"}
    for kind, label in labels.items():
        values = [v for v, _ in samples[kind]]
        worst = max(values)
        target, result = "-", "(baseline)"
        if kind != "cli":
            target = "max < 300"
            ok = worst < FIRST_AUDIO_TARGET_MS / 1000
            result = verdict(ok)
            if not ok:
                failures.append(f"first audio ({kind}) max {ms(worst)} >= 300 ms")
        print(f"{label:<34}{len(values):>4}{ms(statistics.median(values)):>9}"
              f"{ms(p95(values)):>9}{ms(worst):>9}   {target:<11}{result}")
    for kind in ("open", "cold", "cli"):
        value, name = max(samples[kind])
        print(f"  worst {kind}: {name} ({ms(value)})")
    cli_median = statistics.median(v for v, _ in samples["cli"])
    for kind in ("open", "cold"):
        median = statistics.median(v for v, _ in samples[kind])
        print(f"  ratio kiosk {kind} / espeak-ng CLI (medians): {median / cli_median:.2f}x")

    print()
    print(f"2. stop() / pause() to silence: {len(chosen)} long sentences, "
          f"{PLAY_BEFORE_STOP_S:.0f} s into each (includes {BLOCK_MS:.0f} ms "
          "sink latency)")
    print(f"{'what':<44}{'n':>4}{'median':>9}{'max':>9}   target     result")
    for label, runs in (("kiosk stop()", stops), ("kiosk pause()", pauses)):
        values = [silence for silence, _, _ in runs]
        ok = max(values) < SILENCE_TARGET_MS / 1000
        if not ok:
            failures.append(f"{label} to silence max {ms(max(values))} >= 100 ms")
        print(f"{label:<44}{len(values):>4}{ms(statistics.median(values)):>9}"
              f"{ms(max(values)):>9}   max < 100  {verdict(ok)}")
    rest = [remaining for _, remaining, _ in stops]
    print(f"{'pyttsx3 say() + aplay: COMPUTED, not measured':<44}{len(rest):>4}"
          f"{ms(statistics.median(rest)):>9}{ms(max(rest)):>9}   -          (baseline)")
    print("  (aplay cannot be interrupted: silence comes when the sentence ends, so this is the")
    print("   rest of each sentence at the moment stop() was called)")
    sounding = sum(s for *_, s in stops + pauses)
    print(f"  sounding when called (audible block in the {2 * BLOCK_MS:.0f} ms before): "
          f"{sounding}/{len(stops + pauses)}")
    kiosk_stop = statistics.median(s for s, _, _ in stops)
    print(f"  ratio kiosk stop / pyttsx3 say (medians): "
          f"{kiosk_stop / statistics.median(rest):.3f}x")

    print()
    print(f"3. Synthesis speed, whole document: build scripts + synthesise every utterance "
          f"(median of {SPEED_RUNS} runs)")
    print(f"{'document':<11}{'pipeline':<20}{'utter.':>7}{'audio (s)':>11}{'wall (s)':>10}"
          f"{'x-realtime':>12}   target     result")
    for document_id, (count, runs) in speed.items():
        factors = {}
        for kind, label in (("kiosk", "kiosk (pyttsx3)"), ("cli", "espeak-ng -w -f")):
            audio, wall = runs[kind][:2]
            factors[kind] = audio / wall
            target, result = "-", "(baseline)"
            if kind == "kiosk":
                target = ">= 20x"
                ok = factors[kind] >= SPEED_TARGET
                result = verdict(ok)
                if not ok:
                    failures.append(f"{document_id} synthesis {factors[kind]:.1f}x < 20x")
            print(f"{document_id:<11}{label:<20}{count:>7}{audio:>11.1f}{wall:>10.2f}"
                  f"{factors[kind]:>11.0f}x   {target:<11}{result}")
        print(f"{'':<11}of the kiosk's wall time, building the scripts: {runs['kiosk'][2]:.2f} s")
        print(f"{'':<11}ratio kiosk / CLI x-realtime: {factors['kiosk'] / factors['cli']:.2f}x")

    print()
    print(f"benchmark took {time.perf_counter() - begun:.0f} s")
    if failures:
        print("*" * 72)
        for failure in failures:
            print(f"*** FAIL: {failure}")
        print("*" * 72)
    else:
        print("all speech targets met")


if __name__ == "__main__":
    main()
