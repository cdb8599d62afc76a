"""Audio output and the player: what is recorded, when it stops, and what position it reports.

There is no sound card on the test machines, so the sound goes to ClockSinks (a WAV file or
nowhere). Where timing is measured the player and its sink share a FakeClock that the test
moves on, so nothing waits in real time; faster sinks are used where only the samples matter,
and a few tests keep the real clock to check the real-time pacing itself. DeviceSink is
exercised through a stand-in for the sounddevice module.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import threading
import time
import types
import wave
from array import array
from pathlib import Path

import pytest
from audio_tools import FakeClock

from kiosk.speech import audio
from kiosk.speech.audio import ClockSink, DeviceSink, Sink, open_output
from kiosk.speech.clip import SAMPLE_RATE, Clip
from kiosk.speech.player import Player

BLOCK = 512
BLOCK_BYTES = BLOCK * 2


# Clips ------------------------------------------------------------------------------------


def tone(ms: float, freq: float = 440.0, amplitude: int = 12000) -> Clip:
    """A sine tone, never exactly silent for a whole block."""
    frames = int(SAMPLE_RATE * ms / 1000)
    step = 2 * math.pi * freq / SAMPLE_RATE
    samples = array("h", (int(amplitude * math.sin(step * i)) for i in range(frames)))
    return Clip(samples.tobytes())


def ramp(frames: int, offset: int = -30000) -> Clip:
    """Every sample different from its neighbours, so repeats and skips show."""
    samples = array("h", ((i % 60000) + offset for i in range(frames)))
    return Clip(samples.tobytes())


@pytest.fixture(scope="session")
def speech(tmp_path_factory) -> Clip:
    """Real speech from espeak-ng (22,050 Hz mono int16)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        pytest.fail("espeak-ng is not installed; run the README's set-up command")
    path = tmp_path_factory.mktemp("speech") / "speech.wav"
    text = "Breathing support can be adjusted at night."
    subprocess.run([espeak, "-w", str(path), text], check=True, timeout=30)
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        return Clip(wav.readframes(wav.getnframes()), rate=wav.getframerate())


def recorded(path: Path) -> bytes:
    """The audio in a WAV written by a file sink, after checking its format."""
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, SAMPLE_RATE)
        return wav.readframes(wav.getnframes())


def assert_clip_then_padding(data: bytes, clip: Clip) -> None:
    """The recording is the clip, then only the zeros that fill its last block."""
    assert data[: len(clip.pcm)] == clip.pcm
    padding = data[len(clip.pcm) :]
    assert len(padding) < BLOCK_BYTES
    assert padding == bytes(len(padding))
    assert (len(clip.pcm) + len(padding)) % BLOCK_BYTES == 0


class TimedSink(ClockSink):
    """A file sink that also notes when each block was pulled and whether it had sound."""

    def __init__(self, path: Path, clock: FakeClock) -> None:
        super().__init__(path=path, clock=clock)
        self.blocks: list[tuple[float, bool]] = []

    def start(self, fill) -> None:
        def timed(frames: int):
            data = fill(frames)
            self.blocks.append((self._clock(), data is not None and any(data)))
            return data

        super().start(timed)


class ManualSink(Sink):
    """A sink the test pulls from by hand, block by block."""

    def __init__(self, latency_ms: float = 0.0) -> None:
        self.name = "test sink"
        self.latency_ms = latency_ms
        self.fill = None
        self.closed = 0

    def start(self, fill) -> None:
        self.fill = fill

    def close(self) -> None:
        self.closed += 1


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def players():
    """Players made by a test, closed afterwards even when it fails."""
    made: list[Player] = []

    def make(sink: Sink, clock=time.monotonic) -> Player:
        made.append(Player(sink, clock=clock))
        return made[-1]

    yield make
    for player in made:
        player.close()


# File sink: what is recorded ---------------------------------------------------------------


def test_file_sink_records_exactly_the_clip(speech, tmp_path, players):
    path = tmp_path / "out.wav"
    sink = ClockSink(path=path, speed=20)
    player = players(sink)
    done = threading.Event()
    player.play(speech, done.set)
    assert done.wait(5), "the clip never finished"
    player.close()
    data = recorded(path)
    assert_clip_then_padding(data, speech)
    assert sink.frames_written * 2 == len(data)
    assert player.state == "idle"


