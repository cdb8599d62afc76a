"""`kiosk speak`: audio to take home, with a timings file that matches the audio."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

from audio_tools import frame_rms, speech_onsets

ROOT = Path(__file__).resolve().parents[1]


def speak(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "speak", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_a_section_becomes_a_wav_with_matching_timings(tmp_path):
    out = tmp_path / "take-home" / "risk.wav"
    result = speak("ninds-als", "who-gets-als", "--out", str(out))
    assert result.returncode == 0, result.stderr
    with wave.open(str(out)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        frames = wav.getnframes()
        pcm = wav.readframes(frames)
    timings = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    duration_ms = 1000 * frames / 22050
    assert abs(timings["duration_ms"] - duration_ms) <= 1
    sentences = timings["sentences"]
    assert sentences[0]["text"] == "Who is more likely to get ALS?"
    assert sentences[0]["spoken"] != sentences[0]["text"]  # ALS is said as letters
    starts = [s["start_ms"] for s in sentences]
    assert starts == sorted(starts) and sentences[-1]["end_ms"] <= duration_ms
    # every sentence that follows a pause begins with sound where the timings say
    onsets = speech_onsets(pcm, 22050, min_gap_ms=150)
    checked = 0
    for sentence in sentences[1:]:
        start = int(sentence["start_ms"] * 22.05) * 2
        if max(frame_rms(pcm[start - 150 * 44:start], 22050)) < 300:
            assert min(abs(o - sentence["start_ms"]) for o in onsets) <= 100, sentence["text"]
            checked += 1
    assert checked >= 0.8 * (len(sentences) - 1)
    words = [w for s in sentences for w in s["words"]]
    assert [w["text"] for w in words[:6]] == ["Who", "is", "more", "likely", "to", "get"]
    assert "Wrote" in result.stderr


def test_a_section_number_works_like_its_id(tmp_path):
    result = speak("webmd-als", "1", "--out", str(tmp_path / "one.wav"), "--rate", "250")
    assert result.returncode == 0, result.stderr
    timings = json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))
    assert timings["rate_wpm"] == 250 and timings["document"] == "webmd-als"


def test_unknown_ids_are_rejected_with_the_valid_ones(tmp_path):
    result = speak("nope", "--out", str(tmp_path / "x.wav"))
    assert result.returncode == 2
    assert "no document 'nope'" in result.stderr and "ninds-als" in result.stderr
    result = speak("ninds-als", "nope", "--out", str(tmp_path / "x.wav"))
    assert result.returncode == 2
    assert "'nope' is not a section" in result.stderr and "what-is-als" in result.stderr
    result = speak("ninds-als", "--rate", "900", "--out", str(tmp_path / "x.wav"))
    assert result.returncode == 2 and "80 to 250" in result.stderr
    assert not (tmp_path / "x.wav").exists()
