"""The read-aloud pipeline against the espeak-ng command line, measured in the same run.

Targets (the speech issue), with the same voice and speed as the clinic configuration:

1. Read command to the first audio sample under 300 ms for every section, the longest too,
   and when moving on to the next section while the narrator prepares a long sentence.
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

4. Memory: the resident memory the voice adds when it is loaded and reads its first sentence,
   and after reading both documents (read from /proc/self/status).
5. Intelligibility: Whisper tiny.en (the kiosk's recogniser, transcribing freely with
   faster-whisper, as a listener who knows English but not our documents) transcribes each
   voice reading the same sections (the first WER_SECTIONS of each document); word error rate
   against the text on screen, after the same normalisation of both as follow-along's
   (kiosk.follow.words_of: lower case, no punctuation, spelled letters joined).

Both synthesisers are measured in one run, side by side: the clinic's espeak-ng voice and the
natural voice (Piper; kiosk/speech/natural.py), each through the kiosk's own pipeline; the
espeak-ng command line is the baseline for 1 and 3. ``--voice ID`` measures only that voice.
Every read plays in real time but stops right after the first audible block; the whole
benchmark takes about eight minutes. No audio is kept; temporary files are deleted.
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
from dataclasses import dataclass, field, replace
from pathlib import Path

from kiosk.config import load_settings
from kiosk.content import Document, Entry, load_library
from kiosk.follow import words_of
from kiosk.speech.audio import BLOCK_FRAMES, ClockSink
from kiosk.speech.clinic import clinic_voice, lexicon_path
from kiosk.speech.clip import SAMPLE_RATE
from kiosk.speech.lexicon import Lexicon, load_lexicon
from kiosk.speech.narrator import Narrator, Voice
from kiosk.speech.natural import NATURAL
from kiosk.speech.player import Player
from kiosk.speech.script import HEADING, Utterance, build_script
from kiosk.speech.synth import Synthesiser
from kiosk.voice.models import whisper_model_dir
from kiosk.voice.sources import resample

DOCUMENTS = ("ninds-als", "webmd-als")
ROUNDS = 3
"""Times every section is read each way for target 1."""
STOP_RUNS = 20
"""Long sentences stopped (and, separately, paused) for target 2."""
SPEED_RUNS = 3
"""Whole-document synthesis runs for target 3 (the median is reported) ..."""
SPEED_BUDGET_S = 60.0
"""... or fewer when a run takes longer than this (the natural voice: one run)."""
WER_SECTIONS = 3
"""Sections of each document transcribed for target 5."""
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

    def switch_read(self, entry: Entry, other: Entry, stop_look_ahead: bool = True) -> float:
        """Seconds from moving to ``other`` (stop, load, read) to its first audible block,
        while ``entry``'s longest sentence is being prepared: the sentence before it has just
        become audible. With ``stop_look_ahead`` False, the narrator finishes preparing it
        first (as before the look-ahead could be cancelled): the baseline."""
        script = build_script(entry, self.lexicon)
        longest = max(range(1, len(script)), key=lambda i: len(script[i].spoken.text))
        self.narrator.load(self.key(), script)
        self.settle()
        self.narrator.read(longest - 1)
        if not self.sink.heard.wait(10.0):
            raise SystemExit("no sound within 10 s")
        cancel = self.narrator._cancel_look_ahead
        if not stop_look_ahead:
            self.narrator._cancel_look_ahead = lambda keep=None: None
        try:
            started = time.perf_counter()
            self.narrator.stop()
            self.sink.reset()
            self.narrator.load(self.key(), lambda: build_script(other, self.lexicon))
            self.narrator.read(0)
            if not self.sink.heard.wait(10.0):
                raise SystemExit("no sound within 10 s")
        finally:
            self.narrator._cancel_look_ahead = cancel
        heard = self.sink.first_sound()
        self.narrator.stop()
        self.narrator.wait_idle()
        assert heard is not None
        return heard - started

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


# -- memory and intelligibility ---------------------------------------------------------------


def resident_mb() -> float:
    """This process's resident memory now, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def errors(reference: list[str], heard: list[str]) -> int:
    """Word edits (substitutions, deletions, insertions) from ``reference`` to ``heard``."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(reference, heard)


class Listener:
    """Whisper tiny.en transcribing freely (faster-whisper, greedy, int8, two threads)."""

    def __init__(self) -> None:
        from faster_whisper import WhisperModel

        folder = whisper_model_dir()
        if folder is None:
            raise SystemExit("the Whisper model package is not installed (make setup)")
        self.model = WhisperModel(str(folder), device="cpu", compute_type="int8",
                                  cpu_threads=2, local_files_only=True)

    def transcribe(self, pcm: bytes, rate: int) -> str:
        samples = array("h", pcm[: len(pcm) // 2 * 2])
        import numpy as np

        audio = resample(np.asarray(samples, dtype=np.float32) / 32768, rate)
        segments, _ = self.model.transcribe(audio, beam_size=1, language="en",
                                            condition_on_previous_text=False)
        return " ".join(segment.text for segment in segments)


def intelligibility(listener: Listener, entries: list[tuple[Document, Entry]],
                    lexicon: Lexicon, voice: Voice) -> tuple[int, int, list[str]]:
    """Word errors and reference words over ``entries`` read by ``voice``, and the worst
    section's transcript beside its text (for the reader of the report)."""
    synthesise = Synthesiser.shared().synthesise
    total_errors = total_words = 0
    worst: tuple[float, list[str]] = (-1.0, [])
    for document, entry in entries:
        script = build_script(entry, lexicon)
        pcm = bytearray()
        for utterance in script:
            clip = synthesise(utterance.spoken.text, voice.rate, voice.voice)
            pcm += clip.pcm + bytes(2 * SAMPLE_RATE * 3 // 10)  # 300 ms between sentences
        reference = words_of(" ".join(u.display for u in script))
        heard = listener.transcribe(bytes(pcm), SAMPLE_RATE)
        wrong = errors(reference, words_of(heard))
        total_errors += wrong
        total_words += len(reference)
        rate = wrong / max(1, len(reference))
        if rate > worst[0]:
            worst = (rate, [f"{document.id} #{entry.number}: {100 * rate:.1f}% word errors",
                            f"  text:  {' '.join(reference)[:300]}",
                            f"  heard: {' '.join(words_of(heard))[:300]}"])
    return total_errors, total_words, worst[1]


# -- one voice ---------------------------------------------------------------------------------


@dataclass
class Measured:
    """Everything measured for one voice."""

    voice: Voice
    loaded_mb: float = 0.0
    after_reading_mb: float = 0.0
    first: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    stops: list[tuple[float, float, bool]] = field(default_factory=list)
    pauses: list[tuple[float, float, bool]] = field(default_factory=list)
    speed: dict[str, tuple[int, tuple[float, ...]]] = field(default_factory=dict)
    wer: tuple[int, int, list[str]] = (0, 0, [])

    @property
    def name(self) -> str:
        return "natural (Piper)" if self.voice.voice == NATURAL else f"{self.voice.voice}"


def measure(voice: Voice, lexicon: Lexicon, documents: list[Document],
            listener: Listener) -> Measured:
    """Targets 1 to 5 for ``voice``, as the Reader uses it."""
    result = Measured(voice)
    print(f"measuring {result.name} ...", flush=True)
    if voice.voice == NATURAL:  # espeak-ng is loaded in every kiosk: not the natural voice's
        Synthesiser.shared().synthesise("The kiosk is ready.", voice.rate, None)
    before = resident_mb()
    Synthesiser.shared().synthesise("The kiosk is ready.", voice.rate, voice.voice)  # as at start
    result.loaded_mb = resident_mb() - before
    bench = Bench(voice, lexicon)
    sections = [(d, e) for d in documents for e in d.entries]
    try:
        # 1. Read command to the first audible block ------------------------------------
        result.first = {"open": [], "cold": [], "switch": [], "switch, waiting": []}
        for _ in range(ROUNDS):
            for document, entry in sections:
                name = f"{document.id} #{entry.number} {entry.section.id}"
                result.first["cold"].append((bench.cold_read(entry), name))
                result.first["open"].append((bench.open_then_read(entry), name))
        for (_, entry), (document, other) in itertools.pairwise(sections):
            name = f"{document.id} #{other.number} {other.section.id}"
            result.first["switch"].append((bench.switch_read(entry, other), name))
            result.first["switch, waiting"].append(
                (bench.switch_read(entry, other, stop_look_ahead=False), name))

        # 2. Stop / pause to silence --------------------------------------------------------
        result.stops = [bench.silence_after(s, i, "stop") for s, i in long_sentences(
            sections, lexicon)]
        result.pauses = [bench.silence_after(s, i, "pause") for s, i in long_sentences(
            sections, lexicon)]
    finally:
        bench.close()

    # 3. Synthesis speed ------------------------------------------------------------------------
    for document in reversed(documents):  # WebMD (the target) first
        count = sum(len(build_script(e, lexicon)) for e in document.entries)
        runs = []
        started = time.perf_counter()
        while len(runs) < SPEED_RUNS and (not runs
                                          or time.perf_counter() - started < SPEED_BUDGET_S):
            runs.append(kiosk_synthesis(document, lexicon, voice))
        result.speed[document.id] = (count, median_run(runs))
    result.after_reading_mb = resident_mb() - before

    # 5. Intelligibility ------------------------------------------------------------------------
    chosen = [(d, e) for d in documents for e in d.entries[:WER_SECTIONS]]
    result.wer = intelligibility(listener, chosen, lexicon, voice)
    return result


def long_sentences(sections: list[tuple[Document, Entry]],
                   lexicon: Lexicon) -> list[tuple[tuple[Utterance, ...], int]]:
    """STOP_RUNS long sentences spread over the documents (scripts, index in each)."""
    scripts = [build_script(e, lexicon) for _, e in sections]
    long_ones = [(s, u.index) for s in scripts for u in s
                 if u.target != HEADING and len(u.spoken.text) >= 100]
    step = max(1, len(long_ones) // STOP_RUNS)
    return long_ones[::step][:STOP_RUNS]


def command_line(documents: list[Document], lexicon: Lexicon, voice: str, rate: int,
                 ) -> tuple[list[tuple[float, str]], dict[str, tuple[float, ...]]]:
    """The espeak-ng command line's first audio for every heading (ROUNDS times) and its
    whole-document synthesis: the baselines."""
    first = []
    for _ in range(ROUNDS):
        for document in documents:
            for entry in document.entries:
                heading = build_script(entry, lexicon)[0]
                assert heading.target == HEADING
                first.append((cli_first_sound(heading.spoken.text, voice, rate),
                              f"{document.id} #{entry.number} {entry.section.id}"))
    speed = {}
    with tempfile.TemporaryDirectory(prefix="bench-speech-") as folder:
        for document in reversed(documents):
            texts = [u.spoken.text for e in document.entries for u in build_script(e, lexicon)]
            text_file = Path(folder) / f"{document.id}.txt"
            text_file.write_text("\n\n".join(texts) + "\n", encoding="utf-8")
            speed[document.id] = median_run([
                cli_synthesis(text_file, Path(folder) / "out.wav", voice, rate)
                for _ in range(SPEED_RUNS)])
    return first, speed


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


def report(results: list[Measured], cli_first: list[tuple[float, str]],
           cli_speed: dict[str, tuple[float, ...]], documents: list[Document]) -> list[str]:
    """Print the side-by-side tables; the targets missed."""
    failures: list[str] = []
    sections = sum(len(d.entries) for d in documents)
    print()
    print(f"1. Read command to first audible block: every section of {', '.join(DOCUMENTS)} "
          f"({sections} sections x {ROUNDS} rounds)")
    print(f"{'voice':<18}{'how':<26}{'n':>4}{'median':>9}{'p95':>9}{'max':>9}   target     "
          "result")
    rows = [(m.name, label, m.first[kind]) for m in results for kind, label in
            (("open", "section open, read()"), ("cold", "cold: load() + read()"),
             ("switch", "moving on while preparing"), ("switch, waiting", "same, not stopping"))]
    rows.append(("espeak-ng CLI", "--stdout (heading)", cli_first))
    for name, label, samples in rows:
        values = [v for v, _ in samples]
        worst = max(values)
        target, result = "-", "(baseline)"
        if name != "espeak-ng CLI" and label != "same, not stopping":
            target = "max < 300"
            ok = worst < FIRST_AUDIO_TARGET_MS / 1000
            result = verdict(ok)
            if not ok:
                failures.append(f"{name}: first audio ({label}) max {ms(worst)} >= 300 ms")
        print(f"{name:<18}{label:<26}{len(values):>4}{ms(statistics.median(values)):>9}"
              f"{ms(p95(values)):>9}{ms(worst):>9}   {target:<11}{result}")
    for name, label, samples in rows:
        value, where = max(samples)
        print(f"  worst, {name}, {label}: {where} ({ms(value)})")
    print("  (moving on: reading stops while the section's longest sentence is being prepared")
    print("   and the next section is read; 'not stopping' lets that preparation finish first,")
    print("   as the narrator did before it could stop it: the baseline)")

    print()
    print(f"2. stop() / pause() to silence: {STOP_RUNS} long sentences, "
          f"{PLAY_BEFORE_STOP_S:.0f} s into each (includes {BLOCK_MS:.0f} ms sink latency)")
    print(f"{'voice':<18}{'what':<26}{'n':>4}{'median':>9}{'max':>9}   target     result")
    for m in results:
        for label, runs in (("stop()", m.stops), ("pause()", m.pauses)):
            values = [silence for silence, _, _ in runs]
            ok = max(values) < SILENCE_TARGET_MS / 1000
            if not ok:
                failures.append(f"{m.name}: {label} to silence max {ms(max(values))} >= 100 ms")
            print(f"{m.name:<18}{label:<26}{len(values):>4}{ms(statistics.median(values)):>9}"
                  f"{ms(max(values)):>9}   max < 100  {verdict(ok)}")
        rest = [remaining for _, remaining, _ in m.stops]
        print(f"{m.name:<18}{'say() + aplay: COMPUTED':<26}{len(rest):>4}"
              f"{ms(statistics.median(rest)):>9}{ms(max(rest)):>9}   -          (baseline)")
        sounding = sum(s for *_, s in m.stops + m.pauses)
        print(f"  {m.name}: sounding when called {sounding}/{len(m.stops + m.pauses)}")
    print("  (pyttsx3's say() plays through aplay, which cannot be interrupted: its silence comes")
    print("   when the sentence ends, so that row is the rest of each sentence at the call)")

    print()
    print("3. Synthesis speed, whole document: build scripts + synthesise every utterance "
          f"(median of up to {SPEED_RUNS} runs)")
    print(f"{'document':<11}{'pipeline':<20}{'utter.':>7}{'audio (s)':>11}{'wall (s)':>10}"
          f"{'x-realtime':>12}   target     result")
    for document in reversed(documents):
        for m in results:
            count, (audio, wall, _building) = m.speed[document.id]
            factor = audio / wall
            ok = factor >= SPEED_TARGET
            if not ok:
                failures.append(f"{m.name}: {document.id} synthesis {factor:.1f}x < 20x")
            print(f"{document.id:<11}{m.name:<20}{count:>7}{audio:>11.1f}{wall:>10.2f}"
                  f"{factor:>11.0f}x   {'>= 20x':<11}{verdict(ok)}")
        audio, wall = cli_speed[document.id][:2]
        print(f"{document.id:<11}{'espeak-ng -w -f':<20}{'':>7}{audio:>11.1f}{wall:>10.2f}"
              f"{audio / wall:>11.0f}x   {'-':<11}(baseline)")

    print()
    print("4. Resident memory the voice adds (MB)")
    print(f"{'voice':<18}{'loaded, 1 sentence':>20}{'after both documents':>22}")
    for m in results:
        print(f"{m.name:<18}{m.loaded_mb:>20.0f}{m.after_reading_mb:>22.0f}")

    print()
    chosen = sum(min(WER_SECTIONS, len(d.entries)) for d in documents)
    print(f"5. Intelligibility: Whisper tiny.en's transcript of the first {WER_SECTIONS} "
          f"sections of each document ({chosen} sections), word error rate against the text")
    print(f"{'voice':<18}{'words':>7}{'errors':>8}{'WER':>8}")
    for m in results:
        wrong, words, _ = m.wer
        print(f"{m.name:<18}{words:>7}{wrong:>8}{100 * wrong / max(1, words):>7.1f}%")
    for m in results:
        print(f"  worst section, {m.name}:")
        for line in m.wer[2]:
            print(f"    {line}")
    return failures


def main() -> None:
    settings = load_settings()
    clinic = clinic_voice(settings)
    cli_voice = (clinic.voice or "en").rsplit("/", 1)[-1]
    voices = [clinic, replace(clinic, voice=NATURAL)]
    if clinic.voice == NATURAL:
        voices = [replace(clinic, voice=None), clinic]
    if "--voice" in sys.argv:  # e.g. --voice natural: only that voice
        wanted = sys.argv[sys.argv.index("--voice") + 1]
        voices = [replace(clinic, voice=wanted)]
    lexicon, problems = load_lexicon(lexicon_path(settings))
    for problem in problems:
        print(f"lexicon: {problem}", file=sys.stderr)
    library = load_library(Path(settings.content_dir))
    documents = [d for name in DOCUMENTS for d in library.documents if d.id == name]
    if len(documents) != len(DOCUMENTS):
        raise SystemExit(f"expected the documents {DOCUMENTS} in {settings.content_dir}")
    espeak_version = subprocess.run(["espeak-ng", "--version"], capture_output=True,
                                    text=True, check=True).stdout.strip()
    begun = time.perf_counter()

    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{espeak_version}")
    print(f"voices: {', '.join(str(v.voice) for v in voices)} at {clinic.rate} wpm, volume "
          f"{clinic.volume} (espeak-ng CLI: -v {cli_voice} -s {clinic.rate}); output: "
          f"ClockSink (no sound card), {BLOCK_MS:.0f} ms blocks")
    cli_first_sound("The kiosk is ready.", cli_voice, clinic.rate)  # warm the disk cache once
    listener = Listener()
    results = [measure(voice, lexicon, documents, listener) for voice in voices]
    cli_first, cli_speed = command_line(documents, lexicon, cli_voice, clinic.rate)
    failures = report(results, cli_first, cli_speed, documents)

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