def test_on_finished_fires_once_after_the_clip_duration(players, clock):
    clip = tone(400)
    calls: list[tuple[float, str]] = []
    player = players(ClockSink(clock=clock), clock)
    start = clock()
    player.play(clip, lambda: calls.append((clock(), threading.current_thread().name)))
    clock.run_until(lambda: calls, "on_finished")
    clock.advance(0.1)  # a few more blocks: it must not fire again
    assert len(calls) == 1
    late_ms = (calls[0][0] - start) * 1000 - clip.duration_ms
    print(f"on_finished {late_ms:.1f} ms after the clip duration")
    assert -5 <= late_ms <= 80
    assert calls[0][1] != threading.current_thread().name
    assert player.state == "idle"
    assert player.position_ms == pytest.approx(clip.duration_ms)


def test_stop_mid_clip_silences_within_100_ms(tmp_path, players, clock):
    clip = ramp(SAMPLE_RATE)  # one second
    path = tmp_path / "stopped.wav"
    sink = TimedSink(path, clock)
    player = players(sink, clock)
    finished = threading.Event()
    player.play(clip, finished.set)
    clock.advance(0.3)
    stopped_at = clock()
    player.stop()
    clock.advance(0.05)
    assert sink.blocks[-1][0] > stopped_at, "no block was pulled after stop()"
    written = sink.frames_written
    clock.advance(0.1)
    assert sink.frames_written == written, "audio was still recorded after stop()"
    player.close()

    data = recorded(path)
    assert 0 < len(data) < len(clip.pcm)
    assert clip.pcm.startswith(data)
    last_sound = max(moment for moment, sound in sink.blocks if sound)
    pulled_ms = (last_sound - stopped_at) * 1000
    heard_until_ms = pulled_ms + sink.latency_ms
    print(f"stop: last block with sound pulled {pulled_ms:.1f} ms after stop(), "
          f"heard until {heard_until_ms:.1f} ms after stop()")
    assert heard_until_ms < 100
    assert not finished.is_set()
    assert (player.state, player.clip, player.position_ms) == ("idle", None, 0.0)


def test_pause_keeps_the_position_and_resume_continues(tmp_path, players, clock):
    clip = ramp(int(SAMPLE_RATE * 0.6))
    path = tmp_path / "paused.wav"
    sink = ClockSink(path=path, clock=clock)
    player = players(sink, clock)
    done = threading.Event()
    player.play(clip, done.set)
    clock.advance(0.2)
    player.pause()
    clock.advance(0.06)  # the last block handed out is heard to its end
    paused_at = player.position_ms
    written = sink.frames_written
    clock.advance(0.15)
    assert player.state == "paused"
    assert player.position_ms == paused_at
    assert sink.frames_written == written, "audio was recorded while paused"
    assert 140 <= paused_at <= 260
    player.resume()
    assert player.position_ms >= paused_at
    clock.run_until(done.is_set, "the end of the resumed clip")
    assert_clip_then_padding(recorded(path), clip)


def test_position_tracks_the_clock(players, clock):
    clip = tone(1600)
    player = players(ClockSink(clock=clock), clock)
    start = clock()
    player.play(clip)
    errors = []
    for moment in (0.1, 0.3, 0.6, 0.9):
        clock.advance(start + moment - clock())
        errors.append(player.position_ms - moment * 1000)
    print("position minus elapsed time (ms):", ", ".join(f"{error:+.1f}" for error in errors))
    assert all(abs(error) <= 60 for error in errors)

    # Smooth: it moves between blocks, not only once per 23 ms block, and never backwards.
    samples = []
    while len(samples) < 100:
        samples.append(player.position_ms)
        clock.advance(0.002)
    assert samples == sorted(samples)
    assert len(set(samples)) > 50


def test_position_is_the_heard_sound_not_the_sent_sound(players):
    sink = ManualSink(latency_ms=100)
    player = players(sink)
    clip = tone(1000)
    player.play(clip)
    assert player.position_ms == 0.0
    for _ in range(4):  # 93 ms handed out, none of it heard yet
        sink.fill(BLOCK)
    assert player.position_ms == 0.0
    for _ in range(6):  # 232 ms handed out: 132 ms heard
        sink.fill(BLOCK)
    assert player.position_ms == pytest.approx(1000 * 10 * BLOCK / SAMPLE_RATE - 100, abs=5)


# Volume and replacing -----------------------------------------------------------------------


def test_volume_half_halves_the_samples(tmp_path, players):
    clip = tone(300, amplitude=20000)
    path = tmp_path / "half.wav"
    player = players(ClockSink(path=path, speed=20))
    player.volume = 0.5
    done = threading.Event()
    player.play(clip, done.set)
    assert done.wait(2)
    player.close()
    out = array("h", recorded(path)[: len(clip.pcm)])
    original = array("h", clip.pcm)
    assert max(original) > 19000
    assert all(abs(2 * half - full) <= 1 for half, full in zip(out, original, strict=True))


def test_volume_is_clamped_and_applies_from_the_next_block(players):
    sink = ManualSink()
    player = players(sink)
    clip = tone(200, amplitude=20000)
    player.play(clip)
    first = sink.fill(BLOCK)
    assert isinstance(first, memoryview) and first.obj is clip.pcm  # full volume: no copy
    player.volume = 0.25
    second = array("h", bytes(sink.fill(BLOCK)))
    expected = array("h", clip.pcm[BLOCK_BYTES : 2 * BLOCK_BYTES])
    assert all(abs(4 * a - b) <= 3 for a, b in zip(second, expected, strict=True))
    player.volume = 7
    assert player.volume == 1.0
    player.volume = -1
    assert player.volume == 0.0
    assert sink.fill(BLOCK) == bytes(BLOCK_BYTES)


def test_play_while_playing_replaces_the_clip(tmp_path, players, clock):
    first, second = tone(1000), ramp(20 * BLOCK)
    path = tmp_path / "replaced.wav"
    player = players(ClockSink(path=path, clock=clock), clock)
    finished: list[str] = []
    player.play(first, lambda: finished.append("first"))
    clock.advance(0.2)
    player.play(second, lambda: finished.append("second"))
    assert player.clip is second
    clock.run_until(lambda: finished, "the second clip's end")
    clock.advance(0.25)
    player.close()
    data = recorded(path)
    cut = len(data) - len(second.pcm)
    assert 0 < cut < len(first.pcm)
    assert cut % BLOCK_BYTES == 0
    assert data[:cut] == first.pcm[:cut]
    assert data[cut:] == second.pcm
    assert finished == ["second"]


# Opening and closing outputs ---------------------------------------------------------------


def test_open_output_auto_on_this_machine_does_not_raise():
    sink, reason = open_output("auto")
    try:
        if sink.audible:  # a machine with a sound card
            assert isinstance(sink, DeviceSink) and reason is None
        else:
            assert isinstance(sink, ClockSink)
            assert reason is not None and reason.startswith("Sound is unavailable")
            assert "highlighted" in reason
            assert sink.name == "no sound device (silent)"
    finally:
        sink.close()


def test_open_output_without_portaudio(monkeypatch):
    def missing():
        raise OSError("PortAudio library not found")

    monkeypatch.setattr(audio, "load_sounddevice", missing)
    sink, reason = open_output("device")
    assert isinstance(sink, ClockSink) and not sink.audible
    assert "PortAudio" in reason
    sink.close()


def test_open_output_file_writes_a_valid_wav(tmp_path, players):
    path = tmp_path / "export.wav"
    sink, reason = open_output("file", path)
    assert isinstance(sink, ClockSink) and not sink.audible
    assert sink.name == "file export.wav" and "export.wav" in reason
    clip = tone(60)
    player = players(sink)
    done = threading.Event()
    player.play(clip, done.set)
    assert done.wait(1)
    player.close()
    assert_clip_then_padding(recorded(path), clip)


def test_open_output_rejects_unknown_kinds():
    with pytest.raises(ValueError):
        open_output("speakers")
    with pytest.raises(ValueError):
        open_output("file")


def test_close_is_idempotent_and_prompt(tmp_path):
    sink = ClockSink(path=tmp_path / "closed.wav")
    player = Player(sink)
    player.play(tone(2000))
    time.sleep(0.05)
    started = time.monotonic()
    player.close()
    player.close()
    sink.close()
    assert time.monotonic() - started < 0.5
    assert not sink._thread.is_alive()
    written = sink.frames_written
    time.sleep(0.05)
    assert sink.frames_written == written


def test_clock_sink_keeps_real_time_pace():
    sink = ClockSink()
    pulls: list[float] = []
    sink.start(lambda frames: pulls.append(time.monotonic()))
    time.sleep(0.5)
    sink.close()
    blocks_due = (pulls[-1] - pulls[0]) * SAMPLE_RATE / BLOCK
    assert abs((len(pulls) - 1) - blocks_due) < 1.5  # no drift


# DeviceSink through a stand-in for sounddevice --------------------------------------------


class FakePortAudioError(Exception):
    pass


class FakeCallbackAbort(Exception):
    pass


class FakeStream:
    """Calls the callback every block at real time, like PortAudio, into a fixed buffer."""

    latency = 0.01

    def __init__(self, *, blocksize, callback, finished_callback, **_settings) -> None:
        self.blocksize = blocksize
        self.callback = callback
        self.finished_callback = finished_callback
        self.played = bytearray()
        self.running = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.running.set()
        self.thread.start()

    def _run(self) -> None:
        status = types.SimpleNamespace(output_underflow=False)
        period = self.blocksize / SAMPLE_RATE
        due = time.monotonic()
        while self.running.is_set():
            out = memoryview(bytearray(self.blocksize * 2))
            try:
                self.callback(out, self.blocksize, None, status)
            except FakeCallbackAbort:
                break
            self.played += out
            due += period
            time.sleep(max(0.0, due - time.monotonic()))
        self.finished_callback()

    def die(self) -> None:
        """The device goes away: PortAudio ends the stream."""
        self.running.clear()

    def abort(self) -> None:
        self.running.clear()
        if self.thread.is_alive():
            self.thread.join()

    def close(self) -> None:
        pass


def fake_sounddevice(devices: list[dict]) -> types.SimpleNamespace:
    streams: list[FakeStream] = []

    def query_devices(device=None, kind=None):
        if kind is None:
            return devices
        outputs = [d for d in devices if d["max_output_channels"] > 0]
        if not outputs:
            raise FakePortAudioError("Error querying device -1")
        return outputs[0] if device is None else devices[device]

    def stream(**settings):
        streams.append(FakeStream(**settings))
        return streams[-1]

    return types.SimpleNamespace(
        PortAudioError=FakePortAudioError,
        CallbackAbort=FakeCallbackAbort,
        query_devices=query_devices,
        RawOutputStream=stream,
        streams=streams,
    )


def test_open_output_uses_a_working_device(monkeypatch, players):
    sd = fake_sounddevice([{"name": "HDA Intel", "max_output_channels": 2}])
    monkeypatch.setattr(audio, "load_sounddevice", lambda: sd)
    sink, reason = open_output("auto")
    assert isinstance(sink, DeviceSink) and reason is None
    assert sink.audible and sink.name == "speakers (HDA Intel)"
    assert sink.latency_ms == pytest.approx(10 + 1000 * BLOCK / SAMPLE_RATE)
    clip = tone(150)
    player = players(sink)
    done = threading.Event()
    player.play(clip, done.set)
    assert done.wait(2)
    player.close()
    played = bytes(sd.streams[0].played)
    start = played.index(clip.pcm[:BLOCK_BYTES])
    assert played[start : start + len(clip.pcm)] == clip.pcm


def test_open_output_reports_no_device(monkeypatch):
    monkeypatch.setattr(audio, "load_sounddevice", lambda: fake_sounddevice([]))
    sink, reason = open_output("auto")
    assert isinstance(sink, ClockSink)
    assert reason == audio.NO_DEVICE
    sink.close()


def test_device_dying_mid_clip_does_not_stop_the_reading(monkeypatch, players):
    sd = fake_sounddevice([{"name": "USB headset", "max_output_channels": 2}])
    monkeypatch.setattr(audio, "load_sounddevice", lambda: sd)
    sink, _ = open_output("auto")
    player = players(sink)
    done = threading.Event()
    player.play(tone(300), done.set)
    time.sleep(0.1)
    sd.streams[0].die()
    assert done.wait(2), "reading stopped with the device"
    assert sink.failed == "The sound device stopped working."
    assert not sink.audible
    started = time.monotonic()
    player.close()
    assert time.monotonic() - started < 0.5
